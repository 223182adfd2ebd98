"""The notebook side: ``%load_ext kerasdoctor`` and ``%kerasdoctor`` in a real IPython shell,
and a :class:`~kerasdoctor.models.Report` displayed by IPython's own display formatter.

The shell is IPython's :class:`InteractiveShell` (what a Jupyter kernel subclasses), running
cells as a notebook does; the target is the test interpreter itself, which has no Keras.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import CapturedIO, capture_output

from kerasdoctor import api
from kerasdoctor.cli.notebook import kernel_arguments
from kerasdoctor.models import Report, Suggestion
from kerasdoctor.render import ansi_html


@pytest.fixture
def shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> InteractiveShell:
    """IPython's shell with the extension loaded, working in an empty folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)  # the kernel's interpreter, not $VIRTUAL_ENV
    shell = InteractiveShell.instance()
    _cell(shell, "%load_ext kerasdoctor")
    return shell


def _cell(shell: InteractiveShell, source: str) -> CapturedIO:
    """Run ``source`` as a notebook cell; what it displayed and printed."""
    with capture_output() as captured:
        # run_cell is not annotated in IPython; it returns an ExecutionResult.
        result = shell.run_cell(source)  # type: ignore[no-untyped-call]
    assert result.success, captured.stdout + captured.stderr
    return captured


def _format(shell: InteractiveShell, obj: object) -> dict[str, Any]:
    """What a notebook frontend receives for ``obj`` as the value of a cell."""
    assert shell.display_formatter is not None
    data, _ = shell.display_formatter.format(obj)  # type: ignore[no-untyped-call]  # unannotated
    return dict(data)


def _only_output(captured: CapturedIO) -> dict[str, Any]:
    assert len(captured.outputs) == 1, [o.data for o in captured.outputs]
    data: dict[str, Any] = captured.outputs[0].data
    return data


@pytest.mark.keras_free
def test_check_in_a_notebook_targets_the_kernel_and_shows_rich_text(
    shell: InteractiveShell, tmp_path: Path
) -> None:
    captured = _cell(shell, "%kerasdoctor check Dense")
    data = _only_output(captured)
    plain, html = data["text/plain"], data["text/html"]
    # What check says in a terminal: no line works, KD001, and its fix.
    assert "✗ No working line for Dense" in plain
    assert "KD001 no-working-import" in plain
    assert "-m pip install tensorflow" in plain
    # The kernel's interpreter (not $VIRTUAL_ENV, not $PATH), from the kernel's folder.
    assert f"{sys.executable} (Python" in plain
    assert "--python)" in plain
    assert f"Directory  {tmp_path}" in plain
    # Rich: the marks keep check's colours; no escape code is left in either form.
    assert html.startswith("<pre")
    assert '<span style="font-weight: bold; color: #cf222e">✗ No working line for Dense' in html
    assert "\x1b" not in plain + html
    assert captured.stderr == ""


@pytest.mark.keras_free
def test_report_and_json_display_as_markdown_and_json(shell: InteractiveShell) -> None:
    report = _only_output(_cell(shell, "%kerasdoctor report Dense"))
    assert report["text/markdown"].startswith("<details>\n<summary>kerasdoctor ")
    assert "Dense ✗" in report["text/markdown"].splitlines()[1]
    document = _only_output(_cell(shell, "%kerasdoctor check Dense --json"))["application/json"]
    assert document["target"]["python"] == sys.executable
    assert document["findings"][0]["code"] == "KD001"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("check --no-such-option", "No such option"),
        ("check --timeout 0", "--timeout must be a positive number"),
        ("check 'Dense", "cannot read the arguments: No closing quotation"),
    ],
)
def test_a_bad_line_is_one_clear_line_and_no_traceback(
    shell: InteractiveShell, line: str, expected: str
) -> None:
    captured = _cell(shell, f"%kerasdoctor {line}")
    assert captured.outputs == []
    assert captured.stdout == ""
    assert captured.stderr.count("\n") == 1, captured.stderr
    assert captured.stderr.startswith("kerasdoctor: error: ")
    assert expected in captured.stderr
    assert "Traceback" not in captured.stderr


@pytest.mark.keras_free
def test_a_report_object_displays_itself_and_its_suggestions_stay_data(
    shell: InteractiveShell,
) -> None:
    report = api.diagnose("Dense", python=sys.executable)
    assert isinstance(report, Report)
    data = _format(shell, report)
    assert "<table" in data["text/html"]
    assert data["text/html"].count("<tr><td>Dense</td>") == len(report.probes)
    assert "✗ No working line for Dense" in data["text/html"]
    assert data["text/markdown"].startswith("<details>")
    # suggestions are plain frozen dataclasses: shown as their repr, nothing else.
    suggestions = _format(shell, report.suggestions)
    assert set(suggestions) == {"text/plain"}
    assert all(type(s) is Suggestion for s in report.suggestions)
    assert report.suggestions[0].import_line is None


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["check", "Dense"], ["check", "--python", "/k/python", "Dense"]),
        (["scan", "."], ["scan", "--python", "/k/python", "."]),
        (["check", "--python", "/other"], ["check", "--python", "/other"]),
        (["check", "--python=/other"], ["check", "--python=/other"]),
        (["explain", "KD001"], ["explain", "KD001"]),  # takes no --python
        (["--version"], ["--version"]),
        ([], []),
    ],
)
def test_kernel_arguments(arguments: list[str], expected: list[str]) -> None:
    assert kernel_arguments(arguments, "/k/python") == expected


def test_ansi_to_html_keeps_colours_and_escapes_text() -> None:
    text = "\x1b[1;31m✗ <bad>\x1b[0m plain & \x1b[32mok\x1b[0m\n\r\x1b[2K"
    html = ansi_html.to_html(text)
    assert '<span style="font-weight: bold; color: #cf222e">✗ &lt;bad&gt;</span>' in html
    assert " plain &amp; " in html
    assert '<span style="color: #1a7f37">ok</span>' in html
    assert "\x1b" not in html and "\r" not in html
    assert ansi_html.strip(text) == "✗ <bad> plain & ok\n"


def test_the_command_line_never_imports_ipython() -> None:
    code = (
        "import sys\n"
        "import kerasdoctor\n"
        "from kerasdoctor.cli import run\n"
        "assert run(['explain', 'KD001']) == 0\n"
        "assert hasattr(kerasdoctor, 'load_ipython_extension')\n"
        "print('IPython' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert done.stdout.splitlines()[-1] == "False"
