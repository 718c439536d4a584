"""Independent recomputation of the chapter's numeric questions from their ``given`` (init_numeric, norm_numeric,
clip_numeric), written from the papers' and torch's formulas without importing optimizers or quizgen: exact
fractions where the quantity is rational, mpmath with 50 digits where a square root enters.

- Glorot & Bengio (2010): Var = 2/(n_in + n_out), uniform bound √(3·Var); He et al. (2015): Var = 2/n_in (fan_out
  with mode='fan_out'); torch's gain: tanh 5/3; the textbook: Var = 1/n (Xavier), 2/n (He), n = fan_in;
- Ioffe & Szegedy (2015) Alg. 1 with ε = 0; torch.nn.BatchNorm1d's running update (momentum weighs the new value,
  running_var takes m/(m − 1)·σ²_B); inference with given running statistics; Ba et al. (2016) over the features;
- Pascanu et al. (2013) clipping by norm (no 1e-6: the question says it does not show), clip by value, SGD step.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath

mpmath.mp.dps = 50


def _q(x) -> Fraction:
    return Fraction(repr(float(x)))


def init(given: dict) -> mpmath.mpf:
    form, n_in, n_out = given["form"], Fraction(given["fan_in"]), Fraction(given["fan_out"])
    fan = n_out if given.get("mode") == "fan_out" else n_in
    var = {"glorot_uniform": 2 / (n_in + n_out), "glorot_normal": 2 / (n_in + n_out),
           "xavier_tanh": Fraction(25, 9) * 2 / (n_in + n_out), "he_normal": 2 / fan, "he_uniform": 2 / fan,
           "textbook_xavier": 1 / n_in, "textbook_he": 2 / n_in}[form]
    if given["asked"] == "var":
        return mpmath.mpf(var.numerator) / var.denominator
    if form in ("glorot_uniform", "xavier_tanh", "he_uniform"):
        var *= 3  # the bound a = √(3·Var)
    return mpmath.sqrt(mpmath.mpf(var.numerator) / var.denominator)


def _m(x: Fraction) -> mpmath.mpf:
    return mpmath.mpf(x.numerator) / x.denominator


def _stats(values: list[Fraction]) -> tuple[Fraction, Fraction]:
    mu = sum(values) / len(values)
    return mu, sum((v - mu) ** 2 for v in values) / len(values)


def norm(given: dict):
    a = given["asked"]
    q, i, j = a["quantity"], a["sample"], a["feature"]
    x = [[_q(v) for v in row] for row in given["x"]]
    gamma, beta = _q(given["gamma"][j]), _q(given["beta"][j])
    if q == "y_eval":
        rm, rv = _q(given["running0"]["mean"][j]), _q(given["running0"]["var"][j])
        return _m(gamma) * _m(x[i][j] - rm) / mpmath.sqrt(_m(rv)) + _m(beta)
    if q in ("running_mean", "running_var"):
        col = [row[j] for row in x]
        m = len(col)
        mu, var = _stats(col)
        mom = _q(given["momentum"])
        if q == "running_mean":
            return (1 - mom) * _q(given["running0"]["mean"][j]) + mom * mu
        return (1 - mom) * _q(given["running0"]["var"][j]) + mom * var * m / (m - 1)
    values = x[i] if given["layer"] == "layer" else [row[j] for row in x]
    mu, var = _stats(values)
    if q == "var":
        return var
    xn = _m(x[i][j] - mu) / mpmath.sqrt(_m(var))
    return xn if q == "xn" else _m(gamma) * xn + _m(beta)


def clip(given: dict):
    a = given["asked"]
    q, name, k = a["quantity"], a["param"], a["index"]
    grads = {n: [_q(v) for v in vs] for n, vs in given["grads"].items()}
    flat = [v for vs in grads.values() for v in vs]
    square = sum(v * v for v in flat)
    total = mpmath.sqrt(_m(square))
    if given["by"] == "value":
        c = _q(given["clip_value"])
        clipped = [max(-c, min(c, v)) for v in flat]
        if q == "g":
            return max(-c, min(c, grads[name][k]))
        s = sum(v * v for v in clipped)
        return mpmath.sqrt(_m(s))
    c = _q(given["max_norm"])
    factor = _m(c) / total if total >= _m(c) else mpmath.mpf(1)
    if q == "norm":
        return total
    if q == "rate":
        return factor
    g = _m(grads[name][k]) * factor
    if q == "g":
        return g
    return _m(_q(given["params"][name][k])) - _m(_q(given["lr"])) * g


RECOMPUTE = {"init_numeric": init, "norm_numeric": norm, "clip_numeric": clip}


def as_mpf(value) -> mpmath.mpf:
    if isinstance(value, Fraction):
        return mpmath.mpf(value.numerator) / value.denominator
    return mpmath.mpf(value)
