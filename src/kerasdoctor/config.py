"""Project settings from ``[tool.kerasdoctor]`` in the nearest ``pyproject.toml``.

Only what a project wants every run to share lives here (codes to ignore, strictness, the
family its code uses, what ``scan`` reads by default and never reads); everything else is a
command-line option. Unknown keys are an error,
so a typo does not silently do nothing.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kerasdoctor import codes
from kerasdoctor.errors import UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.9/3.10 only (tomli has no stubs here)
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

_KEYS = {"ignore", "strict", "prefer", "timeout", "include", "exclude"}


@dataclass(frozen=True)
class Settings:
    """What ``[tool.kerasdoctor]`` says (defaults when there is no such table)."""

    ignore: tuple[str, ...] = ()
    strict: bool = False
    prefer: str | None = None
    timeout: float | None = None
    #: scan: the files and folders read when no PATH is given (relative to the pyproject)
    include: tuple[str, ...] = ()
    #: scan: globs of files and folders never read (merged with --exclude)
    exclude: tuple[str, ...] = ()
    source: str | None = None  # the pyproject.toml it came from

    def include_paths(self) -> tuple[str, ...]:
        """``include``, each relative to the folder of the pyproject.toml that set it."""
        if self.source is None:
            return self.include
        base = Path(self.source).parent
        return tuple(str(base / entry) for entry in self.include)


def check_code(code: str) -> str:
    """A registered finding code as typed by a user (``kd101`` or its slug -> ``KD101``).

    An unknown code is a usage error: a typo must not silently ignore nothing.
    """
    return codes.lookup(code).code


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above ``start``."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load(start: Path) -> Settings:
    """Settings for a run started in ``start``; a broken table is a usage error."""
    path = find_pyproject(start)
    if path is None:
        return Settings()
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: cannot read [tool.kerasdoctor]: {exc}") from exc
    table: Any = data.get("tool", {}).get("kerasdoctor")
    if table is None:
        return Settings(source=str(path))
    if not isinstance(table, dict):
        raise UsageError(f"{path}: [tool.kerasdoctor] must be a table")
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise UsageError(
            f"{path}: unknown key(s) in [tool.kerasdoctor]: {', '.join(unknown)} "
            f"(known: {', '.join(sorted(_KEYS))})"
        )
    ignore = table.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(c, str) for c in ignore):
        raise UsageError(f"{path}: [tool.kerasdoctor] ignore must be a list of codes")
    strict = table.get("strict", False)
    if not isinstance(strict, bool):
        raise UsageError(f"{path}: [tool.kerasdoctor] strict must be true or false")
    prefer = table.get("prefer")
    if prefer is not None and not isinstance(prefer, str):
        raise UsageError(f"{path}: [tool.kerasdoctor] prefer must be a string")
    timeout = table.get("timeout")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))):
        raise UsageError(f"{path}: [tool.kerasdoctor] timeout must be a number of seconds")
    include = _strings(table, "include", path, "paths")
    exclude = _strings(table, "exclude", path, "globs")
    try:
        ignored = tuple(check_code(c) for c in ignore)
    except UsageError as exc:
        raise UsageError(f"{path}: [tool.kerasdoctor] ignore: {exc}") from exc
    return Settings(
        ignore=ignored,
        strict=strict,
        prefer=prefer,
        timeout=None if timeout is None else float(timeout),
        include=include,
        exclude=exclude,
        source=str(path),
    )


def _strings(table: dict[str, Any], key: str, path: Path, what: str) -> tuple[str, ...]:
    """A list of non-empty strings (``include``, ``exclude``), or a usage error."""
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise UsageError(f"{path}: [tool.kerasdoctor] {key} must be a list of {what}")
    return tuple(value)
