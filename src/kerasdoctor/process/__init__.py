"""The process layer: runs stdlib-only payloads in the target interpreter and reads their answer.

This package is the one place that starts processes of the target (``target/`` to inspect it,
``probe/`` to probe lines, and its warm processes that fork). It is used through the names
below only. The rules it keeps, each from a failure seen in the wild:

* The answer travels on a private channel, never on stdout/stderr: libraries print to both
  (keras-core prints to stdout on import), some close them, some print text that looks like
  a result. Every message carries a random nonce that only the payload knows (it arrives with
  the job on stdin, which is then closed), so imported code cannot forge one by accident.
* A process that exits without sending its answer did not succeed, whatever its exit code.
* Each payload's whole process tree is ended at its deadline, at its end, and on Ctrl-C
  (:func:`stop_all`), so grandchildren that hold our pipes die with it; on Linux the payload
  also dies with kerasdoctor (``PR_SET_PDEATHSIG``, in the prelude).
* stdout/stderr are read concurrently and only their tails are kept (:data:`TAIL_BYTES`), so
  a flood never costs memory without limit; the result channel is bounded too.
* The payload is passed with ``-c`` from the user's working directory and environment, so
  ``sys.path[0]`` is the working directory exactly as for ``python -c "<line>"``.

How: :func:`layer` returns the implementation for this platform (``posix`` today; a portable,
fork-free one joins as a second module); ``KERASDOCTOR_PROCESS_LAYER`` names one explicitly.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import Any

from kerasdoctor.errors import UsageError
from kerasdoctor.process.interface import (
    MAX_RESULT_BYTES,
    TAIL_BYTES,
    OnMessage,
    PayloadRun,
    ProcessLayer,
    RunningPayload,
    StartFailed,
)
from kerasdoctor.process.posix import PosixLayer
from kerasdoctor.process.sources import child_source

__all__ = [
    "LAYER_VARIABLE",
    "MAX_RESULT_BYTES",
    "TAIL_BYTES",
    "OnMessage",
    "PayloadRun",
    "ProcessLayer",
    "RunningPayload",
    "StartFailed",
    "child_source",
    "layer",
    "layer_names",
    "run_payload",
    "stop_all",
]

#: The environment variable that names the layer to use instead of the platform's own.
LAYER_VARIABLE = "KERASDOCTOR_PROCESS_LAYER"

#: Implementations by name.
_LAYERS: dict[str, type[ProcessLayer]] = {PosixLayer.name: PosixLayer}
_made: dict[str, ProcessLayer] = {}
_made_lock = threading.Lock()


def _platform_layer() -> str:
    return PosixLayer.name  # the only one so far; a portable one will be chosen off POSIX


def layer_names() -> tuple[str, ...]:
    """Every implementation ``KERASDOCTOR_PROCESS_LAYER`` may name (tests run each)."""
    return tuple(sorted(_LAYERS))


def layer() -> ProcessLayer:
    """The process layer of this platform, or the one ``KERASDOCTOR_PROCESS_LAYER`` names.

    One instance per implementation for the whole process, so that :func:`stop_all` reaches
    every payload it started.
    """
    name = os.environ.get(LAYER_VARIABLE) or _platform_layer()
    if name not in _LAYERS:
        choices = ", ".join(sorted(_LAYERS))
        raise UsageError(f"{LAYER_VARIABLE}={name!r} is not a process layer (choose: {choices})")
    with _made_lock:
        if name not in _made:
            _made[name] = _LAYERS[name]()
        return _made[name]


def run_payload(
    python: str,
    source: str,
    job: Mapping[str, Any],
    *,
    cwd: str,
    env: Mapping[str, str],
    timeout: float,
) -> PayloadRun:
    """Run one payload to its end or its deadline with :func:`layer` (see ProcessLayer.run)."""
    return layer().run(python, source, job, cwd=cwd, env=env, timeout=timeout)


def stop_all() -> None:
    """End every payload still running, in every layer used so far (Ctrl-C)."""
    with _made_lock:
        made = list(_made.values())
    for each in made:
        each.stop_all()
