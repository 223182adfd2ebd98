"""``kerasdoctor scan`` of the corpus in real environments, checked against fresh interpreters.

For every import record and attribute chain of tests/corpus, KD501/KD502 must be reported
exactly when a fresh ``python -c`` of the statement (for a chain: its base import, then the
chain) fails in that environment, run from the same folder with the same variables. The one
documented exception (docs/codes/KD501.md): a statement in a try/except ladder whose other
branch works is the ladder's business (KD506), not KD501. The truth is computed here, by
running each distinct statement once in its own process (two at a time), never written down.
"""

from __future__ import annotations

import dataclasses
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers.corpus import CORPUS, LAYER_TYPE_ERRORS, program
from helpers.envs import env_python, get_env
from helpers.oracle import OracleResult, base_env, run_code
from kerasdoctor import api
from kerasdoctor.scan import (
    ChainRecord,
    FileResult,
    FileStatus,
    ImportKind,
    ImportRecord,
    extract_paths,
)
from kerasdoctor.scan.diagnostics import Diagnostic, ScanReport

# The four environments issue 11 names. Each costs one fresh interpreter per distinct
# statement of the corpus (~80 imports, and the chains whose import works).
pytestmark = pytest.mark.realenv

#: environment name -> the variables that make it the scenario the issue names
ENVS: dict[str, dict[str, str]] = {
    "tf": {},
    "tf-legacy": {"TF_USE_LEGACY_KERAS": "1"},
    "tf215": {},
    "keras3-torch": {"KERAS_BACKEND": "torch"},
}
#: corpus files whose objects come from two implementations where keras != tf.keras
MIXING = (
    "mixing_keras_and_tfkeras.py",
    "ladder_keras_first_mixing.py",
    "nb_mixing_from_tensorflow_import_keras.ipynb",
)
ORACLE_TIMEOUT = 600.0  # a loaded 2-core machine takes a minute for one TensorFlow import


@dataclass(frozen=True)
class Scanned:
    name: str
    python: Path
    corpus: Path
    environ: dict[str, str]
    report: ScanReport
    results: tuple[FileResult, ...]


@pytest.fixture(scope="module", params=list(ENVS))
def scanned(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Scanned:
    """One scan of a fresh copy of the corpus per environment, shared by the tests."""
    name: str = request.param
    python = env_python(get_env(name))
    work = tmp_path_factory.mktemp(f"scan-{name}")
    corpus = work / "corpus"
    shutil.copytree(CORPUS, corpus)
    environ = base_env(work / "keras-home", ENVS[name])
    environ["XDG_CACHE_HOME"] = str(work / "cache")
    report = api.scan(["."], python=str(python), cwd=str(corpus), environ=environ)
    results = tuple(
        dataclasses.replace(r, path=Path(r.path).relative_to(corpus).as_posix())
        for r in extract_paths([str(corpus)])
    )
    return Scanned(name, python, corpus, environ, report, results)


def base_statement(record: ImportRecord) -> str:
    """The import as a user would run it alone (the alias kept: chains use it)."""
    alias = f" as {record.alias}" if record.alias else ""
    if record.kind is ImportKind.IMPORT:
        return f"import {record.module}{alias}"
    return f"from {record.module} import {record.name}{alias}"


def chain_statement(chain: ChainRecord, imports: tuple[ImportRecord, ...]) -> str:
    return base_statement(imports[chain.import_index]) + "; " + ".".join((chain.base, *chain.attrs))


@pytest.fixture(scope="module")
def oracle(scanned: Scanned) -> dict[str, OracleResult]:
    """Each distinct statement of the corpus run once in a fresh interpreter of the env.

    Imports first; then only the chains whose import works: a chain on a failing import is
    never consulted (its failure is reported at the import), and each run costs a whole
    TensorFlow import.
    """
    imports = sorted({base_statement(r) for result in scanned.results for r in result.imports})

    def run(code: str) -> OracleResult:
        return run_code(
            scanned.python, code, cwd=scanned.corpus, env=scanned.environ, timeout=ORACLE_TIMEOUT
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        truth = dict(zip(imports, pool.map(run, imports)))
        chains = sorted(
            {
                chain_statement(chain, result.imports)
                for result in scanned.results
                for chain in result.chains
                if truth[base_statement(result.imports[chain.import_index])].ok
            }
        )
        truth.update(zip(chains, pool.map(run, chains)))
    return truth


def _key(path: str, record: ImportRecord | ChainRecord) -> tuple[str, int | None, int, int]:
    return (path, record.span.cell, record.span.line, record.span.column)


def _at(report: ScanReport, code: str) -> dict[tuple[str, int | None, int, int], list[Diagnostic]]:
    found: dict[tuple[str, int | None, int, int], list[Diagnostic]] = {}
    for d in report.diagnostics:
        if d.code == code:
            loc = d.location
            found.setdefault((loc.path, loc.cell, loc.line, loc.column), []).append(d)
    return found


def _ladder_excuses(
    result: FileResult, record: ImportRecord | ChainRecord, oracle: dict[str, OracleResult]
) -> bool:
    """KD501.md's exception: another branch of one of the record's ladders works here."""
    for ref in record.ladders:
        branches: dict[int, bool] = {}
        for other in result.imports:
            for other_ref in other.ladders:
                if other_ref.ladder == ref.ladder:
                    ok = oracle[base_statement(other)].ok
                    branches[other_ref.branch] = branches.get(other_ref.branch, True) and ok
        if any(ok for branch, ok in branches.items() if branch != ref.branch):
            return True
    return False


def test_import_failures_reported_exactly_when_a_fresh_interpreter_fails(
    scanned: Scanned, oracle: dict[str, OracleResult]
) -> None:
    reported = _at(scanned.report, "KD501")
    checked = 0
    problems: list[str] = []
    expected_keys: set[tuple[str, int | None, int, int]] = set()
    for result in scanned.results:
        if result.status is not FileStatus.OK:
            continue
        for record in result.imports:
            truth = oracle[base_statement(record)]
            key = _key(result.path, record)
            expected = not truth.ok and not _ladder_excuses(result, record, oracle)
            shown = f"`import {record.module}`" if record.star else f"`{record.line_text}`"
            mine = [d for d in reported.get(key, []) if shown in d.message]
            if expected:
                expected_keys.add(key)
            if bool(mine) != expected:
                problems.append(
                    f"{result.path}:{record.span.line} {base_statement(record)}: fresh run "
                    f"{'fails: ' + str(truth.error) if not truth.ok else 'works'}, "
                    f"kerasdoctor {'reports' if mine else 'does not report'} KD501"
                )
            elif expected and truth.exc_type is not None:
                # The message quotes the error a fresh interpreter gives.
                assert truth.exc_type.rpartition(".")[2] in mine[0].message, mine[0].message
            checked += 1
    assert checked > 50
    assert not problems, "\n".join(problems)
    # Nothing reported where no record is.
    assert set(reported) <= expected_keys, set(reported) - expected_keys


def test_chain_failures_reported_exactly_when_a_fresh_interpreter_fails(
    scanned: Scanned, oracle: dict[str, OracleResult]
) -> None:
    reported = _at(scanned.report, "KD502")
    problems: list[str] = []
    checked = 0
    for result in scanned.results:
        if result.status is not FileStatus.OK:
            continue
        places: dict[tuple[str, int | None, int, int], list[ChainRecord]] = {}
        for chain in result.chains:
            places.setdefault(_key(result.path, chain), []).append(chain)
        for key, chains in places.items():
            bases = [result.imports[c.import_index] for c in chains]
            if len(chains) > 1 or any(b.ladders for b in bases) or chains[0].ladders:
                continue  # a name bound by several ladder branches: KD506's business
            chain, base = chains[0], bases[0]
            base_ok = oracle[base_statement(base)].ok
            if not base_ok:
                # Reported at the import (KD501), never as a chain.
                if reported.get(key):
                    problems.append(f"{result.path}:{chain.span.line}: KD502 on a failing import")
                continue
            truth = oracle[chain_statement(chain, result.imports)]
            expected = not truth.ok
            if bool(reported.get(key)) != expected:
                problems.append(
                    f"{result.path}:{chain.span.line} {chain_statement(chain, result.imports)}:"
                    f" base {'works' if base_ok else 'fails'}, chain "
                    f"{'fails: ' + str(truth.error) if not truth.ok else 'works'}, "
                    f"kerasdoctor {'reports' if reported.get(key) else 'does not report'} KD502"
                )
            checked += 1
    assert checked > 10
    assert not problems, "\n".join(problems)


def test_mixing_is_reported_exactly_where_running_the_file_fails_with_a_layer_type_error(
    scanned: Scanned,
) -> None:
    """KD504 on a file <=> running it ends in a mixed-implementation error, run by the test.

    Run: the files the corpus writes as mixing, and every file KD504 is reported on. A file
    that stops earlier for another reason (an import that fails, KD501) cannot show the
    error; KD504 there is not contradicted, but a file that runs to its end contradicts it.
    """
    mixing = {d.location.path for d in scanned.report.diagnostics if d.code == "KD504"}
    paths = sorted(set(MIXING) | mixing)

    def run(path: str) -> OracleResult:
        code = program(scanned.corpus / path)
        return run_code(
            scanned.python, code, cwd=scanned.corpus, env=scanned.environ, timeout=ORACLE_TIMEOUT
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        ran = dict(zip(paths, pool.map(run, paths)))
    problems = []
    for path, result in ran.items():
        layer_error = not result.ok and any(e in result.stderr_tail for e in LAYER_TYPE_ERRORS)
        if layer_error and path not in mixing:
            problems.append(f"{path}: fails with a layer-type error, no KD504")
        if result.ok and path in mixing:
            problems.append(f"{path}: KD504 reported, but the file runs to its end")
    assert not problems, "\n".join(problems)
    if scanned.name == "tf-legacy":
        # The seed case must be exercised: tf.keras is tf_keras while keras is Keras 3.
        assert set(MIXING) <= mixing, sorted(mixing)


def test_mixing_diagnostic_names_both_lines(scanned: Scanned) -> None:
    for d in scanned.report.diagnostics:
        if d.code == "KD504":
            assert d.message.count("`") >= 4, d.message  # two statements quoted


def test_every_file_is_accounted_for(scanned: Scanned) -> None:
    shown = {f.path: f.status.value for f in scanned.report.files}
    assert shown["broken_syntax_error.py"] == "unparsable"
    assert all(status == "ok" for path, status in shown.items() if path.startswith("keras3_"))
