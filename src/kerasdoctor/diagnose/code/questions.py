"""From a scan question to the candidate lines a probe runs: the question itself, and the
catalogue's lines for the same symbol (the replacements a diagnostic may offer).

Pure: the pipeline probes what these functions return and hands the outcomes to the judge.
"""

from __future__ import annotations

from kerasdoctor import catalogue
from kerasdoctor.models import Candidate, Origin
from kerasdoctor.scan.statements import Chain, FromImport, ModuleImport, Question


def symbol_of(question: Question) -> str:
    """The name a question is about: ``N`` of ``from M import N``, a chain's last attribute,
    the last component of ``import M``."""
    if isinstance(question, FromImport):
        return question.name
    if isinstance(question, Chain):
        return question.attribute
    return question.module.rpartition(".")[2]


def candidate_of(question: Question) -> Candidate:
    """The candidate whose probe answers ``question`` exactly as written."""
    symbol = symbol_of(question)
    if isinstance(question, ModuleImport):
        return Candidate(symbol, question.module, "", Origin.USER, kind="import")
    if isinstance(question, FromImport):
        return Candidate(symbol, question.module, question.name, Origin.USER)
    base = question.base
    if isinstance(base, ModuleImport):
        return Candidate(
            symbol,
            base.module,
            "",
            Origin.USER,
            kind="chain",
            attrs=question.attrs,
            bound=question.bound,
        )
    return Candidate(
        symbol, base.module, base.name, Origin.USER, kind="chain", attrs=question.attrs
    )


def alternatives(question: Question, cat: catalogue.Catalogue) -> tuple[Candidate, ...]:
    """The catalogue's lines for the question's symbol, in the shape the code can use.

    For ``from M import N``: every known ``from X import N``. For a chain: the lines whose
    module lies under the path the chain's base binds become chains on the same base (so the
    replacement is an attribute access the code can keep); the others stay imports (using
    them needs a new import statement). Module imports get no alternatives.
    """
    if isinstance(question, ModuleImport):
        return ()
    symbol = symbol_of(question)
    entry = cat.get(symbol)
    if entry is None:
        return ()
    lines = catalogue.build_candidates(catalogue.SymbolRequest(symbol, symbol), entry).candidates
    if isinstance(question, FromImport):
        return lines
    out: list[Candidate] = []
    for line in lines:
        prefix = question.bound + "."
        if line.module == question.bound or line.module.startswith(prefix):
            rest = line.module[len(question.bound) + 1 :]
            attrs = (*(rest.split(".") if rest else ()), line.name)
            base = question.base
            if isinstance(base, ModuleImport):
                out.append(
                    Candidate(
                        symbol,
                        base.module,
                        "",
                        line.origin,
                        line.root,
                        kind="chain",
                        attrs=attrs,
                        bound=question.bound,
                    )
                )
            else:
                out.append(
                    Candidate(
                        symbol,
                        base.module,
                        base.name,
                        line.origin,
                        line.root,
                        kind="chain",
                        attrs=attrs,
                    )
                )
        else:
            out.append(line)
    return tuple(out)
