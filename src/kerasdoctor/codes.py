"""The documentation page of each finding code, for ``kerasdoctor explain``.

The pages are written once, in docs/codes/KDxxx.md. A wheel carries them as
``kerasdoctor/_codes/`` (pyproject's force-include); a source checkout reads docs/ directly.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from kerasdoctor.errors import UsageError


def _folders() -> list[Path]:
    folders: list[Path] = []
    packaged = resources.files("kerasdoctor").joinpath("_codes")
    if packaged.is_dir():
        folders.append(Path(str(packaged)))
    folders.append(Path(__file__).resolve().parents[2] / "docs" / "codes")
    return folders


def known() -> list[str]:
    """Every documented code, sorted."""
    found: set[str] = set()
    for folder in _folders():
        if folder.is_dir():
            found.update(p.stem for p in folder.glob("KD*.md"))
    return sorted(found)


def page(code: str) -> str:
    """The page for ``code`` (already validated as KDnnn); UsageError when none exists."""
    for folder in _folders():
        path = folder / f"{code}.md"
        if path.is_file():
            return path.read_text("utf-8")
    raise UsageError(f"unknown finding code {code}: known codes are {', '.join(known())}")
