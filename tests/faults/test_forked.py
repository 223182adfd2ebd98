"""Forking is kerasdoctor's shortcut, never a change of verdict: a package whose import leaves
a thread busy importing gives the answer a fresh ``python -c`` gives. (Faults inside forked
children are in test_hostile_imports.test_all_faults_at_once_in_forks.)"""

from __future__ import annotations

from pathlib import Path

from faults.checks import check_clean, check_line
from faults.conftest import TIMEOUT, FaultEnv, RunKd
from faults.fakes import THREADED
from helpers.oracle import base_env, fresh_import


def test_a_thread_still_importing_when_the_process_forks(
    faultenv: FaultEnv, run_kd: RunKd, tmp_path: Path
) -> None:
    (slow,) = THREADED
    truth = fresh_import(
        faultenv.python,
        slow.module,
        slow.symbol,
        cwd=tmp_path,
        env=base_env(tmp_path / "keras_home"),
        timeout=30,
    )
    assert truth.ok, truth  # what the user's python -c does
    # Two lines of kdfault_thread: one warm process for both.
    run = run_kd(
        "check",
        slow.dotted,
        "kdfault_thread.KdThread",
        "--python",
        str(faultenv.python),
        "--json",
        "--timeout",
        f"{TIMEOUT:g}",
    )
    # Forked or not is kerasdoctor's choice; the verdict must be python -c's.
    check_line(run, slow, method=("fork", "process"))
    check_clean(run)
