"""Which files ``kerasdoctor scan`` reads: walk the PATH arguments, in a stable order.

The walk never reads a file; it only lists folders and stats entries, so that a 50 MB data
file named ``*.py``, a FIFO, an unreadable folder or a symbolic-link loop is reported and
skipped instead of hanging or crashing the scan. Folders that are not the user's code
(hidden folders, virtual environments and installed packages found inside the tree,
notebook checkpoints, caches) are pruned, as are the ``--exclude`` globs.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kerasdoctor.scan.model import FileKind, FileStatus

#: Files larger than this are skipped without being opened: no hand-written script is.
DEFAULT_MAX_BYTES = 10_000_000

#: Folder names that never hold the user's own code.
PRUNED_NAMES = frozenset(
    {"__pycache__", ".ipynb_checkpoints", "site-packages", "dist-packages", "node_modules"}
)


@dataclass(frozen=True)
class FoundFile:
    """One entry the walk yields: a file to read (``ok``), or one it skipped and why.

    ``path`` is the path to open, built from the argument as given (symbolic links are not
    resolved, so it names what the user sees); ``display`` is the same path in posix form
    without a leading ``./``, for output. A folder that could not be listed is reported with
    ``kind`` FOLDER and status SKIPPED.
    """

    path: Path
    display: str
    kind: FileKind
    status: FileStatus
    reason: str = ""
    size: int = 0


def _display(path: str) -> str:
    return os.path.normpath(path).replace(os.sep, "/")


def kind_of(name: str) -> FileKind | None:
    """The kind of a file found inside a folder, or None when the scan does not read it."""
    if name.endswith(".py"):
        return FileKind.PYTHON
    if name.endswith(".ipynb"):
        return FileKind.NOTEBOOK
    return None


@lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """Translate a glob with ``**`` into a regex over posix paths (whole-string match).

    ``*`` and ``?`` never cross a ``/``; ``**/`` matches zero or more folders and a trailing
    ``/**`` everything below; ``[...]`` is a character class as in :mod:`fnmatch`.
    """
    out: list[str] = []
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            close = pattern.find("]", i + 2 if pattern.startswith("[!", i) else i + 1)
            if close == -1:
                out.append(re.escape(c))
                i += 1
            else:
                body = pattern[i + 1 : close]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = close + 1
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("".join(out) + r"\Z")


def excluded(relative: str, patterns: tuple[str, ...]) -> bool:
    """True when a posix path relative to the walked argument matches one ``--exclude`` glob.

    A pattern without ``/`` matches any single path component (``build``, ``*_test.py``),
    as in ``.gitignore``; a pattern with ``/`` matches the whole relative path, with ``**``
    for any number of folders (``examples/**/legacy_*.py``). A leading ``./`` or ``/`` in the
    pattern is ignored.
    """
    if not patterns or not relative:
        return False
    parts = relative.split("/")
    for raw in patterns:
        pattern = raw.strip()
        while pattern.startswith("./"):
            pattern = pattern[2:]
        pattern = pattern.strip("/")
        if not pattern:
            continue
        regex = _glob_regex(pattern)
        if "/" in pattern:
            if regex.match(relative):
                return True
        elif any(regex.match(part) for part in parts):
            return True
    return False


def _is_environment(path: str) -> bool:
    """A virtual environment or conda environment found inside the tree."""
    return os.path.isfile(os.path.join(path, "pyvenv.cfg")) or os.path.isdir(
        os.path.join(path, "conda-meta")
    )


def _pruned_reason(name: str, path: str) -> str | None:
    if name.startswith("."):
        return "hidden folder"
    if name in PRUNED_NAMES:
        return "not the project's own code"
    if _is_environment(path):
        return "virtual environment"
    return None


def size_text(size: int) -> str:
    """A size as people read it: ``52.4 MB``, or ``900 bytes`` below a megabyte."""
    return f"{size / 1e6:.1f} MB" if size >= 1_000_000 else f"{size} bytes"


def _size_reason(size: int, max_bytes: int) -> str:
    return f"too large ({size_text(size)} > {size_text(max_bytes)} limit): not read"


def walk(
    paths: Iterable[str | os.PathLike[str]],
    exclude: tuple[str, ...] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[FoundFile]:
    """Yield the files to read under ``paths``, in a stable order, and what was skipped.

    Files named directly are read whatever their suffix (``.ipynb`` as a notebook, anything
    else as Python) unless a glob excludes them (matched against the path as given, so that
    pre-commit's explicit file lists honour ``--exclude``); inside folders only ``*.py``
    and ``*.ipynb`` are. Entries of a folder come in sorted order, files before
    sub-folders. A file reached twice (listed twice, or through a symbolic link) is yielded
    once. A folder reached again through a symbolic link (a loop) is not entered again.
    Pruned folders and excluded paths are silent; everything else that is not read is
    yielded with status SKIPPED and a reason. A missing argument is yielded as SKIPPED with
    reason "no such file or folder".
    """
    seen_files: set[tuple[int, int]] = set()
    seen_dirs: set[tuple[int, int]] = set()
    for raw in paths:
        arg = os.fspath(raw)
        try:
            st = os.stat(arg)
        except OSError as exc:
            reason = (
                "no such file or folder"
                if isinstance(exc, FileNotFoundError) and not os.path.islink(arg)
                else _os_reason("cannot read", exc)
            )
            yield FoundFile(Path(arg), _display(arg), FileKind.PYTHON, FileStatus.SKIPPED, reason)
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk_folder(arg, exclude, max_bytes, seen_files, seen_dirs)
            continue
        if excluded(_display(arg).lstrip("/"), exclude):
            continue
        kind = FileKind.NOTEBOOK if arg.endswith(".ipynb") else FileKind.PYTHON
        found = _file_entry(arg, _display(arg), kind, st, max_bytes, seen_files)
        if found is not None:
            yield found


def _os_reason(what: str, exc: OSError) -> str:
    detail = exc.strerror or type(exc).__name__
    return f"{what}: {detail}"


def _file_entry(
    path: str,
    display: str,
    kind: FileKind,
    st: os.stat_result,
    max_bytes: int,
    seen_files: set[tuple[int, int]],
) -> FoundFile | None:
    key = (st.st_dev, st.st_ino)
    if key in seen_files:
        return None
    seen_files.add(key)
    if not stat.S_ISREG(st.st_mode):
        # Opening a FIFO or a device named *.py would block or stream forever.
        return FoundFile(Path(path), display, kind, FileStatus.SKIPPED, "not a regular file")
    if st.st_size > max_bytes:
        return FoundFile(
            Path(path),
            display,
            kind,
            FileStatus.SKIPPED,
            _size_reason(st.st_size, max_bytes),
            st.st_size,
        )
    return FoundFile(Path(path), display, kind, FileStatus.OK, "", st.st_size)


def _walk_folder(
    root: str,
    exclude: tuple[str, ...],
    max_bytes: int,
    seen_files: set[tuple[int, int]],
    seen_dirs: set[tuple[int, int]],
) -> Iterator[FoundFile]:
    # An explicit stack instead of os.walk: os.walk hides listing errors unless given an
    # onerror callback and cannot tell a loop from a second link to the same folder.
    stack: list[tuple[str, str]] = [(root, "")]
    while stack:
        folder, relative = stack.pop()
        try:
            st = os.stat(folder)
        except OSError as exc:
            yield FoundFile(
                Path(folder),
                _display(folder),
                FileKind.FOLDER,
                FileStatus.SKIPPED,
                _os_reason("cannot read folder", exc),
            )
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            continue  # a symbolic-link loop, or a folder already walked through another link
        seen_dirs.add(key)
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield FoundFile(
                Path(folder),
                _display(folder),
                FileKind.FOLDER,
                FileStatus.SKIPPED,
                _os_reason("cannot read folder", exc),
            )
            continue
        subfolders: list[tuple[str, str]] = []
        for entry in entries:
            rel = f"{relative}/{entry.name}" if relative else entry.name
            try:
                is_dir = entry.is_dir()  # follows symbolic links
            except OSError:
                is_dir = False
            if is_dir:
                if _pruned_reason(entry.name, entry.path) is None and not excluded(rel, exclude):
                    subfolders.append((entry.path, rel))
                continue
            kind = kind_of(entry.name)
            if kind is None or excluded(rel, exclude):
                continue
            display = _display(entry.path)
            try:
                est = entry.stat()  # follows symbolic links
            except OSError as exc:
                reason = (
                    "broken symbolic link"
                    if entry.is_symlink() and isinstance(exc, FileNotFoundError)
                    else _os_reason("cannot read", exc)
                )
                yield FoundFile(Path(entry.path), display, kind, FileStatus.SKIPPED, reason)
                continue
            found = _file_entry(entry.path, display, kind, est, max_bytes, seen_files)
            if found is not None:
                yield found
        # Reversed onto the stack so that sub-folders are walked in sorted order.
        stack.extend(reversed(subfolders))
