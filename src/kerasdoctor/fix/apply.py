"""From a scan's diagnostics to one file's new bytes: choose, convert, apply, verify (pure).

The scan gives each fixable diagnostic a :class:`~kerasdoctor.scan.diagnostics.CodeFix` with
exact text edits in scan coordinates (1-based lines, 1-based character columns). This module
turns them into offset edits of the file's decoded text (or a notebook cell's source), merges
the identical edits several diagnostics share (two failing names of one statement), refuses
edits that conflict, checks each diagnostic's edits alone and then all together with
:func:`kerasdoctor.fix.verify.verify_edits` (the result parses and its syntax tree equals the
original's outside the edits), and splices the survivors into the original bytes with
:mod:`kerasdoctor.fix.textio` or :mod:`kerasdoctor.fix.notebook`.

It also says which *new* lines the accepted edits introduce (:class:`NewLine`), with the
object each must resolve to; probing them is the orchestrator's job
(:mod:`kerasdoctor.pipeline_fix`), which calls :func:`plan_file` again with the diagnostics
whose lines failed listed in ``rejected``. Nothing here reads or writes a file.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kerasdoctor.fix.diff import notebook_diff, unified_diff
from kerasdoctor.fix.edits import EditError, LineIndex, TextEdit, apply_edits, dotted
from kerasdoctor.fix.notebook import CellEdit, NotebookError, mask_magics, read_cells
from kerasdoctor.fix.notebook import rewrite_notebook as splice_notebook
from kerasdoctor.fix.report import AppliedEdit, CellChange, FileFix, FixStatus, Refusal
from kerasdoctor.fix.textio import SourceDecodeError, decode_source, encode_edits
from kerasdoctor.fix.verify import new_ranges, verify_edits
from kerasdoctor.scan.diagnostics import Applicability, Diagnostic, ScanReport

UNSAFE_REASON = "unsafe fix (it changes the Keras implementation): run with --unsafe-fixes"


def select(
    report: ScanReport, *, unsafe: bool
) -> tuple[tuple[Diagnostic, ...], tuple[Refusal, ...]]:
    """The diagnostics ``fix`` will try, and why each other one with a replacement is not tried.

    A diagnostic without any ``fix`` stays a diagnostic with no reason here (its message
    already says what to do).
    """
    chosen: list[Diagnostic] = []
    skipped: list[Refusal] = []
    for diagnostic in report.diagnostics:
        fix = diagnostic.fix
        if fix is None:
            continue
        if not fix.edits:
            skipped.append(Refusal(diagnostic, fix.note or "no edit is known for this line"))
        elif fix.applicability is Applicability.UNSAFE and not unsafe:
            skipped.append(Refusal(diagnostic, UNSAFE_REASON))
        else:
            chosen.append(diagnostic)
    return tuple(chosen), tuple(skipped)


@dataclass(frozen=True)
class NewLine:
    """A line an edit introduces, as the probe runs it in a fresh interpreter.

    ``kind`` "from": ``from module import name``; "import": ``import module`` (the object is
    the module); "chain": the base import (``from module import name``, or ``import module``
    when ``name`` is empty, binding ``bound``) then each of ``attrs`` read in turn, which is
    what ``tf.keras.layers.X`` does after ``import tensorflow as tf``.
    """

    kind: str
    module: str
    name: str = ""
    attrs: tuple[str, ...] = ()
    bound: str = ""

    @property
    def text(self) -> str:
        """What a fresh ``python -c`` runs (shown in reasons)."""
        if self.kind == "from":
            return f"from {self.module} import {self.name}"
        if self.kind == "import":
            return f"import {self.module}"
        base = f"from {self.module} import {self.name}" if self.name else f"import {self.module}"
        head = self.name or self.bound
        if not self.name and self.bound != self.module.split(".", 1)[0]:
            return f"import {self.module} as _kd; " + ".".join(("_kd", *self.attrs))
        return f"{base}; " + ".".join((head, *self.attrs))

    @property
    def as_from(self) -> NewLine | None:
        """The same object reached as ``from M import N`` (for probes that only run those)."""
        if self.kind == "from":
            return self
        if self.kind == "import":
            path = self.module
        elif self.name:
            path = ".".join((self.module, self.name, *self.attrs))
        else:
            path = ".".join((self.bound, *self.attrs))
        module, _, name = path.rpartition(".")
        return NewLine("from", module, name) if module else None


@dataclass(frozen=True)
class LineCheck:
    """What the probe must confirm for one diagnostic: each new line works, and ``promised``
    (when set) resolves to the diagnostic's ``resolves_to``."""

    diagnostic: Diagnostic
    lines: tuple[NewLine, ...]
    promised: NewLine | None
    resolves_to: str | None


@dataclass(frozen=True)
class FilePlan:
    """The file's outcome before any write, and the new lines still to be probed."""

    fix: FileFix
    checks: tuple[LineCheck, ...]


@dataclass(frozen=True)
class _Group:
    """The edits of one diagnostic, converted to offsets of the text they apply to."""

    diagnostic: Diagnostic
    cell: int | None
    edits: tuple[TextEdit, ...]


def _offset(index: LineIndex, line: int, column: int) -> int:
    if not 1 <= line <= len(index.starts):
        raise EditError(f"line {line} is outside the text")
    start = index.starts[line - 1]
    stop = index.starts[line] if line < len(index.starts) else len(index.text)
    if not 1 <= column <= stop - start + 1:
        raise EditError(f"column {column} is outside line {line}")
    return start + column - 1


def _location_text(text: str, diagnostic: Diagnostic) -> str:
    where = diagnostic.location
    index = LineIndex(text)
    return text[
        _offset(index, where.line, where.column) : _offset(index, where.end_line, where.end_column)
    ]


def _convert(text: str, diagnostic: Diagnostic) -> tuple[TextEdit, ...]:
    assert diagnostic.fix is not None
    index = LineIndex(text)
    out = []
    for edit in diagnostic.fix.edits:
        start = _offset(index, edit.line, edit.column)
        end = _offset(index, edit.end_line, edit.end_column)
        if end < start:
            raise EditError(f"edit at line {edit.line} ends before it starts")
        if text[start:end] != edit.new_text:  # an edit that changes nothing is no edit
            out.append(TextEdit(start, end, edit.new_text))
    return tuple(out)


def _overlap(a: TextEdit, b: TextEdit) -> bool:
    if a == b:
        return False
    return (a.start < b.end and b.start < a.end) or (a.start == b.start and a.end == b.end)


def _where(diagnostic: Diagnostic) -> str:
    loc = diagnostic.location
    return f"{diagnostic.code} at line {loc.line}"


def _accept(
    text: str, parse_text: str, groups: Sequence[_Group]
) -> tuple[list[_Group], list[Refusal]]:
    """Groups whose edits verify alone, do not conflict, and verify all together.

    ``parse_text`` is the text that is parsed (a notebook cell with its magics blanked); the
    edits must not touch what differs between the two.
    """
    refused: list[Refusal] = []
    ok: list[_Group] = []
    for group in groups:
        clash = next(
            (
                other
                for other in groups
                if other is not group
                and any(_overlap(a, b) for a in group.edits for b in other.edits)
            ),
            None,
        )
        if clash is not None:
            refused.append(
                Refusal(
                    group.diagnostic,
                    f"its edit conflicts with the fix of {_where(clash.diagnostic)}",
                )
            )
            continue
        if any(parse_text[e.start : e.end] != text[e.start : e.end] for e in group.edits):
            refused.append(Refusal(group.diagnostic, "the statement touches an IPython magic"))
            continue
        try:
            alone = apply_edits(parse_text, group.edits)
        except EditError as exc:
            refused.append(Refusal(group.diagnostic, f"the edits cannot be applied: {exc}"))
            continue
        reason = verify_edits(parse_text, alone, group.edits)
        if reason is not None:
            refused.append(Refusal(group.diagnostic, reason))
            continue
        ok.append(group)
    edits = _distinct(ok)
    if edits:
        together = verify_edits(parse_text, apply_edits(parse_text, edits), edits)
        if together is not None:
            refused.extend(Refusal(g.diagnostic, together) for g in ok)
            ok = []
    return ok, refused


def _distinct(groups: Iterable[_Group]) -> tuple[TextEdit, ...]:
    seen: dict[TextEdit, None] = {}
    for group in groups:
        for edit in group.edits:
            seen.setdefault(edit, None)
    return tuple(sorted(seen, key=lambda e: (e.start, e.end)))


# --- new lines -------------------------------------------------------------------------------


#: a bound name -> the line that binds it: ("import", module, bound) or ("from", module, name)
Binding = tuple[str, str, str]


def _bindings(tree: ast.AST) -> dict[str, Binding]:
    """Name -> how the file's imports bind it (the last import of the name wins)."""
    out: dict[str, Binding] = {}
    nodes = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    for node in sorted(nodes, key=lambda n: (n.lineno, n.col_offset)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    out[alias.asname] = ("import", alias.name, alias.name)
                else:
                    top = alias.name.split(".")[0]
                    out[top] = ("import", alias.name, top)
        elif not node.level and node.module:
            for alias in node.names:
                if alias.name != "*":
                    out[alias.asname or alias.name] = ("from", node.module, alias.name)
    return out


def _chain_line(chain: str, bindings: Mapping[str, Binding]) -> NewLine | None:
    base, *attrs = chain.split(".")
    if base not in bindings or not attrs:
        return None
    kind, module, third = bindings[base]
    if kind == "from":
        return NewLine("chain", module, third, tuple(attrs))
    return NewLine("chain", module, "", tuple(attrs), third)


def _lines_of(nodes: Iterable[ast.AST], bindings: Mapping[str, Binding]) -> list[NewLine]:
    out: list[NewLine] = []
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.extend(NewLine("from", node.module, a.name) for a in node.names if a.name != "*")
        elif isinstance(node, ast.Import):
            out.extend(NewLine("import", a.name) for a in node.names)
        elif isinstance(node, ast.Attribute):
            name = dotted(node)
            line = _chain_line(name, bindings) if name else None
            if line is not None:
                out.append(line)
    return out


def _promised(replacement: str, bindings: Mapping[str, Binding]) -> NewLine | None:
    """The line a diagnostic's replacement stands for (one name), if it can be read."""
    try:
        tree = ast.parse(replacement.strip())
    except (SyntaxError, ValueError):
        return None
    body = tree.body
    if len(body) != 1:
        return None
    node = body[0]
    if isinstance(node, ast.Expr):
        lines = _lines_of([node.value], bindings)
    else:
        lines = _lines_of([node], bindings)
    return lines[0] if len(lines) == 1 else None


def _outer_chains(tree: ast.AST) -> list[tuple[str, ast.Attribute]]:
    """Every dotted chain ``a.b.c`` that is not itself the start of a longer chain."""
    inner = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and id(node) not in inner:
            name = dotted(node)
            if name is not None:
                out.append((name, node))
    return out


def _checks(
    old_text: str, new_text: str, groups: Sequence[_Group], edits: Sequence[TextEdit]
) -> list[LineCheck]:
    """The new lines each accepted diagnostic's edits put in ``new_text``.

    Besides the rewritten statements and chains themselves, a name that an edited import now
    binds to another object (``import keras.layers.normalization as norm`` becoming
    ``import keras.layers as norm``) changes every chain the file uses on it
    (``norm.BatchNormalization``): those chains are new lines too.
    """
    try:
        tree = ast.parse(new_text)
        old_bindings = _bindings(ast.parse(old_text))
    except (SyntaxError, ValueError):  # verified before: cannot happen, but never guess
        return []
    bindings = _bindings(tree)
    rebound = {n for n, b in bindings.items() if old_bindings.get(n, b) != b}
    chains = _outer_chains(tree)
    index = LineIndex(new_text)
    placed = dict(new_ranges(edits))
    spans: list[tuple[tuple[int, int], ast.AST]] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.Attribute)):
            where = index.range_of(node)
            if where is not None:
                spans.append((where, node))
    out: list[LineCheck] = []
    for group in groups:
        nodes: list[ast.AST] = []
        for edit in group.edits:
            lo, hi = placed[(edit.start, edit.end)]
            inside = [(w, n) for w, n in spans if lo <= w[0] and w[1] <= hi]
            # The outermost chain only: tf.keras.layers.X, not tf.keras.layers as well.
            for w, n in inside:
                if isinstance(n, ast.Attribute) and any(
                    v != w and v[0] <= w[0] and w[1] <= v[1] and isinstance(m, ast.Attribute)
                    for v, m in inside
                ):
                    continue
                nodes.append(n)
        names = {
            alias.asname or alias.name.split(".")[0]
            for n in nodes
            if isinstance(n, (ast.Import, ast.ImportFrom))
            for alias in n.names
        }
        nodes += [n for chain, n in chains if chain.split(".")[0] in names & rebound]
        lines = tuple(dict.fromkeys(_lines_of(nodes, bindings)))
        fix = group.diagnostic.fix
        assert fix is not None
        promised = _promised(fix.replacement, bindings)
        if promised is not None and promised not in lines:
            lines = (*lines, promised)
        out.append(LineCheck(group.diagnostic, lines, promised, fix.resolves_to))
    return out


# --- files -----------------------------------------------------------------------------------


def _applied(
    text: str, groups: Sequence[_Group], edits: Sequence[TextEdit], cell: int | None
) -> list[AppliedEdit]:
    index = LineIndex(text)

    def position(offset: int) -> tuple[int, int]:
        line = max(i for i, s in enumerate(index.starts) if s <= offset)
        return line + 1, offset - index.starts[line] + 1

    out = []
    for edit in edits:
        (line, column), (end_line, end_column) = position(edit.start), position(edit.end)
        fixed = tuple(g.diagnostic for g in groups if edit in g.edits)
        out.append(
            AppliedEdit(
                cell,
                line,
                column,
                end_line,
                end_column,
                text[edit.start : edit.end],
                edit.new_text,
                fixed,
            )
        )
    return out


def _prepare(
    text: str,
    diagnostics: Sequence[Diagnostic],
    cell: int | None,
    rejected: Mapping[Diagnostic, str],
) -> tuple[list[_Group], list[Refusal], bool]:
    """Groups to try, refusals, and whether the text is not what the scan read."""
    groups: list[_Group] = []
    refused: list[Refusal] = []
    stale = False
    for diagnostic in diagnostics:
        if diagnostic in rejected:
            refused.append(Refusal(diagnostic, rejected[diagnostic]))
            continue
        try:
            seen = _location_text(text, diagnostic)
        except EditError:
            seen = None
        if seen is None or diagnostic.statement not in seen:
            # The statement is not where the scan saw it: the file is not what was scanned.
            # (Containment, not equality: a ladder's diagnostic spans the whole ``try`` and
            # names its first statement.)
            stale = True
            refused.append(Refusal(diagnostic, "the file changed since it was scanned"))
            continue
        try:
            edits = _convert(text, diagnostic)
        except EditError as exc:
            refused.append(Refusal(diagnostic, f"the edit does not fit the file: {exc}"))
            continue
        if edits:
            groups.append(_Group(diagnostic, cell, edits))
        else:
            refused.append(Refusal(diagnostic, "the line already reads as its replacement"))
    return groups, refused, stale


def _status(applied: bool, refused: Sequence[Refusal], stale: bool) -> FixStatus:
    if applied:
        return FixStatus.CHANGED
    if stale:
        return FixStatus.CHANGED_SINCE_SCAN
    return FixStatus.REFUSED if refused else FixStatus.UNCHANGED


def plan_python(
    path: str,
    data: bytes,
    diagnostics: Sequence[Diagnostic],
    rejected: Mapping[Diagnostic, str] | None = None,
) -> FilePlan:
    """Plan the fixes of a ``.py`` file from its bytes (as read now; compared to the scan)."""
    try:
        source = decode_source(data)
    except SourceDecodeError as exc:
        return FilePlan(
            FileFix(
                path,
                FixStatus.REFUSED,
                refused=tuple(Refusal(d, str(exc)) for d in diagnostics),
                reason=str(exc),
            ),
            (),
        )
    text = source.text
    groups, refused, stale = _prepare(text, diagnostics, None, rejected or {})
    if stale:
        # Part of the file is not what the scan read: no edit of it can be trusted.
        refused = [Refusal(d, "the file changed since it was scanned") for d in diagnostics]
        reason = "the file changed since it was scanned; run fix again"
        return FilePlan(
            FileFix(path, FixStatus.CHANGED_SINCE_SCAN, refused=tuple(refused), reason=reason), ()
        )
    ok, more = _accept(text, text, groups)
    refused.extend(more)
    edits = _distinct(ok)
    if not edits:
        return FilePlan(FileFix(path, _status(False, refused, stale), refused=tuple(refused)), ())
    new_text = apply_edits(text, edits)
    try:
        new_data = encode_edits(source, edits)
    except (SourceDecodeError, EditError) as exc:
        refused.extend(Refusal(g.diagnostic, str(exc)) for g in ok)
        return FilePlan(
            FileFix(path, FixStatus.REFUSED, refused=tuple(refused), reason=str(exc)), ()
        )
    fix = FileFix(
        path,
        FixStatus.CHANGED,
        edits=tuple(_applied(text, ok, edits, None)),
        refused=tuple(refused),
        diff=unified_diff(text, new_text, path),
        new_data=new_data,
    )
    return FilePlan(fix, tuple(_checks(text, new_text, ok, edits)))


def plan_notebook(
    path: str,
    data: bytes,
    diagnostics: Sequence[Diagnostic],
    rejected: Mapping[Diagnostic, str] | None = None,
) -> FilePlan:
    """Plan the fixes of a notebook: only the ``source`` of edited code cells changes."""
    try:
        cells = read_cells(data)
    except NotebookError as exc:
        unread = tuple(Refusal(d, str(exc)) for d in diagnostics)
        return FilePlan(FileFix(path, FixStatus.REFUSED, refused=unread, reason=str(exc)), ())
    by_cell: dict[int, list[Diagnostic]] = {}
    refused: list[Refusal] = []
    for diagnostic in diagnostics:
        n = diagnostic.location.cell
        if n is None or not 0 <= n < len(cells) or cells[n].cell_type != "code":
            refused.append(Refusal(diagnostic, f"cell {n} is not a code cell of this notebook"))
        else:
            by_cell.setdefault(n, []).append(diagnostic)
    applied: list[AppliedEdit] = []
    checks: list[LineCheck] = []
    cell_edits: list[CellEdit] = []
    changes: list[CellChange] = []
    stale = False
    for n, found in sorted(by_cell.items()):
        source = cells[n].source
        masked = mask_magics(source)
        groups, more, stale_cell = _prepare(source, found, n, rejected or {})
        stale = stale or stale_cell
        refused.extend(more)
        ok, more = _accept(source, masked, groups)
        refused.extend(more)
        edits = _distinct(ok)
        if not edits:
            continue
        applied.extend(_applied(source, ok, edits, n))
        checks.extend(_checks(masked, apply_edits(masked, edits), ok, edits))
        cell_edits.append(CellEdit(n, edits))
        changes.append(CellChange(n, source, apply_edits(source, edits)))
    if stale:
        refused = [Refusal(d, "the file changed since it was scanned") for d in diagnostics]
        reason = "the file changed since it was scanned; run fix again"
        return FilePlan(
            FileFix(path, FixStatus.CHANGED_SINCE_SCAN, refused=tuple(refused), reason=reason), ()
        )
    if not cell_edits:
        return FilePlan(FileFix(path, _status(False, refused, False), refused=tuple(refused)), ())
    try:
        new_data = splice_notebook(data, cell_edits)
    except NotebookError as exc:
        refused.extend(Refusal(d, str(exc)) for e in applied for d in e.diagnostics)
        return FilePlan(
            FileFix(path, FixStatus.REFUSED, refused=tuple(refused), reason=str(exc)), ()
        )
    fix = FileFix(
        path,
        FixStatus.CHANGED,
        edits=tuple(applied),
        refused=tuple(refused),
        diff=notebook_diff(path, [(c.cell, c.old_source, c.new_source) for c in changes]),
        new_data=new_data,
        cells=tuple(changes),
    )
    return FilePlan(fix, tuple(checks))


def plan_file(
    path: str,
    data: bytes,
    diagnostics: Sequence[Diagnostic],
    rejected: Mapping[Diagnostic, str] | None = None,
) -> FilePlan:
    """:func:`plan_notebook` for notebooks (or cell diagnostics), else :func:`plan_python`."""
    notebook = path.endswith(".ipynb") or any(d.location.cell is not None for d in diagnostics)
    return (plan_notebook if notebook else plan_python)(path, data, diagnostics, rejected)
