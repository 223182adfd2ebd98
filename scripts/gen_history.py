#!/usr/bin/env python3
"""Record, release by release, which catalogue import lines work: the data of ``where``.

A maintainer script, the companion of ``gen_catalogue.py`` (never run by kerasdoctor; the
standard library plus ``uv`` only). ``gen_catalogue.py`` finds *which* lines exist; this
script samples real releases and records *in which* of them each line works:

1. ``sample NAME...``: for each sample of :data:`SAMPLES` (a Python version and pinned
   requirements), create a throw-away venv under ``/tmp/where-envs`` with uv, run the
   stdlib-only ``PROBE`` program in it, save the raw result to ``scripts/history_raw/``
   and delete the venv (TensorFlow takes ~1.5 GB; disk matters). An install that fails
   is recorded too, with the tail of uv's message, so the data says what was tried.
   ``--python PATH`` probes an existing environment instead of building one (the cached
   test environments are among the samples); it is never modified.
2. ``merge``: fold every raw result into ``src/kerasdoctor/catalogue/data/history.json``.

What a sample records, for every line ``from MODULE import NAME`` of ``symbols.json``
whose top package belongs to one of the sample's *subject* distributions (``tensorflow.*``
lines for tensorflow, ``keras.*`` for keras, ``tf_keras.*`` for tf-keras, ``keras_core.*``
for keras-core): whether the import works, and if it does which implementation the
object comes from (its ``__module__``): multi-backend Keras (keras <= 2.3), TensorFlow's
own Keras (``tensorflow.python.keras``), Keras 2 (the keras package 2.5-2.15), Keras 3,
tf_keras, keras-core, or another package. Lines of non-subject distributions are not
recorded for that sample ("not tried"): keras 2.2.4 installed beside TensorFlow 1.15.5
samples keras 2.2.4 only, so a TensorFlow release counts once.

The imports run in one interpreter per top package (not one per line: 18,000 lines), in
the order of the module list; each module is imported once and its names checked the way
``from M import N`` does (attribute, else submodule ``M.N``). The tests re-probe a few
recorded lines in fresh interpreters of the cached test environments and check that they
agree.

The shipped file interns module paths and per-line patterns (one character per sample)
so that it stays small; ``kerasdoctor.history`` reads it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CATALOGUE = REPO / "src" / "kerasdoctor" / "catalogue" / "data" / "symbols.json"
OUTPUT = REPO / "src" / "kerasdoctor" / "catalogue" / "data" / "history.json"
RAW_DIR = Path(__file__).resolve().parent / "history_raw"
ENV_ROOT = Path("/tmp/where-envs")  # noqa: S108 (a maintainer's scratch folder, emptied)
FORMAT = 1
# Resolution ignores uploads after this instant, as the test environments do, so that a
# new numpy or protobuf cannot change what an old release gives.
EXCLUDE_NEWER = "2026-11-27T00:00:00Z"
PER_ROOT_TIMEOUT_S = 900

# Which distribution a line belongs to, by the line's top package.
ROOT_DISTS = {
    "tensorflow": "tensorflow",
    "keras": "keras",
    "tf_keras": "tf-keras",
    "keras_core": "keras-core",
}
IMPLEMENTATIONS = {
    "m": "multi-backend Keras",
    "t": "tf.keras inside TensorFlow",
    "2": "Keras 2",
    "3": "Keras 3",
    "f": "tf_keras",
    "c": "keras-core",
    "o": "not a Keras package",
}


@dataclass(frozen=True)
class Sample:
    """One release sampled: a Python, pinned requirements, the distributions it samples."""

    name: str
    python: str  # pyenv version prefix: "3.7", "3.11"...
    requirements: tuple[str, ...]
    subjects: tuple[str, ...]  # distributions whose lines are recorded here
    env: tuple[tuple[str, str], ...] = ()  # variables for the probe (a Keras 3 backend)


def _s(name: str, python: str, reqs: str, subjects: str, **env: str) -> Sample:
    return Sample(name, python, tuple(reqs.split()), tuple(subjects.split()), tuple(env.items()))


_OLD = "protobuf==3.20.3 h5py<3"
SAMPLES: dict[str, Sample] = {
    s.name: s
    for s in (
        # The releases that matter most first (the order ``sample all`` follows).
        _s("tf115-k231", "3.7", f"tensorflow==1.15.5 keras==2.3.1 {_OLD}", "tensorflow keras"),
        _s("tf115-k224", "3.7", f"tensorflow==1.15.5 keras==2.2.4 {_OLD}", "keras"),
        _s("tf24", "3.7", "tensorflow==2.4.4 keras==2.4.3 protobuf==3.20.3", "tensorflow keras"),
        _s(
            "tf28",
            "3.9",
            "tensorflow==2.8.4 keras==2.8.0 protobuf<3.20 numpy<1.24",
            "tensorflow keras",
        ),
        _s("tf212", "3.11", "tensorflow==2.12.1", "tensorflow keras"),
        _s("tf215", "3.11", "tensorflow==2.15.1", "tensorflow keras"),
        _s("tf215-tfk", "3.11", "tensorflow==2.15.1 tf-keras==2.15.1", "tf-keras"),
        _s("tf216", "3.11", "tensorflow==2.16.2 keras==3.0.5", "tensorflow keras"),
        _s("tf221", "3.11", "tensorflow==2.21.0", "tensorflow keras"),
        _s("tf221-tfk", "3.11", "tensorflow==2.21.0 tf-keras==2.21.0", "tf-keras"),
        _s(
            "kc017",
            "3.11",
            "keras-core==0.1.7 tensorflow==2.15.1",
            "keras-core",
            KERAS_BACKEND="tensorflow",
        ),
        # Widening: the other minors.
        _s("tf115-k216", "3.7", f"tensorflow==1.15.5 keras==2.1.6 {_OLD}", "keras"),
        _s("tf20", "3.7", "tensorflow==2.0.4 keras==2.3.1 protobuf==3.20.3 h5py<3", "tensorflow"),
        _s("tf21", "3.7", "tensorflow==2.1.4 protobuf==3.20.3 h5py<3", "tensorflow"),
        _s("tf22", "3.7", "tensorflow==2.2.3 protobuf==3.20.3 h5py<3", "tensorflow"),
        _s("tf23", "3.7", "tensorflow==2.3.4 protobuf==3.20.3", "tensorflow"),
        _s("tf25", "3.9", "tensorflow==2.5.3 protobuf==3.19.6", "tensorflow"),
        _s(
            "tf26",
            "3.9",
            "tensorflow==2.6.5 keras==2.6.0 protobuf<3.20 numpy<1.24",
            "tensorflow keras",
        ),
        _s(
            "tf27",
            "3.9",
            "tensorflow==2.7.4 keras==2.7.0 protobuf<3.20 numpy<1.24",
            "tensorflow keras",
        ),
        _s("tf29", "3.10", "tensorflow==2.9.3 numpy<1.24 protobuf<3.20", "tensorflow keras"),
        _s("tf210", "3.10", "tensorflow==2.10.1 numpy<1.24", "tensorflow keras"),
        _s("tf211", "3.10", "tensorflow==2.11.1 numpy<1.24", "tensorflow keras"),
        _s("tf213", "3.11", "tensorflow==2.13.1", "tensorflow keras"),
        _s("tf214", "3.11", "tensorflow==2.14.1", "tensorflow keras"),
        _s("tf217", "3.11", "tensorflow==2.17.1", "tensorflow"),
        _s("tf218", "3.11", "tensorflow==2.18.1", "tensorflow"),
        _s("tf219", "3.11", "tensorflow==2.19.1", "tensorflow"),
        _s("tf220", "3.11", "tensorflow==2.20.0", "tensorflow"),
        # Each keras 3 minor beside a TensorFlow that accepts it (TF 2.21 needs keras >= 3.12,
        # 2.20 >= 3.10, 2.18 >= 3.5, 2.16 >= 3.0), contemporary where possible.
        *(
            _s(f"k3{version.split('.')[1]}", "3.11", f"{tf} keras=={version}", "keras")
            for tf, versions in (
                ("tensorflow==2.16.2", ("3.1.1", "3.2.1", "3.3.3", "3.4.1")),
                ("tensorflow==2.18.1", ("3.5.0", "3.6.0", "3.7.0", "3.8.0", "3.9.2")),
                ("tensorflow==2.20.0", ("3.10.0", "3.11.3")),
                ("tensorflow==2.21.0", ("3.12.0", "3.13.2", "3.14.0")),
            )
            for version in versions
        ),
        *(
            _s(f"tfk2{minor}", "3.11", f"tensorflow==2.{minor}.* tf-keras==2.{minor}.*", "tf-keras")
            for minor in ("16", "17", "18", "19", "20")
        ),
    )
}


def pyenv_python(version: str) -> str:
    """The newest pyenv interpreter of ``version`` ("3.7" -> .../3.7.16/bin/python)."""
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    found = sorted(
        (p for p in root.glob(f"{version}.*") if (p / "bin" / "python").exists()),
        key=lambda p: [int(x) for x in p.name.split(".") if x.isdigit()],
    )
    if not found:
        raise SystemExit(f"gen_history: no pyenv Python {version} under {root}")
    return str(found[-1] / "bin" / "python")


PROBE = r"""
import importlib, json, os, sys
CFG = json.load(open(sys.argv[1]))
OUT = sys.argv[2]

def dist_version(name):
    try:
        from importlib import metadata
    except ImportError:
        try:
            import importlib_metadata as metadata
        except ImportError:
            return None
    try:
        return metadata.version(name)
    except Exception:
        return None

KERAS_V = dist_version("keras") or dist_version("keras-nightly") or "0"
try:
    KERAS_MAJOR = int(KERAS_V.split(".")[0])
    KERAS_MINOR = int(KERAS_V.split(".")[1])
except Exception:
    KERAS_MAJOR, KERAS_MINOR = 0, 0

def impl_of(obj):
    if type(obj).__name__ == "module" or hasattr(obj, "__path__"):
        mod = getattr(obj, "__name__", "") or ""
    else:
        mod = getattr(obj, "__module__", None)
        if not isinstance(mod, str):
            mod = getattr(type(obj), "__module__", "") or ""
    top = mod.split(".")[0]
    if top == "keras_core":
        return "c"
    if top == "tf_keras":
        return "f"
    if top == "keras":
        if KERAS_MAJOR >= 3:
            return "3"
        if (KERAS_MAJOR, KERAS_MINOR) <= (2, 3):
            return "m"
        return "2"
    if mod.startswith(("tensorflow.python.keras", "tensorflow.contrib.keras", "tensorflow.keras")):
        return "t"
    return "o"

def main():
    result = {"python": sys.version.split()[0], "dists": {}, "lines": {}, "errors": {}}
    for d in CFG["dists"]:
        v = dist_version(d)
        if v:
            result["dists"][d] = v
    for module, names in CFG["modules"]:
        done = result["lines"].setdefault(module, {})
        try:
            mod = importlib.import_module(module)
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            result["errors"][module] = (type(exc).__name__ + ": " + str(exc))[:160]
            for name in names:
                done[name] = "."
            continue
        for name in names:
            try:
                if hasattr(mod, name):
                    obj = getattr(mod, name)
                else:
                    obj = importlib.import_module(module + "." + name)
                done[name] = impl_of(obj)
            except BaseException as exc:
                if isinstance(exc, KeyboardInterrupt):
                    raise
                done[name] = "."
    with open(OUT, "w") as f:
        json.dump(result, f, sort_keys=True)

main()
"""


def catalogue_lines() -> dict[str, dict[str, list[str]]]:
    """Top package -> module -> names: every line of symbols.json, grouped."""
    data = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    by_top: dict[str, dict[str, set[str]]] = {}
    for name, entry in data["symbols"].items():
        modules = set(entry.get("legacy", []))
        for root, subs in entry.get("public", {}).items():
            modules.update(root + "." + sub if sub else root for sub in subs)
        for module in modules:
            top = module.split(".")[0]
            by_top.setdefault(top, {}).setdefault(module, set()).add(name)
    return {
        top: {m: sorted(names) for m, names in sorted(mods.items())} for top, mods in by_top.items()
    }


def probe(python: str, sample: Sample, workdir: Path) -> dict[str, Any]:
    """Run PROBE once per subject top package; return the merged raw result."""
    script = workdir / "probe.py"
    script.write_text(PROBE, encoding="utf-8")
    home = workdir / "home"
    home.mkdir(exist_ok=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "KERAS_BACKEND", "TF_USE_LEGACY_KERAS", "VIRTUAL_ENV"}
    }
    env.update(
        HOME=str(home),
        KERAS_HOME=str(home / ".keras"),
        TF_CPP_MIN_LOG_LEVEL="3",
        CUDA_VISIBLE_DEVICES="",
        PYTHONDONTWRITEBYTECODE="1",
        PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION="python",
    )
    env.update(dict(sample.env))
    lines = catalogue_lines()
    merged: dict[str, Any] = {"lines": {}, "errors": {}, "dists": {}, "python": None}
    for top, dist in ROOT_DISTS.items():
        if dist not in sample.subjects:
            continue
        config = workdir / f"config-{top}.json"
        config.write_text(
            json.dumps(
                {
                    "dists": [
                        "tensorflow",
                        "tensorflow-cpu",
                        "keras",
                        "keras-nightly",
                        "tf-keras",
                        "keras-core",
                        "numpy",
                        "jax",
                        "torch",
                    ],
                    "modules": list(lines.get(top, {}).items()),
                }
            ),
            encoding="utf-8",
        )
        out = workdir / f"out-{top}.json"
        proc = subprocess.run(
            [python, "-I", str(script), str(config), str(out)],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=PER_ROOT_TIMEOUT_S,
            check=False,
        )
        if proc.returncode != 0 or not out.exists():
            tail = "\n".join(proc.stderr.splitlines()[-15:])
            raise RuntimeError(f"probe of {top} in {python} exited {proc.returncode}:\n{tail}")
        raw = json.loads(out.read_text(encoding="utf-8"))
        merged["python"] = raw["python"]
        merged["dists"].update(raw["dists"])
        merged["lines"].update(raw["lines"])
        merged["errors"].update(raw["errors"])
    return merged


def uv() -> str:
    """uv from this interpreter's environment (``pip install uv``), else PATH."""
    here = Path(sys.executable).parent / "uv"
    return str(here) if here.exists() else (shutil.which("uv") or "uv")


def sample_one(sample: Sample, python_override: str | None) -> dict[str, Any]:
    """Build (unless given), probe and delete one sample's venv; return its raw record."""
    started = time.monotonic()
    record: dict[str, Any] = {
        "name": sample.name,
        "requirements": list(sample.requirements),
        "subjects": list(sample.subjects),
        "python_requested": sample.python,
    }
    venv = ENV_ROOT / sample.name
    try:
        if python_override is None:
            interpreter = pyenv_python(sample.python)
            ENV_ROOT.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(venv, ignore_errors=True)
            subprocess.run(
                [uv(), "venv", "-q", "-p", interpreter, str(venv)], check=True, capture_output=True
            )
            python = str(venv / "bin" / "python")
            proc = subprocess.run(
                [
                    uv(),
                    "pip",
                    "install",
                    "-q",
                    "--python",
                    python,
                    "--exclude-newer",
                    EXCLUDE_NEWER,
                    *sample.requirements,
                ],
                capture_output=True,
                text=True,
                check=False,
                timeout=1800,
            )
            if proc.returncode != 0:
                record["install_failed"] = "\n".join(proc.stderr.strip().splitlines()[-6:])[:600]
                return record
        else:
            python = python_override
            record["existing_env"] = True
        with tempfile.TemporaryDirectory(prefix="where-probe-") as tmp:
            raw = probe(python, sample, Path(tmp))
        record.update(raw)
        missing = [d for d in sample.subjects if d not in raw["dists"]]
        if missing:
            record["install_failed"] = f"subject distributions missing after install: {missing}"
    except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
        record["probe_failed"] = str(exc)[-600:]
    finally:
        if python_override is None:
            shutil.rmtree(venv, ignore_errors=True)
        record["seconds"] = round(time.monotonic() - started, 1)
    return record


def cmd_sample(names: Sequence[str], python: str | None) -> int:
    chosen = list(SAMPLES) if names == ["all"] else list(names)
    unknown = [n for n in chosen if n not in SAMPLES]
    if unknown:
        raise SystemExit(f"gen_history: unknown samples {unknown}; known: {sorted(SAMPLES)}")
    RAW_DIR.mkdir(parents=True, exist_ok=True)
    for name in chosen:
        print(f"[{time.strftime('%H:%M:%S')}] sampling {name} ...", file=sys.stderr, flush=True)
        record = sample_one(SAMPLES[name], python)
        (RAW_DIR / f"{name}.json").write_text(json.dumps(record, sort_keys=True), encoding="utf-8")
        status = record.get("install_failed") or record.get("probe_failed") or "ok"
        print(
            f"  {name}: {record['seconds']} s: {status[:300]} {record.get('dists', '')}",
            file=sys.stderr,
            flush=True,
        )
    return 0


def version_key(version: str) -> tuple[int, ...]:
    """Numeric release parts: '2.5.0.dev2021' -> (2, 5, 0)."""
    out = []
    for part in version.split(".")[:3]:
        digits = "".join(ch for ch in part if ch.isdigit()) if part[:1].isdigit() else ""
        out.append(int(digits or 0))
    return tuple(out)


def merge(raws: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Fold raw records into the shipped, interned form."""
    good = [r for r in raws if "lines" in r and not r.get("install_failed")]
    failed = [
        {
            "name": r["name"],
            "python": r["python_requested"],
            "requirements": r["requirements"],
            "reason": (r.get("install_failed") or r.get("probe_failed") or "")[-300:],
        }
        for r in raws
        if r not in good
    ]

    def sort_key(r: Mapping[str, Any]) -> tuple[Any, ...]:
        keys = (
            (version_key(r["dists"].get(d, "0")) if d in r["subjects"] else (-1,))
            for d in ("tensorflow", "keras", "tf-keras", "keras-core")
        )
        return (*keys, r["name"])

    good.sort(key=sort_key)
    samples = [
        {
            "name": r["name"],
            "python": r["python"],
            "subjects": {d: r["dists"][d] for d in r["subjects"] if d in r["dists"]},
            "installed": {d: v for d, v in sorted(r["dists"].items()) if d not in r["subjects"]},
        }
        for r in good
    ]
    data = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    modules: dict[str, int] = {}
    patterns: dict[str, int] = {}
    symbols: dict[str, list[list[int]]] = {}  # name -> [[module, pattern, public], ...]
    for name in sorted(data["symbols"]):
        entry = data["symbols"][name]
        lines = set(entry.get("legacy", []))
        public = {
            root + "." + sub if sub else root
            for root, subs in entry.get("public", {}).items()
            for sub in subs
        }
        lines |= public
        rows = []
        for module in sorted(lines):
            dist = ROOT_DISTS.get(module.split(".")[0])
            chars = []
            for r in good:
                if dist not in r["subjects"]:
                    chars.append("-")
                else:
                    chars.append(r["lines"].get(module, {}).get(name, "-"))
            pattern = "".join(chars)
            if set(pattern) <= {"-"}:
                continue
            rows.append(
                [
                    modules.setdefault(module, len(modules)),
                    patterns.setdefault(pattern, len(patterns)),
                    int(module in public),
                ]
            )
        if rows:
            symbols[name] = rows
    return {
        "format": FORMAT,
        "about": (
            "Which catalogue import lines worked in which sampled releases; generated by "
            "scripts/gen_history.py. A pattern has one character per sample: '.' tried and "
            "failed, '-' not tried (the line's distribution is not a subject of that sample), "
            "else the implementation the object came from (see implementations)."
        ),
        "implementations": IMPLEMENTATIONS,
        "root_distributions": ROOT_DISTS,
        "samples": samples,
        "failed_installs": failed,
        "modules": list(modules),
        "patterns": list(patterns),
        "symbols": symbols,
    }


def cmd_merge() -> int:
    raws = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(RAW_DIR.glob("*.json"))]
    history = merge(raws)
    text = json.dumps(history, separators=(",", ":"), sort_keys=True) + "\n"
    OUTPUT.write_text(text, encoding="utf-8")
    print(
        f"wrote {OUTPUT}: {len(history['samples'])} samples, {len(history['failed_installs'])} "
        f"failed, {len(history['symbols'])} symbols, {len(text)} bytes",
        file=sys.stderr,
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sampling = sub.add_parser("sample", help="build, probe and delete sample venvs")
    sampling.add_argument("names", nargs="+", help="sample names, or 'all'")
    sampling.add_argument("--python", help="probe this existing environment instead (one sample)")
    sub.add_parser("merge", help="write history.json from scripts/history_raw/")
    args = parser.parse_args(argv)
    if args.command == "sample":
        if args.python and len(args.names) != 1:
            parser.error("--python probes one sample")
        return cmd_sample(args.names, args.python)
    return cmd_merge()


if __name__ == "__main__":
    sys.exit(main())
