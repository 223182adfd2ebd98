"""What the human views print must paste: whole commands and import lines at any width,
names folded only at dots, long imports in the parenthesised form, the answer first."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from helpers.factories import dist, failed, line, ok, target
from kerasdoctor.diagnose import rank
from kerasdoctor.history import installed_versions, worked_hint
from kerasdoctor.models import (
    Distribution,
    Finding,
    Origin,
    ProbeOutcome,
    Report,
    RunCommand,
    SetVariable,
    Severity,
    Suggestion,
)
from kerasdoctor.render import paste, suggest_lines, table

VENV = "/home/someone/projects/a-rather-long-project-name/.venvs/tf221-tfkeras-experiments"
PY = f"{VENV}/bin/python"
TF = dist("tensorflow", "2.21.0")
TF_CPU = replace(dist("tensorflow-cpu", "2.21.0", "tensorflow"), display_name="tensorflow_cpu")
TF_KERAS = replace(dist("tf-keras", "2.21.0", "tf_keras"), display_name="tf_keras")
K3_BN = "keras.src.layers.normalization.batch_normalization"
TF_BN = "tf_keras.src.layers.normalization.batch_normalization"

OUTCOMES: tuple[ProbeOutcome, ...] = (
    ok(line("tensorflow.keras.layers"), K3_BN),
    ok(line("keras.layers"), K3_BN),
    ok(line("keras.src.layers.normalization.batch_normalization"), K3_BN),
    ok(line("keras._tf_keras.keras.layers"), K3_BN),
    ok(line("tf_keras.layers"), TF_BN, dist_label="tf_keras 2.21.0"),
    failed(line("keras.layers.normalization"), "No module named 'keras.layers.normalization'"),
    failed(
        line("keras.layers.normalization.batch_normalization"),
        "No module named 'keras.layers.normalization'",
    ),
    failed(
        line("keras.layers.normalization.batch_normalization_v1"),
        "No module named 'keras.layers.normalization'",
    ),
    failed(
        line("tensorflow.compat.v1.keras.layers"),
        "No module named 'tensorflow.compat.v1.keras'",
    ),
)
DUPLICATE = Finding(
    code="KD201",
    slug="duplicate-distribution",
    severity=Severity.WARNING,
    message="tensorflow 2.21.0 and tensorflow-cpu 2.21.0 both install the 'tensorflow' package",
    fix=(
        RunCommand(("uv", "pip", "uninstall", "--python", PY, "tensorflow-cpu", "tensorflow")),
        RunCommand(("uv", "pip", "install", "--python", PY, "tensorflow>=2.16")),
        SetVariable("KERAS_BACKEND", "tensorflow"),
    ),
)
MIXED = Finding("KD401", "mixed-implementations", Severity.INFO, "three classes")


def _report(
    outcomes: tuple[ProbeOutcome, ...] = OUTCOMES,
    symbols: tuple[str, ...] = ("BatchNormalization",),
    findings: tuple[Finding, ...] = (DUPLICATE, MIXED),
    env: tuple[tuple[str, str], ...] = (),
) -> Report:
    tgt = replace(target(TF, TF_CPU, TF_KERAS, dist("keras", "3.15.1"), env=env), python=PY)
    ref, suggestions = rank.suggest(tgt, symbols, outcomes)
    return Report("0.1.0", "check", tgt, symbols, outcomes, suggestions, findings, ref.label)


def _views(report: Report, width: int) -> list[str]:
    return [
        table.render(report, width=width, color=False),
        table.render_verbose(report, width=width, color=False),
    ]


@pytest.mark.parametrize("width", [60, 80, 100])
def test_commands_and_import_lines_are_never_wrapped(width: int) -> None:
    report = _report()
    for verbose, out in enumerate(_views(report, width)):
        rows = [row.strip() for row in out.splitlines()]
        for command in (
            f"uv pip uninstall --python {PY} tensorflow-cpu tensorflow",
            f"uv pip install --python {PY} 'tensorflow>=2.16'",
            "export KERAS_BACKEND=tensorflow",
        ):
            assert command in rows, (command, out)
        for outcome in OUTCOMES:
            if not verbose and not (outcome.works and outcome.candidate.is_public):
                continue  # the default view groups the other lines by what they gave
            assert any(row.endswith(outcome.candidate.import_line) for row in rows), out
        # The line to paste starts a row of its own or follows "→ Use: " whole.
        use = "from tensorflow.keras.layers import BatchNormalization"
        assert f"→ Use: {use}" in rows or rows[rows.index("→ Use:") + 1] == use


@pytest.mark.parametrize("width", [60, 80, 100])
def test_dotted_names_fold_only_after_a_dot(width: int) -> None:
    report = _report()
    names = {o.candidate.module for o in OUTCOMES} | {K3_BN, TF_BN}
    for out in _views(report, width):
        joined = re.sub(r"\n *", "\0", out)  # a row break and the next row's indent
        for name in names:
            pattern = "\0?".join(re.escape(ch) for ch in name)
            matches = list(re.finditer(pattern, joined))
            assert matches, (name, out)
            for match in matches:
                text = match.group()
                for at in (i for i, ch in enumerate(text) if ch == "\0"):
                    assert text[at - 1] in "./", (name, text)


def test_wrap_never_cuts_inside_an_identifier() -> None:
    rows = paste.wrap(f"ModuleNotFoundError: No module named '{K3_BN}_v1'", 30, "    ", "")
    assert rows[:2] == ["ModuleNotFoundError: No module", "    named"]
    for row in rows[1:]:
        assert row.startswith("    ")
    assert "".join(r.strip() for r in rows[2:]) == f"'{K3_BN}_v1'"
    assert all(r.rstrip().endswith(".") for r in rows[2:-1])


NAMES = ["BatchNormalization", "Dense", "Conv2D", "MaxPooling2D", "Dropout", "Flatten", "Input"]


def test_long_suggestions_are_parenthesised_and_compile() -> None:
    outcomes = tuple(ok(line("tensorflow.keras.layers", n), "keras.src.layers.x") for n in NAMES)
    report = _report(outcomes, tuple(NAMES), findings=())
    out = suggest_lines.render(report)
    assert out.splitlines()[0] == "from tensorflow.keras.layers import ("
    assert all(len(row) <= paste.LINE_LIMIT for row in out.splitlines())
    compile(out, "<pasted>", "exec")
    view = table.render(report, width=60, color=False)
    block = view.split("→ Use:\n", 1)[1][: len(out)]
    assert block == out
    compile(block, "<pasted>", "exec")


def test_short_suggestions_stay_on_one_line() -> None:
    assert paste.import_lines("keras.layers", ["Dense", "Conv2D"]) == [
        "from keras.layers import Dense, Conv2D"
    ]


def _asked(works: bool) -> Report:
    mine = line("keras.layers.normalization", origin=Origin.USER)
    asked = (
        ok(mine, K3_BN) if works else failed(mine, "No module named 'keras.layers.normalization'")
    )
    return _report((asked, *OUTCOMES[:2]), findings=())


def test_the_line_asked_about_is_the_headline() -> None:
    rows = table.render(_asked(False), width=100, color=False).splitlines()
    start = rows.index("") + 1
    assert rows[start] == (
        "✗ your line fails here: ModuleNotFoundError: No module named "
        "'keras.layers.normalization'; use:"
    )
    # Under the error: when the line worked in the releases `where` records (data, no probe).
    report = _asked(False)
    hint = worked_hint(
        "keras.layers.normalization",
        "BatchNormalization",
        installed_versions(report.target.distributions),
    )
    assert hint is not None and hint.startswith("worked up to keras ")
    assert rows[start + 1] == f"  ({hint})"
    assert rows[start + 2] == "→ Use: from tensorflow.keras.layers import BatchNormalization"
    rows = table.render(_asked(True), width=80, color=False).splitlines()
    assert rows[rows.index("") + 1] == "✓ your line works here; suggested instead:"


def test_a_dead_end_ends_with_the_verified_fix_and_the_line_it_makes_work() -> None:
    backend = Finding(
        "KD101",
        "keras-backend-missing",
        Severity.ERROR,
        "keras 3.15.1 uses the 'tensorflow' backend, which is not installed",
        evidence=(
            "probing again with KERAS_BACKEND=torch: "
            "`from keras.layers import BatchNormalization` works and is usable",
        ),
        fix=(SetVariable("KERAS_BACKEND", "torch"),),
        verified=True,
    )
    outcomes = (failed(line("keras.layers"), "No module named 'tensorflow'"),)
    out = table.render(_report(outcomes, findings=(backend,)), width=80, color=False)
    assert out.splitlines()[-5:] == [
        "1 error, 0 warnings",
        "✗ No working line for BatchNormalization yet; this verified fix makes it work:",
        "export KERAS_BACKEND=torch",
        "then use:",
        "from keras.layers import BatchNormalization",
    ]
    unproven = replace(backend, verified=False)
    out = table.render(_report(outcomes, findings=(unproven,)), width=80, color=False)
    assert out.splitlines()[-1] == "✗ No working line for BatchNormalization in this environment"


def test_default_view_collapses_info_and_groups_failures_and_marks_private_lines() -> None:
    out = table.render(_report(), width=100, color=False)
    assert "i 1 info finding (KD401); -v shows them" in out
    assert "three classes" not in out
    # Three or more old lines failing for one reason: one row; fewer: grouped by type.
    assert "✗ 3 lines: ModuleNotFoundError: No module named 'keras.layers.normalization'" in out
    assert "✗ from tensorflow.compat.v1.keras.layers import BatchNormalization" in out
    odd = failed(line("tensorflow.contrib.keras.layers"), "No module named 'tensorflow.contrib'")
    grouped = table.render(_report((*OUTCOMES, odd)), width=100, color=False)
    assert "✗ 2 lines: ModuleNotFoundError (old or private locations)" in grouped
    assert "    from tensorflow.compat.v1.keras.layers, tensorflow.contrib.keras.layers" in grouped
    assert f"{table.PRIVATE_MARK} 2 private lines: BatchNormalization in {K3_BN}" in out
    assert "✓ from keras._tf_keras.keras.layers" not in out
    assert out.splitlines()[-1] == "0 errors, 1 warning, 1 info"
    verbose = table.render_verbose(_report(), width=100, color=False)
    assert "three classes" in verbose
    assert f"{table.PRIVATE_MARK} from keras._tf_keras.keras.layers import" in verbose
    assert len(verbose.splitlines()) > len(out.splitlines())


def test_installed_names_are_spelled_the_same_in_every_environment() -> None:
    out = table.render(_report(), width=120, color=False)
    assert "tensorflow-cpu 2.21.0, tf-keras 2.21.0" in out
    assert "tensorflow_cpu" not in out and "tf_keras 2.21.0," not in out


def test_tensorflow_keras_notes_that_it_depends_on_tf_use_legacy_keras() -> None:
    note = "tensorflow.keras gives Keras 3 here because TF_USE_LEGACY_KERAS is not set"
    assert note in " ".join(table.render(_report(), width=80, color=False).split())
    legacy = _report(env=(("TF_USE_LEGACY_KERAS", "1"),))
    assert note not in " ".join(table.render(legacy, width=80, color=False).split())
    old_tf = replace(
        _report(),
        target=replace(_report().target, distributions=(dist("tensorflow", "2.15.1"), TF_KERAS)),
    )
    assert note not in " ".join(table.render(old_tf, width=80, color=False).split())


def test_strict_note_names_the_warnings() -> None:
    assert (
        table.strict_note(_report()) == "exit 1 because of --strict: 0 errors, 1 warning, 1 info\n"
    )


def test_no_suggestion_keeps_the_dead_end_wording() -> None:
    report = replace(_report(), suggestions=(Suggestion("X", None, "nothing works"),))
    assert "✗ No working line for X: nothing works" in table.render(report, width=80)


def test_distribution_fixture_is_real() -> None:
    assert isinstance(TF_CPU, Distribution) and TF_CPU.name == "tensorflow-cpu"
