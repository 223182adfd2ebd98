"""Proof that an edited text changed nothing but the edited statements.

Three checks, all pure: the new text is exactly the old one with the edits applied (so no
byte outside them moved); it parses with the same ``feature_version`` as the original; and
its syntax tree equals the original's once every node that lies wholly inside an edited range
is replaced by a placeholder naming that edit, in both trees. Any change elsewhere (a
statement dedented by a bad split, an expression swallowed by a wrong span) survives the
masking and makes the two dumps differ.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

from kerasdoctor.fix.edits import EditError, LineIndex, TextEdit, apply_edits, has_lone_cr

Range = tuple[int, int]


def new_ranges(edits: Sequence[TextEdit]) -> list[tuple[Range, Range]]:
    """(old range, new range) of each edit, in text order, after applying them all."""
    out: list[tuple[Range, Range]] = []
    delta = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        start = edit.start + delta
        out.append(((edit.start, edit.end), (start, start + len(edit.new_text))))
        delta += len(edit.new_text) - (edit.end - edit.start)
    return out


def _placeholder(k: int) -> ast.Name:
    return ast.Name(id=f"__kerasdoctor_edit_{k}__", ctx=ast.Load())


def _mask(tree: ast.AST, text: str, ranges: Sequence[Range]) -> str:
    index = LineIndex(text)

    def region(node: ast.AST) -> int | None:
        where = index.range_of(node)
        if where is None:
            return None
        for k, (a, b) in enumerate(ranges):
            if a <= where[0] and where[1] <= b:
                return k
        return None

    def visit(node: ast.AST) -> None:
        for field, value in ast.iter_fields(node):
            if isinstance(value, list):
                masked: list[object] = []
                last: int | None = None
                for item in value:
                    k = region(item) if isinstance(item, ast.AST) else None
                    if k is not None:
                        # Consecutive nodes of one edit fold into one placeholder: a split
                        # statement is one edit on both sides.
                        if k != last:
                            masked.append(_placeholder(k))
                        last = k
                        continue
                    if isinstance(item, ast.AST):
                        visit(item)
                    masked.append(item)
                    last = None
                setattr(node, field, masked)
            elif isinstance(value, ast.AST):
                k = region(value)
                if k is not None:
                    setattr(node, field, _placeholder(k))
                else:
                    visit(value)

    visit(tree)
    return ast.dump(tree)


def ast_equal_outside(
    old: str,
    new: str,
    old_ranges: Sequence[Range],
    new_ranges_: Sequence[Range],
    *,
    feature_version: tuple[int, int] | None = None,
) -> str | None:
    """None when both texts parse and their trees agree outside the given ranges, else why.

    ``old_ranges[k]`` and ``new_ranges_[k]`` are the same edit's character range in each text.
    """
    try:
        old_tree = ast.parse(old, feature_version=feature_version)
    except (SyntaxError, ValueError) as exc:
        return f"the original does not parse: {exc}"
    try:
        new_tree = ast.parse(new, feature_version=feature_version)
    except (SyntaxError, ValueError) as exc:
        return f"the rewritten text does not parse: {exc}"
    if has_lone_cr(old) or has_lone_cr(new):
        # ast counts a bare CR as a line end and our offsets do not: positions would not map.
        return "bare CR line endings are not supported"
    try:
        same = _mask(old_tree, old, old_ranges) == _mask(new_tree, new, new_ranges_)
    except EditError as exc:
        return f"cannot map the syntax tree to the text: {exc}"
    if not same:
        return "the rewritten text's syntax tree differs outside the edited statements"
    return None


def verify_edits(
    old: str,
    new: str,
    edits: Sequence[TextEdit],
    *,
    feature_version: tuple[int, int] | None = None,
) -> str | None:
    """None when ``new`` is ``old`` with ``edits`` applied and the tree is equal outside them.

    Returns the reason otherwise, ready to show to the user.
    """
    try:
        expected = apply_edits(old, edits)
    except EditError as exc:
        return f"the edits cannot be applied: {exc}"
    if expected != new:
        return "the rewritten text changes characters outside the edits"
    pairs = new_ranges(edits)
    return ast_equal_outside(
        old,
        new,
        [o for o, _ in pairs],
        [n for _, n in pairs],
        feature_version=feature_version,
    )
