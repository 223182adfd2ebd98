"""The pure back end of ``kerasdoctor fix``: span edits, verification, byte-exact writing.

Given decisions ("this import's names now come from these modules", "this attribute chain
becomes that one") and the text of a file, these modules produce the new file bytes and prove
them safe; nothing here probes a target or discovers files (that is the scan side's job).

- :mod:`.edits`: the decisions (:class:`~.edits.FromImportRewrite`, ...), the
  :class:`~.edits.TextEdit` spans that carry them out, and :func:`~.edits.plan_edits`.
- :mod:`.verify`: the rewritten text parses and its tree equals the original's outside edits.
- :mod:`.rewrite`: plan + apply + verify in one call (:func:`~.rewrite.rewrite_source`).
- :mod:`.textio`: decode a ``.py`` file as Python does and splice edits back byte-exactly.
- :mod:`.notebook`: replace only the ``source`` of given cells in a notebook's raw JSON.
- :mod:`.write`: atomic, symlink-preserving, mode-keeping writes that report failures as data.
- :mod:`.diff`: unified diffs for display.
"""
