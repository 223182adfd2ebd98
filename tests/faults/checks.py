"""Assertions shared by the fault tests: a line's verdict, a clean end, the time taken."""

from __future__ import annotations

from typing import Union

from faults.conftest import MARGIN, SLACK, TIMEOUT, KdRun
from faults.fakes import Fake, SubLine

Line = Union[Fake, SubLine]  # a runtime alias: Union keeps it importable on Python 3.9


def check_line(run: KdRun, fake: Line, method: str | tuple[str, ...] = "process") -> None:
    """The verdict for ``fake``'s line is exactly what its Expect says, reached by ``method``
    (one, or any of several)."""
    expect = fake.expect
    probe = run.probe(fake.line)
    assert probe["status"] == expect.status, probe
    assert probe["method"] in ((method,) if isinstance(method, str) else method), probe
    error = probe["error"]
    if expect.error_type is None:
        assert error is None, probe
    else:
        assert error is not None, probe
        assert error["type"] == expect.error_type, probe
        if expect.message is not None:
            assert error["message"] == expect.message, probe
    assert probe["exit_detail"] == expect.exit_detail, probe
    if expect.status == "ok":
        assert probe["resolved"]["identity"] == f"{fake.module}:{fake.symbol}", probe
        assert probe["usable"] is expect.usable, probe
        if expect.use_text is not None:
            use = probe["use_check"]
            text = use["how"] + " " + (use["error"] or {}).get("message", "")
            assert expect.use_text in text, probe
    else:
        assert probe["usable"] is None, probe
    if fake.hangs:
        # The deadline is kept, and not overshot by more than the kill and the drain. (In a
        # warm process the deadline of ``import A`` runs from the first line's start, so a
        # later line of the same package may see a little less of it.)
        earliest = TIMEOUT if probe["method"] == "process" else TIMEOUT - 0.5
        assert earliest <= probe["seconds"] < TIMEOUT + SLACK, probe
    else:
        assert probe["seconds"] < TIMEOUT, probe  # a crash is a result at once, not at the deadline


def check_clean(run: KdRun, fake: Line | None = None) -> None:
    """No process survived; the exit code and stderr are calm."""
    assert run.leftovers == (), f"processes left behind: {run.leftovers}"
    assert run.returncode in (0, 1), run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    assert run.report is not None
    resolved = all(s["import_line"] is not None for s in run.report["suggestions"])
    assert run.returncode == (0 if resolved else 1)
    if fake is not None and fake.expect.children:
        # The leftover check above covered them: make sure they really existed.
        assert run.child_pids, "the fake should have recorded its child's PID"


def check_time(run: KdRun, *, hangs: bool) -> None:
    """Within the deadline plus a small margin; without a hang, no deadline is waited for."""
    assert run.report is not None
    work = run.report["seconds"]
    assert work < (TIMEOUT + SLACK if hangs else TIMEOUT), f"kerasdoctor worked {work:.1f} s"
    assert run.seconds < TIMEOUT + MARGIN, f"the process took {run.seconds:.1f} s"
