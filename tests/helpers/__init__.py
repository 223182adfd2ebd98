"""Test helpers: real, cached virtual environments (envs) and a fresh-process import oracle."""
