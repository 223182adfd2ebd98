"""Prove environment-only fixes before offering them: what to probe again, and what it shows.

A fix that only sets or unsets a variable or changes the working directory can be tried
without touching the environment: run the probes again in fresh interpreters with the
change applied. A finding is marked ``verified`` only when the symbols it is about then
have a working, usable line; when the proof fails, its fix falls back to the rule's
alternative (usually an install) and the evidence says what probing again showed.

Pure functions only: :func:`requests` says which environment changes to probe,
the pipeline (:mod:`kerasdoctor.pipeline`) probes :func:`lines_to_reprobe` under each, and
:func:`conclude` reads the outcomes into findings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kerasdoctor.diagnose.rules import EnvCheck, Proposal
from kerasdoctor.models import Candidate, Finding, Origin, ProbeOutcome


@dataclass(frozen=True)
class ReprobeRequest:
    """One environment change to probe under: identical changes are probed once."""

    #: variables to set (a value) or unset (None)
    variables: tuple[tuple[str, str | None], ...] = ()
    #: probe from an empty folder instead of the target's working directory
    empty_cwd: bool = False


def request_for(check: EnvCheck) -> ReprobeRequest:
    """The change a check needs probed."""
    return ReprobeRequest(check.variables, check.empty_cwd)


def requests(proposals: Sequence[Proposal]) -> tuple[ReprobeRequest, ...]:
    """The distinct changes that prove the proposals' fixes, in the order first needed."""
    wanted = (request_for(p.check) for p in proposals if p.check is not None)
    return tuple(dict.fromkeys(wanted))


def lines_to_reprobe(candidates: Sequence[Candidate]) -> list[Candidate]:
    """The lines worth running again: public and user-named ones (all, for a symbol without).

    A proof needs one usable line per symbol, and the recommendation is always a public
    line when one works; re-running private and historic lines would only cost time.
    """
    chosen: list[Candidate] = []
    symbols = list(dict.fromkeys(c.symbol for c in candidates))
    for symbol in symbols:
        mine = [c for c in candidates if c.symbol == symbol]
        preferred = [c for c in mine if c.is_public or c.origin is Origin.USER]
        chosen.extend(preferred or mine)
    return chosen


def conclude(
    proposals: Sequence[Proposal],
    results: Mapping[ReprobeRequest, Sequence[ProbeOutcome]],
) -> tuple[Finding, ...]:
    """The findings, with each environment-only fix proven (``verified``) or replaced.

    ``results`` holds the outcomes of probing again under each of :func:`requests`; a
    proposal whose change was not probed keeps its fix unproven (``verified=False``).
    """
    findings: list[Finding] = []
    for proposal in proposals:
        check = proposal.check
        outcomes = None if check is None else results.get(request_for(check))
        if check is None or outcomes is None:
            findings.append(proposal.finding)
        else:
            findings.append(apply(proposal.finding, check, outcomes))
    return tuple(findings)


def apply(finding: Finding, check: EnvCheck, outcomes: Sequence[ProbeOutcome]) -> Finding:
    """``finding`` after probing again gave ``outcomes``: verified, or with its fallback."""
    proven, lines = _proves(check, outcomes)
    if proven:
        note = f"probing again {check.description}: " + "; ".join(lines)
        message = f"{finding.message}; {check.note}" if check.note else finding.message
        return dataclasses.replace(
            finding, message=message, verified=True, evidence=(*finding.evidence, note)
        )
    note = f"probing again {check.description} did not fix it: " + "; ".join(lines)
    message = finding.message
    if check.fallback_note:
        message += f"; {check.fallback_note}"
    return dataclasses.replace(
        finding,
        message=message,
        verified=False,
        fix=check.fallback,
        evidence=(*finding.evidence, note),
    )


def _proves(check: EnvCheck, outcomes: Sequence[ProbeOutcome]) -> tuple[bool, list[str]]:
    """Whether every symbol of the check then has a usable line, and what was seen."""
    seen: list[str] = []
    proven = True
    for symbol in check.symbols:
        mine = [o for o in outcomes if o.candidate.symbol == symbol]
        good = [o for o in mine if o.works and o.usable is not False]
        if good:
            best = good[0]
            state = "works and is usable" if best.usable is True else "works"
            seen.append(f"`{best.candidate.import_line}` {state}")
            continue
        proven = False
        if not mine:
            seen.append(f"no line for {symbol} was probed")
            continue
        first = mine[0]
        if first.works:
            seen.append(f"`{first.candidate.import_line}` imports but fails its use check")
        elif first.error is not None:
            seen.append(
                f"`{first.candidate.import_line}` fails: {first.error.type}: {first.error.message}"
            )
        else:
            seen.append(f"`{first.candidate.import_line}` fails ({first.status.value})")
    if not check.symbols:
        proven = False
        seen.append("no symbol to prove it with")
    return proven, seen
