"""The distinct questions a scan asks the target: each import and chain once, whatever the count.

A codebase with 500 files that all say ``from keras.layers import Dense`` asks one question.
A question carries exactly what a probe needs and nothing about where it was seen; map a
record to its question with :func:`question_of` to attach the answer back to every place.
Star imports are reported, not judged, and ask nothing; relative imports are never recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Union

from kerasdoctor.scan.model import ChainRecord, FileResult, ImportKind, ImportRecord


@dataclass(frozen=True, order=True)
class ModuleImport:
    """``import M`` (or ``import M as X``: the same import, the same success or failure)."""

    module: str

    @property
    def line(self) -> str:
        """The statement a fresh interpreter runs."""
        return f"import {self.module}"


@dataclass(frozen=True, order=True)
class FromImport:
    """``from M import N``."""

    module: str
    name: str

    @property
    def line(self) -> str:
        """The statement a fresh interpreter runs."""
        return f"from {self.module} import {self.name}"


Base = Union[ModuleImport, FromImport]


@dataclass(frozen=True, order=True)
class Chain:
    """An attribute chain: run ``base``, take the object it binds, then each of ``attrs``.

    ``bound`` is the dotted path the base binds (``tensorflow`` for ``import tensorflow as
    tf``, ``keras`` for ``import keras.layers``, ``keras.backend`` for ``import keras.backend
    as K``, ``tensorflow.keras`` for ``from tensorflow import keras``). Attribute access is
    what the user's code does, and it can fail where ``from module import attribute`` works
    (TensorFlow loads ``tf.keras`` lazily), so the chain is probed as written.
    """

    base: Base
    bound: str
    attrs: tuple[str, ...]

    @property
    def path(self) -> str:
        """The full dotted path: ``tensorflow.keras.layers.Dense``."""
        return ".".join((self.bound, *self.attrs))

    @property
    def module(self) -> str:
        """The path without its last component: ``tensorflow.keras.layers``."""
        return self.path.rpartition(".")[0]

    @property
    def attribute(self) -> str:
        """The last component: ``Dense``."""
        return self.attrs[-1]


Question = Union[ModuleImport, FromImport, Chain]


def import_question(record: ImportRecord) -> Base | None:
    """The question an import record asks; None for a star import."""
    if record.star or (record.name is None and record.kind is ImportKind.FROM):
        return None
    if record.kind is ImportKind.IMPORT:
        return ModuleImport(record.module)
    assert record.name is not None
    return FromImport(record.module, record.name)


def chain_question(chain: ChainRecord, imports: tuple[ImportRecord, ...]) -> Chain | None:
    """The question a chain record asks (its import, then the attributes)."""
    record = imports[chain.import_index]
    base = import_question(record)
    if base is None or record.target is None:
        return None
    return Chain(base, record.target, chain.attrs)


def question_of(record: ImportRecord | ChainRecord, result: FileResult) -> Question | None:
    """The question one record of ``result`` asks the target."""
    if isinstance(record, ChainRecord):
        return chain_question(record, result.imports)
    return import_question(record)


def _sort_key(question: Question) -> tuple[int, str, str]:
    if isinstance(question, ModuleImport):
        return (0, question.module, "")
    if isinstance(question, FromImport):
        return (1, question.module, question.name)
    return (2, question.path, question.base.line)


def distinct_questions(results: Iterable[FileResult]) -> tuple[Question, ...]:
    """Every question the records of ``results`` ask, once each, in a stable order.

    Imports come first (``import M``, then ``from M import N``), then chains by path. The
    import that a chain's base needs is always among the questions too (recorded as an
    import of its own), so a judge can report a failing base once, at the import.
    """
    seen: set[Question] = set()
    for result in results:
        for record in result.imports:
            question = import_question(record)
            if question is not None:
                seen.add(question)
        for chain in result.chains:
            chain_q = chain_question(chain, result.imports)
            if chain_q is not None:
                seen.add(chain_q)
    return tuple(sorted(seen, key=_sort_key))
