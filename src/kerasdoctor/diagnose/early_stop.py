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
    """The lines to probe next (all at once, in catalogue order); empty once certain."""
    for root in rank.root_order(target, prefer):
        stage = [c for s in sets for c in s.candidates if c.root == root]
        if not stage:
            continue
        todo = tuple(c for c in stage if c not in done)
        if todo:
            return todo
        first = next((done[c] for c in stage if rank.eligible(done[c])), None)
        if first is None:
            continue  # nothing of this root works: the next root may be the reference
        assert first.resolved is not None
        undecided = [s for s in sets if not _decided(s, root, first.resolved.top_level, done)]
        return tuple(c for s in undecided for c in s.candidates if c not in done)
    # No root has an eligible line: every symbol gets every line, as in ``check``.
    return tuple(c for s in sets for c in s.candidates if c not in done)


def _decided(
    candidate_set: CandidateSet, root: str, top: str, done: Mapping[Candidate, ProbeOutcome]
) -> bool:
    """Whether no unprobed line can outrank this symbol's best line of the reference root."""
    lines = [done[c] for c in candidate_set.candidates if c.root == root]
    same_impl = [
        o for o in lines if rank.eligible(o) and o.resolved and o.resolved.top_level == top
    ]
    if not same_impl:
        return False
    reference_identity = same_impl[0].resolved.identity if same_impl[0].resolved else ""
    # rank.line_order, as rank.suggest applies it to lines of the reference root.
    best = min(same_impl, key=lambda o: rank.line_order(o, root, lines.index(o)))
    return (
        best.usable is True
        and best.resolved is not None
        and best.resolved.identity == reference_identity
    )


def outcomes_in_order(
    sets: Sequence[CandidateSet], done: Mapping[Candidate, ProbeOutcome]
) -> tuple[ProbeOutcome, ...]:
    """The probed lines' outcomes in catalogue order (the order reports list them in)."""
    return tuple(done[c] for s in sets for c in s.candidates if c in done)
