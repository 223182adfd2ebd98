"""Which branch of a ``try``/``except ImportError`` ladder runs in the target.

Python runs the ``try`` body; when one of its statements raises, the *first* ``except``
clause whose names catch that exception runs, and only that one (a failure inside it
propagates: it does not fall to the next clause). A branch works when every Keras import
and chain in it works and every ladder nested in it works. Only the Keras statements are
known: other code in a branch is assumed to work.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from kerasdoctor.models import ProbeOutcome, Status
from kerasdoctor.scan.model import ChainRecord, FileResult, ImportRecord, Ladder, LadderRef

#: Exception names, as written in handlers, that catch each failure kind.
_CATCH_IMPORT = frozenset({"ImportError", "Exception", "BaseException"})
_CATCH_ANY = frozenset({"Exception", "BaseException"})


@dataclass(frozen=True)
class LadderRun:
    """What one ladder does here: the branch that runs (None: no handler catches) and whether
    the ladder as a whole gets through without raising."""

    ladder: Ladder
    taken: int | None
    works: bool
    #: per branch: the first failing outcome in it (None: the branch works)
    failures: tuple[ProbeOutcome | None, ...]


def catches(handler: tuple[str, ...], failure: ProbeOutcome) -> bool:
    """Whether an ``except`` clause naming ``handler`` catches what the failing line raised."""
    if not handler:  # a bare except
        return True
    names = {name.rpartition(".")[2] for name in handler}
    if failure.status is Status.IMPORT_ERROR:
        error_type = failure.error.type if failure.error is not None else "ImportError"
        if error_type == "ModuleNotFoundError" and "ModuleNotFoundError" in names:
            return True
        return bool(names & _CATCH_IMPORT)
    # Other errors (AttributeError on a chain, a library's own error, a crash or timeout
    # that a fresh run would show as a failure of some kind): only broad handlers catch them.
    return bool(names & _CATCH_ANY)


def run_ladders(
    result: FileResult, outcome_of: Callable[[ImportRecord | ChainRecord], ProbeOutcome | None]
) -> Mapping[int, LadderRun]:
    """Each ladder of ``result`` by id; ``outcome_of(record)`` gives a record's verdict."""
    direct: dict[tuple[int, int], list[ProbeOutcome | None]] = {}
    for record in records_of(result):
        if not record.ladders:
            continue
        innermost = record.ladders[-1]
        direct.setdefault((innermost.ladder, innermost.branch), []).append(outcome_of(record))
    runs: dict[int, LadderRun] = {}
    by_id = {ladder.id: ladder for ladder in result.ladders}

    def nested_failure(ladder_id: int, branch: int) -> ProbeOutcome | None:
        for child in result.ladders:
            if child.parent == ladder_id and _branch_of(result, child) == branch:
                child_run = run(child.id)
                if not child_run.works:
                    return _first(child_run.failures)
        return None

    def run(ladder_id: int) -> LadderRun:
        if ladder_id in runs:
            return runs[ladder_id]
        ladder = by_id[ladder_id]
        failures: list[ProbeOutcome | None] = []
        for branch in range(len(ladder.handlers) + 1):
            failing = next(
                (o for o in direct.get((ladder_id, branch), ()) if o is not None and not o.works),
                None,
            )
            failures.append(failing or nested_failure(ladder_id, branch))
        taken: int | None = 0
        works = failures[0] is None
        if not works:
            first = failures[0]
            assert first is not None
            taken = next((k + 1 for k, h in enumerate(ladder.handlers) if catches(h, first)), None)
            works = taken is not None and failures[taken] is None
        runs[ladder_id] = LadderRun(ladder, taken, works, tuple(failures))
        return runs[ladder_id]

    for ladder in result.ladders:
        run(ladder.id)
    return runs


def records_of(result: FileResult) -> list[ImportRecord | ChainRecord]:
    """Every import and chain record of a file, imports first."""
    out: list[ImportRecord | ChainRecord] = list(result.imports)
    out.extend(result.chains)
    return out


def _first(failures: tuple[ProbeOutcome | None, ...]) -> ProbeOutcome | None:
    return next((f for f in failures if f is not None), None)


def _branch_of(result: FileResult, child: Ladder) -> int | None:
    """The branch of its parent a nested ladder sits in (read from its records' refs)."""
    for record in records_of(result):
        refs = record.ladders
        for index, ref in enumerate(refs):
            if ref.ladder == child.id and index > 0 and refs[index - 1].ladder == child.parent:
                return int(refs[index - 1].branch)
    return None


def in_dead_branch(refs: tuple[LadderRef, ...], runs: Mapping[int, LadderRun]) -> bool:
    """Whether a record sits in a branch that does not run, of a ladder that works here.

    Such a record never runs (or its failure is caught and the ladder goes on): it is
    reported by KD506, not as a failure of its own.
    """
    for ref in refs:
        ladder_run = runs.get(ref.ladder)
        if ladder_run is not None and ladder_run.works and ladder_run.taken != ref.branch:
            return True
    return False
