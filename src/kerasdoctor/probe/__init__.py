"""The probe stage: run each candidate line in a fresh process of the target interpreter.

Processes are started, read and ended by :mod:`kerasdoctor.process` (its rules are listed
there); scheduling and the mapping from a payload run to a verdict are in
:mod:`kerasdoctor.probe.runner`, warm processes that fork per line in
:mod:`kerasdoctor.probe.zygote`, and the payload itself is ``child_probe.py``.
"""

from kerasdoctor.probe.runner import ProbeSettings, WarmPool, probe_all, warm_pool

__all__ = ["ProbeSettings", "WarmPool", "probe_all", "warm_pool"]
