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


def _uv(target: Target) -> str | None:
    """How to run uv for this target, when uv installs into it (no pip: uv-made venvs)."""
    return None if target.has_pip else target.uv


def _installer(target: Target) -> tuple[str, ...]:
    """The words that start a pip command for exactly this interpreter."""
    uv = _uv(target)
    # With neither pip nor uv, pip is installed first (see ensure_pip).
    return (target.python, "-m", "pip") if uv is None else (uv, "pip")


def _python_flag(target: Target) -> tuple[str, ...]:
    return () if _uv(target) is None else ("--python", target.python)


def ensure_pip(target: Target, findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """Findings whose fix runs the target's pip, with ``python -m ensurepip`` first when the
    target has no pip and the user has no uv (a command that cannot run would not paste)."""
    if target.has_pip or _uv(target) is not None:
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
    unattended = ("-y",) if _uv(target) is None else ()
    return RunCommand(
        (*_installer(target), "uninstall", *_python_flag(target), *unattended, *names)
    )


def export(name: str, value: str | None) -> SetVariable:
    """Set (or, for None, unset) one environment variable in the user's shell."""
    return SetVariable(name, value)


def rename(source: str, destination: str) -> MoveAside:
    """Move a file or folder aside, refusing to overwrite anything already there."""
    return MoveAside(source, destination)
