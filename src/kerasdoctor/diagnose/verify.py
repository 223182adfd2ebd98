"""Prove environment-only fixes before offering them: probe again with the change applied.

A fix that only sets or unsets a variable or changes the working directory can be tried
without touching the environment: run the probes again in fresh interpreters with the
change applied. A finding is marked ``verified`` only when the symbols it is about then
have a working, usable line; when the proof fails, its fix falls back to the rule's
alternative (usually an install) and the evidence says what probing again showed.

The probing itself is a callback supplied by the pipeline (:func:`kerasdoctor.api.diagnose`),
so this module decides *what* to prove and how to read the result, and stays testable with
plain data.
"""

from __future__ import annotations

import contextlib
import dataclasses
import tempfile
from collections.abc import Callable, Mapping, Sequence
from typing import Optional

from kerasdoctor.diagnose.rules import EnvCheck, Proposal
from kerasdoctor.models import Candidate, Finding, Origin, ProbeOutcome

# A runtime alias (evaluated on Python 3.9 too), hence Optional rather than `X | None`.
#: Probe again with variables set (a value) or removed (None), from ``cwd`` (None: the
#: target's own working directory); returns one outcome per candidate it chose to run.
Reprobe = Callable[[Mapping[str, Optional[str]], Optional[str]], Sequence[ProbeOutcome]]


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


def verify(proposals: Sequence[Proposal], reprobe: Reprobe | None) -> tuple[Finding, ...]:
    """The findings, with each environment-only fix proven (``verified``) or replaced.

    Identical changes are probed once. Without a ``reprobe`` callback nothing is proven
    and findings keep ``verified=False``.
    """
    results: dict[tuple[tuple[tuple[str, str | None], ...], bool], Sequence[ProbeOutcome]] = {}
    findings: list[Finding] = []
    with contextlib.ExitStack() as stack:
        empty: list[str] = []

        def empty_folder() -> str:
            # One empty folder for every "from elsewhere" proof; removed when all are done.
            if not empty:
                empty.append(stack.enter_context(tempfile.TemporaryDirectory(prefix="kd-cwd-")))
            return empty[0]

        for proposal in proposals:
            check = proposal.check
            if check is None or reprobe is None:
                findings.append(proposal.finding)
                continue
            key = (check.variables, check.empty_cwd)
            if key not in results:
                cwd = empty_folder() if check.empty_cwd else None
                results[key] = tuple(reprobe(dict(check.variables), cwd))
            findings.append(apply(proposal.finding, check, results[key]))
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
