"""Fix commands written for bash, PowerShell and cmd.

bash is checked for real: every line parses (``bash -n``) and runs to exactly the command it
stands for (arguments printed back by ``printf``, a variable read back, a file really moved),
for hand-picked and generated words. PowerShell and cmd cannot run here: their lines are
compared with golden files written by hand (tests/unit/golden/), and generated words are read
back with the documented rules of each (PowerShell's single-quoted strings; cmd's quoting and
the Microsoft C runtime's argument splitting), which these tests implement independently.
"""

from __future__ import annotations

import difflib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.factories import target
from kerasdoctor.models import (
    Finding,
    FixCommand,
    MoveAside,
    Report,
    RunCommand,
    SetVariable,
    Severity,
)
from kerasdoctor.render import json_document, table
from kerasdoctor.render.shells import Shell, Unwritable, lines, write, write_all

pytestmark = pytest.mark.portable

GOLDEN = Path(__file__).parent / "golden"
PY = r"C:\Python311\python.exe"
CONDA_PY = r"C:\Users\Ann\miniconda3\envs\tf 2\python.exe"
KERAS = ("keras-nightly", "keras")

#: The golden cases: each file has one block per case, in this order.
CASES: dict[str, FixCommand] = {
    "set-backend": SetVariable("KERAS_BACKEND", "torch"),
    "unset-legacy-keras": SetVariable("TF_USE_LEGACY_KERAS", None),
    "pythonpath-with-spaces-and-parentheses": SetVariable(
        "PYTHONPATH", r"C:\Users\Ann\lib;D:\shared (old)\lib"
    ),
    "value-with-apostrophe-and-dollar": SetVariable("KERAS_HOME", r"C:\it's $HOME"),
    "value-with-percent": SetVariable("PYTHONPATH", r"C:\100% sure\lib"),
    "pip-install-into-venv": RunCommand(
        (r"C:\Users\Ann\proj\.venv\Scripts\python.exe", "-m", "pip", "install", "tensorflow>=2.16")
    ),
    "pip-uninstall-path-with-parentheses-and-ampersand": RunCommand(
        (r"C:\Program Files (x86)\R&D\python.exe", "-m", "pip", "uninstall", "-y", *KERAS)
    ),
    "uv-install-into-conda-env-with-space": RunCommand(
        ("uv", "pip", "install", "--python", CONDA_PY, "keras<2.16,>=2.15.0")
    ),
    "pinned-install": RunCommand((PY, "-m", "pip", "install", "tensorflow==2.21.0")),
    "argument-ending-in-backslash": RunCommand(
        (PY, "-m", "pip", "install", "--target", "C:\\site dir\\", "keras")
    ),
    "move-aside": MoveAside(r"C:\proj\keras.py", r"C:\proj\keras_local.py"),
    "move-aside-apostrophe-and-ampersand": MoveAside(
        r"C:\Ann's code & tests\keras.py", r"C:\Ann's code & tests\keras_local.py"
    ),
}

ON_WINDOWS = sys.platform == "win32"
needs_bash = pytest.mark.skipif(
    ON_WINDOWS, reason="bash semantics are checked where bash is the system shell"
)


# -- golden files ---------------------------------------------------------------------------


def _split_golden(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The header comment and the (case, line) blocks of a golden file."""
    header, *blocks = text.rstrip("\n").split("\n\n")
    cases = []
    for block in blocks:
        name, line = block.split("\n")
        assert name.startswith("# "), block
        cases.append((name[2:], line))
    return header, cases


def _written(command: FixCommand, shell: Shell) -> str:
    try:
        return write(command, shell)
    except Unwritable as why:
        return f"(cannot be written: {why})"


@pytest.mark.parametrize("shell", list(Shell))
def test_commands_match_the_golden_file(shell: Shell) -> None:
    path = GOLDEN / f"fixes.{shell.value}.txt"
    expected = path.read_text("utf-8")
    header, cases = _split_golden(expected)
    assert [name for name, _ in cases] == list(CASES), "the golden file lists other cases"
    blocks = [header] + [f"# {name}\n{_written(CASES[name], shell)}" for name, _ in cases]
    actual = "\n\n".join(blocks) + "\n"
    if actual != expected:
        diff = difflib.unified_diff(
            expected.splitlines(), actual.splitlines(), str(path), "rendered", lineterm=""
        )
        pytest.fail("rendered commands differ from the golden file:\n" + "\n".join(diff))


@needs_bash
def test_the_bash_golden_lines_parse() -> None:
    _, cases = _split_golden((GOLDEN / "fixes.bash.txt").read_text("utf-8"))
    script = "\n".join(line for _, line in cases) + "\n"
    result = subprocess.run(
        ["bash", "-n"], check=False, input=script, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


# -- which shell ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "shell"),
    [
        ("Windows-10-10.0.19045-SP0", Shell.POWERSHELL),
        ("Windows-11-10.0.22631-SP0", Shell.POWERSHELL),
        ("Linux-6.1.0-18-amd64-x86_64-with-glibc2.36", Shell.BASH),
        ("macOS-14.2.1-arm64-arm-64bit", Shell.BASH),
        ("CYGWIN_NT-10.0-19045-3.4.10-1.x86_64-x86_64-64bit-WindowsPE", Shell.BASH),
        ("MSYS_NT-10.0-19045-3.4.10.x86_64-x86_64-64bit-WindowsPE", Shell.BASH),
    ],
)
def test_the_shell_follows_the_target_platform(platform: str, shell: Shell) -> None:
    assert Shell.for_platform(platform) is shell


# -- bash, for real -------------------------------------------------------------------------

#: Characters that have a meaning in one of the three shells, and ordinary ones.
_SPECIAL = " \t'\"`$%!&|;<>()[]{}*?~#=,^\\/:.@+-\u2018\u2019\u201c\u201d"
#: Mostly these characters (where quoting goes wrong), sometimes any text at all.
words = st.one_of(
    st.text(alphabet=st.sampled_from(_SPECIAL + "aZ09\u00e9"), max_size=12),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
).filter(lambda w: "\x00" not in w)
#: Words that fit on one line in any shell (no control or line-breaking character).
line_words = words.filter(lambda w: len(w.splitlines()) <= 1 and w == w.strip("\x85\u2028\u2029"))
line_words = line_words.filter(lambda w: not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in w))


def _bash(script: str, *, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        cwd=cwd,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.decode("utf-8", "surrogateescape")


@needs_bash
@settings(max_examples=60, deadline=None)
@given(st.lists(words, min_size=1, max_size=5))
def test_bash_passes_every_argument_exactly(argv: list[str]) -> None:
    # printf's format repeats for every argument: each comes back followed by a NUL.
    line = write(RunCommand(("printf", "%s\\0", *argv)), Shell.BASH)
    assert _bash(line).split("\0")[:-1] == argv


@needs_bash
@settings(max_examples=60, deadline=None)
@given(words)
def test_bash_sets_a_variable_to_exactly_its_value(value: str) -> None:
    line = write(SetVariable("KD_VALUE", value), Shell.BASH)
    assert _bash(f'{line}\nprintf %s "$KD_VALUE"') == value


@needs_bash
def test_bash_unsets_a_variable() -> None:
    line = write(SetVariable("KD_VALUE", None), Shell.BASH)
    env = {**os.environ, "KD_VALUE": "set"}
    assert _bash(f'{line}\nprintf %s "${{KD_VALUE-unset}}"', env=env) == "unset"


def _file_names() -> st.SearchStrategy[str]:
    return line_words.filter(lambda w: w not in ("", ".", "..") and "/" not in w)


@needs_bash
@settings(max_examples=30, deadline=None)
@given(_file_names(), _file_names())
def test_bash_moves_aside_and_never_overwrites(
    tmp_path_factory: pytest.TempPathFactory, source: str, destination: str
) -> None:
    folder = tmp_path_factory.mktemp("move")
    if source == destination:
        return
    (folder / source).write_text("user file")
    if (folder / destination).exists():
        return  # one file under two names on this file system (macOS: case, normalisation)
    line = write(MoveAside(str(folder / source), str(folder / destination)), Shell.BASH)
    _bash(line)
    assert not (folder / source).exists()
    assert (folder / destination).read_text() == "user file"
    # Again, with the destination taken: nothing moves, and the command fails.
    (folder / source).write_text("another")
    result = subprocess.run(["bash", "-c", line], capture_output=True, check=False)
    assert result.returncode != 0
    assert (folder / source).read_text() == "another"
    assert (folder / destination).read_text() == "user file"


@needs_bash
@pytest.mark.parametrize("name", list(CASES))
def test_every_bash_case_parses(name: str) -> None:
    line = write(CASES[name], Shell.BASH)
    assert subprocess.run(["bash", "-n", "-c", line], check=False).returncode == 0


# -- PowerShell, read back by its documented quoting rules ----------------------------------

_PS_QUOTES = "'\u2018\u2019\u201a\u201b"
#: Outside quotes, these start something other than a plain word in PowerShell's argument mode.
_PS_OUTSIDE = set("`$@,;(){}|&<>\"#'\u2018\u2019\u201a\u201b\u201c\u201d\u201e")


def _ps_words(line: str) -> list[str]:
    """Split a line we wrote into its words: bare, or single-quoted with quotes doubled."""
    out: list[str] = []
    i = 0
    while i < len(line):
        if line[i] == " ":
            i += 1
            continue
        if line[i] in _PS_QUOTES:
            i += 1
            word = ""
            while True:
                if line[i] in _PS_QUOTES:
                    if i + 1 < len(line) and line[i + 1] in _PS_QUOTES:
                        word += line[i]
                        i += 2
                        continue
                    i += 1
                    break
                word += line[i]
                i += 1
            out.append(word)
            continue
        end = line.find(" ", i)
        end = len(line) if end < 0 else end
        bare = line[i:end]
        assert not (set(bare) & _PS_OUTSIDE) or bare == "&", (bare, line)
        out.append(bare)
        i = end
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(line_words, min_size=1, max_size=5))
def test_powershell_arguments_read_back_exactly(argv: list[str]) -> None:
    command = RunCommand((r"C:\odd 'dir'\python.exe", *argv))
    try:
        line = write(command, Shell.POWERSHELL)
    except Unwritable:
        # Only what Windows PowerShell 5.1 cannot pass on intact is refused.
        assert any(
            not w
            or '"' in w
            or "\u201c" in w
            or "\u201d" in w
            or "\u201e" in w
            or (w.endswith("\\") and any(c.isspace() for c in w))
            for w in argv
        ), argv
        return
    head, program, *rest = _ps_words(line)
    assert head == "&"
    assert [program, *rest] == list(command.argv)


@settings(max_examples=200, deadline=None)
@given(line_words)
def test_powershell_sets_a_variable_to_exactly_its_value(value: str) -> None:
    line = write(SetVariable("KD_VALUE", value), Shell.POWERSHELL)
    prefix = "$env:KD_VALUE = "
    assert line.startswith(prefix)
    literal = line[len(prefix) :]
    if literal.startswith('"'):
        # A double-quoted string expands $ and backticks: only plain values may use one.
        assert literal.endswith('"') and literal[1:-1] == value
        assert not set(value) & set("$`\"\u201c\u201d\u201e'\u2018\u2019\u201a\u201b")
    else:
        assert _ps_words(literal) == [value]


# -- cmd, read back by its quoting and the C runtime's argument rules -----------------------

_CMD_SPECIAL = set("&|<>^()%!")


def _crt_split(text: str) -> list[str]:
    """Arguments as the Microsoft C runtime splits a command line (documented rules)."""
    args: list[str] = []
    i, current, quoted, started = 0, "", False, False
    while i < len(text):
        c = text[i]
        if c == "\\":
            run_end = i
            while run_end < len(text) and text[run_end] == "\\":
                run_end += 1
            count = run_end - i
            if run_end < len(text) and text[run_end] == '"':
                current += "\\" * (count // 2)
                if count % 2:
                    current += '"'
                    i = run_end + 1
                else:
                    i = run_end
                started = True
                continue
            current += "\\" * count
            i = run_end
            started = True
            continue
        if c == '"':
            quoted = not quoted
            started = True
        elif c == " " and not quoted:
            if started:
                args.append(current)
            current, started = "", False
        else:
            current += c
            started = True
        i += 1
    if started:
        args.append(current)
    return args


def _outside_quotes(line: str) -> str:
    """The characters cmd reads outside double quotes (where & | < > ^ ( ) % act)."""
    outside, quoted = "", False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif not quoted:
            outside += c
    return outside


@settings(max_examples=200, deadline=None)
@given(st.lists(line_words, min_size=1, max_size=5))
def test_cmd_arguments_read_back_exactly(argv: list[str]) -> None:
    command = RunCommand((r"C:\R&D (x86)\python.exe", *argv))
    try:
        line = write(command, Shell.CMD)
    except Unwritable:
        assert any("%" in w or '"' in w for w in argv), argv
        return
    assert "%" not in line
    assert not set(_outside_quotes(line)) & _CMD_SPECIAL, line
    program_end = line.index('" ') + 1
    assert line[:program_end] == f'"{command.argv[0]}"'
    assert _crt_split(line[program_end + 1 :]) == argv


@settings(max_examples=200, deadline=None)
@given(line_words)
def test_cmd_sets_a_variable_to_exactly_its_value(value: str) -> None:
    try:
        line = write(SetVariable("KD_VALUE", value), Shell.CMD)
    except Unwritable:
        assert "%" in value or '"' in value
        return
    assert not set(_outside_quotes(line)) & _CMD_SPECIAL, line
    if line.startswith('set "'):
        assert line == f'set "KD_VALUE={value}"'
    else:
        # ``set NAME=value`` keeps the rest of the line: no blank or special character there.
        assert line == f"set KD_VALUE={value}"
        assert value and not any(c.isspace() for c in value)


@pytest.mark.parametrize("shell", [Shell.POWERSHELL, Shell.CMD])
def test_control_characters_are_refused_not_written_on_two_lines(shell: Shell) -> None:
    for command in (
        SetVariable("KD_VALUE", "a\nb"),
        RunCommand(("uv", "pip", "install", "a\rb")),
        MoveAside("/a\nb", "/c"),
    ):
        with pytest.raises(Unwritable):
            write(command, shell)


def test_a_variable_name_no_shell_can_set_is_refused_at_once() -> None:
    for name in ("A-B", "1X", "A B", "", "X$"):
        with pytest.raises(ValueError, match="variable name"):
            SetVariable(name, "v")


# -- a fix as a whole, in the views ---------------------------------------------------------

WINDOWS_PY = r"C:\Users\Ann\proj\.venv\Scripts\python.exe"


def _windows_report(*findings: Finding) -> Report:
    from dataclasses import replace

    tgt = replace(target(), python=WINDOWS_PY, platform="Windows-10-10.0.19045-SP0")
    return Report("0.1.0", "check", tgt, ("BatchNormalization",), (), (), findings)


TF = "tensorflow>=2.16"
BACKEND = Finding(
    "KD101",
    "keras-backend-missing",
    Severity.ERROR,
    "the torch backend is not installed",
    fix=(
        RunCommand((WINDOWS_PY, "-m", "pip", "install", "tensorflow>=2.16")),
        SetVariable("KERAS_BACKEND", "tensorflow"),
    ),
)
PERCENT = Finding(
    "KD301",
    "shadowed-module",
    Severity.WARNING,
    "PYTHONPATH puts a folder first",
    fix=(SetVariable("PYTHONPATH", r"C:\100% sure"), SetVariable("KERAS_BACKEND", "jax")),
)


def test_a_windows_target_gets_powershell_and_the_view_says_so() -> None:
    out = table.render(_windows_report(BACKEND), width=100)
    rows = out.splitlines()
    assert "      fix (PowerShell):" in rows
    assert f"        & '{WINDOWS_PY}' -m pip install 'tensorflow>=2.16'" in rows
    assert '        $env:KERAS_BACKEND = "tensorflow"' in rows
    asked = table.render(_windows_report(BACKEND), width=100, shell=Shell.CMD).splitlines()
    assert "      fix (cmd):" in asked
    assert "        set KERAS_BACKEND=tensorflow" in asked


def test_a_fix_one_shell_cannot_carry_is_not_printed_in_part() -> None:
    assert lines(PERCENT.fix, Shell.CMD) is None
    out = table.render(_windows_report(PERCENT), width=200, shell=Shell.CMD)
    assert "set KERAS_BACKEND=jax" not in out  # the step it can write is not shown alone
    assert "(not written for cmd: a word has a %" in out
    assert "$env:KERAS_BACKEND" in table.render(_windows_report(PERCENT), width=200)


def test_json_names_the_shell_of_every_command(validate_report: Any) -> None:
    document = json.loads(json_document.render(_windows_report(BACKEND, PERCENT)))
    validate_report(document)
    backend, _ = document["findings"]
    assert backend["fix"] == [
        f"& '{WINDOWS_PY}' -m pip install 'tensorflow>=2.16'",
        '$env:KERAS_BACKEND = "tensorflow"',
    ]
    assert [c["shell"] for c in backend["fix_commands"]] == ["powershell", "powershell"]
    assert backend["fix_commands"][0]["argv"] == [WINDOWS_PY, "-m", "pip", "install", TF]
    assert backend["fix_commands"][1] | {"command": None} == {
        "shell": "powershell",
        "command": None,
        "problem": None,
        "action": "set-variable",
        "name": "KERAS_BACKEND",
        "value": "tensorflow",
    }
    as_cmd = json.loads(json_document.render(_windows_report(PERCENT), shell=Shell.CMD))
    validate_report(as_cmd)
    finding = as_cmd["findings"][0]
    assert finding["fix"] == []
    assert [c["command"] is None for c in finding["fix_commands"]] == [True, False]
    assert "%" in finding["fix_commands"][0]["problem"]


def test_write_all_keeps_order_and_reasons() -> None:
    written = write_all(PERCENT.fix, Shell.CMD)
    assert [w.command for w in written] == list(PERCENT.fix)
    assert written[0].text is None and written[0].problem
    assert written[1].text == "set KERAS_BACKEND=jax" and written[1].problem is None
