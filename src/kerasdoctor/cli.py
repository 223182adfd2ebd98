"""The command line: parse, call :func:`kerasdoctor.api.diagnose`, render, exit.

Kept thin on purpose. Errors a user can cause become one line on stderr and exit 2; Ctrl-C
ends every probe and exits 130; anything unexpected exits 3 with a traceback to report.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, TextIO

import click

from kerasdoctor import __version__, codes, config
from kerasdoctor.api import diagnose
from kerasdoctor.diagnose.rank import PREFER_CHOICES
from kerasdoctor.errors import ExitCode, KerasDoctorError, UsageError
from kerasdoctor.models import ProbeOutcome, Report, Severity
from kerasdoctor.probe import ProbeSettings
from kerasdoctor.probe.runner import DEFAULT_TIMEOUT
from kerasdoctor.process import stop_all
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


def exit_code_for(report: Report, *, strict: bool = False) -> ExitCode:
    """0 when every symbol has a working line, else 1; ``strict``: warnings fail too."""
    if not report.all_resolved:
        return ExitCode.NO_WORKING_LINE
    if strict and any(f.severity in (Severity.ERROR, Severity.WARNING) for f in report.findings):
        return ExitCode.NO_WORKING_LINE
    return ExitCode.OK


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
            default=None,
            metavar="SECONDS",
            help=f"Deadline for each probe process (default {DEFAULT_TIMEOUT:g}).",
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
        click.option(
            "--ignore",
            "ignore",
            multiple=True,
            metavar="KDxxx",
            help="Silence a finding code (repeatable; also [tool.kerasdoctor] ignore).",
        ),
        click.option("--strict", is_flag=True, help="Warnings fail the run too (exit 1)."),
        click.option(
            "--no-cache",
            is_flag=True,
            help="Probe again even if the cache has an answer for this unchanged environment.",
        ),
        click.option(
            "--no-fork",
            is_flag=True,
            help="Run every line in its own fresh interpreter (no warm forking process).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@dataclass(frozen=True)
class Options:
    """The options every diagnosing command shares, merged with [tool.kerasdoctor]."""

    symbols: tuple[str, ...]
    python: str | None
    as_json: bool
    timeout: float | None
    jobs: int
    prefer: str | None
    no_use_check: bool
    ignore: tuple[str, ...]
    strict: bool
    no_cache: bool
    no_fork: bool


def _diagnose(command: str, options: Options) -> tuple[Report, bool]:
    """Run the pipeline; returns the report and whether --strict is in force."""
    project = config.load(Path.cwd())
    ignore = {config.check_code(c) for c in (*project.ignore, *options.ignore)}
    prefer = options.prefer or project.prefer
    if prefer is not None and prefer not in PREFER_CHOICES:
        raise UsageError(f"prefer: unknown family {prefer!r} (one of {', '.join(PREFER_CHOICES)})")
    timeout = options.timeout if options.timeout is not None else project.timeout
    settings = ProbeSettings(
        timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
        jobs=options.jobs,
        use_check=not options.no_use_check,
        fork=not options.no_fork,
    )
    with _Progress(_wants_color(sys.stderr)) as progress:
        report = diagnose(
            options.symbols,
            python=options.python,
            settings=settings,
            prefer=PREFER_CHOICES[prefer] if prefer else None,
            command=command,
            on_result=progress,
            ignore=frozenset(ignore),
            use_cache=not options.no_cache,
        )
    return report, options.strict or project.strict


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kerasdoctor")
def cli() -> None:
    """Find the Keras import line that works in your environment, and why others fail."""


@cli.command()
@_common
def check(**kwargs: Any) -> None:
    """Try every known import line for SYMBOLS (default: BatchNormalization) and explain."""
    options = Options(**kwargs)
    report, strict = _diagnose("check", options)
    if options.as_json:
        click.echo(json_.render(report), nl=False)
    else:
        click.echo(table.render(report, width=_width(), color=_wants_color(sys.stdout)), nl=False)
    raise SystemExit(int(exit_code_for(report, strict=strict)))


@cli.command()
@_common
def suggest(**kwargs: Any) -> None:
    """Print only the line(s) to paste for SYMBOLS; explanations go to stderr."""
    options = Options(**kwargs)
    report, strict = _diagnose("suggest", options)
    if options.as_json:
        click.echo(json_.render(report), nl=False)
    else:
        click.echo(table.render_suggest(report), nl=False)
        click.echo(
            table.suggest_explanations(report, width=_width(), color=_wants_color(sys.stderr)),
            nl=False,
            err=True,
        )
    raise SystemExit(int(exit_code_for(report, strict=strict)))


@cli.command()
@click.argument("code")
def explain(code: str) -> None:
    """Print the documentation page of a finding CODE (e.g. KD101)."""
    click.echo(codes.page(config.check_code(code)), nl=False)


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM/SIGHUP end the run as Ctrl-C does: every probe stops


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point; never returns."""
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _terminate)
    # A shell without job control starts background commands with SIGINT ignored, and Python
    # keeps an ignored SIGINT ignored. kerasdoctor's promise is that Ctrl-C (SIGINT) always
    # stops every probe and exits 130, however it was started: install the handler ourselves.
    signal.signal(signal.SIGINT, signal.default_int_handler)
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
        stop_all()
        return int(ExitCode.INTERRUPTED)
    except KeyboardInterrupt:
        stop_all()
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
