"""The import directions of docs/architecture.md, checked on the source with ``ast``.

Every module under src/kerasdoctor is parsed (imports inside functions count too); no
module is imported. :data:`FORBIDDEN` is the table of directions: a module whose name
starts with the first column must not import a module that starts with any name of the
second. Adjust the table and docs/architecture.md together.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import kerasdoctor

SRC = Path(kerasdoctor.__file__).parent
PKG = "kerasdoctor"

#: The subprocess layer: whatever starts and supervises processes in the target.
PROCESS = (f"{PKG}.process",)
RUNNING = (f"{PKG}.probe", f"{PKG}.interpreter", *PROCESS)
ORCHESTRATION = (f"{PKG}.pipeline", f"{PKG}.api", f"{PKG}.cli")

#: importer prefix -> prefixes it must not import, and why
FORBIDDEN: dict[str, tuple[tuple[str, ...], str]] = {
    f"{PKG}.models": (
        (f"{PKG}.",),
        "the data model every stage shares depends on no stage",
    ),
    f"{PKG}.errors": ((f"{PKG}.",), "errors are raised by every stage and depend on none"),
    f"{PKG}.diagnose": (
        (*RUNNING, *ORCHESTRATION, f"{PKG}.render", f"{PKG}.cache"),
        "diagnosis is pure: the pipeline probes and hands it the outcomes",
    ),
    f"{PKG}.catalogue": (
        (*RUNNING, *ORCHESTRATION, f"{PKG}.diagnose", f"{PKG}.render"),
        "the catalogue is data and lookups",
    ),
    f"{PKG}.render": (
        (*RUNNING, *ORCHESTRATION, f"{PKG}.cache", f"{PKG}.catalogue"),
        "renderers turn a report into text and nothing else",
    ),
    f"{PKG}.cache": (
        (*RUNNING, *ORCHESTRATION, f"{PKG}.diagnose", f"{PKG}.render"),
        "the cache stores reports; it runs nothing",
    ),
    f"{PKG}.probe": (
        (*ORCHESTRATION, f"{PKG}.diagnose", f"{PKG}.render", f"{PKG}.cache"),
        "probing reports outcomes up; it never calls the stages above it",
    ),
    f"{PKG}.interpreter": (
        (*ORCHESTRATION, f"{PKG}.diagnose", f"{PKG}.render", f"{PKG}.cache", f"{PKG}.probe"),
        "inspection reports facts up; it never calls the stages above it",
    ),
    f"{PKG}.knowledge": (
        (*RUNNING, *ORCHESTRATION, f"{PKG}.diagnose", f"{PKG}.render", f"{PKG}.cache"),
        "facts about Keras distributions, read by every stage; it calls none",
    ),
    f"{PKG}.codes": (
        (*RUNNING, *ORCHESTRATION, f"{PKG}.diagnose", f"{PKG}.render", f"{PKG}.cache"),
        "the registry of finding codes is data",
    ),
    f"{PKG}.scan": (
        (*RUNNING, *ORCHESTRATION),
        "reading source files is static; the pipeline judges what it finds in the target",
    ),
    f"{PKG}.fix": (
        (*RUNNING, *ORCHESTRATION),
        "rewriting source files is static; the pipeline decides what to rewrite",
    ),
    f"{PKG}.multi.common": (
        (*RUNNING, *ORCHESTRATION, f"{PKG}.cache", f"{PKG}.render"),
        "the common line is pure: per-target outcomes in, the answer out",
    ),
    f"{PKG}.multi.model": ((*RUNNING, *ORCHESTRATION, f"{PKG}.diagnose"), "data"),
    f"{PKG}.multi.targets": ((*RUNNING, *ORCHESTRATION, f"{PKG}.diagnose"), "parsing"),
    f"{PKG}.multi.merge": (
        (*RUNNING, *ORCHESTRATION, f"{PKG}.cache"),
        "merge reads documents back into the model; it probes nothing",
    ),
    f"{PKG}.multi.run": ((f"{PKG}.api", f"{PKG}.cli"), "the API and the CLI sit above it"),
    f"{PKG}.pipeline": ((f"{PKG}.api", f"{PKG}.cli"), "the API and the CLI sit above it"),
    f"{PKG}.api": ((f"{PKG}.cli",), "the CLI sits above the API"),
    f"{PKG}.cli": (
        (*RUNNING, f"{PKG}.diagnose", f"{PKG}.pipeline", f"{PKG}.catalogue"),
        "the CLI is thin: defaults, choices and stopping probes come from the API",
    ),
}


#: The exceptions to FORBIDDEN, each named module by module, and why.
ALLOWED: dict[str, tuple[tuple[str, ...], str]] = {
    f"{PKG}.models": (
        (f"{PKG}.render.report_html", f"{PKG}.render.report_md"),
        "Report's notebook display hooks (_repr_html_, _repr_markdown_) call its two views, "
        "imported inside the hooks: only a notebook that displays a report loads them",
    ),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> list[tuple[str, Path]]:
    return sorted((_module_name(p), p) for p in SRC.rglob("*.py"))


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _imports(name: str, path: Path) -> Iterator[tuple[str, list[str], int]]:
    """(imported module, names imported from it, line) for every import in the file."""
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the importing package
                base = name.split(".")
                if not _is_package(path):
                    base = base[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            yield module, [a.name for a in node.names], node.lineno


def _starts(module: str, prefix: str) -> bool:
    prefix = prefix.rstrip(".")
    return module == prefix or module.startswith(prefix + ".")


def _package(module: str) -> str:
    """The package a module belongs to: kerasdoctor.probe for kerasdoctor.probe.zygote,
    and the module itself for a module at the root (kerasdoctor.channel)."""
    return ".".join(module.split(".")[:2])


def test_every_module_parses_and_the_table_names_real_packages() -> None:
    names = {name for name, _ in _modules()}
    assert {f"{PKG}.diagnose", f"{PKG}.cli", f"{PKG}.pipeline", f"{PKG}.api"} <= names
    for importer in FORBIDDEN:
        assert any(_starts(n, importer) for n in names), importer


@pytest.mark.parametrize("importer", list(FORBIDDEN))
def test_import_directions(importer: str) -> None:
    forbidden, why = FORBIDDEN[importer]
    allowed = ALLOWED.get(importer, ((), ""))[0]
    broken = []
    for name, path in _modules():
        if not _starts(name, importer):
            continue
        for module, imported, line in _imports(name, path):
            targets = [module] + [f"{module}.{n}" for n in imported if module == PKG]
            for target in targets:
                if _starts(target, importer) or target in allowed:
                    continue  # a package may use its own modules
                if any(_starts(target, f) for f in forbidden):
                    broken.append(f"{path.relative_to(SRC.parent)}:{line} imports {target}")
    assert not broken, f"{importer}: {why}\n" + "\n".join(broken)


def test_no_module_imports_a_private_name_of_another_package() -> None:
    broken = []
    for name, path in _modules():
        for module, imported, line in _imports(name, path):
            if not _starts(module, PKG):
                continue
            for full in [module, *(f"{module}.{n}" for n in imported)]:
                parts = full.split(".")[1:]
                private = [p for p in parts if p.startswith("_") and not p.startswith("__")]
                if private and _package(full) != _package(name):
                    where = path.relative_to(SRC.parent)
                    broken.append(f"{where}:{line} imports {full}")
    assert not broken, "private names of another package:\n" + "\n".join(sorted(set(broken)))
