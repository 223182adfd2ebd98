"""The notebook view of a report: HTML for Jupyter, Colab and Kaggle (``Report._repr_html_``).

The same content as ``check``, in the order ``check`` prints it: who was diagnosed and what
is installed there, the lines to use, the findings with their fixes, then a table of every
line tried. Import lines and commands sit in ``<pre>`` or ``nowrap`` cells: they are never
wrapped, so they copy whole. A notebook's output is saved in the ``.ipynb`` and shared with
it, so this view leaves out the same personal data as ``kerasdoctor report``
(:class:`~kerasdoctor.render.redact.Redaction`).
"""

from __future__ import annotations

from html import escape

from kerasdoctor.models import Finding, Report, Severity
from kerasdoctor.render import shells
from kerasdoctor.render.redact import Redaction
from kerasdoctor.render.report_md import backend_text, used_lines, verdict_rows
from kerasdoctor.render.shells import Shell
from kerasdoctor.render.table import counts, installed, legacy_keras_note, shell_of

__all__ = ["html", "render"]

_COLOUR = {"✓": "#1a7f37", "~": "#57606a", "!": "#9a6700", "✗": "#cf222e"}
_SEVERITY = {Severity.ERROR: "✗", Severity.WARNING: "!", Severity.INFO: "i"}
_CODE = "white-space: pre; font-family: monospace"


def render(
    report: Report, *, width: int = 100, color: bool = False, shell: Shell | None = None
) -> str:
    """The HTML view, redacted for the person running kerasdoctor (``width``/``color`` unused)."""
    return html(report, Redaction.of_this_process(), shell=shell)


def _text(value: str, redact: Redaction) -> str:
    return escape(redact(value))


def _pre(lines: list[str] | tuple[str, ...]) -> str:
    return f'<pre style="margin: 0.2em 0 0.6em 1.5em">{escape(chr(10).join(lines))}</pre>'


def _header(report: Report, redact: Redaction) -> list[str]:
    t = report.target
    variables = ", ".join(f"{k}={v}" for k, v in t.env) or "none of the steering variables set"
    cached = " (from the cache: nothing changed since)" if report.from_cache else ""
    return [
        f"<p><b>kerasdoctor {escape(report.kerasdoctor_version)} · "
        f"{escape(report.command)}</b>{cached}<br>",
        f"Python {escape(t.python_version)} <code>{_text(t.python, redact)}</code> "
        f"({_text(t.chosen_by, redact)}) in <code>{_text(t.cwd, redact)}</code><br>",
        f"Installed: {_text(installed(report), redact)}<br>",
        f"Variables: {_text(variables, redact)}<br>",
        f"Keras 3 backend: {_text(backend_text(report), redact)}</p>",
    ]


def _answer(report: Report, redact: Redaction) -> list[str]:
    out: list[str] = []
    lines = used_lines(report)
    if lines:
        out.append(f'<p style="color: {_COLOUR["✓"]}"><b>→ Use:</b></p>')
        out.append(_pre(lines))
    for suggestion in report.suggestions:
        if suggestion.candidate is None:
            out.append(
                f'<p style="color: {_COLOUR["✗"]}"><b>✗ No working line for '
                f"{escape(suggestion.symbol)}</b>: {_text(suggestion.reason, redact)}</p>"
            )
        note = legacy_keras_note(report, suggestion)
        if note:
            out.append(f'<p style="color: {_COLOUR["!"]}">{_text(note, redact)}</p>')
    return out


def _finding(finding: Finding, redact: Redaction, shell: Shell) -> str:
    mark = _SEVERITY[finding.severity]
    colour = _COLOUR.get(mark, "inherit")
    parts = [
        f'<li><b style="color: {colour}">{mark} {escape(finding.code)} '
        f"{escape(finding.slug)}</b> ({finding.severity.value}): "
        f"{_text(finding.message, redact)}"
    ]
    if finding.evidence:
        items = "".join(f"<li>{_text(item, redact)}</li>" for item in finding.evidence)
        parts.append(f"<ul>{items}</ul>")
    if finding.fix:
        parts.append("<br>fix (verified):" if finding.verified else "<br>fix:")
        written = shells.lines(finding.fix, shell)
        if written is None:
            parts.append(" " + escape(shells.refusal(finding.fix, shell)))
        else:
            parts.append(_pre([redact(line) for line in written]))
    parts.append("</li>")
    return "".join(parts)


def _findings(report: Report, redact: Redaction, shell: Shell) -> list[str]:
    title = f"<p><b>Findings</b> ({escape(counts(report.findings))})</p>"
    if not report.findings:
        return [title]
    return [title, "<ul>", *(_finding(f, redact, shell) for f in report.findings), "</ul>"]


def _table(report: Report, redact: Redaction) -> list[str]:
    rows = verdict_rows(report)
    if not rows:
        return []
    out = [
        f"<p><b>Lines tried</b> ({len(rows)})</p>",
        '<table style="text-align: left">',
        "<thead><tr><th>Symbol</th><th>Import line</th><th>Verdict</th></tr></thead><tbody>",
    ]
    for row in rows:
        result = _text(row.result, redact)
        if row.is_error:
            result = f"<code>{result}</code>"
        out.append(
            f"<tr><td>{escape(row.symbol)}</td>"
            f'<td style="{_CODE}; text-align: left">{escape(row.line)}</td>'
            f'<td style="text-align: left"><span style="color: {_COLOUR[row.mark]}">'
            f"{escape(row.mark)}</span> {result}</td></tr>"
        )
    out.append("</tbody></table>")
    return out


def html(report: Report, redact: Redaction, *, shell: Shell | None = None) -> str:
    """The report as an HTML fragment, every free text and path passed through ``redact``."""
    parts = [
        '<div class="kerasdoctor-report">',
        *_header(report, redact),
        *_answer(report, redact),
        *_findings(report, redact, shell_of(report, shell)),
        *_table(report, redact),
        # Said, so that a ~ is not taken for a bug: the output is saved with the notebook.
        '<p style="opacity: 0.7">The home folder is written ~ and the user name $USER: '
        "a notebook's output is saved and shared with it. The report's data keeps full paths.</p>",
        "</div>",
    ]
    return "\n".join(parts) + "\n"
