"""``kerasdoctor report`` against the test interpreter itself (no Keras: Dense fails everywhere).

The run has a fake home folder and user name: the working folder is under that home, and
neither may appear in the Markdown; a variable that does not steer Keras must not either.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from kerasdoctor.cli import run

FAKE_USER = "kdfakeuser"


@pytest.fixture
def fake_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder named after a fake user, the working folder in it, and that user."""
    home = tmp_path / "home" / FAKE_USER
    project = home / "project"
    project.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    for name in ("USER", "LOGNAME"):
        monkeypatch.setenv(name, FAKE_USER)
    monkeypatch.setenv("KERAS_HOME", str(home / ".keras"))
    monkeypatch.setenv("KD_TEST_SECRET", "hunter2-not-for-issues")
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    monkeypatch.chdir(project)
    return home


def _one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("kerasdoctor: error: "), err
    return lines[0]


@pytest.mark.keras_free
def test_report_is_markdown_for_an_issue_with_nothing_personal(
    capsys: pytest.CaptureFixture[str], fake_home: Path
) -> None:
    code = run(["report", "Dense", "--python", sys.executable])
    out, err = capsys.readouterr()
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "<details>"
    assert re.fullmatch(
        r"<summary>kerasdoctor \S+ report · Dense ✗ · 1 error, .*</summary>", lines[1]
    )
    assert lines[2] == ""
    assert lines[3].startswith("Personal data left out by kerasdoctor:")
    assert lines[-1] == "</details>"
    # Nothing of the home folder, the user name or other variables.
    assert str(fake_home) not in out
    assert FAKE_USER not in out
    assert "hunter2" not in out and "KD_TEST_SECRET" not in out
    assert "| Working folder | `~/project` |" in lines
    variables = next(row for row in lines if row.startswith("| Variables |"))
    assert "`KERAS_BACKEND=jax`" in variables
    assert "`KERAS_HOME=~/.keras`" in variables
    # The verdict: every line of Dense tried, in a table, each failing; KD001 with its fix.
    table = out.split("| Symbol | Import line | Verdict |\n|---|---|---|\n", 1)[1]
    rows = table.split("\n\n", 1)[0].splitlines()
    assert len(rows) > 4
    assert all(re.fullmatch(r"\| Dense \| `from [\w.]+ import Dense` \| ✗ .*\|", r) for r in rows)
    assert "**✗ KD001 no-working-import** (error)" in out
    assert re.search(r"```sh\n\S*python\S* -m pip install tensorflow\n```", out)
    assert "- ✗ No working line for Dense:" in out


@pytest.mark.keras_free
def test_report_output_file(capsys: pytest.CaptureFixture[str], fake_home: Path) -> None:
    destination = fake_home / "project" / "report.md"
    code = run(["report", "Dense", "--python", sys.executable, "--output", str(destination)])
    out, err = capsys.readouterr()
    assert code == 0
    assert out == ""
    assert err == f"kerasdoctor: report written to {destination}\n"
    text = destination.read_text("utf-8")
    assert text.startswith("<details>\n<summary>")
    assert FAKE_USER not in text


@pytest.mark.parametrize("where", ["missing/report.md", "."])
def test_bad_output_is_one_line_before_any_probe(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    monkeypatch.chdir(tmp_path)
    # A --python that does not exist: had the probes started, that would be the error.
    code = run(["report", "--python", str(tmp_path / "no-python"), "--output", where])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    line = _one_error_line(err)
    assert line.startswith(f"kerasdoctor: error: --output {where}: ")
    assert ("no such folder" in line) if where != "." else ("is a folder" in line)


def test_report_takes_no_view_options(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["report", "--json"])
    _, err = capsys.readouterr()
    assert code == 2
    assert "No such option '--json'" in _one_error_line(err)
