"""Target specifications: ``PATH`` or ``PATH::NAME=VALUE[,NAME=VALUE]``, and their labels."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from kerasdoctor.errors import UsageError

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
SEPARATOR = "::"


@dataclass(frozen=True)
class TargetSpec:
    """One ``--python`` value: the interpreter, its own variables, and its short label."""

    python: str
    env: tuple[tuple[str, str], ...] = ()
    label: str = ""

    @property
    def text(self) -> str:
        """The spec as a user writes it (what the report shows)."""
        if not self.env:
            return self.python
        return self.python + SEPARATOR + ",".join(f"{k}={v}" for k, v in self.env)


def parse(text: str) -> TargetSpec:
    """``PATH`` or ``PATH::NAME=VALUE[,NAME=VALUE]`` (raise UsageError otherwise).

    A value may not contain a comma (the separator); a variable that needs one is set in
    the environment of the whole run instead.
    """
    path, sep, rest = text.partition(SEPARATOR)
    if not path:
        raise UsageError(f"python: {text!r} names no interpreter", parameter="python")
    env: list[tuple[str, str]] = []
    if sep:
        for item in rest.split(","):
            name, eq, value = item.partition("=")
            if not eq or not _NAME.match(name):
                raise UsageError(
                    f"python: {text!r}: expected PATH::NAME=VALUE[,NAME=VALUE], not {item!r}",
                    parameter="python",
                )
            if any(name == seen for seen, _ in env):
                raise UsageError(f"python: {text!r} sets {name} twice", parameter="python")
            env.append((name, value))
    return TargetSpec(path, tuple(env))


def default_label(python: str) -> str:
    """The folder name of a venv/conda interpreter (``tf215`` for ``tf215/bin/python``)."""
    path = PurePath(python)
    parts = path.parts
    if len(parts) >= 3 and parts[-2] in ("bin", "Scripts") and parts[-1].startswith("python"):
        return parts[-3]
    return path.name or python


def with_labels(specs: Sequence[TargetSpec], labels: Sequence[str]) -> tuple[TargetSpec, ...]:
    """Name every target: ``labels`` in order (fewer than targets is fine), else the folder.

    Labels must be distinct (they name the matrix's columns): a repeated folder name gets
    ``#2``, ``#3``; a repeated ``--label`` is an error.
    """
    if len(labels) > len(specs):
        raise UsageError(f"label: {len(labels)} labels for {len(specs)} targets", parameter="label")
    given = [label.strip() for label in labels]
    if any(not label for label in given):
        raise UsageError("label: a label may not be empty", parameter="label")
    if len(set(given)) != len(given):
        raise UsageError("label: each label must be different", parameter="label")
    named: list[TargetSpec] = []
    used = set(given)
    for index, spec in enumerate(specs):
        if index < len(given):
            label = given[index]
        else:
            base = default_label(spec.python)
            label, n = base, 1
            while label in used:
                n += 1
                label = f"{base}#{n}"
            used.add(label)
        named.append(TargetSpec(spec.python, spec.env, label))
    return tuple(named)
