"""Decode a ``.py`` file's bytes exactly as Python does, and remember how to write it back.

Python reads source as UTF-8 unless a UTF-8 byte order mark or a PEP 263 coding cookie on
one of the first two lines says otherwise (:func:`tokenize.detect_encoding` implements those
rules). The locale's encoding plays no part, so it plays none here either. Line endings are
kept as they are (no universal-newline translation), so that offsets into the decoded text
are offsets into the file, and ``fix`` can edit spans and re-encode without touching
anything else.
"""

from __future__ import annotations

import codecs
import io
import re
import tokenize
from dataclasses import dataclass

from kerasdoctor.scan.model import SourceInfo

_NEWLINE = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Decoded:
    """The decoded text of a source file and how it was encoded."""

    text: str
    info: SourceInfo


@dataclass(frozen=True)
class Undecodable:
    """Why a file could not be decoded as Python source."""

    reason: str


def first_newline(text: str) -> str:
    """The first line ending in ``text`` (``"\\r\\n"``, ``"\\n"``, ``"\\r"``), or ``""``."""
    match = _NEWLINE.search(text)
    return match.group() if match else ""


def decode_source(data: bytes) -> Decoded | Undecodable:
    """Decode source bytes as the interpreter would, or say why they cannot be.

    A NUL byte makes a file undecodable: the interpreter refuses such source, and it is the
    mark of a binary file named ``*.py``.
    """
    nul = data.find(b"\x00")
    if nul != -1:
        return Undecodable(f"contains a NUL byte at offset {nul}: not Python source")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        # An unknown codec in the cookie, or a cookie that contradicts the BOM.
        return Undecodable(str(exc.msg if hasattr(exc, "msg") else exc))
    bom = encoding == "utf-8-sig"
    codec = "utf-8" if bom else codecs.lookup(encoding).name
    body = data[len(codecs.BOM_UTF8) :] if bom and data.startswith(codecs.BOM_UTF8) else data
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        line = body.count(b"\n", 0, exc.start) + 1
        return Undecodable(
            f"not valid {codec} (line {line}, byte 0x{body[exc.start]:02x});"
            " add a coding cookie or re-save the file as UTF-8"
        )
    except LookupError as exc:  # pragma: no cover - detect_encoding already looked it up
        return Undecodable(str(exc))
    roundtrips = _encodes_back(text, codec, bom, data)
    return Decoded(text, SourceInfo(codec, bom, first_newline(text), roundtrips))


def _encodes_back(text: str, codec: str, bom: bool, data: bytes) -> bool:
    try:
        again = text.encode(codec)
    except UnicodeEncodeError:
        return False
    return ((codecs.BOM_UTF8 if bom else b"") + again) == data


def encode_source(text: str, info: SourceInfo) -> bytes:
    """The bytes of ``text`` written the way the original file was (codec and BOM)."""
    return (codecs.BOM_UTF8 if info.bom else b"") + text.encode(info.encoding)


def line_starts(text: str) -> list[int]:
    """0-based offsets at which each line of ``text`` starts, as Python counts lines.

    Only ``\\r\\n``, ``\\r`` and ``\\n`` end a line for the tokenizer; ``str.splitlines``
    also splits on form feeds and Unicode separators, which would shift every line after.
    """
    starts = [0]
    starts.extend(m.end() for m in _NEWLINE.finditer(text))
    return starts


def syntax_reason(exc: BaseException, line_offset: int = 0) -> str:
    """One line describing why ``ast.parse`` refused the text."""
    if isinstance(exc, SyntaxError):
        where: str | None = None
        if exc.lineno is not None:
            where = f"line {exc.lineno + line_offset}"
            if exc.offset:
                where += f", column {exc.offset}"
        kind = type(exc).__name__
        return f"{kind}: {exc.msg}" + (f" ({where})" if where else "")
    if isinstance(exc, RecursionError):
        return "too deeply nested to parse"
    return f"{type(exc).__name__}: {exc}"
