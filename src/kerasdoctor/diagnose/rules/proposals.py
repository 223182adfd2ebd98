"""What a rule returns: a proposed finding, and the check that can prove its fix.

A rule whose fix only changes the environment (a variable, the working directory) attaches
an :class:`EnvCheck`: :mod:`kerasdoctor.diagnose.verify` probes again with the change
applied and marks the finding ``verified`` only when that proves the fix. Fixes that
install or remove packages cannot be proven without changing the environment, which
kerasdoctor never does; their messages say what they will change instead.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kerasdoctor import codes
from kerasdoctor.diagnose.rules.facts import Facts
from kerasdoctor.models import Finding, FixCommand, Severity

_MAX_EVIDENCE = 6  # verification adds one more line


@dataclass(frozen=True)
class EnvCheck:
    """An environment-only fix, to be proven by probing again with it applied."""

    #: variables to set (a value) or unset (None) for the new probes
    variables: tuple[tuple[str, str | None], ...] = ()
    #: probe from an empty folder instead of the working directory
    empty_cwd: bool = False
    #: each of these symbols must then have a working line that is not unusable
    symbols: tuple[str, ...] = ()
    #: what the change is, for the evidence line ("with KERAS_BACKEND=torch")
    description: str = ""
    #: what the change does, appended to the message while the change is the fix
    note: str = ""
    #: the fix to offer instead when probing again does not prove the change
    fallback: tuple[FixCommand, ...] = ()
    #: what the fallback changes, appended to the message when it is offered instead
    fallback_note: str = ""


@dataclass(frozen=True)
class Proposal:
    """A finding as a rule proposes it, with the check that can prove its fix."""

    finding: Finding
    check: EnvCheck | None = None

    def unproven(self) -> Finding:
        """The finding with its environment-only fix, not (yet) proven."""
        if self.check is None or not self.check.note:
            return self.finding
        return dataclasses.replace(
            self.finding, message=f"{self.finding.message}; {self.check.note}"
        )


#: A rule: the facts in, the findings of one or more codes out (possibly none).
Rule = Callable[[Facts], list[Proposal]]


def finding(
    code: str,
    message: str,
    *,
    severity: Severity | None = None,
    evidence: Iterable[str] = (),
    fix: Iterable[FixCommand] = (),
    symbol: str | None = None,
) -> Finding:
    """A finding of a registered code; its slug, and its severity unless given, from there."""
    entry = codes.get(code)
    return Finding(
        code=entry.code,
        slug=entry.slug,
        severity=entry.severity if severity is None else severity,
        message=message,
        evidence=tuple(evidence)[:_MAX_EVIDENCE],
        fix=tuple(fix),
        symbol=symbol,
    )
