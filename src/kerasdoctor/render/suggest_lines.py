"""``suggest``'s output: only the import lines to paste, one per module (symbols merged).

Plain text, never wrapped or coloured, so that it can be redirected into a source file; an
import past 88 characters is in the parenthesised form formatters give it.
The reasons for the choice are :func:`kerasdoctor.render.table.suggest_explanations`,
which the CLI writes to stderr.
"""

from __future__ import annotations

from kerasdoctor.models import Report
from kerasdoctor.render.paste import merged
from kerasdoctor.render.shells import Shell


def render(
    report: Report, *, width: int = 100, color: bool = False, shell: Shell | None = None
) -> str:
    """One import per module that a suggestion uses; parenthesised past 88 characters."""
    del width, color, shell  # lines to paste are never wrapped, coloured or shell commands
    pairs = [(s.candidate.module, s.candidate.name) for s in report.suggestions if s.candidate]
    return "".join(f"{row}\n" for row in merged(pairs))
