"""The scan judge: what each Keras import and chain of a codebase does in the target.

Pure, like the rest of :mod:`kerasdoctor.diagnose`: the pipeline extracts the records
(:mod:`kerasdoctor.scan`), probes the questions (:mod:`.questions` says what to probe) and
hands the verdicts here. One module per concern: :mod:`.paths` (private paths, families),
:mod:`.ladders` (which branch runs), :mod:`.fixes` (replacements and edits), :mod:`.judge`
(KD501-KD507), :mod:`.suppress` (``# noqa``, ``--select``/``--ignore``).
"""

from __future__ import annotations

from kerasdoctor.diagnose.code.facts import ScanFacts
from kerasdoctor.diagnose.code.judge import judge

__all__ = ["ScanFacts", "judge"]
