"""Probe only what ``suggest`` needs: stop once the answer is certain.

The choice (:mod:`kerasdoctor.diagnose.rank`) ranks a usable public line of the reference
root before anything else. So ``suggest`` probes the public (and the user's own) lines of the
roots in :func:`rank.root_order`, one root at a time; the first root with an eligible line
is the reference, and every symbol whose best line of that root is usable and gives the
reference object is decided: no unprobed line can outrank it. Symbols that are not decided
that way get every candidate probed, exactly as ``check`` would, and are ranked by the same
function. The suggestions are therefore identical to those of a full run (a test compares
them in real environments); only ``alternatives`` and ``probes`` list fewer lines.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kerasdoctor.catalogue import CandidateSet
from kerasdoctor.diagnose import rank
from kerasdoctor.models import Candidate, ProbeOutcome, Target

#: Probes a batch of candidates (in parallel) and returns their outcomes in order.
ProbeBatch = Callable[[Sequence[Candidate]], Sequence[ProbeOutcome]]


def _eligible(outcome: ProbeOutcome) -> bool:
    return outcome.works and outcome.usable is not False and outcome.resolved is not None


def probe_until_certain(
    target: Target,
    sets: Sequence[CandidateSet],
    probe: ProbeBatch,
    prefer: str | None,
) -> tuple[ProbeOutcome, ...]:
    """Outcomes of the lines that decide the suggestions, in catalogue order."""
    done: dict[Candidate, ProbeOutcome] = {}

    def run(candidates: Sequence[Candidate]) -> None:
        todo = [c for c in candidates if c not in done]
        if todo:
            done.update(zip(todo, probe(todo)))

    undecided = {s.request.name: s for s in sets}
    for root in rank.root_order(target, prefer):
        stage = [c for s in undecided.values() for c in s.candidates if c.root == root]
        if not stage:
            continue
        run(stage)
        first = next((done[c] for c in stage if _eligible(done[c])), None)
        if first is None:
            continue  # nothing of this root works: the next root may be the reference
        assert first.resolved is not None
        top = first.resolved.top_level
        for name, candidate_set in list(undecided.items()):
            lines = [done[c] for c in candidate_set.candidates if c.root == root]
            eligible = [o for o in lines if _eligible(o) and o.resolved is not None]
            same_impl = [o for o in eligible if o.resolved and o.resolved.top_level == top]
            if not same_impl:
                continue
            reference_identity = same_impl[0].resolved.identity if same_impl[0].resolved else ""
            # The same order rank.suggest uses among lines of the reference root.
            best = min(
                same_impl,
                key=lambda o: (
                    0 if o.usable is True else 1,
                    rank.ORIGIN_ORDER[o.candidate.origin],
                    lines.index(o),
                ),
            )
            if (
                best.usable is True
                and best.resolved is not None
                and best.resolved.identity == reference_identity
            ):
                del undecided[name]
        break
    run([c for s in undecided.values() for c in s.candidates])
    return tuple(done[c] for s in sets for c in s.candidates if c in done)
