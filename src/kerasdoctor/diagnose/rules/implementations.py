"""KD401 and KD402: what the working lines give (which class, and whether it is usable)."""

from __future__ import annotations

from kerasdoctor.diagnose.rules.facts import Facts, explaining_line, listing
from kerasdoctor.diagnose.rules.proposals import Proposal, Rule, finding
from kerasdoctor.models import Origin, ProbeOutcome, Severity

_CLASS_KINDS = ("layer", "model", "class")


def kd401_mixed_implementations(facts: Facts) -> list[Proposal]:
    """KD401: working lines for one symbol give different classes.

    Only the difference is known: whether a model of one implementation rejects objects of
    the other has not been probed (a V1 and a V2 BatchNormalization of TF 2.15 go into one
    tf.keras model), so the finding is information and says no more than that.
    """
    found: list[Proposal] = []
    for symbol in facts.symbols:
        groups: dict[str, list[ProbeOutcome]] = {}
        for outcome in facts.outcomes:
            resolved = outcome.resolved
            if (
                outcome.candidate.symbol != symbol
                or not outcome.works
                or resolved is None
                or resolved.kind not in _CLASS_KINDS
                or outcome.usable is False  # a placeholder: KD402's business
            ):
                continue
            groups.setdefault(resolved.identity, []).append(outcome)
        if len(groups) < 2:
            continue
        public_groups = [g for g in groups.values() if any(o.candidate.is_public for o in g)]
        suggestion = facts.suggestion(symbol)
        chosen = (
            suggestion.resolved.identity
            if suggestion is not None and suggestion.resolved is not None
            else None
        )
        # Name the groups users reach through public lines; private-only classes (V1
        # layers, TF1 legacy layers) are counted, and listed in the evidence.
        shown = public_groups if len(public_groups) >= 2 else list(groups.values())
        parts = []
        for members in shown:
            identity = members[0].resolved.identity if members[0].resolved else "?"
            ordered = sorted(members, key=lambda o: 0 if o.candidate.is_public else 1)
            lines = listing([o.candidate.module for o in ordered[:3]])
            if len(members) > 3:
                lines += f" (+{len(members) - 3})"
            source = members[0].distribution or identity.split(".", 1)[0]
            mark = " (the suggested line's)" if identity == chosen else ""
            parts.append(f"[{lines}] give {identity} from {source}{mark}")
        rest = len(groups) - len(shown)
        message = (
            f"working lines for {symbol} give {len(groups)} different classes; whether a "
            "model of one accepts objects of another was not probed, so import from one "
            "group only: "
            + "; ".join(parts)
            + (f"; {rest} more class{'es' if rest > 1 else ''} from private lines" if rest else "")
        )
        evidence = [
            f"{o.candidate.import_line} -> {identity}"
            for members in [*shown, *(g for g in groups.values() if g not in shown)]
            for o in sorted(members, key=lambda o: 0 if o.candidate.is_public else 1)[:2]
            for identity in [members[0].resolved.identity if members[0].resolved else "?"]
        ]
        found.append(
            Proposal(
                finding("KD401", message, severity=Severity.INFO, evidence=evidence, symbol=symbol)
            )
        )
    return found


def kd402_import_works_use_fails(facts: Facts) -> list[Proposal]:
    """KD402: a line imports, but the object fails its use check."""
    found: list[Proposal] = []
    for symbol in facts.symbols:
        broken = [
            o
            for o in facts.outcomes
            if o.candidate.symbol == symbol and o.works and o.usable is False
        ]
        if not broken:
            continue
        suggestion = facts.suggestion(symbol)
        if suggestion is None or suggestion.candidate is None:
            severity = Severity.ERROR
            instead = "no line gives a usable one here"
        else:
            # Only a line the user named matters by itself: the suggested line works, and a
            # placeholder at a historic or other public location (keras.optimizers.legacy
            # under Keras 3) is a line nobody asked about nor is told to use.
            named = any(o.candidate.origin is Origin.USER for o in broken)
            severity = Severity.WARNING if named else Severity.INFO
            instead = f"use `{suggestion.import_line}` instead"
        evidence = []
        for o in broken:
            use = o.use
            error = use.error if use is not None else None
            # The explaining part: Keras puts a header before the real error of a layer call.
            detail = (
                f"{error.type}: {explaining_line(error.message)}" if error is not None else "failed"
            )
            evidence.append(
                f"{o.candidate.import_line}: {use.how if use is not None else 'used'}: {detail}"
            )
        lines = listing([f"`{o.candidate.import_line}`" for o in broken[:3]])
        verbs = "imports but fails" if len(broken) == 1 else "import but fail"
        message = f"{lines} {verbs} when used; {instead}"
        found.append(
            Proposal(finding("KD402", message, severity=severity, evidence=evidence, symbol=symbol))
        )
    return found


CHECKS: dict[str, Rule] = {
    "KD401": kd401_mixed_implementations,
    "KD402": kd402_import_works_use_fails,
}
