"""Symbol parsing and candidate building (the catalogue logic; the data has its own tests)."""

from __future__ import annotations

import pytest

from kerasdoctor import catalogue
from kerasdoctor.errors import UsageError
from kerasdoctor.models import Origin

ENTRY = catalogue.SymbolEntry(
    name="BatchNormalization",
    public={"tensorflow.keras": ("layers",), "keras": ("layers",), "tf_keras": ("layers",)},
    legacy=("keras.layers.normalization", "keras.src.layers"),
)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Batch Normalization",
        "os.system('id')",
        "__import__('os').system('id')",
        "keras.layers;import os",
        "keras..layers.Dense",
        ".Dense",
        "Dense.",
        "from keras import Dense",
        "keras.class.Dense",
        "1Dense",
    ],
)
def test_bad_symbols_are_refused_before_anything_runs(text: str) -> None:
    with pytest.raises(UsageError) as info:
        catalogue.parse_symbol(text)
    assert "\n" not in str(info.value)


def test_dotted_symbol_becomes_the_users_own_line() -> None:
    request = catalogue.parse_symbol("keras.layers.normalization.BatchNormalization")
    assert request.name == "BatchNormalization"
    assert request.module == "keras.layers.normalization"
    built = catalogue.build_candidates(request, ENTRY)
    first = built.candidates[0]
    assert first.origin is Origin.USER
    assert first.import_line == "from keras.layers.normalization import BatchNormalization"
    # The same module is not probed twice.
    modules = [c.module for c in built.candidates]
    assert len(modules) == len(set(modules))


def test_candidates_come_public_first_in_root_order_then_legacy_then_discovered() -> None:
    request = catalogue.parse_symbol("BatchNormalization")
    built = catalogue.build_candidates(
        request, ENTRY, discovered=["keras.src.layers.x", "keras.src.layers"]
    )
    assert [c.import_line for c in built.candidates] == [
        "from tensorflow.keras.layers import BatchNormalization",
        "from keras.layers import BatchNormalization",
        "from tf_keras.layers import BatchNormalization",
        "from keras.layers.normalization import BatchNormalization",
        "from keras.src.layers import BatchNormalization",
        "from keras.src.layers.x import BatchNormalization",
    ]
    assert [c.origin for c in built.candidates][-1] is Origin.DISCOVERED
    assert built.candidates[0].root == "tensorflow.keras"
    assert built.candidates[3].root is None


def test_users_public_line_keeps_its_root() -> None:
    request = catalogue.parse_symbol("keras.layers.BatchNormalization")
    built = catalogue.build_candidates(request, ENTRY)
    user = built.candidates[0]
    assert user.origin is Origin.USER
    assert user.root == "keras"
    assert user.is_public


def test_close_matches_for_typos() -> None:
    cat = catalogue.Catalogue({"BatchNormalization": ENTRY, "Dense": ENTRY})
    assert cat.close_matches("BatchNormalisation") == ["BatchNormalization"]
    assert cat.close_matches("batchnormalization") == ["BatchNormalization"]
    assert cat.close_matches("Zzzzzz") == []
    message = catalogue.unknown_symbol_message(catalogue.parse_symbol("BatchNormalisation"), cat)
    assert message.endswith("did you mean BatchNormalization?")


def test_packaged_catalogue_loads_and_knows_the_classics() -> None:
    cat = catalogue.load()
    for name in ("BatchNormalization", "Dense", "Adam"):
        entry = cat.get(name)
        assert entry is not None, name
        assert entry.public.get("keras"), name


def test_unsupported_format_is_refused() -> None:
    with pytest.raises(ValueError, match="format"):
        catalogue.from_json({"format": 2, "symbols": {}})
