"""KD201, KD202 and KD203: what is installed, and whether it fits together."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Optional

from packaging.utils import canonicalize_name
from packaging.version import Version

from kerasdoctor import knowledge
from kerasdoctor.diagnose import fixes
from kerasdoctor.diagnose.rules.facts import Facts, listing, names, public_line_broken
from kerasdoctor.diagnose.rules.proposals import Proposal, Rule, finding
from kerasdoctor.knowledge import version_of
from kerasdoctor.models import Distribution, FixCommand, Severity, Target


def kd201_duplicate_distribution(facts: Facts) -> list[Proposal]:
    """KD201: two distributions install the same import package into one folder."""
    target = facts.target
    found: list[Proposal] = []
    for top in knowledge.KERAS_TOPS:
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
            real = [
                d
                for d in group
                if not (knowledge.required_names(target, d) & (group_names - {d.name}))
            ]
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
                f"{names(real)} {'both' if len(real) == 2 else 'all'} install the "
                f"{top!r} package into {location}: "
                "the files of the one installed last overwrote the others', and uninstalling "
                "any of them deletes files the rest need; the fix removes "
                f"{listing([*(d.name for d in others), keep.name])}, then installs {keep.name} "
                f"{keep.version} again so that its files are whole ({why})"
            )
            evidence = [f"{d.label}: {d.metadata_path}" for d in real]
            found.append(Proposal(finding("KD201", message, evidence=evidence, fix=fix)))
    return found


def _keep_choice(
    target: Target, top: str, group: Sequence[Distribution]
) -> tuple[Distribution, str]:
    """Which of the clashing distributions to keep, and why."""
    group_names = {d.name for d in group}
    for dist in group:
        requirers = [
            other.label
            for other in target.distributions
            if other.name not in group_names
            and dist.name in knowledge.required_names(target, other)
        ]
        if requirers:
            return (
                dist,
                f"{listing(requirers)} require{'s' if len(requirers) == 1 else ''} {dist.name}",
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
    fix: tuple[FixCommand, ...] = ()
    fix_note: str = ""


# A runtime alias (evaluated on Python 3.9 too), hence Optional rather than `X | None`.
_Add = Callable[[Distribution, Optional[Distribution], str, tuple[FixCommand, ...], str], None]


def kd202_version_mismatch(facts: Facts) -> list[Proposal]:
    """KD202: installed versions break declared requirements or the known pairings."""
    target = facts.target
    found: dict[frozenset[str], _Mismatch] = {}

    def add(
        a: Distribution, b: Distribution | None, reason: str, fix: tuple[FixCommand, ...], note: str
    ) -> None:
        key = frozenset({a.name} | ({b.name} if b is not None else set()))
        pair = (a,) if b is None else (a, b)
        entry = found.setdefault(key, _Mismatch(pair))
        entry.reasons.append(reason)
        if fix and not entry.fix:
            entry.fix, entry.fix_note = fix, note

    tf = knowledge.tensorflow_dist(target)
    tf_version = version_of(tf)
    # Known pairings first: their fixes change the Keras side and keep TensorFlow.
    if tf is not None and tf_version is not None:
        _pairings(target, tf, tf_version, add)
    _declared(target, add)
    proposals = []
    for entry in found.values():
        tops = {t for d in entry.dists for t in d.top_level}
        severity = Severity.ERROR if public_line_broken(facts, tops) else Severity.WARNING
        message = f"{names(entry.dists)} do not fit together: {entry.reasons[0]}"
        if entry.fix_note:
            message += f"; {entry.fix_note}"
        proposals.append(
            Proposal(
                finding("KD202", message, severity=severity, evidence=entry.reasons, fix=entry.fix)
            )
        )
    return proposals


def _pairings(target: Target, tf: Distribution, tf_version: Version, add: _Add) -> None:
    fix: tuple[FixCommand, ...]
    keras = knowledge.keras_dist(target)
    keras_version = version_of(keras)
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
            wanted = knowledge.keras_for_tensorflow(target, tf)
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
    tf_keras_version = version_of(tf_keras)
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
            wanted = knowledge.minor_range("tf-keras", tf_version)
            fix = (fixes.install(target, [wanted]),)
            note = f"the fix replaces {tf_keras.label} with {wanted}"
        else:
            fix, note = (), f"no tf-keras release exists for TensorFlow {tf.version}"
        add(tf, tf_keras, reason, fix, note)


def _declared(target: Target, add: _Add) -> None:
    """Requires-Dist of the relevant distributions, checked as ``pip check`` does."""
    for dist in target.distributions:
        for req in knowledge.requirements(target, dist):
            name = canonicalize_name(req.name)
            if not knowledge.is_relevant(name):
                continue  # kerasdoctor reads only the distributions that decide Keras imports
            installed = knowledge.installed_as(target, name)
            if installed is None:
                needed = knowledge.requirement_text(
                    name, knowledge.declared_specifier(target, name)
                )
                add(
                    dist,
                    None,
                    f"{dist.label} requires {req}, which is not installed",
                    (fixes.install(target, [needed]),),
                    f"the fix installs {needed}",
                )
                continue
            version = knowledge.parse_version(installed.version)
            if version is None or req.specifier.contains(version, prereleases=True):
                continue
            reason = f"{dist.label} requires {req}, but {installed.label} is installed"
            # Keep TensorFlow (the large, deliberate install); move the Keras side to it.
            keras_to_tf = (
                installed.name in knowledge.TENSORFLOW_DISTRIBUTIONS
                and dist.name in knowledge.KERAS_SIDE
            )
            wanted: str | None
            if keras_to_tf:
                wanted = (
                    knowledge.minor_range(dist.name, version) if dist.name == "tf-keras" else None
                )
            else:
                wanted = knowledge.requirement_text(
                    installed.name, knowledge.declared_specifier(target, installed.name)
                )
            if wanted is None:
                add(dist, installed, reason, (), "")
                continue
            replaced = dist if keras_to_tf else installed
            add(
                dist,
                installed,
                reason,
                (fixes.install(target, [wanted]),),
                f"the fix replaces {replaced.label} with {wanted}",
            )


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
        tf = knowledge.tensorflow_dist(target)
        tf_version = version_of(tf)
        keras = knowledge.keras_dist(target)
        keras_version = version_of(keras)
        fix: tuple[FixCommand, ...]
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
        found.append(Proposal(finding("KD203", message, fix=fix)))
    for gpu_name, replacement in knowledge.DEPRECATED_GPU_BUILDS:
        gpu = target.dist(gpu_name)
        version = version_of(gpu)
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
        found.append(Proposal(finding("KD203", message, fix=fix)))
    return found


CHECKS: dict[str, Rule] = {
    "KD201": kd201_duplicate_distribution,
    "KD202": kd202_version_mismatch,
    "KD203": kd203_deprecated_distribution,
}
