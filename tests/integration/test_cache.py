"""The cache: a repeat run on an unchanged environment is served from it; each input of the
key invalidates it (install/remove a package, a variable, a project keras.py, keras.json).

A real venv (uv) with no Keras, so each fresh run is quick; the packages installed are real
distributions built from source folders, with real dist-info metadata.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kerasdoctor import cache
from kerasdoctor.models import Report
from kerasdoctor.render import json_document

pytestmark = pytest.mark.realenv


def _uv() -> list[str]:
    found = shutil.which("uv")
    return [found] if found else [sys.executable, "-m", "uv"]


@pytest.fixture
def sandbox(tmp_path: Path) -> dict[str, Any]:
    venv = tmp_path / "venv"
    subprocess.run([*_uv(), "venv", "-q", "-p", sys.executable, str(venv)], check=True)
    package = tmp_path / "src" / "kdcachepkg"
    (package / "kdcachepkg").mkdir(parents=True)
    (package / "kdcachepkg" / "__init__.py").write_text("VALUE = 1\n")
    (package / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
        '[project]\nname = "kdcachepkg"\nversion = "1.0"\n'
    )
    project = tmp_path / "project"
    project.mkdir()
    home = tmp_path / "keras-home"
    home.mkdir()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "KERAS_HOME": str(home),
    }
    return {"venv": venv, "package": package, "project": project, "env": env, "home": home}


def _check(box: dict[str, Any], *extra: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kerasdoctor",
            "check",
            "--json",
            "--python",
            str(box["venv"]),
            *extra,
        ],
        cwd=box["project"],
        env=env or box["env"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    return document


def _install(box: dict[str, Any], *args: str) -> None:
    subprocess.run(
        [*_uv(), "pip", *args, "--python", str(box["venv"] / "bin" / "python")],
        check=True,
        capture_output=True,
    )


def test_repeat_run_is_served_from_the_cache(sandbox: dict[str, Any]) -> None:
    first = _check(sandbox)
    second = _check(sandbox)
    assert first["from_cache"] is False
    assert second["from_cache"] is True
    for doc in (first, second):
        doc.pop("from_cache")
        doc.pop("seconds")
    assert first == second
    assert _check(sandbox, "--no-cache")["from_cache"] is False


def test_installing_and_removing_a_package_invalidates(sandbox: dict[str, Any]) -> None:
    _check(sandbox)
    _install(sandbox, "install", str(sandbox["package"]))
    assert _check(sandbox)["from_cache"] is False
    assert _check(sandbox)["from_cache"] is True
    _install(sandbox, "uninstall", "kdcachepkg")
    assert _check(sandbox)["from_cache"] is False


def test_a_variable_invalidates(sandbox: dict[str, Any]) -> None:
    _check(sandbox)
    changed = {**sandbox["env"], "KERAS_BACKEND": "torch"}
    document = _check(sandbox, env=changed)
    assert document["from_cache"] is False
    assert document["target"]["env"]["KERAS_BACKEND"] == "torch"


def test_a_project_keras_py_invalidates_and_the_new_verdict_shows_it(
    sandbox: dict[str, Any],
) -> None:
    before = _check(sandbox)
    assert all(p["status"] != "ok" for p in before["probes"])
    (sandbox["project"] / "keras.py").write_text("class layers:\n    BatchNormalization = 1\n")
    after = _check(sandbox)
    assert after["from_cache"] is False
    line = next(
        p
        for p in after["probes"]
        if p["import_line"] == "from keras.layers import BatchNormalization"
    )
    # keras.py is a module, not a package: the new verdict is exactly what python -c says now.
    truth = subprocess.run(
        [str(sandbox["venv"] / "bin" / "python"), "-c", line["import_line"]],
        cwd=sandbox["project"],
        env=sandbox["env"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert truth.returncode != 0
    last = truth.stderr.strip().splitlines()[-1]
    assert last == f"{line['error']['type']}: {line['error']['message']}"
    assert (
        line["error"]["message"]
        != next(p for p in before["probes"] if p["import_line"] == line["import_line"])["error"][
            "message"
        ]
    )
    (sandbox["project"] / "keras.py").write_text("# edited\n")
    assert _check(sandbox)["from_cache"] is False


def test_editing_keras_json_invalidates(sandbox: dict[str, Any]) -> None:
    config = sandbox["home"] / "keras.json"
    config.write_text('{"backend": "jax"}')
    _check(sandbox)
    assert _check(sandbox)["from_cache"] is True
    config.write_text('{"backend": "torch"}')
    document = _check(sandbox)
    assert document["from_cache"] is False
    assert document["target"]["keras_config"]["backend"] == "torch"


def test_encoding_round_trips_a_report(sandbox: dict[str, Any], validate_report: Any) -> None:
    _check(sandbox)
    folder = Path(sandbox["env"]["XDG_CACHE_HOME"]) / "kerasdoctor"
    (entry,) = folder.glob("*.json")
    report = cache.load(folder, entry.stem)
    assert isinstance(report, Report)
    assert cache.decode(json.loads(json.dumps(cache.encode(report)))) == report
    validate_report(json.loads(json_document.render(report)))
