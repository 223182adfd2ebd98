"""The early stop of ``suggest`` gives the suggestions a full ranking gives, probing less.

Each case is a constructed environment: for every candidate line of every symbol, the
outcome probing it would give. The early stop is run as the pipeline runs it (probe what
:func:`early_stop.next_batch` asks for until it asks for nothing), and its suggestions are
compared with :func:`rank.suggest` over every line. Only ``alternatives`` may differ (they
list the lines that were probed); where the case says so, fewer lines must be probed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pytest

from helpers.factories import dist, failed, ok, target
from kerasdoctor import catalogue
from kerasdoctor.diagnose import early_stop, rank
from kerasdoctor.models import Candidate, Distribution, ProbeOutcome, Suggestion

K3_BN = "keras.src.layers.normalization.batch_normalization"
K3_BN_V1 = "keras.src.layers.normalization.batch_normalization_v1"
TFK_BN = "tf_keras.src.layers.normalization.batch_normalization"
KC_BN = "keras_core.src.layers.normalization.batch_normalization"
K3_DENSE = "keras.src.layers.core.dense"
TF = dist("tensorflow", "2.21.0")
K3 = dist("keras", "3.15.1")
TFK = dist("tf-keras", "2.21.0", "tf_keras")
KC = dist("keras-core", "0.1.7", "keras_core")

ROOTS = ("tensorflow.keras", "keras", "tf_keras", "keras_core")
ENTRIES = {
    "BatchNormalization": catalogue.SymbolEntry(
        name="BatchNormalization",
        public=dict.fromkeys(ROOTS, ("layers", "layers.normalization")),
        legacy=("keras.src.layers", "keras.layers.normalization.batch_normalization"),
    ),
    "Dense": catalogue.SymbolEntry(
        name="Dense",
        public=dict.fromkeys(ROOTS, ("layers",)),
        legacy=("keras.src.layers", "keras.layers.core"),
    ),
    # As in the catalogue: sub-namespaces in alphabetical order, the side door first.
    "Adam": catalogue.SymbolEntry(
        name="Adam",
        public=dict.fromkeys(
            ROOTS,
            (
                "dtensor.experimental.optimizers",
                "optimizers",
                "optimizers.experimental",
                "optimizers.legacy",
            ),
        ),
        legacy=("keras.src.optimizers",),
    ),
}


@dataclass(frozen=True)
class Works:
    """A line that imports and gives the object defined in ``module``."""

    module: str
    usable: bool | None = True


K2_ADAM = "keras.src.optimizers.adam"
K2_LEGACY_ADAM = "keras.src.optimizers.legacy.adam"
K2 = dist("keras", "2.15.0")
TF215 = dist("tensorflow", "2.15.1")
TF215_ADAM = {
    "tensorflow.keras.dtensor.experimental.optimizers": Works(K2_ADAM),
    "tensorflow.keras.optimizers": Works(K2_ADAM),
    "tensorflow.keras.optimizers.experimental": Works(K2_ADAM),
    "tensorflow.keras.optimizers.legacy": Works(K2_LEGACY_ADAM),
    "keras.optimizers": Works(K2_ADAM),
    "keras.src.optimizers": Works(K2_ADAM),
}


@dataclass(frozen=True)
class Case:
    dists: tuple[Distribution, ...]
    #: symbol -> {import module: Works}; every other line fails with "No module named"
    works: Mapping[str, Mapping[str, Works]]
    prefer: str | None = None
    probes_fewer: bool = True


CASES = {
    "tf 2.21 with keras 3: tensorflow.keras decides both symbols": Case(
        (TF, K3),
        {
            "BatchNormalization": {
                "tensorflow.keras.layers": Works(K3_BN),
                "keras.layers": Works(K3_BN),
                "keras.src.layers": Works(K3_BN),
            },
            "Dense": {"tensorflow.keras.layers": Works(K3_DENSE), "keras.layers": Works(K3_DENSE)},
        },
    ),
    "tensorflow broken: the next root, keras, is the reference": Case(
        (TF, K3),
        {
            "BatchNormalization": {"keras.layers": Works(K3_BN), "tf_keras.layers": Works(TFK_BN)},
            "Dense": {"keras.layers": Works(K3_DENSE)},
        },
    ),
    "TF_USE_LEGACY_KERAS: tensorflow.keras gives tf_keras": Case(
        (TF, K3, TFK),
        {
            "BatchNormalization": {
                "tensorflow.keras.layers": Works(TFK_BN),
                "tf_keras.layers": Works(TFK_BN),
                "keras.layers": Works(K3_BN),
            },
            "Dense": {"tensorflow.keras.layers": Works("tf_keras.src.layers.core.dense")},
        },
    ),
    "nothing works: every line is probed": Case((TF, K3), {}, probes_fewer=False),
    "unchecked public lines, a usable private one: every line of that symbol": Case(
        (TF, K3),
        {
            "BatchNormalization": {
                "tensorflow.keras.layers": Works(K3_BN, usable=None),
                "keras.layers": Works(K3_BN, usable=None),
                "keras.src.layers": Works(K3_BN),
            },
            "Dense": {"tensorflow.keras.layers": Works(K3_DENSE)},
        },
    ),
    "one symbol's reference line is a placeholder: that symbol gets every line": Case(
        (TF, K3),
        {
            "BatchNormalization": {"tensorflow.keras.layers": Works(K3_BN)},
            "Dense": {
                "tensorflow.keras.layers": Works(K3_DENSE, usable=False),
                "keras.layers": Works(K3_DENSE),
                "keras.src.layers": Works(K3_DENSE),
            },
        },
    ),
    "two objects under the reference root: the usable one is not the reference object": Case(
        (TF, K3),
        {
            "BatchNormalization": {
                "tensorflow.keras.layers": Works(K3_BN, usable=None),
                "tensorflow.keras.layers.normalization": Works(K3_BN_V1),
                "keras.layers": Works(K3_BN),
            },
        },
        probes_fewer=False,
    ),
    "--prefer keras_core puts its root first": Case(
        (TF, K3, KC),
        {
            "BatchNormalization": {
                "tensorflow.keras.layers": Works(K3_BN),
                "keras_core.layers": Works(KC_BN),
            },
        },
        prefer="keras_core",
    ),
    "Adam on TF 2.15: the canonical line of tensorflow.keras decides": Case(
        (TF215, K2), {"Adam": TF215_ADAM}
    ),
    "Adam whose canonical line fails: the side door of the same root, after probing it": Case(
        (TF215, K2),
        {"Adam": {k: v for k, v in TF215_ADAM.items() if k != "tensorflow.keras.optimizers"}},
    ),
    "Adam whose canonical line is unchecked: a usable line of the root gives the object": Case(
        (TF215, K2),
        {"Adam": {**TF215_ADAM, "tensorflow.keras.optimizers": Works(K2_ADAM, usable=None)}},
    ),
    "one symbol's leader is unchecked: only that symbol's lines are probed further": Case(
        (TF215, K2),
        {
            "Adam": TF215_ADAM,
            "BatchNormalization": {
                "tensorflow.keras.layers": Works(K3_BN, usable=None),
                "tensorflow.keras.layers.normalization": Works(K3_BN),
                "keras.src.layers": Works(K3_BN),
            },
        },
    ),
    "--prefer a root that does not work": Case(
        (TF, K3),
        {"BatchNormalization": {"tensorflow.keras.layers": Works(K3_BN)}},
        prefer="tf_keras",
    ),
}


def _sets(case: Case) -> tuple[catalogue.CandidateSet, ...]:
    symbols = list(case.works) or ["BatchNormalization"]
    return tuple(catalogue.build_candidates(catalogue.parse_symbol(s), ENTRIES[s]) for s in symbols)


def _outcome(case: Case, candidate: Candidate) -> ProbeOutcome:
    works = case.works.get(candidate.symbol, {}).get(candidate.module)
    if works is None:
        return failed(candidate, f"No module named '{candidate.module}'")
    return ok(candidate, works.module, usable=works.usable)


def _without_alternatives(suggestions: Sequence[Suggestion]) -> list[Suggestion]:
    return [dataclasses.replace(s, alternatives=()) for s in suggestions]


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_early_stop_suggests_what_a_full_ranking_suggests(case: Case) -> None:
    t = target(*case.dists)
    sets = _sets(case)
    names = [s.request.name for s in sets]
    every_line = [c for s in sets for c in s.candidates]
    full = tuple(_outcome(case, c) for c in every_line)

    done: dict[Candidate, ProbeOutcome] = {}
    while batch := early_stop.next_batch(t, sets, done, case.prefer):
        assert not set(batch) & set(done)  # a line is never asked for twice
        done.update((c, _outcome(case, c)) for c in batch)
    staged = early_stop.outcomes_in_order(sets, done)

    full_reference, full_suggestions = rank.suggest(t, names, full, case.prefer)
    reference, suggestions = rank.suggest(t, names, staged, case.prefer)
    assert reference == full_reference
    assert _without_alternatives(suggestions) == _without_alternatives(full_suggestions)
    assert [o.candidate for o in staged] == [c for c in every_line if c in done]  # in order
    if case.probes_fewer:
        assert len(staged) < len(full)
    else:
        assert len(staged) == len(full)


def test_adam_on_tf215_probes_only_its_canonical_line() -> None:
    # Every line of Adam's root works; the canonical one, usable, outranks the rest unprobed.
    case = CASES["Adam on TF 2.15: the canonical line of tensorflow.keras decides"]
    sets = _sets(case)
    done: dict[Candidate, ProbeOutcome] = {}
    batches = []
    while batch := early_stop.next_batch(target(*case.dists), sets, done, None):
        batches.append([c.module for c in batch])
        done.update((c, _outcome(case, c)) for c in batch)
    assert batches == [["tensorflow.keras.optimizers"]]


def test_a_symbol_decided_by_its_leader_is_not_probed_further() -> None:
    case = CASES["one symbol's leader is unchecked: only that symbol's lines are probed further"]
    sets = _sets(case)
    done: dict[Candidate, ProbeOutcome] = {}
    while batch := early_stop.next_batch(target(*case.dists), sets, done, None):
        done.update((c, _outcome(case, c)) for c in batch)
    assert [c.module for c in done if c.symbol == "Adam"] == ["tensorflow.keras.optimizers"]
