"""Exact fix commands for one target: what to install, remove or set, as POSIX shell lines.

Every finding's ``fix`` is a list of commands a user can paste, in order, into a POSIX
shell. They must act on the *diagnosed* interpreter and nothing else, so install commands
always name it (``"<python>" -m pip ...``, or ``uv pip ... --python <python>`` when the
target has no pip, as in uv-made venvs), and every word is quoted with
:func:`shlex.quote`. What to install (which distribution provides a module, which versions
pair with TensorFlow) is :mod:`kerasdoctor.knowledge`'s; this module builds text only, and
kerasdoctor never runs these commands itself.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from kerasdoctor.models import Target


def quote(word: str) -> str:
    """One shell word; plain words stay unquoted (``numpy``), others are single-quoted."""
    return shlex.quote(word)


def _installer(target: Target) -> tuple[str, ...]:
    """The words that start a pip command for exactly this interpreter."""
    if target.has_pip:
        return (quote(target.python), "-m", "pip")
    # No pip in the target (uv-made venvs): uv acts on the interpreter it is given.
    return ("uv", "pip")


def _python_flag(target: Target) -> tuple[str, ...]:
    return () if target.has_pip else ("--python", quote(target.python))


def install(target: Target, requirements: Sequence[str]) -> str:
    """``pip install`` (or ``uv pip install --python``) of ``requirements`` into the target."""
    words = [*_installer(target), "install", *_python_flag(target)]
    words += [quote(r) for r in requirements]
    return " ".join(words)


def uninstall(target: Target, names: Sequence[str]) -> str:
    """Remove distributions from the target (no prompt: fixes run unattended)."""
    words = [*_installer(target), "uninstall", *_python_flag(target)]
    if target.has_pip:
        words.append("-y")
    words += [quote(n) for n in names]
    return " ".join(words)


def export(name: str, value: str | None) -> str:
    """Set (or, for None, unset) one environment variable in the user's shell."""
    if value is None:
        return f"unset {name}"
    return f"export {name}={quote(value)}"


def rename(source: str, destination: str) -> str:
    """Move a file or folder aside, refusing to overwrite anything already there.

    ``test ! -e`` makes the command fail (and a ``set -e`` script stop) instead of
    silently replacing a file of the user's that happens to have the new name.
    """
    return f"test ! -e {quote(destination)} && mv -- {quote(source)} {quote(destination)}"
