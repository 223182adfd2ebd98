"""``kerasdoctor explain CODE``: the documentation page of a finding code."""

from __future__ import annotations

import click

from kerasdoctor import codes, config


@click.command()
@click.argument("code")
def explain(code: str) -> None:
    """Print the documentation page of a finding CODE (e.g. KD101)."""
    click.echo(codes.page(config.check_code(code)), nl=False)
