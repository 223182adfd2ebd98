"""The bytes-in, bytes-out pipeline for one file or notebook, on the hard cases."""

from __future__ import annotations

import ast
import json
from typing import Any

from kerasdoctor.fix.edits import ChainRewrite, FromImportRewrite, NameMove, Span, dotted
from kerasdoctor.fix.files import rewrite_notebook_file, rewrite_python_file
from kerasdoctor.fix.notebook import mask_magics

MOVE = (NameMove("Conv2D", None, "m2"),)


def _from_span(text: str) -> Span:
    return Span.of(next(n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.ImportFrom)))


def test_latin1_crlf_file_keeps_encoding_and_endings() -> None:
    data = b"# -*- coding: latin-1 -*-\r\n# \xe9\r\nfrom keras.layers import Dense, Conv2D\r\n"
    span = _from_span(data.decode("latin-1"))
    result = rewrite_python_file(data, [FromImportRewrite(span, "keras.layers", MOVE)])
    assert result.error is None
    assert result.data == (
        b"# -*- coding: latin-1 -*-\r\n# \xe9\r\n"
        b"from keras.layers import Dense\r\nfrom m2 import Conv2D\r\n"
    )
    assert result.new_text == result.data.decode("latin-1")


def test_undecodable_and_unparsable_files_come_back_unchanged() -> None:
    span = Span(1, 0, 1, 38)
    rw = FromImportRewrite(span, "keras.layers", MOVE)
    bad = b"from keras.layers import Dense, Conv2D\nx = '\xff'\n"
    result = rewrite_python_file(bad, [rw])
    assert result.data == bad
    assert result.error is not None
    assert result.refused[0].reason == result.error
    broken = b"from keras.layers import Dense, Conv2D\nprint 'x'\n"
    result = rewrite_python_file(broken, [rw])
    assert result.data == broken
    assert not result.changed
    assert result.refused[0].reason.startswith("the file does not parse")


def test_notebook_cells_with_magics_keep_them() -> None:
    cell_src = ["%load_ext autoreload\n", "from keras.layers import Dense, Conv2D\n", "!nvidia-smi"]
    chain_src = ["x = tf.keras.layers.Dense(3)\n"]
    doc: dict[str, Any] = {
        "cells": [
            {"cell_type": "code", "metadata": {}, "outputs": [], "source": cell_src},
            {"cell_type": "markdown", "metadata": {}, "source": ["hi"]},
            {"cell_type": "code", "metadata": {}, "outputs": [], "source": chain_src},
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    data = json.dumps(doc, indent=1).encode()
    first = "".join(cell_src)
    chain = next(
        n
        for n in ast.walk(ast.parse(chain_src[0]))
        if isinstance(n, ast.Attribute) and dotted(n) == "tf.keras.layers.Dense"
    )
    result = rewrite_notebook_file(
        data,
        {
            0: [FromImportRewrite(_from_span(mask_magics(first)), "keras.layers", MOVE)],
            2: [ChainRewrite(Span.of(chain), "tf.keras.layers.Dense", "keras.layers.Dense")],
            1: [ChainRewrite(Span(1, 0, 1, 2), "a.b", "c.d")],
        },
    )
    assert result.error is None
    assert [c.cell for c in result.cells] == [0, 1, 2]
    assert result.cells[1].refused[0].reason == "cell 1 is not a code cell"
    new = json.loads(result.data)
    assert new["cells"][0]["source"] == [
        "%load_ext autoreload\n",
        "from keras.layers import Dense\n",
        "from m2 import Conv2D\n",
        "!nvidia-smi",
    ]
    assert new["cells"][2]["source"] == ["x = keras.layers.Dense(3)\n"]
    doc["cells"][0]["source"] = new["cells"][0]["source"]
    doc["cells"][2]["source"] = new["cells"][2]["source"]
    assert result.data == json.dumps(doc, indent=1).encode()


def test_a_notebook_that_is_not_json_is_reported() -> None:
    result = rewrite_notebook_file(b"<html>", {0: [ChainRewrite(Span(1, 0, 1, 3), "a.b", "c.d")]})
    assert result.data == b"<html>"
    assert result.error is not None
    assert not result.changed
