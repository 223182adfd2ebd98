"""Exact fix commands for one target: what to install, remove or set, as shell-free data.

Every finding's ``fix`` is a list of commands a user can run, in order. They must act on the
*diagnosed* interpreter and nothing else, so install commands always name it (``<python> -m
pip ...``, or ``uv pip ... --python <python>`` when the target has no pip, as in uv-made
venvs). A command is data (:class:`~kerasdoctor.models.RunCommand`, an argument vector;
:class:`~kerasdoctor.models.SetVariable`; :class:`~kerasdoctor.models.MoveAside`), never
text: :mod:`kerasdoctor.render.shells` writes it for the user's shell (bash, PowerShell or
cmd) with that shell's quoting. What to install (which distribution provides a module, which
versions pair with TensorFlow) is :mod:`kerasdoctor.knowledge`'s; kerasdoctor never runs
these commands itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from kerasdoctor.models import MoveAside, RunCommand, SetVariable, Target


def _installer(target: Target) -> tuple[str, ...]:
    """The words that start a pip command for exactly this interpreter."""
    if target.has_pip:
        return (target.python, "-m", "pip")
    # No pip in the target (uv-made venvs): uv acts on the interpreter it is given.
    return ("uv", "pip")


def _python_flag(target: Target) -> tuple[str, ...]:
    return () if target.has_pip else ("--python", target.python)


def install(target: Target, requirements: Sequence[str]) -> RunCommand:
    """``pip install`` (or ``uv pip install --python``) of ``requirements`` into the target."""
    return RunCommand((*_installer(target), "install", *_python_flag(target), *requirements))


def uninstall(target: Target, names: Sequence[str]) -> RunCommand:
    """Remove distributions from the target (no prompt: fixes run unattended)."""
    unattended = ("-y",) if target.has_pip else ()
    return RunCommand(
        (*_installer(target), "uninstall", *_python_flag(target), *unattended, *names)
    )


def export(name: str, value: str | None) -> SetVariable:
    """Set (or, for None, unset) one environment variable in the user's shell."""
    return SetVariable(name, value)


def rename(source: str, destination: str) -> MoveAside:
    """Move a file or folder aside, refusing to overwrite anything already there."""
    return MoveAside(source, destination)
