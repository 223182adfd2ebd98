"""The ``where`` record against real installs: what it says of a release must hold there.

The cached test environments tf212, tf215 and tf (TensorFlow 2.21 with Keras 3.15) are among
the sampled releases. For each, a few lines the record says work and a few it says fail in
that release are re-imported in a fresh ``python -c`` there, and the two must agree. Which
lines are checked is computed from the record, never written down here.
"""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from helpers.envs import env_python, get_env, site_packages
from helpers.oracle import base_env, fresh_probe
from kerasdoctor.history import LineHistory, Sample, load, worked_hint

pytestmark = pytest.mark.realenv

SYMBOLS = ("BatchNormalization", "Dense", "Adam", "pad_sequences", "to_categorical", "Model")
PER_VERDICT = 2  # lines checked per env for "works" and for "fails": each costs an import


def _installed(env: Path) -> dict[str, str]:
    found = importlib.metadata.distributions(path=[str(site_packages(env))])
    return {d.metadata["Name"].lower().replace("_", "-"): d.version for d in found}


def _sample_for(installed: dict[str, str], python: str) -> Sample:
    for sample in load().samples:
        same_python = sample.python.split(".")[:2] == python.split(".")[:2]
        if same_python and all(installed.get(d) == v for d, v in sample.subjects.items()):
            return sample
    raise AssertionError(f"no sampled release matches {installed} on Python {python}")


def _verdict(line: LineHistory, sample: Sample) -> bool | None:
    version = sample.subjects.get(line.distribution)
    for outcome in line.outcomes:
        if outcome.version == version and outcome.python == sample.python:
            return outcome.implementation is not None
    return None


def _python_version(python: Path) -> str:
    code = "import platform; print(platform.python_version())"
    return subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("env_name", ["tf212", "tf215", "tf"])
def test_recorded_verdicts_agree_with_a_fresh_interpreter(env_name: str, tmp_path: Path) -> None:
    env = get_env(env_name)
    python = env_python(env)
    sample = _sample_for(_installed(env), _python_version(python).strip())
    works: list[LineHistory] = []
    fails: list[LineHistory] = []
    for symbol in SYMBOLS:
        for line in load().lines(symbol):
            verdict = _verdict(line, sample)
            if verdict is not None:
                (works if verdict else fails).append(line)
    # Spread the picks over the symbols: one line per symbol until enough.
    chosen = works[:: max(1, len(works) // PER_VERDICT)][:PER_VERDICT]
    chosen += fails[:: max(1, len(fails) // PER_VERDICT)][:PER_VERDICT]
    assert len(chosen) == 2 * PER_VERDICT, (len(works), len(fails))
    environ = base_env(tmp_path / "keras-home")
    with ThreadPoolExecutor(2) as pool:
        results = list(
            pool.map(
                lambda line: fresh_probe(
                    python, line.module, line.name, cwd=tmp_path, env=environ, timeout=300
                ),
                chosen,
            )
        )
    wrong = [
        f"{line.statement}: recorded {'works' if line in works else 'fails'}, "
        f"python -c {'works' if result.ok else result.message}"
        for line, result in zip(chosen, results)
        if result.ok != (line in works)
    ]
    assert not wrong, f"{sample.name}: " + "; ".join(wrong)


def test_check_says_when_a_failing_line_last_worked(tmp_path: Path) -> None:
    """A line that fails under Keras 3 but worked in an older sampled keras gets the hint."""
    env = get_env("tf")
    installed = _installed(env)
    module, name = "keras.layers.normalization", "BatchNormalization"
    expected = worked_hint(module, name, {"keras": ("keras", installed["keras"])})
    assert expected is not None and expected.startswith("worked up to keras ")
    environ = base_env(tmp_path / "keras-home", {"COLUMNS": "250", "NO_COLOR": "1"})
    environ["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "kerasdoctor",
            "check",
            f"from {module} import {name}",
            "--python",
            str(env_python(env)),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environ,
        timeout=600,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert "your line fails here" in proc.stdout, proc.stdout
    assert f"({expected})" in " ".join(proc.stdout.split()), proc.stdout
