"""Fix commands written for the user's shell: bash (POSIX), PowerShell or cmd.

A fix is data (:data:`~kerasdoctor.models.FixCommand`); this module writes one command as a
line that pastes whole into one shell and runs exactly that command, with that shell's
quoting. The shell follows the target's platform (:func:`Shell.for_platform`: PowerShell on
Windows, bash elsewhere) unless the user names one (``--shell``).

* **bash**: the POSIX forms (``export``/``unset``, ``test ! -e ... && mv --``), every word
  through :func:`shlex.quote`; they paste into zsh and sh as well.
* **PowerShell**: ``$env:NAME = "value"``, ``Remove-Item Env:\\NAME``, ``& 'C:\\...\\python.exe'
  -m pip ...`` with single-quoted words (``'`` doubled), ``Test-Path``/``Move-Item``
  with ``-LiteralPath``.
* **cmd**: ``set NAME=value`` (``set "NAME=value"`` when the value has a special character),
  ``"C:\\...\\python.exe" -m pip ...``, ``if not exist "..." move "..." "..."``.

A word one shell cannot carry faithfully is refused (:class:`Unwritable`), never
approximated: cmd expands ``%NAME%`` even inside double quotes and has no escape for it there,
and neither cmd nor Windows PowerShell 5.1 passes an embedded ``"`` to a program intact. A
fix with a command that cannot be written is shown as such, never in part.
"""

from __future__ import annotations

import enum
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from kerasdoctor.models import FixCommand, RunCommand, SetVariable


class Shell(enum.Enum):
    """The shells fix commands are written for; the value is the name a user types."""

    BASH = "bash"
    POWERSHELL = "powershell"
    CMD = "cmd"

    @classmethod
    def for_platform(cls, platform: str) -> Shell:
        """The shell a user of ``platform`` (the target's ``platform.platform()``) types in.

        Windows' own Pythons report ``Windows-10-...``: PowerShell is the shell Windows 10 and
        11 open by default. Cygwin and MSYS2 Pythons (``CYGWIN_NT-...``, ``MSYS_NT-...``)
        run under bash, like Linux and macOS.
        """
        return cls.POWERSHELL if platform.startswith("Windows") else cls.BASH

    @property
    def title(self) -> str:
        """The shell's name as its users write it (``PowerShell``)."""
        return _TITLES[self]


_TITLES = {Shell.BASH: "bash", Shell.POWERSHELL: "PowerShell", Shell.CMD: "cmd"}


class Unwritable(ValueError):
    """A command that this shell cannot carry faithfully; the message says why."""


@dataclass(frozen=True)
class Written:
    """One command as written for one shell: its text, or why it cannot be written there."""

    command: FixCommand
    shell: Shell
    text: str | None
    problem: str | None = None


def write(command: FixCommand, shell: Shell) -> str:
    """``command`` as one line for ``shell``; raises :class:`Unwritable`."""
    if shell is Shell.BASH:
        return _bash(command)
    if shell is Shell.POWERSHELL:
        return _powershell(command)
    return _cmd(command)


def write_all(commands: Sequence[FixCommand], shell: Shell) -> tuple[Written, ...]:
    """Every command of a fix for ``shell``, each with its text or its problem."""
    written: list[Written] = []
    for command in commands:
        try:
            written.append(Written(command, shell, write(command, shell)))
        except Unwritable as why:
            written.append(Written(command, shell, None, str(why)))
    return tuple(written)


def lines(commands: Sequence[FixCommand], shell: Shell) -> tuple[str, ...] | None:
    """The fix as lines to paste in order, or None when any of its commands cannot be
    written for ``shell`` (a fix run in part could leave the environment worse)."""
    written = write_all(commands, shell)
    texts = tuple(w.text for w in written if w.text is not None)
    return texts if len(texts) == len(written) else None


def problem(commands: Sequence[FixCommand], shell: Shell) -> str | None:
    """Why the fix cannot be written for ``shell`` (the first reason), or None."""
    for item in write_all(commands, shell):
        if item.problem is not None:
            return item.problem
    return None


def refusal(commands: Sequence[FixCommand], shell: Shell) -> str:
    """What every view shows instead of a fix that cannot be written for ``shell``."""
    return f"(not written for {shell.title}: {problem(commands, shell)})"


# -- bash -------------------------------------------------------------------------------------


def _bash(command: FixCommand) -> str:
    q = shlex.quote
    if isinstance(command, RunCommand):
        return " ".join(q(word) for word in command.argv)
    if isinstance(command, SetVariable):
        if command.value is None:
            return f"unset {command.name}"
        return f"export {command.name}={q(command.value)}"
    # `test ! -e` makes the command fail (and a `set -e` script stop) instead of silently
    # replacing a file of the user's that happens to have the new name, or moving the file
    # into a folder of that name.
    destination = q(command.destination)
    return f"test ! -e {destination} && mv -- {q(command.source)} {destination}"


# -- PowerShell -------------------------------------------------------------------------------

#: Characters PowerShell reads as a single quote (it accepts the typographic ones too).
_PS_SINGLE = "'\u2018\u2019\u201a\u201b"
#: Characters that end or expand inside a double-quoted PowerShell string.
_PS_DOUBLE_SPECIAL = '$`"\u201c\u201d\u201e'
#: A bare command name (``uv``); anything else runs through ``&`` and a quoted path.
_PS_COMMAND = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*\Z")
#: A bare argument: a flag (``-m``, ``--python``) or a word of characters with no meaning
#: in PowerShell's argument mode (no `,` array operator, `@` splat, `$`, quotes, brackets).
_PS_FLAG = re.compile(r"--?[A-Za-z][A-Za-z0-9-]*\Z")
_PS_BARE = re.compile(r"[A-Za-z][A-Za-z0-9_./\\:=+-]*\Z")
#: Control characters (C0, DEL, C1) and the line and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _control_check(word: str, shell: str) -> None:
    if _CONTROL.search(word):
        raise Unwritable(f"a word has a control character, which {shell} cannot take on one line")


def ps_quote(word: str) -> str:
    """``word`` as one single-quoted PowerShell string: every character literal."""
    _control_check(word, "PowerShell")
    return "'" + "".join(c * 2 if c in _PS_SINGLE else c for c in word) + "'"


def _ps_argument(word: str) -> str:
    _control_check(word, "PowerShell")
    if '"' in word or "\u201c" in word or "\u201d" in word or "\u201e" in word:
        # Windows PowerShell 5.1 (and 7 before 7.3) drops or splits an argument's embedded
        # double quotes on the way to a program.
        raise Unwritable("a word has a double quote, which PowerShell does not pass on intact")
    if not word or (word[-1] == "\\" and any(c.isspace() for c in word)):
        # The same versions drop empty arguments and end a quoted one at a final backslash.
        raise Unwritable(
            "an argument is empty or ends with a backslash after a space, which not every "
            "PowerShell passes on intact"
        )
    if _PS_FLAG.match(word) or (_PS_BARE.match(word) and not word.startswith("-")):
        return word
    return ps_quote(word)


def _powershell(command: FixCommand) -> str:
    if isinstance(command, RunCommand):
        program, *arguments = command.argv
        _control_check(program, "PowerShell")
        head = program if _PS_COMMAND.match(program) else f"& {ps_quote(program)}"
        return " ".join([head, *(_ps_argument(word) for word in arguments)])
    if isinstance(command, SetVariable):
        if command.value is None:
            return f"Remove-Item Env:\\{command.name}"
        value = command.value
        _control_check(value, "PowerShell")
        if any(c in _PS_DOUBLE_SPECIAL or c in _PS_SINGLE for c in value):
            return f"$env:{command.name} = {ps_quote(value)}"
        return f'$env:{command.name} = "{value}"'
    destination = ps_quote(command.destination)
    return (
        f"if (-not (Test-Path -LiteralPath {destination})) "
        f"{{ Move-Item -LiteralPath {ps_quote(command.source)} -Destination {destination} }}"
    )


# -- cmd --------------------------------------------------------------------------------------

#: A program cmd finds by name (``uv``); a path is always quoted, as Windows users see it.
_CMD_COMMAND = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*\Z")
#: A bare cmd word: nothing cmd (or a program's argument parser) reads specially.
_CMD_BARE = re.compile(r"[A-Za-z0-9_./\\:=+-]+\Z")
#: A value ``set NAME=value`` takes as it is (``set`` keeps the rest of the line).
_CMD_SET_BARE = re.compile(r"[A-Za-z0-9_./\\:=+,;-]+\Z")


def _cmd_check(word: str) -> None:
    _control_check(word, "cmd")
    if "%" in word:
        # cmd expands %NAME% even between double quotes, and has no escape for % there.
        raise Unwritable(
            "a word has a %, which cmd expands even between double quotes; "
            "--shell powershell writes it"
        )
    if '"' in word:
        raise Unwritable("a word has a double quote, which cmd cannot quote")


def _cmd_quoted(word: str) -> str:
    """``word`` between double quotes, for cmd itself (``set``, ``if exist``, ``move``)."""
    _cmd_check(word)
    return f'"{word}"'


def _cmd_argument(word: str) -> str:
    """``word`` for a program's command line: quoted when it has a special character.

    Between double quotes cmd leaves ``&|<>^()`` alone; programs split their command line by
    the Microsoft C runtime's rules, in which backslashes before a closing quote escape it, so
    a final run of backslashes is doubled.
    """
    _cmd_check(word)
    if _CMD_BARE.match(word):
        return word
    trailing = len(word) - len(word.rstrip("\\"))
    return f'"{word}{chr(92) * trailing}"'


def _cmd(command: FixCommand) -> str:
    if isinstance(command, RunCommand):
        program, *arguments = command.argv
        head = program if _CMD_COMMAND.match(program) else _cmd_quoted(program)
        return " ".join([head, *(_cmd_argument(word) for word in arguments)])
    if isinstance(command, SetVariable):
        if command.value is None:
            return f"set {command.name}="
        _cmd_check(command.value)
        if _CMD_SET_BARE.match(command.value):
            return f"set {command.name}={command.value}"
        return f'set "{command.name}={command.value}"'
    destination = _cmd_quoted(command.destination)
    return f"if not exist {destination} move {_cmd_quoted(command.source)} {destination}"
