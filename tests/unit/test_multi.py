"""Several targets: target specs, labels, the common line, the matrix views and the JSON.

The per-target choices are computed by the real ranking (:func:`rank.suggest`) from outcomes
shaped like those seen in real environments; the tests then check the common line against
those choices, never against a hard-coded answer alone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from helpers.factories import dist, failed, line, ok, target
from kerasdoctor import cache
from kerasdoctor.cli import run as cli_run
from kerasdoctor.diagnose import rank
from kerasdoctor.errors import UsageError
from kerasdoctor.models import ProbeOutcome, Report, Status, Target, UseCheck
from kerasdoctor.multi import common, targets
from kerasdoctor.multi.model import MatrixReport, TargetRun
from kerasdoctor.render import matrix_json, matrix_text

TF_LINE = line("tensorflow.keras.layers", "Dense")
K_LINE = line("keras.layers", "Dense")
TFK_LINE = line("tf_keras.layers", "Dense")
K3 = "keras.src.layers.core.dense"
K2 = "keras.src.layers.core.dense"  # Keras 2.13-2.15 also lives in keras.src
TFK = "tf_keras.src.layers.core.dense"

TF215 = target(dist("tensorflow", "2.15.1", "tensorflow"), dist("keras", "2.15.0"))
TF221 = target(dist("tensorflow", "2.21.0", "tensorflow"), dist("keras", "3.15.1"))
LEGACY = target(
    dist("tensorflow", "2.21.0", "tensorflow"),
    dist("keras", "3.15.1"),
    dist("tf-keras", "2.21.0", "tf_keras"),
    env=(("TF_USE_LEGACY_KERAS", "1"),),
)
TORCH = target(
    dist("keras", "3.15.1"), dist("torch", "2.13.0", "torch"), env=(("KERAS_BACKEND", "torch"),)
)


def run_of(label: str, where: Target, outcomes: Sequence[ProbeOutcome]) -> TargetRun:
    """A target's run with its own suggestions computed by the real ranking."""
    reference, suggestions = rank.suggest(where, ["Dense"], outcomes)
    report = Report(
        "0.3.0", "suggest", where, ("Dense",), tuple(outcomes), suggestions, (), reference.label
    )
    return TargetRun(label, f"/envs/{label}/bin/python", where.env, report)


def keras2() -> TargetRun:
    return run_of(
        "tf215",
        TF215,
        [ok(TF_LINE, K2, dist_label="keras 2.15.0"), ok(K_LINE, K2, dist_label="keras 2.15.0")],
    )


def keras3() -> TargetRun:
    return run_of("tf", TF221, [ok(TF_LINE, K3), ok(K_LINE, K3)])


def torch() -> TargetRun:
    return run_of("torch", TORCH, [failed(TF_LINE, "No module named 'tensorflow'"), ok(K_LINE, K3)])


def legacy() -> TargetRun:
    return run_of(
        "legacy",
        LEGACY,
        [
            ok(TF_LINE, TFK, dist_label="tf_keras 2.21.0"),
            ok(K_LINE, K3),
            ok(TFK_LINE, TFK, dist_label="tf_keras 2.21.0"),
        ],
    )


def own_identity(run: TargetRun) -> str:
    resolved = run.report.suggestions[0].resolved
    assert resolved is not None
    return resolved.identity


# -- target specs and labels -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "python", "env"),
    [
        pytest.param("/v/bin/python", "/v/bin/python", (), id="path"),
        pytest.param(
            "/v/bin/python::KERAS_BACKEND=torch",
            "/v/bin/python",
            (("KERAS_BACKEND", "torch"),),
            id="one-variable",
        ),
        pytest.param(
            "/v::A=1,B=x=y,C=",
            "/v",
            (("A", "1"), ("B", "x=y"), ("C", "")),
            id="value-with-equals-and-empty",
        ),
    ],
)
def test_parse_target(text: str, python: str, env: tuple[tuple[str, str], ...]) -> None:
    spec = targets.parse(text)
    assert (spec.python, spec.env) == (python, env)
    assert spec.text == text


@pytest.mark.parametrize(
    "text",
    ["", "::A=1", "/v::", "/v::A", "/v::1A=2", "/v::A=1,A=2", "/v::A=1,,B=2", "/v::A-B=1"],
)
def test_parse_target_refuses(text: str) -> None:
    with pytest.raises(UsageError):
        targets.parse(text)


def test_default_labels_are_folder_names_and_distinct() -> None:
    specs = [
        targets.parse("/envs/tf215/bin/python"),
        targets.parse("/envs/tf/bin/python3.11"),
        targets.parse("/envs/tf/bin/python::TF_USE_LEGACY_KERAS=1"),
        targets.parse("/opt/conda"),
    ]
    labels = [s.label for s in targets.with_labels(specs, [])]
    assert labels == ["tf215", "tf", "tf#2", "conda"]


def test_given_labels_come_first_in_order() -> None:
    specs = [targets.parse("/a/bin/python"), targets.parse("/b/bin/python")]
    assert [s.label for s in targets.with_labels(specs, ["laptop"])] == ["laptop", "b"]


@pytest.mark.parametrize("labels", [["x", "x"], ["a", "b", "c"], [" "]])
def test_bad_labels(labels: list[str]) -> None:
    specs = [targets.parse("/a/bin/python"), targets.parse("/b/bin/python")]
    with pytest.raises(UsageError):
        targets.with_labels(specs, labels)


# -- the common line -------------------------------------------------------------------


def test_common_line_gives_each_target_its_own_object() -> None:
    runs = [keras2(), keras3(), torch()]
    found, stage = common.choose(runs, "Dense")
    assert found.import_line is not None
    # Not every target picks it on its own (tensorflow.keras wins where TF is installed)...
    assert {r.own_line("Dense") for r in runs} != {found.import_line}
    # ...yet in each it works and gives exactly that target's own choice.
    for run in runs:
        outcome = run.outcome("Dense", found.import_line)
        assert outcome is not None and outcome.resolved is not None
        assert outcome.resolved.identity == own_identity(run)
    assert found.import_line == K_LINE.import_line and stage == 1
    assert dict(found.lines) == {r.label: r.own_line("Dense") for r in runs}


def test_most_picked_line_wins_when_several_fit() -> None:
    found, _ = common.choose([keras2(), keras3()], "Dense")
    assert found.import_line == TF_LINE.import_line  # both targets' own pick


def test_split_names_targets_lines_and_what_differs() -> None:
    runs = [legacy(), torch()]
    found, _ = common.choose(runs, "Dense")
    assert found.import_line is None
    text = found.reason
    for run in runs:
        assert f"`{run.own_line('Dense')}`" in text and run.label in text
    assert "tensorflow 2.21.0 (legacy) vs not installed (torch)" in text
    assert "TF_USE_LEGACY_KERAS 1 (legacy) vs unset (torch)" in text
    assert "keras 3.15.1" not in text  # the same everywhere: not a difference


def test_a_line_unusable_in_one_target_is_not_common() -> None:
    broken = ProbeOutcome(
        K_LINE,
        Status.OK,
        1.0,
        resolved=ok(K_LINE, K3).resolved,
        use=UseCheck(False, "built in a model"),
    )
    runs = [keras3(), run_of("broken", TF221, [ok(TF_LINE, K3), broken])]
    found, _ = common.choose(runs, "Dense")
    assert found.import_line == TF_LINE.import_line
    assert common.marker(broken) == common.UNUSABLE


def test_a_target_where_nothing_works_has_no_common_line() -> None:
    nothing = run_of("empty", TORCH, [failed(K_LINE, "No module named 'keras'")])
    found, _ = common.choose([keras3(), nothing], "Dense")
    assert found.import_line is None and "no line works in empty" in found.reason


def test_unprobed_lines_are_what_the_next_stage_probes() -> None:
    # torch's own run never tried the tensorflow.keras line (an early stop).
    short = run_of("torch", TORCH, [ok(K_LINE, K3)])
    runs = [keras2(), short]
    first, second = common.stages(runs, "Dense")
    assert {c.import_line for c in first} == {TF_LINE.import_line, K_LINE.import_line}
    assert common.missing(short, first) == (TF_LINE,)
    assert common.missing(runs[0], first) == ()
    assert common.marker(short.outcome("Dense", TF_LINE.import_line)) == common.NOT_PROBED
    assert second == ()


# -- views, JSON, cache ------------------------------------------------------------------


def matrix(runs: Sequence[TargetRun]) -> MatrixReport:
    found = tuple(common.choose(runs, s)[0] for s in ("Dense",))
    return MatrixReport("0.3.0", "check", ("Dense",), tuple(runs), found)


def test_matrix_text_has_a_column_per_target_and_footnotes() -> None:
    report = matrix([legacy(), torch()])
    text = matrix_text.render(report)
    header = next(t for t in text.splitlines() if t.strip().startswith("line"))
    assert header.split()[1:] == ["legacy", "torch"]
    row = next(t for t in text.splitlines() if t.strip().startswith(TF_LINE.import_line))
    assert row.split()[-2:] == ["✓", "✗1"]
    assert "1. ModuleNotFoundError: No module named 'tensorflow'" in text
    assert report.common[0].reason in text
    assert matrix_text.suggest_lines(report) == ""  # nothing to paste on a split


def test_suggest_lines_are_the_common_lines() -> None:
    report = matrix([keras2(), keras3(), torch()])
    assert matrix_text.suggest_lines(report) == K_LINE.import_line + "\n"
    assert report.all_common


def test_matrix_json_matches_its_schema(validate_matrix: Any) -> None:
    report = matrix([legacy(), torch()])
    document = json.loads(matrix_json.render(report))
    validate_matrix(document)
    assert document["document"] == "matrix"
    assert document["suggestions"][0]["import_line"] is None
    assert document["suggestions"][0]["lines"] == {
        "legacy": TF_LINE.import_line,
        "torch": K_LINE.import_line,
    }
    assert [t["label"] for t in document["targets"]] == ["legacy", "torch"]
    assert document["targets"][1]["env"] == {"KERAS_BACKEND": "torch"}


def test_matrix_report_round_trips_through_the_cache() -> None:
    report = matrix([keras2(), torch()])
    assert cache.decode(json.loads(json.dumps(cache.encode(report)))) == report


# -- the command line refuses bad input before running anything ---------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["check", "Dense", "--python", "/nowhere/bin/python::1A=2"],
        ["suggest", "Dense", "--python", "/a", "--python", "/b", "--label", "x", "--label", "x"],
        ["check", "Dense", "--label", "x"],
        ["report", "Dense", "--python", "/a", "--python", "/b"],
    ],
)
def test_cli_bad_targets_are_one_line_exit_2(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_run(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("kerasdoctor: error: ") and err.count("\n") == 1


# -- merge: documents of separate jobs give the same answer ------------------------------


def write_documents(runs: Sequence[TargetRun], folder: Any) -> list[str]:
    from kerasdoctor.render import json_document

    paths = []
    for run in runs:
        path = folder / f"{run.label}.json"
        report = run.report
        document = json_document.report_to_dict(report)
        document["kerasdoctor_version"] = merge_module().__version__
        path.write_text(json.dumps(document), "utf-8")
        paths.append(str(path))
    return paths


def merge_module() -> Any:
    from kerasdoctor.multi import merge

    return merge


@pytest.mark.parametrize(
    "make",
    [lambda: [keras2(), keras3(), torch()], lambda: [legacy(), torch()]],
    ids=["common", "split"],
)
def test_merge_of_documents_equals_choosing_from_the_runs(make: Any, tmp_path: Any) -> None:
    runs = make()
    paths = write_documents(runs, tmp_path)
    merged = merge_module().merge(paths)
    assert [r.label for r in merged.runs] == [r.label for r in runs]
    expected = [common.choose(runs, "Dense")[0] for _ in (1,)]
    assert [c.import_line for c in merged.common] == [c.import_line for c in expected]
    assert [c.lines for c in merged.common] == [c.lines for c in expected]
    assert merged.common[0].reason == expected[0].reason


def test_merge_cli_prints_the_matrix_and_exits_1_on_a_split(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = write_documents([legacy(), torch()], tmp_path)
    assert cli_run(["merge", *paths]) == 1
    out = capsys.readouterr().out
    assert "no single line gives every target its own implementation" in out
    paths = write_documents([keras2(), keras3(), torch()], tmp_path)
    assert cli_run(["merge", "--json", *paths]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["suggestions"][0]["import_line"] == K_LINE.import_line


def _edited(path: str, **changes: Any) -> None:
    file = Path(path)
    document = json.loads(file.read_text("utf-8"))
    document.update(changes)
    file.write_text(json.dumps(document), "utf-8")


@pytest.mark.parametrize(
    "change",
    [
        {"schema_version": 2},
        {"kerasdoctor_version": "0.0.1"},
        {"symbols": ["Adam"]},
        {"document": "matrix"},
        {"probes": "nonsense"},
    ],
    ids=["schema", "version", "symbols", "matrix", "garbage"],
)
def test_merge_refuses_documents_that_do_not_fit(
    change: dict[str, Any], tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = write_documents([keras3(), torch()], tmp_path)
    _edited(paths[1], **change)
    assert cli_run(["merge", *paths]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kerasdoctor: error: ") and err.count("\n") == 1
    assert "torch.json" in err


def test_merge_refuses_a_missing_file(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_run(["merge", str(tmp_path / "absent.json")]) == 2
    assert capsys.readouterr().err.startswith("kerasdoctor: error: ")
