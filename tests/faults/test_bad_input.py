"""Bad input never becomes code, never a traceback: exit 2 and one clear line on stderr.

Injection attempts are passed with a real target (``--python`` the fault venv), so that if
validation ever let one through it would reach a real interpreter; each would create a file
named ``pwned`` in the working directory, and none may.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path

import pytest

from faults.conftest import FaultEnv, RunKd
from helpers.pythons import PYENV_VERSIONS
from kerasdoctor.cli import run

PYENV = PYENV_VERSIONS


@dataclass(frozen=True)
class Case:
    """A command line (``{python}``/``{dir}`` filled in) and what its one error line says."""

    args: tuple[str, ...]
    says: tuple[str, ...]  # fragments of the error line, all required


def _symbol(text: str) -> Case:
    return Case(("check", text, "--python", "{python}"), ("invalid symbol",))


CASES: dict[str, Case] = {
    # --- symbols: identifiers and dots only, so no text can become code ---------------------
    "call": _symbol("os.system('touch pwned')"),
    "semicolon": _symbol("kdfault_ok.KdOk; touch pwned"),
    "subshell": _symbol("$(touch pwned)"),
    "dunder-import": _symbol("__import__('os').system('touch pwned')"),
    "newline": _symbol("kdfault_ok.KdOk\nimport os; os.system('touch pwned')"),
    "keyword": _symbol("kdfault_ok.import"),
    "double-dot": _symbol("kdfault_ok..KdOk"),
    "leading-digit": _symbol("1KdOk"),
    "empty": Case(("check", "", "--python", "{python}"), ("empty symbol",)),
    "blank": Case(("check", "   ", "--python", "{python}"), ("empty symbol",)),
    "unknown-name": Case(("check", "NoSuchKerasSymbolXyz", "--python", "{python}"), ("unknown",)),
    # --- --python --------------------------------------------------------------------------
    "python-missing": Case(("check", "--python", "{dir}/no/such/python"), ("no such file",)),
    "python-empty": Case(("check", "--python", ""), ("empty",)),
    "python-folder": Case(("check", "--python", "{dir}"), ("no Python interpreter",)),
    "python-not-executable": Case(("check", "--python", "{dir}/plain.txt"), ("not executable",)),
    "python-garbage-binary": Case(("check", "--python", "{dir}/garbage"), ("cannot run",)),
    "python-is-a-shell-script": Case(
        ("check", "--python", "{dir}/fake-python"), ("not a Python interpreter",)
    ),
    "python-is-true": Case(("check", "--python", "/bin/true"), ("not a Python interpreter",)),
    "python-2.7": Case(
        ("check", "--python", str(PYENV / "2.7.18" / "bin" / "python")),
        ("Python 2.7.18", "unsupported"),
    ),
    "python-3.6": Case(
        ("check", "--python", str(PYENV / "3.6.15" / "bin" / "python")),
        ("Python 3.6.15", "unsupported"),
    ),
    # --- --timeout / --jobs ------------------------------------------------------------------
    "timeout-zero": Case(("check", "--timeout", "0", "--python", "{python}"), ("--timeout",)),
    "timeout-negative": Case(("check", "--timeout", "-1", "--python", "{python}"), ("--timeout",)),
    "timeout-tiny-negative": Case(
        ("check", "--timeout", "-0.001", "--python", "{python}"), ("--timeout",)
    ),
    "timeout-nan": Case(
        ("check", "kdfault_ok.KdOk", "--timeout", "nan", "--python", "{python}"), ("--timeout",)
    ),
    "timeout-text": Case(("check", "--timeout", "soon", "--python", "{python}"), ("--timeout",)),
    "jobs-negative": Case(("check", "--jobs", "-1", "--python", "{python}"), ("--jobs",)),
}


def _programs(folder: Path) -> None:
    """Things that are not a Python interpreter, for --python to point at."""
    (folder / "plain.txt").write_text("not a program\n")
    garbage = folder / "garbage"
    garbage.write_bytes(b"\x7fELF\x00\x01garbage that no kernel will run")
    script = folder / "fake-python"
    # Prints a line shaped like a kerasdoctor answer, and exits 0: still no answer.
    script.write_text('#!/bin/sh\necho "KDMSG 00 {\\"phase\\": \\"inspect\\"}"\nexit 0\n')
    for program in (garbage, script):
        program.chmod(program.stat().st_mode | stat.S_IXUSR)


@pytest.fixture(scope="session")
def programs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("programs")
    _programs(folder)
    return folder


def _args(name: str, faultenv: FaultEnv, programs: Path) -> list[str]:
    fill = {"python": str(faultenv.python), "dir": str(programs)}
    return [a.format(**fill) for a in CASES[name].args]


def check_error(name: str, code: int, stdout: str, stderr: str, folder: Path) -> None:
    assert code == 2, (code, stderr)
    assert stdout == ""
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr  # one line, never a traceback
    assert lines[0].startswith("kerasdoctor: error: "), lines[0]
    for fragment in CASES[name].says:
        assert fragment.lower() in lines[0].lower(), lines[0]
    assert not (folder / "pwned").exists()


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_one_line_and_exit_2(
    name: str,
    faultenv: FaultEnv,
    programs: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """In-process through the CLI's own entry point (cheap: no interpreter start-up)."""
    monkeypatch.chdir(tmp_path)
    code = run(_args(name, faultenv, programs))
    captured = capsys.readouterr()
    check_error(name, code, captured.out, captured.err, tmp_path)


@pytest.mark.parametrize("name", ["newline", "python-2.7", "python-is-a-shell-script"])
def test_bad_input_as_a_real_process(
    name: str, faultenv: FaultEnv, programs: Path, run_kd: RunKd, tmp_path: Path
) -> None:
    """The same through ``python -m kerasdoctor``: nothing more on stderr at exit either."""
    result = run_kd(*_args(name, faultenv, programs))
    check_error(name, result.returncode, result.stdout, result.stderr, tmp_path)
    assert result.pids == ()  # not one probe ran
