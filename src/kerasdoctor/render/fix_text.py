"""Text output of ``kerasdoctor fix``: the diff of what would change, or the summary of a write.

Without ``--write``: the unified diff of every file that would change (notebooks per cell,
``path:cell N``), then one line per file left alone and why. After ``--write``: what was
written, then the diagnostics that remain, each with the reason it was not fixed. Lines are
never wrapped: what we print must paste.
"""

from __future__ import annotations

from kerasdoctor.fix.report import FileFix, FixReport, FixStatus
from kerasdoctor.scan.diagnostics import Diagnostic


def where(diagnostic: Diagnostic) -> str:
    """``path:line:col`` (``path:cell N:line:col`` in notebooks), as scan prints it."""
    loc = diagnostic.location
    cell = f"cell {loc.cell}:" if loc.cell is not None else ""
    return f"{loc.path}:{cell}{loc.line}:{loc.column}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _file_problem(fix: FileFix) -> str | None:
    if fix.status in (FixStatus.FAILED, FixStatus.CHANGED_SINCE_SCAN):
        return f"{fix.path}: not written: {fix.reason or fix.status.value}"
    return None


def render(report: FixReport) -> str:
    """The whole text output, ending with a newline."""
    out: list[str] = []
    if not report.write:
        for fix in report.changed_files:
            out.append(fix.diff.rstrip("\n"))
    reasons = {r.diagnostic: r.reason for r in report.reasons}
    problems = [p for f in report.files if (p := _file_problem(f)) is not None]
    out.extend(problems)
    if report.write:
        for fix in report.changed_files:
            if fix.written:
                out.append(f"fixed {fix.path}: {_plural(len(fix.edits), 'statement')}")
    if report.remaining:
        title = "remaining" if report.write else "not fixed by this run"
        out.append(f"{title}:")
        for diagnostic in report.remaining:
            line = f"{where(diagnostic)}: {diagnostic.code} {diagnostic.message}"
            out.append(line)
            if diagnostic.fix is not None:
                out.append(f"    replacement: {diagnostic.fix.replacement}")
            if diagnostic in reasons:
                out.append(f"    not fixed: {reasons[diagnostic]}")
    counts = report.counts
    written = sum(1 for f in report.files if f.written)
    if report.write:
        head = (
            f"{_plural(written, 'file')} changed, "
            f"{_plural(counts['statements_fixed'], 'statement')} fixed"
        )
    elif report.would_change:
        head = (
            f"{_plural(counts['files_changed'], 'file')} would change, "
            f"{_plural(counts['statements_fixed'], 'statement')}; run with --write to apply"
        )
    else:
        head = "nothing to fix"
    remaining = (
        f"{_plural(len(report.remaining), 'diagnostic')} "
        f"{'remains' if len(report.remaining) == 1 else 'remain'} "
        f"({counts['remaining_errors']} error{'' if counts['remaining_errors'] == 1 else 's'})"
    )
    unsafe = sum(1 for r in report.reasons if r.reason.startswith("unsafe fix"))
    hint = (
        f"; {unsafe} unsafe fix{'es' if unsafe != 1 else ''} hidden (--unsafe-fixes)"
        if unsafe
        else ""
    )
    out.append(f"{head}; {remaining}{hint}")
    return "".join(line + "\n" for line in out)
