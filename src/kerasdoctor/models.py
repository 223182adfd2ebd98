"""The frozen data model shared by every stage of the pipeline.

target -> catalogue -> probe -> diagnose -> render: each stage takes and returns these
objects. Everything that leaves the process as JSON is built from them by
:mod:`kerasdoctor.render.json_document`, so this module is the single description of what a report
contains.
"""

from __future__ import annotations

import enum
import keyword
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Union

#: The roots under which Keras has had a public API, in the order a tie is broken.
ROOTS: tuple[str, ...] = ("tensorflow.keras", "keras", "tf_keras", "keras_core")


def is_dotted_name(text: str) -> bool:
    """True when ``text`` is a dotted path of identifiers that are not keywords.

    Every module path and symbol name that reaches a probe goes through this check: it is
    what makes it impossible for input to become code.
    """
    if not text:
        return False
    return all(part.isidentifier() and not keyword.iskeyword(part) for part in text.split("."))


class Status(str, enum.Enum):
    """What happened when a candidate line ran in a fresh interpreter."""

    OK = "ok"
    IMPORT_ERROR = "import-error"
    ERROR = "error"
    TIMEOUT = "timeout"
    CRASHED = "crashed"


#: Signals that stop a process from outside (the deadline, Ctrl-C, the out-of-memory killer):
#: a probe ended by one of them says nothing about its line.
STOP_SIGNALS: tuple[str, ...] = ("SIGKILL", "SIGTERM", "SIGINT", "SIGHUP")


class Severity(str, enum.Enum):
    """How bad a finding is; ``--strict`` promotes warnings to failures."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Origin(str, enum.Enum):
    """Why a candidate line is on the list."""

    PUBLIC = "public"  # a public API namespace of one of the Keras roots
    LEGACY = "legacy"  # a private or historic location that worked in some generation
    DISCOVERED = "discovered"  # found by reading the installed packages' sources
    USER = "user"  # the user asked about this exact line (a dotted symbol)


@dataclass(frozen=True)
class Distribution:
    """One installed distribution that matters to Keras imports."""

    name: str  # normalised (PEP 503) distribution name, e.g. "tf-keras"
    display_name: str  # as written in its metadata, e.g. "tf_keras"
    version: str
    location: str  # the sys.path entry it was found in
    metadata_path: str  # its .dist-info / .egg-info folder
    top_level: tuple[str, ...]  # import packages it installs, e.g. ("tensorflow",)
    requires: tuple[str, ...] = ()  # Requires-Dist lines, as written
    problems: tuple[str, ...] = ()  # what is wrong with its metadata, if anything

    @property
    def label(self) -> str:
        return f"{self.display_name} {self.version}"


@dataclass(frozen=True)
class KerasConfig:
    """The Keras config file (keras.json) as the target would read it."""

    path: str
    exists: bool
    backend: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Target:
    """The interpreter under diagnosis and what is installed in it."""

    python: str  # the executable that was run
    chosen_by: str  # "--python", "$VIRTUAL_ENV", "$CONDA_PREFIX", "$PATH", "running interpreter"
    python_version: str  # "3.11.7"
    implementation: str  # "cpython"
    platform: str
    prefix: str
    cwd: str
    sys_path: tuple[str, ...]
    distributions: tuple[Distribution, ...]
    env: tuple[tuple[str, str], ...]  # steering variables that are set, in a fixed order
    keras_config: KerasConfig
    has_pip: bool = False
    #: how the user's shell runs uv: "uv" when it is on their PATH, else the full path of the
    #: uv found beside kerasdoctor's own interpreter; None when there is none (a fix for a
    #: target without pip then installs pip first with ensurepip)
    uv: str | None = None
    #: top-level module name -> where the import system finds it (None: it cannot be found)
    module_origins: tuple[tuple[str, str | None], ...] = ()

    def env_var(self, name: str) -> str | None:
        for key, value in self.env:
            if key == name:
                return value
        return None

    def dists_named(self, *names: str) -> tuple[Distribution, ...]:
        wanted = set(names)
        return tuple(d for d in self.distributions if d.name in wanted)

    def dist(self, name: str) -> Distribution | None:
        found = self.dists_named(name)
        return found[0] if found else None

    def module_origin(self, top: str) -> str | None:
        for name, origin in self.module_origins:
            if name == top:
                return origin
        return None

    def knows_module(self, top: str) -> bool:
        """True when the inspection looked ``top`` up (its origin may still be None)."""
        return any(name == top for name, _ in self.module_origins)


#: What a candidate runs: ``from M import N``, ``import M``, or a base import then attributes.
CANDIDATE_KINDS = ("from", "import", "chain")


@dataclass(frozen=True)
class Candidate:
    """One line to try. Data, never code.

    ``kind`` "from" (the default) is ``from <module> import <name>``; "import" is ``import
    <module>`` (the object is ``sys.modules[module]``, what ``import M as X`` binds to X);
    "chain" runs its base import (``from module import name``, or ``import module`` when
    ``name`` is empty), takes the object bound to ``bound`` (the dotted path the base binds:
    ``tensorflow`` for ``import tensorflow as tf``, ``keras`` for ``import keras.layers``),
    then reads each of ``attrs`` in order.
    """

    symbol: str  # the symbol the user asked about (its last component)
    module: str
    name: str
    origin: Origin
    root: str | None = None  # which public root it belongs to, for public lines
    kind: str = "from"
    attrs: tuple[str, ...] = ()
    bound: str = ""  # chains on ``import M``: the path the base binds (see above)

    def __post_init__(self) -> None:
        if self.kind not in CANDIDATE_KINDS:
            raise ValueError(f"unknown candidate kind {self.kind!r}")
        name_ok = is_dotted_name(self.name) and "." not in self.name
        if self.kind == "import" or (self.kind == "chain" and not self.name):
            name_ok = not self.name
        attrs_ok = all(is_dotted_name(a) and "." not in a for a in self.attrs)
        if self.kind == "chain":
            attrs_ok = attrs_ok and bool(self.attrs)
            if not self.name:
                attrs_ok = attrs_ok and is_dotted_name(self.bound)
        if not (is_dotted_name(self.module) and name_ok and attrs_ok):
            raise ValueError(f"not an importable line: module={self.module!r} name={self.name!r}")

    @property
    def base_line(self) -> str:
        """The import statement this candidate starts with."""
        if self.kind == "import" or (self.kind == "chain" and not self.name):
            return f"import {self.module}"
        return f"from {self.module} import {self.name}"

    @property
    def expression(self) -> str:
        """For a chain, the attribute expression after the base import (else "")."""
        if self.kind != "chain":
            return ""
        head = self.name or self.bound
        return ".".join((head, *self.attrs))

    @property
    def code(self) -> str:
        """What a fresh ``python -c`` runs to reproduce this candidate."""
        if self.kind != "chain":
            return self.base_line
        if not self.name and self.bound != self.module.split(".", 1)[0]:
            # ``import a.b as x; x.c``: an alias is how the code reaches a.b by that name.
            return f"import {self.module} as _kd; " + ".".join(("_kd", *self.attrs))
        return f"{self.base_line}; {self.expression}"

    @property
    def import_line(self) -> str:
        """The line exactly as a user would paste it."""
        if self.kind == "chain":
            return self.code
        return self.base_line

    @property
    def top_level(self) -> str:
        return self.module.split(".", 1)[0]

    @property
    def is_public(self) -> bool:
        return self.origin is Origin.PUBLIC or (
            self.origin is Origin.USER and not _looks_private(self.module)
        )


def _looks_private(module: str) -> bool:
    private_parts = {"src", "python", "compat", "api", "_tf_keras", "_impl", "engine"}
    return any(part in private_parts or part.startswith("_") for part in module.split(".")[1:])


@dataclass(frozen=True)
class Resolved:
    """What a working line gave: the object's defining module, name and file."""

    kind: str  # "layer", "class", "function", "module" or "object"
    module: str
    qualname: str
    file: str | None

    @property
    def identity(self) -> str:
        """Two lines give the same object exactly when their identities are equal."""
        return f"{self.module}:{self.qualname}"

    @property
    def top_level(self) -> str:
        return self.module.split(".", 1)[0]


@dataclass(frozen=True)
class ErrorInfo:
    """An exception as the probe saw it."""

    type: str  # "ModuleNotFoundError", "keras.src.xyz.SomeError"
    message: str
    where: str | None = None  # the innermost frame, "file:line" (helps with shadowing)


@dataclass(frozen=True)
class UseCheck:
    """Whether a working line is usable, not only importable."""

    usable: bool | None  # None: the check could not be run (e.g. needs arguments)
    how: str  # what was tried, e.g. "built in a keras Sequential model and ran forward"
    error: ErrorInfo | None = None
    timed_out: bool = False  # the check ran out of time: no verdict, only a missing answer


@dataclass(frozen=True)
class ProbeOutcome:
    """The verdict of one candidate line."""

    candidate: Candidate
    status: Status
    seconds: float
    error: ErrorInfo | None = None
    resolved: Resolved | None = None
    distribution: str | None = None  # "keras 3.15.1": who installed the resolved file
    use: UseCheck | None = None
    #: how the verdict was reached: "process" (a fresh interpreter ran the line) or
    #: "find_spec" (the import system of the target says the top-level module does not exist)
    method: str = "process"
    exit_detail: str | None = None  # for crashes: "killed by SIGSEGV", "exited with status 0"
    stderr_tail: str = ""
    #: top-level modules the line imported, and the file each came from
    modules: tuple[tuple[str, str], ...] = ()

    @property
    def works(self) -> bool:
        return self.status is Status.OK

    @property
    def is_verdict(self) -> bool:
        """Whether the outcome says something about the line, not about the probe's run.

        A timeout (of the import or of the use check) only says the deadline was too short
        for this machine at this moment; a process that could not start, or that was killed
        by a signal kerasdoctor or the system sends to stop processes (the deadline, Ctrl-C,
        the out-of-memory killer), says nothing about the line either. A segfault or an
        abort during the import is a verdict: the line crashes the interpreter.
        """
        if self.status is Status.TIMEOUT or (self.use is not None and self.use.timed_out):
            return False
        if self.status is Status.CRASHED:
            detail = self.exit_detail or ""
            if not detail.startswith(("killed by", "exited with status")):
                return False  # never started, or did not run: a failure of the probe itself
            return not detail.startswith(tuple(f"killed by {s}" for s in STOP_SIGNALS))
        return True

    @property
    def usable(self) -> bool | None:
        if self.status is not Status.OK:
            return False
        return None if self.use is None else self.use.usable


#: What an environment variable's name may be for a fix to set it: every shell can name it.
_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


@dataclass(frozen=True)
class RunCommand:
    """Run a program with exactly these arguments (``argv[0]`` is the program)."""

    argv: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.argv or not self.argv[0]:
            raise ValueError("a command needs a program to run")


@dataclass(frozen=True)
class SetVariable:
    """Set an environment variable in the user's shell (``value`` None: remove it)."""

    name: str
    value: str | None

    def __post_init__(self) -> None:
        if not _VARIABLE_NAME.match(self.name):
            raise ValueError(f"not a variable name every shell can set: {self.name!r}")


@dataclass(frozen=True)
class MoveAside:
    """Rename a file or folder, doing nothing when ``destination`` already exists."""

    source: str
    destination: str


#: One step of a fix, independent of the shell it will be written for
#: (:mod:`kerasdoctor.render.shells` writes it for bash, PowerShell or cmd).
FixCommand = Union[RunCommand, SetVariable, MoveAside]


@dataclass(frozen=True)
class Finding:
    """Something wrong (or worth knowing) about the environment."""

    code: str  # "KD001"
    slug: str  # "no-working-import"
    severity: Severity
    message: str
    evidence: tuple[str, ...] = ()
    fix: tuple[FixCommand, ...] = ()  # commands to run in order, in any shell
    verified: bool = False  # the fix was proven by probing again with it applied
    symbol: str | None = None


@dataclass(frozen=True)
class Suggestion:
    """The line to paste for one symbol (``import_line`` is None when nothing works)."""

    symbol: str
    candidate: Candidate | None
    reason: str
    resolved: Resolved | None = None
    usable: bool | None = None
    alternatives: tuple[str, ...] = ()  # other lines that give the very same object

    @property
    def import_line(self) -> str | None:
        return None if self.candidate is None else self.candidate.import_line


@dataclass(frozen=True)
class Report:
    """Everything a run found; renderers turn it into text."""

    kerasdoctor_version: str
    command: str  # "check" or "suggest"
    target: Target
    symbols: tuple[str, ...]
    probes: tuple[ProbeOutcome, ...]
    suggestions: tuple[Suggestion, ...]
    findings: tuple[Finding, ...]
    implementation: str | None = None  # the family suggestions come from, e.g. "keras 3.15.1"
    prefer: str | None = None
    from_cache: bool = False
    seconds: float = 0.0

    def probes_for(self, symbol: str) -> tuple[ProbeOutcome, ...]:
        return tuple(p for p in self.probes if p.candidate.symbol == symbol)

    @property
    def all_resolved(self) -> bool:
        return all(s.candidate is not None for s in self.suggestions)

    @property
    def conclusive(self) -> bool:
        """Every probe reached a verdict: only such a report may be replayed from the cache."""
        return all(p.is_verdict for p in self.probes)

    # Notebooks (Jupyter, Colab, Kaggle) display an object by these methods. The views live in
    # render/ and load only when a notebook asks (the one import of models; see
    # docs/architecture.md). Both leave out the home folder and the user name: a notebook's
    # output is saved in the .ipynb and shared with it.

    def _repr_html_(self) -> str:
        from kerasdoctor.render.report_html import render

        return render(self)

    def _repr_markdown_(self) -> str:
        from kerasdoctor.render.report_md import render

        return render(self)


def display_path(path: str, home: str | None = None) -> str:
    """Shorten a path for humans (``~`` for the home folder); JSON keeps full paths."""
    home = home or str(Path.home())
    if home and (path == home or path.startswith(home.rstrip("/") + "/")):
        return "~" + path[len(home.rstrip("/")) :]
    return path
