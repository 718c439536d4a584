"""How many worker processes a command may start: one rule for every ``--jobs`` (and ``QUIZ_JOBS``).

A job count is a whole number between 1 and the cores this process may run on (``os.sched_getaffinity``,
else ``os.cpu_count()``): more processes than cores only add memory and switching (``stress --jobs 10000``
forked thousands of processes), and 0 or a negative count means nothing.
"""

from __future__ import annotations

import os


def cores() -> int:
    """The cores this process may run on (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def check_jobs(value: object, what: str = "--jobs") -> int:
    """``value`` as a job count (int or its text); ``ValueError`` naming ``what`` when it is not one."""
    limit = cores()
    text = str(value).strip()
    try:
        if isinstance(value, bool) or isinstance(value, float):
            raise ValueError
        n = int(text)
    except ValueError:
        raise ValueError(f"{what} must be a whole number between 1 and {limit} (this machine's cores), "
                         f"got {value!r}") from None
    if not 1 <= n <= limit:
        raise ValueError(f"{what} must be between 1 and {limit} (this machine's cores), got {n}")
    return n


def default_jobs(value: object | None, what: str = "--jobs") -> int:
    """``value`` checked, or every core when it is ``None`` or empty."""
    if value is None or str(value).strip() == "":
        return cores()
    return check_jobs(value, what)
