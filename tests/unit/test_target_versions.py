"""Targets on other Pythons than kerasdoctor's own: 3.7 (the oldest supported) to 3.13.

The payloads must run on every Python a target may have; pyenv on this machine kind has
3.7-3.13. A missing interpreter is reported as a skip, never silently passed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from helpers.pythons import PYENV_VERSIONS

pytestmark = pytest.mark.pyenv

PYENV = PYENV_VERSIONS
VERSIONS = ["3.7", "3.8", "3.12", "3.13"]


def _interpreter(version: str) -> Path:
    found = sorted(PYENV.glob(f"{version}.*/bin/python{version}"))
    if not found:
        pytest.skip(f"no Python {version} under {PYENV} on this machine")
    return found[-1]


@pytest.mark.parametrize("version", VERSIONS)
def test_inspect_and_probe_on_other_pythons(
    version: str, tmp_path: Path, validate_report: Any
) -> None:
    python = _interpreter(version)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kerasdoctor",
            "check",
            "--json",
            "--python",
            str(python),
            "BatchNormalization",
            "json.dumps",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 1, done.stderr  # no Keras there: BatchNormalization has no line
    document = json.loads(done.stdout)
    validate_report(document)
    assert document["target"]["python_version"].startswith(version + ".")
    dumps = document["suggestions"][1]
    assert dumps["import_line"] == "from json import dumps"
    assert dumps["resolved"]["identity"] == "json:dumps"
    truth = subprocess.run(
        [str(python), "-c", "from keras.layers import BatchNormalization"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    probe = next(
        p
        for p in document["probes"]
        if p["import_line"] == "from keras.layers import BatchNormalization"
    )
    assert truth.returncode != 0
    assert probe["status"] == "import-error"
    assert (
        truth.stderr.strip().splitlines()[-1]
        == f"{probe['error']['type']}: {probe['error']['message']}"
    )


@pytest.mark.parametrize("version", ["2.7", "3.6"])
def test_too_old_python_is_unsupported(version: str, tmp_path: Path) -> None:
    python = _interpreter(version)
    done = subprocess.run(
        [sys.executable, "-m", "kerasdoctor", "check", "--python", str(python)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert f"is Python {version}." in line
    assert "unsupported" in line
