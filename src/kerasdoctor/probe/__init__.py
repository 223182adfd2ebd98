"""The probe stage: run each candidate line in a fresh process of the target interpreter.

Rules and how they are kept are in :mod:`kerasdoctor.channel`; scheduling and the mapping
from a payload run to a verdict are in :mod:`kerasdoctor.probe.runner`.
"""

from kerasdoctor.probe.runner import ProbeSettings, probe_all

__all__ = ["ProbeSettings", "probe_all"]
