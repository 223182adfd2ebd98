"""A lasting warm pool: later batches fork from the warm processes of earlier ones.

suggest probes in stages and scan in two rounds; each stage used to start its own warm
processes and pay the package's import again (a whole TensorFlow import per stage). The
package here counts its own imports in a file, so the test sees how many processes imported
it; the verdicts are compared with a plain ``python -c``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from helpers.oracle import fresh_import
from kerasdoctor.interpreter import choose_interpreter, inspect_target
from kerasdoctor.models import Candidate, Origin, Status, Target
from kerasdoctor.probe import ProbeSettings, probe_all, warm_pool
from kerasdoctor.probe.runner import _interleaved

SETTINGS = ProbeSettings(timeout=30, use_check=False, jobs=2)


@pytest.fixture
def counted(tmp_path: Path) -> tuple[Target, dict[str, str], Path]:
    """A package ``kdcount`` in the working folder that appends its pid to a file on import."""
    pkg = tmp_path / "kdcount"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(
        "import os\n"
        "with open(os.environ['KDCOUNT_FILE'], 'a') as f:\n"
        "    f.write(str(os.getpid()) + '\\n')\n"
    )
    (pkg / "a.py").write_text("class A:\n    pass\n")
    (pkg / "b.py").write_text("class B:\n    pass\n")
    environ = {**os.environ, "KDCOUNT_FILE": str(tmp_path / "imports.txt")}
    target = inspect_target(
        choose_interpreter(sys.executable, environ), cwd=str(tmp_path), environ=environ
    )
    return target, environ, tmp_path / "imports.txt"


def _batch(*lines: tuple[str, str]) -> list[Candidate]:
    return [Candidate(name, module, name, Origin.USER) for module, name in lines]


def test_later_batches_fork_from_the_first_batchs_warm_process(
    counted: tuple[Target, dict[str, str], Path],
) -> None:
    target, environ, imports = counted
    first = _batch(("kdcount.a", "A"), ("kdcount.b", "B"))
    second = _batch(("kdcount.a", "A"), ("kdcount.b", "Nope"))
    with warm_pool(target, environ, SETTINGS) as pool:
        # Each probe_all runs in threads that end with it: the warm process must outlive them.
        one = probe_all(target, first, use_specs={}, environ=environ, settings=SETTINGS, pool=pool)
        two = probe_all(target, second, use_specs={}, environ=environ, settings=SETTINGS, pool=pool)
    assert [o.method for o in (*one, *two)] == ["fork"] * 4
    # Forked children import kdcount's submodules only: the package itself was imported once.
    assert len(imports.read_text().split()) == 1
    for outcome in (*one, *two):
        truth = fresh_import(
            Path(sys.executable),
            outcome.candidate.module,
            outcome.candidate.name,
            cwd=Path(target.cwd),
            env=environ,
            timeout=30,
        )
        assert (outcome.status is Status.OK) == truth.ok, (outcome, truth)


def test_without_a_pool_each_batch_imports_the_package_again(
    counted: tuple[Target, dict[str, str], Path],
) -> None:
    target, environ, imports = counted
    for _ in range(2):
        batch = _batch(("kdcount.a", "A"), ("kdcount.b", "B"))
        outcomes = probe_all(target, batch, use_specs={}, environ=environ, settings=SETTINGS)
        assert all(o.status is Status.OK for o in outcomes)
    # The fresh-interpreter verdict (inspect_target's own import count is zero).
    assert len(imports.read_text().split()) == 2


def test_a_lasting_pool_warms_a_package_with_a_single_line(
    counted: tuple[Target, dict[str, str], Path],
) -> None:
    target, environ, imports = counted
    with warm_pool(target, environ, SETTINGS) as pool:
        for name in ("A", "A"):
            (out,) = probe_all(
                target,
                _batch(("kdcount.a", name)),
                use_specs={},
                environ=environ,
                settings=SETTINGS,
                pool=pool,
            )
            assert out.method == "fork"
    assert len(imports.read_text().split()) == 1


def test_lines_are_taken_one_package_at_a_time() -> None:
    lines = _batch(("keras.layers", "A"), ("keras.layers", "B"), ("tensorflow.keras", "C"))
    lines += _batch(("keras.x", "D"), ("tensorflow.x", "E"), ("tf_keras", "F"))
    order = _interleaved(range(len(lines)), lines)
    assert [lines[i].name for i in order] == ["A", "C", "F", "B", "E", "D"]
