"""Shared fixtures: hermetic caches for every test, and the JSON schema validator.

Every test gets its own result cache (``XDG_CACHE_HOME``) and Keras home (``KERAS_HOME``),
so that no run is answered from the user's ``~/.cache/kerasdoctor`` and no test sees what
another one wrote. The real test environments are not affected: :mod:`helpers.envs`
resolves their cache folder (and uv's) once, when it is imported here, before any fixture
changes the environment.
"""

from __future__ import annotations

import importlib.util
import json
from importlib import resources
from typing import Any

import jsonschema
import pytest

import helpers.envs  # noqa: F401  (imported first: resolves the shared cache folders)

#: What a test marked ``keras_free`` needs absent from the test interpreter.
KERAS_MODULES = ("keras", "tensorflow", "tf_keras", "keras_core")


@pytest.fixture(autouse=True)
def own_cache_and_keras_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh, empty result cache and Keras home for this test (not created until used)."""
    base = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CACHE_HOME", str(base / "cache"))
    monkeypatch.setenv("KERAS_HOME", str(base / "keras"))


@pytest.fixture(autouse=True)
def keras_free_premise(request: pytest.FixtureRequest) -> None:
    """A ``keras_free`` test fails plainly (not with a puzzling verdict) when Keras is here."""
    if request.node.get_closest_marker("keras_free") is None:
        return
    present = [m for m in KERAS_MODULES if importlib.util.find_spec(m) is not None]
    if present:
        pytest.fail(f"keras_free test, but the test interpreter has {', '.join(present)}")


@pytest.fixture(scope="session")
def report_schema() -> dict[str, Any]:
    text = resources.files("kerasdoctor.schema").joinpath("report.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


@pytest.fixture(scope="session")
def validate_report(report_schema: dict[str, Any]) -> Any:
    """Call with a parsed ``--json`` document; raises when it does not match the schema."""
    validator = jsonschema.Draft202012Validator(report_schema)

    def validate(document: Any) -> None:
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
        if errors:
            lines = [f"{list(e.path)}: {e.message}" for e in errors[:10]]
            raise AssertionError("JSON does not match the schema:\n" + "\n".join(lines))

    return validate


@pytest.fixture(scope="session")
def validate_matrix() -> Any:
    """Call with a parsed multi-target ``--json`` document; raises when it does not match."""
    text = resources.files("kerasdoctor.schema").joinpath("matrix.schema.json").read_text("utf-8")
    schema = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)

    def validate(document: Any) -> None:
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
        if errors:
            lines = [f"{list(e.path)}: {e.message}" for e in errors[:10]]
            raise AssertionError("JSON does not match the matrix schema:\n" + "\n".join(lines))

    return validate
