"""``quizgen bench-drill``: time a class-sized drill run (default 40 students × 20 questions, with PDFs)
and its peak memory (this process plus every child: worker processes, node, Chromium).

It builds into a temporary folder (removed afterwards unless ``--keep DIR``) from a generated roster,
with the same code path as ``quizgen drill --roster``. The target on the project's 2-core machines is
≤ 30 s; the figure depends on the machine and on what else runs on it, so the load average is printed.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from pathlib import Path

from ..drill import build, make_spec
from ..drill.roster import Student
from ..machine import describe

TARGET_SECONDS = 30.0


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("bench-drill", help="benchmark: time and peak memory of a class drill run with PDFs",
                       description="Build drill sheets for a generated class (default 40 students × 20 questions, "
                                   "with PDFs) and print the time of each phase and the peak memory.")
    p.add_argument("--students", type=int, default=40, help="students in the class (default 40)")
    p.add_argument("--count", type=int, default=20, help="questions per sheet (default 20)")
    p.add_argument("--seed", type=int, default=1, help="seed of the run (default 1)")
    p.add_argument("--families", nargs="+", help="question families (default: all)")
    p.add_argument("--optimizers", nargs="+", help="optimizers (default: any)")
    p.add_argument("--jobs", type=int, help="worker processes (default: the machine's cores)")
    p.add_argument("--html-only", action="store_true", help="skip the PDFs")
    p.add_argument("--keep", metavar="DIR", help="build into DIR and keep it (default: a temporary folder)")
    return p


# -- memory of the whole process tree, sampled ---------------------------------------------------
def _children(pid: int) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (Linux /proc/<pid>/stat)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK
    except (OSError, IndexError, ValueError):
        return 0.0


def tree(root: int) -> list[int]:
    """``root`` and all its descendants (Linux /proc)."""
    out, todo, seen = [], [root], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        out.append(pid)
        todo += _children(pid)
    return out


def tree_rss_kib(root: int) -> int:
    """Resident memory of ``root`` and all its descendants, in KiB."""
    return sum(_rss_kib(pid) for pid in tree(root))


class MemorySampler:
    """Samples the process tree every ``interval`` seconds in a thread: ``peak`` RSS in KiB, and ``cpu``:
    the CPU seconds used by every process of the tree (each process's last sample; a process that ends
    between two samples loses at most one interval)."""

    def __init__(self, interval: float = 0.1):
        self.interval = interval
        self.peak = 0
        self._cpu: dict[tuple[int, float], float] = {}
        self._start: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    @property
    def cpu(self) -> float:
        return sum(self._cpu.values()) - sum(self._start.values())

    def _sample(self, me: int) -> None:
        pids = tree(me)
        self.peak = max(self.peak, sum(_rss_kib(p) for p in pids))
        for pid in pids:
            self._cpu[(pid, 0.0)] = max(self._cpu.get((pid, 0.0), 0.0), _cpu_seconds(pid))

    def _loop(self) -> None:
        me = os.getpid()
        self._start = {me: _cpu_seconds(me)}
        while not self._stop.is_set():
            self._sample(me)
            self._stop.wait(self.interval)
        self._sample(me)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def run(args: argparse.Namespace) -> int:
    if args.students < 1 or args.count < 1:
        raise ValueError("--students and --count must be at least 1")
    spec = make_spec(args.count, args.seed, args.families, args.optimizers, "ja", "")
    students = [Student(f"s{i:03d}", f"生徒 {i:03d}") for i in range(1, args.students + 1)]
    print(f"bench-drill: {args.students} students × {args.count} questions, "
          f"{'HTML only' if args.html_only else 'with PDFs'}, families {','.join(spec.families)}; "
          f"{os.cpu_count()} cores")
    print(f"  {describe()}")
    with tempfile.TemporaryDirectory(prefix="quizgen-bench-") as tmp:
        out = Path(args.keep) if args.keep else Path(tmp) / "out"
        t0 = time.perf_counter()
        with MemorySampler() as mem:
            result = build(spec, out, students, jobs=args.jobs, pdf=not args.html_only, class_run=True)
        wall = time.perf_counter() - t0
        size = sum(p.stat().st_size for p in result.files)
    s = result.seconds
    print(f"  questions generated and HTML rendered: {s.get('generate', 0):.1f} s "
          f"({result.workers} worker process{'es' if result.workers != 1 else ''})")
    if not args.html_only:
        print(f"  PDFs printed (overlapping the generation): {result.pdfs} files, {result.pages} pages; "
              f"all done at {s.get('generate+print', 0):.1f} s")
        print(f"  class PDFs merged: {s.get('merge', 0):.1f} s")
    print(f"  total: {wall:.1f} s   (target ≤ {TARGET_SECONDS:.0f} s on 2 cores: "
          f"{'met' if wall <= TARGET_SECONDS else 'NOT met'})")
    print(f"  CPU time of the process tree: {mem.cpu:.0f} s (≈ {mem.cpu / (os.cpu_count() or 1):.0f} s of wall time "
          f"on an idle {os.cpu_count()}-core machine at full use)")
    print(f"  peak memory (this process and all children, sampled every 0.1 s): {mem.peak / 1024:.0f} MiB")
    print(f"  written: {len(result.files)} files, {size / 2**20:.1f} MiB; "
          f"load average after: {os.getloadavg()[0]:.2f}")
    return 0
