"""Where the tests find the pyenv interpreters (2.7, 3.6, 3.7 ... 3.13) of the machine.

Resolved from ``$PYENV_ROOT`` or the ``pyenv`` on PATH before falling back to ``~/.pyenv``:
the suite must give the same results when run with ``HOME`` pointing at an empty folder,
and a test that looked under ``~`` would then fail or skip for a reason that is not the
product's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path


def _pyenv_root() -> Path:
    root = os.environ.get("PYENV_ROOT")
    if root:
        return Path(root)
    pyenv = shutil.which("pyenv")
    if pyenv:
        done = subprocess.run([pyenv, "root"], capture_output=True, text=True, check=False)
        if done.returncode == 0 and done.stdout.strip():
            return Path(done.stdout.strip())
    return Path.home() / ".pyenv"


#: the folder holding one folder per installed Python version
PYENV_VERSIONS = _pyenv_root() / "versions"
