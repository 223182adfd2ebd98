"""Exception hierarchy and process exit codes.

Every failure a user can cause (a bad symbol, a missing interpreter, a bad option) is a
:class:`UsageError` or :class:`TargetError`; the CLI turns them into one line on stderr and
exit code 2. Anything else that escapes is a bug in kerasdoctor and exits 3.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """Process exit codes; documented in docs/usage.md and relied on by CI recipes."""

    OK = 0
    NO_WORKING_LINE = 1
    USAGE = 2
    INTERNAL = 3
    INTERRUPTED = 130


class KerasDoctorError(Exception):
    """Base class of the errors kerasdoctor expects and reports without a traceback."""

    exit_code: ExitCode = ExitCode.INTERNAL


class UsageError(KerasDoctorError):
    """The command line asks for something that cannot be done (bad symbol, bad option).

    ``parameter`` names the API parameter at fault (``"timeout"``, ``"prefer"``) when the
    message starts with it; the CLI replaces it with its option's spelling (``--timeout``),
    so the API's own messages never name command-line options.
    """

    exit_code = ExitCode.USAGE

    def __init__(self, message: str, *, parameter: str | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter


class TargetError(KerasDoctorError):
    """The target interpreter is missing, is not Python, or cannot be inspected."""

    exit_code = ExitCode.USAGE
