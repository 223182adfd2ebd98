"""After Ctrl-C stopped every probe (``api.stop_probes``), the next run in the same process works.

The API is used from long-lived processes (a notebook kernel, an editor): an interrupted run
must not doom every later one. Inspection is the first process a run starts, so it is the
one that must reopen the process layer.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from kerasdoctor import api
from kerasdoctor.interpreter import choose_interpreter, inspect_target


def test_inspection_after_stop_probes_runs_again() -> None:
    interpreter = choose_interpreter(sys.executable, dict(os.environ))
    inspect_target(interpreter, cwd=str(Path.cwd()), environ=dict(os.environ))  # the layer exists
    api.stop_probes()
    target = inspect_target(interpreter, cwd=str(Path.cwd()), environ=dict(os.environ))
    assert target.python_version == ".".join(str(n) for n in sys.version_info[:3])
