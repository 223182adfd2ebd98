"""What the scan judge is given: the static records, and what the target said about them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kerasdoctor.models import ProbeOutcome, Target
from kerasdoctor.scan.model import FileResult
from kerasdoctor.scan.statements import Question


@dataclass(frozen=True)
class ScanFacts:
    """Everything the judge reads; it runs nothing."""

    target: Target
    results: tuple[FileResult, ...]
    #: each distinct question's verdict in the target
    verdicts: Mapping[Question, ProbeOutcome]
    #: per question, the probed catalogue lines for the same symbol (see questions.py)
    alternatives: Mapping[Question, tuple[ProbeOutcome, ...]] = field(default_factory=dict)
    #: (path, cell) -> the text the records' offsets point into (notebook cells with their
    #: magics blanked, so that they parse); a unit without text gets no edits and no noqa
    texts: Mapping[tuple[str, int | None], str] = field(default_factory=dict)
