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


# C0 controls, DEL and C1: shown escaped, so that a file name or an exception message from
# the target can neither move the cursor nor fake a line of output.
_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))}


def printable(text: str) -> str:
    """``text`` safe for a terminal and any stdout encoding.

    Control characters are shown as ``\\xNN``; lone surrogates (the bytes of a file name
    that is not valid in the file system's encoding) as ``\\udcNN`` instead of failing to print.
    """
    text = text.translate(_CONTROLS)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _paint(text: str, style: str, color: bool) -> str:
    return f"{style}{text}{_RESET}" if color else text


def position(where: Location) -> str:
    """``path:line:col`` for a file, ``path:cell N:line:col`` for a notebook cell."""
    path = printable(where.path)
    if where.cell is None:
        return f"{path}:{where.line}:{where.column}"
    return f"{path}:cell {where.cell}:{where.line}:{where.column}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _diagnostic(diag: Diagnostic, color: bool) -> list[str]:
    # A message may run over several lines (an exception's): each is kept, indented under it.
    first, *more = (printable(part) for part in diag.message.split("\n"))
    code = _paint(diag.code, _SEVERITY_COLOR[diag.severity] + _BOLD, color)
    out = [f"{_paint(position(diag.location), _BOLD, color)}: {code} {first}"]
    out.extend(f"    {extra}" for extra in more)
    if diag.fix is not None:
        label = _paint(f"fix ({diag.fix.applicability.value}):", _FIX_COLOR, color)
        out.append(f"    {label} {printable(diag.fix.replacement)}")
        if diag.fix.note:
            out.append(f"    {_paint(printable(diag.fix.note), _DIM, color)}")
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
            reason = f": {printable(scanned.reason)}" if scanned.reason else ""
            lines.append(f"  {printable(scanned.path)}: {scanned.status.value}{reason}")
        blocks.append(lines)
    blocks.append([_paint(summary_line(report, strict=strict), _BOLD, color)])
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"
