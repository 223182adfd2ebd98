"""The result cache: the same question on an unchanged environment answers in well under 0.5 s.

Entries live in ``$XDG_CACHE_HOME/kerasdoctor`` (default ``~/.cache/kerasdoctor``), one
JSON file per key. The key covers everything that can change a verdict, and a stale entry
is never served: when in doubt an input is part of the key (a spurious miss costs one run;
a stale hit would be a wrong verdict).

* the interpreter (path, and the identity of the executable: device, inode, size, mtime),
  and what the inspection payload reports (version, ``sys.path`` from the working directory,
  steering variables, keras.json, where each top-level module is found);
* every installed distribution: for each ``sys.path`` entry, the entry's own mtime and the
  name and identity of each metadata folder (``.dist-info``/``.egg-info``), ``.pth`` and
  ``.egg-link`` file in it, so any install, upgrade or removal changes the key;
* the whole environment of the run, minus variables that only describe the terminal;
* the content of keras.json;
* every importable entry of the working directory and of non-site ``sys.path`` folders
  (a project ``keras.py`` shadows), with its identity;
* the question (command, symbols, options) and kerasdoctor's own version and catalogue.

Reports are stored with an exact, typed encoding of the model (not the public JSON), so a
cached report renders exactly as the fresh one did.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kerasdoctor import __version__, models
from kerasdoctor.models import Report, Target

if TYPE_CHECKING:
    from kerasdoctor.multi.model import MatrixReport
    from kerasdoctor.scan.diagnostics import ScanReport

#: 2: Report.options removed; 3: UseCheck.timed_out, entries with timeouts not stored;
#: 4: scan reports and Candidate kinds; 5: fix commands as data (RunCommand, SetVariable...)
FORMAT = 5
#: Variables that describe the terminal or shell session, not the Python environment.
_VOLATILE = {
    "PWD",
    "OLDPWD",
    "SHLVL",
    "_",
    "COLUMNS",
    "LINES",
    "TERM",
    "TERM_PROGRAM",
    "TERM_PROGRAM_VERSION",
    "TERM_SESSION_ID",
    "COLORTERM",
    "NO_COLOR",
    "FORCE_COLOR",
    "WINDOWID",
    "DISPLAY",
    "SSH_AUTH_SOCK",
    "SSH_CLIENT",
    "SSH_CONNECTION",
    "SSH_TTY",
    "TMUX",
    "TMUX_PANE",
    "STY",
    "PS1",
    "PS2",
    "HISTFILE",
    "HISTSIZE",
    "LS_COLORS",
    "PYTEST_CURRENT_TEST",
    # hyperfine changes this on every run to vary the environment size.
    "HYPERFINE_RANDOMIZED_ENVIRONMENT_OFFSET",
}
_METADATA_SUFFIXES = (".dist-info", ".egg-info", ".pth", ".egg-link")


def cache_dir(environ: Mapping[str, str]) -> Path:
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kerasdoctor"


def _stat_id(path: str | Path) -> list[int]:
    try:
        st = os.stat(path)
    except OSError:
        return []
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns]


def _listing(folder: str, keep: Iterable[str] | None = None) -> list[Any]:
    """Names of a folder's entries (filtered by suffix when ``keep``) with their identity."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    suffixes = tuple(keep) if keep is not None else None
    return [
        [name, _stat_id(os.path.join(folder, name))]
        for name in names
        if suffixes is None or name.endswith(suffixes)
    ]


def _importable(folder: str) -> list[Any]:
    """Entries of a project folder that an import could pick up."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    out = []
    for name in names:
        path = os.path.join(folder, name)
        if name.endswith((".py", ".pyc", ".so", ".pyd", ".pth")) or os.path.isdir(path):
            out.append([name, _stat_id(path)])
    return out


def _is_site(entry: str) -> bool:
    return entry.rstrip("/").endswith(("site-packages", "dist-packages"))


def key(
    target: Target,
    environ: Mapping[str, str],
    question: Mapping[str, Any],
) -> str:
    """The cache key of a run: a sha256 over every input that can change a verdict."""
    catalogue = resources.files("kerasdoctor.catalogue").joinpath("data/symbols.json")
    parts: dict[str, Any] = {
        "format": FORMAT,
        "kerasdoctor": __version__,
        "catalogue": hashlib.sha256(catalogue.read_bytes()).hexdigest(),
        "python": [target.python, _stat_id(os.path.realpath(target.python))],
        "target": [
            target.python_version,
            target.implementation,
            list(target.sys_path),
            list(target.env),
            list(target.module_origins),
            target.cwd,
            target.prefix,
            target.uv,
        ],
        "environ": sorted((k, v) for k, v in environ.items() if k not in _VOLATILE),
        "question": question,
    }
    config = Path(target.keras_config.path)
    with contextlib.suppress(OSError):
        parts["keras_json"] = hashlib.sha256(config.read_bytes()).hexdigest()
    paths: list[Any] = []
    for entry in target.sys_path:
        if _is_site(entry):
            paths.append([entry, _stat_id(entry), _listing(entry, _METADATA_SUFFIXES)])
        elif os.path.isdir(entry) and not entry.startswith(_stdlib_prefixes(target)):
            paths.append([entry, _importable(entry)])  # the working directory, PYTHONPATH
        else:
            paths.append([entry, _stat_id(entry)])
    parts["paths"] = paths
    blob = json.dumps(parts, sort_keys=True, default=str).encode("utf-8", "surrogateescape")
    return hashlib.sha256(blob).hexdigest()


def _stdlib_prefixes(target: Target) -> tuple[str, ...]:
    # The interpreter's own library folders change only with the interpreter itself, which
    # is already in the key; listing them would cost time for nothing.
    base = target.prefix.rstrip("/") + "/lib/python"
    return (base, "/usr/lib/python", "/usr/local/lib/python")


# -- exact encoding of the model ----------------------------------------------------------
def _classes_of(module: Any) -> dict[str, type[Any]]:
    return {
        cls.__name__: cls
        for cls in vars(module).values()
        if isinstance(cls, type) and (dataclasses.is_dataclass(cls) or issubclass(cls, enum.Enum))
    }


@functools.lru_cache(maxsize=1)
def _report_classes() -> dict[str, type[Any]]:
    return _classes_of(models)


@functools.lru_cache(maxsize=1)
def _other_classes() -> dict[str, type[Any]]:
    # Imported only for a scan or multi-target report: a cached `check` never loads them.
    from kerasdoctor.multi import model as multi_model
    from kerasdoctor.scan import diagnostics as scan_diagnostics

    return {**_classes_of(scan_diagnostics), **_classes_of(multi_model)}


def _class(name: str) -> type[Any]:
    found = _report_classes().get(name)
    return found if found is not None else _other_classes()[name]


def encode(value: Any) -> Any:
    """The model as JSON-able data that :func:`decode` turns back into equal objects."""
    if isinstance(value, enum.Enum):
        return {"__enum__": type(value).__name__, "value": value.value}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"__dc__": type(value).__name__, "fields": fields}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, Mapping):
        return {"__map__": [[encode(k), encode(v)] for k, v in value.items()]}
    return value


def decode(data: Any) -> Any:
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if "__enum__" in data:
        return _class(data["__enum__"])(data["value"])
    if "__dc__" in data:
        cls = _class(data["__dc__"])
        return cls(**{k: decode(v) for k, v in data["fields"].items()})
    if "__tuple__" in data:
        return tuple(decode(v) for v in data["__tuple__"])
    if "__map__" in data:
        return {decode(k): decode(v) for k, v in data["__map__"]}
    raise ValueError("not an encoded kerasdoctor object")


def load(folder: Path, digest: str, expect: type[Any] = Report) -> Any:
    """The cached report for ``digest`` (an ``expect``), or None (missing, unreadable...)."""
    path = folder / f"{digest}.json"
    try:
        data = json.loads(path.read_text("utf-8"))
        if data.get("format") != FORMAT or data.get("kerasdoctor") != __version__:
            return None
        report = decode(data["report"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return report if isinstance(report, expect) else None


def store(folder: Path, digest: str, report: Report | ScanReport | MatrixReport) -> None:
    """Write an entry atomically; a cache that cannot be written is silently skipped."""
    document = {"format": FORMAT, "kerasdoctor": __version__, "report": encode(report)}
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temp = tempfile.mkstemp(prefix=".entry-", dir=folder)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(document, out)
            os.replace(temp, folder / f"{digest}.json")
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temp)
