"""Byte-exact round trip of .py files: only the edited spans' bytes change."""

from __future__ import annotations

import ast

import pytest

from kerasdoctor.fix.edits import FromImportRewrite, NameMove, Span, TextEdit
from kerasdoctor.fix.rewrite import rewrite_source
from kerasdoctor.fix.textio import SourceDecodeError, decode_source, encode_edits

BOM = b"\xef\xbb\xbf"

FILES = [
    pytest.param(b"from keras.layers import Dense, Conv2D\nx = 1\n", id="lf"),
    pytest.param(b"from keras.layers import Dense, Conv2D\r\nx = 1\r\n", id="crlf"),
    pytest.param(b"# a\r\nfrom keras.layers import Dense, Conv2D\nx = 1\r\n", id="mixed"),
    pytest.param(b"from keras.layers import Dense, Conv2D\nx = 1", id="no-final-newline"),
    pytest.param(BOM + b"from keras.layers import Dense, Conv2D\n# \xc3\xa9\n", id="bom"),
    pytest.param(
        b"# -*- coding: latin-1 -*-\r\n# caf\xe9\r\nfrom keras.layers import Dense, Conv2D\r\n"
        b"s = '\xe9'\r\n",
        id="latin1-cookie-crlf",
    ),
    pytest.param(
        b"if 1:\n\tfrom keras.layers import Dense, Conv2D  # \xe2\x9c\x93\n\tx = 1\n", id="tabs"
    ),
]


@pytest.mark.parametrize("data", FILES)
def test_only_the_statement_bytes_change(data: bytes) -> None:
    source = decode_source(data)
    node = next(n for n in ast.walk(ast.parse(source.text)) if isinstance(n, ast.ImportFrom))
    result = rewrite_source(
        source.text,
        [FromImportRewrite(Span.of(node), "keras.layers", (NameMove("Conv2D", None, "m2"),))],
    )
    edits = [p.edit for p in result.applied]
    assert len(edits) == 1
    new = encode_edits(source, edits)
    statement = b"from keras.layers import Dense, Conv2D"
    at = data.index(statement)
    assert new[:at] == data[:at]
    tail = data[at + len(statement) :]
    assert new.endswith(tail)
    middle = new[at : len(new) - len(tail)]
    newline = b"\r\n" if data[at:].split(b"\n")[0].endswith(b"\r") else b"\n"
    indent = data[data.rfind(b"\n", 0, at) + 1 : at].removeprefix(BOM)
    assert middle == b"from keras.layers import Dense" + newline + indent + b"from m2 import Conv2D"
    assert decode_source(new).encoding == source.encoding
    assert decode_source(new).bom == source.bom


def test_decode_follows_python() -> None:
    latin = decode_source(b"# coding: latin-1\nx = '\xe9'\n")
    assert latin.encoding == "iso-8859-1"
    assert latin.text.endswith("'\u00e9'\n")
    bom = decode_source(BOM + b"x = 1\r\n")
    assert (bom.bom, bom.text) == (True, "x = 1\r\n")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param(b"x = 1\ny = 2\nz = '\xff'\n", "cannot decode as utf-8", id="bad-utf8"),
        pytest.param(b"# coding: nope-42\nx = 1\n", "cannot detect the encoding", id="bad-cookie"),
        pytest.param(
            BOM + b"# coding: latin-1\n", "cannot detect the encoding", id="bom-vs-cookie"
        ),
    ],
)
def test_undecodable_files_are_refused(data: bytes, reason: str) -> None:
    with pytest.raises(SourceDecodeError, match=reason):
        decode_source(data)


def test_new_text_that_the_encoding_cannot_hold_is_refused() -> None:
    source = decode_source(b"# coding: latin-1\nimport keras\n")
    start = source.text.index("keras")
    with pytest.raises(SourceDecodeError, match="cannot be written"):
        encode_edits(source, [TextEdit(start, start + 5, "k\u0113ras")])
