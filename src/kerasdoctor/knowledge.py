"""What kerasdoctor knows about Keras and TensorFlow distributions, written once.

The names of the distributions and import packages of every Keras family and of
TensorFlow, which distributions matter at all, which distribution provides an import name,
what each Keras 3 backend imports, which versions pair with the installed TensorFlow, and
how a distribution's declared requirements read under the target's markers. Inspection,
discovery, the rules and the fixes all read these facts from here, so that a new build of
TensorFlow or a new Keras family is one edit.

Pure: data and functions of the frozen :class:`~kerasdoctor.models.Target`; no process runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from kerasdoctor.models import Distribution, Target

if TYPE_CHECKING:
    from packaging.requirements import Requirement

#: The import packages of the Keras families and TensorFlow: what shadowing can hide.
KERAS_TOPS: tuple[str, ...] = ("keras", "tensorflow", "tf_keras", "keras_core")

#: The import packages of the Keras implementations that are not TensorFlow.
KERAS_FAMILY_TOPS: tuple[str, ...] = ("keras", "tf_keras", "keras_core")

#: Top-level packages whose origin every probe reports (shadowing findings read them), besides
#: the line's own. Sent in the probe's job: the payload knows no package names of its own.
REPORTED_TOPS: tuple[str, ...] = (*KERAS_TOPS, "torch", "jax", "numpy", "scipy")

#: Keras names whose objects only turn data into arrays, files or datasets and never enter a
#: model: taking one from another implementation than the rest of a file mixes nothing
#: (``to_categorical`` returns a NumPy array in every release). Classes a model checks with
#: ``isinstance`` (``Sequence``, layers, optimizers, callbacks) are deliberately not here.
DATA_ONLY_NAMES: frozenset[str] = frozenset(
    {
        "to_categorical",
        "pad_sequences",
        "normalize",
        "get_file",
        "img_to_array",
        "array_to_img",
        "load_img",
        "save_img",
        "image_dataset_from_directory",
        "text_dataset_from_directory",
        "timeseries_dataset_from_array",
    }
)

#: Where each Keras implementation's sources live, relative to a sys.path entry (TensorFlow
#: <= 2.7 carried its own Keras in tensorflow/python/keras).
KERAS_SOURCE_FOLDERS: tuple[tuple[str, ...], ...] = (
    *((top,) for top in KERAS_FAMILY_TOPS),
    ("tensorflow", "python", "keras"),
)

#: Top-level modules whose presence the inspection always looks up (the Keras families,
#: TensorFlow and what the Keras 3 backends import).
KNOWN_MODULES: tuple[str, ...] = (
    "tensorflow",
    "keras",
    "tf_keras",
    "keras_core",
    "torch",
    "jax",
    "jaxlib",
    "numpy",
    "scipy",
    "openvino",
)

#: Environment variables that change what a Keras import does.
STEERING_VARIABLES: tuple[str, ...] = (
    "KERAS_BACKEND",
    "TF_USE_LEGACY_KERAS",
    "KERAS_HOME",
    "PYTHONPATH",
    "PYTHONSAFEPATH",
    "PYTHONNOUSERSITE",
    "PYTHONHOME",
)

#: Distributions that install the ``keras`` import package.
KERAS_PACKAGE_DISTRIBUTIONS: tuple[str, ...] = ("keras", "keras-nightly")

#: Distributions of a Keras family (keras, its nightly, tf-keras, keras-core).
KERAS_DISTRIBUTIONS: tuple[str, ...] = (*KERAS_PACKAGE_DISTRIBUTIONS, "tf-keras", "keras-core")

#: The Keras side of a TensorFlow pairing: these follow the installed TensorFlow.
KERAS_SIDE: tuple[str, ...] = (*KERAS_PACKAGE_DISTRIBUTIONS, "tf-keras")

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

#: GPU builds that TensorFlow 2.1 made redundant, and the distribution that replaces each.
DEPRECATED_GPU_BUILDS: tuple[tuple[str, str], ...] = (
    ("tensorflow-gpu", "tensorflow"),
    ("tf-nightly-gpu", "tf-nightly"),
)

_RELEVANT = re.compile(
    r"^(tensorflow(-[a-z0-9-]+)?|tf-nightly(-[a-z0-9-]+)?|intel-tensorflow(-avx512)?"
    r"|keras|keras-nightly|keras-core|tf-keras(-nightly)?"
    r"|jax|jaxlib|torch|numpy|scipy|openvino|h5py|ml-dtypes)$"
)

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
#: The backends Keras can train with (numpy and openvino run inference only).
TRAINING_BACKENDS: tuple[str, ...] = ("tensorflow", "jax", "torch")

#: The values TensorFlow's KerasLazyLoader treats as "on" (tensorflow/python/util/lazy_loader.py).
LEGACY_ON: tuple[str, ...] = ("1", "true", "True")


def is_relevant(name: str) -> bool:
    """Distributions that decide what a Keras import does."""
    return bool(_RELEVANT.match(canonicalize_name(name)))


def parse_version(text: str) -> Version | None:
    """The version, or None when it is not PEP 440 (then no rule may rely on it)."""
    try:
        return Version(text)
    except InvalidVersion:
        return None


def version_of(dist: Distribution | None) -> Version | None:
    """The distribution's version, None when absent or not PEP 440."""
    return None if dist is None else parse_version(dist.version)


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
        if dist.name in KERAS_PACKAGE_DISTRIBUTIONS and "keras" in dist.top_level:
            return dist
    return None


def keras3_installed(target: Target) -> bool:
    """Whether the ``keras`` package is Keras 3."""
    version = version_of(keras_dist(target))
    return version is not None and version.major >= 3


def multibackend_dists(target: Target) -> list[Distribution]:
    """Installed Keras 3 (keras >= 3, keras-nightly >= 3) and keras-core distributions."""
    found = []
    for dist in target.distributions:
        version = version_of(dist)
        keras3 = dist.name in KERAS_PACKAGE_DISTRIBUTIONS and version is not None
        if (keras3 and version is not None and version.major >= 3) or dist.name == "keras-core":
            found.append(dist)
    return found


def known_backends(dists: list[Distribution]) -> tuple[str, ...]:
    """Every backend one of these multi-backend distributions knows, in Keras's order."""
    names: list[str] = []
    for dist in dists:
        known = KERAS_CORE_BACKENDS if dist.name == "keras-core" else KERAS3_BACKEND_MODULES
        names.extend(b for b in known if b not in names)
    return tuple(names)


def installed_as(target: Target, name: str) -> Distribution | None:
    """The installed distribution that satisfies a requirement on ``name``.

    A requirement on ``tensorflow`` is met in practice by any build of it that installs the
    same package (tensorflow-cpu, tf-nightly...), and ``keras`` by keras-nightly.
    """
    exact = target.dist(name)
    if exact is not None:
        return exact
    if name in TENSORFLOW_DISTRIBUTIONS:
        return tensorflow_dist(target)
    if name in KERAS_PACKAGE_DISTRIBUTIONS:
        return keras_dist(target)
    return None


# --- declared requirements ---------------------------------------------------------------


def parse_requirement(line: str) -> Requirement | None:
    """A Requires-Dist line, or None when it does not parse (broken metadata is ignored)."""
    # Imported here: its grammar compiles some twenty regular expressions, and a cached run
    # parses no requirement.
    from packaging.requirements import InvalidRequirement, Requirement

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


def requirements(target: Target, dist: Distribution) -> Iterator[Requirement]:
    """The requirements ``dist`` declares that apply to the target (markers hold, no extras).

    The one reading of Requires-Dist: lines that do not parse are skipped, as pip does.
    """
    env: dict[str, str] | None = None
    for line in dist.requires:
        req = parse_requirement(line)
        if req is None:
            continue
        if req.marker is not None:
            if env is None:
                env = marker_environment(target)
            if not req.marker.evaluate(env):
                continue
        yield req


def required_names(target: Target, dist: Distribution) -> set[str]:
    """Distributions ``dist`` requires on the target (normalised names)."""
    return {canonicalize_name(req.name) for req in requirements(target, dist)}


def declared_specifier(target: Target, name: str) -> SpecifierSet | None:
    """What the installed distributions' Requires-Dist ask of ``name`` (None: nothing).

    Installing ``name`` with this specifier keeps ``pip check`` clean, e.g. TensorFlow 2.15
    declares ``keras<2.16,>=2.15.0``.
    """
    wanted = canonicalize_name(name)
    found: SpecifierSet | None = None
    for dist in target.distributions:
        for req in requirements(target, dist):
            if canonicalize_name(req.name) == wanted:
                found = req.specifier if found is None else found & req.specifier
    return found


def requirement_text(name: str, specifier: SpecifierSet | None) -> str:
    """``name`` with a specifier in a stable order (``keras<2.16,>=2.15.0``)."""
    if specifier is None or not str(specifier):
        return name
    return name + ",".join(sorted(str(s) for s in specifier))


# --- what to install ---------------------------------------------------------------------


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
        tf_version = version_of(tensorflow_dist(target))
        if tf_version is not None:
            return minor_range("tf-keras", tf_version)
    specifier = declared_specifier(target, dist)
    if specifier is None and dist == "tensorflow" and keras3_installed(target):
        # Keras 3 runs on TensorFlow 2.16 and later only (the first TF built for it).
        specifier = SpecifierSet(">=2.16")
    return requirement_text(dist, specifier)


def keras_for_tensorflow(target: Target, tf: Distribution) -> str | None:
    """The ``keras`` requirement that pairs with the installed TensorFlow.

    TensorFlow's own Requires-Dist first (2.6.2 and later declare it); for older 2.6-2.15
    builds, the same minor; None for TensorFlow < 2.6, which has its Keras built in.
    """
    for req in requirements(target, tf):
        if canonicalize_name(req.name) == "keras":
            return requirement_text("keras", req.specifier)
    version = parse_version(tf.version)
    if version is None or version < Version("2.6"):
        return None
    if version < Version("2.16"):
        return minor_range("keras", version)
    return "keras>=3"
