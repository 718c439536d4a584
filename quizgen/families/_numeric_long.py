"""Runs of 5–10 updates that stay hand-computable: drawn only in settings with a closed form, which the worked
solution states and ``_numeric.verify`` checks against the executed run (to 1e-9).

How the grids keep the numbers hand-computable:

- SGD on a loss the stem defines, L = (k/2)w²: every step multiplies w by r = 1 − ηk, so w_t = rᵗ·w₀. The
  (η, k) pairs give r = ±0.5, so the answer is w₀ halved t times (with alternating sign for r = −0.5).
- SGD with a constant gradient g: W_t = W₀ − tηg (one multiplication).
- Momentum (the book's form) with a constant gradient and α = 0.5: v_t = −ηg(1 − 0.5ᵗ)/(1 − 0.5) and
  W_t = W₀ − 2ηg(t − (1 − 0.5ᵗ)): powers of one half again.
- Adam (the book's form, ε ignored) with a constant gradient: m̂_t = g and v̂_t = g², so every step moves
  η·sign(g) and W_t = W₀ − tη·sign(g): the bias correction at work, over a long run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from . import _common as C

G = C.grid
OPTIMIZERS = ("sgd", "momentum", "adam")
#: convention -> the optimizers that have a long run in that form
FORMS = {"textbook": ("sgd", "momentum", "adam"), "pytorch": ("sgd",)}
#: (η, k) with 1 − ηk = ±0.5
SGD_PAIRS = ((0.5, 1.0), (0.25, 2.0), (0.1, 5.0), (0.05, 10.0), (1.5, 1.0), (0.75, 2.0), (0.3, 5.0), (0.15, 10.0))
W0S = G(["1.0", "2.0", "4.0", "8.0", "3.0"])
GRADS = G(["0.5", "1.0", "2.0", "0.2", "0.4", "1.5"])
LRS = G(["0.1", "0.2", "0.05", "0.01"])
BETA1 = G(["0.9", "0.8", "0.5"])
BETA2 = G(["0.999", "0.99", "0.9"])


def has_long_run(key: str, convention: str, source: str | None = None) -> bool:
    """Does ``key`` in ``convention`` have a long run (with gradients from ``source``, if given)?"""
    if key not in FORMS.get(convention, ()):
        return False
    return source in (None, "grads") or (source == "loss" and key == "sgd")


def _constant(rng: np.random.Generator, steps: int) -> tuple[list[float], list[dict[str, list[float]]]]:
    g = C.pick(rng, GRADS) * (1 if rng.random() < 0.6 else -1)
    w0 = C.pick(rng, W0S) * (1 if rng.random() < 0.7 else -1)
    return [w0], [{"W": [g]} for _ in range(steps)]


def draw_given(rng: np.random.Generator, opts: Mapping[str, Any], key: str, convention: str,
               steps: int) -> dict[str, Any]:
    """A long run of ``key`` in ``convention`` (ValueError where no closed form keeps it hand-computable)."""
    if not has_long_run(key, convention):
        raise ValueError(f"{key} ({convention}): runs of more than 4 steps are drawn only where the numbers have a "
                         f"closed form a person can evaluate: {', '.join(OPTIMIZERS)} (textbook), sgd (pytorch)")
    if opts["shape"] == "vector":
        raise ValueError("a long run has one parameter (shape=scalar)")
    given: dict[str, Any] = {"optimizer": key, "convention": convention}
    quantities = {"sgd": ("W",), "momentum": ("v", "W"), "adam": ("W",)}[key]
    if opts["quantity"] is not None and opts["quantity"] not in quantities:
        raise ValueError(f"{key}: a long run asks {', '.join(quantities)}, not {opts['quantity']!r}")
    quantity = opts["quantity"] or C.pick(rng, quantities)
    source = opts["source"] or ("loss" if key == "sgd" and rng.random() < 0.5 else "grads")
    if source == "problem" or (source == "loss" and key != "sgd"):
        raise ValueError(f"{key}: a long run takes {'a loss or ' if key == 'sgd' else ''}a constant gradient")
    if key == "sgd":
        lr, k = SGD_PAIRS[int(rng.integers(len(SGD_PAIRS)))]
        given["hyperparameters"] = {"lr": lr}
        if source == "loss":
            given.update({"problem": "quad:" + C.fmt(k), "start": [C.pick(rng, W0S) * (1 if rng.random() < 0.7
                                                                                    else -1)], "steps": steps})
            given["asked"] = {"quantity": "W", "step": steps, "key": "w", "index": 0}
            return given
    elif key == "momentum":
        given["hyperparameters"] = {"lr": C.pick(rng, LRS), "momentum": 0.5}
    else:
        given["hyperparameters"] = {"lr": C.pick(rng, G(["0.1", "0.01", "0.2"])), "beta1": C.pick(rng, BETA1),
                                    "beta2": C.pick(rng, BETA2), "eps": 0.0}
        given["ignore"] = ["eps"]
    w0, grads = _constant(rng, steps)
    given.update({"params0": {"W": w0}, "grads": grads})
    given["asked"] = {"quantity": quantity, "step": steps, "key": "W", "index": 0}
    return given


def _fmt(x: float) -> str:
    from ..formulas import number_latex

    return number_latex(x)


def _p(x: float) -> str:
    return f"\\left({_fmt(x)}\\right)" if x < 0 else _fmt(x)


def closed_form(given: Mapping[str, Any]) -> tuple[str, str, str, float] | None:
    """(sentence ja, sentence en, LaTeX, value) of a long run's closed form; None for other runs."""
    a = given["asked"]
    t = int(a["step"])
    key, h = given["optimizer"], given["hyperparameters"]
    if t <= 4 or not has_long_run(key, given.get("convention", "textbook")):
        return None
    lr = float(h["lr"])
    if "problem" in given:
        from .. import problems as P

        prob = P.get(given["problem"])
        if prob.curvatures is None or len(prob.curvatures) != 1:
            return None
        k, w0 = prob.curvatures[0], float(given["start"][0])
        r = 1 - lr * k
        value = r**t * w0
        tex = (f"w_{{{t}}} = (1 - \\eta k)^{{{t}}} w_0 = (1 - {_fmt(lr)} \\times {_fmt(k)})^{{{t}}} "
               f"\\times {_p(w0)} = {_p(r)}^{{{t}}} \\times {_p(w0)} = {_fmt(value)}")
        return (f"勾配は kw なので、1 回の更新で w は 1 − ηk = {_fmt(r)} 倍になる。{t} 回では",
                f"Each update multiplies w by 1 − ηk = {_fmt(r)}; after {t} updates", tex, value)
    gs = [float(g["W"][0]) for g in given["grads"][:t]]
    if any(g != gs[0] for g in gs):
        return None
    g, w0 = gs[0], float(given["params0"]["W"][0])
    if key == "sgd":
        value = w0 - t * lr * g
        tex = f"W_{{{t}}} = W_0 - t \\eta g = {_p(w0)} - {t} \\times {_fmt(lr)} \\times {_p(g)} = {_fmt(value)}"
        return "勾配が一定なので、毎回同じ ηg だけ進む。", "The gradient is constant, so every step is ηg.", tex, value
    if key == "momentum":
        alpha = float(h["momentum"])
        if alpha != 0.5:
            return None
        if a["quantity"] == "v":
            value = -lr * g * (1 - alpha**t) / (1 - alpha)
            tex = (f"v_{{{t}}} = -\\eta g \\frac{{1 - \\alpha^{{{t}}}}}{{1 - \\alpha}} = -{_fmt(lr)} \\times {_p(g)} "
                   f"\\times \\frac{{1 - 0.5^{{{t}}}}}{{0.5}} = {_fmt(value)}")
        else:
            value = w0 - lr * g / (1 - alpha) * (t - alpha * (1 - alpha**t) / (1 - alpha))
            tex = (f"W_{{{t}}} = W_0 - \\frac{{\\eta g}}{{1 - \\alpha}}\\left(t - \\frac{{\\alpha (1 - \\alpha^{{t}})}}"
                   f"{{1 - \\alpha}}\\right) = {_p(w0)} - 2 \\times {_fmt(lr)} \\times {_p(g)} \\times "
                   f"\\left({t} - (1 - 0.5^{{{t}}})\\right) = {_fmt(value)}")
        return ("勾配が一定なので、速度は v_t = αv_{t−1} − ηg の等比数列の和になる（α = 0.5）。",
                "With a constant gradient the velocity is a geometric sum (α = 0.5).", tex, value)
    if key == "adam":
        s = math.copysign(1.0, g)
        value = w0 - t * lr * s
        tex = (f"W_{{{t}}} = W_0 - t \\eta \\operatorname{{sign}}(g) = {_p(w0)} - {t} \\times {_fmt(lr)} \\times "
               f"{_p(s)} = {_fmt(value)}")
        return ("勾配が一定なら補正後の m̂ = g、v̂ = g² なので（ε を無視）、毎回ちょうど η·sign(g) だけ進む。",
                "With a constant gradient m̂ = g and v̂ = g² (ε ignored), so every step is exactly η·sign(g).",
                tex, value)
    return None
