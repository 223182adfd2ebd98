"""Choose the interpreter to diagnose: ``--python``, the active environment, or ourselves.

Order, as users expect from pip and pipdeptree: an explicit ``--python`` (an interpreter or a
venv/conda folder), then ``$VIRTUAL_ENV``, then ``$CONDA_PREFIX``, then the interpreter that
runs kerasdoctor. The report says which one was used and why.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kerasdoctor.errors import TargetError

_CANDIDATE_EXECUTABLES = ("bin/python", "bin/python3", "Scripts/python.exe", "python.exe")


@dataclass(frozen=True)
class Interpreter:
    """An interpreter path and the reason it was chosen."""

    python: str
    chosen_by: str


def _in_folder(folder: Path) -> Path | None:
    for rel in _CANDIDATE_EXECUTABLES:
        candidate = folder / rel
        if candidate.is_file():
            return candidate
    return None


def _resolve(path_text: str, source: str) -> Path:
    path = Path(path_text).expanduser()
    if not path.exists():
        raise TargetError(f"{source} {path_text!r}: no such file or folder")
    if path.is_dir():
        found = _in_folder(path)
        if found is None:
            raise TargetError(
                f"{source} {path_text!r} is a folder with no Python interpreter in it "
                "(looked for bin/python and bin/python3)"
            )
        path = found
    if not os.access(path, os.X_OK):
        raise TargetError(f"{source} {path_text!r} is not executable")
    # Keep venv symlinks as they are: a venv's bin/python must run as itself to see the
    # venv's site-packages.
    return path.absolute()


def choose_interpreter(explicit: str | None, environ: Mapping[str, str]) -> Interpreter:
    """Pick the target interpreter; raise :class:`TargetError` for a bad explicit choice."""
    if explicit is not None:
        if not explicit.strip():
            raise TargetError("--python: empty path")
        return Interpreter(str(_resolve(explicit, "--python")), "--python")
    for variable in ("VIRTUAL_ENV", "CONDA_PREFIX"):
        folder = environ.get(variable)
        if folder:
            found = _in_folder(Path(folder))
            if found is not None:
                return Interpreter(str(found.absolute()), f"${variable}")
    return Interpreter(sys.executable, "running interpreter")
