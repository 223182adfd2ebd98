"""Rewrite the ``source`` of given code cells in a notebook, leaving every other byte as it was.

A notebook is never loaded and dumped again (that would re-indent it, reorder nothing but
still change escapes, separators and the final newline). Instead a small JSON reader records
the character span of every value; only the span of each edited cell's ``source`` value is
replaced, re-serialised in the file's own style: its indentation and line endings (taken from
the value itself or from the file), its ``ensure_ascii`` choice, and its form (a list of lines
or one string). Lines of a list that no edit touches keep their original JSON text exactly.

:func:`rewrite_notebook` checks its own result: the parsed JSON equals the original except the
edited sources, and the raw bytes outside the replaced spans are identical.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Callable, cast

from kerasdoctor.fix.edits import EditError, TextEdit, apply_edits

_BOM = "\ufeff"
_WS = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null|NaN|-?Infinity")
# \\u escapes of code points >= 0x80: the file was written with ensure_ascii=True.
_NON_ASCII_ESCAPE = re.compile(
    r"(?<!\\)\\u(?:00[89a-fA-F]|0[1-9a-fA-F][0-9a-fA-F]|[1-9a-fA-F][0-9a-fA-F]{2})[0-9a-fA-F]"
)


# The C string scanner json itself uses: fast on notebooks with megabytes of outputs.
_scanstring = cast(Callable[[str, int], tuple[str, int]], json.decoder.scanstring)  # type: ignore[attr-defined]


class NotebookError(ValueError):
    """The notebook cannot be rewritten (not JSON, no such cell, not a code cell...)."""


@dataclass
class _Node:
    start: int
    end: int
    kind: str  # "object" | "array" | "string" | "scalar"
    value: str = ""
    members: list[tuple[_Node, _Node]] = field(default_factory=list)  # object: (key, value)
    items: list[_Node] = field(default_factory=list)  # array


class _Reader:
    """Just enough JSON to know where every value starts and ends."""

    def __init__(self, text: str) -> None:
        self.text = text

    def ws(self, i: int) -> int:
        match = _WS.match(self.text, i)
        assert match is not None
        return match.end()

    def value(self, i: int, depth: int = 0) -> _Node:
        if depth > 500:
            raise NotebookError("the notebook's JSON is nested too deeply")
        text = self.text
        if i >= len(text):
            raise NotebookError("the notebook's JSON ends early")
        char = text[i]
        if char == '"':
            try:
                value, end = _scanstring(text, i + 1)
            except json.JSONDecodeError as exc:
                raise NotebookError(f"invalid JSON string at offset {i}: {exc.msg}") from None
            return _Node(i, end, "string", value)
        if char == "{":
            node = _Node(i, i, "object")
            j = self.ws(i + 1)
            if text.startswith("}", j):
                node.end = j + 1
                return node
            while True:
                if not text.startswith('"', j):
                    raise NotebookError(f"expected a key at offset {j}")
                key = self.value(j, depth + 1)
                j = self.ws(key.end)
                if not text.startswith(":", j):
                    raise NotebookError(f"expected ':' at offset {j}")
                val = self.value(self.ws(j + 1), depth + 1)
                node.members.append((key, val))
                j = self.ws(val.end)
                if text.startswith(",", j):
                    j = self.ws(j + 1)
                    continue
                if text.startswith("}", j):
                    node.end = j + 1
                    return node
                raise NotebookError(f"expected ',' or '}}' at offset {j}")
        if char == "[":
            node = _Node(i, i, "array")
            j = self.ws(i + 1)
            if text.startswith("]", j):
                node.end = j + 1
                return node
            while True:
                item = self.value(j, depth + 1)
                node.items.append(item)
                j = self.ws(item.end)
                if text.startswith(",", j):
                    j = self.ws(j + 1)
                    continue
                if text.startswith("]", j):
                    node.end = j + 1
                    return node
                raise NotebookError(f"expected ',' or ']' at offset {j}")
        match = _SCALAR.match(text, i)
        if not match:
            raise NotebookError(f"invalid JSON at offset {i}")
        return _Node(i, match.end(), "scalar")

    def document(self, start: int = 0) -> _Node:
        start = self.ws(start)
        root = self.value(start)
        if self.ws(root.end) != len(self.text):
            raise NotebookError("extra data after the notebook's JSON")
        return root


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotebookError(f"the notebook is not UTF-8: {exc}") from None


def _member(node: _Node, key: str) -> _Node | None:
    for k, v in node.members:
        if k.value == key:
            return v
    return None


def _cells(root: _Node) -> list[_Node]:
    if root.kind != "object":
        raise NotebookError("the notebook is not a JSON object")
    cells = _member(root, "cells")
    if cells is None or cells.kind != "array":
        raise NotebookError("the notebook has no list of cells (nbformat 4 expected)")
    return cells.items


def _source_text(source: _Node) -> str:
    if source.kind == "string":
        return source.value
    if source.kind == "array" and all(i.kind == "string" for i in source.items):
        return "".join(i.value for i in source.items)
    raise NotebookError("a cell's source is neither a string nor a list of strings")


@dataclass(frozen=True)
class NotebookCell:
    """One cell: its 0-based index in ``cells``, type, source text, and how source is stored."""

    index: int
    cell_type: str
    source: str
    source_is_list: bool


def read_cells(data: bytes) -> tuple[NotebookCell, ...]:
    """Every cell of a notebook, in order (raises :class:`NotebookError`)."""
    text = _decode(data)
    root = _Reader(text).document(len(_BOM) if text.startswith(_BOM) else 0)
    out: list[NotebookCell] = []
    for n, cell in enumerate(_cells(root)):
        kind = _member(cell, "cell_type")
        source = _member(cell, "source")
        out.append(
            NotebookCell(
                n,
                kind.value if kind is not None and kind.kind == "string" else "",
                _source_text(source) if source is not None else "",
                source is not None and source.kind == "array",
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class CellEdit:
    """Edits of one code cell's source text (offsets into the joined source string)."""

    cell: int
    edits: tuple[TextEdit, ...]


@dataclass(frozen=True)
class _Style:
    ensure_ascii: bool
    newline: str
    unit: str | None  # indentation unit, None for a one-line (compact) file
    item_sep: str  # between values on one line in a compact file


def _style(text: str, root: _Node) -> _Style:
    if any(ord(c) > 127 for c in text):
        ensure_ascii = False
    else:
        # Pure ASCII: escaped non-ASCII characters mean ensure_ascii; none at all means we
        # cannot tell, and nbformat's own default (raw UTF-8) is the best guess.
        ensure_ascii = _NON_ASCII_ESCAPE.search(text) is not None
    newline = "\r\n" if "\r\n" in text else "\n"
    unit: str | None = None
    item_sep = ", "
    if root.members:
        first_key = root.members[0][0]
        between = text[root.start + 1 : first_key.start]
        if "\n" in between:
            unit = between[between.rfind("\n") + 1 :]
        elif len(root.members) > 1:
            item_sep = text[root.members[0][1].end : root.members[1][0].start]
    return _Style(ensure_ascii, newline, unit, item_sep)


def _line_indent(text: str, offset: int) -> str:
    start = text.rfind("\n", 0, offset) + 1
    prefix = text[start:offset]
    return prefix[: len(prefix) - len(prefix.lstrip(" \t"))]


def _split_lines(text: str) -> list[str]:
    """Jupyter's list form: each line keeps its ``\\n``; no empty last element."""
    return [m.group(0) for m in re.finditer(r"[^\n]*\n|[^\n]+$", text)]


def _render_source(
    text: str, source: _Node, old_source: str, edits: Sequence[TextEdit], style: _Style
) -> str:
    def dump(value: str) -> str:
        return json.dumps(value, ensure_ascii=style.ensure_ascii)

    new_source = apply_edits(old_source, edits)
    if source.kind == "string":
        return dump(new_source)
    items = source.items
    bounds: list[tuple[int, int]] = []
    position = 0
    for item in items:
        bounds.append((position, position + len(item.value)))
        position += len(item.value)

    def touched(n: int) -> bool:
        a, b = bounds[n]
        last = n == len(items) - 1
        for e in edits:
            if e.start < b and e.end > a:
                return True
            if e.start == e.end and (a <= e.start < b or (last and e.start == b)):
                return True
        return False

    raws: list[str] = []
    n = 0
    while n < len(items):
        if not touched(n):
            raws.append(text[items[n].start : items[n].end])
            n += 1
            continue
        m = n
        while m + 1 < len(items) and touched(m + 1):
            m += 1
        lo, hi = bounds[n][0], bounds[m][1]
        inside = [
            TextEdit(e.start - lo, e.end - lo, e.new_text)
            for e in edits
            if lo <= e.start and e.end <= hi
        ]
        group = apply_edits(old_source[lo:hi], inside)
        raws.extend(dump(line) for line in _split_lines(group))
        n = m + 1
    if not items:
        raws = [dump(line) for line in _split_lines(new_source)]
    # Separators come from the list itself when it has them, else from the file's style.
    if items:
        opening = text[source.start + 1 : items[0].start]
        closing = text[items[-1].end : source.end - 1]
        if len(items) >= 2:
            sep = text[items[0].end : items[1].start]
        else:
            sep = "," + opening if "\n" in opening else style.item_sep
    elif style.unit is not None:
        indent = _line_indent(text, source.start)
        opening = style.newline + indent + style.unit
        sep = "," + opening
        closing = style.newline + indent
    else:
        opening = closing = ""
        sep = style.item_sep
    if not raws:
        return "[]"
    return "[" + opening + sep.join(raws) + closing + "]"


def _with_sources(doc: Any, sources: Mapping[int, str], *, join: bool) -> Any:
    """``doc`` with the given cells' sources set (or, with ``join``, joined into one string)."""
    cells = doc.get("cells") if isinstance(doc, dict) else None
    if isinstance(cells, list):
        for n, new in sources.items():
            if 0 <= n < len(cells) and isinstance(cells[n], dict):
                current = cells[n].get("source")
                if not join:
                    cells[n]["source"] = new
                elif isinstance(current, list):
                    cells[n]["source"] = "".join(current)
    return doc


def verify_notebook(
    old: bytes, new: bytes, new_sources: Mapping[int, str], spans: Sequence[tuple[int, int, int]]
) -> str | None:
    """None when ``new`` is ``old`` except the given sources, else the reason.

    ``spans`` are (byte start, byte end in old, byte end in new) of each replaced value in
    order, so that the raw bytes outside them can be compared too.
    """
    try:
        old_doc, new_doc = json.loads(old), json.loads(new)
    except ValueError as exc:
        return f"the rewritten notebook is not JSON: {exc}"
    if _with_sources(old_doc, new_sources, join=False) != _with_sources(
        new_doc, new_sources, join=True
    ):
        return "the rewritten notebook differs outside the edited sources"
    o = n = 0
    for start, old_end, new_end_rel in spans:
        length = start - o
        if old[o:start] != new[n : n + length]:
            return "the rewritten notebook's bytes differ outside the edited sources"
        n += length + new_end_rel
        o = old_end
    if old[o:] != new[n:]:
        return "the rewritten notebook's bytes differ outside the edited sources"
    return None


def rewrite_notebook(data: bytes, cell_edits: Sequence[CellEdit]) -> bytes:
    """The notebook's new bytes with each cell's edits applied to its ``source`` value.

    Raises :class:`NotebookError` when the notebook cannot be read, a cell is missing or is
    not a code cell, or the result fails its own checks.
    """
    text = _decode(data)
    root = _Reader(text).document(len(_BOM) if text.startswith(_BOM) else 0)
    cells = _cells(root)
    style = _style(text, root)
    replacements: list[tuple[int, int, str]] = []
    new_sources: dict[int, str] = {}
    for cell_edit in cell_edits:
        if not cell_edit.edits:
            continue
        if not 0 <= cell_edit.cell < len(cells):
            raise NotebookError(f"the notebook has no cell {cell_edit.cell}")
        if cell_edit.cell in new_sources:
            raise NotebookError(f"cell {cell_edit.cell} is edited twice")
        cell = cells[cell_edit.cell]
        kind = _member(cell, "cell_type")
        source = _member(cell, "source")
        if kind is None or kind.value != "code" or source is None:
            raise NotebookError(f"cell {cell_edit.cell} is not a code cell")
        old_source = _source_text(source)
        try:
            new_sources[cell_edit.cell] = apply_edits(old_source, cell_edit.edits)
            raw = _render_source(text, source, old_source, cell_edit.edits, style)
        except EditError as exc:
            raise NotebookError(f"cell {cell_edit.cell}: {exc}") from None
        replacements.append((source.start, source.end, raw))
    replacements.sort()
    pieces: list[str] = []
    spans: list[tuple[int, int, int]] = []
    position = 0
    for start, end, raw in replacements:
        pieces.append(text[position:start])
        pieces.append(raw)
        spans.append(
            (
                len(text[:start].encode("utf-8")),
                len(text[:end].encode("utf-8")),
                len(raw.encode("utf-8")),
            )
        )
        position = end
    pieces.append(text[position:])
    new = "".join(pieces).encode("utf-8")
    reason = verify_notebook(data, new, new_sources, spans)
    if reason is not None:
        raise NotebookError(reason)
    return new


_MAGIC = re.compile(r"[ \t]*(?:[%!?]|[\w.]+[ \t]*=[ \t]*[%!])")


def mask_magics(source: str) -> str:
    """The cell's source with IPython magics, ``!`` shell lines and ``?`` help blanked.

    Each such line becomes spaces of the same length (its line ending kept), so offsets and
    line numbers still match the real source: parse and plan on the masked text, then apply
    the same edits to the real one. A ``%%`` cell magic blanks the whole cell.
    """
    lines = re.findall(r"[^\n]*\n|[^\n]+$", source)
    whole = source.lstrip().startswith("%%")
    out: list[str] = []
    continued = False
    for line in lines:
        body = line.rstrip("\r\n")
        stripped = body.strip()
        magic = (
            whole
            or continued
            or bool(_MAGIC.match(body))
            or (stripped.endswith("?") and not stripped.startswith("#"))
        )
        if magic:
            out.append(" " * len(body) + line[len(body) :])
            continued = body.endswith("\\")
        else:
            out.append(line)
            continued = False
    return "".join(out)
