"""The Python API: :func:`diagnose` runs the whole pipeline and returns a :class:`Report`.

target -> catalogue -> probe -> diagnose, step by step in :mod:`kerasdoctor.pipeline`.
The CLI is a thin layer over this module and takes its defaults and choices from here
(:data:`DEFAULT_TIMEOUT`, :data:`PREFER_CHOICES`); tests and other tools call it directly.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from kerasdoctor import __version__, cache, pipeline
from kerasdoctor.diagnose.rank import PREFER_CHOICES
from kerasdoctor.errors import UsageError
from kerasdoctor.models import Report
from kerasdoctor.multi.model import MatrixReport
from kerasdoctor.probe.runner import (
    DEFAULT_SETTINGS,
    DEFAULT_TIMEOUT,
    ProbeSettings,
    ProgressCallback,
)

if TYPE_CHECKING:
    from kerasdoctor.fix.report import FixReport
    from kerasdoctor.scan.diagnostics import ScanReport

__all__ = [
    "DEFAULT_SETTINGS",
    "DEFAULT_SYMBOLS",
    "DEFAULT_TIMEOUT",
    "PREFER_CHOICES",
    "ProbeSettings",
    "diagnose",
    "diagnose_many",
    "fix",
    "scan",
    "stop_probes",
]

DEFAULT_SYMBOLS: tuple[str, ...] = ("BatchNormalization",)


def diagnose(
    symbols: Sequence[str] | str = DEFAULT_SYMBOLS,
    *,
    python: str | None = None,
    cwd: str | None = None,
    environ: Mapping[str, str] | None = None,
    settings: ProbeSettings = DEFAULT_SETTINGS,
    prefer: str | None = None,
    command: str = "check",
    on_result: ProgressCallback | None = None,
    ignore: frozenset[str] = frozenset(),
    use_cache: bool = False,
) -> Report:
    """Diagnose ``symbols`` in the target interpreter and return the full report.

    ``symbols`` is a sequence of symbols, or one symbol as a string; each may be a name
    (``"Dense"``), a dotted path, or an import line as pasted
    (``"from keras.layers import Dense, Conv2D"``: several symbols).
    ``prefer`` is a family of :data:`PREFER_CHOICES` (``"tensorflow"``, ``"keras"``...).
    Raises :class:`~kerasdoctor.errors.UsageError` / :class:`~kerasdoctor.errors.TargetError`
    for bad input; never changes the environment.
    """
    started = time.monotonic()
    asked = pipeline.question(command, symbols or DEFAULT_SYMBOLS, prefer, ignore, settings)
    environ = dict(os.environ if environ is None else environ)
    cwd = pipeline.working_directory(cwd)
    run = pipeline.run_target(
        asked, python, cwd, environ, use_cache=use_cache, on_result=on_result, started=started
    )
    return run.report


def diagnose_many(
    targets: Sequence[str],
    symbols: Sequence[str] | str = DEFAULT_SYMBOLS,
    *,
    labels: Sequence[str] = (),
    cwd: str | None = None,
    environ: Mapping[str, str] | None = None,
    settings: ProbeSettings = DEFAULT_SETTINGS,
    prefer: str | None = None,
    command: str = "check",
    on_result: ProgressCallback | None = None,
    use_cache: bool = False,
) -> MatrixReport:
    """Diagnose ``symbols`` in several targets at once; find the line that works everywhere.

    Each of ``targets`` is ``PATH`` or ``PATH::NAME=VALUE[,NAME=VALUE]`` (variables set for
    that target only, e.g. ``"/venvs/k3/bin/python::KERAS_BACKEND=torch"``); ``labels`` name
    them in order (default: the venv's folder name). Every target gets exactly the report
    :func:`diagnose` would give it alone, and the result's ``common`` holds, per symbol, the
    line that works in every target and gives each its own reference object, or None and
    the split. All targets share one budget of ``settings.jobs`` probes at once.
    """
    from kerasdoctor.multi import run
    from kerasdoctor.multi import targets as target_specs

    if not targets:
        raise UsageError("targets: give at least one interpreter", parameter="targets")
    specs = target_specs.with_labels([target_specs.parse(t) for t in targets], labels)
    asked = pipeline.question(command, symbols or DEFAULT_SYMBOLS, prefer, frozenset(), settings)
    return run.diagnose_many(
        asked,
        specs,
        pipeline.working_directory(cwd),
        dict(os.environ if environ is None else environ),
        use_cache=use_cache,
        on_result=on_result,
    )


def scan(
    paths: Sequence[str] = (".",),
    *,
    python: str | None = None,
    cwd: str | None = None,
    environ: Mapping[str, str] | None = None,
    exclude: Sequence[str] = (),
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    settings: ProbeSettings = DEFAULT_SETTINGS,
    use_cache: bool = False,
    on_result: ProgressCallback | None = None,
) -> ScanReport:
    """Judge every Keras import and attribute chain of ``paths`` in the target interpreter.

    ``paths`` (files and folders, relative to ``cwd``) are read statically; each distinct
    statement and chain is probed once in the target, from ``cwd`` (the scanned root, so a
    local ``keras.py`` shadows as it would for the user) with ``environ``. ``select`` and
    ``ignore`` take codes or slugs (``KD503``, ``private-import``); ``# noqa`` comments are
    honoured. Raises :class:`~kerasdoctor.errors.UsageError` (an unknown code, a bad
    timeout) or :class:`~kerasdoctor.errors.TargetError`; never changes a file.
    """
    # Imported here: `check` and `suggest` never load the scan and fix code (start-up time).
    from kerasdoctor import pipeline_scan
    from kerasdoctor.scan.diagnostics import ScanReport

    started = time.monotonic()
    root = pipeline.working_directory(cwd)
    asked = pipeline_scan.options(paths, root, exclude, select, ignore, settings)
    environ = dict(os.environ if environ is None else environ)
    results = pipeline_scan.extract(asked)
    texts, digests = pipeline_scan.read_texts(results, root)
    questions = pipeline_scan.questions(results)
    target = pipeline_scan.inspect(python, root, environ, questions)
    folder = cache.cache_dir(environ)
    digest = cache.key(target, environ, asked.cache_fields(digests))
    hit = cache.load(folder, digest, ScanReport) if use_cache else None
    if isinstance(hit, ScanReport):
        return dataclasses.replace(hit, from_cache=True, seconds=time.monotonic() - started)
    # Scan judges imports, not use: the statements' own probes run no use check.
    plain = dataclasses.replace(settings, use_check=False)
    candidates = [pipeline_scan.candidate_of(q) for q in questions]
    # One pool for both rounds: the replacement lines fork from the warm imports of the
    # statements' round instead of importing TensorFlow again.
    with pipeline.warm(target, environ, settings) as pool:
        outcomes = pipeline_scan.probe(target, candidates, pool, plain, {}, on_result)
        verdicts = dict(zip(questions, outcomes))
        lines, specs = pipeline_scan.replacement_lines(
            pipeline_scan.needs_replacement(results, verdicts)
        )
        distinct = list(dict.fromkeys(c for found in lines.values() for c in found))
        replaced = pipeline_scan.probe(target, distinct, pool, settings, specs, on_result)
    facts = pipeline_scan.facts(
        target, results, verdicts, lines, dict(zip(distinct, replaced)), texts
    )
    report = ScanReport(
        kerasdoctor_version=__version__,
        target=target,
        root=root,
        files=pipeline_scan.scanned_files(results),
        diagnostics=pipeline_scan.diagnostics(asked, facts),
        verdicts=pipeline_scan.verdict_rows(verdicts),
        seconds=time.monotonic() - started,
    )
    if pipeline_scan.cacheable((*outcomes, *replaced)):
        cache.store(folder, digest, report)
    return report


def fix(
    paths: Sequence[str] = (".",),
    *,
    python: str | None = None,
    cwd: str | None = None,
    environ: Mapping[str, str] | None = None,
    exclude: Sequence[str] = (),
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    settings: ProbeSettings = DEFAULT_SETTINGS,
    use_cache: bool = False,
    on_result: ProgressCallback | None = None,
    unsafe: bool = False,
    write: bool = False,
) -> FixReport:
    """:func:`scan` ``paths``, then rewrite the failing and private imports to working lines.

    Only ``safe`` fixes unless ``unsafe``; every new line is probed in the target and must
    give the promised object; files are replaced (atomically) only when ``write`` is true.
    Raises what :func:`scan` raises; a file that cannot be fixed is reported, not raised.
    """
    from kerasdoctor import pipeline_fix  # here: check and suggest never load the fix code

    arguments = {
        "paths": tuple(paths),
        "python": python,
        "cwd": cwd,
        "environ": environ,
        "exclude": tuple(exclude),
        "select": tuple(select),
        "ignore": tuple(ignore),
        "settings": settings,
        "use_cache": use_cache,
        "on_result": on_result,
    }
    return pipeline_fix.fix(
        scan, arguments, environ=environ, settings=settings, unsafe=unsafe, write=write
    )


def stop_probes() -> None:
    """End every probe process still running (on Ctrl-C); later runs start afresh."""
    from kerasdoctor.process import stop_all

    stop_all()
