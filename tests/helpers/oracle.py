"""Ground truth for integration tests: does an import line work in a *fresh* interpreter?

kerasdoctor predicts which Keras import lines work in an environment. Its predictions are
only as good as this oracle, so the oracle does the plainest possible thing: start the
target environment's interpreter with ``python -c "from M import N"`` in a new process, with
exactly the environment variables and working directory the test chose, and report what
happened. No shared state, no import caching, no cleverness: each call is one user typing one
line.

* :func:`fresh_import` runs the line exactly as a user would write it.
* :func:`fresh_resolve` says *what* the line gives (``module:qualname`` of the object), which
  tells apart two working lines that give incompatible classes (tf.keras vs Keras 3).
* :func:`fresh_probe` does both at once and can also run a short trusted snippet that uses
  the imported object (TensorFlow takes seconds to import: one process instead of two).
* :func:`base_env` is the environment every call should start from: the test runner's own
  variables minus those that would redirect Python or Keras, and a private ``KERAS_HOME``.
"""

from __future__ import annotations

import keyword
import os
import re
import signal
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DROPPED_ENV_VARS",
    "RESOLVE_MARKER",
    "USE_MARKER",
    "OracleFailedError",
    "OracleResult",
    "base_env",
    "fresh_import",
    "fresh_probe",
    "fresh_resolve",
    "import_line",
    "parse_exception",
    "run_code",
]

# Printed before the resolved name: keras-core (and TF's loggers) print to stdout on import,
# so "the last stdout line" is not reliable; the marker line is.
RESOLVE_MARKER = "@@KERASDOCTOR-ORACLE-RESOLVED@@ "
USE_MARKER = "@@KERASDOCTOR-ORACLE-USE@@ "

# Variables that would make the child use another environment or another Keras setup than
# the one the test chose. PYTHONSAFEPATH would stop `python -c` from putting the working
# directory first on sys.path, hiding exactly the shadowing cases (a local keras.py) that
# kerasdoctor must diagnose.
DROPPED_ENV_VARS = (
    "VIRTUAL_ENV",
    "CONDA_PREFIX",
    "CONDA_DEFAULT_ENV",
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONSTARTUP",
    "PYTHONSAFEPATH",
    "PYTHONNOUSERSITE",
    "KERAS_BACKEND",
    "KERAS_HOME",
    "TF_USE_LEGACY_KERAS",
)

_TAIL_BYTES = 2048
_TRACEBACK_HEADER = "Traceback (most recent call last):"
# "pkg.mod.SomeError: message" or a bare "SomeError" at column 0.
_EXC_LINE = re.compile(r"^(?P<type>[A-Za-z_][\w.]*)(?::\s?(?P<msg>.*))?$")


@dataclass(frozen=True)
class OracleResult:
    """What one fresh interpreter did with one line."""

    line: str
    ok: bool
    # None when the process was killed for exceeding the timeout; negative for a signal
    # (e.g. -4: SIGILL, TensorFlow on a CPU without AVX).
    returncode: int | None
    stderr_tail: str
    stdout_tail: str
    # From the last traceback's final line ("ModuleNotFoundError", "No module named 'x'"),
    # as Python printed it (non-builtin types keep their module prefix).
    exc_type: str | None
    message: str | None
    seconds: float
    timed_out: bool = False
    # module:qualname of the imported object (fresh_resolve / fresh_probe only).
    resolved: str | None = None
    # For fresh_probe with use code: None when not run, True/False otherwise.
    use_ok: bool | None = None
    use_error: str | None = None

    @property
    def error(self) -> str | None:
        """``"ExcType: message"`` (one line) when the line failed, else None."""
        if self.ok:
            return None
        if self.exc_type is None:
            return self.message
        return f"{self.exc_type}: {self.message}" if self.message else self.exc_type


class OracleFailedError(AssertionError):
    """:func:`fresh_resolve` was asked what a line gives, but the line does not work."""

    def __init__(self, result: OracleResult) -> None:
        super().__init__(f"{result.line!r} failed: {result.error}\n{result.stderr_tail}")
        self.result = result


def base_env(keras_home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The runner's environment, cleaned for a child interpreter, plus ``extra``.

    ``KERAS_HOME`` points at ``keras_home`` (created if missing) because Keras 3 and
    keras-core write ``keras.json`` (which records the backend) on first import: a file left
    in ``~/.keras`` by one test would silently choose the backend for the next.
    """
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV_VARS}
    keras_home.mkdir(parents=True, exist_ok=True)
    env["KERAS_HOME"] = str(keras_home)
    if extra:
        env.update(extra)
    return env


def _dotted(value: str, what: str) -> str:
    parts = value.split(".")
    if not value or not all(p.isidentifier() and not keyword.iskeyword(p) for p in parts):
        raise ValueError(f"{what} must be a dotted Python identifier, got {value!r}")
    return value


def import_line(module: str, name: str) -> str:
    """``from <module> import <name>``, built only from validated identifiers."""
    _dotted(module, "module")
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(f"name must be a Python identifier, got {name!r}")
    return f"from {module} import {name}"


def parse_exception(stderr: str) -> tuple[str | None, str | None]:
    """``(exc_type, message)`` from the final line of the last traceback in ``stderr``.

    With chained exceptions Python prints several tracebacks; the last one is what killed
    the process. Only the first line of a multi-line message is kept. Returns
    ``(None, None)`` when there is no traceback.
    """
    lines = stderr.splitlines()
    starts = [i for i, text in enumerate(lines) if text.startswith(_TRACEBACK_HEADER)]
    if not starts:
        return None, None
    for text in lines[starts[-1] + 1 :]:
        # Frames, source lines and ^^^ markers are indented; the exception line is not.
        if not text or text[0].isspace():
            continue
        match = _EXC_LINE.match(text)
        if match:
            return match.group("type"), (match.group("msg") or "").strip() or None
    return None, None


def _tail(text: str) -> str:
    data = text.encode("utf-8", "replace")
    if len(data) <= _TAIL_BYTES:
        return text
    return data[-_TAIL_BYTES:].decode("utf-8", "replace")


def _last_nonblank(text: str) -> str | None:
    for text_line in reversed(text.splitlines()):
        if text_line.strip():
            return text_line.strip()
    return None


def _marker_value(stdout: str, marker: str) -> str | None:
    found = None
    for text_line in stdout.splitlines():
        if text_line.startswith(marker):
            found = text_line[len(marker) :].strip()
    return found


def run_code(
    python: Path,
    code: str,
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float,
    line: str | None = None,
) -> OracleResult:
    """Run trusted ``code`` with ``python -c`` in a fresh process; ``ok`` means exit 0.

    Only for code the test wrote itself; import lines go through :func:`fresh_import`.
    """
    return _run(python, code, cwd=cwd, env=env, timeout=timeout, line=line)[0]


def _run(
    python: Path,
    code: str,
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float,
    line: str | None,
) -> tuple[OracleResult, str]:
    """Like :func:`run_code`, plus the whole stdout (markers may sit before a long tail)."""
    started = time.monotonic()
    try:
        proc = subprocess.run(
            [str(python), "-c", code],
            cwd=cwd,
            env=dict(env),
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        stderr = _as_text(exc.stderr)
        stdout = _as_text(exc.stdout)
        timed_out = OracleResult(
            line=line or code,
            ok=False,
            returncode=None,
            stderr_tail=_tail(stderr),
            stdout_tail=_tail(stdout),
            exc_type=None,
            message=f"timed out after {timeout:g} s",
            seconds=time.monotonic() - started,
            timed_out=True,
        )
        return timed_out, stdout
    seconds = time.monotonic() - started
    ok = proc.returncode == 0
    exc_type, message = (None, None) if ok else parse_exception(proc.stderr)
    if not ok and exc_type is None:
        # No traceback: killed by a signal, or a C-level abort that printed its own reason.
        if proc.returncode < 0:
            try:
                sig = signal.Signals(-proc.returncode).name
            except ValueError:
                sig = f"signal {-proc.returncode}"
            message = f"killed by {sig}"
        else:
            message = _last_nonblank(proc.stderr) or f"exit status {proc.returncode}"
    result = OracleResult(
        line=line or code,
        ok=ok,
        returncode=proc.returncode,
        stderr_tail=_tail(proc.stderr),
        stdout_tail=_tail(proc.stdout),
        exc_type=exc_type,
        message=message,
        seconds=seconds,
    )
    return result, proc.stdout


def _as_text(data: str | bytes | None) -> str:
    if data is None:
        return ""
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return data


def fresh_import(
    python: Path,
    module: str,
    name: str,
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float,
) -> OracleResult:
    """Run exactly ``from <module> import <name>`` in a fresh ``python -c`` process.

    ``env`` is used as the child's whole environment (start from :func:`base_env`), and
    ``cwd`` matters: ``python -c`` puts it first on ``sys.path``, as a user's shell would.
    """
    line = import_line(module, name)
    return run_code(python, line, cwd=cwd, env=env, timeout=timeout, line=line)


_PROBE_TEMPLATE = """\
{line} as _kd_obj
_kd_mod = getattr(_kd_obj, "__module__", None)
_kd_qual = getattr(_kd_obj, "__qualname__", None)
if not isinstance(_kd_mod, str) or not isinstance(_kd_qual, str):
    # A module (``from keras import layers``) or an instance: name what it is.
    _kd_mod = getattr(_kd_obj, "__name__", None) if _kd_mod is None else _kd_mod
    _kd_mod, _kd_qual = (_kd_mod, "") if isinstance(_kd_mod, str) else (
        type(_kd_obj).__module__, type(_kd_obj).__qualname__ + "()")
print({marker!r} + _kd_mod + ":" + _kd_qual, flush=True)
"""

_USE_TEMPLATE = """\
try:
    exec({use!r}, {{"obj": _kd_obj}})
except BaseException as _kd_exc:
    _kd_text = (str(_kd_exc).strip().splitlines() or [""])[0]
    print({marker!r} + "FAIL " + type(_kd_exc).__name__ + ": " + _kd_text, flush=True)
else:
    print({marker!r} + "OK", flush=True)
"""


def fresh_probe(
    python: Path,
    module: str,
    name: str,
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float,
    use: str | None = None,
) -> OracleResult:
    """Import like :func:`fresh_import`, then report what it gave and optionally use it.

    ``use`` is trusted test code run with the imported object bound to ``obj`` (e.g.
    ``"obj()"`` for an optimizer); a failure there sets ``use_ok=False`` and ``use_error``
    but leaves ``ok`` (the import itself) True.
    """
    line = import_line(module, name)
    code = _PROBE_TEMPLATE.format(line=line, marker=RESOLVE_MARKER)
    if use is not None:
        code += _USE_TEMPLATE.format(use=use, marker=USE_MARKER)
    result, stdout = _run(python, code, cwd=cwd, env=env, timeout=timeout, line=line)
    resolved = _marker_value(stdout, RESOLVE_MARKER)
    use_ok: bool | None = None
    use_error: str | None = None
    verdict = _marker_value(stdout, USE_MARKER)
    if verdict is not None:
        use_ok = verdict == "OK"
        use_error = None if use_ok else verdict.removeprefix("FAIL ")
    elif use is not None and resolved is not None:
        # Imported, then died inside the use code without Python-level handling (a crash).
        use_ok, use_error = False, result.error or "process died while using the object"
    ok = result.ok or resolved is not None
    return OracleResult(
        line=line,
        ok=ok,
        returncode=result.returncode,
        stderr_tail=result.stderr_tail,
        stdout_tail=result.stdout_tail,
        exc_type=None if resolved is not None else result.exc_type,
        message=None if resolved is not None else result.message,
        seconds=result.seconds,
        timed_out=result.timed_out,
        resolved=resolved,
        use_ok=use_ok,
        use_error=use_error,
    )


def fresh_resolve(
    python: Path,
    module: str,
    name: str,
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float,
) -> str:
    """``module:qualname`` of what ``from <module> import <name>`` gives, in a fresh process.

    Raises :class:`OracleFailedError` (an AssertionError) when the line does not work.
    """
    result = fresh_probe(python, module, name, cwd=cwd, env=env, timeout=timeout)
    if result.resolved is None:
        raise OracleFailedError(result)
    return result.resolved
