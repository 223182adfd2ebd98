"""Findings in real environments: healthy ones stay quiet, broken ones get a code and a fix.

Each broken environment is broken the way users break theirs (``pip install -U keras`` over
TensorFlow 2.15, tf-keras over tensorflow-cpu, Keras 3 with no backend, ...). kerasdoctor
runs once per scenario (shared with the other real-environment tests through ``run_cache``);
then the fix it printed is executed, exactly as printed, in a private copy of the
environment, and a fresh ``python -c`` proves that the symbol imports and is usable.

Costs are kept down on purpose (a TensorFlow import is ~5 s, a Keras-on-torch import ~11 s):
the copies are hard-linked from uv's cache and kerasdoctor is not run again on them.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from helpers import examples
from helpers.envs import copy_env, env_dir, env_python
from helpers.oracle import fresh_probe, run_code
from helpers.runs import Run, Scenario, run_kerasdoctor

pytestmark = pytest.mark.realenv

TIMEOUT = 600.0
BN = "BatchNormalization"

# Builds the layer in a model of its own family and runs it forward: "usable", as a user
# means it. `obj` is what the import line gave.
USE_LAYER = """
import numpy as np
root = obj.__module__.split(".")[0]
models = __import__(root + ".models", fromlist=["Sequential"])
layers = __import__(root + ".layers", fromlist=["Input"])
model = models.Sequential([layers.Input((4,)), obj()])
model.predict(np.zeros((2, 4), dtype="float32"), verbose=0)
"""

HEALTHY = [
    Scenario("tf"),
    Scenario("tf215"),
    Scenario("tf212"),
    Scenario("keras3-torch", {"KERAS_BACKEND": "torch"}),
    Scenario("keras3-numpy", {"KERAS_BACKEND": "numpy"}),
    Scenario("keras3-numpy", {"KERAS_BACKEND": "jax"}),
]


@dataclass(frozen=True)
class Broken:
    """An environment broken one way, the code it must produce, and how to prove its fix."""

    code: str
    severity: str
    scenario: Scenario
    #: a file planted in the project folder before kerasdoctor runs (shadowing)
    plant: str | None = None
    #: the line that must import and be usable once the fix ran: (module, name)
    proof: tuple[str, str] | None = ("keras.layers", BN)
    #: the proof's module must come from this top-level package (tf_keras under the flag)
    proof_top: str | None = None
    #: variables the proof runs with, on top of the scenario's (and of the fix's exports)
    proof_env: dict[str, str] = field(default_factory=dict)
    #: trusted code run in the fixed copy that must print "ok" (metadata checks)
    after: str | None = None
    verified: bool = False

    @property
    def id(self) -> str:
        return f"{self.code}-{self.scenario.id}" + (f"-{self.plant}" if self.plant else "")


BROKEN = [
    Broken("KD001", "error", Scenario("nokeras"), proof=None),
    Broken(
        "KD101",
        "error",
        Scenario("keras3"),
        after="import importlib.metadata as m; m.version('tensorflow'); print('ok')",
    ),
    # Keras 3 with torch installed but no backend chosen: the proven fix is a variable.
    Broken("KD101", "error", Scenario("keras3-torch"), verified=True),
    Broken("KD102", "error", Scenario("keras3", {"KERAS_BACKEND": "numpy"})),
    Broken(
        "KD201",
        "warning",
        Scenario("tfcpu-tfkeras"),
        proof=("tensorflow.keras.layers", BN),
        after=(
            "import importlib.metadata as m\n"
            "names = {d.metadata['Name'].lower() for d in m.distributions()}\n"
            "assert 'tensorflow-cpu' not in names and 'tensorflow_cpu' not in names, names\n"
            "print('ok')"
        ),
    ),
    Broken(
        "KD202",
        "warning",
        Scenario("tf215-keras3"),
        proof=("tensorflow.keras.layers", BN),
        after="import importlib.metadata as m; assert m.version('keras').startswith('2.15.'); "
        "print('ok')",
    ),
    Broken(
        "KD203",
        "warning",
        Scenario("keras-core", {"KERAS_BACKEND": "torch"}),
        after=("import importlib.util as u; assert u.find_spec('keras_core') is None; print('ok')"),
    ),
    Broken(
        "KD301",
        "error",
        Scenario("keras3-numpy", {"KERAS_BACKEND": "jax"}),
        plant="keras.py",
        verified=True,
    ),
    Broken(
        "KD302",
        "warning",
        Scenario("tf", {"TF_USE_LEGACY_KERAS": "1"}),
        proof=("tensorflow.keras.layers", BN),
        proof_top="tf_keras",
    ),
    # Information only: whether the two classes mix in one model is not probed.
    Broken("KD401", "info", Scenario("tf-legacy", {"TF_USE_LEGACY_KERAS": "1"}), proof=None),
    Broken(
        "KD402",
        "warning",
        Scenario(
            "keras3-numpy", {"KERAS_BACKEND": "jax"}, symbols=("keras.optimizers.legacy.Adam",)
        ),
        proof=None,
    ),
]


@pytest.fixture(scope="module")
def broken_run(
    run_cache: Callable[[Scenario], Run], tmp_path_factory: pytest.TempPathFactory
) -> Callable[[Broken], Run]:
    """kerasdoctor's run for a broken case (planted files get a project folder of their own)."""
    planted: dict[str, Run] = {}

    def get(case: Broken) -> Run:
        if case.plant is None:
            return run_cache(case.scenario)
        if case.id not in planted:
            workdir = tmp_path_factory.mktemp("planted")
            project = workdir / "project"
            project.mkdir()
            # What users have: a module of their own that happens to be called keras.
            (project / case.plant).write_text("def helper():\n    return 42\n")
            planted[case.id] = run_kerasdoctor(case.scenario, workdir)
        return planted[case.id]

    return get


def loud(run: Run) -> list[dict[str, Any]]:
    return [f for f in run.document["findings"] if f["severity"] in ("error", "warning")]


@pytest.mark.parametrize("scenario", HEALTHY, ids=lambda s: s.id)
def test_healthy_environment_is_quiet(
    scenario: Scenario, run_cache: Callable[[Scenario], Run], validate_report: Any
) -> None:
    run = run_cache(scenario)
    validate_report(run.document)
    assert loud(run) == [], "false alarm in a healthy environment"
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize("case", BROKEN, ids=lambda c: c.id)
def test_broken_environment_gets_its_code(
    case: Broken, broken_run: Callable[[Broken], Run], validate_report: Any
) -> None:
    run = broken_run(case)
    validate_report(run.document)
    mine = [f for f in run.document["findings"] if f["code"] == case.code]
    assert mine, f"no {case.code}; findings: {run.document['findings']}"
    finding = mine[0]
    assert finding["severity"] == case.severity, finding
    assert finding["message"] and finding["name"]
    assert finding["verified"] is case.verified, finding
    for command in finding["fix"]:
        # Install commands name the target interpreter; nothing acts on "whatever python".
        if "pip" in command:
            assert str(run.python) in command, command


def _fix_commands(run: Run, code: str) -> list[str]:
    return [c for f in run.document["findings"] if f["code"] == code for c in f["fix"]]


def _run_fix(commands: list[str], *, cwd: Path, env: dict[str, str], log: Path) -> dict[str, str]:
    """Run the commands in one POSIX shell, stopping at the first failure; return its env.

    Exports must reach the proof, so the shell prints its environment at the end; the
    commands' own output goes to a log.
    """
    script = (
        "set -e\n{\n" + "\n".join(commands) + "\n} >" + shlex.quote(str(log)) + " 2>&1\nenv -0\n"
    )
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
    )
    output = log.read_text(errors="replace") if log.exists() else ""
    assert done.returncode == 0, f"fix failed ({done.returncode}):\n{commands}\n{output[-3000:]}"
    items = [item.partition("=") for item in done.stdout.decode().split("\0") if "=" in item]
    return {name: value for name, _, value in items}


FIXABLE = [c for c in BROKEN if c.proof is not None]


@pytest.mark.parametrize("case", FIXABLE, ids=lambda c: c.id)
def test_printed_fix_makes_the_symbol_usable(
    case: Broken, broken_run: Callable[[Broken], Run], tmp_path: Path
) -> None:
    run = broken_run(case)
    commands = _fix_commands(run, case.code)
    assert commands, f"{case.code} printed no fix"
    python = run.python
    cwd = run.cwd
    changes_env = any("pip" in c for c in commands)
    if changes_env:
        # Never touch the shared cached environment: a private copy, same spec.
        copy = copy_env(case.scenario.env, tmp_path / "env")
        python = env_python(copy)
        commands = [c.replace(str(run.python), str(python)) for c in commands]
    if case.plant is not None:
        # The project folder is shared with the other tests: fix a copy of it.
        project = tmp_path / "project"
        shutil.copytree(run.cwd, project)
        commands = [c.replace(str(run.cwd), str(project)) for c in commands]
        cwd = project
    env = _run_fix(commands, cwd=cwd, env=dict(run.env), log=tmp_path / "fix.log")
    env.update(case.proof_env)
    # The shell's exports (KERAS_BACKEND=...) are part of the fix; its PWD etc. are harmless.
    env = {k: v for k, v in env.items() if k not in ("_", "SHLVL", "OLDPWD")}
    assert case.proof is not None
    module, name = case.proof
    truth = fresh_probe(python, module, name, cwd=cwd, env=env, timeout=TIMEOUT, use=USE_LAYER)
    assert truth.ok, f"after the fix, {truth.line} fails: {truth.error}\n{truth.stderr_tail}"
    assert truth.use_ok, f"after the fix, {truth.line} is not usable: {truth.use_error}"
    if case.proof_top is not None:
        assert truth.resolved is not None
        assert truth.resolved.split(".", 1)[0] == case.proof_top, truth.resolved
    if case.after is not None:
        check = run_code(python, case.after, cwd=cwd, env=env, timeout=TIMEOUT)
        assert check.ok and "ok" in check.stdout_tail, check.error
    if case.verified:
        # A proven fix only changes the environment variables or the project, not packages.
        assert not changes_env


# -- the examples of docs/codes/*.md are these runs, rendered by the real text view --------

CASES = {case.id: case for case in BROKEN}
EXAMPLES = examples.all_examples()


def test_every_example_names_a_case() -> None:
    """A block whose case was renamed or removed would never be checked again."""
    unknown = [f"{e.page.name}: {e.case_id}" for e in EXAMPLES if e.case_id not in CASES]
    assert not unknown, f"examples naming no case of BROKEN: {unknown}; ids: {sorted(CASES)}"
    for example in EXAMPLES:
        assert example.page.stem == CASES[example.case_id].code, example


def _command(case: Broken) -> str:
    scenario = case.scenario
    variables = "".join(f"{k}={v} " for k, v in sorted(scenario.variables.items()))
    args = " ".join([*scenario.symbols, *scenario.args])
    return f"{variables}kerasdoctor {scenario.command}{{flag}} {args} --python <venv>/bin/python"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.case_id)
def test_docs_example_is_what_kerasdoctor_prints(
    example: examples.Example, broken_run: Callable[[Broken], Run]
) -> None:
    """The page shows the finding exactly as the text view renders the real run's report.

    ``KERASDOCTOR_REGENERATE_DOCS=1`` rewrites the block instead of failing.
    """
    case = CASES[example.case_id]
    run = broken_run(case)
    report = examples.stored_report(Path(run.env["XDG_CACHE_HOME"]))
    venv = env_dir(case.scenario.env)
    replacements = [
        # The pages show what a user with uv on their PATH sees; where uv is off PATH (CI),
        # kerasdoctor names the uv beside its own interpreter by its full path.
        (str(Path(sys.executable).parent / "uv"), "uv"),
        (str(venv), "<venv>"),
        (str(venv.resolve()), "<venv>"),
        (str(run.cwd.parent), "<tmp>"),
        (str(run.cwd.parent.resolve()), "<tmp>"),
        (str(Path.home()), "~"),
    ]
    report = examples.normalised(report, replacements)
    text = examples.render_finding(report, case.code, _command(case))
    # The placeholders hold `<` and `>`, which the shell view quotes; a user's own path (no
    # such characters) is printed bare, so the page shows it bare too.
    text = re.sub(r"'((?:<venv>|<tmp>|~)[\w./-]*)'", r"\1", text)
    if text == example.text:
        return
    if os.environ.get(examples.REGENERATE) == "1":
        examples.rewrite(example, text)
        return
    raise AssertionError(
        f"docs/codes/{example.page.name}, example {case.id}, is not what kerasdoctor prints "
        f"now; {examples.REGENERATE}=1 rewrites it. Now:\n{text}"
    )
