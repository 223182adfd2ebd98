"""Diffs for display: exact text for small cases, CRLF shown as plain lines, cell labels."""

from __future__ import annotations

from kerasdoctor.fix.diff import notebook_diff, unified_diff


def test_unified_diff_of_a_split_import() -> None:
    old = "import os\r\nfrom keras.layers import Dense, Conv2D\r\nx = 1\r\n"
    new = "import os\r\nfrom keras.layers import Dense\r\nfrom m2 import Conv2D\r\nx = 1\r\n"
    assert unified_diff(old, new, "src/model.py") == (
        "--- src/model.py\n"
        "+++ src/model.py\n"
        "@@ -1,3 +1,4 @@\n"
        " import os\n"
        "-from keras.layers import Dense, Conv2D\n"
        "+from keras.layers import Dense\n"
        "+from m2 import Conv2D\n"
        " x = 1\n"
    )


def test_no_change_is_an_empty_diff() -> None:
    assert unified_diff("a\n", "a\n", "a.py") == ""


def test_missing_final_newline_is_marked() -> None:
    diff = unified_diff("import keras", "import keras as k", "a.py")
    assert diff.splitlines() == [
        "--- a.py",
        "+++ a.py",
        "@@ -1 +1 @@",
        "-import keras",
        "\\ No newline at end of file",
        "+import keras as k",
        "\\ No newline at end of file",
    ]


def test_notebook_diff_labels_cells() -> None:
    diff = notebook_diff(
        "nb.ipynb",
        [(0, "x = 1\n", "x = 1\n"), (3, "from a import b\n", "from c import b\n")],
    )
    assert diff == (
        "--- nb.ipynb:cell 3\n"
        "+++ nb.ipynb:cell 3\n"
        "@@ -1 +1 @@\n"
        "-from a import b\n"
        "+from c import b\n"
    )
