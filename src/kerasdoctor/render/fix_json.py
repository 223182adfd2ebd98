"""The JSON document of ``kerasdoctor fix --format json`` (schema ``fix.schema.json``).

One document: the scan's target and files, then per file the edits (with the diagnostics each
fixes), the refusals with reasons, and the diff; then the diagnostics that remain. Fields may
be added; renaming or removing one needs a new ``schema_version``.
"""

from __future__ import annotations

import json
from typing import Any

from kerasdoctor.fix.report import FileFix, FixReport
from kerasdoctor.scan.diagnostics import Diagnostic

SCHEMA_VERSION = 1


def _diagnostic(d: Diagnostic) -> dict[str, Any]:
    loc = d.location
    fix = d.fix
    return {
        "code": d.code,
        "severity": d.severity.value,
        "path": loc.path,
        "cell": loc.cell,
        "line": loc.line,
        "column": loc.column,
        "end_line": loc.end_line,
        "end_column": loc.end_column,
        "statement": d.statement,
        "message": d.message,
        "fix": None
        if fix is None
        else {
            "applicability": fix.applicability.value,
            "replacement": fix.replacement,
            "resolves_to": fix.resolves_to,
            "note": fix.note,
        },
    }


def _file(fix: FileFix) -> dict[str, Any]:
    return {
        "path": fix.path,
        "status": fix.status.value,
        "reason": fix.reason,
        "written": fix.written,
        "edits": [
            {
                "cell": e.cell,
                "line": e.line,
                "column": e.column,
                "end_line": e.end_line,
                "end_column": e.end_column,
                "old_text": e.old_text,
                "new_text": e.new_text,
                "fixes": [_diagnostic(d) for d in e.diagnostics],
            }
            for e in fix.edits
        ],
        "refused": [
            {"diagnostic": _diagnostic(r.diagnostic), "reason": r.reason} for r in fix.refused
        ],
        "diff": fix.diff,
    }


def document(report: FixReport) -> dict[str, Any]:
    """The JSON-ready dict."""
    from kerasdoctor import __version__

    target = report.scan.target
    return {
        "schema_version": SCHEMA_VERSION,
        "kerasdoctor_version": __version__,
        "target": {"python": target.python, "python_version": target.python_version},
        "root": report.scan.root,
        "write": report.write,
        "unsafe_fixes": report.unsafe,
        "files": [_file(f) for f in report.files],
        "not_fixed": [
            {"diagnostic": _diagnostic(r.diagnostic), "reason": r.reason} for r in report.reasons
        ],
        "remaining": [_diagnostic(d) for d in report.remaining],
        "counts": report.counts,
    }


def render(report: FixReport) -> str:
    return json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"
