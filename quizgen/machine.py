"""How fast this machine is, so benchmark figures from different machines can be compared.

Build times depend on the machine as much as on the code: the same commit built the site in 22-30 s on one
2-core VM and in 9 s on another. The benchmarks print this reference next to their figures; divide by it to
compare runs made on different machines.
"""

from __future__ import annotations

import os
import time

LOOP = 10_000_000


def reference_seconds(repeats: int = 3) -> float:
    """Best of ``repeats`` timings of a pure-Python loop of ten million additions on one core."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        total = 0
        for i in range(LOOP):
            total += i
        best = min(best, time.perf_counter() - t0)
    return best


def describe() -> str:
    """One line for a benchmark's output: the reference loop's time and the load before the run."""
    return (f"machine reference: a pure-Python loop of 10⁷ additions takes {reference_seconds():.2f} s on one core "
            f"(load average {os.getloadavg()[0]:.2f})")
