#!/usr/bin/env python3
"""Regenerate kerasdoctor's candidate catalogue from real Keras installs.

This is a maintainer script: it is never run by kerasdoctor itself, and it uses
only the standard library.  Give it the interpreters of throwaway environments
that have the Keras generations installed (one ``--python`` per environment)::

    python scripts/gen_catalogue.py \\
        --python /tmp/cat/tf221/bin/python \\
        --python /tmp/cat/tf215/bin/python \\
        --python /tmp/cat/tf115/bin/python

In each interpreter it runs a small, stdlib-only introspection program (the
``INTROSPECT`` text below; it stays compatible with Python 3.6) that imports the
installed packages and records, for every public name:

* ``public``: the namespaces of the four import roots (``tensorflow.keras``,
  ``keras``, ``tf_keras``, ``keras_core``) from which ``from <root>.<sub> import
  <Name>`` works, found by walking the public API tree by attribute and
  re-importing each namespace by its dotted path;
* ``legacy``: other modules from which the same import works: the defining
  module of the object and every parent package that re-exports the same
  object, the API mirrors (``keras.api._v2.keras``, ``keras._tf_keras.keras``,
  ``tf_keras.api._v2.keras``, ``tensorflow.compat.v1/v2.keras``), the private
  ``tensorflow.python.keras`` tree and a list of historic module names
  (``keras.layers.core``, ``keras.utils.np_utils``, ``keras.engine.topology``...)
  that are checked name by name;
* ``kind``: layer, model, class, function, module or constant.

Every line in the output was therefore seen to work in at least one inspected
environment.  When TensorFlow >= 2.15 and tf-keras are both installed, the
program runs a second time with ``TF_USE_LEGACY_KERAS=1`` so that the lines
``tensorflow.keras`` gives in legacy mode are recorded too.

Entries that no installable environment can show (for example keras-nightly
builds that are gone from the registry) are curated by hand in
``scripts/catalogue_historic.json``; they are merged in on every run, so
regeneration keeps them.  The ``use`` hints (constructor arguments and input
shapes for probing the common layers) are curated in ``USE`` below.

The environments the packaged file was generated from (uv, PyPI only; ``P37``,
``P39``... are pyenv's interpreters, ``P36`` = Python 3.6, which uv cannot
download here)::

    uv venv -p P311 /tmp/cat/tf221  && uv pip install --python /tmp/cat/tf221/bin/python \
        tensorflow==2.21.0 tf-keras==2.21.0 keras==3.15.1
    tf216: P311 tensorflow==2.16.2 keras==3.0.5 tf-keras==2.16.0
    tf215: P311 tensorflow==2.15.1          tf213: P311 tensorflow==2.13.1
    tf212: P311 tensorflow==2.12.1          tf211: P310 tensorflow==2.11.1 'numpy<1.24'
    tf29:  P310 tensorflow==2.9.3 'numpy<2'
    tf27:  P39 tensorflow==2.7.4 keras==2.7.0 'protobuf<3.20' 'numpy<1.24'
    tf26:  P39 tensorflow==2.6.5 keras==2.6.0
    tf25:  P39 tensorflow==2.5.3 protobuf==3.19.6     (pulls keras-nightly 2.5.0.dev)
    tf24:  P37 tensorflow==2.4.4 keras==2.4.3 protobuf==3.20.3
    tf115, k224, k216, k122: P37 tensorflow==1.15.5 keras==2.3.1 / 2.2.4 / 2.1.6 / 1.2.2
           protobuf==3.20.3 'h5py<3'
    tf18:  P36 tensorflow==1.8.0 'numpy<1.17' 'protobuf<3.20'
    tf13:  P36 tensorflow==1.3.0 'numpy<1.17' 'protobuf<3.20'
    kc:    P311 keras-core==0.1.7 'jax[cpu]'

Which of these lines worked in *which* release (the data of ``kerasdoctor where``) is
recorded by the companion script ``scripts/gen_history.py``, from this catalogue: run it
after regenerating ``symbols.json``.

``--save-raw DIR`` keeps each environment's raw result; ``--raw FILE`` merges
saved raw results instead of (or on top of) running interpreters, which is the
quick way to re-merge after editing the curated files.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO / "src" / "kerasdoctor" / "catalogue" / "data" / "symbols.json"
DEFAULT_HISTORIC = Path(__file__).resolve().parent / "catalogue_historic.json"

FORMAT = 1
ROOTS = ("tensorflow.keras", "keras", "tf_keras", "keras_core")
KINDS = ("layer", "model", "class", "function", "module", "constant")
PER_ENV_TIMEOUT_S = 1800

# Public namespaces of multi-backend Keras (<= 2.5, which has no generated API
# tree), relative to ``keras``.  ``X.*`` means every submodule of ``X``.
OLD_KERAS_NAMESPACES = (
    "",
    "activations",
    "applications",
    "applications.*",
    "backend",
    "callbacks",
    "constraints",
    "datasets",
    "datasets.*",
    "initializations",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "models",
    "objectives",
    "optimizers",
    "preprocessing",
    "preprocessing.image",
    "preprocessing.sequence",
    "preprocessing.text",
    "regularizers",
    "utils",
    "wrappers",
    "wrappers.scikit_learn",
)

# Historic shim modules that only re-export (``keras.engine.topology`` in Keras
# 2.0-2.2).  Each is tried under every prefix of ALIAS_PREFIXES and checked for
# every public name of the environment: a name counts only where it is bound to
# the same object, or to a class or function of that name defined in a Keras
# package.  Historic *defining* modules (``keras.layers.core``,
# ``keras.utils.np_utils``...) need no listing: they are found from the objects.
ALIAS_PREFIXES = ("keras", "keras.src", "tf_keras.src", "tensorflow.python.keras", "keras_core.src")
ALIAS_SUFFIXES = ("engine.topology",)

# Constructor arguments and inputs that let a prober build and call a layer.
# Defaults when absent: kwargs {}, input_shape [2, 4], input_dtype float32.
_SEVERAL = {"skip": "needs several inputs"}
USE: dict[str, dict[str, Any]] = {
    "Dense": {"kwargs": {"units": 2}},
    "EinsumDense": {"kwargs": {"equation": "ab,bc->ac", "output_shape": 2}},
    "Dropout": {"kwargs": {"rate": 0.5}},
    "SpatialDropout1D": {"kwargs": {"rate": 0.5}, "input_shape": [2, 5, 3]},
    "SpatialDropout2D": {"kwargs": {"rate": 0.5}, "input_shape": [2, 5, 5, 3]},
    "GaussianNoise": {"kwargs": {"stddev": 0.1}},
    "GaussianDropout": {"kwargs": {"rate": 0.1}},
    "AlphaDropout": {"kwargs": {"rate": 0.1}},
    "ActivityRegularization": {"kwargs": {"l1": 0.01}},
    "Activation": {"kwargs": {"activation": "relu"}},
    "Reshape": {"kwargs": {"target_shape": [2, 2]}},
    "RepeatVector": {"kwargs": {"n": 3}},
    "Permute": {"kwargs": {"dims": [2, 1]}, "input_shape": [2, 3, 4]},
    "Lambda": {"skip": "needs a function argument"},
    "Masking": {"kwargs": {"mask_value": 0.0}, "input_shape": [2, 3, 4]},
    "Embedding": {"kwargs": {"input_dim": 10, "output_dim": 3}, "input_dtype": "int32"},
    "Conv1D": {"kwargs": {"filters": 2, "kernel_size": 3}, "input_shape": [2, 8, 3]},
    "Conv2D": {"kwargs": {"filters": 2, "kernel_size": 3}, "input_shape": [2, 8, 8, 3]},
    "Conv3D": {"kwargs": {"filters": 2, "kernel_size": 3}, "input_shape": [2, 6, 6, 6, 3]},
    "Convolution1D": {"kwargs": {"filters": 2, "kernel_size": 3}, "input_shape": [2, 8, 3]},
    "Convolution2D": {"kwargs": {"filters": 2, "kernel_size": 3}, "input_shape": [2, 8, 8, 3]},
    "Convolution3D": {
        "kwargs": {"filters": 2, "kernel_size": 3},
        "input_shape": [2, 6, 6, 6, 3],
    },
    "Conv1DTranspose": {"kwargs": {"filters": 2, "kernel_size": 3}, "input_shape": [2, 8, 3]},
    "Conv2DTranspose": {
        "kwargs": {"filters": 2, "kernel_size": 3},
        "input_shape": [2, 8, 8, 3],
    },
    "Conv3DTranspose": {
        "kwargs": {"filters": 2, "kernel_size": 3},
        "input_shape": [2, 6, 6, 6, 3],
    },
    "SeparableConv1D": {"kwargs": {"filters": 2, "kernel_size": 3}, "input_shape": [2, 8, 3]},
    "SeparableConv2D": {
        "kwargs": {"filters": 2, "kernel_size": 3},
        "input_shape": [2, 8, 8, 3],
    },
    "DepthwiseConv1D": {"kwargs": {"kernel_size": 3}, "input_shape": [2, 8, 3]},
    "DepthwiseConv2D": {"kwargs": {"kernel_size": 3}, "input_shape": [2, 8, 8, 3]},
    "MaxPooling1D": {"kwargs": {"pool_size": 2}, "input_shape": [2, 8, 3]},
    "MaxPooling2D": {"kwargs": {"pool_size": 2}, "input_shape": [2, 8, 8, 3]},
    "MaxPooling3D": {"kwargs": {"pool_size": 2}, "input_shape": [2, 6, 6, 6, 3]},
    "MaxPool1D": {"kwargs": {"pool_size": 2}, "input_shape": [2, 8, 3]},
    "MaxPool2D": {"kwargs": {"pool_size": 2}, "input_shape": [2, 8, 8, 3]},
    "MaxPool3D": {"kwargs": {"pool_size": 2}, "input_shape": [2, 6, 6, 6, 3]},
    "AveragePooling1D": {"kwargs": {"pool_size": 2}, "input_shape": [2, 8, 3]},
    "AveragePooling2D": {"kwargs": {"pool_size": 2}, "input_shape": [2, 8, 8, 3]},
    "AveragePooling3D": {"kwargs": {"pool_size": 2}, "input_shape": [2, 6, 6, 6, 3]},
    "AvgPool1D": {"kwargs": {"pool_size": 2}, "input_shape": [2, 8, 3]},
    "AvgPool2D": {"kwargs": {"pool_size": 2}, "input_shape": [2, 8, 8, 3]},
    "AvgPool3D": {"kwargs": {"pool_size": 2}, "input_shape": [2, 6, 6, 6, 3]},
    "GlobalAveragePooling1D": {"input_shape": [2, 8, 3]},
    "GlobalAveragePooling2D": {"input_shape": [2, 8, 8, 3]},
    "GlobalAveragePooling3D": {"input_shape": [2, 6, 6, 6, 3]},
    "GlobalMaxPooling1D": {"input_shape": [2, 8, 3]},
    "GlobalMaxPooling2D": {"input_shape": [2, 8, 8, 3]},
    "GlobalMaxPooling3D": {"input_shape": [2, 6, 6, 6, 3]},
    "GlobalAvgPool1D": {"input_shape": [2, 8, 3]},
    "GlobalAvgPool2D": {"input_shape": [2, 8, 8, 3]},
    "GlobalMaxPool1D": {"input_shape": [2, 8, 3]},
    "GlobalMaxPool2D": {"input_shape": [2, 8, 8, 3]},
    "UpSampling1D": {"input_shape": [2, 8, 3]},
    "UpSampling2D": {"input_shape": [2, 8, 8, 3]},
    "UpSampling3D": {"input_shape": [2, 6, 6, 6, 3]},
    "ZeroPadding1D": {"input_shape": [2, 8, 3]},
    "ZeroPadding2D": {"input_shape": [2, 8, 8, 3]},
    "ZeroPadding3D": {"input_shape": [2, 6, 6, 6, 3]},
    "Cropping1D": {"kwargs": {"cropping": 1}, "input_shape": [2, 8, 3]},
    "Cropping2D": {"kwargs": {"cropping": 1}, "input_shape": [2, 8, 8, 3]},
    "Cropping3D": {"kwargs": {"cropping": 1}, "input_shape": [2, 6, 6, 6, 3]},
    "Flatten": {"input_shape": [2, 3, 4]},
    "LSTM": {"kwargs": {"units": 2}, "input_shape": [2, 5, 3]},
    "GRU": {"kwargs": {"units": 2}, "input_shape": [2, 5, 3]},
    "SimpleRNN": {"kwargs": {"units": 2}, "input_shape": [2, 5, 3]},
    "CuDNNLSTM": {"skip": "needs a GPU"},
    "CuDNNGRU": {"skip": "needs a GPU"},
    "ConvLSTM1D": {"kwargs": {"filters": 2, "kernel_size": 3}, "input_shape": [2, 3, 8, 3]},
    "ConvLSTM2D": {
        "kwargs": {"filters": 2, "kernel_size": 3},
        "input_shape": [2, 3, 8, 8, 3],
    },
    "LSTMCell": {"skip": "a cell, used inside RNN"},
    "GRUCell": {"skip": "a cell, used inside RNN"},
    "SimpleRNNCell": {"skip": "a cell, used inside RNN"},
    "RNN": {"skip": "needs a cell argument"},
    "Bidirectional": {"skip": "needs a layer argument"},
    "TimeDistributed": {"skip": "needs a layer argument"},
    "Wrapper": {"skip": "needs a layer argument"},
    "BatchNormalization": {"input_shape": [2, 4]},
    "LayerNormalization": {"input_shape": [2, 4]},
    "GroupNormalization": {"kwargs": {"groups": 2}, "input_shape": [2, 4]},
    "UnitNormalization": {"input_shape": [2, 4]},
    "Normalization": {
        "kwargs": {"mean": [0.0, 0.0, 0.0, 0.0], "variance": [1.0, 1.0, 1.0, 1.0]},
        "input_shape": [2, 4],
    },
    "Rescaling": {"kwargs": {"scale": 0.5}},
    "Resizing": {"kwargs": {"height": 4, "width": 4}, "input_shape": [2, 8, 8, 3]},
    "CenterCrop": {"kwargs": {"height": 4, "width": 4}, "input_shape": [2, 8, 8, 3]},
    "RandomCrop": {"kwargs": {"height": 4, "width": 4}, "input_shape": [2, 8, 8, 3]},
    "RandomFlip": {"input_shape": [2, 8, 8, 3]},
    "RandomRotation": {"kwargs": {"factor": 0.1}, "input_shape": [2, 8, 8, 3]},
    "RandomZoom": {"kwargs": {"height_factor": 0.1}, "input_shape": [2, 8, 8, 3]},
    "RandomTranslation": {
        "kwargs": {"height_factor": 0.1, "width_factor": 0.1},
        "input_shape": [2, 8, 8, 3],
    },
    "RandomContrast": {"kwargs": {"factor": 0.1}, "input_shape": [2, 8, 8, 3]},
    "LeakyReLU": {},
    "PReLU": {},
    "ELU": {},
    "ReLU": {},
    "Softmax": {},
    "ThresholdedReLU": {},
    "Input": {"skip": "a function that makes a symbolic tensor"},
    "InputLayer": {"skip": "an input placeholder, not a layer to stack"},
    "Attention": _SEVERAL,
    "AdditiveAttention": _SEVERAL,
    "MultiHeadAttention": _SEVERAL,
    "GroupQueryAttention": _SEVERAL,
    "Concatenate": _SEVERAL,
    "Add": _SEVERAL,
    "Subtract": _SEVERAL,
    "Multiply": _SEVERAL,
    "Average": _SEVERAL,
    "Maximum": _SEVERAL,
    "Minimum": _SEVERAL,
    "Dot": _SEVERAL,
    "TextVectorization": {"skip": "needs string input and adapt()"},
    "StringLookup": {"skip": "needs a vocabulary"},
    "IntegerLookup": {"skip": "needs a vocabulary"},
    "Hashing": {"kwargs": {"num_bins": 4}, "input_dtype": "int32"},
    "CategoryEncoding": {"kwargs": {"num_tokens": 4}, "input_dtype": "int32"},
    "Discretization": {"kwargs": {"bin_boundaries": [0.0, 1.0]}},
    "TFSMLayer": {"skip": "needs a saved model"},
}

# ---------------------------------------------------------------------------
# The program run inside each environment.  Python 3.6 compatible, stdlib only.
# Usage: python -I introspect.py CONFIG.json OUT.json
# ---------------------------------------------------------------------------
INTROSPECT = r'''
import importlib
import inspect
import json
import os
import pkgutil
import sys

CFG = json.load(open(sys.argv[1]))
OUT = sys.argv[2]
ERRORS = []
IMPL_PREFIXES = ("keras.", "tf_keras.", "keras_core.", "tensorflow.python.keras.",
                 "tensorflow.contrib.keras.")
SKIP_CHILDREN = ("src", "api")


def note(msg):
    if len(ERRORS) < 200:
        ERRORS.append(msg[:300])


def dist_version(name):
    try:
        from importlib import metadata
        return metadata.version(name)
    except Exception:
        pass
    want = name.lower().replace("-", "_")
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except Exception:
            continue
        for fname in names:
            if not fname.endswith(".dist-info"):
                continue
            dist, _, version = fname[: -len(".dist-info")].partition("-")
            if dist.lower().replace("-", "_") == want and version:
                return version
    return None


def have(mod):
    try:
        import importlib.util
        return importlib.util.find_spec(mod) is not None
    except Exception:
        return False


FAILED = set()


def try_import(name):
    if name in FAILED:
        return None
    try:
        return importlib.import_module(name)
    except BaseException as exc:  # anything may go wrong inside a package
        if isinstance(exc, KeyboardInterrupt):
            raise
        FAILED.add(name)
        note("import %s: %s: %s" % (name, type(exc).__name__, exc))
        return None


def safe_getattr(obj, attr):
    try:
        return getattr(obj, attr)
    except BaseException:
        return None


def kind_of(obj):
    if inspect.ismodule(obj):
        return "module"
    if inspect.isclass(obj):
        mro = []
        try:
            for c in inspect.getmro(obj):
                mro.append((getattr(c, "__name__", ""), getattr(c, "__module__", "") or ""))
        except Exception:
            pass
        kerasy = [n for n, m in mro if "keras" in m]
        if "Metric" in kerasy or "Loss" in kerasy:
            return "class"
        if "Model" in kerasy:
            return "model"
        if "Layer" in kerasy:
            return "layer"
        return "class"
    if callable(obj):
        return "function"
    return "constant"


def version_tuple(v):
    out = []
    for part in (v or "0").split("."):
        digits = ""
        for ch in part:
            if ch.isdigit():
                digits += ch
            else:
                break
        out.append(int(digits or 0))
        if len(out) == 3:
            break
    return tuple(out)


def generated_api_file(mod):
    """API namespaces are generated files; this keeps out e.g. `keras.protobuf`."""
    path = getattr(mod, "__file__", None)
    if not path:
        return True
    try:
        with open(path, "rb") as f:
            head = f.read(400).decode("utf-8", "replace").lower()
    except Exception:
        return True
    return "generated" in head or "do not edit" in head


def walk(path, records):
    """Public tree under import path `path`: records (sub, name, obj)."""
    seen = set()

    def rec(modpath, sub, depth):
        mod = try_import(modpath)
        if mod is None or depth > 8:
            return
        try:
            attrs = sorted(dir(mod))
        except Exception:
            return
        for attr in attrs:
            if attr.startswith("_") or not attr.isidentifier():
                continue
            val = safe_getattr(mod, attr)
            if val is None:
                continue
            if inspect.ismodule(val):
                vname = getattr(val, "__name__", "") or ""
                if attr in SKIP_CHILDREN or not vname.endswith("." + attr):
                    continue
                if not generated_api_file(val):
                    continue
                key = (sub, attr)
                if key in seen:
                    continue
                seen.add(key)
                records.append((sub, attr, val))
                rec(modpath + "." + attr, sub + "." + attr if sub else attr, depth + 1)
            else:
                records.append((sub, attr, val))

    rec(path, "", 0)


def old_namespaces(pkg):
    subs = []
    for pattern in CFG["old_keras_namespaces"]:
        if pattern.endswith(".*"):
            parent = pattern[:-2]
            mod = try_import(pkg + "." + parent)
            if mod is None or not hasattr(mod, "__path__"):
                continue
            for info in pkgutil.iter_modules(mod.__path__):
                if not info[1].startswith("_"):
                    subs.append(parent + "." + info[1])
        else:
            subs.append(pattern)
    return subs


def walk_attr(top, records, check_generated=True):
    """Like walk(), by attribute only, for trees that cannot be imported by path."""
    seen = set()

    def rec(mod, sub, depth):
        if mod is None or depth > 8 or id(mod) in seen:
            return
        seen.add(id(mod))
        try:
            attrs = sorted(dir(mod))
        except Exception:
            return
        for attr in attrs:
            if attr.startswith("_") or not attr.isidentifier():
                continue
            val = safe_getattr(mod, attr)
            if val is None:
                continue
            if inspect.ismodule(val):
                vname = getattr(val, "__name__", "") or ""
                if attr in SKIP_CHILDREN or not vname.endswith("." + attr):
                    continue
                if not check_generated or generated_api_file(val):
                    rec(val, sub + "." + attr if sub else attr, depth + 1)
            else:
                records.append((sub, attr, val))

    rec(top, "", 0)


def iter_package(pkg):
    """Every importable module of package `pkg` except tests, as (name, module)."""
    top = try_import(pkg)
    if top is None or not hasattr(top, "__path__"):
        return
    names = [pkg]
    for info in pkgutil.walk_packages(top.__path__, pkg + ".", onerror=lambda _name: None):
        names.append(info[1])
    for name in sorted(names):
        last = name.rsplit(".", 1)[-1]
        if "test" in last or ".tests." in name + ".":
            continue
        mod = try_import(name)
        if mod is not None:
            yield name, mod


def walk_old(pkg, records):
    """Multi-backend Keras: the documented namespaces, classes and functions only."""
    subs = old_namespaces(pkg)
    subset = set(subs)
    for sub in subs:
        mod = try_import(pkg + "." + sub if sub else pkg)
        if mod is None:
            continue
        for attr in sorted(dir(mod)):
            if attr.startswith("_") or not attr.isidentifier():
                continue
            val = safe_getattr(mod, attr)
            if val is None:
                continue
            full = sub + "." + attr if sub else attr
            if inspect.ismodule(val):
                if full in subset:
                    records.append((sub, attr, val))
            elif inspect.isclass(val) or inspect.isroutine(val):
                records.append((sub, attr, val))


def same_thing(cand, objs):
    for obj in objs:
        if cand is obj:
            return True
    if not (inspect.isclass(cand) or inspect.isroutine(cand)):
        return False
    cmod = getattr(cand, "__module__", "") or ""
    if not cmod.startswith(IMPL_PREFIXES):
        return False
    cname = getattr(cand, "__name__", None)
    for obj in objs:
        if inspect.isclass(obj) != inspect.isclass(cand):
            continue
        if cname is not None and cname == getattr(obj, "__name__", None):
            return True
    return False


def main():
    mode = CFG.get("mode", "normal")
    if not os.environ.get("KERAS_BACKEND"):
        for backend in ("tensorflow", "jax", "torch", "numpy"):
            if have(backend):
                os.environ["KERAS_BACKEND"] = backend
                break
    dists = {}
    for d in ("tensorflow", "tensorflow-cpu", "tf-nightly", "keras", "keras-nightly",
              "Keras", "tf-keras", "keras-core", "jax", "torch"):
        v = dist_version(d)
        if v:
            dists[d.lower()] = v
    result = {"python": sys.version.split()[0], "mode": mode, "dists": dists,
              "roots": {}, "legacy": {}, "errors": ERRORS}
    trees = []  # (root or None, prefix for legacy, records, impl)

    old_keras_pkg = None
    keras_v = dists.get("keras") or dists.get("keras-nightly")
    tfk_v = dists.get("tf-keras")
    tf_v = dists.get("tensorflow") or dists.get("tensorflow-cpu") or dists.get("tf-nightly")

    if mode == "normal" and have("keras"):
        recs = []
        kv = version_tuple(keras_v)
        if kv >= (2, 13):
            walk("keras", recs)
            trees.append(("keras", "keras", recs, ["keras", keras_v]))
        elif have("keras.api") and try_import("keras.api._v2.keras") is not None:
            api = []
            walk("keras.api._v2.keras", api)
            trees.append((None, "keras.api._v2.keras", api, ["keras", keras_v]))
            for sub, name, obj in api:
                mod = try_import("keras." + sub if sub else "keras")
                if mod is None:
                    continue
                cand = safe_getattr(mod, name) if hasattr(mod, name) else None
                if cand is None:
                    continue
                if inspect.ismodule(obj):
                    if inspect.ismodule(cand):
                        recs.append((sub, name, cand))
                elif same_thing(cand, [obj]):
                    recs.append((sub, name, cand))
            trees.append(("keras", "keras", recs, ["keras", keras_v]))
        else:
            old_keras_pkg = "keras"
            walk_old("keras", recs)
            trees.append(("keras", "keras", recs, ["keras", keras_v, "multi-backend"]))
        if kv >= (3,):
            mirror = []
            walk("keras._tf_keras.keras", mirror)
            trees.append((None, "keras._tf_keras.keras", mirror, ["keras", keras_v]))
        elif kv >= (2, 13):
            mirror = []
            walk("keras.api._v2.keras", mirror)
            trees.append((None, "keras.api._v2.keras", mirror, ["keras", keras_v]))
    if mode == "normal" and have("tf_keras"):
        recs = []
        walk("tf_keras", recs)
        trees.append(("tf_keras", "tf_keras", recs, ["tf-keras", tfk_v]))
        mirror = []
        walk("tf_keras.api._v2.keras", mirror)
        trees.append((None, "tf_keras.api._v2.keras", mirror, ["tf-keras", tfk_v]))
    if mode == "normal" and have("keras_core"):
        recs = []
        walk("keras_core", recs)
        trees.append(("keras_core", "keras_core", recs, ["keras-core", dists.get("keras-core")]))
    tf_recs = []
    if have("tensorflow"):
        recs = []
        walk("tensorflow.keras", recs)
        impl = ["tensorflow", tf_v]
        tk = sys.modules.get("tensorflow.keras")
        tk_file = (getattr(tk, "__file__", "") or "").replace(os.sep, "/")
        if "/tf_keras/" in tk_file:
            impl = ["tf-keras", tfk_v]
        elif "/keras/" in tk_file and "/tensorflow" not in tk_file:
            impl = ["keras", keras_v]
        if recs:
            trees.append(("tensorflow.keras", "tensorflow.keras", recs, impl))
        else:
            # TF <= 1.8: `tf.keras` is an attribute only; nothing imports from
            # `tensorflow.keras`, but its objects show their private homes.
            walk_attr(safe_getattr(try_import("tensorflow"), "keras"), recs)
            trees.append((None, None, recs, impl))
        tf_recs = recs
        if version_tuple(tf_v) < (1, 9):
            # TF 1.1-1.8 had Keras in tf.contrib.keras (hand-written API files).
            contrib = []
            walk_attr(try_import("tensorflow.contrib.keras"), contrib, check_generated=False)
            trees.append((None, None, contrib, impl))
        for compat in ("tensorflow.compat.v1.keras", "tensorflow.compat.v2.keras"):
            mirror = []
            walk(compat, mirror)
            trees.append((None, compat, mirror, impl))

    objs_by_name = {}
    for root, prefix, recs, impl in trees:
        if root is not None:
            entry = result["roots"].setdefault(
                root, {"impl": impl[:2], "old": len(impl) > 2, "symbols": {}})
            syms = entry["symbols"]
            for sub, name, obj in recs:
                s = syms.setdefault(name, {"subs": [], "kinds": {}})
                if sub not in s["subs"]:
                    s["subs"].append(sub)
                s["kinds"][sub] = kind_of(obj)
                if not inspect.ismodule(obj):
                    m = getattr(obj, "__module__", None) if (
                        inspect.isclass(obj) or inspect.isroutine(obj)) else None
                    s.setdefault("defined_in", {})[sub] = m if isinstance(m, str) else None
        elif prefix is not None:
            for sub, name, obj in recs:
                if not inspect.ismodule(obj):
                    add_legacy(result, name, prefix + "." + sub if sub else prefix)
        for sub, name, obj in recs:
            if not inspect.ismodule(obj):
                lst = objs_by_name.setdefault(name, [])
                if not any(o is obj for o in lst):
                    lst.append(obj)

    # Defining modules and the parent packages that re-export the same object.
    for name, objs in objs_by_name.items():
        for obj in objs:
            add_definers(result, name, obj)

    # Multi-backend Keras: modules that define nothing themselves are shims kept
    # for old imports (keras.engine.topology; every module of keras 2.4, which
    # re-exports tf.keras): every public name they hold counts.
    if old_keras_pkg is not None:
        for modname, mod in iter_package(old_keras_pkg):
            public_vals = []
            for attr in dir(mod):
                if not attr.startswith("_"):
                    val = safe_getattr(mod, attr)
                    if val is not None and not inspect.ismodule(val):
                        public_vals.append((attr, val))
            own = [v for _, v in public_vals if (inspect.isclass(v) or inspect.isroutine(v))
                   and getattr(v, "__module__", None) == modname]
            if own:
                continue
            for name, val in public_vals:
                objs = objs_by_name.get(name)
                if objs and same_thing(val, objs):
                    add_legacy(result, name, modname)

    # Historic shim modules: every public name bound there to the same thing.
    for prefix in CFG["alias_prefixes"]:
        if not have(prefix.split(".")[0]):
            continue
        for suffix in CFG["alias_suffixes"]:
            modname = prefix + "." + suffix
            mod = import_if_parent(modname)
            if mod is None:
                continue
            for name, objs in objs_by_name.items():
                cand = safe_getattr(mod, name) if hasattr(mod, name) else None
                if cand is not None and not inspect.ismodule(cand) and same_thing(cand, objs):
                    add_legacy(result, name, modname)

    # TF's private copy: tensorflow.python.keras.<sub> for each public tf.keras.<sub>,
    # checked only for the names public in that same namespace.
    by_sub = {}
    for sub, name, obj in tf_recs:
        if not inspect.ismodule(obj) and name not in by_sub.get(sub, ()):
            by_sub.setdefault(sub, []).append(name)
    if by_sub:
        for sub in sorted(by_sub):
            modname = "tensorflow.python.keras." + sub if sub else "tensorflow.python.keras"
            mod = import_if_parent(modname)
            if mod is None:
                continue
            for name in by_sub[sub]:
                objs = objs_by_name.get(name)
                cand = safe_getattr(mod, name) if objs and hasattr(mod, name) else None
                if cand is not None and not inspect.ismodule(cand) and same_thing(cand, objs):
                    add_legacy(result, name, modname)
                    add_definers(result, name, cand)

    for entry in result["roots"].values():
        for s in entry["symbols"].values():
            s["subs"].sort()
    for name in result["legacy"]:
        result["legacy"][name] = sorted(set(result["legacy"][name]))
    result["kinds"] = dict((name, kind_of(objs[0])) for name, objs in objs_by_name.items())
    with open(OUT, "w") as f:
        json.dump(result, f, sort_keys=True)


def add_legacy(result, name, module):
    result["legacy"].setdefault(name, []).append(module)


def import_if_parent(modname):
    parent = modname.rsplit(".", 1)[0]
    if parent not in sys.modules and try_import(parent) is None:
        return None
    return try_import(modname)


def add_definers(result, name, obj):
    """The module defining `obj` and each parent package that re-exports it as `name`."""
    if not (inspect.isclass(obj) or inspect.isroutine(obj)):
        return
    mod_name = getattr(obj, "__module__", None)
    if not isinstance(mod_name, str) or not (mod_name + ".").startswith(IMPL_PREFIXES):
        return
    parts = mod_name.split(".")
    floor = 3 if mod_name.startswith("tensorflow.") else 1
    for i in range(len(parts), floor - 1, -1):
        cand_name = ".".join(parts[:i])
        mod = sys.modules.get(cand_name)
        if mod is None:
            mod = try_import(cand_name)
        if mod is not None and safe_getattr(mod, name) is obj:
            add_legacy(result, name, cand_name)


main()
'''


def run_interpreter(
    python: str, mode: str, extra_env: Mapping[str, str], workdir: Path
) -> dict[str, Any]:
    """Run the introspection program in ``python`` and return its raw result."""
    script = workdir / "introspect.py"
    script.write_text(INTROSPECT, encoding="utf-8")
    config = workdir / f"config-{mode}.json"
    config.write_text(
        json.dumps(
            {
                "mode": mode,
                "old_keras_namespaces": list(OLD_KERAS_NAMESPACES),
                "alias_prefixes": list(ALIAS_PREFIXES),
                "alias_suffixes": list(ALIAS_SUFFIXES),
            }
        ),
        encoding="utf-8",
    )
    out = workdir / f"out-{mode}.json"
    home = workdir / "home"
    home.mkdir(exist_ok=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "KERAS_BACKEND", "TF_USE_LEGACY_KERAS", "VIRTUAL_ENV"}
    }
    env.update(
        {
            "HOME": str(home),
            "KERAS_HOME": str(home / ".keras"),
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "CUDA_VISIBLE_DEVICES": "",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION": "python",
        }
    )
    env.update(extra_env)
    proc = subprocess.run(
        [python, "-I", str(script), str(config), str(out)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=PER_ENV_TIMEOUT_S,
        check=False,
    )
    if proc.returncode != 0 or not out.exists():
        tail = "\n".join(proc.stderr.splitlines()[-20:])
        raise RuntimeError(f"{python} ({mode}) failed with exit {proc.returncode}:\n{tail}")
    raw: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    raw["interpreter"] = python
    empty = [root for root, entry in raw["roots"].items() if not entry["symbols"]]
    if empty or not (raw["roots"] or raw["legacy"]):
        first = "\n".join(raw["errors"][:5])
        raise RuntimeError(
            f"{python} ({mode}): no public names found under {empty or 'any root'}; "
            f"is the environment broken?\n{first}"
        )
    return raw


def inspect_environment(python: str) -> list[dict[str, Any]]:
    """All raw results for one interpreter (a second, legacy-mode run when it applies)."""
    results = []
    with tempfile.TemporaryDirectory(prefix="kerasdoctor-cat-") as tmp:
        first = run_interpreter(python, "normal", {}, Path(tmp))
        results.append(first)
        dists = first["dists"]
        tf_version = dists.get("tensorflow") or dists.get("tensorflow-cpu")
        if tf_version and "tf-keras" in dists and version_key(tf_version) >= (2, 15):
            results.append(
                run_interpreter(python, "tf_legacy", {"TF_USE_LEGACY_KERAS": "1"}, Path(tmp))
            )
    return results


def version_key(version: str | None) -> tuple[int, ...]:
    """Leading numeric release parts of a version string: '2.5.0.dev2021' -> (2, 5, 0)."""
    out: list[int] = []
    for part in (version or "0").split("."):
        digits = ""
        for ch in part:
            if not ch.isdigit():
                break
            digits += ch
        out.append(int(digits or 0))
        if len(out) == 3:
            break
    return tuple(out)


def impl_rank(impl: Sequence[Any]) -> tuple[int, ...]:
    """How new an implementation is, to pick a symbol's kind from the newest one."""
    dist, version = str(impl[0]), impl[1]
    key = version_key(version if isinstance(version, str) else None)
    if dist == "keras-core":
        return (2, 99, *key)
    return key


def is_dotted(module: str) -> bool:
    """True for a dotted path of Python identifiers."""
    return bool(module) and all(part.isidentifier() for part in module.split("."))


def old_keras_subs(
    name: str, defined_in: Mapping[str, str | None], modern_subs: Mapping[str, set[str]]
) -> list[str]:
    """Namespaces of multi-backend Keras where ``name`` really is part of the API.

    Those modules import much for their own use (``keras.callbacks`` has ``Layer``,
    ``keras.applications.resnet50`` has ``Conv2D``), so a name counts in a namespace
    only where newer Keras has it in the same namespace, where it is defined in
    that namespace's own package, or (``Input``, ``Merge``...) where ``keras.layers``
    re-exports a class of ``keras.engine``.
    """
    kept = []
    for sub, module in defined_in.items():
        home = "keras." + sub if sub else "keras"
        if (
            sub in modern_subs.get(name, set())
            or (module is not None and (module == home or module.startswith(home + ".")))
            or (sub == "layers" and module is not None and module.startswith("keras.engine."))
        ):
            kept.append(sub)
    return kept


def merge(raws: Iterable[Mapping[str, Any]], historic: Mapping[str, Any]) -> dict[str, Any]:
    """Merge raw per-environment results and the curated entries into the catalogue."""
    raws = list(raws)
    public: dict[str, dict[str, set[str]]] = {}
    legacy: dict[str, set[str]] = {}
    kinds: dict[str, tuple[tuple[int, ...], int, str]] = {}
    generated_from: set[str] = set()

    def note_kind(name: str, rank: tuple[int, ...], sub_kinds: Mapping[str, str]) -> None:
        # The kind at the shallowest namespace wins: `backend` is the module.
        sub = min(sub_kinds, key=lambda s: (s.count(".") + (1 if s else 0), s))
        kind = sub_kinds[sub]
        depth = -(sub.count(".") + (1 if sub else 0))
        current = kinds.get(name)
        if current is None or (rank, depth) > (current[0], current[1]):
            kinds[name] = (rank, depth, kind)

    modern_subs: dict[str, set[str]] = {}
    for raw in raws:
        for entry in raw["roots"].values():
            if not entry.get("old"):
                for name, sym in entry["symbols"].items():
                    modern_subs.setdefault(name, set()).update(sym["subs"])

    for raw in raws:
        for dist, version in raw["dists"].items():
            if dist in {"jax", "torch"}:
                continue
            generated_from.add(f"{dist} {version}")
        dropped: set[str] = set()
        for root, entry in raw["roots"].items():
            old = bool(entry.get("old"))
            rank = impl_rank(entry["impl"])
            for name, sym in entry["symbols"].items():
                if not name.isidentifier() or name.startswith("_"):
                    continue
                subs = list(sym["subs"])
                if old:
                    defined_in = {sub: sym.get("defined_in", {}).get(sub) for sub in subs}
                    subs = old_keras_subs(name, defined_in, modern_subs)
                    if not subs:
                        dropped.add(name)
                        continue
                public.setdefault(name, {}).setdefault(root, set()).update(subs)
                note_kind(name, rank, {sub: sym["kinds"][sub] for sub in subs})
        for entry in raw["roots"].values():
            if not entry.get("old"):
                dropped.difference_update(entry["symbols"])
        for name, modules in raw["legacy"].items():
            if name not in dropped:
                legacy.setdefault(name, set()).update(m for m in modules if is_dotted(m))
                kind = raw.get("kinds", {}).get(name)
                if kind in KINDS and name not in kinds:
                    kinds[name] = ((-1,), 0, kind)

    for entry in historic.get("entries", []):
        name = entry["symbol"]
        for root, subs in entry.get("public", {}).items():
            public.setdefault(name, {}).setdefault(root, set()).update(subs)
        legacy.setdefault(name, set()).update(entry.get("legacy", []))
        if name not in kinds:
            kinds[name] = ((0,), 0, entry["kind"])
        for source in entry.get("generations", []):
            generated_from.add(f"{source} (curated)")

    symbols: dict[str, Any] = {}
    for name in sorted(set(public) | set(legacy)):
        roots = {root: sorted(subs) for root, subs in sorted(public.get(name, {}).items())}
        public_lines = {
            root + "." + sub if sub else root for root, subs in roots.items() for sub in subs
        }
        old_lines = sorted(m for m in legacy.get(name, set()) if m not in public_lines)
        if not roots and not old_lines:
            continue
        item: dict[str, Any] = {
            "kind": kinds[name][2] if name in kinds else "class",
            "public": roots,
            "legacy": old_lines,
        }
        if name in USE:
            item["use"] = USE[name]
        symbols[name] = item
    return {
        "format": FORMAT,
        "generated_from": sorted(generated_from, key=_generation_sort_key),
        "roots": list(ROOTS),
        "symbols": symbols,
    }


def _generation_sort_key(label: str) -> tuple[str, tuple[int, ...], str]:
    dist, _, version = label.partition(" ")
    return (dist, tuple(-part for part in version_key(version)), label)


def dump(catalogue: Mapping[str, Any], path: Path) -> None:
    """Write the catalogue deterministically (sorted keys, one space of indent)."""
    text = json.dumps(catalogue, indent=1, sort_keys=True, ensure_ascii=True) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--python",
        action="append",
        default=[],
        metavar="PATH",
        help="interpreter of an environment with a Keras generation installed (repeatable)",
    )
    parser.add_argument(
        "--raw",
        action="append",
        default=[],
        metavar="FILE",
        type=Path,
        help="a raw result saved by --save-raw, merged as if its interpreter had run",
    )
    parser.add_argument("--save-raw", metavar="DIR", type=Path, help="keep raw results here")
    parser.add_argument("--historic", type=Path, default=DEFAULT_HISTORIC)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    if not args.python and not args.raw:
        parser.error("give at least one --python or --raw")

    raws: list[dict[str, Any]] = [json.loads(p.read_text(encoding="utf-8")) for p in args.raw]
    for index, python in enumerate(args.python):
        print(f"inspecting {python} ...", file=sys.stderr, flush=True)
        for raw in inspect_environment(python):
            described = ", ".join(f"{d} {v}" for d, v in sorted(raw["dists"].items()))
            counts = {root: len(entry["symbols"]) for root, entry in raw["roots"].items()}
            print(f"  [{raw['mode']}] {described}: {counts}", file=sys.stderr, flush=True)
            raws.append(raw)
            if args.save_raw is not None:
                args.save_raw.mkdir(parents=True, exist_ok=True)
                target = args.save_raw / f"env{index:02d}-{raw['mode']}.json"
                target.write_text(json.dumps(raw, sort_keys=True), encoding="utf-8")

    historic = json.loads(args.historic.read_text(encoding="utf-8"))
    catalogue = merge(raws, historic)
    dump(catalogue, args.output)
    size = args.output.stat().st_size
    print(
        f"wrote {args.output}: {len(catalogue['symbols'])} symbols, {size} bytes",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
