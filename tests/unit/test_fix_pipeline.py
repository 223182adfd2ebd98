"""``fix`` from a scan report to written files: choice, verification, refusals, writes.

The scan is a stand-in (:mod:`helpers.fixscan`) that reads the real files in ``tmp_path``
and reports given statements; the probe of new lines is a fake with given answers. Every
assertion is on the real bytes of the real files.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from pathlib import Path

import pytest

from helpers.fixscan import Rule, confirmer, fake_scan
from kerasdoctor import pipeline_fix
from kerasdoctor.fix.report import FixReport, FixStatus
from kerasdoctor.fix.write import snapshot
from kerasdoctor.scan.diagnostics import Applicability

BN = "keras.src.layers.normalization.batch_normalization:BatchNormalization"
DENSE = "keras.src.layers.core.dense:Dense"
OLD_BN = "from keras.layers.normalization import BatchNormalization"
NEW_BN = "from keras.layers import BatchNormalization"
WORKS = {NEW_BN: BN, "from keras.layers import Dense": DENSE}


def run(
    root: Path,
    rules: dict[str, list[Rule]],
    *,
    write: bool = False,
    unsafe: bool = False,
    works: Mapping[str, str | None] | None = None,
) -> FixReport:
    scan = fake_scan(root, rules)
    return pipeline_fix.fix(
        scan,
        {},
        environ={},
        settings=pipeline_fix.ProbeSettings(),
        unsafe=unsafe,
        write=write,
        confirm=confirmer(WORKS if works is None else works),
    )


def test_preview_changes_nothing_and_write_changes_only_the_statement(tmp_path: Path) -> None:
    before = f"import os  # keep\n\n{OLD_BN}\nx = 1\n"
    path = tmp_path / "a.py"
    path.write_bytes(before.encode())
    rules = {"a.py": [Rule(OLD_BN, NEW_BN)]}
    preview = run(tmp_path, rules)
    assert path.read_bytes() == before.encode()
    assert preview.would_change
    assert f"-{OLD_BN}\n+{NEW_BN}\n" in preview.files[0].diff
    written = run(tmp_path, rules, write=True)
    assert written.files[0].written
    assert path.read_bytes() == before.replace(OLD_BN, NEW_BN).encode()
    assert written.remaining == ()
    again = run(tmp_path, rules, write=True)
    assert again.files == ()
    assert path.read_bytes() == before.replace(OLD_BN, NEW_BN).encode()


def test_latin1_crlf_keeps_encoding_and_line_endings(tmp_path: Path) -> None:
    before = (
        f"# -*- coding: latin-1 -*-\r\n# réseau de neurones\r\n{OLD_BN}\r\nprint('été')\r\n"
    ).encode("latin-1")
    path = tmp_path / "l.py"
    path.write_bytes(before)
    run(tmp_path, {"l.py": [Rule(OLD_BN, NEW_BN)]}, write=True)
    after = path.read_bytes()
    assert after == before.replace(OLD_BN.encode(), NEW_BN.encode())
    assert after.count(b"\r\n") == before.count(b"\r\n")
    assert "réseau".encode("latin-1") in after


def test_bom_and_missing_final_newline_survive(tmp_path: Path) -> None:
    before = b"\xef\xbb\xbf" + f"# \u00fc\n{OLD_BN}".encode()
    path = tmp_path / "b.py"
    path.write_bytes(before)
    run(tmp_path, {"b.py": [Rule(OLD_BN, NEW_BN)]}, write=True)
    assert path.read_bytes() == b"\xef\xbb\xbf" + f"# \u00fc\n{NEW_BN}".encode()


def test_two_names_of_one_statement_share_one_edit(tmp_path: Path) -> None:
    old = "from keras.layers.core import Dense, Dropout as Drop"
    new = "from keras.layers import Dense, Dropout as Drop"
    (tmp_path / "c.py").write_text(old + "\n")
    rules = {
        "c.py": [
            Rule(old, new, DENSE, replacement="from keras.layers import Dense"),
            Rule(
                old,
                new,
                "keras.src.layers.regularization.dropout:Dropout",
                replacement="from keras.layers import Dropout",
            ),
        ]
    }
    works = {
        **WORKS,
        "from keras.layers import Dropout": "keras.src.layers.regularization.dropout:Dropout",
    }
    report = run(tmp_path, rules, write=True, works=works)
    (edit,) = report.files[0].edits
    assert len(edit.diagnostics) == 2
    assert report.statements_fixed == 1
    assert (tmp_path / "c.py").read_text() == new + "\n"


def test_unsafe_fixes_need_the_flag(tmp_path: Path) -> None:
    old, new = "from tensorflow.keras.layers import Dense", "from keras.layers import Dense"
    path = tmp_path / "u.py"
    path.write_text(f"{old}\n")
    rules = {"u.py": [Rule(old, new, DENSE, Applicability.UNSAFE, code="KD503")]}
    safe_only = run(tmp_path, rules, write=True)
    assert path.read_text() == f"{old}\n"
    assert "--unsafe-fixes" in safe_only.reasons[0].reason
    assert len(safe_only.remaining) == 1
    run(tmp_path, rules, write=True, unsafe=True)
    assert path.read_text() == f"{new}\n"


def test_a_new_line_that_fails_or_gives_another_object_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "v.py"
    before = f"{OLD_BN}\nfrom keras.layers.core import Dense\n"
    path.write_text(before)
    rules = {
        "v.py": [
            Rule(OLD_BN, NEW_BN),
            Rule("from keras.layers.core import Dense", "from keras.layers import Dense", DENSE),
        ]
    }
    # The Dense line works; the BatchNormalization line gives another object.
    report = run(tmp_path, rules, write=True, works={**WORKS, NEW_BN: "tf_keras.src:Other"})
    assert path.read_text() == f"{OLD_BN}\nfrom keras.layers import Dense\n"
    (refusal,) = report.files[0].refused
    assert "not the promised" in refusal.reason
    assert [d.statement for d in report.remaining] == [OLD_BN]
    # ... and a line that fails in the target is not written either.
    path.write_text(before)
    report = run(tmp_path, rules, write=True, works={"from keras.layers import Dense": DENSE})
    assert path.read_text() == f"{OLD_BN}\nfrom keras.layers import Dense\n"
    assert "fails in the target: ModuleNotFoundError" in report.files[0].refused[0].reason


def test_a_chain_is_probed_through_the_name_it_is_bound_to(tmp_path: Path) -> None:
    before = "import tensorflow as tf\nlayer = tf.keras.layers.normalization.BatchNormalization()\n"
    path = tmp_path / "ch.py"
    path.write_text(before)
    rules = {
        "ch.py": [
            Rule(
                "tf.keras.layers.normalization.BatchNormalization",
                "tf.keras.layers.BatchNormalization",
                code="KD502",
            )
        ]
    }
    works = {"import tensorflow; tensorflow.keras.layers.BatchNormalization": BN}
    confirm = confirmer(works)
    report = pipeline_fix.fix(
        fake_scan(tmp_path, rules),
        {},
        environ={},
        settings=pipeline_fix.ProbeSettings(),
        unsafe=False,
        write=True,
        confirm=confirm,
    )
    assert confirm.asked == ["import tensorflow; tensorflow.keras.layers.BatchNormalization"]
    assert report.files[0].written
    assert path.read_text() == before.replace(".normalization.", ".")


def test_conflicting_edits_are_both_refused(tmp_path: Path) -> None:
    path = tmp_path / "k.py"
    path.write_text(f"{OLD_BN}\n")
    rules = {
        "k.py": [
            Rule(OLD_BN, NEW_BN),
            Rule(OLD_BN, "from tensorflow.keras.layers import BatchNormalization"),
        ]
    }
    report = run(tmp_path, rules, write=True)
    assert path.read_text() == f"{OLD_BN}\n"
    assert report.files[0].status is FixStatus.REFUSED
    assert all("conflicts" in r.reason for r in report.files[0].refused)


def test_an_edit_that_breaks_the_syntax_tree_is_refused(tmp_path: Path) -> None:
    before = f"if True:\n    {OLD_BN}\n    x = 1\n"
    path = tmp_path / "t.py"
    path.write_text(before)
    # A bad edit from the scan side: it would dedent the next statement out of the block.
    report = run(tmp_path, {"t.py": [Rule(f"{OLD_BN}\n    x", f"{NEW_BN}\nx")]}, write=True)
    assert path.read_text() == before
    assert "syntax tree differs" in report.files[0].refused[0].reason


def test_a_file_changed_since_the_scan_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.py"
    path.write_text(f"{OLD_BN}\n")
    rules = {"s.py": [Rule(OLD_BN, NEW_BN)]}
    scanned = fake_scan(tmp_path, rules)()
    path.write_text(f"import os\n{OLD_BN}\n")  # the user edited it after the scan
    report = pipeline_fix.fix_from_scan(scanned, unsafe=False, write=True, confirm=confirmer(WORKS))
    assert report.files[0].status is FixStatus.CHANGED_SINCE_SCAN
    assert path.read_text() == f"import os\n{OLD_BN}\n"


def test_a_file_changed_between_plan_and_write_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "w.py"
    path.write_text(f"{OLD_BN}\n")
    scanned = fake_scan(tmp_path, {"w.py": [Rule(OLD_BN, NEW_BN)]})()

    def read_then_edit(where: Path):  # type: ignore[no-untyped-def]
        taken = snapshot(where)
        where.write_text(f"{OLD_BN}\n# edited meanwhile\n")
        return taken

    report = pipeline_fix.fix_from_scan(
        scanned, unsafe=False, write=True, confirm=confirmer(WORKS), read=read_then_edit
    )
    assert report.files[0].status is FixStatus.CHANGED_SINCE_SCAN
    assert not report.files[0].written
    assert path.read_text() == f"{OLD_BN}\n# edited meanwhile\n"
    assert report.remaining_errors == 1


def test_a_read_only_file_is_reported_and_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests run as root, where permissions do not stop a write: raise what the kernel would.
    import errno

    path = tmp_path / "r.py"
    path.write_text(f"{OLD_BN}\n")
    real = os.replace

    def refuse(source: object, destination: object) -> None:
        if str(destination).endswith("r.py"):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))
        real(source, destination)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", refuse)
    report = run(tmp_path, {"r.py": [Rule(OLD_BN, NEW_BN)]}, write=True)
    assert report.files[0].status is FixStatus.FAILED
    assert "EROFS" in (report.files[0].reason or "")
    assert path.read_text() == f"{OLD_BN}\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.py"]
    assert report.remaining_errors == 1


def test_undecodable_and_unparsable_files_are_never_written(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_bytes(f"{OLD_BN}\nprint 'python 2'\n".encode())
    bad = tmp_path / "bad.py"
    bad.write_bytes(f"{OLD_BN}\n# \xff\xfe\n".encode("latin-1"))
    rules = {"broken.py": [Rule(OLD_BN, NEW_BN)], "bad.py": [Rule(OLD_BN, NEW_BN)]}
    before = {p: p.read_bytes() for p in (broken, bad)}
    report = run(tmp_path, rules, write=True)
    assert {p: p.read_bytes() for p in (broken, bad)} == before
    assert not report.changed_files
    assert any("does not parse" in r.reason for f in report.files for r in f.refused)


def test_a_symlink_stays_a_link_and_the_mode_is_kept(tmp_path: Path) -> None:
    real = tmp_path / "real.py"
    real.write_text(f"{OLD_BN}\n")
    real.chmod(0o755)
    (tmp_path / "link.py").symlink_to("real.py")
    run(tmp_path, {"link.py": [Rule(OLD_BN, NEW_BN)]}, write=True)
    assert (tmp_path / "link.py").is_symlink()
    assert real.read_text() == f"{NEW_BN}\n"
    assert real.stat().st_mode & 0o777 == 0o755


def _common(a: bytes, b: bytes) -> bytes:
    n = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return a[:n]


def _notebook(indent: int, source_as_list: bool) -> bytes:
    code = ["%matplotlib inline\n", f"{OLD_BN}\n", "model = None"]
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": [f"{OLD_BN} in prose"]},
        {
            "cell_type": "code",
            "execution_count": 1,
            "metadata": {"tags": ["é"]},
            "outputs": [{"name": "stdout", "output_type": "stream", "text": ["ok\n"]}],
            "source": code if source_as_list else "".join(code),
        },
    ]
    document = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(document, indent=indent, ensure_ascii=False).encode() + b"\n"


@pytest.mark.parametrize(("indent", "as_list"), [(1, True), (2, False), (4, True)])
def test_a_notebook_changes_only_inside_the_edited_source(
    tmp_path: Path, indent: int, as_list: bool
) -> None:
    path = tmp_path / "n.ipynb"
    before = _notebook(indent, as_list)
    path.write_bytes(before)
    preview = run(tmp_path, {"n.ipynb": [Rule(OLD_BN, NEW_BN)]})
    assert preview.files[0].diff.startswith(f"--- {path.name}:cell 1\n")
    assert path.read_bytes() == before
    report = run(tmp_path, {"n.ipynb": [Rule(OLD_BN, NEW_BN)]}, write=True)
    after = path.read_bytes()
    assert report.files[0].written
    old_doc, new_doc = json.loads(before), json.loads(after)
    code_source = new_doc["cells"][1]["source"]
    joined = "".join(code_source) if isinstance(code_source, list) else code_source
    assert joined == f"%matplotlib inline\n{NEW_BN}\nmodel = None"
    assert isinstance(code_source, list) is as_list
    old_doc["cells"][1]["source"] = new_doc["cells"][1]["source"] = None
    assert old_doc == new_doc  # markdown cell (which names the line too) untouched
    # Raw bytes: identical before the first difference and after the last one.
    prefix = _common(before, after)
    suffix = _common(before[::-1], after[::-1])
    changed_old = before[len(prefix) : len(before) - len(suffix)]
    assert OLD_BN.encode() in changed_old or b"normalization" in changed_old
    assert before.index(b'"source"', before.index(b'"code"')) < len(prefix)


def test_a_notebook_edit_on_a_magic_line_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.ipynb"
    before = _notebook(1, True)
    path.write_bytes(before)
    report = run(tmp_path, {"m.ipynb": [Rule("%matplotlib inline", "import os")]}, write=True)
    assert path.read_bytes() == before
    assert "IPython magic" in report.files[0].refused[0].reason


def test_a_ladder_note_is_reported_not_applied(tmp_path: Path) -> None:
    path = tmp_path / "l.py"
    path.write_text(f"try:\n    {OLD_BN}\nexcept ImportError:\n    pass\n")
    report = run(tmp_path, {"l.py": [Rule(OLD_BN, NEW_BN, edits=False)]}, write=True)
    assert report.files == ()
    assert "ladder" in report.reasons[0].reason
    assert len(report.remaining) == 1


def test_a_module_import_keeps_its_alias_and_is_probed_as_an_import(tmp_path: Path) -> None:
    before = "import keras.layers.normalization as norm\nlayer = norm.BatchNormalization()\n"
    path = tmp_path / "mod.py"
    path.write_text(before)
    rule = Rule(
        "import keras.layers.normalization as norm",
        "import keras.layers as norm",
        "keras.layers",
    )
    chain = "import keras.layers as _kd; _kd.BatchNormalization"
    confirm = confirmer({"import keras.layers": "keras.layers", chain: BN})
    report = pipeline_fix.fix(
        fake_scan(tmp_path, {"mod.py": [rule]}),
        {},
        environ={},
        settings=pipeline_fix.ProbeSettings(),
        unsafe=False,
        write=True,
        confirm=confirm,
    )
    assert confirm.asked == ["import keras.layers", chain]  # the chain on `norm` too
    assert report.files[0].written
    assert path.read_text() == before.replace("keras.layers.normalization", "keras.layers")


def test_an_all_failing_ladder_gets_the_working_line_in_its_try_branch(tmp_path: Path) -> None:
    # The scan reports the ladder over the whole try statement, naming its first statement;
    # the edit replaces only that statement and the fallbacks stay.
    before = (
        "try:\n    from keras.layers.normalization import BatchNormalization\n"
        "except ImportError:\n    from tensorflow.contrib.keras.layers import BatchNormalization\n"
    )
    path = tmp_path / "lad.py"
    path.write_text(before)
    scan = fake_scan(tmp_path, {"lad.py": [Rule(OLD_BN, NEW_BN, code="KD506")]})
    found = scan()
    (d,) = found.diagnostics
    start = d.location
    wide = dataclasses.replace(
        d, location=dataclasses.replace(start, line=1, column=1, end_line=4, end_column=67)
    )
    report = pipeline_fix.fix_from_scan(
        dataclasses.replace(found, diagnostics=(wide,)),
        unsafe=False,
        write=True,
        confirm=confirmer(WORKS),
    )
    assert report.files[0].written
    assert path.read_text() == before.replace(OLD_BN, NEW_BN, 1)
    assert "tensorflow.contrib.keras" in path.read_text()


def test_chains_on_a_rebound_name_are_probed_too(tmp_path: Path) -> None:
    # `preprocessing` now names another module: every chain the file uses on it must work.
    old = "from tensorflow.keras.layers.experimental import preprocessing"
    new = "from tensorflow.keras import preprocessing"
    before = f"{old}\nnorm = preprocessing.Normalization()\nx = preprocessing.image\n"
    path = tmp_path / "re.py"
    path.write_text(before)
    rules = {"re.py": [Rule(old, new, "keras.api.preprocessing:")]}
    works: dict[str, str | None] = {
        "from tensorflow.keras import preprocessing": "keras.api.preprocessing:",
        "from tensorflow.keras import preprocessing; preprocessing.image": "keras.api.image:",
    }
    confirm = confirmer(works)
    report = pipeline_fix.fix(
        fake_scan(tmp_path, rules),
        {},
        environ={},
        settings=pipeline_fix.ProbeSettings(),
        unsafe=False,
        write=True,
        confirm=confirm,
    )
    assert sorted(confirm.asked) == sorted(
        [
            "from tensorflow.keras import preprocessing",
            "from tensorflow.keras import preprocessing; preprocessing.Normalization",
            "from tensorflow.keras import preprocessing; preprocessing.image",
        ]
    )
    assert path.read_text() == before  # Normalization is not in the new module: refused
    assert "preprocessing.Normalization` fails in the target" in report.files[0].refused[0].reason


def test_a_line_the_scan_already_ran_is_not_probed_again(tmp_path: Path) -> None:
    from helpers.factories import ok
    from kerasdoctor.models import Candidate, Origin
    from kerasdoctor.scan.diagnostics import Verdict

    path = tmp_path / "seen.py"
    path.write_text(f"{OLD_BN}\nfrom keras.layers.core import Dense\n")
    rules = {
        "seen.py": [
            Rule(OLD_BN, NEW_BN),
            Rule("from keras.layers.core import Dense", "from keras.layers import Dense", DENSE),
        ]
    }
    scanned = fake_scan(tmp_path, rules)()
    seen = ok(
        Candidate("BatchNormalization", "keras.layers", "BatchNormalization", Origin.USER),
        "keras.src.layers.normalization.batch_normalization",
    )
    scanned = dataclasses.replace(scanned, verdicts=(Verdict("from", NEW_BN, seen),))
    confirm = confirmer(WORKS)
    report = pipeline_fix.fix_from_scan(scanned, unsafe=False, write=True, confirm=confirm)
    assert confirm.asked == ["from keras.layers import Dense"]
    assert report.statements_fixed == 2
    assert path.read_text() == f"{NEW_BN}\nfrom keras.layers import Dense\n"
