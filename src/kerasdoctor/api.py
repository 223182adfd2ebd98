"""The Python API: :func:`diagnose` runs the whole pipeline and returns a :class:`Report`.

target -> catalogue -> probe -> diagnose. The CLI is a thin layer over this function; tests
and other tools can call it directly.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from kerasdoctor import __version__, cache, catalogue
from kerasdoctor.catalogue.discover import discover
from kerasdoctor.diagnose import rank, rules, staged, verify
from kerasdoctor.errors import UsageError
from kerasdoctor.models import Candidate, ProbeOutcome, Report, Target
from kerasdoctor.probe import ProbeSettings, probe_all
from kerasdoctor.probe.runner import ProgressCallback
from kerasdoctor.target import choose_interpreter, inspect_target

DEFAULT_SYMBOLS: tuple[str, ...] = ("BatchNormalization",)
DEFAULT_SETTINGS = ProbeSettings()


def plan(
    symbols: Sequence[str], target: Target
) -> tuple[list[catalogue.CandidateSet], list[Candidate]]:
    """Candidates for every requested symbol (raise UsageError for an unknown one)."""
    cat = catalogue.load()
    requests = [catalogue.parse_symbol(s) for s in symbols]
    found = discover(target, [r.name for r in requests])
    sets: list[catalogue.CandidateSet] = []
    for request in requests:
        entry = cat.get(request.name)
        discovered = found.get(request.name, ())
        if entry is None and not discovered and request.module is None:
            raise UsageError(catalogue.unknown_symbol_message(request, cat))
        sets.append(catalogue.build_candidates(request, entry, discovered))
    flat = [c for s in sets for c in s.candidates]
    return sets, flat


@contextlib.contextmanager
def _protected_keras_home(target: Target, environ: dict[str, str]) -> Iterator[dict[str, str]]:
    """The environment for probes, such that importing Keras writes nothing of the user's.

    Keras (2, 3, tf_keras, keras-core) creates ``keras.json`` in its home folder on first
    import when there is none. Where the target has no keras.json, pointing KERAS_HOME at
    an empty temporary folder changes nothing a probe can observe (no file means defaults
    either way) and keeps the user's home untouched. Where the file exists, Keras only
    reads it, and probes use the user's environment as it is.
    """
    if target.keras_config.exists:
        yield environ
        return
    with tempfile.TemporaryDirectory(prefix="kerasdoctor-keras-home-") as folder:
        yield {**environ, "KERAS_HOME": folder}


def use_spec(entry: catalogue.SymbolEntry | None) -> dict[str, Any]:
    """The use check to run for a symbol (``explicit`` when the catalogue says how)."""
    if entry is None or not entry.use:
        return {}
    return {**dict(entry.use), "explicit": True}


def diagnose(
    symbols: Sequence[str] = DEFAULT_SYMBOLS,
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

    Raises :class:`~kerasdoctor.errors.UsageError` / :class:`~kerasdoctor.errors.TargetError`
    for bad input; never changes the environment.
    """
    started = time.monotonic()
    if not symbols:
        symbols = DEFAULT_SYMBOLS
    if prefer is not None and prefer not in rank.PREFER_CHOICES.values():
        raise UsageError(f"--prefer: unknown root {prefer!r}")
    if not 0 < settings.timeout < float("inf"):  # also NaN and inf
        raise UsageError(
            f"--timeout must be a positive number of seconds, not {settings.timeout:g}"
        )
    environ = dict(os.environ if environ is None else environ)
    cwd = str(Path.cwd()) if cwd is None else cwd
    requests = [catalogue.parse_symbol(s) for s in symbols]  # validate before any process runs
    interpreter = choose_interpreter(python, environ)
    extra_tops = {r.module.split(".")[0] for r in requests if r.module}
    target = inspect_target(interpreter, cwd=cwd, environ=environ, extra_modules=extra_tops)
    question = {
        "command": command,
        "symbols": [r.text for r in requests],
        "prefer": prefer,
        "ignore": sorted(ignore),
        "timeout": settings.timeout,
        "use_check": settings.use_check,
        "fork": settings.fork,
    }
    folder = cache.cache_dir(environ)
    digest = cache.key(target, environ, question)
    if use_cache:
        hit = cache.load(folder, digest)
        if hit is not None:
            return dataclasses.replace(hit, from_cache=True, seconds=time.monotonic() - started)
    sets, candidates = plan([r.text for r in requests], target)
    specs = {s.request.name: use_spec(s.entry) for s in sets}
    with _protected_keras_home(target, environ) as probe_environ:

        def probe(batch: Sequence[Candidate]) -> tuple[ProbeOutcome, ...]:
            return probe_all(
                target,
                batch,
                use_specs=specs,
                environ=probe_environ,
                settings=settings,
                on_result=on_result,
            )

        # check shows every line; suggest stops once the answer is certain (same answer).
        if command == "suggest":
            outcomes = staged.probe_until_certain(target, sets, probe, prefer)
        else:
            outcomes = probe(candidates)
    names = tuple(s.request.name for s in sets)
    reference, suggestions = rank.suggest(target, names, outcomes, prefer)
    facts = rules.Facts(target, names, outcomes, suggestions)
    # Ignored codes are not proven either: re-probing costs seconds per line.
    proposals = [p for p in rules.propose(facts) if p.finding.code not in ignore]
    retry = verify.lines_to_reprobe(candidates)

    def reprobe(changes: Mapping[str, str | None], new_cwd: str | None) -> list[ProbeOutcome]:
        """The public lines again, in fresh interpreters, with an environment-only fix applied."""
        changed = {k: v for k, v in environ.items() if k not in changes}
        changed.update({k: v for k, v in changes.items() if v is not None})
        moved = target if new_cwd is None else dataclasses.replace(target, cwd=new_cwd)
        with _protected_keras_home(target, changed) as reprobe_environ:
            return list(
                probe_all(moved, retry, use_specs=specs, environ=reprobe_environ, settings=settings)
            )

    findings = verify.verify(proposals, reprobe)
    report = Report(
        kerasdoctor_version=__version__,
        command=command,
        target=target,
        symbols=names,
        probes=outcomes,
        suggestions=suggestions,
        # Ignored codes (--ignore, [tool.kerasdoctor]) are dropped here, after every rule ran.
        findings=tuple(f for f in findings if f.code not in ignore),
        implementation=reference.label,
        prefer=prefer,
        seconds=time.monotonic() - started,
        options={
            "timeout": settings.timeout,
            "use_check": settings.use_check,
            "ignore": sorted(ignore),
        },
    )
    # Written even with the cache off for reading (--no-cache refreshes the entry).
    cache.store(folder, digest, report)
    return report
