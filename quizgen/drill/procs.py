"""Worker processes that never outlive the run, and SIGTERM handled like Ctrl-C.

* :func:`terminate_as_exception`: while a run is going, SIGTERM (``kill``, a CI time-out, a service manager)
  raises :class:`Terminated` in the main process, so the run cleans up its staging folder exactly as on
  Ctrl-C (``KeyboardInterrupt``) and the command ends with one line and exit status 143.
* :func:`worker_init` (each pool worker, first thing): Ctrl-C is left to the parent (a worker ignores SIGINT,
  so one Ctrl-C gives one message, not a traceback per worker); SIGTERM kills the worker (the parent's handler
  is not inherited); on Linux the kernel sends the worker SIGTERM when the parent dies, even by SIGKILL
  (``PR_SET_PDEATHSIG``). A node KaTeX helper a worker starts reads its requests from a pipe and exits when
  the pipe closes, that is when its worker dies.
* ``--jobs`` follows every command's rule (:func:`quizgen.jobs.default_jobs`).
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator

from ..procs import die_with_parent


class Terminated(KeyboardInterrupt):
    """SIGTERM received: stop as on Ctrl-C."""


def _raise_terminated(signum, frame):  # noqa: ARG001
    raise Terminated()


@contextlib.contextmanager
def terminate_as_exception() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` (main thread only; elsewhere a no-op)."""
    try:
        previous = signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def worker_init(parent: int, nice: int = 0) -> None:
    """Run first in every worker process (see the module doc). ``parent``: the pid that forked it (0: started by
    a forkserver, which ends when the run's process does). ``nice``: lower the worker's CPU priority by this
    much (the printers give way to the process that generates the sheets they print)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent(parent or None)
    if nice:
        with contextlib.suppress(OSError, AttributeError):  # AttributeError: no os.nice (Windows)
            os.nice(nice)
