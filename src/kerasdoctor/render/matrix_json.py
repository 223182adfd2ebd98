"""The multi-target JSON document (``document: "matrix"``, its own ``schema_version``).

Specified by ``kerasdoctor/schema/matrix.schema.json`` (docs/json-schema.md). Single-target
documents are unchanged; a matrix document is told apart by ``document`` and ``targets``.
It keeps the familiar top-level ``suggestions`` (one per symbol: ``import_line`` works in
every target, or null) and adds each target's own single-target report parts and probes.
"""

from __future__ import annotations

import json
from typing import Any

from kerasdoctor.multi.model import MatrixReport
from kerasdoctor.render import json_document

MATRIX_SCHEMA_VERSION = 1


def report_to_dict(report: MatrixReport) -> dict[str, Any]:
    """The whole document as plain JSON-able data."""
    targets = []
    for run in report.runs:
        single = json_document.report_to_dict(run.report)
        targets.append(
            {
                "label": run.label,
                "spec": run.spec,
                "env": dict(run.env),
                "target": single["target"],
                "distributions": single["distributions"],
                "implementation": single["implementation"],
                "suggestions": single["suggestions"],
                "findings": single["findings"],
                "probes": single["probes"],
                "extra_probes": [json_document.probe_to_dict(p) for p in run.extra],
                "from_cache": run.report.from_cache,
            }
        )
    return {
        "document": "matrix",
        "schema_version": MATRIX_SCHEMA_VERSION,
        "kerasdoctor_version": report.kerasdoctor_version,
        "command": report.command,
        "symbols": list(report.symbols),
        "suggestions": [
            {
                "symbol": c.symbol,
                "import_line": c.import_line,
                "reason": c.reason,
                "lines": dict(c.lines),
            }
            for c in report.common
        ],
        "targets": targets,
        "from_cache": report.from_cache,
        "seconds": round(report.seconds, 3),
    }


def render(report: MatrixReport) -> str:
    """The document as text (one JSON object, newline-terminated)."""
    return json.dumps(report_to_dict(report), indent=2, ensure_ascii=True) + "\n"
