"""``fix --write --unsafe-fixes`` on a copy of the corpus, in real environments, then proof.

For each environment the corpus is copied to a temporary folder, fixed once through the real
API (scan, probes, verification, atomic writes), and fixed a second time. Then:

- every script (and notebook, run as its code cells without magics) that the corpus manifest
  marks runnable and whose imports all had a working equivalent here (no error left after the
  fix) runs to its end with the environment's own python;
- no error is left that had an edit to offer (fix never gives up on a fixable line silently);
- every rewritten statement runs in a fresh interpreter and gives the promised object;
- files not written are byte-identical (the syntax-error and Python 2 files among them);
- the Latin-1 + CRLF file keeps its encoding and line endings; notebooks differ only inside
  edited code-cell sources; the second run changes nothing.
"""

from __future__ import annotations

import ast
import difflib
import json
import shutil
import subprocess
import textwrap
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers.corpus import CORPUS, MANIFEST, notebook_program
from helpers.envs import env_python, get_env
from helpers.oracle import base_env
from kerasdoctor import api
from kerasdoctor.fix.report import AppliedEdit, FixReport
from kerasdoctor.models import Severity
from kerasdoctor.scan.diagnostics import Diagnostic

# The four environments issue 12 names. Each costs two fixes of the corpus, every runnable
# file run and every distinct rewritten line run fresh.
pytestmark = pytest.mark.realenv

TIMEOUT = 600.0
MARKER = "KD-IDENTITY "

#: Runnable files that cannot run in some environments whatever their imports (corpus
#: README): file -> (why, the environments of ENVS where it does run).
NOT_HERE: dict[str, tuple[str, frozenset[str]]] = {
    "keras3_torch_backend.py": (
        "sets KERAS_BACKEND=torch in code: needs torch",
        frozenset({"keras3-torch"}),
    ),
    "keras2_legacy_interfaces_optimizer.py": (
        "old optimizer API: runs only on Keras 2.1-2.3",
        frozenset(),
    ),
}

ENVS: dict[str, dict[str, str]] = {
    "tf215": {},  # TF 2.15 + Keras 2.15
    "tf": {},  # TF 2.21 + Keras 3
    "tf-legacy": {"TF_USE_LEGACY_KERAS": "1"},  # TF 2.21: tf.keras is tf_keras, keras is 3
    "keras3-torch": {"KERAS_BACKEND": "torch"},  # Keras 3 on torch, no TensorFlow
}


@dataclass(frozen=True)
class Fixed:
    env: str
    python: Path
    root: Path
    environ: dict[str, str]
    before: dict[str, bytes]
    first: FixReport
    second: FixReport


@pytest.fixture(scope="module", params=sorted(ENVS))
def fixed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Fixed:
    name: str = request.param
    python = env_python(get_env(name))
    work = tmp_path_factory.mktemp(f"fix-{name}")
    root = work / "corpus"
    shutil.copytree(CORPUS, root, symlinks=True)
    before = {p.name: p.read_bytes() for p in root.iterdir() if p.is_file()}
    environ = base_env(work / "keras-home", {"CUDA_VISIBLE_DEVICES": "", **ENVS[name]})
    arguments = {"python": str(python), "cwd": str(root), "environ": environ, "unsafe": True}
    first = api.fix((".",), write=True, **arguments)  # type: ignore[arg-type]
    second = api.fix((".",), write=True, **arguments)  # type: ignore[arg-type]
    return Fixed(name, python, root, environ, before, first, second)


def _errors(report: FixReport, path: str) -> list[Diagnostic]:
    return [d for d in report.remaining if d.location.path == path and d.severity is Severity.ERROR]


def _run(
    fixed: Fixed, code: str | None = None, script: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -c code``, or ``python script``, in the fixed copy with the env's python."""
    args = ["-c", code] if code is not None else [str(script)]
    return subprocess.run(
        [str(fixed.python), *args],
        cwd=fixed.root,
        env=fixed.environ,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=TIMEOUT,
        check=False,
    )


def _tree(path: Path) -> ast.AST:
    if path.suffix == ".ipynb":
        return ast.parse(notebook_program(path))
    return ast.parse(path.read_bytes())  # bytes: Python reads the coding cookie and BOM


def test_a_second_run_changes_nothing(fixed: Fixed) -> None:
    assert fixed.first.changed_files, "the corpus has fixable imports in every environment"
    assert not fixed.second.changed_files
    assert fixed.second.statements_fixed == 0


def test_no_fixable_error_is_left(fixed: Fixed) -> None:
    left = [
        (d.location.path, d.location.line, d.statement, r.reason)
        for r in fixed.second.reasons
        for d in [r.diagnostic]
        if d.severity is Severity.ERROR and d.fix is not None and d.fix.edits
    ]
    assert left == []


def _unguarded_roots(tree: ast.AST) -> set[str]:
    """Top-level packages a program imports outside any ``try`` (guarded ones may fail)."""
    guarded: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try):
            guarded.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in guarded:
            continue
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.add(node.module.split(".")[0])
    return roots


def _missing_packages(fixed: Fixed, paths: list[str]) -> dict[str, set[str]]:
    """For each file, the packages it imports unguarded that this env has not installed.

    No fix can supply a package (``import tensorflow`` where only Keras 3 on torch is
    installed): such a file cannot run here whatever its Keras imports. Asked of the env.
    """
    wanted = {path: _unguarded_roots(_tree(fixed.root / path)) for path in paths}
    names = sorted(set().union(*wanted.values())) if wanted else []
    code = (
        "import importlib.util, json, sys\n"
        "print(json.dumps([n for n in sys.argv[1:] if importlib.util.find_spec(n) is None]))"
    )
    done = subprocess.run(
        [str(fixed.python), "-c", code, *names],
        cwd=fixed.root,
        env=fixed.environ,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=True,
    )
    absent = set(json.loads(done.stdout))
    return {path: roots & absent for path, roots in wanted.items() if roots & absent}


def test_runnable_files_run_to_their_end_after_the_fix(fixed: Fixed) -> None:
    candidates = [
        entry["path"]
        for entry in MANIFEST
        if entry["runnable"]
        and fixed.env in NOT_HERE.get(entry["path"], ("", frozenset({fixed.env})))[1]
        and not _errors(fixed.second, entry["path"])
    ]
    missing = _missing_packages(fixed, candidates)
    ran = [path for path in candidates if path not in missing]

    def run(path: str) -> str | None:
        where = fixed.root / path
        if where.suffix == ".ipynb":
            result = _run(fixed, notebook_program(where))
        else:
            result = _run(fixed, script=where)
        if result.returncode != 0:
            return f"{path}: exit {result.returncode}: {result.stderr[-600:]}"
        return None

    with ThreadPoolExecutor(max_workers=2) as pool:  # each run is one TensorFlow import
        failures = [f for f in pool.map(run, ran) if f is not None]
    assert failures == []
    # A fix that did nothing would leave few files running: every runnable file that had an
    # error with an edit to offer was changed, and ran to its end above.
    fixable = {
        d.location.path
        for d in fixed.first.scan.diagnostics
        if d.severity is Severity.ERROR and d.fix is not None and d.fix.edits
    }
    changed_and_ran = {f.path for f in fixed.first.changed_files} & set(ran)
    assert fixable & set(ran) <= changed_and_ran, (sorted(fixable & set(ran)), changed_and_ran)
    assert changed_and_ran, (ran, sorted(missing))


def _binding(tree: ast.AST, base: str) -> str | None:
    """The import statement (one name) that binds ``base`` in a rewritten file."""
    found = None
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if (alias.asname or alias.name) == base:
                    found = ast.unparse(ast.ImportFrom(node.module, [alias], 0))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if (alias.asname or alias.name.split(".")[0]) == base:
                    found = ast.unparse(ast.Import([alias]))
    return found


def _probe_code(statement: str, expression: str) -> str:
    return (
        f"{statement}\nimport sys\nobj = {expression}\n"
        "ident = (obj.__name__ + ':') if isinstance(obj, type(sys)) else "
        "(getattr(obj, '__module__', '') + ':' + getattr(obj, '__qualname__', ''))\n"
        f"print({MARKER!r} + ident)\n"
    )


def _statements(edit: AppliedEdit) -> str | None:
    """An edit's new text as runnable statements (None for a chain, an expression)."""
    indent = ("\t" if "\n\t" in edit.new_text else " ") * (edit.column - 1)
    for text in (edit.new_text, textwrap.dedent(indent + edit.new_text)):
        try:
            body = ast.parse(text).body
        except SyntaxError:
            continue
        if body and all(isinstance(n, (ast.Import, ast.ImportFrom)) for n in body):
            return text
        return None
    raise AssertionError(f"the new text of an edit does not parse: {edit.new_text!r}")


def _promise(tree: ast.AST, replacement: str) -> tuple[str, str]:
    """(statement, expression) that give the object a diagnostic's replacement promises."""
    node = ast.parse(replacement.strip()).body[0]
    if isinstance(node, ast.Expr):  # a chain on a name the file binds
        chain = ast.unparse(node.value)
        return _binding(tree, chain.split(".")[0]) or "", chain
    if isinstance(node, ast.ImportFrom):
        alias = node.names[0]
        return ast.unparse(node), alias.asname or alias.name
    assert isinstance(node, ast.Import)
    return f"import {node.names[0].name} as _kd_module", "_kd_module"


def test_every_rewritten_statement_runs_fresh_and_gives_the_promised_object(fixed: Fixed) -> None:
    jobs: list[tuple[str, str, str | None]] = []  # (what, code, promised identity)
    for file in fixed.first.changed_files:
        tree = _tree(fixed.root / file.path)
        for edit in file.edits:
            statements = _statements(edit)
            if statements is not None:  # the statement exactly as it now reads in the file
                jobs.append((f"{file.path}: {statements}", statements, None))
            for diagnostic in edit.diagnostics:
                assert diagnostic.fix is not None
                statement, expression = _promise(tree, diagnostic.fix.replacement)
                code = _probe_code(statement, expression)
                jobs.append((f"{file.path}: {expression}", code, diagnostic.fix.resolves_to))
    assert jobs

    # The same new line is written in many files: each distinct program runs once (same
    # folder, same variables: a fresh interpreter gives the same answer).
    distinct = sorted({code for _, code, _ in jobs})
    with ThreadPoolExecutor(max_workers=2) as pool:  # two TensorFlow imports fill two cores
        ran = dict(zip(distinct, pool.map(lambda code: _run(fixed, code), distinct)))

    def check(job: tuple[str, str, str | None]) -> str | None:
        what, code, promised = job
        result = ran[code]
        if result.returncode != 0:
            return f"{what}: {result.stderr[-300:]}"
        if promised is None:
            return None
        got = next(
            (ln[len(MARKER) :] for ln in result.stdout.splitlines() if ln.startswith(MARKER)),
            None,
        )
        if got is None or got.rstrip(":") != promised.rstrip(":"):
            return f"{what} gives {got}, not the promised {promised}"
        return None

    problems = [p for p in map(check, jobs) if p is not None]
    assert problems == []


def test_files_not_written_are_byte_identical(fixed: Fixed) -> None:
    written = {f.path for f in fixed.first.files if f.written}
    for name, data in fixed.before.items():
        if name not in written:
            assert (fixed.root / name).read_bytes() == data, name
    for name in ("broken_syntax_error.py", "keras2_python2_print.py"):
        assert name not in written
        assert (fixed.root / name).read_bytes() == fixed.before[name]


def test_latin1_crlf_keeps_its_encoding_and_line_endings(fixed: Fixed) -> None:
    name = "keras2_latin1_crlf.py"
    old, new = fixed.before[name], (fixed.root / name).read_bytes()
    assert new.count(b"\r\n") == old.count(b"\r\n")
    assert new.count(b"\n") == new.count(b"\r\n")
    new.decode("latin-1")
    with pytest.raises(UnicodeDecodeError):
        new.decode("utf-8")  # still Latin-1 bytes, not re-encoded to UTF-8
    assert new.startswith(old.split(b"\r\n", 1)[0])  # the coding cookie line


def test_notebooks_differ_only_inside_edited_sources(fixed: Fixed) -> None:
    for file in fixed.first.changed_files:
        if not file.path.endswith(".ipynb"):
            continue
        old_bytes, new_bytes = fixed.before[file.path], (fixed.root / file.path).read_bytes()
        old, new = json.loads(old_bytes), json.loads(new_bytes)
        edited = {e.cell for e in file.edits}
        for n in edited:
            assert old["cells"][n]["cell_type"] == "code"
            old["cells"][n]["source"] = new["cells"][n]["source"] = None
        assert old == new
        # Raw lines: every line that changed is a line of a source value (a string item of a
        # list-source, or the `"source": "..."` line of a string source); indentation, key
        # order, escapes and the final newline of everything else are as they were.
        old_lines = old_bytes.decode("utf-8").split("\n")
        new_lines = new_bytes.decode("utf-8").split("\n")
        matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
        for tag, a1, a2, b1, b2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            for line in [*old_lines[a1:a2], *new_lines[b1:b2]]:
                item = line.strip()
                assert item.startswith('"') and (
                    item.startswith('"source":') or item.endswith(('",', '"'))
                ), (file.path, line)
                assert not item.startswith(('"outputs"', '"metadata"', '"execution_count"'))
        assert old_bytes.endswith(b"\n") == new_bytes.endswith(b"\n")
