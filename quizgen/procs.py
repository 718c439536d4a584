"""Worker processes that die with their parent.

A worker forked by a ``ProcessPoolExecutor`` waits on a pipe that its siblings hold open too, so when the
parent is killed (``kill -9``, a CI time-out) the workers wait for ever, and so do the KaTeX node servers whose
stdin they hold. :func:`die_with_parent`, run first in every worker (the pools' ``initializer``), asks Linux to
send the worker SIGTERM when its parent ends (``prctl(PR_SET_PDEATHSIG)``); the node servers watch their own
parent (quizgen/site/katex_server.js). Elsewhere the call does nothing.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int | None = None, sig: int = signal.SIGTERM) -> None:
    """Have this process receive ``sig`` when its parent exits; exit at once if the parent (pid ``parent``,
    given by the parent before it forked) is already gone."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if parent is not None and os.getppid() != parent:  # the parent ended before the request was made
        os._exit(1)


def pool_options(context) -> dict:
    """Keyword arguments for a ``ProcessPoolExecutor`` whose workers die with this process."""
    return {"mp_context": context, "initializer": die_with_parent, "initargs": (os.getpid(),)}
