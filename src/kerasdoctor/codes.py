"""The registry of finding codes: every code, its slug, area, severity, title and docs page.

A code is defined here once. Everything else reads this table: the rules bind their check
to a code (:mod:`kerasdoctor.diagnose.rules`), the findings view groups by its areas,
``--ignore`` and ``[tool.kerasdoctor] ignore`` accept only its codes and slugs,
``kerasdoctor explain`` lists and shows them, and a test ties every code to its page in
docs/codes/ (and every page to its code).

Codes are numbered by area (KD1xx: backend and dependencies, ...) and never renumbered.
Each area says who judges its codes: the environment rules judge one target's facts for
``check`` and ``suggest``; codes judged elsewhere (a ``scan`` of source lines, KD5xx) are
registered here the same way, with their checks kept where they run.

Imported by the CLI at start-up: standard library and :mod:`kerasdoctor.models` only.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from pathlib import Path

from kerasdoctor.errors import UsageError
from kerasdoctor.models import Severity

_CODE = re.compile(r"^KD\d{3}$")
_SLUG = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class Judge(str, enum.Enum):
    """Who decides whether a code's finding applies."""

    #: the environment rules, from one target's facts (check, suggest)
    ENVIRONMENT = "environment"
    #: the scan pipeline, per source line of a codebase
    SCAN = "scan"


@dataclass(frozen=True)
class Area:
    """A family of codes: one heading in the findings view, one module of rules."""

    key: str  # "backend": also the module of its rules (diagnose/rules/backend.py)
    prefix: str  # "KD1": every code of the area starts with it
    title: str  # "Backend and dependencies": the heading users read
    judge: Judge


@dataclass(frozen=True)
class Code:
    """One finding code."""

    code: str  # "KD101"
    slug: str  # "keras-backend-missing": accepted wherever a code is, shown beside it
    area: Area
    #: the usual severity; a rule may raise or lower it per finding, as the code's page says
    severity: Severity
    title: str  # one line, for listings

    @property
    def doc(self) -> str:
        """The documentation page, relative to the project root."""
        return f"docs/codes/{self.code}.md"


IMPORTS = Area("imports", "KD0", "Imports", Judge.ENVIRONMENT)
BACKEND = Area("backend", "KD1", "Backend and dependencies", Judge.ENVIRONMENT)
DISTRIBUTIONS = Area("distributions", "KD2", "Installed distributions", Judge.ENVIRONMENT)
PATHS = Area("paths", "KD3", "Shadowing and flags", Judge.ENVIRONMENT)
IMPLEMENTATIONS = Area("implementations", "KD4", "Implementations and use", Judge.ENVIRONMENT)
CODE = Area("code", "KD5", "Keras imports in code", Judge.SCAN)

AREAS: tuple[Area, ...] = (IMPORTS, BACKEND, DISTRIBUTIONS, PATHS, IMPLEMENTATIONS, CODE)

_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO

#: Every code, in code order.
CODES: tuple[Code, ...] = (
    Code("KD001", "no-working-import", IMPORTS, _E, "No import line gives a usable symbol"),
    Code(
        "KD101",
        "keras-backend-missing",
        BACKEND,
        _E,
        "Keras 3 is set to a backend that is not installed",
    ),
    Code(
        "KD102",
        "missing-dependency",
        BACKEND,
        _E,
        "A module a Keras implementation imports is missing",
    ),
    Code(
        "KD201",
        "duplicate-distribution",
        DISTRIBUTIONS,
        _W,
        "Two distributions install the same package",
    ),
    Code(
        "KD202",
        "version-mismatch",
        DISTRIBUTIONS,
        _W,
        "Installed versions do not fit together",
    ),
    Code(
        "KD203",
        "deprecated-distribution",
        DISTRIBUTIONS,
        _W,
        "A replaced distribution is installed (keras-core, tensorflow-gpu)",
    ),
    Code(
        "KD301",
        "shadowed-module",
        PATHS,
        _W,
        "A file or folder hides an installed package",
    ),
    Code(
        "KD302",
        "legacy-flag-problem",
        PATHS,
        _W,
        "TF_USE_LEGACY_KERAS is set but cannot do what it is meant to",
    ),
    Code(
        "KD401",
        "mixed-implementations",
        IMPLEMENTATIONS,
        _I,
        "Working lines give classes of different implementations",
    ),
    Code(
        "KD402",
        "import-works-use-fails",
        IMPLEMENTATIONS,
        _W,
        "A line imports, but the object fails when used",
    ),
    Code("KD501", "import-fails", CODE, _E, "An import in the code fails in this environment"),
    Code(
        "KD502",
        "attribute-fails",
        CODE,
        _E,
        "An attribute chain in the code fails in this environment",
    ),
    Code(
        "KD503",
        "private-import",
        CODE,
        _W,
        "An import works only through a private or deprecated path",
    ),
    Code(
        "KD504",
        "mixed-implementations-in-file",
        CODE,
        _W,
        "One file uses objects of two different Keras implementations",
    ),
    Code(
        "KD505",
        "removed-symbol",
        CODE,
        _W,
        "No installed Keras implementation provides this symbol any more",
    ),
    Code(
        "KD506",
        "import-ladder",
        CODE,
        _I,
        "A try/except import ladder takes this branch here",
    ),
    Code("KD507", "star-import", CODE, _I, "A star import: reported, not judged"),
)

_BY_CODE: dict[str, Code] = {c.code: c for c in CODES}
_BY_SLUG: dict[str, Code] = {c.slug: c for c in CODES}


def _validate() -> None:
    """The table's own consistency, checked at import: a broken entry fails every run."""
    if len(_BY_CODE) != len(CODES) or len(_BY_SLUG) != len(CODES):
        raise RuntimeError("codes registry: a code or slug is registered twice")
    prefixes = [a.prefix for a in AREAS]
    if len(set(prefixes)) != len(prefixes) or len({a.key for a in AREAS}) != len(AREAS):
        raise RuntimeError("codes registry: an area prefix or key is registered twice")
    for entry in CODES:
        if not _CODE.match(entry.code) or not _SLUG.match(entry.slug):
            raise RuntimeError(f"codes registry: malformed entry {entry.code} {entry.slug}")
        if entry.area not in AREAS or not entry.code.startswith(entry.area.prefix):
            raise RuntimeError(f"codes registry: {entry.code} is not in its area's range")
    if [c.code for c in CODES] != sorted(_BY_CODE):
        raise RuntimeError("codes registry: codes must be listed in code order")


_validate()


def get(code: str) -> Code:
    """The registered code (exact spelling, ``KD101``); KeyError for any other."""
    return _BY_CODE[code]


def lookup(text: str) -> Code:
    """A code as a user typed it (``KD101``, ``kd101`` or ``keras-backend-missing``).

    Raises :class:`UsageError` (one line) for anything that is not a registered code or
    slug, so a typo in ``--ignore`` never silently does nothing.
    """
    normal = text.strip()
    found = _BY_CODE.get(normal.upper()) or _BY_SLUG.get(normal.lower())
    if found is not None:
        return found
    known = ", ".join(c.code for c in CODES)
    if _CODE.match(normal.upper()):
        raise UsageError(f"unknown finding code {normal.upper()}: known codes are {known}")
    raise UsageError(
        f"invalid finding code {text!r}: codes look like KD101 or keras-backend-missing "
        f"(known: {known}; `kerasdoctor explain` lists them)"
    )


def judged_by(judge: Judge) -> tuple[Code, ...]:
    """The codes one judge decides, in code order."""
    return tuple(c for c in CODES if c.area.judge is judge)


def areas(judge: Judge) -> tuple[Area, ...]:
    """The areas of one judge, in code order (the headings of its findings view)."""
    return tuple(a for a in AREAS if a.judge is judge)


def area_of(code: str) -> Area | None:
    """The area a code belongs to (None for an unregistered code)."""
    entry = _BY_CODE.get(code)
    return None if entry is None else entry.area


def _folders() -> list[Path]:
    """Where the pages are: in a wheel ``kerasdoctor/_codes/``, in a checkout docs/codes/."""
    from importlib import resources  # only explain reads pages: keep start-up light

    folders: list[Path] = []
    packaged = resources.files("kerasdoctor").joinpath("_codes")
    if packaged.is_dir():
        folders.append(Path(str(packaged)))
    folders.append(Path(__file__).resolve().parents[2] / "docs" / "codes")
    return folders


def documented() -> list[str]:
    """Every code that has a page (for the test that ties pages to the registry)."""
    found: set[str] = set()
    for folder in _folders():
        if folder.is_dir():
            found.update(p.stem for p in folder.glob("KD*.md"))
    return sorted(found)


def page(code: Code) -> str:
    """The Markdown page of a registered code (a wheel carries them: pyproject's force-include)."""
    for folder in _folders():
        path = folder / f"{code.code}.md"
        if path.is_file():
            return path.read_text("utf-8")
    raise UsageError(f"the page of {code.code} is missing from this installation ({code.doc})")
