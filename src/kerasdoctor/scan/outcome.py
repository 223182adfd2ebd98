"""What a scan report means for the run: its counts, and whether it fails (the exit code).

One definition shared by the CLI (the exit code) and every renderer (the summary), so that
the summary line can never disagree with the exit status it explains.
"""

from __future__ import annotations

from dataclasses import dataclass

from kerasdoctor.errors import ExitCode
from kerasdoctor.models import Severity
from kerasdoctor.scan.diagnostics import FileState, ScanReport


@dataclass(frozen=True)
class Summary:
    """The counts of one scan."""

    errors: int
    warnings: int
    infos: int
    files_read: int  # status ok
    files_skipped: int  # unparsable, undecodable or skipped

    @property
    def files(self) -> int:
        return self.files_read + self.files_skipped


def summarize(report: ScanReport) -> Summary:
    """The counts of ``report``."""
    counts = report.counts
    read = sum(1 for f in report.files if f.status is FileState.OK)
    return Summary(
        errors=counts[Severity.ERROR.value],
        warnings=counts[Severity.WARNING.value],
        infos=counts[Severity.INFO.value],
        files_read=read,
        files_skipped=len(report.files) - read,
    )


def fails(report: ScanReport, *, strict: bool = False) -> bool:
    """An error diagnostic fails the run; with ``strict``, a warning does too."""
    summary = summarize(report)
    return summary.errors > 0 or (strict and summary.warnings > 0)


def fails_only_by_strict(report: ScanReport, *, strict: bool) -> bool:
    """The run fails, and only because ``--strict`` counts its warnings."""
    return strict and fails(report, strict=True) and not fails(report, strict=False)


def exit_code(report: ScanReport, *, strict: bool = False, exit_zero: bool = False) -> ExitCode:
    """0 when nothing fails the run (or ``--exit-zero``), else 1."""
    if exit_zero or not fails(report, strict=strict):
        return ExitCode.OK
    return ExitCode.NO_WORKING_LINE
