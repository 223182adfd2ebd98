"""How the CLI prints: colour switches, -v, the --strict note, a clean screen after Ctrl-C."""

from __future__ import annotations

import io
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from helpers.factories import dist, line, ok, target
from kerasdoctor.cli import common, run, terminal
from kerasdoctor.diagnose import rank
from kerasdoctor.errors import ExitCode
from kerasdoctor.models import Finding, Report, Severity

WARNING = Finding("KD201", "duplicate-distribution", Severity.WARNING, "two tensorflows")


def _healthy(findings: tuple[Finding, ...]) -> Report:
    tgt = target(dist("keras", "3.15.1"))
    outcomes = (ok(line("keras.layers"), "keras.src.layers.normalization.batch_normalization"),)
    _, suggestions = rank.suggest(tgt, ("BatchNormalization",), outcomes)
    return Report("0.1.0", "check", tgt, ("BatchNormalization",), outcomes, suggestions, findings)


@pytest.mark.parametrize(
    ("env", "expected"),
    [({}, False), ({"FORCE_COLOR": "1"}, True), ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False)],
)
def test_force_color_is_honoured_when_piped_and_no_color_wins(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: bool
) -> None:
    for name in ("FORCE_COLOR", "NO_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert terminal.wants_color(io.StringIO()) is expected


def test_the_exit_code_of_strict_is_named() -> None:
    report = _healthy((WARNING,))
    code = common.exit_code_for(report, strict=True)
    assert code is ExitCode.NO_WORKING_LINE
    assert common.failed_by_strict(report, code)
    assert not common.failed_by_strict(report, common.exit_code_for(report, strict=False))
    missing = replace(report, suggestions=(replace(report.suggestions[0], candidate=None),))
    assert not common.failed_by_strict(missing, common.exit_code_for(missing, strict=True))


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_ctrl_c_leaves_no_spinner_text(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = _Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    progress = common.Progress(True)

    def interrupted() -> None:
        with progress:
            progress(_healthy(()).probes[0])
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted()
    assert screen.getvalue().endswith("\r\x1b[2K")
    assert progress._progress is None  # stopped, and never stopped twice


@pytest.mark.keras_free
def test_verbose_shows_every_area(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    run(["check", "--python", sys.executable, "--no-cache"])
    short, _ = capsys.readouterr()
    run(["check", "-v", "--python", sys.executable])
    verbose, _ = capsys.readouterr()
    assert "✓ Shadowing and flags" in verbose
    assert "✓ Shadowing and flags" not in short
    assert len(verbose.splitlines()) > len(short.splitlines())
    assert short.splitlines()[-1].startswith("✗ No working line for BatchNormalization")


@pytest.mark.keras_free
def test_force_color_colours_piped_check_output(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    run(["check", "--python", sys.executable])
    assert "\x1b[" in capsys.readouterr().out
    monkeypatch.setenv("NO_COLOR", "1")
    run(["check", "--python", sys.executable])
    assert "\x1b[" not in capsys.readouterr().out
