"""Read a Jupyter notebook's code cells without the nbformat package, and mask IPython syntax.

A notebook is nbformat 4 JSON: ``cells`` is a list of markdown, raw and code cells, and a
cell's ``source`` is either one string or a list of lines to concatenate. IPython accepts
lines that are not Python (``%matplotlib inline``, ``!pip install keras``, ``x = !ls``,
``obj?``); those lines are replaced by ``pass`` (or ``x = None`` for an assignment, so the
name still counts as rebound) at the same indentation, so every other line keeps its number
and its columns. Masking is applied only to a cell that does not parse as it is, so a plain
Python cell is never altered. A cell that starts with a cell magic runs something other than
Python (``%%bash``, ``%%writefile``) and is skipped, except ``%%time``, ``%%timeit`` and
``%%capture``, whose body is Python.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass

from kerasdoctor.scan.model import CellProblem, FileStatus
from kerasdoctor.scan.source import syntax_reason

#: Cell magics whose body IPython runs as Python.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture"})

_CELL_MAGIC = re.compile(r"\s*%%(\w+)")
_LINE_MAGIC = re.compile(r"(\s*)(?:[%!]|\?)")
_HELP = re.compile(r"(\s*)[A-Za-z_][\w.]*(?:\(\))?\?{1,2}\s*$")
_ASSIGN_MAGIC = re.compile(r"(\s*)([A-Za-z_]\w*)\s*=\s*[%!]")
_NEWLINE = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class CodeCell:
    """One code cell: its index in ``cells`` (markdown cells count) and its joined source."""

    index: int
    text: str
    #: The source was stored as a list of lines (True) or as one string (False).
    source_is_list: bool


@dataclass(frozen=True)
class NotebookError:
    """Why a notebook could not be read at all."""

    status: FileStatus
    reason: str


@dataclass(frozen=True)
class ParsedCell:
    """A code cell that parsed (after masking, if it needed it)."""

    cell: CodeCell
    tree: ast.Module
    #: The text that was parsed: ``cell.text`` with magic lines masked.
    parsed_text: str
    masked_lines: tuple[int, ...]


def read_cells(data: bytes) -> list[CodeCell] | NotebookError:
    """The code cells of a notebook, in order, or why it is not a notebook we can read."""
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, ValueError) as exc:
        return NotebookError(FileStatus.UNPARSABLE, f"not valid JSON: {exc}")
    except RecursionError:
        return NotebookError(FileStatus.UNPARSABLE, "not valid JSON: too deeply nested")
    if not isinstance(document, dict):
        return NotebookError(FileStatus.UNPARSABLE, "not a notebook: the JSON is not an object")
    if "cells" not in document and isinstance(document.get("worksheets"), list):
        return NotebookError(
            FileStatus.SKIPPED,
            "nbformat 3 notebook: not read (convert it with `jupyter nbconvert --to notebook`)",
        )
    cells = document.get("cells")
    if not isinstance(cells, list):
        return NotebookError(FileStatus.UNPARSABLE, "not a notebook: no `cells` list")
    language = _language(document.get("metadata"))
    if language is not None and language.lower() not in {"python", "python3", "ipython"}:
        return NotebookError(FileStatus.SKIPPED, f"not a Python notebook (language: {language})")
    out: list[CodeCell] = []
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, str):
            out.append(CodeCell(index, source, False))
        elif isinstance(source, list) and all(isinstance(s, str) for s in source):
            out.append(CodeCell(index, "".join(source), True))
        else:
            # Keep the cell so that parsing reports it: its text cannot be trusted.
            out.append(CodeCell(index, "\x00", True))
    return out


def _language(metadata: object) -> str | None:
    if not isinstance(metadata, dict):
        return None
    for key, field in (("language_info", "name"), ("kernelspec", "language")):
        section = metadata.get(key)
        if isinstance(section, dict) and isinstance(section.get(field), str):
            value: str = section[field]
            return value
    return None


def mask_magics(text: str) -> tuple[str, tuple[int, ...]]:
    """``text`` with IPython-only lines replaced, and the 1-based numbers of those lines.

    Line numbers and every other line are unchanged; line endings are kept. A masked line
    that ends with a backslash continues, so the next line is masked too.
    """
    pieces = _NEWLINE.split(text)
    endings = [*_NEWLINE.findall(text), ""]
    masked: list[int] = []
    continued = False
    for number, line in enumerate(pieces, start=1):
        replacement: str | None = None
        if continued:
            replacement = ""
        elif not line.lstrip().startswith("#"):
            assign = _ASSIGN_MAGIC.match(line)
            if assign:
                replacement = f"{assign.group(1)}{assign.group(2)} = None"
            else:
                magic = _LINE_MAGIC.match(line) or _HELP.match(line)
                if magic:
                    replacement = f"{magic.group(1)}pass"
        if replacement is not None:
            continued = line.rstrip().endswith("\\")
            pieces[number - 1] = replacement
            masked.append(number)
        else:
            continued = False
    return "".join(p + e for p, e in zip(pieces, endings)), tuple(masked)


def parse_cell(cell: CodeCell) -> ParsedCell | CellProblem:
    """Parse one code cell, masking IPython lines only if it does not parse as it is."""
    if "\x00" in cell.text:
        return CellProblem(cell.index, FileStatus.UNPARSABLE, "cell source is not text")
    first = cell.text.lstrip("\r\n")
    magic = _CELL_MAGIC.match(first)
    if magic and magic.group(1) not in PYTHON_CELL_MAGICS:
        return CellProblem(
            cell.index, FileStatus.SKIPPED, f"cell magic %%{magic.group(1)}: not Python"
        )
    try:
        return ParsedCell(cell, ast.parse(cell.text), cell.text, ())
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    parsed_text, masked = mask_magics(cell.text)
    try:
        return ParsedCell(cell, ast.parse(parsed_text), parsed_text, masked)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return CellProblem(cell.index, FileStatus.UNPARSABLE, syntax_reason(exc))
