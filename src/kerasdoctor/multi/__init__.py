"""Several targets in one run: the one import line that works in every environment.

``targets`` parses ``--python PATH[::NAME=VALUE,...]`` and names each target; ``run`` runs
the single-target pipeline (:func:`kerasdoctor.pipeline.run_target`) for every target at
once, sharing one budget of probe slots, and probes the few extra lines the common answer
needs; ``common`` is pure: from per-target outcomes to the matrix and the line that works
everywhere (or the split); ``model`` holds the frozen data.
"""
