"""Proving environment-only fixes: which changes to probe again, and what the outcomes mean.

Pure tests of :mod:`kerasdoctor.diagnose.verify` and of the loop in
:func:`kerasdoctor.pipeline.prove`, with re-probing as a plain object that returns fixed
outcomes and records what it was asked.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path

from helpers.factories import SITE, bash, dist, failed, line, ok, target
from kerasdoctor import pipeline
from kerasdoctor.diagnose import rank, rules, verify
from kerasdoctor.models import Finding, ProbeOutcome, Target

K3_BN = "keras.src.layers.normalization.batch_normalization"
PY = "/venv/bin/python"
NO_TF = "No module named 'tensorflow'"
K3 = dataclasses.replace(dist("keras", "3.15.1"), requires=("numpy", "h5py"))
NUMPY = dist("numpy", "2.4.6")
H5PY = dist("h5py", "3.14.0")


def with_modules(t: Target, **found: str | None) -> Target:
    origins = dict(t.module_origins)
    origins.update(found)
    return dataclasses.replace(t, module_origins=tuple(origins.items()))


def keras3_with_torch() -> Target:
    """Keras 3 and torch installed, KERAS_BACKEND unset: KD101 proposes KERAS_BACKEND=torch."""
    present = {n: f"{SITE}/{n}/__init__.py" for n in ("keras", "numpy", "torch")}
    absent = dict.fromkeys(("tensorflow", "jax", "scipy", "openvino", "tf_keras", "keras_core"))
    return with_modules(target(K3, NUMPY, H5PY), **present, **absent)


def proposals_for(t: Target, outcomes: Sequence[ProbeOutcome]) -> tuple[rules.Proposal, ...]:
    _, suggestions = rank.suggest(t, ["BatchNormalization"], outcomes)
    facts = rules.Facts(t, ("BatchNormalization",), tuple(outcomes), suggestions)
    return tuple(rules.propose(facts))


def only(found: Sequence[Finding], code: str) -> Finding:
    mine = [f for f in found if f.code == code]
    assert len(mine) == 1, found
    return mine[0]


class FakeProber:
    """Re-probing as data: answers with fixed outcomes and records every request."""

    def __init__(self, outcomes: Sequence[ProbeOutcome]) -> None:
        self.outcomes = tuple(outcomes)
        self.calls: list[tuple[verify.ReprobeRequest, str | None]] = []

    def reprobe(
        self, request: verify.ReprobeRequest, empty_folder: Callable[[], str]
    ) -> tuple[ProbeOutcome, ...]:
        cwd = empty_folder() if request.empty_cwd else None
        if cwd is not None:
            assert Path(cwd).is_dir()
            assert list(Path(cwd).iterdir()) == []
        self.calls.append((request, cwd))
        return self.outcomes


BACKEND_MISSING = [failed(line("keras.layers"), NO_TF)]


def test_the_change_to_probe_comes_from_the_proposal() -> None:
    proposals = proposals_for(keras3_with_torch(), BACKEND_MISSING)
    assert verify.requests(proposals) == (
        verify.ReprobeRequest(variables=(("KERAS_BACKEND", "torch"),)),
    )


def test_a_proven_fix_is_verified() -> None:
    proposals = proposals_for(keras3_with_torch(), BACKEND_MISSING)
    prober = FakeProber([ok(line("keras.layers"), K3_BN)])
    found = pipeline.prove(prober, proposals)
    finding = only(found, "KD101")
    assert finding.verified
    assert bash(finding.fix) == ("export KERAS_BACKEND=torch",)
    assert "probing again with KERAS_BACKEND=torch" in finding.evidence[-1]
    assert [request.variables for request, _ in prober.calls] == [(("KERAS_BACKEND", "torch"),)]
    assert not only(found, "KD001").verified


def test_a_failed_proof_falls_back_to_the_rule_alternative() -> None:
    proposals = proposals_for(keras3_with_torch(), BACKEND_MISSING)
    broken = failed(line("keras.layers"), "No module named 'torch._C'")
    finding = only(pipeline.prove(FakeProber([broken]), proposals), "KD101")
    assert not finding.verified
    assert bash(finding.fix) == (f"uv pip install --python {PY} 'tensorflow>=2.16'",)
    assert "did not fix it" in finding.evidence[-1]


def test_a_change_not_probed_leaves_the_finding_as_proposed() -> None:
    proposals = proposals_for(keras3_with_torch(), BACKEND_MISSING)
    (request,) = verify.requests(proposals)
    unproven = verify.conclude(proposals, {})
    assert unproven == tuple(p.finding for p in proposals)
    assert not only(unproven, "KD101").verified
    # The same proposals with the change probed are concluded differently: the result
    # above comes from the missing outcomes, not from proposals that never verify.
    proven = verify.conclude(proposals, {request: [ok(line("keras.layers"), K3_BN)]})
    assert only(proven, "KD101").verified
    assert only(proven, "KD101") != only(unproven, "KD101")


def test_each_change_is_probed_once_from_an_empty_folder() -> None:
    t = with_modules(target(K3, NUMPY, H5PY), keras="/work/project/keras.py", tensorflow=None)
    t = dataclasses.replace(
        t, distributions=(*t.distributions, dist("keras-core", "0.1.7", "keras_core"))
    )
    t = with_modules(t, keras_core="/work/project/keras_core.py")
    outcomes = [
        failed(line("keras.layers"), "'keras' is not a package"),
        failed(line("keras_core.layers"), "'keras_core' is not a package"),
    ]
    proposals = proposals_for(t, outcomes)
    assert [p.finding.code for p in proposals].count("KD301") == 2
    prober = FakeProber([ok(line("keras.layers"), K3_BN)])
    found = pipeline.prove(prober, proposals)
    assert len(prober.calls) == 1
    request, cwd = prober.calls[0]
    assert request == verify.ReprobeRequest(variables=(), empty_cwd=True)
    assert cwd is not None and not Path(cwd).exists()  # removed once every proof is done
    assert all(f.verified for f in found if f.code == "KD301")
