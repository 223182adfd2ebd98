"""The POSIX process layer: sessions, ``killpg``, ``select`` on pipes, inherited descriptors.

The rules it keeps are listed in ``process/__init__.py``; how they are kept here:

* The result channel is a pipe whose write end the payload inherits (``pass_fds``); its
  number is ``sys.argv[1]``. A warm process also inherits a control pipe (``sys.argv[2]``).
* Each payload is started in a session of its own (``start_new_session``), so its process
  group is its tree: the deadline, the end of the payload and :meth:`PosixLayer.stop_all`
  ``SIGKILL`` the group. A descendant that left the group (``setsid``) but still holds one of
  our pipes is found through ``/proc`` and ended too (Linux).
* One loop (:meth:`PosixPayload.read`) reads the three pipes with ``selectors`` for plain runs
  and for warm processes alike: a plain run collects its messages, a warm process streams
  them to its dispatcher as they arrive. What counts as an answer, and how much output is
  kept, is decided by ``streams.py``, which a portable layer shares.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import secrets
import selectors
import signal
import subprocess
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kerasdoctor.process.interface import (
    MAX_RESULT_BYTES,
    TAIL_BYTES,
    OnMessage,
    PayloadRun,
    ProcessLayer,
    RunningPayload,
    StartFailed,
)
from kerasdoctor.process.streams import MAX_LINE_BYTES, NonceLines, Tail

#: After the payload process ends, how long its pipes may stay open before we stop reading.
_DRAIN_SECONDS = 0.5


def _killpg(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


class _Groups:
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
        with self._lock:
            self.closed = False

    def kill_all(self) -> None:
        with self._lock:
            self.closed = True
            groups = list(self._groups)
        for pgid in groups:
            _killpg(pgid)


class PosixPayload(RunningPayload):
    """One payload process in a session of its own."""

    def __init__(
        self,
        layer: PosixLayer,
        proc: subprocess.Popen[bytes],
        result_fd: int,
        control_fd: int | None,
        nonce: str,
        started: float,
    ) -> None:
        self._layer = layer
        self._proc = proc
        self._result_fd = result_fd
        self._control_fd = control_fd
        self._nonce = nonce
        self.started = started
        self.pid = proc.pid
        self._stdout = Tail(TAIL_BYTES)
        self._stderr = Tail(TAIL_BYTES)
        self._lock = threading.Lock()
        self._adopted: set[int] = set()
        self._read = False
        self._released = False  # the pipes are closed (guarded by _lock)

    # -- reading: the one supervision loop ---------------------------------------------
    def read(self, *, deadline: float | None, on_message: OnMessage | None = None) -> PayloadRun:
        if self._read:
            raise RuntimeError("a payload is read once")
        self._read = True
        proc, pgid = self._proc, self.pid
        assert proc.stdout is not None
        assert proc.stderr is not None
        streaming = on_message is not None
        channel = NonceLines(
            self._nonce,
            max_total=None if streaming else MAX_RESULT_BYTES,
            max_line=MAX_LINE_BYTES if streaming else None,
        )
        collected: list[dict[str, Any]] = []
        deliver = on_message if on_message is not None else collected.append
        end_at = math.inf if deadline is None else deadline
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout.fileno(), selectors.EVENT_READ, self._stdout)
        sel.register(proc.stderr.fileno(), selectors.EVENT_READ, self._stderr)
        sel.register(self._result_fd, selectors.EVENT_READ, None)
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
                if now >= end_at and exited_at is None:
                    timed_out = True
                    _killpg(pgid)
                    proc.wait()
                    exited_at = time.monotonic()
                    continue
                wait = min(end_at - now, 0.05) if exited_at is None else 0.05
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
                        for message in channel.feed(chunk):
                            deliver(message)
                    else:
                        key.data.feed(chunk)
            for message in channel.finish():
                deliver(message)
            if open_fds:
                # The group is dead, yet a pipe is still open: a descendant that left the
                # group (setsid) holds it. It would outlive us; end it.
                _kill_holders([key.fd for key in sel.get_map().values()])
            if exited_at is None and deadline is not None:
                # All pipes closed: the payload is exiting; give it the rest of its deadline.
                try:
                    proc.wait(timeout=max(deadline - time.monotonic(), 0.0))
                except subprocess.TimeoutExpired:
                    timed_out = True
                    _killpg(pgid)
                    proc.wait()
            elif exited_at is None:
                # No deadline (a warm process): it is most likely exiting; a process that closed
                # its pipes and lives on is the caller's to end (returncode stays None).
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=_DRAIN_SECONDS)
        finally:
            sel.close()
            self._release_pipes()
        return PayloadRun(
            messages=() if streaming or channel.overflow else tuple(collected),
            returncode=proc.returncode,
            timed_out=timed_out,
            seconds=time.monotonic() - self.started,
            stdout_tail=self._stdout.text(),
            stderr_tail=self._stderr.text(),
        )

    def _pipes(self) -> list[int]:
        streams = (self._proc.stdout, self._proc.stderr)
        return [self._result_fd, *(s.fileno() for s in streams if s is not None)]

    def _release_pipes(self) -> None:
        # Under the lock: end() may be looking for the pipes' holders from another thread,
        # and a closed descriptor number can be reused at once by an unrelated file.
        with self._lock:
            if self._released:
                return
            self._released = True
            with contextlib.suppress(OSError):
                os.close(self._result_fd)
            for stream in (self._proc.stdout, self._proc.stderr):
                if stream is not None:
                    with contextlib.suppress(OSError):
                        stream.close()

    def wait(self, timeout: float | None = None) -> int | None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._proc.wait(timeout=timeout)
        return self._proc.returncode

    def stderr_tail(self) -> str:
        return self._stderr.text()

    def end(self) -> None:
        with self._lock:
            adopted, self._adopted = list(self._adopted), set()
        for pid in adopted:
            _killpg(pid)
            self._layer.groups.discard(pid)
        _killpg(self.pid)
        self._layer.groups.discard(self.pid)
        with self._lock:
            if not self._released:
                # Still being read (a warm process ended from another thread): what holds
                # its pipes outside the group ends now, not after the reader's drain time.
                _kill_holders(self._pipes())
        stdin = self._proc.stdin
        if stdin is not None:
            with contextlib.suppress(OSError):
                stdin.close()

    # -- warm processes that fork ------------------------------------------------------
    def send_control(self, data: bytes) -> None:
        if self._control_fd is None:
            raise OSError("this payload has no control pipe")
        while data:
            data = data[os.write(self._control_fd, data) :]

    def close_control(self) -> None:
        with self._lock:
            fd, self._control_fd = self._control_fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)

    def adopt(self, pid: int) -> None:
        with self._lock:
            self._adopted.add(pid)
        if not self._layer.groups.add(pid):  # Ctrl-C came first: the line must not run
            _killpg(pid)

    def end_adopted(self, pid: int) -> None:
        # The forked line leads its own session, so its group is its tree; but a line ended
        # right after the fork may not have called setsid() yet, and then no group of that
        # id exists: the process itself is killed too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
        _killpg(pid)
        with self._lock:
            self._adopted.discard(pid)
        self._layer.groups.discard(pid)


class PosixLayer(ProcessLayer):
    """Process groups, ``killpg`` and ``select``: Linux (and, today, every POSIX system)."""

    name = "posix"
    can_fork = True

    def __init__(self) -> None:
        self.groups = _Groups()

    def start(
        self,
        python: str,
        source: str,
        job: Mapping[str, Any],
        *,
        cwd: str,
        env: Mapping[str, str],
        control: bool = False,
    ) -> PosixPayload:
        nonce = secrets.token_hex(16)
        document = json.dumps({**job, "nonce": nonce}).encode()
        result_r, result_w = os.pipe()
        control_r, control_w = os.pipe() if control else (-1, -1)
        inherited = (result_w, control_r) if control else (result_w,)
        started = time.monotonic()
        try:
            with _SPAWNING:
                proc = subprocess.Popen(
                    [python, "-c", source, *map(str, inherited)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    pass_fds=inherited,
                    cwd=cwd,
                    env=dict(env),
                    start_new_session=True,
                )
        except OSError as exc:
            for fd in (result_r, result_w, control_r, control_w):
                if fd >= 0:
                    os.close(fd)
            raise StartFailed(f"{exc.strerror or exc}") from exc
        for fd in inherited:
            os.close(fd)
        payload = PosixPayload(self, proc, result_r, control_w if control else None, nonce, started)
        # start_new_session makes the child the leader of its own group: pgid == pid.
        if not self.groups.add(proc.pid):  # Ctrl-C arrived while we were starting
            _killpg(proc.pid)
        assert proc.stdin is not None
        try:
            # The job is small (far below a pipe buffer), so this never blocks on a child
            # that does not read its stdin.
            proc.stdin.write(document)
            proc.stdin.close()
        except OSError:
            pass  # the child is already gone; its exit status will tell
        return payload

    def stop_all(self) -> None:
        self.groups.kill_all()

    def reopen(self) -> None:
        self.groups.reopen()

    @property
    def stopped(self) -> bool:
        return self.groups.closed


#: Held while a payload is started and while /proc is searched for holders of our pipes.
#: Between fork and exec, a child being started from another thread holds a copy of every
#: descriptor of ours, those pipes included: a search at that moment took it for a
#: leftover descendant and killed it (several targets start and end warm processes at once;
#: their lines then all "crashed" with SIGKILL). Popen returns only after the exec, which
#: closed every descriptor the child was not given.
_SPAWNING = threading.Lock()


def _kill_holders(fds: list[int]) -> None:
    """SIGKILL every other process that holds one of our pipes (Linux /proc; else nothing).

    Only a descendant of a payload can hold them (the pipes are private), so whatever
    process (and process group) holds one is ours to end; no child of ours is between fork
    and exec while we look (:data:`_SPAWNING`).
    """
    with _SPAWNING:
        _kill_holders_now(fds)


def _kill_holders_now(fds: list[int]) -> None:
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
