# kerasdoctor probe payload: runs inside the TARGET interpreter (Python 3.7 and up), after
# kerasdoctor/process/child_prelude.py. Stdlib only until the import under test has run.
# Never imported by kerasdoctor: process.child_source() reads it as text.
#
# Job (JSON on stdin): {"module": "...", "name": "...", "use": {...} or null,
#                       "tops": [top-level names whose origin to report],
#                       "families": [public roots of the Keras implementations],
#                       "kind": "from" (default) | "import" | "chain", "attrs": [...],
#                       "bound": "..."}
#   "import": `import <module>`; the object is sys.modules[module].
#   "chain": the base import (`from module import name`, or `import module` when name is
#   empty, then the object bound to `bound`), then getattr for each of attrs in order.
# A zygote's job: {"mode": "zygote", "warm": "A", "tops": [...]}, then one line job (as
# above, with an "id") per line on the control pipe.
# Messages (on the private channel):
#   {"phase": "import", "status": "ok"|"import-error"|"error", "seconds": float,
#    "resolved": {...}, "modules": [[top, file], ...], "error": {...}}
#   {"phase": "use", "usable": true|false|null, "how": "...", "error": {...}}
# The process ends with os._exit(0) once it has reported, so that atexit handlers of the
# imported libraries (which may hang or crash) cannot change a verdict already sent.


def _kd_import(module, name):
    """Exactly what `from <module> import <name>` does, without building code from input.

    The statement calls __import__ with a fromlist (which imports the submodule
    <module>.<name> when the attribute is missing), then reads the attribute, falling back
    to sys.modules for a submodule; the error text matches CPython's.
    """
    leaf = __import__(module, globals(), None, [name], 0)
    try:
        return getattr(leaf, name)
    except AttributeError:
        pass
    sub = sys.modules.get(module + "." + name)
    if sub is not None:
        return sub
    location = getattr(leaf, "__file__", None) or "unknown location"
    error = ImportError(
        "cannot import name %r from %r (%s)" % (name, module, location), name=module, path=location
    )
    raise error


def _kd_names(job, key):
    """A list of top-level names from the job (the host owns every package name)."""
    names = job.get(key)
    if not isinstance(names, list):
        return []
    return [name for name in names if _kd_valid(name)]


def _kd_modules(module, tops):
    """Where the relevant top-level packages (and the line's own) came from: shadowing."""
    found = []
    tops = list(tops)
    if module.split(".")[0] not in tops:
        tops.append(module.split(".")[0])
    for top in tops:
        mod = sys.modules.get(top)
        if mod is None:
            continue
        where = getattr(mod, "__file__", None)
        if not where:
            paths = list(getattr(mod, "__path__", []) or [])
            where = paths[0] if paths else "?"
        found.append([top, str(where)])
    return found


def _kd_family_root(module, families):
    """The public root a defining module belongs to: keras.src.x -> keras, ..."""
    parts = module.split(".")
    for index, part in enumerate(parts):
        if part in families:  # also tensorflow.python.keras (TF <= 2.7)
            return ".".join(parts[: index + 1])
    return None


def _kd_describe(obj, module, name, families):
    if isinstance(obj, type(sys)):
        return {"kind": "module", "module": obj.__name__, "qualname": "",
                "file": getattr(obj, "__file__", None)}
    if isinstance(obj, type):
        mod = getattr(obj, "__module__", None) or module
        names = [getattr(c, "__name__", "") for c in getattr(obj, "__mro__", ())]
        kind = "class"
        if "Layer" in names and _kd_family_root(mod, families):
            kind = "layer"
        if "Model" in names and _kd_family_root(mod, families):
            kind = "model"
        defining = sys.modules.get(mod)
        return {"kind": kind, "module": mod, "qualname": getattr(obj, "__qualname__", obj.__name__),
                "file": getattr(defining, "__file__", None)}
    if callable(obj):
        mod = getattr(obj, "__module__", None) or module
        defining = sys.modules.get(mod)
        return {"kind": "function", "module": mod,
                "qualname": getattr(obj, "__qualname__", None) or getattr(obj, "__name__", name),
                "file": getattr(defining, "__file__", None)}
    holder = sys.modules.get(module)
    return {"kind": "object", "module": module, "qualname": name,
            "file": getattr(holder, "__file__", None)}


def _kd_required(obj, given):
    """Names of constructor parameters with no default that `given` does not supply."""
    inspect = __import__("inspect")  # after the import under test: what the user would get
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return []
    missing = []
    for param in signature.parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        if param.default is param.empty and param.name not in given:
            missing.append(param.name)
    return missing


def _kd_use(obj, resolved, spec, families):
    """Is the object usable? A layer runs forward in a model of its own family."""
    kind = resolved["kind"]
    if spec.get("skip"):
        return {"usable": None, "how": "not checked: " + spec["skip"]}
    kwargs = spec.get("kwargs") or {}
    if kind in ("layer", "model", "class"):
        missing = _kd_required(obj, kwargs)
        if missing:
            return {"usable": None,
                    "how": "not checked: the constructor needs " + ", ".join(missing)}
    if kind == "layer":
        root = _kd_family_root(resolved["module"], families)
        shape = list(spec.get("input_shape") or [2, 4])
        dtype = spec.get("input_dtype") or "float32"
        layer = obj(**kwargs)  # a placeholder class raises here
        how = "built in a %s Sequential model and ran forward on zeros%s" % (root, tuple(shape))
        try:
            numpy = __import__("numpy")
            models = __import__(root + ".models", fromlist=["Sequential"])
            layers = __import__(root + ".layers", fromlist=["Input"])
            try:
                model = models.Sequential([layers.Input(shape=tuple(shape[1:]), dtype=dtype), layer])
            except BaseException:
                # Multi-backend Keras <= 2.3 accepts no Input tensor in a Sequential list;
                # its InputLayer does the same job there.
                layer = obj(**kwargs)
                first = layers.InputLayer(input_shape=tuple(shape[1:]), dtype=dtype)
                model = models.Sequential([first, layer])
            model.predict(numpy.zeros(shape, dtype=dtype), verbose=0)
        except BaseException as exc:
            if spec.get("explicit"):
                return {"usable": False, "how": how, "error": _kd_error(exc)}
            # Without a known input for this layer a failure may be our guess, not the layer.
            return {"usable": None, "how": how + " (input guessed)", "error": _kd_error(exc)}
        return {"usable": True, "how": how}
    if kind in ("model", "class"):
        obj(**kwargs)
        return {"usable": True, "how": "instantiated with %s" % (
            "arguments from the catalogue" if kwargs else "no arguments")}
    if kind == "function":
        return {"usable": bool(callable(obj)), "how": "checked callable"}
    return {"usable": True, "how": "imported"}


def _kd_module_import(module, bound):
    """Exactly what `import <module>` does; the object the statement binds, by `bound`.

    `import a.b.c` binds `a` (bound "a"); `import a.b.c as x` binds a.b.c (bound "a.b.c"),
    which CPython reads as attributes of a, falling back to sys.modules.
    """
    __import__(module, globals(), None, [], 0)
    obj = sys.modules.get(bound)
    if obj is None:
        parts = bound.split(".")
        obj = sys.modules[parts[0]]
        for part in parts[1:]:
            obj = getattr(obj, part)
    return obj


def _kd_valid_job(kind, module, name, attrs, bound):
    if not _kd_valid(module) or kind not in ("from", "import", "chain"):
        return False
    if not isinstance(attrs, list) or not all(_kd_valid(a) and "." not in a for a in attrs):
        return False
    if kind == "from":
        return _kd_valid(name) and "." not in name
    if kind == "import":
        return not name
    if not attrs:
        return False
    return (_kd_valid(name) and "." not in name) if name else _kd_valid(bound)


def _kd_run_job(kind, module, name, attrs, bound):
    """The object the job's code gives; raises what a fresh interpreter would raise."""
    if kind == "import":
        return _kd_module_import(module, module)
    if name:
        obj = _kd_import(module, name)
    else:
        obj = _kd_module_import(module, bound)
    for attr in attrs:
        obj = getattr(obj, attr)  # attribute access as the code does it (lazy modules too)
    return obj


def _kd_probe(job, send, clock):
    """Run one line (and its use check) and send its verdict; see the module comment."""
    module, name = job.get("module"), job.get("name")
    tops, families = _kd_names(job, "tops"), _kd_names(job, "families")
    kind = job.get("kind") or "from"
    attrs = job.get("attrs") or []
    bound = job.get("bound") or ""
    if not _kd_valid_job(kind, module, name, attrs, bound):
        send({"phase": "import", "status": "error", "seconds": 0.0,
              "error": {"type": "kerasdoctor.InvalidJob", "message": "invalid module or name"}})
        return
    started = clock()
    try:
        obj = _kd_run_job(kind, module, name, attrs, bound)
    except BaseException as exc:  # SystemExit and KeyboardInterrupt too: the import failed
        status = "import-error" if isinstance(exc, ImportError) else "error"
        send({"phase": "import", "status": status, "seconds": clock() - started,
              "error": _kd_error(exc), "modules": _kd_modules(module, tops)})
        return
    seconds = clock() - started
    if kind == "chain":
        name = attrs[-1]  # described by the last attribute read
    elif kind == "import":
        name = module.rpartition(".")[2]
    resolved = _kd_describe(obj, module, name, families)
    send({"phase": "import", "status": "ok", "seconds": seconds, "resolved": resolved,
          "modules": _kd_modules(module, tops)})
    spec = job.get("use")
    if spec is None:
        return
    try:
        verdict = _kd_use(obj, resolved, spec, families)
    except BaseException as exc:
        verdict = {"usable": False, "how": "used as a %s" % resolved["kind"], "error": _kd_error(exc)}
    verdict["phase"] = "use"
    send(verdict)


# The zygote (fork server). Every `from A.x import Y` begins with `import A`: a process that
# has imported A and then forks is, for that line, where a fresh `python -c` would be after
# its first step. So one warm process per top-level package A imports A once, and forks one
# child per line; each child becomes its own session (its own process group, which the
# parent kills at its deadline) and reports on the shared channel with its job id. Writes of
# at most PIPE_BUF bytes are atomic on a pipe, so messages are kept below that size and
# children never interleave. If `import A` fails, that failure is every line's verdict: a
# fresh process would fail at the same first step.
_KD_ATOMIC = 4000


def _kd_small(message):
    """The message, shortened until its JSON fits one atomic pipe write."""
    text = _kd_dumps(message)
    if len(text) <= _KD_ATOMIC:
        return message
    message = dict(message)
    message.pop("modules", None)
    for key in ("error", "resolved"):
        if isinstance(message.get(key), dict):
            part = dict(message[key])
            for field in ("message", "where", "file", "how"):
                if isinstance(part.get(field), str):
                    part[field] = part[field][:600]
            message[key] = part
    if isinstance(message.get("how"), str):
        message["how"] = message["how"][:300]
    if len(_kd_dumps(message)) <= _KD_ATOMIC:
        return message
    return {"phase": message.get("phase"), "status": message.get("status"),
            "usable": message.get("usable"), "seconds": message.get("seconds", 0.0),
            "error": {"type": "kerasdoctor.Truncated", "message": "the answer was too long"}}


def _kd_zygote(job, send, clock):
    control = job["_fds"][0]
    select = _kd_stdlib(["select"])["select"]
    warm = job.get("warm")
    if not (_kd_valid(warm) and "." not in warm):
        send({"phase": "warm", "status": "error",
              "error": {"type": "kerasdoctor.InvalidJob", "message": "invalid warm module"}})
        return
    started = clock()
    try:
        __import__(warm)
    except BaseException as exc:
        status = "import-error" if isinstance(exc, ImportError) else "error"
        send({"phase": "warm", "status": status, "seconds": clock() - started,
              "error": _kd_error(exc), "modules": _kd_modules(warm, _kd_names(job, "tops"))})
        return
    # Threads that import A left running (_thread counts them all) do not survive a fork, nor
    # do the locks they hold: the parent then runs A's lines in fresh processes instead.
    count = getattr(sys.modules.get("_thread"), "_count", None)
    send({"phase": "warm", "status": "ok", "seconds": clock() - started,
          "threads": count() if callable(count) else 1})  # unknown: assume the worst
    children = {}
    buffered = b""
    open_control = True
    while open_control or children:
        while children:  # reap, and tell the parent how each child ended
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
            send({"phase": "exit", "job": children.pop(pid, None), "returncode": code})
        if not open_control:
            select.select([], [], [], 0.02)
            continue
        ready = select.select([control], [], [], 0.02)[0]
        if not ready:
            continue
        chunk = os.read(control, 65536)
        if not chunk:
            open_control = False
            continue
        buffered += chunk
        while b"\n" in buffered:
            line, buffered = buffered.split(b"\n", 1)
            task = _kd_loads(line.decode("ascii"))
            pid = os.fork()
            if pid == 0:
                _kd_child(task, send, clock, control)
            children[pid] = task["id"]
            send({"phase": "forked", "job": task["id"], "pid": pid})


def _kd_child(task, send, clock, control):
    try:
        os.setsid()
        _kd_die_with_parent()  # the fork cleared it; the zygote is this child's parent
        os.close(control)
        ident = task["id"]

        def child_send(message):
            message = _kd_small(message)
            message["job"] = ident
            send(message)

        _kd_probe(task, child_send, clock)
    finally:
        _kd_exit(0)


def _kd_main():
    job, send = _kd_channel()
    clock = _kd_stdlib(["time"])["time"].time
    if job.get("mode") == "zygote":
        _kd_zygote(job, send, clock)
    else:
        _kd_probe(job, send, clock)


try:
    _kd_main()
finally:
    _kd_exit(0)  # bound by the prelude: imported code may have replaced os._exit
