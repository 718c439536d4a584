"""``quizgen bench-drill``: the drill's targets, measured (never asserted in a test: the figures depend on the
machine and on what else runs on it, so the machine reference and the load average are printed).

1. a class run, 40 students × 20 questions with PDFs: wall time (target ≤ 15 s on 2 cores) and the peak
   memory of the whole process tree, PSS (target ≤ 1 GiB);
2. a class run, 40 × 10: the size of all files together (target ≤ 15 MB) and of each class PDF (≤ 5 MB);
3. one sheet (``quizgen drill --student``, 10 questions) in a new process, start-up included (≤ 1.5 s).

Each run is the ``quizgen drill`` command in a new process (start-up included), as a teacher runs it, from a
generated roster into a temporary folder (kept with ``--keep DIR``); its processes are sampled from outside.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from ..drill import make_spec
from ..drill.roster import Student
from ..drill.typst_pdf import page_count
from ..machine import describe

TARGET_SECONDS = 15.0
TARGET_MEMORY_MIB = 1024
TARGET_FILES_MB = 15.0
TARGET_CLASS_PDF_MB = 5.0
TARGET_SHEET_SECONDS = 1.5


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("bench-drill", help="benchmark: time, memory and file sizes of class drill runs",
                       description="Build drill sheets for a generated class (40 students × 20 questions with "
                                   "PDFs), then 40 × 10 for the file sizes, then one sheet in a new process, and "
                                   "print each figure beside its target.")
    p.add_argument("--students", type=int, default=40, help="students in the class (default 40)")
    p.add_argument("--count", type=int, default=20, help="questions per sheet of the timed run (default 20)")
    p.add_argument("--size-count", type=int, default=10, help="questions per sheet of the size run (default 10)")
    p.add_argument("--seed", type=int, default=1, help="seed of the run (default 1)")
    p.add_argument("--families", nargs="+", help="question families (default: all)")
    p.add_argument("--optimizers", nargs="+", help="optimizers (default: any)")
    p.add_argument("--jobs", type=int, help="worker processes (default: the machine's cores)")
    p.add_argument("--html-only", action="store_true", help="the timed run only, HTML sheets, no PDF")
    p.add_argument("--no-sheets", action="store_true", help="class PDFs only, no PDF per student (drill --no-sheets)")
    p.add_argument("--timed-only", action="store_true", help="the timed run only (no size run, no single sheet)")
    p.add_argument("--keep", metavar="DIR", help="build into DIR and keep it (default: a temporary folder)")
    return p


def _not_compiled() -> int:
    """How many of the project's modules a new process must compile (no up-to-date .pyc, and Python told not to
    write one): 0 when Python writes byte code itself."""
    import importlib.util

    if not sys.dont_write_bytecode:
        return 0
    root = Path(__file__).resolve().parents[2]
    stale = 0
    for src in [*root.joinpath("quizgen").rglob("*.py"), *root.joinpath("optimizers").rglob("*.py")]:
        pyc = Path(importlib.util.cache_from_source(str(src)))
        stale += not pyc.exists() or pyc.stat().st_mtime < src.stat().st_mtime
    return stale


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


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


def _pss_kib(pid: int) -> int:
    """The memory of one process that is its own: PSS (each page shared with other processes, as a forked
    worker shares its parent's, counted once over all of them), or RSS where the kernel has no smaps_rollup."""
    for name, field in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            with open(name) as f:
                for line in f:
                    if line.startswith(field):
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


def tree_pss_kib(root: int) -> int:
    """Memory of ``root`` and all its descendants (PSS: shared pages counted once), in KiB."""
    return sum(_pss_kib(pid) for pid in tree(root))


class MemorySampler:
    """Samples the process tree every ``interval`` seconds in a thread: ``peak`` RSS in KiB, and ``cpu``:
    the CPU seconds used by every process of the tree (each process's last sample; a process that ends
    between two samples loses at most one interval)."""

    def __init__(self, interval: float = 0.1, root: int | None = None):
        self.interval = interval
        self.root = root
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
        self.peak = max(self.peak, sum(_pss_kib(p) for p in pids))
        for pid in pids:
            self._cpu[(pid, 0.0)] = max(self._cpu.get((pid, 0.0), 0.0), _cpu_seconds(pid))

    def _loop(self) -> None:
        me = self.root or os.getpid()
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


def _class_run(args, count: int, roster: Path, out: Path, pdf: bool) -> tuple[dict, float, MemorySampler]:
    """``quizgen drill --roster`` in a new process, as a teacher runs it (start-up included), sampled from
    here (a sampler in the same process would take turns with the run that generates the sheets)."""
    cmd = [sys.executable, "-m", "quizgen", "drill", "--count", str(count), "--seed", str(args.seed),
           "--roster", str(roster), "--out", str(out), "--quiet"]
    for option, value in (("--families", args.families), ("--optimizers", args.optimizers)):
        if value:
            cmd += [option, *value]
    if args.jobs:
        cmd += ["--jobs", str(args.jobs)]
    if not pdf:
        cmd.append("--html-only")
    if args.no_sheets:
        cmd.append("--no-sheets")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd)
    with MemorySampler(root=proc.pid) as mem:
        code = proc.wait()
    wall = time.perf_counter() - t0
    if code != 0:
        raise OSError(f"the drill run failed (exit status {code}): {' '.join(cmd)}")
    manifest = json.loads((out / "drill.json").read_text(encoding="utf-8"))
    return manifest, wall, mem


def _pages(files: list[Path]) -> int:
    return sum(page_count(p.read_bytes()) for p in files if p.suffix == ".pdf")


def run(args: argparse.Namespace) -> int:
    if args.students < 1 or args.count < 1 or args.size_count < 1:
        raise ValueError("--students, --count and --size-count must be at least 1")
    pdf = not args.html_only
    spec = make_spec(args.count, args.seed, args.families, args.optimizers, "ja", "")
    students = [Student(f"s{i:03d}", f"生徒 {i:03d}") for i in range(1, args.students + 1)]
    what = "HTML only" if not pdf else "class PDFs only" if args.no_sheets else "with PDFs"
    print(f"bench-drill: {args.students} students × {args.count} questions, {what}, "
          f"families {','.join(spec.families)}; {os.cpu_count()} cores")
    print(f"  {describe()}")
    stale = _not_compiled()
    if stale:
        print(f"  note: PYTHONDONTWRITEBYTECODE is set and {stale} of the project's modules have no up-to-date byte "
              "code: every process compiles them again (0.2 s of a sheet for all of them); `make setup` compiles them")
    with tempfile.TemporaryDirectory(prefix="quizgen-bench-") as tmp:
        base = Path(args.keep) if args.keep else Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        roster = base / "roster.csv"
        roster.write_text("id,name\n" + "".join(f"{s.id},{s.name}\n" for s in students), encoding="utf-8")
        manifest, wall, mem = _class_run(args, args.count, roster, base / "class", pdf)
        files = [base / "class" / f for f in manifest["files"]]
        size = sum(p.stat().st_size for p in files)
        pdfs = [p for p in files if p.suffix == ".pdf"]
        print(f"  [1] class run (quizgen drill --roster, a new process): {len(files)} files"
              + (f", {len(pdfs)} PDFs, {_pages(pdfs):,} pages" if pdf else ""))
        print(f"      total {wall:.1f} s wall (target ≤ {TARGET_SECONDS:.0f} s on 2 cores: "
              f"{_met(wall <= TARGET_SECONDS)}); CPU time of the process tree {mem.cpu:.0f} s")
        print(f"      peak memory (PSS of the run's processes, sampled every 0.1 s): "
              f"{mem.peak / 1024:.0f} MiB "
              f"(target ≤ {TARGET_MEMORY_MIB} MiB: {_met(mem.peak / 1024 <= TARGET_MEMORY_MIB)})")
        print(f"      written: {len(files)} files, {size / 2**20:.1f} MiB")
        if pdf and not args.timed_only:
            manifest10, wall10, _ = _class_run(args, args.size_count, roster, base / "sizes", pdf)
            files10 = [base / "sizes" / f for f in manifest10["files"]]
            total = sum(p.stat().st_size for p in files10) / 1e6
            classes = {p.name: p.stat().st_size / 1e6 for p in files10 if p.name.startswith("class-")}
            biggest = max(classes.values(), default=0.0)
            print(f"  [2] {args.students} × {args.size_count} ({wall10:.1f} s): all files {total:.1f} MB (target ≤ "
                  f"{TARGET_FILES_MB:.0f} MB: {_met(total <= TARGET_FILES_MB)}); "
                  + ", ".join(f"{k} {v:.1f} MB" for k, v in sorted(classes.items()))
                  + f" (target ≤ {TARGET_CLASS_PDF_MB:.0f} MB each: {_met(biggest <= TARGET_CLASS_PDF_MB)})")
            one = base / "one"
            cmd = [sys.executable, "-m", "quizgen", "drill", "--count", "10", "--seed", str(args.seed),
                   "--student", "s001", "--name", "生徒 001", "--quiet", "--out", str(one)]
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True)
            sheet = time.perf_counter() - t0
            print(f"  [3] one sheet (drill --student, 10 questions, a new process): {sheet:.2f} s "
                  f"(target ≤ {TARGET_SHEET_SECONDS} s: {_met(sheet <= TARGET_SHEET_SECONDS)})")
    print(f"  load average after: {os.getloadavg()[0]:.2f} (other work on the machine slows every figure)")
    return 0
