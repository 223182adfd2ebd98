"""The catalogue stage: every import line that could give a symbol, as data.

Known locations live in ``data/symbols.json`` (generated from real installs of each Keras
generation by ``scripts/gen_catalogue.py``, plus hand-curated historic lines); lines found
in the installed packages' sources are added by :mod:`kerasdoctor.catalogue.discover`.
A candidate is always (module, name), never a string of code.
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from kerasdoctor.errors import UsageError
from kerasdoctor.models import ROOTS, Candidate, Origin, is_dotted_name


@dataclass(frozen=True)
class SymbolEntry:
    """What the catalogue knows of one public name."""

    name: str
    public: Mapping[str, tuple[str, ...]]  # root -> sub-namespaces ("" is the root itself)
    legacy: tuple[str, ...]  # full module paths that worked in some generation
    use: Mapping[str, Any] | None = None  # how to check it is usable (see probe payload)


@dataclass(frozen=True)
class Catalogue:
    """All known symbols, by name."""

    symbols: Mapping[str, SymbolEntry]

    def get(self, name: str) -> SymbolEntry | None:
        return self.symbols.get(name)

    def close_matches(self, name: str, limit: int = 3) -> list[str]:
        """Names a typo probably meant: case-insensitive first, then difflib's ratio."""
        lowered = {n.lower(): n for n in self.symbols}
        exact_case = lowered.get(name.lower())
        found = [exact_case] if exact_case and exact_case != name else []
        for match in difflib.get_close_matches(name.lower(), list(lowered), n=limit, cutoff=0.75):
            original = lowered[match]
            if original not in found and original != name:
                found.append(original)
        return found[:limit]


@dataclass(frozen=True)
class SymbolRequest:
    """A symbol as the user typed it: ``Dense`` or ``keras.layers.Dense``."""

    text: str
    name: str
    module: str | None = None  # set when the user named a full path

    @property
    def user_candidate(self) -> Candidate | None:
        if self.module is None:
            return None
        return Candidate(self.name, self.module, self.name, Origin.USER)


def parse_symbol(text: str) -> SymbolRequest:
    """Validate one command-line symbol; raise :class:`UsageError` with a clear reason."""
    stripped = text.strip()
    if not stripped:
        raise UsageError("empty symbol: name a Keras symbol such as BatchNormalization")
    if not is_dotted_name(stripped):
        raise UsageError(
            f"invalid symbol {text!r}: expected a Python name such as BatchNormalization "
            "or a dotted path such as keras.layers.BatchNormalization"
        )
    module, _, name = stripped.rpartition(".")
    return SymbolRequest(stripped, name, module or None)


def parse_symbols(text: str) -> tuple[SymbolRequest, ...]:
    """One command-line argument: a symbol, a dotted path, or an import line as pasted.

    ``from keras.layers import Dense, Conv2D as C`` asks about ``keras.layers.Dense`` and
    ``keras.layers.Conv2D`` (aliases do not matter; parentheses and a trailing ``;`` or
    comment are allowed). ``import keras.layers.Dense`` is refused with the line that
    works instead: ``import`` takes a module, never a class or a function.
    """
    # One line, however it was pasted (a parenthesised import spans several).
    stripped = " ".join(text.split("#", 1)[0].split()).rstrip(";").strip()
    words = stripped.split()
    if words[:1] == ["from"]:
        return _parse_from(stripped)
    if words[:1] == ["import"]:
        raise UsageError(_import_statement_message(stripped))
    return (parse_symbol(text),)


def _parse_from(stripped: str) -> tuple[SymbolRequest, ...]:
    head, sep, names = stripped[len("from") :].partition(" import ")
    module = head.strip()
    names = names.strip()
    if names.startswith("(") and names.endswith(")"):
        names = names[1:-1]
    parts = [p.strip() for p in names.split(",") if p.strip()]
    if not sep or not parts or not is_dotted_name(module):
        raise UsageError(
            f"invalid import line {stripped!r}: expected 'from MODULE import NAME' "
            "such as 'from keras.layers import BatchNormalization'"
        )
    requests = []
    for part in parts:
        name, *alias = part.split()
        if (
            not is_dotted_name(name)
            or "." in name
            or (alias and (len(alias) != 2 or alias[0] != "as" or not is_dotted_name(alias[1])))
        ):
            raise UsageError(
                f"invalid import line {stripped!r}: name each symbol "
                f"('from {module} import NAME'), not {part!r}"
            )
        requests.append(parse_symbol(f"{module}.{name}"))
    return tuple(requests)


def _import_statement_message(stripped: str) -> str:
    target = stripped[len("import") :].split(",", maxsplit=1)[0].split()
    dotted = target[0] if target else ""
    module, _, name = dotted.rpartition(".")
    if module and is_dotted_name(dotted) and name[:1].isupper():
        return (
            f"{stripped!r} cannot import {name}: 'import' takes a module, and {name} is a "
            f"name inside {module}; ask about 'from {module} import {name}' instead"
        )
    return (
        f"{stripped!r} imports a module, and kerasdoctor checks a symbol: name one such as "
        "BatchNormalization, or paste a 'from MODULE import NAME' line"
    )


@functools.lru_cache(maxsize=1)
def load() -> Catalogue:
    """The packaged catalogue (read once per process)."""
    text = resources.files("kerasdoctor.catalogue").joinpath("data/symbols.json").read_text("utf-8")
    return from_json(json.loads(text))


def from_json(data: Mapping[str, Any]) -> Catalogue:
    """Build a :class:`Catalogue` from the data file's format (format 1)."""
    if data.get("format") != 1:
        raise ValueError(f"unsupported catalogue format {data.get('format')!r}")
    symbols: dict[str, SymbolEntry] = {}
    for name, raw in data["symbols"].items():
        public = {
            root: tuple(str(sub) for sub in subs)
            for root, subs in (raw.get("public") or {}).items()
            if root in ROOTS
        }
        symbols[name] = SymbolEntry(
            name=name,
            public=public,
            legacy=tuple(str(m) for m in raw.get("legacy", ())),
            use=raw.get("use"),
        )
    return Catalogue(symbols)


@dataclass(frozen=True)
class CandidateSet:
    """The candidates for one requested symbol, public lines first."""

    request: SymbolRequest
    entry: SymbolEntry | None
    candidates: tuple[Candidate, ...] = field(default=())


def build_candidates(
    request: SymbolRequest,
    entry: SymbolEntry | None,
    discovered: Iterable[str] = (),
) -> CandidateSet:
    """Every line worth trying for ``request``, deduplicated, in display order.

    Order: the user's own line, public lines by root (tensorflow.keras, keras, tf_keras,
    keras_core), legacy lines, then modules discovered in the installed sources.
    """
    name = request.name
    seen: set[str] = set()
    out: list[Candidate] = []

    def add(module: str, origin: Origin, root: str | None = None) -> None:
        if module in seen or not is_dotted_name(module):
            return
        seen.add(module)
        out.append(Candidate(request.name, module, name, origin, root))

    public: dict[str, str] = {}  # public module -> its root
    if entry is not None:
        for root in ROOTS:
            for sub in entry.public.get(root, ()):
                public.setdefault(f"{root}.{sub}" if sub else root, root)
    if request.module is not None:
        # The user's own line keeps its root when it is a public line, so the choice treats
        # it as the public line it is.
        add(request.module, Origin.USER, public.get(request.module))
    for module, root in public.items():
        add(module, Origin.PUBLIC, root)
    if entry is not None:
        for module in entry.legacy:
            add(module, Origin.LEGACY)
    for module in discovered:
        add(module, Origin.DISCOVERED)
    return CandidateSet(request, entry, tuple(out))


def unknown_symbol_message(request: SymbolRequest, catalogue: Catalogue) -> str:
    """One line for a name that no generation and no installed package defines."""
    hint = catalogue.close_matches(request.name)
    message = (
        f"unknown symbol {request.text!r}: not a public name of any Keras generation "
        "kerasdoctor knows, and not defined by the installed packages"
    )
    if hint:
        message += "; did you mean " + " or ".join(hint) + "?"
    return message
