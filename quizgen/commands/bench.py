"""``quizgen bench``: verified questions per second per family (without and with the worked solution).

"Verified" means what generation always does: the answer executed by the reference class and checked
against its rule (numeric and trajectory), every distractor executed and proven different (mistakes,
code mutants, symbolic proofs). Caches (compiled rules, mutants, proofs, paths) are warmed first, then
``--count`` questions of fresh seeds are timed; CPU time is reported beside wall time because a busy
machine slows the wall clock.
"""

from __future__ import annotations

import argparse
import time

from rich.table import Table

from .. import engine, families
from ._render import console


def measure(family: str, count: int, start: int, render: bool) -> tuple[float, float]:
    w0, c0 = time.perf_counter(), time.process_time()
    for s in range(start, start + count):
        engine.generate(family, s, render=render)
    return count / max(1e-9, time.perf_counter() - w0), count / max(1e-9, time.process_time() - c0)


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("bench", help="questions per second per family (verified, with and without solutions)")
    p.add_argument("--family", action="append", help="a family (repeatable; default all)")
    p.add_argument("--count", type=int, default=2000, help="timed questions per family (default 2000)")
    p.add_argument("--warmup", type=int, default=500, help="untimed questions first (default 500)")
    p.add_argument("--rendered", type=int, default=100, help="timed questions with solutions (default 100)")
    return p


def run(args: argparse.Namespace) -> int:
    names = args.family or list(families.NAMES)
    for n in names:
        families.get(n)
    if args.count < 1:
        raise ValueError(f"--count must be >= 1, got {args.count}")
    table = Table(title="verified questions per second", title_justify="left")
    for col in ("family", "kind", "no solution (wall)", "no solution (CPU)", "with solution (wall)"):
        table.add_column(col, justify="right" if "(" in col else "left")
    base = 10**9
    for n in names:
        for s in range(base, base + args.warmup):
            engine.generate(n, s, render=False)
        wall, cpu = measure(n, args.count, base + args.warmup, False)
        rwall, _ = measure(n, max(1, args.rendered), base + args.warmup + args.count, True)
        table.add_row(n, families.get(n).KIND, f"{wall:,.0f}/s", f"{cpu:,.0f}/s", f"{rwall:,.0f}/s")
    console().print(table)
    return 0
