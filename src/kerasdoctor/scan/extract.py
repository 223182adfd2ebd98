"""Find Keras imports, the names they bind, and the attribute chains used on those names.

Pure and static: text in, records out (:mod:`kerasdoctor.scan.model`); nothing is imported
or run. Name resolution is deliberately simple but safe: a name counts as bound by an import
only in the scope (module, function, lambda, comprehension, class body) where an import binds
it, and a chain is dropped when that scope also binds the name any other way (an assignment,
a parameter, ``for``, ``with ... as``, ``except ... as``, ``del``, a ``def``/``class``, a
``global``/``nonlocal`` declaration). Flow is ignored: a name bound by several imports in one
scope (the branches of a ladder) gives one chain record per import, and the judge decides
which branch runs. The traversal is iterative, so a 5,000-term expression costs no recursion.

The walk is :mod:`kerasdoctor.scan.collect`, the scopes and raw records
:mod:`kerasdoctor.scan.scopes`; this module assembles their output into numbered records.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from kerasdoctor.scan.collect import _Collector
from kerasdoctor.scan.model import (
    Binding,
    ChainRecord,
    ImportRecord,
    Ladder,
    LadderRef,
)
from kerasdoctor.scan.scopes import (
    KERAS_PACKAGES,
    Unit,
    _in_effect,
    _RawChain,
    _relevant_root,
    _resolve,
    is_keras_path,
)

__all__ = ["KERAS_PACKAGES", "Extraction", "Unit", "extract_units", "is_keras_path"]


@dataclass(frozen=True)
class Extraction:
    """The records of one file, in source order; indices refer into ``imports``."""

    imports: tuple[ImportRecord, ...]
    bindings: tuple[Binding, ...]
    chains: tuple[ChainRecord, ...]
    ladders: tuple[Ladder, ...]


def _import_nodes(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, at any depth, visiting statement lists only (cheap)."""
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
            continue
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            value = getattr(node, field, None)
            if isinstance(value, list):
                stack.extend(value)


def _relevant_words(units: Sequence[Unit]) -> re.Pattern[str] | None:
    """A regex for the Keras roots and every name a Keras-relevant import binds; None if none.

    Every record the extraction can produce has one of these words on its lines: an import
    names its root, a chain starts with a bound name, and only a bound name can be shadowed.
    """
    names: set[str] = set()
    for unit in units:
        for node in _import_nodes(unit.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if _relevant_root(alias.name):
                        names.add(alias.asname or alias.name.split(".", 1)[0])
                        names.add(alias.name.split(".", 1)[0])
            elif node.level == 0 and _relevant_root(node.module or ""):
                names.add((node.module or "").split(".", 1)[0])
                names.update(a.asname or a.name for a in node.names if a.name != "*")
    if not names:
        return None
    return _words_regex(tuple(sorted(names)))


@functools.lru_cache(maxsize=512)
def _words_regex(names: tuple[str, ...]) -> re.Pattern[str]:
    # Files of one codebase import the same few names: compile each set once per process.
    alternatives = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
    return re.compile(rf"(?<![\w.])(?:{alternatives})(?!\w)")


def extract_units(units: Sequence[Unit]) -> Extraction:
    """Extract the records of one file from its units (one per ``.py`` file or code cell).

    The units of a notebook share one module namespace, as its cells do in a kernel: a name
    imported in one cell resolves in the others.
    """
    words = _relevant_words(units)
    if words is None:
        return Extraction((), (), (), ())
    collector = _Collector()
    for unit in units:
        collector.run(unit, words)

    # Resolve chains now that every binding of every scope is known.
    resolved: list[tuple[_RawChain, int, str]] = []
    needed: set[int] = set()
    for chain in collector.chains:
        candidates, same_scope = _resolve(chain.scope, chain.base, collector.module)
        chain_span = chain.position.span(chain.node)
        use = (chain_span.cell if chain_span.cell is not None else -1, chain_span.start)
        for index in _in_effect(candidates, collector.imports, use if same_scope else None):
            raw = collector.imports[index]
            if raw.target is None:
                continue
            path = ".".join((raw.target, *chain.attrs))
            if is_keras_path(path):
                resolved.append((chain, index, path))
                needed.add(index)

    kept = [i for i, raw in enumerate(collector.imports) if raw.about_keras or i in needed]

    def import_key(i: int) -> tuple[int, int, int]:
        raw = collector.imports[i]
        cell = raw.position.cell if raw.position.cell is not None else -1
        return (cell, raw.position.span(raw.node).start, raw.order)

    kept.sort(key=import_key)
    new_index = {old: new for new, old in enumerate(kept)}

    # Ladders that hold a kept import or chain, renumbered in source order.
    used_ladders: set[int] = set()
    for i in kept:
        used_ladders.update(ref.ladder for ref in collector.imports[i].ladders)
    for chain, _, _ in resolved:
        used_ladders.update(ref.ladder for ref in chain.ladders)

    def ladder_key(i: int) -> tuple[int, int]:
        raw = collector.ladders[i]
        cell = raw.position.cell if raw.position.cell is not None else -1
        return (cell, raw.position.span(raw.node).start)

    ladder_order = sorted(used_ladders, key=ladder_key)
    ladder_id = {old: new for new, old in enumerate(ladder_order)}

    def refs(ladders: tuple[LadderRef, ...]) -> tuple[LadderRef, ...]:
        return tuple(
            LadderRef(ladder_id[r.ladder], r.branch) for r in ladders if r.ladder in ladder_id
        )

    def parent_of(i: int) -> int | None:
        parent = collector.ladders[i].parent
        while parent is not None and parent not in ladder_id:
            parent = collector.ladders[parent].parent
        return ladder_id[parent] if parent is not None else None

    ladders = tuple(
        Ladder(
            ladder_id[i],
            collector.ladders[i].position.span(collector.ladders[i].node),
            collector.ladders[i].handlers,
            parent_of(i),
        )
        for i in ladder_order
    )

    statement_of: dict[tuple[int | None, int], int] = {}
    imports: list[ImportRecord] = []
    bindings: list[Binding] = []
    for new, old in enumerate(kept):
        raw = collector.imports[old]
        span = raw.position.span(raw.node)
        statement = statement_of.setdefault((span.cell, span.start), len(statement_of))
        imports.append(
            ImportRecord(
                kind=raw.kind,
                module=raw.module,
                name=raw.name,
                alias=raw.alias,
                level=0,
                binds=raw.binds,
                target=raw.target,
                star=raw.star,
                about_keras=raw.about_keras,
                statement=statement,
                span=span,
                text=raw.position.text[span.start : span.end],
                ladders=refs(raw.ladders),
                scope=raw.scope,
            )
        )
        if raw.binds is not None and raw.target is not None:
            bindings.append(Binding(raw.binds, raw.target, raw.scope, new))

    chains: list[ChainRecord] = []
    for chain, index, path in resolved:
        span = chain.position.span(chain.node)
        chains.append(
            ChainRecord(
                base=chain.base,
                attrs=chain.attrs,
                path=path,
                import_index=new_index[index],
                span=span,
                text=chain.position.text[span.start : span.end],
                ladders=refs(chain.ladders),
                scope=chain.scope.qualname,
            )
        )
    chains.sort(
        key=lambda c: (c.span.cell if c.span.cell is not None else -1, c.span.start, c.import_index)
    )
    return Extraction(tuple(imports), tuple(bindings), tuple(chains), ladders)
