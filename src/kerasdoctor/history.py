"""Where a symbol's import lines worked, release by release, from recorded installs.

The data (``catalogue/data/history.json``) is written by ``scripts/gen_history.py``, which
installed real releases of TensorFlow, keras, tf-keras and keras-core into throw-away
environments and tried every catalogue line in each. Nothing here probes: ``where`` and
``check``'s "worked up to" hint answer offline from that record, and only ever name
releases that were sampled (a range "2.6.0-2.15.0" means the sampled releases from 2.6.0
to 2.15.0, not every release between them).

Kept free of rich, click and the probe machinery so that ``kerasdoctor where`` starts fast.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from kerasdoctor.errors import UsageError

if TYPE_CHECKING:
    from kerasdoctor.models import Distribution

#: The distribution whose releases decide a line, by the line's top package.
ROOT_DISTRIBUTIONS = {
    "tensorflow": "tensorflow",
    "keras": "keras",
    "tf_keras": "tf-keras",
    "keras_core": "keras-core",
}


@dataclass(frozen=True)
class Sample:
    """One sampled environment: the releases whose lines it recorded, on which Python."""

    name: str
    python: str
    subjects: Mapping[str, str]  # distribution -> version, lines recorded for these
    installed: Mapping[str, str]  # the other distributions that were installed beside them


@dataclass(frozen=True)
class Outcome:
    """A line in one sampled release: worked (with its implementation) or failed."""

    version: str
    python: str
    implementation: str | None  # None: the import failed


@dataclass(frozen=True)
class LineHistory:
    """One import line (``from module import name``) across the sampled releases."""

    module: str
    name: str
    public: bool
    distribution: str
    outcomes: tuple[Outcome, ...]  # sampled releases of ``distribution``, oldest first

    @property
    def statement(self) -> str:
        return f"from {self.module} import {self.name}"

    @property
    def worked(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.implementation is not None)


@dataclass(frozen=True)
class FailedInstall:
    """A release that was tried but could not be installed (so it is not sampled)."""

    name: str
    python: str
    requirements: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class History:
    """The whole record, with the lookups ``where`` and ``check`` need."""

    samples: tuple[Sample, ...]
    failed: tuple[FailedInstall, ...]
    implementations: Mapping[str, str]
    modules: tuple[str, ...]
    patterns: tuple[str, ...]
    rows: Mapping[str, tuple[tuple[int, int, int], ...]]

    def lines(self, name: str) -> tuple[LineHistory, ...]:
        """Every recorded line for ``name``: public lines first, then by module."""
        found = [self._line(name, *row) for row in self.rows.get(name, ())]
        return tuple(sorted(found, key=lambda h: (not h.public, h.module)))

    def line(self, module: str, name: str) -> LineHistory | None:
        for row in self.rows.get(name, ()):
            if self.modules[row[0]] == module:
                return self._line(name, *row)
        return None

    def _line(self, name: str, module_id: int, pattern_id: int, public: int) -> LineHistory:
        module = self.modules[module_id]
        dist = ROOT_DISTRIBUTIONS[module.split(".")[0]]
        outcomes = []
        for sample, char in zip(self.samples, self.patterns[pattern_id]):
            if char == "-" or dist not in sample.subjects:
                continue
            impl = None if char == "." else self.implementations.get(char, char)
            outcomes.append(Outcome(sample.subjects[dist], sample.python, impl))
        outcomes.sort(key=lambda o: (version_key(o.version), version_key(o.python)))
        return LineHistory(module, name, bool(public), dist, tuple(outcomes))

    def sampled(self, distribution: str) -> tuple[str, ...]:
        """The sampled versions of one distribution, oldest first: ``"2.3.1 (3.7.16)"``."""
        found = {
            (s.subjects[distribution], s.python) for s in self.samples if distribution in s.subjects
        }
        ordered = sorted(found, key=lambda vp: (version_key(vp[0]), version_key(vp[1])))
        return tuple(f"{version} ({python})" for version, python in ordered)

    def close_matches(self, name: str) -> list[str]:
        import difflib

        lowered = {n.lower(): n for n in self.rows}
        hits = [lowered[name.lower()]] if name.lower() in lowered else []
        hits += [
            lowered[m] for m in difflib.get_close_matches(name.lower(), list(lowered), 3, 0.75)
        ]
        return list(dict.fromkeys(h for h in hits if h != name))[:3]


def version_key(version: str) -> tuple[int, ...]:
    """Numeric release parts for ordering: '2.5.0.dev2021' -> (2, 5, 0)."""
    out = []
    for part in version.split(".")[:3]:
        digits = ""
        for ch in part:
            if not ch.isdigit():
                break
            digits += ch
        out.append(int(digits or 0))
    return tuple(out)


@functools.lru_cache(maxsize=1)
def load() -> History:
    """The shipped record (parsed once per process)."""
    text = resources.files("kerasdoctor.catalogue").joinpath("data/history.json").read_text("utf-8")
    return from_json(json.loads(text))


def from_json(data: Mapping[str, Any]) -> History:
    """Build a :class:`History` from the generator's JSON form."""
    samples = tuple(
        Sample(s["name"], s["python"], dict(s["subjects"]), dict(s["installed"]))
        for s in data["samples"]
    )
    failed = tuple(
        FailedInstall(f["name"], f["python"], tuple(f["requirements"]), f["reason"])
        for f in data["failed_installs"]
    )
    rows = {
        name: tuple((int(r[0]), int(r[1]), int(r[2])) for r in entries)
        for name, entries in data["symbols"].items()
    }
    return History(
        samples,
        failed,
        dict(data["implementations"]),
        tuple(data["modules"]),
        tuple(data["patterns"]),
        rows,
    )


@dataclass(frozen=True)
class Span:
    """Consecutive sampled releases with the same state (worked with ``implementation``)."""

    first: str
    last: str
    implementation: str | None

    @property
    def text(self) -> str:
        return self.first if self.first == self.last else f"{self.first}-{self.last}"


def spans(history: LineHistory, by_implementation: bool = False) -> tuple[Span, ...]:
    """Runs of consecutive sampled releases that worked (or, with ``by_implementation``,
    runs that worked with one implementation): only sampled versions are ever named."""
    out: list[Span] = []
    previous_ok = False
    for outcome in history.outcomes:
        impl = outcome.implementation
        if impl is None:
            previous_ok = False
            continue
        key = impl if by_implementation else "worked"
        if previous_ok and out and out[-1].implementation == key:
            out[-1] = Span(out[-1].first, outcome.version, key)
        else:
            out.append(Span(outcome.version, outcome.version, key))
        previous_ok = True
    return tuple(out)


@dataclass(frozen=True)
class WhereAnswer:
    """``kerasdoctor where SYMBOL``: every recorded line of one name."""

    query: str
    name: str
    lines: tuple[LineHistory, ...]
    history: History


def where(text: str, history: History | None = None) -> WhereAnswer:
    """Look a symbol (``Dense`` or ``keras.layers.Dense``) up; :class:`UsageError` if unknown."""
    from kerasdoctor.models import is_dotted_name

    query = text.strip()
    if not query or not is_dotted_name(query):
        raise UsageError(
            f"invalid symbol {text!r}: expected a name such as BatchNormalization "
            "or a dotted path such as keras.layers.BatchNormalization"
        )
    data = history if history is not None else load()
    module, _, name = query.rpartition(".")
    lines = data.lines(name)
    if module:
        lines = tuple(h for h in lines if h.module == module)
    if not lines:
        hint = data.close_matches(name)
        also = f" (did you mean {', '.join(hint)}?)" if hint else ""
        what = f"line 'from {module} import {name}'" if module else f"symbol {name!r}"
        raise UsageError(f"no recorded history for {what}{also}; see `kerasdoctor where --help`")
    return WhereAnswer(query, name, lines, data)


def installed_versions(distributions: Iterable[Distribution]) -> dict[str, tuple[str, str]]:
    """A target's distributions by the canonical name that decides a line's history.

    ``tensorflow-cpu 2.21.0`` provides the ``tensorflow`` lines:
    ``{"tensorflow": ("tensorflow-cpu", "2.21.0")}``.
    """
    found: dict[str, tuple[str, str]] = {}
    for dist in distributions:
        for top in dist.top_level:
            canonical = ROOT_DISTRIBUTIONS.get(top)
            if canonical is not None and canonical not in found:
                found[canonical] = (dist.name, dist.version)
    return found


def worked_hint(module: str, name: str, installed: Mapping[str, tuple[str, str]]) -> str | None:
    """For a line that fails here: when it worked in the sampled releases, if it ever did.

    ``installed`` is :func:`installed_versions` of the target. ``None`` when the record has
    no such line or the line never worked in a sampled release.
    """
    try:
        line = load().line(module, name)
    except (OSError, ValueError, KeyError):
        return None
    if line is None or not line.worked:
        return None
    found = spans(line)
    here = installed.get(line.distribution)
    env = (
        f"this environment has {here[0]} {here[1]}"
        if here is not None
        else f"this environment has no {line.distribution}"
    )
    last = found[-1].last
    if here is not None and version_key(here[1]) > version_key(last):
        return f"worked up to {line.distribution} {last} (sampled); {env}"
    ranges = ", ".join(s.text for s in found)
    return f"worked in {line.distribution} {ranges} (sampled releases); {env}"
