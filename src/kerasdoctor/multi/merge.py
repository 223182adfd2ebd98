"""``merge``: the multi-target answer from single-target documents that CI jobs uploaded.

Each document is what ``check --json`` or ``suggest --json`` printed in one job. It is read
back into the model (the target, its probes and its own suggestions), checked (schema
version, kerasdoctor version, the same symbols in every document), and the common line is
chosen by the very function a multi-target run uses (:func:`kerasdoctor.multi.common.choose`).
``check`` documents are complete; a ``suggest`` document lists only the lines its run needed,
so a line another target picks may have no verdict there: such a symbol is reported as a
split that says so (upload ``check --json`` from the jobs for a complete answer).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kerasdoctor import __version__
from kerasdoctor.errors import UsageError
from kerasdoctor.models import (
    Candidate,
    Distribution,
    ErrorInfo,
    KerasConfig,
    Origin,
    ProbeOutcome,
    Report,
    Resolved,
    Status,
    Suggestion,
    Target,
    UseCheck,
)
from kerasdoctor.multi import common
from kerasdoctor.multi.model import MatrixReport, TargetRun
from kerasdoctor.multi.targets import TargetSpec, with_labels

SCHEMA_VERSION = 1


class _Bad(Exception):
    """A document that is not what ``check --json`` writes (turned into a UsageError)."""


def merge(paths: Sequence[str], labels: Sequence[str] = ()) -> MatrixReport:
    """The matrix of the documents at ``paths`` (raise UsageError for a bad document)."""
    if not paths:
        raise UsageError("give at least one REPORT.json")
    runs: list[TargetRun] = []
    specs = with_labels([TargetSpec(str(Path(p).with_suffix(""))) for p in paths], labels)
    first: tuple[str, ...] | None = None
    commands = set()
    for path, spec in zip(paths, specs):
        document = _load(path)
        try:
            report = _report(document)
        except (_Bad, AttributeError, KeyError, TypeError, ValueError) as exc:
            raise UsageError(f"{path}: not a check/suggest --json document ({exc})") from exc
        if first is None:
            first = report.symbols
        elif report.symbols != first:
            raise UsageError(
                f"{path}: symbols {', '.join(report.symbols)} differ from "
                f"{paths[0]}'s {', '.join(first)}: merge documents of the same question"
            )
        commands.add(report.command)
        env = tuple(report.target.env)
        runs.append(TargetRun(spec.label, report.target.python, env, report))
    assert first is not None
    found = tuple(common.choose(runs, s)[0] for s in first)
    command = "check" if commands == {"check"} else "suggest"
    return MatrixReport(__version__, command, first, tuple(runs), found)


def _load(path: str) -> Mapping[str, Any]:
    try:
        document = json.loads(Path(path).read_text("utf-8"))
    except OSError as exc:
        raise UsageError(f"{path}: cannot read it ({exc.strerror or exc})") from exc
    except ValueError as exc:
        raise UsageError(f"{path}: not JSON ({exc})") from exc
    if not isinstance(document, dict):
        raise UsageError(f"{path}: not a kerasdoctor document")
    if "document" in document:
        raise UsageError(
            f"{path}: a {document['document']} document; merge reads single-target "
            "check --json / suggest --json documents"
        )
    if document.get("schema_version") != SCHEMA_VERSION:
        raise UsageError(
            f"{path}: schema_version {document.get('schema_version')!r}; this kerasdoctor "
            f"reads {SCHEMA_VERSION}"
        )
    if document.get("kerasdoctor_version") != __version__:
        raise UsageError(
            f"{path}: written by kerasdoctor {document.get('kerasdoctor_version')}, "
            f"this is {__version__}: run the same version in every job"
        )
    if document.get("command") not in ("check", "suggest"):
        raise UsageError(f"{path}: not a check/suggest document")
    return document


def _error(raw: Any) -> ErrorInfo | None:
    if raw is None:
        return None
    return ErrorInfo(str(raw["type"]), str(raw["message"]), raw.get("where"))


def _resolved(raw: Any) -> Resolved | None:
    if raw is None:
        return None
    return Resolved(str(raw["kind"]), str(raw["module"]), str(raw["qualname"]), raw.get("file"))


def _candidate(raw: Mapping[str, Any]) -> Candidate:
    candidate = Candidate(
        symbol=str(raw["symbol"]),
        module=str(raw["module"]),
        name=str(raw["name"]),
        origin=Origin(raw["origin"]),
        root=raw.get("root"),
    )
    if candidate.import_line != raw["import_line"]:
        # Only "from M import N" lines travel with everything needed to rebuild them.
        raise _Bad(f"line {raw['import_line']!r} cannot be read back")
    return candidate


def _probe(raw: Mapping[str, Any]) -> ProbeOutcome:
    use = raw.get("use_check")
    return ProbeOutcome(
        candidate=_candidate(raw),
        status=Status(raw["status"]),
        seconds=float(raw["seconds"]),
        error=_error(raw.get("error")),
        resolved=_resolved(raw.get("resolved")),
        distribution=raw.get("distribution"),
        use=None
        if use is None
        else UseCheck(use.get("usable"), str(use.get("how", "")), _error(use.get("error"))),
        method=str(raw.get("method", "process")),
        exit_detail=raw.get("exit_detail"),
        modules=tuple((str(k), str(v)) for k, v in (raw.get("modules") or {}).items()),
    )


def _target(raw: Mapping[str, Any], dists: Sequence[Mapping[str, Any]]) -> Target:
    config = raw["keras_config"]
    return Target(
        python=str(raw["python"]),
        chosen_by=str(raw["chosen_by"]),
        python_version=str(raw["python_version"]),
        implementation=str(raw.get("implementation", "")),
        platform=str(raw["platform"]),
        prefix=str(raw.get("prefix", "")),
        cwd=str(raw["cwd"]),
        sys_path=tuple(raw["sys_path"]),
        distributions=tuple(
            Distribution(
                name=str(d["name"]),
                display_name=str(d["display_name"]),
                version=str(d["version"]),
                location=str(d["location"]),
                metadata_path=str(d["metadata_path"]),
                top_level=tuple(d["top_level"]),
                requires=tuple(d.get("requires", ())),
                problems=tuple(d.get("problems", ())),
            )
            for d in dists
        ),
        env=tuple((str(k), str(v)) for k, v in raw["env"].items()),
        keras_config=KerasConfig(
            str(config["path"]), bool(config["exists"]), config.get("backend"), config.get("error")
        ),
        has_pip=bool(raw.get("has_pip", False)),
    )


def _report(document: Mapping[str, Any]) -> Report:
    probes = tuple(_probe(p) for p in document["probes"])
    by_line = {(p.candidate.symbol, p.candidate.import_line): p.candidate for p in probes}
    suggestions = []
    for raw in document["suggestions"]:
        line = raw["import_line"]
        candidate = None if line is None else by_line.get((raw["symbol"], line))
        if line is not None and candidate is None:
            raise _Bad(f"suggested line {line!r} is not among the probes")
        suggestions.append(
            Suggestion(
                symbol=str(raw["symbol"]),
                candidate=candidate,
                reason=str(raw["reason"]),
                resolved=_resolved(raw.get("resolved")),
                usable=raw.get("usable"),
                alternatives=tuple(raw.get("alternatives", ())),
            )
        )
    return Report(
        kerasdoctor_version=str(document["kerasdoctor_version"]),
        command=str(document["command"]),
        target=_target(document["target"], document["distributions"]),
        symbols=tuple(document["symbols"]),
        probes=probes,
        suggestions=tuple(suggestions),
        findings=(),
        implementation=document.get("implementation"),
        prefer=document.get("prefer"),
    )
