"""The choice: which working line to recommend for each symbol.

Documented in docs/choosing.md. In short:

1. Only lines that worked in a fresh interpreter of the target and whose use check did not
   fail are eligible (a placeholder that imports but raises when used is never chosen).
2. One implementation serves every symbol, so that the objects fit together: the class that
   ``tensorflow.keras`` gives when TensorFlow is installed and ``tensorflow.keras`` works
   (tf_keras under ``TF_USE_LEGACY_KERAS=1``, Keras 3 with TF >= 2.16, Keras 2 with TF
   2.6-2.15); otherwise Keras 3's ``keras``, then ``tf_keras``, then ``keras_core``.
   ``--prefer ROOT`` puts that root first.
3. Among the lines that give exactly that object: usable before unchecked, public before
   private, the reference root's own line first, then the canonical module before paths
   through ``experimental``, ``dtensor``, ``preprocessing``, ``compat``, ``api``, ``src``,
   ``python``, ``legacy`` or ``_v2`` (:func:`demotion`), then catalogue order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from kerasdoctor.models import (
    Candidate,
    Origin,
    ProbeOutcome,
    Resolved,
    Status,
    Suggestion,
    Target,
)

PREFER_CHOICES: dict[str, str] = {
    "tensorflow": "tensorflow.keras",
    "keras": "keras",
    "tf_keras": "tf_keras",
    "keras_core": "keras_core",
}

ORIGIN_ORDER = {Origin.USER: 0, Origin.PUBLIC: 1, Origin.LEGACY: 2, Origin.DISCOVERED: 3}


@dataclass(frozen=True)
class Reference:
    """The implementation suggestions come from, and how it was picked."""

    root: str | None  # the public root whose lines define it
    top_level: str | None  # the package the classes live in: keras, tf_keras, ...
    distribution: str | None
    why: str

    @property
    def label(self) -> str | None:
        if self.top_level is None:
            return None
        where = self.distribution or self.top_level
        return f"{where} (via {self.root})" if self.root and self.root != self.top_level else where


def root_order(target: Target, prefer: str | None) -> tuple[str, ...]:
    """Roots in the order that decides the implementation."""
    if any("tensorflow" in d.top_level for d in target.distributions):
        order = ["tensorflow.keras", "keras", "tf_keras", "keras_core"]
    else:
        order = ["keras", "tf_keras", "keras_core", "tensorflow.keras"]
    if prefer is not None:
        order.remove(prefer)
        order.insert(0, prefer)
    return tuple(order)


def eligible(outcome: ProbeOutcome) -> bool:
    """Whether a line may be recommended: it worked, and its use check did not fail."""
    return outcome.works and outcome.usable is not False and outcome.resolved is not None


#: Path components that mark a module as a side door to an object the canonical public
#: module also gives (``tensorflow.keras.dtensor.experimental.optimizers`` for ``Adam``,
#: ``tensorflow.keras.preprocessing.sequence`` for ``pad_sequences``).
DEMOTED_PARTS = frozenset(
    {"experimental", "dtensor", "preprocessing", "compat", "api", "src", "python", "legacy"}
)


def demotion(module: str) -> int:
    """How many side-door components ``module`` has below its top-level package."""
    return sum(1 for part in module.split(".")[1:] if part in DEMOTED_PARTS or part.startswith("_"))


def static_order(
    candidate: Candidate, reference_root: str | None, position: int
) -> tuple[int, int, int, int, int]:
    """The part of :func:`line_order` that is known before the line is probed."""
    return (
        0 if candidate.is_public else 1,
        0 if reference_root is not None and candidate.root == reference_root else 1,
        demotion(candidate.module),
        ORIGIN_ORDER[candidate.origin],
        position,
    )


def line_order(
    outcome: ProbeOutcome, reference_root: str | None, position: int
) -> tuple[int, int, int, int, int, int]:
    """Sort key among eligible lines that give the reference object (smallest wins).

    Usable before unchecked, then :func:`static_order`: public before private, the
    reference root's own line first, the canonical module before side doors
    (:func:`demotion`), then by origin, then ``position`` (the line's place in catalogue
    order). Only the first component needs the probe, so the line that ranks first
    statically wins outright when it is usable (the early stop relies on it).
    """
    usable = 0 if outcome.usable is True else 1
    return (usable, *static_order(outcome.candidate, reference_root, position))


def reference_line(
    outcomes: Sequence[ProbeOutcome], root: str, top_level: str | None = None
) -> ProbeOutcome | None:
    """The best-ranked eligible line of ``root`` (giving ``top_level``, when given).

    The reference implementation and, per symbol, the reference object are read from it.
    """
    lines = [
        (o, i)
        for i, o in enumerate(outcomes)
        if o.candidate.root == root
        and eligible(o)
        and (top_level is None or (o.resolved is not None and o.resolved.top_level == top_level))
    ]
    if not lines:
        return None
    return min(lines, key=lambda pair: static_order(pair[0].candidate, root, pair[1]))[0]


def choose_reference(
    target: Target, outcomes: Sequence[ProbeOutcome], prefer: str | None
) -> Reference:
    """The first root (in :func:`root_order`) with a working public line for some symbol."""
    for root in root_order(target, prefer):
        outcome = reference_line(outcomes, root)
        if outcome is not None:
            assert outcome.resolved is not None
            order = ", ".join(root_order(target, None))
            why = (
                f"prefer {root}"
                if prefer == root
                else f"{root} is the first of {order} that works here"
            )
            return Reference(root, outcome.resolved.top_level, outcome.distribution, why)
        if prefer == root:
            return Reference(root, None, None, f"prefer {root}, and no public {root} line works")
    return Reference(None, None, None, "no public Keras line works here")


def suggest(
    target: Target,
    symbols: Sequence[str],
    outcomes: Sequence[ProbeOutcome],
    prefer: str | None = None,
) -> tuple[Reference, tuple[Suggestion, ...]]:
    """One :class:`Suggestion` per symbol (in order), and the reference implementation."""
    reference = choose_reference(target, outcomes, prefer)
    suggestions = tuple(_suggest_one(symbol, outcomes, reference, prefer) for symbol in symbols)
    return reference, suggestions


def _suggest_one(
    symbol: str, outcomes: Sequence[ProbeOutcome], reference: Reference, prefer: str | None
) -> Suggestion:
    mine = [o for o in outcomes if o.candidate.symbol == symbol]
    working = [o for o in mine if o.works]
    eligible_lines = [o for o in working if eligible(o)]
    unanswered = [o for o in mine if not o.is_verdict]
    if not working and unanswered:
        return Suggestion(symbol, None, no_answer_reason(unanswered, outcomes))
    if not working:
        return Suggestion(symbol, None, "no candidate line works in this environment")
    if not eligible_lines:
        return Suggestion(
            symbol,
            None,
            "every line that imports fails its use check (a placeholder or a broken install)",
        )
    order = {id(o): i for i, o in enumerate(mine)}
    identity = _reference_identity(eligible_lines, reference)
    if reference.top_level is not None:
        pool = [
            o
            for o in eligible_lines
            if o.resolved is not None
            and o.resolved.top_level == reference.top_level
            and (identity is None or o.resolved.identity == identity)
        ]
    else:
        pool = []
    note = ""
    if not pool:
        if prefer is not None:
            other = min(eligible_lines, key=lambda o: line_order(o, None, order[id(o)]))
            return Suggestion(
                symbol,
                None,
                f"none from {reference.root}, the preferred family: no {reference.root} line "
                f"gives it here, while other families do (such as: {other.candidate.import_line})",
            )
        pool = eligible_lines
        if reference.top_level is not None:
            note = (
                f"; no line gives it from {reference.top_level}, the implementation the other "
                "symbols come from: do not mix its objects with that one's"
            )

    def rank(o: ProbeOutcome) -> tuple[int, int, int, int, int, int]:
        return line_order(o, reference.root, order[id(o)])

    best = min(pool, key=rank)
    assert best.resolved is not None
    alternatives = tuple(
        o.candidate.import_line
        for o in sorted(pool, key=rank)
        if o is not best
        and o.candidate.is_public
        and o.resolved is not None
        and o.resolved.identity == best.resolved.identity
    )
    if unanswered:
        # A line that timed out might have ranked before the chosen one.
        note += "; " + no_answer_reason(unanswered, outcomes, some_work=True)
    return Suggestion(
        symbol=symbol,
        candidate=best.candidate,
        reason=_reason(best, reference) + note,
        resolved=best.resolved,
        usable=best.usable,
        alternatives=alternatives,
    )


def no_answer_reason(
    unanswered: Sequence[ProbeOutcome],
    outcomes: Sequence[ProbeOutcome],
    *,
    some_work: bool = False,
) -> str:
    """Why lines have no verdict, and the timeout that would let them finish.

    The advice is at least 30 s and at least twice the slowest line that did answer in this
    run (a cold TensorFlow import can take tens of seconds on a busy or slow disk).
    """
    timed_out = [o for o in unanswered if o.status is Status.TIMEOUT or (o.use and o.use.timed_out)]
    other = len(unanswered) - len(timed_out)
    parts = []
    if timed_out:
        deadline = max(o.seconds for o in timed_out)
        parts.append(f"{len(timed_out)} line(s) timed out (no answer within {deadline:.1f} s)")
    if other:
        parts.append(f"{other} probe(s) could not run to the end (see each line)")
    answered = [o.seconds for o in outcomes if o.is_verdict and o.method == "process"]
    slowest = max(answered, default=0.0)
    if answered:
        parts.append(f"the slowest line that answered took {slowest:.1f} s")
    advice = max(30, math.ceil(2 * slowest / 10.0) * 10)
    head = "not every line answered" if some_work else "no line gave an answer"
    return (
        f"{head}: {', '.join(parts)}; this says nothing about the lines: "
        f"run again with a longer timeout (--timeout {advice})"
    )


def _reference_identity(lines: Sequence[ProbeOutcome], reference: Reference) -> str | None:
    """What the reference root's best-ranked line gives for this symbol, if one works."""
    if reference.root is None:
        return None
    best = reference_line(lines, reference.root, reference.top_level)
    return None if best is None or best.resolved is None else best.resolved.identity


def _reason(best: ProbeOutcome, reference: Reference) -> str:
    resolved: Resolved = best.resolved  # type: ignore[assignment]
    parts = ["public API" if best.candidate.is_public else "no public line works; private path"]
    source = best.distribution or "a file outside any installed distribution"
    parts.append(f"gives {resolved.identity} from {source}")
    if reference.root is not None and reference.top_level == resolved.top_level:
        parts.append(f"the implementation {reference.root} gives here")
    if best.use is not None:
        if best.use.usable is True:
            parts.append(f"usable ({best.use.how})")
        else:
            parts.append(f"use check not conclusive ({best.use.how})")
    return "; ".join(parts)
