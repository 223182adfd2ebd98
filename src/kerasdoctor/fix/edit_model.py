"""The data of a fix: text edits and their application, source spans, rewrite decisions, plans.

:func:`apply_edits` is the one place edits meet text; :class:`Span` follows :mod:`ast`'s
position conventions (see :mod:`kerasdoctor.fix.edits`), and :class:`LineIndex` converts them
to offsets in the decoded text. The planning itself is in :mod:`kerasdoctor.fix.edits`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Union


class EditError(ValueError):
    """Edits that cannot be applied to a text (out of range or overlapping)."""


@dataclass(frozen=True)
class TextEdit:
    """Replace ``text[start:end]`` (offsets in the decoded ``str``) with ``new_text``."""

    start: int
    end: int
    new_text: str


def apply_edits(text: str, edits: Sequence[TextEdit]) -> str:
    """Return ``text`` with every edit applied; edits must be in range and must not overlap.

    Two insertions at the same offset are refused too: their order would be a guess.
    """
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    pieces: list[str] = []
    position = 0
    previous: TextEdit | None = None
    for edit in ordered:
        if not 0 <= edit.start <= edit.end <= len(text):
            raise EditError(f"edit {edit.start}-{edit.end} is outside the text (0-{len(text)})")
        if previous is not None and (
            edit.start < previous.end or (edit.start == previous.end == previous.start)
        ):
            raise EditError(
                f"edits {previous.start}-{previous.end} and {edit.start}-{edit.end} overlap"
            )
        pieces.append(text[position : edit.start])
        pieces.append(edit.new_text)
        position = edit.end
        previous = edit
    pieces.append(text[position:])
    return "".join(pieces)


@dataclass(frozen=True)
class Span:
    """Where a statement or expression is, in :mod:`ast`'s conventions.

    ``line``/``end_line`` are 1-based; ``col``/``end_col`` are 0-based offsets in the UTF-8
    bytes of their line (what ``ast`` reports as ``col_offset``/``end_col_offset``).
    """

    line: int
    col: int
    end_line: int
    end_col: int

    @classmethod
    def of(cls, node: ast.AST) -> Span:
        """The span of a parsed statement or expression."""
        end_line = getattr(node, "end_lineno", None)
        end_col = getattr(node, "end_col_offset", None)
        assert end_line is not None
        assert end_col is not None
        return cls(getattr(node, "lineno"), getattr(node, "col_offset"), end_line, end_col)  # noqa: B009


@dataclass(frozen=True)
class NameMove:
    """One name of a ``from M import ...`` statement that must now come from ``new_module``."""

    name: str
    asname: str | None
    new_module: str


@dataclass(frozen=True)
class FromImportRewrite:
    """``from module import ...`` at ``span``: each listed name moves to its new module.

    Names of the statement that are not listed stay with ``module``. When the names end up
    in different modules the statement is split, one statement per module, in order of each
    module's first name.
    """

    span: Span
    module: str
    moves: tuple[NameMove, ...]


@dataclass(frozen=True)
class ModuleImportRewrite:
    """``import module [as asname]`` at ``span`` becomes ``import new_module [as asname]``.

    Without an alias the bound name is the top-level package, so the rewrite is refused
    unless ``new_module`` has the same top-level package and every chain the file uses through
    ``module`` is rewritten in the same batch (or ``new_module`` lies under ``module``).
    """

    span: Span
    module: str
    asname: str | None
    new_module: str


@dataclass(frozen=True)
class ChainRewrite:
    """The dotted expression ``old`` at ``span`` becomes ``new`` (e.g. a layer's public path)."""

    span: Span
    old: str
    new: str


Rewrite = Union[FromImportRewrite, ModuleImportRewrite, ChainRewrite]


@dataclass(frozen=True)
class PlannedEdit:
    """The edit that carries out one decision; ``edit`` covers the whole statement or chain."""

    rewrite: Rewrite
    edit: TextEdit


@dataclass(frozen=True)
class Refusal:
    """A decision that is not carried out, and why (shown to the user as is)."""

    rewrite: Rewrite
    reason: str


@dataclass(frozen=True)
class EditPlan:
    """Edits ready for :func:`apply_edits`, and the decisions refused."""

    edits: tuple[PlannedEdit, ...]
    refused: tuple[Refusal, ...]

    @property
    def text_edits(self) -> tuple[TextEdit, ...]:
        return tuple(p.edit for p in self.edits)


class LineIndex:
    """Converts ``ast`` positions (line, UTF-8 byte column) to offsets in the ``str``."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        # ast counts \n and \r\n as line ends; lone \r is refused before we get here.
        self.starts.extend(m.end() for m in re.finditer("\n", text))

    def offset(self, line: int, col: int) -> int:
        if not 1 <= line <= len(self.starts):
            raise EditError(f"line {line} is outside the text")
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        raw = self.text[start:end].encode("utf-8", "surrogatepass")
        if col > len(raw):
            raise EditError(f"column {col} is outside line {line}")
        return start + len(raw[:col].decode("utf-8", "surrogatepass"))

    def range_of(self, node: ast.AST) -> tuple[int, int] | None:
        """Character range of a node, or None for nodes without positions."""
        line = getattr(node, "lineno", None)
        end_line = getattr(node, "end_lineno", None)
        if line is None or end_line is None:
            return None
        return (
            self.offset(line, getattr(node, "col_offset")),  # noqa: B009
            self.offset(end_line, getattr(node, "end_col_offset")),  # noqa: B009
        )


def has_lone_cr(text: str) -> bool:
    """True when ``text`` uses a bare ``\\r`` as a line end (old Mac files)."""
    return re.search("\r(?!\n)", text) is not None


def dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of Name/Attribute nodes, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))
