"""Choosing the target interpreter: --python forms, stale activations, and the tool-install default.

The interpreters here are real (links to the interpreter running the tests); the "tool
environments" are folders holding the marker file pipx or uv writes, which is all
:func:`tool_installer` reads. tests/integration/test_tool_install.py installs kerasdoctor with
the real tools and checks the whole path.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kerasdoctor.errors import TargetError
from kerasdoctor.interpreter.discover import Runner, choose_interpreter, tool_installer


def _link(folder: Path, name: str, to: str | Path = sys.executable) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / name
    link.symlink_to(to)
    return link


def _tool_env(root: Path, marker: str = "pipx_metadata.json") -> Runner:
    """A folder laid out as pipx/uv leave a tool's environment, with their marker file."""
    root.mkdir(parents=True)
    (root / marker).write_text("{}\n")
    python = _link(root / "bin", "python")
    _link(root / "bin", "python3", "python")
    return Runner(str(python), str(root), in_venv=True)


@pytest.fixture(autouse=True)
def _empty_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A bare --python name is first tried as a path: keep the working directory empty.
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)


def test_bare_command_is_looked_up_on_path(tmp_path: Path) -> None:
    python = _link(tmp_path / "userbin", "python3")
    chosen = choose_interpreter("python3", {"PATH": f"{tmp_path / 'empty'}:{python.parent}"})
    assert chosen.python == str(python)
    assert chosen.chosen_by == "--python"


def test_bare_command_not_on_path_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TargetError, match=r"'python3\.99': no such file or folder, and no command"):
        choose_interpreter("python3.99", {"PATH": str(tmp_path)})


def test_folder_in_working_directory_wins_over_path(tmp_path: Path) -> None:
    here = _link(Path.cwd() / "python3" / "bin", "python")
    elsewhere = _link(tmp_path / "userbin", "python3")
    chosen = choose_interpreter("python3", {"PATH": str(elsewhere.parent)})
    assert chosen.python == str(here)


def test_bin_folder_of_a_venv_is_accepted() -> None:
    # The test venv itself: `--python .venv/bin` names the folder that holds its python.
    bin_folder = Path(sys.prefix) / "bin"
    chosen = choose_interpreter(str(bin_folder), {})
    assert chosen.python == str(bin_folder / "python")
    assert chosen.chosen_by == "--python"


def test_folder_without_interpreter_lists_what_was_looked_for(tmp_path: Path) -> None:
    with pytest.raises(TargetError, match=r"no Python interpreter in it \(looked for bin/python"):
        choose_interpreter(str(tmp_path), {})


@pytest.mark.parametrize("variable", ["VIRTUAL_ENV", "CONDA_PREFIX"])
def test_stale_activation_is_an_error_not_a_fallback(variable: str, tmp_path: Path) -> None:
    missing = tmp_path / "deleted-venv"
    with pytest.raises(TargetError) as raised:
        choose_interpreter(None, {variable: str(missing)})
    message = str(raised.value)
    assert message.startswith(f"${variable} is '{missing}', which is not a folder")
    assert "--python" in message
    assert "\n" not in message


def test_activation_without_interpreter_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    with pytest.raises(TargetError, match=r"^\$VIRTUAL_ENV '.*' is a folder with no Python"):
        choose_interpreter(None, {"VIRTUAL_ENV": str(tmp_path)})


def test_stale_virtual_env_exits_2_with_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "CONDA_PREFIX")}
    env["VIRTUAL_ENV"] = str(tmp_path / "nonexistent")
    run = subprocess.run(
        [sys.executable, "-m", "kerasdoctor", "check"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert "$VIRTUAL_ENV" in lines[0]
    assert str(tmp_path / "nonexistent") in lines[0]


def test_active_venv_wins_over_the_tool_default(tmp_path: Path) -> None:
    runner = _tool_env(tmp_path / "tool")
    venv_python = _link(tmp_path / "venv" / "bin", "python")
    chosen = choose_interpreter(None, {"VIRTUAL_ENV": str(tmp_path / "venv")}, runner)
    assert (chosen.python, chosen.chosen_by) == (str(venv_python), "$VIRTUAL_ENV")


@pytest.mark.parametrize(
    ("marker", "tool"), [("pipx_metadata.json", "pipx"), ("uv-receipt.toml", "uv tool")]
)
def test_tool_environment_is_recognised_by_its_marker(
    marker: str, tool: str, tmp_path: Path
) -> None:
    runner = _tool_env(tmp_path / "tool", marker)
    assert tool_installer(runner) == tool


def test_plain_environment_is_not_a_tool_environment(tmp_path: Path) -> None:
    assert tool_installer(Runner.current()) is None  # the test venv: no marker
    # A marker outside a venv means nothing (a stray file in a system prefix).
    root = tmp_path / "system"
    root.mkdir()
    (root / "pipx_metadata.json").write_text("{}\n")
    assert tool_installer(Runner(sys.executable, str(root), in_venv=False)) is None


def test_running_interpreter_stays_the_default_outside_a_tool(tmp_path: Path) -> None:
    user_python = _link(tmp_path / "userbin", "python3")
    runner = Runner(sys.executable, sys.prefix, in_venv=True)
    chosen = choose_interpreter(None, {"PATH": str(user_python.parent)}, runner)
    assert (chosen.python, chosen.chosen_by) == (sys.executable, "running interpreter")


def test_tool_install_diagnoses_first_python3_on_path_after_its_own(tmp_path: Path) -> None:
    runner = _tool_env(tmp_path / "tool")
    only_python = _link(tmp_path / "a", "python")  # python3 is preferred, wherever it is
    user_python3 = _link(tmp_path / "b", "python3")
    # `uv tool run` puts the tool's own bin folder first: it is stepped over.
    path = os.pathsep.join(
        str(p) for p in (tmp_path / "tool" / "bin", only_python.parent, user_python3.parent)
    )
    chosen = choose_interpreter(None, {"PATH": path}, runner)
    assert (chosen.python, chosen.chosen_by) == (str(user_python3), "$PATH")


def test_tool_install_falls_back_to_python(tmp_path: Path) -> None:
    runner = _tool_env(tmp_path / "tool")
    only_python = _link(tmp_path / "a", "python")
    chosen = choose_interpreter(None, {"PATH": str(only_python.parent)}, runner)
    assert (chosen.python, chosen.chosen_by) == (str(only_python), "$PATH")


def test_link_into_the_tool_environment_is_stepped_over(tmp_path: Path) -> None:
    runner = _tool_env(tmp_path / "tool")
    # e.g. ~/.local/bin/python3 -> the tool's own python: still kerasdoctor's interpreter.
    link = _link(tmp_path / "local", "python3", tmp_path / "tool" / "bin" / "python")
    with pytest.raises(TargetError) as raised:
        choose_interpreter(None, {"PATH": str(link.parent)}, runner)
    message = str(raised.value)
    assert message.startswith("kerasdoctor runs from its own pipx environment")
    assert f"is that environment's ({link})" in message
    assert "\n" not in message


def test_tool_install_with_no_python_on_path_says_so(tmp_path: Path) -> None:
    runner = _tool_env(tmp_path / "tool", "uv-receipt.toml")
    with pytest.raises(TargetError) as raised:
        choose_interpreter(None, {"PATH": str(tmp_path / "empty")}, runner)
    assert str(raised.value).startswith(
        "kerasdoctor runs from its own uv tool environment and there is no python3 or python "
        "on PATH to diagnose: pass --python"
    )


def test_explicit_command_skips_the_tool_environment(tmp_path: Path) -> None:
    runner = _tool_env(tmp_path / "tool")
    user_python3 = _link(tmp_path / "b", "python3")
    path = f"{tmp_path / 'tool' / 'bin'}{os.pathsep}{user_python3.parent}"
    chosen = choose_interpreter("python3", {"PATH": path}, runner)
    assert (chosen.python, chosen.chosen_by) == (str(user_python3), "--python")
