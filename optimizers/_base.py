"""Input checks shared by every reference class.

The classes keep the textbook idiom (``update(params, grads)`` on dicts of numpy
arrays); these helpers make bad input fail with one clear message instead of a
numpy broadcast error three lines later.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

# hyperparameter name -> (lowest, highest, lowest allowed?, highest allowed?)
_RANGES: dict[str, tuple[float, float, bool, bool]] = {
    "lr": (0.0, math.inf, False, False),
    "momentum": (0.0, 1.0, True, False),
    "decay_rate": (0.0, 1.0, True, False),
    "rho": (0.0, 1.0, True, False),
    "beta1": (0.0, 1.0, True, False),
    "beta2": (0.0, 1.0, True, False),
    "eps": (0.0, math.inf, True, False),
    "weight_decay": (0.0, math.inf, True, False),
    "momentum_decay": (0.0, math.inf, True, False),
    "schedule": (0.0, math.inf, False, False),
}


def check_hyperparameters(obj: Any) -> None:
    """Check every known hyperparameter attribute of ``obj`` (``lr > 0``, ``0 ≤ β < 1`` …)."""
    cls = type(obj).__name__
    for name, (lo, hi, lo_ok, hi_ok) in _RANGES.items():
        if not hasattr(obj, name):
            continue
        value = getattr(obj, name)
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
            raise TypeError(f"{cls}: {name} must be a number, got {type(value).__name__}")
        value = float(value)
        ok = math.isfinite(value)
        ok = ok and (value > lo or (lo_ok and value == lo)) and (value < hi or (hi_ok and value == hi))
        if not ok:
            left = "[" if lo_ok else "("
            right = "]" if hi_ok else ")"
            raise ValueError(f"{cls}: {name}={value!r} is outside {left}{lo:g}, {hi:g}{right}")


def check_inputs(params: Mapping[str, Any], grads: Mapping[str, Any], owner: str = "update") -> None:
    """``params`` and ``grads`` must be dicts of float numpy arrays with the same keys and shapes."""
    if not isinstance(params, Mapping) or not isinstance(grads, Mapping):
        raise TypeError(f"{owner}: params and grads must be dicts of numpy arrays")
    if set(params) != set(grads):
        only_p = sorted(set(params) - set(grads))
        only_g = sorted(set(grads) - set(params))
        raise ValueError(f"{owner}: params and grads have different keys "
                         f"(only in params: {only_p}, only in grads: {only_g})")
    for key in params:
        p, g = params[key], grads[key]
        if not isinstance(p, np.ndarray):
            raise TypeError(f"{owner}: params[{key!r}] must be a numpy array, got {type(p).__name__}")
        if not isinstance(g, (np.ndarray, np.floating)):
            raise TypeError(f"{owner}: grads[{key!r}] must be a numpy array, got {type(g).__name__}")
        if p.dtype.kind != "f":  # a numpy floating type (np.issubdtype(p.dtype, np.floating), faster)
            raise TypeError(f"{owner}: params[{key!r}] must be a float array (in-place update), got dtype {p.dtype}")
        if p.shape != g.shape:
            raise ValueError(f"{owner}: params[{key!r}] has shape {p.shape} but grads[{key!r}] has shape {g.shape}")
