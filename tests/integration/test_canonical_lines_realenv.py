"""The line ``suggest`` gives for the most used Keras names, in every real test environment.

One ``suggest`` per environment with every name; each suggestion must come from the
canonical public module written below (``tensorflow.keras.optimizers`` for ``Adam``, never
``tensorflow.keras.dtensor.experimental.optimizers``; ``tensorflow.keras.utils`` for
``pad_sequences``, never ``tensorflow.keras.preprocessing.sequence``), and all the suggested
lines must import in one fresh ``python -c`` of that environment, giving the objects the
report names.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable

import pytest

from helpers.most_used import CANONICAL
from helpers.oracle import import_line
from helpers.runs import TIMEOUT, Run, Scenario

pytestmark = pytest.mark.realenv

#: environment, its variables, and the root every suggestion must come from there.
ENVIRONMENTS = [
    ("tf", {}, "tensorflow.keras"),
    ("tf215", {}, "tensorflow.keras"),
    ("tf212", {}, "tensorflow.keras"),
    ("tf-legacy", {"TF_USE_LEGACY_KERAS": "1"}, "tensorflow.keras"),
    ("keras3-torch", {"KERAS_BACKEND": "torch"}, "keras"),
]


def _check_in_a_fresh_interpreter(run: Run, lines: list[tuple[str, str]]) -> dict[str, str]:
    """Import every line in one fresh ``python -c``; name -> module:qualname it gave."""
    body = [import_line(module, name) for module, name in lines]
    names = ", ".join(f"{name!r}: {name}" for _, name in lines)
    body.append("import json")
    body.append(
        f"print(json.dumps({{k: v.__module__ + ':' + v.__qualname__ "
        f"for k, v in {{{names}}}.items()}}))"
    )
    done = subprocess.run(
        [str(run.python), "-c", "\n".join(body)],
        cwd=run.cwd,
        env=run.env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize(
    ("env", "variables", "root"), ENVIRONMENTS, ids=[e for e, _, _ in ENVIRONMENTS]
)
def test_most_used_names_come_from_their_canonical_module(
    env: str, variables: dict[str, str], root: str, run_cache: Callable[[Scenario], Run]
) -> None:
    run = run_cache(Scenario(env, variables, tuple(CANONICAL), command="suggest"))
    assert run.returncode == 0, run.stderr[-3000:]
    got = {name: run.suggestion(name)["module"] for name in CANONICAL}
    expected = {name: f"{root}.{sub}" if sub else root for name, sub in CANONICAL.items()}
    assert got == expected
    gave = _check_in_a_fresh_interpreter(run, [(got[name], name) for name in CANONICAL])
    for name in CANONICAL:
        assert gave[name] == run.suggestion(name)["resolved"]["identity"], name
