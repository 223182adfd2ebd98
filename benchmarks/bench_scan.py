"""Benchmark ``kerasdoctor scan``'s engine (``api.scan``) on the test corpus against F.

    F      = python -c "from tensorflow.keras.layers import BatchNormalization" (fresh)
    cold   = api.scan of a copy of tests/corpus, cache off          goal <= 1.5 x F
    cached = the same scan with the cache on, after one stored run   goal <= 0.5 s

Runs each measurement ``--runs`` times, interleaved, and prints the medians side by side.
Usage: ``.venv/bin/python benchmarks/bench_scan.py [--runs 3] [--env tf]``. Reports only.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from helpers.envs import env_python, get_env  # noqa: E402
from helpers.oracle import base_env  # noqa: E402

SCAN = """
import sys
from kerasdoctor import api
report = api.scan(["."], python=sys.argv[1], cwd=sys.argv[2], use_cache=sys.argv[3] == "1")
print(len(report.diagnostics), len(report.verdicts), report.from_cache)
"""


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return time.monotonic() - started, done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--env", default="tf")
    args = parser.parse_args()
    python = env_python(get_env(args.env))
    with tempfile.TemporaryDirectory(prefix="kd-bench-scan-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus"
        shutil.copytree(ROOT / "tests" / "corpus", corpus)
        env = base_env(work / "keras-home", {"XDG_CACHE_HOME": str(work / "cache")})
        f_cmd = [str(python), "-c", "from tensorflow.keras.layers import BatchNormalization"]
        scan = [sys.executable, "-c", SCAN, str(python), str(corpus)]
        figures: dict[str, list[float]] = {"F": [], "cold": [], "cached": []}
        for _ in range(args.runs):
            figures["F"].append(timed(f_cmd, corpus, env)[0])
            seconds, out = timed([*scan, "0"], corpus, env)
            figures["cold"].append(seconds)
            seconds, cached_out = timed([*scan, "1"], corpus, env)  # stores, or hits
            if cached_out.endswith("False"):
                seconds, cached_out = timed([*scan, "1"], corpus, env)
            figures["cached"].append(seconds)
        f = statistics.median(figures["F"])
        print(f"env {args.env}; corpus: {out} (diagnostics, questions, from_cache)")
        for name, values in figures.items():
            shown = ", ".join(f"{v:.1f}" for v in values)
            print(
                f"{name:7s} median {statistics.median(values):7.2f} s  = "
                f"{statistics.median(values) / f:5.2f} F   runs: {shown}"
            )


if __name__ == "__main__":
    main()
