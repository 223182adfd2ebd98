"""The diagnose stage: pure functions from (target, probe outcomes) to a report."""
