"""``kerasdoctor where``: a symbol's recorded history as a text table or a JSON document.

Pure functions from :class:`kerasdoctor.history.WhereAnswer` to a string; the CLI prints.
Plain text (no rich) so that ``where`` stays fast.
"""

from __future__ import annotations

import json
from typing import Any

from kerasdoctor.history import LineHistory, WhereAnswer, spans

#: Version of the ``where --json`` document (schema: kerasdoctor/schema/where.schema.json).
WHERE_SCHEMA_VERSION = 1


def _implementations(line: LineHistory) -> str:
    runs = spans(line, by_implementation=True)
    return " → ".join(f"{run.implementation} ({run.text})" for run in runs)


def _works(line: LineHistory) -> str:
    found = spans(line)
    if not found:
        return "never (in the sampled releases)"
    return f"{line.distribution} " + ", ".join(run.text for run in found)


def render_text(answer: WhereAnswer) -> str:
    """One row per line: where it worked (sampled releases), public/private, implementation."""
    header = ("import line", "worked in (sampled releases)", "api", "implementation")
    rows = [
        (
            line.statement,
            _works(line),
            "public" if line.public else "private",
            _implementations(line),
        )
        for line in answer.lines
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
    out = []
    for row in [header, *rows]:
        cells = [row[i].ljust(widths[i]) for i in range(3)]
        out.append("  ".join([*cells, row[3]]).rstrip())
    out.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * len(header[3]))
    dists = sorted({line.distribution for line in answer.lines})
    out.append("")
    for dist in dists:
        versions = answer.history.sampled(dist)
        out.append(f"sampled {dist} (Python): {', '.join(versions)}")
    if answer.history.failed:
        names = ", ".join(f.name for f in answer.history.failed)
        out.append(f"tried but not installable here (not sampled): {names}")
    out.append("A range covers the sampled releases listed above, never a release not sampled.")
    return "\n".join(out) + "\n"


def to_document(answer: WhereAnswer) -> dict[str, Any]:
    """The ``--json`` document (see docs/where.md and the schema)."""
    history = answer.history
    return {
        "schema_version": WHERE_SCHEMA_VERSION,
        "query": answer.query,
        "symbol": answer.name,
        "lines": [
            {
                "statement": line.statement,
                "module": line.module,
                "name": line.name,
                "public": line.public,
                "distribution": line.distribution,
                "worked": [{"first": s.first, "last": s.last} for s in spans(line)],
                "implementations": [
                    {"implementation": s.implementation, "first": s.first, "last": s.last}
                    for s in spans(line, by_implementation=True)
                ],
                "releases": [
                    {
                        "version": o.version,
                        "python": o.python,
                        "works": o.implementation is not None,
                        "implementation": o.implementation,
                    }
                    for o in line.outcomes
                ],
            }
            for line in answer.lines
        ],
        "samples": [
            {
                "name": s.name,
                "python": s.python,
                "subjects": dict(s.subjects),
                "installed": dict(s.installed),
            }
            for s in history.samples
        ],
        "failed_installs": [
            {
                "name": f.name,
                "python": f.python,
                "requirements": list(f.requirements),
                "reason": f.reason,
            }
            for f in history.failed
        ],
    }


def render_json(answer: WhereAnswer) -> str:
    return json.dumps(to_document(answer), indent=2, ensure_ascii=False) + "\n"
