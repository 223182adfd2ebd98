"""Unified diffs of what ``fix`` would change, for display (renderers return strings).

Lines are compared with their endings stripped and printed with ``\\n``, so a CRLF file reads
like any other; a missing final newline is marked the way ``diff`` marks it. Notebooks are
shown per edited cell, labelled ``path:cell N`` (N is the 0-based index into ``cells``, the
same number scan's JSON reports), since a diff of the raw JSON is unreadable.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

_NO_NEWLINE = "\\ No newline at end of file"


def _lines(text: str) -> list[str]:
    return text.splitlines() if text else []


def unified_diff(old: str, new: str, path: str, *, context: int = 3) -> str:
    """``--- path`` / ``+++ path`` diff of two texts; empty when they are equal."""
    if old == new:
        return ""
    return _diff(old, new, path, path, context)


def _diff(old: str, new: str, from_label: str, to_label: str, context: int) -> str:
    old_lines, new_lines = _lines(old), _lines(new)
    out: list[str] = []
    last_old, last_new = len(old_lines) - 1, len(new_lines) - 1
    old_missing_nl = bool(old) and not old.endswith(("\n", "\r"))
    new_missing_nl = bool(new) and not new.endswith(("\n", "\r"))
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    groups: Iterable[Sequence[tuple[str, int, int, int, int]]] = matcher.get_grouped_opcodes(
        context
    )
    for group in groups:
        if not out:
            out += [f"--- {from_label}", f"+++ {to_label}"]
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        out.append(f"@@ -{_range(i1, i2)} +{_range(j1, j2)} @@")
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                for i in range(a1, a2):
                    out.append(" " + old_lines[i])
                    if i == last_old and old_missing_nl != new_missing_nl:
                        out.append(_NO_NEWLINE)
                continue
            for i in range(a1, a2):
                out.append("-" + old_lines[i])
                if i == last_old and old_missing_nl:
                    out.append(_NO_NEWLINE)
            for j in range(b1, b2):
                out.append("+" + new_lines[j])
                if j == last_new and new_missing_nl:
                    out.append(_NO_NEWLINE)
    return "".join(line + "\n" for line in out)


def _range(start: int, stop: int) -> str:
    length = stop - start
    first = start + 1 if length else start
    return f"{first}" if length == 1 else f"{first},{length}"


def notebook_diff(path: str, cells: Sequence[tuple[int, str, str]], *, context: int = 3) -> str:
    """A diff per changed cell of ``(index, old source, new source)``, labelled by cell."""
    parts = []
    for index, old, new in cells:
        if old != new:
            label = f"{path}:cell {index}"
            parts.append(_diff(old, new, label, label, context))
    return "".join(parts)
