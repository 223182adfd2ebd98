"""Renderers return text; exact output at a pinned width, no colour codes unless asked."""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest

from helpers.factories import dist, failed, line, ok, target
from kerasdoctor.diagnose import rank
from kerasdoctor.models import Finding, Report, SetVariable, Severity
from kerasdoctor.render import Format, json_document, render, suggest_lines, table

K3_BN = "keras.src.layers.normalization.batch_normalization"
TARGET = target(dist("tensorflow", "2.21.0"), dist("keras", "3.15.1"))
OUTCOMES = (
    ok(line("tensorflow.keras.layers"), K3_BN),
    ok(line("keras.layers"), K3_BN),
    failed(line("keras.layers.normalization"), "No module named 'keras.layers.normalization'"),
    ok(line("keras.layers", "Dense"), "keras.src.layers.core.dense"),
    ok(line("tensorflow.keras.layers", "Dense"), "keras.src.layers.core.dense"),
)
FINDING = Finding(
    code="KD101",
    slug="keras-backend-missing",
    severity=Severity.WARNING,
    message="Keras 3 is set to the torch backend, which is not installed",
    evidence=("KERAS_BACKEND=torch",),
    fix=(SetVariable("KERAS_BACKEND", "tensorflow"),),
    verified=True,
)


def _report(
    symbols: tuple[str, ...] = ("BatchNormalization",), findings: tuple[Finding, ...] = ()
) -> Report:
    ref, suggestions = rank.suggest(TARGET, symbols, OUTCOMES)
    return Report("0.1.0", "check", TARGET, symbols, OUTCOMES, suggestions, findings, ref.label)


EXPECTED = """\
kerasdoctor 0.1.0 · check
Target          /venv/bin/python (Python 3.11.7; --python)
Installed       tensorflow 2.21.0, keras 3.15.1
Settings        no keras.json
Directory       /work/project
Implementation  keras 3.15.1 (via tensorflow.keras)

→ Use: from tensorflow.keras.layers import BatchNormalization

Findings
! Backend and dependencies
  ! KD101 keras-backend-missing: Keras 3 is set to the torch backend, which is not installed
      KERAS_BACKEND=torch
      fix (verified):
        export KERAS_BACKEND=tensorflow

BatchNormalization: 3 lines tried
✓ from tensorflow.keras.layers import BatchNormalization
    BatchNormalization in keras.src.layers.normalization.batch_normalization (keras 3.15.1)
✓ from keras.layers import BatchNormalization
    BatchNormalization in keras.src.layers.normalization.batch_normalization (keras 3.15.1)
✗ from keras.layers.normalization import BatchNormalization
    ModuleNotFoundError: No module named 'keras.layers.normalization'

0 errors, 1 warning
"""


def _strip(text: str) -> str:
    return "\n".join(row.rstrip() for row in text.splitlines()) + "\n"


def test_check_view_exact_at_width_100() -> None:
    out = table.render(_report(findings=(FINDING,)), width=100, color=False)
    assert _strip(out) == EXPECTED
    assert "\x1b[" not in out


def test_colour_only_when_asked() -> None:
    assert "\x1b[" in table.render(_report(), width=100, color=True)


def test_healthy_view_says_so() -> None:
    out = table.render(_report(), width=100, color=False)
    assert "✓ Findings: none of 5 areas has an error or warning" in out
    assert out.splitlines()[-1] == "0 errors, 0 warnings"
    verbose = table.render_verbose(_report(), width=100, color=False)
    for area in table.AREAS:
        assert f"✓ {area.title}" in verbose


def test_suggest_merges_symbols_from_one_module() -> None:
    out = suggest_lines.render(_report(("BatchNormalization", "Dense")))
    assert out == "from tensorflow.keras.layers import BatchNormalization, Dense\n"


def test_json_has_the_documented_fields(validate_report: Any) -> None:
    document = json.loads(
        json_document.render(_report(("BatchNormalization", "Dense"), (FINDING,)))
    )
    validate_report(document)
    assert document["schema_version"] == 1
    probe = document["probes"][0]
    assert probe["import_line"] == "from tensorflow.keras.layers import BatchNormalization"
    assert probe["resolved"]["identity"] == f"{K3_BN}:BatchNormalization"
    assert probe["distribution"] == "keras 3.15.1"
    assert [s["import_line"] for s in document["suggestions"]] == [
        "from tensorflow.keras.layers import BatchNormalization",
        "from tensorflow.keras.layers import Dense",
    ]
    assert document["findings"][0]["fix"] == ["export KERAS_BACKEND=tensorflow"]
    assert document["findings"][0]["verified"] is True


@pytest.mark.parametrize("fmt", list(Format))
def test_every_format_renders_a_report_to_text(fmt: Format) -> None:
    report = _report(("BatchNormalization", "Dense"), (FINDING,))
    out = render(report, fmt, width=100, color=False)
    assert isinstance(out, str)
    assert out.endswith("\n")
    # Every format names the line to paste; none carries colour unless asked.
    assert "from tensorflow.keras.layers import" in out
    assert "\x1b[" not in out
    assert fmt.renderer() is importlib.import_module(fmt.module).render


def test_each_format_has_its_own_module() -> None:
    modules = [fmt.module for fmt in Format]
    assert len(set(modules)) == len(modules)
