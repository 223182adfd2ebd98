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
from kerasdoctor.models import FixCommand
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
