"""The human view: environment summary, findings, a table per symbol, the line to use.

Rendered with rich into a string (the CLI prints it). Colour only when asked for: the CLI
asks when stdout is a terminal and ``NO_COLOR`` is unset; width is a parameter so tests
pin it.
"""

from __future__ import annotations

import io

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from kerasdoctor import codes
from kerasdoctor.models import (
    Finding,
    ProbeOutcome,
    Report,
    Severity,
    Status,
    Suggestion,
    display_path,
)

_MARK = {
    Severity.ERROR: ("✗", "bold red"),
    Severity.WARNING: ("!", "bold yellow"),
    Severity.INFO: ("i", "cyan"),
}


def _console(width: int, color: bool) -> Console:
    return Console(
        file=io.StringIO(),
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
        legacy_windows=False,
    )


def _text(console: Console) -> str:
    buffer = console.file
    assert isinstance(buffer, io.StringIO)
    return buffer.getvalue()


def render(report: Report, *, width: int = 100, color: bool = False) -> str:
    """The full ``check`` view."""
    console = _console(width, color)
    console.print(summary(report))
    console.print()
    console.print(findings_view(report.findings))
    for symbol in report.symbols:
        console.print()
        console.print(symbol_table(report.probes_for(symbol), symbol, width))
        suggestion = next((s for s in report.suggestions if s.symbol == symbol), None)
        if suggestion is not None:
            console.print(suggestion_view(suggestion))
    return _text(console)


def summary(report: Report) -> RenderableType:
    """Who was diagnosed, what is installed there, what steers Keras."""
    t = report.target
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    grid.add_row("Target", f"{display_path(t.python)} (Python {t.python_version}; {t.chosen_by})")
    dists = (
        ", ".join(d.label for d in t.distributions)
        or "none of TensorFlow, Keras, tf-keras, keras-core"
    )
    grid.add_row("Installed", dists)
    settings = [f"{name}={value}" for name, value in t.env if name != "PYTHONPATH"]
    cfg = t.keras_config
    if cfg.exists:
        settings.append(
            f"keras.json backend={cfg.backend or '(unset)'}"
            + (f" [unreadable: {cfg.error}]" if cfg.error else "")
        )
    else:
        settings.append("no keras.json")
    grid.add_row("Settings", "; ".join(settings))
    pythonpath = t.env_var("PYTHONPATH")
    if pythonpath:
        grid.add_row("PYTHONPATH", pythonpath)
    grid.add_row("Directory", display_path(t.cwd))
    if report.implementation:
        grid.add_row("Implementation", report.implementation)
    if report.from_cache:
        grid.add_row("Cache", "result from the cache (nothing changed since it was computed)")
    title = Text(f"kerasdoctor {report.kerasdoctor_version} · {report.command}", style="bold")
    return Group(title, grid)


#: The doctor's areas, from the codes registry: finding codes are numbered by area.
AREAS: tuple[codes.Area, ...] = codes.areas(codes.Judge.ENVIRONMENT)


def findings_view(findings: tuple[Finding, ...]) -> RenderableType:
    """Doctor-style: a mark per area (✓ when quiet), each finding with its fix underneath."""
    lines: list[RenderableType] = [Text("Findings", style="bold")]
    for area in AREAS:
        mine = [f for f in findings if codes.area_of(f.code) == area]
        if not mine:
            lines.append(Text(f"✓ {area.title}", style="green"))
            continue
        worst = min(mine, key=lambda f: list(Severity).index(f.severity)).severity
        mark, style = _MARK[worst]
        lines.append(Text(f"{mark} {area.title}", style=style))
        for finding in mine:
            mark, style = _MARK[finding.severity]
            head = Text(f"  {mark} ", style=style)
            head.append(f"{finding.code} {finding.slug}: ", style="bold")
            head.append(finding.message)
            lines.append(head)
            for item in finding.evidence:
                lines.append(Text(f"      {item}", style="dim"))
            if finding.fix:
                label = "fix (verified)" if finding.verified else "fix"
                lines.append(Text(f"      {label}:", style="bold"))
                for command in finding.fix:
                    lines.append(Text(f"        {command}"))
    return Group(*lines)


def _result(outcome: ProbeOutcome) -> Text:
    if outcome.works and outcome.resolved is not None:
        resolved = outcome.resolved
        # "Name in module": the name stays whole; a long module path folds on its own line.
        text = Text(resolved.qualname or resolved.module)
        if resolved.qualname:
            text.append(f" in {resolved.module}", style="dim")
        use = outcome.use
        if use is not None and use.usable is False:
            why = f"{use.error.type}: {use.error.message}" if use.error else use.how
            text.append(f"\nimports, but unusable: {why}", style="red")
        elif use is not None and use.usable is None:
            text.append(f"\nuse {use.how}", style="dim")
        return text
    error = outcome.error
    message = f"{error.type}: {error.message}" if error else outcome.status.value
    if outcome.status in (Status.TIMEOUT, Status.CRASHED):
        message = f"{outcome.status.value}: {message}"
    first = message.strip().splitlines()[0] if message.strip() else message
    return Text(first, style="dim" if outcome.method == "find_spec" else "")


def _mark(outcome: ProbeOutcome) -> Text:
    if outcome.works and outcome.usable is False:
        return Text("!", style="bold yellow")
    if outcome.works:
        return Text("✓", style="bold green")
    return Text("✗", style="red")


def symbol_table(outcomes: tuple[ProbeOutcome, ...], symbol: str, width: int) -> Table:
    """Every candidate line for one symbol and what it did."""
    table = Table(
        title=Text(symbol, style="bold"),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        expand=False,
    )
    table.add_column("", no_wrap=True, width=1)
    table.add_column("import line", overflow="fold", ratio=5)
    table.add_column("result", overflow="fold", ratio=6)
    table.add_column("provided by", overflow="fold", ratio=2)
    # Lines under a top-level package the target does not have at all fail for one reason:
    # one row per missing package keeps the table about what is installed (JSON lists all).
    absent: dict[str, list[ProbeOutcome]] = {}
    for outcome in outcomes:
        if outcome.method == "find_spec":
            absent.setdefault(outcome.candidate.top_level, []).append(outcome)
            continue
        provided: str
        if outcome.works:
            provided = outcome.distribution or (
                display_path(outcome.resolved.file)
                if outcome.resolved and outcome.resolved.file
                else "?"
            )
        else:
            provided = ""
        table.add_row(_mark(outcome), outcome.candidate.import_line, _result(outcome), provided)
    for top, lines in absent.items():
        what = (
            lines[0].candidate.import_line
            if len(lines) == 1
            else (f"{len(lines)} lines: from {top}… import {symbol}")
        )
        table.add_row(
            Text("✗", style="red"),
            what,
            Text(f"No module named '{top}' (not installed)", style="dim"),
            "",
        )
    return table


def suggestion_view(suggestion: Suggestion) -> RenderableType:
    """The line to paste, and why it was chosen."""
    if suggestion.import_line is None:
        return Text(
            f"✗ No working line for {suggestion.symbol}: {suggestion.reason}", style="bold red"
        )
    line = Text("→ Use: ", style="bold green")
    line.append(suggestion.import_line, style="bold")
    why = Text(f"  {suggestion.reason}", style="dim")
    parts: list[RenderableType] = [line, why]
    if suggestion.alternatives:
        parts.append(Text("  same object: " + "; ".join(suggestion.alternatives), style="dim"))
    return Group(*parts)


def suggest_explanations(report: Report, *, width: int = 100, color: bool = False) -> str:
    """``suggest``'s stderr: why each line was chosen, and what is wrong when none works."""
    console = _console(width, color)
    for suggestion in report.suggestions:
        if suggestion.import_line is None:
            console.print(Text(f"✗ {suggestion.symbol}: {suggestion.reason}", style="red"))
        else:
            console.print(Text(f"{suggestion.symbol}: {suggestion.reason}", style="dim"))
    if report.findings:
        console.print(findings_view(report.findings))
    return _text(console)
