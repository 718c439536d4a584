"""Independent recomputation of a numeric question's answer from its ``given``.

Written from the textbook / torch.optim formulas (reference/optimizer-rules.md) without importing
the optimizers package or quizgen's executor: exact rationals (sympy.Rational) where the rule is
rational (SGD, Momentum, Nesterov), mpmath with 50 significant digits otherwise.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import mpmath
import sympy as sp

mpmath.mp.dps = 50

RATIONAL = {"sgd", "momentum", "nesterov"}


def _num(x, exact: bool):
    text = repr(float(x))  # the displayed decimal (grid values are short decimals)
    return sp.Rational(text) if exact else mpmath.mpf(text)


def _problem_grad(name: str, *p):
    if name == "bowl":
        return 2 * p[0], 2 * p[1]
    if name == "ravine":
        return p[0] / 10, 2 * p[1]
    if name == "saddle":
        return 2 * p[0], -2 * p[1]
    if name.startswith("quad:"):  # L = (k/2)w² or ½(k₁x² + k₂y²): the gradient is k·p per coordinate
        ks = [sp.Rational(k) if isinstance(p[0], sp.Expr) else mpmath.mpf(k) for k in name[5:].split(",")]
        return tuple(k * x for k, x in zip(ks, p))
    raise AssertionError(f"unknown problem {name}")


def _names(name: str) -> list[str]:
    if name.startswith("quad:") and "," not in name:
        return ["w"]
    return ["x", "y"]


def _sqrt(x):
    return mpmath.sqrt(x)


def _step_textbook(opt: str, hp: dict, st: dict, W, g, sutskever: bool = False):
    """One textbook step; returns the new W and updates ``st`` (every named quantity)."""
    if sutskever:  # g is the gradient at the look-ahead point
        st["v"] = hp["momentum"] * st["v"] - hp["lr"] * g
        return W + st["v"]
    if opt == "sgd":
        return W - hp["lr"] * g
    if opt == "momentum":
        st["v"] = hp["momentum"] * st["v"] - hp["lr"] * g
        return W + st["v"]
    if opt == "nesterov":
        mu = hp["momentum"]
        W = W + mu * mu * st["v"] - (1 + mu) * hp["lr"] * g
        st["v"] = mu * st["v"] - hp["lr"] * g
        return W
    eps = hp.get("eps", 0)
    if opt == "adagrad":
        st["h"] = st["h"] + g * g
        return W - hp["lr"] * g / (_sqrt(st["h"]) + eps)
    if opt == "rmsprop":
        r = hp["decay_rate"]
        st["h"] = r * st["h"] + (1 - r) * g * g
        return W - hp["lr"] * g / (_sqrt(st["h"]) + eps)
    if opt == "adadelta":
        r = hp["rho"]
        st["h"] = r * st["h"] + (1 - r) * g * g
        st["dx"] = -_sqrt(st["s"] + eps) / _sqrt(st["h"] + eps) * g
        st["s"] = r * st["s"] + (1 - r) * st["dx"] ** 2
        return W + st["dx"]
    b1, b2 = hp["beta1"], hp["beta2"]
    st["t"] += 1
    t = st["t"]
    st["m"] = b1 * st["m"] + (1 - b1) * g
    if opt == "adamax":
        st["u"] = max(b2 * st["u"], abs(g) + eps)
        return W - hp["lr"] / (1 - b1**t) * st["m"] / st["u"]
    st["v"] = b2 * st["v"] + (1 - b2) * g * g
    st["m_hat"] = st["m"] / (1 - b1**t)
    st["v_hat"] = st["v"] / (1 - b2**t)
    if opt == "adam":
        lr_t = hp["lr"] * _sqrt(1 - b2**t) / (1 - b1**t)
        return W - lr_t * st["m"] / (_sqrt(st["v"]) + eps)
    if opt == "amsgrad":
        st["v_max"] = max(st["v_max"], st["v"])
        st["v_hat"] = st["v_max"] / (1 - b2**t)
        return W - hp["lr"] * st["m_hat"] / (_sqrt(st["v_hat"]) + eps)
    if opt == "adamw":
        return W - hp.get("schedule", 1) * (hp["lr"] * st["m_hat"] / (_sqrt(st["v_hat"]) + eps)
                                            + hp["weight_decay"] * W)
    if opt == "nadam":
        psi = hp.get("momentum_decay", mpmath.mpf("0.004"))
        mu = b1 * (1 - mpmath.mpf("0.5") * mpmath.mpf("0.96") ** (t * psi))
        mu_next = b1 * (1 - mpmath.mpf("0.5") * mpmath.mpf("0.96") ** ((t + 1) * psi))
        st["mu_product"] = st["mu_product"] * mu
        g_hat = g / (1 - st["mu_product"])
        st["m_hat"] = st["m"] / (1 - st["mu_product"] * mu_next)
        m_bar = (1 - mu) * g_hat + mu_next * st["m_hat"]
        return W - hp["lr"] * m_bar / (_sqrt(st["v_hat"]) + eps)
    if opt == "radam":
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * t * b2**t / (1 - b2**t)
        if rho_t > 5:
            r = _sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            lt = _sqrt(1 - b2**t) / (_sqrt(st["v"]) + eps)
            return W - hp["lr"] * st["m_hat"] * r * lt
        return W - hp["lr"] * st["m_hat"]
    raise AssertionError(opt)


def _step_pytorch(opt: str, hp: dict, st: dict, W, g):
    lr = hp["lr"]
    st["t"] += 1
    t = st["t"]
    if opt == "sgd":
        return W - lr * g
    if opt in ("momentum", "nesterov"):
        mu = hp["momentum"]
        st["b"] = g if t == 1 else mu * st["b"] + g
        return W - lr * (g + mu * st["b"]) if opt == "nesterov" else W - lr * st["b"]
    eps = hp.get("eps", 0)
    if opt == "adagrad":
        st["s"] = st["s"] + g * g
        return W - lr * g / (_sqrt(st["s"]) + eps)
    if opt == "rmsprop":
        a = hp["alpha"]
        st["v"] = a * st["v"] + (1 - a) * g * g
        return W - lr * g / (_sqrt(st["v"]) + eps)
    if opt == "adadelta":
        r = hp["rho"]
        st["v"] = r * st["v"] + (1 - r) * g * g
        st["dx"] = _sqrt(st["u"] + eps) / _sqrt(st["v"] + eps) * g
        st["u"] = r * st["u"] + (1 - r) * st["dx"] ** 2
        return W - lr * st["dx"]
    b1, b2 = hp["beta1"], hp["beta2"]
    if opt == "adamw":
        W = W * (1 - lr * hp["weight_decay"])
    st["m"] = b1 * st["m"] + (1 - b1) * g
    if opt == "adamax":
        st["u"] = max(b2 * st["u"], abs(g) + eps)
        return W - lr / (1 - b1**t) * st["m"] / st["u"]
    st["v"] = b2 * st["v"] + (1 - b2) * g * g
    if opt == "nadam":
        psi = hp.get("momentum_decay", mpmath.mpf("0.004"))
        mu = b1 * (1 - mpmath.mpf("0.5") * mpmath.mpf("0.96") ** (t * psi))
        mu_next = b1 * (1 - mpmath.mpf("0.5") * mpmath.mpf("0.96") ** ((t + 1) * psi))
        st["mu_product"] = st["mu_product"] * mu
        st["v_hat"] = st["v"] / (1 - b2**t)
        d = _sqrt(st["v_hat"]) + eps
        return W - lr * (1 - mu) / (1 - st["mu_product"]) * g / d \
            - lr * mu_next / (1 - st["mu_product"] * mu_next) * st["m"] / d
    st["m_hat"] = st["m"] / (1 - b1**t)
    if opt == "radam":
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * t * b2**t / (1 - b2**t)
        if rho_t > 5:
            r = _sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            lt = _sqrt(1 - b2**t) / (_sqrt(st["v"]) + eps)
            return W - lr * st["m_hat"] * r * lt
        return W - lr * st["m_hat"]
    if opt == "amsgrad" or hp.get("amsgrad"):
        st["v_max"] = max(st["v_max"], st["v"])
        st["v_hat"] = st["v_max"] / (1 - b2**t)
    else:
        st["v_hat"] = st["v"] / (1 - b2**t)
    return W - lr * st["m_hat"] / (_sqrt(st["v_hat"]) + eps)


def recompute(given: dict, step: int | None = None):
    """The asked quantity after ``step`` updates (default: the asked step), exactly or to 50 digits."""
    opt = given["optimizer"]
    convention = given.get("convention", "textbook")
    exact = opt in RATIONAL
    hp = {}
    for k, v in given["hyperparameters"].items():
        if isinstance(v, bool):
            hp[k] = v
        elif isinstance(v, list):
            hp["beta1"], hp["beta2"] = (_num(b, exact) for b in v)
        else:
            hp[k] = _num(v, exact)
    a = given["asked"]
    step = int(a["step"]) if step is None else step
    zero = sp.Integer(0) if exact else mpmath.mpf(0)
    names = ("v", "h", "s", "dx", "m", "u", "b", "m_hat", "v_hat", "v_max")
    if "problem" in given:
        keys = _names(given["problem"])
        ws = {k: _num(s, exact) for k, s in zip(keys, given["start"])}
    else:
        ws = {"W": _num(given["params0"]["W"][int(a.get("index", 0))], exact)}
        keys = ["W"]
    states = {k: {**{n: zero for n in names}, "t": 0, "mu_product": mpmath.mpf(1)} for k in keys}
    step_fn = _step_textbook if convention != "pytorch" else _step_pytorch
    for i in range(step):
        if "problem" in given:
            # Sutskever's NAG takes the gradient at the look-ahead point W + μv, then moves like Momentum
            at = [ws[k] + hp["momentum"] * states[k]["v"] if convention == "sutskever" else ws[k] for k in keys]
            grads = dict(zip(keys, _problem_grad(given["problem"], *at)))
        else:
            grads = {"W": _num(given["grads"][i]["W"][int(a.get("index", 0))], exact)}
        for k in keys:
            if convention == "sutskever":
                ws[k] = _step_textbook(opt, hp, states[k], ws[k], grads[k], sutskever=True)
            else:
                ws[k] = step_fn(opt, hp, states[k], ws[k], grads[k])
    k = a["key"]
    return ws[k] if a["quantity"] == "W" else states[k][a["quantity"]]


def rounded(value, decimals: int) -> str:
    """Half-up rounding of an exact / 50-digit value."""
    text = str(value) if isinstance(value, sp.Rational) and value.q == 1 else (
        mpmath.nstr(mpmath.mpf(value.p) / value.q if isinstance(value, sp.Rational) else value, 45,
                    strip_zeros=False, min_fixed=-100, max_fixed=100))
    q = Decimal(text).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if q == 0:
        q = abs(q)
    return f"{q:.{decimals}f}"


def as_float(value) -> float:
    return float(value)
