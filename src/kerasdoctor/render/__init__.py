"""The render stage: pure functions from a :class:`~kerasdoctor.models.Report` to text.

Each output format is one member of :class:`Format` and one module with
``render(report, *, width=100, color=False) -> str``; renderers return strings and never
print. A new format (github, sarif...) is a new member and a new module. Modules are
imported only when their format is used, so that ``kerasdoctor --version`` stays fast.
"""

from __future__ import annotations

import enum
import importlib
from typing import Protocol, cast

from kerasdoctor.models import Report


class Renderer(Protocol):
    def __call__(self, report: Report, *, width: int = 100, color: bool = False) -> str: ...


class Format(enum.Enum):
    """The output formats; the value is the name a user types."""

    TABLE = "table"  # the check view: the answer, findings that matter, a compact table
    VERBOSE = "verbose"  # check -v: every line with its full result, every finding
    JSON = "json"  # one JSON document (docs/json-schema.md)
    SUGGEST = "suggest"  # only the lines to paste

    @property
    def module(self) -> str:
        """The module whose ``render`` produces this format."""
        return _MODULES[self]

    def renderer(self) -> Renderer:
        return cast(Renderer, importlib.import_module(self.module).render)


_MODULES: dict[Format, str] = {
    Format.TABLE: "kerasdoctor.render.table",
    Format.VERBOSE: "kerasdoctor.render.verbose",
    Format.JSON: "kerasdoctor.render.json_document",
    Format.SUGGEST: "kerasdoctor.render.suggest_lines",
}


def render(report: Report, fmt: Format, *, width: int = 100, color: bool = False) -> str:
    """``report`` in format ``fmt``."""
    return fmt.renderer()(report, width=width, color=color)
