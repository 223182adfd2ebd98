"""``kerasdoctor explain [CODE]``: the documentation page of a finding code, or the list."""

from __future__ import annotations

import sys

import click

from kerasdoctor.cli.terminal import wants_color, width


@click.command()
@click.argument("code", required=False)
def explain(code: str | None) -> None:
    """Print the page of a finding CODE (KD101 or keras-backend-missing); no CODE: list them."""
    from kerasdoctor.render import explain as page

    color, terminal = wants_color(sys.stdout), page.is_terminal(sys.stdout)
    click.echo(page.render(code, terminal=terminal, color=color, width=width()), nl=False)
