"""Worker processes and KaTeX node servers die with their parent, even one killed with SIGKILL
(quizgen/procs.py, quizgen/site/katex_server.js)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def _children(pid: int) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


def _descendants(root: int) -> set[int]:
    seen, todo = set(), _children(root)
    while todo:
        pid = todo.pop()
        if pid not in seen:
            seen.add(pid)
            todo += _children(pid)
    return seen


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _kill_and_wait(proc: subprocess.Popen, seen: set[int], timeout: float = 10.0) -> list[str]:
    """SIGKILL ``proc``; the processes of ``seen`` still alive after ``timeout`` (as 'pid name')."""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(_alive(p) for p in seen):
        time.sleep(0.1)
    left = [f"{p} {_comm(p)}" for p in sorted(seen) if _alive(p)]
    for p in seen:  # leave nothing behind whatever happened
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass
    return left


def _watch(proc: subprocess.Popen, ready, timeout: float = 90.0) -> set[int]:
    """The descendants of ``proc`` seen until ``ready(names)`` holds (names: comm of each live descendant)."""
    seen: set[int] = set()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        now = _descendants(proc.pid)
        seen |= now
        if ready([_comm(p) for p in now if _alive(p)]):
            return seen
        time.sleep(0.1)
    err = proc.stderr.read() if proc.stderr else ""
    raise AssertionError(f"the processes did not start (exit {proc.poll()}): {err}")


SCRIPT = textwrap.dedent("""
    import multiprocessing, sys, time
    from concurrent.futures import ProcessPoolExecutor
    from pathlib import Path
    from quizgen.procs import pool_options
    from quizgen.site.katex import KatexRenderer, shared

    def job(i):
        shared(Path(sys.argv[1])).render("x^%d" % i)  # a node server in the worker
        time.sleep(600)

    if __name__ == "__main__":
        mine = KatexRenderer(Path(sys.argv[1]))  # the parent's own node server, inherited by the workers' forks
        mine.render("a")
        ctx = multiprocessing.get_context("fork")
        pools = [ProcessPoolExecutor(1, **pool_options(ctx)) for _ in range(2)]
        futures = [p.submit(job, i) for i, p in enumerate(pools)]
        print("started", flush=True)
        time.sleep(600)
""")


def test_workers_and_their_node_servers_die_with_a_killed_parent(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(SCRIPT)
    proc = subprocess.Popen([sys.executable, str(script), str(ROOT)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        seen = _watch(proc, lambda names: names.count("node") >= 3)
    except BaseException:
        proc.kill()
        raise
    assert _kill_and_wait(proc, seen) == []


def test_a_killed_site_build_leaves_no_process_behind(tmp_path):
    """A cold build (empty cache): pages rendered by forked workers, quiz pools with node servers."""
    env = dict(os.environ, QUIZGEN_SITE_CACHE=str(tmp_path / "cache"))
    proc = subprocess.Popen([sys.executable, "-m", "quizgen", "site", "build", "--out", str(tmp_path / "out")],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        seen = _watch(proc, lambda names: "node" in names and len([n for n in names if n != "node"]) >= 2)
    except BaseException:
        proc.kill()
        raise
    assert _kill_and_wait(proc, seen) == []
