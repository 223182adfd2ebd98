"""The frozen data of a multi-target run (cached exactly, rendered as text or JSON)."""

from __future__ import annotations

from dataclasses import dataclass

from kerasdoctor.models import ProbeOutcome, Report


@dataclass(frozen=True)
class TargetRun:
    """One target of the run: its own single-target report, plus the lines probed for others.

    ``report`` is exactly what ``--python`` with this target alone reports (its suggestions
    are that target's own choice); ``extra`` are the lines the common answer needed that the
    target's own run did not probe.
    """

    label: str
    spec: str  # as the user wrote it: PATH or PATH::NAME=VALUE,...
    env: tuple[tuple[str, str], ...]  # the variables the spec sets for this target only
    report: Report
    extra: tuple[ProbeOutcome, ...] = ()

    @property
    def probes(self) -> tuple[ProbeOutcome, ...]:
        return (*self.report.probes, *self.extra)

    def outcome(self, symbol: str, line: str) -> ProbeOutcome | None:
        for outcome in self.probes:
            if outcome.candidate.symbol == symbol and outcome.candidate.import_line == line:
                return outcome
        return None

    def own_line(self, symbol: str) -> str | None:
        for suggestion in self.report.suggestions:
            if suggestion.symbol == symbol:
                return suggestion.import_line
        return None


@dataclass(frozen=True)
class CommonLine:
    """The line for one symbol that works everywhere (``import_line`` None: there is none)."""

    symbol: str
    import_line: str | None
    reason: str  # why this line, or the split in one short paragraph
    lines: tuple[tuple[str, str | None], ...]  # label -> the line that target uses alone


@dataclass(frozen=True)
class MatrixReport:
    """Everything a multi-target run found."""

    kerasdoctor_version: str
    command: str
    symbols: tuple[str, ...]
    runs: tuple[TargetRun, ...]
    common: tuple[CommonLine, ...]
    from_cache: bool = False
    seconds: float = 0.0

    @property
    def all_common(self) -> bool:
        return all(c.import_line is not None for c in self.common)
