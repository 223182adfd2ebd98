"""Which diagnostics the user asked not to see: ``# noqa`` comments, ``--select``/``--ignore``.

``# noqa`` on the first or the last line of a statement (or chain) suppresses every
diagnostic on it; ``# noqa: KD501, KD503`` only those codes (ruff's syntax, so one comment
serves both tools when ruff is told the codes are external: ``lint.external = ["KD"]``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from kerasdoctor import codes
from kerasdoctor.scan.diagnostics import Diagnostic

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Za-z0-9_\-]+(?:[\s,]+[A-Za-z0-9_\-]+)*))?", re.I)


def noqa_codes(line: str) -> frozenset[str] | None:
    """The codes a line's ``# noqa`` names (empty: all), or None without one."""
    match = _NOQA.search(line)
    if match is None:
        return None
    listed = match.group("codes")
    if not listed:
        return frozenset()
    return frozenset(part.upper() for part in re.split(r"[\s,]+", listed) if part)


def suppressed(diagnostic: Diagnostic, texts: Mapping[tuple[str, int | None], str]) -> bool:
    """Whether a ``# noqa`` on the diagnostic's first or last line covers it."""
    loc = diagnostic.location
    text = texts.get((loc.path, loc.cell))
    if text is None:
        return False
    lines = text.splitlines()
    for number in {loc.line, loc.end_line}:
        if 1 <= number <= len(lines):
            found = noqa_codes(lines[number - 1])
            if found is not None and (not found or diagnostic.code in found):
                return True
    return False


def resolve_codes(texts: Iterable[str]) -> frozenset[str]:
    """Codes or slugs as typed, as registered codes (UsageError for anything unknown)."""
    return frozenset(codes.lookup(text).code for text in texts)


def keep(
    diagnostics: Iterable[Diagnostic],
    texts: Mapping[tuple[str, int | None], str],
    select: frozenset[str] = frozenset(),
    ignore: frozenset[str] = frozenset(),
) -> tuple[Diagnostic, ...]:
    """The diagnostics left after ``# noqa``, ``select`` (if any) and ``ignore``."""
    return tuple(
        d
        for d in diagnostics
        if (not select or d.code in select) and d.code not in ignore and not suppressed(d, texts)
    )
