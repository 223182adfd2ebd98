"""One pass over the syntax trees of a file: raw imports, bindings, chain candidates, ladders.

The iterative walker of Keras import extraction (:mod:`kerasdoctor.scan.extract` assembles
its output into records). It follows the scope rules described there: which statements bind
a name by import, which bind it any other way, and which ``try`` statements are ladders.
"""

from __future__ import annotations

import ast
import re

from kerasdoctor.scan.model import (
    ImportKind,
    LadderRef,
)
from kerasdoctor.scan.scopes import (
    _TRY_TYPES,
    MODULE_SCOPE,
    Unit,
    _catches_import_errors,
    _handler_names,
    _Positions,
    _RawChain,
    _RawImport,
    _RawLadder,
    _relevant_root,
    _Scope,
    _Work,
    is_keras_path,
)


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
