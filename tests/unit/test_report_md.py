"""``kerasdoctor report``'s renderer and the redaction it relies on, on real model objects.

The report is built from the same frozen dataclasses the pipeline produces, placed under a
fake home folder (``/home/jdoe``) of a fake user (``jdoe``), with the user name also in a
path outside that home (``/Users/jdoe``): nothing of either may reach the text.
"""

from __future__ import annotations

import re

import pytest

from helpers.factories import dist, failed, line, ok
from kerasdoctor.diagnose import rank
from kerasdoctor.models import (
    Distribution,
    Finding,
    KerasConfig,
    MoveAside,
    Report,
    RunCommand,
    SetVariable,
    Severity,
    Target,
)
from kerasdoctor.render import report_html, report_md
from kerasdoctor.render.redact import Redaction

HOME = "/home/jdoe"
USER = "jdoe"
REDACTION = Redaction((HOME,), (USER,))
SITE = f"{HOME}/venvs/tf/lib/python3.11/site-packages"
K3_BN = "keras.src.layers.normalization.batch_normalization"


def _dist(name: str, version: str) -> Distribution:
    plain = dist(name, version)
    return Distribution(
        plain.name,
        plain.display_name,
        plain.version,
        SITE,
        f"{SITE}/{name}-{version}.dist-info",
        plain.top_level,
    )


TARGET = Target(
    python=f"{HOME}/venvs/tf/bin/python",
    chosen_by="--python",
    python_version="3.11.7",
    implementation="cpython",
    platform="Linux-6.5.0-x86_64-with-glibc2.35",
    prefix=f"{HOME}/venvs/tf",
    cwd=f"{HOME}/project",
    sys_path=(f"{HOME}/project", SITE),
    distributions=(_dist("tensorflow", "2.21.0"), _dist("keras", "3.15.1")),
    env=(
        ("KERAS_BACKEND", "torch"),
        ("KERAS_HOME", f"{HOME}/.keras"),
        ("PYTHONPATH", "/Users/jdoe/lib"),
    ),
    keras_config=KerasConfig(path=f"{HOME}/.keras/keras.json", exists=True, backend="jax"),
)
OUTCOMES = (
    ok(line("tensorflow.keras.layers"), K3_BN),
    ok(line("keras.layers"), K3_BN),
    failed(
        line("keras.layers.normalization"),
        "cannot import name 'x' from 'keras' (/Users/jdoe/src/keras/__init__.py) | <module>",
        "ImportError",
    ),
    failed(line("keras.layers", "Dense"), "No module named 'torch'"),
)
FINDINGS = (
    Finding(
        code="KD101",
        slug="keras-backend-missing",
        severity=Severity.WARNING,
        message=f"keras 3.15.1 uses the 'torch' backend (set by KERAS_BACKEND=torch), "
        f"but torch is not installed in {HOME}/venvs/tf",
        evidence=("from keras.layers import Dense: ModuleNotFoundError: No module named 'torch'",),
        fix=(
            RunCommand((f"{HOME}/venvs/tf/bin/python", "-m", "pip", "install", "torch")),
            SetVariable("KERAS_BACKEND", "jax"),
        ),
        verified=True,
    ),
    Finding(
        code="KD302",
        slug="shadowing-file",
        severity=Severity.ERROR,
        message=f"{HOME}/project/keras.py shadows keras (owner jdoe)",
        fix=(MoveAside(f"{HOME}/project/keras.py", f"{HOME}/project/my_keras.py"),),
    ),
)


def _report(symbols: tuple[str, ...] = ("BatchNormalization", "Dense")) -> Report:
    ref, suggestions = rank.suggest(TARGET, symbols, OUTCOMES)
    return Report("0.1.0", "check", TARGET, symbols, OUTCOMES, suggestions, FINDINGS, ref.label)


def _table_rows(text: str, header: str) -> list[str]:
    rows = text.split(header, 1)[1].split("\n\n", 1)[0].splitlines()
    return [header, *rows[1:]]  # rows[0] is what followed the header on its line: nothing


def _cells(row: str) -> list[str]:
    """A table row's cells, split as GitHub splits them (at every pipe not escaped)."""
    return re.split(r"(?<!\\)\|", row.strip())[1:-1]


def test_nothing_of_the_home_folder_or_the_user_name_is_left() -> None:
    text = report_md.markdown(_report(), REDACTION)
    assert HOME not in text
    assert USER not in text.lower()
    # ...and what stood there is still readable, and pastes in a shell.
    assert "`~/venvs/tf/bin/python`" in text
    assert "`KERAS_HOME=~/.keras`" in text
    assert "`PYTHONPATH=/Users/$USER/lib`" in text
    assert "~/venvs/tf/bin/python -m pip install torch\n" in text
    assert "&& mv -- ~/project/keras.py ~/project/my_keras.py\n" in text
    assert "owner \\$USER" in text  # a word of prose too (escaped: GitHub reads $...$ as math)


def test_structure_details_summary_and_note_on_top() -> None:
    report = _report()
    text = report_md.markdown(report, REDACTION)
    lines = text.splitlines()
    assert lines[0] == "<details>"
    assert lines[1].startswith("<summary>") and lines[1].endswith("</summary>")
    assert "BatchNormalization ✓, Dense ✗" in lines[1]
    assert "1 error, 1 warning" in lines[1]
    assert lines[2] == ""  # GitHub renders Markdown in <details> only after a blank line
    assert lines[3] == REDACTION.note  # what was left out, before anything else
    assert lines[-1] == "</details>"
    headings = [row for row in lines if row.startswith("### ")]
    assert [h.split(" (")[0] for h in headings] == [
        "### Environment",
        "### Distributions",
        "### Lines to use",
        "### Findings",
        "### Lines tried",
    ]
    assert "| Platform | `Linux-6.5.0-x86_64-with-glibc2.35` |" in lines
    assert "| Keras 3 backend | torch (KERAS\\_BACKEND=torch) |" in lines
    assert "| kerasdoctor | 0.1.0 (check, probed now) |" in lines


def test_verdict_table_has_every_line_whole_in_backticks() -> None:
    report = _report()
    text = report_md.markdown(report, REDACTION)
    rows = _table_rows(text, "| Symbol | Import line | Verdict |")
    body = rows[2:]
    assert len(body) == len(report.probes)
    for row, outcome in zip(body, (o for s in report.symbols for o in report.probes_for(s))):
        cells = _cells(row)
        assert len(cells) == 3, row  # the `|` inside an error did not open a fourth cell
        assert cells[1].strip() == f"`{outcome.candidate.import_line}`"
    failing = next(r for r in body if "keras.layers.normalization" in r)
    assert "✗ `ImportError: cannot import name 'x'" in failing
    assert "\\| <module>" in failing


def test_findings_fixes_are_fenced_and_lines_to_use_are_python() -> None:
    text = report_md.markdown(_report(), REDACTION)
    findings = text.split("### Findings", 1)[1].split("### Lines tried", 1)[0]
    assert "**! KD101 keras-backend-missing** (warning)" in findings
    assert "**✗ KD302 shadowing-file** (error)" in findings
    assert "Fix (verified by probing again with it applied):" in findings
    assert "```sh\n~/venvs/tf/bin/python -m pip install torch\nexport KERAS_BACKEND=jax\n```" in (
        findings
    )
    assert "- `from keras.layers import Dense`: ModuleNotFoundError" in findings
    to_use = text.split("### Lines to use", 1)[1].split("###", 1)[0]
    assert "```python\nfrom tensorflow.keras.layers import BatchNormalization\n```" in to_use
    assert "- ✗ No working line for Dense:" in to_use


def test_only_the_steering_variables_of_the_target_are_shown() -> None:
    text = report_md.markdown(_report(), REDACTION)
    variables = next(row for row in text.splitlines() if row.startswith("| Variables |"))
    assert _cells(variables)[1].strip() == (
        "`KERAS_BACKEND=torch`, `KERAS_HOME=~/.keras`, `PYTHONPATH=/Users/$USER/lib`"
    )


def test_the_notebook_view_redacts_too_and_tables_every_line() -> None:
    report = _report()
    html = report_html.html(report, REDACTION)
    assert HOME not in html
    assert USER not in html.lower()
    assert html.count("<tr><td>") == len(report.probes)
    assert "&lt;module&gt;" in html  # error text is escaped, never markup
    assert "from tensorflow.keras.layers import BatchNormalization" in html
    assert "~/venvs/tf/bin/python -m pip install torch" in html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/home/jdoe", "~"),
        ("/home/jdoe/x and '/home/jdoe'", "~/x and '~'"),
        ("/home/jdoe2/x", "/home/jdoe2/x"),  # another user's folder, not a word of this name
        ("/backup/home/jdoe/x", "/backup/home/$USER/x"),  # not the home: the name still goes
        ("C:\\Users\\JDoe\\x", "C:\\Users\\$USER\\x"),
        ("jdoe.local, jdoe_x", "$USER.local, jdoe_x"),
        ("PYTHONPATH=/home/jdoe/a:/home/jdoe/b", "PYTHONPATH=~/a:~/b"),
    ],
)
def test_redaction(text: str, expected: str) -> None:
    assert REDACTION(text) == expected


def test_a_one_letter_name_only_goes_as_a_path_component() -> None:
    redact = Redaction(("/srv/a",), ("a",))
    assert redact("/Users/a/x is a file") == "/Users/$USER/x is a file"


def test_redaction_of_this_process_reads_home_and_user() -> None:
    found = Redaction.of_this_process({"HOME": "/home/kdfake", "USER": "kdfake-user"})
    assert "/home/kdfake" in found.homes
    assert {"kdfake-user", "kdfake"} <= set(found.users)
    assert found("/home/kdfake/p and /Users/kdfake-user/q") == "~/p and /Users/$USER/q"


def test_a_markdown_parser_reads_the_tables_and_code_blocks() -> None:
    """markdown-it (CommonMark with GitHub's tables; rich's own dependency) reads the report
    as meant: three tables whose cells hold the import lines whole, and the fixes as ``sh``."""
    from markdown_it import MarkdownIt

    report = _report()
    tokens = MarkdownIt("commonmark").enable("table").parse(report_md.markdown(report, REDACTION))
    assert [t.type for t in tokens].count("table_open") == 3  # environment, distributions, lines
    assert tokens[0].type == "html_block" and tokens[0].content.startswith("<details>")
    cells: list[list[str]] = []
    inside = False
    for token in tokens:
        if token.type == "table_open":
            inside = True
            cells = []  # the last table: the lines tried
        elif token.type == "table_close":
            inside = False
        elif inside and token.type == "tr_open":
            cells.append([])
        elif inside and token.type == "inline":
            cells[-1].append(token.content)
    lines = [o.candidate.import_line for s in report.symbols for o in report.probes_for(s)]
    assert [row[1] for row in cells[1:]] == [f"`{line}`" for line in lines]
    assert all(len(row) == 3 for row in cells)
    fences = [t for t in tokens if t.type == "fence"]
    assert [f.info for f in fences] == ["python", "sh", "sh"]
    assert fences[0].content == "from tensorflow.keras.layers import BatchNormalization\n"
    assert fences[2].content == (
        "test ! -e ~/project/my_keras.py && mv -- ~/project/keras.py ~/project/my_keras.py\n"
    )
