"""Benchmark the static front of ``kerasdoctor scan`` on a real installed ``keras`` package.

Walks, decodes, parses and extracts the ~900 files of Keras 3's own source (the brief's
"installed keras package" case), serially and with the process pool, and prints wall time,
CPU time (of the serial run) and what was found. It imports nothing from the
scanned tree and probes nothing: it measures only what runs before the first probe.

Usage (from the repository root, with the test dependencies installed):

    .venv/bin/python benchmarks/bench_scan_extract.py [--env keras3] [--jobs 2] [PATH]

Without PATH the package comes from the ``keras3`` test environment (tests/helpers/envs.py).
Nothing here asserts: it reports.
"""

from __future__ import annotations

import argparse
import collections
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from kerasdoctor.scan import distinct_questions, extract_paths


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _keras_source(env_name: str) -> Path:
    from helpers.envs import env_python, get_env

    python = env_python(get_env(env_name))
    found = sorted(python.parent.parent.glob("lib/python*/site-packages/keras"))
    if not found:
        raise SystemExit(f"no keras package in the {env_name} environment")
    return found[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path)
    parser.add_argument("--env", default="keras3")
    parser.add_argument("--jobs", type=int, default=None, help="workers for the pooled run")
    args = parser.parse_args()
    root: Path = args.path or _keras_source(args.env)
    print(f"scanning {root}")
    for jobs in (1, args.jobs):
        wall, cpu = time.perf_counter(), _cpu()
        results = extract_paths([root], jobs=jobs)
        wall, cpu = time.perf_counter() - wall, _cpu() - cpu
        statuses = collections.Counter(r.status.value for r in results)
        questions = distinct_questions(results)
        print(
            f"jobs={jobs or 'auto'}: {len(results)} files {dict(statuses)}, "
            f"{sum(len(r.imports) for r in results)} imports, "
            f"{sum(len(r.chains) for r in results)} chains, "
            f"{len(questions)} distinct questions; wall {wall:.2f} s, "
            # forkserver workers are not this process's children: their CPU is not counted.
            + (f"cpu {cpu:.2f} s" if jobs == 1 else "cpu of the workers not counted")
        )


if __name__ == "__main__":
    main()
