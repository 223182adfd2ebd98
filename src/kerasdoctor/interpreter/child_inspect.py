# kerasdoctor inspection payload: runs inside the TARGET interpreter, after
# kerasdoctor/process/child_prelude.py. Stdlib only; parseable by Python 2.7 so that an old
# interpreter answers "unsupported" instead of failing with a SyntaxError. Never imported by
# kerasdoctor: process.child_source() reads it as text.
#
# Job (JSON on stdin): {"env_names": [...], "modules": [top-level names to look up]}
# Message: {"phase": "inspect", ...} (or {"phase": "unsupported", "version": "2.7.18"})


def _kd_keras_config(env):
    """Where Keras 3 / keras-core would read keras.json, and the backend in it."""
    home = env.get("KERAS_HOME")
    if home:
        folder = home
    else:
        base = os.path.expanduser("~")
        if not os.access(base, os.W_OK):
            base = "/tmp"  # Keras falls back to /tmp/.keras when home is not writable
        folder = os.path.join(base, ".keras")
    path = os.path.join(folder, "keras.json")
    found = {"path": path, "exists": os.path.isfile(path), "backend": None, "error": None}
    if found["exists"]:
        try:
            with open(path) as handle:
                data = _kd_loads(handle.read())
            backend = data.get("backend") if isinstance(data, dict) else None
            if backend is not None:
                found["backend"] = str(backend)
        except Exception as exc:  # a broken keras.json is a finding, not a crash
            found["error"] = "%s: %s" % (type(exc).__name__, exc)
    return found


def _kd_origins(names):
    """Where the import system finds each top-level name (None: nowhere).

    importlib.util.find_spec on a top-level name runs the finders (including meta-path
    hooks that .pth files installed) but executes no package code.
    """
    util = _kd_stdlib(["importlib.util"])["importlib.util"]
    origins = []
    for name in names:
        if not _kd_valid(name) or "." in name:
            continue
        if name in sys.modules:
            module = sys.modules[name]
            origins.append([name, getattr(module, "__file__", None) or "built-in"])
            continue
        try:
            spec = util.find_spec(name)
        except BaseException as exc:
            origins.append([name, "error: %s" % type(exc).__name__])
            continue
        if spec is None:
            origins.append([name, None])
        else:
            where = spec.origin
            if where in (None, "namespace"):
                locations = list(spec.submodule_search_locations or [])
                where = locations[0] if locations else "namespace"
            origins.append([name, where])
    return origins


def _kd_main():
    job, send = _kd_channel()
    if sys.version_info < (3, 7):
        send({"phase": "unsupported", "version": "%d.%d.%d" % tuple(sys.version_info[:3])})
        return
    lib = _kd_stdlib(["platform", "importlib.util"])
    env = {}
    for name in job.get("env_names", []):
        if name in os.environ:
            env[name] = os.environ[name]
    cwd = os.getcwd()
    path = [cwd if entry == "" else entry for entry in sys.path]
    has_pip = False
    try:
        has_pip = lib["importlib.util"].find_spec("pip") is not None
    except BaseException:
        pass
    send({
        "phase": "inspect",
        "version": "%d.%d.%d" % tuple(sys.version_info[:3]),
        "implementation": sys.implementation.name,
        "platform": lib["platform"].platform(),
        "prefix": sys.prefix,
        "cwd": cwd,
        "sys_path": path,
        "env": env,
        "keras_config": _kd_keras_config(os.environ),
        "has_pip": has_pip,
        "origins": _kd_origins(job.get("modules", [])),
    })


try:
    _kd_main()
finally:
    os._exit(0)
