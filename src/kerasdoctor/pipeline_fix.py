"""The steps of :func:`kerasdoctor.api.fix`: scan, plan, probe the new lines, write.

1. **Scan** (injected: :func:`kerasdoctor.api.scan` in real runs, a fake in unit tests).
2. **Choose** (:func:`kerasdoctor.fix.apply.select`): diagnostics whose ``CodeFix`` has edits
   and is safe (or unsafe too with ``--unsafe-fixes``), grouped per file.
3. **Plan** (:func:`kerasdoctor.fix.apply.plan_file`, pure): each file is read once
   (:func:`kerasdoctor.fix.write.snapshot`); edits that do not fit what the scan saw, conflict,
   touch a magic or change the syntax tree outside their statements are refused.
4. **Confirm**: every new line the accepted edits introduce is probed in the target (fresh
   process semantics, one probe per distinct line) and must work and give the promised object;
   the diagnostics whose lines do not are refused and their files planned again without them.
5. **Write** (only when asked, :func:`kerasdoctor.fix.write.write_files`): atomically, and only
   over bytes equal to the snapshot.

Like :mod:`kerasdoctor.pipeline`, this module may run probes; the pure parts stay in ``fix/``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from kerasdoctor.fix.apply import FilePlan, LineCheck, NewLine, plan_file, select
from kerasdoctor.fix.report import FileFix, FixReport, FixStatus, Refusal
from kerasdoctor.fix.write import (
    FileSnapshot,
    WriteRequest,
    WriteStatus,
    snapshot,
    write_files,
)
from kerasdoctor.models import Candidate, Origin, ProbeOutcome, Status, Target
from kerasdoctor.probe import ProbeSettings, probe_all

__all__ = ["Confirmer", "ProbeSettings", "fix", "fix_from_scan", "probe_new_lines"]
from kerasdoctor.scan.diagnostics import Diagnostic, ScanReport

#: Probes the new lines in the target: one outcome per line.
Confirmer = Callable[[Target, Sequence[NewLine]], Mapping[NewLine, ProbeOutcome]]


def probe_new_lines(environ: Mapping[str, str], settings: ProbeSettings) -> Confirmer:
    """The real confirmer: each distinct new line in a fresh process of the target."""
    from kerasdoctor.pipeline import protected_keras_home

    def confirm(target: Target, lines: Sequence[NewLine]) -> Mapping[NewLine, ProbeOutcome]:
        candidates = [candidate_of(line) for line in lines]
        with protected_keras_home(target, environ) as probe_environ:
            outcomes = probe_all(
                target,
                candidates,
                use_specs={},
                environ=probe_environ,
                settings=ProbeSettings(
                    timeout=settings.timeout,
                    jobs=settings.jobs,
                    use_check=False,
                    fork=settings.fork,
                ),
            )
        return dict(zip(lines, outcomes))

    return confirm


def candidate_of(line: NewLine) -> Candidate:
    """The probe candidate that runs ``line`` exactly as the rewritten file will."""
    symbol = (line.attrs[-1] if line.attrs else line.name) or line.module.rsplit(".", 1)[-1]
    return Candidate(
        symbol,
        line.module,
        line.name,
        Origin.USER,
        kind=line.kind,
        attrs=line.attrs,
        bound=line.bound,
    )


def _identity_matches(outcome: ProbeOutcome, promised: str) -> bool:
    resolved = outcome.resolved
    if resolved is None:
        return False
    if resolved.identity == promised:
        return True
    # A module: "keras.layers" or "keras.layers:" both name it.
    return resolved.kind == "module" and promised.rstrip(":") == resolved.module


def _problem(check: LineCheck, outcomes: Mapping[NewLine, ProbeOutcome]) -> str | None:
    """Why the diagnostic's new lines do not keep the fix's promise, or None."""
    for line in check.lines:
        outcome = outcomes.get(line)
        if outcome is None:
            return f"`{line.text}` could not be probed"
        if outcome.status is not Status.OK:
            error = outcome.error
            detail = f"{error.type}: {error.message}" if error else outcome.status.value
            return f"`{line.text}` fails in the target: {detail}"
    if check.promised is not None and check.resolves_to:
        outcome = outcomes[check.promised]
        if not _identity_matches(outcome, check.resolves_to):
            got = outcome.resolved.identity if outcome.resolved else "nothing"
            return (
                f"`{check.promised.text}` gives {got} in the target, "
                f"not the promised {check.resolves_to}"
            )
    return None


def resolve_path(root: str, path: str) -> Path:
    """The file a diagnostic's path names (relative paths are relative to the scan root)."""
    given = Path(path)
    return given if given.is_absolute() else Path(root) / given


def fix_from_scan(
    report: ScanReport,
    *,
    unsafe: bool,
    write: bool,
    confirm: Confirmer,
    read: Callable[[Path], FileSnapshot] = snapshot,
) -> FixReport:
    """Everything after the scan: choose, plan, confirm, and write when asked."""
    chosen, skipped = select(report, unsafe=unsafe)
    by_path: dict[str, list[Diagnostic]] = {}
    for diagnostic in chosen:
        by_path.setdefault(diagnostic.location.path, []).append(diagnostic)
    snapshots: dict[str, FileSnapshot] = {}
    plans: dict[str, FilePlan] = {}
    for path, found in by_path.items():
        try:
            snapshots[path] = read(resolve_path(report.root, path))
        except OSError as exc:
            reason = f"cannot read the file: {exc.strerror or exc}"
            plans[path] = FilePlan(
                FileFix(
                    path,
                    FixStatus.FAILED,
                    refused=tuple(Refusal(d, reason) for d in found),
                    reason=reason,
                ),
                (),
            )
            continue
        plans[path] = plan_file(path, snapshots[path].data, found)
    lines = list(dict.fromkeys(line for p in plans.values() for c in p.checks for line in c.lines))
    # A line the scan already ran (the same code, in the same target, from the same folder)
    # has its answer: a fresh process would say the same.
    known = {v.text: v.outcome for v in report.verdicts}
    outcomes: dict[NewLine, ProbeOutcome] = {
        line: known[line.text] for line in lines if line.text in known
    }
    missing = [line for line in lines if line not in outcomes]
    if missing:
        outcomes.update(confirm(report.target, missing))
    for path, plan in list(plans.items()):
        problems = {c.diagnostic: _problem(c, outcomes) for c in plan.checks}
        rejected = {d: reason for d, reason in problems.items() if reason is not None}
        if rejected:
            plans[path] = plan_file(path, snapshots[path].data, by_path[path], rejected)
    files = {path: plan.fix for path, plan in plans.items()}
    if write:
        files = _write(files, snapshots)
    return _assemble(report, tuple(files.values()), skipped, unsafe=unsafe, write=write)


def _write(files: dict[str, FileFix], snapshots: Mapping[str, FileSnapshot]) -> dict[str, FileFix]:
    import dataclasses

    requests = {
        path: WriteRequest(snapshots[path], fix.new_data)
        for path, fix in files.items()
        if fix.status is FixStatus.CHANGED and fix.new_data is not None
    }
    results = write_files(list(requests.values()))
    out = dict(files)
    for path, result in zip(requests, results):
        fix = files[path]
        if result.status is WriteStatus.WRITTEN:
            out[path] = dataclasses.replace(fix, written=True)
            continue
        if result.status is WriteStatus.UNCHANGED:
            continue
        status = (
            FixStatus.CHANGED_SINCE_SCAN
            if result.status is WriteStatus.CHANGED_SINCE_SCAN
            else FixStatus.FAILED
        )
        reason = result.reason or result.status.value
        refused = fix.refused + tuple(Refusal(d, reason) for d in fix.fixed)
        out[path] = dataclasses.replace(fix, status=status, reason=reason, refused=refused)
    return out


def _assemble(
    report: ScanReport,
    files: tuple[FileFix, ...],
    skipped: Sequence[Refusal],
    *,
    unsafe: bool,
    write: bool,
) -> FixReport:
    fixed = {d for f in files if f.status is FixStatus.CHANGED for d in f.fixed}
    remaining = tuple(d for d in report.diagnostics if d not in fixed)
    reasons = (*skipped, *(r for f in files for r in f.refused))
    return FixReport(
        scan=report,
        files=files,
        remaining=remaining,
        reasons=tuple(reasons),
        unsafe=unsafe,
        write=write,
    )


ScanFunction = Callable[..., ScanReport]


def fix(
    scan: ScanFunction,
    scan_arguments: Mapping[str, object],
    *,
    environ: Mapping[str, str] | None,
    settings: ProbeSettings,
    unsafe: bool,
    write: bool,
    confirm: Confirmer | None = None,
) -> FixReport:
    """Scan with ``scan(**scan_arguments)``, then :func:`fix_from_scan`."""
    report = scan(**scan_arguments)
    environment = dict(os.environ if environ is None else environ)
    return fix_from_scan(
        report,
        unsafe=unsafe,
        write=write,
        confirm=confirm or probe_new_lines(environment, settings),
    )
