"""Atomic writes of rewritten files, with failures reported per file as data.

Each file is written to a temporary file in the folder of its real target (a symlink is
followed, never replaced), flushed with ``fsync``, given the original's mode, and moved over
the target with :func:`os.replace`, which is atomic: at every instant the file is either the
old or the new one. The temporary file is removed in a ``finally`` on every other path,
including ``KeyboardInterrupt``; SIGINT is also held back while one file is being written, so
Ctrl-C lands between files, never inside one.

A file whose bytes differ from what was read at scan time is not written ("changed since
scan"): the user (or their editor) touched it, and the edits no longer describe it.
"""

from __future__ import annotations

import contextlib
import enum
import errno
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FileSnapshot:
    """A file as it was read at scan time: the path given, its bytes, and its stat."""

    path: Path
    data: bytes
    mtime_ns: int
    size: int


def snapshot(path: Path) -> FileSnapshot:
    """Read ``path`` (through symlinks) and remember what it was."""
    with path.open("rb") as handle:
        info = os.fstat(handle.fileno())
        data = handle.read()
    return FileSnapshot(path, data, info.st_mtime_ns, info.st_size)


class WriteStatus(str, enum.Enum):
    """What happened to one file."""

    WRITTEN = "written"
    UNCHANGED = "unchanged"  # the new bytes equal the old ones: nothing to do
    CHANGED_SINCE_SCAN = "changed-since-scan"
    FAILED = "failed"


@dataclass(frozen=True)
class WriteRequest:
    """Replace the file read as ``snapshot`` by ``new_data``."""

    snapshot: FileSnapshot
    new_data: bytes


@dataclass(frozen=True)
class WriteResult:
    """The outcome for one file; ``reason`` is one readable line when it was not written."""

    path: Path
    status: WriteStatus
    reason: str | None = None


class WriteInterrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`write_files`; ``results`` says what happened before it."""

    def __init__(self, results: tuple[WriteResult, ...]) -> None:
        super().__init__("interrupted")
        self.results = results


def _describe(exc: OSError) -> str:
    name = errno.errorcode.get(exc.errno or 0, "")
    text = exc.strerror or str(exc)
    return f"{text} ({name})" if name else text


# The signals kerasdoctor turns into KeyboardInterrupt (see cli.main).
_HELD = {getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)}


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold Ctrl-C and friends back (delivered at the end) where the platform allows it.

    Best effort: a signal delivered to another thread still interrupts the main thread, and
    then the ``finally`` in :func:`_write_target` is what keeps the promise.
    """
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not (
        threading.main_thread()
    ):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _write_target(target: Path, data: bytes, mode: int, uid: int, gid: int) -> None:
    fd, temp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".kerasdoctor-tmp", dir=target.parent
    )
    temp = Path(temp_name)
    replaced = False
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fchmod(fd, stat.S_IMODE(mode))
            with contextlib.suppress(OSError):
                # Root keeps the owner of a file it rewrites; others cannot and need not.
                os.fchown(fd, uid, gid)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, target)  # noqa: PTH105 - tests inject faults into os.replace
        replaced = True
    finally:
        if not replaced:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()


def write_file(request: WriteRequest) -> WriteResult:
    """Write one file atomically; every expected failure comes back as a result."""
    path = request.snapshot.path
    if request.new_data == request.snapshot.data:
        return WriteResult(path, WriteStatus.UNCHANGED)
    try:
        # The real file behind any symlinks: it is replaced, the links stay links.
        target = Path(os.path.realpath(path))
        with target.open("rb") as handle:
            info = os.fstat(handle.fileno())
            current = handle.read()
        if current != request.snapshot.data:
            return WriteResult(
                path,
                WriteStatus.CHANGED_SINCE_SCAN,
                "the file changed since it was scanned; run fix again",
            )
        with _signals_held():
            _write_target(target, request.new_data, info.st_mode, info.st_uid, info.st_gid)
    except OSError as exc:
        return WriteResult(path, WriteStatus.FAILED, _describe(exc))
    return WriteResult(path, WriteStatus.WRITTEN)


def write_files(requests: Sequence[WriteRequest]) -> tuple[WriteResult, ...]:
    """Write every file; one failure does not stop the others.

    On Ctrl-C, raises :class:`WriteInterrupted` carrying the results so far; every file is
    then either its old or its new self, and no temporary file is left.
    """
    results: list[WriteResult] = []
    for request in requests:
        try:
            results.append(write_file(request))
        except KeyboardInterrupt:
            raise WriteInterrupted(tuple(results)) from None
    return tuple(results)
