"""The render stage: pure functions from a :class:`~kerasdoctor.models.Report` to text.

Each format is one module; renderers return strings and never print.
"""
