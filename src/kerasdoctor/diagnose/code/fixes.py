"""The working line for the same object, and the exact edits that put it in place.

The choice (:func:`choose`): for a private line that works, a public line resolving to the
same ``module:qualname``; for a failing line, the best public line of the implementation the
rest of the file uses (``safe``), else the line ``suggest`` would choose (``unsafe`` when it
changes the file's implementation, ``safe`` when the file has no other Keras import). The
edits are planned by the fix engine on the unit's text, so ``fix`` applies exactly them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kerasdoctor.diagnose import rank
from kerasdoctor.diagnose.code.paths import implementation, private_part
from kerasdoctor.fix import edits as engine
from kerasdoctor.models import ProbeOutcome, Target
from kerasdoctor.scan.diagnostics import Applicability, TextEdit
from kerasdoctor.scan.model import ChainRecord, ImportRecord
from kerasdoctor.scan.model import Span as ScanSpan


@dataclass(frozen=True)
class Choice:
    """A replacement line and whether it keeps the file's implementation."""

    outcome: ProbeOutcome
    applicability: Applicability


def _public(outcome: ProbeOutcome) -> bool:
    c = outcome.candidate
    path = c.module if c.kind != "chain" else ".".join((c.bound or c.module, *c.attrs))
    return rank.eligible(outcome) and c.is_public and private_part(path) is None


def same_object(outcome: ProbeOutcome, alternatives: Sequence[ProbeOutcome]) -> Choice | None:
    """A public working line that gives the very object ``outcome`` gave (KD503)."""
    if outcome.resolved is None:
        return None
    identity = outcome.resolved.identity
    found = [
        (rank.line_order(o, None, i), o)
        for i, o in enumerate(alternatives)
        if _public(o) and o.resolved is not None and o.resolved.identity == identity
    ]
    if not found:
        return None
    return Choice(min(found, key=lambda pair: pair[0])[1], Applicability.SAFE)


def working_line(
    target: Target,
    symbol: str,
    alternatives: Sequence[ProbeOutcome],
    file_implementation: str | None,
) -> Choice | None:
    """The replacement for a failing line (see the module docstring)."""
    # A module of the same name elsewhere is not the same thing (``preprocessing`` under
    # ``layers.experimental`` vs ``keras.preprocessing``): only objects are matched by name.
    public = [
        (i, o)
        for i, o in enumerate(alternatives)
        if _public(o) and o.resolved is not None and o.resolved.kind != "module"
    ]
    if file_implementation is not None:
        mine = [
            (rank.line_order(o, None, i), o)
            for i, o in public
            if implementation(o) == file_implementation
        ]
        if mine:
            return Choice(min(mine, key=lambda pair: pair[0])[1], Applicability.SAFE)
    _, suggestions = rank.suggest(target, (symbol,), [o for _, o in public])
    chosen = suggestions[0].candidate if suggestions else None
    if chosen is None:
        return None
    outcome = next(o for _, o in public if o.candidate == chosen)
    keeps = file_implementation is None or implementation(outcome) == file_implementation
    return Choice(outcome, Applicability.SAFE if keeps else Applicability.UNSAFE)


def import_replacement(record: ImportRecord, outcome: ProbeOutcome) -> str:
    """The statement as it reads after the fix, for this name alone."""
    c = outcome.candidate
    alias = f" as {record.alias}" if record.alias else ""
    if c.kind == "from":
        return f"from {c.module} import {record.name}{alias}"
    return c.code


def chain_replacement(record: ChainRecord, outcome: ProbeOutcome) -> tuple[str, bool]:
    """The chain as it reads after the fix, and whether it is a chain on the same base
    (False: the replacement needs an import line of its own)."""
    c = outcome.candidate
    if c.kind == "chain":
        return ".".join((record.base, *c.attrs)), True
    return c.import_line, False


def engine_span(text: str, span: ScanSpan) -> engine.Span:
    """A scan span (1-based character columns) in the fix engine's ast convention."""
    lines = text.splitlines(keepends=True)

    def col(line: int, column: int) -> int:
        return len(lines[line - 1][: column - 1].encode("utf-8", "surrogatepass"))

    return engine.Span(
        span.line, col(span.line, span.column), span.end_line, col(span.end_line, span.end_column)
    )


def to_location_edit(text: str, edit: engine.TextEdit) -> TextEdit:
    """An engine edit (character offsets) in the 1-based line/column coordinates of a report."""

    def position(offset: int) -> tuple[int, int]:
        line = text.count("\n", 0, offset) + 1
        start = text.rfind("\n", 0, offset) + 1
        return line, offset - start + 1

    line, column = position(edit.start)
    end_line, end_column = position(edit.end)
    return TextEdit(line, column, end_line, end_column, edit.new_text)
