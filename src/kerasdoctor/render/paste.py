"""Text a user pastes: import lines in the form formatters give them, and prose that never
breaks inside a name.

Shared by the human views. What is meant to be pasted (an import line, a shell command) is
returned whole, one string per line, and the views print it without wrapping: a wrapped
command runs its tail as a second command. Prose is wrapped at spaces only; a word longer
than the width (a dotted module, a path) is folded after a dot or a slash, never inside an
identifier.
"""

from __future__ import annotations

import re

#: The length past which formatters (black, ruff) put the names of an import in parentheses.
LINE_LIMIT = 88


def import_lines(module: str, names: list[str] | tuple[str, ...]) -> list[str]:
    """``from module import a, b`` as one line, or the parenthesised form past 88 characters."""
    one = f"from {module} import {', '.join(names)}"
    if len(one) <= LINE_LIMIT or len(names) < 2:
        return [one]
    return [f"from {module} import (", *(f"    {name}," for name in names), ")"]


def merged(pairs: list[tuple[str, str]]) -> list[str]:
    """Import lines for (module, name) pairs, one statement per module, in first-seen order."""
    by_module: dict[str, list[str]] = {}
    for module, name in pairs:
        names = by_module.setdefault(module, [])
        if name not in names:
            names.append(name)
    return [row for module, names in by_module.items() for row in import_lines(module, names)]


_FOLD_AFTER = re.compile(r"(?<=[./])")
#: Words, where a `quoted` import line or command counts as one word: it is never wrapped.
_WORDS = re.compile(r"\S*`[^`]*`\S*|\S+")


def _pieces(word: str, room: int) -> list[str]:
    """``word`` cut after dots and slashes into pieces of at most ``room`` (when possible)."""
    if len(word) <= room or "`" in word:
        return [word]
    parts = [p for p in _FOLD_AFTER.split(word) if p]
    pieces: list[str] = []
    current = ""
    for part in parts:
        if current and len(current) + len(part) > room:
            pieces.append(current)
            current = ""
        current += part
    if current:
        pieces.append(current)
    return pieces


def wrap(text: str, width: int, indent: str = "", first: str | None = None) -> list[str]:
    """``text`` wrapped at spaces to ``width``; the first row starts with ``first``
    (default ``indent``), the others with ``indent``. Long names fold after a dot; a
    `quoted` line is kept whole."""
    head = indent if first is None else first
    rows: list[str] = []
    current = head
    fresh = True  # nothing but the prefix on the current row yet
    for word in _WORDS.findall(text):
        prefix_len = len(current) if fresh else len(current) + 1
        if prefix_len + len(word) <= width:
            current = current + word if fresh else f"{current} {word}"
            fresh = False
            continue
        if not fresh:
            rows.append(current)
            current, fresh = indent, True
        room = max(20, width - len(current))
        pieces = _pieces(word, room)
        for piece in pieces[:-1]:
            rows.append(current + piece)
            current = indent
        current += pieces[-1]
        fresh = False
    rows.append(current)
    return [row.rstrip() for row in rows]
