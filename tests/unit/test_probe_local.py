"""Probes against the interpreter running the tests: real processes, stdlib modules.

Each verdict is compared with what a plain ``python -c "<line>"`` does, the same oracle the
real-environment tests use.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from helpers.oracle import fresh_import
from kerasdoctor.interpreter import choose_interpreter, inspect_target
from kerasdoctor.models import Candidate, Origin, Status
from kerasdoctor.probe import ProbeSettings, probe_all

LINES = [
    ("json", "dumps"),
    ("json", "nope"),
    ("os", "path"),
    ("xml.etree", "ElementTree"),
    ("kd_no_such_package", "thing"),
    ("json.nosub", "x"),
    ("collections", "OrderedDict"),
]


@pytest.fixture
def local_target(tmp_path: Path):  # type: ignore[no-untyped-def]
    interpreter = choose_interpreter(sys.executable, {})
    return inspect_target(
        interpreter,
        cwd=str(tmp_path),
        environ=dict(os.environ),
        extra_modules=["kd_no_such_package"],
    )


def test_verdicts_match_plain_python_c(local_target, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    candidates = [Candidate(name, module, name, Origin.USER) for module, name in LINES]
    outcomes = probe_all(
        local_target,
        candidates,
        use_specs={},
        environ=dict(os.environ),
        settings=ProbeSettings(timeout=30, use_check=False),
    )
    assert [o.candidate for o in outcomes] == candidates
    for outcome in outcomes:
        truth = fresh_import(
            Path(sys.executable),
            outcome.candidate.module,
            outcome.candidate.name,
            cwd=tmp_path,
            env=dict(os.environ),
            timeout=30,
        )
        assert outcome.works == truth.ok, (outcome, truth)
        if not truth.ok:
            assert outcome.error is not None
            assert outcome.error.type == truth.exc_type
            assert outcome.error.message == truth.message


def test_missing_top_level_is_decided_by_find_spec(local_target) -> None:  # type: ignore[no-untyped-def]
    candidate = Candidate("thing", "kd_no_such_package.sub", "thing", Origin.USER)
    (outcome,) = probe_all(local_target, [candidate], use_specs={}, environ=dict(os.environ))
    assert outcome.status is Status.IMPORT_ERROR
    assert outcome.method == "find_spec"
    assert outcome.error is not None
    assert outcome.error.message == "No module named 'kd_no_such_package'"


def test_resolved_identity_and_kind(local_target) -> None:  # type: ignore[no-untyped-def]
    candidates = [
        Candidate("OrderedDict", "collections", "OrderedDict", Origin.USER),
        Candidate("dumps", "json", "dumps", Origin.USER),
        Candidate("path", "os", "path", Origin.USER),
    ]
    outcomes = probe_all(
        local_target,
        candidates,
        use_specs={"OrderedDict": {}, "dumps": {}, "path": {}},
        environ=dict(os.environ),
    )
    by_name = {o.candidate.name: o for o in outcomes}
    ordered = by_name["OrderedDict"]
    assert ordered.resolved is not None
    assert ordered.resolved.identity == "collections:OrderedDict"
    assert ordered.resolved.kind == "class"
    assert ordered.usable is True  # OrderedDict() takes no required argument
    dumps = by_name["dumps"]
    assert dumps.resolved is not None and dumps.resolved.kind == "function"
    assert dumps.usable is True
    path = by_name["path"]
    assert path.resolved is not None and path.resolved.kind == "module"


def test_local_file_shadows_like_python_c(local_target, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # A project file named like a package hides it for code started from that folder.
    (tmp_path / "json.py").write_text("shadowed = True\n")
    candidate = Candidate("dumps", "json", "dumps", Origin.USER)
    (outcome,) = probe_all(local_target, [candidate], use_specs={}, environ=dict(os.environ))
    truth = fresh_import(
        Path(sys.executable), "json", "dumps", cwd=tmp_path, env=dict(os.environ), timeout=30
    )
    assert truth.ok is False
    assert outcome.works is False
    assert outcome.error is not None and outcome.error.type == truth.exc_type
    assert ("json", str(tmp_path / "json.py")) in outcome.modules
