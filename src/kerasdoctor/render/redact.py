"""Personal data out of the text a user pastes or shares: the home folder and the user name.

A bug report (``kerasdoctor report``) and a notebook's output cell are read by strangers.
:class:`Redaction` writes the home folder ``~`` wherever a path starts with it, and the user
name ``$USER`` wherever it stands as a word of its own (``/Users/jdoe/x`` when ``$HOME``
is elsewhere, ``jdoe.local``); both paste into a POSIX shell as what they stand for. One
pass of one pattern does both, so a replacement is never replaced again.

The renderers take a :class:`Redaction` as an argument (pure functions of their inputs);
:meth:`Redaction.of_this_process` is where the home and the user names are read.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

#: What the home folder and the user name are written as.
HOME_MARK = "~"
USER_MARK = "$USER"

#: A name this short is only replaced as a whole path component (``/home/al``): as a word of
#: prose it is too often an ordinary word ("a", "I").
_SHORTEST_WORD = 2

#: Characters that continue a name: a user name matches only where none touches it.
_NAME = r"A-Za-z0-9_"


@dataclass(frozen=True)
class Redaction:
    """The home folder(s) and user name(s) to keep out of a text."""

    homes: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    _pattern: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        homes = sorted(
            {h.rstrip("/\\") for h in self.homes if h.rstrip("/\\")}, key=len, reverse=True
        )
        users = sorted({u for u in self.users if u}, key=len, reverse=True)
        parts: list[str] = []
        for home in homes:
            # The home folder where a path starts with it: not inside a longer name
            # (/home/jdoe2) and not as the tail of another path (/backup/home/jdoe).
            parts.append(rf"(?P<home{len(parts)}>(?<![\w./\\-]){re.escape(home)}(?![{_NAME}.-]))")
        for user in users:
            if len(user) >= _SHORTEST_WORD:
                parts.append(rf"(?<![{_NAME}]){re.escape(user)}(?![{_NAME}])")
            else:
                parts.append(rf"(?<=[/\\]){re.escape(user)}(?=[/\\]|$|[^{_NAME}.-])")
        pattern = re.compile("|".join(parts), re.IGNORECASE) if parts else None
        object.__setattr__(self, "_pattern", pattern)

    @classmethod
    def of_this_process(cls, environ: Mapping[str, str] | None = None) -> Redaction:
        """The home folder and user name of the process rendering (the person running it)."""
        environ = os.environ if environ is None else environ
        home = environ.get("HOME") or str(Path("~").expanduser())
        homes = [home]
        if home and home != "~":
            homes.append(os.path.realpath(home))  # macOS: /var -> /private/var and the like
        users = [environ.get(name, "") for name in ("USER", "LOGNAME", "USERNAME")]
        # KeyError, OSError: no name for this uid (a container): nothing more to hide.
        with contextlib.suppress(KeyError, OSError):
            users.append(getpass.getuser())
        users.extend(Path(h).name for h in homes)
        return cls(tuple(h for h in homes if h not in ("", "~")), tuple(u for u in users if u))

    def __call__(self, text: str) -> str:
        """``text`` with the home folder written ``~`` and the user name ``$USER``."""
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(_replacement, text)

    @property
    def note(self) -> str:
        """The sentence that says what was left out (Markdown)."""
        return (
            f"Personal data left out by kerasdoctor: the home folder is written `{HOME_MARK}` "
            f"and the user name `{USER_MARK}`; of the environment variables, only those that "
            "steer Keras and TensorFlow are shown."
        )


def _replacement(match: re.Match[str]) -> str:
    if any(k.startswith("home") and v is not None for k, v in match.groupdict().items()):
        return HOME_MARK
    return USER_MARK
