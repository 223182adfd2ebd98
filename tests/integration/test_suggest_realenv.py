"""``kerasdoctor suggest`` in real environments: the chosen lines work, are usable, fit together.

Every claim is checked with fresh ``python -c`` runs in the same environment: the suggested
line imports, gives the object the report says, and that object is usable (layers run
forward inside a model of their own family); which class ``tensorflow.keras`` gives is also
computed by the oracle, never written down.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from helpers.runs import Run, Scenario

pytestmark = pytest.mark.realenv

SYMBOLS = ("BatchNormalization", "Dense", "Adam", "pad_sequences", "to_categorical")

# Trusted test code run by the oracle with the imported object bound to ``obj``: a layer is
# built into a Sequential model of its own family (the package its class comes from) and
# run forward; the rest is used the way users use it.
_FAMILY = (
    "import importlib, numpy as np\n"
    "root = importlib.import_module(obj.__module__.split('.src')[0].split('.python.keras')[0])\n"
)
USE = {
    "BatchNormalization": _FAMILY
    + "root.models.Sequential([root.layers.Input(shape=(4,)), obj()]).predict("
    "np.zeros((2, 4)), verbose=0)",
    "Dense": _FAMILY + "root.models.Sequential([root.layers.Input(shape=(4,)), obj(2)]).predict("
    "np.zeros((2, 4)), verbose=0)",
    "Adam": "obj()",
    "pad_sequences": "assert len(obj([[1, 2], [3]])) == 2",
    "to_categorical": "assert obj([0, 1, 2]).shape == (3, 3)",
}

SCENARIOS = [
    Scenario("tf", symbols=SYMBOLS, command="suggest"),
    Scenario("tf-legacy", {"TF_USE_LEGACY_KERAS": "1"}, symbols=SYMBOLS, command="suggest"),
    Scenario("keras3-torch", {"KERAS_BACKEND": "torch"}, symbols=SYMBOLS, command="suggest"),
    Scenario("tf215", symbols=SYMBOLS, command="suggest"),
]


@pytest.fixture(params=SCENARIOS, ids=lambda s: s.id)
def run(request: pytest.FixtureRequest, run_cache: Callable[[Scenario], Run]) -> Run:
    scenario: Scenario = request.param
    return run_cache(scenario)


def test_suggest_json_is_valid(run: Run, validate_report: Any) -> None:
    validate_report(run.document)
    assert run.document["command"] == "suggest"


def test_every_symbol_gets_a_working_usable_line_of_one_family(run: Run) -> None:
    assert run.returncode == 0, run.stderr
    suggestions = [run.suggestion(s) for s in SYMBOLS]
    lines = [(s["module"], s["symbol"]) for s in suggestions]
    truths = run.oracle_all(lines, use=lambda name: USE[name])
    families = set()
    for suggestion in suggestions:
        truth = truths[(suggestion["module"], suggestion["symbol"])]
        assert truth.ok, f"{suggestion['import_line']}: {truth.error}"
        assert truth.resolved == suggestion["resolved"]["identity"]
        assert truth.use_ok, f"{suggestion['import_line']}: {truth.use_error}"
        families.add(suggestion["resolved"]["module"].split(".")[0])
    assert len(families) == 1, families


def test_layers_come_from_what_tensorflow_keras_gives(run: Run) -> None:
    has_tf = any(d["name"] == "tensorflow" for d in run.document["distributions"])
    for name in ("BatchNormalization", "Dense"):
        suggestion = run.suggestion(name)
        if has_tf:
            expected = run.oracle("tensorflow.keras.layers", name)
        else:
            expected = run.oracle("keras.layers", name)
        assert expected.ok, expected.error
        assert suggestion["resolved"]["identity"] == expected.resolved


def test_suggest_matches_a_full_check(run: Run, run_cache: Callable[[Scenario], Run]) -> None:
    # suggest stops early; its answer must be the one check gives after probing everything.
    full = run_cache(
        Scenario(run.scenario.env, run.scenario.variables, ("BatchNormalization", "Adam"))
    )
    for name in ("BatchNormalization", "Adam"):
        assert run.suggestion(name)["import_line"] == full.suggestion(name)["import_line"]


def test_plain_output_is_only_the_lines_merged_per_module(run: Run) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kerasdoctor", "suggest", *SYMBOLS, "--python", str(run.python)],
        capture_output=True,
        text=True,
        cwd=run.cwd,
        env=run.env,
        check=False,
        timeout=1800,
    )
    assert done.returncode == 0, done.stderr
    merged: dict[str, list[str]] = {}
    for name in SYMBOLS:
        suggestion = run.suggestion(name)
        merged.setdefault(suggestion["module"], []).append(name)
    expected = "".join(f"from {m} import {', '.join(n)}\n" for m, n in merged.items())
    assert done.stdout == expected
    assert "public API" in done.stderr  # the explanations go to stderr


def test_legacy_flag_gives_two_classes_and_suggests_the_tf_keras_one(
    run_cache: Callable[[Scenario], Run],
) -> None:
    run = run_cache(SCENARIOS[1])
    tf_keras_class = run.oracle("tensorflow.keras.layers", "BatchNormalization")
    keras_class = run.oracle("keras.layers", "BatchNormalization")
    assert tf_keras_class.ok and keras_class.ok
    assert tf_keras_class.resolved != keras_class.resolved  # two incompatible classes
    assert run.suggestion("BatchNormalization")["resolved"]["identity"] == tf_keras_class.resolved


@pytest.mark.parametrize("prefer", ["keras", "tf_keras"])
def test_prefer_overrides_the_family(prefer: str, run_cache: Callable[[Scenario], Run]) -> None:
    scenario = Scenario(
        "tf-legacy",
        {"TF_USE_LEGACY_KERAS": "1"},
        ("BatchNormalization",),
        ("--prefer", prefer),
        command="suggest",
    )
    run = run_cache(scenario)
    expected = run.oracle(f"{prefer}.layers", "BatchNormalization")
    assert expected.ok, expected.error
    suggestion = run.suggestion("BatchNormalization")
    assert suggestion["resolved"]["identity"] == expected.resolved
    assert suggestion["import_line"] == f"from {prefer}.layers import BatchNormalization"


def test_placeholder_is_never_suggested(run_cache: Callable[[Scenario], Run]) -> None:
    # Keras 3: keras.optimizers.legacy.Adam imports, and Adam() raises.
    run = run_cache(Scenario("tf", symbols=("BatchNormalization", "Adam")))
    legacy = next(p for p in run.probes("Adam") if p["module"] == "keras.optimizers.legacy")
    truth = run.oracle("keras.optimizers.legacy", "Adam", use="obj()")
    assert truth.ok and truth.use_ok is False  # the oracle confirms the trap
    assert legacy["status"] == "ok"
    assert legacy["usable"] is False
    assert run.suggestion("Adam")["module"] != "keras.optimizers.legacy"
    assert run.suggestion("Adam")["usable"] is True
