"""Symbols as users paste them: import lines, several names, and the API's single string."""

from __future__ import annotations

import pytest

from kerasdoctor import api, catalogue, pipeline
from kerasdoctor.cli import run
from kerasdoctor.errors import UsageError
from kerasdoctor.probe import ProbeSettings


def _texts(text: str) -> list[str]:
    return [r.text for r in catalogue.parse_symbols(text)]


@pytest.mark.parametrize(
    ("pasted", "expected"),
    [
        ("BatchNormalization", ["BatchNormalization"]),
        ("keras.layers.Dense", ["keras.layers.Dense"]),
        ("from keras.layers import BatchNormalization", ["keras.layers.BatchNormalization"]),
        ("  from keras.layers import Dense as D;  # a comment", ["keras.layers.Dense"]),
        (
            "from tensorflow.keras.layers import Dense, Conv2D",
            ["tensorflow.keras.layers.Dense", "tensorflow.keras.layers.Conv2D"],
        ),
        (
            "from keras.layers import (\n    Dense,\n    Conv2D as C,\n)",
            ["keras.layers.Dense", "keras.layers.Conv2D"],
        ),
    ],
)
def test_pasted_lines_become_symbols(pasted: str, expected: list[str]) -> None:
    assert _texts(pasted) == expected


def test_a_from_line_keeps_its_module_as_the_users_line() -> None:
    (request,) = catalogue.parse_symbols("from keras.layers import BatchNormalization")
    assert request.user_candidate is not None
    assert request.user_candidate.import_line == "from keras.layers import BatchNormalization"


@pytest.mark.parametrize(
    ("pasted", "says"),
    [
        ("import keras.layers.BatchNormalization", "'import' takes a module"),
        ("import keras.layers.BatchNormalization as BN", "from keras.layers import Batch"),
        ("import keras", "imports a module"),
        ("import tensorflow.keras", "imports a module"),
        ("from keras.layers import *", "name each symbol"),
        ("from keras import layers.Dense", "name each symbol"),
        ("from keras.layers import Dense as", "name each symbol"),
        ("from keras.layers import", "expected 'from MODULE import NAME'"),
        ("from os; import Dense", "expected 'from MODULE import NAME'"),
    ],
)
def test_lines_that_cannot_be_asked_about_are_one_clear_error(pasted: str, says: str) -> None:
    with pytest.raises(UsageError) as caught:
        catalogue.parse_symbols(pasted)
    assert says in str(caught.value)
    assert "\n" not in str(caught.value)


def test_one_string_is_one_symbol_not_its_letters() -> None:
    asked = pipeline.question("check", "Dense", None, frozenset(), ProbeSettings())
    assert asked.symbols == ("Dense",)


def test_several_lines_and_names_in_one_question() -> None:
    asked = pipeline.question(
        "suggest",
        ["from keras.layers import Dense, Conv2D", "Adam"],
        None,
        frozenset(),
        ProbeSettings(),
    )
    assert [r.name for r in asked.requests] == ["Dense", "Conv2D", "Adam"]


@pytest.mark.parametrize(
    ("kwargs", "parameter", "starts"),
    [
        ({"settings": ProbeSettings(timeout=-1.0)}, "timeout", "timeout must be a positive"),
        ({"prefer": "pytorch"}, "prefer", "prefer: unknown family"),
    ],
)
def test_api_errors_name_the_api_parameter(
    kwargs: dict[str, object], parameter: str, starts: str
) -> None:
    with pytest.raises(UsageError) as caught:
        api.diagnose("Dense", **kwargs)  # type: ignore[arg-type]
    assert caught.value.parameter == parameter
    assert str(caught.value).startswith(starts)
    assert "--" not in str(caught.value)


def test_the_cli_spells_the_parameter_as_its_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["check", "--timeout", "-2"]) == 2
    assert capsys.readouterr().err.strip() == (
        "kerasdoctor: error: --timeout must be a positive number of seconds, not -2"
    )
