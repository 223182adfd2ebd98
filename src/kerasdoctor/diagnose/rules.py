"""Findings: what is wrong with the environment, each with a stable code and a fix.

Each rule is a small pure function from the facts (target, outcomes, suggestions) to
proposed findings; :data:`RULES` registers them in code order. Codes are documented one
page each in docs/codes/ and never renumbered.

A rule whose fix only changes the environment (a variable, the working directory) attaches
an :class:`EnvCheck`: :mod:`kerasdoctor.diagnose.verify` probes again with the change
applied and marks the finding ``verified`` only when that proves the fix. Fixes that
install or remove packages cannot be proven without changing the environment, which
kerasdoctor never does; their messages say what they will change instead.

A healthy environment must stay quiet (no warning, no error): every rule fires only on a
fact it can point to (a failed probe, a broken declared requirement, a file on the path),
never on a guess. Informational findings (``info``) may note harmless oddities.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

from packaging.utils import canonicalize_name
from packaging.version import Version

from kerasdoctor.diagnose import fixes
from kerasdoctor.models import (
    Distribution,
    Finding,
    Origin,
    ProbeOutcome,
    Severity,
    Status,
    Suggestion,
    Target,
)
from kerasdoctor.target.inspect import is_relevant


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


@dataclass(frozen=True)
class EnvCheck:
    """An environment-only fix, to be proven by probing again with it applied."""

    #: variables to set (a value) or unset (None) for the new probes
    variables: tuple[tuple[str, str | None], ...] = ()
    #: probe from an empty folder instead of the working directory
    empty_cwd: bool = False
    #: each of these symbols must then have a working line that is not unusable
    symbols: tuple[str, ...] = ()
    #: what the change is, for the evidence line ("with KERAS_BACKEND=torch")
    description: str = ""
    #: what the change does, appended to the message while the change is the fix
    note: str = ""
    #: the fix to offer instead when probing again does not prove the change
    fallback: tuple[str, ...] = ()
    #: what the fallback changes, appended to the message when it is offered instead
    fallback_note: str = ""


@dataclass(frozen=True)
class Proposal:
    """A finding as a rule proposes it, with the check that can prove its fix."""

    finding: Finding
    check: EnvCheck | None = None

    def unproven(self) -> Finding:
        """The finding with its environment-only fix, not (yet) proven."""
        if self.check is None or not self.check.note:
            return self.finding
        return dataclasses.replace(
            self.finding, message=f"{self.finding.message}; {self.check.note}"
        )


Rule = Callable[[Facts], list[Proposal]]

SLUGS: dict[str, str] = {
    "KD001": "no-working-import",
    "KD101": "keras-backend-missing",
    "KD102": "missing-dependency",
    "KD201": "duplicate-distribution",
    "KD202": "version-mismatch",
    "KD203": "deprecated-distribution",
    "KD301": "shadowed-module",
    "KD302": "legacy-flag-problem",
    "KD401": "mixed-implementations",
    "KD402": "import-works-use-fails",
}

#: The import packages of the Keras families and TensorFlow: what shadowing can hide.
KERAS_TOPS: tuple[str, ...] = ("keras", "tensorflow", "tf_keras", "keras_core")

_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
_MISSING_MODULE = re.compile(r"^No module named '([^']+)'")
_MAX_EVIDENCE = 6  # verification adds one more line


def _finding(
    code: str,
    severity: Severity,
    message: str,
    *,
    evidence: Iterable[str] = (),
    fix: Iterable[str] = (),
    symbol: str | None = None,
) -> Finding:
    return Finding(
        code=code,
        slug=SLUGS[code],
        severity=severity,
        message=message,
        evidence=tuple(evidence)[:_MAX_EVIDENCE],
        fix=tuple(fix),
        symbol=symbol,
    )


def _error_text(outcome: ProbeOutcome) -> str:
    if outcome.error is None:
        return outcome.status.value
    return f"{outcome.error.type}: {_first_line(outcome.error.message)}"


def _first_line(text: str) -> str:
    """Evidence is one line per item; long multi-line messages keep their first line."""
    lines = text.strip().splitlines()
    return lines[0] if lines else ""


def _asked(outcome: ProbeOutcome) -> bool:
    """A public line, or one the user named: the lines whose failure matters by itself."""
    return outcome.candidate.is_public or outcome.candidate.origin is Origin.USER


def _missing_module(outcome: ProbeOutcome) -> str | None:
    """The module named by ``No module named 'x'``, for a line that failed that way."""
    if outcome.status is not Status.IMPORT_ERROR or outcome.error is None:
        return None
    if outcome.error.type != "ModuleNotFoundError":
        return None
    match = _MISSING_MODULE.match(outcome.error.message)
    return None if match is None else match.group(1)


def _importable(target: Target, top: str) -> bool:
    """Whether the target can find top-level module ``top`` (unknown: a distribution has it)."""
    if target.knows_module(top):
        return target.module_origin(top) is not None
    return any(top in d.top_level for d in target.distributions)


def _version(dist: Distribution | None) -> Version | None:
    return None if dist is None else fixes.parse_version(dist.version)


def _listing(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# --- KD001 ------------------------------------------------------------------------------


def kd001_no_working_import(facts: Facts) -> list[Proposal]:
    """KD001: no candidate line gives a usable symbol."""
    target = facts.target
    nothing_installed = not any(
        d.name in ("keras", "keras-nightly", "tf-keras", "keras-core")
        or d.name in fixes.TENSORFLOW_DISTRIBUTIONS
        for d in target.distributions
    ) and not any(_importable(target, top) for top in KERAS_TOPS)
    found: list[Proposal] = []
    for suggestion in facts.suggestions:
        if suggestion.candidate is not None:
            continue
        mine = [o for o in facts.outcomes if o.candidate.symbol == suggestion.symbol]
        evidence = [
            f"{o.candidate.import_line}: {_error_text(o)}"
            for o in mine
            if o.error is not None and o.candidate.is_public
        ]
        message = f"no import line gives a usable {suggestion.symbol}: {suggestion.reason}"
        fix: tuple[str, ...] = ()
        if nothing_installed:
            # With no Keras at all, TensorFlow is the one install after which every public
            # root but tf_keras/keras_core works: it brings Keras 3 and is its default backend.
            message += (
                "; neither Keras nor TensorFlow is installed: the fix installs TensorFlow, "
                "which brings Keras 3 and is its default backend"
            )
            fix = (fixes.install(target, ["tensorflow"]),)
        found.append(
            Proposal(
                _finding(
                    "KD001",
                    Severity.ERROR,
                    message,
                    evidence=evidence,
                    fix=fix,
                    symbol=suggestion.symbol,
                )
            )
        )
    return found


# --- KD101 / KD102: Keras 3 backends and missing modules -------------------------------


def _multibackend_dists(target: Target) -> list[Distribution]:
    """Installed Keras 3 (keras >= 3, keras-nightly >= 3) and keras-core distributions."""
    found = []
    for dist in target.distributions:
        version = _version(dist)
        keras3 = dist.name in ("keras", "keras-nightly") and version is not None
        if (keras3 and version is not None and version.major >= 3) or dist.name == "keras-core":
            found.append(dist)
    return found


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


def _known_backends(dists: Sequence[Distribution]) -> tuple[str, ...]:
    names: list[str] = []
    for dist in dists:
        known = (
            fixes.KERAS_CORE_BACKENDS if dist.name == "keras-core" else fixes.KERAS3_BACKEND_MODULES
        )
        names.extend(b for b in known if b not in names)
    return tuple(names)


def installed_backends(target: Target, dists: Sequence[Distribution]) -> tuple[str, ...]:
    """Backends whose every needed module the target can find."""
    return tuple(
        backend
        for backend in _known_backends(dists)
        if all(_importable(target, m) for m in fixes.KERAS3_BACKEND_MODULES[backend])
    )


def _backend_missing(target: Target) -> tuple[str, bool] | None:
    """(backend, known name) when a multi-backend Keras is set to a backend that is absent."""
    dists = _multibackend_dists(target)
    if not dists:
        return None
    backend, _ = configured_backend(target)
    if backend not in _known_backends(dists):
        return backend, False
    primary = fixes.KERAS3_BACKEND_MODULES[backend][0]
    if not target.knows_module(primary) or _importable(target, primary):
        return None
    return backend, True


def kd101_keras_backend_missing(facts: Facts) -> list[Proposal]:
    """KD101: Keras 3 / keras-core is set to a backend that is not installed."""
    target = facts.target
    missing = _backend_missing(target)
    if missing is None:
        return []
    backend, known = missing
    dists = _multibackend_dists(target)
    _, how = configured_backend(target)
    available = installed_backends(target, dists)
    family = _listing([d.label for d in dists])
    if known:
        primary = fixes.KERAS3_BACKEND_MODULES[backend][0]
        cause = f"the {backend} backend is not installed (no module {primary!r})"
        failed = [
            o
            for o in facts.outcomes
            if _missing_module(o) is not None
            and _missing_module(o) == primary
            and o.candidate.top_level in ("keras", "keras_core", "tensorflow")
        ]
    else:
        cause = f"{backend!r} is not a backend Keras knows ({', '.join(_known_backends(dists))})"
        failed = [
            o
            for o in facts.outcomes
            if o.candidate.top_level in ("keras", "keras_core")
            and not o.works
            and o.error is not None
            and backend in o.error.message
        ]
    message = (
        f"{family} uses the {backend!r} backend (set by {how}), but {cause}; "
        f"installed backends: {', '.join(available) if available else 'none'}"
    )
    evidence = _evidence(failed)
    symbols = tuple(dict.fromkeys(o.candidate.symbol for o in failed)) or facts.symbols
    wanted = backend if known else "tensorflow"
    install_fix, requirements = _backend_install_fix(target, wanted)
    install_note = ""
    if install_fix:
        install_note = f"the fix installs {_listing(requirements)} into {target.python}"
        if not known:
            install_fix = (*install_fix, fixes.export("KERAS_BACKEND", "tensorflow"))
            install_note += " and sets KERAS_BACKEND=tensorflow"
    # Auto-choice skips numpy and openvino: they run inference only.
    usable = [b for b in available if b in ("tensorflow", "jax", "torch")]
    if usable:
        choice = usable[0]
        return [
            Proposal(
                _finding(
                    "KD101",
                    Severity.ERROR,
                    message,
                    evidence=evidence,
                    fix=(fixes.export("KERAS_BACKEND", choice),),
                ),
                EnvCheck(
                    variables=(("KERAS_BACKEND", choice),),
                    symbols=symbols,
                    description=f"with KERAS_BACKEND={choice}",
                    note=f"the fix selects the installed {choice} backend",
                    fallback=install_fix,
                    fallback_note=install_note,
                ),
            )
        ]
    if install_note:
        message += "; " + install_note
    return [
        Proposal(_finding("KD101", Severity.ERROR, message, evidence=evidence, fix=install_fix))
    ]


def _backend_install_fix(target: Target, backend: str) -> tuple[tuple[str, ...], list[str]]:
    """The install command for a backend's missing modules, and the requirements it names."""
    modules = [m for m in fixes.KERAS3_BACKEND_MODULES[backend] if not _importable(target, m)]
    requirements = [fixes.requirement_for_module(target, m) for m in modules]
    wanted = [r for r in requirements if r is not None]
    if not wanted or len(wanted) != len(requirements):
        return (), []
    return (fixes.install(target, wanted),), wanted


def _evidence(outcomes: Sequence[ProbeOutcome]) -> list[str]:
    """One line per failed probe, public and requested lines first (they matter most)."""
    ranked = sorted(
        outcomes,
        key=lambda o: 0 if _asked(o) else 1,
    )
    return [f"{o.candidate.import_line}: {_error_text(o)}" for o in ranked]


def kd102_missing_dependency(facts: Facts) -> list[Proposal]:
    """KD102: a Keras implementation fails to import because a module it needs is missing."""
    target = facts.target
    dists = _multibackend_dists(target)
    backend, how = configured_backend(target)
    backend_gone = _backend_missing(target)
    by_module: dict[str, list[ProbeOutcome]] = {}
    for outcome in facts.outcomes:
        module = _missing_module(outcome)
        if module is None:
            continue
        if not _asked(outcome) and facts.has_line(outcome.candidate.symbol):
            # A private module of another backend (keras.src.backend.torch...) needs that
            # backend; it says nothing about the environment while a public line works.
            continue
        top = module.split(".", 1)[0]
        if top == outcome.candidate.top_level:
            continue  # the line's own package (or a submodule of it) is absent: not a dependency
        if _importable(target, top):
            continue  # a submodule missing inside an installed package: a version question
        if (
            backend_gone is not None
            and backend_gone[1]
            and top == fixes.KERAS3_BACKEND_MODULES[backend_gone[0]][0]
        ):
            continue  # KD101 reports the backend itself
        by_module.setdefault(module, []).append(outcome)
    found: list[Proposal] = []
    for module, failed in by_module.items():
        symbols = tuple(dict.fromkeys(o.candidate.symbol for o in failed))
        modules = [module]
        note = ""
        needs = fixes.KERAS3_BACKEND_MODULES.get(backend, ())
        if dists and module in needs:
            # One missing module hides the next (scipy, then jax): install all the backend needs.
            also = [m for m in needs if m != module and not _importable(target, m)]
            modules += also
            note = f"; the {backend} backend of Keras ({how}) imports {_listing(list(needs))}"
            if also:
                note += f", and {_listing(also)} {'is' if len(also) == 1 else 'are'} missing too"
        requirements = [fixes.requirement_for_module(target, m) for m in modules]
        dist_names = [fixes.distribution_for_module(m) for m in modules]
        if any(r is None for r in requirements):
            unknown = [m for m, d in zip(modules, dist_names) if d is None]
            fix: tuple[str, ...] = ()
            note += (
                f"; kerasdoctor does not know which distribution provides {_listing(unknown)}: "
                "install the one your project documents"
            )
        else:
            fix = (fixes.install(target, [r for r in requirements if r is not None]),)
            note += f"; the fix installs {_listing([r for r in requirements if r is not None])}"
        lines = [o.candidate.import_line for o in failed]
        message = (
            f"module {module!r} is missing: {len(failed)} line(s) fail with "
            f"No module named {module!r} ({_listing(lines[:3])}"
            f"{', ...' if len(lines) > 3 else ''})"
        )
        dist_name = dist_names[0]
        if dist_name is not None:
            message += f"; it comes from the {dist_name} distribution"
        message += note
        severity = (
            Severity.ERROR if any(not facts.has_line(s) for s in symbols) else Severity.WARNING
        )
        evidence = _evidence(failed)
        found.append(
            Proposal(
                _finding(
                    "KD102",
                    severity,
                    message,
                    evidence=evidence,
                    fix=fix,
                    symbol=symbols[0] if len(symbols) == 1 else None,
                )
            )
        )
    return found


# --- KD201 / KD202 / KD203: distributions ---------------------------------------------


def _requires_names(target: Target, dist: Distribution) -> set[str]:
    """Distributions ``dist`` requires under the target's markers (no extras)."""
    env = fixes.marker_environment(target)
    names: set[str] = set()
    for line in dist.requires:
        req = fixes.parse_requirement(line)
        if req is None:
            continue
        if req.marker is not None and not req.marker.evaluate(env):
            continue
        names.add(canonicalize_name(req.name))
    return names


def kd201_duplicate_distribution(facts: Facts) -> list[Proposal]:
    """KD201: two distributions install the same import package into one folder."""
    target = facts.target
    found: list[Proposal] = []
    for top in KERAS_TOPS:
        by_location: dict[str, list[Distribution]] = {}
        for dist in target.distributions:
            if top in dist.top_level:
                by_location.setdefault(dist.location, []).append(dist)
        for location, group in by_location.items():
            if len({d.name for d in group}) < 2:
                continue
            group_names = {d.name for d in group}
            # A meta-package that requires the build it delegates to (tensorflow 2.15 on
            # Windows requires tensorflow-intel) carries no files of its own: not a clash.
            real = [d for d in group if not (_requires_names(target, d) & (group_names - {d.name}))]
            if len({d.name for d in real}) < 2:
                continue
            keep, why = _keep_choice(target, top, real)
            others = [d for d in real if d is not keep]
            # Remove every clashing distribution, then install the kept one afresh: its files
            # are whole again. (A plain install, not a forced reinstall: uv's --reinstall
            # implies --refresh and would download TensorFlow's ~550 MB wheel again.)
            fix = (
                fixes.uninstall(target, [*(d.name for d in others), keep.name]),
                fixes.install(target, [f"{keep.name}=={keep.version}"]),
            )
            message = (
                f"{fixes.names(real)} {'both' if len(real) == 2 else 'all'} install the "
                f"{top!r} package into {location}: "
                "the files of the one installed last overwrote the others', and uninstalling "
                "any of them deletes files the rest need; the fix removes "
                f"{_listing([*(d.name for d in others), keep.name])}, then installs {keep.name} "
                f"{keep.version} again so that its files are whole ({why})"
            )
            evidence = [f"{d.label}: {d.metadata_path}" for d in real]
            found.append(
                Proposal(_finding("KD201", Severity.WARNING, message, evidence=evidence, fix=fix))
            )
    return found


def _keep_choice(
    target: Target, top: str, group: Sequence[Distribution]
) -> tuple[Distribution, str]:
    """Which of the clashing distributions to keep, and why."""
    names = {d.name for d in group}
    for dist in group:
        requirers = [
            other.label
            for other in target.distributions
            if other.name not in names and dist.name in _requires_names(target, other)
        ]
        if requirers:
            return (
                dist,
                f"{_listing(requirers)} require{'s' if len(requirers) == 1 else ''} {dist.name}",
            )
    canonical = top.replace("_", "-")
    for dist in group:
        if dist.name == canonical:
            return dist, f"{dist.name} is the main distribution of {top}"
    return group[0], f"{group[0].name} is the first on sys.path"


@dataclass
class _Mismatch:
    """One broken pairing between two distributions, gathered before it becomes a finding."""

    dists: tuple[Distribution, ...]
    reasons: list[str] = field(default_factory=list)
    fix: tuple[str, ...] = ()
    fix_note: str = ""


_KERAS_SIDE = ("keras", "keras-nightly", "tf-keras")


def kd202_version_mismatch(facts: Facts) -> list[Proposal]:
    """KD202: installed versions break declared requirements or the known pairings."""
    target = facts.target
    found: dict[frozenset[str], _Mismatch] = {}

    def add(
        a: Distribution, b: Distribution | None, reason: str, fix: tuple[str, ...], note: str
    ) -> None:
        key = frozenset({a.name} | ({b.name} if b is not None else set()))
        pair = (a,) if b is None else (a, b)
        entry = found.setdefault(key, _Mismatch(pair))
        entry.reasons.append(reason)
        if fix and not entry.fix:
            entry.fix, entry.fix_note = fix, note

    tf = fixes.tensorflow_dist(target)
    tf_version = _version(tf)
    # Known pairings first: their fixes change the Keras side and keep TensorFlow.
    if tf is not None and tf_version is not None:
        _pairings(target, tf, tf_version, add)
    _declared(target, add)
    proposals = []
    for entry in found.values():
        tops = {t for d in entry.dists for t in d.top_level}
        severity = Severity.ERROR if _public_line_broken(facts, tops) else Severity.WARNING
        message = f"{fixes.names(entry.dists)} do not fit together: {entry.reasons[0]}"
        if entry.fix_note:
            message += f"; {entry.fix_note}"
        proposals.append(
            Proposal(_finding("KD202", severity, message, evidence=entry.reasons, fix=entry.fix))
        )
    return proposals


def _pairings(
    target: Target,
    tf: Distribution,
    tf_version: Version,
    add: Callable[[Distribution, Distribution | None, str, tuple[str, ...], str], None],
) -> None:
    fix: tuple[str, ...]
    keras = fixes.keras_dist(target)
    keras_version = _version(keras)
    if keras is not None and keras_version is not None:
        wrong = ""
        if keras_version.major >= 3 and tf_version < Version("2.16"):
            wrong = (
                f"Keras 3 needs TensorFlow 2.16 or later; with TensorFlow {tf.version} "
                "tf.keras becomes Keras 3 or fails (No module named 'keras.api._v2')"
            )
        elif keras_version < Version("2.4") and tf_version.major >= 2:
            wrong = (
                f"standalone keras {keras.version} (multi-backend, <= 2.3) does not work with "
                "TensorFlow 2 (circular import, module 'tensorflow' has no attribute "
                "'get_default_graph')"
            )
        if wrong:
            wanted = fixes.keras_for_tensorflow(target, tf)
            if wanted is None:
                fix = (fixes.uninstall(target, [keras.name]),)
                note = (
                    f"the fix removes {keras.label}: TensorFlow {tf.version} has tf.keras built in"
                )
            else:
                fix = (fixes.install(target, [wanted]),)
                note = (
                    f"the fix replaces {keras.label} with {wanted}, "
                    f"the Keras TensorFlow {tf.version} declares"
                )
            add(tf, keras, wrong, fix, note)
    tf_keras = target.dist("tf-keras")
    tf_keras_version = _version(tf_keras)
    if (
        tf_keras is not None
        and tf_keras_version is not None
        and (tf_keras_version.major, tf_keras_version.minor) != (tf_version.major, tf_version.minor)
    ):
        reason = (
            f"tf-keras must have the same minor version as TensorFlow "
            f"(tf-keras {tf_keras.version}, TensorFlow {tf.version})"
        )
        if tf_version >= Version("2.14"):
            wanted = fixes.minor_range("tf-keras", tf_version)
            fix = (fixes.install(target, [wanted]),)
            note = f"the fix replaces {tf_keras.label} with {wanted}"
        else:
            fix, note = (), f"no tf-keras release exists for TensorFlow {tf.version}"
        add(tf, tf_keras, reason, fix, note)


def _declared(
    target: Target,
    add: Callable[[Distribution, Distribution | None, str, tuple[str, ...], str], None],
) -> None:
    """Requires-Dist of the relevant distributions, checked as ``pip check`` does."""
    env = fixes.marker_environment(target)
    for dist in target.distributions:
        for line in dist.requires:
            req = fixes.parse_requirement(line)
            if req is None or (req.marker is not None and not req.marker.evaluate(env)):
                continue
            name = canonicalize_name(req.name)
            if not is_relevant(name):
                continue  # kerasdoctor reads only the distributions that decide Keras imports
            installed = _installed_as(target, name)
            if installed is None:
                needed = fixes.requirement_text(name, fixes.declared_specifier(target, name))
                add(
                    dist,
                    None,
                    f"{dist.label} requires {req}, which is not installed",
                    (fixes.install(target, [needed]),),
                    f"the fix installs {needed}",
                )
                continue
            version = fixes.parse_version(installed.version)
            if version is None or req.specifier.contains(version, prereleases=True):
                continue
            reason = f"{dist.label} requires {req}, but {installed.label} is installed"
            wanted: str | None
            if installed.name in fixes.TENSORFLOW_DISTRIBUTIONS and dist.name in _KERAS_SIDE:
                # Keep TensorFlow (the large, deliberate install); move the Keras side to it.
                tf_version = fixes.parse_version(installed.version)
                wanted = (
                    fixes.minor_range(dist.name, tf_version)
                    if dist.name == "tf-keras" and tf_version is not None
                    else None
                )
            else:
                wanted = fixes.requirement_text(
                    installed.name, fixes.declared_specifier(target, installed.name)
                )
            if wanted is None:
                add(dist, installed, reason, (), "")
                continue
            replaced = (
                dist
                if dist.name in _KERAS_SIDE and installed.name in fixes.TENSORFLOW_DISTRIBUTIONS
                else installed
            )
            add(
                dist,
                installed,
                reason,
                (fixes.install(target, [wanted]),),
                f"the fix replaces {replaced.label} with {wanted}",
            )


def _installed_as(target: Target, name: str) -> Distribution | None:
    """The installed distribution that satisfies a requirement on ``name``.

    A requirement on ``tensorflow`` is met in practice by any build of it that installs the
    same package (tensorflow-cpu, tf-nightly...), and ``keras`` by keras-nightly.
    """
    exact = target.dist(name)
    if exact is not None:
        return exact
    if name in fixes.TENSORFLOW_DISTRIBUTIONS:
        return fixes.tensorflow_dist(target)
    if name in ("keras", "keras-nightly"):
        return fixes.keras_dist(target)
    return None


def _public_line_broken(facts: Facts, tops: set[str]) -> bool:
    """True when a public line of one of ``tops`` failed for another reason than absence."""
    for outcome in facts.outcomes:
        candidate = outcome.candidate
        if not candidate.is_public or candidate.top_level not in tops or outcome.works:
            continue
        missing = _missing_module(outcome)
        if missing is not None and missing.split(".", 1)[0] == candidate.top_level:
            continue
        return True
    return False


def kd203_deprecated_distribution(facts: Facts) -> list[Proposal]:
    """KD203: keras-core, tensorflow-gpu and the like: replaced, no longer maintained."""
    target = facts.target
    found: list[Proposal] = []
    core = target.dist("keras-core")
    if core is not None:
        message = (
            f"{core.label} is the preview of Keras 3 and no longer maintained: Keras 3 "
            "(`import keras`) replaces it with the same API and backends; change `keras_core` "
            "to `keras` in your imports"
        )
        tf = fixes.tensorflow_dist(target)
        tf_version = _version(tf)
        keras = fixes.keras_dist(target)
        keras_version = _version(keras)
        fix: tuple[str, ...]
        if keras_version is not None and keras_version.major >= 3:
            fix = (fixes.uninstall(target, ["keras-core"]),)
            message += (
                f"; {keras.label if keras else 'keras'} is installed: the fix removes {core.label}"
            )
        elif tf is not None and (tf_version is None or tf_version < Version("2.16")):
            fix = ()
            message += (
                f"; Keras 3 needs TensorFlow 2.16 or later and {tf.label} is installed, "
                "so upgrade TensorFlow first"
            )
        else:
            fix = (
                fixes.install(target, ["keras>=3"]),
                fixes.uninstall(target, ["keras-core"]),
            )
            message += f"; the fix installs keras>=3 and removes {core.label}"
        found.append(Proposal(_finding("KD203", Severity.WARNING, message, fix=fix)))
    for gpu_name, replacement in (
        ("tensorflow-gpu", "tensorflow"),
        ("tf-nightly-gpu", "tf-nightly"),
    ):
        gpu = target.dist(gpu_name)
        version = _version(gpu)
        if gpu is None or version is None:
            continue
        if gpu_name == "tensorflow-gpu" and version < Version("2.1"):
            continue  # TensorFlow 1.x still needed the separate GPU build
        wanted = f"{replacement}=={gpu.version}" if gpu_name == "tensorflow-gpu" else replacement
        message = (
            f"{gpu.label} is deprecated: since TensorFlow 2.1 the {replacement} distribution "
            f"includes GPU support, and {gpu_name} is no longer released; the fix removes "
            f"{gpu.label} and installs {wanted}"
        )
        fix = (fixes.uninstall(target, [gpu_name]), fixes.install(target, [wanted]))
        found.append(Proposal(_finding("KD203", Severity.WARNING, message, fix=fix)))
    return found


# --- KD301 / KD302: the path and the legacy flag ----------------------------------------


def _normal(path: str, base: str) -> str:
    return os.path.normpath(PurePath(base, path))


def _shadow_item(origin: str, top: str) -> tuple[str, str] | None:
    """(folder on sys.path, the file or package folder in it) for a module's origin."""
    path = PurePath(origin)
    if path.name.startswith("__init__."):
        if path.parent.name != top:
            return None
        return str(path.parent.parent), str(path.parent)
    if path.name.split(".", 1)[0] != top:
        return None
    return str(path.parent), origin


def kd301_shadowed_module(facts: Facts) -> list[Proposal]:
    """KD301: a file or folder in the working directory or on PYTHONPATH hides a package."""
    target = facts.target
    cwd = os.path.normpath(target.cwd) if target.cwd else ""
    pythonpath = target.env_var("PYTHONPATH") or ""
    pp_entries = [e for e in pythonpath.split(os.pathsep) if e]
    found: list[Proposal] = []
    for top in KERAS_TOPS:
        origin = target.module_origin(top)
        if not origin or not PurePath(origin).is_absolute():
            continue  # not found, built-in, namespace or an error: nothing on disk to move
        located = _shadow_item(origin, top)
        if located is None:
            continue
        entry, item = located
        entry = os.path.normpath(entry)
        owners = [d for d in target.distributions if top in d.top_level]
        if any(os.path.normpath(d.location) == entry for d in owners):
            continue  # the installed package itself
        asked = [o for o in facts.outcomes if o.candidate.top_level == top and _asked(o)]
        broken = bool(asked) and not any(o.works for o in asked)
        is_file = not PurePath(origin).name.startswith("__init__.")
        # A working package folder first on the path is most often the project itself (a
        # source checkout of keras, an editable install): only a lone file, or a folder
        # that breaks the public lines, is a shadow worth reporting.
        if not broken and not is_file:
            continue
        if not owners and not broken:
            continue
        failed = [o for o in asked if not o.works]
        in_cwd = bool(cwd) and entry == cwd
        in_pp = [e for e in pp_entries if _normal(e, target.cwd or "/") == entry]
        if not in_cwd and not in_pp:
            continue
        hidden = (
            f"the installed {_listing([d.label for d in owners])} at {owners[0].location}"
            if owners
            else "any installed package of that name"
        )
        evidence = [f"`import {top}` finds {origin}"]
        evidence += _evidence(failed)
        severity = Severity.ERROR if broken else Severity.WARNING
        symbols = tuple(dict.fromkeys(o.candidate.symbol for o in failed)) or facts.symbols
        name = PurePath(item).name
        if in_cwd:
            renamed = f"{top}_local.py" if item.endswith(".py") else f"{top}_local"
            destination = str(PurePath(item).parent / renamed)
            message = (
                f"{item} hides {hidden}: `python -c`, the REPL and `python -m` started in "
                f"{cwd}, and scripts in that folder, import it instead (scripts started "
                f"elsewhere are not affected); rename it (the fix renames it to {renamed}) "
                "and update the imports that use it"
            )
            found.append(
                Proposal(
                    _finding(
                        "KD301",
                        severity,
                        message,
                        evidence=evidence,
                        fix=(fixes.rename(item, destination),),
                    ),
                    EnvCheck(
                        empty_cwd=True,
                        symbols=symbols,
                        description=f"from a folder without {name}",
                    ),
                )
            )
            continue
        kept = [e for e in pp_entries if e not in in_pp]
        new_value = os.pathsep.join(kept) if kept else None
        message = (
            f"{item} hides {hidden}: its folder {in_pp[0]} is on PYTHONPATH, so every Python "
            f"started with this PYTHONPATH imports it; the fix drops {in_pp[0]} from PYTHONPATH"
        )
        found.append(
            Proposal(
                _finding(
                    "KD301",
                    severity,
                    message,
                    evidence=evidence,
                    fix=(fixes.export("PYTHONPATH", new_value),),
                ),
                EnvCheck(
                    variables=(("PYTHONPATH", new_value),),
                    symbols=symbols,
                    description=(
                        f"with PYTHONPATH={new_value}" if new_value else "with PYTHONPATH unset"
                    ),
                ),
            )
        )
    return found


#: The values TensorFlow's KerasLazyLoader treats as "on" (tensorflow/python/util/lazy_loader.py).
LEGACY_ON: tuple[str, ...] = ("1", "true", "True")


def kd302_legacy_flag_problem(facts: Facts) -> list[Proposal]:
    """KD302: TF_USE_LEGACY_KERAS is set but cannot do what it is meant to."""
    target = facts.target
    flag = target.env_var("TF_USE_LEGACY_KERAS")
    if flag not in LEGACY_ON:
        return []
    tf = fixes.tensorflow_dist(target)
    tf_version = _version(tf)
    if tf is None or tf_version is None:
        return []  # only TensorFlow reads the variable
    tf_lines = [o for o in facts.outcomes if o.candidate.top_level == "tensorflow"]
    if tf_version < Version("2.15"):
        keep = tuple(s for s in facts.symbols if facts.has_line(s)) or facts.symbols
        message = (
            f"TF_USE_LEGACY_KERAS={flag} has no effect on TensorFlow {tf.version}: only "
            "TensorFlow 2.15 and later read it, so tf.keras is the Keras TensorFlow "
            f"{tf.version} pairs with, not tf_keras; unset it to avoid the confusion"
        )
        return [
            Proposal(
                _finding(
                    "KD302",
                    Severity.WARNING,
                    message,
                    fix=(fixes.export("TF_USE_LEGACY_KERAS", None),),
                ),
                EnvCheck(
                    variables=(("TF_USE_LEGACY_KERAS", None),),
                    symbols=keep,
                    description="with TF_USE_LEGACY_KERAS unset",
                ),
            )
        ]
    if _importable(target, "tf_keras"):
        return []
    wanted = fixes.minor_range("tf-keras", tf_version)
    public = [o for o in tf_lines if _asked(o)]
    failed = [o for o in public if not o.works]
    working = [o for o in public if o.works and o.resolved is not None]
    # Seen on TensorFlow 2.21: `from tensorflow.keras.layers import X` then still works and
    # silently gives Keras 3 (tensorflow/__init__.py puts keras/_tf_keras on its __path__);
    # TensorFlow 2.15 raises "Keras cannot be imported" instead. Say which one happened.
    if failed:
        effect = "tensorflow.keras lines fail"
    elif working:
        first = working[0]
        source = first.distribution or (first.resolved.top_level if first.resolved else "?")
        effect = (
            f"tf.keras silently gives {source} instead, not the tf_keras that code written "
            "for the variable expects"
        )
    else:
        effect = "tf.keras cannot give tf_keras"
    message = (
        f"TF_USE_LEGACY_KERAS={flag} asks tf.keras to load tf_keras, which is not installed: "
        f"{effect}; the fix installs {wanted}, the tf-keras of TensorFlow {tf.version}; to "
        "use Keras 3 through tf.keras instead, `unset TF_USE_LEGACY_KERAS`"
    )
    evidence = _evidence(failed) + [
        f"{o.candidate.import_line} -> {o.resolved.identity}" for o in working if o.resolved
    ]
    return [
        Proposal(
            _finding(
                "KD302",
                Severity.ERROR if failed else Severity.WARNING,
                message,
                evidence=evidence,
                fix=(fixes.install(target, [wanted]),),
            )
        )
    ]


# --- KD401 / KD402: what the working lines give -----------------------------------------

_CLASS_KINDS = ("layer", "model", "class")


def kd401_mixed_implementations(facts: Facts) -> list[Proposal]:
    """KD401: working lines for one symbol give different classes that do not mix."""
    found: list[Proposal] = []
    for symbol in facts.symbols:
        groups: dict[str, list[ProbeOutcome]] = {}
        for outcome in facts.outcomes:
            resolved = outcome.resolved
            if (
                outcome.candidate.symbol != symbol
                or not outcome.works
                or resolved is None
                or resolved.kind not in _CLASS_KINDS
                or outcome.usable is False  # a placeholder: KD402's business
            ):
                continue
            groups.setdefault(resolved.identity, []).append(outcome)
        if len(groups) < 2:
            continue
        public_groups = [g for g in groups.values() if any(o.candidate.is_public for o in g)]
        # Two public roots that disagree is what users trip over; a private or legacy line
        # with another class (tf.compat.v1's V1 layer on TF 2.15) is only worth knowing.
        severity = Severity.WARNING if len(public_groups) >= 2 else Severity.INFO
        suggestion = facts.suggestion(symbol)
        chosen = (
            suggestion.resolved.identity
            if suggestion is not None and suggestion.resolved is not None
            else None
        )
        # Name the groups users reach through public lines; private-only classes (V1
        # layers, TF1 legacy layers) are counted, and listed in the evidence.
        shown = public_groups if len(public_groups) >= 2 else list(groups.values())
        parts = []
        for members in shown:
            identity = members[0].resolved.identity if members[0].resolved else "?"
            ordered = sorted(members, key=lambda o: 0 if o.candidate.is_public else 1)
            lines = _listing([o.candidate.module for o in ordered[:3]])
            if len(members) > 3:
                lines += f" (+{len(members) - 3})"
            source = members[0].distribution or identity.split(".", 1)[0]
            mark = " (the suggested line's)" if identity == chosen else ""
            parts.append(f"[{lines}] give {identity} from {source}{mark}")
        rest = len(groups) - len(shown)
        message = (
            f"working lines for {symbol} give {len(groups)} different classes; objects of one "
            "are rejected by models of the other, so use lines from one group only: "
            + "; ".join(parts)
            + (f"; {rest} more class{'es' if rest > 1 else ''} from private lines" if rest else "")
        )
        evidence = [
            f"{o.candidate.import_line} -> {identity}"
            for members in [*shown, *(g for g in groups.values() if g not in shown)]
            for o in sorted(members, key=lambda o: 0 if o.candidate.is_public else 1)[:2]
            for identity in [members[0].resolved.identity if members[0].resolved else "?"]
        ]
        found.append(
            Proposal(_finding("KD401", severity, message, evidence=evidence, symbol=symbol))
        )
    return found


def kd402_import_works_use_fails(facts: Facts) -> list[Proposal]:
    """KD402: a line imports, but the object fails its use check."""
    found: list[Proposal] = []
    for symbol in facts.symbols:
        broken = [
            o
            for o in facts.outcomes
            if o.candidate.symbol == symbol and o.works and o.usable is False
        ]
        if not broken:
            continue
        suggestion = facts.suggestion(symbol)
        if suggestion is None or suggestion.candidate is None:
            severity = Severity.ERROR
            instead = "no line gives a usable one here"
        else:
            asked = any(_asked(o) for o in broken)
            # A historic location that now holds a placeholder (keras.optimizers.legacy under
            # Keras 3) is expected; a public or requested line that fails is not.
            severity = Severity.WARNING if asked else Severity.INFO
            instead = f"use `{suggestion.import_line}` instead"
        evidence = []
        for o in broken:
            use = o.use
            error = use.error if use is not None else None
            detail = (
                f"{error.type}: {_first_line(error.message)}" if error is not None else "failed"
            )
            evidence.append(
                f"{o.candidate.import_line}: {use.how if use is not None else 'used'}: {detail}"
            )
        lines = _listing([f"`{o.candidate.import_line}`" for o in broken[:3]])
        verbs = "imports but fails" if len(broken) == 1 else "import but fail"
        message = f"{lines} {verbs} when used; {instead}"
        found.append(
            Proposal(_finding("KD402", severity, message, evidence=evidence, symbol=symbol))
        )
    return found


RULES: tuple[Rule, ...] = (
    kd001_no_working_import,
    kd101_keras_backend_missing,
    kd102_missing_dependency,
    kd201_duplicate_distribution,
    kd202_version_mismatch,
    kd203_deprecated_distribution,
    kd301_shadowed_module,
    kd302_legacy_flag_problem,
    kd401_mixed_implementations,
    kd402_import_works_use_fails,
)


def propose(facts: Facts) -> tuple[Proposal, ...]:
    """Every rule's proposals, in code order, errors before warnings within a code."""
    proposals: list[Proposal] = []
    for rule in RULES:
        proposals.extend(rule(facts))
    order = {id(p): i for i, p in enumerate(proposals)}
    return tuple(
        sorted(
            proposals,
            key=lambda p: (p.finding.code, _SEVERITY_ORDER[p.finding.severity], order[id(p)]),
        )
    )


def run_rules(facts: Facts) -> tuple[Finding, ...]:
    """All findings, in code order, errors before warnings within a code (unverified)."""
    return tuple(p.unproven() for p in propose(facts))
