"""Exact fix commands for one target: what to install, remove or set, as POSIX shell lines.

Every finding's ``fix`` is a list of commands a user can paste, in order, into a POSIX
shell. They must act on the *diagnosed* interpreter and nothing else, so install commands
always name it (``"<python>" -m pip ...``, or ``uv pip ... --python <python>`` when the
target has no pip, as in uv-made venvs), and every word is quoted with
:func:`shlex.quote`. This module also knows which distribution provides an import name
(``sklearn`` is scikit-learn, ``tf_keras`` is tf-keras) and which versions pair with the
installed TensorFlow. It builds text only: kerasdoctor never runs these commands itself.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Sequence

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from kerasdoctor.models import Distribution, Target

#: Import name -> the distribution to install for it. Only names whose distribution is
#: certain are listed: for any other module a finding names it and offers no command,
#: because guessing a PyPI name can install the wrong (or a malicious) package.
MODULE_DISTRIBUTIONS: dict[str, str] = {
    "numpy": "numpy",
    "scipy": "scipy",
    # `pip install jax` brings jaxlib (the CPU build) since jax 0.4.3x: no [cpu] extra needed.
    "jax": "jax",
    "jaxlib": "jaxlib",
    "torch": "torch",
    "tensorflow": "tensorflow",
    "keras": "keras",
    "tf_keras": "tf-keras",
    "keras_core": "keras-core",
    "openvino": "openvino",
    "h5py": "h5py",
    "ml_dtypes": "ml-dtypes",
    "optree": "optree",
    "namex": "namex",
    "rich": "rich",
    "absl": "absl-py",
    "packaging": "packaging",
    "google.protobuf": "protobuf",
    "wrapt": "wrapt",
    "opt_einsum": "opt-einsum",
    "gast": "gast",
    "astunparse": "astunparse",
    "termcolor": "termcolor",
    "flatbuffers": "flatbuffers",
    "tensorboard": "tensorboard",
    "tensorflow_estimator": "tensorflow-estimator",
    "yaml": "PyYAML",
    "PIL": "Pillow",
    "sklearn": "scikit-learn",
    "pandas": "pandas",
    "pydot": "pydot",
    "six": "six",
}

#: Keras 3 backends and the import names each one needs. Keras 3.15's numpy backend imports
#: scipy (backend/numpy/linalg.py) and jax (backend/numpy/nn.py, math.py), not only numpy.
KERAS3_BACKEND_MODULES: dict[str, tuple[str, ...]] = {
    "tensorflow": ("tensorflow",),
    "jax": ("jax",),
    "torch": ("torch",),
    "numpy": ("numpy", "scipy", "jax"),
    "openvino": ("openvino",),
}
#: keras-core 0.1 knew four backends.
KERAS_CORE_BACKENDS: tuple[str, ...] = ("tensorflow", "jax", "torch", "numpy")

#: Distributions that install the ``tensorflow`` import package (one build each).
TENSORFLOW_DISTRIBUTIONS: frozenset[str] = frozenset(
    {
        "tensorflow",
        "tensorflow-cpu",
        "tensorflow-gpu",
        "tensorflow-intel",
        "tensorflow-macos",
        "tensorflow-cpu-aws",
        "tensorflow-aarch64",
        "tensorflow-rocm",
        "tf-nightly",
        "tf-nightly-cpu",
        "tf-nightly-gpu",
        "intel-tensorflow",
        "intel-tensorflow-avx512",
    }
)


def quote(word: str) -> str:
    """One shell word; plain words stay unquoted (``numpy``), others are single-quoted."""
    return shlex.quote(word)


def _installer(target: Target) -> tuple[str, ...]:
    """The words that start a pip command for exactly this interpreter."""
    if target.has_pip:
        return (quote(target.python), "-m", "pip")
    # No pip in the target (uv-made venvs): uv acts on the interpreter it is given.
    return ("uv", "pip")


def _python_flag(target: Target) -> tuple[str, ...]:
    return () if target.has_pip else ("--python", quote(target.python))


def install(target: Target, requirements: Sequence[str]) -> str:
    """``pip install`` (or ``uv pip install --python``) of ``requirements`` into the target."""
    words = [*_installer(target), "install", *_python_flag(target)]
    words += [quote(r) for r in requirements]
    return " ".join(words)


def uninstall(target: Target, names: Sequence[str]) -> str:
    """Remove distributions from the target (no prompt: fixes run unattended)."""
    words = [*_installer(target), "uninstall", *_python_flag(target)]
    if target.has_pip:
        words.append("-y")
    words += [quote(n) for n in names]
    return " ".join(words)


def export(name: str, value: str | None) -> str:
    """Set (or, for None, unset) one environment variable in the user's shell."""
    if value is None:
        return f"unset {name}"
    return f"export {name}={quote(value)}"


def rename(source: str, destination: str) -> str:
    """Move a file or folder aside, refusing to overwrite anything already there.

    ``test ! -e`` makes the command fail (and a ``set -e`` script stop) instead of
    silently replacing a file of the user's that happens to have the new name.
    """
    return f"test ! -e {quote(destination)} && mv -- {quote(source)} {quote(destination)}"


def parse_version(text: str) -> Version | None:
    """The version, or None when it is not PEP 440 (then no rule may rely on it)."""
    try:
        return Version(text)
    except InvalidVersion:
        return None


def minor_range(name: str, version: Version) -> str:
    """``name>=X.Y,<X.Y+1``: the same major.minor as ``version``, any patch."""
    return f"{name}>={version.major}.{version.minor},<{version.major}.{version.minor + 1}"


def tensorflow_dist(target: Target) -> Distribution | None:
    """The distribution whose files ``import tensorflow`` runs (first on sys.path)."""
    for dist in target.distributions:
        if dist.name in TENSORFLOW_DISTRIBUTIONS and "tensorflow" in dist.top_level:
            return dist
    return None


def keras_dist(target: Target) -> Distribution | None:
    """The distribution providing the ``keras`` package (keras or keras-nightly)."""
    for dist in target.distributions:
        if dist.name in ("keras", "keras-nightly") and "keras" in dist.top_level:
            return dist
    return None


def declared_specifier(target: Target, name: str) -> SpecifierSet | None:
    """What the installed distributions' Requires-Dist ask of ``name`` (None: nothing).

    Installing ``name`` with this specifier keeps ``pip check`` clean, e.g. TensorFlow 2.15
    declares ``keras<2.16,>=2.15.0``.
    """
    wanted = canonicalize_name(name)
    found: SpecifierSet | None = None
    for dist in target.distributions:
        for line in dist.requires:
            req = parse_requirement(line)
            if req is None or canonicalize_name(req.name) != wanted:
                continue
            if req.marker is not None and not req.marker.evaluate(marker_environment(target)):
                continue
            found = req.specifier if found is None else found & req.specifier
    return found


def parse_requirement(line: str) -> Requirement | None:
    try:
        return Requirement(line)
    except InvalidRequirement:
        return None


def marker_environment(target: Target) -> dict[str, str]:
    """PEP 508 marker values for the target, with ``extra`` empty (no extras requested).

    The Python version and implementation are the target's own; the platform values are
    this machine's, which is where the target runs (kerasdoctor inspects local
    interpreters only).
    """
    from packaging.markers import default_environment

    env: dict[str, str] = {k: str(v) for k, v in default_environment().items()}
    version = target.python_version
    parts = version.split(".")
    if len(parts) >= 2 and all(p.isdigit() for p in parts[:2]):
        env["python_version"] = ".".join(parts[:2])
        env["python_full_version"] = version
        env["implementation_version"] = version
    if target.implementation and target.implementation != "?":
        env["implementation_name"] = target.implementation
        env["platform_python_implementation"] = {
            "cpython": "CPython",
            "pypy": "PyPy",
        }.get(target.implementation, target.implementation)
    env["extra"] = ""
    return env


def requirement_text(name: str, specifier: SpecifierSet | None) -> str:
    """``name`` with a specifier in a stable order (``keras<2.16,>=2.15.0``)."""
    if specifier is None or not str(specifier):
        return name
    return name + ",".join(sorted(str(s) for s in specifier))


def distribution_for_module(module: str) -> str | None:
    """The distribution that provides an import name (``sklearn`` -> scikit-learn)."""
    if module in MODULE_DISTRIBUTIONS:
        return MODULE_DISTRIBUTIONS[module]
    top = module.split(".", 1)[0]
    if top == module:
        return None
    # A dotted name is certain only when listed whole (google.protobuf); else its top.
    return MODULE_DISTRIBUTIONS.get(top) if top not in ("google",) else None


def requirement_for_module(target: Target, module: str) -> str | None:
    """The requirement to install for a missing module, honouring declared specifiers."""
    dist = distribution_for_module(module)
    if dist is None:
        return None
    if dist == "tf-keras":
        tf = tensorflow_dist(target)
        tf_version = None if tf is None else parse_version(tf.version)
        if tf_version is not None:
            return minor_range("tf-keras", tf_version)
    specifier = declared_specifier(target, dist)
    if specifier is None and dist == "tensorflow" and _keras3_installed(target):
        # Keras 3 runs on TensorFlow 2.16 and later only (the first TF built for it).
        specifier = SpecifierSet(">=2.16")
    return requirement_text(dist, specifier)


def _keras3_installed(target: Target) -> bool:
    dist = keras_dist(target)
    version = None if dist is None else parse_version(dist.version)
    return version is not None and version.major >= 3


def keras_for_tensorflow(target: Target, tf: Distribution) -> str | None:
    """The ``keras`` requirement that pairs with the installed TensorFlow.

    TensorFlow's own Requires-Dist first (2.6.2 and later declare it); for older 2.6-2.15
    builds, the same minor; None for TensorFlow < 2.6, which has its Keras built in.
    """
    for line in tf.requires:
        req = parse_requirement(line)
        if req is None or canonicalize_name(req.name) != "keras":
            continue
        if req.marker is not None and not req.marker.evaluate(marker_environment(target)):
            continue
        return requirement_text("keras", req.specifier)
    version = parse_version(tf.version)
    if version is None or version < Version("2.6"):
        return None
    if version < Version("2.16"):
        return minor_range("keras", version)
    return "keras>=3"


def names(dists: Iterable[Distribution]) -> str:
    """``tensorflow 2.21.0 and tensorflow-cpu 2.21.0`` for messages."""
    labels = [f"{d.name} {d.version}" for d in dists]
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]
