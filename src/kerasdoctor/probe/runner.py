"""Schedule probes in parallel under deadlines and turn each run into a verdict.

Each candidate runs in its own fresh interpreter (``python -c`` semantics, the user's
working directory and environment). Candidates whose top-level module the target's import
system cannot find at all are decided without a process: ``from keras_core.layers import X``
with no ``keras_core`` anywhere fails with exactly ``No module named 'keras_core'``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from contextlib import contextmanager
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
    pool: WarmPool | None = None,
    slots: threading.Semaphore | None = None,
) -> tuple[ProbeOutcome, ...]:
    """Probe every candidate; outcomes come back in the order of ``candidates``.

    ``pool``: warm processes opened by :func:`warm_pool` for this target and ``environ``,
    kept for the caller's next batch; without it, this call's own are closed at its end.
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
    to_run = _interleaved(to_run, candidates)
    jobs = settings.jobs or default_jobs()
    own = pool is None
    warm = WarmPool(target, environ, settings, lasting=False) if pool is None else pool
    warm.plan([candidates[i] for i in to_run])
    threads = ThreadPoolExecutor(max_workers=max(1, min(jobs, len(to_run) or 1)))
    try:
        futures: dict[Future[ProbeOutcome], int] = {}
        for index in to_run:
            candidate = candidates[index]
            spec = use_specs.get(candidate.symbol) if settings.use_check else None
            future = threads.submit(
                _probe_slotted, slots, target, candidate, spec, environ, settings, warm
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
        threads.shutdown(wait=False, cancel_futures=True)
        process.stop_all()
        raise
    finally:
        if own:
            warm.close()
    threads.shutdown(wait=True)
    return tuple(results[i] for i in range(len(candidates)))


def _interleaved(indexes: Sequence[int], candidates: Sequence[Candidate]) -> list[int]:
    """The indexes taken one top-level package at a time, in turn.

    The first probe of a package starts its warm process; in the candidates' own order
    (all ``keras`` lines, then all ``tensorflow`` lines) every worker would wait for the
    first package's import before the second one's began. In turn, the imports overlap.
    """
    groups: dict[str, list[int]] = {}
    for index in indexes:
        groups.setdefault(candidates[index].top_level, []).append(index)
    order: list[int] = []
    queues = list(groups.values())
    for step in range(max((len(q) for q in queues), default=0)):
        order.extend(q[step] for q in queues if step < len(q))
    return order


class WarmPool:
    """The warm processes of one target, one per top-level package (see zygote.py).

    A pool for one batch (``lasting=False``) warms only a package that two or more lines
    need: a single line gains nothing from a warm process. A lasting pool, opened by
    :func:`warm_pool` for several batches (suggest's stages, scan's two rounds), warms every
    package a line needs: the next batch's lines of that package fork from it instead of
    paying the package's import again.
    """

    def __init__(
        self,
        target: Target,
        environ: Mapping[str, str],
        settings: ProbeSettings,
        *,
        lasting: bool,
    ) -> None:
        self._args = (target.python, process.child_source(*PAYLOAD))
        self._cwd = target.cwd
        self._environ = dict(environ)
        self._timeout = settings.timeout
        self._fork = settings.fork and process.layer().can_fork
        self._lasting = lasting
        self._lock = threading.Lock()
        self._made: dict[str, Zygote | None] = {}
        self._shared: set[str] = set()
        # Every warm process is started from this one thread, which lives until close(): a
        # child is ended when the *thread* that started it exits (the prelude's parent-death
        # signal is per thread), and the probing threads of one batch end with the batch.
        self._spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kd-warm")

    @property
    def environ(self) -> dict[str, str]:
        """The environment every process of this pool runs with (fresh ones too)."""
        return dict(self._environ)

    @property
    def source(self) -> str:
        """The probe payload's source, as the warm processes and fresh ones run it."""
        return self._args[1]

    def plan(self, candidates: Sequence[Candidate]) -> None:
        """Allow warm processes for the packages of the lines about to run."""
        if not self._fork:
            return
        counts: dict[str, int] = {}
        for candidate in candidates:
            counts[candidate.top_level] = counts.get(candidate.top_level, 0) + 1
        with self._lock:
            self._shared |= {top for top, n in counts.items() if self._lasting or n >= 2}

    def get(self, top: str) -> Zygote | None:
        with self._lock:
            if top not in self._shared:
                return None
            if top not in self._made:
                try:
                    self._made[top] = self._spawner.submit(self._start, top).result()
                except ZygoteLost:
                    self._made[top] = None
            return self._made[top]

    def _start(self, top: str) -> Zygote:
        return Zygote(
            *self._args,
            top,
            tops=knowledge.REPORTED_TOPS,
            cwd=self._cwd,
            env=self._environ,
            timeout=self._timeout,
        )

    def close(self) -> None:
        with self._lock:
            made = [z for z in self._made.values() if z is not None]
            self._made.clear()
        for zygote in made:
            zygote.close()
        self._spawner.shutdown(wait=True)


@contextmanager
def warm_pool(
    target: Target, environ: Mapping[str, str], settings: ProbeSettings
) -> Iterator[WarmPool]:
    """A lasting :class:`WarmPool` for several :func:`probe_all` calls with ``environ``."""
    pool = WarmPool(target, environ, settings, lasting=True)
    try:
        yield pool
    finally:
        pool.close()


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
    use_spec: Mapping[str, Any] | None,
    environ: Mapping[str, str],
    settings: ProbeSettings,
    zygotes: WarmPool,
) -> ProbeOutcome:
    with contextlib.nullcontext() if slots is None else slots:
        return _probe_one(target, candidate, use_spec, environ, settings, zygotes)


def _probe_one(
    target: Target,
    candidate: Candidate,
    use_spec: Mapping[str, Any] | None,
    environ: Mapping[str, str],
    settings: ProbeSettings,
    zygotes: WarmPool,
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
    seconds: float | None = None
    if zygote is not None:
        try:
            run = zygote.run(job)
        except WarmFailed as failed:
            run = failed.run
            # The verdict is the warm import's (it failed, crashed or hung), so its time is
            # that import's, as a fresh process would report, not this line's wait for it.
            seconds = run.seconds
        except ZygoteLost:
            run = None  # fall back to a fresh process below
    if run is None:
        method = "process"
        run = process.run_payload(
            target.python,
            zygotes.source,
            job,
            cwd=target.cwd,
            env=environ,
            timeout=settings.timeout,
        )
    outcome = outcome_from_run(
        target,
        candidate,
        run,
        settings.timeout,
        use_requested=use_spec is not None,
        seconds=time.monotonic() - started if seconds is None else seconds,
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
