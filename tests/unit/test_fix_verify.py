"""The verifier catches every change outside the edited statements, and only those."""

from __future__ import annotations

from kerasdoctor.fix.edits import TextEdit, apply_edits
from kerasdoctor.fix.verify import ast_equal_outside, new_ranges, verify_edits

SOURCE = (
    "from keras.layers import Dense, Conv2D\n"
    "if True:\n"
    "    x = Dense(3)\n"
    "y = tf.keras.layers.Dense(4)\n"
)
IMPORT = TextEdit(0, SOURCE.index("\n"), "from a import Dense\nfrom b import Conv2D")


def test_a_split_import_verifies() -> None:
    new = apply_edits(SOURCE, [IMPORT])
    assert verify_edits(SOURCE, new, [IMPORT]) is None


def test_a_chain_edit_verifies() -> None:
    start = SOURCE.index("tf.keras")
    chain = TextEdit(start, start + len("tf.keras.layers.Dense"), "keras.layers.Dense")
    new = apply_edits(SOURCE, [IMPORT, chain])
    assert verify_edits(SOURCE, new, [IMPORT, chain]) is None


def test_a_change_outside_the_edits_is_caught_by_the_tree() -> None:
    new = apply_edits(SOURCE, [IMPORT]).replace("Dense(3)", "Dense(5)")
    pairs = new_ranges([IMPORT])
    # Ranges claim only the import changed; the tree comparison must see the other change.
    reason = ast_equal_outside(SOURCE, new, [o for o, _ in pairs], [n for _, n in pairs])
    assert reason == "the rewritten text's syntax tree differs outside the edited statements"


def test_a_dedent_caused_by_an_edit_is_caught() -> None:
    # An edit whose text ends the `if` block early: the next line moves out of the block.
    start = SOURCE.index("    x = Dense")
    edit = TextEdit(start, start + 4, "    pass\n")
    new = apply_edits(SOURCE, [edit])
    assert verify_edits(SOURCE, new, [edit]) is not None


def test_text_that_is_not_the_edits_applied_is_caught() -> None:
    new = apply_edits(SOURCE, [IMPORT]) + "# extra\n"
    assert verify_edits(SOURCE, new, [IMPORT]) == (
        "the rewritten text changes characters outside the edits"
    )


def test_an_edit_that_breaks_the_syntax_is_caught() -> None:
    edit = TextEdit(0, SOURCE.index("\n"), "from a import (Dense")
    reason = verify_edits(SOURCE, apply_edits(SOURCE, [edit]), [edit])
    assert reason is not None
    assert reason.startswith("the rewritten text does not parse")


def test_feature_version_is_the_originals() -> None:
    source = "import keras\nmatch = 1\n"
    edit = TextEdit(0, len("import keras"), "import keras as k")
    new = apply_edits(source, [edit])
    assert verify_edits(source, new, [edit], feature_version=(3, 9)) is None
    walrus = TextEdit(0, len("import keras"), "import keras\nif (n := 1): pass")
    reason = verify_edits(source, apply_edits(source, [walrus]), [walrus], feature_version=(3, 7))
    assert reason is not None
    assert "does not parse" in reason
