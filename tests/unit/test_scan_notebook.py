"""Notebooks: code cells in order, IPython magics masked without moving lines, bad cells."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kerasdoctor.scan import FileKind, FileResult, FileStatus, extract_bytes
from kerasdoctor.scan.notebook import mask_magics


def _notebook(*cells: tuple[str, Any], **metadata: Any) -> bytes:
    document = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": metadata,
        "cells": [
            {"cell_type": kind, "metadata": {}, "source": source}
            | ({"outputs": [], "execution_count": None} if kind == "code" else {})
            for kind, source in cells
        ],
    }
    return json.dumps(document, indent=1).encode()


def _extract(data: bytes) -> FileResult:
    return extract_bytes("n.ipynb", FileKind.NOTEBOOK, data)


def test_cells_in_order_with_cell_index_counting_markdown() -> None:
    data = _notebook(
        ("markdown", "# Title\nimport keras is prose here"),
        ("code", ["import tensorflow as tf\n", "from tensorflow import keras\n"]),
        ("raw", "import keras"),
        ("code", "x = 1\nmodel = tf.keras.models.Sequential()"),
    )
    result = _extract(data)
    assert result.status is FileStatus.OK
    assert [(r.line_text, r.span.cell, r.span.line) for r in result.imports] == [
        ("import tensorflow as tf", 1, 1),
        ("from tensorflow import keras", 1, 2),
    ]
    # The name imported in cell 1 resolves in cell 3: one kernel namespace.
    assert [(c.path, c.span.cell, c.span.line, c.span.column) for c in result.chains] == [
        ("tensorflow.keras.models.Sequential", 3, 2, 9)
    ]


@pytest.mark.parametrize("as_list", [True, False], ids=["source-list", "source-string"])
def test_magics_are_masked_and_line_numbers_kept(as_list: bool) -> None:
    lines = [
        "%matplotlib inline\n",
        "!pip install keras==2.3.1 \\\n",
        "    tensorflow\n",
        "files = !ls\n",
        "keras?\n",
        "for i in range(2):\n",
        "    %time x = 1\n",
        "from keras.layers import Dense  # after the magics\n",
        "x = %env HOME\n",
    ]
    source: Any = lines if as_list else "".join(lines)
    result = _extract(_notebook(("code", source)))
    assert result.cell_problems == ()
    (record,) = result.imports
    assert (record.span.cell, record.span.line, record.span.column) == (0, 8, 1)
    assert record.text == "from keras.layers import Dense"
    text = "".join(lines)
    assert text[record.span.start : record.span.end] == record.text


def test_mask_keeps_lines_and_indentation() -> None:
    masked, numbers = mask_magics("if x:\n    !ls\nout = %who\n# %not a magic\r\nimport keras")
    assert masked == "if x:\n    pass\nout = None\n# %not a magic\r\nimport keras"
    assert numbers == (2, 3)


def test_a_plain_cell_is_never_masked() -> None:
    # `%` at the start of a continuation line is Python here; masking would break it.
    source = "import keras\nx = (7\n% 3)\nkeras.layers.Dense\n"
    result = _extract(_notebook(("code", source)))
    assert result.cell_problems == ()
    assert [c.path for c in result.chains] == ["keras.layers.Dense"]


def test_cell_magics() -> None:
    data = _notebook(
        ("code", "%%bash\nimport keras\n"),
        ("code", "%%timeit -n 1\nfrom keras import layers\n"),
        ("code", "%%capture out\nimport tf_keras\n"),
        ("code", "%%writefile model.py\nimport keras_core\n"),
    )
    result = _extract(data)
    assert [(r.module, r.span.cell, r.span.line) for r in result.imports] == [
        ("keras", 1, 2),
        ("tf_keras", 2, 2),
    ]
    assert [(p.cell, p.status, p.reason) for p in result.cell_problems] == [
        (0, FileStatus.SKIPPED, "cell magic %%bash: not Python"),
        (3, FileStatus.SKIPPED, "cell magic %%writefile: not Python"),
    ]


def test_a_cell_that_does_not_parse_is_reported_and_the_others_read() -> None:
    data = _notebook(
        ("code", 'print "python 2"\nimport keras'),
        ("markdown", "text"),
        ("code", "from keras.layers import Dense"),
        ("code", ["import keras", 3]),
    )
    result = _extract(data)
    assert result.status is FileStatus.OK
    assert [r.line_text for r in result.imports] == ["from keras.layers import Dense"]
    problems = [(p.cell, p.status) for p in result.cell_problems]
    assert problems == [(0, FileStatus.UNPARSABLE), (3, FileStatus.UNPARSABLE)]
    assert "line 1" in result.cell_problems[0].reason


@pytest.mark.parametrize(
    ("data", "status", "fragment"),
    [
        pytest.param(b'{"cells": [', FileStatus.UNPARSABLE, "not valid JSON", id="truncated"),
        pytest.param(b"\x00\x01binary", FileStatus.UNPARSABLE, "not valid JSON", id="binary"),
        pytest.param(b"[1, 2]", FileStatus.UNPARSABLE, "not an object", id="not-object"),
        pytest.param(b'{"metadata": {}}', FileStatus.UNPARSABLE, "no `cells`", id="no-cells"),
        pytest.param(
            b'{"worksheets": [{"cells": []}], "nbformat": 3}',
            FileStatus.SKIPPED,
            "nbformat 3",
            id="nbformat3",
        ),
        pytest.param(
            _notebook(("code", "library(keras)"), kernelspec={"language": "R"}),
            FileStatus.SKIPPED,
            "language: R",
            id="r-notebook",
        ),
    ],
)
def test_notebooks_that_cannot_be_read(data: bytes, status: FileStatus, fragment: str) -> None:
    result = _extract(data)
    assert result.status is status
    assert fragment in result.reason
