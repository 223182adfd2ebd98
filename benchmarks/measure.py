"""What the benchmarks share: the peak memory of one command's biggest process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def peak_rss_mib(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    """Largest RSS of any single process of the command's tree (ru_maxrss of children).

    Zygote children are reaped by the zygote, whose own children figures roll into ours
    when we reap it, so this is the peak of the biggest single probe (or kerasdoctor).
    """
    code = (
        "import resource, subprocess, sys, json\n"
        "subprocess.run(json.loads(sys.argv[1]), stdout=subprocess.DEVNULL,"
        " stderr=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, json.dumps(cmd)],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout.strip()) / 1024.0
