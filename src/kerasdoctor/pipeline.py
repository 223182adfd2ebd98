"""The steps of :func:`kerasdoctor.api.diagnose`, and the only place that calls probes.

The pipeline is: validate the question, inspect the target, answer from the cache or plan
the candidate lines, probe them (all for ``check``; for ``suggest``, batches chosen by
:func:`kerasdoctor.diagnose.early_stop.next_batch` until the answer is certain), rank, run
the rules, probe again under the environment changes that prove a fix
(:func:`kerasdoctor.diagnose.verify.requests`), conclude, assemble. The ``diagnose`` stages
are pure: they say what to probe next and read the outcomes they are handed; this module
runs the probes and the processes (:mod:`kerasdoctor.interpreter`, :mod:`kerasdoctor.probe`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from kerasdoctor import __version__, cache, catalogue
from kerasdoctor.diagnose import rank
from kerasdoctor.errors import UsageError
from kerasdoctor.interpreter import choose_interpreter, inspect_target
from kerasdoctor.models import Candidate, Finding, ProbeOutcome, Report, Suggestion, Target
from kerasdoctor.probe import ProbeSettings, WarmPool, probe_all, warm_pool
from kerasdoctor.probe.runner import ProgressCallback

if TYPE_CHECKING:
    from kerasdoctor.diagnose import rules, verify

# The stages a cache hit never reaches (discovery, the early stop, the rules, the proof) are
# imported by the steps that use them: a cached run pays only for what answers it.

#: Commands and whether they stop probing once the answer is certain (same suggestions).
COMMANDS: dict[str, bool] = {"check": False, "suggest": True}


@dataclass(frozen=True)
class Question:
    """What was asked, validated: everything besides the environment that shapes a report."""

    command: str
    requests: tuple[catalogue.SymbolRequest, ...]
    prefer: str | None  # the root that --prefer puts first ("tensorflow.keras"), or None
    ignore: frozenset[str]
    settings: ProbeSettings

    @property
    def symbols(self) -> tuple[str, ...]:
        return tuple(r.text for r in self.requests)

    def cache_fields(self) -> dict[str, Any]:
        """The question's part of the cache key."""
        return {
            "command": self.command,
            "symbols": list(self.symbols),
            "prefer": self.prefer,
            "ignore": sorted(self.ignore),
            "timeout": self.settings.timeout,
            "use_check": self.settings.use_check,
            "fork": self.settings.fork,
        }


def question(
    command: str,
    symbols: Sequence[str] | str,
    prefer: str | None,
    ignore: frozenset[str],
    settings: ProbeSettings,
) -> Question:
    """Validate the question before any process runs (raise UsageError otherwise)."""
    if command not in COMMANDS:
        raise UsageError(f"unknown command {command!r} (one of {', '.join(COMMANDS)})")
    if prefer is not None and prefer not in rank.PREFER_CHOICES:
        choices = ", ".join(rank.PREFER_CHOICES)
        raise UsageError(
            f"prefer: unknown family {prefer!r} (one of {choices})", parameter="prefer"
        )
    if not 0 < settings.timeout < float("inf"):  # also NaN and inf
        raise UsageError(
            f"timeout must be a positive number of seconds, not {settings.timeout:g}",
            parameter="timeout",
        )
    if isinstance(symbols, str):  # diagnose("Dense"): one symbol, not five letters
        symbols = (symbols,)
    requests = tuple(r for s in symbols for r in catalogue.parse_symbols(s))
    root = None if prefer is None else rank.PREFER_CHOICES[prefer]
    return Question(command, requests, root, ignore, settings)


def inspect(asked: Question, python: str | None, cwd: str, environ: Mapping[str, str]) -> Target:
    """The target interpreter and what is installed in it."""
    interpreter = choose_interpreter(python, environ)
    extra_tops = {r.module.split(".")[0] for r in asked.requests if r.module}
    return inspect_target(interpreter, cwd=cwd, environ=environ, extra_modules=extra_tops)


@dataclass(frozen=True)
class Plan:
    """The candidate lines of every requested symbol, and how to check each symbol's use."""

    sets: tuple[catalogue.CandidateSet, ...]
    use_specs: Mapping[str, Mapping[str, Any]]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.request.name for s in self.sets)

    @property
    def candidates(self) -> tuple[Candidate, ...]:
        return tuple(c for s in self.sets for c in s.candidates)


def plan(asked: Question, target: Target) -> Plan:
    """Candidates for every requested symbol (raise UsageError for an unknown one)."""
    from kerasdoctor.catalogue.discover import discover

    cat = catalogue.load()
    found = discover(target, [r.name for r in asked.requests])
    sets: list[catalogue.CandidateSet] = []
    for request in asked.requests:
        entry = cat.get(request.name)
        discovered = found.get(request.name, ())
        if entry is None and not discovered and request.module is None:
            raise UsageError(catalogue.unknown_symbol_message(request, cat))
        sets.append(catalogue.build_candidates(request, entry, discovered))
    return Plan(tuple(sets), {s.request.name: use_spec(s.entry) for s in sets})


def use_spec(entry: catalogue.SymbolEntry | None) -> dict[str, Any]:
    """The use check to run for a symbol (``explicit`` when the catalogue says how)."""
    if entry is None or not entry.use:
        return {}
    return {**dict(entry.use), "explicit": True}


@contextlib.contextmanager
def protected_keras_home(target: Target, environ: Mapping[str, str]) -> Iterator[dict[str, str]]:
    """The environment for probes, such that importing Keras writes nothing of the user's.

    Keras (2, 3, tf_keras, keras-core) creates ``keras.json`` in its home folder on first
    import when there is none. Where the target has no keras.json, pointing KERAS_HOME at
    an empty temporary folder changes nothing a probe can observe (no file means defaults
    either way) and keeps the user's home untouched. Where the file exists, Keras only
    reads it, and probes use the user's environment as it is.
    """
    if target.keras_config.exists:
        yield dict(environ)
        return
    with tempfile.TemporaryDirectory(prefix="kerasdoctor-keras-home-") as folder:
        yield {**environ, "KERAS_HOME": folder}


@contextlib.contextmanager
def warm(target: Target, environ: Mapping[str, str], settings: ProbeSettings) -> Iterator[WarmPool]:
    """Warm processes lasting for a whole run's batches, with the probes' environment.

    suggest probes in stages and scan in two rounds; without a lasting pool each batch
    would import TensorFlow (or Keras) again in a new warm process.
    """
    with contextlib.ExitStack() as stack:
        probe_environ = stack.enter_context(protected_keras_home(target, environ))
        yield stack.enter_context(warm_pool(target, probe_environ, settings))


@dataclass(frozen=True)
class Prober:
    """Runs probes of one plan in one target, with the run's settings."""

    target: Target
    plan: Plan
    environ: Mapping[str, str]
    settings: ProbeSettings
    on_result: ProgressCallback | None = None
    #: warm processes shared by the run's batches (:func:`warm`); None: each batch its own
    pool: WarmPool | None = None
    #: shared with the other targets of a multi-target run (see probe_all)
    slots: threading.Semaphore | None = None

    def probe(self, batch: Sequence[Candidate]) -> tuple[ProbeOutcome, ...]:
        """One batch, in parallel, from the target's working directory and environment."""
        if self.pool is not None:
            return probe_all(
                self.target,
                batch,
                use_specs=self.plan.use_specs,
                environ=self.pool.environ,
                settings=self.settings,
                on_result=self.on_result,
                pool=self.pool,
                slots=self.slots,
            )
        with protected_keras_home(self.target, self.environ) as environ:
            return probe_all(
                self.target,
                batch,
                use_specs=self.plan.use_specs,
                environ=environ,
                settings=self.settings,
                on_result=self.on_result,
                slots=self.slots,
            )

    def reprobe(
        self, request: verify.ReprobeRequest, empty_folder: Callable[[], str]
    ) -> tuple[ProbeOutcome, ...]:
        """The lines worth running again, in fresh interpreters, with ``request`` applied."""
        from kerasdoctor.diagnose import verify

        changes = dict(request.variables)
        environ = {k: v for k, v in self.environ.items() if k not in changes}
        environ.update({k: v for k, v in changes.items() if v is not None})
        moved = self.target
        if request.empty_cwd:
            moved = dataclasses.replace(self.target, cwd=empty_folder())
        with protected_keras_home(self.target, environ) as probe_environ:
            return probe_all(
                moved,
                verify.lines_to_reprobe(self.plan.candidates),
                use_specs=self.plan.use_specs,
                environ=probe_environ,
                settings=self.settings,
                slots=self.slots,
            )


def probe_lines(prober: Prober, asked: Question) -> tuple[ProbeOutcome, ...]:
    """Probe every line (``check``), or until the answer is certain (``suggest``)."""
    from kerasdoctor.diagnose import early_stop

    if not COMMANDS[asked.command]:
        return prober.probe(prober.plan.candidates)
    done: dict[Candidate, ProbeOutcome] = {}
    sets = prober.plan.sets
    # The stages share warm processes: a later stage's lines fork from the imports of the
    # earlier ones instead of importing TensorFlow again.
    with warm(prober.target, prober.environ, prober.settings) as pool:
        staged = dataclasses.replace(prober, pool=pool)
        while batch := early_stop.next_batch(staged.target, sets, done, asked.prefer):
            done.update(zip(batch, staged.probe(batch)))
    return early_stop.outcomes_in_order(sets, done)


def choose(
    asked: Question, target: Target, plan: Plan, outcomes: tuple[ProbeOutcome, ...]
) -> tuple[rank.Reference, tuple[Suggestion, ...], tuple[rules.Proposal, ...]]:
    """The reference implementation, the suggestions, and the findings rules propose."""
    from kerasdoctor.diagnose import rules

    reference, suggestions = rank.suggest(target, plan.names, outcomes, asked.prefer)
    facts = rules.Facts(target, plan.names, outcomes, suggestions)
    # Ignored codes are not proven either: re-probing costs seconds per line.
    proposals = tuple(p for p in rules.propose(facts) if p.finding.code not in asked.ignore)
    return reference, suggestions, proposals


class Reprober(Protocol):
    """What :func:`prove` needs: probing again under one change (a :class:`Prober`)."""

    def reprobe(
        self, request: verify.ReprobeRequest, empty_folder: Callable[[], str]
    ) -> Sequence[ProbeOutcome]: ...


def prove(prober: Reprober, proposals: Sequence[rules.Proposal]) -> tuple[Finding, ...]:
    """Probe again under each change that would prove a fix, then conclude the findings."""
    from kerasdoctor.diagnose import verify

    with contextlib.ExitStack() as stack:
        empty: list[str] = []

        def empty_folder() -> str:
            # One empty folder for every "from elsewhere" proof; removed when all are done.
            if not empty:
                empty.append(stack.enter_context(tempfile.TemporaryDirectory(prefix="kd-cwd-")))
            return empty[0]

        results = {r: prober.reprobe(r, empty_folder) for r in verify.requests(proposals)}
    return verify.conclude(proposals, results)


def working_directory(cwd: str | None) -> str:
    return str(Path.cwd()) if cwd is None else cwd


@dataclass(frozen=True)
class Run:
    """One target's report, and the prober that can probe more lines in it (None: cached)."""

    report: Report
    prober: Prober | None


def run_target(
    asked: Question,
    python: str | None,
    cwd: str,
    environ: Mapping[str, str],
    *,
    use_cache: bool,
    on_result: ProgressCallback | None = None,
    slots: threading.Semaphore | None = None,
    started: float | None = None,
    target: Target | None = None,
) -> Run:
    """The whole single-target run of :func:`kerasdoctor.api.diagnose` (one target)."""
    from kerasdoctor.diagnose import fixes

    started = time.monotonic() if started is None else started
    if target is None:
        target = inspect(asked, python, cwd, environ)
    folder, digest = cache.cache_dir(environ), cache.key(target, environ, asked.cache_fields())
    hit = cache.load(folder, digest) if use_cache else None
    if isinstance(hit, Report):
        report = dataclasses.replace(hit, from_cache=True, seconds=time.monotonic() - started)
        return Run(report, None)
    planned = plan(asked, target)
    prober = Prober(target, planned, environ, asked.settings, on_result, slots=slots)
    outcomes = probe_lines(prober, asked)
    reference, suggestions, proposals = choose(asked, target, planned, outcomes)
    findings = fixes.ensure_pip(target, prove(prober, proposals))
    report = Report(
        kerasdoctor_version=__version__,
        command=asked.command,
        target=target,
        symbols=planned.names,
        probes=outcomes,
        suggestions=suggestions,
        findings=findings,
        implementation=reference.label,
        prefer=asked.prefer,
        seconds=time.monotonic() - started,
    )
    if report.conclusive:
        # Also with the cache off: --no-cache refreshes it. A timeout or a probe that could
        # not run is about this run, not the environment: the next run must probe again.
        cache.store(folder, digest, report)
    return Run(report, prober)
