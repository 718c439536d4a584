"""``from_torch(name, **kwargs)``: an optimizer that executes the ``pytorch`` sympy rule.

It takes exactly ``torch.optim``'s constructor arguments and keeps ``state[key]`` under
torch's state names, so the conformance tests can compare it with ``torch.optim``
step by step, and pages can show what PyTorch computes with the same numbers.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._base import check_inputs
from ._rule import Rule

# torch.optim class (lower case) -> (module key in optimizers.MODULES, constructor defaults in torch 2.13)
TORCH: dict[str, tuple[str, dict[str, Any]]] = {
    "sgd": ("sgd", dict(lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False)),
    "adagrad": ("adagrad", dict(lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
                                eps=1e-10, maximize=False)),
    "rmsprop": ("rmsprop", dict(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False,
                                maximize=False)),
    "adadelta": ("adadelta", dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False)),
    "adam": ("adam", dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, maximize=False,
                          decoupled_weight_decay=False)),
    "adamw": ("adamw", dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False,
                            maximize=False)),
    "nadam": ("nadam", dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
                            decoupled_weight_decay=False, maximize=False)),
    "radam": ("radam", dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled_weight_decay=False,
                            maximize=False)),
    "adamax": ("adamax", dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, maximize=False)),
}

_FLAGS = {"nesterov", "maximize", "amsgrad", "centered", "decoupled_weight_decay"}


def _validate(name: str, args: dict[str, Any]) -> None:
    for key, value in args.items():
        if key in _FLAGS:
            if not isinstance(value, (bool, np.bool_)):
                raise TypeError(f"from_torch({name!r}): {key} must be True or False, got {value!r}")
            continue
        if key == "betas":
            if not (isinstance(value, (tuple, list)) and len(value) == 2):
                raise TypeError(f"from_torch({name!r}): betas must be a pair (beta1, beta2), got {value!r}")
            for i, b in enumerate(value):
                if isinstance(b, bool) or not isinstance(b, (int, float)) or not 0.0 <= b < 1.0:
                    raise ValueError(f"from_torch({name!r}): betas[{i}]={b!r} is outside [0, 1)")
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise TypeError(f"from_torch({name!r}): {key} must be a finite number, got {value!r}")
        if key == "lr" and value <= 0:
            raise ValueError(f"from_torch({name!r}): lr={value!r} must be > 0")
        if key in ("alpha", "rho", "momentum", "dampening") and not 0.0 <= value <= 1.0:
            raise ValueError(f"from_torch({name!r}): {key}={value!r} is outside [0, 1]")
        if value < 0:
            raise ValueError(f"from_torch({name!r}): {key}={value!r} must be >= 0")


class RuleOptimizer:
    """An optimizer with the reference classes' interface whose step executes a sympy rule.

    ``args`` are the arguments of the convention's code (torch.optim's for ``pytorch``,
    the reference class's otherwise); each hyperparameter symbol reads ``args[sym.code]``.
    """

    def __init__(self, name: str, rule: Rule, args: dict[str, Any]):
        self.name = name
        self.rule = rule
        self.args = args  # every torch argument, defaults filled in
        flat = dict(args)
        if "betas" in flat:
            flat["beta1"], flat["beta2"] = (float(b) for b in flat.pop("betas"))
        self.hyper = {}
        for sym in rule.of_kind("hyper"):
            if sym.code not in flat:
                raise TypeError(f"{name}: missing argument {sym.code!r} (the rule's {sym.name})")
            self.hyper[sym.name] = float(flat[sym.code])
        self._state: dict[str, dict[str, Any]] = {}
        self.state: dict[str, dict[str, Any]] = {}  # key -> torch's state names ("step", "exp_avg", ...)

    def grad_points(self, params) -> dict[str, Any]:
        """Where the next step takes its gradient, per key: the parameters themselves, or the rule's ``grad_at``
        point (Sutskever's look-ahead W + μv). With a ``grad_at`` rule, ``update`` expects the gradients there."""
        out = {}
        for key in params:
            state = self._state.get(key) or self.rule.initial_state(params[key])
            out[key] = self.rule.grad_point({"W": params[key], **self.hyper, **state})
        return out

    def update(self, params, grads):
        check_inputs(params, grads, owner=f"{self.name}.update")
        for key in params:
            if key not in self._state:
                self._state[key] = self.rule.initial_state(params[key])
            env = {"W": params[key], "g": grads[key], **self.hyper, **self._state[key]}
            out = self.rule.step(env)
            params[key][...] = out["W"]
            self._state[key] = {k: out[k] for k in self._state[key]}
            steps = self.state.get(key, {}).get("step", 0) + 1
            self.state[key] = {self.rule.symbols[k].code: v for k, v in self._state[key].items()
                               if self.rule.symbols[k].code}
            if self.rule.convention == "pytorch" and self.name != "sgd":  # torch counts state["step"] even where
                # the rule does not use it (no t ← t + 1 in the formula)
                self.state[key].setdefault("step", steps)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.args.items())
        return f"RuleOptimizer({self.name!r}, {self.rule.convention!r}, {args})"


def from_torch(name: str, **kwargs: Any) -> RuleOptimizer:
    """``from_torch("adam", lr=0.1, betas=(0.9, 0.99), amsgrad=True)`` mirrors ``torch.optim.Adam(...)``."""
    from . import get

    key = str(name).strip().lower()
    if key not in TORCH:
        raise ValueError(f"from_torch: unknown torch optimizer {name!r}; known: {', '.join(TORCH)}")
    module_key, defaults = TORCH[key]
    unknown = sorted(set(kwargs) - set(defaults))
    if unknown:
        raise TypeError(f"from_torch({key!r}): unknown argument(s) {', '.join(unknown)}; "
                        f"torch.optim accepts {', '.join(defaults)}")
    args = {**defaults, **kwargs}
    _validate(key, args)
    return RuleOptimizer(key, get(module_key).rule("pytorch", **args), args)


def torch_form_of(name: str, **kwargs: Any) -> RuleOptimizer:
    """What PyTorch computes for reference optimizer ``name``: its torch.optim class with the
    arguments that match the reference class's defaults (``INFO.torch_kwargs``), overridden by
    ``kwargs``. ``torch_form_of("nesterov", lr=0.1)`` is ``SGD(lr=0.1, momentum=0.9, nesterov=True)``."""
    from . import get

    module = get(name)
    torch_name = module.INFO.torch
    if torch_name is None:
        raise ValueError(f"{module.INFO.cls.__name__} has no torch.optim counterpart")
    matching = module.INFO.torch_kwargs(module.INFO.cls()) if module.INFO.torch_kwargs else {}
    return from_torch(torch_name, **{**matching, **kwargs})


def from_rule(name: str, convention: str, **args: Any) -> RuleOptimizer:
    """Execute optimizer ``name``'s rule in ``convention`` with the reference class's arguments
    (defaults taken from the class), e.g. ``from_rule("adam", "paper", lr=0.1)``."""
    import inspect

    from . import get

    module = get(name)
    params = inspect.signature(module.INFO.cls.__init__).parameters
    defaults = {k: p.default for k, p in params.items() if k != "self" and p.default is not inspect.Parameter.empty}
    unknown = sorted(set(args) - set(defaults))
    if unknown:
        raise TypeError(f"{module.INFO.cls.__name__}: unknown argument(s) {', '.join(unknown)}")
    full = {**defaults, **args}
    return RuleOptimizer(module.INFO.key, module.rule(convention, **full), full)
