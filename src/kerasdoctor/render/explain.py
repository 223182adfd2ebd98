"""``kerasdoctor explain``: the list of finding codes, or one code's documentation page.

The pages are Markdown (docs/codes/). On a terminal they are rendered with rich (headings,
emphasis, code blocks); piped, the Markdown text is returned as written, so that it pastes
and greps. Code blocks are never wrapped: they hold commands and messages to copy.
"""

from __future__ import annotations

import io
from typing import ClassVar, TextIO

from kerasdoctor import codes


def is_terminal(stream: TextIO) -> bool:
    """Whether pages go to a terminal (rendered) rather than a pipe or file (Markdown)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def render_list() -> str:
    """One line per registered code: code, slug and title, aligned."""
    width = max(len(c.slug) for c in codes.CODES)
    lines = [f"{c.code}  {c.slug:<{width}}  {c.title}" for c in codes.CODES]
    lines.append("")
    lines.append("kerasdoctor explain CODE shows a code's page (CODE may be its slug).")
    return "\n".join(lines) + "\n"


def render_page(code: codes.Code, *, terminal: bool, color: bool, width: int = 100) -> str:
    """The code's page: rendered Markdown on a terminal, the Markdown text otherwise."""
    text = codes.page(code)
    if not terminal:
        return text
    from rich.console import Console, ConsoleOptions, RenderResult
    from rich.markdown import CodeBlock, Markdown, MarkdownElement
    from rich.text import Text

    class _Verbatim(CodeBlock):
        """A code block as written, never wrapped: it holds commands and messages to copy."""

        def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
            for line in str(self.text).rstrip().splitlines():
                yield Text(f"    {line}", style="cyan", no_wrap=True, overflow="ignore")

    class _Page(Markdown):
        elements: ClassVar[dict[str, type[MarkdownElement]]] = {
            **Markdown.elements,
            "fence": _Verbatim,
            "code_block": _Verbatim,
        }

    console = Console(
        file=io.StringIO(),
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
        legacy_windows=False,
    )
    console.print(_Page(text), crop=False)
    buffer = console.file
    assert isinstance(buffer, io.StringIO)
    return buffer.getvalue()


def render(code: str | None, *, terminal: bool, color: bool, width: int = 100) -> str:
    """``explain``'s output for what the user typed (a code, a slug, or nothing)."""
    if code is None:
        return render_list()
    return render_page(codes.lookup(code), terminal=terminal, color=color, width=width)
