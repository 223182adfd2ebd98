"""The example output in the environment codes' pages is generated, or says it is not.

The real-environment test (tests/integration/test_findings_realenv.py) compares each
generated block with a fresh rendering of a real run; this quick test makes sure that no
page of an environment code (KD0xx-KD4xx) shows hand-written output as if kerasdoctor had
printed it, and that every generated block is whole.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import examples

ENVIRONMENT_PAGES = sorted(
    p for p in examples.CODES_DIR.glob("KD*.md") if re.fullmatch(r"KD[0-4]\d\d", p.stem)
)
CONSTRUCTED = "constructed example, not generated"


def _section(text: str, title: str) -> str:
    match = re.search(rf"^## {title}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    return match.group(1) if match else ""


def test_the_environment_pages_are_there() -> None:
    assert len(ENVIRONMENT_PAGES) >= 10, ENVIRONMENT_PAGES


@pytest.mark.parametrize("page", ENVIRONMENT_PAGES, ids=lambda p: p.stem)
def test_output_shown_is_generated_or_labelled(page: Path) -> None:
    text = page.read_text("utf-8")
    section = _section(text, "A real message")
    assert section, f"{page.name} has no '## A real message' section"
    # What is left once the generated blocks are taken out must not show output.
    for example in examples.examples(page):
        section = section.replace(example.text, "")
        assert example.text.count("```") == 2, f"{page.name} {example.case_id}: one fenced block"
        assert f"{example.case_id.split('-')[0]} " in example.text, example.case_id
    if "```" in section:
        assert CONSTRUCTED in section, (
            f"{page.name} shows output that no real run generated; generate it "
            f"(tests/integration/test_findings_realenv.py) or label it '{CONSTRUCTED}'"
        )
    else:
        assert examples.examples(page), f"{page.name}: no example at all"
