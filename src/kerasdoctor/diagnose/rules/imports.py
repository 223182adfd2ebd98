"""KD001: no import line gives a usable symbol."""

from __future__ import annotations

from kerasdoctor import knowledge
from kerasdoctor.diagnose import fixes, rank
from kerasdoctor.diagnose.rules.facts import Facts, error_text, importable
from kerasdoctor.diagnose.rules.proposals import Proposal, Rule, finding
from kerasdoctor.models import FixCommand


def kd001_no_working_import(facts: Facts) -> list[Proposal]:
    """KD001: no candidate line gives a usable symbol."""
    target = facts.target
    nothing_installed = not any(
        d.name in knowledge.KERAS_DISTRIBUTIONS or d.name in knowledge.TENSORFLOW_DISTRIBUTIONS
        for d in target.distributions
    ) and not any(importable(target, top) for top in knowledge.KERAS_TOPS)
    found: list[Proposal] = []
    for suggestion in facts.suggestions:
        if suggestion.candidate is not None:
            continue
        mine = [o for o in facts.outcomes if o.candidate.symbol == suggestion.symbol]
        evidence = [
            f"{o.candidate.import_line}: {error_text(o)}"
            for o in mine
            if o.error is not None and o.candidate.is_public
        ]
        if any(not o.is_verdict for o in mine) and not any(o.works for o in mine):
            # Lines that timed out have no verdict: "no line works" would be untrue.
            message = f"no verdict for {suggestion.symbol}: {suggestion.reason}"
        elif any(rank.eligible(o) for o in mine):
            # --prefer asked for a family that does not give it; other families do.
            message = f"no line of the preferred family gives {suggestion.symbol}: "
            message += suggestion.reason
        else:
            message = f"no import line gives a usable {suggestion.symbol}: {suggestion.reason}"
        fix: tuple[FixCommand, ...] = ()
        if nothing_installed:
            # With no Keras at all, TensorFlow is the one install after which every public
            # root but tf_keras/keras_core works: it brings Keras 3 and is its default backend.
            message += (
                "; neither Keras nor TensorFlow is installed: the fix installs TensorFlow, "
                "which brings Keras 3 and is its default backend"
            )
            fix = (fixes.install(target, ["tensorflow"]),)
        found.append(
            Proposal(
                finding("KD001", message, evidence=evidence, fix=fix, symbol=suggestion.symbol)
            )
        )
    return found


CHECKS: dict[str, Rule] = {"KD001": kd001_no_working_import}
