"""What every benchmark prints beside its timings."""

from __future__ import annotations

import resource
import sys


def peak_memory_mb(children: bool = False) -> float:
    """Peak resident memory (MB) of this process, or of its largest finished child process."""
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    peak = resource.getrusage(who).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024  # bytes vs KiB
