"""Tiny fake packages that misbehave on import, installed into a real venv with real metadata.

Every fake in :data:`FAKES` is one import package ``kdfault_<kind>`` that exports (or would
export) one class, so ``kerasdoctor check kdfault_<kind>.<Class>`` makes
``from kdfault_<kind> import <Class>`` a candidate line, with the verdict it must get attached
(:class:`Expect`). :data:`FORKED` and :data:`THREADED` are packages whose *submodules* are the
fault, for the warm forking processes. Each is built into a wheel by hatchling from a
generated source folder with a ``pyproject.toml`` and installed by ``uv pip install``, so it
has a real ``.dist-info`` (METADATA, RECORD) exactly like anything a user installs.

Every fake records the PIDs of the processes it starts as empty files named
``<module>-<role>-<pid>.pid`` in ``$KDFAULT_PIDDIR`` (role ``probe`` for the interpreter that
imports it, ``child`` for a process it starts), so a test can assert afterwards that none of
them is still alive. Every process also inherits ``$KDFAULT_RUN``, a token unique to the
test, so :func:`survivors` finds a leftover even if no PID file names it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import signal
import textwrap
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

#: Code every fake runs first (inside the target interpreter; stdlib only).
_HEADER = '''\
import os
import sys


def _kdfault_record(role, pid=None):
    folder = os.environ.get("KDFAULT_PIDDIR")
    if folder:
        name = "%s-%s-%d.pid" % (__name__, role, os.getpid() if pid is None else pid)
        open(os.path.join(folder, name), "w").close()


def _kdfault_spawn(new_session):
    """A child that sleeps for minutes holding the inherited stdout/stderr pipes."""
    import subprocess

    child = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(600)"],
        start_new_session=new_session,
    )
    _kdfault_record("child", child.pid)
    return child


def _kdfault_no_core():
    """Crash without leaving a core file behind (the crash is the point, not the dump)."""
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _kdfault_hang():
    """Wait forever; ignore SIGTERM and SIGINT, so that only SIGKILL ends this process."""
    import signal
    import time

    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        time.sleep(0.05)


_kdfault_record("probe")
'''

#: A line of text that looks like a kerasdoctor result (the nonce is a guess).
SPOOF_LINE = (
    'KDMSG 0123456789abcdef0123456789abcdef {"phase": "import", "status": "ok", '
    '"seconds": 0.0, "resolved": {"kind": "class", "module": "kdfault_spoof", '
    '"qualname": "KdSpoof", "file": null}, "modules": []}'
)


@dataclass(frozen=True)
class Expect:
    """What kerasdoctor must report for a fake's line."""

    status: str  # "ok", "import-error", "error", "timeout", "crashed"
    error_type: str | None = None
    message: str | None = None  # the error message, exactly
    exit_detail: str | None = None
    usable: bool | None = True  # for status ok: the use check's verdict
    use_text: str | None = None  # for status ok: found in the use check's how/error text
    children: bool = False  # the fake starts a child process (recorded in the PID folder)


@dataclass(frozen=True)
class Fake:
    """One misbehaving package."""

    kind: str  # "hang" -> import package kdfault_hang
    symbol: str  # the class the line asks for
    body: str  # what the package does on import, after the common header
    expect: Expect

    @property
    def module(self) -> str:
        return f"kdfault_{self.kind}"

    @property
    def dist_name(self) -> str:
        return self.module.replace("_", "-")

    @property
    def dotted(self) -> str:
        """What to pass to ``kerasdoctor check``."""
        return f"{self.module}.{self.symbol}"

    @property
    def line(self) -> str:
        return f"from {self.module} import {self.symbol}"

    def sibling(self) -> Fake:
        """A second line of the same package, for a name it lacks: with two lines a package
        gets a warm forking process, whose ``import`` is the fault. If that import fails, it
        is this line's verdict too, as it would be in a fresh ``python -c``."""
        expect = (
            Expect("import-error", "ImportError") if self.expect.status == "ok" else self.expect
        )
        return dataclasses.replace(self, symbol="KdMissing", expect=expect)

    @property
    def hangs(self) -> bool:
        """Only a deadline ends this line's probe."""
        return self.expect.status == "timeout" or self.expect.use_text == _USE_TIMEOUT


_USE_TIMEOUT = "did not finish within"


def _fake(kind: str, symbol: str, expect: Expect, body: str) -> Fake:
    return Fake(kind, symbol, textwrap.dedent(body).strip() + "\n", expect)


def _crash(signal_name: str) -> Expect:
    return Expect("crashed", "Crashed", exit_detail=f"killed by {signal_name}")


_TIMEOUT = Expect("timeout", "Timeout", exit_detail="killed at the deadline")

FAKES: dict[str, Fake] = {
    fake.kind: fake
    for fake in (
        _fake("ok", "KdOk", Expect("ok"), "class KdOk:\n    pass"),
        _fake(
            "importerror",
            "KdImportError",
            Expect(
                "import-error",
                "ModuleNotFoundError",
                "No module named 'kdfault_no_such_dependency'",
            ),
            "import kdfault_no_such_dependency",
        ),
        # --- the interpreter never answers -------------------------------------------------
        _fake("hang", "KdHang", _TIMEOUT, "_kdfault_hang()"),
        _fake(
            "hang_child",
            "KdHangChild",
            Expect("timeout", "Timeout", exit_detail="killed at the deadline", children=True),
            """
            _kdfault_spawn(new_session=False)
            _kdfault_hang()
            """,
        ),
        _fake(
            "hang_setsid",
            "KdHangSetsid",
            Expect("timeout", "Timeout", exit_detail="killed at the deadline", children=True),
            """
            _kdfault_spawn(new_session=True)  # leaves the probe's process group
            _kdfault_hang()
            """,
        ),
        # --- the interpreter dies by a signal ---------------------------------------------
        _fake(
            "segv",
            "KdSegv",
            _crash("SIGSEGV"),
            """
            import ctypes

            _kdfault_no_core()
            ctypes.string_at(0)  # a real invalid read, as a broken C extension does
            """,
        ),
        _fake(
            "sigill",
            "KdSigill",
            _crash("SIGILL"),
            """
            import signal
            import time

            _kdfault_no_core()
            os.kill(os.getpid(), signal.SIGILL)  # what TensorFlow gets on a CPU without AVX
            time.sleep(10)
            """,
        ),
        _fake(
            "abort",
            "KdAbort",
            _crash("SIGABRT"),
            """
            _kdfault_no_core()
            os.abort()
            """,
        ),
        _fake(
            "sigkill",
            "KdSigkill",
            _crash("SIGKILL"),
            """
            import signal
            import time

            os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer does
            time.sleep(10)
            """,
        ),
        # --- the interpreter ends "successfully" without answering -------------------------
        _fake(
            "exit0",
            "KdExit0",
            Expect("crashed", "Crashed", exit_detail="exited with status 0"),
            "os._exit(0)",
        ),
        # A BaseException is caught by the probe and reported as what the line raised.
        _fake("sysexit", "KdSysexit", Expect("error", "SystemExit", "0"), "raise SystemExit(0)"),
        _fake(
            "kbint",
            "KdKbint",
            Expect("error", "KeyboardInterrupt", ""),
            "raise KeyboardInterrupt",
        ),
        _fake(
            "baseexc",
            "KdBaseexc",
            Expect("error", "kdfault_baseexc.KdBaseError", "<unprintable KdBaseError>"),
            """
            class KdBaseError(BaseException):
                def __str__(self):
                    raise RuntimeError("not even a message")


            raise KdBaseError()
            """,
        ),
        # --- hostile output -----------------------------------------------------------------
        _fake(
            "floodout",
            "KdFloodout",
            Expect("ok"),
            r"""
            _chunk = b"x" * 65535 + b"\n"
            for _ in range(320):  # 20 MiB
                sys.stdout.buffer.write(_chunk)
            sys.stdout.flush()


            class KdFloodout:
                pass
            """,
        ),
        _fake(
            "flooderr",
            "KdFlooderr",
            Expect("error", "RuntimeError", "failed after a flood"),
            r"""
            _chunk = b"y" * 65535 + b"\n"
            for _ in range(320):  # 20 MiB
                sys.stderr.buffer.write(_chunk)
            sys.stderr.write("the end of the flood\n")
            sys.stderr.flush()
            raise RuntimeError("failed after a flood")
            """,
        ),
        _fake(
            "spoof",
            "KdSpoof",
            Expect("import-error", "ImportError", "kdfault_spoof refuses to import"),
            f"""
            _fake = {SPOOF_LINE!r}
            print(_fake)
            print(_fake, file=sys.stderr)
            sys.stdout.flush()
            sys.stderr.flush()
            # The same text, without a newline, on every other descriptor this process holds
            # (the private result pipe among them): a half line must not swallow the answer.
            for _fd in range(3, 256):
                try:
                    os.write(_fd, _fake.encode())
                except OSError:
                    pass
            raise ImportError("kdfault_spoof refuses to import")
            """,
        ),
        _fake(
            "closestd",
            "KdClosestd",
            Expect("ok"),
            """
            for _stream in (sys.stdin, sys.stdout, sys.stderr):
                _stream.close()
            for _fd in (0, 1, 2):
                os.close(_fd)


            class KdClosestd:
                pass
            """,
        ),
        _fake(
            "badutf8",
            "KdBadutf8",
            # Undecodable bytes survive as lone surrogates, as Python itself keeps them.
            Expect("error", "RuntimeError", "caf\udce9 \udcff"),
            r"""
            os.write(1, b"stdout: \xff\xfe\xc3\x28 not utf-8\n")
            os.write(2, b"stderr: \x80\x81\xfe\xff not utf-8\n")
            raise RuntimeError(b"caf\xe9 \xff".decode("utf-8", "surrogateescape"))
            """,
        ),
        _fake(
            "orphan",
            "KdOrphan",
            Expect("ok", children=True),
            """
            _kdfault_spawn(new_session=False)


            class KdOrphan:
                pass
            """,
        ),
        _fake(
            "orphan_setsid",
            "KdOrphanSetsid",
            Expect("ok", children=True),
            """
            _kdfault_spawn(new_session=True)  # leaves the probe's process group


            class KdOrphanSetsid:
                pass
            """,
        ),
        _fake(
            "patch",
            "KdPatch",
            Expect("ok"),
            """
            import json

            # Monkey-patching the standard library, as eventlet-style libraries do.
            json.dumps = lambda *args, **kwargs: "sabotaged"
            os.write = lambda fd, data: len(data)
            os._exit = lambda status: None


            class KdPatch:
                pass
            """,
        ),
        # --- the import works; using the object misbehaves -----------------------------------
        _fake(
            "use_segv",
            "KdUseSegv",
            Expect("ok", usable=False, use_text="killed by SIGSEGV"),
            """
            import ctypes

            _kdfault_no_core()


            class KdUseSegv:
                def __init__(self):
                    ctypes.string_at(0)
            """,
        ),
        _fake(
            "use_hang",
            "KdUseHang",
            Expect("ok", usable=None, use_text=_USE_TIMEOUT),
            """
            class KdUseHang:
                def __init__(self):
                    _kdfault_hang()
            """,
        ),
        _fake(
            "use_exit",
            "KdUseExit",
            Expect("ok", usable=False, use_text="exited with status 0"),
            """
            class KdUseExit:
                def __init__(self):
                    os._exit(0)
            """,
        ),
    )
}

#: The well-behaved line run beside every fault: it must not be affected.
OK = FAKES["ok"]


@dataclass(frozen=True)
class SubLine:
    """A line of a package with submodules: ``from <package>.<sub> import <symbol>``."""

    package: str
    sub: str
    symbol: str
    expect: Expect
    body: str  # the submodule's source

    @property
    def module(self) -> str:
        return f"{self.package}.{self.sub}"

    @property
    def dotted(self) -> str:
        return f"{self.module}.{self.symbol}"

    @property
    def line(self) -> str:
        return f"from {self.module} import {self.symbol}"

    @property
    def hangs(self) -> bool:
        return self.expect.status == "timeout"


def _sub(sub: str, symbol: str, expect: Expect, body: str) -> SubLine:
    text = (
        "import os\nimport sys\n\n"
        "from kdfault_forked import _kdfault_hang, _kdfault_no_core, _kdfault_record, "
        "_kdfault_spawn\n\n_kdfault_record('probe')\n"
    )
    return SubLine("kdfault_forked", sub, symbol, expect, text + textwrap.dedent(body).strip())


#: One harmless package whose submodules misbehave: with several lines it gets one warm
#: process (``import kdfault_forked``), and every fault happens in a forked child.
FORKED: tuple[SubLine, ...] = (
    _sub("ok", "KdForkedOk", Expect("ok"), "class KdForkedOk:\n    pass"),
    _sub("hang", "KdForkedHang", _TIMEOUT, "_kdfault_hang()"),
    _sub(
        "segv",
        "KdForkedSegv",
        _crash("SIGSEGV"),
        "import ctypes\n\n_kdfault_no_core()\nctypes.string_at(0)",
    ),
    _sub(
        "exit0",
        "KdForkedExit0",
        Expect("crashed", "Crashed", exit_detail="exited with status 0"),
        "os._exit(0)",
    ),
    _sub(
        "orphan",
        "KdForkedOrphan",
        Expect("ok", children=True),
        """
        _kdfault_spawn(new_session=True)


        class KdForkedOrphan:
            pass
        """,
    ),
    _sub(
        "flood",
        "KdForkedFlood",
        Expect("ok"),
        r"""
        for _ in range(320):  # 20 MiB on the stdout every child shares with the warm process
            sys.stdout.buffer.write(b"z" * 65535 + b"\n")
        sys.stdout.flush()


        class KdForkedFlood:
            pass
        """,
    ),
)

#: ``import kdfault_thread`` starts a thread that is still importing ``kdfault_thread.slow``
#: when the import returns. A fresh ``python -c "from kdfault_thread.slow import KdSlow"``
#: waits for that thread and works; a process forked at that moment has the module lock of a
#: thread that does not exist in it.
THREADED: tuple[SubLine, ...] = (
    SubLine(
        "kdfault_thread",
        "slow",
        "KdSlow",
        Expect("ok"),
        "import time\n\ntime.sleep(1.0)\n\n\nclass KdSlow:\n    pass\n",
    ),
)
_THREADED_INIT = """\
import threading


def _kdfault_import_in_background():
    import kdfault_thread.slow


threading.Thread(target=_kdfault_import_in_background, daemon=True).start()


class KdThread:
    pass
"""


def write_source(
    root: Path, dist_name: str, version: str, package: str, files: dict[str, str]
) -> Path:
    """A source folder for one distribution with one import package; returns the folder."""
    folder = root / f"{dist_name}-{version}"
    pkg = folder / "src" / package
    pkg.mkdir(parents=True)
    (folder / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""\
            [build-system]
            requires = ["hatchling"]
            build-backend = "hatchling.build"

            [project]
            name = "{dist_name}"
            version = "{version}"
            description = "kerasdoctor fault-suite fake"

            [tool.hatch.build.targets.wheel]
            packages = ["src/{package}"]
            """
        ),
        "utf-8",
    )
    for name, text in files.items():
        (pkg / name).write_text(text, "utf-8")
    return folder


def write_fakes(root: Path) -> list[Path]:
    """Source folders for every fake package."""
    folders = [
        write_source(root, f.dist_name, "1.0", f.module, {"__init__.py": _HEADER + "\n" + f.body})
        for f in FAKES.values()
    ]
    forked = {"__init__.py": _HEADER} | {f"{s.sub}.py": s.body for s in FORKED}
    folders.append(write_source(root, "kdfault-forked", "1.0", "kdfault_forked", forked))
    threaded = {"__init__.py": _THREADED_INIT} | {f"{s.sub}.py": s.body for s in THREADED}
    folders.append(write_source(root, "kdfault-thread", "1.0", "kdfault_thread", threaded))
    return folders


# --- processes ----------------------------------------------------------------------------

_PID_FILE = re.compile(r"^(?P<module>\w+)-(?P<role>probe|child)-(?P<pid>\d+)\.pid$")


def recorded_pids(piddir: Path, module: str | None = None, role: str | None = None) -> list[int]:
    """PIDs the fakes recorded: all, or those of one module and/or role."""
    return sorted(
        int(m.group("pid"))
        for m in _matches(piddir)
        if module in (None, m.group("module")) and role in (None, m.group("role"))
    )


def describe(piddir: Path, pids: Iterable[int]) -> list[str]:
    """Which fake started each PID (``kdfault_x-child-123``), for a readable failure."""
    names = {int(m.group("pid")): m.group(0)[: -len(".pid")] for m in _matches(piddir)}
    return [names.get(pid, f"unrecorded-{pid}") for pid in pids]


def _matches(piddir: Path) -> list[re.Match[str]]:
    return [m for m in (_PID_FILE.match(p.name) for p in piddir.iterdir()) if m]


def is_gone(pid: int) -> bool:
    """True when ``pid`` no longer runs (absent, or a zombie waiting to be reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # no such process (any more)
        return True
    # The state follows the command name, which is in parentheses and may contain spaces.
    state = stat.rsplit(")", 1)[1].split()[0]
    return state in ("Z", "X")


def survivors(token: str) -> list[int]:
    """Live processes whose environment carries ``KDFAULT_RUN=<token>``."""
    needle = f"KDFAULT_RUN={token}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in environ.split(b"\0") and not is_gone(int(entry.name)):
            found.append(int(entry.name))
    return found


def wait_all_gone(pids: Iterable[int], token: str, within: float = 3.0) -> list[int]:
    """Wait up to ``within`` seconds for every process to end; return those still running."""
    wanted = set(pids)
    deadline = time.monotonic() + within
    while True:
        alive = sorted({p for p in wanted if not is_gone(p)} | set(survivors(token)))
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)


def kill_quietly(pids: Sequence[int], token: str) -> None:
    """Clean up after a failed assertion, so one failure does not leak into later tests.
    Only processes that carry the test's token are ours to end."""
    ours = set(survivors(token))
    for pid in pids:
        if pid in ours:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
