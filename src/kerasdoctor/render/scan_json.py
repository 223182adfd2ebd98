"""The ``scan`` JSON document: files, diagnostics with their fixes, verdicts, a summary.

The shape is specified by ``kerasdoctor/schema/scan.schema.json`` (shipped in the package,
documented in docs/scan.md); tests validate every document against it. ``target`` has the
same shape as in the ``check`` document. Add fields freely; renaming or removing one needs
a new ``schema_version``.
"""

from __future__ import annotations

import json
from typing import Any

from kerasdoctor.render.json_document import probe_to_dict, target_to_dict
from kerasdoctor.scan import outcome
from kerasdoctor.scan.diagnostics import CodeFix, Diagnostic, ScanReport

SCHEMA_VERSION = 1


def _fix(fix: CodeFix | None) -> dict[str, Any] | None:
    if fix is None:
        return None
    return {
        "applicability": fix.applicability.value,
        "replacement": fix.replacement,
        "resolves_to": fix.resolves_to,
        "edits": [
            {
                "line": e.line,
                "column": e.column,
                "end_line": e.end_line,
                "end_column": e.end_column,
                "new_text": e.new_text,
            }
            for e in fix.edits
        ],
        "note": fix.note,
    }


def diagnostic_to_dict(diag: Diagnostic) -> dict[str, Any]:
    """One entry of the ``diagnostics`` array."""
    where = diag.location
    return {
        "code": diag.code,
        "name": diag.slug,
        "severity": diag.severity.value,
        "path": where.path,
        "cell": where.cell,
        "line": where.line,
        "column": where.column,
        "end_line": where.end_line,
        "end_column": where.end_column,
        "statement": diag.statement,
        "message": diag.message,
        "fix": _fix(diag.fix),
        "targets": list(diag.targets),
    }


def report_to_dict(report: ScanReport, *, strict: bool = False) -> dict[str, Any]:
    """The whole document, as plain JSON-able data."""
    counts = outcome.summarize(report)
    return {
        "schema_version": SCHEMA_VERSION,
        "kerasdoctor_version": report.kerasdoctor_version,
        "command": "scan",
        "target": target_to_dict(report.target),
        "root": report.root,
        "files": [
            {"path": f.path, "status": f.status.value, "reason": f.reason} for f in report.files
        ],
        "diagnostics": [diagnostic_to_dict(d) for d in report.diagnostics],
        "verdicts": [
            {"kind": v.kind, "text": v.text, "probe": probe_to_dict(v.outcome)}
            for v in report.verdicts
        ],
        "summary": {
            "errors": counts.errors,
            "warnings": counts.warnings,
            "infos": counts.infos,
            "files": counts.files,
            "files_read": counts.files_read,
            "files_skipped": counts.files_skipped,
            "strict": strict,
            "failed": outcome.fails(report, strict=strict),
        },
        "from_cache": report.from_cache,
        "seconds": round(report.seconds, 3),
    }


def render(
    report: ScanReport, *, width: int = 100, color: bool = False, strict: bool = False
) -> str:
    """The document as text (one JSON object, newline-terminated; never wrapped or coloured)."""
    del width, color  # a machine-readable document looks the same on every terminal
    # ensure_ascii keeps undecodable file names (lone surrogates) printable on any stdout.
    return json.dumps(report_to_dict(report, strict=strict), indent=2, ensure_ascii=True) + "\n"
