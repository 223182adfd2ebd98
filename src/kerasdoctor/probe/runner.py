"""Schedule probes in parallel under deadlines and turn each run into a verdict.

Each candidate runs in its own fresh interpreter (``python -c`` semantics, the user's
working directory and environment). Candidates whose top-level module the target's import
system cannot find at all are decided without a process: ``from keras_core.layers import X``
with no ``keras_core`` anywhere fails with exactly ``No module named 'keras_core'``.
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

from kerasdoctor import knowledge, process
from kerasdoctor.models import (
    Candidate,
    ErrorInfo,
    ProbeOutcome,
    Resolved,
    Status,
    Target,
    UseCheck,
)
from kerasdoctor.probe.zygote import WarmFailed, Zygote, ZygoteLost
from kerasdoctor.process import PayloadRun

#: Called with each outcome as soon as it is known (progress display).
ProgressCallback = Callable[[ProbeOutcome], None]

DEFAULT_TIMEOUT = 120.0

#: The probe payload, as the process layer runs it.
PAYLOAD = ("kerasdoctor.probe", "child_probe.py")


def default_jobs() -> int:
    """Parallel probes: one per core (a TensorFlow import keeps one core busy)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class ProbeSettings:
    """How probes run."""

    timeout: float = DEFAULT_TIMEOUT
    jobs: int = 0  # 0: one per core
    use_check: bool = True
    fork: bool = True  # lines sharing a top-level package run in forks of one warm process


DEFAULT_SETTINGS = ProbeSettings()


def probe_all(
    target: Target,
    candidates: Sequence[Candidate],
    *,
    use_specs: Mapping[str, Mapping[str, Any] | None],
    environ: Mapping[str, str],
    settings: ProbeSettings = DEFAULT_SETTINGS,
    on_result: ProgressCallback | None = None,
    slots: threading.Semaphore | None = None,
) -> tuple[ProbeOutcome, ...]:
    """Probe every candidate; outcomes come back in the order of ``candidates``.

    ``slots`` is shared by the calls that run at the same time (several targets of one run):
    each probe, and the warm process it may start, holds one slot, so the run never has more
    probes at once than it has slots, however many targets are probed.
    """
    layer = process.layer()
    layer.reopen()  # a previous run in this process may have ended with Ctrl-C
    results: dict[int, ProbeOutcome] = {}
    to_run: list[int] = []
    for index, candidate in enumerate(candidates):
        decided = _decide_without_process(target, candidate)
        if decided is None:
            to_run.append(index)
        else:
            results[index] = decided
            if on_result is not None:
                on_result(decided)
    jobs = settings.jobs or default_jobs()
    source = process.child_source(*PAYLOAD)
    zygotes = _Zygotes(
        target, source, environ, settings, [candidates[i] for i in to_run], layer.can_fork
    )
    pool = ThreadPoolExecutor(max_workers=max(1, min(jobs, len(to_run) or 1)))
    try:
        futures: dict[Future[ProbeOutcome], int] = {}
        for index in to_run:
            candidate = candidates[index]
            spec = use_specs.get(candidate.symbol) if settings.use_check else None
            future = pool.submit(
                _probe_slotted, slots, target, candidate, source, spec, environ, settings, zygotes
            )
            futures[future] = index
        for future in as_completed(futures):
            index = futures[future]
            outcome = future.result()
            results[index] = outcome
            if on_result is not None:
                on_result(outcome)
    except BaseException:
        # Ctrl-C (or a bug): stop scheduling and end every running probe's process group.
        pool.shutdown(wait=False, cancel_futures=True)
        process.stop_all()
        raise
    finally:
        zygotes.close()
    pool.shutdown(wait=True)
    return tuple(results[i] for i in range(len(candidates)))


class _Zygotes:
    """One warm process per top-level package that two or more lines need (see zygote.py)."""

    def __init__(
        self,
        target: Target,
        source: str,
        environ: Mapping[str, str],
        settings: ProbeSettings,
        candidates: Sequence[Candidate],
        can_fork: bool,
    ) -> None:
        self._args = (target.python, source)
        self._cwd = target.cwd
        self._environ = environ
        self._timeout = settings.timeout
        self._lock = threading.Lock()
        self._made: dict[str, Zygote | None] = {}
        counts: dict[str, int] = {}
        for candidate in candidates:
            counts[candidate.top_level] = counts.get(candidate.top_level, 0) + 1
        # A single line gains nothing from a warm process.
        fork = settings.fork and can_fork
        self._shared = {top for top, n in counts.items() if n >= 2} if fork else set()

    def get(self, top: str) -> Zygote | None:
        if top not in self._shared:
            return None
        with self._lock:
            if top not in self._made:
                try:
                    self._made[top] = Zygote(
                        *self._args,
                        top,
                        tops=knowledge.REPORTED_TOPS,
                        cwd=self._cwd,
                        env=self._environ,
                        timeout=self._timeout,
                    )
                except ZygoteLost:
                    self._made[top] = None
            return self._made[top]

    def close(self) -> None:
        with self._lock:
            made = [z for z in self._made.values() if z is not None]
        for zygote in made:
            zygote.close()


def _decide_without_process(target: Target, candidate: Candidate) -> ProbeOutcome | None:
    top = candidate.top_level
    if target.knows_module(top) and target.module_origin(top) is None:
        return ProbeOutcome(
            candidate=candidate,
            status=Status.IMPORT_ERROR,
            seconds=0.0,
            error=ErrorInfo("ModuleNotFoundError", f"No module named '{top}'"),
            method="find_spec",
        )
    return None


def _probe_slotted(
    slots: threading.Semaphore | None,
    target: Target,
    candidate: Candidate,
    source: str,
    use_spec: Mapping[str, Any] | None,
    environ: Mapping[str, str],
    settings: ProbeSettings,
    zygotes: _Zygotes,
) -> ProbeOutcome:
    if slots is None:
        return _probe_one(target, candidate, source, use_spec, environ, settings, zygotes)
    with slots:
        return _probe_one(target, candidate, source, use_spec, environ, settings, zygotes)


def _probe_one(
    target: Target,
    candidate: Candidate,
    source: str,
    use_spec: Mapping[str, Any] | None,
    environ: Mapping[str, str],
    settings: ProbeSettings,
    zygotes: _Zygotes,
) -> ProbeOutcome:
    job: dict[str, Any] = {
        "module": candidate.module,
        "name": candidate.name,
        "use": None,
        "tops": list(knowledge.REPORTED_TOPS),
        "families": list(knowledge.KERAS_FAMILY_TOPS),
    }
    if candidate.kind != "from":
        # A "from" job is unchanged on the wire; the other kinds say what to run.
        job.update(kind=candidate.kind, attrs=list(candidate.attrs), bound=candidate.bound)
    if use_spec is not None:
        job["use"] = dict(use_spec)
    started = time.monotonic()
    zygote = zygotes.get(candidate.top_level)
    run: PayloadRun | None = None
    method = "fork"
    if zygote is not None:
        try:
            run = zygote.run(job)
        except WarmFailed as failed:
            run = failed.run
        except ZygoteLost:
            run = None  # fall back to a fresh process below
    if run is None:
        method = "process"
        run = process.run_payload(
            target.python, source, job, cwd=target.cwd, env=environ, timeout=settings.timeout
        )
    outcome = outcome_from_run(
        target,
        candidate,
        run,
        settings.timeout,
        use_requested=use_spec is not None,
        seconds=time.monotonic() - started,
    )
    return dataclasses.replace(outcome, method=method)


def _error(raw: Any) -> ErrorInfo | None:
    if not isinstance(raw, Mapping):
        return None
    return ErrorInfo(
        type=str(raw.get("type", "?")),
        message=str(raw.get("message", "")),
        where=None if raw.get("where") is None else str(raw.get("where")),
    )


def outcome_from_run(
    target: Target,
    candidate: Candidate,
    run: PayloadRun,
    timeout: float,
    *,
    use_requested: bool,
    seconds: float,
) -> ProbeOutcome:
    """The verdict for one payload run. No answer means no success, whatever the exit code."""
    imported = run.message("import")
    if imported is None:
        if run.timed_out:
            return ProbeOutcome(
                candidate,
                Status.TIMEOUT,
                seconds,
                error=ErrorInfo(
                    "Timeout", f"no answer within {timeout:g} s; the process group was killed"
                ),
                exit_detail=run.exit_detail,
                stderr_tail=run.stderr_tail,
            )
        detail = run.exit_detail
        return ProbeOutcome(
            candidate,
            Status.CRASHED,
            seconds,
            error=ErrorInfo(
                "Crashed", f"the interpreter {_was(detail)} before the import finished"
            ),
            exit_detail=detail,
            stderr_tail=run.stderr_tail,
        )
    status_text = str(imported.get("status"))
    status = {"ok": Status.OK, "import-error": Status.IMPORT_ERROR}.get(status_text, Status.ERROR)
    modules = tuple(
        (str(pair[0]), str(pair[1]))
        for pair in imported.get("modules", [])
        if isinstance(pair, list) and len(pair) == 2
    )
    if status is not Status.OK:
        return ProbeOutcome(
            candidate,
            status,
            seconds,
            error=_error(imported.get("error")),
            modules=modules,
            stderr_tail=run.stderr_tail if status is Status.ERROR else "",
        )
    raw = imported.get("resolved") or {}
    resolved = Resolved(
        kind=str(raw.get("kind", "object")),
        module=str(raw.get("module", candidate.module)),
        qualname=str(raw.get("qualname", candidate.name)),
        file=None if raw.get("file") is None else str(raw.get("file")),
    )
    return ProbeOutcome(
        candidate,
        Status.OK,
        seconds,
        resolved=resolved,
        distribution=attribute_file(target, resolved.file),
        use=_use_check(run, use_requested, timeout),
        modules=modules,
    )


def _use_check(run: PayloadRun, requested: bool, timeout: float) -> UseCheck | None:
    if not requested:
        return None
    used = run.message("use")
    if used is not None:
        usable = used.get("usable")
        return UseCheck(
            usable=None if usable is None else bool(usable),
            how=str(used.get("how", "")),
            error=_error(used.get("error")),
        )
    if run.timed_out:
        return UseCheck(None, f"the use check did not finish within {timeout:g} s", timed_out=True)
    detail = run.exit_detail
    return UseCheck(
        False,
        "the use check",
        ErrorInfo("Crashed", f"the interpreter {_was(detail)} while using it"),
    )


def _was(detail: str) -> str:
    """'killed by SIGSEGV' -> 'was killed by SIGSEGV'; 'exited with status 0' stays."""
    return f"was {detail}" if detail.startswith("killed") else detail


def attribute_file(target: Target, file: str | None) -> str | None:
    """Which installed distribution(s) own ``file``: "keras 3.15.1" (None: not installed)."""
    if not file:
        return None
    for dist_location in sorted({d.location for d in target.distributions}, key=len, reverse=True):
        prefix = dist_location.rstrip("/") + "/"
        if not file.startswith(prefix):
            continue
        top = file[len(prefix) :].split("/", 1)[0]
        if top.endswith(".py"):
            top = top[:-3]
        owners = [
            d.label
            for d in target.distributions
            if d.location == dist_location and top in d.top_level
        ]
        if owners:
            return " + ".join(owners)
    return None
