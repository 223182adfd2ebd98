"""What a dotted path says about itself: private or public, and which Keras family it is.

Used by the scan judge on the paths as written (KD503) and on the defining modules of the
objects the probe resolved (KD504, and the safe/unsafe choice of a replacement).
"""

from __future__ import annotations

from kerasdoctor.models import ProbeOutcome

#: Components that mark a private or removed location wherever they appear below a root.
PRIVATE_PARTS = frozenset({"src", "python", "_impl", "engine", "np_utils", "_tf_keras"})
#: Components private only right below the root (``keras.legacy`` is the Keras 2.2 shim
#: module; ``tf.keras.optimizers.legacy`` is public API and must not be flagged).
PRIVATE_BELOW_ROOT = frozenset({"legacy"})
#: The packages whose objects are Keras implementations (``tensorflow.python.keras`` is
#: TensorFlow <= 2.5's built-in one).
FAMILIES = ("keras", "tf_keras", "keras_core")


def private_part(path: str) -> str | None:
    """The component that makes ``path`` private (``src``, ``api._v2``...), or None.

    Only paths under a Keras root are judged: ``tensorflow.python.keras`` is private,
    ``tensorflow.python.framework`` is not Keras and is left alone.
    """
    parts = path.split(".")
    if not any(p in FAMILIES for p in parts) and parts[0] != "tensorflow":
        return None
    if parts[0] == "tensorflow" and "keras" not in parts:
        return None
    for index, part in enumerate(parts[1:], start=1):
        if part == "api" and index + 1 < len(parts) and parts[index + 1].startswith("_v"):
            return f"api.{parts[index + 1]}"
        if part in PRIVATE_PARTS:
            return part
        if part in PRIVATE_BELOW_ROOT and index == 1:
            return part
        if part.startswith("_") and not part.startswith("__"):
            return part
    return None


def family_root(module: str) -> str | None:
    """The Keras family a defining module belongs to: keras.src.x -> keras, ...

    ``tensorflow.python.keras.layers`` -> ``tensorflow.python.keras``; None for modules that
    are not Keras at all (``tensorflow``, ``numpy``).
    """
    parts = module.split(".")
    for index, part in enumerate(parts):
        if part in FAMILIES:
            return ".".join(parts[: index + 1])
    return None


def implementation(outcome: ProbeOutcome) -> str | None:
    """The implementation a working line's object comes from: ``keras (keras 3.15.1)``.

    Two objects fit together only when their family and the distribution that installed
    them are the same; None for a failing line, an object that is not Keras, or one whose
    file no installed distribution owns (a local copy: its implementation is unknown, and
    guessing would report a mix that is not there).
    """
    if not outcome.works or outcome.resolved is None or not outcome.distribution:
        return None
    family = family_root(outcome.resolved.module)
    if family is None:
        return None
    return f"{family} ({outcome.distribution})"


def frozen_copy(module: str) -> bool:
    """Whether ``module`` is inside TensorFlow's frozen private Keras copy.

    ``tensorflow.python.keras`` was tf.keras until TF 2.5; since TF 2.6 ``tf.keras`` is the
    ``keras`` package, and the copy stays behind with no public import path, unmaintained.
    """
    return family_root(module) == "tensorflow.python.keras"
