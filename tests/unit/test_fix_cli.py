"""``kerasdoctor fix`` on the command line: diff and exit codes, --write, JSON schema, errors.

``api.scan`` is replaced by the stand-in of :mod:`helpers.fixscan` and the probe of new
lines by a fake with given answers; files, bytes and the CLI are real.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from helpers.fixscan import Rule, confirmer, fake_scan
from kerasdoctor import api, pipeline_fix
from kerasdoctor.cli import run
from kerasdoctor.scan.diagnostics import Applicability

BN = "keras.src.layers.normalization.batch_normalization:BatchNormalization"
OLD = "from keras.layers.normalization import BatchNormalization"
NEW = "from keras.layers import BatchNormalization"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "a.py").write_text(f"{OLD}\nx = 1\n")
    (tmp_path / "ok.py").write_text("import os\n")
    rules = {
        "a.py": [Rule(OLD, NEW)],
        "ok.py": [],
        "u.py": [
            Rule(
                "from tensorflow.keras.layers import Dense",
                "from keras.layers import Dense",
                "keras.src.layers.core.dense:Dense",
                Applicability.UNSAFE,
                code="KD503",
            )
        ],
    }
    (tmp_path / "u.py").write_text("from tensorflow.keras.layers import Dense\n")
    monkeypatch.setattr(api, "scan", fake_scan(tmp_path, rules), raising=False)
    works = {NEW: BN, "from keras.layers import Dense": "keras.src.layers.core.dense:Dense"}
    monkeypatch.setattr(pipeline_fix, "probe_new_lines", lambda environ, settings: confirmer(works))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_preview_prints_the_diff_and_exits_1(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["fix"]) == 1
    out = capsys.readouterr().out
    assert f"--- a.py\n+++ a.py\n@@ -1,2 +1,2 @@\n-{OLD}\n+{NEW}\n x = 1\n" in out
    assert "1 file would change" in out
    assert "unsafe fix hidden (--unsafe-fixes)" in out
    assert (project / "a.py").read_text() == f"{OLD}\nx = 1\n"


def test_write_fixes_then_a_second_run_changes_nothing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["fix", "--write"]) == 0  # what remains is a warning (KD503), not an error
    out = capsys.readouterr().out
    assert "fixed a.py: 1 statement" in out
    assert "1 file changed, 1 statement fixed" in out
    assert "u.py:1:1: KD503" in out
    assert (project / "a.py").read_text() == f"{NEW}\nx = 1\n"
    assert run(["fix"]) == 0
    assert "nothing to fix" in capsys.readouterr().out
    assert run(["fix", "--write", "--unsafe-fixes"]) == 0
    assert (project / "u.py").read_text() == "from keras.layers import Dense\n"
    assert run(["fix", "--unsafe-fixes"]) == 0


def test_an_error_that_remains_after_write_exits_1(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(pipeline_fix, "probe_new_lines", lambda environ, settings: confirmer({}))
    assert run(["fix", "--write"]) == 1
    out = capsys.readouterr().out
    assert f"not fixed: `{NEW}` fails in the target" in out
    assert (project / "a.py").read_text() == f"{OLD}\nx = 1\n"


def _schema() -> dict[str, Any]:
    text = resources.files("kerasdoctor.schema").joinpath("fix.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


@pytest.mark.parametrize("args", [["fix"], ["fix", "--write"], ["fix", "--unsafe-fixes"]])
def test_json_lists_the_edits_per_file_and_matches_the_schema(
    project: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    run([*args, "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator(_schema()).validate(document)
    by_path = {f["path"]: f for f in document["files"]}
    (edit,) = by_path["a.py"]["edits"]
    assert (edit["line"], edit["column"], edit["old_text"], edit["new_text"]) == (1, 1, OLD, NEW)
    assert edit["fixes"][0]["code"] == "KD501"
    assert document["write"] == ("--write" in args)
    assert ("u.py" in by_path) == ("--unsafe-fixes" in args)


def test_the_schema_rejects_a_document_without_its_version(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["fix", "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    del document["schema_version"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(_schema()).validate(document)


@pytest.mark.parametrize(
    "args",
    [
        ["fix", "--format", "xml"],
        ["fix", "--select", "nope"],
        ["fix", "--ignore", "KD101"],  # a check code, not one scan (and fix) reports
        ["fix", "no/such/folder"],
        ["fix", "--bogus"],
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    assert run(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("kerasdoctor: error:")


def test_long_lines_are_never_wrapped(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    old = "from tensorflow.python.keras.layers.preprocessing.image_preprocessing import Rescaling"
    new = "from tensorflow.keras.layers.experimental.preprocessing import Rescaling"
    (project / "a.py").write_text(f"{old}\n")
    monkeypatch.setattr(
        api, "scan", fake_scan(project, {"a.py": [Rule(old, new, "m:Rescaling")]}), raising=False
    )
    monkeypatch.setattr(
        pipeline_fix, "probe_new_lines", lambda environ, settings: confirmer({new: "m:Rescaling"})
    )
    monkeypatch.setenv("COLUMNS", "40")
    assert run(["fix"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert f"-{old}" in lines
    assert f"+{new}" in lines


def test_ctrl_c_while_writing_exits_130_and_leaves_whole_files(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from kerasdoctor.fix import write

    (project / "b.py").write_text(f"{OLD}\n")
    rules = {"a.py": [Rule(OLD, NEW)], "b.py": [Rule(OLD, NEW)]}
    monkeypatch.setattr(api, "scan", fake_scan(project, rules), raising=False)
    real = write.write_file
    calls: list[str] = []

    def interrupted_on_second(request: write.WriteRequest) -> write.WriteResult:
        calls.append(request.snapshot.path.name)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(request)

    monkeypatch.setattr(write, "write_file", interrupted_on_second)
    assert run(["fix", "--write"]) == 130
    err = capsys.readouterr().err
    assert "files written: " in err
    assert "a.py" in err
    assert (project / "a.py").read_text() == f"{NEW}\nx = 1\n"
    assert (project / "b.py").read_text() == f"{OLD}\n"
    assert not [p for p in project.iterdir() if p.name.endswith(".kerasdoctor-tmp")]
