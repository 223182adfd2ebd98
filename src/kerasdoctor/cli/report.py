"""``kerasdoctor report [SYMBOL ...]``: the diagnosis as Markdown to paste into a GitHub issue.

The same diagnosis as ``check`` (same options, minus the ones that choose ``check``'s
view), rendered by :mod:`kerasdoctor.render.report_md`, which leaves out the home folder,
the user name and every variable that does not steer Keras. The command only writes the
text: to stdout, or to ``--output FILE``. It exits 0 once the report is written, whatever
the verdict (the verdict is in the report); a bad ``--output`` is one line and exit 2,
said before any probe runs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from kerasdoctor.cli import common
from kerasdoctor.errors import ExitCode, UsageError
from kerasdoctor.render import Format, render


def _check_output(path: str) -> Path:
    """``path`` if a file can be written there (checked before the probes run)."""
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"--output {path}: is a folder; name a file")
    folder = target.parent
    if not folder.is_dir():
        raise UsageError(f"--output {path}: no such folder {folder}")
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise UsageError(f"--output {path}: permission denied")
    return target


@click.command(short_help="Print the diagnosis as Markdown for a GitHub issue.")
@common.probing_options
@click.option(
    "--output",
    "-o",
    metavar="FILE",
    default=None,
    help="Write the report to FILE instead of stdout (replacing FILE).",
)
def report(output: str | None, **kwargs: Any) -> None:
    """Diagnose SYMBOLS (default: BatchNormalization) as check does, and print the result as
    Markdown for a GitHub issue: Python, platform, distributions, the variables that steer
    Keras, the backend, every line tried, the findings and their fixes. The home folder is
    written ~ and the user name $USER; of the environment variables, only those that
    steer Keras and TensorFlow are shown.
    """
    destination = _check_output(output) if output is not None else None
    options = common.Options(as_json=False, strict=False, verbose=False, **kwargs)
    # The very diagnosis `check` makes (and caches): a report right after a check is instant.
    diagnosed, _ = common.diagnose("check", options)
    text = render(diagnosed, Format.MARKDOWN, shell=options.fix_shell)
    if destination is None:
        click.echo(text, nl=False)
    else:
        try:
            destination.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"--output {output}: {exc.strerror or exc}") from None
        click.echo(f"kerasdoctor: report written to {output}", err=True)
    raise SystemExit(int(ExitCode.OK))
