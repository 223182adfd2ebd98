"""The data ``kerasdoctor fix`` produces: per file, what was (or would be) changed and why not.

Frozen data only. :class:`FixReport` wraps the :class:`~kerasdoctor.scan.diagnostics.ScanReport`
the fix started from, so every format can show what remains with scan's own diagnostics.
Positions in :class:`AppliedEdit` follow the scan contract: 1-based lines and character
columns, ``end_column`` exclusive, lines counted within the cell for notebooks.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from kerasdoctor.models import Severity
from kerasdoctor.scan.diagnostics import Diagnostic, ScanReport


class FixStatus(str, enum.Enum):
    """What became of one file that had fixable diagnostics."""

    CHANGED = "changed"  # new bytes (written with --write, else only shown)
    UNCHANGED = "unchanged"  # nothing to apply
    REFUSED = "refused"  # every edit refused (reasons per diagnostic)
    FAILED = "failed"  # the write itself failed (read-only, disk full...)
    CHANGED_SINCE_SCAN = "changed-since-scan"  # the file is not what the scan read


@dataclass(frozen=True)
class AppliedEdit:
    """One replaced span, in the original text, and the diagnostics it fixes."""

    cell: int | None
    line: int
    column: int
    end_line: int
    end_column: int
    old_text: str
    new_text: str
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class Refusal:
    """A diagnostic whose fix was not applied, and why (one readable line)."""

    diagnostic: Diagnostic
    reason: str


@dataclass(frozen=True)
class CellChange:
    """A notebook cell's source before and after (for per-cell diffs)."""

    cell: int
    old_source: str
    new_source: str


@dataclass(frozen=True)
class FileFix:
    """The outcome for one file.

    ``new_data`` is the file's new bytes (``None`` when nothing applies); ``diff`` is the
    unified diff shown to the user (per cell for notebooks); ``written`` is true only after
    ``--write`` replaced the file.
    """

    path: str
    status: FixStatus
    edits: tuple[AppliedEdit, ...] = ()
    refused: tuple[Refusal, ...] = ()
    diff: str = ""
    new_data: bytes | None = None
    reason: str | None = None
    written: bool = False
    cells: tuple[CellChange, ...] = ()

    @property
    def fixed(self) -> tuple[Diagnostic, ...]:
        return tuple(d for e in self.edits for d in e.diagnostics)


@dataclass(frozen=True)
class FixReport:
    """Everything ``fix`` did or would do, and what remains of the scan's findings."""

    scan: ScanReport
    files: tuple[FileFix, ...]
    #: diagnostics not fixed by this run (no fix, unsafe without --unsafe-fixes, refused)
    remaining: tuple[Diagnostic, ...]
    #: why each remaining diagnostic with a known replacement was not fixed
    reasons: tuple[Refusal, ...]
    unsafe: bool
    write: bool

    @property
    def changed_files(self) -> tuple[FileFix, ...]:
        return tuple(f for f in self.files if f.status is FixStatus.CHANGED)

    @property
    def statements_fixed(self) -> int:
        """Edited statements and chains (one edit may fix several diagnostics)."""
        return sum(len(f.edits) for f in self.changed_files)

    @property
    def would_change(self) -> bool:
        return bool(self.changed_files)

    @property
    def remaining_errors(self) -> int:
        return sum(1 for d in self.remaining if d.severity is Severity.ERROR)

    @property
    def counts(self) -> dict[str, int]:
        """Figures for the summary line and the JSON document."""
        return {
            "files_changed": len(self.changed_files),
            "statements_fixed": self.statements_fixed,
            "diagnostics_fixed": sum(len(f.fixed) for f in self.changed_files),
            "remaining": len(self.remaining),
            "remaining_errors": self.remaining_errors,
            "refused": sum(len(f.refused) for f in self.files),
            "failed_files": sum(
                1
                for f in self.files
                if f.status in (FixStatus.FAILED, FixStatus.CHANGED_SINCE_SCAN)
            ),
        }
