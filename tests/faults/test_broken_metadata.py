"""Broken metadata in the target: each fault is planted by hand in the venv's site-packages
(or in a folder on PYTHONPATH) after the real installs. kerasdoctor reports what it can read,
names what is wrong, and every line still gets the status a plain import would give."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from faults.conftest import TIMEOUT, FaultEnv, KdRun, RunKd, permission_hook
from faults.fakes import OK

TF_KERAS = "tf_keras.KdTfKeras"
TF_KERAS_LINE = "from tf_keras import KdTfKeras"


def plant_dist_info(
    folder: Path, dirname: str, metadata: bytes | None, record: str | None = ""
) -> Path:
    """A hand-made .dist-info; ``metadata``/``record`` None leave that file out."""
    info = folder / dirname
    info.mkdir()
    if metadata is not None:
        (info / "METADATA").write_bytes(metadata)
    if record is not None:
        (info / "RECORD").write_text(record)
    return info


def metadata(name: str, version: str) -> bytes:
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()


def plant_tf_keras(faultenv: FaultEnv, site: Path, version: str, *, package: bool) -> Path:
    """The real installed dist-info of the fake tf-keras (and its package, if asked)."""
    staged = faultenv.staged[version]
    (info,) = staged.glob("tf_keras-*.dist-info")
    shutil.copytree(info, site / info.name)
    if package and not (site / "tf_keras").exists():
        shutil.copytree(staged / "tf_keras", site / "tf_keras")
    return site / info.name


def run_check(run_kd: RunKd, faultenv: FaultEnv, *symbols: str, **kwargs: Any) -> KdRun:
    run = run_kd(
        "check",
        OK.dotted,
        *symbols,
        "--python",
        str(faultenv.python),
        "--json",
        "--timeout",
        f"{TIMEOUT:g}",
        **kwargs,
    )
    assert run.returncode in (0, 1), run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    assert run.leftovers == ()
    assert run.probe(OK.line)["status"] == "ok"  # the good line is unaffected
    return run


def only(run: KdRun, name: str) -> dict[str, Any]:
    (found,) = run.distributions(name)
    return found


def test_empty_metadata(faultenv: FaultEnv, site: Path, run_kd: RunKd) -> None:
    plant_dist_info(site, "keras-3.99.0.dist-info", b"")
    run = run_check(run_kd, faultenv)
    keras = only(run, "keras")
    assert keras["version"] == "3.99.0"  # from the folder name
    assert "METADATA is empty or has no Name/Version" in keras["problems"]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"\xff\xfeName: tf-keras\x00\x80\n", id="not-utf8"),
        pytest.param(b"Metadata-Version: 2.1\nSummary: no name, no version\n", id="no-name"),
        pytest.param(None, id="metadata-is-a-folder"),
    ],
)
def test_invalid_metadata(
    content: bytes | None, faultenv: FaultEnv, site: Path, run_kd: RunKd
) -> None:
    info = plant_dist_info(site, "tf_keras-2.99.0.dist-info", content)
    if content is None:
        (info / "METADATA").mkdir()
    run = run_check(run_kd, faultenv)
    tf_keras = only(run, "tf-keras")
    assert tf_keras["version"] == "2.99.0"
    assert tf_keras["problems"], tf_keras


def test_missing_record(faultenv: FaultEnv, site: Path, run_kd: RunKd) -> None:
    info = plant_tf_keras(faultenv, site, "2.99.0", package=True)
    (info / "RECORD").unlink()
    run = run_check(run_kd, faultenv, TF_KERAS)
    tf_keras = only(run, "tf-keras")
    assert "RECORD is missing" in tf_keras["problems"]
    assert tf_keras["top_level"] == ["tf_keras"]
    probe = run.probe(TF_KERAS_LINE)
    assert probe["status"] == "ok"
    assert "2.99.0" in probe["distribution"]


def test_package_folder_gone(faultenv: FaultEnv, site: Path, run_kd: RunKd) -> None:
    plant_tf_keras(faultenv, site, "2.99.0", package=False)
    run = run_check(run_kd, faultenv, TF_KERAS)
    tf_keras = only(run, "tf-keras")
    assert tf_keras["version"] == "2.99.0"
    assert tf_keras["top_level"] == ["tf_keras"]  # from its RECORD
    probe = run.probe(TF_KERAS_LINE)
    assert probe["status"] == "import-error"
    assert probe["error"]["message"] == "No module named 'tf_keras'"


def test_two_dist_infos_for_one_name(faultenv: FaultEnv, site: Path, run_kd: RunKd) -> None:
    for version in ("2.99.0", "2.99.1"):
        plant_tf_keras(faultenv, site, version, package=True)
    run = run_check(run_kd, faultenv, TF_KERAS)
    assert sorted(d["version"] for d in run.distributions("tf-keras")) == ["2.99.0", "2.99.1"]
    assert run.probe(TF_KERAS_LINE)["status"] == "ok"


def test_unreadable_folders(faultenv: FaultEnv, site: Path, run_kd: RunKd, tmp_path: Path) -> None:
    hidden = tmp_path / "unreadable"
    hidden.mkdir()
    plant_dist_info(hidden, "tensorflow-2.99.0.dist-info", metadata("tensorflow", "2.99.0"))
    locked = plant_dist_info(site, "keras-3.98.0.dist-info", metadata("keras", "3.98.0"))
    hidden.chmod(0)
    locked.chmod(0)
    # The fault is real: the target interpreter itself cannot list the folder.
    listing = subprocess.run(
        [str(faultenv.python), "-c", "import os, sys; os.listdir(sys.argv[1])", str(hidden)],
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=permission_hook(),
    )
    assert "PermissionError" in listing.stderr
    try:
        run = run_check(run_kd, faultenv, env={"PYTHONPATH": str(hidden)}, drop_dac=True)
    finally:
        hidden.chmod(0o700)
    assert str(hidden) in run.report["target"]["sys_path"]  # type: ignore[index]
    assert run.distributions("tensorflow") == []  # nothing could be read there
    keras = only(run, "keras")
    assert keras["version"] == "3.98.0"
    assert keras["problems"], keras


def test_non_utf8_file_names(faultenv: FaultEnv, site: Path, run_kd: RunKd, tmp_path: Path) -> None:
    latin = tmp_path / os.fsdecode(b"caf\xe9")  # a folder name that is not UTF-8
    package = latin / "kdfault_latin"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("class KdLatin:\n    pass\n")
    (package / os.fsdecode(b"\xff\xfe.py")).write_text("")
    plant_dist_info(
        latin, "keras_core-0.1.7.dist-info", metadata("keras-core", "0.1.7"), "keras_core/x.py,,\n"
    )
    plant_dist_info(site, os.fsdecode(b"kdfault_caf\xe9-1.0.dist-info"), metadata("k\xe9", "1"))
    odd = plant_dist_info(
        site,
        os.fsdecode(b"keras_nightly-3.1.0.dev\xff.dist-info"),
        metadata("keras-nightly", "3.1.0"),
    )
    env = {"PYTHONPATH": str(latin)}
    run = run_check(run_kd, faultenv, "kdfault_latin.KdLatin", env=env)
    probe = run.probe("from kdfault_latin import KdLatin")
    assert probe["status"] == "ok"
    assert probe["resolved"]["file"] == str(package / "__init__.py")  # undecodable bytes kept
    assert only(run, "keras-core")["location"] == str(latin)
    assert only(run, "keras-nightly")["metadata_path"] == str(odd)
    # The table (not JSON) must print such names too.
    table = run_kd("check", OK.dotted, "--python", str(faultenv.python), env=env)
    assert table.returncode in (0, 1), table.stderr
    assert "Traceback" not in table.stderr
    assert "KdOk" in table.stdout


def test_broken_result_cache(faultenv: FaultEnv, run_kd: RunKd, kd_env: dict[str, str]) -> None:
    """A corrupt cache entry, or a cache folder that is a file, is a miss, never a crash."""
    run_check(run_kd, faultenv)
    entries = list(Path(kd_env["XDG_CACHE_HOME"]).rglob("*.json"))
    assert entries  # the first run stored its answer
    for entry in entries:
        entry.write_bytes(b"\xff{ not json")
    again = run_check(run_kd, faultenv)
    assert again.report is not None
    assert again.report["from_cache"] is False
    cache_file = Path(kd_env["XDG_CACHE_HOME"]).parent / "cache-is-a-file"
    cache_file.write_text("")
    run_check(run_kd, faultenv, env={"XDG_CACHE_HOME": str(cache_file)})
