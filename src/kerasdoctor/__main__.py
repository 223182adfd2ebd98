"""``python -m kerasdoctor`` and the ``kerasdoctor`` script: the command line's entry point.

``kerasdoctor --version`` is answered here, before the command line (click and the rest) is
imported: an editor integration or a hook that asks for the version pays only for starting
Python. Everything else goes to :func:`kerasdoctor.cli.main`.
"""

from __future__ import annotations

import sys

from kerasdoctor import __version__


def main() -> None:
    """Console-script entry point; never returns."""
    if sys.argv[1:] == ["--version"]:
        # The very text click's version option prints (tests/unit/test_cli.py::test_version).
        sys.stdout.write(f"kerasdoctor, version {__version__}\n")
        raise SystemExit(0)
    from kerasdoctor.cli import main as cli_main

    cli_main()


if __name__ == "__main__":  # pragma: no cover - exercised through subprocess tests
    main()
