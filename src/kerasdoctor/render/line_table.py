"""The table of probed import lines in the ``check`` view: grouped by reason, or every line.

The compact table (default) folds the lines that fail for one reason into one row and marks
private lines with :data:`PRIVATE_MARK`; the verbose table shows every line and its full
error. Part of :mod:`kerasdoctor.render.table`.
"""

from __future__ import annotations

from kerasdoctor.models import (
    Origin,
    ProbeOutcome,
    Report,
    Status,
    display_path,
)
from kerasdoctor.render.rows import _Out

#: Mark of a private line that works: it is not the public API (may go in any release).
PRIVATE_MARK = "~"


def _error_text(outcome: ProbeOutcome, full: bool = False) -> str:
    error = outcome.error
    message = f"{error.type}: {error.message}" if error else outcome.status.value
    if outcome.status in (Status.TIMEOUT, Status.CRASHED):
        message = f"{outcome.status.value}: {message}"
    if outcome.method == "find_spec":
        return f"No module named '{outcome.candidate.top_level}' (not installed)"
    stripped = message.strip()
    if full or not stripped:
        return " ".join(stripped.split()) if stripped else message
    return stripped.splitlines()[0]


def _result(outcome: ProbeOutcome) -> str:
    """What a working line gave, in one sentence."""
    resolved = outcome.resolved
    if resolved is None:
        return "works"
    text = f"{resolved.qualname} in {resolved.module}" if resolved.qualname else resolved.module
    provided = outcome.distribution or (display_path(resolved.file) if resolved.file else None)
    return f"{text} ({provided})" if provided else text


def _unusable(outcome: ProbeOutcome, full: bool = True) -> str:
    use = outcome.use
    if use is None:
        return "imports, but unusable"
    why = f"{use.error.type}: {use.error.message}" if use.error else use.how
    if not full:
        why = why.strip().splitlines()[0] if why.strip() else why
    return f"imports, but unusable: {' '.join(why.split())}"


def _symbol_table(out: _Out, report: Report, symbol: str, verbose: bool) -> None:
    outcomes = report.probes_for(symbol)
    out.whole(f"{symbol}: {len(outcomes)} lines tried", "bold")
    if verbose:
        _every_line(out, outcomes)
    else:
        _compact(out, outcomes)


def _every_line(out: _Out, outcomes: tuple[ProbeOutcome, ...]) -> None:
    """One row per line (the line whole), its full result indented under it."""
    for outcome in outcomes:
        if outcome.works and outcome.usable is False:
            out.whole(f"! {outcome.candidate.import_line}", "yellow")
            out.prose(_unusable(outcome), "red", indent="    ")
            continue
        if outcome.works:
            mark = "✓" if outcome.candidate.is_public else PRIVATE_MARK
            out.whole(f"{mark} {outcome.candidate.import_line}", "green" if mark == "✓" else "")
            private = "" if outcome.candidate.is_public else "private line; "
            out.prose(private + _result(outcome), "dim", indent="    ")
            use = outcome.use
            if use is not None and use.usable is None:
                out.prose(f"use {use.how}", "dim", indent="    ")
            continue
        out.whole(f"✗ {outcome.candidate.import_line}", "red")
        out.prose(_error_text(outcome, full=True), "dim", indent="    ")


def _modules(outcomes: list[ProbeOutcome], shown: int = 4) -> str:
    names = [o.candidate.module for o in outcomes]
    more = len(names) - shown
    return (
        ", ".join(names[:shown]) + (f" (+{more} more; -v lists them)" if more > 1 else "")
        if more > 1
        else ", ".join(names)
    )


def _compact(out: _Out, outcomes: tuple[ProbeOutcome, ...]) -> None:
    """Public working lines one per row; private ones and failures grouped by what they gave.

    A failing public line (or the line asked about) keeps its own row; old and private lines
    that fail are grouped by reason when three or more share it, else by exception type
    (``-v`` gives each its own row and full error).
    """
    private: dict[str, list[ProbeOutcome]] = {}
    failing: dict[str, list[ProbeOutcome]] = {}
    own_row = [
        o
        for o in outcomes
        if not o.works
        and o.method != "find_spec"  # a package not installed: one row for all its lines
        and (o.candidate.is_public or o.candidate.origin is Origin.USER)
    ]
    others = [o for o in outcomes if not o.works and o not in own_row]
    shared: dict[str, int] = {}
    for outcome in others:
        shared[_error_text(outcome)] = shared.get(_error_text(outcome), 0) + 1
    for outcome in outcomes:
        reason = _error_text(outcome)
        if outcome.works and outcome.usable is False:
            failing.setdefault(_unusable(outcome, full=False), []).append(outcome)
        elif outcome.works and outcome.candidate.is_public:
            out.whole(f"✓ {outcome.candidate.import_line}", "green")
            out.prose(_result(outcome), "dim", indent="    ")
        elif outcome.works:
            key = outcome.resolved.identity if outcome.resolved else "?"
            private.setdefault(key, []).append(outcome)
        elif outcome in own_row:
            failing.setdefault(f"\0{outcome.candidate.import_line}", []).append(outcome)
        elif outcome.method == "find_spec" or outcome.error is None or shared[reason] >= 3:
            failing.setdefault(reason, []).append(outcome)
        else:
            key = f"{outcome.error.type} (old or private locations)"
            failing.setdefault(key, []).append(outcome)
    for group in private.values():
        if len(group) == 1:
            out.whole(f"{PRIVATE_MARK} {group[0].candidate.import_line}")
            out.prose(f"private line; {_result(group[0])}", "dim", indent="    ")
        else:
            out.prose(
                f"{PRIVATE_MARK} {len(group)} private lines: {_result(group[0])}", "", "    ", ""
            )
            out.prose(f"from {_modules(group)}", "dim", indent="    ")
    for reason, group in failing.items():
        if len(group) == 1:
            out.whole(f"✗ {group[0].candidate.import_line}", "red")
            out.prose(_error_text(group[0]), "dim", "    ")
        else:
            out.prose(f"✗ {len(group)} lines: {reason}", "red", indent="    ", first="")
            if group[0].method != "find_spec":
                out.prose(f"from {_modules(group)}", "dim", indent="    ")
    if private:
        out.prose(
            f"{PRIVATE_MARK} private: works here, but not a public API (may move in any release)",
            "dim",
        )


# -- the closing lines ----------------------------------------------------------------------
