"""Coloured terminal text (the SGR codes kerasdoctor's views write) as HTML, and as plain text.

The notebook magic runs the command line with colour on and shows its output as HTML: the
marks keep their colours and the text stays preformatted, so import lines and commands are
never wrapped. Codes other than the ones the views use are dropped, never shown raw.
"""

from __future__ import annotations

import re
from html import escape

__all__ = ["strip", "to_html"]

_SGR = re.compile(r"\x1b\[([0-9;]*)m")
#: Any other escape sequence (cursor moves, erasing a line): never shown.
_OTHER = re.compile(r"\x1b\[[0-9;?]*[A-Za-ln-z]|\r")

_STYLES = {
    "1": "font-weight: bold",
    "2": "opacity: 0.7",
    "31": "color: #cf222e",
    "32": "color: #1a7f37",
    "33": "color: #9a6700",
    "36": "color: #0969da",
}
_PRE = "white-space: pre; font-family: monospace; line-height: 1.35"


def strip(text: str) -> str:
    """``text`` without escape sequences."""
    return _SGR.sub("", _OTHER.sub("", text))


def to_html(text: str) -> str:
    """``text`` as a ``<pre>`` block whose coloured runs are ``<span>`` elements."""
    pieces: list[str] = []
    active: list[str] = []
    position = 0
    text = _OTHER.sub("", text)
    for match in _SGR.finditer(text):
        pieces.append(_run(text[position : match.start()], active))
        for code in (match.group(1) or "0").split(";"):
            if code in ("", "0"):
                active = []
            elif code in _STYLES and _STYLES[code] not in active:
                active.append(_STYLES[code])
        position = match.end()
    pieces.append(_run(text[position:], active))
    return f'<pre style="{_PRE}">{"".join(pieces)}</pre>'


def _run(text: str, styles: list[str]) -> str:
    if not text:
        return ""
    if not styles:
        return escape(text)
    return f'<span style="{"; ".join(styles)}">{escape(text)}</span>'
