"""``kerasdoctor fix``: rewrite the Keras imports that fail here to lines proven to work.

Without ``--write`` it prints the diff and exits 1 when anything would change (0 when not);
with ``--write`` it replaces the files and exits 0 when no ``error`` diagnostic remains.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kerasdoctor import api, codes, config
from kerasdoctor.cli import scan as scan_cli
from kerasdoctor.cli.common import Progress
from kerasdoctor.cli.terminal import interactive
from kerasdoctor.errors import ExitCode
from kerasdoctor.fix.report import FixReport
from kerasdoctor.fix.write import WriteInterrupted, WriteStatus


def exit_code_for(report: FixReport) -> ExitCode:
    """Preview: 1 when anything would change. After --write: 1 while an error remains."""
    if not report.write:
        return ExitCode.NO_WORKING_LINE if report.would_change else ExitCode.OK
    return ExitCode.NO_WORKING_LINE if report.remaining_errors else ExitCode.OK


@click.command(short_help="Rewrite the Keras imports that fail here (diff; --write applies).")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--python",
    "python",
    metavar="PATH",
    help="Interpreter (or venv/conda folder) to fix for. Default: "
    "$VIRTUAL_ENV, then $CONDA_PREFIX, then the running interpreter.",
)
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip matching paths (repeatable).")
@click.option(
    "--select", multiple=True, metavar="CODES", help="Fix only these codes or slugs (as scan)."
)
@click.option(
    "--ignore", multiple=True, metavar="CODES", help="Never fix these codes or slugs (as scan)."
)
@click.option(
    "--write", is_flag=True, help="Apply the changes (atomically) instead of showing them."
)
@click.option(
    "--unsafe-fixes",
    "unsafe",
    is_flag=True,
    help="Also apply fixes that move code onto another Keras implementation.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: one document (schema fix.schema.json) listing the edits per file.",
)
@click.option("--no-cache", is_flag=True, help="Probe again even if the cache has an answer.")
def fix(
    paths: tuple[str, ...],
    python: str | None,
    exclude: tuple[str, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    write: bool,
    unsafe: bool,
    fmt: str,
    no_cache: bool,
) -> None:
    """Rewrite failing or private Keras imports in PATHS (default: .) to working lines."""
    project = config.load(Path.cwd())
    # The same inputs and codes as scan: its checks, so both commands refuse the same typos.
    chosen = scan_cli.choose_paths(paths, project)
    codes_selected = scan_cli.scan_codes(select, "--select")
    codes_ignored = scan_cli.scan_codes(
        tuple(c for c in project.ignore if codes.get(c).area.judge is codes.Judge.SCAN) + ignore,
        "--ignore",
    )
    with Progress(interactive(sys.stderr)) as progress:
        try:
            report = api.fix(
                chosen,
                python=python,
                exclude=(*project.exclude, *exclude),
                select=codes_selected,
                ignore=codes_ignored,
                use_cache=not no_cache,
                on_result=progress,
                unsafe=unsafe,
                write=write,
            )
        except WriteInterrupted as exc:
            # Every file is its old or its new self; say which ones are new before exit 130.
            done = [str(r.path) for r in exc.results if r.status is WriteStatus.WRITTEN]
            names = ", ".join(done) if done else "none"
            click.echo(f"kerasdoctor: interrupted while writing; files written: {names}", err=True)
            raise
    if fmt == "json":
        from kerasdoctor.render import fix_json

        click.echo(fix_json.render(report), nl=False)
    else:
        from kerasdoctor.render import fix_text

        click.echo(fix_text.render(report), nl=False)
    raise SystemExit(int(exit_code_for(report)))
