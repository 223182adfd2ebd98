"""Documented replacements for Keras symbols that no installed implementation provides any more.

Kept as data (``data/replacements.json``) so that the table grows without code: each entry
matches a question by its symbol or by a module prefix and says what to use instead, or
that nothing replaces it (``replacement`` null). Read by the scan judge for KD505.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Replacement:
    """What replaces a removed symbol or module, and why (from the Keras release notes)."""

    symbols: tuple[str, ...]
    modules: tuple[str, ...]
    replacement: str | None
    note: str

    def matches(self, symbol: str | None, path: str) -> bool:
        """True for ``symbol`` in the entry, or ``path`` at or under one of its modules."""
        if symbol is not None and symbol in self.symbols:
            return True
        return any(path == m or path.startswith(m + ".") for m in self.modules)


@functools.lru_cache(maxsize=1)
def table() -> tuple[Replacement, ...]:
    """The packaged table, read once per process."""
    raw = resources.files("kerasdoctor.catalogue").joinpath("data/replacements.json")
    data = json.loads(raw.read_text("utf-8"))
    if data.get("format") != 1:
        raise ValueError(f"unsupported replacements format {data.get('format')!r}")
    return tuple(
        Replacement(
            symbols=tuple(str(s) for s in entry.get("symbols", ())),
            modules=tuple(str(m) for m in entry.get("modules", ())),
            replacement=None if entry.get("replacement") is None else str(entry["replacement"]),
            note=str(entry.get("note", "")),
        )
        for entry in data["replacements"]
    )


def find(symbol: str | None, path: str) -> Replacement | None:
    """The first entry that matches ``symbol`` or the dotted ``path`` (None: no entry)."""
    for entry in table():
        if entry.matches(symbol, path):
            return entry
    return None
