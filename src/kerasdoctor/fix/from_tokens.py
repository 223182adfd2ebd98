"""Reading and re-rendering one ``from ... import ...`` statement at the token level.

The planner (:mod:`kerasdoctor.fix.edits`) rewrites a from-import without re-printing a tree:
these helpers split the statement into its names, aliases and comments, find the line ending
and indentation it sits in, and render the rewritten statement in the same layout.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass, field

from kerasdoctor.fix.edit_model import EditError

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
