"""Warm processes that fork one child per line: a check close to the cost of one import.

Every ``from A.x import Y`` starts with ``import A``. A zygote is a payload process of the
target that has done exactly that first step for one top-level package ``A`` (the line's
own first step, in the same interpreter, directory and environment) and then forks a child
per line; the child runs the rest of the line and its use check, in its own session, and
reports on the shared private channel with its job id (see the payload's comment for why
messages cannot interleave). If ``import A`` itself fails, crashes or hangs, that is every
line's verdict, as it would be for fresh processes, which would fail at the same first step.

Lines of a zygote that dies for another reason, or that it could not run, fall back to
fresh processes. The real-environment tests compare every verdict reached this way with a
fresh ``python -c``; ``--no-fork`` turns zygotes off.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import selectors
import subprocess
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kerasdoctor.channel import (
    LIVE,
    TAIL_BYTES,
    PayloadRun,
    _authentic,
    _kill_holders,
    _killpg,
    _Tail,
)


@dataclass
class _Job:
    """One line's state inside a zygote (mutable, guarded by the zygote's condition)."""

    ident: int
    messages: list[dict[str, Any]] = field(default_factory=list)
    pid: int | None = None
    returncode: int | None = None
    finished: bool = False


class WarmFailed(Exception):
    """``import A`` failed in the zygote: its outcome is every line's outcome."""

    def __init__(self, run: PayloadRun) -> None:
        super().__init__("warm import failed")
        self.run = run


class ZygoteLost(Exception):
    """The zygote is gone or unusable; the caller runs the line in a fresh process."""


class Zygote:
    """A warm process for one top-level package of the target."""

    def __init__(
        self,
        python: str,
        source: str,
        warm: str,
        *,
        cwd: str,
        env: Mapping[str, str],
        timeout: float,
    ) -> None:
        self.warm = warm
        self.timeout = timeout
        self._cond = threading.Condition()
        self._jobs: dict[int, _Job] = {}
        self._next = 0
        self._warm: dict[str, Any] | None = None
        self._dead = False
        self._closed = False
        self._hung = False  # import A did not finish within the deadline
        self._nonce = secrets.token_hex(16)
        self._stderr = _Tail(TAIL_BYTES)
        self._stdout = _Tail(TAIL_BYTES)
        self._started = time.monotonic()
        result_r, result_w = os.pipe()
        control_r, control_w = os.pipe()
        try:
            self._proc = subprocess.Popen(
                [python, "-c", source, str(result_w), str(control_r)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=(result_w, control_r),
                cwd=cwd,
                env=dict(env),
                start_new_session=True,
            )
        except OSError as exc:
            for fd in (result_r, result_w, control_r, control_w):
                os.close(fd)
            raise ZygoteLost(str(exc)) from exc
        os.close(result_w)
        os.close(control_r)
        self._result_fd = result_r
        self._control = control_w
        LIVE.add(self._proc.pid)
        assert self._proc.stdin is not None
        job = json.dumps({"mode": "zygote", "warm": warm, "nonce": self._nonce}).encode()
        with contextlib.suppress(OSError):
            self._proc.stdin.write(job)
            self._proc.stdin.close()
        self._reader = threading.Thread(target=self._read, name=f"zygote-{warm}", daemon=True)
        self._reader.start()

    # -- the reader thread ------------------------------------------------------------
    def _read(self) -> None:
        assert self._proc.stdout is not None
        assert self._proc.stderr is not None
        sel = selectors.DefaultSelector()
        sel.register(self._result_fd, selectors.EVENT_READ, None)
        sel.register(self._proc.stdout.fileno(), selectors.EVENT_READ, self._stdout)
        sel.register(self._proc.stderr.fileno(), selectors.EVENT_READ, self._stderr)
        pending = b""
        try:
            while True:
                for key, _ in sel.select(timeout=0.5):
                    try:
                        chunk = os.read(key.fd, 65536)
                    except OSError:
                        chunk = b""
                    if key.data is not None:
                        if chunk:
                            key.data.feed(chunk)
                        else:
                            sel.unregister(key.fd)
                        continue
                    if not chunk:
                        return  # the zygote and every child are gone
                    pending += chunk
                    lines = pending.split(b"\n")
                    pending = lines.pop()
                    for message in _authentic(b"\n".join(lines), self._nonce):
                        self._dispatch(message)
                    if len(pending) > 1 << 20:
                        pending = b""  # not ours: nothing authentic is that long
        finally:
            sel.close()
            with self._cond:
                self._dead = True
                self._cond.notify_all()

    def _dispatch(self, message: dict[str, Any]) -> None:
        with self._cond:
            phase = message.get("phase")
            if phase == "warm":
                self._warm = message
            else:
                job = self._jobs.get(message.get("job"))  # type: ignore[arg-type]
                if job is None:
                    return
                if phase == "forked":
                    job.pid = int(message.get("pid", 0)) or None
                    if job.pid is not None:
                        LIVE.add(job.pid)
                elif phase == "exit":
                    job.returncode = int(message.get("returncode", 0))
                    job.finished = True
                    if job.pid is not None:
                        _killpg(job.pid)  # what the line left behind dies with it
                        LIVE.discard(job.pid)
                else:
                    job.messages.append(message)
            self._cond.notify_all()

    # -- the callers' side ------------------------------------------------------------
    def _wait_warm(self) -> None:
        deadline = self._started + self.timeout
        with self._cond:
            while self._warm is None and not self._dead:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(min(left, 0.5))
            warm = self._warm
            dead = self._dead
        if warm is not None and warm.get("status") == "ok":
            if warm.get("threads"):
                # import A left threads running; a fork keeps none of them (nor the locks they
                # hold), so a child may hang where a fresh process works: use fresh ones.
                raise ZygoteLost("import A started threads")
            return
        if warm is not None:
            # import A failed: every line of A fails the same way.
            raise WarmFailed(self._as_run([{**warm, "phase": "import"}], None, False))
        if not dead or self._hung:
            # import A hung: every line times out. Once one waiter has ended the zygote, the
            # others see it dead: that is the same hang, not a crash.
            self._hung = True
            self.close()
            raise WarmFailed(self._as_run([], -9, True))
        returncode = self._proc.wait()
        raise WarmFailed(self._as_run([], returncode, False))  # import A crashed

    def _warm_seconds(self) -> float:
        with self._cond:
            warm = self._warm or {}
        try:
            return float(warm.get("seconds", 0.0))
        except (TypeError, ValueError):
            return 0.0

    def _as_run(
        self, messages: list[dict[str, Any]], returncode: int | None, timed_out: bool
    ) -> PayloadRun:
        return PayloadRun(
            messages=tuple(messages),
            returncode=returncode,
            timed_out=timed_out,
            seconds=time.monotonic() - self._started,
            stdout_tail="",
            stderr_tail=self._stderr.text() if not messages else "",
        )

    def run(self, job: Mapping[str, Any]) -> PayloadRun:
        """Run one line in a forked child; raises WarmFailed or ZygoteLost."""
        self._wait_warm()
        started = time.monotonic()
        with self._cond:
            if self._dead:
                raise ZygoteLost("the zygote is gone")
            self._next += 1
            state = _Job(self._next)
            self._jobs[state.ident] = state
        line = json.dumps({**job, "id": state.ident}).encode() + b"\n"
        try:
            os.write(self._control, line)
        except OSError as exc:
            raise ZygoteLost(str(exc)) from exc
        # A fresh process spends the time of `import A` inside its own deadline; the child
        # starts after it, so its budget is what the warm import left.
        deadline = started + max(self.timeout - self._warm_seconds(), 0.5)
        timed_out = False
        with self._cond:
            while not state.finished and not self._dead:
                left = deadline - time.monotonic()
                if left <= 0:
                    timed_out = True
                    break
                self._cond.wait(min(left, 0.5))
            if not state.finished and self._dead:
                raise ZygoteLost("the zygote died while running a line")
        if timed_out:
            if state.pid is not None:
                _killpg(state.pid)
            with self._cond:  # the zygote reaps the child and reports; wait briefly for it
                end = time.monotonic() + 2.0
                while not state.finished and not self._dead and time.monotonic() < end:
                    self._cond.wait(0.1)
        return PayloadRun(
            messages=tuple(state.messages),
            returncode=state.returncode,
            timed_out=timed_out,
            seconds=time.monotonic() - started,
            stdout_tail="",
            stderr_tail="",
        )

    def close(self) -> None:
        """End the zygote and every child it still has (once; later calls do nothing)."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            pids = [j.pid for j in self._jobs.values() if j.pid is not None and not j.finished]
        with contextlib.suppress(OSError):
            os.close(self._control)
        for pid in pids:
            _killpg(pid)
            LIVE.discard(pid)
        _killpg(self._proc.pid)
        LIVE.discard(self._proc.pid)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._proc.wait(timeout=5)
        # What still holds the zygote's pipes left its process group (setsid): end it too.
        streams = [s for s in (self._proc.stdout, self._proc.stderr) if s is not None]
        _kill_holders([self._result_fd, *(s.fileno() for s in streams)])
        self._reader.join(timeout=2)
        with contextlib.suppress(OSError):
            os.close(self._result_fd)
        for stream in (self._proc.stdout, self._proc.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
