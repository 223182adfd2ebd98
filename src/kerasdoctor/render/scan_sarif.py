"""``scan --format sarif``: one SARIF 2.1.0 log with one run, for code scanning upload.

The rules are the scan codes of the registry (:mod:`kerasdoctor.codes`), each with its
docs page named in ``help.text`` (the project has no public URL, so no ``helpUri`` or
``informationUri``). Paths are relative to the scan root, given as ``%SRCROOT%``; columns
count characters (``columnKind: unicodeCodePoints``), as the JSON document's do. SARIF
cannot address a notebook cell: a notebook's result points at line 1 and its message
starts with ``cell N:line:col``; the cell is also in the result's ``properties``. Fixes are
given for ``.py`` files only, for the same reason. Files that were not read become
tool-execution notifications.
"""

from __future__ import annotations

import json
import os
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from kerasdoctor import codes
from kerasdoctor.models import Severity
from kerasdoctor.scan.diagnostics import Diagnostic, FileState, ScanReport

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_ROOT = "%SRCROOT%"


def _uri(path: str) -> str:
    """A relative path as a URI reference (``/`` separators, percent-encoded).

    An undecodable file name keeps its original bytes (``%FF``), through surrogateescape.
    """
    posix = path if os.sep == "/" else path.replace(os.sep, "/")
    return quote(posix, safe="/", errors="surrogateescape")


def _artifact(path: str) -> dict[str, Any]:
    return {"uri": _uri(path), "uriBaseId": _ROOT}


def _rules() -> list[dict[str, Any]]:
    return [
        {
            "id": code.code,
            "name": code.slug,
            "shortDescription": {"text": code.title},
            "defaultConfiguration": {"level": _LEVEL[code.severity]},
            "help": {"text": f"{code.title}. See {code.doc} or `kerasdoctor explain {code.code}`."},
        }
        for code in codes.judged_by(codes.Judge.SCAN)
    ]


def _result(diag: Diagnostic, rule_index: dict[str, int]) -> dict[str, Any]:
    where = diag.location
    message = diag.message
    if where.cell is None:
        region = {
            "startLine": where.line,
            "startColumn": where.column,
            "endLine": where.end_line,
            "endColumn": where.end_column,
        }
    else:
        region = {"startLine": 1}
        message = f"cell {where.cell}:{where.line}:{where.column}: {message}"
    if diag.fix is not None:
        message += f"\nfix ({diag.fix.applicability.value}): {diag.fix.replacement}"
    result: dict[str, Any] = {
        "ruleId": diag.code,
        "level": _LEVEL[diag.severity],
        "message": {"text": message},
        "locations": [
            {"physicalLocation": {"artifactLocation": _artifact(where.path), "region": region}}
        ],
        "properties": {"statement": diag.statement, "cell": where.cell},
    }
    if diag.code in rule_index:
        result["ruleIndex"] = rule_index[diag.code]
    if diag.fix is not None and diag.fix.edits and where.cell is None:
        result["fixes"] = [
            {
                "description": {
                    "text": f"{diag.fix.applicability.value} fix: {diag.fix.replacement}"
                },
                "artifactChanges": [
                    {
                        "artifactLocation": _artifact(where.path),
                        "replacements": [
                            {
                                "deletedRegion": {
                                    "startLine": e.line,
                                    "startColumn": e.column,
                                    "endLine": e.end_line,
                                    "endColumn": e.end_column,
                                },
                                "insertedContent": {"text": e.new_text},
                            }
                            for e in diag.fix.edits
                        ],
                    }
                ],
            }
        ]
    return result


def report_to_dict(report: ScanReport) -> dict[str, Any]:
    """The SARIF log as plain JSON-able data."""
    rules = _rules()
    rule_index = {rule["id"]: i for i, rule in enumerate(rules)}
    notifications = [
        {
            "level": "note" if f.status is FileState.SKIPPED else "warning",
            "message": {"text": f"{f.path}: {f.status.value}: {f.reason or 'no reason given'}"},
            "locations": [{"physicalLocation": {"artifactLocation": _artifact(f.path)}}],
        }
        for f in report.files
        if f.status is not FileState.OK
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "kerasdoctor",
                "version": report.kerasdoctor_version,
                "semanticVersion": report.kerasdoctor_version,
                "rules": rules,
            }
        },
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
        "columnKind": "unicodeCodePoints",
        "results": [_result(d, rule_index) for d in report.diagnostics],
    }
    if report.root.startswith("/"):
        # Lets a viewer find the files on this machine; code scanning uses its checkout.
        base = PurePosixPath(report.root).as_uri()
        run["originalUriBaseIds"] = {_ROOT: {"uri": base if base.endswith("/") else base + "/"}}
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render(
    report: ScanReport, *, width: int = 100, color: bool = False, strict: bool = False
) -> str:
    """The SARIF log as one JSON document (never wrapped or coloured)."""
    del width, color, strict  # SARIF levels carry severity; failing is the exit code's job
    return json.dumps(report_to_dict(report), indent=2, ensure_ascii=True) + "\n"
