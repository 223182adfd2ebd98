"""What the rules look at, and the predicates several code families share.

:class:`Facts` is everything a rule may read: the target, the symbols asked about, every
probe outcome and the recommended lines. The functions below answer the questions more than
one family asks (did this line fail for a missing module? can the target find that
package? which backend will Keras load?), so each rule module reads as its decision only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kerasdoctor import knowledge
from kerasdoctor.models import Distribution, Origin, ProbeOutcome, Status, Suggestion, Target

_MISSING_MODULE = re.compile(r"^No module named '([^']+)'")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: Keras wraps an error raised inside a layer's call: this header, the real message, then
#: the call's arguments (keras/src/utils/traceback_utils.py; "Call arguments" in Keras 2).
_KERAS_CALL_HEADER = re.compile(r"^Exception encountered when calling ")
_KERAS_CALL_TRAILER = re.compile(r"^(Call arguments|Arguments) received by ")


@dataclass(frozen=True)
class Facts:
    """Everything a rule may look at."""

    target: Target
    symbols: tuple[str, ...]
    outcomes: tuple[ProbeOutcome, ...]
    suggestions: tuple[Suggestion, ...]

    def suggestion(self, symbol: str) -> Suggestion | None:
        for suggestion in self.suggestions:
            if suggestion.symbol == symbol:
                return suggestion
        return None

    def has_line(self, symbol: str) -> bool:
        """True when the symbol has a recommended (working, not unusable) line."""
        found = self.suggestion(symbol)
        return found is not None and found.candidate is not None


# --- outcomes ----------------------------------------------------------------------------


def first_line(text: str) -> str:
    """Evidence is one line per item; long multi-line messages keep their first line."""
    lines = text.strip().splitlines()
    return lines[0] if lines else ""


def explaining_line(text: str) -> str:
    """The part of an error message that says what went wrong, on one line.

    Usually the first line. Keras's wrapper of a layer's call puts a header first and the
    real error after it, followed by the call's arguments: keep the real error.
    """
    lines = [line.strip() for line in _ANSI.sub("", text).strip().splitlines()]
    if not lines or not _KERAS_CALL_HEADER.match(lines[0]):
        return first_line(text)
    body: list[str] = []
    for line in lines[1:]:
        if _KERAS_CALL_TRAILER.match(line):
            break
        if line:
            body.append(line)
    return " ".join(body) or lines[0]


def error_text(outcome: ProbeOutcome) -> str:
    """``Type: first line of the message`` for a failed line (its status when no error)."""
    if outcome.error is None:
        return outcome.status.value
    return f"{outcome.error.type}: {first_line(outcome.error.message)}"


def asked(outcome: ProbeOutcome) -> bool:
    """A public line, or one the user named: the lines whose failure matters by itself."""
    return outcome.candidate.is_public or outcome.candidate.origin is Origin.USER


def missing_module(outcome: ProbeOutcome) -> str | None:
    """The module named by ``No module named 'x'``, for a line that failed that way."""
    if outcome.status is not Status.IMPORT_ERROR or outcome.error is None:
        return None
    if outcome.error.type != "ModuleNotFoundError":
        return None
    match = _MISSING_MODULE.match(outcome.error.message)
    return None if match is None else match.group(1)


def evidence(outcomes: Sequence[ProbeOutcome]) -> list[str]:
    """One line per failed probe, public and requested lines first (they matter most)."""
    ranked = sorted(outcomes, key=lambda o: 0 if asked(o) else 1)
    return [f"{o.candidate.import_line}: {error_text(o)}" for o in ranked]


def public_line_broken(facts: Facts, tops: set[str]) -> bool:
    """True when a public line of one of ``tops`` failed for another reason than absence."""
    for outcome in facts.outcomes:
        candidate = outcome.candidate
        if not candidate.is_public or candidate.top_level not in tops or outcome.works:
            continue
        missing = missing_module(outcome)
        if missing is not None and missing.split(".", 1)[0] == candidate.top_level:
            continue
        return True
    return False


# --- the target --------------------------------------------------------------------------


def importable(target: Target, top: str) -> bool:
    """Whether the target can find top-level module ``top`` (unknown: a distribution has it)."""
    if target.knows_module(top):
        return target.module_origin(top) is not None
    return any(top in d.top_level for d in target.distributions)


def configured_backend(target: Target) -> tuple[str, str]:
    """The backend Keras 3 / keras-core will load, and what set it (as Keras decides).

    A non-empty ``KERAS_BACKEND`` wins, then ``"backend"`` in keras.json, then the
    default, TensorFlow (keras/src/backend/config.py).
    """
    variable = target.env_var("KERAS_BACKEND")
    if variable:
        return variable, f"KERAS_BACKEND={variable}"
    config = target.keras_config
    if config.exists and config.backend:
        return config.backend, f'"backend": "{config.backend}" in {config.path}'
    return "tensorflow", "default: KERAS_BACKEND is not set and keras.json sets no backend"


def installed_backends(target: Target, dists: list[Distribution]) -> tuple[str, ...]:
    """Backends whose every needed module the target can find."""
    return tuple(
        backend
        for backend in knowledge.known_backends(dists)
        if all(importable(target, m) for m in knowledge.KERAS3_BACKEND_MODULES[backend])
    )


def backend_missing(target: Target) -> tuple[str, bool] | None:
    """(backend, known name) when a multi-backend Keras is set to a backend that is absent."""
    dists = knowledge.multibackend_dists(target)
    if not dists:
        return None
    backend, _ = configured_backend(target)
    if backend not in knowledge.known_backends(dists):
        return backend, False
    primary = knowledge.KERAS3_BACKEND_MODULES[backend][0]
    if not target.knows_module(primary) or importable(target, primary):
        return None
    return backend, True


# --- words -------------------------------------------------------------------------------


def listing(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def names(dists: Iterable[Distribution]) -> str:
    """``tensorflow 2.21.0 and tensorflow-cpu 2.21.0`` for messages."""
    return listing([f"{d.name} {d.version}" for d in dists])
