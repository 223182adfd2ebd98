"""Real-environment fixtures: kerasdoctor's answer per scenario, computed once per session."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from helpers.runs import Run, Scenario, run_kerasdoctor


@pytest.fixture(scope="session")
def run_cache(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Scenario], Run]:
    """kerasdoctor's run for a scenario, computed once per session."""
    cache: dict[str, Run] = {}

    def get(scenario: Scenario) -> Run:
        key = repr(scenario)  # variables is a dict: key by the full description
        if key not in cache:
            workdir = tmp_path_factory.mktemp("scenario")
            cache[key] = run_kerasdoctor(scenario, workdir)
        return cache[key]

    return get
