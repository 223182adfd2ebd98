"""Every finding code as a table: (environment facts, outcomes) -> expected codes and fixes.

Pure tests, run through the path production uses: :func:`rules.propose` on the facts (with
the suggestions :func:`rank.suggest` makes), then :func:`pipeline.prove` with a re-probe
that is plain data. The facts are the frozen dataclasses the pipeline produces (built by
helpers.factories) in shapes seen in real environments; those environments themselves are
exercised in tests/integration/test_findings_realenv.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from helpers.factories import SITE, bash, dist, failed, line, ok, target
from kerasdoctor import pipeline
from kerasdoctor.diagnose import rank, rules, verify
from kerasdoctor.models import (
    Distribution,
    ErrorInfo,
    Finding,
    KerasConfig,
    Origin,
    ProbeOutcome,
    Severity,
    Target,
    UseCheck,
)

K3_BN = "keras.src.layers.normalization.batch_normalization"
K3_BN_V1 = "keras.src.layers.normalization.batch_normalization_v1"
TFK_BN = "tf_keras.src.layers.normalization.batch_normalization"
ADAM = "keras.src.optimizers.adam"
PY = "/venv/bin/python"
UV = f"uv pip install --python {PY}"
UV_RM = f"uv pip uninstall --python {PY}"

# What a fresh interpreter reports when a module is absent (CPython's own wording).
NO_TF = "No module named 'tensorflow'"
E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


def requiring(d: Distribution, *requires: str) -> Distribution:
    return dataclasses.replace(d, requires=requires)


TF221 = requiring(dist("tensorflow", "2.21.0"), "keras>=3.12.0", "numpy>=1.26.0")
TF215 = requiring(
    dist("tensorflow", "2.15.1"),
    "keras (<2.16,>=2.15.0)",
    "numpy (<2.0.0,>=1.23.5)",
    'tensorflow-intel (==2.15.1) ; platform_system == "Windows"',
)
K3 = requiring(dist("keras", "3.15.1"), "numpy", "h5py")
H5PY = dist("h5py", "3.14.0")
K215 = dist("keras", "2.15.0")
TFK221 = requiring(dist("tf-keras", "2.21.0", "tf_keras"), "tensorflow<2.22,>=2.21")
NUMPY = dist("numpy", "2.4.6")
NUMPY1 = dist("numpy", "1.26.4")
CORE = dist("keras-core", "0.1.7", "keras_core")


def with_modules(t: Target, **found: str | None) -> Target:
    """The inspection's find_spec answers: module -> origin (None: not found)."""
    origins = dict(t.module_origins)
    origins.update(found)
    return dataclasses.replace(t, module_origins=tuple(origins.items()))


def installed(t: Target, *names: str) -> Target:
    return with_modules(t, **{n: f"{SITE}/{n}/__init__.py" for n in names})


def absent(t: Target, *names: str) -> Target:
    return with_modules(t, **dict.fromkeys(names))


def env(t: Target, **variables: str) -> Target:
    return dataclasses.replace(t, env=tuple(variables.items()))


def keras3_alone(**variables: str) -> Target:
    t = installed(target(K3, NUMPY, H5PY), "keras", "numpy")
    t = absent(t, "tensorflow", "jax", "torch", "scipy", "openvino", "tf_keras", "keras_core")
    return env(t, **variables)


def tf221(*more: Distribution) -> Target:
    return absent(
        installed(target(TF221, K3, NUMPY, H5PY, *more), "tensorflow", "keras"), "tf_keras"
    )


class Reprobe:
    """Re-probing as data: answers with fixed outcomes and records every change it tried."""

    def __init__(self, outcomes: Sequence[ProbeOutcome]) -> None:
        self.outcomes = list(outcomes)
        self.calls: list[tuple[dict[str, str | None], str | None]] = []

    def reprobe(
        self, request: verify.ReprobeRequest, empty_folder: Callable[[], str]
    ) -> list[ProbeOutcome]:
        cwd = empty_folder() if request.empty_cwd else None
        self.calls.append((dict(request.variables), cwd))
        if cwd is not None:
            assert Path(cwd).is_dir()
            assert list(Path(cwd).iterdir()) == []
        return self.outcomes


def run(
    t: Target,
    outcomes: Sequence[ProbeOutcome],
    symbols: Sequence[str] = ("BatchNormalization",),
    reprobe: Reprobe | None = None,
) -> list[Finding]:
    """The findings as :func:`kerasdoctor.api.diagnose` makes them: propose, then prove.

    Without outcomes for probing again, the re-probe gives the same outcomes as before:
    the change it was asked to try fixed nothing.
    """
    _, suggestions = rank.suggest(t, symbols, outcomes)
    facts = rules.Facts(t, tuple(symbols), tuple(outcomes), suggestions)
    return list(pipeline.prove(reprobe or Reprobe(outcomes), rules.propose(facts)))


@dataclass(frozen=True)
class Expect:
    """What one finding must be; ``None`` fields are not checked."""

    code: str
    severity: Severity
    fix: tuple[str, ...] | None = None
    says: tuple[str, ...] = ()  # substrings of the message
    shows: tuple[str, ...] = ()  # substrings of some evidence line
    verified: bool = False


@dataclass(frozen=True)
class Case:
    id: str
    target: Target
    outcomes: tuple[ProbeOutcome, ...]
    #: every finding, in the order the report lists them (empty: the environment is quiet)
    expect: tuple[Expect, ...]
    symbols: tuple[str, ...] = ("BatchNormalization",)
    #: what probing again with an environment-only fix applied gives (None: same as before)
    again: tuple[ProbeOutcome, ...] | None = None
    #: the environment changes probing again must have been asked for, in order
    reprobed: tuple[tuple[dict[str, str | None], bool], ...] | None = field(default=None)


CASES = [
    # --- healthy environments are quiet ---------------------------------------------------
    Case(
        "tf221-with-its-keras",
        absent(
            installed(target(TF221, K3, NUMPY, H5PY), "tensorflow", "keras", "numpy"), "tf_keras"
        ),
        (
            ok(line("tensorflow.keras.layers"), K3_BN),
            ok(line("keras.layers"), K3_BN),
            failed(line("tf_keras.layers"), "No module named 'tf_keras'"),
            failed(
                line("keras.layers.normalization"), "No module named 'keras.layers.normalization'"
            ),
            ok(line("keras._tf_keras.keras.layers"), K3_BN),
        ),
        (),
    ),
    Case(
        "tf215-notes-the-v1-class-of-a-private-line",
        installed(target(TF215, K215, NUMPY1), "tensorflow", "keras", "numpy"),
        (
            ok(line("tensorflow.keras.layers"), K3_BN, dist_label="keras 2.15.0"),
            ok(line("keras.layers"), K3_BN, dist_label="keras 2.15.0"),
            ok(line("tensorflow.compat.v1.keras.layers"), K3_BN_V1, dist_label="keras 2.15.0"),
        ),
        (Expect("KD401", INFO, fix=(), says=("2 different classes", "batch_normalization_v1")),),
    ),
    Case(
        "keras3-on-torch",
        absent(
            env(
                installed(
                    target(K3, NUMPY, H5PY, dist("torch", "2.13.0")), "keras", "torch", "numpy"
                ),
                KERAS_BACKEND="torch",
            ),
            "tensorflow",
            "jax",
            "scipy",
        ),
        (failed(line("tensorflow.keras.layers"), NO_TF), ok(line("keras.layers"), K3_BN)),
        (),
    ),
    # --- KD001 ----------------------------------------------------------------------------
    Case(
        "kd001-nothing-installed-offers-tensorflow",
        absent(target(NUMPY), "tensorflow", "keras", "tf_keras", "keras_core"),
        (failed(line("keras.layers"), "No module named 'keras'"),),
        (Expect("KD001", E, fix=(f"{UV} tensorflow",), says=("neither Keras nor TensorFlow",)),),
    ),
    Case(
        "kd001-keras-installed-names-no-install",
        installed(target(K3, NUMPY, H5PY), "keras"),
        (failed(line("keras.layers"), "cannot import name 'X'", "ImportError"),),
        (Expect("KD001", E, fix=(), shows=("cannot import name 'X'",)),),
    ),
    # --- KD101 ----------------------------------------------------------------------------
    Case(
        "kd101-no-backend-installs-tensorflow",
        keras3_alone(),
        (failed(line("tensorflow.keras.layers"), NO_TF), failed(line("keras.layers"), NO_TF)),
        (
            Expect("KD001", E),
            Expect(
                "KD101",
                E,
                fix=(f"{UV} 'tensorflow>=2.16'",),
                says=("'tensorflow' backend", "default", "installed backends: none"),
            ),
        ),
    ),
    Case(
        "kd101-with-pip-names-the-interpreter",
        dataclasses.replace(keras3_alone(), python="/my env/bin/python", has_pip=True),
        (failed(line("keras.layers"), NO_TF),),
        (
            Expect("KD001", E),
            Expect("KD101", E, fix=("'/my env/bin/python' -m pip install 'tensorflow>=2.16'",)),
        ),
    ),
    Case(
        "kd101-installed-backend-proven",
        installed(keras3_alone(), "torch"),
        (failed(line("keras.layers"), NO_TF),),
        (
            Expect("KD001", E),
            Expect(
                "KD101",
                E,
                fix=("export KERAS_BACKEND=torch",),
                says=("the fix selects the installed torch backend",),
                shows=("probing again with KERAS_BACKEND=torch: `from keras.layers",),
                verified=True,
            ),
        ),
        again=(ok(line("keras.layers"), K3_BN),),
        reprobed=(({"KERAS_BACKEND": "torch"}, False),),
    ),
    Case(
        "kd101-installed-backend-not-proven-falls-back-to-install",
        installed(keras3_alone(), "torch"),
        (failed(line("keras.layers"), NO_TF),),
        (
            Expect("KD001", E),
            Expect(
                "KD101",
                E,
                fix=(f"{UV} 'tensorflow>=2.16'",),
                says=("the fix installs tensorflow>=2.16 into",),
                shows=("did not fix it", "No module named 'torch._C'"),
            ),
        ),
        again=(failed(line("keras.layers"), "No module named 'torch._C'"),),
    ),
    Case(
        "kd101-backend-from-keras-json",
        dataclasses.replace(
            installed(keras3_alone(), "torch"),
            keras_config=KerasConfig("/h/.keras/keras.json", True, "jax"),
        ),
        (failed(line("keras.layers"), "No module named 'jax'"),),
        (
            Expect("KD001", E),
            Expect(
                "KD101",
                E,
                fix=(f"{UV} jax",),
                says=('"backend": "jax" in /h/.keras/keras.json', "installed backends: torch"),
            ),
        ),
    ),
    Case(
        "kd101-unknown-backend-name",
        installed(keras3_alone(KERAS_BACKEND="pytorch"), "torch"),
        (failed(line("keras.layers"), "Unable to import backend : pytorch", "ValueError"),),
        (
            Expect("KD001", E),
            Expect(
                "KD101",
                E,
                fix=("export KERAS_BACKEND=torch",),
                says=("'pytorch' is not a backend Keras knows",),
                verified=True,
            ),
        ),
        again=(ok(line("keras.layers"), K3_BN),),
    ),
    Case(
        "kd101-not-for-keras2",
        absent(installed(target(K215), "keras"), "tensorflow"),
        (failed(line("keras.layers"), NO_TF),),
        # Keras 2 has no backend to choose: TensorFlow is a dependency it misses.
        (Expect("KD001", E), Expect("KD102", E, says=("module 'tensorflow' is missing",))),
    ),
    # --- KD102 ----------------------------------------------------------------------------
    Case(
        "kd102-numpy-backend-needs-scipy-and-jax",
        keras3_alone(KERAS_BACKEND="numpy"),
        (
            failed(line("tensorflow.keras.layers"), NO_TF),
            failed(line("keras.layers"), "No module named 'scipy'"),
        ),
        (
            Expect("KD001", E),
            Expect("KD102", E, fix=(f"{UV} scipy jax",), says=("scipy distribution", "jax")),
        ),
    ),
    Case(
        "kd102-uses-the-declared-specifier",
        absent(installed(target(TF215, NUMPY1), "tensorflow", "numpy"), "keras"),
        (failed(line("tensorflow.keras.layers"), "No module named 'keras'"),),
        (
            Expect("KD001", E),
            Expect("KD102", E, fix=(f"{UV} 'keras<2.16,>=2.15.0'",)),
            # The same absence, read from TensorFlow's Requires-Dist.
            Expect("KD202", E, fix=(f"{UV} 'keras<2.16,>=2.15.0'",), says=("not installed",)),
        ),
    ),
    Case(
        "kd102-unknown-module-has-no-guessed-fix",
        installed(target(K3, NUMPY, H5PY), "keras", "tensorflow"),
        (failed(line("keras.layers"), "No module named 'frobnicate'"),),
        (
            Expect("KD001", E),
            Expect(
                "KD102", E, fix=(), says=("does not know which distribution provides frobnicate",)
            ),
        ),
    ),
    Case(
        "kd102-not-for-moved-submodules-and-absent-roots",
        tf221(),
        (
            ok(line("keras.layers"), K3_BN),
            failed(
                line("keras.layers.normalization"), "No module named 'keras.layers.normalization'"
            ),
            failed(line("tf_keras.layers"), "No module named 'tf_keras'"),
            failed(line("tensorflow.keras.layers"), "No module named 'keras.api._v2'"),
        ),
        (),
    ),
    Case(
        "kd102-not-for-a-private-module-of-another-backend",
        absent(installed(target(K3, NUMPY, H5PY), "keras", "jax"), "torch"),
        (
            ok(line("keras.optimizers", "Adam"), ADAM, kind="class"),
            failed(
                line(
                    "keras.src.backend.torch.optimizers.torch_adam",
                    "Adam",
                    origin=Origin.DISCOVERED,
                ),
                "No module named 'torch'",
            ),
        ),
        (),
        symbols=("Adam",),
    ),
    # --- KD201 ----------------------------------------------------------------------------
    Case(
        "kd201-tensorflow-cpu-and-tensorflow",
        installed(
            target(
                requiring(dist("tensorflow-cpu", "2.21.0", "tensorflow"), "keras>=3.12.0"),
                TF221,
                K3,
                TFK221,
                NUMPY,
                H5PY,
            ),
            "tensorflow",
            "keras",
            "tf_keras",
        ),
        (ok(line("tensorflow.keras.layers"), K3_BN),),
        (
            Expect(
                "KD201",
                W,
                fix=(f"{UV_RM} tensorflow-cpu tensorflow", f"{UV} tensorflow==2.21.0"),
                says=("tf-keras 2.21.0 requires tensorflow",),
            ),
        ),
    ),
    Case(
        "kd201-keras-and-keras-nightly-keep-the-one-tensorflow-requires",
        dataclasses.replace(
            installed(
                target(TF221, K3, dist("keras-nightly", "3.16.0.dev2026", "keras"), NUMPY, H5PY),
                "tensorflow",
                "keras",
            ),
            has_pip=True,
        ),
        (ok(line("keras.layers"), K3_BN),),
        (
            Expect(
                "KD201",
                W,
                fix=(
                    f"{PY} -m pip uninstall -y keras-nightly keras",
                    f"{PY} -m pip install keras==3.15.1",
                ),
            ),
        ),
    ),
    Case(
        "kd201-not-for-a-meta-package-and-its-build",
        # TensorFlow on Windows: `tensorflow` requires `tensorflow-intel`, which has the files.
        installed(
            target(
                requiring(dist("tensorflow", "2.15.1"), "tensorflow-intel==2.15.1"),
                dist("tensorflow-intel", "2.15.1", "tensorflow"),
            ),
            "tensorflow",
        ),
        (ok(line("tensorflow.keras.layers"), K3_BN),),
        (),
    ),
    # --- KD202 ----------------------------------------------------------------------------
    Case(
        "kd202-keras3-over-tensorflow-2-15-is-one-finding",
        dataclasses.replace(
            installed(target(TF215, K3, NUMPY1, H5PY), "tensorflow", "keras"),
            has_pip=True,
            python="/opt/py env/bin/python",
        ),
        (ok(line("tensorflow.keras.layers"), K3_BN), ok(line("keras.layers"), K3_BN)),
        (
            # A warning: the lines work, but tf.keras silently changed.
            Expect(
                "KD202",
                W,
                fix=("'/opt/py env/bin/python' -m pip install 'keras<2.16,>=2.15.0'",),
                says=("Keras 3 needs TensorFlow 2.16", "replaces keras 3.15.1"),
                shows=("requires keras",),
            ),
        ),
    ),
    Case(
        "kd202-error-when-a-public-line-breaks",
        installed(
            target(requiring(dist("tensorflow", "2.14.1"), "keras<2.15,>=2.14.0"), K3, NUMPY, H5PY),
            "tensorflow",
            "keras",
        ),
        (
            failed(line("tensorflow.keras.layers"), "No module named 'keras.api._v2'"),
            ok(line("keras.layers"), K3_BN),
        ),
        (Expect("KD202", E, fix=(f"{UV} 'keras<2.15,>=2.14.0'",)),),
    ),
    Case(
        "kd202-tf-keras-follows-tensorflow",
        installed(
            target(
                TF221,
                K3,
                requiring(dist("tf-keras", "2.20.1", "tf_keras"), "tensorflow<2.21,>=2.20"),
                NUMPY,
                H5PY,
            ),
            "tensorflow",
            "keras",
            "tf_keras",
        ),
        (ok(line("keras.layers"), K3_BN),),
        (Expect("KD202", W, fix=(f"{UV} 'tf-keras>=2.21,<2.22'",), says=("same minor version",)),),
    ),
    Case(
        "kd202-tf-keras-2-15-pins-nothing-but-must-match",
        installed(
            target(
                requiring(dist("tensorflow", "2.16.2"), "keras>=3.0.0"),
                K3,
                NUMPY,
                H5PY,
                dist("tf-keras", "2.15.1", "tf_keras"),
            ),
            "tensorflow",
        ),
        (ok(line("keras.layers"), K3_BN),),
        (Expect("KD202", W, fix=(f"{UV} 'tf-keras>=2.16,<2.17'",)),),
    ),
    Case(
        "kd202-old-multibackend-keras-with-tensorflow-2",
        installed(
            target(dist("tensorflow", "2.4.4"), dist("keras", "2.3.1")), "tensorflow", "keras"
        ),
        (
            failed(
                line("keras.layers"),
                "partially initialized module 'keras' has no attribute '__version__'",
                "AttributeError",
            ),
        ),
        (Expect("KD001", E), Expect("KD202", E, fix=(f"{UV_RM} keras",))),
    ),
    Case(
        "kd202-checks-requires-dist-like-pip-check",
        installed(target(TF215, K215, NUMPY), "tensorflow", "keras"),
        (ok(line("keras.layers"), K3_BN),),
        (
            Expect(
                "KD202",
                W,
                fix=(f"{UV} 'numpy<2.0.0,>=1.23.5'",),
                says=("requires numpy<2.0.0,>=1.23.5",),
            ),
        ),
    ),
    Case(
        "kd202-missing-requirement-and-markers",
        # tf-keras without TensorFlow; the Windows-only requirement of TF must not count here.
        installed(target(TFK221), "tf_keras"),
        (ok(line("tf_keras.layers"), TFK_BN, dist_label="tf-keras 2.21.0"),),
        (
            Expect(
                "KD202",
                W,
                fix=(f"{UV} 'tensorflow<2.22,>=2.21'",),
                says=("which is not installed",),
            ),
        ),
    ),
    # --- KD203 ----------------------------------------------------------------------------
    Case(
        "kd203-keras-core-moves-to-keras3",
        installed(target(CORE, NUMPY), "keras_core"),
        (ok(line("keras_core.layers"), "keras_core.src.x", dist_label="keras-core 0.1.7"),),
        (Expect("KD203", W, fix=(f"{UV} 'keras>=3'", f"{UV_RM} keras-core")),),
    ),
    Case(
        "kd203-keras-core-next-to-old-tensorflow-has-no-blind-fix",
        installed(target(CORE, TF215, K215), "keras_core", "tensorflow", "keras"),
        (ok(line("keras.layers"), K3_BN, dist_label="keras 2.15.0"),),
        (
            Expect("KD202", W, says=("requires numpy",)),  # no numpy in this target
            Expect("KD203", W, fix=(), says=("upgrade TensorFlow first",)),
        ),
    ),
    Case(
        "kd203-tensorflow-gpu",
        dataclasses.replace(
            installed(target(dist("tensorflow-gpu", "2.10.1", "tensorflow")), "tensorflow"),
            has_pip=True,
        ),
        (ok(line("tensorflow.keras.layers"), K3_BN),),
        (
            Expect(
                "KD203",
                W,
                fix=(
                    f"{PY} -m pip uninstall -y tensorflow-gpu",
                    f"{PY} -m pip install tensorflow==2.10.1",
                ),
            ),
        ),
    ),
    # --- KD301 ----------------------------------------------------------------------------
    Case(
        "kd301-keras-py-in-the-working-directory-proven-from-an-empty-folder",
        with_modules(target(K3, NUMPY, H5PY), keras="/work/project/keras.py"),
        (failed(line("keras.layers"), "No module named 'keras.layers'; 'keras' is not a package"),),
        (
            Expect("KD001", E),
            Expect(
                "KD301",
                E,
                fix=(
                    "test ! -e /work/project/keras_local.py && "
                    "mv -- /work/project/keras.py /work/project/keras_local.py",
                ),
                says=(
                    "/work/project/keras.py hides the installed keras 3.15.1",
                    "scripts started elsewhere are not affected",
                ),
                shows=("probing again from a folder without keras.py",),
                verified=True,
            ),
        ),
        again=(ok(line("keras.layers"), K3_BN),),
        reprobed=(({}, True),),
    ),
    Case(
        "kd301-a-working-package-checkout-is-not-a-shadow",
        # Developing Keras itself from its source folder: the folder is the package in use.
        with_modules(target(K3, NUMPY, H5PY), keras="/work/project/keras/__init__.py"),
        (ok(line("keras.layers"), K3_BN),),
        (),
    ),
    Case(
        "kd301-on-pythonpath-drops-the-entry",
        env(
            with_modules(target(K3, NUMPY, H5PY), tensorflow="/libs/tensorflow/__init__.py"),
            PYTHONPATH="/libs:/other",
        ),
        (failed(line("tensorflow.keras.layers"), "No module named 'tensorflow.keras'"),),
        (
            Expect("KD001", E),
            Expect(
                "KD301",
                E,
                fix=("export PYTHONPATH=/other",),
                says=("every Python started with this PYTHONPATH",),
                verified=True,
            ),
        ),
        again=(ok(line("tensorflow.keras.layers"), K3_BN),),
        reprobed=(({"PYTHONPATH": "/other"}, False),),
    ),
    Case(
        "kd301-only-entry-on-pythonpath-unsets-it",
        env(with_modules(target(K3, NUMPY, H5PY), keras="/libs/keras.py"), PYTHONPATH="/libs"),
        (failed(line("keras.layers"), "'keras' is not a package"),),
        (
            Expect("KD001", E),
            Expect(
                "KD301",
                E,
                fix=("unset PYTHONPATH",),
                shows=("with PYTHONPATH unset",),
                verified=True,
            ),
        ),
        again=(ok(line("keras.layers"), K3_BN),),
        reprobed=(({"PYTHONPATH": None}, False),),
    ),
    Case(
        "kd301-two-shadows-are-probed-once-from-one-empty-folder",
        with_modules(
            target(K3, NUMPY, H5PY, CORE),
            keras="/work/project/keras.py",
            keras_core="/work/project/keras_core.py",
            tensorflow=None,
        ),
        (
            failed(line("keras.layers"), "'keras' is not a package"),
            failed(line("keras_core.layers"), "'keras_core' is not a package"),
        ),
        (
            Expect("KD001", E),
            # keras 3 and keras-core on the default backend, TensorFlow, which is absent.
            Expect("KD101", E, fix=(f"{UV} 'tensorflow>=2.16'",)),
            Expect("KD203", W),
            Expect("KD301", E, says=("keras.py",), verified=True),
            Expect("KD301", E, says=("keras_core.py",), verified=True),
        ),
        again=(ok(line("keras.layers"), K3_BN),),
        reprobed=(({}, True),),
    ),
    Case(
        "kd301-errors-before-warnings-within-a-code",
        # A working lone keras.py (a warning) comes after a keras_core.py that breaks the
        # keras_core lines (an error), although the rule looks at keras first.
        with_modules(
            target(K3, NUMPY, H5PY, CORE),
            keras="/work/project/keras.py",
            keras_core="/work/project/keras_core.py",
        ),
        (
            ok(line("keras.layers"), K3_BN),
            failed(line("keras_core.layers"), "'keras_core' is not a package"),
        ),
        (
            Expect("KD203", W),
            Expect("KD301", E, says=("keras_core.py hides",), verified=True),
            Expect("KD301", W, says=("keras.py hides",), verified=True),
        ),
        again=(
            ok(line("keras.layers"), K3_BN),
            ok(line("keras_core.layers"), "keras_core.src.x", dist_label="keras-core 0.1.7"),
        ),
        reprobed=(({}, True),),
    ),
    # --- KD302 ----------------------------------------------------------------------------
    Case(
        "kd302-flag-without-tf-keras-breaks-tf-keras-lines",
        env(tf221(), TF_USE_LEGACY_KERAS="1"),
        (
            failed(
                line("tensorflow.keras.layers"),
                "Keras cannot be imported. Check that it is installed.",
                "ImportError",
            ),
            ok(line("keras.layers"), K3_BN),
        ),
        (
            Expect(
                "KD302",
                E,
                fix=(f"{UV} 'tf-keras>=2.21,<2.22'",),
                says=("unset TF_USE_LEGACY_KERAS", "tensorflow.keras lines fail"),
            ),
        ),
    ),
    Case(
        "kd302-flag-without-tf-keras-where-tf-keras-silently-is-keras3",
        # TensorFlow 2.21 seen here: the line still imports, and gives Keras 3.
        env(tf221(), TF_USE_LEGACY_KERAS="1"),
        (
            ok(line("tensorflow.keras.layers"), K3_BN),
            failed(line("tensorflow.python.keras.layers"), "cannot import name", "ImportError"),
        ),
        (
            Expect(
                "KD302",
                W,
                fix=(f"{UV} 'tf-keras>=2.21,<2.22'",),
                says=("tf.keras silently gives keras 3.15.1",),
            ),
        ),
    ),
    Case(
        "kd302-flag-on-old-tensorflow-is-proven-harmless-to-remove",
        env(
            installed(
                target(dist("tensorflow", "2.12.1"), dist("keras", "2.12.0")), "tensorflow", "keras"
            ),
            TF_USE_LEGACY_KERAS="true",
        ),
        (
            ok(
                line("tensorflow.keras.layers"),
                "keras.layers.normalization.bn",
                dist_label="keras 2.12.0",
            ),
        ),
        (
            Expect(
                "KD302",
                W,
                fix=("unset TF_USE_LEGACY_KERAS",),
                says=("has no effect",),
                verified=True,
            ),
        ),
        again=(ok(line("tensorflow.keras.layers"), "keras.layers.normalization.bn"),),
        reprobed=(({"TF_USE_LEGACY_KERAS": None}, False),),
    ),
    *[
        Case(
            f"kd302-quiet-for-value-{value or 'empty'}",
            env(tf221(), TF_USE_LEGACY_KERAS=value),
            (ok(line("keras.layers"), K3_BN),),
            (),
        )
        for value in ("0", "false", "", "yes")
    ],
    # --- KD401 ----------------------------------------------------------------------------
    Case(
        "kd401-tf-keras-and-keras3-side-by-side-is-information",
        env(
            installed(target(TF221, K3, TFK221, NUMPY, H5PY), "tensorflow", "keras", "tf_keras"),
            TF_USE_LEGACY_KERAS="1",
        ),
        (
            ok(line("tensorflow.keras.layers"), TFK_BN, dist_label="tf-keras 2.21.0"),
            ok(line("keras.layers"), K3_BN),
            ok(line("tf_keras.layers"), TFK_BN, dist_label="tf-keras 2.21.0"),
        ),
        (
            # Only the difference is known: that models reject the other class is not probed.
            Expect(
                "KD401",
                INFO,
                fix=(),
                says=(
                    "[tensorflow.keras.layers and tf_keras.layers] give " + TFK_BN,
                    "(the suggested line's)",
                    f"[keras.layers] give {K3_BN}:BatchNormalization from keras 3.15.1",
                    "was not probed",
                ),
                shows=(f"from keras.layers import BatchNormalization -> {K3_BN}",),
            ),
        ),
    ),
    # --- KD402 ----------------------------------------------------------------------------
    Case(
        "kd402-placeholders-nobody-asked-about-are-information",
        # TF 2.21: tensorflow.keras.optimizers.legacy is public but a placeholder, and the
        # suggested line is tensorflow.keras.optimizers: `--strict` must not fail on it.
        installed(target(TF221, K3, NUMPY, H5PY), "tensorflow", "keras", "numpy"),
        (
            ok(line("tensorflow.keras.optimizers", "Adam"), ADAM, kind="class"),
            ok(line("keras.optimizers", "Adam"), ADAM, kind="class"),
            ok(
                line("tensorflow.keras.optimizers.legacy", "Adam", origin=Origin.PUBLIC),
                "keras.src.optimizers",
                kind="class",
                usable=False,
            ),
            ok(
                line("keras.optimizers.legacy", "Adam"),
                "keras.src.optimizers",
                kind="class",
                usable=False,
            ),
        ),
        (
            Expect(
                "KD402", INFO, says=("use `from tensorflow.keras.optimizers import Adam` instead",)
            ),
        ),
        symbols=("Adam",),
    ),
    Case(
        "kd402-the-line-the-user-named-is-a-warning",
        installed(target(TF221, K3, NUMPY, H5PY), "tensorflow", "keras"),
        (
            ok(
                line("keras.optimizers.legacy", "Adam", origin=Origin.USER),
                "keras.src.optimizers",
                kind="class",
                usable=False,
            ),
            ok(line("keras.optimizers", "Adam"), ADAM, kind="class"),
        ),
        (Expect("KD402", W, says=("use `from keras.optimizers import Adam` instead",)),),
        symbols=("Adam",),
    ),
    Case(
        "kd402-error-when-nothing-is-usable",
        installed(target(K3, NUMPY, H5PY), "keras"),
        (ok(line("keras.layers"), K3_BN, usable=False),),
        (Expect("KD001", E), Expect("KD402", E, says=("no line gives a usable one here",))),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_findings(case: Case) -> None:
    reprobe = Reprobe(case.outcomes if case.again is None else case.again)
    found = run(case.target, case.outcomes, case.symbols, reprobe)
    assert [(f.code, f.severity) for f in found] == [(e.code, e.severity) for e in case.expect]
    for finding, expect in zip(found, case.expect):
        assert finding.slug, finding
        if expect.fix is not None:
            assert bash(finding.fix) == expect.fix, finding
        for text in expect.says:
            assert text in finding.message, (text, finding.message)
        for text in expect.shows:
            assert any(text in e for e in finding.evidence), (text, finding.evidence)
        assert finding.verified is expect.verified, finding
    if case.reprobed is not None:
        assert [(changes, cwd is not None) for changes, cwd in reprobe.calls] == list(case.reprobed)


def test_the_unproven_message_of_an_environment_fix() -> None:
    # What a proposal says before (or without) probing again: the fix's note is part of it.
    t = installed(keras3_alone(), "torch")
    outcomes = [failed(line("keras.layers"), NO_TF)]
    _, suggestions = rank.suggest(t, ("BatchNormalization",), outcomes)
    facts = rules.Facts(t, ("BatchNormalization",), tuple(outcomes), suggestions)
    (kd101,) = [p for p in rules.propose(facts) if p.finding.code == "KD101"]
    assert kd101.check is not None
    assert kd101.unproven().message.endswith("; the fix selects the installed torch backend")
    assert "selects" not in kd101.finding.message


def test_kd402_keeps_the_part_of_a_keras_call_error_that_explains_it() -> None:
    # Keras 3 wraps an error inside a layer's call: a header, the real error in bold, then
    # the call's arguments (keras/src/utils/traceback_utils.py).
    wrapped = (
        "Exception encountered when calling BatchNormalization.call().\n\n"
        "\x1b[1mInput 0 of layer is incompatible: expected ndim=4, found ndim=2\x1b[0m\n\n"
        "Arguments received by BatchNormalization.call():\n  • inputs=tf.Tensor(shape=(2, 4))"
    )
    placeholder = ok(line("keras.layers"), K3_BN, usable=False)
    assert placeholder.use is not None
    use = UseCheck(False, placeholder.use.how, ErrorInfo("ValueError", wrapped))
    broken = dataclasses.replace(placeholder, use=use)
    found = run(installed(target(K3, NUMPY, H5PY), "keras"), [broken])
    (kd402,) = [f for f in found if f.code == "KD402"]
    assert kd402.evidence == (
        "from keras.layers import BatchNormalization: built in a keras Sequential model and ran "
        "forward on zeros(2, 4): ValueError: Input 0 of layer is incompatible: expected ndim=4, "
        "found ndim=2",
    )


def test_without_reprobe_nothing_is_verified() -> None:
    t = installed(keras3_alone(), "torch")
    outcomes = [failed(line("keras.layers"), NO_TF)]
    _, suggestions = rank.suggest(t, ("BatchNormalization",), outcomes)
    facts = rules.Facts(t, ("BatchNormalization",), tuple(outcomes), suggestions)
    proposals = rules.propose(facts)
    found = verify.conclude(proposals, {})  # no change was probed again
    assert [f.code for f in found] == ["KD001", "KD101"]
    assert not any(f.verified for f in found)
    # Not proven, the environment-only fix is still offered, without its note.
    assert bash(found[1].fix) == ("export KERAS_BACKEND=torch",)


def test_lines_to_reprobe_keeps_public_and_user_lines() -> None:
    public = line("keras.layers")
    legacy = line("keras.src.layers")
    user = line("keras.src.layers.core", "Dense", origin=Origin.USER)
    only_private = line("keras.src.x", "Thing")
    assert verify.lines_to_reprobe([public, legacy, user, only_private]) == [
        public,
        user,
        only_private,
    ]
