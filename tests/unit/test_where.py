"""``kerasdoctor where``: the shipped history, read back and checked against its raw record.

The expectations are computed from ``catalogue/data/history.json`` itself (its patterns, one
character per sample), independently of :mod:`kerasdoctor.history`'s span logic, so a
range that names a release where the line failed, or skips one where it worked, fails here.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema
import pytest

from kerasdoctor.cli import run
from kerasdoctor.history import ROOT_DISTRIBUTIONS, load, version_key, where, worked_hint
from kerasdoctor.render.where import render_text, to_document

SYMBOLS = ("BatchNormalization", "Dense", "Adam", "pad_sequences", "to_categorical", "Model")


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    text = resources.files("kerasdoctor.catalogue").joinpath("data/history.json").read_text()
    data: dict[str, Any] = json.loads(text)
    return data


def _recorded(raw: dict[str, Any], module: str, name: str) -> dict[str, list[tuple[str, bool]]]:
    """dist -> [(version, worked)] straight from the JSON patterns."""
    for module_id, pattern_id, _public in raw["symbols"][name]:
        if raw["modules"][module_id] != module:
            continue
        dist = ROOT_DISTRIBUTIONS[module.split(".", maxsplit=1)[0]]
        out: dict[str, list[tuple[str, bool]]] = {dist: []}
        for sample, char in zip(raw["samples"], raw["patterns"][pattern_id]):
            if char != "-":
                out[dist].append((sample["subjects"][dist], char != "."))
        return out
    raise AssertionError(f"{module}.{name} not recorded")


@pytest.mark.parametrize("symbol", SYMBOLS)
def test_where_matches_the_recorded_installs(symbol: str, raw: dict[str, Any]) -> None:
    answer = where(symbol)
    assert answer.lines, symbol
    document = to_document(answer)
    text = render_text(answer)
    for line in document["lines"]:
        recorded = _recorded(raw, line["module"], line["name"])[line["distribution"]]
        worked = {v for v, ok in recorded if ok}
        failed = {v for v, ok in recorded if not ok}
        assert {r["version"] for r in line["releases"] if r["works"]} == worked
        assert {r["version"] for r in line["releases"] if not r["works"]} == failed
        order = sorted({v for v, _ in recorded}, key=version_key)
        for span in line["worked"]:
            inside = order[order.index(span["first"]) : order.index(span["last"]) + 1]
            # A span covers sampled releases only, and never one where the line failed.
            assert inside and not set(inside) & failed, (line["statement"], span)
        covered = {
            v
            for span in line["worked"]
            for v in order[order.index(span["first"]) : order.index(span["last"]) + 1]
        }
        assert covered == worked, line["statement"]
        assert line["statement"] in text
        assert line["public"] == (
            any(
                row[2] for row in raw["symbols"][symbol] if raw["modules"][row[0]] == line["module"]
            )
        )


def test_known_history_of_batchnormalization_where_sampled() -> None:
    """Facts from keras-imports.md, asserted only for releases the data says were sampled."""
    history = load()
    line = history.line("keras.layers.normalization", "BatchNormalization")
    assert line is not None
    by_version = {o.version: o for o in line.outcomes}
    if "2.3.1" in by_version:  # multi-backend Keras defined it there
        assert by_version["2.3.1"].implementation == "multi-backend Keras"
    if "3.15.1" in by_version:  # gone in Keras 3
        assert by_version["3.15.1"].implementation is None
    public = history.line("keras.layers", "BatchNormalization")
    assert public is not None and public.public
    impls = [o.implementation for o in public.outcomes if o.version in {"2.15.0", "3.15.1"}]
    if len(impls) == 2:
        assert impls == ["Keras 2", "Keras 3"]


def test_every_sampled_release_is_named_with_its_python(raw: dict[str, Any]) -> None:
    for sample in raw["samples"]:
        assert sample["subjects"], sample["name"]
        assert sample["python"].count(".") == 2, sample


def test_json_document_matches_its_schema() -> None:
    schema_text = resources.files("kerasdoctor.schema").joinpath("where.schema.json").read_text()
    schema = json.loads(schema_text)
    jsonschema.Draft202012Validator.check_schema(schema)
    for symbol in SYMBOLS:
        jsonschema.validate(to_document(where(symbol)), schema)


def test_cli_json_and_dotted_path(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["where", "keras.layers.Dense", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["symbol"] == "Dense"
    assert [line["module"] for line in document["lines"]] == ["keras.layers"]


@pytest.mark.parametrize("symbol", ["NoSuchLayerAnywhere", "keras.layers.NoSuch", "1bad"])
def test_unknown_symbol_is_one_error_line(symbol: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["where", symbol]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("kerasdoctor: error: "), err


def test_a_typo_gets_a_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["where", "batchnormalization"]) == 2
    assert "BatchNormalization" in capsys.readouterr().err


def test_worked_hint_names_the_last_sampled_release_that_worked(raw: dict[str, Any]) -> None:
    module, name = "keras.layers.normalization", "BatchNormalization"
    recorded = _recorded(raw, module, name)["keras"]
    last = max((v for v, ok in recorded if ok), key=version_key)
    newer = {"keras": ("keras", "99.0.0")}
    assert worked_hint(module, name, newer) == (
        f"worked up to keras {last} (sampled); this environment has keras 99.0.0"
    )
    absent = worked_hint(module, name, {})
    assert absent is not None and absent.endswith("this environment has no keras")
    assert worked_hint("keras.layers", "NoSuchLayerAnywhere", newer) is None


def test_no_hint_for_a_line_that_never_worked_in_a_sample(raw: dict[str, Any]) -> None:
    never = [
        (raw["modules"][m], name)
        for name in SYMBOLS
        for m, p, _ in raw["symbols"][name]
        if set(raw["patterns"][p]) <= {".", "-"}
    ]
    assert never, "the record has no line that failed everywhere (contrib, _impl...)"
    module, name = never[0]
    assert worked_hint(module, name, {"keras": ("keras", "99.0.0")}) is None
