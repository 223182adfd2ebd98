"""The scan judge: static records plus the target's verdicts in, KD501-KD507 out.

One pass per file: which ladder branches run (:mod:`.ladders`), which records count (those
that run), then one rule per code. Replacements and their edits are attached last, per text
unit, so that every name of one statement shares the statement's single edit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from kerasdoctor.catalogue import replacements
from kerasdoctor.diagnose.code import fixes
from kerasdoctor.diagnose.code.facts import ScanFacts
from kerasdoctor.diagnose.code.file_view import Record, _FileView, _Pending, error_text
from kerasdoctor.diagnose.code.ladders import records_of
from kerasdoctor.diagnose.code.paths import frozen_copy, implementation, private_part
from kerasdoctor.diagnose.code.questions import symbol_of
from kerasdoctor.models import ProbeOutcome, Severity
from kerasdoctor.scan.diagnostics import Applicability, Diagnostic
from kerasdoctor.scan.model import ChainRecord, FileStatus, ImportRecord
from kerasdoctor.scan.statements import Question

__all__ = ["Record", "error_text", "judge"]


def judge(facts: ScanFacts) -> tuple[Diagnostic, ...]:
    """Every KD5xx diagnostic of every readable file, in file order then position."""
    out: list[Diagnostic] = []
    for result in facts.results:
        if result.status is FileStatus.OK:
            found = _FileJudge(facts, result).diagnostics()
            out.extend(sorted(found, key=_position))
    return tuple(out)


def _position(d: Diagnostic) -> tuple[int, int, int, str]:
    loc = d.location
    return (-1 if loc.cell is None else loc.cell, loc.line, loc.column, d.code)


class _FileJudge(_FileView):
    """The rules, one per code, over one file's records."""

    # -- rules ----------------------------------------------------------------------------
    def diagnostics(self) -> list[Diagnostic]:
        for record in self.result.imports:
            if record.star:
                self.star(record)
            else:
                self.one(record)
        for chain in _distinct_chains(self.result.chains, self):
            self.one(chain)
        self.mixing()
        self.ladders()
        return self.attach_edits()

    def star(self, record: ImportRecord) -> None:
        message = (
            f"`{record.text.strip()}` is a star import: the names it binds are not judged; "
            "import the names you use explicitly"
        )
        self.pending.append(_Pending(self.diagnostic("KD507", record.span, record.text, message)))
        outcome = self.outcome(record)
        if outcome is not None and not outcome.works and self.runs_here(record):
            message = f"`import {record.module}` fails here: {error_text(outcome)}"
            self.pending.append(
                _Pending(self.diagnostic("KD501", record.span, record.text, message))
            )

    def one(self, record: Record) -> None:
        question = self.question(record)
        outcome = self.outcome(record)
        if question is None or outcome is None or not self.runs_here(record):
            return
        if isinstance(record, ChainRecord):
            base = self.outcome(self.base(record))
            if base is None or not base.works:
                return  # reported once, at the import
        alternatives = self.facts.alternatives.get(question, ())
        symbol = symbol_of(question)
        if outcome.works:
            self.private(record, outcome, alternatives, symbol)
            return
        if isinstance(record, ImportRecord):
            code, shown = "KD501", record.line_text
        else:
            code, shown = "KD502", ".".join((record.base, *record.attrs))
        message = f"`{shown}` fails here: {error_text(outcome)}"
        diagnostic = self.diagnostic(code, record.span, record.text, message)
        choice = fixes.working_line(
            self.facts.target, symbol, alternatives, self.file_implementation(record)
        )
        self.pending.append(self.with_choice(diagnostic, record, choice))
        if choice is None:
            self.removed(record, question, alternatives)

    def private(
        self,
        record: Record,
        outcome: ProbeOutcome,
        alternatives: tuple[ProbeOutcome, ...],
        symbol: str,
    ) -> None:
        if isinstance(record, ImportRecord):
            path = record.module if record.name is None else f"{record.module}.{record.name}"
            shown = record.line_text
        else:
            if private_part(self.path_of_base(record)) is not None:
                return  # the import it stands on is reported already
            path, shown = record.path, ".".join((record.base, *record.attrs))
        part = private_part(path)
        if part is None:
            return
        message = (
            f"`{shown}` works here, but only through the private or deprecated path "
            f"component `{part}`, which releases move or remove without notice"
        )
        diagnostic = self.diagnostic("KD503", record.span, record.text, message)
        choice = fixes.same_object(outcome, alternatives)
        resolved = outcome.resolved
        if choice is None and resolved is not None and frozen_copy(resolved.module):
            # TensorFlow's frozen private copy (tensorflow.python.keras) has no public line at
            # all, and rots (TF 2.15: model.fit fails inside it): the public line kerasdoctor
            # would suggest gives another object, so it is offered, never applied unasked.
            # A private line of a live implementation (keras.src) gets only its own object.
            other = fixes.working_line(
                self.facts.target, symbol, alternatives, self.file_implementation(record)
            )
            if other is not None:
                choice = fixes.Choice(other.outcome, Applicability.UNSAFE)
        self.pending.append(self.with_choice(diagnostic, record, choice))

    def path_of_base(self, chain: ChainRecord) -> str:
        base = self.base(chain)
        return base.module if base.name is None else f"{base.module}.{base.name}"

    def removed(
        self, record: Record, question: Question, alternatives: tuple[ProbeOutcome, ...]
    ) -> None:
        """KD505: nothing installed provides the symbol, and the catalogue or the table knows it."""
        symbol = symbol_of(question)
        path = (
            record.path
            if isinstance(record, ChainRecord)
            else (record.module if record.name is None else f"{record.module}.{record.name}")
        )
        entry = replacements.find(symbol, path)
        if entry is None and not alternatives:
            return
        if any(o.works for o in alternatives):
            return  # some line works (perhaps unusable): not "removed"
        where = f"{len(alternatives)} known locations" if alternatives else "its known locations"
        message = f"no installed Keras implementation provides `{symbol}` (tried {where})"
        if entry is not None:
            use = f"use {entry.replacement}" if entry.replacement else "there is no replacement"
            message += f"; {use}: {entry.note}"
        self.pending.append(_Pending(self.diagnostic("KD505", record.span, record.text, message)))

    def mixing(self) -> None:
        found = self.implementations()
        counts = Counter(impl for _, impl in found)
        if len(counts) < 2:
            return
        main = counts.most_common(1)[0][0]
        main_record = next(r for r, impl in found if impl == main)
        # Every record of another implementation: each is a place the file mixes, and each
        # gets its own replacement (fixing only the first would leave the file mixing).
        for record, other in [(r, impl) for r, impl in found if impl != main]:
            message = (
                f"this file uses two Keras implementations: `{_shown(record)}` gives an object "
                f"of {other}, while `{_shown(main_record)}` (line {main_record.span.line}) "
                f"gives one of {main}; a layer of one put into a model of the other fails"
            )
            diagnostic = self.diagnostic("KD504", record.span, record.text, message)
            question = self.question(record)
            choice = None
            if question is not None:
                choice = fixes.working_line(
                    self.facts.target,
                    symbol_of(question),
                    self.facts.alternatives.get(question, ()),
                    main,
                )
                if choice is not None and implementation(choice.outcome) != main:
                    choice = None
                if choice is not None:
                    # The line now gives another object: never applied without asking.
                    choice = fixes.Choice(choice.outcome, Applicability.UNSAFE)
            self.pending.append(self.with_choice(diagnostic, record, choice))

    def ladders(self) -> None:
        for run in self.runs.values():
            ladder = run.ladder
            records = [
                r
                for r in records_of(self.result)
                if any(ref.ladder == ladder.id for ref in r.ladders)
            ]
            first = min(records, key=lambda r: r.span.start) if records else None
            statement = first.text if first is not None else "try:"
            if not run.works:
                message = "no branch of this import ladder works here: every Keras import it "
                message += "tries fails (each failure is reported)"
                self.pending.append(
                    _Pending(
                        self.diagnostic("KD506", ladder.span, statement, message, Severity.WARNING)
                    )
                )
                continue
            taken = [
                r
                for r in records
                if any(ref.ladder == ladder.id and ref.branch == run.taken for ref in r.ladders)
            ]
            head = min(taken, key=lambda r: r.span.start) if taken else None
            which = "the try branch" if run.taken == 0 else f"except branch {run.taken}"
            message = f"this import ladder takes {which} here"
            if head is not None:
                message += f" (`{_shown(head)}`, line {head.span.line})"
            severity = Severity.INFO
            mine = {implementation(o) for r in taken if (o := self.outcome(r)) is not None}
            mine.discard(None)
            outside = {
                impl
                for r, impl in self.implementations()
                if not any(ref.ladder == ladder.id for ref in r.ladders)
            }
            if mine and outside and not mine & outside:
                severity = Severity.WARNING
                message += (
                    f"; it gives objects of {', '.join(sorted(i for i in mine if i))} while "
                    f"the rest of the file uses {', '.join(sorted(outside))}"
                )
            self.pending.append(
                _Pending(self.diagnostic("KD506", ladder.span, statement, message, severity))
            )


def _shown(record: Record) -> str:
    if isinstance(record, ImportRecord):
        return record.line_text
    return ".".join((record.base, *record.attrs))


def _distinct_chains(chains: tuple[ChainRecord, ...], judge: _FileJudge) -> Iterator[ChainRecord]:
    """One chain record per place: of several bindings (ladder branches), the one that runs."""
    by_place: dict[tuple[int | None, int, int], list[ChainRecord]] = {}
    for chain in chains:
        by_place.setdefault((chain.span.cell, chain.span.start, chain.span.end), []).append(chain)
    for group in by_place.values():
        running = [c for c in group if judge.runs_here(c)]
        if running:
            yield running[-1]  # the binding made last in the source is the one in effect
