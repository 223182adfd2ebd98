"""Exact fix commands for one target: what to install, remove or set, as shell-free data.

Every finding's ``fix`` is a list of commands a user can run, in order. They must act on the
*diagnosed* interpreter and nothing else, so install commands always name it (``<python> -m
pip ...``, or ``uv pip ... --python <python>`` when the target has no pip, as in uv-made
venvs, and ``<python> -m ensurepip`` first when the user has no uv either).
A command is data (:class:`~kerasdoctor.models.RunCommand`, an argument vector;
:class:`~kerasdoctor.models.SetVariable`; :class:`~kerasdoctor.models.MoveAside`), never
text: :mod:`kerasdoctor.render.shells` writes it for the user's shell (bash, PowerShell or
cmd) with that shell's quoting. What to install (which distribution provides a module, which
versions pair with TensorFlow) is :mod:`kerasdoctor.knowledge`'s; kerasdoctor never runs
these commands itself.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from kerasdoctor.models import Finding, MoveAside, RunCommand, SetVariable, Target


def _uses_uv(target: Target) -> bool:
    # No pip in the target (uv-made venvs): uv acts on the interpreter it is given.
    return not target.has_pip and target.uv is not None


def _installer(target: Target) -> tuple[str, ...]:
    """The words that start a pip command for exactly this interpreter."""
    if _uses_uv(target) and target.uv is not None:
        return (target.uv, "pip")
    # With no pip and no uv, pip is installed first (see ensure_pip).
    return (target.python, "-m", "pip")


def _python_flag(target: Target) -> tuple[str, ...]:
    return ("--python", target.python) if _uses_uv(target) else ()


def ensure_pip(target: Target, findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """Findings whose fix runs the target's pip, with ``python -m ensurepip`` first when the
    target has no pip and the user has no uv (a command that cannot run would not paste)."""
    if target.has_pip or target.uv is not None:
        return tuple(findings)
    pip = (target.python, "-m", "pip")
    first = RunCommand((target.python, "-m", "ensurepip"))
    out: list[Finding] = []
    for found in findings:
        if any(isinstance(c, RunCommand) and c.argv[:3] == pip for c in found.fix):
            found = dataclasses.replace(found, fix=(first, *found.fix))  # noqa: PLW2901
        out.append(found)
    return tuple(out)


def install(target: Target, requirements: Sequence[str]) -> RunCommand:
    """``pip install`` (or ``uv pip install --python``) of ``requirements`` into the target."""
    return RunCommand((*_installer(target), "install", *_python_flag(target), *requirements))


def uninstall(target: Target, names: Sequence[str]) -> RunCommand:
    """Remove distributions from the target (no prompt: fixes run unattended)."""
    unattended = () if _uses_uv(target) else ("-y",)
    return RunCommand(
        (*_installer(target), "uninstall", *_python_flag(target), *unattended, *names)
    )


def export(name: str, value: str | None) -> SetVariable:
    """Set (or, for None, unset) one environment variable in the user's shell."""
    return SetVariable(name, value)


def rename(source: str, destination: str) -> MoveAside:
    """Move a file or folder aside, refusing to overwrite anything already there."""
    return MoveAside(source, destination)
