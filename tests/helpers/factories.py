"""Small builders of real model objects for unit tests of the pure stages (rank, render).

These are data, not mocks: the same frozen dataclasses the pipeline produces, filled in
with values seen in real environments.
"""

from __future__ import annotations

from kerasdoctor.models import (
    Candidate,
    Distribution,
    ErrorInfo,
    KerasConfig,
    Origin,
    ProbeOutcome,
    Resolved,
    Status,
    Target,
    UseCheck,
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
