"""kerasdoctor: find the Keras import line that really works in a Python environment.

The public Python API is :func:`kerasdoctor.api.diagnose`; the command line (``kerasdoctor``)
is a thin layer over it. In IPython and Jupyter, ``%load_ext kerasdoctor`` adds the
``%kerasdoctor`` magic (:mod:`kerasdoctor.cli.notebook`).
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "load_ipython_extension"]


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext kerasdoctor``: register ``%kerasdoctor`` in ``ipython`` (an IPython shell)."""
    # Imported here: `kerasdoctor --version` and the command line never pay for IPython.
    from kerasdoctor.cli.notebook import load

    load(ipython)
