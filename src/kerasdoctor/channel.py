"""Run a stdlib-only payload in the target interpreter and read its answer safely.

This is the one place that starts processes of the target. The rules it keeps, each from a
failure seen in the wild (see ../shared/design/ARCHITECTURE.md):

* The answer travels on a private pipe whose descriptor number is given to the payload in
  ``argv``, never on stdout/stderr: libraries print to both (keras-core prints to stdout on
  import), some close them, some print text that looks like a result. Every message carries
  a random nonce that only the payload knows (it arrives on stdin, which is then closed), so
  imported code cannot forge one by accident or on purpose.
* A process that exits without sending its answer did not succeed, whatever its exit code.
* The payload runs in its own session (process group): a deadline, or the end of the
  payload, kills the whole group, so grandchildren that hold our pipes open die with it.
* stdout/stderr are read concurrently and only their tails are kept, so a flood never costs
  memory without limit.
* The payload is passed with ``-c`` from the user's working directory and environment, so
  ``sys.path[0]`` is the working directory exactly as for ``python -c "<line>"``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import selectors
import signal
import subprocess
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: How much of a child's stdout/stderr is kept (the end of it: tracebacks end there).
TAIL_BYTES = 8192
#: The most a payload may send on the result channel; a larger answer is not an answer.
MAX_RESULT_BYTES = 4 * 1024 * 1024
#: After the payload process ends, how long its pipes may stay open before we stop reading.
_DRAIN_SECONDS = 0.5
_PREFIX = b"KDMSG "


@dataclass(frozen=True)
class PayloadRun:
    """What one payload process did."""

    messages: tuple[dict[str, Any], ...]  # authentic messages, in order
    returncode: int | None  # negative: killed by that signal; None: never started
    timed_out: bool
    seconds: float
    stdout_tail: str
    stderr_tail: str
    start_error: str | None = None  # why the process could not be started

    def message(self, phase: str) -> dict[str, Any] | None:
        for msg in self.messages:
            if msg.get("phase") == phase:
                return msg
        return None

    @property
    def exit_detail(self) -> str:
        if self.start_error is not None:
            return self.start_error
        if self.timed_out:
            return "killed at the deadline"
        if self.returncode is None:
            return "did not run"
        if self.returncode < 0:
            try:
                name = signal.Signals(-self.returncode).name
            except ValueError:
                name = f"signal {-self.returncode}"
            return f"killed by {name}"
        return f"exited with status {self.returncode}"


class _Live:
    """Process groups still running, so Ctrl-C can end every one of them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._groups: set[int] = set()
        self.closed = False

    def add(self, pgid: int) -> bool:
        with self._lock:
            if self.closed:
                return False
            self._groups.add(pgid)
            return True

    def discard(self, pgid: int) -> None:
        with self._lock:
            self._groups.discard(pgid)

    def reopen(self) -> None:
        """Accept new processes again: a finished (or interrupted) run must not doom the next
        run in the same process (API users, notebooks, tests)."""
        with self._lock:
            self.closed = False

    def kill_all(self) -> None:
        with self._lock:
            self.closed = True
            groups = list(self._groups)
        for pgid in groups:
            _killpg(pgid)


LIVE = _Live()


def _killpg(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


class _Tail:
    """Keeps the last ``limit`` bytes of a stream and counts the rest."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data = bytearray()
        self.dropped = 0

    def feed(self, chunk: bytes) -> None:
        self.data += chunk
        excess = len(self.data) - self.limit
        if excess > 0:
            del self.data[:excess]
            self.dropped += excess

    def text(self) -> str:
        text = self.data.decode("utf-8", errors="replace")
        if self.dropped:
            text = f"[... {self.dropped} bytes not kept ...]\n" + text
        return text


def run_payload(
    python: str,
    source: str,
    job: Mapping[str, Any],
    *,
    cwd: str,
    env: Mapping[str, str],
    timeout: float,
    extra_args: tuple[str, ...] = (),
) -> PayloadRun:
    """Run ``source`` (a constant payload, never built from input) with ``job`` as data.

    The payload finds the result descriptor in ``sys.argv[1]`` and the job (with the nonce)
    as one JSON document on stdin.
    """
    nonce = secrets.token_hex(16)
    document = json.dumps({**job, "nonce": nonce}).encode()
    read_fd, write_fd = os.pipe()
    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            [python, *extra_args, "-c", source, str(write_fd)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=(write_fd,),
            cwd=cwd,
            env=dict(env),
            start_new_session=True,
        )
    except OSError as exc:
        os.close(read_fd)
        os.close(write_fd)
        return PayloadRun((), None, False, 0.0, "", "", start_error=f"{exc.strerror or exc}")
    os.close(write_fd)
    pgid = proc.pid  # start_new_session makes the child the leader of its own group
    if not LIVE.add(pgid):  # Ctrl-C arrived while we were starting: do not run at all
        _killpg(pgid)
    try:
        return _supervise(proc, pgid, read_fd, document, nonce, started, timeout)
    finally:
        _killpg(pgid)
        LIVE.discard(pgid)
        os.close(read_fd)
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


def _supervise(
    proc: subprocess.Popen[bytes],
    pgid: int,
    read_fd: int,
    document: bytes,
    nonce: str,
    started: float,
    timeout: float,
) -> PayloadRun:
    assert proc.stdin is not None
    assert proc.stdout is not None
    assert proc.stderr is not None
    try:
        # The job is small (far below a pipe buffer), so this never blocks on a child that
        # does not read its stdin.
        proc.stdin.write(document)
        proc.stdin.close()
    except OSError:
        pass  # the child is already gone; its exit status will tell

    deadline = started + timeout
    out, err = _Tail(TAIL_BYTES), _Tail(TAIL_BYTES)
    result = bytearray()
    result_overflow = False
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout.fileno(), selectors.EVENT_READ, out)
    sel.register(proc.stderr.fileno(), selectors.EVENT_READ, err)
    sel.register(read_fd, selectors.EVENT_READ, None)
    open_fds = 3
    timed_out = False
    exited_at: float | None = None
    try:
        while open_fds:
            now = time.monotonic()
            if exited_at is None and proc.poll() is not None:
                exited_at = now
                # Kill what the payload left behind, so that inherited pipes reach EOF.
                _killpg(pgid)
            if exited_at is not None and now - exited_at > _DRAIN_SECONDS:
                break
            if now >= deadline and exited_at is None:
                timed_out = True
                _killpg(pgid)
                proc.wait()
                exited_at = time.monotonic()
                continue
            wait = min(deadline - now, 0.05) if exited_at is None else 0.05
            for key, _ in sel.select(timeout=max(wait, 0.0)):
                fd = key.fd
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    sel.unregister(fd)
                    open_fds -= 1
                    continue
                if key.data is None:
                    if len(result) + len(chunk) > MAX_RESULT_BYTES:
                        result_overflow = True
                    else:
                        result += chunk
                else:
                    key.data.feed(chunk)
        if open_fds:
            # The group is dead, yet a pipe is still open: a descendant that left the group
            # (setsid) holds it. It would outlive us; end it.
            _kill_holders([key.fd for key in sel.get_map().values()])
        if exited_at is None:
            # All pipes closed: the payload is exiting; give it the rest of its deadline.
            try:
                proc.wait(timeout=max(deadline - time.monotonic(), 0.0))
            except subprocess.TimeoutExpired:
                timed_out = True
                _killpg(pgid)
                proc.wait()
    finally:
        sel.close()
    messages = () if result_overflow else _authentic(bytes(result), nonce)
    return PayloadRun(
        messages=messages,
        returncode=proc.returncode,
        timed_out=timed_out,
        seconds=time.monotonic() - started,
        stdout_tail=out.text(),
        stderr_tail=err.text(),
    )


def _kill_holders(fds: list[int]) -> None:
    """SIGKILL every other process that holds one of our pipes (Linux /proc; else nothing).

    Only a descendant of a payload can hold them (the pipes are private), so whatever
    process (and process group) holds one is ours to end.
    """
    links: set[str] = set()
    for fd in fds:
        with contextlib.suppress(OSError):
            links.add(f"pipe:[{os.fstat(fd).st_ino}]")
    me, own_group = os.getpid(), os.getpgrp()
    try:
        pids = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]
    except OSError:
        return
    for pid in pids:
        if pid != me and _holds(pid, links):
            with contextlib.suppress(OSError):
                group = os.getpgid(pid)
                if group != own_group:
                    _killpg(group)  # its own children hold the pipes too
                os.kill(pid, signal.SIGKILL)


def _holds(pid: int, links: set[str]) -> bool:
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:  # gone meanwhile, or not ours to read
        return False
    for fd in fds:
        with contextlib.suppress(OSError):
            if str(fd.readlink()) in links:
                return True
    return False


def _authentic(data: bytes, nonce: str) -> tuple[dict[str, Any], ...]:
    """Messages on the channel that carry our nonce; anything else is ignored."""
    messages: list[dict[str, Any]] = []
    expected = _PREFIX + nonce.encode() + b" "
    for line in data.split(b"\n"):
        # Not startswith: imported code that wrote a half line (no newline) to our descriptor
        # would otherwise glue it in front of the real answer and make us lose it.
        start = line.rfind(expected)
        if start < 0:
            continue
        try:
            msg = json.loads(line[start + len(expected) :].decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            continue
        if isinstance(msg, dict):
            messages.append(msg)
    return tuple(messages)
