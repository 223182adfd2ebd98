"""Benchmark kerasdoctor against the cost of one import, in a real TensorFlow 2.16+ env.

Prints the ratios issue 6 sets goals for, as medians of several runs measured side by side
with hyperfine (``apt-get install hyperfine``), plus peak memory:

    F       = python -c "from tensorflow.keras.layers import BatchNormalization" (fresh)
    check   = kerasdoctor check --json --no-cache           goal <= 2.0 x F
    suggest = kerasdoctor suggest --json --no-cache         goal <= 1.3 x F
    cached  = kerasdoctor check --json (warm cache)         goal <= 0.3 s
    cached suggest = kerasdoctor suggest (warm cache)       goal <= 0.25 s
    --version = kerasdoctor --version                       goal <= 0.1 s
    memory  = peak RSS of any one probe process vs F's      goal <= 1.0 x
    Adam    = kerasdoctor suggest Adam --no-cache in --adam-env (TF 2.15 by default)
              vs F in that same env                         goal <= 1.5 x F
    --most-used: instead of the above, kerasdoctor suggest NAME --json --no-cache for each
              of the most used names (tests/helpers/most_used.py) in --env, each vs F of
              that env, all measured side by side               goal <= 1.5 x F each

Usage (from the repository root, with the test dependencies installed):

    .venv/bin/python benchmarks/bench.py [--runs 5] [--env tf] [--adam-env tf215] [--no-fork]
    .venv/bin/python benchmarks/bench.py --most-used --env tf215 [--runs 3]

The environment is built (or reused) by tests/helpers/envs.py under
~/.cache/kerasdoctor-test-envs. Nothing here asserts: it reports.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from measure import peak_rss_mib  # noqa: E402

from helpers.envs import env_python, get_env  # noqa: E402  (after the path set-up)
from helpers.most_used import CANONICAL  # noqa: E402

LINE = "from tensorflow.keras.layers import BatchNormalization"


def _medians(
    hyperfine: str, commands: dict[str, list[str]], runs: int, env: dict[str, str], cwd: Path
) -> dict[str, float]:
    """Median wall time of each command, measured side by side (warm OS and result caches)."""
    for cmd in commands.values():
        subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, check=False)
    export = cwd.parent / f"hyperfine-{len(list(cwd.parent.glob('hyperfine-*')))}.json"
    subprocess.run(
        [
            hyperfine,
            "--runs",
            str(runs),
            "--export-json",
            str(export),
            "--style",
            "basic",
            "--warmup",
            "0",
            "-N",
            *[shlex.join(cmd) for cmd in commands.values()],
        ],
        env=env,
        cwd=cwd,
        check=True,
    )
    results = json.loads(export.read_text())["results"]
    return {name: r["median"] for name, r in zip(commands, results)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--env", default="tf", help="a spec of tests/helpers/envs.py")
    parser.add_argument("--adam-env", default="tf215", help="env of the cold Adam figure")
    parser.add_argument("--no-fork", action="store_true", help="measure without zygotes")
    parser.add_argument(
        "--most-used", action="store_true", help="cold suggest of each most used name vs F"
    )
    args = parser.parse_args()
    hyperfine = shutil.which("hyperfine")
    if hyperfine is None:
        print("hyperfine is not installed: apt-get install hyperfine", file=sys.stderr)
        return 2
    python = env_python(get_env(args.env))
    work = Path(tempfile.mkdtemp(prefix="kerasdoctor-bench-"))
    cwd = work / "project"
    cwd.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["KERAS_HOME"] = str(work / "keras-home")
    env["XDG_CACHE_HOME"] = str(work / "cache")
    kd = [sys.executable, "-m", "kerasdoctor"]
    extra = ["--no-fork"] if args.no_fork else []
    if args.most_used:
        return _most_used(hyperfine, kd, extra, python, args, env, cwd)
    commands = {
        "F": [str(python), "-c", LINE],
        "check": [*kd, "check", "--json", "--no-cache", "--python", str(python), *extra],
        "suggest": [*kd, "suggest", "--json", "--no-cache", "--python", str(python), *extra],
        "cached": [*kd, "check", "--json", "--python", str(python), *extra],
        "cached suggest": [*kd, "suggest", "--python", str(python), *extra],
        "version": [*kd, "--version"],
    }
    # The first run of each (outside the measurement) warms the OS file cache and
    # kerasdoctor's result cache.
    median = _medians(hyperfine, commands, args.runs, env, cwd)
    adam_python = env_python(get_env(args.adam_env))
    adam = _medians(
        hyperfine,
        {
            "F": [str(adam_python), "-c", LINE],
            "Adam": [*kd, "suggest", "Adam", "--no-cache", "--python", str(adam_python), *extra],
        },
        args.runs,
        env,
        cwd,
    )
    f = median["F"]
    rss_f = peak_rss_mib(commands["F"], env, cwd)
    rss_check = peak_rss_mib(commands["check"], env, cwd)
    print()
    print(
        f"machine: {os.cpu_count()} cores; env {args.env} ({python}); runs {args.runs}"
        f"{'; --no-fork' if args.no_fork else ''}"
    )
    print(f"F (fresh import)       median {f:7.2f} s")
    print(
        f"check --json           median {median['check']:7.2f} s   = {median['check'] / f:4.2f} x F"
        "   (goal <= 2.0)"
    )
    print(
        f"suggest --json         median {median['suggest']:7.2f} s   = "
        f"{median['suggest'] / f:4.2f} x F   (goal <= 1.3)"
    )
    print(f"check, cached          median {median['cached']:7.2f} s              (goal <= 0.3 s)")
    print(
        f"suggest, cached        median {median['cached suggest']:7.2f} s              "
        "(goal <= 0.25 s)"
    )
    print(f"--version              median {median['version']:7.2f} s              (goal <= 0.1 s)")
    print(
        f"suggest Adam ({args.adam_env})  median {adam['Adam']:7.2f} s   = "
        f"{adam['Adam'] / adam['F']:4.2f} x F of that env ({adam['F']:.2f} s)   (goal <= 1.5)"
    )
    print(
        f"peak RSS: one probe {rss_check:7.0f} MiB vs the import alone {rss_f:7.0f} MiB "
        f"= {rss_check / rss_f:4.2f} x   (goal <= 1.0)"
    )
    return 0


def _most_used(
    hyperfine: str,
    kd: list[str],
    extra: list[str],
    python: Path,
    args: argparse.Namespace,
    env: dict[str, str],
    cwd: Path,
) -> int:
    """Cold ``suggest NAME`` for each most used name, each against F of the same env."""
    commands = {"F": [str(python), "-c", LINE]}
    for name in CANONICAL:
        commands[name] = [*kd, "suggest", name, "--json", "--no-cache", "--python", str(python)]
        commands[name] += extra
    median = _medians(hyperfine, commands, args.runs, env, cwd)
    f = median.pop("F")
    print()
    print(f"machine: {os.cpu_count()} cores; env {args.env} ({python}); runs {args.runs}")
    print(f"F (fresh import)       median {f:7.2f} s")
    for name, seconds in median.items():
        print(f"suggest {name:<24} {seconds:6.2f} s = {seconds / f:4.2f} x F   (goal <= 1.5)")
    worst = max(median, key=median.__getitem__)
    print(f"worst: {worst} at {median[worst] / f:4.2f} x F")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
