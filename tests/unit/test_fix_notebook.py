"""Notebooks in many styles: only the edited cells' ``source`` values change."""

from __future__ import annotations

import ast
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kerasdoctor.fix.edits import FromImportRewrite, NameMove, Span, TextEdit
from kerasdoctor.fix.notebook import (
    CellEdit,
    NotebookError,
    mask_magics,
    read_cells,
    rewrite_notebook,
)
from kerasdoctor.fix.rewrite import rewrite_source

CODE = "%matplotlib inline\nfrom keras.layers import Dense, Conv2D  # caf\u00e9\nmodel = Dense(3)\n"


def _notebook(*, as_list: bool) -> dict[str, Any]:
    def src(text: str) -> Any:
        return text.splitlines(keepends=True) if as_list else text

    return {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": src("# Caf\u00e9 \u2615\n")},
            {
                "cell_type": "code",
                "execution_count": 3,
                "metadata": {"tags": ["z", "a"], "collapsed": False},
                "outputs": [{"name": "stdout", "output_type": "stream", "text": ["\u00e9\n"]}],
                "source": src(CODE),
            },
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": src("import os\n"),
            },
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _fix_cell(data: bytes, index: int) -> tuple[bytes, str]:
    """Split the cell's import the way fix would (plan on masked magics, apply for real)."""
    cell = read_cells(data)[index]
    masked = mask_magics(cell.source)
    node = next(n for n in ast.walk(ast.parse(masked)) if isinstance(n, ast.ImportFrom))
    result = rewrite_source(
        masked,
        [FromImportRewrite(Span.of(node), "keras.layers", (NameMove("Conv2D", None, "m2"),))],
    )
    edits = tuple(p.edit for p in result.applied)
    assert edits
    return rewrite_notebook(data, [CellEdit(index, edits)]), cell.source


def _outside_equal(old: bytes, new: bytes) -> None:
    """Bytes before the first difference and after the last are the same, and they frame
    exactly the edited cell's source value."""
    prefix = 0
    while old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    changed_old = old[prefix : len(old) - suffix].decode()
    assert "outputs" not in changed_old
    assert "metadata" not in changed_old


STYLES = [
    pytest.param({"indent": 1, "ensure_ascii": False}, True, "\n", id="nbformat-indent1-list"),
    pytest.param({"indent": 2, "ensure_ascii": True}, True, "\n", id="indent2-ascii-list"),
    pytest.param({"indent": 4, "ensure_ascii": False}, False, "", id="indent4-string-no-nl"),
    pytest.param({"indent": "\t", "ensure_ascii": True}, True, "", id="tabs-no-final-nl"),
    pytest.param({"ensure_ascii": False}, True, "\n", id="one-line"),
    pytest.param({"indent": 1, "separators": (",", ":")}, False, "\n", id="tight-separators"),
]


@pytest.mark.parametrize(("dump", "as_list", "end"), STYLES)
def test_only_the_edited_source_changes(dump: dict[str, Any], as_list: bool, end: str) -> None:
    doc = _notebook(as_list=as_list)
    data = (json.dumps(doc, **dump) + end).encode()
    new, old_source = _fix_cell(data, 1)
    expected_source = old_source.replace(
        "from keras.layers import Dense, Conv2D  # caf\u00e9\n",
        # The statement's trailing comment stays where it was: after the last statement.
        "from keras.layers import Dense\nfrom m2 import Conv2D  # caf\u00e9\n",
    )
    assert read_cells(new)[1].source == expected_source
    new_doc = json.loads(new)
    if as_list:
        assert new_doc["cells"][1]["source"] == expected_source.splitlines(keepends=True)
    doc["cells"][1]["source"] = new_doc["cells"][1]["source"]
    assert new_doc == doc
    # Re-dumping the expected document in the same style gives exactly the new bytes: the
    # splice kept indentation, escapes, separators, key order and the final newline.
    assert new == (json.dumps(new_doc, **dump) + end).encode()
    _outside_equal(data, new)


def test_crlf_notebook_and_untouched_lines_keep_their_escapes() -> None:
    # A hand-edited notebook: CRLF, an escaped slash, \u escapes in a raw-UTF-8 file.
    data = (
        '{\r\n "cells": [\r\n  {\r\n   "cell_type": "code",\r\n   "metadata": {},\r\n'
        '   "outputs": [],\r\n   "source": [\r\n    "# a\\/b \\u00e9\\n",\r\n'
        '    "from keras.layers import Dense, Conv2D\\n",\r\n    "x = 1"\r\n   ]\r\n  }\r\n'
        ' ],\r\n "metadata": {"t": "\u00e9"},\r\n "nbformat": 4,\r\n "nbformat_minor": 5\r\n}'
    ).encode()
    new, _ = _fix_cell(data, 0)
    assert b'"# a\\/b \\u00e9\\n",\r\n' in new
    assert (
        b'"from keras.layers import Dense\\n",\r\n    "from m2 import Conv2D\\n",\r\n    "x = 1"'
        in new
    )
    assert new.count(b"\n") == new.count(b"\r\n")


def test_empty_source_list_takes_the_file_indentation() -> None:
    doc: dict[str, Any] = {
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": []}],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    data = json.dumps(doc, indent=2).encode()
    new = rewrite_notebook(data, [CellEdit(0, (TextEdit(0, 0, "import keras\nx = 1\n"),))])
    doc["cells"][0]["source"] = ["import keras\n", "x = 1\n"]
    assert new == json.dumps(doc, indent=2).encode()


@pytest.mark.parametrize(
    ("data", "edit", "reason"),
    [
        pytest.param(
            b"{not json", CellEdit(0, (TextEdit(0, 0, "x"),)), "expected a key", id="bad-json"
        ),
        pytest.param(
            json.dumps(_notebook(as_list=True)).encode(),
            CellEdit(0, (TextEdit(0, 1, "x"),)),
            "not a code cell",
            id="markdown",
        ),
        pytest.param(
            json.dumps(_notebook(as_list=True)).encode(),
            CellEdit(9, (TextEdit(0, 1, "x"),)),
            "no cell 9",
            id="missing-cell",
        ),
        pytest.param(
            b'{"cells": 1}', CellEdit(0, (TextEdit(0, 1, "x"),)), "no list of cells", id="v3"
        ),
    ],
)
def test_bad_requests_raise_a_notebook_error(data: bytes, edit: CellEdit, reason: str) -> None:
    with pytest.raises(NotebookError, match=reason):
        rewrite_notebook(data, [edit])


def test_mask_magics_keeps_offsets() -> None:
    source = "%time x = 1\nimport keras\n!pip install \\\n  tf\nr = !ls\nkeras?\n  %load_ext a\n"
    masked = mask_magics(source)
    assert len(masked) == len(source)
    assert masked.splitlines()[1] == "import keras"
    assert masked.replace(" ", "").replace("\n", "") == "importkeras"
    assert mask_magics("%%bash\nimport keras\n").strip() == ""


@settings(max_examples=60, deadline=None)
@given(
    indent=st.sampled_from([None, 0, 1, 2, 3, 4, "\t"]),
    ensure_ascii=st.booleans(),
    as_list=st.booleans(),
    end=st.sampled_from(["", "\n", "\r\n"]),
    sort_keys=st.booleans(),
)
def test_any_style_round_trips_exactly(
    indent: int | str | None, ensure_ascii: bool, as_list: bool, end: str, sort_keys: bool
) -> None:
    dump: dict[str, Any] = {"indent": indent, "ensure_ascii": ensure_ascii, "sort_keys": sort_keys}
    doc = _notebook(as_list=as_list)
    data = (json.dumps(doc, **dump) + end).encode()
    new, _ = _fix_cell(data, 1)
    new_doc = json.loads(new)
    doc["cells"][1]["source"] = new_doc["cells"][1]["source"]
    assert new_doc == doc
    if indent != 0:  # indent=0 writes newlines without indentation: not a style worth matching
        assert new == (json.dumps(new_doc, **dump) + end).encode()
    _outside_equal(data, new)
