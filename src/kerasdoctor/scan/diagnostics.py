"""The data a ``scan`` (and ``fix``) produces: diagnostics on source lines, and the report.

The static records of :mod:`kerasdoctor.scan.model` say *what the code imports*; the probe
says *what those imports do in the target*; the judge (:mod:`kerasdoctor.diagnose.code`)
turns both into the :class:`Diagnostic` objects defined here, which every output format
(text, json, github, sarif) and ``fix`` read. Frozen data only: no behaviour lives here.

Positions follow the JSON contract of the scan issue: lines and columns are 1-based,
columns count characters, ``end_column`` is exclusive, and ``cell`` is the 0-based index
into a notebook's ``cells`` array (``None`` for a ``.py`` file), lines counted within it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from kerasdoctor.models import ProbeOutcome, Severity, Target


class Applicability(str, enum.Enum):
    """Whether ``fix`` applies a replacement by default (ruff's vocabulary)."""

    #: public, works in every target, keeps the implementation the file uses
    SAFE = "safe"
    #: works, but changes the implementation (applied only with ``--unsafe-fixes``)
    UNSAFE = "unsafe"


@dataclass(frozen=True)
class Location:
    """Where a diagnostic points: a statement or an attribute chain in a file or cell."""

    path: str  # as the user would type it: relative to the scan root when inside it
    cell: int | None
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class TextEdit:
    """One exact edit, in the same coordinates as :class:`Location`."""

    line: int
    column: int
    end_line: int
    end_column: int
    new_text: str


@dataclass(frozen=True)
class CodeFix:
    """The working line for the same object, and the edits that would put it in place."""

    applicability: Applicability
    replacement: str  # the new statement or chain, as it would read after the fix
    #: the resolved object the replacement gives, "module:qualname", in each target
    resolves_to: str | None
    edits: tuple[TextEdit, ...] = ()
    #: why no edits are given although a replacement is known (e.g. a ladder; a refusal)
    note: str | None = None


@dataclass(frozen=True)
class Diagnostic:
    """One KD5xx finding on one statement or chain."""

    code: str  # "KD501"
    slug: str  # "import-fails"
    severity: Severity
    location: Location
    statement: str  # the source as written (the whole statement, or the chain)
    message: str
    fix: CodeFix | None = None
    #: labels of the targets where this holds; empty means the one target of the run
    targets: tuple[str, ...] = ()


class FileState(str, enum.Enum):
    """What became of one file of the scan."""

    OK = "ok"
    UNPARSABLE = "unparsable"
    UNDECODABLE = "undecodable"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class ScannedFile:
    """One file (or skipped entry) of the scan, with the reason when it was not read."""

    path: str
    status: FileState
    reason: str | None = None


@dataclass(frozen=True)
class Verdict:
    """What one distinct question (statement or chain) does in the target.

    ``kind`` is "import" (``import M``), "from" (``from M import N``) or "chain" (the
    base import, then attribute access); ``text`` is the code a fresh ``python -c`` runs
    to reproduce it.
    """

    kind: str
    text: str
    outcome: ProbeOutcome


@dataclass(frozen=True)
class ScanReport:
    """Everything ``scan`` found: files, diagnostics, and the verdicts behind them."""

    kerasdoctor_version: str
    target: Target
    root: str
    files: tuple[ScannedFile, ...]
    diagnostics: tuple[Diagnostic, ...]
    verdicts: tuple[Verdict, ...]
    seconds: float = 0.0
    from_cache: bool = False

    @property
    def counts(self) -> dict[str, int]:
        """Diagnostics per severity name, for the summary line and exit codes."""
        out = {s.value: 0 for s in Severity}
        for d in self.diagnostics:
            out[d.severity.value] += 1
        return out
