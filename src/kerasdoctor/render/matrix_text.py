"""Text views of a multi-target report: the matrix (``check``) and the common lines (``suggest``).

Rows are the lines tried for a symbol, columns the targets by label; a cell is ✓ (imports
and is usable, or its use was not checked), ! (imports but is unusable), ✗ (fails),
? (no verdict: the probe timed out or could not run) or · (not probed in that target).
Every !, ✗ and ? cell carries a footnote number with the reason, each reason printed once.
"""

from __future__ import annotations

from kerasdoctor.models import ProbeOutcome
from kerasdoctor.multi import common
from kerasdoctor.multi.model import MatrixReport


def _reason(outcome: ProbeOutcome) -> str:
    if outcome.works and outcome.use is not None and outcome.use.usable is False:
        error = outcome.use.error
        detail = f"{error.type}: {error.message}" if error else outcome.use.how
        return _short("imports but unusable: " + detail)
    error = outcome.error
    return _short(f"{error.type}: {error.message}" if error else outcome.status.value)


def _short(text: str, limit: int = 160) -> str:
    """One line: a footnote never spreads an exception's paragraphs over the matrix."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def targets_block(report: MatrixReport) -> list[str]:
    """One line per target: its label, what it is, and its own implementation."""
    out = ["Targets:"]
    for run in report.runs:
        target = run.report.target
        env = "".join(f" {k}={v}" for k, v in run.env)
        implementation = run.report.implementation or "no Keras implementation works"
        out.append(
            f"  {run.label}: {target.python} (Python {target.python_version}){env}"
            f" -> {implementation}"
        )
    return out


def render(report: MatrixReport, *, width: int = 100, color: bool = False) -> str:
    """The ``check`` view: per symbol the matrix, then the line that works everywhere."""
    del width, color  # plain text: the markers carry the meaning
    out = targets_block(report)
    labels = [run.label for run in report.runs]
    for line in report.common:
        symbol = line.symbol
        out.append("")
        candidates = common.rows(report.runs, symbol)
        notes: dict[str, int] = {}
        column = max([len("line"), *(len(c.import_line) for c in candidates)])
        widths = [max(len(label), 4) for label in labels]
        out.append(
            f"{symbol}\n  {'line'.ljust(column)}  "
            + "  ".join(label.ljust(w) for label, w in zip(labels, widths))
        )
        for candidate in candidates:
            cells = []
            for run, w in zip(report.runs, widths):
                outcome = run.outcome(symbol, candidate.import_line)
                mark = common.marker(outcome)
                if outcome is not None and mark in (
                    common.UNUSABLE,
                    common.FAILS,
                    common.NO_VERDICT,
                ):
                    number = notes.setdefault(_reason(outcome), len(notes) + 1)
                    mark = f"{mark}{number}"
                cells.append(mark.ljust(w))
            out.append(f"  {candidate.import_line.ljust(column)}  " + "  ".join(cells).rstrip())
        for reason, number in notes.items():
            out.append(f"    {number}. {reason}")
        if line.import_line is not None:
            out.append(f"  works everywhere: {line.import_line}")
        else:
            out.append("  " + line.reason)
    out.append("")
    out.append(
        "✓ works  ! imports but unusable  ✗ fails  ? no verdict  · not probed in that target"
    )
    return "\n".join(out) + "\n"


def suggest_lines(report: MatrixReport) -> str:
    """What ``suggest`` prints on stdout: the common line of each symbol that has one."""
    lines = [c.import_line for c in report.common if c.import_line is not None]
    return "".join(f"{line}\n" for line in dict.fromkeys(lines))


def suggest_explanations(report: MatrixReport) -> str:
    """What ``suggest`` prints on stderr: why each line, or the split."""
    out = targets_block(report)
    for line in report.common:
        if line.import_line is not None:
            out.append(f"{line.symbol}: {line.import_line}: {line.reason}")
        else:
            out.append(line.reason)
    return "\n".join(out) + "\n"
