"""The shared pieces of Keras import extraction: what counts as Keras, scopes, positions.

A :class:`Unit` is what extraction reads; :class:`_Scope` records which names a namespace binds
by import and by anything else, :class:`_Positions` turns AST positions into :class:`Span`
character offsets, and the ``_Raw*`` records are what one pass collects before the final
records are numbered. Name resolution over the scopes (``_resolve``, ``_in_effect``) lives
here too, so that the collector and the assembly in :mod:`kerasdoctor.scan.extract` share it.
"""

from __future__ import annotations

import ast
import bisect
import re
from dataclasses import dataclass

from kerasdoctor.scan.model import (
    ImportKind,
    LadderRef,
    Span,
)
from kerasdoctor.scan.source import line_starts

#: Top-level packages that are Keras implementations in their own right.
KERAS_PACKAGES = frozenset({"keras", "tf_keras", "keras_core"})

#: Exception names whose handler catches a failed import: a ``try`` with one is a ladder.
IMPORT_CATCHERS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})

MODULE_SCOPE = "<module>"

_TRY_TYPES: tuple[type[ast.AST], ...] = tuple(
    t for t in (ast.Try, getattr(ast, "TryStar", None)) if isinstance(t, type)
)


def is_keras_path(path: str) -> bool:
    """True when a dotted path is about Keras: under a Keras package, or TensorFlow's Keras.

    ``tensorflow.keras.layers``, ``tensorflow.python.keras``, ``tensorflow.compat.v1.keras``
    and ``keras_core.ops`` are; ``tensorflow`` and ``tensorflow.compat.v1`` are not (they are
    recorded only as the base of a chain that is).
    """
    parts = path.split(".")
    if parts[0] in KERAS_PACKAGES:
        return True
    return parts[0] == "tensorflow" and "keras" in parts[1:]


def _relevant_root(path: str) -> bool:
    root = path.split(".", 1)[0]
    return root in KERAS_PACKAGES or root == "tensorflow"


@dataclass(frozen=True)
class Unit:
    """One piece of source to extract from: a whole ``.py`` file, or one notebook cell.

    ``tree`` was parsed from ``parsed_text``, which has the same lines as ``text`` except for
    masked IPython magic lines; positions and statement text are taken from ``text``.
    """

    tree: ast.Module
    text: str
    cell: int | None = None


class _Scope:
    """A namespace while walking: which names imports bind in it, and which anything else."""

    __slots__ = ("globals", "imports", "kind", "lookup_parent", "other", "qualname")

    def __init__(self, kind: str, qualname: str, parent: _Scope | None) -> None:
        self.kind = kind
        self.qualname = qualname
        # Code in a function does not see the names of an enclosing class body.
        self.lookup_parent: _Scope | None = None
        if parent is not None:
            self.lookup_parent = parent if parent.kind != "class" else parent.lookup_parent
        self.imports: dict[str, list[int]] = {}
        self.other: set[str] = set()
        self.globals: set[str] = set()

    def child_name(self, name: str) -> str:
        return name if self.qualname == MODULE_SCOPE else f"{self.qualname}.{name}"


class _Positions:
    """Turns ast's (line, UTF-8 byte column) into the character positions of :class:`Span`."""

    def __init__(self, text: str, cell: int | None, words: re.Pattern[str] | None) -> None:
        self.text = text
        self.cell = cell
        self.starts = line_starts(text)
        # Keyed by id(): every node stays alive in its tree for as long as this object does.
        self._spans: dict[int, Span] = {}
        # Lines on which a name that matters occurs (see :func:`_relevant_words`).
        self.hits: list[int] = []
        if words is not None:
            self.hits = sorted(
                {bisect.bisect_right(self.starts, m.start()) for m in words.finditer(text)}
            )

    def touches(self, node: ast.AST) -> bool:
        """Whether a node's lines hold a name that matters (nodes without lines: True)."""
        line: int | None = getattr(node, "lineno", None)
        if line is None:
            return True
        end: int = getattr(node, "end_lineno", None) or line
        decorators: list[ast.expr] = getattr(node, "decorator_list", None) or []
        if decorators:  # a decorated def's lineno is its `def` line, below the decorators
            line = min(line, decorators[0].lineno)
        at = bisect.bisect_left(self.hits, line)
        return at < len(self.hits) and self.hits[at] <= end

    def _offset(self, line: int, byte_col: int) -> tuple[int, int]:
        start = self.starts[line - 1] if line - 1 < len(self.starts) else len(self.text)
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        line_text = self.text[start:end]
        if line_text.isascii():
            col = byte_col
        else:
            col = len(line_text.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))
        return start + col, col

    def span(self, node: ast.AST) -> Span:
        """The node's :class:`Span` (memoised: sorting asks for the same spans repeatedly)."""
        known = self._spans.get(id(node))
        if known is None:
            known = self._spans[id(node)] = self._span(node)
        return known

    def _span(self, node: ast.AST) -> Span:
        line: int = node.lineno  # type: ignore[attr-defined]
        end_line: int = node.end_lineno or line  # type: ignore[attr-defined]
        start, col = self._offset(line, node.col_offset)  # type: ignore[attr-defined]
        end_byte: int = node.end_col_offset  # type: ignore[attr-defined]
        end, end_col = self._offset(end_line, end_byte if end_byte is not None else 0)
        return Span(line, col + 1, end_line, end_col + 1, start, end, self.cell)


@dataclass
class _RawImport:
    kind: ImportKind
    module: str
    name: str | None
    alias: str | None
    binds: str | None
    target: str | None
    star: bool
    about_keras: bool
    node: ast.stmt
    position: _Positions
    ladders: tuple[LadderRef, ...]
    scope: str
    order: int
    #: The statement sits directly in its scope's body (not under if/try/for/with).
    unconditional: bool = False


@dataclass
class _RawChain:
    base: str
    attrs: tuple[str, ...]
    node: ast.Attribute
    position: _Positions
    ladders: tuple[LadderRef, ...]
    scope: _Scope


@dataclass
class _RawLadder:
    node: ast.stmt
    position: _Positions
    handlers: tuple[tuple[str, ...], ...]
    parent: int | None


def _handler_names(handler: ast.ExceptHandler) -> tuple[str, ...]:
    if handler.type is None:
        return ()
    nodes = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    names: list[str] = []
    for node in nodes:
        if isinstance(node, ast.Name):
            names.append(node.id)
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)  # builtins.ImportError
        else:
            names.append(ast.dump(node)[:40])
    return tuple(names)


def _catches_import_errors(names: tuple[str, ...]) -> bool:
    return not names or any(n in IMPORT_CATCHERS for n in names)


_Work = tuple[ast.AST, _Scope, tuple[LadderRef, ...], _Positions]


def _resolve(scope: _Scope, name: str, module: _Scope) -> tuple[list[int], bool]:
    """Import indices that bind ``name`` as seen from ``scope`` ([] when anything else does),
    and whether they bind it in ``scope`` itself (rather than in an enclosing scope)."""
    current: _Scope | None = scope
    while current is not None:
        if name in current.globals and current is not module:
            current = module
            continue
        if name in current.other:
            return [], False
        if name in current.imports:
            return current.imports[name], current is scope
        current = current.lookup_parent
    return [], False


def _in_effect(
    candidates: list[int], imports: list[_RawImport], use: tuple[int, int] | None
) -> list[int]:
    """The imports whose binding may be the one in effect at a use.

    In the scope that binds the name (``use`` given), a binding after the use has not run
    yet; in an enclosing scope (``use`` None: a function called later), all may have. Of
    those, an import that always runs (directly in the scope's body) overrides every
    earlier one. Loops could bring a later binding back; that is not followed.
    """
    ordered = sorted(candidates, key=lambda i: _key(imports[i]))
    if use is not None:
        before = [i for i in ordered if _key(imports[i]) < use]
        ordered = before or ordered
    last = max((n for n, i in enumerate(ordered) if imports[i].unconditional), default=0)
    return ordered[last:]


def _key(raw: _RawImport) -> tuple[int, int]:
    cell = raw.position.cell if raw.position.cell is not None else -1
    return (cell, raw.position.span(raw.node).start)
