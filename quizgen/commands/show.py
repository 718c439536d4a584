"""``quizgen show momentum --problem bowl --start -75,-10 --lr 0.1 --steps 3``: the step table
in the terminal, with the rule and each step's substituted numbers.

Every number given (``--start``, ``--grads``, ``--w0``, ``--lr``, ``--set``) must be finite; at most
:data:`MAX_STEPS` steps. A run that diverges is shown up to the step where a parameter passes
:data:`DIVERGED` (or overflows), followed by 「発散しました（ステップ k で |W| > 1e+12）」.
"""

from __future__ import annotations

import argparse
import inspect
import math

import numpy as np
from rich.console import Console
from rich.table import Table

import optimizers

from .. import formulas, textmath
from ..trace import run as run_trace

MAX_STEPS = 1000  # steps shown (a table row and a line per assignment each)
DIVERGED = 1e12  # |W| beyond this ends the run as diverged


def _floats(text: str, what: str, n: int | None = None) -> list[float]:
    """Comma-separated finite numbers (``n`` of them if given); one clear error otherwise."""
    items = text.replace("，", ",").split(",")
    try:
        values = [float(v) for v in items if v.strip()]
    except ValueError:
        raise ValueError(f"{what} must be comma-separated numbers, got {text!r}") from None
    if not values or len(values) != len(items):
        raise ValueError(f"{what} must be comma-separated numbers with none left empty, got {text!r}")
    if n is not None and len(values) != n:
        raise ValueError(f"{what} needs {n} number{'s' if n > 1 else ''}, got {text!r}")
    bad = [v for v in values if v != v or v in (float("inf"), float("-inf"))]
    if bad:
        raise ValueError(f"{what} must be finite numbers, got {text!r}")
    return values


def conventions() -> tuple[str, ...]:
    """Every rule form some optimizer offers (textbook, sutskever, pytorch, paper), in the registry's order."""
    return tuple(dict.fromkeys(c for m in optimizers.MODULES.values() for c in m.INFO.conventions))


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("show", help="show a worked example (step table, rule, substituted numbers)",
                       description="Run a reference optimizer and print every step: the state table, the rule, "
                                   "and each assignment with its numbers substituted.")
    p.add_argument("optimizer", help=f"one of: {', '.join(optimizers.MODULES)}")
    p.add_argument("--problem", default="bowl", help="bowl, ravine, rosenbrock, saddle (default bowl)")
    p.add_argument("--start", default="-75,-10", help="start point x,y (default -75,-10)")
    p.add_argument("--grads", help="instead of a problem: gradient per step for a scalar W, e.g. 1.0,0.5,-0.2")
    p.add_argument("--w0", default="0", help="with --grads: the initial W (default 0)")
    p.add_argument("--steps", type=int, default=3, help=f"number of steps, 1 to {MAX_STEPS} (default 3)")
    p.add_argument("--lr", help="learning rate (default: the class's)")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="another constructor argument, e.g. --set momentum=0.5 (repeatable)")
    p.add_argument("--convention", default="textbook", choices=conventions(),
                   help="rule form; the optimizer must offer it (e.g. nesterov: textbook, sutskever, pytorch)")
    return p


def run(args: argparse.Namespace) -> int:
    module = optimizers.get(args.optimizer)
    if args.convention not in module.INFO.conventions:
        raise ValueError(f"{module.INFO.key} has no {args.convention!r} convention; "
                         f"choose from {', '.join(module.INFO.conventions)}")
    if not 1 <= args.steps <= MAX_STEPS:
        raise ValueError(f"--steps must be between 1 and {MAX_STEPS}, got {args.steps}")
    kwargs: dict[str, float] = {}
    if args.lr is not None:
        kwargs["lr"] = _floats(args.lr, "--lr", 1)[0]
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"--set expects NAME=VALUE, got {item!r}")
        kwargs[name.strip()] = _floats(value, f"--set {name}", 1)[0]
    if "lr" in kwargs and args.convention != "pytorch":
        accepted = inspect.signature(module.INFO.cls.__init__).parameters
        if "lr" not in accepted:
            raise ValueError(f"{module.INFO.cls.__name__} has no learning rate (lr); drop --lr")
    if args.grads is not None:
        grads = [{"W": [g]} for g in _floats(args.grads, "--grads")]
        if len(grads) > MAX_STEPS:
            raise ValueError(f"--grads: at most {MAX_STEPS} gradients, got {len(grads)}")
        trace = run_trace(module.INFO.key, grads=grads, params0={"W": [_floats(args.w0, "--w0", 1)[0]]},
                          steps=min(args.steps, len(grads)), convention=args.convention, diverge_above=DIVERGED,
                          **kwargs)
    else:
        trace = run_trace(module.INFO.key, problem=args.problem, start=_floats(args.start, "--start", 2),
                          steps=args.steps, convention=args.convention, diverge_above=DIVERGED, **kwargs)
    console = Console()
    render(trace, console)
    if trace.diverged is not None:
        console.print(diverged_text(trace), highlight=False)
    return 0


def diverged_text(trace) -> str:
    """「発散しました（ステップ k で |W| > 1e+12）」, or 「… |W| が inf」 when W overflowed."""
    k = trace.diverged
    values = [float(v) for r in trace.records[k - 1].after.values() for v in np.asarray(r["W"]).reshape(-1)]
    if all(math.isfinite(v) for v in values):
        return f"発散しました（ステップ {k} で |W| > {DIVERGED:.0e}）。以降は表示しません。"
    worst = "nan" if any(math.isnan(v) for v in values) else "inf"
    return f"発散しました（ステップ {k} で |W| が {worst} になりました）。以降は表示しません。"


def render(trace, console: Console) -> None:
    info = optimizers.get(trace.optimizer).INFO
    args = ", ".join(f"{k}={v}" for k, v in trace.args.items())
    where = f"problem {trace.problem}" if trace.problem else "given gradients"
    console.print(f"[bold]{info.name_ja}[/bold] ({trace.convention}; {args}; {where})")
    console.print("rule: " + "   ".join(textmath.to_text(line) for line in trace.rule.latex_lines()), highlight=False)
    state = [s.name for s in trace.rule.symbols.values() if s.kind in ("state", "temp")]
    derived = [t for t, _ in trace.rule.derived]
    for key in trace.keys:
        table = Table(title=f"parameter {key}", show_lines=False)
        for col in ["t", "g", *state, *derived, key] + (["loss"] if trace.problem else []):
            table.add_column(col, justify="right")
        loss0 = [formulas.number(trace.loss0)] if trace.problem else []
        table.add_row("0", "", *[formulas.number(trace.value(s, 0, key)) if s in trace.rule.state_names else ""
                                 for s in state], *["" for _ in derived], formulas.number(trace.params0[key]), *loss0)
        for r in trace.records:
            env = r.after[key]
            loss = [formulas.number(r.loss)] if trace.problem else []
            table.add_row(str(r.t), formulas.number(r.grads[key]), *[formulas.number(env[s]) for s in state],
                          *[formulas.number(env[d]) for d in derived], formulas.number(env["W"]), *loss)
        console.print(table)
        for r in trace.records:
            for line in formulas.step_lines(trace, r.t, key):
                console.print("  " + textmath.to_text(line), highlight=False)
