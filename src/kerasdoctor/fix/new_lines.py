"""The new import lines a fix introduces, and what the probe must confirm about each.

After edits are accepted, :func:`_checks` compares the syntax trees before and after to find
each line the rewritten file would newly run (:class:`NewLine`), with the object a promised
replacement must resolve to (:class:`LineCheck`). Probing them is the orchestrator's job.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kerasdoctor.fix.accept import _Group
from kerasdoctor.fix.edits import LineIndex, TextEdit, dotted
from kerasdoctor.fix.verify import new_ranges
from kerasdoctor.scan.diagnostics import Diagnostic


@dataclass(frozen=True)
class NewLine:
    """A line an edit introduces, as the probe runs it in a fresh interpreter.

    ``kind`` "from": ``from module import name``; "import": ``import module`` (the object is
    the module); "chain": the base import (``from module import name``, or ``import module``
    when ``name`` is empty, binding ``bound``) then each of ``attrs`` read in turn, which is
    what ``tf.keras.layers.X`` does after ``import tensorflow as tf``.
    """

    kind: str
    module: str
    name: str = ""
    attrs: tuple[str, ...] = ()
    bound: str = ""

    @property
    def text(self) -> str:
        """What a fresh ``python -c`` runs (shown in reasons)."""
        if self.kind == "from":
            return f"from {self.module} import {self.name}"
        if self.kind == "import":
            return f"import {self.module}"
        base = f"from {self.module} import {self.name}" if self.name else f"import {self.module}"
        head = self.name or self.bound
        if not self.name and self.bound != self.module.split(".", 1)[0]:
            return f"import {self.module} as _kd; " + ".".join(("_kd", *self.attrs))
        return f"{base}; " + ".".join((head, *self.attrs))

    @property
    def as_from(self) -> NewLine | None:
        """The same object reached as ``from M import N`` (for probes that only run those)."""
        if self.kind == "from":
            return self
        if self.kind == "import":
            path = self.module
        elif self.name:
            path = ".".join((self.module, self.name, *self.attrs))
        else:
            path = ".".join((self.bound, *self.attrs))
        module, _, name = path.rpartition(".")
        return NewLine("from", module, name) if module else None


@dataclass(frozen=True)
class LineCheck:
    """What the probe must confirm for one diagnostic: each new line works, and ``promised``
    (when set) resolves to the diagnostic's ``resolves_to``."""

    diagnostic: Diagnostic
    lines: tuple[NewLine, ...]
    promised: NewLine | None
    resolves_to: str | None


# --- new lines -------------------------------------------------------------------------------


#: a bound name -> the line that binds it: ("import", module, bound) or ("from", module, name)
Binding = tuple[str, str, str]


def _bindings(tree: ast.AST) -> dict[str, Binding]:
    """Name -> how the file's imports bind it (the last import of the name wins)."""
    out: dict[str, Binding] = {}
    nodes = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    for node in sorted(nodes, key=lambda n: (n.lineno, n.col_offset)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    out[alias.asname] = ("import", alias.name, alias.name)
                else:
                    top = alias.name.split(".")[0]
                    out[top] = ("import", alias.name, top)
        elif not node.level and node.module:
            for alias in node.names:
                if alias.name != "*":
                    out[alias.asname or alias.name] = ("from", node.module, alias.name)
    return out


def _chain_line(chain: str, bindings: Mapping[str, Binding]) -> NewLine | None:
    base, *attrs = chain.split(".")
    if base not in bindings or not attrs:
        return None
    kind, module, third = bindings[base]
    if kind == "from":
        return NewLine("chain", module, third, tuple(attrs))
    return NewLine("chain", module, "", tuple(attrs), third)


def _lines_of(nodes: Iterable[ast.AST], bindings: Mapping[str, Binding]) -> list[NewLine]:
    out: list[NewLine] = []
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.extend(NewLine("from", node.module, a.name) for a in node.names if a.name != "*")
        elif isinstance(node, ast.Import):
            out.extend(NewLine("import", a.name) for a in node.names)
        elif isinstance(node, ast.Attribute):
            name = dotted(node)
            line = _chain_line(name, bindings) if name else None
            if line is not None:
                out.append(line)
    return out


def _promised(replacement: str, bindings: Mapping[str, Binding]) -> NewLine | None:
    """The line a diagnostic's replacement stands for (one name), if it can be read."""
    try:
        tree = ast.parse(replacement.strip())
    except (SyntaxError, ValueError):
        return None
    body = tree.body
    if len(body) != 1:
        return None
    node = body[0]
    if isinstance(node, ast.Expr):
        lines = _lines_of([node.value], bindings)
    else:
        lines = _lines_of([node], bindings)
    return lines[0] if len(lines) == 1 else None


def _outer_chains(tree: ast.AST) -> list[tuple[str, ast.Attribute]]:
    """Every dotted chain ``a.b.c`` that is not itself the start of a longer chain."""
    inner = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and id(node) not in inner:
            name = dotted(node)
            if name is not None:
                out.append((name, node))
    return out


def _checks(
    old_text: str, new_text: str, groups: Sequence[_Group], edits: Sequence[TextEdit]
) -> list[LineCheck]:
    """The new lines each accepted diagnostic's edits put in ``new_text``.

    Besides the rewritten statements and chains themselves, a name that an edited import now
    binds to another object (``import keras.layers.normalization as norm`` becoming
    ``import keras.layers as norm``) changes every chain the file uses on it
    (``norm.BatchNormalization``): those chains are new lines too.
    """
    try:
        tree = ast.parse(new_text)
        old_bindings = _bindings(ast.parse(old_text))
    except (SyntaxError, ValueError):  # verified before: cannot happen, but never guess
        return []
    bindings = _bindings(tree)
    rebound = {n for n, b in bindings.items() if old_bindings.get(n, b) != b}
    chains = _outer_chains(tree)
    index = LineIndex(new_text)
    placed = dict(new_ranges(edits))
    spans: list[tuple[tuple[int, int], ast.AST]] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.Attribute)):
            where = index.range_of(node)
            if where is not None:
                spans.append((where, node))
    out: list[LineCheck] = []
    for group in groups:
        nodes: list[ast.AST] = []
        for edit in group.edits:
            lo, hi = placed[(edit.start, edit.end)]
            inside = [(w, n) for w, n in spans if lo <= w[0] and w[1] <= hi]
            # The outermost chain only: tf.keras.layers.X, not tf.keras.layers as well.
            for w, n in inside:
                if isinstance(n, ast.Attribute) and any(
                    v != w and v[0] <= w[0] and w[1] <= v[1] and isinstance(m, ast.Attribute)
                    for v, m in inside
                ):
                    continue
                nodes.append(n)
        names = {
            alias.asname or alias.name.split(".")[0]
            for n in nodes
            if isinstance(n, (ast.Import, ast.ImportFrom))
            for alias in n.names
        }
        nodes += [n for chain, n in chains if chain.split(".")[0] in names & rebound]
        lines = tuple(dict.fromkeys(_lines_of(nodes, bindings)))
        fix = group.diagnostic.fix
        assert fix is not None
        promised = _promised(fix.replacement, bindings)
        if promised is not None and promised not in lines:
            lines = (*lines, promised)
        out.append(LineCheck(group.diagnostic, lines, promised, fix.resolves_to))
    return out
