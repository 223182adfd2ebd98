"""The static front of ``kerasdoctor scan``: find files, decode them, extract Keras imports.

Nothing here imports or runs the scanned code, and nothing probes: the stages are
:mod:`~kerasdoctor.scan.files` (which files), :mod:`~kerasdoctor.scan.source` and
:mod:`~kerasdoctor.scan.notebook` (decode, parse), :mod:`~kerasdoctor.scan.extract`
(records), :mod:`~kerasdoctor.scan.statements` (the distinct questions for the probe) and
:mod:`~kerasdoctor.scan.run` (all of it, in parallel).
"""

from __future__ import annotations

from kerasdoctor.scan.files import DEFAULT_MAX_BYTES, FoundFile, walk
from kerasdoctor.scan.model import (
    Binding,
    CellProblem,
    ChainRecord,
    FileKind,
    FileResult,
    FileStatus,
    ImportKind,
    ImportRecord,
    Ladder,
    LadderRef,
    SourceInfo,
    Span,
)
from kerasdoctor.scan.run import extract_bytes, extract_file, extract_paths
from kerasdoctor.scan.statements import (
    Chain,
    FromImport,
    ModuleImport,
    Question,
    distinct_questions,
    question_of,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Binding",
    "CellProblem",
    "Chain",
    "ChainRecord",
    "FileKind",
    "FileResult",
    "FileStatus",
    "FoundFile",
    "FromImport",
    "ImportKind",
    "ImportRecord",
    "Ladder",
    "LadderRef",
    "ModuleImport",
    "Question",
    "SourceInfo",
    "Span",
    "distinct_questions",
    "extract_bytes",
    "extract_file",
    "extract_paths",
    "question_of",
    "walk",
]
