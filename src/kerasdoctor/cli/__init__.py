"""The command line: the ``kerasdoctor`` group, its entry point, and errors -> exit codes.

Kept thin on purpose: each command is one module of this package (``check.py`` holds
``check`` and ``suggest``, ``explain.py`` holds ``explain``), loaded only when it is run or
listed, so ``kerasdoctor --version`` imports neither rich nor the rules nor the catalogue.
Errors a user can cause become one line on stderr and exit 2; Ctrl-C ends every probe and
exits 130; anything unexpected exits 3 with a traceback to report.
"""

from __future__ import annotations

import importlib
import inspect
import os
import signal
import sys
import traceback
from collections.abc import Sequence

import click

from kerasdoctor import __version__
from kerasdoctor.errors import ExitCode, KerasDoctorError, UsageError

#: Command name -> "module:attribute" of its click command, in the order help lists them.
COMMANDS: dict[str, str] = {
    "check": "kerasdoctor.cli.check:check",
    "suggest": "kerasdoctor.cli.check:suggest",
    "scan": "kerasdoctor.cli.scan:scan",
    "explain": "kerasdoctor.cli.explain:explain",
    "where": "kerasdoctor.cli.where:where",
    "fix": "kerasdoctor.cli.fix:fix",
    "report": "kerasdoctor.cli.report:report",
    "merge": "kerasdoctor.cli.merge:merge",
}


class _LazyGroup(click.Group):
    """A group that imports a command's module only when the command is needed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attribute = target.split(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # click shortens each description to fit one line, cutting mid-sentence (and at the
        # dot of "e.g."); the whole summary, wrapped at word boundaries, reads better.
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, summary(command)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def summary(command: click.Command) -> str:
    """What ``--help`` lists for a command: its short help, else its help's first paragraph."""
    if command.short_help:
        return command.short_help
    first = inspect.cleandoc(command.help or "").split("\n\n")[0]
    return " ".join(first.split())


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kerasdoctor")
def cli() -> None:
    """Find the Keras import line that works in your environment, and why others fail."""


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM/SIGHUP end the run as Ctrl-C does: every probe stops


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point; never returns."""
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _terminate)
    # A shell without job control starts background commands with SIGINT ignored, and Python
    # keeps an ignored SIGINT ignored. kerasdoctor's promise is that Ctrl-C (SIGINT) always
    # stops every probe and exits 130, however it was started: install the handler ourselves.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    raise SystemExit(run(argv))


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return the exit code (testable without a subprocess)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        args = ["--help"]  # bare `kerasdoctor`: the normal help, exit 0
    try:
        returned = cli.main(args=args, prog_name="kerasdoctor", standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else ExitCode.USAGE
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        _error_line(exc.format_message())
        return int(ExitCode.USAGE)
    except click.Abort:
        _stop_probes()
        return int(ExitCode.INTERRUPTED)
    except KeyboardInterrupt:
        _stop_probes()
        _error_line("interrupted; every probe was stopped")
        return int(ExitCode.INTERRUPTED)
    except UsageError as exc:
        _error_line(_as_option(exc))
        return int(exc.exit_code)
    except KerasDoctorError as exc:
        _error_line(str(exc))
        return int(exc.exit_code)
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: not our failure, and nothing left to say.
        _silence_stdout()
        return int(ExitCode.OK)
    except Exception:
        sys.stderr.write("kerasdoctor: internal error (a bug: please report it with this output)\n")
        traceback.print_exc()
        return int(ExitCode.INTERNAL)
    # --help and --version end here (click returns their exit code in this mode).
    return returned if isinstance(returned, int) else int(ExitCode.OK)


def _stop_probes() -> None:
    from kerasdoctor.api import stop_probes

    stop_probes()


def _error_line(message: str) -> None:
    text = " ".join(message.split())
    sys.stderr.write(f"kerasdoctor: error: {text}\n")


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _as_option(exc: UsageError) -> str:
    """The API's message, with the parameter it names spelled as this command's option."""
    message = str(exc)
    if exc.parameter is not None and message.startswith(exc.parameter):
        return "--" + exc.parameter.replace("_", "-") + message[len(exc.parameter) :]
    return message
