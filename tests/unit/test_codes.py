"""The codes registry: one definition per code, and everything that reads it agrees.

Every registered code has its page in docs/codes/ and every page its code; every code the
environment judges has exactly one check; ``--ignore``, ``[tool.kerasdoctor] ignore`` and
``explain`` accept registered codes and slugs only.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from kerasdoctor import codes, config
from kerasdoctor.cli import run
from kerasdoctor.diagnose import rules
from kerasdoctor.errors import UsageError
from kerasdoctor.render import explain, table

DOCS = Path(__file__).resolve().parents[2] / "docs" / "codes"


def test_every_code_has_its_page_and_every_page_its_code() -> None:
    pages = sorted(p.stem for p in DOCS.glob("*.md"))
    assert pages == [c.code for c in codes.CODES]
    assert codes.documented() == pages
    for entry in codes.CODES:
        path = DOCS.parent.parent / entry.doc
        first = path.read_text("utf-8").splitlines()[0]
        assert first == f"# {entry.code} {entry.slug}", path


def test_every_page_states_the_registered_severity() -> None:
    # The page's "Severity:" paragraph names the usual severity (and when a rule changes it).
    for entry in codes.CODES:
        paragraph = codes.page(entry).split("**Severity:**", 1)[1].split("\n\n", 1)[0]
        assert entry.severity.value in paragraph, entry.code


def test_every_environment_code_has_exactly_one_check() -> None:
    environment = [c.code for c in codes.judged_by(codes.Judge.ENVIRONMENT)]
    assert list(rules.CHECKS) == environment
    assert len(set(rules.RULES)) == len(environment)
    for code in environment:
        # The check lives in the module of its area: diagnose/rules/<area key>.py.
        module = rules.check(code).__module__
        assert module == f"kerasdoctor.diagnose.rules.{codes.get(code).area.key}"


def test_the_findings_view_has_one_heading_per_environment_area() -> None:
    assert [a.title for a in table.AREAS] == [
        a.title for a in codes.AREAS if a.judge is codes.Judge.ENVIRONMENT
    ]


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("KD101", "KD101"),
        ("kd101", "KD101"),
        (" KD402 ", "KD402"),
        ("keras-backend-missing", "KD101"),
    ],
)
def test_lookup_accepts_codes_and_slugs(typed: str, code: str) -> None:
    assert codes.lookup(typed).code == code
    assert config.check_code(typed) == code


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("KD999", "unknown finding code KD999: known codes are KD001"),
        ("KD1", "invalid finding code 'KD1'"),
        ("keras-backend", "invalid finding code 'keras-backend'"),
        ("", "invalid finding code ''"),
    ],
)
def test_lookup_refuses_anything_else(typed: str, message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        codes.lookup(typed)


def _one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("kerasdoctor: error: "), err
    return lines[0]


def test_ignore_of_an_unknown_code_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code = run(["check", "--ignore", "KD999", "--python", sys.executable])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert "unknown finding code KD999" in _one_error_line(err)


def test_config_ignore_of_an_unknown_code_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.kerasdoctor]\nignore = ['KD101', 'KD999']\n")
    monkeypatch.chdir(tmp_path)
    code = run(["check", "--python", sys.executable])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    line = _one_error_line(err)
    assert "[tool.kerasdoctor] ignore: unknown finding code KD999" in line
    assert str(tmp_path / "pyproject.toml") in line


def test_config_ignore_accepts_slugs(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.kerasdoctor]\nignore = ['mixed-implementations', 'kd001']\n"
    )
    assert config.load(tmp_path).ignore == ("KD401", "KD001")


def test_explain_without_a_code_lists_every_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["explain"]) == 0
    out = capsys.readouterr().out
    for entry in codes.CODES:
        assert re.search(rf"^{entry.code}  {entry.slug} +{re.escape(entry.title)}$", out, re.M)


def test_explain_accepts_a_slug_and_prints_markdown_when_piped(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["explain", "keras-backend-missing"]) == 0
    out = capsys.readouterr().out
    assert out == codes.page(codes.get("KD101"))


def test_explain_renders_markdown_on_a_terminal_without_wrapping_code() -> None:
    entry = codes.get("KD401")
    out = explain.render("KD401", terminal=True, color=False, width=60)
    assert "# KD401" not in out  # the heading is rendered, not shown as Markdown
    assert "KD401 mixed-implementations" in out
    # A code block keeps each of its lines whole, however narrow the terminal.
    block = re.search(r"```\n(.*?)```", codes.page(entry), re.S)
    assert block is not None
    for source_line in block.group(1).splitlines():
        if source_line.strip():
            assert source_line.strip() in out
