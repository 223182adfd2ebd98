"""``kerasdoctor check`` and ``kerasdoctor suggest``: one question, two views of its answer."""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import click

from kerasdoctor.cli import common, terminal
from kerasdoctor.errors import ExitCode, UsageError
from kerasdoctor.render import Format, render


@click.command(short_help="Try every known import line for SYMBOLS and explain.")
@common.diagnosing_options
def check(**kwargs: Any) -> None:
    """Try every known import line for SYMBOLS (default: BatchNormalization) and explain."""
    options = common.Options(**kwargs)
    if options.several:
        _matrix("check", options)
    report, strict = common.diagnose("check", options)
    fmt = Format.JSON if options.as_json else Format.VERBOSE if options.verbose else Format.TABLE
    color = terminal.wants_color(sys.stdout)
    text = render(report, fmt, width=terminal.width(), color=color, shell=options.fix_shell)
    click.echo(text, nl=False, color=color)  # click would strip the codes when piped
    code = common.exit_code_for(report, strict=strict)
    if not options.as_json and common.failed_by_strict(report, code):
        from kerasdoctor.render.table import strict_note

        click.echo(strict_note(report), nl=False)
    raise SystemExit(int(code))


@click.command(short_help="Print only the line(s) to paste for SYMBOLS.")
@common.diagnosing_options
def suggest(**kwargs: Any) -> None:
    """Print only the line(s) to paste for SYMBOLS; explanations go to stderr."""
    options = common.Options(**kwargs)
    if options.several:
        _matrix("suggest", options)
    report, strict = common.diagnose("suggest", options)
    fmt = Format.JSON if options.as_json else Format.SUGGEST
    click.echo(render(report, fmt, shell=options.fix_shell), nl=False)
    if not options.as_json:
        from kerasdoctor.render.table import suggest_explanations

        color = terminal.wants_color(sys.stderr)
        explained = suggest_explanations(
            report, width=terminal.width(), color=color, shell=options.fix_shell
        )
        click.echo(explained, nl=False, err=True, color=color)
    code = common.exit_code_for(report, strict=strict)
    if not options.as_json and common.failed_by_strict(report, code):
        from kerasdoctor.render.table import strict_note

        click.echo(strict_note(report), nl=False, err=True)
    raise SystemExit(int(code))


def _matrix(command: str, options: common.Options) -> NoReturn:
    """Several targets: the matrix (check) or the common lines (suggest); exit 1 on a split."""
    from kerasdoctor.render import matrix_json, matrix_text

    if options.verbose or options.strict or options.shell:
        raise UsageError("-v, --strict and --shell take one target, not several --python")
    report = common.diagnose_many(command, options)
    if options.as_json:
        click.echo(matrix_json.render(report), nl=False)
    elif command == "check":
        click.echo(matrix_text.render(report, width=terminal.width()), nl=False)
    else:
        click.echo(matrix_text.suggest_lines(report), nl=False)
        click.echo(matrix_text.suggest_explanations(report), nl=False, err=True)
    raise SystemExit(int(ExitCode.OK if report.all_common else ExitCode.NO_WORKING_LINE))
