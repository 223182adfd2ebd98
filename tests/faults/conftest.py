"""The fault suite's fixtures: one real venv full of misbehaving packages, and a CLI runner.

The venv is built once per session (a few seconds): ``uv venv``, every fake from
:mod:`faults.fakes` built into a wheel by hatchling (one process for all of them, in a
separate builder venv) and installed by ``uv pip install``, so each has real ``.dist-info``
metadata. Two versions of a fake ``tf-keras`` are installed with ``--target`` into staging
folders, not into the venv: the broken-metadata tests copy their pieces into the venv's
site-packages (that is the fault) and :func:`site` removes them again.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pytest

from faults.fakes import (
    describe,
    kill_quietly,
    recorded_pids,
    survivors,
    wait_all_gone,
    write_fakes,
    write_source,
)
from helpers.envs import _run_logged, _uv_command, env_python, site_packages
from helpers.oracle import base_env
from kerasdoctor import process

#: The probe deadline for every run (hang cases cost this much).
TIMEOUT = 3.0
#: What kerasdoctor's own work (``seconds`` in the report) may take beyond the deadline:
#: inspection, killing the group, draining its pipes, ending what escaped the group.
SLACK = 6.0
#: What the whole process may take beyond the deadline: also interpreter start-up, imports
#: and exit (on a 2-core machine busy with other work, these alone have taken 5.6 s). The
#: bounds are generous on purpose: a hang never ends, so a deadline not kept shows at any
#: bound, while a tight one only measures the machine's load (CI failed on 8.6 s < 8 s).
MARGIN = 20.0
#: Versions of the fake tf-keras staged for the broken-metadata tests.
TF_KERAS_VERSIONS = ("2.99.0", "2.99.1")

_BUILD_WHEELS = """
import os, sys
from hatchling.build import build_wheel
out = sys.argv[1]
for folder in sys.argv[2:]:
    os.chdir(folder)
    print(build_wheel(out))
"""


@pytest.fixture(autouse=True)
def live_stays_open() -> Iterator[None]:
    """An in-process run must not leave the process layer stopped: every later probe in the
    same process would be killed at birth and reported as crashed."""
    yield
    layer = process.layer()
    if layer.stopped:
        layer.reopen()  # so that this failure does not spread to the tests after it
        pytest.fail("the process layer was left stopped by this in-process run")


@dataclass(frozen=True)
class FaultEnv:
    """The venv with every fake installed, and the staged tf-keras installs."""

    python: Path
    site: Path
    staged: dict[str, Path]  # version -> folder holding tf_keras/ and its .dist-info


def _uv(*args: str, log: list[str]) -> None:
    _run_logged([*_uv_command(), *args], log)


@pytest.fixture(scope="session")
def faultenv(tmp_path_factory: pytest.TempPathFactory) -> FaultEnv:
    root = tmp_path_factory.mktemp("faultenv")
    sources, wheels = root / "src", root / "wheels"
    wheels.mkdir()
    log: list[str] = []
    folders = write_fakes(sources)
    files = {"__init__.py": "class KdTfKeras:\n    pass\n"}
    staged_sources = {
        version: write_source(sources, "tf-keras", version, "tf_keras", files)
        for version in TF_KERAS_VERSIONS
    }
    builder = root / "builder"
    _uv("venv", "-q", "-p", "3.11", str(builder), log=log)
    _uv("pip", "install", "-q", "--python", str(env_python(builder)), "hatchling", log=log)
    built = subprocess.run(
        [str(env_python(builder)), "-c", _BUILD_WHEELS, str(wheels)]
        + [str(f) for f in [*folders, *staged_sources.values()]],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert built.returncode == 0, f"building the fakes failed:\n{built.stderr}"
    names = built.stdout.split()
    env = root / "env"
    python = env_python(env)
    _uv("venv", "-q", "-p", "3.11", str(env), log=log)
    fake_wheels = [str(wheels / n) for n in names if not n.startswith("tf_keras-")]
    _uv("pip", "install", "-q", "--python", str(python), *fake_wheels, log=log)
    staged = {}
    for version in TF_KERAS_VERSIONS:
        (wheel,) = [n for n in names if n.startswith(f"tf_keras-{version}-")]
        staged[version] = root / "staged" / version
        target = str(staged[version])
        _uv(
            "pip",
            "install",
            "-q",
            "--python",
            str(python),
            "--target",
            target,
            str(wheels / wheel),
            log=log,
        )
    return FaultEnv(python=python, site=site_packages(env), staged=staged)


@pytest.fixture
def site(faultenv: FaultEnv) -> Iterator[Path]:
    """The venv's site-packages; whatever a test adds there is removed afterwards."""
    before = set(faultenv.site.iterdir())
    yield faultenv.site
    for path in set(faultenv.site.iterdir()) - before:
        for folder, _, _ in os.walk(path):
            Path(folder).chmod(0o700)  # an "unreadable" fault must not block its own removal
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


@dataclass(frozen=True)
class KdRun:
    """One ``kerasdoctor`` run and what it left behind."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    pids: tuple[int, ...]  # every PID the fakes recorded
    child_pids: tuple[int, ...]  # those of processes the fakes started themselves
    leftovers: tuple[str, ...]  # those (or any process with the run's token) still alive
    report: dict[str, Any] | None = field(default=None, repr=False)  # parsed --json

    def probe(self, line: str) -> dict[str, Any]:
        assert self.report is not None, self.stderr
        found: list[dict[str, Any]] = [p for p in self.report["probes"] if p["import_line"] == line]
        assert len(found) == 1, (line, [p["import_line"] for p in self.report["probes"]])
        return found[0]

    def distributions(self, name: str) -> list[dict[str, Any]]:
        assert self.report is not None, self.stderr
        return [d for d in self.report["distributions"] if d["name"] == name]


class RunKd(Protocol):
    def __call__(
        self, *args: str, env: dict[str, str] | None = None, drop_dac: bool = False
    ) -> KdRun: ...


def _drop_dac_override() -> None:
    """Before exec: drop the capabilities that let root read any file, so that a folder with
    mode 000 is unreadable even when the suite runs as root (root's permitted set after exec
    is the bounding set)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def permission_hook() -> Callable[[], None] | None:
    """The pre-exec hook that makes permission bits bind (None: they bind already)."""
    return _drop_dac_override if os.geteuid() == 0 else None


def kd_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "kerasdoctor", *args]


def new_env(folder: Path) -> dict[str, str]:
    """The environment of a run: clean, a private KERAS_HOME and result cache, a PID folder
    and a token (which also makes every run's cache key its own)."""
    piddir = folder / "pids"
    piddir.mkdir()
    extra = {
        "KDFAULT_PIDDIR": str(piddir),
        "KDFAULT_RUN": uuid.uuid4().hex,
        "XDG_CACHE_HOME": str(folder / "cache"),
        "NO_COLOR": "1",
    }
    return base_env(folder / "keras_home", extra)


def run_cli(
    args: Sequence[str],
    *,
    cwd: Path,
    env: dict[str, str],
    validate: Any,
    drop_dac: bool = False,
    within: float = 60.0,
) -> KdRun:
    """Run the CLI from ``cwd``; parse and validate ``--json``; find leftover processes."""
    started = time.monotonic()
    try:
        proc = subprocess.run(
            kd_command(*args),
            cwd=cwd,
            env=env,
            capture_output=True,
            timeout=within,
            check=False,
            preexec_fn=permission_hook() if drop_dac else None,
        )
    except subprocess.TimeoutExpired:
        token = env["KDFAULT_RUN"]
        kill_quietly(survivors(token), token)  # its probes must not outlive the test
        raise AssertionError(f"kerasdoctor {' '.join(args)} ran for {within:g} s") from None
    seconds = time.monotonic() - started
    return finish_run(args, proc.returncode, proc.stdout, proc.stderr, seconds, env, validate)


@pytest.fixture
def kd_env(tmp_path: Path) -> dict[str, str]:
    return new_env(tmp_path)


@pytest.fixture
def run_kd(tmp_path: Path, kd_env: dict[str, str], validate_report: Any) -> RunKd:
    """:func:`run_cli` from the test's own folder, with :func:`new_env` plus ``env``."""

    def run(*args: str, env: dict[str, str] | None = None, drop_dac: bool = False) -> KdRun:
        environ = {**kd_env, **(env or {})}
        return run_cli(args, cwd=tmp_path, env=environ, validate=validate_report, drop_dac=drop_dac)

    return run


def finish_run(
    args: Sequence[str],
    returncode: int,
    stdout: bytes,
    stderr: bytes,
    seconds: float,
    environ: dict[str, str],
    validate_report: Any,
) -> KdRun:
    """Collect what a finished run left behind, then clean it up so no test leaks into the next."""
    piddir = Path(environ["KDFAULT_PIDDIR"])
    pids = recorded_pids(piddir)
    leftovers = wait_all_gone(pids, environ["KDFAULT_RUN"])
    kill_quietly(leftovers, environ["KDFAULT_RUN"])
    out = stdout.decode("utf-8", "replace")
    report = None
    if "--json" in args and returncode in (0, 1):
        report = json.loads(out)
        validate_report(report)
    return KdRun(
        args=tuple(args),
        returncode=returncode,
        stdout=out,
        stderr=stderr.decode("utf-8", "replace"),
        seconds=seconds,
        pids=tuple(pids),
        child_pids=tuple(recorded_pids(piddir, role="child")),
        leftovers=tuple(describe(piddir, leftovers)),
        report=report,
    )
