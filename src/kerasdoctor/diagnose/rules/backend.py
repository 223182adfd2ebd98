"""KD101 and KD102: the Keras 3 backend, and modules a Keras implementation needs."""

from __future__ import annotations

from kerasdoctor import knowledge
from kerasdoctor.diagnose import fixes
from kerasdoctor.diagnose.rules.facts import (
    Facts,
    asked,
    backend_missing,
    configured_backend,
    evidence,
    importable,
    installed_backends,
    listing,
    missing_module,
)
from kerasdoctor.diagnose.rules.proposals import EnvCheck, Proposal, Rule, finding
from kerasdoctor.models import FixCommand, ProbeOutcome, Severity, Target


def kd101_keras_backend_missing(facts: Facts) -> list[Proposal]:
    """KD101: Keras 3 / keras-core is set to a backend that is not installed."""
    target = facts.target
    missing = backend_missing(target)
    if missing is None:
        return []
    backend, known = missing
    dists = knowledge.multibackend_dists(target)
    _, how = configured_backend(target)
    available = installed_backends(target, dists)
    family = listing([d.label for d in dists])
    if known:
        primary = knowledge.KERAS3_BACKEND_MODULES[backend][0]
        cause = f"the {backend} backend is not installed (no module {primary!r})"
        failed = [
            o
            for o in facts.outcomes
            if missing_module(o) is not None
            and missing_module(o) == primary
            and o.candidate.top_level in ("keras", "keras_core", "tensorflow")
        ]
    else:
        names = ", ".join(knowledge.known_backends(dists))
        cause = f"{backend!r} is not a backend Keras knows ({names})"
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
    shown = evidence(failed)
    symbols = tuple(dict.fromkeys(o.candidate.symbol for o in failed)) or facts.symbols
    wanted = backend if known else "tensorflow"
    install_fix, requirements = _backend_install_fix(target, wanted)
    install_note = ""
    if install_fix:
        install_note = f"the fix installs {listing(requirements)} into {target.python}"
        if not known:
            install_fix = (*install_fix, fixes.export("KERAS_BACKEND", "tensorflow"))
            install_note += " and sets KERAS_BACKEND=tensorflow"
    usable = [b for b in available if b in knowledge.TRAINING_BACKENDS]
    if usable:
        choice = usable[0]
        return [
            Proposal(
                finding(
                    "KD101",
                    message,
                    evidence=shown,
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
    return [Proposal(finding("KD101", message, evidence=shown, fix=install_fix))]


def _backend_install_fix(target: Target, backend: str) -> tuple[tuple[FixCommand, ...], list[str]]:
    """The install command for a backend's missing modules, and the requirements it names."""
    modules = [m for m in knowledge.KERAS3_BACKEND_MODULES[backend] if not importable(target, m)]
    requirements = [knowledge.requirement_for_module(target, m) for m in modules]
    wanted = [r for r in requirements if r is not None]
    if not wanted or len(wanted) != len(requirements):
        return (), []
    return (fixes.install(target, wanted),), wanted


def kd102_missing_dependency(facts: Facts) -> list[Proposal]:
    """KD102: a Keras implementation fails to import because a module it needs is missing."""
    target = facts.target
    dists = knowledge.multibackend_dists(target)
    backend, how = configured_backend(target)
    backend_gone = backend_missing(target)
    by_module: dict[str, list[ProbeOutcome]] = {}
    for outcome in facts.outcomes:
        module = missing_module(outcome)
        if module is None:
            continue
        if not asked(outcome) and facts.has_line(outcome.candidate.symbol):
            # A private module of another backend (keras.src.backend.torch...) needs that
            # backend; it says nothing about the environment while a public line works.
            continue
        top = module.split(".", 1)[0]
        if top == outcome.candidate.top_level:
            continue  # the line's own package (or a submodule of it) is absent: not a dependency
        if importable(target, top):
            continue  # a submodule missing inside an installed package: a version question
        if (
            backend_gone is not None
            and backend_gone[1]
            and top == knowledge.KERAS3_BACKEND_MODULES[backend_gone[0]][0]
        ):
            continue  # KD101 reports the backend itself
        by_module.setdefault(module, []).append(outcome)
    found: list[Proposal] = []
    for module, failed in by_module.items():
        symbols = tuple(dict.fromkeys(o.candidate.symbol for o in failed))
        modules = [module]
        note = ""
        needs = knowledge.KERAS3_BACKEND_MODULES.get(backend, ())
        if dists and module in needs:
            # One missing module hides the next (scipy, then jax): install all the backend needs.
            also = [m for m in needs if m != module and not importable(target, m)]
            modules += also
            note = f"; the {backend} backend of Keras ({how}) imports {listing(list(needs))}"
            if also:
                note += f", and {listing(also)} {'is' if len(also) == 1 else 'are'} missing too"
        requirements = [knowledge.requirement_for_module(target, m) for m in modules]
        dist_names = [knowledge.distribution_for_module(m) for m in modules]
        if any(r is None for r in requirements):
            unknown = [m for m, d in zip(modules, dist_names) if d is None]
            fix: tuple[FixCommand, ...] = ()
            note += (
                f"; kerasdoctor does not know which distribution provides {listing(unknown)}: "
                "install the one your project documents"
            )
        else:
            wanted = [r for r in requirements if r is not None]
            fix = (fixes.install(target, wanted),)
            note += f"; the fix installs {listing(wanted)}"
        lines = [o.candidate.import_line for o in failed]
        message = (
            f"module {module!r} is missing: {len(failed)} line(s) fail with "
            f"No module named {module!r} ({listing(lines[:3])}"
            f"{', ...' if len(lines) > 3 else ''})"
        )
        dist_name = dist_names[0]
        if dist_name is not None:
            message += f"; it comes from the {dist_name} distribution"
        message += note
        severity = (
            Severity.ERROR if any(not facts.has_line(s) for s in symbols) else Severity.WARNING
        )
        found.append(
            Proposal(
                finding(
                    "KD102",
                    message,
                    severity=severity,
                    evidence=evidence(failed),
                    fix=fix,
                    symbol=symbols[0] if len(symbols) == 1 else None,
                )
            )
        )
    return found


CHECKS: dict[str, Rule] = {
    "KD101": kd101_keras_backend_missing,
    "KD102": kd102_missing_dependency,
}
