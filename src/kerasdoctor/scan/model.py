"""The frozen data that ``kerasdoctor scan``'s static front produces.

Reading a codebase is split in two: this package reads files and extracts, without running or
importing anything, every Keras import, every name those imports bind, every attribute chain
used on those names and every ``try``/``except ImportError`` ladder around them. A later stage
turns the distinct questions (:mod:`kerasdoctor.scan.statements`) into probes and judges the
answers. Everything here is plain data so that it can cross a process-pool boundary.

Position convention, used by every :class:`Span` in this package: lines are 1-based;
columns are 1-based and counted in *characters* (code points) of the decoded text, not in
UTF-8 bytes as :mod:`ast` counts them; ``end_column`` is exclusive (the column just after the
last character), as in ruff's JSON and SARIF. ``start``/``end`` are 0-based character offsets
into the decoded text of the file (or of the notebook cell's joined ``source``), so
``text[start:end]`` is the statement as written. In notebooks ``line`` and ``column`` are
within the cell named by ``cell`` (0-based index into the notebook's ``cells`` array,
markdown cells included).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class FileStatus(str, enum.Enum):
    """What became of one file (or folder) named by the scan's inputs."""

    OK = "ok"
    UNPARSABLE = "unparsable"
    UNDECODABLE = "undecodable"
    SKIPPED = "skipped"


class FileKind(str, enum.Enum):
    """How a path is read: as Python source, as a Jupyter notebook, or not at all."""

    PYTHON = "py"
    NOTEBOOK = "ipynb"
    #: A folder that could not be listed: it is reported, never read.
    FOLDER = "folder"


class ImportKind(str, enum.Enum):
    """``import M`` or ``from M import N``."""

    IMPORT = "import"
    FROM = "from"


@dataclass(frozen=True)
class Span:
    """Where a statement or chain is; see the module docstring for the convention."""

    line: int
    column: int
    end_line: int
    end_column: int
    #: 0-based character offsets into the decoded text (the cell's text in notebooks).
    start: int
    end: int
    #: 0-based index into the notebook's ``cells`` array; None for a ``.py`` file.
    cell: int | None = None


@dataclass(frozen=True)
class LadderRef:
    """That a record sits in one branch of a ``try``/``except`` ladder.

    ``branch`` 0 is the ``try`` body (and its ``else``: both run only when nothing in the body
    raised); ``branch`` k >= 1 is the k-th ``except`` handler in source order.
    """

    ladder: int
    branch: int


@dataclass(frozen=True)
class Ladder:
    """A ``try`` statement whose handlers catch import failures and that holds Keras imports.

    A handler counts when it is bare or names ``ImportError``, ``ModuleNotFoundError``,
    ``Exception`` or ``BaseException`` (alone or in a tuple). ``handlers`` gives, per
    ``except`` clause in order, the exception names as written (``()`` for a bare ``except``)
    so that a judge can tell which failures fall through to which branch.
    """

    id: int
    span: Span
    handlers: tuple[tuple[str, ...], ...]
    #: The ladder this one is nested in (any branch), or None.
    parent: int | None


@dataclass(frozen=True)
class ImportRecord:
    """One imported name of one import statement that names a Keras root.

    ``import a, b`` gives two records; ``from m import (x, y as z)`` gives two. All records of
    one statement share ``statement`` (its ordinal in the file) and ``span``.
    ``from tensorflow import compat`` style imports that are not about Keras by themselves are
    recorded (with ``about_keras`` False) only when a Keras attribute chain is used on the name
    they bind, because that chain cannot work unless the import does.
    """

    kind: ImportKind
    #: ``M`` in ``import M`` / ``from M import N`` (no leading dots).
    module: str
    #: ``N`` in ``from M import N``; ``"*"`` for a star import; None for ``import M``.
    name: str | None
    alias: str | None
    #: Always 0 for recorded imports: relative imports name the user's own package, never a
    #: Keras root, and are not recorded. Kept so that consumers need not assume it.
    level: int
    #: The local name this import binds (``a`` for ``import a.b.c``), None for a star import.
    binds: str | None
    #: The dotted path the bound name stands for: ``a`` for ``import a.b.c``, ``a.b.c`` for
    #: ``import a.b.c as x``, ``m.n`` for ``from m import n``. None for a star import.
    target: str | None
    star: bool
    about_keras: bool
    #: Ordinal of the import statement in the file (notebooks: across cells), from 0.
    statement: int
    span: Span
    #: The whole statement's source as written (all its names, continuation lines included).
    text: str
    #: Enclosing ladders, outermost first.
    ladders: tuple[LadderRef, ...]
    #: "<module>" or the dotted name of the enclosing function (``Model.build``).
    scope: str

    @property
    def line_text(self) -> str:
        """The statement as one would write it for this name alone (for messages)."""
        if self.kind is ImportKind.IMPORT:
            suffix = f" as {self.alias}" if self.alias else ""
            return f"import {self.module}{suffix}"
        suffix = f" as {self.alias}" if self.alias else ""
        return f"from {self.module} import {self.name}{suffix}"


@dataclass(frozen=True)
class Binding:
    """A local name bound by an import (one of :class:`ImportRecord`'s ``binds``)."""

    name: str
    #: The dotted path the name stands for (see :attr:`ImportRecord.target`).
    target: str
    scope: str
    #: Index of the import record in :attr:`FileResult.imports`.
    import_index: int


@dataclass(frozen=True)
class ChainRecord:
    """An attribute chain used on an import-bound name, up to the call or subscript.

    ``tf.keras.layers.Dense(3)`` with ``import tensorflow as tf`` gives ``base`` "tf",
    ``attrs`` ("keras", "layers", "Dense"), ``path`` "tensorflow.keras.layers.Dense".
    When a name is bound by several imports (typically the branches of a ladder), the chain
    gives one record per binding, all with the same ``span``; ``import_index`` tells which.
    """

    base: str
    attrs: tuple[str, ...]
    #: The full dotted path the chain resolves to statically.
    path: str
    #: Index of the import record whose binding the chain uses.
    import_index: int
    span: Span
    #: The chain's source as written.
    text: str
    ladders: tuple[LadderRef, ...]
    scope: str

    @property
    def module(self) -> str:
        """Everything but the last component (``tensorflow.keras.layers``)."""
        return self.path.rpartition(".")[0]

    @property
    def attribute(self) -> str:
        """The last component (``Dense``)."""
        return self.path.rpartition(".")[2]


@dataclass(frozen=True)
class CellProblem:
    """A notebook code cell that was not read, and why (the other cells still are)."""

    cell: int
    status: FileStatus
    reason: str


@dataclass(frozen=True)
class SourceInfo:
    """What ``fix`` needs to write a ``.py`` file back byte-exact."""

    #: Codec name as Python resolved it (``utf-8``, ``iso-8859-1``...), without ``-sig``.
    encoding: str
    #: The file starts with a UTF-8 byte order mark (not part of the decoded text).
    bom: bool
    #: ``"\r\n"``, ``"\n"``, ``"\r"`` (the first line ending seen), or ``""`` for none.
    newline: str
    #: Re-encoding the decoded text (plus the BOM) gives the original bytes exactly.
    roundtrips: bool


@dataclass(frozen=True)
class FileResult:
    """Everything extracted from one file; ``status`` says whether anything could be."""

    #: The path as shown to the user (posix, relative when the argument was relative).
    path: str
    kind: FileKind
    status: FileStatus
    reason: str
    source: SourceInfo | None = None
    imports: tuple[ImportRecord, ...] = ()
    bindings: tuple[Binding, ...] = ()
    chains: tuple[ChainRecord, ...] = ()
    ladders: tuple[Ladder, ...] = ()
    #: Notebook code cells that were not read (cell magics, syntax errors).
    cell_problems: tuple[CellProblem, ...] = ()
