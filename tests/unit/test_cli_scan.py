"""``kerasdoctor scan`` at the CLI layer: options, config, exit codes, one-line errors.

The engine (:func:`kerasdoctor.api.scan`) is replaced by a function returning a built
report: what is tested here is the command's own work (merging options with
``[tool.kerasdoctor]``, refusing bad input before any probe, rendering, exit codes). The
engine's claims about real environments are tested against real environments elsewhere.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from helpers.factories import code_fix, diagnostic, location, scan_report
from kerasdoctor import api
from kerasdoctor.cli import run
from kerasdoctor.errors import UsageError
from kerasdoctor.scan.diagnostics import ScanReport

ERROR = diagnostic(
    "KD501",
    location("train.py", 3, 1, length=57),
    "from keras.layers.normalization import BatchNormalization",
    "No module named 'keras.layers.normalization'",
    fix=code_fix("from keras.layers import BatchNormalization", location("train.py", 3, 1)),
)
WARNING = diagnostic(
    "KD503",
    location("net.py", 1, 1, length=40),
    "from keras.engine import Layer",
    "works only through the private path keras.engine",
)


class FakeScan:
    """Stands in for the engine: records its arguments, returns a fixed report."""

    def __init__(self, report: ScanReport) -> None:
        self.report = report
        self.calls: list[dict[str, Any]] = []

    def __call__(self, paths: Any = (".",), **kwargs: Any) -> ScanReport:
        self.calls.append({"paths": tuple(paths), **kwargs})
        return self.report


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "train.py").write_text("import keras\n")
    (tmp_path / "net.py").write_text("import keras\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path


def _fake(monkeypatch: pytest.MonkeyPatch, *diags: Any) -> FakeScan:
    fake = FakeScan(scan_report(tuple(diags)))
    monkeypatch.setattr(api, "scan", fake)
    return fake


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(["scan", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("kerasdoctor: error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.usefixtures("project")
def test_error_diagnostic_exits_1_with_text_report(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _fake(monkeypatch, ERROR, WARNING)
    code, out, err = _run(capsys)
    assert code == 1
    assert err == ""
    assert "train.py:3:1: KD501 No module named 'keras.layers.normalization'" in out
    assert "    fix (safe): from keras.layers import BatchNormalization" in out
    assert out.splitlines()[-1] == "1 error, 1 warning in 2 files (0 files skipped)"
    assert "\x1b[" not in out  # piped: plain
    (call,) = fake.calls
    assert call["paths"] == (".",)
    assert call["use_cache"] is True
    assert call["settings"].timeout == api.DEFAULT_TIMEOUT


@pytest.mark.usefixtures("project")
@pytest.mark.parametrize(
    ("args", "expected"),
    [((), 0), (("--strict",), 1), (("--strict", "--exit-zero"), 0)],
)
def test_warnings_fail_only_with_strict(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    expected: int,
) -> None:
    _fake(monkeypatch, WARNING)
    code, out, _ = _run(capsys, *args)
    assert code == expected
    says_strict = out.splitlines()[-1].endswith("; failing because --strict counts warnings")
    assert says_strict == (args == ("--strict",))


@pytest.mark.usefixtures("project")
def test_exit_zero_reports_errors_but_exits_0(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake(monkeypatch, ERROR)
    code, out, _ = _run(capsys, "--exit-zero")
    assert code == 0
    assert "KD501" in out


@pytest.mark.usefixtures("project")
def test_clean_scan_exits_0(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake(monkeypatch)
    code, out, _ = _run(capsys, "train.py")
    assert code == 0
    assert out == "0 errors, 0 warnings in 0 files (0 files skipped)\n"


@pytest.mark.usefixtures("project")
@pytest.mark.parametrize("fmt", ["json", "github", "sarif"])
def test_machine_formats_are_all_of_stdout(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")  # never colours a machine format
    _fake(monkeypatch, ERROR)
    code, out, err = _run(capsys, "--format", fmt)
    assert code == 1
    assert err == ""
    assert "\x1b[" not in out
    if fmt == "github":
        assert out.startswith("::error file=train.py,line=3,col=1,")
    else:
        document = json.loads(out)
        assert ("runs" in document) == (fmt == "sarif")


@pytest.mark.usefixtures("project")
def test_colour_force_and_no_color(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake(monkeypatch, ERROR)
    monkeypatch.setenv("FORCE_COLOR", "1")
    _, forced, _ = _run(capsys)
    assert "\x1b[31m" in forced
    monkeypatch.setenv("NO_COLOR", "1")  # NO_COLOR wins over FORCE_COLOR
    _, plain, _ = _run(capsys)
    assert "\x1b[" not in plain


@pytest.mark.usefixtures("project")
def test_options_reach_the_engine(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _fake(monkeypatch)
    code, _, _ = _run(
        capsys,
        "train.py",
        "net.py",
        "--python",
        "/some/python",
        "--exclude",
        "build/*",
        "--exclude",
        "*.ipynb",
        "--select",
        "KD501,private-import",
        "--ignore",
        "kd507",
        "--no-cache",
        "--timeout",
        "30",
    )
    assert code == 0
    (call,) = fake.calls
    assert call["paths"] == ("train.py", "net.py")
    assert call["python"] == "/some/python"
    assert call["exclude"] == ("build/*", "*.ipynb")
    assert call["select"] == ("KD501", "KD503")
    assert call["ignore"] == ("KD507",)
    assert call["use_cache"] is False
    assert call["settings"].timeout == 30.0


def test_project_settings_include_exclude_ignore_strict(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, project: Path
) -> None:
    (project / "src").mkdir()
    (project / "notebooks").mkdir()
    (project / "pyproject.toml").write_text(
        "[tool.kerasdoctor]\n"
        "include = ['src', 'notebooks']\n"
        "exclude = ['notebooks/scratch/*']\n"
        "ignore = ['KD203', 'star-import']\n"  # KD203 is a check code: not passed to scan
        "strict = true\n"
        "timeout = 45\n"
    )
    sub = project / "src"
    monkeypatch.chdir(sub)  # settings come from the nearest pyproject above
    fake = _fake(monkeypatch, WARNING)
    code, out, _ = _run(capsys, "--exclude", "*_old.py")
    assert code == 1  # strict from the project
    assert "--strict" in out.splitlines()[-1]
    (call,) = fake.calls
    assert [Path(p).resolve() for p in call["paths"]] == [sub, project / "notebooks"]
    assert call["exclude"] == ("notebooks/scratch/*", "*_old.py")
    assert call["ignore"] == ("KD507",)
    assert call["settings"].timeout == 45.0
    # A PATH on the command line replaces include.
    _run(capsys, str(project / "train.py"))
    assert fake.calls[1]["paths"] == (str(project / "train.py"),)


@pytest.mark.usefixtures("project")
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("missing.py",), "missing.py: no such file or folder"),
        (("train.py", "nope/"), "nope/: no such file or folder"),
        (("--select", "KD5"), "invalid finding code"),
        (("--ignore", "KD599"), "unknown finding code KD599"),
        (("--select", "KD101"), "--select KD101: KD101 is not a scan code"),
        (("--ignore", "no-working-import"), "KD001 is not a scan code"),
        (("--format", "xml"), "'xml' is not one of"),
        (("--timeout", "0"), "--timeout must be a positive number"),
        (("--timeout", "nan"), "--timeout must be a positive number"),
        (("--timeout", "abc"), "is not a valid float"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    expected: str,
) -> None:
    fake = _fake(monkeypatch, ERROR)
    code, out, err = _run(capsys, *args)
    assert code == 2
    assert out == ""
    assert expected in _one_error_line(err)
    assert fake.calls == []  # refused before any probe


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("include = 'src'", "include must be a list of paths"),
        ("exclude = [1]", "exclude must be a list of globs"),
        ("exclude = ['']", "exclude must be a list of globs"),
        ("excludes = ['x']", "unknown key(s) in [tool.kerasdoctor]: excludes"),
    ],
)
def test_bad_project_settings_are_usage_errors(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    project: Path,
    table: str,
    expected: str,
) -> None:
    (project / "pyproject.toml").write_text(f"[tool.kerasdoctor]\n{table}\n")
    fake = _fake(monkeypatch)
    code, _, err = _run(capsys)
    assert code == 2
    assert expected in _one_error_line(err)
    assert fake.calls == []


@pytest.mark.usefixtures("project")
def test_engine_usage_error_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> ScanReport:
        raise UsageError("--python /x: no such file or folder")

    monkeypatch.setattr(api, "scan", refuse)
    code, out, err = _run(capsys)
    assert code == 2
    assert out == ""
    assert "--python /x: no such file or folder" in _one_error_line(err)


@pytest.mark.usefixtures("project")
def test_interrupt_exits_130_and_internal_error_exits_3(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> ScanReport:
        raise KeyboardInterrupt

    stopped: list[bool] = []
    # The real stop_probes closes the process-wide registry; record the call instead, so
    # that the tests after this one can still start probes in this process.
    monkeypatch.setattr(api, "stop_probes", lambda: stopped.append(True))
    monkeypatch.setattr(api, "scan", interrupted)
    code, _, err = _run(capsys)
    assert code == 130
    assert stopped == [True]
    assert "Traceback" not in err

    def broken(*args: Any, **kwargs: Any) -> ScanReport:
        raise RuntimeError("a bug")

    monkeypatch.setattr(api, "scan", broken)
    code, _, err = _run(capsys)
    assert code == 3
    assert "internal error" in err


def test_help_lists_scan(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["scan", "--help"])
    out, _ = capsys.readouterr()
    assert code == 0
    for option in ("--format", "--exclude", "--select", "--ignore", "--strict", "--exit-zero"):
        assert option in out
