"""Plain-text output built row by row, with colour only when asked for (ANSI codes).

Prose rows are wrapped at spaces (:func:`kerasdoctor.render.paste.wrap`); rows that are
pasted (import lines, shell commands) are kept whole at any width. Used by the ``check``
view in :mod:`kerasdoctor.render.table`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kerasdoctor.models import (
    Severity,
)
from kerasdoctor.render.paste import wrap

_MARK = {
    Severity.ERROR: ("✗", "bold red"),
    Severity.WARNING: ("!", "bold yellow"),
    Severity.INFO: ("i", "cyan"),
}

_SGR = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}


@dataclass
class _Out:
    """Rows of text; prose rows are wrapped, paste rows are kept whole."""

    width: int
    color: bool
    rows: list[str] = field(default_factory=list)

    def _paint(self, text: str, style: str) -> str:
        if not self.color or not style or not text:
            return text
        codes_ = ";".join(_SGR[s] for s in style.split() if s in _SGR)
        return f"\x1b[{codes_}m{text}\x1b[0m" if codes_ else text

    def prose(self, text: str, style: str = "", indent: str = "", first: str | None = None) -> None:
        for row in wrap(text, self.width, indent, first):
            self.rows.append(self._paint(row, style))

    def whole(self, text: str, style: str = "") -> None:
        """A row that is pasted: never wrapped, whatever the width."""
        self.rows.append(self._paint(text, style))

    def blank(self) -> None:
        if self.rows and self.rows[-1] != "":
            self.rows.append("")

    def text(self) -> str:
        while self.rows and self.rows[-1] == "":
            self.rows.pop()
        return "\n".join(self.rows) + "\n"
