"""Find where the *installed* packages define a symbol, by reading their sources as text.

The catalogue knows where symbols lived in the generations we could inspect; the user's
environment may hold another one (a nightly, a patched fork). Reading the installed Keras
sources for ``class Name`` / ``def Name`` finds the defining modules without running any
code. Only the Keras implementations are read (keras, tf_keras, keras_core, and TensorFlow's
own ``tensorflow/python/keras`` of TF <= 2.7), and the walk is bounded.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from kerasdoctor.knowledge import KERAS_SOURCE_FOLDERS
from kerasdoctor.models import Target, is_dotted_name

_MAX_FILES = 6000
_SKIP_DIRS = {"__pycache__", "tests", "testing", "test", "integration_test", "benchmarks"}


def discover(target: Target, names: Iterable[str]) -> Mapping[str, tuple[str, ...]]:
    """For each name, the modules of the target whose source defines it at top level."""
    wanted = sorted({n for n in names if n.isidentifier()})
    found: dict[str, list[str]] = {n: [] for n in wanted}
    if not wanted:
        return {}
    pattern = re.compile(
        r"^(?:class|def)\s+(" + "|".join(re.escape(n) for n in wanted) + r")\b", re.MULTILINE
    )
    budget = [_MAX_FILES]
    seen_roots: set[str] = set()
    for entry in target.sys_path:
        for parts in KERAS_SOURCE_FOLDERS:
            folder = Path(entry, *parts)
            key = str(folder)
            if key in seen_roots or not _is_dir(folder):
                continue
            seen_roots.add(key)
            _scan(folder, ".".join(parts), pattern, found, budget)
    return {name: tuple(mods) for name, mods in found.items() if mods}


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _scan(
    folder: Path,
    package: str,
    pattern: re.Pattern[str],
    found: dict[str, list[str]],
    budget: list[int],
) -> None:
    for dirpath, dirnames, filenames in os.walk(folder, onerror=lambda _e: None):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and d.isidentifier())
        rel = Path(dirpath).relative_to(folder).parts
        for filename in sorted(filenames):
            if not filename.endswith(".py") or filename.endswith("_test.py"):
                continue
            budget[0] -= 1
            if budget[0] < 0:
                return
            stem = filename[:-3]
            module_parts = [package, *rel] + ([] if stem == "__init__" else [stem])
            module = ".".join(module_parts)
            if not is_dotted_name(module):
                continue
            try:
                text = Path(dirpath, filename).read_text("utf-8", errors="replace")
            except OSError:
                continue
            for match in pattern.finditer(text):
                mods = found[match.group(1)]
                if module not in mods:
                    mods.append(module)
