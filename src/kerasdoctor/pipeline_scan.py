"""The steps of :func:`kerasdoctor.api.scan`: a codebase's Keras imports, judged in the target.

extract (static, parallel) -> distinct questions -> inspect -> probe each question once
(warm processes, parallel, from the scanned root with the user's environment) -> probe the
catalogue's public lines of the questions that need a replacement -> judge
(:mod:`kerasdoctor.diagnose.code`, pure) -> ``# noqa`` and select/ignore. Like
:mod:`kerasdoctor.pipeline`, this module runs the processes and the pure stages decide.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kerasdoctor import catalogue
from kerasdoctor.diagnose.code import ScanFacts, judge
from kerasdoctor.diagnose.code.ladders import records_of
from kerasdoctor.diagnose.code.paths import implementation, private_part
from kerasdoctor.diagnose.code.questions import alternatives, candidate_of
from kerasdoctor.diagnose.code.suppress import keep, resolve_codes
from kerasdoctor.fix.notebook import mask_magics
from kerasdoctor.interpreter import choose_interpreter, inspect_target
from kerasdoctor.models import Candidate, Origin, ProbeOutcome, Status, Target
from kerasdoctor.pipeline import use_spec
from kerasdoctor.probe import ProbeSettings, WarmPool, probe_all
from kerasdoctor.probe.runner import ProgressCallback
from kerasdoctor.scan import (
    Chain,
    FileKind,
    FileResult,
    FileStatus,
    FromImport,
    ModuleImport,
    Question,
    distinct_questions,
    extract_paths,
    question_of,
)
from kerasdoctor.scan.diagnostics import Diagnostic, FileState, ScannedFile, Verdict
from kerasdoctor.scan.notebook import NotebookError, read_cells
from kerasdoctor.scan.source import Undecodable, decode_source

Texts = dict[tuple[str, int | None], str]


@dataclass(frozen=True)
class ScanOptions:
    """What was asked, validated before anything runs."""

    paths: tuple[str, ...]
    root: str
    exclude: tuple[str, ...]
    select: frozenset[str]
    ignore: frozenset[str]
    settings: ProbeSettings

    def cache_fields(self, files: Mapping[str, str]) -> dict[str, Any]:
        """The options' and the files' part of the cache key (``files``: path -> sha256)."""
        return {
            "command": "scan",
            "paths": list(self.paths),
            "root": self.root,
            "exclude": list(self.exclude),
            "select": sorted(self.select),
            "ignore": sorted(self.ignore),
            "timeout": self.settings.timeout,
            "use_check": self.settings.use_check,
            "fork": self.settings.fork,
            "files": sorted(files.items()),
        }


def options(
    paths: Sequence[str],
    cwd: str,
    exclude: Sequence[str],
    select: Iterable[str],
    ignore: Iterable[str],
    settings: ProbeSettings,
) -> ScanOptions:
    """Validate the options (UsageError for an unknown code or a bad timeout)."""
    from kerasdoctor.errors import UsageError

    if not 0 < settings.timeout < float("inf"):
        raise UsageError(
            f"--timeout must be a positive number of seconds, not {settings.timeout:g}"
        )
    return ScanOptions(
        tuple(str(p) for p in paths) or (".",),
        cwd,
        tuple(exclude),
        resolve_codes(select),
        resolve_codes(ignore),
        settings,
    )


def extract(asked: ScanOptions) -> tuple[FileResult, ...]:
    """Every file's records; paths shown relative to the scanned root when inside it."""
    args = [str(Path(asked.root) / p) for p in asked.paths]  # an absolute p stays as it is
    results = extract_paths(args, asked.exclude)
    return tuple(replace(r, path=shown_path(r.path, asked.root)) for r in results)


def shown_path(path: str, root: str) -> str:
    """``path`` relative to ``root`` when it lies inside it (posix), else as it is."""
    # No resolve(): a symbolic link is shown as the user named it.
    absolute = Path(os.path.normpath(Path(root) / path))
    base = Path(os.path.normpath(Path(root).absolute()))
    if absolute == base or base in absolute.parents:
        return absolute.relative_to(base).as_posix()
    return path


def read_texts(results: Sequence[FileResult], root: str) -> tuple[Texts, dict[str, str]]:
    """The text of every readable unit (cells with magics blanked) and each file's sha256."""
    texts: Texts = {}
    digests: dict[str, str] = {}
    for result in results:
        path = Path(root) / result.path
        try:
            data = path.read_bytes() if result.status is FileStatus.OK else b""
        except OSError:
            data = b""
        digests[result.path] = hashlib.sha256(data).hexdigest() + f":{result.status.value}"
        if result.status is not FileStatus.OK:
            continue
        if result.kind is FileKind.NOTEBOOK:
            cells = read_cells(data)
            if not isinstance(cells, NotebookError):
                for cell in cells:
                    texts[(result.path, cell.index)] = mask_magics(cell.text)
        else:
            decoded = decode_source(data)
            if not isinstance(decoded, Undecodable):
                texts[(result.path, None)] = decoded.text
    return texts, digests


def questions(results: Sequence[FileResult]) -> tuple[Question, ...]:
    """The distinct questions, plus ``import M`` for each star import's module."""
    found = list(distinct_questions(results))
    seen = set(found)
    for result in results:
        for record in result.imports:
            if record.star and ModuleImport(record.module) not in seen:
                seen.add(ModuleImport(record.module))
                found.append(ModuleImport(record.module))
    return tuple(found)


def inspect(
    python: str | None, root: str, environ: Mapping[str, str], asked: Sequence[Question]
) -> Target:
    """The target, with every top-level package the questions name looked up."""
    interpreter = choose_interpreter(python, environ)
    tops = {_module(q).split(".", 1)[0] for q in asked}
    return inspect_target(interpreter, cwd=root, environ=environ, extra_modules=tops)


def _module(question: Question) -> str:
    if isinstance(question, Chain):
        return question.base.module
    return question.module


def probe(
    target: Target,
    candidates: Sequence[Candidate],
    pool: WarmPool,
    settings: ProbeSettings,
    use_specs: Mapping[str, Mapping[str, Any] | None],
    on_result: ProgressCallback | None,
) -> tuple[ProbeOutcome, ...]:
    """Probe candidates from the scanned root with the user's environment (``pool``'s)."""
    return probe_all(
        target,
        candidates,
        use_specs=use_specs,
        environ=pool.environ,
        settings=settings,
        on_result=on_result,
        pool=pool,
    )


def needs_replacement(
    results: Sequence[FileResult], verdicts: Mapping[Question, ProbeOutcome]
) -> set[Question]:
    """Questions a diagnostic may carry a replacement for: failing, private, or in a file
    whose working lines come from two implementations (KD504)."""
    wanted: set[Question] = set()
    for question, outcome in verdicts.items():
        if isinstance(question, ModuleImport):
            continue
        path = (
            question.path if isinstance(question, Chain) else f"{question.module}.{question.name}"
        )
        if not outcome.works or private_part(path) is not None:
            wanted.add(question)
    for result in results:
        asked = [q for r in records_of(result) if (q := question_of(r, result)) is not None]
        impls = {implementation(verdicts[q]) for q in asked if q in verdicts} - {None}
        if len(impls) > 1:
            wanted.update(q for q in asked if not isinstance(q, ModuleImport))
    return wanted


def replacement_lines(
    wanted: Iterable[Question],
) -> tuple[dict[Question, tuple[Candidate, ...]], dict[str, Mapping[str, Any] | None]]:
    """The public catalogue lines for each question, and each symbol's use check."""
    cat = catalogue.load()
    lines: dict[Question, tuple[Candidate, ...]] = {}
    specs: dict[str, Mapping[str, Any] | None] = {}
    for question in wanted:
        found = tuple(c for c in alternatives(question, cat) if c.origin is Origin.PUBLIC)
        if found:
            lines[question] = found
            specs[found[0].symbol] = use_spec(cat.get(found[0].symbol))
    return lines, specs


def facts(
    target: Target,
    results: tuple[FileResult, ...],
    verdicts: Mapping[Question, ProbeOutcome],
    lines: Mapping[Question, tuple[Candidate, ...]],
    outcomes: Mapping[Candidate, ProbeOutcome],
    texts: Texts,
) -> ScanFacts:
    alts = {q: tuple(outcomes[c] for c in cands if c in outcomes) for q, cands in lines.items()}
    return ScanFacts(target, results, verdicts, alts, texts)


def diagnostics(asked: ScanOptions, scan_facts: ScanFacts) -> tuple[Diagnostic, ...]:
    """The judge's diagnostics, minus what ``# noqa`` and select/ignore leave out."""
    return keep(judge(scan_facts), scan_facts.texts, asked.select, asked.ignore)


def scanned_files(results: Sequence[FileResult]) -> tuple[ScannedFile, ...]:
    """One entry per file, with the reason when it was not read."""
    return tuple(ScannedFile(r.path, FileState(r.status.value), r.reason or None) for r in results)


def verdict_rows(verdicts: Mapping[Question, ProbeOutcome]) -> tuple[Verdict, ...]:
    """The verdict of every question, for the report (in question order)."""
    rows: list[Verdict] = []
    for question, outcome in verdicts.items():
        kind = (
            "import"
            if isinstance(question, ModuleImport)
            else "from"
            if isinstance(question, FromImport)
            else "chain"
        )
        rows.append(Verdict(kind, outcome.candidate.code, outcome))
    return tuple(rows)


def cacheable(outcomes: Iterable[ProbeOutcome]) -> bool:
    """A report with a timeout or a crash is not stored: the next run may do better."""
    return all(o.status not in (Status.TIMEOUT, Status.CRASHED) for o in outcomes)


__all__ = ["ScanOptions", "candidate_of"]
