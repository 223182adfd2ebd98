"""The early stop of ``suggest``: which lines to probe next, until the answer is certain.

The choice (:mod:`kerasdoctor.diagnose.rank`) ranks a usable public line of the reference
root before anything else. So ``suggest`` probes the public (and the user's own) lines of the
roots in :func:`rank.root_order`, one root at a time; the first root with an eligible line
is the reference, and every symbol whose best line of that root is usable and gives the
reference object is decided: no unprobed line can outrank it. Symbols that are not decided
that way get every candidate probed, exactly as ``check`` would, and are ranked by the same
function. The suggestions are therefore identical to those of a full run (unit tests compare
them on constructed outcomes, integration tests in real environments); only
``alternatives`` and ``probes`` list fewer lines.

:func:`next_batch` is a pure function of the outcomes so far: the pipeline
(:mod:`kerasdoctor.pipeline`) probes what it returns and asks again until it returns nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kerasdoctor.catalogue import CandidateSet
from kerasdoctor.diagnose import rank
from kerasdoctor.models import Candidate, ProbeOutcome, Target


def next_batch(
    target: Target,
    sets: Sequence[CandidateSet],
    done: Mapping[Candidate, ProbeOutcome],
    prefer: str | None,
) -> tuple[Candidate, ...]:
    """The lines to probe next (all at once, in catalogue order); empty once certain.

    For each root, the line of each symbol that ranks first before probing
    (:func:`rank.static_order`: the canonical public module) goes first, alone: when it is
    usable it outranks every other line of its root, and the rest of the root is not probed
    for that symbol.
    """
    for root in rank.root_order(target, prefer):
        stage = [c for s in sets for c in s.candidates if c.root == root]
        if not stage:
            continue
        leaders = [lead for s in sets if (lead := _leader(s, root)) is not None]
        todo = tuple(c for c in leaders if c not in done)
        if todo:
            return todo
        # A symbol whose leader is not usable gets the rest of its lines of this root (the
        # others' unprobed lines rank after their usable leaders: none can be the reference).
        todo = tuple(
            c
            for s in sets
            if (lead := _leader(s, root)) is not None and not _usable(done[lead])
            for c in s.candidates
            if c.root == root and c not in done
        )
        if todo:
            return todo
        probed = [done[c] for c in stage if c in done]
        first = rank.reference_line(probed, root)
        if first is None:
            continue  # nothing of this root works: the next root may be the reference
        assert first.resolved is not None
        undecided = [s for s in sets if not _decided(s, root, first.resolved.top_level, done)]
        return tuple(c for s in undecided for c in s.candidates if c not in done)
    # No root has an eligible line: every symbol gets every line, as in ``check``.
    return tuple(c for s in sets for c in s.candidates if c not in done)


def _leader(candidate_set: CandidateSet, root: str) -> Candidate | None:
    """The symbol's line of ``root`` that ranks first statically (None: the root has none)."""
    lines = [(c, i) for i, c in enumerate(candidate_set.candidates) if c.root == root]
    if not lines:
        return None
    return min(lines, key=lambda pair: rank.static_order(pair[0], root, pair[1]))[0]


def _usable(outcome: ProbeOutcome) -> bool:
    return rank.eligible(outcome) and outcome.usable is True


def _decided(
    candidate_set: CandidateSet, root: str, top: str, done: Mapping[Candidate, ProbeOutcome]
) -> bool:
    """Whether no unprobed line can outrank this symbol's best line of the reference root."""
    leader = _leader(candidate_set, root)
    if leader is not None and leader in done:
        lead = done[leader]
        if _usable(lead) and lead.resolved is not None and lead.resolved.top_level == top:
            # Usable, and first by every other component of rank.line_order: nothing of
            # this root outranks it, and the reference object is the one it gives.
            return True
    root_lines = [c for c in candidate_set.candidates if c.root == root]
    if any(c not in done for c in root_lines):
        return False
    lines = [done[c] for c in root_lines]
    reference = rank.reference_line(lines, root, top)
    if reference is None or reference.resolved is None:
        return False
    identity = reference.resolved.identity
    # As rank.suggest ranks lines giving the reference object: a usable line of this root
    # outranks every line of another root, and every unchecked one.
    return any(
        _usable(o) and o.resolved is not None and o.resolved.identity == identity for o in lines
    )


def outcomes_in_order(
    sets: Sequence[CandidateSet], done: Mapping[Candidate, ProbeOutcome]
) -> tuple[ProbeOutcome, ...]:
    """The probed lines' outcomes in catalogue order (the order reports list them in)."""
    return tuple(done[c] for s in sets for c in s.candidates if c in done)
