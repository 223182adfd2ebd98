"""The human view of ``check``: the answer first, the findings that matter, the evidence.

Two depths. The default view (:func:`render`) says which line to use (and how the line the
user asked about fares), the error and warning findings with their fixes, a compact table
in which lines that fail for one reason are one row and private lines are marked, and a
closing count; when nothing works yet but a fix was proven, it ends with that fix and the
line that works once it is applied. :func:`render_verbose` (``-v``) shows every line, every
finding and full errors.

Plain text built row by row (no layout engine): prose is wrapped at spaces and folds long
names after a dot; import lines and shell commands are never wrapped, each on a row of its
own, so that they paste whole at any width. Fix commands are written for one shell
(:mod:`kerasdoctor.render.shells`): the target platform's unless the caller names one; the
header of a fix names the shell when it is not bash. Colour only when asked for (ANSI codes).
"""

from __future__ import annotations

import re

from kerasdoctor import codes
from kerasdoctor.models import (
    Finding,
    FixCommand,
    Origin,
    ProbeOutcome,
    Report,
    Severity,
    Suggestion,
    display_path,
)
from kerasdoctor.render.line_table import PRIVATE_MARK, _error_text, _symbol_table
from kerasdoctor.render.paste import merged
from kerasdoctor.render.rows import _MARK, _Out
from kerasdoctor.render.shells import Shell, lines, refusal

__all__ = [
    "AREAS",
    "PRIVATE_MARK",
    "counts",
    "installed",
    "legacy_keras_note",
    "proven_fix",
    "render",
    "render_verbose",
    "shell_of",
    "strict_note",
    "suggest_explanations",
]

#: The doctor's areas, from the codes registry: finding codes are numbered by area.
AREAS: tuple[codes.Area, ...] = codes.areas(codes.Judge.ENVIRONMENT)


def render(
    report: Report, *, width: int = 100, color: bool = False, shell: Shell | None = None
) -> str:
    """The default ``check`` view."""
    return _view(report, width=width, color=color, verbose=False, shell=shell)


def render_verbose(
    report: Report, *, width: int = 100, color: bool = False, shell: Shell | None = None
) -> str:
    """The ``check -v`` view: every line with its full result, every finding in full."""
    return _view(report, width=width, color=color, verbose=True, shell=shell)


def shell_of(report: Report, shell: Shell | None = None) -> Shell:
    """The shell fix commands are written for: ``shell``, else the target platform's."""
    return shell if shell is not None else Shell.for_platform(report.target.platform)


def _view(report: Report, *, width: int, color: bool, verbose: bool, shell: Shell | None) -> str:
    out = _Out(width, color)
    chosen = shell_of(report, shell)
    _summary(out, report)
    out.blank()
    _answer(out, report, verbose)
    out.blank()
    _findings(out, report.findings, verbose, chosen)
    for symbol in report.symbols:
        out.blank()
        _symbol_table(out, report, symbol, verbose)
    out.blank()
    _closing(out, report, verbose, chosen)
    return out.text()


def _summary(out: _Out, report: Report) -> None:
    """Who was diagnosed, what is installed there, what steers Keras."""
    t = report.target
    out.whole(f"kerasdoctor {report.kerasdoctor_version} · {report.command}", "bold")
    rows: list[tuple[str, str]] = [
        ("Target", f"{display_path(t.python)} (Python {t.python_version}; {t.chosen_by})"),
        ("Installed", installed(report)),
    ]
    settings = [f"{name}={value}" for name, value in t.env if name != "PYTHONPATH"]
    cfg = t.keras_config
    if cfg.exists:
        settings.append(
            f"keras.json backend={cfg.backend or '(unset)'}"
            + (f" [unreadable: {cfg.error}]" if cfg.error else "")
        )
    else:
        settings.append("no keras.json")
    rows.append(("Settings", "; ".join(settings)))
    pythonpath = t.env_var("PYTHONPATH")
    if pythonpath:
        rows.append(("PYTHONPATH", pythonpath))
    rows.append(("Directory", display_path(t.cwd)))
    if report.implementation:
        rows.append(("Implementation", report.implementation))
    if report.from_cache:
        rows.append(("Cache", "result from the cache (nothing changed since it was computed)"))
    pad = max(len(label) for label, _ in rows) + 2
    for label, value in rows:
        out.prose(value, indent=" " * pad, first=label.ljust(pad))


def installed(report: Report) -> str:
    """The distributions, spelled by their normalised (PEP 503) names in every environment."""
    dists = report.target.distributions
    return ", ".join(f"{d.name} {d.version}" for d in dists) or (
        "none of TensorFlow, Keras, tf-keras, keras-core"
    )


# -- the answer -----------------------------------------------------------------------------


def _asked(report: Report, symbol: str) -> ProbeOutcome | None:
    """The outcome of the line the user typed, when they asked about one line."""
    return next(
        (o for o in report.probes_for(symbol) if o.candidate.origin is Origin.USER),
        None,
    )


def _history_hint(report: Report, asked: ProbeOutcome) -> str | None:
    """When a failing line worked in the releases recorded by ``where`` (data only, no probe)."""
    from kerasdoctor.history import installed_versions, worked_hint

    candidate = asked.candidate
    return worked_hint(
        candidate.module, candidate.name, installed_versions(report.target.distributions)
    )


def _answer(out: _Out, report: Report, verbose: bool) -> None:
    """The line to use (merged per module), and the verdict on the line the user asked about."""
    for suggestion in report.suggestions:
        asked = _asked(report, suggestion.symbol)
        if asked is None:
            continue
        if asked.works and asked.usable is not False:
            same = (
                suggestion.candidate is not None
                and suggestion.candidate.import_line == asked.candidate.import_line
            )
            tail = "" if same or suggestion.import_line is None else "; suggested instead:"
            out.prose(f"✓ your line works here{tail}", "bold green")
        elif asked.works:
            why = asked.use.how if asked.use else "its use check"
            out.prose(
                f"✗ your line imports here but fails when used ({why})"
                + ("; use:" if suggestion.import_line else ""),
                "bold red",
            )
        else:
            out.prose(
                f"✗ your line fails here: {_error_text(asked)}"
                + ("; use:" if suggestion.import_line else ""),
                "bold red",
            )
            hint = _history_hint(report, asked)
            if hint is not None:
                out.prose(f"({hint})", "dim", indent="  ")
    working = [s for s in report.suggestions if s.candidate is not None]
    lines = merged([(s.candidate.module, s.candidate.name) for s in working if s.candidate])
    if lines:
        prefix = "→ Use: "
        if len(lines) == 1 and len(prefix) + len(lines[0]) <= out.width:
            out.whole(out._paint(prefix, "bold green") + out._paint(lines[0], "bold"))
        else:
            out.whole("→ Use:", "bold green")
            for row in lines:
                out.whole(row, "bold")
    for suggestion in report.suggestions:
        if suggestion.candidate is None:
            out.prose(f"✗ No working line for {suggestion.symbol}: {suggestion.reason}", "bold red")
            continue
        if verbose:
            out.prose(f"{suggestion.symbol}: {suggestion.reason}", "dim", indent="  ", first="  ")
            if suggestion.alternatives:
                out.whole("  same object:", "dim")
                for alternative in suggestion.alternatives:
                    out.whole(f"    {alternative}", "dim")
        note = legacy_keras_note(report, suggestion)
        if note:
            out.prose(note, "yellow", indent="  ", first="  ")


def _version(text: str) -> tuple[int, ...]:
    numbers = re.findall(r"\d+", text)[:2]
    return tuple(int(n) for n in numbers)


def legacy_keras_note(report: Report, suggestion: Suggestion) -> str | None:
    """Why a ``tensorflow.keras`` line gives Keras 3 although tf-keras is installed."""
    candidate = suggestion.candidate
    if candidate is None or not (
        candidate.module == "tensorflow.keras" or candidate.module.startswith("tensorflow.keras.")
    ):
        return None
    target = report.target
    if target.dist("tf-keras") is None or target.env_var("TF_USE_LEGACY_KERAS") is not None:
        return None
    tensorflow = next(
        (d for d in target.distributions if d.name in ("tensorflow", "tensorflow-cpu")),
        None,
    )
    if tensorflow is None or _version(tensorflow.version) < (2, 16):
        return None
    return (
        "tensorflow.keras gives Keras 3 here because TF_USE_LEGACY_KERAS is not set; "
        "with TF_USE_LEGACY_KERAS=1 it gives tf_keras"
    )


# -- findings --------------------------------------------------------------------------------


_LEADING_IMPORT = re.compile(r"^(from [\w.]+ import \w+)(\W.*)$")


def _commands(out: _Out, commands: tuple[FixCommand, ...], shell: Shell, indent: str) -> None:
    """A fix's commands, one whole row each; or why they cannot be written for ``shell``."""
    written = lines(commands, shell)
    if written is None:
        out.prose(refusal(commands, shell), "yellow", indent=indent)
        return
    for command in written:
        out.whole(f"{indent}{command}", "" if indent else "bold")


def _finding(out: _Out, finding: Finding, verbose: bool, shell: Shell) -> None:
    mark, style = _MARK[finding.severity]
    out.prose(
        f"{mark} {finding.code} {finding.slug}: {finding.message}",
        style if finding.severity is not Severity.INFO else "",
        indent="      ",
        first="  ",
    )
    evidence = finding.evidence if verbose else finding.evidence[-1:] if finding.verified else ()
    for item in evidence:
        line = _LEADING_IMPORT.match(item)
        if line:  # "from m import X: what it did": the line whole on a row of its own
            out.whole(f"      {line.group(1)}", "dim")
            out.prose(line.group(2).lstrip(" :"), "dim", indent="          ")
        else:
            out.prose(item, "dim", indent="        ", first="      ")
    if finding.fix:
        notes = ["verified"] if finding.verified else []
        if shell is not Shell.BASH:
            notes.append(shell.title)
        out.whole(f"      fix ({', '.join(notes)}):" if notes else "      fix:", "bold")
        # Leading blanks paste harmlessly into bash, PowerShell and cmd alike.
        _commands(out, finding.fix, shell, "        ")


def _findings(out: _Out, findings: tuple[Finding, ...], verbose: bool, shell: Shell) -> None:
    """Doctor-style: a mark per area; the default view hides quiet areas and info findings."""
    shown = [f for f in findings if verbose or f.severity is not Severity.INFO]
    info = [f for f in findings if f.severity is Severity.INFO]
    if not shown:
        out.whole(f"✓ Findings: none of {len(AREAS)} areas has an error or warning", "green")
    else:
        out.whole("Findings", "bold")
    for area in AREAS:
        mine = [f for f in shown if codes.area_of(f.code) == area]
        if not mine:
            if verbose:
                out.whole(f"✓ {area.title}", "green")
            continue
        worst = min(mine, key=lambda f: list(Severity).index(f.severity)).severity
        mark, style = _MARK[worst]
        out.whole(f"{mark} {area.title}", style)
        for finding in mine:
            _finding(out, finding, verbose, shell)
    if info and not verbose:
        names = ", ".join(sorted({f.code for f in info}))
        noun = "finding" if len(info) == 1 else "findings"
        out.prose(f"i {len(info)} info {noun} ({names}); -v shows them", "cyan")


# -- the table of lines ---------------------------------------------------------------------


def counts(findings: tuple[Finding, ...]) -> str:
    """ "1 error, 2 warnings" (and the info findings, when there are any)."""

    def n(count: int, noun: str) -> str:
        return f"{count} {noun}" + ("" if count == 1 else "s")

    errors = sum(f.severity is Severity.ERROR for f in findings)
    warnings = sum(f.severity is Severity.WARNING for f in findings)
    infos = sum(f.severity is Severity.INFO for f in findings)
    text = f"{n(errors, 'error')}, {n(warnings, 'warning')}"
    return text + (f", {infos} info" if infos else "")


_WORKS = re.compile(r"`(from [\w.]+ import \w+)` works")


def proven_fix(report: Report) -> tuple[tuple[FixCommand, ...], tuple[str, ...]] | None:
    """The commands of a verified fix, and the lines its proof shows working."""
    for finding in report.findings:
        if finding.verified and finding.fix:
            works = tuple(m for item in finding.evidence for m in _WORKS.findall(item))
            return finding.fix, works
    return None


def _closing(out: _Out, report: Report, verbose: bool, shell: Shell) -> None:
    missing = [s.symbol for s in report.suggestions if s.candidate is None]
    out.whole(counts(report.findings), "bold")
    if not missing:
        return
    fix = proven_fix(report)
    if fix is None:
        out.prose(f"✗ No working line for {', '.join(missing)} in this environment", "bold red")
        return
    commands, works = fix
    out.prose(
        f"✗ No working line for {', '.join(missing)} yet; this verified fix makes "
        + ("it work:" if len(missing) == 1 else "them work:"),
        "bold red",
    )
    _commands(out, commands, shell, "")
    if works:
        out.whole("then use:", "bold green")
        pairs = [tuple(line[5:].split(" import ")) for line in works]
        for row in merged([(p[0], p[1]) for p in pairs]):
            out.whole(row, "bold")


def strict_note(report: Report) -> str:
    """The last line when ``--strict`` alone makes the run fail."""
    return f"exit 1 because of --strict: {counts(report.findings)}\n"


def suggest_explanations(
    report: Report, *, width: int = 100, color: bool = False, shell: Shell | None = None
) -> str:
    """``suggest``'s stderr: why each line was chosen, and what is wrong when none works."""
    out = _Out(width, color)
    for suggestion in report.suggestions:
        if suggestion.import_line is None:
            out.prose(f"✗ {suggestion.symbol}: {suggestion.reason}", "red")
        else:
            out.prose(f"{suggestion.symbol}: {suggestion.reason}", "dim")
        note = legacy_keras_note(report, suggestion)
        if note:
            out.prose(note, "yellow", indent="  ", first="  ")
    if report.findings:
        _findings(out, report.findings, verbose=False, shell=shell_of(report, shell))
    return out.text() if out.rows else ""
