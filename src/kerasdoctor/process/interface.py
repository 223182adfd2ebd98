"""What the rest of kerasdoctor may ask of the process layer, whatever the platform.

Three things: start a payload in the target interpreter (:meth:`ProcessLayer.start`), read
its result (:meth:`RunningPayload.read`), end its process tree (:meth:`RunningPayload.end`).
:meth:`ProcessLayer.run` is the three in a row, written once here for every implementation.
An implementation is one module (``posix.py`` today; a portable, fork-free one for Windows
and macOS joins beside it) and keeps the rules listed in ``process/__init__.py``.

The fork-only calls (:meth:`RunningPayload.adopt`, :meth:`RunningPayload.end_adopted`, the
control pipe) serve warm processes that fork one child per line; callers use them only when
:attr:`ProcessLayer.can_fork` is true.
"""

from __future__ import annotations

import signal
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

#: How much of a payload's stdout/stderr is kept (the end of it: tracebacks end there).
TAIL_BYTES = 8192
#: The most a payload may send on the result channel; a larger answer is not an answer.
MAX_RESULT_BYTES = 4 * 1024 * 1024

#: Called with each authentic message as soon as it arrives (streaming reads).
OnMessage = Callable[[dict[str, Any]], None]


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


class StartFailed(Exception):
    """The payload process could not be started (``reason`` says why, for the user)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RunningPayload(ABC):
    """One payload process of the target, started by :meth:`ProcessLayer.start`."""

    #: When the layer began starting it (``time.monotonic()``): deadlines count from here.
    started: float
    pid: int

    @abstractmethod
    def read(self, *, deadline: float | None, on_message: OnMessage | None = None) -> PayloadRun:
        """Read the result channel and the output tails until the process and its pipes are
        done, or until ``deadline`` (monotonic; None: no deadline), where the tree is ended.

        Without ``on_message`` the authentic messages are collected into the run (none if
        they exceed the size limit). With it, each is handed over as it arrives and the run
        carries none. Without a deadline, a process that closed every pipe yet lives on is
        left running (``returncode`` None): :meth:`end` and :meth:`wait` are the caller's.
        Call once; the pipes are released when it returns.
        """

    @abstractmethod
    def wait(self, timeout: float | None = None) -> int | None:
        """The process's exit status, waiting up to ``timeout`` (None: until it exits)."""

    @abstractmethod
    def stderr_tail(self) -> str:
        """The end of what the process wrote to stderr so far (while or after reading)."""

    @abstractmethod
    def end(self) -> None:
        """End the whole process tree, and every adopted one. Safe to call more than once."""

    # -- warm processes that fork (only when the layer's can_fork is true) ---------------
    @abstractmethod
    def send_control(self, data: bytes) -> None:
        """Write to the control pipe (started with ``control=True``); OSError if it is gone."""

    @abstractmethod
    def close_control(self) -> None:
        """Close the control pipe: the payload sees end of file. Safe to call more than once."""

    @abstractmethod
    def adopt(self, pid: int) -> None:
        """Take charge of a descendant that leads a process tree of its own (a forked line):
        it is ended by :meth:`end`, :meth:`end_adopted` and :meth:`ProcessLayer.stop_all`."""

    @abstractmethod
    def end_adopted(self, pid: int) -> None:
        """End an adopted descendant's tree now and forget it."""


class ProcessLayer(ABC):
    """Starts payloads in the target interpreter and ends them; one per platform family."""

    #: The name ``KERASDOCTOR_PROCESS_LAYER`` selects it by.
    name: ClassVar[str]
    #: Warm processes that fork one child per line are available and safe here.
    can_fork: ClassVar[bool]

    @abstractmethod
    def start(
        self,
        python: str,
        source: str,
        job: Mapping[str, Any],
        *,
        cwd: str,
        env: Mapping[str, str],
        control: bool = False,
    ) -> RunningPayload:
        """Start ``python -c source`` (a constant payload, never built from input) in ``cwd``
        with exactly ``env``, and hand it ``job`` (JSON data) and a fresh nonce. With
        ``control``, the payload also gets a control pipe (:meth:`RunningPayload.send_control`).
        Raises :class:`StartFailed`."""

    @abstractmethod
    def stop_all(self) -> None:
        """End every payload tree still running and refuse new ones (Ctrl-C)."""

    @abstractmethod
    def reopen(self) -> None:
        """Accept new payloads again after :meth:`stop_all`: a finished or interrupted run
        must not doom the next run in the same process (API users, notebooks, tests)."""

    @property
    @abstractmethod
    def stopped(self) -> bool:
        """Whether :meth:`stop_all` was called and not yet undone by :meth:`reopen`."""

    def run(
        self,
        python: str,
        source: str,
        job: Mapping[str, Any],
        *,
        cwd: str,
        env: Mapping[str, str],
        timeout: float,
    ) -> PayloadRun:
        """Start a payload, read its result within ``timeout`` seconds, end its tree."""
        try:
            payload = self.start(python, source, job, cwd=cwd, env=env)
        except StartFailed as exc:
            return PayloadRun((), None, False, 0.0, "", "", start_error=exc.reason)
        try:
            return payload.read(deadline=payload.started + timeout)
        finally:
            payload.end()
