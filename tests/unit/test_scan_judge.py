"""The scan judge as tables: small sources and constructed verdicts in, diagnostics out.

Records come from the static extractor (pure) on a few lines of code; every verdict is
written here, keyed by the code a fresh interpreter would run, so each row says exactly what
the target answered and what the judge must make of it.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from helpers.factories import dist, target
from kerasdoctor.diagnose.code import ScanFacts, judge
from kerasdoctor.diagnose.code.questions import candidate_of
from kerasdoctor.diagnose.code.suppress import keep, noqa_codes, resolve_codes
from kerasdoctor.errors import UsageError
from kerasdoctor.fix.edits import TextEdit as EngineEdit
from kerasdoctor.fix.edits import apply_edits
from kerasdoctor.models import (
    Candidate,
    ErrorInfo,
    Origin,
    ProbeOutcome,
    Resolved,
    Severity,
    Status,
)
from kerasdoctor.scan import FileKind, Question, distinct_questions, extract_bytes
from kerasdoctor.scan.diagnostics import Applicability, Diagnostic
from kerasdoctor.scan.statements import ModuleImport

TARGET = target(dist("tensorflow", "2.21.0"), dist("keras", "3.15.1"), dist("tf-keras", "2.21.0"))
K3 = "keras 3.15.1"
TFK = "tf-keras 2.21.0"

#: a verdict: ("ok", defining module, distribution[, kind]) or ("fail", type, message)
Answer = tuple[str, ...]


def outcome(candidate: Candidate, answer: Answer) -> ProbeOutcome:
    if answer[0] == "ok":
        kind = answer[3] if len(answer) > 3 else "class"
        qualname = "" if kind == "module" else (candidate.attrs or (candidate.name,))[-1]
        return ProbeOutcome(
            candidate,
            Status.OK,
            0.1,
            resolved=Resolved(kind, answer[1], qualname, None),
            distribution=answer[2],
        )
    status = Status.IMPORT_ERROR if "Import" in answer[1] or "Module" in answer[1] else Status.ERROR
    return ProbeOutcome(candidate, status, 0.1, error=ErrorInfo(answer[1], answer[2]))


def facts(
    source: str,
    answers: Mapping[str, Answer],
    alternatives: Mapping[str, Mapping[str, Answer]] | None = None,
) -> ScanFacts:
    """Facts for one file ``m.py``; ``alternatives``: question code -> {line module: answer}."""
    result = extract_bytes("m.py", FileKind.PYTHON, source.encode())
    questions: list[Question] = list(distinct_questions([result]))
    questions += [ModuleImport(r.module) for r in result.imports if r.star]
    verdicts = {}
    for question in questions:
        candidate = candidate_of(question)
        assert candidate.code in answers, f"no answer written for {candidate.code!r}"
        verdicts[question] = outcome(candidate, answers[candidate.code])
    alts: dict[Question, tuple[ProbeOutcome, ...]] = {}
    for question in questions:
        for code, lines in (alternatives or {}).items():
            if candidate_of(question).code == code:
                symbol = candidate_of(question).symbol
                alts[question] = tuple(
                    outcome(
                        Candidate(symbol, module, symbol, Origin.PUBLIC, module.split(".")[0]),
                        answer,
                    )
                    for module, answer in lines.items()
                )
    return ScanFacts(TARGET, (result,), verdicts, alts, {("m.py", None): source})


def codes_at(found: tuple[Diagnostic, ...]) -> list[tuple[str, int]]:
    return [(d.code, d.location.line) for d in found]


OK_DENSE_K3 = ("ok", "keras.src.layers.core.dense", K3)
NO_NORM = ("fail", "ModuleNotFoundError", "No module named 'keras.layers.normalization'")

CASES = [
    pytest.param(
        "from keras.layers.normalization import BatchNormalization\n",
        {"from keras.layers.normalization import BatchNormalization": NO_NORM},
        [("KD501", 1)],
        id="failing-import",
    ),
    pytest.param(
        "try:\n"
        "    from keras.layers.normalization import BatchNormalization\n"
        "except ImportError:\n"
        "    from keras.layers import BatchNormalization\n",
        {
            "from keras.layers.normalization import BatchNormalization": NO_NORM,
            "from keras.layers import BatchNormalization": OK_DENSE_K3,
        },
        [("KD506", 1)],
        id="ladder-with-working-fallback-is-not-KD501",
    ),
    pytest.param(
        "try:\n"
        "    from keras.layers.normalization import BatchNormalization\n"
        "except ImportError:\n"
        "    from tensorflow.contrib.keras import BatchNormalization\n",
        {
            "from keras.layers.normalization import BatchNormalization": NO_NORM,
            "from tensorflow.contrib.keras import BatchNormalization": (
                "fail",
                "ModuleNotFoundError",
                "No module named 'tensorflow.contrib'",
            ),
        },
        [("KD506", 1), ("KD501", 2), ("KD501", 4)],
        id="ladder-where-every-branch-fails",
    ),
    pytest.param(
        "import keras.backend as K\nK.relu(1)\nK.epsilon()\n",
        {
            "import keras.backend": ("ok", "keras.api.backend", K3, "module"),
            "import keras.backend as _kd; _kd.relu": (
                "fail",
                "AttributeError",
                "module 'keras.backend' has no attribute 'relu'",
            ),
            "import keras.backend as _kd; _kd.epsilon": ("ok", "keras.src.backend.config", K3),
        },
        [("KD502", 2)],
        id="failing-chain",
    ),
    pytest.param(
        "import keras.layers.core as core\ncore.Dense(3)\n",
        {
            "import keras.layers.core": ("fail", "ModuleNotFoundError", "No module named 'x'"),
            "import keras.layers.core as _kd; _kd.Dense": ("fail", "ModuleNotFoundError", "x"),
        },
        [("KD501", 1)],
        id="chain-on-failing-import-reported-once-at-the-import",
    ),
    pytest.param(
        "from keras.src.layers import Dense\n",
        {"from keras.src.layers import Dense": OK_DENSE_K3},
        [("KD503", 1)],
        id="private-path",
    ),
    pytest.param(
        "from keras.models import Sequential\n"
        "from tensorflow.keras.layers import BatchNormalization\n",
        {
            "from keras.models import Sequential": ("ok", "keras.src.models.sequential", K3),
            "from tensorflow.keras.layers import BatchNormalization": (
                "ok",
                "tf_keras.src.layers.normalization.batch_normalization",
                TFK,
            ),
        },
        [("KD504", 2)],
        id="two-implementations",
    ),
    pytest.param(
        "from keras.models import Sequential\n"
        "from tensorflow.keras.layers import BatchNormalization\n",
        {
            "from keras.models import Sequential": ("ok", "keras.src.models.sequential", K3),
            "from tensorflow.keras.layers import BatchNormalization": (
                "ok",
                "keras.src.layers.normalization.batch_normalization",
                K3,
            ),
        },
        [],
        id="both-roots-one-implementation",
    ),
    pytest.param(
        "from keras.models import Sequential\n"
        "from keras.layers import Dense\n"
        "from keras.layers import Dropout\n"
        "from tensorflow.keras.layers import BatchNormalization\n"
        "from tensorflow.keras.layers import Conv2D\n",
        {
            "from keras.models import Sequential": ("ok", "keras.src.models.sequential", K3),
            "from keras.layers import Dense": ("ok", "keras.src.layers.core.dense", K3),
            "from keras.layers import Dropout": ("ok", "keras.src.layers.core.dropout", K3),
            "from tensorflow.keras.layers import BatchNormalization": (
                "ok",
                "tf_keras.src.layers.normalization.batch_normalization",
                TFK,
            ),
            "from tensorflow.keras.layers import Conv2D": (
                "ok",
                "tf_keras.src.layers.convolutional.conv2d",
                TFK,
            ),
        },
        [("KD504", 4), ("KD504", 5)],
        id="every-line-of-the-other-implementation",
    ),
    pytest.param(
        "from keras.models import Sequential\nfrom tensorflow.keras.utils import to_categorical\n",
        {
            "from keras.models import Sequential": ("ok", "keras.src.models.sequential", K3),
            "from tensorflow.keras.utils import to_categorical": (
                "ok",
                "tf_keras.src.utils.np_utils",
                TFK,
                "function",
            ),
        },
        [],
        id="a-data-only-function-mixes-nothing",
    ),
    pytest.param(
        "from keras.layers import *\nfrom keras.oldstuff import *\n",
        {
            "import keras.layers": ("ok", "keras.api.layers", K3, "module"),
            "import keras.oldstuff": ("fail", "ModuleNotFoundError", "No module named 'k'"),
        },
        [("KD507", 1), ("KD501", 2), ("KD507", 2)],
        id="star-imports",
    ),
    pytest.param(
        "from keras.preprocessing.text import Tokenizer\n",
        {
            "from keras.preprocessing.text import Tokenizer": (
                "fail",
                "ModuleNotFoundError",
                "No module named 'keras.preprocessing.text'",
            )
        },
        [("KD501", 1), ("KD505", 1)],
        id="removed-symbol",
    ),
]


@pytest.mark.parametrize(("source", "answers", "expected"), CASES)
def test_codes_per_case(
    source: str, answers: dict[str, Answer], expected: list[tuple[str, int]]
) -> None:
    assert sorted(codes_at(judge(facts(source, answers)))) == sorted(expected)


def test_failing_import_quotes_the_error_and_offers_the_files_implementation() -> None:
    source = (
        "from keras.models import Sequential\n"
        "from keras.layers.normalization import BatchNormalization as BN  # old\n"
    )
    alternatives = {
        "from keras.layers.normalization import BatchNormalization": {
            # tf.keras gives tf_keras here: a working line, but not the file's implementation
            "tensorflow.keras.layers": ("ok", "tf_keras.src.layers.bn", TFK),
            "keras.layers": ("ok", "keras.src.layers.bn", K3),
        }
    }
    found = judge(
        facts(
            source,
            {
                "from keras.models import Sequential": ("ok", "keras.src.models.sequential", K3),
                "from keras.layers.normalization import BatchNormalization": NO_NORM,
            },
            alternatives,
        )
    )
    (d,) = found
    assert d.code == "KD501"
    assert d.severity is Severity.ERROR
    assert "ModuleNotFoundError: No module named 'keras.layers.normalization'" in d.message
    assert d.fix is not None
    assert d.fix.applicability is Applicability.SAFE
    assert d.fix.replacement == "from keras.layers import BatchNormalization as BN"
    assert d.fix.resolves_to == "keras.src.layers.bn:BatchNormalization"
    (edit,) = d.fix.edits
    assert (edit.line, edit.column, edit.end_line) == (2, 1, 2)
    # Applied, the edit gives the new statement and keeps the comment and the first line.
    lines = source.splitlines(keepends=True)
    start = len(lines[0]) + edit.column - 1
    end = len(lines[0]) + edit.end_column - 1
    fixed = apply_edits(source, [EngineEdit(start, end, edit.new_text)])
    assert fixed == (
        "from keras.models import Sequential\n"
        "from keras.layers import BatchNormalization as BN  # old\n"
    )


def test_a_replacement_that_changes_the_implementation_is_unsafe() -> None:
    source = "from tensorflow.keras.models import Sequential\nfrom keras.layers import CuDNNLSTM\n"
    alternatives = {"from keras.layers import CuDNNLSTM": {"keras.layers": OK_DENSE_K3}}
    answers = {
        "from tensorflow.keras.models import Sequential": ("ok", "tf_keras.src.models", TFK),
        "from keras.layers import CuDNNLSTM": ("fail", "ImportError", "cannot import name"),
    }
    (d,) = judge(facts(source, answers, alternatives))
    assert d.fix is not None
    assert d.fix.applicability is Applicability.UNSAFE


def test_tensorflows_frozen_copy_gets_the_suggested_public_line_unsafely() -> None:
    """tensorflow.python.keras has no public line; the suggested one is offered, unsafe."""
    source = "from tensorflow.python.keras.layers import Dense\n"
    frozen = ("ok", "tensorflow.python.keras.layers.core", "tensorflow 2.15.1")
    public = ("ok", "keras.src.layers.core.dense", "keras 2.15.0")
    (d,) = judge(
        facts(
            source,
            {"from tensorflow.python.keras.layers import Dense": frozen},
            {
                "from tensorflow.python.keras.layers import Dense": {
                    "tensorflow.keras.layers": public
                }
            },
        )
    )
    assert d.code == "KD503"
    assert d.fix is not None
    assert d.fix.applicability is Applicability.UNSAFE
    assert d.fix.replacement == "from tensorflow.keras.layers import Dense"


def test_private_line_gets_the_public_line_of_the_same_object_only() -> None:
    source = "from keras.src.layers import Dense\n"
    same = ("ok", "keras.src.layers.core.dense", K3)
    other = ("ok", "tf_keras.src.layers.core.dense", TFK)
    found = judge(
        facts(
            source,
            {"from keras.src.layers import Dense": same},
            {"from keras.src.layers import Dense": {"tensorflow.keras.layers": other}},
        )
    )
    assert found[0].fix is None  # tf.keras gives another class: never offered
    found = judge(
        facts(
            source,
            {"from keras.src.layers import Dense": same},
            {"from keras.src.layers import Dense": {"keras.layers": same}},
        )
    )
    assert found[0].fix is not None
    assert found[0].fix.replacement == "from keras.layers import Dense"
    assert found[0].fix.applicability is Applicability.SAFE


def test_mixing_names_both_lines() -> None:
    source = "from keras.models import Sequential\nfrom tensorflow.keras.layers import Dense\n"
    answers = {
        "from keras.models import Sequential": ("ok", "keras.src.models.sequential", K3),
        "from tensorflow.keras.layers import Dense": ("ok", "tf_keras.src.layers.dense", TFK),
    }
    (d,) = judge(facts(source, answers))
    assert "`from keras.models import Sequential`" in d.message
    assert "`from tensorflow.keras.layers import Dense`" in d.message


def test_ladder_taking_a_branch_of_another_implementation_warns() -> None:
    source = (
        "from keras.models import Sequential\n"
        "try:\n"
        "    from keras.layers.normalization import BatchNormalization\n"
        "except ImportError:\n"
        "    from tensorflow.keras.layers import BatchNormalization\n"
    )
    answers = {
        "from keras.models import Sequential": ("ok", "keras.src.models.sequential", K3),
        "from keras.layers.normalization import BatchNormalization": NO_NORM,
        "from tensorflow.keras.layers import BatchNormalization": ("ok", "tf_keras.src.bn", TFK),
    }
    found = judge(facts(source, answers))
    ladder = [d for d in found if d.code == "KD506"]
    assert len(ladder) == 1
    assert ladder[0].severity is Severity.WARNING
    assert "except branch 1" in ladder[0].message
    assert [d.code for d in found if d.code == "KD501"] == []


def test_ladder_handler_that_does_not_catch_the_error_is_not_taken() -> None:
    # An AttributeError is not an ImportError: the handler does not run, the ladder fails.
    source = (
        "import tensorflow as tf\n"
        "try:\n"
        "    Dense = tf.keras.layers.Dense\n"
        "except ImportError:\n"
        "    from keras.layers import Dense\n"
    )
    answers = {
        "import tensorflow": ("ok", "tensorflow", "tensorflow 2.21.0", "module"),
        "import tensorflow; tensorflow.keras.layers.Dense": ("fail", "AttributeError", "no"),
        "from keras.layers import Dense": OK_DENSE_K3,
    }
    found = judge(facts(source, answers))
    assert ("KD502", 3) in codes_at(found)
    assert any(d.code == "KD506" and d.severity is Severity.WARNING for d in found)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("from keras import x  # noqa", frozenset()),
        ("from keras import x  # noqa: KD501", frozenset({"KD501"})),
        ("from keras import x  # NOQA:KD501,KD503", frozenset({"KD501", "KD503"})),
        ("from keras import x  # a comment", None),
    ],
)
def test_noqa_codes(line: str, expected: frozenset[str] | None) -> None:
    assert noqa_codes(line) == expected


def test_noqa_on_the_last_line_of_a_statement_and_per_code() -> None:
    source = (
        "from keras.src.layers import (\n"
        "    Dense,\n"
        ")  # noqa: KD503\n"
        "from keras.layers.normalization import BatchNormalization  # noqa: KD503\n"
    )
    answers = {
        "from keras.src.layers import Dense": OK_DENSE_K3,
        "from keras.layers.normalization import BatchNormalization": NO_NORM,
    }
    scan_facts = facts(source, answers)
    found = judge(scan_facts)
    assert sorted(codes_at(found)) == [("KD501", 4), ("KD503", 1)]
    kept = keep(found, scan_facts.texts)
    assert codes_at(kept) == [("KD501", 4)]  # KD503 suppressed; KD501 is not named


def test_select_and_ignore_take_codes_and_slugs() -> None:
    source = "from keras.src.layers import Dense\nfrom keras.oldstuff import X\n"
    answers = {
        "from keras.src.layers import Dense": OK_DENSE_K3,
        "from keras.oldstuff import X": ("fail", "ModuleNotFoundError", "No module"),
    }
    scan_facts = facts(source, answers)
    found = judge(scan_facts)
    only = keep(found, scan_facts.texts, select=resolve_codes(["import-fails"]))
    assert [d.code for d in only] == ["KD501"]
    rest = keep(found, scan_facts.texts, ignore=resolve_codes(["kd501"]))
    assert [d.code for d in rest] == ["KD503"]
    with pytest.raises(UsageError):
        resolve_codes(["KD999"])
