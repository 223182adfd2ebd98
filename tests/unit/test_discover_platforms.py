"""Where interpreters live on Windows, tested on any machine through the ``platform`` argument.

The folders are real (laid out as ``python -m venv`` and conda lay them out on Windows); only
the platform's facts are chosen by the argument. The py launcher cannot be installed on this
machine: the wiring is tested with a small stand-in script that answers as ``py.exe`` does
(documented behaviour: ``py -3.11 -c CODE`` runs CODE in that Python; an unknown version
exits non-zero with a message), and for real on Windows runners, where ``py`` exists.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from kerasdoctor.errors import TargetError
from kerasdoctor.interpreter.discover import (
    Runner,
    choose_interpreter,
    folder_executables,
    launcher_answer,
    launcher_argv,
    launcher_tag,
    path_commands,
    separators,
)

pytestmark = pytest.mark.portable

WIN = "win32"


@pytest.fixture(autouse=True)
def _empty_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)


def _file(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"MZ")  # a Windows executable starts so; nothing here runs it
    return path


def _windows_venv(root: Path) -> Path:
    (root / "Lib" / "site-packages").mkdir(parents=True)
    (root / "pyvenv.cfg").write_text("home = C:\\Python311\n")
    _file(root / "Scripts" / "pip.exe")
    return _file(root / "Scripts" / "python.exe")


def _windows_conda_env(root: Path) -> Path:
    (root / "conda-meta").mkdir(parents=True)
    _file(root / "Scripts" / "pip.exe")  # entry points only: conda's python.exe is at the root
    return _file(root / "python.exe")


def test_the_linux_layouts_are_unchanged() -> None:
    assert folder_executables("linux") == (
        "bin/python",
        "bin/python3",
        "Scripts/python.exe",
        "python.exe",
        "python",
        "python3",
    )
    assert folder_executables("darwin") == folder_executables("linux")
    assert path_commands("linux") == ("python3", "python")
    assert separators("linux") == {"/"}


def test_windows_layouts() -> None:
    assert folder_executables(WIN)[:2] == ("Scripts/python.exe", "python.exe")
    assert path_commands(WIN) == ("python",)
    assert separators(WIN) == {"/", "\\"}
    # Cygwin's Python is a POSIX one.
    assert folder_executables("cygwin") == folder_executables("linux")


def test_a_windows_venv_folder_gives_scripts_python_exe(tmp_path: Path) -> None:
    python = _windows_venv(tmp_path / "venv")
    for given in (tmp_path / "venv", tmp_path / "venv" / "Scripts"):
        chosen = choose_interpreter(str(given), {}, platform=WIN)
        assert Path(chosen.python) == python.absolute(), given
    chosen = choose_interpreter(None, {"VIRTUAL_ENV": str(tmp_path / "venv")}, platform=WIN)
    assert (Path(chosen.python), chosen.chosen_by) == (python, "$VIRTUAL_ENV")


def test_a_windows_conda_env_gives_python_exe_at_its_root(tmp_path: Path) -> None:
    python = _windows_conda_env(tmp_path / "envs" / "tf")
    chosen = choose_interpreter(None, {"CONDA_PREFIX": str(tmp_path / "envs" / "tf")}, platform=WIN)
    assert (Path(chosen.python), chosen.chosen_by) == (python, "$CONDA_PREFIX")


@pytest.mark.skipif(sys.platform == "win32", reason="reads the Linux facts on Linux")
def test_execute_permission_is_a_posix_fact(tmp_path: Path) -> None:
    # The same folder: Windows runs any file; Linux refuses one without the execute bit.
    _windows_venv(tmp_path / "venv")
    assert choose_interpreter(str(tmp_path / "venv"), {}, platform=WIN).python.endswith(".exe")
    with pytest.raises(TargetError, match="is not executable"):
        choose_interpreter(str(tmp_path / "venv"), {}, platform="linux")


def test_a_windows_folder_without_python_says_where_it_looked(tmp_path: Path) -> None:
    _file(tmp_path / "env" / "bin" / "python")  # a POSIX layout is not a Windows one
    with pytest.raises(TargetError, match=r"looked for Scripts/python\.exe, python\.exe"):
        choose_interpreter(str(tmp_path / "env"), {}, platform=WIN)


@pytest.mark.skipif(sys.platform == "win32", reason="reads the Linux facts on Linux")
def test_a_backslash_path_is_a_path_on_windows_and_a_name_elsewhere(tmp_path: Path) -> None:
    text = "missing\\python.exe"
    with pytest.raises(TargetError, match=r"no such file or folder$"):
        choose_interpreter(text, {"PATH": str(tmp_path)}, platform=WIN)
    with pytest.raises(TargetError, match="no command of that name on PATH"):
        choose_interpreter(text, {"PATH": str(tmp_path)}, platform="linux")


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks to the interpreter: POSIX")
def test_the_tool_default_on_windows_looks_for_python_not_python3(tmp_path: Path) -> None:
    tool = tmp_path / "tool"
    tool.mkdir()
    (tool / "pipx_metadata.json").write_text("{}\n")
    runner = Runner(str(tool / "bin" / "python"), str(tool), in_venv=True)
    only3 = tmp_path / "only3"
    only3.mkdir()
    (only3 / "python3").symlink_to(sys.executable)
    with pytest.raises(TargetError, match="no python3 or python on PATH"):
        choose_interpreter(None, {"PATH": str(only3)}, runner, platform=WIN)
    assert choose_interpreter(None, {"PATH": str(only3)}, runner).python.endswith("python3")
    (only3 / "python").symlink_to(sys.executable)
    chosen = choose_interpreter(None, {"PATH": str(only3)}, runner, platform=WIN)
    assert Path(chosen.python).name == "python"


# -- the py launcher ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("py -3.11", "3.11"),
        ("py -3", "3"),
        ("py.exe -3.12-64", "3.12-64"),
        ("PY -3.13t", "3.13t"),
        ("py -3.10-arm64", "3.10-arm64"),
        ("py -V:3.11", "V:3.11"),
        ("py -V:Astral/CPython3.12", "V:Astral/CPython3.12"),
        ("  py   -3.9 ", "3.9"),
        ("py", None),
        ("py -2.7", None),
        ("python -3.11", None),
        ("py -3.11 -m pip", None),
        ("py3.11", None),
        ("py -3.11; rm -rf /", None),
    ],
)
def test_launcher_requests_are_recognised(text: str, tag: str | None) -> None:
    assert launcher_tag(text) == tag


def test_the_launcher_is_asked_for_its_interpreter_path() -> None:
    argv = launcher_argv("3.11")
    assert argv[:3] == ("py", "-3.11", "-c")
    assert "sys.executable" in argv[3]
    assert launcher_argv("V:3.11", "C:\\Windows\\py.exe")[:2] == ("C:\\Windows\\py.exe", "-V:3.11")


@pytest.mark.parametrize(
    ("stdout", "path"),
    [
        ("C:\\Users\\Ann\\AppData\\Local\\Programs\\Python\\Python311\\python.exe", "C:\\Users"),
        ("C:/Python311/python.exe\r\n", "C:/Python311"),
        ("/usr/bin/python3.11\n", "/usr/bin"),
        ("", None),
        ("Python 3.11.7", None),
        ("C:\\a\\python.exe\nC:\\b\\python.exe", None),
    ],
)
def test_the_launcher_answer_is_one_absolute_path(stdout: str, path: str | None) -> None:
    answer = launcher_answer(stdout)
    assert answer is None if path is None else (answer or "").startswith(path)


_STAND_IN = """#!/bin/sh
# Answers as py.exe does: py -3.11 -c CODE runs CODE in that Python; else exit 103.
if [ "$1" = "-{version}" ]; then shift; exec "{python}" "$@"; fi
echo "No suitable Python runtime found" >&2
exit 103
"""


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in is a POSIX shell script")
def test_a_launcher_request_runs_the_launcher_it_finds_on_path(tmp_path: Path) -> None:
    folder = tmp_path / "launcher"
    folder.mkdir()
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    script = folder / "py"
    script.write_text(_STAND_IN.format(version=version, python=sys.executable))
    script.chmod(0o755)
    environ = {"PATH": str(folder)}
    chosen = choose_interpreter(f"py -{version}", environ)
    assert Path(chosen.python).samefile(sys.executable)
    assert chosen.chosen_by == "--python"
    with pytest.raises(TargetError, match=r"no such Python \(No suitable Python runtime found\)"):
        choose_interpreter("py -3.1", environ)
    with pytest.raises(TargetError, match="no py launcher on PATH"):
        choose_interpreter(f"py -{version}", {"PATH": str(tmp_path / "empty")})


@pytest.mark.skipif(
    sys.platform != "win32" or shutil.which("py") is None, reason="needs Windows' py launcher"
)
def test_the_real_windows_launcher() -> None:  # pragma: no cover - runs on Windows CI only
    chosen = choose_interpreter("py -3", dict(os.environ))
    assert chosen.python.lower().endswith("python.exe")
    assert Path(chosen.python).is_file()
