"""The scan renderers: exact text, escaping, no wrapping, JSON Schema and SARIF validation."""

from __future__ import annotations

import dataclasses
import importlib
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from helpers.factories import code_fix, diagnostic, failed, line, location, scan_report
from kerasdoctor import codes
from kerasdoctor.models import Severity
from kerasdoctor.render import ScanFormat, render_scan, scan_github, scan_sarif, scan_text
from kerasdoctor.scan import outcome
from kerasdoctor.scan.diagnostics import Applicability, FileState, ScannedFile, Verdict

DATA = Path(__file__).resolve().parents[1] / "data"

BN_FAILS = location("train.py", 3, 1, length=58)
NB_CHAIN = location("notebooks/course.ipynb", 2, 5, cell=4, length=33)
PRIVATE = location("models/net.py", 1, 1, length=55)
LONG_LINE = (
    "from tensorflow.python.keras.layers.normalization.batch_normalization_v2 "
    "import BatchNormalization as TFBatchNormalizationWithAVeryLongAlias"
)

REPORT = scan_report(
    (
        diagnostic(
            "KD501",
            BN_FAILS,
            "from keras.layers.normalization import BatchNormalization",
            "No module named 'keras.layers.normalization'",
            fix=code_fix("from keras.layers import BatchNormalization", BN_FAILS),
        ),
        diagnostic(
            "KD502",
            NB_CHAIN,
            "keras.layers.CuDNNLSTM",
            "module 'keras.layers' has no attribute 'CuDNNLSTM'",
            fix=code_fix(
                "keras.layers.LSTM",
                NB_CHAIN,
                applicability=Applicability.UNSAFE,
                note="LSTM picks the cuDNN kernel itself on a GPU",
            ),
        ),
        diagnostic(
            "KD503",
            PRIVATE,
            "from tensorflow.python.keras.layers import Dense",
            "works only through the private path tensorflow.python.keras",
            fix=code_fix("from tensorflow.keras.layers import Dense", PRIVATE),
        ),
    ),
    files=(
        ScannedFile("models/net.py", FileState.OK),
        ScannedFile("notebooks/course.ipynb", FileState.OK),
        ScannedFile("train.py", FileState.OK),
        ScannedFile("old/py2.py", FileState.UNPARSABLE, "Python 2 code: line 4: print x"),
        ScannedFile("data/latin.py", FileState.UNDECODABLE, "not UTF-8 and no coding cookie"),
    ),
)

EXPECTED_TEXT = """\
models/net.py:1:1: KD503 works only through the private path tensorflow.python.keras
    fix (safe): from tensorflow.keras.layers import Dense

notebooks/course.ipynb:cell 4:2:5: KD502 module 'keras.layers' has no attribute 'CuDNNLSTM'
    fix (unsafe): keras.layers.LSTM
    LSTM picks the cuDNN kernel itself on a GPU

train.py:3:1: KD501 No module named 'keras.layers.normalization'
    fix (safe): from keras.layers import BatchNormalization

Files not scanned:
  old/py2.py: unparsable: Python 2 code: line 4: print x
  data/latin.py: undecodable: not UTF-8 and no coding cookie

2 errors, 1 warning in 3 files (2 files skipped)
"""


def test_every_scan_format_has_a_module_with_render() -> None:
    assert {f.value for f in ScanFormat} == {"text", "json", "github", "sarif"}
    for fmt in ScanFormat:
        module = importlib.import_module(fmt.module)
        assert callable(module.render), fmt
        text = render_scan(REPORT, fmt, width=60)
        assert text.endswith("\n"), fmt
        assert "\x1b[" not in text, fmt


def test_text_exact_at_fixed_width() -> None:
    assert scan_text.render(REPORT, width=100) == EXPECTED_TEXT


def test_text_never_wraps_a_long_line_at_width_60() -> None:
    where = location("a.py", 7, 1, length=len(LONG_LINE))
    report = scan_report(
        (
            diagnostic(
                "KD503",
                where,
                LONG_LINE,
                "works only through the private path tensorflow.python.keras (long message "
                "that runs well past sixty columns)",
                fix=code_fix(LONG_LINE.replace("python.keras.layers.normalization.", ""), where),
            ),
        )
    )
    text = scan_text.render(report, width=60)
    lines = text.splitlines()
    fix_line = f"    fix (safe): {LONG_LINE.replace('python.keras.layers.normalization.', '')}"
    assert fix_line in lines
    assert any(
        line.startswith("a.py:7:1: KD503 works only") and "columns)" in line for line in lines
    )
    assert max(len(line) for line in lines) > 60


def test_text_colour_only_when_asked_and_content_unchanged() -> None:
    coloured = scan_text.render(REPORT, color=True)
    assert "\x1b[31m" in coloured  # errors in red
    assert "\x1b[33m" in coloured  # warnings in yellow
    import re

    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == EXPECTED_TEXT


def test_text_summary_says_when_strict_is_why_it_fails() -> None:
    warning_only = scan_report(
        (diagnostic("KD503", PRIVATE, "from tensorflow.python.keras import layers", "private"),)
    )
    plain = scan_text.render(warning_only).splitlines()[-1]
    strict = scan_text.render(warning_only, strict=True).splitlines()[-1]
    assert plain == "0 errors, 1 warning in 1 file (0 files skipped)"
    assert strict == plain + "; failing because --strict counts warnings"
    # With an error the run fails anyway: --strict is not the reason, so it is not named.
    assert "--strict" not in scan_text.render(REPORT, strict=True)


def test_text_counts_notes_and_an_empty_scan() -> None:
    star = location("s.py", 1, 1, length=24)
    notes = scan_report((diagnostic("KD507", star, "from keras.layers import *", "star import"),))
    assert scan_text.render(notes).splitlines()[-1] == (
        "0 errors, 0 warnings, 1 note in 1 file (0 files skipped)"
    )
    empty = scan_report((), files=(ScannedFile("x.py", FileState.OK),))
    assert scan_text.render(empty) == "0 errors, 0 warnings in 1 file (0 files skipped)\n"


@pytest.mark.parametrize(
    ("errors", "warnings", "strict", "exit_zero", "expected"),
    [
        (0, 0, False, False, 0),
        (0, 1, False, False, 0),
        (0, 1, True, False, 1),
        (1, 0, False, False, 1),
        (1, 1, True, True, 0),
    ],
)
def test_exit_code(
    errors: int, warnings: int, strict: bool, exit_zero: bool, expected: int
) -> None:
    diags = tuple(
        diagnostic("KD501", location(line=i + 1), "import keras", "No module named 'keras'")
        for i in range(errors)
    ) + tuple(
        diagnostic("KD503", location(line=10 + i), "import keras.engine", "private")
        for i in range(warnings)
    )
    report = scan_report(diags)
    assert outcome.exit_code(report, strict=strict, exit_zero=exit_zero) == expected


# --- json -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scan_validator() -> Any:
    text = resources.files("kerasdoctor.schema").joinpath("scan.schema.json").read_text("utf-8")
    schema = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _errors(validator: Any, document: Any) -> list[str]:
    return [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(document)]


def test_json_document_matches_its_schema(scan_validator: Any) -> None:
    document = json.loads(render_scan(REPORT, ScanFormat.JSON))
    assert _errors(scan_validator, document) == []
    assert document["schema_version"] == 1
    assert document["summary"] == {
        "errors": 2,
        "warnings": 1,
        "infos": 0,
        "files": 5,
        "files_read": 3,
        "files_skipped": 2,
        "strict": False,
        "failed": True,
    }
    assert document["target"]["python"] == REPORT.target.python
    assert [f["status"] for f in document["files"]] == [
        "ok",
        "ok",
        "ok",
        "unparsable",
        "undecodable",
    ]
    chain = document["diagnostics"][1]
    assert chain == {
        "code": "KD502",
        "name": "attribute-fails",
        "severity": "error",
        "path": "notebooks/course.ipynb",
        "cell": 4,
        "line": 2,
        "column": 5,
        "end_line": 2,
        "end_column": 38,
        "statement": "keras.layers.CuDNNLSTM",
        "message": "module 'keras.layers' has no attribute 'CuDNNLSTM'",
        "fix": {
            "applicability": "unsafe",
            "replacement": "keras.layers.LSTM",
            "resolves_to": None,
            "edits": [
                {
                    "line": 2,
                    "column": 5,
                    "end_line": 2,
                    "end_column": 38,
                    "new_text": "keras.layers.LSTM",
                }
            ],
            "note": "LSTM picks the cuDNN kernel itself on a GPU",
        },
        "targets": [],
    }
    assert document["diagnostics"][0]["cell"] is None


def test_json_verdicts_carry_their_probe(scan_validator: Any) -> None:
    probe = failed(line("keras.layers.normalization"), "No module named 'keras'")
    report = dataclasses.replace(
        REPORT, verdicts=(Verdict("from", probe.candidate.import_line, probe),)
    )
    document = json.loads(render_scan(report, ScanFormat.JSON))
    assert _errors(scan_validator, document) == []
    (verdict,) = document["verdicts"]
    assert verdict["kind"] == "from"
    assert verdict["probe"]["status"] == "import-error"
    assert verdict["probe"]["error"]["message"] == "No module named 'keras'"
    # scan probes run statements of every kind, not only from-imports as check's do
    verdict["kind"], verdict["text"] = "chain", "import keras; keras.layers.CuDNNLSTM"
    verdict["probe"]["import_line"] = verdict["text"]
    assert _errors(scan_validator, document) == []
    verdict["kind"] = "guess"
    assert _errors(scan_validator, document)


def test_json_schema_rejects_what_the_contract_forbids(scan_validator: Any) -> None:
    document = json.loads(render_scan(REPORT, ScanFormat.JSON))
    broken = json.loads(json.dumps(document))
    broken["diagnostics"][0]["line"] = 0  # lines are 1-based
    assert _errors(scan_validator, broken)
    broken = json.loads(json.dumps(document))
    broken["files"][0]["status"] = "maybe"
    assert _errors(scan_validator, broken)
    broken = json.loads(json.dumps(document))
    broken["diagnostics"][0]["fix"]["applicability"] = "sometimes"
    assert _errors(scan_validator, broken)


# --- github ---------------------------------------------------------------------------------


def test_github_annotations_exact() -> None:
    lines = scan_github.render(REPORT).splitlines()
    assert lines == [
        "::error file=train.py,line=3,col=1,endLine=3,endColumn=59,title=KD501 import-fails"
        "::No module named 'keras.layers.normalization'"
        "%0Afix (safe): from keras.layers import BatchNormalization",
        "::error file=notebooks/course.ipynb,line=1,title=KD502 attribute-fails"
        "::cell 4:2:5: module 'keras.layers' has no attribute 'CuDNNLSTM'"
        "%0Afix (unsafe): keras.layers.LSTM",
        "::warning file=models/net.py,line=1,col=1,endLine=1,endColumn=56,"
        "title=KD503 private-import"
        "::works only through the private path tensorflow.python.keras"
        "%0Afix (safe): from tensorflow.keras.layers import Dense",
        "::warning file=old/py2.py,title=file not scanned"
        "::unparsable: Python 2 code: line 4: print x",
        "::warning file=data/latin.py,title=file not scanned"
        "::undecodable: not UTF-8 and no coding cookie",
        "2 errors, 1 warning in 3 files (2 files skipped)",
    ]


def test_github_escapes_data_and_properties() -> None:
    assert scan_github.escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert scan_github.escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"
    where = location("odd,name:x%.py", 2, 1)
    report = scan_report(
        (diagnostic("KD501", where, "import keras", "line one\nline two, 100%: done"),)
    )
    first = scan_github.render(report).splitlines()[0]
    assert first == (
        "::error file=odd%2Cname%3Ax%25.py,line=2,col=1,endLine=2,endColumn=11,"
        "title=KD501 import-fails::line one%0Aline two, 100%25: done"
    )


def test_github_maps_info_to_notice() -> None:
    where = location("s.py", 1, 1)
    report = scan_report((diagnostic("KD507", where, "from keras import *", "star import"),))
    assert scan_github.render(report).startswith("::notice file=s.py,")


# --- sarif ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_validator() -> Any:
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text("utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def test_sarif_validates_against_the_published_schema(sarif_validator: Any) -> None:
    log = json.loads(render_scan(REPORT, ScanFormat.SARIF))
    assert _errors(sarif_validator, log) == []
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "kerasdoctor"
    assert "informationUri" not in driver
    scan_codes = [c.code for c in codes.judged_by(codes.Judge.SCAN)]
    assert [r["id"] for r in driver["rules"]] == scan_codes
    assert all("helpUri" not in r for r in driver["rules"])
    assert "docs/codes/KD501.md" in driver["rules"][0]["help"]["text"]
    levels = [r["level"] for r in run["results"]]
    assert levels == ["error", "error", "warning"]
    first = run["results"][0]
    assert first["ruleId"] == "KD501"
    assert driver["rules"][first["ruleIndex"]]["id"] == "KD501"
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "train.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 3, "startColumn": 1, "endLine": 3, "endColumn": 59},
    }
    replacement = first["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert replacement["insertedContent"]["text"] == "from keras.layers import BatchNormalization"
    notebook = run["results"][1]
    assert notebook["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    assert notebook["message"]["text"].startswith("cell 4:2:5: ")
    assert "fixes" not in notebook  # SARIF cannot address a cell's lines
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file:///work/project/"
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["message"]["text"].split(":")[0] for n in notes] == ["old/py2.py", "data/latin.py"]


def test_sarif_schema_catches_a_broken_log(sarif_validator: Any) -> None:
    # The vendored schema really constrains: a result without a message is invalid.
    log = scan_sarif.report_to_dict(REPORT)
    del log["runs"][0]["results"][0]["message"]
    assert _errors(sarif_validator, log)


def test_sarif_uri_is_percent_encoded(sarif_validator: Any) -> None:
    where = location("my notebooks/ü.py", 1, 1)
    report = scan_report((diagnostic("KD501", where, "import keras", "No module named 'keras'"),))
    log = scan_sarif.report_to_dict(report)
    artifact = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert artifact["artifactLocation"]["uri"] == "my%20notebooks/%C3%BC.py"
    assert _errors(sarif_validator, log) == []


def test_sarif_levels_follow_severity() -> None:
    where = location("s.py")
    report = scan_report(
        (
            diagnostic("KD507", where, "from keras import *", "star"),
            diagnostic("KD504", where, "import keras", "mixed", severity=Severity.ERROR),
        )
    )
    results = scan_sarif.report_to_dict(report)["runs"][0]["results"]
    assert [r["level"] for r in results] == ["note", "error"]


# --- hostile names and messages ---------------------------------------------------------------

ODD_PATH = "weird\x1b[2J\udcff.py"  # an escape sequence and an undecodable byte in a file name


def _odd_report() -> Any:
    where = location(ODD_PATH, 2, 1)
    return scan_report(
        (
            diagnostic(
                "KD501",
                where,
                "import keras",
                "ImportError: first line\n  second line\x07\r",
                fix=code_fix("import tensorflow.keras as keras", where),
            ),
        ),
        files=(
            ScannedFile(ODD_PATH, FileState.OK),
            ScannedFile("bad\nname.py", FileState.UNDECODABLE, "byte 0xff\x1b[31m"),
        ),
    )


def test_text_escapes_controls_and_prints_on_any_stdout() -> None:
    text = scan_text.render(_odd_report())
    text.encode("ascii")  # no lone surrogate, nothing a strict stdout cannot print
    assert "\x1b" not in text
    assert "\x07" not in text
    assert "\r" not in text
    lines = text.splitlines()
    assert lines[0] == "weird\\x1b[2J\\udcff.py:2:1: KD501 ImportError: first line"
    assert lines[1] == "      second line\\x07\\x0d"  # the message's own next line, indented
    assert "  bad\\x0aname.py: undecodable: byte 0xff\\x1b[31m" in lines


def test_github_and_sarif_survive_undecodable_names(sarif_validator: Any) -> None:
    report = _odd_report()
    github = scan_github.render(report)
    github.encode("utf-8")
    first = github.splitlines()[0]
    assert first.startswith("::error file=weird\x1b[2J\\udcff.py,line=2,")
    assert first.endswith(
        "::ImportError: first line%0A  second line\x07%0D%0Afix (safe): "
        "import tensorflow.keras as keras"
    )
    log = scan_sarif.report_to_dict(report)
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri["uri"] == "weird%1B%5B2J%FF.py"
    assert _errors(sarif_validator, log) == []
