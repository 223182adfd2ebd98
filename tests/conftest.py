"""Shared fixtures: the JSON schema validator used by every test that reads ``--json``."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema
import pytest


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
