"""Fix commands are exact shell words that act on the diagnosed interpreter only.

The commands are data; these tests read them as bash writes them (byte for byte what
kerasdoctor printed before commands were data) and split them back into words.
"""

from __future__ import annotations

import dataclasses
import shlex

import pytest

from helpers.factories import target
from kerasdoctor.diagnose import fixes
from kerasdoctor.diagnose.rules.proposals import finding
from kerasdoctor.models import FixCommand, RunCommand
from kerasdoctor.render.shells import Shell, write


@pytest.mark.parametrize(
    ("command", "words"),
    [
        (
            fixes.install(
                dataclasses.replace(target(), python="/a b/py", has_pip=True), ["x<2,>=1"]
            ),
            ["/a b/py", "-m", "pip", "install", "x<2,>=1"],
        ),
        (
            fixes.uninstall(dataclasses.replace(target(), python="/a'b/py"), ["keras-core"]),
            ["uv", "pip", "uninstall", "--python", "/a'b/py", "keras-core"],
        ),
        (
            fixes.uninstall(dataclasses.replace(target(), has_pip=True), ["tensorflow-cpu"]),
            ["/venv/bin/python", "-m", "pip", "uninstall", "-y", "tensorflow-cpu"],
        ),
        (fixes.export("KERAS_BACKEND", "a b"), ["export", "KERAS_BACKEND=a b"]),
        (fixes.export("PYTHONPATH", None), ["unset", "PYTHONPATH"]),
        (
            fixes.rename("/p/keras.py", "/p/k l.py"),
            ["test", "!", "-e", "/p/k l.py", "&&", "mv", "--", "/p/keras.py", "/p/k l.py"],
        ),
    ],
)
def test_commands_are_exact_shell_words(command: FixCommand, words: list[str]) -> None:
    assert shlex.split(write(command, Shell.BASH)) == words


def test_uv_off_path_is_written_with_its_full_path() -> None:
    """A uv the user's shell cannot find by name would not paste: its full path is used."""
    where = dataclasses.replace(target(), uv="/opt/tools/bin/uv")
    assert fixes.install(where, ["scipy"]).argv == (
        "/opt/tools/bin/uv",
        "pip",
        "install",
        "--python",
        "/venv/bin/python",
        "scipy",
    )


def test_no_pip_and_no_uv_installs_pip_first() -> None:
    bare = dataclasses.replace(target(), uv=None)
    install = fixes.install(bare, ["scipy"])
    assert install.argv == ("/venv/bin/python", "-m", "pip", "install", "scipy")
    unrelated = finding("KD101", "x", fix=(fixes.export("KERAS_BACKEND", "torch"),))
    needs_pip = finding("KD102", "y", fix=(install,))
    done = fixes.ensure_pip(bare, [unrelated, needs_pip])
    assert done[0] == unrelated
    assert [c.argv for c in done[1].fix if isinstance(c, RunCommand)] == [
        ("/venv/bin/python", "-m", "ensurepip"),
        install.argv,
    ]
    # With pip, or with uv, nothing is added.
    assert fixes.ensure_pip(target(), [needs_pip]) == (needs_pip,)
