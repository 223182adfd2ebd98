"""``check -v``: every candidate line with its full result, and every finding in full.

The same view as :mod:`kerasdoctor.render.table` at its full depth; a module of its own
so that it is a :class:`~kerasdoctor.render.Format` like the others.
"""

from __future__ import annotations

from kerasdoctor.models import Report
from kerasdoctor.render.shells import Shell
from kerasdoctor.render.table import render_verbose


def render(
    report: Report, *, width: int = 100, color: bool = False, shell: Shell | None = None
) -> str:
    """The verbose ``check`` view."""
    return render_verbose(report, width=width, color=color, shell=shell)
