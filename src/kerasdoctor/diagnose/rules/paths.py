"""KD301 and KD302: what the import path and the legacy flag make Python load."""

from __future__ import annotations

import os
from pathlib import PurePath

from packaging.version import Version

from kerasdoctor import knowledge
from kerasdoctor.diagnose import fixes
from kerasdoctor.diagnose.rules.facts import Facts, asked, evidence, importable, listing
from kerasdoctor.diagnose.rules.proposals import EnvCheck, Proposal, Rule, finding
from kerasdoctor.knowledge import version_of
from kerasdoctor.models import Severity


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
    for top in knowledge.KERAS_TOPS:
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
        mine = [o for o in facts.outcomes if o.candidate.top_level == top and asked(o)]
        broken = bool(mine) and not any(o.works for o in mine)
        is_file = not PurePath(origin).name.startswith("__init__.")
        # A working package folder first on the path is most often the project itself (a
        # source checkout of keras, an editable install): only a lone file, or a folder
        # that breaks the public lines, is a shadow worth reporting.
        if not broken and not is_file:
            continue
        if not owners and not broken:
            continue
        failed = [o for o in mine if not o.works]
        in_cwd = bool(cwd) and entry == cwd
        in_pp = [e for e in pp_entries if _normal(e, target.cwd or "/") == entry]
        if not in_cwd and not in_pp:
            continue
        hidden = (
            f"the installed {listing([d.label for d in owners])} at {owners[0].location}"
            if owners
            else "any installed package of that name"
        )
        shown = [f"`import {top}` finds {origin}", *evidence(failed)]
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
                    finding(
                        "KD301",
                        message,
                        severity=severity,
                        evidence=shown,
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
                finding(
                    "KD301",
                    message,
                    severity=severity,
                    evidence=shown,
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


def kd302_legacy_flag_problem(facts: Facts) -> list[Proposal]:
    """KD302: TF_USE_LEGACY_KERAS is set but cannot do what it is meant to."""
    target = facts.target
    flag = target.env_var("TF_USE_LEGACY_KERAS")
    if flag not in knowledge.LEGACY_ON:
        return []
    tf = knowledge.tensorflow_dist(target)
    tf_version = version_of(tf)
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
                finding("KD302", message, fix=(fixes.export("TF_USE_LEGACY_KERAS", None),)),
                EnvCheck(
                    variables=(("TF_USE_LEGACY_KERAS", None),),
                    symbols=keep,
                    description="with TF_USE_LEGACY_KERAS unset",
                ),
            )
        ]
    if importable(target, "tf_keras"):
        return []
    wanted = knowledge.minor_range("tf-keras", tf_version)
    public = [o for o in tf_lines if asked(o)]
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
    shown = evidence(failed) + [
        f"{o.candidate.import_line} -> {o.resolved.identity}" for o in working if o.resolved
    ]
    return [
        Proposal(
            finding(
                "KD302",
                message,
                severity=Severity.ERROR if failed else Severity.WARNING,
                evidence=shown,
                fix=(fixes.install(target, [wanted]),),
            )
        )
    ]


CHECKS: dict[str, Rule] = {
    "KD301": kd301_shadowed_module,
    "KD302": kd302_legacy_flag_problem,
}
