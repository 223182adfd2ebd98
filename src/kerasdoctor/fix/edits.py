"""Planning a fix: each rewrite decision becomes a text edit on decoded source, or a refusal.

A fix is a set of :class:`TextEdit` spans replaced in the original text, never a re-print of a
parsed tree, so every character outside the edited statements stays as it was. The decisions
that say *what* to rewrite come from the judge as :data:`Rewrite` values; :func:`plan_edits`
turns each one into an edit or a :class:`Refusal` with a reason a user can read.

Positions in a decision use :class:`Span`, which follows :mod:`ast`'s conventions exactly
(1-based lines, 0-based columns counted in UTF-8 bytes of the line), so the scan side can copy
``node.lineno, node.col_offset, node.end_lineno, node.end_col_offset`` straight in. For a
notebook, the span is within the cell's source text.

The data types (edits, spans, decisions, plans) live in :mod:`kerasdoctor.fix.edit_model` and
the token-level reading of a from-import in :mod:`kerasdoctor.fix.from_tokens`; this module
re-exports the former so that callers import everything from here.
"""

from __future__ import annotations

import ast
import contextlib
import re
import tokenize
from collections.abc import Iterator, Sequence

from kerasdoctor.fix.edit_model import (
    ChainRewrite,
    EditError,
    EditPlan,
    FromImportRewrite,
    LineIndex,
    ModuleImportRewrite,
    NameMove,
    PlannedEdit,
    Refusal,
    Rewrite,
    Span,
    TextEdit,
    apply_edits,
    dotted,
    has_lone_cr,
)
from kerasdoctor.fix.from_tokens import (
    _alias,
    _context,
    _Item,
    _line_ending,
    _parse_from,
    _render_from,
    _Tok,
    _tokens,
)
from kerasdoctor.models import is_dotted_name

__all__ = [
    "ChainRewrite",
    "EditError",
    "EditPlan",
    "FromImportRewrite",
    "LineIndex",
    "ModuleImportRewrite",
    "NameMove",
    "PlannedEdit",
    "Refusal",
    "Rewrite",
    "Span",
    "TextEdit",
    "apply_edits",
    "dotted",
    "has_lone_cr",
    "iter_imports",
    "plan_edits",
]


# --- planning ------------------------------------------------------------------------------


def _find(tree: ast.AST, kind: type[ast.AST], span: Span) -> ast.AST | None:
    for node in ast.walk(tree):
        if isinstance(node, kind) and Span.of(node) == span:
            return node
    return None


def _plan_from(
    text: str, tree: ast.AST, index: LineIndex, rw: FromImportRewrite
) -> TextEdit | str | None:
    node = _find(tree, ast.ImportFrom, rw.span)
    if not isinstance(node, ast.ImportFrom):
        return f"no from-import statement at line {rw.span.line}, column {rw.span.col + 1}"
    if node.level or node.module != rw.module:
        return f"the statement at line {rw.span.line} does not import from {rw.module}"
    if any(a.name == "*" for a in node.names):
        return "star imports are reported, never rewritten"
    targets: list[str | None] = [None] * len(node.names)
    for move in rw.moves:
        if not is_dotted_name(move.new_module):
            return f"{move.new_module!r} is not a module path"
        for i, alias in enumerate(node.names):
            if targets[i] is None and (alias.name, alias.asname) == (move.name, move.asname):
                targets[i] = move.new_module
                break
        else:
            shown = move.name if move.asname is None else f"{move.name} as {move.asname}"
            return f"the statement at line {rw.span.line} does not import {shown}"
    start, end = (
        index.offset(rw.span.line, rw.span.col),
        index.offset(rw.span.end_line, rw.span.end_col),
    )
    segment = text[start:end]
    try:
        parts = _parse_from(segment)
    except (EditError, tokenize.TokenError, SyntaxError) as exc:
        return f"cannot read the statement at line {rw.span.line}: {exc}"
    if [(i.name, i.asname) for i in parts.items] != [(a.name, a.asname) for a in node.names]:
        return f"cannot read the names of the statement at line {rw.span.line}"
    modules = [t if t is not None else rw.module for t in targets]
    groups: dict[str, list[_Item]] = {}
    for module, item in zip(modules, parts.items):
        groups.setdefault(module, []).append(item)
    if len(groups) == 1:
        (module,) = groups
        if module == rw.module:
            return None
        # One module for every name: only the module path changes, every other byte stays.
        new = segment[: parts.module_start] + module + segment[parts.module_end :]
        return TextEdit(start, end, new)
    own_line, indent = _context(text, start, end)
    if not own_line:
        if parts.has_comment:
            return (
                f"the statement at line {rw.span.line} shares its line with other code and has "
                "comments inside: splitting it would lose them"
            )
        rendered = [
            f"from {m} import {', '.join(_alias(i) for i in items)}" for m, items in groups.items()
        ]
        return TextEdit(start, end, "; ".join(rendered))
    newline = _line_ending(text, start)
    if parts.inner_indent is not None and parts.inner_indent.startswith(indent):
        inner = parts.inner_indent
    else:
        inner = indent + ("\t" if indent and not indent.strip("\t") else "    ")
    lines: list[str] = []
    for n, (module, items) in enumerate(groups.items()):
        rendered = _render_from(
            module,
            items,
            multiline=parts.paren and len(items) > 1 and "\n" in segment,
            paren=parts.paren,
            open_comment=parts.open_comment if n == 0 else None,
            indent=indent,
            inner=inner,
        )
        if n:
            rendered[0] = indent + rendered[0]
        lines.extend(rendered)
    return TextEdit(start, end, newline.join(lines))


def _dotted_name_spans(segment: str) -> list[tuple[int, int, str]]:
    """(start, end, dotted name) of each module named by an ``import a.b, c as d`` segment."""
    toks = [t for t in _tokens(segment) if t.type not in (tokenize.NL, tokenize.NEWLINE)]
    if not toks or toks[0].string != "import":
        raise EditError("not an import statement")
    spans: list[tuple[int, int, str]] = []
    current: list[_Tok] = []
    skip_alias = False
    for tok in [*toks[1:], _Tok(tokenize.OP, ",", len(segment), len(segment))]:
        if tok.string == ",":
            if not current:
                raise EditError("empty name in the import statement")
            spans.append((current[0].start, current[-1].end, "".join(t.string for t in current)))
            current, skip_alias = [], False
        elif tok.string == "as":
            skip_alias = True
        elif not skip_alias:
            current.append(tok)
    return spans


def _plan_module(
    text: str,
    tree: ast.AST,
    index: LineIndex,
    rw: ModuleImportRewrite,
    chain_ranges: Sequence[tuple[int, int]],
) -> TextEdit | str | None:
    node = _find(tree, ast.Import, rw.span)
    if not isinstance(node, ast.Import):
        return f"no import statement at line {rw.span.line}, column {rw.span.col + 1}"
    if not is_dotted_name(rw.new_module):
        return f"{rw.new_module!r} is not a module path"
    positions = [
        i for i, a in enumerate(node.names) if (a.name, a.asname) == (rw.module, rw.asname)
    ]
    if not positions:
        return f"the statement at line {rw.span.line} does not import {rw.module}"
    if rw.new_module == rw.module:
        return None
    if rw.asname is None:
        old_top, new_top = rw.module.split(".")[0], rw.new_module.split(".")[0]
        if old_top != new_top:
            return (
                f"`import {rw.module}` binds `{old_top}`; `import {rw.new_module}` would bind "
                f"`{new_top}` instead. Use an alias (`import {rw.new_module} as ...`) by hand"
            )
        if not rw.new_module.startswith(rw.module + "."):
            for sub in ast.walk(tree):
                if not isinstance(sub, ast.Attribute):
                    continue
                name = dotted(sub)
                if name is None or not name.startswith(rw.module + "."):
                    continue
                where = index.range_of(sub)
                if where and not any(a <= where[0] and where[1] <= b for a, b in chain_ranges):
                    return (
                        f"the file still uses `{name}` (line {getattr(sub, 'lineno', '?')}) "
                        f"through `import {rw.module}`; those chains must be rewritten too"
                    )
    start = index.offset(rw.span.line, rw.span.col)
    end = index.offset(rw.span.end_line, rw.span.end_col)
    segment = text[start:end]
    try:
        spans = _dotted_name_spans(segment)
    except (EditError, tokenize.TokenError, SyntaxError) as exc:
        return f"cannot read the statement at line {rw.span.line}: {exc}"
    if len(spans) != len(node.names):
        return f"cannot read the names of the statement at line {rw.span.line}"
    a, b, _ = spans[positions[0]]
    return TextEdit(start, end, segment[:a] + rw.new_module + segment[b:])


_CHAIN_NOISE = re.compile(r"\\\r?\n|\s")


def _plan_chain(
    text: str, tree: ast.AST, index: LineIndex, rw: ChainRewrite
) -> TextEdit | str | None:
    node = _find(tree, ast.Attribute, rw.span)
    if not isinstance(node, ast.Attribute) or dotted(node) != rw.old:
        return f"no attribute chain {rw.old} at line {rw.span.line}, column {rw.span.col + 1}"
    if not is_dotted_name(rw.new):
        return f"{rw.new!r} is not a dotted name"
    if rw.new == rw.old:
        return None
    start = index.offset(rw.span.line, rw.span.col)
    end = index.offset(rw.span.end_line, rw.span.end_col)
    segment = text[start:end]
    # Only names, dots, spaces and line breaks may be replaced: anything else (a comment or
    # parentheses inside the chain) would be lost.
    if _CHAIN_NOISE.sub("", segment) != rw.old:
        return f"the chain {rw.old} at line {rw.span.line} has comments or parentheses inside"
    return TextEdit(start, end, rw.new)


def plan_edits(
    text: str, rewrites: Sequence[Rewrite], *, feature_version: tuple[int, int] | None = None
) -> EditPlan:
    """Turn decisions into non-overlapping edits of ``text``; refuse what cannot be done safely.

    Each edit replaces the whole statement (or chain) named by its decision; a decision that
    changes nothing (already the right module) produces neither an edit nor a refusal.
    """
    refused: list[Refusal] = []
    if has_lone_cr(text):
        reason = "the file uses bare CR line endings, which kerasdoctor does not rewrite"
        return EditPlan((), tuple(Refusal(rw, reason) for rw in rewrites))
    try:
        tree = ast.parse(text, feature_version=feature_version)
    except (SyntaxError, ValueError) as exc:
        reason = f"the file does not parse: {exc}"
        return EditPlan((), tuple(Refusal(rw, reason) for rw in rewrites))
    index = LineIndex(text)
    chain_ranges: list[tuple[int, int]] = []
    for rw in rewrites:
        if isinstance(rw, ChainRewrite):
            with contextlib.suppress(EditError):
                chain_ranges.append(
                    (
                        index.offset(rw.span.line, rw.span.col),
                        index.offset(rw.span.end_line, rw.span.end_col),
                    )
                )
    planned: list[PlannedEdit] = []
    for rw in rewrites:
        try:
            if isinstance(rw, FromImportRewrite):
                result = _plan_from(text, tree, index, rw)
            elif isinstance(rw, ModuleImportRewrite):
                result = _plan_module(text, tree, index, rw, chain_ranges)
            else:
                result = _plan_chain(text, tree, index, rw)
        except EditError as exc:
            result = str(exc)
        if isinstance(result, str):
            refused.append(Refusal(rw, result))
        elif result is not None:
            clash = next(
                (p for p in planned if p.edit.start < result.end and result.start < p.edit.end),
                None,
            )
            if clash is not None:
                refused.append(Refusal(rw, "overlaps another edit of the same file"))
            else:
                planned.append(PlannedEdit(rw, result))
    planned.sort(key=lambda p: p.edit.start)
    return EditPlan(tuple(planned), tuple(refused))


def iter_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement of a tree, in source order (handy for callers and tests)."""
    nodes = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    yield from sorted(nodes, key=lambda n: (n.lineno, n.col_offset))
