"""``kerasdoctor scan [PATH ...]``: every Keras import of a codebase, judged in the target.

Thin on purpose: it merges the options with ``[tool.kerasdoctor]``, checks what can be
checked before any process starts (paths exist, codes are registered scan codes, the
timeout is positive), calls :func:`kerasdoctor.api.scan`, renders, and turns the report
into the exit code (:mod:`kerasdoctor.scan.outcome`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from kerasdoctor import api, codes, config
from kerasdoctor.cli import terminal
from kerasdoctor.cli.common import Progress
from kerasdoctor.errors import UsageError
from kerasdoctor.render import ScanFormat, render_scan
from kerasdoctor.scan import outcome

_SCAN_CODES = ", ".join(c.code for c in codes.judged_by(codes.Judge.SCAN))


def scan_codes(values: tuple[str, ...], option: str) -> tuple[str, ...]:
    """Registered scan codes from ``--select``/``--ignore`` values (``KD501,import-ladder``).

    A typo, or a code that ``scan`` never reports (KD101 is judged by ``check``), is a
    usage error: a filter that silently matches nothing would hide that it does nothing.
    """
    found: list[str] = []
    for value in values:
        for item in value.split(","):
            if not item.strip():
                continue
            entry = codes.lookup(item)
            if entry.area.judge is not codes.Judge.SCAN:
                raise UsageError(
                    f"{option} {item.strip()}: {entry.code} is not a scan code "
                    f"(scan reports {_SCAN_CODES})"
                )
            found.append(entry.code)
    return tuple(dict.fromkeys(found))


def choose_paths(given: tuple[str, ...], project: config.Settings) -> tuple[str, ...]:
    """PATH arguments, else ``[tool.kerasdoctor] include``, else ``.``; each must exist."""
    paths = given or project.include_paths() or (".",)
    for path in paths:
        # lexists: a dangling symlink is still something the user named; the scan reports it
        if not os.path.lexists(path):
            raise UsageError(f"{path}: no such file or folder")
    return tuple(paths)


@click.command(short_help="Judge every Keras import of a codebase and its notebooks.")
@click.argument("paths", nargs=-1, metavar="[PATH ...]")
@click.option(
    "--python",
    "python",
    metavar="PATH",
    help="Interpreter (or venv/conda folder) to judge in. Default: "
    "$VIRTUAL_ENV, then $CONDA_PREFIX, then the running interpreter.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice([f.value for f in ScanFormat]),
    default=ScanFormat.TEXT.value,
    show_default=True,
    help="Output format (docs/scan.md).",
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="GLOB",
    help="Never read files or folders matching GLOB (repeatable; also [tool.kerasdoctor]).",
)
@click.option(
    "--select",
    multiple=True,
    metavar="CODES",
    help="Report only these codes or slugs (repeatable or comma-separated).",
)
@click.option(
    "--ignore",
    multiple=True,
    metavar="CODES",
    help="Never report these codes or slugs (repeatable or comma-separated).",
)
@click.option("--strict", is_flag=True, help="Warnings fail the run too (exit 1).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when diagnostics fail the run.")
@click.option("--no-cache", is_flag=True, help="Probe again even if the cache has the answer.")
@click.option(
    "--timeout",
    type=float,
    default=None,
    metavar="SECONDS",
    help=f"Deadline for each probe process (default {api.DEFAULT_TIMEOUT:g}).",
)
def scan(
    paths: tuple[str, ...],
    python: str | None,
    fmt: str,
    exclude: tuple[str, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    strict: bool,
    exit_zero: bool,
    no_cache: bool,
    timeout: float | None,
) -> None:
    """Find every Keras import in PATH (files and folders, default: .) and judge it here.

    Each import and attribute chain of the .py files and notebooks is run in the target
    interpreter; what fails, what works only through a private path, and files mixing two
    Keras implementations are reported (codes KD501-KD507).
    """
    project = config.load(Path.cwd())
    chosen = choose_paths(paths, project)
    selected = scan_codes(select, "--select")
    ignored = scan_codes(
        tuple(c for c in project.ignore if codes.get(c).area.judge is codes.Judge.SCAN) + ignore,
        "--ignore",
    )
    timeout = timeout if timeout is not None else project.timeout
    if timeout is not None and not timeout > 0:
        raise UsageError("--timeout must be a positive number of seconds")
    settings = api.ProbeSettings(timeout=api.DEFAULT_TIMEOUT if timeout is None else timeout)
    with Progress(terminal.interactive(sys.stderr)) as progress:
        report = api.scan(
            chosen,
            python=python,
            exclude=(*project.exclude, *exclude),
            select=selected,
            ignore=ignored,
            settings=settings,
            use_cache=not no_cache,
            on_result=progress,
        )
    strict = strict or project.strict
    color = fmt == ScanFormat.TEXT.value and terminal.wants_color(sys.stdout)
    text = render_scan(
        report,
        ScanFormat(fmt),
        width=terminal.width(),
        color=color,
        # what the summary says fails is what sets the exit code: nothing with --exit-zero
        strict=strict and not exit_zero,
    )
    # click strips ANSI codes from a stream that is not a terminal unless told: FORCE_COLOR
    click.echo(text, nl=False, color=color)
    raise SystemExit(int(outcome.exit_code(report, strict=strict, exit_zero=exit_zero)))
