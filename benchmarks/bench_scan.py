"""Benchmark ``kerasdoctor scan`` against F, in a real TensorFlow 2.16+ environment.

    F        = python -c "from tensorflow.keras.layers import BatchNormalization" (fresh)
    corpus   = kerasdoctor scan --no-cache of a copy of tests/corpus (35 scripts and
               notebooks in the styles of 2017-2024)                  goal <= 1.5 x F
    cached   = the same scan again, served from the cache             goal <= 0.5 s
    keras    = kerasdoctor scan --no-cache of the environment's own installed ``keras``
               package (~900 files) where it is installed, run from an empty folder (run
               from the folder holding it, ``import keras`` would find that copy), once
                                                                      goal <= 10 x F
    memory   = peak RSS of the biggest single process of that scan vs F's   goal <= 2 x

Runs F, corpus and cached ``--runs`` times, interleaved, and prints the medians side by side
with the keras figure. Usage: ``.venv/bin/python benchmarks/bench_scan.py [--runs 3]
[--env tf]``. Reports only; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from measure import peak_rss_mib  # noqa: E402

from helpers.envs import env_python, get_env, site_packages  # noqa: E402
from helpers.oracle import base_env  # noqa: E402

LINE = "from tensorflow.keras.layers import BatchNormalization"


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, dict[str, object]]:
    """Wall time of one scan and its JSON document (exit 1 only means diagnostics failed)."""
    started = time.monotonic()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"scan failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return seconds, json.loads(done.stdout) if done.stdout.startswith("{") else {}


def _summary(doc: dict[str, object]) -> str:
    files = doc.get("files", [])
    diagnostics = doc.get("diagnostics", [])
    assert isinstance(files, list)
    assert isinstance(diagnostics, list)
    return f"{len(files)} files, {len(diagnostics)} diagnostics"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--env", default="tf")
    args = parser.parse_args()
    env_dir = get_env(args.env)
    python = env_python(env_dir)
    with tempfile.TemporaryDirectory(prefix="kd-bench-scan-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus"
        shutil.copytree(ROOT / "tests" / "corpus", corpus)
        keras_src = site_packages(env_dir) / "keras"
        elsewhere = work / "elsewhere"
        elsewhere.mkdir()
        env = base_env(work / "keras-home", {"XDG_CACHE_HOME": str(work / "cache")})
        kd = [sys.executable, "-m", "kerasdoctor", "scan", "--format", "json"]
        kd += ["--python", str(python)]
        f_cmd = [str(python), "-c", LINE]
        figures: dict[str, list[float]] = {"F": [], "corpus": [], "cached": []}
        doc: dict[str, object] = {}
        for _ in range(args.runs):
            figures["F"].append(_f(f_cmd, corpus, env))
            seconds, doc = timed([*kd, "--no-cache", "."], corpus, env)
            figures["corpus"].append(seconds)
            figures["cached"].append(timed([*kd, "."], corpus, env)[0])
        keras_scan = [*kd, "--no-cache", str(keras_src)]
        keras_seconds, keras_doc = timed(keras_scan, elsewhere, env)
        rss_scan = peak_rss_mib(keras_scan, env, elsewhere)
        rss_f = peak_rss_mib(f_cmd, env, corpus)
    f = statistics.median(figures["F"])
    print(f"env {args.env} ({python}); runs {args.runs}")
    print(f"corpus: {_summary(doc)}; keras source: {_summary(keras_doc)}")
    for name, values in figures.items():
        shown = ", ".join(f"{v:.2f}" for v in values)
        median = statistics.median(values)
        print(f"{name:7s} median {median:7.2f} s = {median / f:5.2f} x F   runs: {shown}")
    print(f"keras   once   {keras_seconds:7.2f} s = {keras_seconds / f:5.2f} x F   (goal <= 10)")
    print(
        f"peak RSS of the keras scan's biggest process {rss_scan:6.0f} MiB vs F's "
        f"{rss_f:6.0f} MiB = {rss_scan / rss_f:4.2f} x   (goal <= 2)"
    )


def _f(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.monotonic()
    subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=True)
    return time.monotonic() - started


if __name__ == "__main__":
    main()
