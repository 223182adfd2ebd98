"""Choose the interpreter to diagnose: ``--python``, the active environment, ``PATH``, or ourselves.

Order, as users expect from pip and pipdeptree: an explicit ``--python`` (an interpreter, a
venv/conda folder or its ``bin`` folder, or a command looked up on ``PATH``), then
``$VIRTUAL_ENV``, then ``$CONDA_PREFIX``. A variable that names a missing environment is an
error, like a bad ``--python``: falling back would diagnose some other interpreter and propose
fixes for it.

With none of those, the default depends on how kerasdoctor was installed. Installed into the
user's own environment, the interpreter running kerasdoctor is the one to diagnose. Installed
as an application (``pipx install``, ``uv tool install``), it runs from a private environment
that never has Keras; then the target is the ``python3`` (else ``python``) first on ``PATH``,
the one the user would run. Such an environment is recognised by the file its installer writes
into it (``pipx_metadata.json``, ``uv-receipt.toml``), not by guessing from its path. The report
says which interpreter was used and why (``chosen_by``).

Where interpreters live differs on Windows: a venv keeps ``Scripts\\python.exe``, a conda
environment keeps ``python.exe`` at its root, the command on ``PATH`` is ``python`` (a
``python3`` there is usually the Microsoft Store's installer alias), and folders are separated
by ``\\`` as well as ``/``. Those facts are pure functions of a ``platform`` argument
(``sys.platform`` by default), so that they are tested on every machine. ``--python "py -3.11"``
asks the py launcher (Windows' ``py.exe``, or the Python Launcher for Unix) which interpreter
it runs for that version.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kerasdoctor.errors import TargetError

# Inside a venv/conda folder, then inside the folder that holds the interpreter itself (so
# ``--python .venv/bin`` works as well as ``--python .venv``).
_POSIX_FOLDER_EXECUTABLES = (
    "bin/python",
    "bin/python3",
    "Scripts/python.exe",
    "python.exe",
    "python",
    "python3",
)
# A venv's interpreter is Scripts\python.exe; a conda environment's is python.exe at its root
# (its Scripts\ holds only entry points), which is also what `--python .venv\Scripts` finds;
# MSYS2's Pythons make venvs with bin\python.exe.
_WINDOWS_FOLDER_EXECUTABLES = ("Scripts/python.exe", "python.exe", "bin/python.exe")

# What the user would run: PEP 394 names ``python3`` as the portable command. Windows
# installers provide python.exe only; a python3.exe on PATH is usually the Store's alias,
# which opens the Store instead of running Python.
_POSIX_PATH_COMMANDS = ("python3", "python")
_WINDOWS_PATH_COMMANDS = ("python",)

#: ``py -3``, ``py -3.11``, ``py -3.11-64``, ``py -V:3.11``, ``py -V:Company/Tag``.
_LAUNCHER = re.compile(
    r"\s*py(?:\.exe)?\s+-(?P<tag>V:[^\s]+|3(?:\.\d+)?(?:t)?(?:-(?:32|64|arm64))?)\s*\Z",
    re.IGNORECASE,
)
#: What the launcher's interpreter prints: the executable it is.
_ASK_EXECUTABLE = "import sys; sys.stdout.write(sys.executable)"
LAUNCHER_TIMEOUT = 30.0

# The file each application installer writes into the environment it creates: pipx for
# ``pipx install`` and ``pipx run`` (its cached environments), uv for ``uv tool install``.
_TOOL_MARKERS = (("pipx_metadata.json", "pipx"), ("uv-receipt.toml", "uv tool"))

_PYTHON_HINT = "pass --python (an interpreter, a venv or conda folder, or a command on PATH)"


@dataclass(frozen=True)
class Interpreter:
    """An interpreter path and the reason it was chosen."""

    python: str
    chosen_by: str  # "--python", "$VIRTUAL_ENV", "$CONDA_PREFIX", "$PATH", "running interpreter"


@dataclass(frozen=True)
class Runner:
    """The interpreter running kerasdoctor, as far as choosing a default target needs it."""

    executable: str
    prefix: str
    in_venv: bool

    @classmethod
    def current(cls) -> Runner:
        return cls(sys.executable, sys.prefix, sys.prefix != sys.base_prefix)


def tool_installer(runner: Runner) -> str | None:
    """``"pipx"`` or ``"uv tool"`` when kerasdoctor runs from an environment made by that tool."""
    if not runner.in_venv:
        return None
    prefix = Path(runner.prefix)
    for marker, tool in _TOOL_MARKERS:
        if (prefix / marker).is_file():
            return tool
    return None


def is_windows(platform: str) -> bool:
    """Whether ``platform`` (a ``sys.platform`` value) is Windows' own (not Cygwin's)."""
    return platform == "win32"


def folder_executables(platform: str = sys.platform) -> tuple[str, ...]:
    """Where an interpreter sits in an environment folder, in the order they are tried."""
    return _WINDOWS_FOLDER_EXECUTABLES if is_windows(platform) else _POSIX_FOLDER_EXECUTABLES


def path_commands(platform: str = sys.platform) -> tuple[str, ...]:
    """The commands a user of ``platform`` runs Python with, looked up on ``PATH``."""
    return _WINDOWS_PATH_COMMANDS if is_windows(platform) else _POSIX_PATH_COMMANDS


def separators(platform: str = sys.platform) -> frozenset[str]:
    """The characters that separate folders in a path on ``platform``."""
    return frozenset("/\\") if is_windows(platform) else frozenset("/")


def launcher_tag(text: str) -> str | None:
    """The version tag of ``py -3.11`` (``"3.11"``; ``"V:3.11"`` for ``py -V:3.11``), or None."""
    found = _LAUNCHER.match(text)
    return None if found is None else found.group("tag")


def launcher_argv(tag: str, launcher: str = "py") -> tuple[str, ...]:
    """The command that makes the py launcher's interpreter for ``tag`` print its path."""
    return (launcher, f"-{tag}", "-c", _ASK_EXECUTABLE)


def launcher_answer(stdout: str) -> str | None:
    """The interpreter path the launcher's interpreter printed, or None if it is no path."""
    text = stdout.strip()
    if not text or "\n" in text:
        return None
    return text if (text.startswith("/") or re.match(r"[A-Za-z]:[\\/]", text)) else None


def _looked_for(platform: str) -> str:
    return ", ".join(folder_executables(platform))


def _in_folder(folder: Path, platform: str = sys.platform) -> Path | None:
    for rel in folder_executables(platform):
        candidate = folder / rel
        if candidate.is_file():
            return candidate
    return None


def _is_bare_command(text: str, platform: str = sys.platform) -> bool:
    found = separators(platform) | {os.sep} | ({os.altsep} if os.altsep else set())
    return not any(sep in text for sep in found) and not text.startswith("~")


def _from_launcher(text: str, tag: str, environ: Mapping[str, str]) -> Path:
    """The interpreter the py launcher runs for ``tag``, as that interpreter says."""
    launcher = shutil.which("py", path=os.pathsep.join(_path_entries(environ)))
    if launcher is None:
        raise TargetError(f"--python {text!r}: no py launcher on PATH")
    try:
        answer = subprocess.run(
            launcher_argv(tag, launcher),
            capture_output=True,
            text=True,
            env=dict(environ),
            timeout=LAUNCHER_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise TargetError(f"--python {text!r}: the py launcher did not answer ({error})") from None
    found = launcher_answer(answer.stdout) if answer.returncode == 0 else None
    if found is None:
        said = (answer.stderr or answer.stdout).strip().splitlines()
        detail = said[0] if said else f"exit status {answer.returncode}"
        raise TargetError(f"--python {text!r}: the py launcher has no such Python ({detail})")
    return Path(found)


def _path_entries(environ: Mapping[str, str]) -> list[str]:
    # The target runs with the caller's environment, so look up its PATH, not ours.
    return [e for e in environ.get("PATH", os.defpath).split(os.pathsep) if e]


def _find_on_path(
    command: str, environ: Mapping[str, str], skip: list[Path]
) -> tuple[Path | None, Path | None]:
    """The first ``command`` on PATH outside ``skip``, and the first one skipped (if any)."""
    skipped: Path | None = None
    for entry in _path_entries(environ):
        # One folder at a time, to step over our own tool environment's: `uv tool run` puts
        # its bin folder first on PATH.
        found = shutil.which(command, path=entry)
        if found is None:
            continue
        candidate = Path(found).absolute()
        if skip and _links_into(candidate, skip):
            skipped = skipped or candidate
            continue
        return candidate, skipped
    return None, skipped


def _resolve(
    path_text: str,
    source: str,
    environ: Mapping[str, str],
    skip: list[Path],
    platform: str = sys.platform,
) -> Path:
    path = Path(path_text).expanduser()
    tag = launcher_tag(path_text)
    if tag is not None and not path.exists():
        path = _from_launcher(path_text, tag, environ)
    if not path.exists() and _is_bare_command(path_text, platform):
        # `--python python3.10` means what the shell would run; a file or folder of that name
        # in the working directory (`--python .venv`) wins, as it did before.
        found, _ = _find_on_path(path_text, environ, skip)
        if found is None:
            raise TargetError(
                f"{source} {path_text!r}: no such file or folder, and no command of that name "
                "on PATH"
            )
        path = found
    if not path.exists():
        raise TargetError(f"{source} {path_text!r}: no such file or folder")
    if path.is_dir():
        inside = _in_folder(path, platform)
        if inside is None:
            raise TargetError(
                f"{source} {path_text!r} is a folder with no Python interpreter in it "
                f"(looked for {_looked_for(platform)})"
            )
        path = inside
    # Windows has no execute permission: any file it can open may be run.
    if not is_windows(platform) and not os.access(path, os.X_OK):
        raise TargetError(f"{source} {path_text!r} is not executable")
    # Keep venv symlinks as they are: a venv's bin/python must run as itself to see the
    # venv's site-packages.
    return path.absolute()


def _from_variable(variable: str, folder_text: str, platform: str = sys.platform) -> Interpreter:
    folder = Path(folder_text)
    if not folder.is_dir():
        # Usually a stale activation (the venv was deleted or moved); silently diagnosing
        # another interpreter instead would propose installing packages into the wrong place.
        raise TargetError(
            f"${variable} is {folder_text!r}, which is not a folder: deactivate or unset it, "
            f"or {_PYTHON_HINT}"
        )
    found = _in_folder(folder, platform)
    if found is None:
        raise TargetError(
            f"${variable} {folder_text!r} is a folder with no Python interpreter in it "
            f"(looked for {_looked_for(platform)}); {_PYTHON_HINT}"
        )
    return Interpreter(str(found.absolute()), f"${variable}")


def _links_into(path: Path, folders: list[Path]) -> bool:
    """Whether ``path``, or a symlink it goes through, lies directly in one of ``folders``."""
    current = path
    # Follow the links one by one instead of resolving: a tool environment's python is itself a
    # link to the base interpreter, which may well be the user's own /usr/bin/python3.
    for _ in range(40):
        for folder in folders:
            try:
                if current.parent.samefile(folder):
                    return True
            except OSError:
                continue
        if not current.is_symlink():
            return False
        link = current.readlink()
        current = link if link.is_absolute() else current.parent / link
    return False


def _own_folders(runner: Runner) -> list[Path]:
    prefix = Path(runner.prefix)
    candidates = (prefix / "bin", prefix / "Scripts", Path(runner.executable).parent)
    return [folder for folder in candidates if folder.is_dir()]


def _from_path(
    tool: str, runner: Runner, environ: Mapping[str, str], platform: str = sys.platform
) -> Interpreter:
    skipped: Path | None = None
    for command in path_commands(platform):
        found, skipped_now = _find_on_path(command, environ, _own_folders(runner))
        if found is not None:
            return Interpreter(str(found), "$PATH")
        skipped = skipped or skipped_now
    if skipped is not None:
        raise TargetError(
            f"kerasdoctor runs from its own {tool} environment and the only python3 or python "
            f"on PATH is that environment's ({skipped}), which has no Keras: {_PYTHON_HINT}"
        )
    raise TargetError(
        f"kerasdoctor runs from its own {tool} environment and there is no python3 or python "
        f"on PATH to diagnose: {_PYTHON_HINT}"
    )


def choose_interpreter(
    explicit: str | None,
    environ: Mapping[str, str],
    runner: Runner | None = None,
    platform: str = sys.platform,
) -> Interpreter:
    """Pick the target interpreter; raise :class:`TargetError` when the choice is not usable.

    ``runner`` describes the interpreter running kerasdoctor (default: this process);
    ``platform`` the system's layouts (default: this one's ``sys.platform``).
    """
    runner = runner or Runner.current()
    tool = tool_installer(runner)
    if explicit is not None:
        if not explicit.strip():
            raise TargetError("--python: empty path")
        # A command name never means our own tool environment's python, which `uv tool run`
        # puts first on PATH.
        skip = _own_folders(runner) if tool is not None else []
        path = _resolve(explicit, "--python", environ, skip, platform)
        return Interpreter(str(path), "--python")
    for variable in ("VIRTUAL_ENV", "CONDA_PREFIX"):
        folder = environ.get(variable)
        if folder:
            return _from_variable(variable, folder, platform)
    if tool is not None:
        return _from_path(tool, runner, environ, platform)
    return Interpreter(runner.executable, "running interpreter")
