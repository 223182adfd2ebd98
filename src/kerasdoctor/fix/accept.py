"""Which diagnostics a fix tries, and the conversion and acceptance of their edits.

:func:`select` picks the fixable diagnostics (unsafe ones only when asked); the helpers turn a
diagnostic's scan-coordinate edits into offset edits, merge identical ones and refuse those
that conflict or do not verify (:func:`kerasdoctor.fix.verify.verify_edits`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kerasdoctor.fix.edits import EditError, LineIndex, TextEdit, apply_edits
from kerasdoctor.fix.report import Refusal
from kerasdoctor.fix.verify import verify_edits
from kerasdoctor.scan.diagnostics import Applicability, Diagnostic, ScanReport

UNSAFE_REASON = "unsafe fix (it changes the Keras implementation): run with --unsafe-fixes"


def select(
    report: ScanReport, *, unsafe: bool
) -> tuple[tuple[Diagnostic, ...], tuple[Refusal, ...]]:
    """The diagnostics ``fix`` will try, and why each other one with a replacement is not tried.

    A diagnostic without any ``fix`` stays a diagnostic with no reason here (its message
    already says what to do).
    """
    chosen: list[Diagnostic] = []
    skipped: list[Refusal] = []
    for diagnostic in report.diagnostics:
        fix = diagnostic.fix
        if fix is None:
            continue
        if not fix.edits:
            skipped.append(Refusal(diagnostic, fix.note or "no edit is known for this line"))
        elif fix.applicability is Applicability.UNSAFE and not unsafe:
            skipped.append(Refusal(diagnostic, UNSAFE_REASON))
        else:
            chosen.append(diagnostic)
    return tuple(chosen), tuple(skipped)


@dataclass(frozen=True)
class _Group:
    """The edits of one diagnostic, converted to offsets of the text they apply to."""

    diagnostic: Diagnostic
    cell: int | None
    edits: tuple[TextEdit, ...]


def _offset(index: LineIndex, line: int, column: int) -> int:
    if not 1 <= line <= len(index.starts):
        raise EditError(f"line {line} is outside the text")
    start = index.starts[line - 1]
    stop = index.starts[line] if line < len(index.starts) else len(index.text)
    if not 1 <= column <= stop - start + 1:
        raise EditError(f"column {column} is outside line {line}")
    return start + column - 1


def _location_text(text: str, diagnostic: Diagnostic) -> str:
    where = diagnostic.location
    index = LineIndex(text)
    return text[
        _offset(index, where.line, where.column) : _offset(index, where.end_line, where.end_column)
    ]


def _convert(text: str, diagnostic: Diagnostic) -> tuple[TextEdit, ...]:
    assert diagnostic.fix is not None
    index = LineIndex(text)
    out = []
    for edit in diagnostic.fix.edits:
        start = _offset(index, edit.line, edit.column)
        end = _offset(index, edit.end_line, edit.end_column)
        if end < start:
            raise EditError(f"edit at line {edit.line} ends before it starts")
        if text[start:end] != edit.new_text:  # an edit that changes nothing is no edit
            out.append(TextEdit(start, end, edit.new_text))
    return tuple(out)


def _overlap(a: TextEdit, b: TextEdit) -> bool:
    if a == b:
        return False
    return (a.start < b.end and b.start < a.end) or (a.start == b.start and a.end == b.end)


def _where(diagnostic: Diagnostic) -> str:
    loc = diagnostic.location
    return f"{diagnostic.code} at line {loc.line}"


def _accept(
    text: str, parse_text: str, groups: Sequence[_Group]
) -> tuple[list[_Group], list[Refusal]]:
    """Groups whose edits verify alone, do not conflict, and verify all together.

    ``parse_text`` is the text that is parsed (a notebook cell with its magics blanked); the
    edits must not touch what differs between the two.
    """
    refused: list[Refusal] = []
    ok: list[_Group] = []
    for group in groups:
        clash = next(
            (
                other
                for other in groups
                if other is not group
                and any(_overlap(a, b) for a in group.edits for b in other.edits)
            ),
            None,
        )
        if clash is not None:
            refused.append(
                Refusal(
                    group.diagnostic,
                    f"its edit conflicts with the fix of {_where(clash.diagnostic)}",
                )
            )
            continue
        if any(parse_text[e.start : e.end] != text[e.start : e.end] for e in group.edits):
            refused.append(Refusal(group.diagnostic, "the statement touches an IPython magic"))
            continue
        try:
            alone = apply_edits(parse_text, group.edits)
        except EditError as exc:
            refused.append(Refusal(group.diagnostic, f"the edits cannot be applied: {exc}"))
            continue
        reason = verify_edits(parse_text, alone, group.edits)
        if reason is not None:
            refused.append(Refusal(group.diagnostic, reason))
            continue
        ok.append(group)
    edits = _distinct(ok)
    if edits:
        together = verify_edits(parse_text, apply_edits(parse_text, edits), edits)
        if together is not None:
            refused.extend(Refusal(g.diagnostic, together) for g in ok)
            ok = []
    return ok, refused


def _distinct(groups: Iterable[_Group]) -> tuple[TextEdit, ...]:
    seen: dict[TextEdit, None] = {}
    for group in groups:
        for edit in group.edits:
            seen.setdefault(edit, None)
    return tuple(sorted(seen, key=lambda e: (e.start, e.end)))
