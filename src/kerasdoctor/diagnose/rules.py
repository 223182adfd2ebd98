"""Findings: what is wrong with the environment, each with a stable code and a fix.

Each rule is a small pure function from the facts (target, outcomes, suggestions) to
findings; :data:`RULES` registers them in code order. Codes are documented one page each in
docs/codes/ and never renumbered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kerasdoctor.models import Finding, ProbeOutcome, Severity, Suggestion, Target


@dataclass(frozen=True)
class Facts:
    """Everything a rule may look at."""

    target: Target
    symbols: tuple[str, ...]
    outcomes: tuple[ProbeOutcome, ...]
    suggestions: tuple[Suggestion, ...]


Rule = Callable[[Facts], list[Finding]]


def kd001_no_working_import(facts: Facts) -> list[Finding]:
    """KD001: no candidate line gives a usable symbol."""
    found: list[Finding] = []
    for suggestion in facts.suggestions:
        if suggestion.candidate is not None:
            continue
        mine = [o for o in facts.outcomes if o.candidate.symbol == suggestion.symbol]
        evidence = tuple(
            f"{o.candidate.import_line}: {o.error.type}: {o.error.message}"
            for o in mine
            if o.error is not None and o.candidate.is_public
        )[:8]
        found.append(
            Finding(
                code="KD001",
                slug="no-working-import",
                severity=Severity.ERROR,
                message=f"no import line gives a usable {suggestion.symbol}: {suggestion.reason}",
                evidence=evidence,
                symbol=suggestion.symbol,
            )
        )
    return found


RULES: tuple[Rule, ...] = (kd001_no_working_import,)


def run_rules(facts: Facts) -> tuple[Finding, ...]:
    """All findings, in code order, errors before warnings within a code."""
    findings: list[Finding] = []
    for rule in RULES:
        findings.extend(rule(facts))
    return tuple(findings)
