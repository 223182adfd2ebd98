"""``python -m kerasdoctor``: the same entry point as the ``kerasdoctor`` script."""

from kerasdoctor.cli import main

if __name__ == "__main__":  # pragma: no cover - exercised through subprocess tests
    main()
