"""Plan, apply and verify the rewrites of one source text in one call.

:func:`rewrite_source` is what the ``fix`` command calls per file (or per notebook cell):
every edit in its result has been checked by :mod:`kerasdoctor.fix.verify`, and each edited
region was re-parsed to confirm it binds exactly the promised names from the promised
modules. An edit that fails a check is dropped and reported; the others still apply.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

from kerasdoctor.fix.edits import (
    ChainRewrite,
    EditError,
    LineIndex,
    ModuleImportRewrite,
    PlannedEdit,
    Refusal,
    Rewrite,
    apply_edits,
    dotted,
    plan_edits,
)
from kerasdoctor.fix.verify import new_ranges, verify_edits


@dataclass(frozen=True)
class SourceRewrite:
    """The new text, the edits it contains, and the decisions that were not carried out."""

    text: str
    applied: tuple[PlannedEdit, ...]
    refused: tuple[Refusal, ...]

    @property
    def changed(self) -> bool:
        return bool(self.applied)


# (module, name, asname) of one name a from-import binds
Binding = tuple[str, str, Optional[str]]


def _is_subsequence(part: Sequence[object], whole: Sequence[object]) -> bool:
    rest = iter(whole)
    return all(any(x == y for y in rest) for x in part)


def _check_region(
    old: str,
    new: str,
    planned: PlannedEdit,
    new_range: tuple[int, int],
    feature_version: tuple[int, int] | None,
) -> str | None:
    """The edited region of ``new`` says exactly what the decision promised."""
    rw = planned.rewrite
    old_tree, new_tree = (
        ast.parse(old, feature_version=feature_version),
        ast.parse(new, feature_version=feature_version),
    )
    old_index, new_index = LineIndex(old), LineIndex(new)
    a, b = planned.edit.start, planned.edit.end
    c, d = new_range

    def inside(tree: ast.AST, index: LineIndex, lo: int, hi: int) -> list[ast.AST]:
        found = []
        for node in ast.walk(tree):
            where = index.range_of(node)
            if where and lo <= where[0] and where[1] <= hi:
                found.append(node)
        return found

    if isinstance(rw, ChainRewrite):
        chains = [n for n in inside(new_tree, new_index, c, d) if isinstance(n, ast.Attribute)]
        if not any(dotted(n) == rw.new and new_index.range_of(n) == (c, d) for n in chains):
            return f"the rewritten chain is not {rw.new}"
        return None
    if isinstance(rw, ModuleImportRewrite):
        got = [n for n in inside(new_tree, new_index, c, d) if isinstance(n, ast.Import)]
        olds = [n for n in inside(old_tree, old_index, a, b) if isinstance(n, ast.Import)]
        if len(got) != 1 or len(olds) != 1:
            return "the rewritten import is not one statement"
        names = [(x.name, x.asname) for x in olds[0].names]
        names[names.index((rw.module, rw.asname))] = (rw.new_module, rw.asname)
        if [(x.name, x.asname) for x in got[0].names] != names:
            return f"the rewritten statement does not import {rw.new_module}"
        return None
    old_stmts = [n for n in inside(old_tree, old_index, a, b) if isinstance(n, ast.ImportFrom)]
    new_stmts = [n for n in inside(new_tree, new_index, c, d) if isinstance(n, ast.stmt)]
    if len(old_stmts) != 1 or not all(isinstance(n, ast.ImportFrom) for n in new_stmts):
        return "the rewritten region is not only from-imports"
    moves = Counter((m.name, m.asname, m.new_module) for m in rw.moves)
    want: Counter[Binding] = Counter()
    for alias in old_stmts[0].names:
        key = next(
            (k for k in moves if moves[k] and (k[0], k[1]) == (alias.name, alias.asname)), None
        )
        if key is not None:
            moves[key] -= 1
            want[(key[2], alias.name, alias.asname)] += 1
        else:
            want[(rw.module, alias.name, alias.asname)] += 1
    got_from: Counter[Binding] = Counter()
    order_ok = True
    for stmt in new_stmts:
        assert isinstance(stmt, ast.ImportFrom)
        if stmt.level:
            return "the rewritten import became relative"
        order_ok = order_ok and _is_subsequence(
            [(x.name, x.asname) for x in stmt.names],
            [(x.name, x.asname) for x in old_stmts[0].names],
        )
        for alias in stmt.names:
            got_from[(stmt.module or "", alias.name, alias.asname)] += 1
    if got_from != want:
        return "the rewritten statements do not bind the promised names from the promised modules"
    if not order_ok:
        return "the rewritten statements changed the order of the names"
    return None


def rewrite_source(
    text: str,
    rewrites: Sequence[Rewrite],
    *,
    feature_version: tuple[int, int] | None = None,
) -> SourceRewrite:
    """Apply every decision that can be carried out and verified; report the rest.

    The result's text always parses and equals ``text`` outside the applied edits' spans.
    """
    plan = plan_edits(text, rewrites, feature_version=feature_version)
    refused = list(plan.refused)
    accepted: list[PlannedEdit] = []
    # Check each edit alone first, so that one bad edit does not cost the others.
    for planned in plan.edits:
        alone = apply_edits(text, [planned.edit])
        reason = verify_edits(text, alone, [planned.edit], feature_version=feature_version)
        if reason is None:
            ((_, new_range),) = new_ranges([planned.edit])
            try:
                reason = _check_region(text, alone, planned, new_range, feature_version)
            except (EditError, SyntaxError, ValueError) as exc:
                reason = f"cannot check the rewritten statement: {exc}"
        if reason is None:
            accepted.append(planned)
        else:
            refused.append(Refusal(planned.rewrite, reason))
    if not accepted:
        return SourceRewrite(text, (), tuple(refused))
    new = apply_edits(text, [p.edit for p in accepted])
    reason = verify_edits(text, new, [p.edit for p in accepted], feature_version=feature_version)
    if reason is not None:
        # Edits that pass alone but not together: refuse them all rather than guess.
        refused.extend(Refusal(p.rewrite, reason) for p in accepted)
        return SourceRewrite(text, (), tuple(refused))
    return SourceRewrite(new, tuple(accepted), tuple(refused))
