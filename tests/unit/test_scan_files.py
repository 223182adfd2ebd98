"""Which files scan reads: pruning, exclusion, order, links, loops, big and unreadable files."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kerasdoctor.scan import FileKind, FileStatus, extract_file, extract_paths, walk
from kerasdoctor.scan.files import excluded


def _write(root: Path, relative: str, text: str = "import keras\n") -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for relative in (
        "b.py",
        "a.py",
        "notes.txt",
        "nb/one.ipynb",
        "pkg/__init__.py",
        "pkg/sub/z.py",
        ".hidden/h.py",
        "pkg/__pycache__/c.py",
        "nb/.ipynb_checkpoints/one-checkpoint.ipynb",
        "venv/lib/python3.11/site-packages/keras/__init__.py",
        "env2/conda-meta/x.py",
        "env2/lib/e.py",
        "vendor/dist-packages/d.py",
        "build/out.py",
        "tests/test_a.py",
    ):
        _write(tmp_path, relative)
    (tmp_path / "venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    return tmp_path


def _names(root: Path, exclude: tuple[str, ...] = ()) -> list[str]:
    return [Path(f.display).relative_to(root).as_posix() for f in walk([root], exclude)]


def test_walk_order_and_pruning(tree: Path) -> None:
    assert _names(tree) == [
        "a.py",
        "b.py",
        "build/out.py",
        "nb/one.ipynb",
        "pkg/__init__.py",
        "pkg/sub/z.py",
        "tests/test_a.py",
    ]


@pytest.mark.parametrize(
    ("patterns", "gone"),
    [
        (("build",), {"build/out.py"}),
        (("test_*.py",), {"tests/test_a.py"}),
        (("pkg/**",), {"pkg/__init__.py", "pkg/sub/z.py"}),
        (("**/z.py",), {"pkg/sub/z.py"}),
        (("pkg/*.py",), {"pkg/__init__.py"}),
        (("./nb/",), {"nb/one.ipynb"}),
        (("*.ipynb", "[ab].py"), {"nb/one.ipynb", "a.py", "b.py"}),
    ],
)
def test_exclude_globs(tree: Path, patterns: tuple[str, ...], gone: set[str]) -> None:
    everything = set(_names(tree))
    assert set(_names(tree, patterns)) == everything - gone


def test_excluded_matches_components_or_whole_paths() -> None:
    assert excluded("a/b/legacy_x.py", ("legacy_*",))
    assert not excluded("a/b/legacy_x.py", ("b/legacy_*",))
    assert excluded("a/b/legacy_x.py", ("a/**/legacy_*",))
    assert excluded("legacy_x.py", ("**/legacy_*",))
    assert not excluded("a/bc.py", ("a/?.py",))


def test_explicit_files_are_read_and_missing_ones_reported(tree: Path) -> None:
    found = list(walk([tree / "notes.txt", tree / "nb" / "one.ipynb", tree / "nope.py"]))
    assert [(Path(f.display).name, f.kind, f.status) for f in found] == [
        ("notes.txt", FileKind.PYTHON, FileStatus.OK),
        ("one.ipynb", FileKind.NOTEBOOK, FileStatus.OK),
        ("nope.py", FileKind.PYTHON, FileStatus.SKIPPED),
    ]
    assert found[2].reason == "no such file or folder"


def test_exclude_applies_to_explicit_files(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree)
    found = walk(["a.py", "build/out.py", "pkg/sub/z.py"], ("build", "pkg/**"))
    assert [f.display for f in found] == ["a.py"]


def test_relative_arguments_give_relative_display_paths(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tree)
    assert [f.display for f in walk(["."])][:2] == ["a.py", "b.py"]
    assert [f.display for f in walk(["pkg/"])] == ["pkg/__init__.py", "pkg/sub/z.py"]


def test_symlink_loop_and_duplicate_links(tmp_path: Path) -> None:
    _write(tmp_path, "a/x.py")
    (tmp_path / "a" / "loop").symlink_to(tmp_path)
    (tmp_path / "a" / "self").symlink_to(tmp_path / "a")
    (tmp_path / "a" / "y.py").symlink_to(tmp_path / "a" / "x.py")
    (tmp_path / "a" / "dangling.py").symlink_to(tmp_path / "missing.py")
    (tmp_path / "a" / "eloop.py").symlink_to(tmp_path / "a" / "eloop.py")
    found = list(walk([tmp_path, tmp_path / "a"]))
    assert [(Path(f.display).name, f.status) for f in found] == [
        ("dangling.py", FileStatus.SKIPPED),
        ("eloop.py", FileStatus.SKIPPED),
        ("x.py", FileStatus.OK),
    ]
    assert found[0].reason == "broken symbolic link"
    assert found[1].reason.startswith("cannot read")


def test_fifo_is_not_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.py")
    (result,) = extract_paths([tmp_path])
    assert (result.status, result.reason) == (FileStatus.SKIPPED, "not a regular file")


def test_large_file_is_skipped_without_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.py"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: no 50 MB are written
    _write(tmp_path, "small.py")
    results = extract_paths([tmp_path])
    assert [(r.path.rsplit("/", 1)[1], r.status) for r in results] == [
        ("big.py", FileStatus.SKIPPED),
        ("small.py", FileStatus.OK),
    ]
    assert results[0].reason.startswith("too large (52.4 MB > 10.0 MB limit)")


def _without_root_privileges(argv: list[str]) -> list[str]:
    """``argv`` run so that file modes apply: root reads everything whatever the mode bits."""
    if os.geteuid() != 0:
        return argv
    capsh = shutil.which("capsh")
    if capsh is None:
        pytest.skip("running as root without capsh: mode 000 cannot deny root a read")
    # Dropping these two capabilities makes the kernel check mode bits for root as well.
    drop = "--drop=cap_dac_override,cap_dac_read_search"
    return [capsh, drop, "--", "-c", shlex.join(argv)]


def test_unreadable_folder_and_file_are_reported(tmp_path: Path) -> None:
    _write(tmp_path, "ok.py")
    _write(tmp_path, "secret.py").chmod(0o000)
    locked = tmp_path / "locked"
    _write(locked, "inside.py")
    locked.chmod(0o000)
    script = (
        "import json, sys\n"
        "from kerasdoctor.scan import extract_paths\n"
        "if __name__ == '__main__':\n"
        "    rs = extract_paths([sys.argv[1]])\n"
        "    print(json.dumps([[r.path, r.kind.value, r.status.value, r.reason] for r in rs]))\n"
    )
    argv = _without_root_privileges([sys.executable, "-c", script, str(tmp_path)])
    try:
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
    finally:
        locked.chmod(0o755)
    assert done.returncode == 0, done.stderr
    rows = [(Path(p).name, k, s, r) for p, k, s, r in json.loads(done.stdout)]
    assert rows == [
        ("ok.py", "py", "ok", ""),
        ("secret.py", "py", "skipped", "cannot read: Permission denied"),
        ("locked", "folder", "skipped", "cannot read folder: Permission denied"),
    ]


def test_process_pool_gives_the_same_results_in_the_same_order(tmp_path: Path) -> None:
    for n in range(90):
        _write(tmp_path, f"m{n:03}/f.py", f"import keras\nkeras.layers.Dense{n}\n")
    _write(tmp_path, "zz/broken.py", "def f(:\n")
    serial = extract_paths([tmp_path], jobs=1)
    pooled = extract_paths([tmp_path], jobs=2)
    assert pooled == serial
    assert len(serial) == 91
    assert serial[0].chains[0].path == "keras.layers.Dense0"
    assert serial[-1].status is FileStatus.UNPARSABLE


def test_a_caller_without_a_main_guard_still_gets_results(tmp_path: Path) -> None:
    # Such a caller re-runs in every spawn/forkserver worker; the scan must still finish.
    for n in range(70):
        _write(tmp_path, f"m{n:03}.py", "from keras import layers\n")
    script = (
        "import sys\n"
        "from kerasdoctor.scan import extract_paths\n"
        "print(len([r for r in extract_paths([sys.argv[1]], jobs=2) if r.imports]))\n"
    )
    runner = tmp_path.parent / f"{tmp_path.name}-unguarded.py"
    runner.write_text(script)
    done = subprocess.run(
        [sys.executable, str(runner), str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout.strip().splitlines()[-1:]) == (0, ["70"]), done.stderr


def test_a_file_that_changed_after_the_walk(tmp_path: Path) -> None:
    path = _write(tmp_path, "grew.py", "import keras\n" * 10)
    (found,) = walk([tmp_path])
    assert extract_file(found, max_bytes=20).reason == "too large (more than 20 bytes): not read"
    path.unlink()
    result = extract_file(found)
    assert (result.status, result.reason) == (
        FileStatus.SKIPPED,
        "cannot read: No such file or directory",
    )
