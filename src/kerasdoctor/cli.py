"""The command line: parse, call :func:`kerasdoctor.api.diagnose`, render, exit.

Kept thin on purpose. Errors a user can cause become one line on stderr and exit 2; Ctrl-C
ends every probe and exits 130; anything unexpected exits 3 with a traceback to report.
"""

from __future__ import annotations

import os
import shutil
import sys
import traceback
from collections.abc import Sequence
from typing import Any, Callable, TextIO

import click

from kerasdoctor import __version__
from kerasdoctor.api import diagnose
from kerasdoctor.channel import LIVE
from kerasdoctor.diagnose.rank import PREFER_CHOICES
from kerasdoctor.errors import ExitCode, KerasDoctorError
from kerasdoctor.models import ProbeOutcome, Report
from kerasdoctor.probe import ProbeSettings
from kerasdoctor.probe.runner import DEFAULT_TIMEOUT
from kerasdoctor.render import json_, table


def _wants_color(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _width() -> int:
    return max(60, shutil.get_terminal_size((100, 24)).columns)


def exit_code_for(report: Report) -> ExitCode:
    """0 when every symbol has a working line, else 1."""
    return ExitCode.OK if report.all_resolved else ExitCode.NO_WORKING_LINE


class _Progress:
    """A progress line on stderr while probes run, only when stderr is a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.done = 0
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn

            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                console=Console(file=sys.stderr),
                transient=True,
            )
            self._progress.__enter__()
            self._task = self._progress.add_task("inspecting the target…", total=None)
        return self

    def __call__(self, outcome: ProbeOutcome) -> None:
        self.done += 1
        if self._progress is not None:
            self._progress.update(
                self._task,
                description=f"probed {self.done} lines; last: {outcome.candidate.import_line}",
            )

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(None, None, None)


def _common(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.argument("symbols", nargs=-1),
        click.option(
            "--python",
            "python",
            metavar="PATH",
            help="Interpreter (or venv/conda folder) to diagnose. Default: "
            "$VIRTUAL_ENV, then $CONDA_PREFIX, then the running interpreter.",
        ),
        click.option(
            "--json",
            "as_json",
            is_flag=True,
            help="Print one JSON document (schema: docs/json-schema.md) and nothing else.",
        ),
        click.option(
            "--timeout",
            type=float,
            default=DEFAULT_TIMEOUT,
            show_default=True,
            metavar="SECONDS",
            help="Deadline for each probe process.",
        ),
        click.option(
            "--jobs",
            type=click.IntRange(min=0),
            default=0,
            metavar="N",
            help="Probes run at once (0: one per core).",
        ),
        click.option(
            "--prefer",
            type=click.Choice(sorted(PREFER_CHOICES)),
            default=None,
            help="The family your code uses; suggestions come from it.",
        ),
        click.option(
            "--no-use-check",
            is_flag=True,
            help="Only import each line; skip the check that it is usable.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _run(
    command: str,
    symbols: Sequence[str],
    python: str | None,
    timeout: float,
    jobs: int,
    prefer: str | None,
    no_use_check: bool,
) -> Report:
    settings = ProbeSettings(timeout=timeout, jobs=jobs, use_check=not no_use_check)
    with _Progress(_wants_color(sys.stderr)) as progress:
        return diagnose(
            symbols,
            python=python,
            settings=settings,
            prefer=PREFER_CHOICES[prefer] if prefer else None,
            command=command,
            on_result=progress,
        )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kerasdoctor")
def cli() -> None:
    """Find the Keras import line that works in your environment, and why others fail."""


@cli.command()
@_common
def check(
    symbols: tuple[str, ...],
    python: str | None,
    as_json: bool,
    timeout: float,
    jobs: int,
    prefer: str | None,
    no_use_check: bool,
) -> None:
    """Try every known import line for SYMBOLS (default: BatchNormalization) and explain."""
    report = _run("check", symbols, python, timeout, jobs, prefer, no_use_check)
    if as_json:
        click.echo(json_.render(report), nl=False)
    else:
        click.echo(table.render(report, width=_width(), color=_wants_color(sys.stdout)), nl=False)
    raise SystemExit(int(exit_code_for(report)))


@cli.command()
@_common
def suggest(
    symbols: tuple[str, ...],
    python: str | None,
    as_json: bool,
    timeout: float,
    jobs: int,
    prefer: str | None,
    no_use_check: bool,
) -> None:
    """Print only the line(s) to paste for SYMBOLS; explanations go to stderr."""
    report = _run("suggest", symbols, python, timeout, jobs, prefer, no_use_check)
    if as_json:
        click.echo(json_.render(report), nl=False)
    else:
        click.echo(table.render_suggest(report), nl=False)
        click.echo(
            table.suggest_explanations(report, width=_width(), color=_wants_color(sys.stderr)),
            nl=False,
            err=True,
        )
    raise SystemExit(int(exit_code_for(report)))


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point; never returns."""
    raise SystemExit(run(argv))


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return the exit code (testable without a subprocess)."""
    try:
        returned = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="kerasdoctor",
            standalone_mode=False,
        )
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else ExitCode.USAGE
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        _error_line(exc.format_message())
        return int(ExitCode.USAGE)
    except click.Abort:
        LIVE.kill_all()
        return int(ExitCode.INTERRUPTED)
    except KeyboardInterrupt:
        LIVE.kill_all()
        _error_line("interrupted; every probe was stopped")
        return int(ExitCode.INTERRUPTED)
    except KerasDoctorError as exc:
        _error_line(str(exc))
        return int(exc.exit_code)
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: not our failure, and nothing left to say.
        _silence_stdout()
        return int(ExitCode.OK)
    except Exception:
        sys.stderr.write("kerasdoctor: internal error (a bug: please report it with this output)\n")
        traceback.print_exc()
        return int(ExitCode.INTERNAL)
    # --help and --version end here (click returns their exit code in this mode).
    return returned if isinstance(returned, int) else int(ExitCode.OK)


def _error_line(message: str) -> None:
    text = " ".join(message.split())
    sys.stderr.write(f"kerasdoctor: error: {text}\n")


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
