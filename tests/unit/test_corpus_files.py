"""Sanity checks on tests/corpus: the files are what manifest.json says they are.

The corpus is test data for `scan` and `fix`; if a file silently lost its CRLF, its BOM or
its syntax error (an editor, a git setting), the real-environment tests built on it would
test something else. These checks read the bytes, not the manifest's word for them.
"""

from __future__ import annotations

import ast
import codecs
import json
import os
import tokenize
from pathlib import Path
from typing import Any

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
MANIFEST: list[dict[str, Any]] = json.loads((CORPUS / "manifest.json").read_text("utf-8"))
PY_ENTRIES = [e for e in MANIFEST if e["path"].endswith(".py")]
NB_ENTRIES = [e for e in MANIFEST if e["path"].endswith(".ipynb")]


def _ids(entries: list[dict[str, Any]]) -> list[str]:
    return [str(e["path"]) for e in entries]


def test_manifest_lists_every_corpus_file_once() -> None:
    on_disk = {p.name for p in CORPUS.iterdir() if p.suffix in {".py", ".ipynb"} and p.is_file()}
    listed = [str(e["path"]) for e in MANIFEST]
    assert len(listed) == len(set(listed))
    assert set(listed) == on_disk


def test_readme_describes_every_file() -> None:
    readme = (CORPUS / "README.md").read_text("utf-8")
    missing = [str(e["path"]) for e in MANIFEST if f"`{e['path']}`" not in readme]
    assert missing == []


@pytest.mark.parametrize("entry", PY_ENTRIES, ids=_ids(PY_ENTRIES))
def test_python_file_parses_exactly_when_expected(entry: dict[str, Any]) -> None:
    raw = (CORPUS / entry["path"]).read_bytes()
    try:
        ast.parse(raw, filename=entry["path"])  # bytes: Python decodes cookie and BOM itself
    except SyntaxError:
        parsed = False
    else:
        parsed = True
    assert parsed is entry["expect_parse"]


@pytest.mark.parametrize("entry", PY_ENTRIES, ids=_ids(PY_ENTRIES))
def test_python_file_encoding_and_newlines_match_manifest(entry: dict[str, Any]) -> None:
    path = CORPUS / entry["path"]
    raw = path.read_bytes()
    with path.open("rb") as fh:
        detected, _ = tokenize.detect_encoding(fh.readline)
    expected = {"utf-8": "utf-8", "latin-1": "iso-8859-1", "utf-8-sig": "utf-8-sig"}
    assert detected == expected[entry["encoding"]]
    assert raw.startswith(codecs.BOM_UTF8) is (entry["encoding"] == "utf-8-sig")
    crlf = raw.count(b"\r\n")
    bare_lf = raw.count(b"\n") - crlf
    if entry["newline"] == "crlf":
        assert crlf > 0
        assert bare_lf == 0
    else:
        assert crlf == 0
    assert raw.endswith(b"\n") is ("no-trailing-newline" not in entry["special"])
    if entry["encoding"] != "utf-8":
        # the point of these files is a non-ASCII byte that only their declared codec reads
        assert any(b > 0x7F for b in raw.removeprefix(codecs.BOM_UTF8))


@pytest.mark.parametrize("entry", PY_ENTRIES, ids=_ids(PY_ENTRIES))
def test_special_markers_hold(entry: dict[str, Any]) -> None:
    path = CORPUS / entry["path"]
    raw = path.read_bytes()
    special = set(entry["special"])
    if "shebang" in special:
        assert raw.startswith(b"#!")
        assert os.access(path, os.X_OK)
    if "tabs" in special:
        assert b"\n\t" in raw
    if "star-import" in special:
        assert b" import *" in raw


@pytest.mark.parametrize("entry", NB_ENTRIES, ids=_ids(NB_ENTRIES))
def test_notebook_is_nbformat4_json(entry: dict[str, Any]) -> None:
    raw = (CORPUS / entry["path"]).read_bytes()
    nb = json.loads(raw.decode("utf-8"))
    assert nb["nbformat"] == 4
    assert isinstance(nb["nbformat_minor"], int)
    assert isinstance(nb["metadata"], dict)
    assert nb["cells"]
    for cell in nb["cells"]:
        assert cell["cell_type"] in {"code", "markdown", "raw"}
        assert isinstance(cell["metadata"], dict)
        source = cell["source"]
        assert isinstance(source, str) or all(isinstance(line, str) for line in source)
        if isinstance(source, list):
            # Jupyter's own layout: every line but the cell's last ends with "\n"
            assert all(line.endswith("\n") for line in source[:-1])
            assert not source or not source[-1].endswith("\n")
        if cell["cell_type"] == "code":
            assert isinstance(cell["outputs"], list)
            assert cell["execution_count"] is None or isinstance(cell["execution_count"], int)
    assert raw.endswith(b"\n") is ("no-trailing-newline" not in entry["special"])
