"""What the diagnosing commands share: their options, the pipeline call, progress, exit code.

``check`` and ``suggest`` (and the commands that will diagnose whole codebases) take the
same options, merged with ``[tool.kerasdoctor]``; defaults and choices come from
:mod:`kerasdoctor.api`, which also validates them.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import click

from kerasdoctor import api, config
from kerasdoctor.cli.terminal import interactive
from kerasdoctor.errors import ExitCode, UsageError
from kerasdoctor.models import ProbeOutcome, Report, Severity
from kerasdoctor.multi.model import MatrixReport
from kerasdoctor.render.shells import Shell


def exit_code_for(report: Report, *, strict: bool = False) -> ExitCode:
    """0 when every symbol has a working line, else 1; ``strict``: warnings fail too."""
    if not report.all_resolved:
        return ExitCode.NO_WORKING_LINE
    if strict and any(f.severity in (Severity.ERROR, Severity.WARNING) for f in report.findings):
        return ExitCode.NO_WORKING_LINE
    return ExitCode.OK


def failed_by_strict(report: Report, code: ExitCode) -> bool:
    """True when the run fails only because ``--strict`` counts warnings as failures."""
    return code is not ExitCode.OK and report.all_resolved


class Progress:
    """A progress line on stderr while probes run, only when stderr is a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.done = 0
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> Progress:
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
        if self._progress is None:
            return
        progress, self._progress = self._progress, None
        try:
            progress.stop()
        finally:
            # Ctrl-C can land while the display is being redrawn or stopped, leaving its
            # text behind; erasing the current line whatever happened keeps the screen clean.
            if exc and exc[0] is not None:
                erase_line(sys.stderr)


def erase_line(stream: Any) -> None:
    """Erase the terminal line the cursor is on (what a stopped spinner may leave)."""
    try:
        stream.write("\r\x1b[2K")
        stream.flush()
    except (OSError, ValueError):
        pass


#: The options of ``check`` and ``suggest`` that choose a view, not what is probed: ``report``
#: has one view of its own and does not take them.
VIEW_OPTIONS = ("as_json", "strict", "verbose")


def diagnosing_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The arguments and options of every command that diagnoses symbols."""
    return _with_options(func, list(_option_decorators().values()))


def probing_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """:func:`diagnosing_options` without the view options (:data:`VIEW_OPTIONS`)."""
    options = [o for name, o in _option_decorators().items() if name not in VIEW_OPTIONS]
    return _with_options(func, options)


def _with_options(
    func: Callable[..., Any], options: list[Callable[[Any], Any]]
) -> Callable[..., Any]:
    for option in reversed(options):
        func = option(func)
    return func


def _option_decorators() -> dict[str, Callable[[Any], Any]]:
    """Parameter name -> its click decorator, in the order ``--help`` lists them."""
    return {
        "symbols": click.argument("symbols", nargs=-1),
        "python": click.option(
            "--python",
            "python",
            metavar="PATH[::NAME=VALUE,...]",
            multiple=True,
            help="Interpreter (or venv/conda folder) to diagnose. Default: "
            "$VIRTUAL_ENV, then $CONDA_PREFIX, then the running interpreter. Repeat it for "
            "several targets at once (a matrix, and the line that works in all); "
            "::NAME=VALUE sets variables for that target only.",
        ),
        "label": click.option(
            "--label",
            "label",
            multiple=True,
            metavar="NAME",
            help="Name the targets of repeated --python, in order (default: the folder name).",
        ),
        "as_json": click.option(
            "--json",
            "as_json",
            is_flag=True,
            help="Print one JSON document (schema: docs/json-schema.md) and nothing else.",
        ),
        "timeout": click.option(
            "--timeout",
            type=float,
            default=None,
            metavar="SECONDS",
            help=f"Deadline for each probe process (default {api.DEFAULT_TIMEOUT:g}).",
        ),
        "jobs": click.option(
            "--jobs",
            type=click.IntRange(min=0),
            default=0,
            metavar="N",
            help="Probes run at once (0: one per core).",
        ),
        "prefer": click.option(
            "--prefer",
            type=click.Choice(sorted(api.PREFER_CHOICES)),
            default=None,
            help="The family your code uses; suggestions come from it.",
        ),
        "no_use_check": click.option(
            "--no-use-check",
            is_flag=True,
            help="Only import each line; skip the check that it is usable.",
        ),
        "ignore": click.option(
            "--ignore",
            "ignore",
            multiple=True,
            metavar="KDxxx",
            help="Silence a finding code (repeatable; also [tool.kerasdoctor] ignore).",
        ),
        "strict": click.option(
            "--strict", is_flag=True, help="Warnings fail the run too (exit 1)."
        ),
        "verbose": click.option(
            "-v",
            "--verbose",
            is_flag=True,
            help="Show every line tried, every finding and full errors.",
        ),
        "no_cache": click.option(
            "--no-cache",
            is_flag=True,
            help="Probe again even if the cache has an answer for this unchanged environment.",
        ),
        "no_fork": click.option(
            "--no-fork",
            is_flag=True,
            help="Run every line in its own fresh interpreter (no warm forking process).",
        ),
        "shell": click.option(
            "--shell",
            type=click.Choice([s.value for s in Shell]),
            default=None,
            help="Write fix commands for this shell (default: PowerShell when the target "
            "runs on Windows, else bash).",
        ),
    }


@dataclass(frozen=True)
class Options:
    """The options every diagnosing command shares, merged with [tool.kerasdoctor]."""

    symbols: tuple[str, ...]
    python: tuple[str, ...]
    as_json: bool
    timeout: float | None
    jobs: int
    prefer: str | None
    no_use_check: bool
    ignore: tuple[str, ...]
    strict: bool
    verbose: bool
    no_cache: bool
    no_fork: bool
    shell: str | None = None
    label: tuple[str, ...] = ()

    @property
    def several(self) -> bool:
        """Several targets (or a target with its own variables): the matrix views."""
        return len(self.python) > 1 or any("::" in p for p in self.python)

    @property
    def fix_shell(self) -> Shell | None:
        """The shell asked for with ``--shell`` (None: the target platform's)."""
        return None if self.shell is None else Shell(self.shell)


def diagnose(command: str, options: Options) -> tuple[Report, bool]:
    """Run the pipeline; returns the report and whether --strict is in force."""
    if options.several:
        raise UsageError(
            "several --python targets (or PATH::NAME=VALUE) work with check and suggest only"
        )
    if options.label:
        raise UsageError("--label names the targets of repeated --python")
    project = config.load(Path.cwd())
    ignore = {config.check_code(c) for c in (*project.ignore, *options.ignore)}
    settings = _settings(options, project)
    # FORCE_COLOR colours piped output, but a spinner only ever draws on a terminal.
    with Progress(interactive(sys.stderr)) as progress:
        report = api.diagnose(
            options.symbols,
            python=options.python[0] if options.python else None,
            settings=settings,
            prefer=options.prefer or project.prefer,  # validated by the API, once
            command=command,
            on_result=progress,
            ignore=frozenset(ignore),
            use_cache=not options.no_cache,
        )
    return report, options.strict or project.strict


def _settings(options: Options, project: config.Settings) -> api.ProbeSettings:
    """The probe settings of a run: the command line's, then [tool.kerasdoctor]'s timeout."""
    timeout = options.timeout if options.timeout is not None else project.timeout
    return api.ProbeSettings(
        timeout=api.DEFAULT_TIMEOUT if timeout is None else timeout,
        jobs=options.jobs,
        use_check=not options.no_use_check,
        fork=not options.no_fork,
    )


def diagnose_many(command: str, options: Options) -> MatrixReport:
    """Run the multi-target pipeline over every ``--python`` of ``options``."""
    project = config.load(Path.cwd())
    settings = _settings(options, project)
    with Progress(interactive(sys.stderr)) as progress:
        return api.diagnose_many(
            options.python,
            options.symbols,
            labels=options.label,
            settings=settings,
            prefer=options.prefer or project.prefer,
            command=command,
            on_result=progress,
            use_cache=not options.no_cache,
        )
