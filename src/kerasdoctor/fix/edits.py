"""Text edits on decoded source, and the rendering of rewritten imports and attribute chains.

A fix is a set of :class:`TextEdit` spans replaced in the original text, never a re-print of a
parsed tree, so every character outside the edited statements stays as it was. The decisions
that say *what* to rewrite come from the judge as :data:`Rewrite` values; :func:`plan_edits`
turns each one into an edit or a :class:`Refusal` with a reason a user can read.

Positions in a decision use :class:`Span`, which follows :mod:`ast`'s conventions exactly
(1-based lines, 0-based columns counted in UTF-8 bytes of the line), so the scan side can copy
``node.lineno, node.col_offset, node.end_lineno, node.end_col_offset`` straight in. For a
notebook, the span is within the cell's source text.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
import tokenize
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Union

from kerasdoctor.models import is_dotted_name


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


# --- tokens of one statement -------------------------------------------------------------


@dataclass(frozen=True)
class _Tok:
    type: int
    string: str
    start: int  # offsets in the statement's segment
    end: int


def _tokens(segment: str) -> list[_Tok]:
    starts = [0] + [m.end() for m in re.finditer("\n", segment)]

    def off(pos: tuple[int, int]) -> int:
        row, col = pos
        return min(starts[row - 1] + col, len(segment)) if row <= len(starts) else len(segment)

    out: list[_Tok] = []
    readline = io.StringIO(segment).readline
    for tok in tokenize.generate_tokens(readline):
        if tok.type in (tokenize.ENDMARKER, tokenize.INDENT, tokenize.DEDENT):
            continue
        if tok.type == tokenize.NEWLINE and not tok.string:
            continue
        out.append(_Tok(tok.type, tok.string, off(tok.start), off(tok.end)))
    return out


@dataclass
class _Item:
    name: str
    asname: str | None
    leading: list[str]  # comments on their own lines before the name
    trailing: list[str]  # comments after the name on its line
    after: list[str] = field(default_factory=list)  # own-line comments after the last name


@dataclass
class _FromParts:
    module_start: int
    module_end: int
    paren: bool
    open_comment: str | None
    items: list[_Item]
    inner_indent: str | None  # whitespace before names that start their own line
    has_comment: bool


def _parse_from(segment: str) -> _FromParts:
    toks = [t for t in _tokens(segment) if t.type != tokenize.NEWLINE]
    it = iter(toks)
    first = next(it)
    if first.string != "from":
        raise EditError("not a from-import")
    module_toks: list[_Tok] = []
    for tok in it:
        if tok.type == tokenize.NAME and tok.string == "import":
            break
        if tok.type in (tokenize.NL, tokenize.COMMENT):
            continue
        module_toks.append(tok)
    rest = list(it)
    paren = bool(rest) and rest[0].string == "("
    paren_end = rest[0].end if paren else 0
    if paren:
        rest = rest[1:]
        if rest and rest[-1].string == ")":
            rest = rest[:-1]
    items: list[_Item] = []
    pending: list[str] = []
    open_comment: str | None = None
    has_comment = False
    last_line_tok: _Tok | None = None  # the last name/comma/as token seen
    expect_alias = False
    inner_indent: str | None = None
    line_has_item = False
    for tok in rest:
        if tok.type == tokenize.COMMENT:
            has_comment = True
            same_line = (
                last_line_tok is not None and "\n" not in segment[last_line_tok.end : tok.start]
            )
            if paren and last_line_tok is None and "\n" not in segment[paren_end : tok.start]:
                open_comment = tok.string
            elif same_line and items:
                items[-1].trailing.append(tok.string)
            else:
                pending.append(tok.string)
            continue
        if tok.type == tokenize.NL:
            line_has_item = False
            continue
        if tok.type == tokenize.NAME and tok.string == "as":
            expect_alias = True
        elif tok.type == tokenize.NAME and expect_alias:
            items[-1].asname = tok.string
            expect_alias = False
        elif tok.type == tokenize.NAME:
            if not line_has_item and paren and inner_indent is None:
                line_start = segment.rfind("\n", 0, tok.start) + 1
                prefix = segment[line_start : tok.start]
                if line_start > 0 and not prefix.strip():
                    inner_indent = prefix
            items.append(_Item(tok.string, None, pending, []))
            pending = []
            line_has_item = True
        elif tok.string != ",":
            raise EditError(f"unexpected {tok.string!r} in the import statement")
        last_line_tok = tok
    if pending:
        if not items:
            raise EditError("no names in the import statement")
        items[-1].after.extend(pending)
    if not module_toks:
        raise EditError("no module in the import statement")
    return _FromParts(
        module_toks[0].start,
        module_toks[-1].end,
        paren,
        open_comment,
        items,
        inner_indent,
        has_comment,
    )


def _line_ending(text: str, offset: int) -> str:
    newline = text.find("\n", offset)
    if newline == -1:
        match = re.search("\r?\n", text)
        return match.group(0) if match else "\n"
    return "\r\n" if newline > 0 and text[newline - 1] == "\r" else "\n"


def _context(text: str, start: int, end: int) -> tuple[bool, str]:
    """(statement has its own logical line, its indentation)."""
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start]
    line_end = text.find("\n", end)
    after = text[end : len(text) if line_end == -1 else line_end].strip()
    own = not before.strip() and (not after or after.startswith("#"))
    if own and line_start > 0:
        # The previous physical line continued with a backslash: the statement does not
        # start its logical line, so a new line with this indentation would be wrong.
        previous = text[text.rfind("\n", 0, line_start - 1) + 1 : line_start].rstrip("\r\n")
        if previous.endswith("\\"):
            own = False
    return own, before


def _alias(item: _Item) -> str:
    return item.name if item.asname is None else f"{item.name} as {item.asname}"


def _comment_suffix(comments: Sequence[str]) -> str:
    return "".join("  " + c for c in comments)


def _render_from(
    module: str,
    items: Sequence[_Item],
    *,
    multiline: bool,
    paren: bool,
    open_comment: str | None,
    indent: str,
    inner: str,
) -> list[str]:
    """Lines of one statement; the first without indentation (the span starts after it)."""
    lines: list[str] = []
    if multiline:
        lines.append(
            f"from {module} import ({_comment_suffix([open_comment] if open_comment else [])}"
        )
        for item in items:
            lines.extend(inner + c for c in item.leading)
            head, *rest = item.trailing or [""]
            line = f"{inner}{_alias(item)},"
            if head:
                line += "  " + head
            lines.append(line)
            lines.extend(inner + c for c in [*rest, *item.after])
        lines.append(indent + ")")
        return lines
    leading: list[str] = [open_comment] if open_comment else []
    trailing: list[str] = []
    for item in items:
        leading.extend(item.leading)
        trailing.extend([*item.trailing, *item.after])
    names = ", ".join(_alias(i) for i in items)
    if paren and len(items) > 1:
        names = f"({names})"  # the original was parenthesised on one line: so is this
    lines.extend(leading)
    lines.append(f"from {module} import {names}" + _comment_suffix(trailing))
    return [lines[0]] + [indent + line for line in lines[1:]]


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
