"""Platform-neutral reading of a payload's pipes: bounded tails and the nonce-checked channel.

Every process layer feeds these with the bytes it reads, however it reads them (``select``
on POSIX, threads elsewhere), so the rules of what counts as an answer are written once.
"""

from __future__ import annotations

import json
from typing import Any

#: A streamed line longer than this is not ours (nothing authentic is that long): dropped.
MAX_LINE_BYTES = 1 << 20
_PREFIX = b"KDMSG "


class Tail:
    """Keeps the last ``limit`` bytes of a stream and counts the rest."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data = bytearray()
        self.dropped = 0

    def feed(self, chunk: bytes) -> None:
        self.data += chunk
        excess = len(self.data) - self.limit
        if excess > 0:
            del self.data[:excess]
            self.dropped += excess

    def text(self) -> str:
        text = self.data.decode("utf-8", errors="replace")
        if self.dropped:
            text = f"[... {self.dropped} bytes not kept ...]\n" + text
        return text


class NonceLines:
    """Splits the result pipe's bytes into lines and keeps those that carry our nonce.

    ``max_total`` bounds everything a plain run may send (beyond it nothing counts);
    ``max_line`` bounds one unfinished line of a long-lived warm process.
    """

    def __init__(self, nonce: str, *, max_total: int | None, max_line: int | None) -> None:
        self._expected = _PREFIX + nonce.encode() + b" "
        self._max_total = max_total
        self._max_line = max_line
        self._pending = b""
        self._total = 0
        self.overflow = False

    def feed(self, chunk: bytes) -> list[dict[str, Any]]:
        if self._max_total is not None:
            if self.overflow or self._total + len(chunk) > self._max_total:
                self.overflow = True
                return []
            self._total += len(chunk)
        lines = (self._pending + chunk).split(b"\n")
        self._pending = lines.pop()
        if self._max_line is not None and len(self._pending) > self._max_line:
            self._pending = b""
        return [m for m in map(self._authentic, lines) if m is not None]

    def finish(self) -> list[dict[str, Any]]:
        """The last line, if the channel ended without a newline."""
        last, self._pending = self._pending, b""
        message = None if self.overflow else self._authentic(last)
        return [] if message is None else [message]

    def _authentic(self, line: bytes) -> dict[str, Any] | None:
        # Not startswith: imported code that wrote a half line (no newline) to our descriptor
        # would otherwise glue it in front of the real answer and make us lose it.
        start = line.rfind(self._expected)
        if start < 0:
            return None
        try:
            msg = json.loads(line[start + len(self._expected) :].decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None
        return msg if isinstance(msg, dict) else None
