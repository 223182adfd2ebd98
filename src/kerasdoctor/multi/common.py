"""The line that works everywhere, and the matrix: pure functions of per-target outcomes.

A line is *common* for a symbol when, in every target, it imports, its use check does not
fail, and it gives the very object that target's own ``suggest`` picks (so code written with
it never mixes two implementations anywhere). The choice looks in two stages, and a
multi-target run probes only what the stage it is in needs:

1. the targets' own lines: the one picked by most targets wins, then :func:`rank.static_order`
   (public before private, canonical module before side doors, catalogue order);
2. every other public line of the symbol, ranked the same way.

Private lines are never common unless some target picks one on its own. The same rule read
from complete documents (``check --json`` of every target) gives the same answer, which is
what makes ``merge`` of CI jobs agree with one multi-target run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from kerasdoctor.diagnose import rank
from kerasdoctor.models import Candidate, ProbeOutcome
from kerasdoctor.multi.model import CommonLine, TargetRun

#: Distributions whose versions decide where Keras symbols live (named in a split).
DECIDING_DISTRIBUTIONS = (
    "tensorflow",
    "tensorflow-cpu",
    "tf-nightly",
    "keras",
    "keras-nightly",
    "tf-keras",
    "keras-core",
    "torch",
    "jax",
)
#: Variables that steer which implementation a line gives (named in a split).
DECIDING_VARIABLES = ("TF_USE_LEGACY_KERAS", "KERAS_BACKEND")

#: Cell markers of the matrix view.
OK, UNUSABLE, FAILS, NO_VERDICT, NOT_PROBED = "✓", "!", "✗", "?", "·"


def rows(runs: Sequence[TargetRun], symbol: str) -> tuple[Candidate, ...]:
    """Every line tried for ``symbol`` in some target, once, in the targets' catalogue order."""
    seen: dict[str, Candidate] = {}
    for run in runs:
        for outcome in run.probes:
            candidate = outcome.candidate
            if candidate.symbol == symbol and candidate.import_line not in seen:
                seen[candidate.import_line] = candidate
    return tuple(seen.values())


def marker(outcome: ProbeOutcome | None) -> str:
    """The cell of one line in one target."""
    if outcome is None:
        return NOT_PROBED
    if not outcome.is_verdict:
        return NO_VERDICT
    if not outcome.works:
        return FAILS
    return UNUSABLE if outcome.usable is False else OK


def good(run: TargetRun, symbol: str, line: str) -> bool | None:
    """Whether ``line`` may serve ``run``'s target (None: no verdict there yet)."""
    own = _own_identity(run, symbol)
    outcome = run.outcome(symbol, line)
    if outcome is None or not outcome.is_verdict:
        return None
    if own is None or not rank.eligible(outcome) or outcome.resolved is None:
        return False
    return outcome.resolved.identity == own


def _own_identity(run: TargetRun, symbol: str) -> str | None:
    for suggestion in run.report.suggestions:
        if suggestion.symbol == symbol and suggestion.resolved is not None:
            return suggestion.resolved.identity
    return None


def stages(runs: Sequence[TargetRun], symbol: str) -> tuple[tuple[Candidate, ...], ...]:
    """The lines of each stage (see the module docstring), in row order."""
    own = {run.own_line(symbol) for run in runs}
    lines = rows(runs, symbol)
    first = tuple(c for c in lines if c.import_line in own)
    second = tuple(c for c in lines if c.is_public and c.import_line not in own)
    return first, second


def missing(run: TargetRun, candidates: Sequence[Candidate]) -> tuple[Candidate, ...]:
    """The lines of ``candidates`` not yet probed in ``run``'s target."""
    return tuple(c for c in candidates if run.outcome(c.symbol, c.import_line) is None)


def choose(runs: Sequence[TargetRun], symbol: str) -> tuple[CommonLine, int]:
    """The common line of ``symbol``, and the stage that decided it (2 when none was found).

    A multi-target run asks again after probing the next stage's missing lines; the
    answer of stage 1 is final as soon as it finds a line.
    """
    own = tuple((run.label, run.own_line(symbol)) for run in runs)
    lost = [label for label, line in own if line is None]
    if lost:
        reason = f"{symbol}: no line works in {_names(lost)} on its own, so none works everywhere"
        return CommonLine(symbol, None, reason, own), 0
    picks = Counter(line for _, line in own)
    position = {c.import_line: i for i, c in enumerate(rows(runs, symbol))}
    for number, stage in enumerate(stages(runs, symbol), start=1):
        fits = [c for c in stage if all(good(run, symbol, c.import_line) for run in runs)]
        if fits:
            best = min(
                fits,
                key=lambda c: (
                    -picks[c.import_line],
                    rank.static_order(c, None, position[c.import_line]),
                ),
            )
            reason = (
                f"works in every target and gives each the object its own suggestion gives "
                f"({_identities(runs, symbol, best.import_line)})"
            )
            return CommonLine(symbol, best.import_line, reason, own), number
    return CommonLine(symbol, None, split(runs, symbol), own), 2


def unanswered(runs: Sequence[TargetRun], symbol: str) -> tuple[str, ...]:
    """Targets where a line of the stages has no verdict (the answer may be incomplete)."""
    lines = [c.import_line for stage in stages(runs, symbol) for c in stage]
    return tuple(
        run.label for run in runs if any(good(run, symbol, line) is None for line in lines)
    )


def split(runs: Sequence[TargetRun], symbol: str) -> str:
    """One short paragraph: which targets split, the line each uses, and what differs."""
    groups: dict[str, list[TargetRun]] = {}
    for run in runs:
        groups.setdefault(run.own_line(symbol) or "", []).append(run)
    uses = "; ".join(
        f"{_names([r.label for r in members])} "
        f"{'use' if len(members) > 1 else 'uses'} `{line}` ({_identity_of(members[0], symbol)})"
        for line, members in groups.items()
    )
    text = f"{symbol}: no single line gives every target its own implementation: {uses}."
    differences = differing(runs)
    if differences:
        text += " They differ in " + "; ".join(differences) + "."
    unknown = unanswered(runs, symbol)
    if unknown:
        text += (
            f" Some lines have no verdict in {_names(list(unknown))} (not probed or timed "
            "out): a complete answer needs every line probed there."
        )
    return text


def differing(runs: Sequence[TargetRun]) -> list[str]:
    """The deciding versions and variables whose values are not the same in every target."""
    found: list[str] = []
    for name in DECIDING_DISTRIBUTIONS:
        values = []
        for run in runs:
            dist = run.report.target.dist(name)
            values.append(dist.version if dist is not None else None)
        if len(set(values)) > 1 and any(values):
            found.append(_values(name, runs, values, absent="not installed"))
    for variable in DECIDING_VARIABLES:
        values = [run.report.target.env_var(variable) for run in runs]
        if len(set(values)) > 1:
            found.append(_values(variable, runs, values, absent="unset"))
    return found


def _values(name: str, runs: Sequence[TargetRun], values: Sequence[str | None], absent: str) -> str:
    by_value: dict[str, list[str]] = {}
    for run, value in zip(runs, values):
        by_value.setdefault(value if value is not None else absent, []).append(run.label)
    return f"{name} " + " vs ".join(f"{v} ({', '.join(labels)})" for v, labels in by_value.items())


def _identity_of(run: TargetRun, symbol: str) -> str:
    return _own_identity(run, symbol) or "nothing"


def _identities(runs: Sequence[TargetRun], symbol: str, line: str) -> str:
    parts = []
    for run in runs:
        outcome = run.outcome(symbol, line)
        resolved = None if outcome is None else outcome.resolved
        parts.append(f"{run.label}: {resolved.identity if resolved else '?'}")
    return "; ".join(parts)


def _names(labels: Sequence[str]) -> str:
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]
