"""kerasdoctor: find the Keras import line that really works in a Python environment.

The public Python API is :func:`kerasdoctor.api.diagnose`; the command line (``kerasdoctor``)
is a thin layer over it.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
