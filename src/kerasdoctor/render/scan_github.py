"""``scan --format github``: GitHub Actions workflow commands, one annotation per diagnostic.

``::error file=F,line=L,col=C,endLine=..,endColumn=..,title=KD501 import-fails::message``.
Values are escaped as the Actions toolkit does (``%``, CR and LF in the message; also ``:``
and ``,`` in properties), so a message can never end the command early or forge another.
GitHub cannot point into a notebook cell: a notebook's annotation is put on line 1 of the
file and its message starts with ``cell N:line:col``. Files that were not read get an
annotation of their own; the last line is the plain summary, for the log.
"""

from __future__ import annotations

from kerasdoctor.models import Severity
from kerasdoctor.render.scan_text import summary_line
from kerasdoctor.scan.diagnostics import Diagnostic, FileState, ScanReport

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """A message: ``%``, CR and LF percent-encoded (the toolkit's ``escapeData``).

    Lone surrogates (undecodable file-name bytes) are shown as ``\\udcNN``: the line must
    print on any stdout.
    """
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value: as a message, and ``:`` and ``,`` too (``escapeProperty``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: dict[str, str | int], message: str) -> str:
    """One workflow command line."""
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{name} {props}::{escape_data(message)}"


def _annotation(diag: Diagnostic) -> str:
    where = diag.location
    properties: dict[str, str | int] = {"file": where.path}
    message = diag.message
    if where.cell is None:
        properties.update(
            line=where.line, col=where.column, endLine=where.end_line, endColumn=where.end_column
        )
    else:
        properties["line"] = 1
        message = f"cell {where.cell}:{where.line}:{where.column}: {message}"
    properties["title"] = f"{diag.code} {diag.slug}"
    if diag.fix is not None:
        message += f"\nfix ({diag.fix.applicability.value}): {diag.fix.replacement}"
    return command(_COMMAND[diag.severity], properties, message)


def render(
    report: ScanReport, *, width: int = 100, color: bool = False, strict: bool = False
) -> str:
    """The annotations, then the summary line; never wrapped or coloured."""
    del width, color  # read by the Actions runner, not by a person at a terminal
    lines = [_annotation(d) for d in report.diagnostics]
    for scanned in report.files:
        if scanned.status is FileState.OK:
            continue
        kind = "notice" if scanned.status is FileState.SKIPPED else "warning"
        reason = f"{scanned.status.value}: {scanned.reason or 'no reason given'}"
        lines.append(command(kind, {"file": scanned.path, "title": "file not scanned"}, reason))
    lines.append(summary_line(report, strict=strict))
    return "\n".join(lines) + "\n"
