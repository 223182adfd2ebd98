"""The command line: exit codes, one-line errors, JSON on stdout only, project settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kerasdoctor import __version__
from kerasdoctor.cli import run


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("kerasdoctor: error: "), err
    assert "Traceback" not in err
    return lines[0]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--version")
    assert code == 0
    assert out.strip() == f"kerasdoctor, version {__version__}"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("check", "os.system('x')"), "invalid symbol"),
        (("check", ""), "empty symbol"),
        (("suggest", "a;b"), "invalid symbol"),
        (("check", "--python", "/nonexistent/python"), "no such file or folder"),
        (("check", "--timeout", "0"), "--timeout must be a positive number"),
        (("check", "--timeout", "-3"), "--timeout must be a positive number"),
        (("check", "--timeout", "abc"), "is not a valid float"),
        (("check", "--prefer", "pytorch"), "--prefer"),
        (("check", "--no-such-option"), "No such option"),
        (("check", "--ignore", "KD1"), "invalid finding code"),
        (("explain", "KD999"), "unknown finding code KD999"),
        (("explain", "hello"), "invalid finding code"),
        (("frobnicate",), "No such command"),
        (
            ("check", "import keras.layers.BatchNormalization as BN"),
            "'import' takes a module, and BatchNormalization is a name inside keras.layers; "
            "ask about 'from keras.layers import BatchNormalization' instead",
        ),
        (("suggest", "import keras"), "imports a module, and kerasdoctor checks a symbol"),
        (("check", "from keras.layers import *"), "name each symbol"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], expected: str
) -> None:
    code, out, err = _run(capsys, *args)
    assert code == 2
    assert out == ""
    assert expected in _one_error_line(err)


def test_folder_without_interpreter_is_a_target_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = _run(capsys, "check", "--python", str(tmp_path))
    assert code == 2
    assert out == ""
    assert "is a folder with no Python interpreter in it" in _one_error_line(err)


def test_not_a_python_is_a_target_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'I am not Python'\nexit 0\n")
    fake.chmod(0o700)
    code, out, err = _run(capsys, "check", "--python", str(fake))
    assert code == 2
    assert out == ""
    assert "is not a Python interpreter kerasdoctor can inspect" in _one_error_line(err)


def test_unknown_symbol_suggests_close_matches(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "check", "BatchNormalisation", "--python", sys.executable)
    assert code == 2
    line = _one_error_line(err)
    assert "did you mean BatchNormalization" in line  # the closest match comes first


@pytest.mark.keras_free
def test_json_is_the_only_thing_on_stdout_and_valid(
    capsys: pytest.CaptureFixture[str],
    validate_report: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    # The test interpreter has no Keras at all: every line fails, exit 1, KD001.
    code, out, _ = _run(capsys, "check", "--json", "--python", sys.executable)
    assert code == 1
    document = json.loads(out)
    validate_report(document)
    assert document["suggestions"][0]["import_line"] is None
    assert [f["code"] for f in document["findings"]][:1] == ["KD001"]
    assert all(p["status"] != "ok" for p in document["probes"])
    assert document["target"]["python"] == sys.executable
    assert document["target"]["chosen_by"] == "--python"


def test_project_settings_unknown_key_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.kerasdoctor]\nignroe = ['KD001']\n")
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, "check", "--python", sys.executable)
    assert code == 2
    assert "unknown key(s) in [tool.kerasdoctor]: ignroe" in _one_error_line(err)


@pytest.mark.keras_free
def test_project_settings_ignore_silences_a_code(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.kerasdoctor]\nignore = ['KD001']\n")
    monkeypatch.chdir(tmp_path)
    code, out, _ = _run(capsys, "suggest", "--json", "--python", sys.executable)
    document = json.loads(out)
    assert code == 1  # ignoring a finding does not make a missing line appear
    assert "KD001" not in {f["code"] for f in document["findings"]}


def test_default_target_prefers_virtual_env(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    venv = Path(sys.prefix)
    monkeypatch.setenv("VIRTUAL_ENV", str(venv))
    monkeypatch.setenv("CONDA_PREFIX", "/nonexistent-conda")
    monkeypatch.chdir(tmp_path)
    _, out, _ = _run(capsys, "check", "--json", "--no-use-check")
    target = json.loads(out)["target"]
    assert target["chosen_by"] == "$VIRTUAL_ENV"
    assert Path(target["python"]).samefile(venv / "bin" / "python")


@pytest.mark.keras_free
def test_piped_output_has_no_colour_codes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _, out, _ = _run(capsys, "check", "--python", sys.executable)
    assert "\x1b[" not in out
    assert "BatchNormalization" in out
    assert "✗ No working line for BatchNormalization" in out


def test_bare_command_shows_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys)
    assert code == 0
    assert err == ""
    assert out.startswith("Usage: kerasdoctor [OPTIONS] COMMAND [ARGS]...")
    assert "Commands:" in out
    assert out.count("\n") > 5  # the help as written, not squashed into one error line


@pytest.mark.parametrize("columns", ["60", "80", "120"])
def test_help_lists_each_command_summary_whole(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, columns: str
) -> None:
    from kerasdoctor.cli import COMMANDS, cli, summary

    monkeypatch.setenv("COLUMNS", columns)
    code, out, _ = _run(capsys, "--help")
    assert code == 0
    flat = " ".join(out.split())
    ctx = cli.make_context("kerasdoctor", [], resilient_parsing=True)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None
        text = summary(command)
        assert not text.endswith("..."), text
        assert f"{name} {text}" in flat  # never cut, wherever the terminal wraps it


def test_version_imports_no_command_module() -> None:
    # `kerasdoctor --version` and shell completion must stay fast: the command modules,
    # and with them rich, the rules and the catalogue, load only when a command runs.
    code = (
        "import sys\n"
        "from kerasdoctor.cli import run\n"
        "assert run(['--version']) == 0\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    loaded = set(done.stdout.split())
    assert "kerasdoctor.cli" in loaded
    heavy = {
        "rich",
        "kerasdoctor.api",
        "kerasdoctor.catalogue",
        "kerasdoctor.diagnose.rules",
        "kerasdoctor.cli.check",
        "kerasdoctor.render.table",
    }
    assert loaded.isdisjoint(heavy), sorted(loaded & heavy)


def test_check_imports_no_scan_or_fix_code(tmp_path: Path) -> None:
    # A cached `check` is mostly start-up: the scan and fix code (tokenizers, notebook JSON,
    # writers) is a third of the import time and has nothing to do with one symbol.
    code = (
        "import sys\n"
        "from kerasdoctor.cli import run\n"
        f"run(['check', '--python', {sys.executable!r}, '--json', '--timeout', '30'])\n"
        "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    # Twice: the first run probes and stores, the second is served from the cache.
    environ = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    project = tmp_path / "project"
    project.mkdir()
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=project,
            env=environ,
            check=False,
        )
        loaded = set(done.stderr.split())
        assert "kerasdoctor.api" in loaded, done.stderr[-2000:]  # the command did run
        scan_or_fix = sorted(
            m
            for m in loaded
            if m.startswith(("kerasdoctor.scan", "kerasdoctor.fix", "kerasdoctor.pipeline_"))
        )
        assert scan_or_fix == []
    assert '"from_cache": true' in done.stdout


def test_project_prefer_unknown_family_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.kerasdoctor]\nprefer = 'pytorch'\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(capsys, "check", "--python", sys.executable)
    assert code == 2
    assert out == ""
    line = _one_error_line(err)
    assert "unknown family 'pytorch'" in line
    assert "tensorflow, keras, tf_keras, keras_core" in line


def test_version_imports_neither_click_nor_the_command_line() -> None:
    # --version is what editor integrations and hooks run in a loop: it pays only for Python.
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "kerasdoctor", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == f"kerasdoctor, version {__version__}\n"
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert "kerasdoctor" in imported  # the measurement did list our own imports
    assert not {m for m in imported if m == "click" or m.startswith("kerasdoctor.cli")}


@pytest.mark.keras_free
def test_the_shell_option_reaches_the_json(
    capsys: pytest.CaptureFixture[str],
    validate_report: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    # The test interpreter has no Keras: KD001 proposes an install, here written for cmd.
    code = run(["check", "--json", "--shell", "cmd", "--python", sys.executable])
    out, _ = capsys.readouterr()
    assert code == 1
    document = json.loads(out)
    validate_report(document)
    commands = [c for f in document["findings"] for c in f["fix_commands"]]
    assert commands, document["findings"]
    assert {c["shell"] for c in commands} == {"cmd"}
    for finding in document["findings"]:
        assert [c["command"] for c in finding["fix_commands"]] == finding["fix"]


def test_an_unknown_shell_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["suggest", "--shell", "fish", "Dense"])
    _, err = capsys.readouterr()
    assert code == 2
    assert err.count("\n") == 1 and "--shell" in err and "Traceback" not in err
