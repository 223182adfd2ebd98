"""The test corpus (tests/corpus) as the real-environment tests run it.

Scripts run as ``python <file>``; a notebook runs as its code cells joined, without magic
(``%``) and shell (``!``) lines, as tests/corpus/README.md's verified runs did.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
#: one entry per corpus file: path, era, runnable, special, expect_parse, encoding, newline
MANIFEST: list[dict[str, Any]] = json.loads((CORPUS / "manifest.json").read_text("utf-8"))

#: What a model says when it is given a layer of another Keras implementation (Keras 3's
#: Sequential, Keras 2's Sequential and functional checks): the error of a mixed file.
LAYER_TYPE_ERRORS = (
    "Only instances of keras.Layer can be added",
    "must be an instance of class Layer",
    "Only instances of `keras.Layer` can be added",
    "is not an instance of Layer",
)


def notebook_program(path: Path) -> str:
    """A notebook's code cells joined, without magic and shell lines."""
    cells = json.loads(path.read_text("utf-8"))["cells"]
    lines: list[str] = []
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        source = cell["source"]
        text = "".join(source) if isinstance(source, list) else source
        lines += [ln for ln in text.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        lines.append("")
    return "\n".join(lines)


def program(path: Path) -> str:
    """Code for ``python -c`` that runs a corpus file as the verified runs did."""
    if path.suffix == ".ipynb":
        return notebook_program(path)
    return (
        "import runpy, sys\n"
        f"sys.argv = [{str(path)!r}]\n"
        f"runpy.run_path({str(path)!r}, run_name='__main__')\n"
    )
