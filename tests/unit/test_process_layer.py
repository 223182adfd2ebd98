"""The process layer's contract, run against every implementation ``layer_names()`` lists.

Real processes of the interpreter running the tests, with small payload bodies written here
(after the real prelude). The fault suite checks the same rules end to end with hostile
packages; these pin the interface a second (portable) implementation must also keep.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from faults.fakes import is_gone
from kerasdoctor import process
from kerasdoctor.errors import UsageError
from kerasdoctor.process import PayloadRun, ProcessLayer

PRELUDE = resources.files("kerasdoctor.process").joinpath("child_prelude.py").read_text("utf-8")

#: Writes a forged line to the channel and to stdout, then the real answer.
ANSWER = """
fd = int(sys.argv[1])
job, send = _kd_channel()
forged = b'KDMSG 00000000000000000000000000000000 {"phase": "answer", "echo": "forged"}\\n'
os.write(fd, forged)
os.write(1, forged)
send({"phase": "answer", "echo": job["word"]})
"""

#: Starts a grandchild (in the payload's process group), then hangs.
HANG_WITH_GRANDCHILD = """
job, send = _kd_channel()
lib = _kd_stdlib(["subprocess", "time"])
child = lib["subprocess"].Popen([sys.executable, "-c", "import time; time.sleep(120)"])
send({"phase": "grandchild", "pid": child.pid})
lib["time"].sleep(120)
"""

#: Echoes each line of the control pipe; forks a child of its own session on "fork".
CONTROLLED = """
job, send = _kd_channel()
control = job["_fds"][0]
sleep = _kd_stdlib(["time"])["time"].sleep
send({"phase": "ready"})
data = b""
while True:
    chunk = os.read(control, 4096)
    if not chunk:
        break
    data += chunk
    while b"\\n" in data:
        line, data = data.split(b"\\n", 1)
        if line == b"fork":
            pid = os.fork()
            if pid == 0:
                os.setsid()
                sleep(120)
                _kd_exit(0)
            send({"phase": "forked", "pid": pid})
        else:
            send({"phase": "echo", "line": line.decode("ascii")})
"""


def source(body: str) -> str:
    return PRELUDE + "\n\n" + body


@pytest.fixture(params=process.layer_names())
def layer(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ProcessLayer]:
    monkeypatch.setenv(process.LAYER_VARIABLE, request.param)
    chosen = process.layer()
    assert chosen.name == request.param
    yield chosen
    chosen.reopen()


def wait_gone(pid: int, within: float = 60.0) -> bool:
    """Whether ``pid`` ends within ``within`` seconds (a bound on waiting, not a timing claim)."""
    end = time.monotonic() + within
    while not is_gone(pid):
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True


def run(
    layer: ProcessLayer, body: str, job: dict[str, Any], tmp_path: Path, timeout: float
) -> PayloadRun:
    return layer.run(
        sys.executable, source(body), job, cwd=str(tmp_path), env=dict(os.environ), timeout=timeout
    )


def test_an_unknown_layer_name_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(process.LAYER_VARIABLE, "kd-no-such-layer")
    with pytest.raises(UsageError, match="kd-no-such-layer") as raised:
        process.layer()
    assert "\n" not in str(raised.value)
    for name in process.layer_names():
        assert name in str(raised.value)


def test_only_the_answer_with_the_nonce_counts(layer: ProcessLayer, tmp_path: Path) -> None:
    done = run(layer, ANSWER, {"word": "hello"}, tmp_path, timeout=60)
    assert done.messages == ({"phase": "answer", "echo": "hello"},)
    assert '"echo": "forged"' in done.stdout_tail  # written, seen, and not taken for an answer
    assert done.returncode == 0
    assert not done.timed_out


def test_an_interpreter_that_cannot_start_is_a_start_error(
    layer: ProcessLayer, tmp_path: Path
) -> None:
    missing = str(tmp_path / "no-such-python")
    done = layer.run(missing, source(ANSWER), {}, cwd=str(tmp_path), env={}, timeout=60)
    assert done.start_error is not None
    assert done.exit_detail == done.start_error
    assert done.messages == ()


def test_the_deadline_ends_the_whole_tree(layer: ProcessLayer, tmp_path: Path) -> None:
    done = run(layer, HANG_WITH_GRANDCHILD, {}, tmp_path, timeout=3)
    assert done.timed_out
    assert done.exit_detail == "killed at the deadline"
    message = done.message("grandchild")
    assert message is not None
    assert wait_gone(int(message["pid"]))


@pytest.fixture
def controlled(layer: ProcessLayer, tmp_path: Path) -> Iterator[tuple[Any, queue.Queue[Any]]]:
    if not layer.can_fork:
        pytest.skip(f"the {layer.name} layer runs no warm processes")
    payload = layer.start(
        sys.executable,
        source(CONTROLLED),
        {},
        cwd=str(tmp_path),
        env=dict(os.environ),
        control=True,
    )
    arrived: queue.Queue[Any] = queue.Queue()

    def read() -> None:
        arrived.put(payload.read(deadline=None, on_message=arrived.put))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert arrived.get(timeout=60) == {"phase": "ready"}
        yield payload, arrived
    finally:
        payload.end()
        reader.join(timeout=30)


def test_a_streaming_read_hands_over_each_message_as_it_arrives(
    controlled: tuple[Any, queue.Queue[Any]],
) -> None:
    payload, arrived = controlled
    for word in ("one", "two"):
        payload.send_control(word.encode() + b"\n")
        assert arrived.get(timeout=60) == {"phase": "echo", "line": word}
    payload.close_control()  # the payload sees end of file and ends
    done = arrived.get(timeout=60)
    assert isinstance(done, PayloadRun)
    assert done.messages == ()  # they were handed over, not collected
    assert done.returncode == 0
    with pytest.raises(OSError, match="no control pipe"):
        payload.send_control(b"late\n")


def test_an_adopted_child_is_ended_on_request_and_by_stop_all(
    layer: ProcessLayer, controlled: tuple[Any, queue.Queue[Any]]
) -> None:
    payload, arrived = controlled
    forked = []
    for _ in range(2):
        payload.send_control(b"fork\n")
        message = arrived.get(timeout=60)
        assert message["phase"] == "forked"
        forked.append(int(message["pid"]))
        payload.adopt(forked[-1])
    payload.end_adopted(forked[0])
    assert wait_gone(forked[0])
    assert not is_gone(forked[1])  # only the one asked for
    layer.stop_all()
    assert layer.stopped
    assert wait_gone(forked[1])
    assert wait_gone(payload.pid)


def test_after_stop_all_nothing_runs_until_reopen(layer: ProcessLayer, tmp_path: Path) -> None:
    layer.stop_all()
    refused = run(layer, ANSWER, {"word": "late"}, tmp_path, timeout=60)
    assert refused.messages == ()
    assert refused.returncode is not None
    assert refused.returncode < 0  # killed at birth, never answered
    layer.reopen()
    assert not layer.stopped
    done = run(layer, ANSWER, {"word": "again"}, tmp_path, timeout=60)
    assert done.messages == ({"phase": "answer", "echo": "again"},)
