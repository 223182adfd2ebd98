"""From a scan's diagnostics to one file's new bytes: choose, convert, apply, verify (pure).

The scan gives each fixable diagnostic a :class:`~kerasdoctor.scan.diagnostics.CodeFix` with
exact text edits in scan coordinates (1-based lines, 1-based character columns). This module
turns them into offset edits of the file's decoded text (or a notebook cell's source), merges
the identical edits several diagnostics share (two failing names of one statement), refuses
edits that conflict, checks each diagnostic's edits alone and then all together with
:func:`kerasdoctor.fix.verify.verify_edits` (the result parses and its syntax tree equals the
original's outside the edits), and splices the survivors into the original bytes with
:mod:`kerasdoctor.fix.textio` or :mod:`kerasdoctor.fix.notebook`.

It also says which *new* lines the accepted edits introduce (:class:`NewLine`), with the
object each must resolve to; probing them is the orchestrator's job
(:mod:`kerasdoctor.pipeline_fix`), which calls :func:`plan_file` again with the diagnostics
whose lines failed listed in ``rejected``. Nothing here reads or writes a file.

The choice and acceptance of edits are in :mod:`kerasdoctor.fix.accept`, the new lines in
:mod:`kerasdoctor.fix.new_lines`; this module assembles one file's plan from them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kerasdoctor.fix.accept import (
    UNSAFE_REASON,
    _accept,
    _convert,
    _distinct,
    _Group,
    _location_text,
    select,
)
from kerasdoctor.fix.diff import notebook_diff, unified_diff
from kerasdoctor.fix.edits import EditError, LineIndex, TextEdit, apply_edits
from kerasdoctor.fix.new_lines import LineCheck, NewLine, _checks
from kerasdoctor.fix.notebook import CellEdit, NotebookError, mask_magics, read_cells
from kerasdoctor.fix.notebook import rewrite_notebook as splice_notebook
from kerasdoctor.fix.report import AppliedEdit, CellChange, FileFix, FixStatus, Refusal
from kerasdoctor.fix.textio import SourceDecodeError, decode_source, encode_edits
from kerasdoctor.scan.diagnostics import Diagnostic

__all__ = [
    "UNSAFE_REASON",
    "FilePlan",
    "LineCheck",
    "NewLine",
    "plan_file",
    "plan_notebook",
    "plan_python",
    "select",
]


@dataclass(frozen=True)
class FilePlan:
    """The file's outcome before any write, and the new lines still to be probed."""

    fix: FileFix
    checks: tuple[LineCheck, ...]


# --- files -----------------------------------------------------------------------------------


def _applied(
    text: str, groups: Sequence[_Group], edits: Sequence[TextEdit], cell: int | None
) -> list[AppliedEdit]:
    index = LineIndex(text)

    def position(offset: int) -> tuple[int, int]:
        line = max(i for i, s in enumerate(index.starts) if s <= offset)
        return line + 1, offset - index.starts[line] + 1

    out = []
    for edit in edits:
        (line, column), (end_line, end_column) = position(edit.start), position(edit.end)
        fixed = tuple(g.diagnostic for g in groups if edit in g.edits)
        out.append(
            AppliedEdit(
                cell,
                line,
                column,
                end_line,
                end_column,
                text[edit.start : edit.end],
                edit.new_text,
                fixed,
            )
        )
    return out


def _prepare(
    text: str,
    diagnostics: Sequence[Diagnostic],
    cell: int | None,
    rejected: Mapping[Diagnostic, str],
) -> tuple[list[_Group], list[Refusal], bool]:
    """Groups to try, refusals, and whether the text is not what the scan read."""
    groups: list[_Group] = []
    refused: list[Refusal] = []
    stale = False
    for diagnostic in diagnostics:
        if diagnostic in rejected:
            refused.append(Refusal(diagnostic, rejected[diagnostic]))
            continue
        try:
            seen = _location_text(text, diagnostic)
        except EditError:
            seen = None
        if seen is None or diagnostic.statement not in seen:
            # The statement is not where the scan saw it: the file is not what was scanned.
            # (Containment, not equality: a ladder's diagnostic spans the whole ``try`` and
            # names its first statement.)
            stale = True
            refused.append(Refusal(diagnostic, "the file changed since it was scanned"))
            continue
        try:
            edits = _convert(text, diagnostic)
        except EditError as exc:
            refused.append(Refusal(diagnostic, f"the edit does not fit the file: {exc}"))
            continue
        if edits:
            groups.append(_Group(diagnostic, cell, edits))
        else:
            refused.append(Refusal(diagnostic, "the line already reads as its replacement"))
    return groups, refused, stale


def _status(applied: bool, refused: Sequence[Refusal], stale: bool) -> FixStatus:
    if applied:
        return FixStatus.CHANGED
    if stale:
        return FixStatus.CHANGED_SINCE_SCAN
    return FixStatus.REFUSED if refused else FixStatus.UNCHANGED


def plan_python(
    path: str,
    data: bytes,
    diagnostics: Sequence[Diagnostic],
    rejected: Mapping[Diagnostic, str] | None = None,
) -> FilePlan:
    """Plan the fixes of a ``.py`` file from its bytes (as read now; compared to the scan)."""
    try:
        source = decode_source(data)
    except SourceDecodeError as exc:
        return FilePlan(
            FileFix(
                path,
                FixStatus.REFUSED,
                refused=tuple(Refusal(d, str(exc)) for d in diagnostics),
                reason=str(exc),
            ),
            (),
        )
    text = source.text
    groups, refused, stale = _prepare(text, diagnostics, None, rejected or {})
    if stale:
        # Part of the file is not what the scan read: no edit of it can be trusted.
        refused = [Refusal(d, "the file changed since it was scanned") for d in diagnostics]
        reason = "the file changed since it was scanned; run fix again"
        return FilePlan(
            FileFix(path, FixStatus.CHANGED_SINCE_SCAN, refused=tuple(refused), reason=reason), ()
        )
    ok, more = _accept(text, text, groups)
    refused.extend(more)
    edits = _distinct(ok)
    if not edits:
        return FilePlan(FileFix(path, _status(False, refused, stale), refused=tuple(refused)), ())
    new_text = apply_edits(text, edits)
    try:
        new_data = encode_edits(source, edits)
    except (SourceDecodeError, EditError) as exc:
        refused.extend(Refusal(g.diagnostic, str(exc)) for g in ok)
        return FilePlan(
            FileFix(path, FixStatus.REFUSED, refused=tuple(refused), reason=str(exc)), ()
        )
    fix = FileFix(
        path,
        FixStatus.CHANGED,
        edits=tuple(_applied(text, ok, edits, None)),
        refused=tuple(refused),
        diff=unified_diff(text, new_text, path),
        new_data=new_data,
    )
    return FilePlan(fix, tuple(_checks(text, new_text, ok, edits)))


def plan_notebook(
    path: str,
    data: bytes,
    diagnostics: Sequence[Diagnostic],
    rejected: Mapping[Diagnostic, str] | None = None,
) -> FilePlan:
    """Plan the fixes of a notebook: only the ``source`` of edited code cells changes."""
    try:
        cells = read_cells(data)
    except NotebookError as exc:
        unread = tuple(Refusal(d, str(exc)) for d in diagnostics)
        return FilePlan(FileFix(path, FixStatus.REFUSED, refused=unread, reason=str(exc)), ())
    by_cell: dict[int, list[Diagnostic]] = {}
    refused: list[Refusal] = []
    for diagnostic in diagnostics:
        n = diagnostic.location.cell
        if n is None or not 0 <= n < len(cells) or cells[n].cell_type != "code":
            refused.append(Refusal(diagnostic, f"cell {n} is not a code cell of this notebook"))
        else:
            by_cell.setdefault(n, []).append(diagnostic)
    applied: list[AppliedEdit] = []
    checks: list[LineCheck] = []
    cell_edits: list[CellEdit] = []
    changes: list[CellChange] = []
    stale = False
    for n, found in sorted(by_cell.items()):
        source = cells[n].source
        masked = mask_magics(source)
        groups, more, stale_cell = _prepare(source, found, n, rejected or {})
        stale = stale or stale_cell
        refused.extend(more)
        ok, more = _accept(source, masked, groups)
        refused.extend(more)
        edits = _distinct(ok)
        if not edits:
            continue
        applied.extend(_applied(source, ok, edits, n))
        checks.extend(_checks(masked, apply_edits(masked, edits), ok, edits))
        cell_edits.append(CellEdit(n, edits))
        changes.append(CellChange(n, source, apply_edits(source, edits)))
    if stale:
        refused = [Refusal(d, "the file changed since it was scanned") for d in diagnostics]
        reason = "the file changed since it was scanned; run fix again"
        return FilePlan(
            FileFix(path, FixStatus.CHANGED_SINCE_SCAN, refused=tuple(refused), reason=reason), ()
        )
    if not cell_edits:
        return FilePlan(FileFix(path, _status(False, refused, False), refused=tuple(refused)), ())
    try:
        new_data = splice_notebook(data, cell_edits)
    except NotebookError as exc:
        refused.extend(Refusal(d, str(exc)) for e in applied for d in e.diagnostics)
        return FilePlan(
            FileFix(path, FixStatus.REFUSED, refused=tuple(refused), reason=str(exc)), ()
        )
    fix = FileFix(
        path,
        FixStatus.CHANGED,
        edits=tuple(applied),
        refused=tuple(refused),
        diff=notebook_diff(path, [(c.cell, c.old_source, c.new_source) for c in changes]),
        new_data=new_data,
        cells=tuple(changes),
    )
    return FilePlan(fix, tuple(checks))


def plan_file(
    path: str,
    data: bytes,
    diagnostics: Sequence[Diagnostic],
    rejected: Mapping[Diagnostic, str] | None = None,
) -> FilePlan:
    """:func:`plan_notebook` for notebooks (or cell diagnostics), else :func:`plan_python`."""
    notebook = path.endswith(".ipynb") or any(d.location.cell is not None for d in diagnostics)
    return (plan_notebook if notebook else plan_python)(path, data, diagnostics, rejected)
