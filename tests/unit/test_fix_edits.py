"""Tables of (source, decision -> expected text) for the import and chain rewrites."""

from __future__ import annotations

import ast
from collections.abc import Callable

import pytest

from kerasdoctor.fix.edits import (
    ChainRewrite,
    EditError,
    FromImportRewrite,
    ModuleImportRewrite,
    NameMove,
    Rewrite,
    Span,
    TextEdit,
    apply_edits,
    dotted,
    plan_edits,
)
from kerasdoctor.fix.rewrite import rewrite_source
from kerasdoctor.fix.verify import verify_edits


def _import_span(source: str, nth: int = 0, kind: type[ast.stmt] = ast.stmt) -> Span:
    nodes = [
        n
        for n in ast.walk(ast.parse(source))
        if isinstance(n, (ast.Import, ast.ImportFrom)) and isinstance(n, kind)
    ]
    nodes.sort(key=lambda n: (n.lineno, n.col_offset))
    return Span.of(nodes[nth])


def _chain_span(source: str, chain: str, nth: int = 0) -> Span:
    nodes = [
        n
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.Attribute) and dotted(n) == chain
    ]
    nodes.sort(key=lambda n: (n.lineno, n.col_offset))
    return Span.of(nodes[nth])


def moves(module: str, *pairs: tuple[str, str | None, str]) -> Callable[[Span], Rewrite]:
    """A from-import decision: (name, asname, new module) for each moved name."""
    return lambda span: FromImportRewrite(span, module, tuple(NameMove(*p) for p in pairs))


KL = "keras.layers"
SRC = "keras.src.layers"

FROM_CASES = [
    pytest.param(
        "from keras.layers import Dense, BatchNormalization as BN\n",
        moves(KL, ("BatchNormalization", "BN", SRC)),
        "from keras.layers import Dense\nfrom keras.src.layers import BatchNormalization as BN\n",
        id="split-keeps-alias-and-order",
    ),
    pytest.param(
        "from keras.layers.normalization import (  # why\n"
        "    BatchNormalization,  # bn\n"
        "    LayerNormalization,\n"
        ")  # end\n",
        moves(
            "keras.layers.normalization",
            ("BatchNormalization", None, KL),
            ("LayerNormalization", None, KL),
        ),
        "from keras.layers import (  # why\n"
        "    BatchNormalization,  # bn\n"
        "    LayerNormalization,\n"
        ")  # end\n",
        id="all-names-one-module-only-module-changes",
    ),
    pytest.param(
        "try:\n"
        "    from keras.layers import (\n"
        "        Dense,  # d\n"
        "        # about conv\n"
        "        Conv2D,\n"
        "        BatchNormalization as BN,  # bn\n"
        "    )  # tail\n"
        "except ImportError:\n"
        "    pass\n",
        moves(KL, ("Conv2D", None, SRC), ("BatchNormalization", "BN", SRC)),
        "try:\n"
        "    from keras.layers import Dense  # d\n"
        "    from keras.src.layers import (\n"
        "        # about conv\n"
        "        Conv2D,\n"
        "        BatchNormalization as BN,  # bn\n"
        "    )  # tail\n"
        "except ImportError:\n"
        "    pass\n",
        id="parenthesised-split-in-try",
    ),
    pytest.param(
        "def build():\r\n\tfrom keras.layers import Dense, \\\r\n\t\tConv2D\r\n\treturn Dense\r\n",
        moves(KL, ("Conv2D", None, SRC)),
        "def build():\r\n"
        "\tfrom keras.layers import Dense\r\n"
        "\tfrom keras.src.layers import Conv2D\r\n"
        "\treturn Dense\r\n",
        id="crlf-tabs-backslash-in-def",
    ),
    pytest.param(
        "import os; from keras.layers import Dense, Conv2D; x = 1\n",
        moves(KL, ("Dense", None, SRC)),
        "import os; from keras.src.layers import Dense; from keras.layers import Conv2D; x = 1\n",
        id="semicolons-split-on-the-same-line",
    ),
    pytest.param(
        "if x: from keras.layers import Dense, Conv2D  # c\n",
        moves(KL, ("Conv2D", None, SRC)),
        "if x: from keras.layers import Dense; from keras.src.layers import Conv2D  # c\n",
        id="after-compound-header",
    ),
    pytest.param(
        "class A:\n    from keras.layers import (Dense, Conv2D,\n        LSTM)\n",
        moves(KL, ("LSTM", None, "keras.src.layers.rnn")),
        "class A:\n"
        "    from keras.layers import (\n"
        "        Dense,\n"
        "        Conv2D,\n"
        "    )\n"
        "    from keras.src.layers.rnn import LSTM\n",
        id="hanging-parentheses-in-class",
    ),
    pytest.param(
        "from keras.layers import (\n    A,\n    B,\n    C,\n    # last\n)\n",
        moves(KL, ("A", None, "m2")),
        "from m2 import A\nfrom keras.layers import (\n    B,\n    C,\n    # last\n)\n",
        id="own-line-comment-before-the-closing-parenthesis-stays-own-line",
    ),
    pytest.param(
        "from keras.layers import (A, B as b, C)  # c\n",
        moves(KL, ("C", None, "m2")),
        "from keras.layers import (A, B as b)\nfrom m2 import C  # c\n",
        id="one-line-parentheses-stay-one-line",
    ),
    pytest.param(
        "from keras.layers import A, B, C",
        moves(KL, ("B", None, "m2"), ("C", None, "m3")),
        "from keras.layers import A\nfrom m2 import B\nfrom m3 import C",
        id="three-modules-no-trailing-newline",
    ),
    pytest.param(
        "x = 1\r\nfrom keras.layers import A, B\nprint(1)\r\n",
        moves(KL, ("A", None, "m2")),
        "x = 1\r\nfrom m2 import A\nfrom keras.layers import B\nprint(1)\r\n",
        id="mixed-endings-use-the-statement-line",
    ),
    pytest.param(
        "from keras.layers import A, B\n",
        moves(KL, ("A", None, KL)),
        "from keras.layers import A, B\n",
        id="already-right-is-no-change",
    ),
]


@pytest.mark.parametrize(("source", "decide", "expected"), FROM_CASES)
def test_from_import_rewrites(
    source: str, decide: Callable[[Span], Rewrite], expected: str
) -> None:
    result = rewrite_source(source, [decide(_import_span(source, kind=ast.ImportFrom))])
    assert result.refused == ()
    assert result.text == expected
    assert verify_edits(source, result.text, [p.edit for p in result.applied]) is None


def test_second_run_changes_nothing() -> None:
    source = "from keras.layers import Dense, BatchNormalization as BN\n"
    first = rewrite_source(
        source, [moves(KL, ("BatchNormalization", "BN", SRC))(_import_span(source))]
    )
    again = rewrite_source(
        first.text,
        [
            FromImportRewrite(_import_span(first.text, 0), KL, ()),
            moves(SRC, ("BatchNormalization", "BN", SRC))(_import_span(first.text, 1)),
        ],
    )
    assert again.text == first.text
    assert not again.changed


REFUSALS = [
    pytest.param(
        "x = 1; from keras.layers import (Dense,  # d\n  Conv2D)\n",
        moves(KL, ("Conv2D", None, SRC)),
        "comments inside",
        id="inline-split-would-lose-comments",
    ),
    pytest.param(
        "from keras.layers import *\n",
        lambda s: FromImportRewrite(s, KL, (NameMove("*", None, SRC),)),
        "star imports",
        id="star-import",
    ),
    pytest.param(
        "from keras.layers import Dense\n",
        moves(KL, ("Conv2D", None, SRC)),
        "does not import Conv2D",
        id="name-not-imported",
    ),
    pytest.param(
        "from keras.layers import Dense as D\n",
        moves(KL, ("Dense", None, SRC)),
        "does not import Dense",
        id="alias-must-match",
    ),
    pytest.param(
        "from keras.layers import Dense\n",
        moves("keras", ("Dense", None, SRC)),
        "does not import from keras",
        id="wrong-module",
    ),
    pytest.param(
        "from keras.layers import Dense\n",
        moves(KL, ("Dense", None, "keras.src.layers; import os")),
        "not a module path",
        id="module-path-is-validated",
    ),
    pytest.param(
        "import keras.layers.normalization\n",
        lambda s: ModuleImportRewrite(s, "keras.layers.normalization", None, "tf_keras.layers"),
        "binds `keras`",
        id="unaliased-module-import-other-top-level",
    ),
    pytest.param(
        "import keras.layers.normalization\nkeras.layers.normalization.BatchNormalization()\n",
        lambda s: ModuleImportRewrite(s, "keras.layers.normalization", None, "keras.layers"),
        "still uses `keras.layers.normalization.BatchNormalization`",
        id="unaliased-module-import-chains-left",
    ),
    pytest.param(
        "x = (keras.layers  # c\n  .Dense)\n",
        lambda s: ChainRewrite(s, "keras.layers.Dense", "keras.src.layers.Dense"),
        "comments or parentheses",
        id="chain-with-comment-inside",
    ),
]


@pytest.mark.parametrize(("source", "decide", "reason"), REFUSALS)
def test_refusals_say_why(source: str, decide: Callable[[Span], Rewrite], reason: str) -> None:
    span = _import_span(source) if "import" in source.split("\n", maxsplit=1)[0] else None
    if span is None:
        span = _chain_span(source, "keras.layers.Dense")
    result = rewrite_source(source, [decide(span)])
    assert result.text == source
    assert len(result.refused) == 1
    assert reason in result.refused[0].reason


def test_module_import_keeps_alias_and_other_names() -> None:
    source = "import os, keras.layers.normalization as norm  # n\nnorm.BatchNormalization()\n"
    rw = ModuleImportRewrite(_import_span(source), "keras.layers.normalization", "norm", KL)
    result = rewrite_source(source, [rw])
    assert result.text == "import os, keras.layers as norm  # n\nnorm.BatchNormalization()\n"


def test_unaliased_module_import_with_its_chains_rewritten() -> None:
    source = (
        "import keras.layers.normalization\nbn = keras.layers.normalization.BatchNormalization()\n"
    )
    chain = _chain_span(source, "keras.layers.normalization.BatchNormalization")
    result = rewrite_source(
        source,
        [
            ModuleImportRewrite(_import_span(source), "keras.layers.normalization", None, KL),
            ChainRewrite(
                chain, "keras.layers.normalization.BatchNormalization", KL + ".BatchNormalization"
            ),
        ],
    )
    assert result.refused == ()
    assert result.text == "import keras.layers\nbn = keras.layers.BatchNormalization()\n"


def test_chain_split_inside_parentheses_is_joined() -> None:
    source = "model.add(keras.layers.\n          normalization.BatchNormalization())\n"
    old = "keras.layers.normalization.BatchNormalization"
    result = rewrite_source(
        source, [ChainRewrite(_chain_span(source, old), old, "keras.layers.BatchNormalization")]
    )
    assert result.text == "model.add(keras.layers.BatchNormalization())\n"


def test_chain_columns_are_utf8_bytes() -> None:
    # ast counts columns in UTF-8 bytes: a non-ASCII name before the chain shifts them.
    source = "é = 1; x = tf.keras.layers.Dense(é)\n"
    span = _chain_span(source, "tf.keras.layers.Dense")
    result = rewrite_source(
        source, [ChainRewrite(span, "tf.keras.layers.Dense", "keras.layers.Dense")]
    )
    assert result.text == "é = 1; x = keras.layers.Dense(é)\n"


def test_wrong_span_is_refused_not_guessed() -> None:
    source = "from keras.layers import Dense\n"
    rw = FromImportRewrite(Span(1, 1, 1, 30), KL, (NameMove("Dense", None, SRC),))
    result = rewrite_source(source, [rw])
    assert result.text == source
    assert "no from-import statement at line 1" in result.refused[0].reason


def test_overlapping_decisions_refuse_the_second() -> None:
    source = "from keras.layers import A, B\n"
    span = _import_span(source)
    plan = plan_edits(
        source, [moves(KL, ("A", None, "m"))(span), moves(KL, ("B", None, "n"))(span)]
    )
    assert len(plan.edits) == 1
    assert plan.refused[0].reason == "overlaps another edit of the same file"


def test_unparsable_file_refuses_everything() -> None:
    source = "from keras.layers import Dense\nprint 'py2'\n"
    rw = moves(KL, ("Dense", None, SRC))(Span(1, 0, 1, 30))
    plan = plan_edits(source, [rw])
    assert plan.edits == ()
    assert plan.refused[0].reason.startswith("the file does not parse")


def test_bare_cr_files_are_refused() -> None:
    source = "import os\rfrom keras.layers import Dense\r"
    plan = plan_edits(source, [moves(KL, ("Dense", None, SRC))(Span(2, 0, 2, 30))])
    assert "bare CR" in plan.refused[0].reason


def test_apply_edits_checks_ranges_and_overlaps() -> None:
    assert apply_edits("abcdef", [TextEdit(4, 6, "XY"), TextEdit(0, 1, "")]) == "bcdXY"
    with pytest.raises(EditError, match="overlap"):
        apply_edits("abcdef", [TextEdit(0, 3, ""), TextEdit(2, 4, "")])
    with pytest.raises(EditError, match="overlap"):
        apply_edits("abcdef", [TextEdit(2, 2, "x"), TextEdit(2, 2, "y")])
    with pytest.raises(EditError, match="outside"):
        apply_edits("abc", [TextEdit(2, 9, "")])


def test_bare_cr_text_with_a_made_up_span_is_refused_not_raised() -> None:
    source = "import keras\r\nm.add(keras.layers.x\\\r\r\n    .Dense())\r\n"
    rw = ChainRewrite(Span(2, 6, 4, 23), "keras.layers.x.Dense", "keras.layers.Dense")
    result = rewrite_source(source, [rw])
    assert result.text == source
    assert "bare CR" in result.refused[0].reason
