"""The payload channel directly: floods are cut to a bounded tail, spoofs are ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from faults.conftest import TIMEOUT, FaultEnv
from faults.fakes import FAKES, SPOOF_LINE, Fake
from helpers.oracle import base_env
from kerasdoctor import process
from kerasdoctor.knowledge import KERAS_FAMILY_TOPS, REPORTED_TOPS
from kerasdoctor.probe.runner import PAYLOAD
from kerasdoctor.process import TAIL_BYTES, PayloadRun

#: A kept tail is TAIL_BYTES of output plus a one-line note of how much was dropped.
TAIL_LIMIT = TAIL_BYTES + 64


def probe(faultenv: FaultEnv, fake: Fake, folder: Path) -> PayloadRun:
    job = {
        "module": fake.module,
        "name": fake.symbol,
        "use": None,
        "tops": list(REPORTED_TOPS),
        "families": list(KERAS_FAMILY_TOPS),
    }
    return process.run_payload(
        str(faultenv.python),
        process.child_source(*PAYLOAD),
        job,
        cwd=str(folder),
        env=base_env(folder / "keras_home"),
        timeout=TIMEOUT,
    )


@pytest.mark.parametrize("kind", ["floodout", "flooderr"])
def test_a_flood_keeps_only_a_bounded_tail(kind: str, faultenv: FaultEnv, tmp_path: Path) -> None:
    run = probe(faultenv, FAKES[kind], tmp_path)
    assert not run.timed_out
    tail = run.stdout_tail if kind == "floodout" else run.stderr_tail
    assert len(tail.encode()) <= TAIL_LIMIT
    assert "bytes not kept" in tail  # and it says that it is a tail
    if kind == "flooderr":
        assert tail.endswith("the end of the flood\n")  # the end is what is kept
    (message,) = run.messages
    assert message["status"] == FAKES[kind].expect.status


def test_text_shaped_like_a_result_is_ignored(faultenv: FaultEnv, tmp_path: Path) -> None:
    run = probe(faultenv, FAKES["spoof"], tmp_path)
    assert SPOOF_LINE in run.stdout_tail
    assert SPOOF_LINE in run.stderr_tail
    (message,) = run.messages  # only the payload's own answer counts
    assert message["status"] == "import-error"
    assert message["error"]["message"] == "kdfault_spoof refuses to import"
