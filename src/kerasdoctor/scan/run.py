"""Read files and extract their records, in parallel when there are many.

:func:`extract_bytes` is the pure core, a function of (display path, kind, bytes), so that
it can run in any worker process; :func:`extract_file` reads one file (at most the size
limit, whatever ``stat`` said earlier) and :func:`extract_paths` walks the arguments and
maps the files over a process pool when there are enough of them to pay for the workers.
"""

from __future__ import annotations

import ast
import functools
import multiprocessing
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from kerasdoctor.scan.extract import Unit, extract_units
from kerasdoctor.scan.files import DEFAULT_MAX_BYTES, FoundFile, size_text, walk
from kerasdoctor.scan.model import CellProblem, FileKind, FileResult, FileStatus
from kerasdoctor.scan.notebook import NotebookError, ParsedCell, parse_cell, read_cells
from kerasdoctor.scan.source import Undecodable, decode_source, syntax_reason

#: Below this many files a pool costs more (worker start-up) than it saves.
POOL_THRESHOLD = 64


def extract_bytes(display: str, kind: FileKind, data: bytes) -> FileResult:
    """Decode, parse and extract one file's bytes. Pure: reads and runs nothing."""
    if kind is FileKind.NOTEBOOK:
        return _extract_notebook(display, data)
    decoded = decode_source(data)
    if isinstance(decoded, Undecodable):
        return FileResult(display, kind, FileStatus.UNDECODABLE, decoded.reason)
    try:
        tree = ast.parse(decoded.text)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return FileResult(
            display, kind, FileStatus.UNPARSABLE, syntax_reason(exc), source=decoded.info
        )
    found = extract_units([Unit(tree, decoded.text)])
    return FileResult(
        display,
        kind,
        FileStatus.OK,
        "",
        source=decoded.info,
        imports=found.imports,
        bindings=found.bindings,
        chains=found.chains,
        ladders=found.ladders,
    )


def _extract_notebook(display: str, data: bytes) -> FileResult:
    cells = read_cells(data)
    if isinstance(cells, NotebookError):
        return FileResult(display, FileKind.NOTEBOOK, cells.status, cells.reason)
    units: list[Unit] = []
    problems: list[CellProblem] = []
    for cell in cells:
        parsed: ParsedCell | CellProblem = parse_cell(cell)
        if isinstance(parsed, CellProblem):
            problems.append(parsed)
        else:
            units.append(Unit(parsed.tree, cell.text, cell.index))
    found = extract_units(units)
    return FileResult(
        display,
        FileKind.NOTEBOOK,
        FileStatus.OK,
        "",
        imports=found.imports,
        bindings=found.bindings,
        chains=found.chains,
        ladders=found.ladders,
        cell_problems=tuple(problems),
    )


def extract_file(found: FoundFile, max_bytes: int = DEFAULT_MAX_BYTES) -> FileResult:
    """Read one walked file and extract it; a file the walk skipped is passed through."""
    if found.status is not FileStatus.OK:
        return FileResult(found.display, found.kind, found.status, found.reason)
    try:
        # O_NONBLOCK: if the file was swapped for a FIFO since the walk, open must not block.
        fd = os.open(found.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        reason = f"cannot read: {exc.strerror or type(exc).__name__}"
        return FileResult(found.display, found.kind, FileStatus.SKIPPED, reason)
    if len(data) > max_bytes:
        reason = f"too large (more than {size_text(max_bytes)}): not read"
        return FileResult(found.display, found.kind, FileStatus.SKIPPED, reason)
    return extract_bytes(found.display, found.kind, data)


def _extract_many(batch: Sequence[FoundFile], max_bytes: int) -> list[FileResult]:
    return [extract_file(found, max_bytes) for found in batch]


def _pool_context() -> multiprocessing.context.BaseContext:
    # Never fork: the CLI may hold threads (warm probe processes) when it scans, and a
    # forked child of a threaded process can deadlock.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def extract_paths(
    paths: Iterable[str | os.PathLike[str]],
    exclude: tuple[str, ...] = (),
    jobs: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[FileResult, ...]:
    """Walk ``paths`` and extract every file, in the walk's order, one result per entry.

    ``jobs`` is the number of worker processes (None: one per CPU; 1: none). A pool is used
    only for more than :data:`POOL_THRESHOLD` files.
    """
    found = list(walk(paths, exclude, max_bytes))
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    readable = sum(1 for f in found if f.status is FileStatus.OK)
    if workers <= 1 or readable <= POOL_THRESHOLD:
        return tuple(extract_file(f, max_bytes) for f in found)
    # Batches amortise the pickling round trip; several per worker keep the load even.
    size = max(8, len(found) // (workers * 8))
    batches = [found[i : i + size] for i in range(0, len(found), size)]
    results: list[FileResult] = []
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context()) as pool:
            for batch_results in pool.map(
                functools.partial(_extract_many, max_bytes=max_bytes), batches
            ):
                results.extend(batch_results)
    except (OSError, RuntimeError, BrokenProcessPool):
        # No pool here (a sandbox without /dev/shm, a caller without a __main__ guard, a
        # worker that died): the same pure work, done serially, gives the same results.
        return tuple(extract_file(f, max_bytes) for f in found)
    return tuple(results)
