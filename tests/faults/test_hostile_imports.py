"""Imports that hang, crash, exit, raise BaseExceptions, flood, spoof, close their streams or
leave children behind: each line gets its correct status, the line beside it is unaffected,
the run ends within its deadlines, no process survives, and ``--json`` matches the schema."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from faults.checks import Line, check_clean, check_line, check_time
from faults.conftest import TIMEOUT, FaultEnv, KdRun, RunKd, new_env, run_cli
from faults.fakes import FAKES, FORKED, OK, Fake

FAULTS = [pytest.param(fake, id=kind) for kind, fake in FAKES.items() if fake is not OK]


@pytest.fixture(scope="session")
def alone(
    faultenv: FaultEnv, tmp_path_factory: pytest.TempPathFactory, validate_report: Any
) -> dict[str, KdRun]:
    """Each fault beside the good line, in a run of its own; three runs at a time, so the
    deadlines of the hanging ones overlap instead of adding up."""
    folders = {kind: tmp_path_factory.mktemp(kind) for kind in FAKES}

    def one(fake: Fake) -> tuple[str, KdRun]:
        args = (
            "check",
            fake.dotted,
            OK.dotted,
            "--python",
            str(faultenv.python),
            "--json",
            "--timeout",
            f"{TIMEOUT:g}",
            "--jobs",
            "2",
        )
        folder = folders[fake.kind]
        env = new_env(folder)
        return fake.kind, run_cli(args, cwd=folder, env=env, validate=validate_report)

    # The slow (hanging) ones first, so the quick ones fill the time they wait.
    order = sorted((f for f in FAKES.values() if f is not OK), key=lambda f: not f.hangs)
    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(pool.map(one, order))


@pytest.mark.parametrize("fake", FAULTS)
def test_each_fault_alone(fake: Fake, alone: dict[str, KdRun]) -> None:
    run = alone[fake.kind]
    check_line(run, fake)
    check_line(run, OK)  # the line beside it is unaffected
    check_clean(run, fake)
    check_time(run, hangs=fake.hangs)


def test_all_faults_at_once_in_forks(faultenv: FaultEnv, run_kd: RunKd) -> None:
    """Every fault in one run, two lines per package: each package's ``import`` runs once in a
    warm process that forks a child per line. Also a harmless package whose submodules
    misbehave, so that every fault also happens in a forked child. Each line keeps its own
    verdict, the same as in a fresh process, and nothing is left behind."""
    pairs = [line for fake in FAKES.values() for line in (fake, fake.sibling())]
    lines: list[Line] = sorted([*pairs, *FORKED], key=lambda line: not line.hangs)
    hanging = sum(line.hangs for line in lines)
    run = run_kd(
        "check",
        *[line.dotted for line in lines],
        "--python",
        str(faultenv.python),
        "--json",
        "--timeout",
        f"{TIMEOUT:g}",
        "--jobs",
        str(hanging + 4),  # the hangs side by side, not one after the other
    )
    for line in lines:
        check_line(run, line, method="fork")
    check_clean(run)
    assert run.child_pids  # the orphans were started, and are gone
    check_time(run, hangs=True)
