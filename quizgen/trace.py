"""Run an optimizer and record every intermediate quantity at every step.

``run("momentum", problem="bowl", start=(-75, -10), steps=3, lr=0.1)`` executes the
reference class *and* its textbook sympy rule side by side, checks after every step that
they agree (parameters and every state variable), and keeps the rule's full log: each
assignment with the values it read and the value it produced. Tables, substituted
formulas, plots and answers all read this one record.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import optimizers
from optimizers import Rule, RuleOptimizer
from optimizers.torch_form import torch_form_of

from . import problems as P

# class vs. rule: the same float64 arithmetic, reordered at most. The absolute part scales with
# the operands, since a step that nearly cancels W (Nesterov) rounds differently in each order.
RTOL, ATOL = 1e-12, 1e-12


class TraceMismatch(AssertionError):
    """The reference class and its sympy rule disagree: a bug in one of them."""


@dataclass
class StepRecord:
    t: int  # 1, 2, ...
    grads: dict[str, np.ndarray]  # the gradient given to this step
    before: dict[str, dict[str, Any]]  # key -> {"W": ..., state ...} before the step
    log: dict[str, list[tuple[str, dict[str, Any], Any]]]  # key -> (target, inputs, result) per assignment
    after: dict[str, dict[str, Any]]  # key -> every value after the step (W, state, temps, derived)
    loss: float | None = None  # the problem's loss after the step


@dataclass
class Trace:
    optimizer: str
    convention: str
    rule: Rule
    args: dict[str, Any]  # constructor arguments (the class's, or torch.optim's for "pytorch")
    hyper: dict[str, float]  # rule symbol -> value
    params0: dict[str, np.ndarray]
    problem: str | None
    loss0: float | None
    records: list[StepRecord] = field(default_factory=list)
    diverged: int | None = None  # run(diverge_above=...): the step after which a parameter left the bound

    @property
    def keys(self) -> list[str]:
        return list(self.params0)

    @property
    def steps(self) -> int:
        return len(self.records)

    def value(self, quantity: str, step: int, key: str | None = None, index: int | None = None) -> Any:
        """``quantity`` (a rule symbol: "W", "v", "m_hat", ...) after step ``step`` (0: initial)."""
        key = key if key is not None else self.keys[0]
        if step == 0:
            val = self.params0[key] if quantity == "W" else self.rule.initial_state(self.params0[key]).get(quantity)
        else:
            if not 1 <= step <= self.steps:
                raise ValueError(f"step {step} is outside 0..{self.steps}")
            env = self.records[step - 1].after[key]
            if quantity not in env:
                raise ValueError(f"{self.optimizer}: no quantity {quantity!r} (have {', '.join(env)})")
            val = env[quantity]
        if val is None:
            raise ValueError(f"{self.optimizer}: no quantity {quantity!r} at step 0")
        arr = np.asarray(val, dtype=np.float64)
        return float(arr.reshape(-1)[index]) if index is not None else (float(arr) if arr.ndim == 0 else arr)

    def path(self, keys: Sequence[str] = ("x", "y")) -> np.ndarray:
        """Parameters at steps 0..T as rows (for 2-D problems: the trajectory)."""
        rows = [[float(self.params0[k]) for k in keys]]
        rows += [[float(r.after[k]["W"]) for k in keys] for r in self.records]
        return np.array(rows)

    @property
    def losses(self) -> list[float]:
        return [self.loss0] + [r.loss for r in self.records]  # type: ignore[list-item]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (lists and floats)."""
        def plain(v: Any) -> Any:
            if isinstance(v, np.ndarray):
                return v.tolist()
            if isinstance(v, (np.floating, np.integer)):
                return v.item()
            if isinstance(v, dict):
                return {k: plain(x) for k, x in v.items()}
            return v
        return {
            "optimizer": self.optimizer, "convention": self.convention, "args": plain(self.args),
            "hyper": plain(self.hyper), "problem": self.problem, "params0": plain(self.params0),
            "steps": [{"t": r.t, "grads": plain(r.grads), "after": plain(r.after), "loss": r.loss}
                      for r in self.records],
        }


def _class_args(instance: Any) -> dict[str, Any]:
    sig = inspect.signature(type(instance).__init__).parameters
    return {k: getattr(instance, k) for k in sig if k != "self" and hasattr(instance, k)}


class _Checked:
    """Runs the reference class and its textbook rule side by side, checking every step."""

    def __init__(self, instance: Any, rule: Rule):
        self.instance, self.rule = instance, rule
        self.hyper = {s.name: float(getattr(instance, s.code)) for s in rule.of_kind("hyper")}

    def _state_before(self, key: str, like: np.ndarray) -> dict[str, Any]:
        fresh = self.rule.initial_state(like)
        state = {}
        for s in self.rule.symbols.values():
            if s.kind == "state":
                held = getattr(self.instance, s.code)
                state[s.name] = np.array(held[key], dtype=np.float64) if held is not None else fresh[s.name]
            elif s.kind == "step":
                state[s.name] = getattr(self.instance, s.code) if s.code else fresh[s.name]
        return state

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]):
        logs, outs = {}, {}
        for key in params:
            log: list = []
            env = {"W": np.array(params[key], dtype=np.float64), "g": np.array(grads[key], dtype=np.float64),
                   **self.hyper, **self._state_before(key, params[key])}
            outs[key] = self.rule.step(env, log)
            logs[key] = log
        self.instance.update(params, grads)
        for key in params:
            scale = max([1.0] + [_magnitude(v) for v in outs[key].values()
                                 if isinstance(v, (np.ndarray, np.floating, float)) and np.size(v)])
            checks = {"W": params[key]}
            for s in self.rule.of_kind("state"):
                checks[s.name] = getattr(self.instance, s.code)[key]
            for name, got in checks.items():
                want = outs[key][name]
                # equal floats are close (the usual case: the same arithmetic; nan where both overflowed alike);
                # allclose only for the others
                if not np.array_equal(got, want, equal_nan=True) and not np.allclose(got, want, rtol=RTOL,
                                                                                    atol=ATOL * scale):
                    raise TraceMismatch(f"{type(self.instance).__name__} disagrees with its {self.rule.convention} "
                                        f"rule at key {key!r}, quantity {name!r}: class {got!r}, rule {want!r}")
        return logs, outs


def _magnitude(v: Any) -> float:
    """max |v| (a 0-d value without numpy's reduction machinery)."""
    if isinstance(v, float) or np.ndim(v) == 0:
        return abs(float(v))
    return float(np.max(np.abs(v)))


class _RuleOnly:
    def __init__(self, opt: RuleOptimizer):
        self.opt, self.rule, self.hyper = opt, opt.rule, opt.hyper

    def step(self, params, grads):
        logs, outs = {}, {}
        for key in params:
            if key not in self.opt._state:
                self.opt._state[key] = self.rule.initial_state(params[key])
            log: list = []
            env = {"W": np.array(params[key], dtype=np.float64), "g": np.array(grads[key], dtype=np.float64),
                   **self.hyper, **self.opt._state[key]}
            outs[key] = self.rule.step(env, log)
            logs[key] = log
            self.opt._state[key] = {k: outs[key][k] for k in self.opt._state[key]}
            params[key][...] = outs[key]["W"]
        return logs, outs


def _as_params(values: Mapping[str, Any]) -> dict[str, np.ndarray]:
    out = {}
    for k, v in values.items():
        arr = np.array(v, dtype=np.float64)
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"params0[{k!r}] is not finite: {v!r}")
        out[str(k)] = arr
    return out


def run(optimizer: Any, *, problem: str | None = None, start: Sequence[float] | None = None,
        grads: Sequence[Mapping[str, Any]] | None = None, params0: Mapping[str, Any] | None = None,
        steps: int | None = None, convention: str = "textbook", diverge_above: float | None = None,
        **args: Any) -> Trace:
    """Run ``optimizer`` (a registry name or a reference-class instance) and record everything.

    Gradients come from ``problem`` (evaluated at the current parameters, starting at
    ``start``) or from ``grads`` (one dict per step, applied to ``params0``).
    ``args`` are the class's constructor arguments, or torch.optim's for ``convention="pytorch"``.

    With ``diverge_above``, a run whose parameters leave ``|W| <= diverge_above`` (or stop being finite) ends
    after that step, with ``trace.diverged`` set to it; float overflow is then a result, not an error.
    """
    if (problem is None) == (grads is None):
        raise ValueError("run: give exactly one of problem= or grads=")
    prob = P.get(problem) if problem is not None else None
    if prob is not None:
        if start is None or len(start) != len(prob.names):
            raise ValueError(f"run: problem={problem!r} needs start=({', '.join(prob.names)})")
        if steps is None or int(steps) < 1:
            raise ValueError(f"run: steps must be >= 1, got {steps!r}")
        params = prob.params(tuple(start))
        n = int(steps)
    else:
        if params0 is None:
            raise ValueError("run: grads= needs params0=")
        params = _as_params(params0)
        n = len(grads) if steps is None else int(steps)
        if n < 1 or n > len(grads):
            raise ValueError(f"run: steps must be in 1..{len(grads)}, got {steps!r}")

    if isinstance(optimizer, str):
        module = optimizers.get(optimizer)
        if convention == "textbook":
            instance = module.INFO.cls(**args)
            runner: Any = _Checked(instance, module.rule("textbook"))
            used_args = _class_args(instance)
        elif convention == "pytorch":
            opt = torch_form_of(module.INFO.key, **args)
            runner, used_args = _RuleOnly(opt), opt.args
        else:
            opt = optimizers.from_rule(module.INFO.key, convention, **args)
            runner, used_args = _RuleOnly(opt), opt.args
        key = module.INFO.key
    else:
        if args or convention != "textbook":
            raise ValueError("run: pass arguments to the class itself when giving an instance")
        module = optimizers.get(type(optimizer).__name__)
        runner, used_args, key = _Checked(optimizer, module.rule("textbook")), _class_args(optimizer), module.INFO.key

    params0_copy = {k: v.copy() for k, v in params.items()}
    trace = Trace(key, convention, runner.rule, used_args, dict(runner.hyper), params0_copy, problem,
                  prob.value(params) if prob else None)
    ahead = runner.rule.grad_at is not None  # Sutskever's Nesterov: the gradient at the look-ahead point

    def gradients(i: int) -> dict[str, np.ndarray]:
        if prob:
            return prob.gradients(runner.opt.grad_points(params) if ahead else params)
        return {k: np.array(grads[i][k], dtype=np.float64) for k in params}

    if diverge_above is None:
        for i in range(n):
            g = gradients(i)
            before = {k: {"W": params[k].copy()} for k in params}
            logs, outs = runner.step(params, g)
            trace.records.append(StepRecord(i + 1, g, before, logs, outs, prob.value(params) if prob else None))
        return trace
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for i in range(n):
            g = gradients(i)
            before = {k: {"W": params[k].copy()} for k in params}
            logs, outs = runner.step(params, g)
            trace.records.append(StepRecord(i + 1, g, before, logs, outs, _loss(prob, params) if prob else None))
            if any(not np.all(np.abs(w) <= diverge_above) for w in params.values()):  # also true for nan
                trace.diverged = i + 1
                break
    return trace


def _loss(prob: P.Problem, params: dict[str, np.ndarray]) -> float:
    """The problem's loss, ``inf`` where Python's float arithmetic overflows."""
    try:
        return prob.value(params)
    except OverflowError:
        return float("inf")
