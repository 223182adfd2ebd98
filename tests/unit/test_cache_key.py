"""The result cache key: every input that can change a verdict changes it; nothing else does.

A table of changes, each applied to one base run (a target whose interpreter, site-packages,
project folder and keras.json are real files under ``tmp_path``); the key must differ from
the base key for each. The real-environment side (a repeat run served from the cache, an
install invalidating it) is tests/integration/test_cache.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from helpers.factories import dist, target
from kerasdoctor import cache, pipeline
from kerasdoctor.models import KerasConfig, Target
from kerasdoctor.probe import ProbeSettings


@dataclass
class Run:
    """The inputs of one cache key."""

    target: Target
    environ: dict[str, str]
    question: pipeline.Question
    root: Path

    def key(self) -> str:
        return cache.key(self.target, self.environ, self.question.cache_fields())


def _base(tmp_path: Path) -> Run:
    python = tmp_path / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("#!/bin/sh\n")
    site = tmp_path / "venv" / "lib" / "python3.11" / "site-packages"
    (site / "keras-3.15.1.dist-info").mkdir(parents=True)
    project = tmp_path / "project"
    project.mkdir()
    keras_json = tmp_path / "keras-home" / "keras.json"
    keras_json.parent.mkdir()
    keras_json.write_text('{"backend": "tensorflow"}')
    t = dataclasses.replace(
        target(dist("keras", "3.15.1")),
        python=str(python),
        prefix=str(tmp_path / "venv"),
        cwd=str(project),
        sys_path=(str(project), str(site)),
        keras_config=KerasConfig(path=str(keras_json), exists=True),
    )
    asked = pipeline.question("check", ["BatchNormalization"], None, frozenset(), ProbeSettings())
    return Run(t, {"PATH": "/usr/bin", "KERAS_BACKEND": "jax"}, asked, tmp_path)


def _target(**changes: Any) -> Callable[[Run], None]:
    def change(run: Run) -> None:
        run.target = dataclasses.replace(run.target, **changes)

    return change


def _question(
    command: str = "check",
    symbols: tuple[str, ...] = ("BatchNormalization",),
    prefer: str | None = None,
    ignore: frozenset[str] = frozenset(),
    **settings: Any,
) -> Callable[[Run], None]:
    def change(run: Run) -> None:
        run.question = pipeline.question(
            command, symbols, prefer, ignore, ProbeSettings(**settings)
        )

    return change


def _environ(name: str, value: str | None) -> Callable[[Run], None]:
    def change(run: Run) -> None:
        if value is None:
            run.environ.pop(name, None)
        else:
            run.environ[name] = value

    return change


def _write(relative: str, text: str = "") -> Callable[[Run], None]:
    def change(run: Run) -> None:
        path = run.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    return change


def _mkdir(relative: str) -> Callable[[Run], None]:
    return lambda run: (run.root / relative).mkdir(parents=True)


SITE = "venv/lib/python3.11/site-packages"

#: input -> a change to it that must change the key
CHANGES: dict[str, Callable[[Run], None]] = {
    "interpreter path": _target(python="/other/bin/python"),
    "interpreter file replaced in place": _write("venv/bin/python", "#!/bin/sh\n# rebuilt\n"),
    "Python version": _target(python_version="3.12.1"),
    "implementation": _target(implementation="pypy"),
    "sys.path": _target(sys_path=("/elsewhere",)),
    "steering variables the target saw": _target(env=(("TF_USE_LEGACY_KERAS", "1"),)),
    "where a top-level module is found": _target(module_origins=(("keras", "/p/keras.py"),)),
    "working directory": _target(cwd="/somewhere/else"),
    "prefix": _target(prefix="/other-venv"),
    "a variable set": _environ("TF_USE_LEGACY_KERAS", "1"),
    "a variable changed": _environ("KERAS_BACKEND", "torch"),
    "a variable removed": _environ("KERAS_BACKEND", None),
    "keras.json content": _write("keras-home/keras.json", '{"backend": "torch"}'),
    "a distribution installed": _mkdir(f"{SITE}/tf_keras-2.21.0.dist-info"),
    "a .pth file added": _write(f"{SITE}/editable.pth", "/src\n"),
    "a keras.py in the project": _write("project/keras.py"),
    "command": _question(command="suggest"),
    "symbols": _question(symbols=("Dense",)),
    "--prefer": _question(prefer="keras"),
    "--ignore": _question(ignore=frozenset({"KD101"})),
    "--timeout": _question(timeout=30.0),
    "--no-use-check": _question(use_check=False),
    "--no-fork": _question(fork=False),
}


@pytest.mark.parametrize("change", list(CHANGES.values()), ids=list(CHANGES))
def test_each_input_changes_the_key(tmp_path: Path, change: Callable[[Run], None]) -> None:
    run = _base(tmp_path)
    before = run.key()
    assert run.key() == before  # the key is a function of its inputs, nothing else
    change(run)
    assert run.key() != before


@pytest.mark.parametrize("name", ["TERM", "COLUMNS", "PWD", "SSH_TTY", "PYTEST_CURRENT_TEST"])
def test_terminal_variables_do_not_change_the_key(tmp_path: Path, name: str) -> None:
    run = _base(tmp_path)
    before = run.key()
    _environ(name, "something")(run)
    assert run.key() == before


def test_jobs_does_not_change_the_key(tmp_path: Path) -> None:
    # How many probes run at once changes how fast the answer comes, not the answer.
    run = _base(tmp_path)
    before = run.key()
    _question(jobs=1)(run)
    assert run.key() == before
