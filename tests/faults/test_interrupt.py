"""Ctrl-C while probes run: every probe (and what it started) stops, kerasdoctor exits 130.
The same for SIGTERM, which is how CI runners, ``timeout`` and ``docker stop`` cancel a job:
the probes run in sessions of their own, so no signal sent to kerasdoctor's group reaches them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from faults.conftest import FaultEnv, finish_run, kd_command
from faults.fakes import FAKES, OK, is_gone, kill_quietly, recorded_pids, survivors

HANGS = [FAKES[kind] for kind in ("hang", "hang_child", "hang_setsid")]


def _hanging_check(faultenv: FaultEnv, *extra_symbols: str) -> list[str]:
    """check of the three hanging lines (one slot each), then ``extra_symbols`` (queued)."""
    return kd_command(
        "check",
        *[fake.dotted for fake in HANGS],
        *extra_symbols,
        "--python",
        str(faultenv.python),
        "--timeout",
        "60",
        "--jobs",
        str(len(HANGS)),
        "--json",
    )


def _wait_for(piddir: Path, probes: int, children: int, within: float) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if (
            len(recorded_pids(piddir, role="probe")) >= probes
            and len(recorded_pids(piddir, role="child")) >= children
        ):
            return
        time.sleep(0.05)
    raise AssertionError(f"the probes did not start: {sorted(p.name for p in piddir.iterdir())}")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_signal_stops_every_probe(
    signum: signal.Signals,
    faultenv: FaultEnv,
    tmp_path: Path,
    kd_env: dict[str, str],
    validate_report: Any,
) -> None:
    # Three hanging lines fill the three slots; the good line waits in the queue.
    args = _hanging_check(faultenv, OK.dotted)
    piddir = Path(kd_env["KDFAULT_PIDDIR"])
    proc = subprocess.Popen(
        args,
        cwd=tmp_path,
        env=kd_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a shell's foreground job
    )
    try:
        _wait_for(piddir, probes=len(HANGS), children=2, within=30)
        sent = time.monotonic()
        os.killpg(proc.pid, signum)  # Ctrl-C: the terminal signals the foreground group
        stdout, stderr = proc.communicate(timeout=15)
        seconds = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    run = finish_run(args, proc.returncode, stdout, stderr, seconds, kd_env, validate_report)
    if signum == signal.SIGINT:
        assert run.returncode == 130, run.stderr
    else:
        assert run.returncode != 0, run.stderr
    # Generous: the probes hang for ever, so not stopping shows as the 15 s wait running out.
    assert run.seconds < 12.0, f"took {run.seconds:.1f} s to stop"
    assert run.leftovers == (), f"processes left behind: {run.leftovers}"
    assert len(run.child_pids) == 2  # the children were there, and are gone
    assert recorded_pids(piddir, module=OK.module) == []  # the queued line never started
    assert "Traceback" not in run.stderr
    assert run.stdout == ""


def test_probes_die_with_a_killed_kerasdoctor(
    faultenv: FaultEnv, tmp_path: Path, kd_env: dict[str, str]
) -> None:
    # SIGKILL (the OOM killer, `kill -9`) leaves kerasdoctor no chance to clean up; the
    # probes it started, in sessions of their own, must still not run on (PR_SET_PDEATHSIG).
    # Processes that the *imported code* started cannot be reached once kerasdoctor is gone
    # (documented in docs/probes.md); they are cleaned up here, not asserted.
    args = _hanging_check(faultenv)
    piddir = Path(kd_env["KDFAULT_PIDDIR"])
    token = kd_env["KDFAULT_RUN"]
    proc = subprocess.Popen(
        args, cwd=tmp_path, env=kd_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_for(piddir, probes=len(HANGS), children=2, within=30)
        probes = recorded_pids(piddir, role="probe")
        proc.kill()
        proc.wait()
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline and not all(is_gone(p) for p in probes):
            time.sleep(0.05)
        alive = [p for p in probes if not is_gone(p)]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        kill_quietly(survivors(token), token)
    assert len(probes) == len(HANGS)
    assert alive == [], f"probes outlived a SIGKILLed kerasdoctor: {alive}"
