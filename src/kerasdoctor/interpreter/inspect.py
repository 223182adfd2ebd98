"""Inspect the target: run the stdlib-only payload in it, then read its distributions.

The payload reports what only the target can say (version, ``sys.path`` as seen from the
user's working directory, the steering variables, keras.json, where top-level modules are
found). Distribution metadata is then read here, in-process, from the target's ``sys.path``
(as pipdeptree does), so no third-party code of the target runs for it.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import importlib_metadata
from packaging.utils import canonicalize_name

from kerasdoctor import process
from kerasdoctor.errors import TargetError
from kerasdoctor.interpreter.discover import Interpreter
from kerasdoctor.knowledge import KNOWN_MODULES, STEERING_VARIABLES, is_relevant
from kerasdoctor.models import Distribution, KerasConfig, Target

INSPECT_TIMEOUT = 30.0


def inspect_target(
    interpreter: Interpreter,
    *,
    cwd: str,
    environ: Mapping[str, str],
    extra_modules: Iterable[str] = (),
    timeout: float = INSPECT_TIMEOUT,
) -> Target:
    """Inspect the chosen interpreter; raise :class:`TargetError` when it is not usable."""
    modules = sorted(set(KNOWN_MODULES) | set(extra_modules))
    # Inspection starts every run: a previous run in this process (the API, a notebook)
    # may have ended with Ctrl-C, which stops the layer until it is reopened.
    process.layer().reopen()
    run = process.run_payload(
        interpreter.python,
        process.child_source("kerasdoctor.interpreter", "child_inspect.py"),
        {"env_names": list(STEERING_VARIABLES), "modules": modules},
        cwd=cwd,
        env=environ,
        timeout=timeout,
    )
    if run.start_error is not None:
        raise TargetError(f"cannot run {interpreter.python}: {run.start_error}")
    unsupported = run.message("unsupported")
    if unsupported is not None:
        raise TargetError(
            f"{interpreter.python} is Python {unsupported.get('version')}: unsupported "
            "(kerasdoctor can inspect Python 3.7 and newer)"
        )
    info = run.message("inspect")
    if info is None:
        if run.timed_out:
            raise TargetError(f"{interpreter.python} did not answer within {timeout:g} s")
        raise TargetError(
            f"{interpreter.python} is not a Python interpreter kerasdoctor can inspect "
            f"({run.exit_detail} without answering)"
        )
    return dataclasses.replace(_build_target(interpreter, info), uv=find_uv(environ))


def find_uv(environ: Mapping[str, str]) -> str | None:
    """How the user's shell can run uv (for fixes in a target without pip), or None.

    ``"uv"`` when it is on the user's ``PATH``; else the full path of a uv beside
    kerasdoctor's own interpreter (a venv with the ``uv`` wheel has it there, off ``PATH``
    until activated): a bare ``uv`` the shell cannot find would not paste.
    """
    if shutil.which("uv", path=environ.get("PATH", os.defpath)):
        return "uv"
    beside = Path(sys.executable).parent / ("uv.exe" if os.name == "nt" else "uv")
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return None


def _build_target(interpreter: Interpreter, info: Mapping[str, Any]) -> Target:
    sys_path = tuple(str(p) for p in info.get("sys_path", []))
    env_map = info.get("env", {}) or {}
    env = tuple((name, str(env_map[name])) for name in STEERING_VARIABLES if name in env_map)
    config = info.get("keras_config") or {}
    origins = tuple(
        (str(name), None if where is None else str(where))
        for name, where in info.get("origins", [])
    )
    return Target(
        python=interpreter.python,
        chosen_by=interpreter.chosen_by,
        python_version=str(info.get("version", "?")),
        implementation=str(info.get("implementation", "?")),
        platform=str(info.get("platform", "?")),
        prefix=str(info.get("prefix", "")),
        cwd=str(info.get("cwd", "")),
        sys_path=sys_path,
        distributions=read_distributions(sys_path),
        env=env,
        keras_config=KerasConfig(
            path=str(config.get("path", "")),
            exists=bool(config.get("exists", False)),
            backend=config.get("backend"),
            error=config.get("error"),
        ),
        has_pip=bool(info.get("has_pip", False)),
        module_origins=origins,
    )


def read_distributions(sys_path: Iterable[str]) -> tuple[Distribution, ...]:
    """The relevant distributions on ``sys_path``, in path order, tolerating broken metadata."""
    found: list[Distribution] = []
    for entry in sys_path:
        if not entry or not _is_readable_dir(entry):
            continue
        try:
            dists = list(importlib_metadata.distributions(path=[entry]))
        except (OSError, ValueError):  # unreadable folder, undecodable names
            continue
        for dist in dists:
            parsed = _parse(dist, entry)  # type: ignore[arg-type]
            if parsed is not None:
                found.append(parsed)
    found.sort(key=lambda d: (_path_index(sys_path, d.location), d.name, d.metadata_path))
    return tuple(found)


def _path_index(sys_path: Iterable[str], location: str) -> int:
    for index, entry in enumerate(sys_path):
        if entry == location:
            return index
    return 1 << 30


def _is_readable_dir(entry: str) -> bool:
    try:
        return Path(entry).is_dir() and os.access(entry, os.R_OK | os.X_OK)
    except (OSError, ValueError):
        return False


def _metadata_folder(dist: importlib_metadata.Distribution) -> str | None:
    path = getattr(dist, "_path", None)  # PathDistribution keeps its folder here
    return None if path is None else str(path)


_FOLDER_NAME = re.compile(r"^(?P<name>[^-]+)-(?P<version>[^-]+?)(-py[^-]*)?\.(dist|egg)-info$")


def _parse(dist: importlib_metadata.Distribution, entry: str) -> Distribution | None:
    folder = _metadata_folder(dist) or ""
    problems: list[str] = []
    try:
        meta = dist.metadata
        # .get, not [...]: importlib_metadata raises KeyError for a header METADATA lacks.
        name = meta.get("Name") if meta is not None else None
        version = meta.get("Version") if meta is not None else None
    except (OSError, UnicodeDecodeError, ValueError):
        name = version = None
        problems.append("METADATA cannot be read")
    if not name or not version:
        match = _FOLDER_NAME.match(Path(folder).name)
        if match is None:
            return None
        name = name or match.group("name")
        version = version or match.group("version")
        problems.append("METADATA is empty or has no Name/Version")
    if not is_relevant(str(name)):
        return None
    try:
        requires = tuple(dist.requires or ())
    except (OSError, UnicodeDecodeError, ValueError):
        requires = ()
        problems.append("Requires-Dist cannot be read")
    top_level, top_problems = _top_level(dist, str(name))
    problems.extend(top_problems)
    return Distribution(
        name=canonicalize_name(str(name)),
        display_name=str(name),
        version=str(version),
        location=entry,
        metadata_path=folder,
        top_level=top_level,
        requires=requires,
        problems=tuple(problems),
    )


def _top_level(
    dist: importlib_metadata.Distribution, name: str
) -> tuple[tuple[str, ...], list[str]]:
    """Import packages a distribution installs: top_level.txt, else the RECORD."""
    problems: list[str] = []
    tops: set[str] = set()
    try:
        text = dist.read_text("top_level.txt")
    except (OSError, UnicodeDecodeError):
        text = None
    if text:
        tops.update(line.strip() for line in text.splitlines() if line.strip())
    # The RECORD is read as text, never through Distribution.files: that stats every file
    # listed (22,000 for TensorFlow, seconds on a cold disk), and only names matter here.
    try:
        record = dist.read_text("RECORD")
    except (OSError, UnicodeDecodeError):
        record = None
    if record is None:
        if dist.read_text("installed-files.txt") is None:  # egg-info's own file list
            problems.append("RECORD is missing")
    elif not tops:
        for row in record.splitlines():
            parts = row.split(",", 1)[0].split("/")
            first = parts[0]
            if (
                not first
                or first in ("..", "__pycache__")
                or first.endswith((".dist-info", ".egg-info", ".data", ".pth"))
            ):
                continue
            if len(parts) == 1:
                if first.endswith(".py"):
                    tops.add(first[:-3])
                elif ".cpython-" in first or first.endswith((".so", ".pyd")):
                    tops.add(first.split(".", 1)[0])
            elif first.isidentifier():
                tops.add(first)
    if not tops:
        # Fall back to the import name users know (tf-keras -> tf_keras).
        tops.add(canonicalize_name(name).replace("-", "_"))
    return tuple(sorted(t for t in tops if t.isidentifier())), problems
