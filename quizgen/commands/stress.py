"""``quizgen stress --family steps --seeds 100000``: generate many seeds and count every defect.

Checks per question (a family may add its own: ``STRESS_CHECKS`` names them, ``stress_defects(q)`` counts
them): no non-finite value; the key's displayed digits unchanged when every drawn input is
perturbed by a relative 1e-9 (numeric families, recomputed by executing the rule); no two choices equal at
the displayed precision; no distractor within tolerance of the key; every drawn input on a decimal grid a
person can compute with (≤ 3 significant digits, ≤ 4 decimals); and over all seeds the correct choice's
position uniform (chi-square statistic and p-value per number of choices). Prints the counts; exits 1 if
any defect was found (or the position test fails at p < 0.001).
"""

from __future__ import annotations

import argparse
import math
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np
from rich.table import Table

from .. import engine, families
from ._render import console

NUMERIC = ("steps", "numeric_choice")
PERTURB = 1e-9
CHECKS = ("non-finite value", "digits unstable under 1e-9 perturbation", "choices equal at displayed precision",
          "distractor within tolerance", "input off the decimal grid")


def chi2_sf(x: float, dof: int) -> float:
    """P(X ≥ x) for a chi-square variable with ``dof`` degrees of freedom (regularised upper gamma)."""
    a, z = dof / 2.0, x / 2.0
    if z <= 0:
        return 1.0
    if z < a + 1:  # series for the lower part
        term = total = 1.0 / a
        n = a
        for _ in range(10000):
            n += 1
            term *= z / n
            total += term
            if abs(term) < abs(total) * 1e-15:
                break
        return max(0.0, 1.0 - total * math.exp(-z + a * math.log(z) - math.lgamma(a)))
    # continued fraction for the upper part (Lentz)
    b = z + 1 - a
    c = 1 / 1e-300
    d = 1 / b
    h = d
    for i in range(1, 10000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = 1e-300 if abs(d) < 1e-300 else d
        c = b + an / c
        c = 1e-300 if abs(c) < 1e-300 else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15:
            break
    return math.exp(-z + a * math.log(z) - math.lgamma(a)) * h


def _perturbed(given: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    def p(x):
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            return x
        return float(x) * (1 + PERTURB * (1 if rng.random() < 0.5 else -1))
    g = dict(given)
    g["hyperparameters"] = {k: ([p(b) for b in v] if isinstance(v, list) else p(v))
                            for k, v in given["hyperparameters"].items()}
    if "problem" in g:
        g["start"] = [p(x) for x in given["start"]]
    else:
        g["params0"] = {k: [p(x) for x in v] for k, v in given["params0"].items()}
        g["grads"] = [{k: [p(x) for x in v] for k, v in gr.items()} for gr in given["grads"]]
    return g


def _perturbed_floats(obj: Any, rng: np.random.Generator) -> Any:
    """Every float of a ``given`` moved by a relative 1e-9 (ints, strings and flags stay: layer sizes, names)."""
    if isinstance(obj, float):
        return obj * (1 + PERTURB * (1 if rng.random() < 0.5 else -1))
    if isinstance(obj, dict):
        return {k: _perturbed_floats(v, rng) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_perturbed_floats(v, rng) for v in obj]
    return obj


def _check_recomputed(module: Any, q: Any, seed: int, bad: Counter) -> None:
    """The numeric checks for a family that re-executes its own key (``recompute(given)``, ``inputs(given)``):
    the chapter's four-choice numeric families."""
    from ..families import _common as C

    for c in q.choices:
        if not c.correct and (q.answer.accepts(c.value) or q.answer.accepts(float(c.text))):
            bad["distractor within tolerance"] += 1
    rng = np.random.default_rng(seed)
    for _ in range(2):
        with np.errstate(all="ignore"):
            v = module.recompute(_perturbed_floats(q.given, rng))
        if C.round_text(v, q.answer.decimals) != q.answer.text:
            bad["digits unstable under 1e-9 perturbation"] += 1
            break
    for x in module.inputs(q.given):
        if C.significant_decimals(x) > 3 or C.decimals_of(x) > 4:
            bad["input off the decimal grid"] += 1
            break


def check_one(family: str, seed: int, options: dict[str, Any]) -> tuple[Counter, int, int]:
    """Defect counts for one seed, the correct index and the number of choices."""
    from ..families import _common as C
    from ..families._numeric import inputs_of
    from ..families._run import execute

    bad: Counter = Counter()
    q = engine.generate(family, seed, render=False, **options)
    values = [q.answer.value] + [c.value for c in q.choices]
    if any(v is not None and not math.isfinite(v) for v in values):
        bad["non-finite value"] += 1
    texts = [c.text for c in q.choices]
    if len(set(texts)) != len(texts):
        bad["choices equal at displayed precision"] += 1
    if family in NUMERIC:
        for c in q.choices:
            if not c.correct and (q.answer.accepts(c.value) or q.answer.accepts(float(c.text))):
                bad["distractor within tolerance"] += 1
        rng = np.random.default_rng(seed)
        for _ in range(2):
            with np.errstate(all="ignore"):
                v = execute(_perturbed(q.given, rng), check=False).asked()
            if C.round_text(v, q.answer.decimals) != q.answer.text:
                bad["digits unstable under 1e-9 perturbation"] += 1
                break
        for x in inputs_of(q.given):
            if C.significant_decimals(x) > 3 or C.decimals_of(x) > 4:
                bad["input off the decimal grid"] += 1
                break
    elif hasattr(families.get(family), "recompute"):
        _check_recomputed(families.get(family), q, seed, bad)
    elif family == "trajectory":
        from ..families import _common as C

        xs = [v for s in q.given["series"] for v in s["hyperparameters"].values()] + list(q.given["start"])
        if any(C.significant_decimals(x) > 3 for x in xs):
            bad["input off the decimal grid"] += 1
    module = families.get(family)
    if hasattr(module, "stress_defects"):  # a family with checks of its own (the chapter families)
        bad.update(module.stress_defects(q, seed))
    index = q.answer.index if q.answer.index is not None else -1
    return bad, index, len(q.choices)


def _chunk(args: tuple[str, list[int], dict[str, Any]]) -> tuple[Counter, Counter, int]:
    family, seeds, options = args
    bad: Counter = Counter()
    positions: Counter = Counter()
    for s in seeds:
        b, index, n = check_one(family, s, options)
        bad.update(b)
        positions[(n, index)] += 1
    return bad, positions, len(seeds)


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("stress", help="generate many seeds of a family and count defects (not part of the tests)")
    p.add_argument("--family", required=True, help=f"one of: {', '.join(families.NAMES)}")
    p.add_argument("--seeds", type=int, default=100000, help="number of seeds (default 100000)")
    p.add_argument("--start", type=int, default=0, help="first seed (default 0)")
    p.add_argument("--optimizer", help="restrict to one optimizer")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="another family option")
    p.add_argument("--jobs", default="1", help="worker processes, 1 to the machine's cores (default 1)")
    return p


def run(args: argparse.Namespace) -> int:
    from ..jobs import check_jobs
    from .questions import parse_sets

    families.get(args.family)
    if args.seeds < 1:
        raise ValueError(f"--seeds must be >= 1, got {args.seeds}")
    args.jobs = check_jobs(args.jobs)
    options = parse_sets(args.set)
    if args.optimizer:
        options["optimizer"] = args.optimizer
    seeds = engine.seeds_for(args.start, args.seeds)
    size = max(1, min(2000, len(seeds) // max(1, args.jobs * 4)))
    chunks = [(args.family, seeds[i:i + size], options) for i in range(0, len(seeds), size)]
    t0 = time.perf_counter()
    bad: Counter = Counter()
    positions: Counter = Counter()
    done = 0
    if args.jobs > 1:
        from multiprocessing import get_context

        from ..procs import pool_options

        with ProcessPoolExecutor(args.jobs, **pool_options(get_context())) as pool:
            results = pool.map(_chunk, chunks)
            for b, p, n in results:
                bad.update(b)
                positions.update(p)
                done += n
    else:
        for c in chunks:
            b, p, n = _chunk(c)
            bad.update(b)
            positions.update(p)
            done += n
    elapsed = time.perf_counter() - t0
    con = console()
    table = Table(title=f"stress {args.family}: {done} seeds from {args.start} in {elapsed:.1f} s "
                        f"({done / elapsed:.0f}/s)", title_justify="left")
    table.add_column("check")
    table.add_column("defects", justify="right")
    extra = tuple(getattr(families.get(args.family), "STRESS_CHECKS", ()))  # the checks a family adds
    for name in CHECKS + extra:
        table.add_row(name, str(bad.get(name, 0)))
    for name in sorted(set(bad) - set(CHECKS) - set(extra)):
        table.add_row(name, str(bad[name]))
    con.print(table)
    failed = sum(bad.values()) > 0
    by_n: dict[int, Counter] = {}
    for (n, index), count in positions.items():
        by_n.setdefault(n, Counter())[index] += count
    pos = Table(title="position of the correct choice (chi-square against uniform)", title_justify="left")
    pos.add_column("choices")
    pos.add_column("questions", justify="right")
    pos.add_column("counts per position")
    pos.add_column("chi²", justify="right")
    pos.add_column("dof", justify="right")
    pos.add_column("p-value", justify="right")
    for n in sorted(by_n):
        counts = [by_n[n].get(i, 0) for i in range(n)]
        total = sum(counts)
        if n < 2:
            continue
        expected = total / n
        chi2 = sum((c - expected) ** 2 / expected for c in counts)
        p = chi2_sf(chi2, n - 1)
        pos.add_row(str(n), str(total), " ".join(map(str, counts)), f"{chi2:.2f}", str(n - 1), f"{p:.4f}")
        if total >= 50 * n and p < 0.001:
            failed = True
    if len(by_n) > 1:
        chi_all = dof_all = 0.0
        for n, cnt in by_n.items():
            total = sum(cnt.values())
            if n < 2 or total == 0:
                continue
            chi_all += sum((cnt.get(i, 0) - total / n) ** 2 / (total / n) for i in range(n))
            dof_all += n - 1
        pos.add_row("pooled", str(sum(sum(c.values()) for c in by_n.values())), "", f"{chi_all:.2f}",
                    str(int(dof_all)), f"{chi2_sf(chi_all, int(dof_all)):.4f}")
    con.print(pos)
    con.print("[bold red]DEFECTS FOUND[/]" if failed else "[bold green]no defects[/]")
    return 1 if failed else 0
