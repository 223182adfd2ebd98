"""Load the constant payload sources that run inside the target interpreter.

A payload is the shared prelude (the private result channel) followed by one body. The text
is read from the installed package, never assembled from input: jobs travel as JSON data.
"""

from __future__ import annotations

import functools
from importlib import resources


@functools.cache
def source(package: str) -> str:
    """The full payload for ``package`` ("kerasdoctor.probe" or "kerasdoctor.target")."""
    prelude = resources.files("kerasdoctor").joinpath("_prelude.py").read_text("utf-8")
    body = resources.files(package).joinpath("_payload.py").read_text("utf-8")
    return prelude + "\n\n" + body
