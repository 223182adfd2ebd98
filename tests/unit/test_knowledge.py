"""What kerasdoctor knows about distributions: which ones matter, what to install, markers."""

from __future__ import annotations

import dataclasses

import pytest

from helpers.factories import dist, target
from kerasdoctor import knowledge


@pytest.mark.parametrize(
    ("name", "relevant"),
    [
        ("tensorflow", True),
        ("tensorflow-cpu", True),
        ("tensorflow_macos", True),
        ("tf-nightly", True),
        ("intel-tensorflow-avx512", True),
        ("Keras", True),
        ("keras-nightly", True),
        ("tf_keras", True),
        ("keras-core", True),
        ("jax", True),
        ("ml_dtypes", True),
        ("requests", False),
        ("tensorboard", False),
        ("keras-tuner", False),
    ],
)
def test_is_relevant(name: str, relevant: bool) -> None:
    assert knowledge.is_relevant(name) is relevant


def test_module_to_distribution() -> None:
    tf221 = dist("tensorflow", "2.21.0")
    t = target(tf221)
    assert knowledge.requirement_for_module(t, "tf_keras") == "tf-keras>=2.21,<2.22"
    assert knowledge.requirement_for_module(t, "sklearn") == "scikit-learn"
    assert knowledge.requirement_for_module(t, "google.protobuf") == "protobuf"
    assert knowledge.requirement_for_module(t, "google.other") is None
    assert knowledge.requirement_for_module(target(dist("keras", "3.15.1")), "tensorflow") == (
        "tensorflow>=2.16"
    )
    assert knowledge.distribution_for_module("jax") == "jax"


def test_requirements_follow_the_targets_markers() -> None:
    tf = dataclasses.replace(
        dist("tensorflow", "2.15.1"),
        requires=(
            "keras (<2.16,>=2.15.0)",
            'tensorflow-intel (==2.15.1) ; platform_system == "Windows"',
            'numpy<2 ; python_version < "3.9"',
            'tensorflow-io-gcs-filesystem ; extra == "io"',
            "not a requirement !!",
        ),
    )
    t = target(tf)  # Linux, Python 3.11.7
    assert [r.name for r in knowledge.requirements(t, tf)] == ["keras"]
    old = dataclasses.replace(t, python_version="3.8.10")
    assert knowledge.required_names(old, tf) == {"keras", "numpy"}
    assert str(knowledge.declared_specifier(t, "Keras")) == "<2.16,>=2.15.0"
    assert knowledge.keras_for_tensorflow(t, tf) == "keras<2.16,>=2.15.0"


@pytest.mark.parametrize(
    ("version", "wanted"),
    [("2.5.3", None), ("2.10.1", "keras>=2.10,<2.11"), ("2.16.1", "keras>=3")],
)
def test_keras_for_tensorflow_without_a_declared_keras(version: str, wanted: str | None) -> None:
    tf = dist("tensorflow", version)
    assert knowledge.keras_for_tensorflow(target(tf), tf) == wanted


def test_the_build_of_tensorflow_and_of_keras_in_use() -> None:
    cpu = dist("tensorflow-cpu", "2.21.0", "tensorflow")
    nightly = dist("keras-nightly", "3.16.0.dev1", "keras")
    t = target(dist("numpy", "2.0.0"), cpu, nightly)
    assert knowledge.tensorflow_dist(t) == cpu
    assert knowledge.keras_dist(t) == nightly
    assert knowledge.installed_as(t, "tensorflow") == cpu
    assert knowledge.installed_as(t, "keras") == nightly
    assert knowledge.keras3_installed(t)
    assert knowledge.multibackend_dists(t) == [nightly]
