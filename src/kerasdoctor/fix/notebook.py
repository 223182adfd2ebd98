"""Rewrite the ``source`` of given code cells in a notebook, leaving every other byte as it was.

A notebook is never loaded and dumped again (that would re-indent it, reorder nothing but
still change escapes, separators and the final newline). Instead a small JSON reader records
the character span of every value; only the span of each edited cell's ``source`` value is
replaced, re-serialised in the file's own style: its indentation and line endings (taken from
the value itself or from the file), its ``ensure_ascii`` choice, and its form (a list of lines
or one string). Lines of a list that no edit touches keep their original JSON text exactly.

:func:`rewrite_notebook` checks its own result: the parsed JSON equals the original except the
edited sources, and the raw bytes outside the replaced spans are identical. The JSON reader
and :func:`read_cells` are in :mod:`kerasdoctor.fix.notebook_json`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kerasdoctor.fix.edits import EditError, TextEdit, apply_edits
from kerasdoctor.fix.notebook_json import (
    _BOM,
    _NON_ASCII_ESCAPE,
    NotebookCell,
    NotebookError,
    _cells,
    _decode,
    _member,
    _Node,
    _Reader,
    _source_text,
    read_cells,
)

__all__ = [
    "CellEdit",
    "NotebookCell",
    "NotebookError",
    "mask_magics",
    "read_cells",
    "rewrite_notebook",
    "verify_notebook",
]


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
