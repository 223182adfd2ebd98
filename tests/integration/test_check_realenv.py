"""``kerasdoctor check`` in real environments: every verdict against a fresh ``python -c``.

Nothing here is written down in advance: what each line does is computed by the oracle in
the same environment, working directory and variables, and kerasdoctor must agree.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from typing import Any

import pytest

from helpers.envs import env_python, get_env
from helpers.runs import Run, Scenario

pytestmark = pytest.mark.realenv

SCENARIOS = [
    Scenario("nokeras"),
    Scenario("keras3"),
    Scenario("keras3-torch", {"KERAS_BACKEND": "torch"}),
    Scenario("tf"),
    Scenario("tf-legacy", {"TF_USE_LEGACY_KERAS": "1"}),
    Scenario("tf215"),
    Scenario("tf212"),
    Scenario("keras-core", {"KERAS_BACKEND": "torch"}),
]


@pytest.fixture(params=SCENARIOS, ids=lambda s: s.id)
def run(request: pytest.FixtureRequest, run_cache: Callable[[Scenario], Run]) -> Run:
    scenario: Scenario = request.param
    return run_cache(scenario)


def test_output_is_valid_json_for_the_schema(run: Run, validate_report: Any) -> None:
    validate_report(run.document)
    assert run.document["command"] == "check"
    assert run.returncode in (0, 1), run.stderr


def test_every_verdict_matches_a_fresh_python_c(run: Run) -> None:
    probes = run.probes()
    assert probes, "no candidate lines were probed"
    truths = run.oracle_all([(p["module"], p["name"]) for p in probes])
    mismatches = []
    for probe in probes:
        truth = truths[(probe["module"], probe["name"])]
        works = probe["status"] == "ok"
        if works != truth.ok:
            mismatches.append(
                f"{probe['import_line']}: kerasdoctor {probe['status']}, "
                f"python -c {'works' if truth.ok else truth.error}"
            )
            continue
        if works:
            # The same object: module and qualified name as a fresh interpreter reports them.
            if probe["resolved"]["identity"] != truth.resolved:
                mismatches.append(
                    f"{probe['import_line']}: resolved "
                    f"{probe['resolved']['identity']} but python -c gives {truth.resolved}"
                )
        elif (probe["error"]["type"], probe["error"]["message"]) != (truth.exc_type, truth.message):
            mismatches.append(
                f"{probe['import_line']}: error {probe['error']['type']}: "
                f"{probe['error']['message']} but python -c says {truth.error}"
            )
    assert not mismatches, "\n".join(mismatches)


def test_exit_code_says_whether_every_symbol_has_a_line(run: Run) -> None:
    suggestions = run.document["suggestions"]
    all_found = all(s["import_line"] is not None for s in suggestions)
    assert run.returncode == (0 if all_found else 1)
    for suggestion in suggestions:
        working = [p for p in run.probes(suggestion["symbol"]) if p["status"] == "ok"]
        usable = [p for p in working if p["usable"] is not False]
        # A symbol gets a line exactly when some line works and is not unusable.
        assert (suggestion["import_line"] is not None) == bool(usable), suggestion
        if not usable:
            codes = {
                f["code"] for f in run.document["findings"] if f["symbol"] == suggestion["symbol"]
            }
            assert "KD001" in codes


def test_suggested_line_works_and_gives_what_it_claims(run: Run) -> None:
    for suggestion in run.document["suggestions"]:
        if suggestion["import_line"] is None:
            continue
        truth = run.oracle(suggestion["module"], suggestion["symbol"])
        assert truth.ok, truth.error
        assert truth.resolved == suggestion["resolved"]["identity"]


def test_distributions_match_the_environment_metadata(run: Run) -> None:
    # What the target's own importlib.metadata lists, for the names kerasdoctor reports.
    code = (
        "import importlib.metadata as m, json\n"
        "print(json.dumps(sorted({(d.metadata['Name'].lower().replace('_', '-'), d.version)"
        " for d in m.distributions()})))"
    )
    done = subprocess.run(
        [str(run.python), "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=run.cwd,
        env=run.env,
    )
    installed = {tuple(pair) for pair in json.loads(done.stdout.strip().splitlines()[-1])}
    reported = {(d["name"], d["version"]) for d in run.document["distributions"]}
    assert reported <= installed
    keras_family = {"tensorflow", "keras", "tf-keras", "keras-core", "torch", "numpy"}
    assert {p for p in installed if p[0] in keras_family} <= reported


def test_target_is_the_requested_interpreter(run: Run) -> None:
    target = run.document["target"]
    assert target["python"] == str(run.python)
    assert target["chosen_by"] == "--python"
    assert target["cwd"] == str(run.cwd)
    for name, value in run.scenario.variables.items():
        assert target["env"][name] == value


def test_envs_are_cached() -> None:
    # A second request for the same spec returns the same folder without rebuilding.
    first = get_env("nokeras")
    assert get_env("nokeras") == first
    assert env_python(first).exists()
