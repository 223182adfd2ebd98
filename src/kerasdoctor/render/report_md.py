"""``kerasdoctor report``: the diagnosis as Markdown for a GitHub issue, personal data left out.

What a maintainer asks for, in one paste: Python, platform, the relevant distributions,
the variables that steer Keras and TensorFlow, the backend Keras 3 would load, the verdict
of every line tried (a Markdown table), the lines to use, the findings with their fixes (in
fenced code blocks, never wrapped), and the kerasdoctor version; all inside a ``<details>``
block whose one-line summary is what shows in the issue. Every free text and path goes
through a :class:`~kerasdoctor.render.redact.Redaction` (home ``~``, user name ``$USER``);
import lines are dotted names (never paths) and are printed as probed.

:func:`markdown` is the pure renderer; :func:`render` is the :class:`~kerasdoctor.render.Format`
entry point, which redacts for the person running it. :func:`verdict_rows`,
:func:`backend_text` and :func:`used_lines` are shared with the notebook view
(:mod:`kerasdoctor.render.report_html`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kerasdoctor import knowledge
from kerasdoctor.diagnose.rules.facts import configured_backend
from kerasdoctor.models import Finding, ProbeOutcome, Report, Severity, Status
from kerasdoctor.render import shells
from kerasdoctor.render.paste import merged
from kerasdoctor.render.redact import Redaction
from kerasdoctor.render.shells import Shell
from kerasdoctor.render.table import counts, legacy_keras_note, shell_of

#: The info string of a fenced block of fix commands, by shell (GitHub highlights these).
_FENCE = {Shell.BASH: "sh", Shell.POWERSHELL: "powershell", Shell.CMD: "bat"}

__all__ = [
    "VerdictRow",
    "backend_text",
    "markdown",
    "render",
    "summary_line",
    "used_lines",
    "verdict_rows",
]


def render(
    report: Report, *, width: int = 100, color: bool = False, shell: Shell | None = None
) -> str:
    """The Markdown report, redacted for the person running kerasdoctor.

    ``width`` and ``color`` are ignored: Markdown is not wrapped, and has no colour.
    """
    return markdown(report, Redaction.of_this_process(), shell=shell)


# -- what both report views show ------------------------------------------------------------


@dataclass(frozen=True)
class VerdictRow:
    """One line tried, as the report tables show it."""

    symbol: str
    line: str  # the import line, whole
    mark: str  # "✓" works, "~" private line that works, "!" imports but unusable, "✗" fails
    result: str  # what it gave (for a line that works), else the error's first line
    is_error: bool  # ``result`` is an error text (shown as code), not a description


def _first_line(text: str) -> str:
    stripped = text.strip()
    return stripped.splitlines()[0] if stripped else text


def _outcome_row(outcome: ProbeOutcome) -> VerdictRow:
    candidate = outcome.candidate
    symbol, line = candidate.symbol, candidate.import_line
    if outcome.works and outcome.usable is False:
        use = outcome.use
        why = use.how if use is not None else "its use check"
        if use is not None and use.error is not None:
            why = f"{use.error.type}: {_first_line(use.error.message)}"
        return VerdictRow(symbol, line, "!", f"imports, but unusable: {why}", True)
    if outcome.works:
        resolved = outcome.resolved
        gave = f"{resolved.qualname} in {resolved.module}" if resolved else "works"
        if outcome.distribution:
            gave += f" ({outcome.distribution})"
        if not candidate.is_public:
            gave = f"private line; {gave}"
        return VerdictRow(symbol, line, "✓" if candidate.is_public else "~", gave, False)
    if outcome.method == "find_spec":
        return VerdictRow(
            symbol, line, "✗", f"No module named '{candidate.top_level}' (not installed)", True
        )
    error = outcome.error
    text = f"{error.type}: {_first_line(error.message)}" if error else outcome.status.value
    if outcome.status in (Status.TIMEOUT, Status.CRASHED):
        text = f"{outcome.status.value}: {outcome.exit_detail or text}"
    return VerdictRow(symbol, line, "✗", text, True)


def verdict_rows(report: Report) -> list[VerdictRow]:
    """Every line tried, symbol by symbol, in the order they were ranked."""
    return [_outcome_row(o) for symbol in report.symbols for o in report.probes_for(symbol)]


def used_lines(report: Report) -> list[str]:
    """The lines to paste, one statement per module (as ``check`` prints them)."""
    pairs = [(s.candidate.module, s.candidate.name) for s in report.suggestions if s.candidate]
    return merged(pairs)


def backend_text(report: Report) -> str:
    """The backend Keras 3 / keras-core would load here, and what sets it."""
    target = report.target
    dists = knowledge.multibackend_dists(target)
    backend, how = configured_backend(target)
    if not dists:
        return "none: no Keras 3 or keras-core installed"
    return f"{backend} ({how})"


def summary_line(report: Report) -> str:
    """The one line a collapsed report shows: verdict per symbol, counts, Python, versions."""
    verdicts = ", ".join(
        f"{s.symbol} {'✓' if s.candidate is not None else '✗'}" for s in report.suggestions
    )
    dists = ", ".join(f"{d.name} {d.version}" for d in report.target.distributions)
    return " · ".join(
        part
        for part in (
            f"kerasdoctor {report.kerasdoctor_version} report",
            verdicts,
            counts(report.findings),
            f"Python {report.target.python_version}",
            dists or "no TensorFlow or Keras installed",
        )
        if part
    )


# -- Markdown --------------------------------------------------------------------------------

#: Characters that Markdown (GitHub's, with its math and strikethrough) would read as markup.
_MARKUP = re.compile(r"([\\`*_<>\[\]$~|#])")
#: Evidence that starts with the line it is about ("from m import X: what it did").
_LEADING_IMPORT = re.compile(r"^(from [\w.]+ import \w+|import [\w.]+)(: .*)$", re.DOTALL)
#: `quoted` spans of messages and evidence: rules put import lines and commands in them.
_SPAN = re.compile(r"(`[^`\n]+`)")


def _escape(text: str) -> str:
    return _MARKUP.sub(r"\\\1", text)


def _prose(text: str, redact: Redaction) -> str:
    """Free text, redacted, on one line; its `quoted` spans stay code, the rest is escaped."""
    flat = " ".join(redact(text).split())
    pieces = _SPAN.split(flat)
    return "".join(_cell_code(p[1:-1]) if _SPAN.fullmatch(p) else _escape(p) for p in pieces)


def _code(text: str) -> str:
    """``text`` as an inline code span, whatever backticks it holds."""
    flat = " ".join(text.split())
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or longest else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def _cell_code(text: str) -> str:
    """A code span that may sit in a table cell: GitHub splits cells at ``|`` even in code."""
    return _code(text).replace("|", "\\|")


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _fence(lines: list[str] | tuple[str, ...], language: str) -> list[str]:
    longest = max((len(run) for line in lines for run in re.findall(r"`{3,}", line)), default=2)
    fence = "`" * (longest + 1)
    return [f"{fence}{language}", *lines, fence]


def _environment(report: Report, redact: Redaction) -> list[str]:
    t = report.target
    variables = ", ".join(_cell_code(f"{k}={redact(v)}") for k, v in t.env) or "none set"
    config = t.keras_config
    keras_json = _cell_code(redact(config.path)) + (
        f": backend {_prose(config.backend or '(unset)', redact)}"
        + (f", unreadable: {_prose(config.error, redact)}" if config.error else "")
        if config.exists
        else " (not present)"
    )
    probed = "from kerasdoctor's cache (nothing changed since)" if report.from_cache else "now"
    rows = [
        (
            "kerasdoctor",
            f"{_escape(report.kerasdoctor_version)} ({report.command}, probed {probed})",
        ),
        (
            "Python",
            f"{_escape(t.python_version)} ({_escape(t.implementation)}) "
            f"{_cell_code(redact(t.python))}, chosen by {_prose(t.chosen_by, redact)}",
        ),
        ("Platform", _cell_code(redact(t.platform))),
        ("Working folder", _cell_code(redact(t.cwd))),
        ("Variables", variables),
        ("keras.json", keras_json),
        ("Keras 3 backend", _prose(backend_text(report), redact)),
    ]
    if report.implementation:
        rows.append(("Suggestions from", _prose(report.implementation, redact)))
    table = ["| | |", "|---|---|", *(f"| {label} | {value} |" for label, value in rows)]
    names = ", ".join(f"`{name}`" for name in knowledge.STEERING_VARIABLES)
    return [*table, "", f"Variables looked at (set ones are shown): {names}."]


def _distributions(report: Report, redact: Redaction) -> list[str]:
    dists = report.target.distributions
    if not dists:
        return ["None of TensorFlow, Keras, tf-keras, keras-core is installed."]
    with_problems = any(d.problems for d in dists)
    head = "| Distribution | Version | Location |" + (" Problems |" if with_problems else "")
    rows = [head, "|---" * head.count(" |") + "|"]
    for d in dists:
        row = f"| {_escape(d.name)} | {_cell_code(d.version)} | {_cell_code(redact(d.location))} |"
        if with_problems:
            row += " " + "; ".join(_prose(p, redact) for p in d.problems) + " |"
        rows.append(row)
    return rows


def _verdicts(report: Report, redact: Redaction) -> list[str]:
    rows = ["| Symbol | Import line | Verdict |", "|---|---|---|"]
    for row in verdict_rows(report):
        result = _cell_code(redact(row.result)) if row.is_error else _prose(row.result, redact)
        mark = _escape(row.mark)
        rows.append(f"| {_escape(row.symbol)} | {_cell_code(row.line)} | {mark} {result} |")
    if len(rows) == 2:
        return ["No line was tried."]
    return [
        *rows,
        "",
        "✓ works · \\~ works, but a private line (may move in any release) · "
        "! imports, but fails when used · ✗ fails",
    ]


def _suggestions(report: Report, redact: Redaction) -> list[str]:
    out: list[str] = []
    lines = used_lines(report)
    if lines:
        out.extend([*_fence(lines, "python"), ""])
    for suggestion in report.suggestions:
        if suggestion.candidate is None:
            out.append(
                f"- ✗ No working line for {_escape(suggestion.symbol)}: "
                f"{_prose(suggestion.reason, redact)}"
            )
            continue
        note = legacy_keras_note(report, suggestion)
        out.append(f"- {_escape(suggestion.symbol)}: {_prose(suggestion.reason, redact)}")
        if note:
            out.append(f"  ({_prose(note, redact)})")
    return out


def _evidence(item: str, redact: Redaction) -> str:
    line = _LEADING_IMPORT.match(item)
    if line is None:
        return _prose(item, redact)
    return _cell_code(line.group(1)) + _prose(line.group(2), redact)


_SEVERITY_MARK = {Severity.ERROR: "✗", Severity.WARNING: "!", Severity.INFO: "i"}


def _finding(finding: Finding, redact: Redaction, shell: Shell) -> list[str]:
    mark = _SEVERITY_MARK[finding.severity]
    out = [
        f"**{mark} {finding.code} {_escape(finding.slug)}** ({finding.severity.value}): "
        f"{_prose(finding.message, redact)}"
    ]
    if finding.evidence:
        out.append("")
        out.extend(f"- {_evidence(item, redact)}" for item in finding.evidence)
    if finding.fix:
        out.append("")
        out.append(
            "Fix (verified by probing again with it applied):" if finding.verified else "Fix:"
        )
        out.append("")
        written = shells.lines(finding.fix, shell)
        if written is None:
            out.append(shells.refusal(finding.fix, shell))
        else:
            out.extend(_fence([redact(line) for line in written], _FENCE[shell]))
    return out


def _findings(report: Report, redact: Redaction, shell: Shell) -> list[str]:
    if not report.findings:
        return ["None."]
    out: list[str] = []
    for finding in report.findings:
        if out:
            out.append("")
        out.extend(_finding(finding, redact, shell))
    return out


def markdown(report: Report, redact: Redaction, *, shell: Shell | None = None) -> str:
    """The report as Markdown, every free text and path passed through ``redact``."""
    parts: list[list[str]] = [
        [redact.note],
        ["### Environment", "", *_environment(report, redact)],
        ["### Distributions", "", *_distributions(report, redact)],
        ["### Lines to use", "", *_suggestions(report, redact)],
        [
            f"### Findings ({counts(report.findings)})",
            "",
            *_findings(report, redact, shell_of(report, shell)),
        ],
        [f"### Lines tried ({len(report.probes)})", "", *_verdicts(report, redact)],
    ]
    body = "\n\n".join("\n".join(part) for part in parts)
    summary = _html(redact(summary_line(report)))
    # GitHub renders Markdown inside <details> only after a blank line below <summary>.
    return f"<details>\n<summary>{summary}</summary>\n\n{body}\n\n</details>\n"
