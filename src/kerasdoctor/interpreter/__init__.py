"""The target stage: which interpreter to diagnose, and what is installed in it."""

from kerasdoctor.interpreter.discover import choose_interpreter
from kerasdoctor.interpreter.inspect import inspect_target

__all__ = ["choose_interpreter", "inspect_target"]
