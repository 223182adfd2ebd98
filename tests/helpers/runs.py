"""Scenarios for real-environment tests: run kerasdoctor in a cached real venv, then ask the oracle.

Every scenario is (environment, variables, symbols). kerasdoctor runs once per scenario
(cached for the session); the oracle then checks every verdict with a plain fresh
``python -c "<line>"`` in the same environment, working directory and variables.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers.envs import env_python, get_env
from helpers.oracle import OracleResult, base_env, fresh_probe

#: Oracle processes at once: two TensorFlow imports fill this machine's two cores.
ORACLE_JOBS = 2
TIMEOUT = 300.0


@dataclass(frozen=True)
class Scenario:
    """One environment as a user would have it."""

    env: str
    variables: Mapping[str, str] = field(default_factory=dict)
    symbols: tuple[str, ...] = ("BatchNormalization",)
    args: tuple[str, ...] = ()
    command: str = "check"

    @property
    def id(self) -> str:
        extra = ",".join(f"{k}={v}" for k, v in sorted(self.variables.items()))
        return "-".join(
            [self.command, self.env, *self.symbols[:1], *([extra] if extra else []), *self.args]
        )


@dataclass(frozen=True)
class Run:
    """kerasdoctor's answer for a scenario, and where it ran."""

    scenario: Scenario
    python: Path
    cwd: Path
    env: dict[str, str]
    returncode: int
    document: dict[str, Any]
    stderr: str

    def probes(self, symbol: str | None = None) -> list[dict[str, Any]]:
        return [p for p in self.document["probes"] if symbol is None or p["symbol"] == symbol]

    def suggestion(self, symbol: str) -> dict[str, Any]:
        return next(s for s in self.document["suggestions"] if s["symbol"] == symbol)

    def oracle(self, module: str, name: str, use: str | None = None) -> OracleResult:
        return fresh_probe(
            self.python, module, name, cwd=self.cwd, env=self.env, timeout=TIMEOUT, use=use
        )

    def oracle_all(
        self, lines: Sequence[tuple[str, str]], use: Callable[[str], str | None] | None = None
    ) -> dict[tuple[str, str], OracleResult]:
        """Fresh python -c for many lines, two at a time."""
        with ThreadPoolExecutor(ORACLE_JOBS) as pool:
            results = pool.map(
                lambda line: self.oracle(line[0], line[1], use(line[1]) if use else None), lines
            )
            return dict(zip(lines, results))


def run_kerasdoctor(scenario: Scenario, workdir: Path, *, extra_args: Sequence[str] = ()) -> Run:
    """Run the CLI as a user would (a subprocess), with ``--json``."""
    python = env_python(get_env(scenario.env))
    cwd = workdir / "project"
    cwd.mkdir(parents=True, exist_ok=True)
    env = base_env(workdir / "keras-home", dict(scenario.variables))
    # A private cache: every scenario probes for real (the cache has tests of its own).
    env["XDG_CACHE_HOME"] = str(workdir / "cache")
    cmd = [
        sys.executable,
        "-m",
        "kerasdoctor",
        scenario.command,
        *scenario.symbols,
        "--python",
        str(python),
        "--json",
        *scenario.args,
        *extra_args,
    ]
    done = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=1800, check=False
    )
    try:
        document = json.loads(done.stdout)
    except ValueError as exc:
        raise AssertionError(
            f"--json printed something that is not one JSON document ({exc}):\n"
            f"{done.stdout[:2000]}\nstderr:\n{done.stderr[-3000:]}"
        ) from exc
    return Run(scenario, python, cwd, env, done.returncode, document, done.stderr)
