"""Property tests: any generated from-import, rewritten any way, leaves a file that parses,
binds exactly the promised names, and is unchanged outside the statement.

The oracle is independent of :mod:`kerasdoctor.fix.verify`: it compares the trees with every
from-import removed, and the from-import bindings as a multiset.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from kerasdoctor.fix.edits import (
    ChainRewrite,
    FromImportRewrite,
    ModuleImportRewrite,
    NameMove,
    Span,
    dotted,
)
from kerasdoctor.fix.rewrite import rewrite_source

MODULE = "keras.layers"
TARGETS = ["keras.src.layers", "tf_keras.layers", "keras.layers.core"]
NAMES = ["Dense", "Conv2D", "LSTM", "BatchNormalization", "Dropout", "Flatten"]


@dataclass(frozen=True)
class Case:
    source: str
    span: Span
    names: tuple[tuple[str, str | None], ...]
    moves: tuple[NameMove, ...]
    inline: bool
    has_comment: bool
    newline: str


@st.composite
def cases(draw: st.DrawFn) -> Case:
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    unit = draw(st.sampled_from(["    ", "\t", "  "]))
    picked = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True))
    names = tuple(
        (n, draw(st.sampled_from([None, f"{n}_alias", "X"])) if i == 0 else None)
        for i, n in enumerate(picked)
    )
    aliases = [n if a is None else f"{n} as {a}" for n, a in names]
    form = draw(st.sampled_from(["plain", "paren", "multiline", "backslash"]))
    with_comments = form == "multiline" and draw(st.booleans())
    depth = draw(st.integers(0, 2))
    headers = draw(
        st.lists(
            st.sampled_from(["if flag:", "try:", "def build():", "class Model:", "while flag:"]),
            min_size=depth,
            max_size=depth,
        )
    )
    indent = unit * depth
    inner = indent + unit
    if form == "plain":
        stmt = f"from {MODULE} import {', '.join(aliases)}"
    elif form == "paren":
        stmt = f"from {MODULE} import ({', '.join(aliases)})"
    elif form == "backslash":
        stmt = f"from {MODULE} import {aliases[0]}" + "".join(
            f", \\{newline}{inner}{a}" for a in aliases[1:]
        )
    else:
        body = []
        for a in aliases:
            lead = f"{inner}# about {a.split()[0]}{newline}" if with_comments else ""
            tail = f"  # {a}" if with_comments else ""
            body.append(f"{lead}{inner}{a},{tail}{newline}")
        stmt = f"from {MODULE} import ({newline}{''.join(body)}{indent})"
    where = draw(st.sampled_from(["own", "after-semicolon", "before-semicolon", "after-header"]))
    trailing = draw(st.sampled_from(["", "  # keep me"]))
    lines: list[str] = ["import os", "flag = True"]
    prefix_len = 0
    for n, header in enumerate(headers):
        lines.append(unit * n + header)
    if where == "own":
        line_head, line_tail = indent, trailing
    elif where == "after-semicolon":
        line_head, line_tail = indent + "x = 1; ", trailing
    elif where == "before-semicolon":
        line_head, line_tail = indent, "; y = 2" + trailing
    else:
        line_head, line_tail = indent + "if flag: ", trailing
    before = newline.join(lines) + newline + line_head
    prefix_len = len(before)
    after = line_tail + newline + indent + "z = os.sep" + newline
    for n in reversed(range(depth)):
        if headers[n] == "try:":
            after += unit * n + "except ImportError:" + newline + unit * n + unit + "pass" + newline
    after += "print(flag)" + (newline if draw(st.booleans()) else "")
    source = before + stmt + after
    node = next(
        n
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.ImportFrom) and n.module == MODULE
    )
    assert source.index("from " + MODULE) == prefix_len
    targets = draw(
        st.lists(st.sampled_from([None, *TARGETS]), min_size=len(names), max_size=len(names))
    )
    move_list = tuple(NameMove(n, a, t) for (n, a), t in zip(names, targets) if t is not None)
    return Case(
        source,
        Span.of(node),
        names,
        move_list,
        where != "own",
        with_comments,
        newline,
    )


def _without_from_imports(tree: ast.Module) -> str:
    for node in ast.walk(tree):
        for field, value in ast.iter_fields(node):
            if isinstance(value, list):
                setattr(node, field, [v for v in value if not isinstance(v, ast.ImportFrom)])
    return ast.dump(tree)


def _bindings(tree: ast.AST) -> Counter[tuple[str, str, str | None]]:
    return Counter(
        (n.module or "", a.name, a.asname)
        for n in ast.walk(tree)
        if isinstance(n, ast.ImportFrom)
        for a in n.names
    )


@settings(max_examples=300, deadline=None)
@given(cases())
def test_rewrite_keeps_file_parseable_and_equal_outside(case: Case) -> None:
    rewrite = FromImportRewrite(case.span, MODULE, case.moves)
    result = rewrite_source(case.source, [rewrite])
    groups = {m.new_module for m in case.moves} | (
        {MODULE} if len(case.moves) < len(case.names) else set()
    )
    if result.refused:
        # The only refusal allowed: a split on a shared line that would drop comments.
        assert case.inline
        assert case.has_comment
        assert len(groups) > 1
        assert result.text == case.source
        return
    assert _without_from_imports(ast.parse(result.text)) == _without_from_imports(
        ast.parse(case.source)
    )
    old_tree, new_tree = ast.parse(case.source), ast.parse(result.text)
    expected = _bindings(old_tree)
    for move in case.moves:
        expected[(MODULE, move.name, move.asname)] -= 1
        expected[(move.new_module, move.name, move.asname)] += 1
    assert _bindings(new_tree) == +expected
    # Bytes before the statement and after it are untouched.
    start = result.applied[0].edit.start if result.applied else len(case.source)
    assert result.text[:start] == case.source[:start]
    tail = len(case.source) - (result.applied[0].edit.end if result.applied else len(case.source))
    assert result.text[len(result.text) - tail :] == case.source[len(case.source) - tail :]
    # Line endings: a CRLF file gets no bare LF, an LF file no CR.
    if case.newline == "\r\n":
        assert result.text.count("\n") == result.text.count("\r\n")
    else:
        assert "\r" not in result.text
    # Comments are kept, each exactly once.
    for token in ("# keep me", "# about", "# Dense"):
        assert result.text.count(token) == case.source.count(token)


@st.composite
def module_imports(draw: st.DrawFn) -> tuple[str, Span, str, str]:
    """``import ...`` statements with an aliased Keras module somewhere among other names."""
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    unit = draw(st.sampled_from(["    ", "\t"]))
    others = draw(st.lists(st.sampled_from(["os", "sys", "numpy as np"]), max_size=2, unique=True))
    at = draw(st.integers(0, len(others)))
    target = "keras.layers.normalization as norm"
    names = [*others[:at], target, *others[at:]]
    joiner = draw(st.sampled_from([", ", ",\\" + newline + unit * 2]))
    stmt = "import " + joiner.join(names)
    nested = draw(st.booleans())
    head = ("if True:" + newline + unit) if nested else ""
    where = draw(st.sampled_from(["", "x = 1; "]))
    tail = draw(st.sampled_from(["", "  # n", "; y = 2"]))
    source = head + where + stmt + tail + newline + "z = norm.BatchNormalization" + newline
    node = next(
        n
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.Import) and any(a.asname == "norm" for a in n.names)
    )
    return source, Span.of(node), stmt, stmt.replace("keras.layers.normalization", "keras.layers")


@settings(max_examples=100, deadline=None)
@given(module_imports())
def test_module_import_rewrite_changes_only_the_module(case: tuple[str, Span, str, str]) -> None:
    source, span, stmt, expected_stmt = case
    rewrite = ModuleImportRewrite(span, "keras.layers.normalization", "norm", "keras.layers")
    result = rewrite_source(source, [rewrite])
    assert result.refused == ()
    assert result.text == source.replace(stmt, expected_stmt)


@st.composite
def chains(draw: st.DrawFn) -> tuple[str, Span]:
    """``keras.layers.normalization.BatchNormalization`` in many expression positions."""
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    chain = draw(
        st.sampled_from(
            [
                "keras.layers.normalization.BatchNormalization",
                "keras.layers.normalization" + "\\" + newline + "    .BatchNormalization",
                "keras.layers.normalization.BatchNormalization",
            ]
        )
    )
    template = draw(
        st.sampled_from(
            [
                "m.add({c}())",
                "x = [{c}, 1]",
                "def f(layer={c}): return layer",
                "y = ({c}\n  )(axis=-1)",
                "isinstance(z, {c})",
                "w = {c}.__name__",
            ]
        )
    )
    body = template.replace("\n", newline).format(c=chain)
    source = "import keras" + newline + body + newline
    node = next(
        n
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.Attribute)
        and dotted(n) == "keras.layers.normalization.BatchNormalization"
    )
    return source, Span.of(node)


@settings(max_examples=60, deadline=None)
@given(chains())
def test_chain_rewrite_changes_only_the_chain(case: tuple[str, Span]) -> None:
    source, span = case
    old = "keras.layers.normalization.BatchNormalization"
    new = "keras.layers.BatchNormalization"
    result = rewrite_source(source, [ChainRewrite(span, old, new)])
    assert result.refused == ()
    (applied,) = result.applied
    edit = applied.edit
    assert result.text == source[: edit.start] + new + source[edit.end :]
    # Independent oracle: the new tree is the old one with the chain's subtree swapped.
    old_chain = ast.dump(ast.parse(old, mode="eval").body)
    new_chain = ast.dump(ast.parse(new, mode="eval").body)
    expected = ast.dump(ast.parse(source)).replace(old_chain, new_chain)
    assert ast.dump(ast.parse(result.text)) == expected
    tree = ast.parse(result.text)
    assert [dotted(n) for n in ast.walk(tree) if isinstance(n, ast.Attribute)].count(new) == 1
