"""Conformance: the executed rules against ``torch.optim`` and the reference classes against their rules.

Three checks, each on random shapes and values, several steps:

1. ``compare(name, options)``: ``optimizers.from_torch(name, **options)`` (the ``pytorch`` sympy rule)
   against ``torch.optim.<Class>(**options)`` in float64, step by step. The errors of the parameters
   and of every state tensor (torch's state names; a name present on one side only is a failure).
2. ``check_textbook(name, **class_args)``: the reference class against its ``textbook`` rule, through
   :func:`quizgen.trace.run` (which raises :class:`~quizgen.trace.TraceMismatch` on any disagreement).
3. ``textbook_vs_torch(name, **class_args)``: the reference class against ``torch.optim`` with
   ``INFO.torch_kwargs``, for the optimizers whose textbook form *is* the torch form (``TEXTBOOK_TORCH``),
   including the map between their state variables (e.g. Momentum's v = −lr·momentum_buffer).

``OPTIONS`` lists option sets that switch every option of every torch optimizer on and off; the
torch conformance tests are parametrised over it, so a new entry is tested automatically.

Run ``python -m quizgen.conformance`` for the table (exit status 1 if anything disagrees).

Tolerance: an element agrees when ``|ours − torch| ≤ ATOL + RTOL·|torch|`` (numpy's ``allclose``).
Reported per quantity: the largest absolute error and the max-norm relative error
``max|ours − torch| / max|torch|``.
"""

from __future__ import annotations

import contextlib
import math
import sys
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import numpy as np

import optimizers
from optimizers.torch_form import TORCH, from_torch

RTOL, ATOL = 1e-10, 1e-12

# torch.optim option sets, per torch optimizer (keys of optimizers.TORCH). Every option appears switched
# on and off; {} is the defaults. One flat literal: append new optimizers as new keys.
OPTIONS: dict[str, list[dict[str, Any]]] = {
    "sgd": [
        {},
        {"lr": 0.1},
        {"lr": 0.05, "momentum": 0.9},
        {"lr": 0.05, "momentum": 0.9, "dampening": 0.3},
        {"lr": 0.05, "momentum": 0.8, "nesterov": True},
        {"lr": 0.05, "weight_decay": 0.1},
        {"lr": 0.05, "maximize": True},
        {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.1, "maximize": True},
        {"lr": 0.05, "momentum": 0.7, "dampening": 0.5, "weight_decay": 0.01, "maximize": True},
        {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.05, "maximize": True},
    ],
    "adagrad": [
        {},
        {"lr": 0.1, "eps": 1e-7},
        {"lr": 0.1, "lr_decay": 0.05},
        {"lr": 0.1, "weight_decay": 0.1},
        {"lr": 0.1, "initial_accumulator_value": 0.5},
        {"lr": 0.1, "maximize": True},
        {"lr": 0.05, "lr_decay": 0.1, "weight_decay": 0.05, "initial_accumulator_value": 0.1, "eps": 1e-6,
         "maximize": True},
    ],
    "rmsprop": [
        {},
        {"lr": 0.01, "alpha": 0.9, "eps": 1e-7},
        {"lr": 0.01, "weight_decay": 0.1},
        {"lr": 0.01, "momentum": 0.9},
        {"lr": 0.01, "centered": True},
        {"lr": 0.01, "centered": True, "momentum": 0.5},
        {"lr": 0.01, "maximize": True},
        {"lr": 0.005, "alpha": 0.95, "eps": 1e-6, "weight_decay": 0.05, "momentum": 0.8, "centered": True,
         "maximize": True},
    ],
    "adadelta": [
        {},
        {"lr": 1.0, "rho": 0.95, "eps": 1e-6},
        {"lr": 0.5},
        {"rho": 0.5, "eps": 1e-4},
        {"weight_decay": 0.1},
        {"maximize": True},
        {"lr": 0.3, "rho": 0.8, "eps": 1e-5, "weight_decay": 0.05, "maximize": True},
    ],
    # the Adam family (reference optimizers part B): every flag on and off, weight decay with and without
    # decoupling, non-default betas and eps (RAdam betas (0.9, 0.6): ρ_∞ = 4, never rectified)
    "adam": [
        {},
        {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6},
        {"lr": 0.05, "weight_decay": 0.1},
        {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True},
        {"lr": 0.05, "amsgrad": True},
        {"lr": 0.05, "maximize": True},
        {"lr": 0.02, "betas": (0.5, 0.9), "eps": 1e-4, "weight_decay": 0.05, "amsgrad": True, "maximize": True},
        {"lr": 0.02, "weight_decay": 0.05, "decoupled_weight_decay": True, "amsgrad": True, "maximize": True},
    ],
    "adamw": [
        {},
        {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6},
        {"lr": 0.05, "weight_decay": 0.0},
        {"lr": 0.05, "weight_decay": 0.3},
        {"lr": 0.05, "amsgrad": True},
        {"lr": 0.05, "maximize": True},
        {"lr": 0.02, "betas": (0.5, 0.9), "eps": 1e-4, "weight_decay": 0.1, "amsgrad": True, "maximize": True},
    ],
    "nadam": [
        {},
        {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6},
        {"lr": 0.05, "momentum_decay": 0.05},
        {"lr": 0.05, "momentum_decay": 0.0},
        {"lr": 0.05, "weight_decay": 0.1},
        {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True},
        {"lr": 0.05, "maximize": True},
        {"lr": 0.02, "betas": (0.5, 0.9), "eps": 1e-4, "weight_decay": 0.05, "decoupled_weight_decay": True,
         "momentum_decay": 0.01, "maximize": True},
    ],
    "radam": [
        {},
        {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6},
        {"lr": 0.05, "betas": (0.9, 0.6)},
        {"lr": 0.05, "weight_decay": 0.1},
        {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True},
        {"lr": 0.05, "maximize": True},
        {"lr": 0.02, "betas": (0.5, 0.9), "eps": 1e-4, "weight_decay": 0.05, "decoupled_weight_decay": True,
         "maximize": True},
    ],
    "adamax": [
        {},
        {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6},
        {"lr": 0.05, "eps": 0.0},
        {"lr": 0.05, "weight_decay": 0.1},
        {"lr": 0.05, "maximize": True},
        {"lr": 0.02, "betas": (0.5, 0.9), "eps": 1e-4, "weight_decay": 0.05, "maximize": True},
    ],
}


# -- errors -----------------------------------------------------------------------------------------
@dataclass
class Diff:
    """How far ``ours`` is from ``torch`` for one quantity (over every element, key and step)."""

    max_abs: float = 0.0
    max_rel: float = 0.0  # max|ours − torch| / max|torch| (max norm)
    ok: bool = True  # every element within ATOL + RTOL·|torch|
    scale: float = 0.0  # max|torch| seen

    def add(self, ours: Any, theirs: Any) -> None:
        a = np.asarray(ours, dtype=np.float64)
        b = np.asarray(theirs, dtype=np.float64)
        if a.shape != b.shape and a.size != 1 and b.size != 1:
            raise ValueError(f"shape mismatch: ours {a.shape}, torch {b.shape}")
        d = np.abs(a - b)
        if not np.all(np.isfinite(a)) or not np.all(np.isfinite(b)):
            same = bool(np.array_equal(a, b, equal_nan=True))
            self.ok = self.ok and same
            if not same:
                self.max_abs = self.max_rel = math.inf
            return
        self.max_abs = max(self.max_abs, float(d.max(initial=0.0)))
        self.scale = max(self.scale, float(np.abs(b).max(initial=0.0)))
        self.max_rel = self.max_abs / self.scale if self.scale > 0 else (0.0 if self.max_abs == 0 else math.inf)
        self.ok = self.ok and bool(np.all(d <= ATOL + RTOL * np.abs(b)))


@dataclass
class Conformance:
    """The result of comparing one optimizer with one option set."""

    optimizer: str
    options: dict[str, Any]
    steps: int
    seed: int
    shapes: list[tuple[int, ...]]
    errors: dict[str, Diff] = field(default_factory=dict)  # "W" and each torch state name
    missing: list[str] = field(default_factory=list)  # state names held by one side only

    @property
    def ok(self) -> bool:
        return not self.missing and all(d.ok for d in self.errors.values())

    @property
    def max_abs(self) -> float:
        return max((d.max_abs for d in self.errors.values()), default=0.0)

    @property
    def max_rel(self) -> float:
        return max((d.max_rel for d in self.errors.values()), default=0.0)

    @property
    def worst(self) -> str:
        """The quantity with the largest relative error."""
        return max(self.errors, key=lambda k: self.errors[k].max_rel, default="")

    def describe(self) -> str:
        parts = [f"{k}: abs {d.max_abs:.2e} rel {d.max_rel:.2e}{'' if d.ok else ' FAIL'}"
                 for k, d in self.errors.items()]
        if self.missing:
            parts.append(f"state on one side only: {', '.join(self.missing)}")
        return f"{self.optimizer}({label(self.options)}) seed={self.seed}: " + "; ".join(parts)


def label(options: dict[str, Any]) -> str:
    """A short readable name of an option set (``defaults`` for ``{}``)."""
    return ", ".join(f"{k}={v!r}" for k, v in options.items()) or "defaults"


# -- random problems ----------------------------------------------------------------------------------
def seed_of(*parts: Any) -> int:
    """A stable seed from readable parts (the same parts give the same problem on every run)."""
    return zlib.crc32(repr(parts).encode())


def random_problem(rng: np.random.Generator, steps: int) -> tuple[dict[str, np.ndarray], list[dict[str, np.ndarray]]]:
    """1–3 parameters of random shapes (0-d to 3-d), their values, and one gradient dict per step.

    Gradient sizes vary over several orders of magnitude, so that eps and the square roots matter.
    """
    n = int(rng.integers(1, 4))
    shapes = [tuple(int(d) for d in rng.integers(1, 5, size=int(rng.integers(0, 4)))) for _ in range(n)]
    params = {f"p{i}": np.array(rng.normal(size=s), dtype=np.float64) for i, s in enumerate(shapes)}
    grads = [{k: np.array(rng.normal(size=v.shape) * 10.0 ** rng.uniform(-3, 1), dtype=np.float64)
              for k, v in params.items()} for _ in range(steps)]
    return params, grads


# -- 1. the pytorch rule against torch.optim --------------------------------------------------------------
@contextlib.contextmanager
def float64() -> Iterator[None]:
    """torch's default dtype float64 while inside (NAdam's mu_product takes the *default* dtype)."""
    import torch

    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(old)


def torch_class(name: str) -> type:
    """``torch.optim``'s class for a key of ``optimizers.TORCH`` ("rmsprop" → torch.optim.RMSprop)."""
    import torch

    key = str(name).strip().lower()
    if key not in TORCH:
        raise ValueError(f"unknown torch optimizer {name!r}; known: {', '.join(TORCH)}")
    for attr in dir(torch.optim):
        cls = getattr(torch.optim, attr)
        if attr.lower() == key and isinstance(cls, type):
            return cls
    raise ValueError(f"torch.optim has no class for {name!r}")


def _plain(value: Any) -> Any:
    import torch

    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy().astype(np.float64)
    return np.asarray(value, dtype=np.float64)


def compare(name: str, options: dict[str, Any] | None = None, *, steps: int = 10,
            seed: int | None = None, rule: Any = None) -> Conformance:
    """Run ``from_torch(name, **options)`` and ``torch.optim`` side by side on a random problem.

    Both get the same gradients (float64) at every step; after every step the parameters and every
    state tensor are compared. ``steps`` defaults to 10 so that RAdam's rectified branch (t ≥ 6) runs.
    ``rule``: execute this Rule object instead of the one ``from_torch`` builds (e.g. the one a page shows).
    """
    import torch

    from optimizers.torch_form import RuleOptimizer

    options = dict(options or {})
    seed = seed_of(name, sorted(options.items())) if seed is None else int(seed)
    ours = from_torch(name, **options)  # raises on an unknown optimizer or argument
    if rule is not None:
        ours = RuleOptimizer(ours.name, rule, ours.args)
    cls = torch_class(name)
    params0, grads = random_problem(np.random.default_rng(seed), steps)
    result = Conformance(ours.name, options, steps, seed, [v.shape for v in params0.values()])
    mine = {k: v.copy() for k, v in params0.items()}
    with float64():
        tensors = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params0.items()}
        theirs = cls(list(tensors.values()), foreach=False, **options)
        for g in grads:
            ours.update(mine, {k: v.copy() for k, v in g.items()})
            for k, p in tensors.items():
                p.grad = torch.tensor(g[k], dtype=torch.float64)
            theirs.step()
            for k, p in tensors.items():
                result.errors.setdefault("W", Diff()).add(mine[k], _plain(p))
                state_ours, state_torch = ours.state.get(k, {}), theirs.state.get(p, {})
                for sname in sorted(set(state_ours) | set(state_torch)):
                    if sname not in state_ours or sname not in state_torch:
                        side = "ours" if sname in state_ours else "torch"
                        tag = f"{sname} (only {side})"
                        if tag not in result.missing:
                            result.missing.append(tag)
                        continue
                    result.errors.setdefault(sname, Diff()).add(state_ours[sname], _plain(state_torch[sname]))
    return result


def check_defaults() -> dict[str, dict[str, tuple[Any, Any]]]:
    """Differences between ``optimizers.TORCH``'s defaults and torch.optim's signatures (empty: none)."""
    import inspect

    out: dict[str, dict[str, tuple[Any, Any]]] = {}
    for key, (_module, defaults) in TORCH.items():
        sig = inspect.signature(torch_class(key).__init__).parameters
        for arg, value in defaults.items():
            if arg not in sig:
                out.setdefault(key, {})[arg] = (value, "<not a torch argument>")
            elif sig[arg].default != value:
                out.setdefault(key, {})[arg] = (value, sig[arg].default)
    return out


# -- 2. the reference class against its textbook rule ------------------------------------------------------
# class arguments to try besides the defaults (keys of optimizers.MODULES)
CLASS_ARGS: dict[str, list[dict[str, Any]]] = {
    "sgd": [{"lr": 0.1}],
    "momentum": [{"lr": 0.1, "momentum": 0.5}],
    "nesterov": [{"lr": 0.1, "momentum": 0.5}],
    "adagrad": [{"lr": 0.1, "eps": 1e-10}],
    "rmsprop": [{"lr": 0.1, "decay_rate": 0.9, "eps": 1e-8}],
    "adadelta": [{"rho": 0.9, "eps": 1e-4}],
    "adam": [{"lr": 0.1, "beta1": 0.5, "beta2": 0.9, "eps": 1e-8}],
    "amsgrad": [{"lr": 0.1, "beta1": 0.5, "beta2": 0.9, "eps": 1e-7}],
    "adamw": [{"lr": 0.01, "weight_decay": 0.01, "schedule": 0.5}],
    "nadam": [{"lr": 0.01, "momentum_decay": 0.05}],
    "radam": [{"lr": 0.01, "beta2": 0.99}],
    "adamax": [{"lr": 0.01, "eps": 0.0}],
}


def check_textbook(name: str, *, grads: list[dict[str, Any]] | None = None, params0: dict[str, Any] | None = None,
                   steps: int = 10, seed: int | None = None, **class_args: Any):
    """Run the reference class and its textbook rule side by side (``trace.run``) on the given gradient
    sequence (one dict per step, applied to ``params0``), or on a random one drawn from ``seed``.

    Returns the :class:`~quizgen.trace.Trace`; raises ``TraceMismatch`` if class and rule disagree.
    """
    from .trace import run

    if (grads is None) != (params0 is None):
        raise ValueError("check_textbook: give both grads= and params0=, or neither (random problem)")
    if grads is None:
        seed = seed_of("textbook", name, sorted(class_args.items())) if seed is None else int(seed)
        params0, grads = random_problem(np.random.default_rng(seed), steps)
    return run(name, grads=grads, params0=params0, **class_args)


# -- 3. the reference class against torch.optim ------------------------------------------------------------
def _neg_lr(opt: Any) -> float | None:
    # torch keeps no buffer when momentum = 0 (its step is plain SGD): nothing to compare v with
    return -float(opt.lr) if opt.momentum != 0 else None


def _one(opt: Any) -> float:
    return 1.0


# optimizers whose textbook class *is* torch.optim with INFO.torch_kwargs (optimizer-rules.md §2):
# class state attribute -> (torch state name, factor) with  class value = factor(instance) · torch value
# (factor None: torch holds no such state for these arguments)
TEXTBOOK_TORCH: dict[str, dict[str, tuple[str, Callable[[Any], float | None]]]] = {
    "sgd": {},
    "momentum": {"v": ("momentum_buffer", _neg_lr)},  # v = −lr · b (constant lr)
    "nesterov": {"v": ("momentum_buffer", _neg_lr)},
    "adagrad": {"h": ("sum", _one)},
    "rmsprop": {"h": ("square_avg", _one)},
    "adadelta": {"h": ("square_avg", _one), "s": ("acc_delta", _one)},
}


def textbook_vs_torch(name: str, *, steps: int = 10, seed: int | None = None, **class_args: Any) -> Conformance:
    """The reference class against ``torch.optim(**INFO.torch_kwargs(instance))`` on a random problem.

    Compares the parameters and each mapped state variable (``TEXTBOOK_TORCH``) after every step.
    """
    import torch

    module = optimizers.get(name)
    if module.INFO.key not in TEXTBOOK_TORCH:
        raise ValueError(f"{name}: its textbook form is not torch.optim's (not in TEXTBOOK_TORCH)")
    mapping = TEXTBOOK_TORCH[module.INFO.key]
    instance = module.INFO.cls(**class_args)
    kwargs = module.INFO.torch_kwargs(instance)
    seed = seed_of("textbook-torch", name, sorted(class_args.items())) if seed is None else int(seed)
    params0, grads = random_problem(np.random.default_rng(seed), steps)
    result = Conformance(module.INFO.key, kwargs, steps, seed, [v.shape for v in params0.values()])
    mine = {k: v.copy() for k, v in params0.items()}
    with float64():
        tensors = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params0.items()}
        theirs = torch_class(module.INFO.torch)(list(tensors.values()), foreach=False, **kwargs)
        for g in grads:
            instance.update(mine, {k: v.copy() for k, v in g.items()})
            for k, p in tensors.items():
                p.grad = torch.tensor(g[k], dtype=torch.float64)
            theirs.step()
            for k, p in tensors.items():
                result.errors.setdefault("W", Diff()).add(mine[k], _plain(p))
                for attr, (tname, factor) in mapping.items():
                    tag = f"{attr} ↔ {tname}"
                    if factor(instance) is None:
                        continue
                    if tname not in theirs.state[p]:
                        if tag not in result.missing:
                            result.missing.append(tag)
                        continue
                    held = getattr(instance, attr)[k]
                    result.errors.setdefault(tag, Diff()).add(held, factor(instance) * _plain(theirs.state[p][tname]))
    return result


# -- the table ------------------------------------------------------------------------------------------------
def run_all(seeds: tuple[int | None, ...] = (None,)) -> list[Conformance]:
    """Every option set of ``OPTIONS`` (whose module exists), once per seed (None: derived from the options)."""
    out = []
    for name, sets in OPTIONS.items():
        for options in sets:
            for seed in seeds:
                out.append(compare(name, options, seed=seed))
    return out


def main(argv: list[str] | None = None) -> int:
    """Print the conformance tables; 1 if anything disagrees beyond RTOL/ATOL."""
    from rich.console import Console
    from rich.table import Table

    from .trace import TraceMismatch

    console = Console(width=None if sys.stdout.isatty() else 160)  # a pipe or a log: wide, not 80 columns
    failed = False

    table = Table(title="PyTorch form (from_torch) vs torch.optim, float64 — "
                  f"agree if |Δ| ≤ {ATOL:g} + {RTOL:g}·|torch|")
    for col in ("optimizer", "options", "steps", "shapes", "max abs", "max rel", "worst", "ok"):
        table.add_column(col, justify="right" if col in ("steps", "max abs", "max rel") else "left")
    for r in run_all():
        failed |= not r.ok
        table.add_row(r.optimizer, label(r.options), str(r.steps), " ".join(str(s) for s in r.shapes),
                      f"{r.max_abs:.1e}", f"{r.max_rel:.1e}", r.worst + (f" missing: {r.missing}" if r.missing else ""),
                      "[green]ok[/]" if r.ok else "[red]FAIL[/]")
    console.print(table)

    bad = check_defaults()
    if bad:
        failed = True
        console.print(f"[red]optimizers.TORCH defaults differ from torch.optim: {bad}[/]")

    table = Table(title="reference class vs its textbook rule (quizgen.trace.run, random gradients)")
    for col in ("optimizer", "class arguments", "steps", "ok"):
        table.add_column(col)
    for key in optimizers.MODULES:
        for args in [{}] + CLASS_ARGS.get(key, []):
            try:
                trace = check_textbook(key, **args)
                status = "[green]ok[/]"
                steps = str(trace.steps)
            except TraceMismatch as e:
                failed, status, steps = True, f"[red]FAIL[/] {e}", "-"
            table.add_row(key, label(args), steps, status)
    console.print(table)

    table = Table(title="reference class vs torch.optim(**INFO.torch_kwargs) where the forms are identical")
    for col in ("optimizer", "torch arguments", "compared", "max abs", "max rel", "ok"):
        table.add_column(col, justify="right" if col.startswith("max") else "left")
    for key in TEXTBOOK_TORCH:
        if key not in optimizers.MODULES:
            continue
        for args in [{}] + CLASS_ARGS.get(key, []):
            r = textbook_vs_torch(key, **args)
            failed |= not r.ok
            table.add_row(key, f"{optimizers.get(key).INFO.torch}({label(r.options)})", ", ".join(r.errors),
                          f"{r.max_abs:.1e}", f"{r.max_rel:.1e}", "[green]ok[/]" if r.ok else "[red]FAIL[/]")
    console.print(table)
    console.print("[red]conformance FAILED[/]" if failed else "[green]all conformant[/]")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
