"""Every branch of the choice (docs/choosing.md), on outcomes shaped like real ones."""

from __future__ import annotations

import pytest

from helpers.factories import dist, failed, line, ok, target
from kerasdoctor.diagnose import rank
from kerasdoctor.models import Candidate, Origin

K3_BN = "keras.src.layers.normalization.batch_normalization"
TFK_BN = "tf_keras.src.layers.normalization.batch_normalization"
K3 = dist("keras", "3.15.1")
TF = dist("tensorflow", "2.21.0")
TFK = dist("tf-keras", "2.21.0", "tf_keras")


def test_tensorflow_keras_decides_the_implementation_when_tensorflow_is_installed() -> None:
    # TF_USE_LEGACY_KERAS=1: tf.keras gives tf_keras, keras gives Keras 3.
    outcomes = [
        ok(line("tensorflow.keras.layers"), TFK_BN, dist_label="tf-keras 2.21.0"),
        ok(line("keras.layers"), K3_BN),
        ok(line("tf_keras.layers"), TFK_BN, dist_label="tf-keras 2.21.0"),
    ]
    ref, (s,) = rank.suggest(target(TF, K3, TFK), ["BatchNormalization"], outcomes)
    assert ref.root == "tensorflow.keras"
    assert ref.top_level == "tf_keras"
    assert s.import_line == "from tensorflow.keras.layers import BatchNormalization"
    assert s.resolved is not None and s.resolved.module == TFK_BN
    assert s.alternatives == ("from tf_keras.layers import BatchNormalization",)


def test_without_tensorflow_keras3_comes_first() -> None:
    outcomes = [
        ok(line("keras.layers"), K3_BN),
        ok(line("tf_keras.layers"), TFK_BN, dist_label="tf-keras 2.21.0"),
    ]
    ref, (s,) = rank.suggest(target(K3, TFK), ["BatchNormalization"], outcomes)
    assert ref.root == "keras"
    assert s.import_line == "from keras.layers import BatchNormalization"


def test_tensorflow_installed_but_broken_falls_back_to_keras() -> None:
    outcomes = [
        failed(line("tensorflow.keras.layers"), "No module named 'keras.api._v2'"),
        ok(line("keras.layers"), K3_BN),
    ]
    ref, (s,) = rank.suggest(target(TF, K3), ["BatchNormalization"], outcomes)
    assert ref.root == "keras"
    assert s.import_line == "from keras.layers import BatchNormalization"


@pytest.mark.parametrize(
    ("prefer", "expected"),
    [
        ("keras", "from keras.layers import BatchNormalization"),
        ("tf_keras", "from tf_keras.layers import BatchNormalization"),
        ("tensorflow.keras", "from tensorflow.keras.layers import BatchNormalization"),
    ],
)
def test_prefer_puts_a_family_first(prefer: str, expected: str) -> None:
    outcomes = [
        ok(line("tensorflow.keras.layers"), TFK_BN, dist_label="tf-keras 2.21.0"),
        ok(line("keras.layers"), K3_BN),
        ok(line("tf_keras.layers"), TFK_BN, dist_label="tf-keras 2.21.0"),
    ]
    _, (s,) = rank.suggest(target(TF, K3, TFK), ["BatchNormalization"], outcomes, prefer)
    assert s.import_line == expected


def test_prefer_a_family_that_does_not_work_gives_no_line() -> None:
    outcomes = [
        ok(line("keras.layers"), K3_BN),
        failed(line("keras_core.layers"), "No module named 'keras_core'"),
    ]
    _, (s,) = rank.suggest(target(K3), ["BatchNormalization"], outcomes, "keras_core")
    assert s.candidate is None
    # It says "none from keras_core", not that no line works: another family's line does.
    assert s.reason.startswith("none from keras_core, the preferred family")
    assert "from keras.layers import BatchNormalization" in s.reason


def test_an_unusable_placeholder_is_never_suggested() -> None:
    outcomes = [
        ok(
            line("keras.optimizers.legacy", "Adam"),
            "keras.src.optimizers",
            usable=False,
            kind="class",
        ),
        ok(line("keras.optimizers", "Adam"), "keras.src.optimizers.adam", kind="class"),
    ]
    _, (s,) = rank.suggest(target(K3), ["Adam"], outcomes)
    assert s.import_line == "from keras.optimizers import Adam"


def test_only_placeholders_work_means_no_line() -> None:
    outcomes = [
        ok(
            line("keras.optimizers.legacy", "Adam"),
            "keras.src.optimizers",
            usable=False,
            kind="class",
        ),
        failed(line("tf_keras.optimizers.legacy", "Adam"), "No module named 'tf_keras'"),
    ]
    _, (s,) = rank.suggest(target(K3), ["Adam"], outcomes)
    assert s.candidate is None
    assert "use check" in s.reason


def test_nothing_works_means_no_line() -> None:
    outcomes = [failed(line("keras.layers"), "No module named 'tensorflow'")]
    _, (s,) = rank.suggest(target(K3), ["BatchNormalization"], outcomes)
    assert s.candidate is None
    assert s.reason == "no candidate line works in this environment"


def test_v1_class_from_compat_is_not_the_same_object() -> None:
    # TF 2.15: compat.v1 gives batch_normalization_v1, another class than tf.keras gives.
    k2 = "keras.src.layers.normalization.batch_normalization"
    outcomes = [
        ok(line("tensorflow.compat.v1.keras.layers"), k2 + "_v1", dist_label="keras 2.15.0"),
        ok(line("tensorflow.keras.layers"), k2, dist_label="keras 2.15.0"),
    ]
    _, (s,) = rank.suggest(target(TF, dist("keras", "2.15.0")), ["BatchNormalization"], outcomes)
    assert s.import_line == "from tensorflow.keras.layers import BatchNormalization"


def test_public_before_private_and_checked_before_unchecked() -> None:
    outcomes = [
        ok(line("keras.src.layers"), K3_BN),
        ok(line("keras.layers"), K3_BN, usable=None),
    ]
    _, (s,) = rank.suggest(target(K3), ["BatchNormalization"], outcomes)
    # A checked private line beats an unchecked public one: usable is the first criterion.
    assert s.import_line == "from keras.src.layers import BatchNormalization"
    outcomes = [ok(line("keras.src.layers"), K3_BN), ok(line("keras.layers"), K3_BN)]
    _, (s,) = rank.suggest(target(K3), ["BatchNormalization"], outcomes)
    assert s.import_line == "from keras.layers import BatchNormalization"


def test_every_symbol_comes_from_one_implementation() -> None:
    outcomes = [
        ok(line("tensorflow.keras.layers"), TFK_BN, dist_label="tf-keras 2.21.0"),
        ok(line("keras.layers"), K3_BN),
        ok(line("keras.layers", "Dense"), "keras.src.layers.core.dense"),
        ok(
            line("tensorflow.keras.layers", "Dense"),
            "tf_keras.src.layers.core.dense",
            dist_label="tf-keras 2.21.0",
        ),
    ]
    _, suggestions = rank.suggest(target(TF, K3, TFK), ["BatchNormalization", "Dense"], outcomes)
    assert [s.resolved.top_level for s in suggestions if s.resolved] == ["tf_keras", "tf_keras"]


def test_a_symbol_missing_from_the_implementation_says_so() -> None:
    outcomes = [
        ok(line("tensorflow.keras.layers"), TFK_BN, dist_label="tf-keras 2.21.0"),
        ok(line("keras.utils", "pad_sequences"), "keras.src.utils.sequence_utils", kind="function"),
    ]
    _, (_, pad) = rank.suggest(
        target(TF, K3, TFK), ["BatchNormalization", "pad_sequences"], outcomes
    )
    assert pad.import_line == "from keras.utils import pad_sequences"
    assert "do not mix" in pad.reason


def test_user_line_is_preferred_among_equal_public_lines() -> None:
    user = Candidate(
        "BatchNormalization", "keras.layers", "BatchNormalization", Origin.USER, "keras"
    )
    outcomes = [ok(line("tensorflow.keras.layers"), K3_BN), ok(user, K3_BN)]
    _, (s,) = rank.suggest(target(K3), ["BatchNormalization"], outcomes)
    # Without TensorFlow the keras root leads; the user's own public line equals it.
    assert s.candidate == user
