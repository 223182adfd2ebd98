"""A stand-in for ``api.scan`` in unit tests of ``fix``: rules applied to the files as they are.

Each :class:`Rule` says "where this exact text appears, report this code with this fix". The
fake reads the real files in ``tmp_path`` every time it is called, so a second run after a
``--write`` sees the rewritten file and reports nothing for a fixed line (idempotence is then
a property of the real files, not of a canned answer). Diagnostics, edits and positions are
the real data model, in scan's coordinates (1-based lines and character columns).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from helpers.factories import target
from kerasdoctor.fix.notebook import read_cells
from kerasdoctor.fix.textio import decode_source
from kerasdoctor.models import Candidate, Origin, ProbeOutcome, Resolved, Severity, Status
from kerasdoctor.scan.diagnostics import (
    Applicability,
    CodeFix,
    Diagnostic,
    FileState,
    Location,
    ScannedFile,
    ScanReport,
    TextEdit,
)


@dataclass(frozen=True)
class Rule:
    old: str  # the statement or chain as written
    new: str  # what replaces it (the whole span)
    resolves_to: str | None = (
        "keras.src.layers.normalization.batch_normalization:BatchNormalization"
    )
    applicability: Applicability = Applicability.SAFE
    code: str = "KD501"
    replacement: str | None = None  # default: new
    edits: bool = True  # False: a replacement is known but no edit (a ladder, say)


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and character column of ``offset`` (lines end at \\n)."""
    line = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    return line, offset - start + 1


def diagnostics_for(
    text: str, path: str, rules: Sequence[Rule], cell: int | None = None
) -> list[Diagnostic]:
    out = []
    for rule in rules:
        start = text.find(rule.old)
        while start != -1:
            end = start + len(rule.old)
            (line, column), (end_line, end_column) = position(text, start), position(text, end)
            edits = (TextEdit(line, column, end_line, end_column, rule.new),) if rule.edits else ()
            fix = CodeFix(
                rule.applicability,
                rule.replacement or rule.new,
                rule.resolves_to,
                edits,
                None
                if rule.edits
                else "a try/except ladder with a working branch is not rewritten",
            )
            severity = Severity.ERROR if rule.code in ("KD501", "KD502") else Severity.WARNING
            out.append(
                Diagnostic(
                    rule.code,
                    "import-fails",
                    severity,
                    Location(path, cell, line, column, end_line, end_column),
                    rule.old,
                    f"`{rule.old}` fails here",
                    fix,
                )
            )
            start = text.find(rule.old, end)
    return out


def fake_scan(root: Path, rules: Mapping[str, Sequence[Rule]]):  # type: ignore[no-untyped-def]
    """A scan function: ``rules`` maps a file name under ``root`` to its rules."""

    def scan(**arguments: object) -> ScanReport:
        files: list[ScannedFile] = []
        found: list[Diagnostic] = []
        for name, file_rules in rules.items():
            data = (root / name).read_bytes()
            files.append(ScannedFile(name, FileState.OK))
            if name.endswith(".ipynb"):
                for cell in read_cells(data):
                    if cell.cell_type == "code":
                        found += diagnostics_for(cell.source, name, file_rules, cell.index)
            else:
                try:
                    text = decode_source(data).text
                except ValueError:
                    continue
                found += diagnostics_for(text, name, file_rules)
        return ScanReport("0", target(), str(root), tuple(files), tuple(found), ())

    return scan


def confirmer(identities: Mapping[str, str | None]):  # type: ignore[no-untyped-def]
    """A fake probe: ``identities`` maps a line's text to what it gives (None: fails).

    Lines not listed fail with ModuleNotFoundError, as a line nobody checked must.
    Records every line it was asked about in ``confirm.asked``.
    """
    asked: list[str] = []

    def confirm(tgt, lines):  # type: ignore[no-untyped-def]
        out = {}
        for line in lines:
            asked.append(line.text)
            identity = identities.get(line.text)
            plain = line.as_from
            assert plain is not None
            candidate = Candidate(plain.name, plain.module, plain.name, Origin.USER)
            if identity is None:
                from kerasdoctor.models import ErrorInfo

                out[line] = ProbeOutcome(
                    candidate,
                    Status.IMPORT_ERROR,
                    0.1,
                    error=ErrorInfo("ModuleNotFoundError", f"No module named '{line.module}'"),
                )
            else:
                module, _, qualname = identity.partition(":")
                kind = "class" if qualname else "module"
                out[line] = ProbeOutcome(
                    candidate, Status.OK, 0.1, resolved=Resolved(kind, module, qualname, None)
                )
        return out

    confirm.asked = asked  # type: ignore[attr-defined]
    return confirm
