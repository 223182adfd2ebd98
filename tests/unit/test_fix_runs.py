"""Rewritten code still runs and prints the same: a real interpreter, stdlib objects.

The decisions move names to other modules that give the same objects (``os.path`` is
``posixpath`` on POSIX, ``json.JSONDecoder`` lives in ``json.decoder``), so the rewritten
script must behave exactly like the original.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kerasdoctor.fix.edits import (
    ChainRewrite,
    FromImportRewrite,
    ModuleImportRewrite,
    NameMove,
    Rewrite,
    Span,
    dotted,
)
from kerasdoctor.fix.files import rewrite_python_file

SCRIPT = (
    "import os.path as osp\r\n"
    "import posixpath\r\n"
    "from os.path import (  # paths\r\n"
    "    join as J,  # join\r\n"
    "    sep,\r\n"
    "    basename,\r\n"
    ")\r\n"
    "\r\n"
    "\r\n"
    "def f():\r\n"
    "\tfrom json import dumps, JSONDecoder; x = 1\r\n"
    "\treturn dumps(JSONDecoder().decode('[1]')), x\r\n"
    "\r\n"
    "\r\n"
    "print(J('a', 'b'), sep, basename('/x/y'), f(), osp.dirname('/a/b'),\r\n"
    "      os.path.join('c', 'd'))\r\n"
)


def _decisions(text: str) -> list[Rewrite]:
    tree = ast.parse(text)
    out: list[Rewrite] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and node.names[0].name == "os.path":
            out.append(ModuleImportRewrite(Span.of(node), "os.path", "osp", "posixpath"))
        elif isinstance(node, ast.ImportFrom) and node.module == "os.path":
            to_os = (NameMove("sep", None, "os"), NameMove("join", "J", "posixpath"))
            out.append(FromImportRewrite(Span.of(node), "os.path", to_os))
        elif isinstance(node, ast.ImportFrom) and node.module == "json":
            to_decoder = (NameMove("JSONDecoder", None, "json.decoder"),)
            out.append(FromImportRewrite(Span.of(node), "json", to_decoder))
        elif isinstance(node, ast.Attribute) and dotted(node) == "os.path.join":
            out.append(ChainRewrite(Span.of(node), "os.path.join", "posixpath.join"))
    return out


@pytest.mark.skipif(os.name != "posix", reason="os.path is posixpath only on POSIX")
def test_rewritten_script_runs_the_same(tmp_path: Path) -> None:
    # The chain `os.path.join` needs `os` bound by the script itself.
    script = "import os\r\n" + SCRIPT
    old = tmp_path / "old.py"
    old.write_bytes(script.encode())
    result = rewrite_python_file(old.read_bytes(), _decisions(script))
    assert result.refused == ()
    assert len(result.applied) == 4
    new = tmp_path / "new.py"
    new.write_bytes(result.data)
    text = result.data.decode()
    assert "from os import sep\r\n" in text
    assert "\tfrom json import dumps; from json.decoder import JSONDecoder; x = 1\r\n" in text
    assert "import posixpath as osp\r\n" in text
    assert text.count("\n") == text.count("\r\n")
    outputs = [
        subprocess.run(
            [sys.executable, str(path)], capture_output=True, text=True, check=True
        ).stdout
        for path in (old, new)
    ]
    assert outputs[0] == outputs[1]
    assert "a/b / y" in outputs[0]
