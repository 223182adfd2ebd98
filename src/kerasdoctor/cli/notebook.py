"""``%load_ext kerasdoctor``, then ``%kerasdoctor COMMAND ...``: the command line in a notebook.

In Jupyter, Colab and Kaggle the interpreter to diagnose is the kernel's own, and there is
no shell at hand. The magic runs the command line in the kernel's process (no second
interpreter to start), with ``--python`` set to the kernel's interpreter unless the line
names one, from the kernel's working folder (what ``%cd`` changes), with the kernel's
variables. What the command prints on stdout is displayed as rich output: HTML with the
terminal's colours, the Markdown of ``report``, the document of ``--json``; a frontend
without rich output (terminal IPython) shows the same text plainly. What it prints on stderr
(explanations, and the one line of a usage error) goes to the cell's stderr, without a
traceback. Interrupting the kernel stops every probe, as Ctrl-C does in a terminal.

Loaded only by ``%load_ext`` (:func:`kerasdoctor.load_ipython_extension`): the command
line never imports IPython.
"""

from __future__ import annotations

import io
import json
import shlex
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from kerasdoctor.cli import COMMANDS, cli, run, terminal
from kerasdoctor.render import ansi_html

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

__all__ = [
    "Captured",
    "kerasdoctor_magic",
    "kernel_arguments",
    "load",
    "mime_bundle",
    "run_captured",
]

MAGIC_NAME = "kerasdoctor"


def load(ipython: InteractiveShell) -> None:
    """Register the ``%kerasdoctor`` line magic in ``ipython``."""
    ipython.magics_manager.register_function(
        kerasdoctor_magic, magic_kind="line", magic_name=MAGIC_NAME
    )


@dataclass(frozen=True)
class Captured:
    """What one run of the command line printed, and its exit code."""

    arguments: tuple[str, ...]
    exit_code: int
    stdout: str
    stderr: str


def kernel_arguments(arguments: list[str], python: str) -> list[str]:
    """``arguments`` with ``--python python`` after the command, when the command takes
    ``--python`` and the arguments do not name one."""
    if not arguments or arguments[0] not in COMMANDS:
        return arguments  # --help, --version, a typo: the command line answers as it would
    command = cli.get_command(click.Context(cli), arguments[0])
    takes_python = command is not None and any("--python" in p.opts for p in command.params)
    rest = arguments[1:]
    named = any(a == "--python" or a.startswith("--python=") for a in rest)
    if not takes_python or named:
        return arguments
    return [arguments[0], "--python", python, *rest]


def run_captured(arguments: list[str]) -> Captured:
    """Run the command line in this process with colour on; capture what it prints."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err), terminal.colour_forced():
        code = run(arguments)
    return Captured(tuple(arguments), code, out.getvalue(), err.getvalue())


def mime_bundle(captured: Captured) -> dict[str, Any]:
    """How a notebook displays ``captured.stdout`` (always with a ``text/plain`` fallback)."""
    text = ansi_html.strip(captured.stdout)
    if captured.arguments[:1] == ("report",):
        return {"text/markdown": text, "text/plain": text}
    if text.lstrip().startswith(("{", "[")):
        try:
            return {"application/json": json.loads(text), "text/plain": text}
        except ValueError:
            pass  # not one document (scan --format text of a file starting with "{"?): as text
    return {"text/html": ansi_html.to_html(captured.stdout), "text/plain": text}


def kerasdoctor_magic(line: str) -> None:
    """``%kerasdoctor COMMAND [ARGS]...``: run ``kerasdoctor COMMAND [ARGS]...`` on this kernel."""
    try:
        arguments = shlex.split(line)
    except ValueError as exc:  # an unclosed quote: said as the command line says its errors
        sys.stderr.write(f"kerasdoctor: error: cannot read the arguments: {exc}\n")
        return
    captured = run_captured(kernel_arguments(arguments, sys.executable))
    if captured.stdout:
        from IPython.display import display

        # IPython's display() is not annotated; raw=True publishes the bundle as it is.
        display(mime_bundle(captured), raw=True)  # type: ignore[no-untyped-call]
    if captured.stderr:
        sys.stderr.write(ansi_html.strip(captured.stderr))
