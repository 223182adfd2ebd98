"""Small builders of real model objects for unit tests of the pure stages (rank, render).

These are data, not mocks: the same frozen dataclasses the pipeline produces, filled in
with values seen in real environments.
"""

from __future__ import annotations

from kerasdoctor import codes
from kerasdoctor.models import (
    Candidate,
    Distribution,
    ErrorInfo,
    FixCommand,
    KerasConfig,
    Origin,
    ProbeOutcome,
    Resolved,
    Severity,
    Status,
    Target,
    UseCheck,
)
from kerasdoctor.render.shells import Shell, write
from kerasdoctor.scan.diagnostics import (
    Applicability,
    CodeFix,
    Diagnostic,
    FileState,
    Location,
    ScannedFile,
    ScanReport,
    TextEdit,
)

SITE = "/venv/lib/python3.11/site-packages"


def dist(name: str, version: str, *tops: str) -> Distribution:
    top_level = tops or (name.replace("-", "_"),)
    return Distribution(
        name=name,
        display_name=name,
        version=version,
        location=SITE,
        metadata_path=f"{SITE}/{name.replace('-', '_')}-{version}.dist-info",
        top_level=tuple(top_level),
    )


def target(*dists: Distribution, env: tuple[tuple[str, str], ...] = ()) -> Target:
    return Target(
        python="/venv/bin/python",
        chosen_by="--python",
        python_version="3.11.7",
        implementation="cpython",
        platform="Linux-x86_64",
        prefix="/venv",
        cwd="/work/project",
        sys_path=("/work/project", SITE),
        distributions=tuple(dists),
        env=env,
        keras_config=KerasConfig(path="/root/.keras/keras.json", exists=False),
        uv="uv",  # a uv-made venv (no pip), and uv on the user's PATH
    )


def line(
    module: str, name: str = "BatchNormalization", *, origin: Origin | None = None
) -> Candidate:
    root = next(
        (
            r
            for r in ("tensorflow.keras", "keras", "tf_keras", "keras_core")
            if module in (r, f"{r}.layers", f"{r}.optimizers")
        ),
        None,
    )
    if origin is None:
        origin = Origin.PUBLIC if root is not None else Origin.LEGACY
    return Candidate(name, module, name, origin, root if origin is Origin.PUBLIC else None)


def ok(
    candidate: Candidate,
    module: str,
    *,
    dist_label: str = "keras 3.15.1",
    usable: bool | None = True,
    kind: str = "layer",
) -> ProbeOutcome:
    qualname = candidate.name
    return ProbeOutcome(
        candidate=candidate,
        status=Status.OK,
        seconds=1.0,
        resolved=Resolved(kind, module, qualname, f"{SITE}/{module.replace('.', '/')}.py"),
        distribution=dist_label,
        use=UseCheck(
            usable,
            "built in a keras Sequential model and ran forward on zeros(2, 4)",
            None if usable is not False else ErrorInfo("ImportError", "placeholder"),
        ),
    )


def failed(candidate: Candidate, message: str, exc: str = "ModuleNotFoundError") -> ProbeOutcome:
    return ProbeOutcome(
        candidate=candidate,
        status=Status.IMPORT_ERROR,
        seconds=0.5,
        error=ErrorInfo(exc, message),
    )


# --- scan reports -------------------------------------------------------------------------


def location(
    path: str = "train.py",
    line: int = 1,
    column: int = 1,
    *,
    cell: int | None = None,
    end_line: int | None = None,
    end_column: int | None = None,
    length: int = 10,
) -> Location:
    """A location; by default one line long, ``length`` characters wide."""
    return Location(
        path=path,
        cell=cell,
        line=line,
        column=column,
        end_line=line if end_line is None else end_line,
        end_column=column + length if end_column is None else end_column,
    )


def code_fix(
    replacement: str,
    where: Location | None = None,
    *,
    applicability: Applicability = Applicability.SAFE,
    resolves_to: str | None = None,
    note: str | None = None,
) -> CodeFix:
    """A fix whose one edit replaces the whole span of ``where`` (no edits without it)."""
    edits: tuple[TextEdit, ...] = ()
    if where is not None:
        edits = (TextEdit(where.line, where.column, where.end_line, where.end_column, replacement),)
    return CodeFix(applicability, replacement, resolves_to, edits, note)


def diagnostic(
    code: str,
    where: Location,
    statement: str,
    message: str,
    *,
    fix: CodeFix | None = None,
    severity: Severity | None = None,
) -> Diagnostic:
    """A diagnostic with the slug and default severity the codes registry gives ``code``."""
    entry = codes.get(code)
    return Diagnostic(
        code=code,
        slug=entry.slug,
        severity=entry.severity if severity is None else severity,
        location=where,
        statement=statement,
        message=message,
        fix=fix,
    )


def scan_report(
    diagnostics: tuple[Diagnostic, ...] = (),
    files: tuple[ScannedFile, ...] | None = None,
    *,
    root: str = "/work/project",
) -> ScanReport:
    """A scan report on TF 2.21 + Keras 3; ``files`` defaults to one ok file per path seen."""
    if files is None:
        seen = dict.fromkeys(d.location.path for d in diagnostics)
        files = tuple(ScannedFile(p, FileState.OK) for p in seen)
    return ScanReport(
        kerasdoctor_version="0.1.0",
        target=target(dist("tensorflow", "2.21.0"), dist("keras", "3.15.1")),
        root=root,
        files=files,
        diagnostics=diagnostics,
        verdicts=(),
        seconds=1.5,
    )


def bash(commands: tuple[FixCommand, ...]) -> tuple[str, ...]:
    """A fix's commands as the bash lines kerasdoctor prints on Linux and macOS."""
    return tuple(write(command, Shell.BASH) for command in commands)
