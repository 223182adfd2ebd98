"""Tables of source text -> the import, binding, chain and ladder records scan extracts."""

from __future__ import annotations

import sys

import pytest

from kerasdoctor.scan import (
    Chain,
    FileKind,
    FileResult,
    FileStatus,
    FromImport,
    LadderRef,
    ModuleImport,
    distinct_questions,
    extract_bytes,
    question_of,
)
from kerasdoctor.scan.source import Decoded, decode_source, encode_source


def _extract(source: str, encoding: str = "utf-8") -> FileResult:
    result = extract_bytes("t.py", FileKind.PYTHON, source.encode(encoding))
    assert result.status is FileStatus.OK, result.reason
    return result


def _imports(result: FileResult) -> list[tuple[str, str | None, str | None]]:
    return [(r.line_text, r.binds, r.target) for r in result.imports]


def _chains(result: FileResult) -> list[tuple[str, str, int, int]]:
    return [(c.text, c.path, c.span.line, c.span.column) for c in result.chains]


IMPORT_TABLE = [
    pytest.param(
        "import keras\n",
        [("import keras", "keras", "keras")],
        id="plain",
    ),
    pytest.param(
        "import keras.backend as K\n",
        [("import keras.backend as K", "K", "keras.backend")],
        id="module-alias",
    ),
    pytest.param(
        "import keras.layers.core\n",
        [("import keras.layers.core", "keras", "keras")],
        id="dotted-binds-root",
    ),
    pytest.param(
        "from tensorflow import keras\n",
        [("from tensorflow import keras", "keras", "tensorflow.keras")],
        id="from-tensorflow",
    ),
    pytest.param(
        "from keras.layers import (Dense,\n    BatchNormalization as BN,  # why\n)\n",
        [
            ("from keras.layers import Dense", "Dense", "keras.layers.Dense"),
            (
                "from keras.layers import BatchNormalization as BN",
                "BN",
                "keras.layers.BatchNormalization",
            ),
        ],
        id="parenthesised-multi-name",
    ),
    pytest.param(
        "import numpy as np; from keras import layers; import tf_keras as tk\n",
        [
            ("from keras import layers", "layers", "keras.layers"),
            ("import tf_keras as tk", "tk", "tf_keras"),
        ],
        id="semicolons",
    ),
    pytest.param(
        "from keras.layers import Dense, \\\n    Conv2D\n",
        [
            ("from keras.layers import Dense", "Dense", "keras.layers.Dense"),
            ("from keras.layers import Conv2D", "Conv2D", "keras.layers.Conv2D"),
        ],
        id="continuation-line",
    ),
    pytest.param(
        "def f():\n    if True:\n        from keras_core import ops\n",
        [("from keras_core import ops", "ops", "keras_core.ops")],
        id="nested-in-function-and-if",
    ),
    pytest.param(
        "from tensorflow.python.keras.layers import Dense\n"
        "from tensorflow.compat.v1.keras import backend\n"
        "import tensorflow.keras.layers as L\n",
        [
            (
                "from tensorflow.python.keras.layers import Dense",
                "Dense",
                "tensorflow.python.keras.layers.Dense",
            ),
            (
                "from tensorflow.compat.v1.keras import backend",
                "backend",
                "tensorflow.compat.v1.keras.backend",
            ),
            ("import tensorflow.keras.layers as L", "L", "tensorflow.keras.layers"),
        ],
        id="tensorflow-keras-paths",
    ),
    pytest.param(
        # Not about Keras and not used by a Keras chain: not recorded. Relative: never.
        "import tensorflow as tf\nfrom tensorflow import nn\nfrom . import keras\n"
        "import keras_nlp\nx = tf.constant(1)\n",
        [],
        id="not-keras",
    ),
]


@pytest.mark.parametrize(("source", "expected"), IMPORT_TABLE)
def test_import_records(source: str, expected: list[tuple[str, str, str]]) -> None:
    assert _imports(_extract(source)) == expected


CHAIN_TABLE = [
    pytest.param(
        "import tensorflow as tf\nx = tf.keras.layers.BatchNormalization()(y)\n",
        [
            (
                "tf.keras.layers.BatchNormalization",
                "tensorflow.keras.layers.BatchNormalization",
                2,
                5,
            )
        ],
        id="tf-alias-chain-up-to-call",
    ),
    pytest.param(
        "import keras\nz = keras.layers.normalization.BatchNormalization\n",
        [
            (
                "keras.layers.normalization.BatchNormalization",
                "keras.layers.normalization.BatchNormalization",
                2,
                5,
            )
        ],
        id="module-import-used-via-attributes",
    ),
    pytest.param(
        "from keras import layers\nlayers.CuDNNLSTM(3).units.real\n",
        [("layers.CuDNNLSTM", "keras.layers.CuDNNLSTM", 2, 1)],
        id="stops-at-call",
    ),
    pytest.param(
        "import keras.backend as K\ng = K.gradients(a, b)[0]\nK.epsilon\n",
        [
            ("K.gradients", "keras.backend.gradients", 2, 5),
            ("K.epsilon", "keras.backend.epsilon", 3, 1),
        ],
        id="module-alias-chain",
    ),
    pytest.param(
        "import keras.layers.core\nkeras.utils.to_categorical(y)\n",
        [("keras.utils.to_categorical", "keras.utils.to_categorical", 2, 1)],
        id="import-a-b-c-binds-a",
    ),
    pytest.param(
        "import tensorflow as tf\nf(tf.keras.backend.clear_session, tf.constant(1))\n",
        [("tf.keras.backend.clear_session", "tensorflow.keras.backend.clear_session", 2, 3)],
        id="only-keras-chains-on-tf",
    ),
    pytest.param(
        "import keras\ndef f(keras):\n    return keras.layers.Dense\n",
        [],
        id="parameter-shadows",
    ),
    pytest.param(
        "import keras\nkeras = load()\nkeras.layers.Dense\n",
        [],
        id="reassigned-in-scope",
    ),
    pytest.param(
        "import keras\ndef f():\n    for keras in xs:\n        pass\n    keras.layers.Dense\n"
        "keras.layers.Conv2D\n",
        [("keras.layers.Conv2D", "keras.layers.Conv2D", 6, 1)],
        id="shadowed-only-in-the-function",
    ),
    pytest.param(
        "import keras\nclass M:\n    keras = 1\n    def f(self):\n        return keras.ops.sum\n",
        [("keras.ops.sum", "keras.ops.sum", 5, 16)],
        id="class-body-does-not-shadow-methods",
    ),
    pytest.param(
        "def f():\n    import keras\n    return keras.models.Sequential\nkeras.models.Model\n",
        [("keras.models.Sequential", "keras.models.Sequential", 3, 12)],
        id="function-local-import",
    ),
    pytest.param(
        "import keras\nx = [keras.layers.Dense for keras in things]\ny = keras.layers.Dense\n",
        [("keras.layers.Dense", "keras.layers.Dense", 3, 5)],
        id="comprehension-target-is-its-own-scope",
    ),
    pytest.param(
        "@keras.saving.register_keras_serializable()\nclass C:\n    pass\nimport keras\n",
        [
            (
                "keras.saving.register_keras_serializable",
                "keras.saving.register_keras_serializable",
                1,
                2,
            )
        ],
        id="decorator",
    ),
    pytest.param(
        "import keras\nmatch v:\n    case {**keras}:\n        pass\nkeras.layers.Dense\n",
        [],
        id="match-capture-shadows",
        marks=pytest.mark.skipif(sys.version_info < (3, 10), reason="match needs Python 3.10"),
    ),
    pytest.param(
        "import tensorflow.compat.v1 as tf\nfrom tensorflow.compat import v2\n"
        "tf.keras.layers.Dense\nv2.keras.Model\ntf.Session\n",
        [
            ("tf.keras.layers.Dense", "tensorflow.compat.v1.keras.layers.Dense", 3, 1),
            ("v2.keras.Model", "tensorflow.compat.v2.keras.Model", 4, 1),
        ],
        id="compat-bases",
    ),
    pytest.param(
        "class A:\n    import keras\n    x = keras.layers.Dense\n"
        "    def f(self):\n        return keras.layers.Conv2D\n",
        [("keras.layers.Dense", "keras.layers.Dense", 3, 9)],
        id="class-scope-import-not-seen-by-methods",
    ),
    pytest.param(
        "def f():\n    global keras\n    import keras\nkeras.ops.sum\n",
        [("keras.ops.sum", "keras.ops.sum", 4, 1)],
        id="global-import-in-function",
    ),
    pytest.param(
        "x = 1 + \\\n    2\nimport keras\ny = (keras\n     .layers.Dense)\n",
        [("keras\n     .layers.Dense", "keras.layers.Dense", 4, 6)],
        id="chain-over-lines",
    ),
]


@pytest.mark.parametrize(("source", "expected"), CHAIN_TABLE)
def test_chain_records(source: str, expected: list[tuple[str, str, int, int]]) -> None:
    assert _chains(_extract(source)) == expected


def test_spans_are_exact_and_text_is_as_written() -> None:
    source = "x = 1\nif x:\n    from keras.layers import (Dense,\n        Conv2D)  # c\n"
    result = _extract(source)
    spans = {r.span for r in result.imports}
    assert len(spans) == 1
    span = spans.pop()
    assert (span.line, span.column, span.end_line, span.end_column) == (3, 5, 4, 16)
    assert source[span.start : span.end] == result.imports[0].text
    assert result.imports[0].text == "from keras.layers import (Dense,\n        Conv2D)"
    assert {r.statement for r in result.imports} == {0}


def test_columns_count_characters_not_bytes() -> None:
    source = 'é = "ü"; import keras\nkeras.layers.Dense\n'
    result = _extract(source)
    assert result.imports[0].span.column == 10
    assert source[result.imports[0].span.start : result.imports[0].span.end] == "import keras"


def test_crlf_and_tabs_keep_positions() -> None:
    source = "import keras\r\nif True:\r\n\tfrom keras import layers\r\n\tlayers.Dense\r\n"
    result = _extract(source)
    assert [(r.span.line, r.span.column) for r in result.imports] == [(1, 1), (3, 2)]
    assert result.imports[1].text == "from keras import layers"
    assert _chains(result) == [("layers.Dense", "keras.layers.Dense", 4, 2)]
    assert result.source is not None
    assert result.source.newline == "\r\n"


def test_ladder_branches() -> None:
    source = (
        "try:\n"
        "    from tensorflow.keras.layers import BatchNormalization\n"
        "except ImportError:\n"
        "    try:\n"
        "        from keras.layers import BatchNormalization\n"
        "    except (ModuleNotFoundError, AttributeError):\n"
        "        from keras.layers.normalization import BatchNormalization\n"
        "finally:\n"
        "    import keras\n"
        "try:\n"
        "    import tf_keras\n"
        "except ValueError:\n"  # does not catch a failed import: not a ladder
        "    pass\n"
    )
    result = _extract(source)
    assert [(r.module, r.ladders) for r in result.imports] == [
        ("tensorflow.keras.layers", (LadderRef(0, 0),)),
        ("keras.layers", (LadderRef(0, 1), LadderRef(1, 0))),
        ("keras.layers.normalization", (LadderRef(0, 1), LadderRef(1, 1))),
        ("keras", ()),
        ("tf_keras", ()),
    ]
    outer, inner = result.ladders
    assert (outer.id, outer.parent, outer.handlers) == (0, None, (("ImportError",),))
    assert (inner.id, inner.parent) == (1, 0)
    assert inner.handlers == (("ModuleNotFoundError", "AttributeError"),)
    assert (outer.span.line, outer.span.end_line) == (1, 9)


def test_bare_except_and_exception_are_ladders() -> None:
    source = (
        "try:\n    import keras\nexcept:\n    keras = None\n"
        "try:\n    import tf_keras\nexcept Exception:\n    pass\n"
    )
    result = _extract(source)
    assert [(r.module, r.ladders) for r in result.imports] == [
        ("keras", (LadderRef(0, 0),)),
        ("tf_keras", (LadderRef(1, 0),)),
    ]
    assert result.ladders[0].handlers == ((),)


def test_ladder_binding_gives_one_chain_per_branch() -> None:
    source = (
        "try:\n    import keras\nexcept ImportError:\n    from tensorflow import keras\n"
        "keras.layers.Dense\n"
    )
    result = _extract(source)
    assert [(c.path, c.import_index, c.ladders) for c in result.chains] == [
        ("keras.layers.Dense", 0, ()),
        ("tensorflow.keras.layers.Dense", 1, ()),
    ]


def test_a_later_unconditional_import_overrides_earlier_ones() -> None:
    source = (
        "from tensorflow import keras\nimport keras\nkeras.layers.Dense\n"
        "def f():\n    return keras.ops.sum\n"
    )
    result = _extract(source)
    assert [(c.path, result.imports[c.import_index].line_text) for c in result.chains] == [
        ("keras.layers.Dense", "import keras"),
        ("keras.ops.sum", "import keras"),
    ]


def test_a_binding_after_the_use_has_not_run_yet() -> None:
    source = "import keras\nkeras.layers.Dense\nfrom tensorflow import keras\n"
    result = _extract(source)
    assert [c.path for c in result.chains] == ["keras.layers.Dense"]


def test_tf_import_is_recorded_only_as_the_base_of_a_keras_chain() -> None:
    result = _extract("import tensorflow as tf\ntf.keras.Model\n")
    (record,) = result.imports
    assert (record.line_text, record.about_keras) == ("import tensorflow as tf", False)
    assert [(b.name, b.target, b.import_index) for b in result.bindings] == [
        ("tf", "tensorflow", 0)
    ]


def test_star_imports_are_reported_not_asked() -> None:
    result = _extract("from keras.layers import *\nfrom tensorflow import *\n")
    (record,) = result.imports
    assert (record.star, record.name, record.binds) == (True, "*", None)
    assert question_of(record, result) is None
    assert distinct_questions([result]) == ()


def test_distinct_questions_dedupe_across_files() -> None:
    one = _extract("from keras.layers import Dense\nimport tensorflow as tf\ntf.keras.Model\n")
    two = _extract("from keras.layers import Dense as D, Dense\nimport keras.backend as K\nK.sum\n")
    questions = distinct_questions([one, two, one])
    assert questions == (
        ModuleImport("keras.backend"),
        ModuleImport("tensorflow"),
        FromImport("keras.layers", "Dense"),
        Chain(ModuleImport("keras.backend"), "keras.backend", ("sum",)),
        Chain(ModuleImport("tensorflow"), "tensorflow", ("keras", "Model")),
    )
    chain = questions[-1]
    assert isinstance(chain, Chain)
    assert (chain.module, chain.attribute, chain.path) == (
        "tensorflow.keras",
        "Model",
        "tensorflow.keras.Model",
    )
    assert [question_of(c, two) for c in two.chains] == [questions[3]]


def test_deep_expressions_do_not_recurse() -> None:
    # 1,500 nested BinOps: deeper than Python's default recursion limit, but ast parses it.
    source = "import keras\nx = " + " + ".join(["keras.ops.add"] * 1500) + "\n"
    result = _extract(source)
    assert len(result.chains) == 1500


def test_too_deep_for_ast_is_unparsable_or_read_never_a_crash() -> None:
    # Python 3.11+ refuses this depth while building the tree; 3.9 builds it.
    source = "import keras\nx = " + " + ".join(["keras.ops.add"] * 20000) + "\n"
    result = extract_bytes("t.py", FileKind.PYTHON, source.encode())
    if result.status is FileStatus.OK:
        assert len(result.chains) == 20000
    else:
        assert (result.status, result.reason) == (
            FileStatus.UNPARSABLE,
            "too deeply nested to parse",
        )


STATUS_TABLE = [
    pytest.param(b'print "x"\nimport keras\n', FileStatus.UNPARSABLE, "line 1", id="python2"),
    pytest.param(b"import keras\ndef f(:\n", FileStatus.UNPARSABLE, "line 2", id="syntax-error"),
    pytest.param(b"import keras\x00\n", FileStatus.UNDECODABLE, "NUL", id="nul-byte"),
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00", FileStatus.UNDECODABLE, "NUL", id="binary"),
    pytest.param(
        b"import keras\nx = '\xe9'\n", FileStatus.UNDECODABLE, "utf-8", id="latin1-no-cookie"
    ),
    pytest.param(
        b"# -*- coding: klingon -*-\nimport keras\n",
        FileStatus.UNDECODABLE,
        "klingon",
        id="bad-cookie",
    ),
]


@pytest.mark.parametrize(("data", "status", "fragment"), STATUS_TABLE)
def test_files_that_cannot_be_read(data: bytes, status: FileStatus, fragment: str) -> None:
    result = extract_bytes("t.py", FileKind.PYTHON, data)
    assert result.status is status
    assert fragment in result.reason
    assert result.imports == ()


def test_latin1_file_with_coding_cookie() -> None:
    data = b"# -*- coding: latin-1 -*-\r\n# caf\xe9\r\nfrom keras.layers import Dense\r\n"
    result = extract_bytes("t.py", FileKind.PYTHON, data)
    assert result.status is FileStatus.OK
    assert result.source is not None
    assert (result.source.encoding, result.source.bom, result.source.newline) == (
        "iso8859-1",
        False,
        "\r\n",
    )
    assert result.source.roundtrips
    assert [(r.line_text, r.span.line) for r in result.imports] == [
        ("from keras.layers import Dense", 3)
    ]


def test_utf8_bom_file() -> None:
    data = b"\xef\xbb\xbfimport keras\nkeras.layers.Dense\n"
    result = extract_bytes("t.py", FileKind.PYTHON, data)
    assert result.source is not None
    assert (result.source.encoding, result.source.bom, result.source.roundtrips) == (
        "utf-8",
        True,
        True,
    )
    # Offsets are into the text without the BOM: column 1 is the `i` of import.
    assert (result.imports[0].span.column, result.imports[0].span.start) == (1, 0)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"# -*- coding: latin-1 -*-\r\nx = '\xe9'\r\nimport keras", id="latin1-crlf"),
        pytest.param(b"\xef\xbb\xbfimport keras\n", id="bom"),
        pytest.param(b"import keras\r\n\tx = 1\n\ry = 2", id="mixed-endings"),
        pytest.param(b"# coding: cp1252\nx = '\x80'\n", id="cp1252"),
    ],
)
def test_decoded_text_encodes_back_to_the_same_bytes(data: bytes) -> None:
    decoded = decode_source(data)
    assert isinstance(decoded, Decoded)
    assert decoded.info.roundtrips
    assert encode_source(decoded.text, decoded.info) == data


def test_else_of_a_ladder_is_the_try_branch() -> None:
    source = (
        "try:\n    import keras\nexcept ImportError:\n    keras_ok = False\n"
        "else:\n    from keras import layers\n"
    )
    result = _extract(source)
    assert [(r.line_text, r.ladders) for r in result.imports] == [
        ("import keras", (LadderRef(0, 0),)),
        ("from keras import layers", (LadderRef(0, 0),)),
    ]
