"""``kerasdoctor where SYMBOL``: which import lines worked in which sampled releases.

Offline and probe-free: it reads the record shipped with the package (see docs/where.md).
"""

from __future__ import annotations

import click


@click.command()
@click.argument("symbol")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document (schema_version 1).")
def where(symbol: str, as_json: bool) -> None:
    """Show which import lines of SYMBOL worked in which sampled releases (offline, no probes)."""
    from kerasdoctor.history import where as look_up
    from kerasdoctor.render import where as page

    answer = look_up(symbol)
    click.echo(page.render_json(answer) if as_json else page.render_text(answer), nl=False)
