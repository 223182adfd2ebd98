"""Several targets at once, in real environments: the line printed as working everywhere.

For each target set, kerasdoctor runs once with every target (``suggest --json``, repeated
``--python``). The test then computes, for every target, what that target's own ``suggest``
picks (a single-target run, shared with test_suggest_realenv through the session's
``run_cache``), and checks the common line in each target with a fresh ``python -c``: it
imports, is usable (a layer runs forward in a small model of its own family, an optimizer
is built, a function is called) and gives the very class the target's own suggest gives. A
set with no common line must exit 1 and name the split.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from helpers.envs import env_python, get_env
from helpers.oracle import base_env, fresh_probe
from helpers.runs import TIMEOUT, Run, Scenario

pytestmark = pytest.mark.realenv

#: The symbols of test_suggest_realenv's scenarios: their single-target runs are shared.
SYMBOLS = ("BatchNormalization", "Dense", "Adam", "pad_sequences", "to_categorical")
#: A layer, an optimizer and a function, checked everywhere a common line is printed.
CHECKED = ("Dense", "Adam", "to_categorical")

_FAMILY = (
    "import importlib, numpy as np\n"
    "root = importlib.import_module(obj.__module__.split('.src')[0].split('.python.keras')[0])\n"
)
USE = {
    "Dense": _FAMILY + "root.models.Sequential([root.layers.Input(shape=(4,)), obj(2)]).predict("
    "np.zeros((2, 4)), verbose=0)",
    "Adam": "obj()",
    "to_categorical": "assert obj([0, 1, 2]).shape == (3, 3)",
}


@dataclass(frozen=True)
class Member:
    """One target of a set: a test environment, its variables, its label."""

    env: str
    label: str
    variables: Mapping[str, str]

    @property
    def scenario(self) -> Scenario:
        return Scenario(self.env, dict(self.variables), symbols=SYMBOLS, command="suggest")

    def spec(self) -> str:
        python = str(env_python(get_env(self.env)))
        if not self.variables:
            return python
        return python + "::" + ",".join(f"{k}={v}" for k, v in self.variables.items())


TF215 = Member("tf215", "tf215", {})
TF = Member("tf", "tf", {})
TORCH = Member("keras3-torch", "torch", {"KERAS_BACKEND": "torch"})
LEGACY = Member("tf-legacy", "legacy", {"TF_USE_LEGACY_KERAS": "1"})

#: Keras 2.15 under TF 2.15, Keras 3 under TF 2.21, Keras 3 on torch: keras.* serves all.
EVERYWHERE = (TF215, TF, TORCH)
#: tf.keras is tf_keras under the legacy flag; torch has no TensorFlow: no line serves both.
SPLIT = (LEGACY, TORCH)


@dataclass(frozen=True)
class MultiRun:
    members: tuple[Member, ...]
    returncode: int
    document: dict[str, Any]
    stderr: str
    cwd: Path
    keras_home: Path

    def common(self, symbol: str) -> dict[str, Any]:
        return next(s for s in self.document["suggestions"] if s["symbol"] == symbol)


def run_multi(members: tuple[Member, ...], workdir: Path) -> MultiRun:
    cwd = workdir / "project"
    cwd.mkdir(parents=True, exist_ok=True)
    env = base_env(workdir / "keras-home")
    env["XDG_CACHE_HOME"] = str(workdir / "cache")
    cmd = [sys.executable, "-m", "kerasdoctor", "suggest", *SYMBOLS, "--json"]
    for member in members:
        cmd += ["--python", member.spec(), "--label", member.label]
    done = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=1800, check=False
    )
    try:
        document = json.loads(done.stdout)
    except ValueError as exc:
        raise AssertionError(f"not one JSON document: {done.stdout[:2000]}\n{done.stderr}") from exc
    return MultiRun(members, done.returncode, document, done.stderr, cwd, workdir / "keras-home")


@pytest.fixture(scope="module")
def everywhere(tmp_path_factory: pytest.TempPathFactory) -> MultiRun:
    return run_multi(EVERYWHERE, tmp_path_factory.mktemp("multi-everywhere"))


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> MultiRun:
    return run_multi(SPLIT, tmp_path_factory.mktemp("multi-split"))


def own(run_cache: Callable[[Scenario], Run], member: Member, symbol: str) -> dict[str, Any]:
    """What ``member``'s own single-target suggest picks (computed by a run of its own)."""
    single = run_cache(member.scenario)
    return single.suggestion(symbol)


def test_documents_match_the_matrix_schema(
    everywhere: MultiRun, split: MultiRun, validate_matrix: Any
) -> None:
    for run in (everywhere, split):
        validate_matrix(run.document)
        labels = [t["label"] for t in run.document["targets"]]
        assert labels == [m.label for m in run.members]


@pytest.mark.parametrize("symbol", CHECKED)
def test_common_line_works_is_usable_and_keeps_each_targets_own_class(
    everywhere: MultiRun, run_cache: Callable[[Scenario], Run], symbol: str
) -> None:
    common = everywhere.common(symbol)
    line = common["import_line"]
    assert line is not None, common["reason"]
    assert line.startswith("from ") and " import " in line
    module, name = line[len("from ") :].split(" import ")
    for member in everywhere.members:
        mine = own(run_cache, member, symbol)
        assert common["lines"][member.label] == mine["import_line"]
        env = base_env(everywhere.keras_home, dict(member.variables))
        truth = fresh_probe(
            env_python(get_env(member.env)),
            module,
            name,
            cwd=everywhere.cwd,
            env=env,
            timeout=TIMEOUT,
            use=USE[symbol],
        )
        assert truth.ok, f"{member.label}: {line}: {truth.error}"
        assert truth.use_ok, f"{member.label}: {line}: {truth.use_error}"
        assert truth.resolved == mine["resolved"]["identity"], member.label


def test_exit_code_says_whether_every_symbol_has_a_common_line(everywhere: MultiRun) -> None:
    all_common = all(s["import_line"] is not None for s in everywhere.document["suggestions"])
    assert everywhere.returncode == (0 if all_common else 1), everywhere.stderr


def test_a_split_exits_1_and_names_it(
    split: MultiRun, run_cache: Callable[[Scenario], Run]
) -> None:
    assert split.returncode == 1, split.stderr
    common = split.common("Dense")
    assert common["import_line"] is None
    reason = common["reason"]
    for member in split.members:
        mine = own(run_cache, member, "Dense")
        assert f"`{mine['import_line']}`" in reason
        assert member.label in reason
    assert "TF_USE_LEGACY_KERAS" in reason and "tensorflow" in reason


def test_merge_of_separate_check_documents_equals_one_multi_target_run(
    tmp_path: Path, run_cache: Callable[[Scenario], Run]
) -> None:
    """CI jobs upload `check --json` each; `merge` must give what one multi-target run gives."""
    members = (TF215, TORCH)
    singles = [
        run_cache(Scenario(m.env, dict(m.variables), symbols=("Dense",), command="check"))
        for m in members
    ]
    paths = []
    for member, single in zip(members, singles):
        path = tmp_path / f"{member.label}.json"
        path.write_text(json.dumps(single.document), "utf-8")
        paths.append(str(path))
    env = base_env(tmp_path / "keras-home")
    merged = subprocess.run(
        [sys.executable, "-m", "kerasdoctor", "merge", "--json", *paths],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    cmd = [sys.executable, "-m", "kerasdoctor", "suggest", "Dense", "--json"]
    for member in members:
        cmd += ["--python", member.spec(), "--label", member.label]
    multi = subprocess.run(
        cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=1800, check=False
    )
    assert merged.returncode == multi.returncode, (merged.stderr, multi.stderr)
    got = json.loads(merged.stdout)["suggestions"]
    want = json.loads(multi.stdout)["suggestions"]
    assert [(s["symbol"], s["import_line"], s["lines"]) for s in got] == [
        (s["symbol"], s["import_line"], s["lines"]) for s in want
    ]
    assert want[0]["import_line"] is not None, want[0]["reason"]
