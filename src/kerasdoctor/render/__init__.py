"""The render stage: pure functions from a report to text.

Each output format of ``check``/``suggest`` is one member of :class:`Format` and one module
with ``render(report, *, width=100, color=False, shell=None) -> str`` (``shell``: the
:class:`~kerasdoctor.render.shells.Shell` fix commands are written for; None: the one of the
target's platform); each format of ``scan`` is one
member of :class:`ScanFormat` and one module with ``render(scan_report, *, width=100,
color=False, strict=False) -> str``. The two reports differ (symbols vs. source lines), so
the two enums stay apart: a user can never ask ``check`` for SARIF by accident. Renderers
return strings and never print. A new format is a new member and a new module. Modules are
imported only when their format is used, so that ``kerasdoctor --version`` stays fast.
"""

from __future__ import annotations

import enum
import importlib
from typing import TYPE_CHECKING, Protocol, cast

from kerasdoctor.models import Report
from kerasdoctor.render.shells import Shell

if TYPE_CHECKING:  # check's renderers must not pay for importing the scan package
    from kerasdoctor.scan.diagnostics import ScanReport


class Renderer(Protocol):
    def __call__(
        self, report: Report, *, width: int = 100, color: bool = False, shell: Shell | None = None
    ) -> str: ...


class Format(enum.Enum):
    """The output formats; the value is the name a user types."""

    TABLE = "table"  # the check view: the answer, findings that matter, a compact table
    VERBOSE = "verbose"  # check -v: every line with its full result, every finding
    JSON = "json"  # one JSON document (docs/json-schema.md)
    SUGGEST = "suggest"  # only the lines to paste
    MARKDOWN = "markdown"  # `kerasdoctor report`: Markdown for an issue, personal data left out
    HTML = "html"  # the notebook view (Report._repr_html_), personal data left out

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
    Format.MARKDOWN: "kerasdoctor.render.report_md",
    Format.HTML: "kerasdoctor.render.report_html",
}


def render(
    report: Report,
    fmt: Format,
    *,
    width: int = 100,
    color: bool = False,
    shell: Shell | None = None,
) -> str:
    """``report`` in format ``fmt``, fix commands written for ``shell`` (default: the target's)."""
    return fmt.renderer()(report, width=width, color=color, shell=shell)


class ScanRenderer(Protocol):
    def __call__(
        self, report: ScanReport, *, width: int = 100, color: bool = False, strict: bool = False
    ) -> str: ...


class ScanFormat(enum.Enum):
    """The output formats of ``scan``; the value is the name a user types."""

    TEXT = "text"  # grouped per file, path:line:col: CODE message, a summary line
    JSON = "json"  # one JSON document (kerasdoctor/schema/scan.schema.json)
    GITHUB = "github"  # GitHub Actions workflow commands (annotations)
    SARIF = "sarif"  # SARIF 2.1.0, for code scanning

    @property
    def module(self) -> str:
        """The module whose ``render`` produces this format."""
        return _SCAN_MODULES[self]

    def renderer(self) -> ScanRenderer:
        return cast(ScanRenderer, importlib.import_module(self.module).render)


_SCAN_MODULES: dict[ScanFormat, str] = {
    ScanFormat.TEXT: "kerasdoctor.render.scan_text",
    ScanFormat.JSON: "kerasdoctor.render.scan_json",
    ScanFormat.GITHUB: "kerasdoctor.render.scan_github",
    ScanFormat.SARIF: "kerasdoctor.render.scan_sarif",
}


def render_scan(
    report: ScanReport,
    fmt: ScanFormat,
    *,
    width: int = 100,
    color: bool = False,
    strict: bool = False,
) -> str:
    """The scan ``report`` in format ``fmt``; ``strict``: warnings fail the run too."""
    return fmt.renderer()(report, width=width, color=color, strict=strict)
