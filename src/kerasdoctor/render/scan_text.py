"""The default ``scan`` view: diagnostics grouped per file, the files not read, one summary.

Each diagnostic is one ``path:line:col: CODE message`` line (``path:cell N:line:col`` in a
notebook, N the 0-based index into its ``cells``), the form editors and terminals turn
into links; the replacement follows on its own line with its applicability. Nothing is
wrapped or shortened at any width: a line printed here must paste whole into code or a
shell. Colour is plain ANSI, added only when asked (the CLI asks on a terminal).
"""

from __future__ import annotations

from itertools import groupby

from kerasdoctor.models import Severity
from kerasdoctor.scan import outcome
from kerasdoctor.scan.diagnostics import Diagnostic, FileState, Location, ScanReport

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_SEVERITY_COLOR = {
    Severity.ERROR: "\x1b[31m",  # red
    Severity.WARNING: "\x1b[33m",  # yellow
    Severity.INFO: "\x1b[36m",  # cyan
}
_FIX_COLOR = "\x1b[32m"  # green


def _paint(text: str, style: str, color: bool) -> str:
    return f"{style}{text}{_RESET}" if color else text


def position(where: Location) -> str:
    """``path:line:col`` for a file, ``path:cell N:line:col`` for a notebook cell."""
    if where.cell is None:
        return f"{where.path}:{where.line}:{where.column}"
    return f"{where.path}:cell {where.cell}:{where.line}:{where.column}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _diagnostic(diag: Diagnostic, color: bool) -> list[str]:
    first, *more = diag.message.splitlines() or [""]
    code = _paint(diag.code, _SEVERITY_COLOR[diag.severity] + _BOLD, color)
    out = [f"{_paint(position(diag.location), _BOLD, color)}: {code} {first}"]
    # An exception's message can run over several lines: keep them, indented under it.
    out.extend(f"    {extra}" for extra in more)
    if diag.fix is not None:
        label = _paint(f"fix ({diag.fix.applicability.value}):", _FIX_COLOR, color)
        out.append(f"    {label} {diag.fix.replacement}")
        if diag.fix.note:
            out.append(f"    {_paint(diag.fix.note, _DIM, color)}")
    return out


def summary_line(report: ScanReport, *, strict: bool = False) -> str:
    """``N errors, M warnings in K files (J files skipped)``, and why the run fails if strict."""
    counts = outcome.summarize(report)
    parts = [_plural(counts.errors, "error"), _plural(counts.warnings, "warning")]
    if counts.infos:
        parts.append(_plural(counts.infos, "note"))
    line = f"{', '.join(parts)} in {_plural(counts.files_read, 'file')}"
    line += f" ({_plural(counts.files_skipped, 'file')} skipped)"
    if outcome.fails_only_by_strict(report, strict=strict):
        line += "; failing because --strict counts warnings"
    return line


def render(
    report: ScanReport, *, width: int = 100, color: bool = False, strict: bool = False
) -> str:
    """The text view; ``width`` is accepted for the common signature and never wraps."""
    del width  # never wrapped: a command or import line must paste whole at any width
    blocks: list[list[str]] = []
    ordered = sorted(
        report.diagnostics,
        key=lambda d: (d.location.path, d.location.cell or 0, d.location.line, d.location.column),
    )
    for _path, group in groupby(ordered, key=lambda d: d.location.path):
        lines: list[str] = []
        for diag in group:
            lines.extend(_diagnostic(diag, color))
        blocks.append(lines)
    not_read = [f for f in report.files if f.status is not FileState.OK]
    if not_read:
        lines = [_paint("Files not scanned:", _BOLD, color)]
        for scanned in not_read:
            reason = f": {scanned.reason}" if scanned.reason else ""
            lines.append(f"  {scanned.path}: {scanned.status.value}{reason}")
        blocks.append(lines)
    blocks.append([_paint(summary_line(report, strict=strict), _BOLD, color)])
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"
