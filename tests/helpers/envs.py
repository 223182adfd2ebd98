"""Real virtual environments for kerasdoctor's integration tests, built once and cached.

kerasdoctor's whole job is to tell which Keras import lines work in *some other* Python
environment, so the only trustworthy test is to run it against real installs of TensorFlow,
Keras 3, tf-keras, keras-core and deliberately broken mixtures of them. Building those takes
seconds with ``uv`` and its wheel cache, but they are large (TensorFlow is ~1.5 GB), so each
spec is built once into a cache folder and reused by every later test run.

Usage::

    from helpers.envs import get_env, env_python

    env = get_env("tf")               # builds on first use, then reuses
    python = env_python(env)          # <env>/bin/python

Layout of the cache (``$KERASDOCTOR_TEST_ENVS`` or ``~/.cache/kerasdoctor-test-envs``)::

    <name>-<hash>/            the venv; <hash> covers everything that defines the spec,
                              so editing a spec builds a new folder instead of reusing a stale one
    <name>-<hash>/.complete   written last: a folder without it is half-built and is rebuilt
    .<name>-<hash>.lock       flock()ed while building, so parallel pytest runs don't race

Cached environments are read-only by contract: uv hard-links their files from its own wheel
cache, so writing into one in place would also change uv's cache and every other environment
built from it. Tests that *modify* an environment call :func:`copy_env`, which builds the
same spec afresh, with real file copies, at a path they own (venvs hard-code their own path
in scripts and ``pyvenv.cfg``, so copying the folder would not be faithful either).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

if sys.platform != "win32":  # building environments is POSIX-only; the portable tests import us
    import fcntl

__all__ = [
    "ENV_SPECS",
    "EXCLUDE_NEWER",
    "TORCH_CPU_WHEEL",
    "EnvBuildError",
    "EnvSpec",
    "EnvUnavailableError",
    "InstallStep",
    "build_env",
    "cache_root",
    "copy_env",
    "describe",
    "env_dir",
    "env_python",
    "get_env",
    "site_packages",
    "spec_hash",
    "wheels_dir",
]

# Bump when the build procedure itself changes in a way that changes what ends up installed;
# it is part of every spec hash, so all cached environments are rebuilt.
_RECIPE_VERSION = 2

# uv resolves transitive dependencies to the newest release it can see. Pinning the top-level
# packages is not enough for reproducible results (a new numpy or protobuf can break an old
# TensorFlow), so resolution ignores anything uploaded after this instant. Local wheels
# (torch) are direct file requirements and are not affected.
EXCLUDE_NEWER = "2026-11-27T00:00:00Z"

# torch from PyPI is the CUDA build (several GB of nvidia-* wheels). The CPU build is not on
# PyPI; this machine keeps it as a local wheel. Override the folder with
# $KERASDOCTOR_WHEELS_DIR on machines that keep it elsewhere.
TORCH_CPU_WHEEL = "torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl"
_DEFAULT_WHEELS_DIR = "/opt/wheels"

_COMPLETE_MARKER = ".complete"
_SPEC_FILE = ".kerasdoctor-spec.json"
_BUILD_LOG = ".build.log"
# One install step of TensorFlow is ~600 MB of wheels; generous, but not unbounded.
_STEP_TIMEOUT_S = 1800.0

# Variables that would make uv (or the interpreter it probes) act on some other environment
# than the one being built.
_BUILD_ENV_DROP = (
    "VIRTUAL_ENV",
    "CONDA_PREFIX",
    "PYTHONPATH",
    "PYTHONHOME",
    "UV_PYTHON",
    "UV_SYSTEM_PYTHON",
    "UV_PROJECT_ENVIRONMENT",
)


class EnvBuildError(RuntimeError):
    """Building a test environment failed (the message ends with the tail of the build log)."""


class EnvUnavailableError(EnvBuildError):
    """A prerequisite the build cannot fetch is missing (e.g. the local torch CPU wheel).

    Tests may turn this into ``pytest.skip``; a genuine build failure stays an error.
    """


@dataclass(frozen=True)
class InstallStep:
    """One ``uv pip install`` run, applied after the environment's main install.

    A separate step models what users do by hand (``pip install -U keras`` over an existing
    TensorFlow), which a single resolution would refuse or resolve differently.
    """

    requirements: tuple[str, ...] = ()
    # File names looked up in :func:`wheels_dir` and installed by path.
    local_wheels: tuple[str, ...] = ()
    # Passed as ``--upgrade-package``: like pip's ``-U name``, upgrades only what is named.
    upgrade_packages: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class EnvSpec:
    """Everything that defines one test environment; its hash names the cache folder."""

    name: str
    python: str
    requirements: tuple[str, ...]
    description: str
    # Installed together with ``requirements`` in the first step (one resolution).
    local_wheels: tuple[str, ...] = ()
    extra_steps: tuple[InstallStep, ...] = ()
    # uv venvs have no pip (realistic for uv users); a spec that needs pip asks for it.
    seed: bool = False

    def all_local_wheels(self) -> tuple[str, ...]:
        """Every local wheel file name this spec needs, in install order."""
        names = list(self.local_wheels)
        for step in self.extra_steps:
            names.extend(step.local_wheels)
        return tuple(names)


def _specs(*specs: EnvSpec) -> dict[str, EnvSpec]:
    return {spec.name: spec for spec in specs}


ENV_SPECS: dict[str, EnvSpec] = _specs(
    EnvSpec(
        name="nokeras",
        python="3.11",
        requirements=("numpy==2.4.6",),
        description="No Keras and no TensorFlow at all: every Keras line must fail.",
    ),
    EnvSpec(
        name="keras3",
        python="3.11",
        requirements=("keras==3.15.1",),
        description=(
            "Keras 3 alone, no backend installed: the default TensorFlow backend is missing; "
            "tests choose KERAS_BACKEND themselves (numpy fails for lack of scipy)."
        ),
    ),
    EnvSpec(
        name="keras3-scipy",
        python="3.11",
        requirements=("keras==3.15.1", "scipy==1.17.1"),
        description=(
            "Keras 3 with scipy but no jax: KERAS_BACKEND=numpy still fails, because Keras "
            "3.15's numpy backend imports jax (backend/numpy/nn.py, math.py)."
        ),
    ),
    EnvSpec(
        name="keras3-numpy",
        python="3.11",
        requirements=("keras==3.15.1", "scipy==1.17.1", "jax==0.10.2", "jaxlib==0.10.2"),
        description=(
            "Keras 3 with scipy and jax (CPU): healthy numpy and jax backends "
            "(KERAS_BACKEND=numpy or jax)."
        ),
    ),
    EnvSpec(
        name="keras3-torch",
        python="3.11",
        requirements=("keras==3.15.1",),
        local_wheels=(TORCH_CPU_WHEEL,),
        description="Keras 3 with the torch 2.13 CPU backend (KERAS_BACKEND=torch).",
    ),
    EnvSpec(
        name="tf",
        python="3.11",
        requirements=("tensorflow==2.21.0",),
        description="TensorFlow 2.21, which pulls Keras 3: tf.keras is Keras 3.",
    ),
    EnvSpec(
        name="tf-legacy",
        python="3.11",
        requirements=("tensorflow==2.21.0", "tf-keras==2.21.0"),
        description=(
            "TensorFlow 2.21 with tf-keras: with TF_USE_LEGACY_KERAS=1 tf.keras is tf_keras "
            "while `import keras` is still Keras 3."
        ),
    ),
    EnvSpec(
        name="tf215",
        python="3.11",
        requirements=("tensorflow==2.15.1",),
        description="TensorFlow 2.15 with its Keras 2.15 (keras.src layout).",
    ),
    EnvSpec(
        name="tf212",
        python="3.11",
        requirements=("tensorflow==2.12.1",),
        description="TensorFlow 2.12 with Keras 2.12 (no keras.src yet).",
    ),
    EnvSpec(
        name="keras-core",
        python="3.11",
        requirements=("keras-core==0.1.7",),
        local_wheels=(TORCH_CPU_WHEEL,),
        description="keras-core 0.1.7 (import name keras_core) on the torch CPU backend.",
    ),
    EnvSpec(
        name="tf215-keras3",
        python="3.11",
        requirements=("tensorflow==2.15.1",),
        extra_steps=(
            InstallStep(
                requirements=("keras==3.15.1",),
                upgrade_packages=("keras",),
                note="what `pip install -U keras` does to a TF 2.15 env",
            ),
        ),
        description=(
            "Broken on purpose: TensorFlow 2.15 with Keras 3 forced over its Keras 2.15, "
            "so tf.keras silently becomes Keras 3."
        ),
    ),
    EnvSpec(
        name="tfcpu-tfkeras",
        python="3.11",
        requirements=("tensorflow-cpu==2.21.0",),
        extra_steps=(
            InstallStep(
                requirements=("tf-keras==2.21.0",),
                note="tf-keras requires the `tensorflow` distribution, not tensorflow-cpu",
            ),
        ),
        description=(
            "Broken on purpose: tensorflow-cpu then tf-keras, which pulls the `tensorflow` "
            "distribution too: two distributions own the same tensorflow/ package."
        ),
    ),
)


def _resolve_cache_root() -> Path:
    override = os.environ.get("KERASDOCTOR_TEST_ENVS")
    if override:
        return Path(override).expanduser()
    return Path.home() / ".cache" / "kerasdoctor-test-envs"


# Resolved once, when this module is imported (tests/conftest.py imports it first): every
# test then gets its own HOME-like folders (XDG_CACHE_HOME, KERAS_HOME), but the shared
# environments and uv's wheel cache stay where the real home keeps them.
_CACHE_ROOT = _resolve_cache_root()
_UV_CACHE_DIR = os.environ.get("UV_CACHE_DIR") or str(
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "uv"
)


def cache_root() -> Path:
    """Folder holding every cached environment (``$KERASDOCTOR_TEST_ENVS`` wins).

    Read from the environment once, at import, so that a test changing ``HOME`` or
    ``XDG_CACHE_HOME`` does not make the next build start from an empty folder.
    """
    return _CACHE_ROOT


def wheels_dir() -> Path:
    """Folder with local wheels that PyPI cannot provide (``$KERASDOCTOR_WHEELS_DIR`` wins)."""
    return Path(os.environ.get("KERASDOCTOR_WHEELS_DIR") or _DEFAULT_WHEELS_DIR)


def spec_hash(spec: EnvSpec) -> str:
    """Short stable hash of everything that decides what gets installed."""
    fields = dataclasses.asdict(spec)
    # The description is documentation only: rewording it must not trigger a rebuild.
    fields.pop("description", None)
    payload = {"recipe": _RECIPE_VERSION, "exclude_newer": EXCLUDE_NEWER, "spec": fields}
    blob = json.dumps(payload, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:10]


def _spec(name: str) -> EnvSpec:
    try:
        return ENV_SPECS[name]
    except KeyError:
        known = ", ".join(sorted(ENV_SPECS))
        raise KeyError(f"unknown test environment {name!r}; known: {known}") from None


def env_dir(name: str) -> Path:
    """Where the cached environment for ``name`` lives (whether or not it is built yet)."""
    spec = _spec(name)
    return cache_root() / f"{spec.name}-{spec_hash(spec)}"


def env_python(env: Path) -> Path:
    """The interpreter of a POSIX virtual environment."""
    return env / "bin" / "python"


def site_packages(env: Path) -> Path:
    """The environment's ``site-packages`` folder (for tests that plant or remove files)."""
    found = sorted(env.glob("lib/python3*/site-packages"))
    if len(found) != 1:
        raise FileNotFoundError(f"expected one site-packages under {env}/lib, found {found}")
    return found[0]


def get_env(name: str) -> Path:
    """Return the cached venv folder for ``name``, building it first if needed.

    Safe to call from several processes at once: a per-environment ``flock`` serialises
    builds, and a folder counts as built only once its ``.complete`` marker exists.
    """
    target = env_dir(name)
    if (target / _COMPLETE_MARKER).is_file():
        return target
    root = target.parent
    root.mkdir(parents=True, exist_ok=True)
    with _locked(root / f".{target.name}.lock"):
        # Another process may have finished the build while we waited for the lock.
        if (target / _COMPLETE_MARKER).is_file():
            return target
        build_env(_spec(name), target)
    return target


def copy_env(name: str, dest: Path) -> Path:
    """Build a private, mutable environment of spec ``name`` at ``dest`` and return it.

    Venvs are not relocatable, so this is a fresh build, not a copy of the cached folder.
    Files are *copied* out of uv's cache rather than hard-linked (a few seconds for
    TensorFlow), so a test may edit them in place without corrupting uv's cache and every
    other environment that shares those inodes. ``dest`` must not exist or be empty.
    """
    if dest.exists():
        if not dest.is_dir() or any(dest.iterdir()):
            raise FileExistsError(f"{dest} exists and is not an empty folder")
        dest.rmdir()
    build_env(_spec(name), dest, link_mode="copy")
    return dest


def build_env(spec: EnvSpec, target: Path, *, link_mode: str | None = None) -> None:
    """Build ``spec`` at ``target`` from scratch; ``.complete`` is written only on success.

    Callers that share ``target`` between processes must hold its lock (see :func:`get_env`).
    ``link_mode`` is uv's ``--link-mode``; by default uv hard-links files from its cache,
    which is fast but means the environment must be treated as read-only.
    """
    wheel_paths = _local_wheel_paths(spec)  # fail fast, before deleting anything
    uv = _uv_command()
    if target.exists() or target.is_symlink():
        # A folder without the marker is a build that died half-way: never trust it.
        _remove(target)
    target.parent.mkdir(parents=True, exist_ok=True)

    log: list[str] = []
    started = time.monotonic()
    try:
        venv_cmd = [*uv, "venv", "--python", spec.python, "--no-config"]
        if spec.seed:
            venv_cmd.append("--seed")
        _run_logged([*venv_cmd, str(target)], log)

        python = str(env_python(target))
        first = InstallStep(requirements=spec.requirements, local_wheels=spec.local_wheels)
        for step in (first, *spec.extra_steps):
            cmd = [*uv, "pip", "install", "--no-config", "--python", python]
            cmd += ["--exclude-newer", EXCLUDE_NEWER]
            # Bytecode now, once: where PYTHONDONTWRITEBYTECODE is set (CI machines set it),
            # Python never writes .pyc files itself, and every fresh TensorFlow import would
            # compile ~4,400 modules from source again: ~18 s instead of ~4 s, in every
            # probe and every oracle run.
            cmd.append("--compile-bytecode")
            if link_mode is not None:
                cmd += ["--link-mode", link_mode]
            for package in step.upgrade_packages:
                cmd += ["--upgrade-package", package]
            cmd += list(step.requirements)
            cmd += [str(wheel_paths[w]) for w in step.local_wheels]
            _run_logged(cmd, log)
    except EnvBuildError as exc:
        failed_log = target.parent / f"{target.name}.failed.log"
        with contextlib.suppress(OSError):
            failed_log.write_text("\n".join(log))
        raise EnvBuildError(f"building test env {spec.name!r} at {target} failed: {exc}") from exc

    seconds = round(time.monotonic() - started, 1)
    (target / _BUILD_LOG).write_text("\n".join(log))
    (target / _SPEC_FILE).write_text(
        json.dumps({"spec": dataclasses.asdict(spec), "hash": spec_hash(spec)}, indent=2)
    )
    # Written last: its presence is the only proof the build finished.
    (target / _COMPLETE_MARKER).write_text(
        json.dumps({"build_seconds": seconds, "built_at": time.time()}) + "\n"
    )


def _local_wheel_paths(spec: EnvSpec) -> dict[str, Path]:
    folder = wheels_dir()
    paths: dict[str, Path] = {}
    for name in spec.all_local_wheels():
        path = folder / name
        if not path.is_file():
            try:
                present = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
            except OSError:
                present = []
            raise EnvUnavailableError(
                f"test env {spec.name!r} needs the local wheel {name} in {folder} "
                f"(set KERASDOCTOR_WHEELS_DIR to another folder); found there: "
                f"{present or 'nothing'}. PyPI's torch is the multi-GB CUDA build, so it is "
                "not used as a fallback."
            )
        paths[name] = path
    return paths


def _uv_command() -> list[str]:
    found = shutil.which("uv")
    if found:
        return [found]
    # The `uv` wheel from PyPI ships the binary inside a Python package.
    if importlib.util.find_spec("uv") is not None:
        return [sys.executable, "-m", "uv"]
    raise EnvUnavailableError("uv is needed to build test environments: pip install uv")


def _build_environ() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _BUILD_ENV_DROP}
    # uv would otherwise try to download a managed CPython when 3.11 is missing; only the
    # package registry is reachable here, so say plainly that the interpreter is missing.
    env.setdefault("UV_PYTHON_DOWNLOADS", "never")
    env.setdefault("NO_COLOR", "1")
    # The wheel cache of the real home, whatever HOME/XDG_CACHE_HOME the running test set.
    env["UV_CACHE_DIR"] = _UV_CACHE_DIR
    return env


def _run_logged(cmd: list[str], log: list[str]) -> None:
    log.append("$ " + " ".join(cmd))
    try:
        proc = subprocess.run(
            cmd,
            env=_build_environ(),
            capture_output=True,
            text=True,
            timeout=_STEP_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise EnvBuildError(f"timed out after {_STEP_TIMEOUT_S:.0f} s: {' '.join(cmd)}") from exc
    log.append(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
        raise EnvBuildError(f"exit {proc.returncode}: {' '.join(cmd)}\n{tail}")


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    with lock_path.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def describe() -> str:
    """One line per spec: name, cache folder and description (for debugging output)."""
    return "\n".join(
        f"{name:14} {env_dir(name).name:28} {spec.description}" for name, spec in ENV_SPECS.items()
    )
