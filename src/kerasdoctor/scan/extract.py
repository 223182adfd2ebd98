"""Find Keras imports, the names they bind, and the attribute chains used on those names.

Pure and static: text in, records out (:mod:`kerasdoctor.scan.model`); nothing is imported
or run. Name resolution is deliberately simple but safe: a name counts as bound by an import
only in the scope (module, function, lambda, comprehension, class body) where an import binds
it, and a chain is dropped when that scope also binds the name any other way (an assignment,
a parameter, ``for``, ``with ... as``, ``except ... as``, ``del``, a ``def``/``class``, a
``global``/``nonlocal`` declaration). Flow is ignored: a name bound by several imports in one
scope (the branches of a ladder) gives one chain record per import, and the judge decides
which branch runs. The traversal is iterative, so a 5,000-term expression costs no recursion.
"""

from __future__ import annotations

import ast
import bisect
import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from kerasdoctor.scan.model import (
    Binding,
    ChainRecord,
    ImportKind,
    ImportRecord,
    Ladder,
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


@dataclass(frozen=True)
class Extraction:
    """The records of one file, in source order; indices refer into ``imports``."""

    imports: tuple[ImportRecord, ...]
    bindings: tuple[Binding, ...]
    chains: tuple[ChainRecord, ...]
    ladders: tuple[Ladder, ...]


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


class _Collector:
    """One pass over every unit: raw imports, bindings per scope, chain candidates, ladders."""

    def __init__(self) -> None:
        self.module = _Scope("module", MODULE_SCOPE, None)
        self.imports: list[_RawImport] = []
        self.chains: list[_RawChain] = []
        self.ladders: list[_RawLadder] = []
        # Statements directly in a module, function or class body: they always run.
        self.toplevel: set[int] = set()

    def run(self, unit: Unit, words: re.Pattern[str]) -> None:
        position = _Positions(unit.text, unit.cell, words)
        stack: list[_Work] = [(stmt, self.module, (), position) for stmt in unit.tree.body]
        self.toplevel.update(id(stmt) for stmt in unit.tree.body)
        while stack:
            node, scope, ladders, pos = stack.pop()
            self._visit(node, scope, ladders, pos, stack)

    # -- bindings -----------------------------------------------------------------------
    def _bind_other(self, scope: _Scope, name: str) -> None:
        (self.module if name in scope.globals else scope).other.add(name)

    def _bind_import(self, scope: _Scope, name: str, index: int) -> None:
        target = self.module if name in scope.globals else scope
        target.imports.setdefault(name, []).append(index)

    # -- traversal ----------------------------------------------------------------------
    def _visit(
        self,
        node: ast.AST,
        scope: _Scope,
        ladders: tuple[LadderRef, ...],
        pos: _Positions,
        stack: list[_Work],
    ) -> None:
        def push(child: ast.AST, in_scope: _Scope = scope) -> None:
            stack.append((child, in_scope, ladders, pos))

        child: ast.AST

        # A subtree on whose lines no Keras root and no import-bound name occurs can hold no
        # import, chain or rebinding that matters: skipping it is most of the speed.
        if not pos.touches(node):
            return
        if isinstance(node, ast.Import):
            self._import(node, scope, ladders, pos)
            return
        if isinstance(node, ast.ImportFrom):
            self._import_from(node, scope, ladders, pos)
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self._bind_other(scope, node.name)
            for child in (*node.decorator_list, *_arg_defaults(node.args)):
                push(child)
            for annotation in _annotations(node):
                push(annotation)
            inner = _Scope("function", scope.child_name(node.name), scope)
            # `global` holds for the whole body wherever it is written; the walk is not in
            # source order, so collect the declarations before anything binds.
            inner.globals.update(_declared_globals(node.body))
            _bind_args(inner, node.args)
            self.toplevel.update(id(stmt) for stmt in node.body)
            for stmt in node.body:
                push(stmt, inner)
            return
        if isinstance(node, ast.Lambda):
            for child in _arg_defaults(node.args):
                push(child)
            inner = _Scope("function", scope.child_name("<lambda>"), scope)
            _bind_args(inner, node.args)
            push(node.body, inner)
            return
        if isinstance(node, ast.ClassDef):
            self._bind_other(scope, node.name)
            for child in (*node.decorator_list, *node.bases, *node.keywords):
                push(child)
            inner = _Scope("class", scope.child_name(node.name), scope)
            self.toplevel.update(id(stmt) for stmt in node.body)
            for stmt in node.body:
                push(stmt, inner)
            return
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            inner = _Scope("function", scope.qualname, scope)
            for child in ast.iter_child_nodes(node):
                push(child, inner)
            return
        if isinstance(node, _TRY_TYPES):
            self._try(node, scope, ladders, pos, stack)
            return
        if isinstance(node, ast.Global):
            return  # collected when the scope was made
        if isinstance(node, ast.Nonlocal):
            scope.other.update(node.names)  # rebinds an outer name: not worth following
            return
        if isinstance(node, ast.Name):
            if not isinstance(node.ctx, ast.Load):
                self._bind_other(scope, node.id)
            return
        if isinstance(node, ast.ExceptHandler) and node.name:
            self._bind_other(scope, node.name)
        elif isinstance(node, ast.Attribute):
            attrs: list[str] = []
            value: ast.expr = node
            while isinstance(value, ast.Attribute):
                attrs.append(value.attr)
                value = value.value
            if isinstance(value, ast.Name):
                if isinstance(node.ctx, ast.Load):
                    self.chains.append(
                        _RawChain(value.id, tuple(reversed(attrs)), node, pos, ladders, scope)
                    )
                return
            push(value)  # a call, subscript... at the bottom: chains may sit inside it
            return
        else:
            for name in _match_names(node):
                self._bind_other(scope, name)
        for child in ast.iter_child_nodes(node):
            push(child)

    def _try(
        self,
        node: ast.AST,
        scope: _Scope,
        ladders: tuple[LadderRef, ...],
        pos: _Positions,
        stack: list[_Work],
    ) -> None:
        body: list[ast.stmt] = node.body  # type: ignore[attr-defined]
        handlers: list[ast.ExceptHandler] = node.handlers  # type: ignore[attr-defined]
        orelse: list[ast.stmt] = node.orelse  # type: ignore[attr-defined]
        finalbody: list[ast.stmt] = node.finalbody  # type: ignore[attr-defined]
        names = tuple(_handler_names(h) for h in handlers)
        inner: tuple[LadderRef, ...] = ladders
        ladder_id: int | None = None
        if any(_catches_import_errors(n) for n in names):
            ladder_id = len(self.ladders)
            parent = ladders[-1].ladder if ladders else None
            self.ladders.append(_RawLadder(node, pos, names, parent))  # type: ignore[arg-type]
            inner = (*ladders, LadderRef(ladder_id, 0))
        # `else` runs only when the body raised nothing: it belongs to branch 0.
        for stmt in (*body, *orelse):
            stack.append((stmt, scope, inner, pos))
        for index, handler in enumerate(handlers, start=1):
            if handler.name:
                self._bind_other(scope, handler.name)
            if handler.type is not None:
                stack.append((handler.type, scope, ladders, pos))
            branch = (*ladders, LadderRef(ladder_id, index)) if ladder_id is not None else ladders
            for stmt in handler.body:
                stack.append((stmt, scope, branch, pos))
        for stmt in finalbody:
            stack.append((stmt, scope, ladders, pos))

    def _import(
        self, node: ast.Import, scope: _Scope, ladders: tuple[LadderRef, ...], pos: _Positions
    ) -> None:
        for order, alias in enumerate(node.names):
            bound = alias.asname or alias.name.split(".", 1)[0]
            if not _relevant_root(alias.name):
                self._bind_other(scope, bound)
                continue
            target = alias.name if alias.asname else bound
            index = len(self.imports)
            self.imports.append(
                _RawImport(
                    ImportKind.IMPORT,
                    alias.name,
                    None,
                    alias.asname,
                    bound,
                    target,
                    False,
                    is_keras_path(alias.name),
                    node,
                    pos,
                    ladders,
                    scope.qualname,
                    order,
                    id(node) in self.toplevel,
                )
            )
            self._bind_import(scope, bound, index)

    def _import_from(
        self,
        node: ast.ImportFrom,
        scope: _Scope,
        ladders: tuple[LadderRef, ...],
        pos: _Positions,
    ) -> None:
        module = node.module or ""
        relevant = node.level == 0 and _relevant_root(module)
        for order, alias in enumerate(node.names):
            if alias.name == "*":
                if relevant and is_keras_path(module):
                    self.imports.append(
                        _RawImport(
                            ImportKind.FROM,
                            module,
                            "*",
                            None,
                            None,
                            None,
                            True,
                            True,
                            node,
                            pos,
                            ladders,
                            scope.qualname,
                            order,
                            id(node) in self.toplevel,
                        )
                    )
                continue
            bound = alias.asname or alias.name
            if not relevant:
                self._bind_other(scope, bound)
                continue
            target = f"{module}.{alias.name}"
            index = len(self.imports)
            self.imports.append(
                _RawImport(
                    ImportKind.FROM,
                    module,
                    alias.name,
                    alias.asname,
                    bound,
                    target,
                    False,
                    is_keras_path(target),
                    node,
                    pos,
                    ladders,
                    scope.qualname,
                    order,
                    id(node) in self.toplevel,
                )
            )
            self._bind_import(scope, bound, index)


def _arg_defaults(args: ast.arguments) -> list[ast.expr]:
    return [*args.defaults, *(d for d in args.kw_defaults if d is not None)]


def _all_args(args: ast.arguments) -> list[ast.arg]:
    out = [*getattr(args, "posonlyargs", []), *args.args, *args.kwonlyargs]
    out.extend(a for a in (args.vararg, args.kwarg) if a is not None)
    return out


def _annotations(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr]:
    out = [a.annotation for a in _all_args(node.args) if a.annotation is not None]
    if node.returns is not None:
        out.append(node.returns)
    return out


def _bind_args(scope: _Scope, args: ast.arguments) -> None:
    scope.other.update(a.arg for a in _all_args(args))


def _declared_globals(body: list[ast.stmt]) -> set[str]:
    """Names a function body declares ``global`` (not counting nested functions/classes)."""
    names: set[str] = set()
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Global):
            names.update(node.names)
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                value = getattr(node, field, None)
                if isinstance(value, list):
                    stack.extend(value)
    return names


_MATCH_CAPTURES = {"MatchAs": "name", "MatchStar": "name", "MatchMapping": "rest"}


def _match_names(node: ast.AST) -> list[str]:
    """Names a ``match`` pattern captures (by class name: ast has them only on 3.10+)."""
    field = _MATCH_CAPTURES.get(type(node).__name__)
    value = getattr(node, field, None) if field else None
    return [value] if isinstance(value, str) else []


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


def _import_nodes(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, at any depth, visiting statement lists only (cheap)."""
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
            continue
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            value = getattr(node, field, None)
            if isinstance(value, list):
                stack.extend(value)


def _relevant_words(units: Sequence[Unit]) -> re.Pattern[str] | None:
    """A regex for the Keras roots and every name a Keras-relevant import binds; None if none.

    Every record the extraction can produce has one of these words on its lines: an import
    names its root, a chain starts with a bound name, and only a bound name can be shadowed.
    """
    names: set[str] = set()
    for unit in units:
        for node in _import_nodes(unit.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if _relevant_root(alias.name):
                        names.add(alias.asname or alias.name.split(".", 1)[0])
                        names.add(alias.name.split(".", 1)[0])
            elif node.level == 0 and _relevant_root(node.module or ""):
                names.add((node.module or "").split(".", 1)[0])
                names.update(a.asname or a.name for a in node.names if a.name != "*")
    if not names:
        return None
    return _words_regex(tuple(sorted(names)))


@functools.lru_cache(maxsize=512)
def _words_regex(names: tuple[str, ...]) -> re.Pattern[str]:
    # Files of one codebase import the same few names: compile each set once per process.
    alternatives = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
    return re.compile(rf"(?<![\w.])(?:{alternatives})(?!\w)")


def extract_units(units: Sequence[Unit]) -> Extraction:
    """Extract the records of one file from its units (one per ``.py`` file or code cell).

    The units of a notebook share one module namespace, as its cells do in a kernel: a name
    imported in one cell resolves in the others.
    """
    words = _relevant_words(units)
    if words is None:
        return Extraction((), (), (), ())
    collector = _Collector()
    for unit in units:
        collector.run(unit, words)

    # Resolve chains now that every binding of every scope is known.
    resolved: list[tuple[_RawChain, int, str]] = []
    needed: set[int] = set()
    for chain in collector.chains:
        candidates, same_scope = _resolve(chain.scope, chain.base, collector.module)
        chain_span = chain.position.span(chain.node)
        use = (chain_span.cell if chain_span.cell is not None else -1, chain_span.start)
        for index in _in_effect(candidates, collector.imports, use if same_scope else None):
            raw = collector.imports[index]
            if raw.target is None:
                continue
            path = ".".join((raw.target, *chain.attrs))
            if is_keras_path(path):
                resolved.append((chain, index, path))
                needed.add(index)

    kept = [i for i, raw in enumerate(collector.imports) if raw.about_keras or i in needed]

    def import_key(i: int) -> tuple[int, int, int]:
        raw = collector.imports[i]
        cell = raw.position.cell if raw.position.cell is not None else -1
        return (cell, raw.position.span(raw.node).start, raw.order)

    kept.sort(key=import_key)
    new_index = {old: new for new, old in enumerate(kept)}

    # Ladders that hold a kept import or chain, renumbered in source order.
    used_ladders: set[int] = set()
    for i in kept:
        used_ladders.update(ref.ladder for ref in collector.imports[i].ladders)
    for chain, _, _ in resolved:
        used_ladders.update(ref.ladder for ref in chain.ladders)

    def ladder_key(i: int) -> tuple[int, int]:
        raw = collector.ladders[i]
        cell = raw.position.cell if raw.position.cell is not None else -1
        return (cell, raw.position.span(raw.node).start)

    ladder_order = sorted(used_ladders, key=ladder_key)
    ladder_id = {old: new for new, old in enumerate(ladder_order)}

    def refs(ladders: tuple[LadderRef, ...]) -> tuple[LadderRef, ...]:
        return tuple(
            LadderRef(ladder_id[r.ladder], r.branch) for r in ladders if r.ladder in ladder_id
        )

    def parent_of(i: int) -> int | None:
        parent = collector.ladders[i].parent
        while parent is not None and parent not in ladder_id:
            parent = collector.ladders[parent].parent
        return ladder_id[parent] if parent is not None else None

    ladders = tuple(
        Ladder(
            ladder_id[i],
            collector.ladders[i].position.span(collector.ladders[i].node),
            collector.ladders[i].handlers,
            parent_of(i),
        )
        for i in ladder_order
    )

    statement_of: dict[tuple[int | None, int], int] = {}
    imports: list[ImportRecord] = []
    bindings: list[Binding] = []
    for new, old in enumerate(kept):
        raw = collector.imports[old]
        span = raw.position.span(raw.node)
        statement = statement_of.setdefault((span.cell, span.start), len(statement_of))
        imports.append(
            ImportRecord(
                kind=raw.kind,
                module=raw.module,
                name=raw.name,
                alias=raw.alias,
                level=0,
                binds=raw.binds,
                target=raw.target,
                star=raw.star,
                about_keras=raw.about_keras,
                statement=statement,
                span=span,
                text=raw.position.text[span.start : span.end],
                ladders=refs(raw.ladders),
                scope=raw.scope,
            )
        )
        if raw.binds is not None and raw.target is not None:
            bindings.append(Binding(raw.binds, raw.target, raw.scope, new))

    chains: list[ChainRecord] = []
    for chain, index, path in resolved:
        span = chain.position.span(chain.node)
        chains.append(
            ChainRecord(
                base=chain.base,
                attrs=chain.attrs,
                path=path,
                import_index=new_index[index],
                span=span,
                text=chain.position.text[span.start : span.end],
                ladders=refs(chain.ladders),
                scope=chain.scope.qualname,
            )
        )
    chains.sort(
        key=lambda c: (c.span.cell if c.span.cell is not None else -1, c.span.start, c.import_index)
    )
    return Extraction(tuple(imports), tuple(bindings), tuple(chains), ladders)
