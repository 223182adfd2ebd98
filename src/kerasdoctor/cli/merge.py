"""``kerasdoctor merge REPORT.json ...``: one matrix from the documents of a CI matrix's jobs."""

from __future__ import annotations

from typing import Any

import click

from kerasdoctor.errors import ExitCode


@click.command(short_help="Merge check/suggest --json documents of several jobs into one matrix.")
@click.argument("reports", nargs=-1, required=True, metavar="REPORT.json...")
@click.option(
    "--label",
    "label",
    multiple=True,
    metavar="NAME",
    help="Name the documents' targets, in order (default: each file's name without .json).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the matrix JSON document.")
def merge(**kwargs: Any) -> None:
    """Merge the check/suggest --json documents of several jobs: matrix and common lines.

    Exit 0 when every symbol has a line that works in every document's environment, 1 when
    one has none, 2 for a document that cannot be merged.
    """
    from kerasdoctor.multi.merge import merge as merged
    from kerasdoctor.render import matrix_json, matrix_text

    report = merged(kwargs["reports"], kwargs["label"])
    if kwargs["as_json"]:
        click.echo(matrix_json.render(report), nl=False)
    else:
        click.echo(matrix_text.render(report), nl=False)
    raise SystemExit(int(ExitCode.OK if report.all_common else ExitCode.NO_WORKING_LINE))
