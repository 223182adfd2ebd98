"""The JSON document: one serialiser for every report, under ``schema_version``.

The shape is specified by ``kerasdoctor/schema/report.schema.json`` (shipped in the
package, documented in docs/json-schema.md); tests validate every ``--json`` output
against it. Add fields freely; renaming or removing one needs a new schema_version.

A finding's ``fix`` lists its commands as text for one shell (the target platform's, or the
one asked for); ``fix_commands`` gives each command with that shell's name and as data (an
argument vector, a variable, a rename) for programs that run it without a shell.
"""

from __future__ import annotations

import json
from typing import Any

from kerasdoctor.models import (
    Distribution,
    ErrorInfo,
    Finding,
    FixCommand,
    MoveAside,
    ProbeOutcome,
    Report,
    Resolved,
    RunCommand,
    Suggestion,
    Target,
)
from kerasdoctor.render import shells
from kerasdoctor.render.shells import Shell

SCHEMA_VERSION = 1


def _error(error: ErrorInfo | None) -> dict[str, Any] | None:
    if error is None:
        return None
    return {"type": error.type, "message": error.message, "where": error.where}


def _resolved(resolved: Resolved | None) -> dict[str, Any] | None:
    if resolved is None:
        return None
    return {
        "kind": resolved.kind,
        "module": resolved.module,
        "qualname": resolved.qualname,
        "file": resolved.file,
        "identity": resolved.identity,
    }


def _distribution(dist: Distribution) -> dict[str, Any]:
    return {
        "name": dist.name,
        "display_name": dist.display_name,
        "version": dist.version,
        "location": dist.location,
        "metadata_path": dist.metadata_path,
        "top_level": list(dist.top_level),
        "requires": list(dist.requires),
        "problems": list(dist.problems),
    }


def _target(target: Target) -> dict[str, Any]:
    return {
        "python": target.python,
        "chosen_by": target.chosen_by,
        "python_version": target.python_version,
        "implementation": target.implementation,
        "platform": target.platform,
        "prefix": target.prefix,
        "cwd": target.cwd,
        "sys_path": list(target.sys_path),
        "env": dict(target.env),
        "keras_config": {
            "path": target.keras_config.path,
            "exists": target.keras_config.exists,
            "backend": target.keras_config.backend,
            "error": target.keras_config.error,
        },
        "has_pip": target.has_pip,
    }


def target_to_dict(target: Target) -> dict[str, Any]:
    """The ``target`` object, shared by the check and scan documents."""
    return _target(target)


def probe_to_dict(outcome: ProbeOutcome) -> dict[str, Any]:
    """One probe, as it appears in the ``probes`` array."""
    candidate = outcome.candidate
    use = outcome.use
    return {
        "symbol": candidate.symbol,
        "import_line": candidate.import_line,
        "module": candidate.module,
        "name": candidate.name,
        "origin": candidate.origin.value,
        "root": candidate.root,
        "public": candidate.is_public,
        "status": outcome.status.value,
        "error": _error(outcome.error),
        "resolved": _resolved(outcome.resolved),
        "distribution": outcome.distribution,
        "usable": outcome.usable if outcome.works else None,
        "use_check": None
        if use is None
        else {"usable": use.usable, "how": use.how, "error": _error(use.error)},
        "seconds": round(outcome.seconds, 3),
        "method": outcome.method,
        "exit_detail": outcome.exit_detail,
        "modules": dict(outcome.modules),
    }


def _suggestion(suggestion: Suggestion) -> dict[str, Any]:
    return {
        "symbol": suggestion.symbol,
        "import_line": suggestion.import_line,
        "module": None if suggestion.candidate is None else suggestion.candidate.module,
        "reason": suggestion.reason,
        "resolved": _resolved(suggestion.resolved),
        "usable": suggestion.usable,
        "alternatives": list(suggestion.alternatives),
    }


def _action(command: FixCommand) -> dict[str, Any]:
    if isinstance(command, RunCommand):
        return {"action": "run", "argv": list(command.argv)}
    if isinstance(command, MoveAside):
        return {
            "action": "move-aside",
            "source": command.source,
            "destination": command.destination,
        }
    return {"action": "set-variable", "name": command.name, "value": command.value}


def _finding(finding: Finding, shell: Shell) -> dict[str, Any]:
    written = shells.write_all(finding.fix, shell)
    texts = [w.text for w in written if w.text is not None]
    return {
        "code": finding.code,
        "name": finding.slug,
        "severity": finding.severity.value,
        "message": finding.message,
        "evidence": list(finding.evidence),
        # Run in order or not at all: a fix one of whose commands this shell cannot carry
        # is given no text (fix_commands says why).
        "fix": texts if len(texts) == len(written) else [],
        "fix_commands": [
            {"shell": w.shell.value, "command": w.text, "problem": w.problem, **_action(w.command)}
            for w in written
        ],
        "verified": finding.verified,
        "symbol": finding.symbol,
    }


def report_to_dict(report: Report, shell: Shell | None = None) -> dict[str, Any]:
    """The whole document, as plain JSON-able data; fixes written for ``shell``
    (default: the target platform's)."""
    chosen = shell if shell is not None else Shell.for_platform(report.target.platform)
    return {
        "schema_version": SCHEMA_VERSION,
        "kerasdoctor_version": report.kerasdoctor_version,
        "command": report.command,
        "target": _target(report.target),
        "distributions": [_distribution(d) for d in report.target.distributions],
        "symbols": list(report.symbols),
        "implementation": report.implementation,
        "prefer": report.prefer,
        "probes": [probe_to_dict(p) for p in report.probes],
        "suggestions": [_suggestion(s) for s in report.suggestions],
        "findings": [_finding(f, chosen) for f in report.findings],
        "from_cache": report.from_cache,
        "seconds": round(report.seconds, 3),
    }


def render(
    report: Report, *, width: int = 100, color: bool = False, shell: Shell | None = None
) -> str:
    """The document as text (one JSON object, newline-terminated; never wrapped or coloured)."""
    del width, color  # a machine-readable document looks the same on every terminal
    # ensure_ascii keeps undecodable file names (lone surrogates) printable on any stdout.
    return json.dumps(report_to_dict(report, shell), indent=2, ensure_ascii=True) + "\n"
