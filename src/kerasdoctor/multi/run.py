"""Run the single-target pipeline in every target at once, then probe what the answer needs.

Targets are inspected and run concurrently, one thread each; every probe of every target
takes one slot of one shared semaphore sized like a single run's ``--jobs`` (one per core by
default), so several targets never run more probes at once than one target would. Each
target's own run is exactly :func:`kerasdoctor.pipeline.run_target` (cached per target as
usual); the whole multi-target answer is cached too, under a key made of every target's
key, so a repeated run answers without a probe.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from kerasdoctor import __version__, cache, pipeline
from kerasdoctor.models import Candidate, Target
from kerasdoctor.multi import common
from kerasdoctor.multi.model import CommonLine, MatrixReport, TargetRun
from kerasdoctor.multi.targets import TargetSpec
from kerasdoctor.probe.runner import ProgressCallback, default_jobs

_T = TypeVar("_T")
_R = TypeVar("_R")


def _each(items: Sequence[_T], work: Callable[[_T], _R]) -> list[_R]:
    """``work`` on every item at once (one thread per target); results in order."""
    with ThreadPoolExecutor(max_workers=max(1, len(items))) as pool:
        return list(pool.map(work, items))


def diagnose_many(
    asked: pipeline.Question,
    specs: Sequence[TargetSpec],
    cwd: str,
    environ: Mapping[str, str],
    *,
    use_cache: bool,
    on_result: ProgressCallback | None = None,
) -> MatrixReport:
    """The multi-target report of ``asked`` over ``specs`` (labels already given)."""
    started = time.monotonic()
    environs = [{**environ, **dict(spec.env)} for spec in specs]
    targets = _each(
        list(range(len(specs))),
        lambda i: pipeline.inspect(asked, specs[i].python, cwd, environs[i]),
    )
    folder = cache.cache_dir(environ)
    digest = _key(asked, specs, targets, environs)
    hit = cache.load(folder, digest, MatrixReport) if use_cache else None
    if isinstance(hit, MatrixReport):
        return dataclasses.replace(hit, from_cache=True, seconds=time.monotonic() - started)
    slots = threading.BoundedSemaphore(asked.settings.jobs or default_jobs())

    def one(i: int) -> pipeline.Run:
        return pipeline.run_target(
            asked,
            specs[i].python,
            cwd,
            environs[i],
            use_cache=use_cache,
            on_result=on_result,
            slots=slots,
            target=targets[i],
        )

    done = _each(list(range(len(specs))), one)
    probers = [
        run.prober
        or pipeline.Prober(
            run.report.target,
            pipeline.plan(asked, run.report.target),
            environs[i],
            asked.settings,
            on_result,
            slots=slots,
        )
        for i, run in enumerate(done)
    ]
    runs = [
        TargetRun(spec.label, spec.text, spec.env, run.report) for spec, run in zip(specs, done)
    ]
    symbols = done[0].report.symbols
    decided: dict[str, CommonLine] = {}
    for stage in (0, 1):
        undecided = [s for s in symbols if s not in decided]
        needed = [
            tuple(c for s in undecided for c in common.missing(run, common.stages(runs, s)[stage]))
            for run in runs
        ]
        if any(needed):
            runs = _probe_more(runs, probers, needed)
        for symbol in undecided:
            line, found_in = common.choose(runs, symbol)
            # After stage 1 only a stage-1 answer is final: a stage-2 line that happens to
            # be probed already might be outranked by one that is not probed yet.
            if found_in <= stage + 1:
                decided[symbol] = line
    report = MatrixReport(
        kerasdoctor_version=__version__,
        command=asked.command,
        symbols=symbols,
        runs=tuple(runs),
        common=tuple(decided[s] for s in symbols),
        seconds=time.monotonic() - started,
    )
    if all(p.is_verdict for run in runs for p in run.probes):
        cache.store(folder, digest, report)
    return report


def _probe_more(
    runs: Sequence[TargetRun],
    probers: Sequence[pipeline.Prober],
    needed: Sequence[tuple[Candidate, ...]],
) -> list[TargetRun]:
    def one(i: int) -> TargetRun:
        if not needed[i]:
            return runs[i]
        outcomes = probers[i].probe(needed[i])
        return dataclasses.replace(runs[i], extra=(*runs[i].extra, *outcomes))

    return _each(list(range(len(runs))), one)


def _key(
    asked: pipeline.Question,
    specs: Sequence[TargetSpec],
    targets: Sequence[Target],
    environs: Sequence[Mapping[str, str]],
) -> str:
    """Every target's own cache key, with its label and spec: any change is a miss."""
    parts = [
        f"{spec.label}\0{spec.text}\0{cache.key(target, env, asked.cache_fields())}"
        for spec, target, env in zip(specs, targets, environs)
    ]
    return hashlib.sha256(
        ("multi\0" + "\n".join(parts)).encode("utf-8", "surrogateescape")
    ).hexdigest()
