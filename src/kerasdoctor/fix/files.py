"""Bytes in, bytes out: the whole pure pipeline for one ``.py`` file or one notebook.

These are the two calls the ``fix`` command needs per file: decode (as Python does, or as a
notebook's JSON), plan + verify the decisions, and splice the accepted edits back into the
original bytes. Nothing is written here; the result goes to :mod:`kerasdoctor.fix.write` and
its texts to :mod:`kerasdoctor.fix.diff`. A file that cannot be decoded, read or parsed comes
back unchanged, with the reason, and every decision refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kerasdoctor.fix.edits import PlannedEdit, Refusal, Rewrite, TextEdit, apply_edits
from kerasdoctor.fix.notebook import CellEdit, NotebookError, mask_magics, read_cells
from kerasdoctor.fix.notebook import rewrite_notebook as splice_notebook
from kerasdoctor.fix.rewrite import rewrite_source
from kerasdoctor.fix.textio import SourceDecodeError, decode_source, encode_edits


@dataclass(frozen=True)
class FileRewrite:
    """One ``.py`` file: its new bytes (the old ones when nothing applies) and texts for diffs."""

    data: bytes
    old_text: str
    new_text: str
    applied: tuple[PlannedEdit, ...]
    refused: tuple[Refusal, ...]
    error: str | None = None  # set when the file could not be rewritten at all

    @property
    def changed(self) -> bool:
        return bool(self.applied)


def _refuse_all(rewrites: Sequence[Rewrite], reason: str) -> tuple[Refusal, ...]:
    return tuple(Refusal(rw, reason) for rw in rewrites)


def rewrite_python_file(
    data: bytes, rewrites: Sequence[Rewrite], *, feature_version: tuple[int, int] | None = None
) -> FileRewrite:
    """Apply the decisions to a ``.py`` file's bytes; bytes outside the edits never change."""
    try:
        source = decode_source(data)
    except SourceDecodeError as exc:
        return FileRewrite(data, "", "", (), _refuse_all(rewrites, str(exc)), str(exc))
    result = rewrite_source(source.text, rewrites, feature_version=feature_version)
    if not result.applied:
        return FileRewrite(data, source.text, source.text, (), result.refused)
    try:
        new = encode_edits(source, [p.edit for p in result.applied])
    except SourceDecodeError as exc:
        refused = result.refused + tuple(Refusal(p.rewrite, str(exc)) for p in result.applied)
        return FileRewrite(data, source.text, source.text, (), refused, str(exc))
    return FileRewrite(new, source.text, result.text, result.applied, result.refused)


@dataclass(frozen=True)
class CellRewrite:
    """One code cell of a notebook: 0-based index into ``cells``, old and new source."""

    cell: int
    old_source: str
    new_source: str
    applied: tuple[PlannedEdit, ...]
    refused: tuple[Refusal, ...]


@dataclass(frozen=True)
class NotebookRewrite:
    """A notebook's new bytes (the old ones when nothing applies) and what happened per cell."""

    data: bytes
    cells: tuple[CellRewrite, ...]
    error: str | None = None

    @property
    def changed(self) -> bool:
        return any(c.applied for c in self.cells)


def rewrite_notebook_file(
    data: bytes,
    rewrites_by_cell: Mapping[int, Sequence[Rewrite]],
    *,
    feature_version: tuple[int, int] | None = None,
) -> NotebookRewrite:
    """Apply per-cell decisions (spans within each cell's source) to a notebook's bytes.

    Magics and shell lines are blanked for parsing and planning (offsets are kept), so the
    edits apply to the real source and the magics stay as they were.
    """
    try:
        cells = read_cells(data)
    except NotebookError as exc:
        unread = tuple(
            CellRewrite(n, "", "", (), _refuse_all(rws, str(exc)))
            for n, rws in sorted(rewrites_by_cell.items())
        )
        return NotebookRewrite(data, unread, str(exc))
    out: list[CellRewrite] = []
    cell_edits: list[CellEdit] = []
    for n, rws in sorted(rewrites_by_cell.items()):
        if not 0 <= n < len(cells) or cells[n].cell_type != "code":
            out.append(CellRewrite(n, "", "", (), _refuse_all(rws, f"cell {n} is not a code cell")))
            continue
        source = cells[n].source
        masked = mask_magics(source)
        result = rewrite_source(masked, rws, feature_version=feature_version)
        applied: list[PlannedEdit] = []
        refused = list(result.refused)
        for planned in result.applied:
            edit = planned.edit
            if masked[edit.start : edit.end] == source[edit.start : edit.end]:
                applied.append(planned)
            else:
                refused.append(Refusal(planned.rewrite, "the statement touches an IPython magic"))
        edits: tuple[TextEdit, ...] = tuple(p.edit for p in applied)
        new_source = apply_edits(source, edits)
        out.append(CellRewrite(n, source, new_source, tuple(applied), tuple(refused)))
        if edits:
            cell_edits.append(CellEdit(n, edits))
    if not cell_edits:
        return NotebookRewrite(data, tuple(out))
    try:
        new = splice_notebook(data, cell_edits)
    except NotebookError as exc:
        failed = tuple(
            CellRewrite(
                c.cell,
                c.old_source,
                c.old_source,
                (),
                c.refused + tuple(Refusal(p.rewrite, str(exc)) for p in c.applied),
            )
            for c in out
        )
        return NotebookRewrite(data, failed, str(exc))
    return NotebookRewrite(new, tuple(out))
