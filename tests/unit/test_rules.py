"""Every finding code on targets and outcomes shaped like real ones, and the fixes they print.

Pure tests: the facts are the frozen dataclasses the pipeline produces (built by
helpers.factories), the rules run as in :func:`kerasdoctor.api.diagnose`, and re-probing is
a plain function that returns outcomes. The real environments behind these shapes are
exercised in tests/integration/test_findings_realenv.py.
"""

from __future__ import annotations

import dataclasses
import shlex
from collections.abc import Sequence

import pytest

from helpers.factories import SITE, dist, failed, line, ok, target
from kerasdoctor.diagnose import fixes, rank, rules
from kerasdoctor.models import (
    Distribution,
    Finding,
    KerasConfig,
    Origin,
    ProbeOutcome,
    Severity,
    Target,
)

K3_BN = "keras.src.layers.normalization.batch_normalization"
K3_BN_V1 = "keras.src.layers.normalization.batch_normalization_v1"
TFK_BN = "tf_keras.src.layers.normalization.batch_normalization"
PY = "/venv/bin/python"

# What a fresh interpreter reports when a module is absent (CPython's own wording).
NO_TF = "No module named 'tensorflow'"


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


def with_modules(t: Target, **found: str | None) -> Target:
    """The inspection's find_spec answers: module -> origin (None: not found)."""
    origins = dict(t.module_origins)
    for name, where in found.items():
        origins[name] = where
    return dataclasses.replace(t, module_origins=tuple(origins.items()))


def installed(t: Target, *names: str) -> Target:
    return with_modules(t, **{n: f"{SITE}/{n}/__init__.py" for n in names})


def absent(t: Target, *names: str) -> Target:
    return with_modules(t, **dict.fromkeys(names))


def facts(
    t: Target, outcomes: Sequence[ProbeOutcome], symbols: Sequence[str] = ("BatchNormalization",)
) -> rules.Facts:
    _, suggestions = rank.suggest(t, symbols, outcomes)
    return rules.Facts(t, tuple(symbols), tuple(outcomes), suggestions)


def findings(
    t: Target, outcomes: Sequence[ProbeOutcome], symbols: Sequence[str] = ("BatchNormalization",)
) -> list[Finding]:
    return list(rules.run_rules(facts(t, outcomes, symbols)))


def codes(found: Sequence[Finding]) -> list[str]:
    return [f.code for f in found]


def loud(found: Sequence[Finding]) -> list[Finding]:
    return [f for f in found if f.severity is not Severity.INFO]


def only(found: Sequence[Finding], code: str) -> Finding:
    mine = [f for f in found if f.code == code]
    assert len(mine) == 1, found
    return mine[0]


# --- healthy environments are quiet ---------------------------------------------------


def test_tensorflow_2_21_with_its_keras_is_quiet() -> None:
    t = absent(
        installed(target(TF221, K3, NUMPY, H5PY), "tensorflow", "keras", "numpy"), "tf_keras"
    )
    outcomes = [
        ok(line("tensorflow.keras.layers"), K3_BN),
        ok(line("keras.layers"), K3_BN),
        failed(line("tf_keras.layers"), "No module named 'tf_keras'"),
        failed(line("keras.layers.normalization"), "No module named 'keras.layers.normalization'"),
        ok(line("keras._tf_keras.keras.layers"), K3_BN),
    ]
    assert findings(t, outcomes) == []


def test_tensorflow_2_15_with_keras_2_15_is_quiet_but_notes_the_v1_class() -> None:
    t = installed(target(TF215, K215, NUMPY1), "tensorflow", "keras", "numpy")
    outcomes = [
        ok(line("tensorflow.keras.layers"), K3_BN, dist_label="keras 2.15.0"),
        ok(line("keras.layers"), K3_BN, dist_label="keras 2.15.0"),
        ok(line("tensorflow.compat.v1.keras.layers"), K3_BN_V1, dist_label="keras 2.15.0"),
    ]
    found = findings(t, outcomes)
    assert loud(found) == []
    assert codes(found) == ["KD401"]  # info: the V1 class of a private line
    assert "batch_normalization_v1" in found[0].message


def test_keras3_on_torch_is_quiet() -> None:
    t = dataclasses.replace(
        installed(target(K3, NUMPY, H5PY, dist("torch", "2.13.0")), "keras", "torch", "numpy"),
        env=(("KERAS_BACKEND", "torch"),),
    )
    t = absent(t, "tensorflow", "jax", "scipy")
    outcomes = [
        failed(line("tensorflow.keras.layers"), NO_TF),
        ok(line("keras.layers"), K3_BN),
    ]
    assert findings(t, outcomes) == []


def test_a_legacy_placeholder_is_information_only() -> None:
    # keras.optimizers.legacy under Keras 3 imports a placeholder that raises when used.
    t = installed(target(TF221, K3, NUMPY, H5PY), "tensorflow", "keras", "numpy")
    adam = "keras.src.optimizers.adam"
    outcomes = [
        ok(line("tensorflow.keras.optimizers", "Adam"), adam, kind="class"),
        ok(line("keras.optimizers", "Adam"), adam, kind="class"),
        ok(
            line("keras.optimizers.legacy", "Adam"),
            "keras.src.optimizers",
            kind="class",
            usable=False,
        ),
    ]
    found = findings(t, outcomes, ["Adam"])
    assert loud(found) == []
    assert codes(found) == ["KD402"]


# --- KD001 ----------------------------------------------------------------------------


def test_kd001_with_nothing_installed_offers_tensorflow() -> None:
    t = absent(target(NUMPY), "tensorflow", "keras", "tf_keras", "keras_core")
    outcomes = [failed(line("keras.layers"), "No module named 'keras'")]
    finding = only(findings(t, outcomes), "KD001")
    assert finding.severity is Severity.ERROR
    assert finding.fix == (f"uv pip install --python {PY} tensorflow",)


def test_kd001_with_keras_installed_names_no_install() -> None:
    t = installed(target(K3, NUMPY, H5PY), "keras")
    outcomes = [failed(line("keras.layers"), "cannot import name 'X'", "ImportError")]
    assert only(findings(t, outcomes), "KD001").fix == ()


# --- KD101 ----------------------------------------------------------------------------


def keras3_alone(**env: str) -> Target:
    t = installed(target(K3, NUMPY, H5PY), "keras", "numpy")
    t = absent(t, "tensorflow", "jax", "torch", "scipy", "openvino", "tf_keras", "keras_core")
    return dataclasses.replace(t, env=tuple(env.items()))


def test_kd101_keras3_without_any_backend_installs_tensorflow() -> None:
    outcomes = [failed(line("tensorflow.keras.layers"), NO_TF), failed(line("keras.layers"), NO_TF)]
    found = findings(keras3_alone(), outcomes)
    assert codes(found) == ["KD001", "KD101"]
    finding = only(found, "KD101")
    assert finding.severity is Severity.ERROR
    assert "'tensorflow' backend" in finding.message and "default" in finding.message
    assert "installed backends: none" in finding.message
    assert finding.fix == (f"uv pip install --python {PY} 'tensorflow>=2.16'",)
    assert "KD102" not in codes(found)  # the backend is KD101's, not a missing dependency


def test_kd101_with_pip_uses_the_target_interpreter() -> None:
    t = dataclasses.replace(keras3_alone(), python="/my env/bin/python", has_pip=True)
    found = findings(t, [failed(line("keras.layers"), NO_TF)])
    assert only(found, "KD101").fix == ("'/my env/bin/python' -m pip install 'tensorflow>=2.16'",)


def test_kd101_offers_an_installed_backend_and_asks_for_proof() -> None:
    t = installed(keras3_alone(), "torch")
    t = dataclasses.replace(t, keras_config=KerasConfig("/h/.keras/keras.json", True, "jax"))
    proposals = rules.kd101_keras_backend_missing(
        facts(t, [failed(line("keras.layers"), "No module named 'jax'")])
    )
    (proposal,) = proposals
    assert "keras.json" in proposal.finding.message
    assert "installed backends: torch" in proposal.finding.message
    assert proposal.finding.fix == ("export KERAS_BACKEND=torch",)
    assert proposal.check is not None
    assert proposal.check.variables == (("KERAS_BACKEND", "torch"),)
    assert proposal.check.fallback == (f"uv pip install --python {PY} jax",)


def test_kd101_unknown_backend_name() -> None:
    t = installed(keras3_alone(KERAS_BACKEND="pytorch"), "torch")
    message = "Unable to import backend : pytorch"
    found = findings(t, [failed(line("keras.layers"), message, "ValueError")])
    finding = only(found, "KD101")
    assert "'pytorch' is not a backend Keras knows" in finding.message
    assert finding.fix == ("export KERAS_BACKEND=torch",)


def test_kd101_not_for_keras2() -> None:
    t = absent(installed(target(K215), "keras"), "tensorflow")
    assert "KD101" not in codes(findings(t, [failed(line("keras.layers"), NO_TF)]))


# --- KD102 ----------------------------------------------------------------------------


def test_kd102_numpy_backend_needs_scipy_and_jax() -> None:
    t = keras3_alone(KERAS_BACKEND="numpy")
    outcomes = [
        failed(line("tensorflow.keras.layers"), NO_TF),
        failed(line("keras.layers"), "No module named 'scipy'"),
    ]
    found = findings(t, outcomes)
    assert codes(found) == ["KD001", "KD102"]
    finding = only(found, "KD102")
    assert finding.severity is Severity.ERROR
    assert "scipy distribution" in finding.message and "jax" in finding.message
    assert finding.fix == (f"uv pip install --python {PY} scipy jax",)


def test_kd102_uses_the_declared_specifier() -> None:
    # TensorFlow 2.15 without its Keras: tf.keras fails on the missing keras package.
    t = absent(installed(target(TF215, NUMPY1), "tensorflow", "numpy"), "keras")
    found = findings(t, [failed(line("tensorflow.keras.layers"), "No module named 'keras'")])
    assert only(found, "KD102").fix == (f"uv pip install --python {PY} 'keras<2.16,>=2.15.0'",)


def test_kd102_unknown_module_has_no_guessed_fix() -> None:
    t = installed(target(K3, NUMPY, H5PY), "keras", "tensorflow")
    found = findings(t, [failed(line("keras.layers"), "No module named 'frobnicate'")])
    finding = only(found, "KD102")
    assert finding.fix == ()
    assert "does not know which distribution provides frobnicate" in finding.message


def test_kd102_ignores_moved_submodules_and_absent_roots() -> None:
    t = absent(installed(target(TF221, K3, NUMPY, H5PY), "tensorflow", "keras"), "tf_keras")
    outcomes = [
        ok(line("keras.layers"), K3_BN),
        failed(line("keras.layers.normalization"), "No module named 'keras.layers.normalization'"),
        failed(line("tf_keras.layers"), "No module named 'tf_keras'"),
        failed(line("tensorflow.keras.layers"), "No module named 'keras.api._v2'"),
    ]
    assert "KD102" not in codes(findings(t, outcomes))


def test_kd102_not_for_a_private_module_of_another_backend() -> None:
    # Keras 3 on JAX: the torch backend's own Adam needs torch; keras.optimizers works.
    t = installed(target(K3, NUMPY, H5PY), "keras", "jax")
    t = absent(t, "torch")
    outcomes = [
        ok(line("keras.optimizers", "Adam"), "keras.src.optimizers.adam", kind="class"),
        failed(
            line("keras.src.backend.torch.optimizers.torch_adam", "Adam", origin=Origin.DISCOVERED),
            "No module named 'torch'",
        ),
    ]
    assert findings(t, outcomes, ["Adam"]) == []


# --- KD201 ----------------------------------------------------------------------------


def test_kd201_tensorflow_cpu_and_tensorflow() -> None:
    cpu = requiring(dist("tensorflow-cpu", "2.21.0", "tensorflow"), "keras>=3.12.0")
    t = installed(target(cpu, TF221, K3, TFK221, NUMPY, H5PY), "tensorflow", "keras", "tf_keras")
    finding = only(findings(t, [ok(line("tensorflow.keras.layers"), K3_BN)]), "KD201")
    assert finding.severity is Severity.WARNING
    assert "tf-keras 2.21.0 requires tensorflow" in finding.message
    assert finding.fix == (
        f"uv pip uninstall --python {PY} tensorflow-cpu tensorflow",
        f"uv pip install --python {PY} tensorflow==2.21.0",
    )


def test_kd201_keras_and_keras_nightly_keep_the_one_tensorflow_requires() -> None:
    nightly = dist("keras-nightly", "3.16.0.dev2026", "keras")
    t = dataclasses.replace(
        installed(target(TF221, K3, nightly, NUMPY, H5PY), "tensorflow", "keras"), has_pip=True
    )
    finding = only(findings(t, [ok(line("keras.layers"), K3_BN)]), "KD201")
    assert finding.fix == (
        f"{PY} -m pip uninstall -y keras-nightly keras",
        f"{PY} -m pip install keras==3.15.1",
    )


def test_kd201_not_for_a_meta_package_and_its_build() -> None:
    # TensorFlow on Windows: `tensorflow` requires `tensorflow-intel`, which has the files.
    meta = requiring(dist("tensorflow", "2.15.1"), "tensorflow-intel==2.15.1")
    intel = dist("tensorflow-intel", "2.15.1", "tensorflow")
    t = installed(target(meta, intel), "tensorflow")
    assert "KD201" not in codes(findings(t, [ok(line("tensorflow.keras.layers"), K3_BN)]))


# --- KD202 ----------------------------------------------------------------------------


def test_kd202_keras3_over_tensorflow_2_15_is_one_finding() -> None:
    t = dataclasses.replace(
        installed(target(TF215, K3, NUMPY1, H5PY), "tensorflow", "keras"),
        has_pip=True,
        python="/opt/py env/bin/python",
    )
    outcomes = [
        ok(line("tensorflow.keras.layers"), K3_BN),
        ok(line("keras.layers"), K3_BN),
    ]
    found = findings(t, outcomes)
    finding = only(found, "KD202")
    assert finding.severity is Severity.WARNING  # the lines work; tf.keras silently changed
    assert "Keras 3 needs TensorFlow 2.16" in finding.message
    assert any("requires keras" in e for e in finding.evidence)
    assert finding.fix == ("'/opt/py env/bin/python' -m pip install 'keras<2.16,>=2.15.0'",)
    assert "replaces keras 3.15.1" in finding.message


def test_kd202_error_when_a_public_line_breaks() -> None:
    tf214 = requiring(dist("tensorflow", "2.14.1"), "keras<2.15,>=2.14.0")
    t = installed(target(tf214, K3, NUMPY, H5PY), "tensorflow", "keras")
    outcomes = [
        failed(line("tensorflow.keras.layers"), "No module named 'keras.api._v2'"),
        ok(line("keras.layers"), K3_BN),
    ]
    finding = only(findings(t, outcomes), "KD202")
    assert finding.severity is Severity.ERROR
    assert finding.fix == (f"uv pip install --python {PY} 'keras<2.15,>=2.14.0'",)


def test_kd202_tf_keras_follows_tensorflow() -> None:
    tfk = requiring(dist("tf-keras", "2.20.1", "tf_keras"), "tensorflow<2.21,>=2.20")
    t = installed(target(TF221, K3, tfk, NUMPY, H5PY), "tensorflow", "keras", "tf_keras")
    finding = only(findings(t, [ok(line("keras.layers"), K3_BN)]), "KD202")
    assert finding.fix == (f"uv pip install --python {PY} 'tf-keras>=2.21,<2.22'",)
    assert "same minor version" in finding.message


def test_kd202_tf_keras_2_15_pins_nothing_but_must_match() -> None:
    tf216 = requiring(dist("tensorflow", "2.16.2"), "keras>=3.0.0")
    t = installed(
        target(tf216, K3, NUMPY, H5PY, dist("tf-keras", "2.15.1", "tf_keras")), "tensorflow"
    )
    finding = only(findings(t, [ok(line("keras.layers"), K3_BN)]), "KD202")
    assert finding.fix == (f"uv pip install --python {PY} 'tf-keras>=2.16,<2.17'",)


def test_kd202_old_multibackend_keras_with_tensorflow_2() -> None:
    tf24 = dist("tensorflow", "2.4.4")
    t = installed(target(tf24, dist("keras", "2.3.1")), "tensorflow", "keras")
    message = "partially initialized module 'keras' has no attribute '__version__'"
    finding = only(findings(t, [failed(line("keras.layers"), message, "AttributeError")]), "KD202")
    assert finding.fix == (f"uv pip uninstall --python {PY} keras",)
    assert finding.severity is Severity.ERROR


def test_kd202_checks_requires_dist_like_pip_check() -> None:
    numpy2 = dist("numpy", "2.4.6")
    t = installed(target(TF215, dist("keras", "2.15.0"), numpy2), "tensorflow", "keras")
    finding = only(findings(t, [ok(line("keras.layers"), K3_BN)]), "KD202")
    assert "requires numpy<2.0.0,>=1.23.5" in finding.message
    assert finding.fix == (f"uv pip install --python {PY} 'numpy<2.0.0,>=1.23.5'",)


def test_kd202_missing_requirement_and_markers() -> None:
    # tf-keras without TensorFlow; the Windows-only requirement of TF must not count here.
    t = installed(target(TFK221), "tf_keras")
    finding = only(findings(t, [ok(line("tf_keras.layers"), TFK_BN)]), "KD202")
    assert "which is not installed" in finding.message
    assert finding.fix == (f"uv pip install --python {PY} 'tensorflow<2.22,>=2.21'",)


# --- KD203 ----------------------------------------------------------------------------


def test_kd203_keras_core_moves_to_keras3() -> None:
    core = dist("keras-core", "0.1.7", "keras_core")
    t = installed(target(core, NUMPY), "keras_core")
    finding = only(findings(t, [ok(line("keras_core.layers"), "keras_core.src.x")]), "KD203")
    assert finding.severity is Severity.WARNING
    assert finding.fix == (
        f"uv pip install --python {PY} 'keras>=3'",
        f"uv pip uninstall --python {PY} keras-core",
    )


def test_kd203_keras_core_next_to_old_tensorflow_has_no_blind_fix() -> None:
    core = dist("keras-core", "0.1.7", "keras_core")
    t = installed(target(core, TF215, K215), "keras_core", "tensorflow", "keras")
    finding = only(findings(t, [ok(line("keras.layers"), K3_BN)]), "KD203")
    assert finding.fix == ()
    assert "upgrade TensorFlow first" in finding.message


def test_kd203_tensorflow_gpu() -> None:
    gpu = dist("tensorflow-gpu", "2.10.1", "tensorflow")
    t = dataclasses.replace(installed(target(gpu), "tensorflow"), has_pip=True)
    finding = only(findings(t, [ok(line("tensorflow.keras.layers"), K3_BN)]), "KD203")
    assert finding.fix == (
        f"{PY} -m pip uninstall -y tensorflow-gpu",
        f"{PY} -m pip install tensorflow==2.10.1",
    )


# --- KD301 ----------------------------------------------------------------------------


def test_kd301_keras_py_in_the_working_directory() -> None:
    t = with_modules(target(K3, NUMPY, H5PY), keras="/work/project/keras.py")
    message = "No module named 'keras.layers'; 'keras' is not a package"
    proposals = rules.kd301_shadowed_module(facts(t, [failed(line("keras.layers"), message)]))
    (proposal,) = proposals
    finding = proposal.finding
    assert finding.severity is Severity.ERROR
    assert "/work/project/keras.py hides the installed keras 3.15.1" in finding.message
    assert "scripts started elsewhere are not affected" in finding.message
    assert finding.fix == (
        "test ! -e /work/project/keras_local.py && "
        "mv -- /work/project/keras.py /work/project/keras_local.py",
    )
    assert proposal.check == rules.EnvCheck(
        empty_cwd=True,
        symbols=("BatchNormalization",),
        description="from a folder without keras.py",
    )


def test_kd301_a_working_package_checkout_is_not_a_shadow() -> None:
    # Developing Keras itself from its source folder: the folder is the package in use.
    t = with_modules(target(K3, NUMPY, H5PY), keras="/work/project/keras/__init__.py")
    outcomes = [ok(line("keras.layers"), K3_BN)]
    assert rules.kd301_shadowed_module(facts(t, outcomes)) == []


def test_kd301_on_pythonpath() -> None:
    t = with_modules(target(K3, NUMPY, H5PY), tensorflow="/libs/tensorflow/__init__.py")
    t = dataclasses.replace(t, env=(("PYTHONPATH", "/libs:/other"),))
    outcomes = [failed(line("tensorflow.keras.layers"), "No module named 'tensorflow.keras'")]
    (proposal,) = rules.kd301_shadowed_module(facts(t, outcomes))
    assert proposal.finding.fix == ("export PYTHONPATH=/other",)
    assert proposal.check is not None
    assert proposal.check.variables == (("PYTHONPATH", "/other"),)
    assert "every Python started with this PYTHONPATH" in proposal.finding.message


def test_kd301_only_entry_on_pythonpath_unsets_it() -> None:
    t = with_modules(target(K3, NUMPY, H5PY), keras="/libs/keras.py")
    t = dataclasses.replace(t, env=(("PYTHONPATH", "/libs"),))
    (proposal,) = rules.kd301_shadowed_module(
        facts(t, [failed(line("keras.layers"), "'keras' is not a package")])
    )
    assert proposal.finding.fix == ("unset PYTHONPATH",)


# --- KD302 ----------------------------------------------------------------------------


def test_kd302_flag_without_tf_keras() -> None:
    t = absent(installed(target(TF221, K3, NUMPY, H5PY), "tensorflow", "keras"), "tf_keras")
    t = dataclasses.replace(t, env=(("TF_USE_LEGACY_KERAS", "1"),))
    message = "Keras cannot be imported. Check that it is installed."
    outcomes = [
        failed(line("tensorflow.keras.layers"), message, "ImportError"),
        ok(line("keras.layers"), K3_BN),
    ]
    finding = only(findings(t, outcomes), "KD302")
    assert finding.severity is Severity.ERROR
    assert finding.fix == (f"uv pip install --python {PY} 'tf-keras>=2.21,<2.22'",)
    assert "unset TF_USE_LEGACY_KERAS" in finding.message


def test_kd302_flag_without_tf_keras_where_tf_keras_silently_is_keras3() -> None:
    # TensorFlow 2.21 seen here: the line still imports, and gives Keras 3.
    t = absent(installed(target(TF221, K3, NUMPY, H5PY), "tensorflow", "keras"), "tf_keras")
    t = dataclasses.replace(t, env=(("TF_USE_LEGACY_KERAS", "1"),))
    outcomes = [
        ok(line("tensorflow.keras.layers"), K3_BN),
        failed(line("tensorflow.python.keras.layers"), "cannot import name", "ImportError"),
    ]
    finding = only(findings(t, outcomes), "KD302")
    assert finding.severity is Severity.WARNING
    assert "tf.keras silently gives keras 3.15.1" in finding.message
    assert finding.fix == (f"uv pip install --python {PY} 'tf-keras>=2.21,<2.22'",)


def test_kd302_flag_on_old_tensorflow_is_proven_harmless_to_remove() -> None:
    tf212 = dist("tensorflow", "2.12.1")
    t = installed(target(tf212, dist("keras", "2.12.0")), "tensorflow", "keras")
    t = dataclasses.replace(t, env=(("TF_USE_LEGACY_KERAS", "true"),))
    outcomes = [ok(line("tensorflow.keras.layers"), "keras.layers.normalization.bn")]
    (proposal,) = rules.kd302_legacy_flag_problem(facts(t, outcomes))
    assert proposal.finding.fix == ("unset TF_USE_LEGACY_KERAS",)
    assert proposal.check is not None
    assert proposal.check.variables == (("TF_USE_LEGACY_KERAS", None),)


@pytest.mark.parametrize("value", ["0", "false", "", "yes"])
def test_kd302_values_tensorflow_ignores(value: str) -> None:
    t = absent(installed(target(TF221, K3, NUMPY, H5PY), "tensorflow", "keras"), "tf_keras")
    t = dataclasses.replace(t, env=(("TF_USE_LEGACY_KERAS", value),))
    assert rules.kd302_legacy_flag_problem(facts(t, [ok(line("keras.layers"), K3_BN)])) == []


# --- KD401 / KD402 --------------------------------------------------------------------


def test_kd401_tf_keras_and_keras3_side_by_side() -> None:
    t = installed(target(TF221, K3, TFK221, NUMPY, H5PY), "tensorflow", "keras", "tf_keras")
    t = dataclasses.replace(t, env=(("TF_USE_LEGACY_KERAS", "1"),))
    outcomes = [
        ok(line("tensorflow.keras.layers"), TFK_BN, dist_label="tf-keras 2.21.0"),
        ok(line("keras.layers"), K3_BN),
        ok(line("tf_keras.layers"), TFK_BN, dist_label="tf-keras 2.21.0"),
    ]
    finding = only(findings(t, outcomes), "KD401")
    assert finding.severity is Severity.WARNING
    assert "[tensorflow.keras.layers and tf_keras.layers] give " + TFK_BN in finding.message
    assert "(the suggested line's)" in finding.message
    assert f"[keras.layers] give {K3_BN}:BatchNormalization from keras 3.15.1" in finding.message
    assert finding.fix == ()


def test_kd402_requested_line_that_fails_its_use_is_a_warning() -> None:
    t = installed(target(TF221, K3, NUMPY, H5PY), "tensorflow", "keras")
    outcomes = [
        ok(
            line("keras.optimizers.legacy", "Adam", origin=Origin.USER),
            "keras.src.optimizers",
            kind="class",
            usable=False,
        ),
        ok(line("keras.optimizers", "Adam"), "keras.src.optimizers.adam", kind="class"),
    ]
    finding = only(findings(t, outcomes, ["Adam"]), "KD402")
    assert finding.severity is Severity.WARNING
    assert "use `from keras.optimizers import Adam` instead" in finding.message


def test_kd402_error_when_nothing_is_usable() -> None:
    t = installed(target(K3, NUMPY, H5PY), "keras")
    outcomes = [ok(line("keras.layers"), K3_BN, usable=False)]
    found = findings(t, outcomes)
    assert only(found, "KD402").severity is Severity.ERROR
    assert "KD001" in codes(found)


# --- order, verification, commands ----------------------------------------------------


def test_findings_come_in_code_order() -> None:
    t = keras3_alone(KERAS_BACKEND="numpy")
    t = dataclasses.replace(
        t, distributions=(*t.distributions, dist("keras-core", "0.1.7", "keras_core"))
    )
    outcomes = [failed(line("keras.layers"), "No module named 'scipy'")]
    found = findings(t, outcomes)
    assert codes(found) == sorted(codes(found))


@pytest.mark.parametrize(
    ("command", "words"),
    [
        (
            fixes.install(
                dataclasses.replace(target(), python="/a b/py", has_pip=True), ["x<2,>=1"]
            ),
            ["/a b/py", "-m", "pip", "install", "x<2,>=1"],
        ),
        (
            fixes.uninstall(dataclasses.replace(target(), python="/a'b/py"), ["keras-core"]),
            ["uv", "pip", "uninstall", "--python", "/a'b/py", "keras-core"],
        ),
        (fixes.export("KERAS_BACKEND", "a b"), ["export", "KERAS_BACKEND=a b"]),
        (
            fixes.rename("/p/keras.py", "/p/k l.py"),
            ["test", "!", "-e", "/p/k l.py", "&&", "mv", "--", "/p/keras.py", "/p/k l.py"],
        ),
    ],
)
def test_commands_are_exact_shell_words(command: str, words: list[str]) -> None:
    assert shlex.split(command) == words


def test_module_to_distribution() -> None:
    t = installed(target(TF221), "tensorflow")
    assert fixes.requirement_for_module(t, "tf_keras") == "tf-keras>=2.21,<2.22"
    assert fixes.requirement_for_module(t, "sklearn") == "scikit-learn"
    assert fixes.requirement_for_module(t, "google.protobuf") == "protobuf"
    assert fixes.requirement_for_module(t, "google.other") is None
    assert fixes.requirement_for_module(target(K3, NUMPY, H5PY), "tensorflow") == "tensorflow>=2.16"
    assert fixes.distribution_for_module("jax") == "jax"
