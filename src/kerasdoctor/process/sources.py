"""The constant payload sources that run inside the target interpreter.

A payload is the shared prelude (``child_prelude.py``: the private result channel, the job,
dying with the parent, stdlib imports that leave no trace) followed by one body that lives
with the package that needs it (``probe/child_probe.py``, ``target/child_inspect.py``). The
text is read from the installed package, never assembled from input: jobs travel as data.
The ``child_*.py`` files are never imported by kerasdoctor itself; they must stay stdlib-only
and parseable by Python 2.7 (so that an old target says "unsupported" instead of failing).
"""

from __future__ import annotations

import functools
from importlib import resources

#: The file of this package that every payload starts with.
PRELUDE = "child_prelude.py"


@functools.cache
def child_source(package: str, filename: str) -> str:
    """The full payload: the prelude, then ``filename`` of ``package`` (a ``child_*.py``)."""
    prelude = resources.files(__package__).joinpath(PRELUDE).read_text("utf-8")
    body = resources.files(package).joinpath(filename).read_text("utf-8")
    return prelude + "\n\n" + body
