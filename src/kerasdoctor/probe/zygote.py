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
fresh ``python -c``; ``--no-fork`` turns zygotes off, and so does a process layer that cannot
fork (``process.layer().can_fork``).

The zygote is started, read and ended by the process layer like any payload (one
supervision loop for both): its messages are streamed to :meth:`Zygote._dispatch` as they
arrive, and each forked line is adopted by the layer so that its tree ends with the zygote,
at its own deadline, or on Ctrl-C.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kerasdoctor import process
from kerasdoctor.process import PayloadRun, RunningPayload, StartFailed


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
        tops: Sequence[str],
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
        self._ended_at: float | None = None  # when import A answered, or the zygote died
        job = {"mode": "zygote", "warm": warm, "tops": list(tops)}
        try:
            self._payload: RunningPayload = process.layer().start(
                python, source, job, cwd=cwd, env=env, control=True
            )
        except StartFailed as exc:
            raise ZygoteLost(exc.reason) from exc
        self._started = self._payload.started
        self._reader = threading.Thread(target=self._read, name=f"zygote-{warm}", daemon=True)
        self._reader.start()

    # -- the reader thread ------------------------------------------------------------
    def _read(self) -> None:
        try:
            # The layer's one supervision loop, without a deadline of its own: it returns
            # once the zygote and every child are gone (each line has its own deadline).
            self._payload.read(deadline=None, on_message=self._dispatch)
        finally:
            with self._cond:
                self._dead = True
                if self._ended_at is None:
                    self._ended_at = time.monotonic()
                self._cond.notify_all()

    def _dispatch(self, message: dict[str, Any]) -> None:
        with self._cond:
            phase = message.get("phase")
            if phase == "warm":
                self._warm = message
                self._ended_at = time.monotonic()
            else:
                job = self._jobs.get(message.get("job"))  # type: ignore[arg-type]
                if job is None:
                    return
                if phase == "forked":
                    job.pid = int(message.get("pid", 0)) or None
                    if job.pid is not None:
                        self._payload.adopt(job.pid)
                elif phase == "exit":
                    job.returncode = int(message.get("returncode", 0))
                    job.finished = True
                    if job.pid is not None:
                        self._payload.end_adopted(job.pid)  # what the line left behind dies
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
        returncode = self._payload.wait()
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
        with self._cond:
            ended = self._ended_at
        # The import's own time: a later line (or batch) of a lasting pool must not count
        # the time the zygote has been alive.
        return PayloadRun(
            messages=tuple(messages),
            returncode=returncode,
            timed_out=timed_out,
            seconds=(time.monotonic() if ended is None else ended) - self._started,
            stdout_tail="",
            stderr_tail=self._payload.stderr_tail() if not messages else "",
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
            self._payload.send_control(line)
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
                self._payload.end_adopted(state.pid)
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
        self._payload.close_control()
        self._payload.end()  # the zygote's group and every line it forked and still runs
        self._payload.wait(timeout=5)
        # The reader ends what still holds the zygote's pipes, then releases them.
        self._reader.join(timeout=2)
