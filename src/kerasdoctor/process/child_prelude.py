# kerasdoctor payload prelude: runs inside the TARGET interpreter, before any payload body
# (process.child_source() joins the two as text; kerasdoctor never imports this file).
#
# Stdlib only, and written so that every Python from 2.7 up can at least parse it: the
# inspection payload must be able to say "this Python is too old" instead of dying on a
# SyntaxError. No f-strings, no annotations, no walrus.
#
# It takes the private result descriptor from argv, reads the job (with the nonce) from
# stdin, then makes the process look like a plain `python -c "<line>"`: argv is ['-c'] and
# stdin is /dev/null, so imported code sees what the user's code would see.
#
# Fidelity: only `os` and `sys` are imported normally (the interpreter loaded both before
# running -c). Everything else the payload needs is imported by _kd_stdlib with the working
# directory off sys.path (a project's json.py must not break us), and then *removed* from
# sys.modules again, so the code under test starts from the same module table as the
# user's `python -c` would (a project's json.py must still shadow json for *it*).
import os
import sys


def _kd_stdlib(names):
    before = set(sys.modules)
    saved = list(sys.path)
    here = os.getcwd()
    sys.path[:] = [p for p in sys.path if p not in ("", ".", here)]
    found = {}
    try:
        for name in names:
            __import__(name)
            found[name] = sys.modules[name]
    finally:
        sys.path[:] = saved
        for name in list(sys.modules):
            if name not in before:
                del sys.modules[name]
    return found


# _KD_LIB stays referenced: Python 2 clears a module's globals when the module object is
# freed, which would break _kd_loads and lose the "unsupported" answer of a 2.7 target.
_KD_LIB = _kd_stdlib(["json", "keyword"])
_kd_loads = _KD_LIB["json"].loads
_kd_dumps = _KD_LIB["json"].dumps
_kd_iskeyword = _KD_LIB["keyword"].iskeyword
# Bound before any code under test runs: imported code may monkey-patch os (eventlet-style)
# and must not be able to swallow the answer or keep the process alive after it.
_kd_write = os.write
_kd_exit = os._exit


def _kd_die_with_parent():
    """Linux: be killed if the process that started us dies (even by SIGKILL).

    Probes run in sessions of their own so that deadlines can end their whole group; the
    price is that no terminal signal reaches them. If kerasdoctor (or a zygote) is killed
    before it can clean up, this keeps a hanging probe from running on forever. It changes
    nothing an import can observe. Elsewhere (no prctl) it does nothing.
    """
    parent = os.getppid()
    try:
        ctypes = _kd_stdlib(["ctypes"])["ctypes"]
        ctypes.CDLL(None).prctl(1, 9)  # PR_SET_PDEATHSIG = 1, SIGKILL = 9
    except BaseException:
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        _kd_exit(1)


_kd_die_with_parent()


def _kd_channel():
    fd = int(sys.argv[1])
    try:
        os.set_inheritable(fd, False)  # children of imported code must not hold our pipe
    except AttributeError:
        pass
    raw = sys.stdin.read()
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    extra_fds = [int(arg) for arg in sys.argv[2:]]  # the zygote's control pipe, if any
    del sys.argv[1:]
    job = _kd_loads(raw)
    job["_fds"] = extra_fds
    prefix = ("KDMSG " + job.pop("nonce") + " ").encode("ascii")

    def send(message):
        data = prefix + _kd_dumps(message).encode("ascii") + b"\n"
        while data:
            data = data[_kd_write(fd, data):]

    return job, send


def _kd_valid(dotted):
    if not isinstance(dotted, str) or not dotted:
        return False
    for part in dotted.split("."):
        if not (part.isidentifier() and not _kd_iskeyword(part)):
            return False
    return True


def _kd_error(exc):
    """An exception as data: type, message and the innermost frame that is not importlib."""
    cls = type(exc)
    mod = getattr(cls, "__module__", "") or ""
    qual = getattr(cls, "__qualname__", cls.__name__)
    name = qual if mod in ("builtins", "exceptions", "") else mod + "." + qual
    try:
        message = str(exc)
    except BaseException:  # a hostile __str__ must not lose the verdict
        message = "<unprintable %s>" % cls.__name__
    where = None
    tb = getattr(exc, "__traceback__", None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.startswith("<"):
            where = "%s:%d" % (filename, tb.tb_lineno)
        tb = tb.tb_next
    return {"type": name, "message": message[:4000], "where": where}
