"""What the CLI needs to know of the terminal: whether to colour, and how wide to render."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TextIO

#: Set by :func:`colour_forced` (the notebook magic, which turns the colours into HTML).
_FORCED: ContextVar[bool] = ContextVar("kerasdoctor_colour_forced", default=False)


@contextmanager
def colour_forced() -> Iterator[None]:
    """Within the block, colour as ``FORCE_COLOR`` would, without changing the environment
    (which the probes inherit). ``NO_COLOR`` still wins."""
    token = _FORCED.set(True)
    try:
        yield
    finally:
        _FORCED.reset(token)


def wants_color(stream: TextIO) -> bool:
    """Colour on a terminal or with ``FORCE_COLOR``; never with ``NO_COLOR`` (it wins) or
    ``TERM=dumb``."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    if os.environ.get("FORCE_COLOR") or _FORCED.get():
        return True
    return is_terminal(stream)


def interactive(stream: TextIO) -> bool:
    """A person watches ``stream`` (a terminal, not ``TERM=dumb``): progress lines may show.

    Unlike colour, ``FORCE_COLOR`` does not count: a CI log is not redrawn in place.
    """
    if os.environ.get("TERM") == "dumb":
        return False
    return is_terminal(stream)


def is_terminal(stream: TextIO) -> bool:
    """Whether ``stream`` is a terminal (False for anything that cannot say)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def width() -> int:
    """The terminal's width (100 when piped), never below 60."""
    return max(60, shutil.get_terminal_size((100, 24)).columns)
