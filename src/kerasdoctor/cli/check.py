"""``kerasdoctor check`` and ``kerasdoctor suggest``: one question, two views of its answer."""

from __future__ import annotations

import sys
from typing import Any

import click

from kerasdoctor.cli import common, terminal
from kerasdoctor.render import Format, render


@click.command(short_help="Try every known import line for SYMBOLS and explain.")
@common.diagnosing_options
def check(**kwargs: Any) -> None:
    """Try every known import line for SYMBOLS (default: BatchNormalization) and explain."""
    options = common.Options(**kwargs)
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
