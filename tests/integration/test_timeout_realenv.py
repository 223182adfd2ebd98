"""A timeout is not a verdict: TensorFlow 2.21 checked with a deadline it cannot meet.

``--timeout 0.3`` is far below any TensorFlow import, so every line that needs TensorFlow
times out; the report must say so (not "no candidate line works"), say which timeout
would do, and the next identical run must probe again instead of replaying it from the cache.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from helpers.envs import env_python, get_env
from helpers.oracle import base_env

pytestmark = pytest.mark.realenv


def _check(python: Path, workdir: Path) -> tuple[int, dict[str, Any]]:
    cwd = workdir / "project"
    cwd.mkdir(exist_ok=True)
    env = base_env(workdir / "keras-home")
    env["XDG_CACHE_HOME"] = str(workdir / "cache")  # shared by both runs: a hit is possible
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kerasdoctor",
            "check",
            "Dense",
            "--python",
            str(python),
            "--timeout",
            "0.3",
            "--json",
        ],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return done.returncode, json.loads(done.stdout)


def test_timed_out_lines_are_reported_as_such_and_never_cached(tmp_path: Path) -> None:
    python = env_python(get_env("tf"))
    code, first = _check(python, tmp_path)
    timed_out = [p for p in first["probes"] if p["status"] == "timeout"]
    assert timed_out, "a 0.3 s deadline must time out TensorFlow imports"
    assert not [p for p in first["probes"] if p["status"] == "ok"]
    (suggestion,) = first["suggestions"]
    assert suggestion["import_line"] is None
    assert "no candidate line works" not in suggestion["reason"]
    assert f"{len(timed_out)} line(s) timed out" in suggestion["reason"]
    assert "--timeout 30" in suggestion["reason"]
    kd001 = [f for f in first["findings"] if f["code"] == "KD001"]
    assert kd001 and kd001[0]["message"].startswith("no verdict for Dense")
    assert code == 1  # no line to paste: still not a success

    code_again, second = _check(python, tmp_path)
    assert second["from_cache"] is False  # probed again, not replayed
    assert code_again == code
    assert [p["status"] for p in second["probes"] if p["status"] == "timeout"]
