"""The fault suite: misbehaving packages, broken metadata and bad input (issue 5)."""
