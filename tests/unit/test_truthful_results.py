"""Issue 9: a timeout is not a verdict, the canonical module wins, and --prefer says "none from".

Outcomes are built like real ones (:mod:`helpers.factories`); the timed-out and crashed
outcomes mirror what :func:`kerasdoctor.probe.runner.outcome_from_run` produces.
"""

from __future__ import annotations

import dataclasses

import pytest

from helpers.factories import dist, failed, ok, target
from kerasdoctor.diagnose import rank, rules
from kerasdoctor.models import (
    Candidate,
    ErrorInfo,
    Origin,
    ProbeOutcome,
    Report,
    Status,
    UseCheck,
)

TF = dist("tensorflow", "2.15.1")
K2 = dist("keras", "2.15.0")
ADAM = "keras.src.optimizers.adam"


def public(module: str, name: str = "Adam", root: str = "tensorflow.keras") -> Candidate:
    return Candidate(name, module, name, Origin.PUBLIC, root)


def timed_out(candidate: Candidate, seconds: float = 1.0) -> ProbeOutcome:
    return ProbeOutcome(
        candidate,
        Status.TIMEOUT,
        seconds,
        error=ErrorInfo("Timeout", f"no answer within {seconds:g} s; the process group was killed"),
        exit_detail="killed at the deadline",
    )


def crashed(candidate: Candidate, detail: str) -> ProbeOutcome:
    return ProbeOutcome(
        candidate, Status.CRASHED, 0.3, error=ErrorInfo("Crashed", detail), exit_detail=detail
    )


# -- ranking: the canonical public module before side doors to the same object -------------


def test_adam_comes_from_optimizers_not_from_dtensor_experimental() -> None:
    # TF 2.15: both lines give keras.src.optimizers.adam.Adam; the catalogue lists dtensor first.
    outcomes = [
        ok(public("tensorflow.keras.dtensor.experimental.optimizers"), ADAM, kind="class"),
        ok(public("tensorflow.keras.optimizers"), ADAM, kind="class"),
        ok(public("keras.optimizers", root="keras"), ADAM, kind="class"),
    ]
    _, (s,) = rank.suggest(target(TF, K2), ["Adam"], outcomes)
    assert s.import_line == "from tensorflow.keras.optimizers import Adam"
    assert "from tensorflow.keras.dtensor.experimental.optimizers import Adam" in s.alternatives


def test_pad_sequences_comes_from_utils_not_from_preprocessing() -> None:
    where = "keras.src.utils.sequence_utils"
    outcomes = [
        ok(public("tensorflow.keras.preprocessing.sequence", "pad_sequences"), where),
        ok(public("tensorflow.keras.utils", "pad_sequences"), where),
    ]
    _, (s,) = rank.suggest(target(TF, K2), ["pad_sequences"], outcomes)
    assert s.import_line == "from tensorflow.keras.utils import pad_sequences"


def test_a_side_door_still_wins_when_the_canonical_line_fails() -> None:
    outcomes = [
        ok(public("tensorflow.keras.dtensor.experimental.optimizers"), ADAM, kind="class"),
        failed(public("tensorflow.keras.optimizers"), "cannot import name 'Adam'", "ImportError"),
    ]
    _, (s,) = rank.suggest(target(TF, K2), ["Adam"], outcomes)
    assert s.import_line == "from tensorflow.keras.dtensor.experimental.optimizers import Adam"


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("tensorflow.keras.optimizers", 0),
        ("tensorflow.keras.dtensor.experimental.optimizers", 2),
        ("tensorflow.compat.v1.keras.optimizers", 1),
        ("keras.api._v2.keras.optimizers", 2),
        ("keras.src.optimizers.legacy.adam", 2),
        ("tensorflow.python.keras.optimizers", 1),
        ("tensorflow.keras.preprocessing.sequence", 1),
    ],
)
def test_demotion_counts_side_door_components(module: str, expected: int) -> None:
    assert rank.demotion(module) == expected


# -- --prefer: "none from that family", not "nothing works" ---------------------------------


def test_prefer_says_none_from_that_family_and_kd001_says_so_too() -> None:
    outcomes = [
        ok(public("tensorflow.keras.optimizers"), ADAM, kind="class"),
        failed(public("keras_core.optimizers", root="keras_core"), "No module named 'keras_core'"),
    ]
    t = target(TF, K2)
    _, suggestions = rank.suggest(t, ["Adam"], outcomes, "keras_core")
    (s,) = suggestions
    assert s.candidate is None
    assert s.reason.startswith("none from keras_core")
    assert "from tensorflow.keras.optimizers import Adam" in s.reason
    facts = rules.Facts(t, ("Adam",), tuple(outcomes), suggestions)
    (kd001,) = [p.finding for p in rules.propose(facts) if p.finding.code == "KD001"]
    assert kd001.message.startswith("no line of the preferred family gives Adam")
    assert "no import line gives" not in kd001.message


# -- timeouts and probe failures: no verdict, no "no line works", no cache ------------------


def test_all_lines_timed_out_is_no_verdict_with_timeout_advice() -> None:
    outcomes = [
        timed_out(public("tensorflow.keras.optimizers")),
        timed_out(public("tensorflow.keras.dtensor.experimental.optimizers")),
        failed(public("keras_core.optimizers", root="keras_core"), "No module named 'keras_core'"),
    ]
    t = target(TF, K2)
    _, suggestions = rank.suggest(t, ["Adam"], outcomes)
    (s,) = suggestions
    assert s.candidate is None
    assert "no candidate line works" not in s.reason
    assert "2 line(s) timed out (no answer within 1.0 s)" in s.reason
    assert "--timeout 30" in s.reason
    facts = rules.Facts(t, ("Adam",), tuple(outcomes), suggestions)
    (kd001,) = [p.finding for p in rules.propose(facts) if p.finding.code == "KD001"]
    assert kd001.message.startswith("no verdict for Adam: no line gave an answer")
    assert "no import line gives" not in kd001.message


def test_timeout_advice_grows_with_the_slowest_line_that_answered() -> None:
    slow = dataclasses.replace(
        ok(public("tensorflow.keras.layers", "Dense"), "keras.src.layers.core.dense"),
        seconds=24.0,
    )
    outcomes = [slow, timed_out(public("tensorflow.keras.optimizers"), 5.0)]
    _, (_, adam) = rank.suggest(target(TF, K2), ["Dense", "Adam"], outcomes)
    assert "the slowest line that answered took 24.0 s" in adam.reason
    assert adam.reason.endswith("(--timeout 50)")


def test_a_chosen_line_says_that_other_lines_timed_out() -> None:
    outcomes = [
        timed_out(public("tensorflow.keras.dtensor.experimental.optimizers")),
        ok(public("tensorflow.keras.optimizers"), ADAM, kind="class"),
    ]
    _, (s,) = rank.suggest(target(TF, K2), ["Adam"], outcomes)
    assert s.import_line == "from tensorflow.keras.optimizers import Adam"
    assert "not every line answered: 1 line(s) timed out" in s.reason


@pytest.mark.parametrize(
    ("outcome", "verdict"),
    [
        (ok(public("tensorflow.keras.optimizers"), ADAM), True),
        (failed(public("tensorflow.keras.optimizers"), "No module named 'tensorflow'"), True),
        (timed_out(public("tensorflow.keras.optimizers")), False),
        (crashed(public("tensorflow.keras.optimizers"), "killed by SIGSEGV"), True),
        (crashed(public("tensorflow.keras.optimizers"), "killed by SIGABRT"), True),
        (crashed(public("tensorflow.keras.optimizers"), "exited with status 1"), True),
        (crashed(public("tensorflow.keras.optimizers"), "killed by SIGKILL"), False),
        (crashed(public("tensorflow.keras.optimizers"), "killed by SIGINT"), False),
        (crashed(public("tensorflow.keras.optimizers"), "did not run"), False),
        (crashed(public("tensorflow.keras.optimizers"), "No such file or directory"), False),
        (
            dataclasses.replace(
                ok(public("tensorflow.keras.optimizers"), ADAM),
                use=UseCheck(None, "the use check did not finish within 1 s", timed_out=True),
            ),
            False,
        ),
    ],
)
def test_is_verdict(outcome: ProbeOutcome, verdict: bool) -> None:
    assert outcome.is_verdict is verdict


def test_a_report_with_a_timeout_is_not_conclusive() -> None:
    t = target(TF, K2)
    good = ok(public("tensorflow.keras.optimizers"), ADAM)
    report = Report("0", "check", t, ("Adam",), (good,), (), ())
    assert report.conclusive
    late = timed_out(public("tensorflow.keras.dtensor.experimental.optimizers"))
    assert not dataclasses.replace(report, probes=(good, late)).conclusive
