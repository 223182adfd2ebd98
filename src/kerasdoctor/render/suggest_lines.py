"""``suggest``'s output: only the import lines to paste, one per module (symbols merged).

Plain text, never wrapped or coloured, so that it can be redirected into a source file.
The reasons for the choice are :func:`kerasdoctor.render.table.suggest_explanations`,
which the CLI writes to stderr.
"""

from __future__ import annotations

from kerasdoctor.models import Report


def render(report: Report, *, width: int = 100, color: bool = False) -> str:
    """One ``from MODULE import NAME[, NAME...]`` line per module that a suggestion uses."""
    del width, color  # lines to paste are never wrapped and carry no colour
    by_module: dict[str, list[str]] = {}
    for suggestion in report.suggestions:
        if suggestion.candidate is None:
            continue
        by_module.setdefault(suggestion.candidate.module, [])
        if suggestion.candidate.name not in by_module[suggestion.candidate.module]:
            by_module[suggestion.candidate.module].append(suggestion.candidate.name)
    return "".join(
        f"from {module} import {', '.join(names)}\n" for module, names in by_module.items()
    )
