"""The target stage: which interpreter to diagnose, and what is installed in it."""

from kerasdoctor.target.discover import choose_interpreter
from kerasdoctor.target.inspect import inspect_target

__all__ = ["choose_interpreter", "inspect_target"]
