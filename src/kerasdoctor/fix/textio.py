"""Byte-exact round trip of a ``.py`` file: decode as Python does, splice edits back in.

The file is decoded with the encoding Python itself would use (:func:`tokenize.detect_encoding`:
a coding cookie, a UTF-8 BOM, else UTF-8) and without translating line endings, so CRLF, LF,
mixed endings, tabs and a missing final newline are all part of the text. Writing back never
re-encodes the whole text: the bytes between edits are copied from the original data, and only
each edit's new text is encoded, so nothing outside the edited spans can change.
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass

from kerasdoctor.fix.edits import EditError, TextEdit, apply_edits

_BOM = b"\xef\xbb\xbf"


class SourceDecodeError(ValueError):
    """The bytes are not a Python source file kerasdoctor can rewrite (the reason is the text)."""


@dataclass(frozen=True)
class DecodedSource:
    """A file's original bytes, its text (BOM removed, line endings as they are), its codec."""

    data: bytes
    text: str
    encoding: str  # the codec name tokenize reports ("utf-8", "iso-8859-1", ...)
    bom: bool


def decode_source(data: bytes) -> DecodedSource:
    """Decode ``data`` as Python would; refuse what would not survive a round trip."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise SourceDecodeError(f"cannot detect the encoding: {exc.msg}") from None
    bom = encoding == "utf-8-sig"
    if bom:
        encoding = "utf-8"
    body = data[len(_BOM) :] if bom else data
    try:
        text = body.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise SourceDecodeError(f"cannot decode as {encoding}: {exc}") from None
    # A codec that does not map the text back to the same bytes would change bytes we never
    # meant to touch; such a file is left alone.
    if text.encode(encoding) != body:
        raise SourceDecodeError(f"{encoding} does not round-trip this file's bytes")
    return DecodedSource(data, text, encoding, bom)


def encode_edits(source: DecodedSource, edits: Sequence[TextEdit]) -> bytes:
    """The file's new bytes: original bytes between edits, each edit's text encoded.

    Raises :class:`SourceDecodeError` when an edit's text cannot be written in the file's
    encoding (a non-Latin-1 character in a Latin-1 file, say).
    """
    text = source.text
    out = bytearray(_BOM if source.bom else b"")
    position = len(out)  # in source.data
    cursor = 0  # in text
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.start < cursor:
            raise EditError("overlapping edits")
        kept = text[cursor : edit.start].encode(source.encoding)
        if source.data[position : position + len(kept)] != kept:
            raise SourceDecodeError("the text no longer matches the file's bytes")
        out += kept
        position += len(kept)
        position += len(text[edit.start : edit.end].encode(source.encoding))
        try:
            out += edit.new_text.encode(source.encoding)
        except UnicodeEncodeError as exc:
            raise SourceDecodeError(
                f"the new text cannot be written in the file's encoding {source.encoding}: {exc}"
            ) from None
        cursor = edit.end
    out += source.data[position:]
    result = bytes(out)
    # The splice must decode to exactly the edited text; anything else is a bug, not a file.
    if decode_source(result).text != apply_edits(text, edits):
        raise SourceDecodeError("the new bytes do not decode to the edited text")
    return result
