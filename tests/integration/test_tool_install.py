"""Installed as an application (pipx, ``uv tool``), kerasdoctor diagnoses the user's python3.

These install kerasdoctor from this checkout for real, into a throwaway home, with no venv
active, as on a machine where ``pip install`` outside a venv is refused (PEP 668). The first
test runs the README's first command as written; both check which interpreter the installed
command diagnosed: the ``python3`` first on ``PATH`` (a real test environment), not
kerasdoctor's own private one.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from helpers.envs import get_env
from helpers.oracle import base_env

pytestmark = pytest.mark.realenv

REPO = Path(__file__).resolve().parents[2]
_DROP = (
    "VIRTUAL_ENV",
    "CONDA_PREFIX",
    "PIPX_HOME",
    "PIPX_BIN_DIR",
    "UV_TOOL_DIR",
    "UV_TOOL_BIN_DIR",
)


def _readme_first_command() -> str:
    text = (REPO / "README.md").read_text("utf-8")
    block = re.search(r"```bash\n(.*?)```", text, re.DOTALL)
    assert block is not None, "README.md has no bash block"
    return block.group(1).strip().splitlines()[0]


def _tools_folder(tmp_path: Path) -> Path:
    """A folder holding only pipx and uv: the test venv's bin also has a python3."""
    folder = tmp_path / "tools"
    folder.mkdir()
    for name in ("pipx", "uv"):
        found = Path(sys.executable).parent / name
        assert found.is_file(), f"{name} is a test dependency: pip install -e '.[test]'"
        (folder / name).symlink_to(found)
    return folder


def _user_env(tmp_path: Path, path: list[Path]) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in base_env(tmp_path / "keras-home").items() if k not in _DROP}
    # The real configuration folder keeps pip/uv pointed at this machine's package index; a
    # fresh home keeps the installs (and kerasdoctor's cache) out of the real one.
    env["XDG_CONFIG_HOME"] = os.environ.get("XDG_CONFIG_HOME", str(Path.home() / ".config"))
    env["HOME"] = str(home)
    env["XDG_CACHE_HOME"] = str(home / ".cache")
    env["XDG_DATA_HOME"] = str(home / ".local" / "share")
    env["PATH"] = os.pathsep.join([*(str(p) for p in path), "/usr/bin", "/bin"])
    env["NO_COLOR"] = "1"
    return env


def _run(command: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/sh", "-c", command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def _report(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    try:
        document: dict[str, Any] = json.loads(done.stdout)
    except ValueError as exc:
        raise AssertionError(f"not JSON ({exc}):\n{done.stdout[:2000]}\n{done.stderr}") from exc
    return document


def test_readme_first_command_diagnoses_python3_on_path(
    tmp_path: Path, validate_report: Any
) -> None:
    command = _readme_first_command()
    install, _, check = command.partition(" && ")
    # pipx when the user has it (here: yes), else pip: the README's one line for both cases.
    assert install == "(pipx install . || python3 -m pip install .)", command
    assert check == "kerasdoctor check", command
    env_bin = get_env("tf") / "bin"
    home_bin = tmp_path / "home" / ".local" / "bin"  # pipx's default place for commands
    env = _user_env(tmp_path, [home_bin, env_bin, _tools_folder(tmp_path)])
    # Not in the checkout's .venv or a build folder: a user's shell in the cloned repository.
    installed = _run(install, env, REPO)
    assert installed.returncode == 0, installed.stderr
    assert (home_bin / "kerasdoctor").exists()

    workdir = tmp_path / "project"
    workdir.mkdir()
    done = _run(f"{check} --json", env, workdir)
    document = _report(done)
    validate_report(document)
    target = document["target"]
    assert target["chosen_by"] == "$PATH"
    assert target["python"] == str(env_bin / "python3")
    assert Path(target["prefix"]).samefile(env_bin.parent)  # it ran there, not in pipx's venv
    assert done.returncode == 0, done.stderr  # TensorFlow's environment has a working line
    assert document["suggestions"][0]["import_line"] is not None


def test_uv_tool_install_and_uv_tool_run_diagnose_python3_on_path(
    tmp_path: Path, validate_report: Any
) -> None:
    env_bin = get_env("nokeras") / "bin"
    tool_bin = tmp_path / "home" / "bin"
    env = _user_env(tmp_path, [tool_bin, env_bin, _tools_folder(tmp_path)])
    env["UV_TOOL_DIR"] = str(tmp_path / "home" / "uv-tools")
    env["UV_TOOL_BIN_DIR"] = str(tool_bin)
    # The machine's wheel cache (asked with the real environment): the same packages, no
    # download.
    uv_cache = subprocess.run(
        [str(Path(sys.executable).parent / "uv"), "cache", "dir"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    env["UV_CACHE_DIR"] = uv_cache
    installed = _run(f"uv tool install {REPO}", env, tmp_path)
    assert installed.returncode == 0, installed.stderr

    # The installed command, and `uv tool run`, which puts the tool's own bin folder first on
    # PATH: its python3 is kerasdoctor's, and must be stepped over.
    for command in ("kerasdoctor check --json", "uv tool run kerasdoctor check --json"):
        done = _run(command, env, tmp_path)
        document = _report(done)
        validate_report(document)
        target = document["target"]
        assert (target["chosen_by"], target["python"]) == ("$PATH", str(env_bin / "python3"))
        assert Path(target["prefix"]).samefile(env_bin.parent), command
        assert done.returncode == 1, done.stderr  # no Keras there: no working line
