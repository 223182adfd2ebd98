"""The human view of real reports pastes: at 80 columns, piped, every command and import
line kerasdoctor prints is whole, and compiles (Python) or parses (bash) as printed.

Runs the CLI as a user would, in real environments; the JSON document of the same run
(from the same private cache) says which fixes and suggestions the text must show whole.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from helpers.runs import Run, Scenario, run_kerasdoctor

pytestmark = pytest.mark.realenv

SCENARIOS = [
    Scenario("tf", symbols=("BatchNormalization", "Dense", "Adam")),
    Scenario("keras3"),  # Keras 3 and no backend at all: nothing works, the fix is an install
    Scenario("keras3-torch"),  # no KERAS_BACKEND: the default backend is missing, torch is here
]
MARKS = ("→ Use: ", "✓ ", "✗ ", "~ ", "! ")


def _text(run: Run, *args: str) -> tuple[int, str]:
    env = {**run.env, "COLUMNS": "80", "NO_COLOR": "1"}
    cmd = [sys.executable, "-m", "kerasdoctor", "check", *run.scenario.symbols]
    cmd += ["--python", str(run.python), *args]
    done = subprocess.run(
        cmd, cwd=run.cwd, env=env, capture_output=True, text=True, timeout=1800, check=False
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout


def _python_statements(rows: list[str]) -> list[str]:
    """Every import statement printed, as a user would select it (a parenthesised one whole)."""
    found: list[str] = []
    block: list[str] | None = None
    for row in rows:
        if block is not None:
            block.append(row)
            if row == ")":
                found.append("\n".join(block))
                block = None
            continue
        text = row.strip()
        for mark in MARKS:
            if text.startswith(mark + "from "):
                text = text[len(mark) :]
        if text.startswith("from ") and " import " in text:
            if text.endswith("("):
                block = [text]
            else:
                found.append(text)
    assert block is None, "an unclosed parenthesised import"
    return found


def _commands(rows: list[str]) -> list[str]:
    """The rows under a "fix:" heading, and those of the closing verified fix."""
    found: list[str] = []
    taking = False
    for row in rows:
        text = row.strip()
        if text in ("fix:", "fix (verified):") or text.endswith("verified fix makes it work:"):
            taking = True
            continue
        if taking and (row.startswith("        ") or text.startswith(("export ", "uv ", "pip "))):
            found.append(text)
            continue
        taking = False
    return found


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_every_printed_command_and_import_line_pastes_whole(
    scenario: Scenario, tmp_path: Path
) -> None:
    run = run_kerasdoctor(scenario, tmp_path)
    for args in ((), ("-v",)):
        code, out = _text(run, *args)
        assert code == run.returncode
        rows = out.splitlines()
        statements = _python_statements(rows)
        assert statements, out
        for statement in statements:
            compile(statement, "<pasted>", "exec")
        whole = {row.strip() for row in rows}
        for finding in run.document["findings"]:
            for command in finding["fix"]:
                assert command in whole, (command, out)
        for suggestion in run.document["suggestions"]:
            if suggestion["import_line"] and len(scenario.symbols) == 1:
                assert any(row.endswith(suggestion["import_line"]) for row in rows), out
        commands = _commands(rows)
        assert len(commands) >= sum(len(f["fix"]) for f in run.document["findings"]), out
        for command in commands:
            parsed = subprocess.run(
                ["bash", "-n", "-c", command], capture_output=True, text=True, check=False
            )
            assert parsed.returncode == 0, (command, parsed.stderr)


def test_a_missing_backend_ends_with_the_proven_fix_and_the_line_it_makes_work(
    tmp_path: Path,
) -> None:
    run = run_kerasdoctor(Scenario("keras3-torch"), tmp_path)
    verified = [f for f in run.document["findings"] if f["verified"] and f["fix"]]
    assert verified, run.document["findings"]
    _, out = _text(run)
    rows = out.splitlines()
    assert rows[-3:-1] == [*verified[0]["fix"], "then use:"]
    last = rows[-1]
    assert last.startswith("from keras") and " import BatchNormalization" in last
    # The line it names works once the fix is applied, in a fresh interpreter.
    assert verified[0]["fix"] == ["export KERAS_BACKEND=torch"]
    env = {**run.env, "KERAS_BACKEND": "torch"}
    done = subprocess.run(
        [str(run.python), "-c", last],
        cwd=run.cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
