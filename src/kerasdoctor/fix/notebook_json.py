"""Read a notebook's cells with the character span of every JSON value (for the fix side).

:class:`_Reader` knows just enough JSON to say where each value starts and ends, so that
:mod:`kerasdoctor.fix.notebook` can replace only the span of an edited cell's ``source``;
:func:`read_cells` gives every cell with its joined source and how it is stored. Errors are
:class:`NotebookError`. (The scan side reads cells with :mod:`kerasdoctor.scan.notebook`,
which skips non-Python notebooks and reports problems as values instead.)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Callable, cast

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
