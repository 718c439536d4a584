"""Execute a question's ``given``: the reference class and its sympy rule, side by side, fast.

``trace.run`` rebuilds and re-lambdifies the rule on every call (a few milliseconds); question
generation runs thousands of variants, so here the rules are built once per
(optimizer, convention, form-changing options) and cached. The work is the same as
``trace.run``: the class is executed, the rule is executed, they must agree at every step
(else :class:`~quizgen.trace.TraceMismatch`), and :meth:`Execution.to_trace` gives a
:class:`~quizgen.trace.Trace` that :func:`quizgen.formulas.step_lines` renders.
A test checks that the two recorders agree.

``given`` (see quizgen/question.py)::

    {"optimizer": "momentum", "convention": "textbook",
     "hyperparameters": {"lr": 0.1, "momentum": 0.9},           # the class's (or torch.optim's) arguments
     "params0": {"W": [1.0]}, "grads": [{"W": [0.5]}, {"W": [0.3]}],
     # or "problem": "bowl", "start": [1.0, 0.5], "steps": 2 (params x and y, gradients from the problem)
     "asked": {"quantity": "v", "step": 2, "key": "W", "index": 0}}
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import sympy as sp

import optimizers
from optimizers import Rule
from optimizers.torch_form import TORCH

from .. import problems as P
from ..trace import StepRecord, Trace, TraceMismatch

CONVENTIONS = ("textbook", "pytorch", "sutskever")  # forms questions are asked in (sutskever: Nesterov only)
RTOL_FAST = 1e-11  # class (numpy) vs. the rule's float form: the same operations, possibly reordered


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value


@cache
def _rule_cached(key: str, convention: str, frozen: tuple) -> Rule:
    options = {k: (list(v) if isinstance(v, tuple) else v) for k, v in frozen}
    rule = optimizers.get(key).rule(convention, **options)
    return rule


def torch_args(key: str, hyperparameters: Mapping[str, Any]) -> dict[str, Any]:
    """torch.optim's full argument dict for ``key`` (defaults filled in)."""
    module = optimizers.get(key)
    tkey = module.INFO.torch or key
    if tkey not in TORCH:
        raise ValueError(f"{key}: no PyTorch form")
    defaults = TORCH[tkey][1]
    unknown = sorted(set(hyperparameters) - set(defaults))
    if unknown:
        raise ValueError(f"{key} (pytorch): unknown argument(s) {', '.join(unknown)}")
    args = {**defaults, **hyperparameters}
    if "betas" in args:
        args["betas"] = tuple(float(b) for b in args["betas"])
    return args


def class_defaults(key: str) -> dict[str, Any]:
    """The reference class's constructor defaults (``lr=0.01`` …)."""
    return dict(_class_defaults(optimizers.get(key).INFO.key))


@cache
def _class_defaults(key: str) -> tuple:
    cls = optimizers.get(key).INFO.cls
    return tuple((k, p.default) for k, p in inspect.signature(cls.__init__).parameters.items()
                 if k != "self" and p.default is not inspect.Parameter.empty)


# -- fast scalar execution ----------------------------------------------------------------------
_FAST: dict[int, tuple[Callable[[dict], dict] | None, Rule]] = {}


def _fast_source(rule: Rule) -> str:
    from sympy.printing.pycode import pycode

    names = list(rule.symbols)
    lines = ["def _step(env):"]
    for n in names:
        lines.append(f"    {n} = env.get({n!r})")
    for target, expr in rule.assignments + rule.derived:
        expr = expr.replace(lambda e: isinstance(e, sp.Piecewise) and type(e) is not sp.Piecewise,
                            lambda e: sp.Piecewise(*e.args))
        lines.append(f"    {target} = {pycode(expr, fully_qualified_modules=True)}")
    targets = list(dict.fromkeys(t for t, _ in rule.assignments + rule.derived))
    lines.append("    return {" + ", ".join(f"{t!r}: {t}" for t in targets) + "}")
    return "\n".join(lines)


def fast_step(rule: Rule) -> Callable[[dict], dict] | None:
    """The whole step of ``rule`` as one Python function on floats (cached); None if it cannot be printed.

    Generated from the same sympy expressions (sympy's Python code printer), so it computes what
    ``rule.step`` computes, on plain floats: about a microsecond per assignment instead of the
    numpy call overhead on one-element arrays. ``Rule.step`` stays the reference (and the log).
    """
    key = id(rule)
    if key not in _FAST:
        try:
            ns: dict[str, Any] = {"math": math}
            exec(compile(_fast_source(rule), f"<fast {rule.optimizer}/{rule.convention}>", "exec"), ns)
            fn = ns["_step"]
        except Exception:  # noqa: BLE001 -- an unprintable expression: use rule.step instead
            fn = None
        _FAST[key] = (fn, rule)  # keep the rule alive with its id
    return _FAST[key][0]


def rule_for(key: str, convention: str, hyperparameters: Mapping[str, Any] | None = None) -> Rule:
    """The (cached) rule of ``key`` in ``convention``; pytorch rules depend on the form-changing options."""
    if convention == "pytorch":
        module = optimizers.get(key)
        args = torch_args(module.INFO.key, hyperparameters or {})
        # only the form matters for the rule (numbers stay symbols), but numbers are few: key on all
        return _rule_cached(module.INFO.key, "pytorch", _freeze(args))
    if convention in CONVENTIONS:  # the class's own arguments (textbook; sutskever for Nesterov)
        return _rule_cached(optimizers.get(key).INFO.key, convention, ())
    raise ValueError(f"unknown convention {convention!r} ({', '.join(CONVENTIONS)})")


def hyper_env(rule: Rule, given: Mapping[str, Any]) -> dict[str, float]:
    """Rule symbol → value, read from the class's (or torch's) arguments in ``given``."""
    key, convention = given["optimizer"], given.get("convention", "textbook")
    if convention != "pytorch":
        flat = {**class_defaults(key), **given.get("hyperparameters", {})}
    else:
        flat = torch_args(key, given.get("hyperparameters", {}))
    if "betas" in flat:
        flat["beta1"], flat["beta2"] = (float(b) for b in flat.pop("betas"))
    out = {}
    for sym in rule.of_kind("hyper"):
        if sym.code not in flat:
            raise ValueError(f"{key}/{convention}: no value for {sym.code!r} (the rule's {sym.name})")
        out[sym.name] = float(flat[sym.code])
    return out


def n_steps(given: Mapping[str, Any]) -> int:
    return int(given["steps"]) if "problem" in given else len(given["grads"])


def initial_params(given: Mapping[str, Any]) -> dict[str, np.ndarray]:
    if "problem" in given:
        names = P.get(given["problem"]).names
        return {n: np.array([float(v)]) for n, v in zip(names, given["start"])}
    return {str(k): np.array(v, dtype=np.float64).reshape(-1) for k, v in given["params0"].items()}


def gradients(given: Mapping[str, Any], t: int, params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The gradient given to step ``t`` (1-based) at ``params`` (the point where the rule takes it)."""
    if "problem" in given:
        prob = P.get(given["problem"])
        gs = prob.grad(*(float(np.asarray(params[n]).reshape(-1)[0]) for n in prob.names))
        return {n: np.array([float(g)]) for n, g in zip(prob.names, gs)}
    return {k: np.array(given["grads"][t - 1][k], dtype=np.float64).reshape(-1) for k in params}


@dataclass
class Execution:
    """Every value after every step, per parameter key (rule symbol → array)."""

    given: Mapping[str, Any]
    rule: Rule
    hyper: dict[str, float]
    params0: dict[str, np.ndarray]
    outs: list[dict[str, dict[str, Any]]] = field(default_factory=list)  # step-1 -> key -> env after
    grads: list[dict[str, np.ndarray]] = field(default_factory=list)
    logs: list[dict[str, list]] | None = None
    checked: bool = False  # the reference class was executed and agreed at every step

    def value(self, quantity: str, step: int, key: str, index: int = 0) -> float:
        if step == 0:
            if quantity == "W":
                arr = self.params0[key]
            else:
                arr = self.rule.initial_state(np.asarray(self.params0[key], dtype=np.float64)).get(quantity)
                if arr is None:
                    raise ValueError(f"no quantity {quantity!r} at step 0")
        else:
            env = self.outs[step - 1][key]
            if quantity not in env:
                raise ValueError(f"{self.rule.optimizer}: no quantity {quantity!r}")
            arr = env[quantity]
        if isinstance(arr, list):
            return float(arr[index])
        return float(np.asarray(arr, dtype=np.float64).reshape(-1)[index])

    def asked(self) -> float:
        a = self.given["asked"]
        return self.value(a["quantity"], int(a["step"]), a["key"], int(a.get("index", 0)))

    def to_trace(self) -> Trace:
        """A :class:`~quizgen.trace.Trace` (needs ``log=True``), for :func:`quizgen.formulas.step_lines`."""
        if self.logs is None:
            raise ValueError("to_trace needs an execution with log=True")
        g = self.given
        trace = Trace(self.rule.optimizer, g.get("convention", "textbook"), self.rule,
                      dict(g.get("hyperparameters", {})), dict(self.hyper),
                      {k: v.copy() for k, v in self.params0.items()}, g.get("problem"), None)
        prev = {k: {"W": v.copy()} for k, v in self.params0.items()}
        for i, out in enumerate(self.outs):
            trace.records.append(StepRecord(i + 1, self.grads[i], prev, self.logs[i], out))
            prev = {k: {"W": np.array(env["W"], dtype=np.float64)} for k, env in out.items()}
        return trace


def run_rule(rule: Rule, given: Mapping[str, Any], *, log: bool = False,
             hyper: Mapping[str, float] | None = None) -> Execution:
    """Execute ``rule`` on ``given`` (no class): what a mistaken rule computes.

    Without ``log`` this runs the rule's fast float form element by element (values are lists of
    floats; a division by zero or a root of a negative number gives nan); with ``log`` it runs
    ``rule.step`` on numpy arrays and records every assignment (values are arrays).
    """
    hyper = dict(hyper) if hyper is not None else hyper_env(rule, given)
    fn = None if log else fast_step(rule)
    if fn is None:
        return _run_numpy(rule, given, log=log, hyper=hyper)
    if "problem" in given:
        problem = P.get(given["problem"])
        params = {n: [float(v)] for n, v in zip(problem.names, given["start"])}
    else:
        problem = None
        params = {str(k): [float(x) for x in (v if isinstance(v, (list, tuple)) else [v])]
                  for k, v in given["params0"].items()}
    ex = Execution(given, rule, hyper, {k: list(v) for k, v in params.items()})
    fresh = {s.name: rule.init.get(s.name, 0) for s in rule.symbols.values() if s.kind in ("state", "step")}
    envs = {k: [{**hyper, **fresh} for _ in v] for k, v in params.items()}
    nan_out = {name: math.nan for name in rule.symbols}
    for t in range(n_steps(given)):
        if problem is not None:
            try:
                at = [rule.grad_point({**envs[n][0], "W": params[n][0]}) for n in problem.names]
                grads = {n: [float(g)] for n, g in zip(problem.names, problem.grad(*at))}
            except (OverflowError, ZeroDivisionError, ValueError):
                grads = {n: [math.nan] for n in problem.names}
        else:
            grads = given["grads"][t]
        outs: dict[str, dict[str, Any]] = {}
        for k, ws in params.items():
            per: dict[str, list] = {}
            gk = grads[k]
            for i, env in enumerate(envs[k]):
                env["W"] = ws[i]
                env["g"] = float(gk[i])
                try:
                    out = fn(env)
                except (ZeroDivisionError, OverflowError, ValueError, TypeError):
                    out = nan_out
                for name, val in out.items():
                    if name in per:
                        per[name].append(val)
                    else:
                        per[name] = [val]
                env.update(out)  # state (and temporaries, harmlessly) carried to the next step
                ws[i] = out["W"] if "W" in out else ws[i]
            outs[k] = per
        ex.outs.append(outs)
        ex.grads.append(grads)
    return ex


_FRESH: dict[int, tuple[dict[str, float], Rule]] = {}


def _fresh(rule: Rule) -> dict[str, float]:
    if id(rule) not in _FRESH:
        _FRESH[id(rule)] = ({s.name: rule.init.get(s.name, 0) for s in rule.symbols.values()
                             if s.kind in ("state", "step")}, rule)
    return _FRESH[id(rule)][0]


def asked_value(rule: Rule, given: Mapping[str, Any], hyper: Mapping[str, float], step: int | None = None,
                grad: Callable[[float, float], tuple[float, float]] | None = None) -> float:
    """Only the asked quantity (at ``step``, default the asked step) under ``rule``: the hot path of
    rejection sampling and of the mistakes. With given gradients the elements are independent, so only
    the asked element is run; a problem's gradient couples x and y, so both are run (``grad`` replaces
    the problem's gradient: the runner mistakes). nan when the rule blows up (division by zero, root of a
    negative number, overflow)."""
    fn = fast_step(rule)
    a = given["asked"]
    step = int(a["step"]) if step is None else step
    quantity, akey, index = a["quantity"], a["key"], int(a.get("index", 0))
    if fn is None or step == 0:
        ex = run_rule(rule, given, hyper=hyper)
        return ex.value(quantity, step, akey, index)
    base = {**hyper, **_fresh(rule)}
    try:
        if "problem" not in given:
            env = dict(base)
            env["W"] = float(given["params0"][akey][index])
            grads = given["grads"]
            for t in range(step):
                env["g"] = float(grads[t][akey][index])
                env.update(fn(env))
            return float(env[quantity]) if quantity in env else _missing(rule, quantity)
        prob = P.get(given["problem"])
        grad = grad or prob.grad
        envs = [dict(base, W=float(w)) for w in given["start"]]
        ahead = rule.grad_at is not None
        for _ in range(step):
            gs = grad(*(rule.grad_point(e) if ahead else e["W"] for e in envs))
            for e, g in zip(envs, gs):
                e["g"] = float(g)
                e.update(fn(e))
        env = envs[prob.names.index(akey)]
        return float(env[quantity]) if quantity in env else _missing(rule, quantity)
    except (ZeroDivisionError, OverflowError, ValueError, TypeError) as e:
        if isinstance(e, ValueError) and str(e).startswith("no quantity"):
            raise
        return math.nan


def _missing(rule: Rule, quantity: str) -> float:
    raise ValueError(f"no quantity {quantity!r} in {rule.optimizer}/{rule.convention}")


def _run_numpy(rule: Rule, given: Mapping[str, Any], *, log: bool, hyper: Mapping[str, float]) -> Execution:
    params = initial_params(given)
    ex = Execution(given, rule, dict(hyper), {k: v.copy() for k, v in params.items()}, logs=[] if log else None)
    state = {k: rule.initial_state(v) for k, v in params.items()}
    for t in range(1, n_steps(given) + 1):
        at = {k: rule.grad_point({"W": params[k], **hyper, **state[k]}) for k in params}
        grads = gradients(given, t, at)
        outs, logs = {}, {}
        for k in params:
            lg: list | None = [] if log else None
            env = {"W": params[k], "g": grads[k], **hyper, **state[k]}
            out = rule.step(env, lg)
            outs[k] = out
            if log:
                logs[k] = lg
            state[k] = {name: out[name] for name in state[k]}
            params[k] = np.asarray(out["W"], dtype=np.float64)
        ex.outs.append(outs)
        ex.grads.append(grads)
        if log:
            ex.logs.append(logs)
    return ex


def execute(given: Mapping[str, Any], *, log: bool = False, check: bool = True) -> Execution:
    """Execute ``given``'s optimizer: the rule always, the reference class too (textbook), checked per step.

    Where the class holds a quantity (W and its state attributes) the recorded value is the class's.
    """
    key = optimizers.get(given["optimizer"]).INFO.key
    convention = given.get("convention", "textbook")
    rule = rule_for(key, convention, given.get("hyperparameters"))
    ex = run_rule(rule, given, log=log)
    if convention != "textbook" or not check:
        return ex
    cls = optimizers.get(key).INFO.cls
    instance = cls(**given.get("hyperparameters", {}))
    params = initial_params(given)
    states = [(s.name, s.code) for s in rule.of_kind("state")]
    with np.errstate(all="ignore"):
        for t in range(1, n_steps(given) + 1):
            grads = gradients(given, t, params)
            instance.update(params, grads)
            for k in params:
                want = ex.outs[t - 1][k]
                checks = [("W", params[k])] + [(name, getattr(instance, code)[k]) for name, code in states]
                for name, held in checks:
                    got = np.array(held, dtype=np.float64).reshape(-1).tolist()
                    ruled = want[name] if isinstance(want[name], list) else \
                        np.asarray(want[name], dtype=np.float64).reshape(-1).tolist()
                    for a, b in zip(got, ruled):
                        if math.isfinite(a) or math.isfinite(b):
                            if not (math.isfinite(a) and math.isfinite(b)) or \
                                    abs(a - b) > RTOL_FAST * max(abs(a), abs(b)) + 1e-14:
                                raise TraceMismatch(
                                    f"{cls.__name__} disagrees with its textbook rule at step {t}, key {k!r}, "
                                    f"quantity {name!r}: class {got!r}, rule {ruled!r}")
                    # the recorded value is the executed class's
                    want[name] = got if isinstance(want[name], list) else np.array(got).reshape(np.shape(want[name]))
    ex.checked = True
    return ex


def finite(x: float) -> bool:
    return isinstance(x, float) and math.isfinite(x)
