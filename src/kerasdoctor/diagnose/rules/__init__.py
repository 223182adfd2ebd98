"""Findings about the environment: each code's check, bound to the codes registry.

Every code of :mod:`kerasdoctor.codes` judged by the environment has exactly one check
here: a pure function from the :class:`Facts` (target, outcomes, suggestions) to proposed
findings, in the module of its area (imports, backend, distributions, paths,
implementations), with the predicates they share in :mod:`.facts`. :func:`propose` runs
them all in code order; :func:`kerasdoctor.diagnose.verify.verify` then proves the fixes
that only change the environment.

A healthy environment must stay quiet (no warning, no error): every rule fires only on a
fact it can point to (a failed probe, a broken declared requirement, a file on the path),
never on a guess. Informational findings (``info``) may note harmless oddities.
"""

from __future__ import annotations

from collections.abc import Mapping

from kerasdoctor import codes
from kerasdoctor.diagnose.rules import backend, distributions, implementations, imports, paths
from kerasdoctor.diagnose.rules.facts import Facts
from kerasdoctor.diagnose.rules.proposals import EnvCheck, Proposal, Rule
from kerasdoctor.models import Severity

__all__ = ["CHECKS", "RULES", "EnvCheck", "Facts", "Proposal", "Rule", "check", "propose"]

_FAMILIES = (imports, backend, distributions, paths, implementations)


def _bind() -> dict[str, Rule]:
    """Each environment code's check, in code order; a code without one is a bug."""
    found: dict[str, Rule] = {}
    for family in _FAMILIES:
        for code, rule in family.CHECKS.items():
            entry = codes.get(code)  # KeyError: a check for an unregistered code
            if entry.area.key != family.__name__.rsplit(".", 1)[-1] or code in found:
                raise RuntimeError(f"rules: {code}'s check is not in its area's module")
            found[code] = rule
    wanted = [c.code for c in codes.judged_by(codes.Judge.ENVIRONMENT)]
    if sorted(found) != wanted:
        raise RuntimeError(f"rules: checks {sorted(found)} do not match the registry {wanted}")
    return {code: found[code] for code in wanted}


#: The table: every environment code -> its check, in code order.
CHECKS: Mapping[str, Rule] = _bind()
#: The checks in code order (what :func:`propose` runs).
RULES: tuple[Rule, ...] = tuple(CHECKS.values())

_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def check(code: str) -> Rule:
    """The check of an environment code (KeyError for any other)."""
    return CHECKS[code]


def propose(facts: Facts) -> tuple[Proposal, ...]:
    """Every check's proposals, in code order, errors before warnings within a code."""
    proposals: list[Proposal] = []
    for rule in RULES:
        proposals.extend(rule(facts))
    order = {id(p): i for i, p in enumerate(proposals)}
    return tuple(
        sorted(
            proposals,
            key=lambda p: (p.finding.code, _SEVERITY_ORDER[p.finding.severity], order[id(p)]),
        )
    )
