"""One file as the scan judge sees it: facts about its records, and the edits of its fixes.

:class:`_FileView` answers what each record asks and how the target answered, whether a
record runs (ladders), where it is, and which implementation the file uses; it also keeps the
pending diagnostics and attaches their replacements and edits, planned per text unit with the
fix engine. The rules that produce the diagnostics are in :mod:`.judge`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace

from kerasdoctor import codes
from kerasdoctor.diagnose.code import fixes
from kerasdoctor.diagnose.code.facts import ScanFacts
from kerasdoctor.diagnose.code.ladders import LadderRun, in_dead_branch, records_of, run_ladders
from kerasdoctor.diagnose.code.paths import implementation
from kerasdoctor.fix import edits as engine
from kerasdoctor.knowledge import DATA_ONLY_NAMES
from kerasdoctor.models import ProbeOutcome, Severity
from kerasdoctor.scan.diagnostics import CodeFix, Diagnostic, Location, TextEdit
from kerasdoctor.scan.model import ChainRecord, FileResult, ImportRecord, Span
from kerasdoctor.scan.statements import ModuleImport, Question, question_of

Record = ImportRecord | ChainRecord


def error_text(outcome: ProbeOutcome) -> str:
    """The failure as a fresh interpreter shows it: ``ModuleNotFoundError: No module ...``."""
    if outcome.error is None:
        return outcome.status.value
    return (
        f"{outcome.error.type}: {outcome.error.message}"
        if outcome.error.message
        else (outcome.error.type)
    )


@dataclass(frozen=True)
class _Pending:
    """A diagnostic waiting for its edits (planned per unit once all are known)."""

    diagnostic: Diagnostic
    record: Record | None = None
    choice: fixes.Choice | None = None
    replacement: str | None = None
    #: False when the replacement is not an edit of the record itself (needs a new import)
    editable: bool = True


class _FileView:
    """The records of one file with the target's verdicts, and the diagnostics pending edits."""

    def __init__(self, facts: ScanFacts, result: FileResult) -> None:
        self.facts = facts
        self.result = result
        self.runs: Mapping[int, LadderRun] = run_ladders(result, self.outcome)
        self.pending: list[_Pending] = []

    # -- facts about records ------------------------------------------------------------
    def question(self, record: Record) -> Question | None:
        if isinstance(record, ImportRecord) and record.star:
            return ModuleImport(record.module)  # the module of a star import is still checked
        return question_of(record, self.result)

    def outcome(self, record: Record) -> ProbeOutcome | None:
        question = self.question(record)
        return None if question is None else self.facts.verdicts.get(question)

    def base(self, chain: ChainRecord) -> ImportRecord:
        return self.result.imports[chain.import_index]

    def runs_here(self, record: Record) -> bool:
        """False for a record in a branch that does not run of a ladder that works."""
        if in_dead_branch(record.ladders, self.runs):
            return False
        if isinstance(record, ChainRecord):
            return not in_dead_branch(self.base(record).ladders, self.runs)
        return True

    def location(self, span: Span) -> Location:
        return Location(
            self.result.path, span.cell, span.line, span.column, span.end_line, span.end_column
        )

    def diagnostic(
        self, code: str, span: Span, statement: str, message: str, severity: Severity | None = None
    ) -> Diagnostic:
        entry = codes.get(code)
        return Diagnostic(
            code, entry.slug, severity or entry.severity, self.location(span), statement, message
        )

    def implementations(self, exclude: Record | None = None) -> list[tuple[Record, str]]:
        """Records that run here and give a Keras object, with its implementation."""
        out: list[tuple[Record, str]] = []
        for record in records_of(self.result):
            if record is exclude or not self.runs_here(record):
                continue
            if isinstance(record, ImportRecord) and record.star:
                continue
            outcome = self.outcome(record)
            impl = None if outcome is None else implementation(outcome)
            if impl is not None and _used_name(record) not in DATA_ONLY_NAMES:
                out.append((record, impl))
        return out

    def file_implementation(self, exclude: Record | None = None) -> str | None:
        """The implementation most of the file's other Keras objects come from."""
        counts = Counter(impl for _, impl in self.implementations(exclude))
        return counts.most_common(1)[0][0] if counts else None

    # -- replacements and edits -------------------------------------------------------------
    def with_choice(
        self, diagnostic: Diagnostic, record: Record, choice: fixes.Choice | None
    ) -> _Pending:
        if choice is None:
            return _Pending(diagnostic, record)
        if isinstance(record, ImportRecord):
            return _Pending(
                diagnostic,
                record,
                choice,
                fixes.import_replacement(record, choice.outcome),
                editable=choice.outcome.candidate.kind == "from" and record.name is not None,
            )
        text, editable = fixes.chain_replacement(record, choice.outcome)
        return _Pending(diagnostic, record, choice, text, editable)

    def attach_edits(self) -> list[Diagnostic]:
        planned = self.plan()
        out: list[Diagnostic] = []
        for index, item in enumerate(self.pending):
            if item.choice is None or item.replacement is None or item.record is None:
                out.append(item.diagnostic)
                continue
            resolved = item.choice.outcome.resolved
            edits, note = planned.get(index, ((), None))
            if not item.editable:
                note = "the replacement needs an import statement of its own: add it by hand"
            if item.record.ladders and not in_dead_branch(item.record.ladders, self.runs):
                ladder_ok = all(
                    self.runs[ref.ladder].works
                    for ref in item.record.ladders
                    if ref.ladder in self.runs
                )
                # A working ladder is left alone, except where the branch it takes works
                # through a private path (KD503) or another implementation (KD504): the
                # replacement is proven to work here, so the ladder keeps working.
                if ladder_ok and item.diagnostic.code not in ("KD503", "KD504"):
                    edits, note = (), "inside an import ladder that works here: not rewritten"
            fix = CodeFix(
                applicability=item.choice.applicability,
                replacement=item.replacement,
                resolves_to=None if resolved is None else resolved.identity,
                edits=edits,
                note=note,
            )
            out.append(replace(item.diagnostic, fix=fix))
        return out

    def plan(self) -> dict[int, tuple[tuple[TextEdit, ...], str | None]]:
        """Edits per pending index, planned per text unit with the fix engine."""
        by_unit: dict[int | None, list[int]] = {}
        for index, item in enumerate(self.pending):
            if item.choice is not None and item.record is not None and item.editable:
                by_unit.setdefault(item.record.span.cell, []).append(index)
        out: dict[int, tuple[tuple[TextEdit, ...], str | None]] = {}
        for cell, indexes in by_unit.items():
            text = self.facts.texts.get((self.result.path, cell))
            if text is None:
                for index in indexes:
                    out[index] = ((), "the source text was not available to plan edits")
                continue
            rewrites, owners = self.rewrites(text, indexes)
            plan = engine.plan_edits(text, rewrites)
            for planned in plan.edits:
                edit = fixes.to_location_edit(text, planned.edit)
                for index in owners[id(planned.rewrite)]:
                    out[index] = ((edit,), None)
            for refusal in plan.refused:
                for index in owners[id(refusal.rewrite)]:
                    out[index] = ((), f"not rewritten: {refusal.reason}")
        return out

    def rewrites(
        self, text: str, indexes: list[int]
    ) -> tuple[list[engine.Rewrite], dict[int, list[int]]]:
        """One rewrite per statement (all its moved names) and one per chain."""
        statements: dict[int, tuple[ImportRecord, list[tuple[int, engine.NameMove]]]] = {}
        chains: dict[tuple[int, int], tuple[engine.ChainRewrite, list[int]]] = {}
        for index in indexes:
            item = self.pending[index]
            record, choice = item.record, item.choice
            assert record is not None
            assert choice is not None
            assert item.replacement is not None
            if isinstance(record, ImportRecord):
                assert record.name is not None
                move = engine.NameMove(record.name, record.alias, choice.outcome.candidate.module)
                statements.setdefault(record.statement, (record, []))[1].append((index, move))
            else:
                old = ".".join((record.base, *record.attrs))
                key = (record.span.start, record.span.end)
                if key not in chains:
                    span = fixes.engine_span(text, record.span)
                    chains[key] = (engine.ChainRewrite(span, old, item.replacement), [])
                chains[key][1].append(index)
        rewrites: list[engine.Rewrite] = []
        owners: dict[int, list[int]] = {}
        for record, moves in statements.values():
            unique: list[engine.NameMove] = []
            for _, move in moves:
                if move not in unique:
                    unique.append(move)
            rewrite: engine.Rewrite = engine.FromImportRewrite(
                fixes.engine_span(text, record.span), record.module, tuple(unique)
            )
            rewrites.append(rewrite)
            owners[id(rewrite)] = [index for index, _ in moves]
        for rewrite, chain_owners in chains.values():
            rewrites.append(rewrite)
            owners[id(rewrite)] = chain_owners
        return rewrites, owners


def _used_name(record: Record) -> str | None:
    """The Keras name a record gives the file (``to_categorical``), None for a module."""
    if isinstance(record, ImportRecord):
        return record.name
    return record.attrs[-1] if record.attrs else None
