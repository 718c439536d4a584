"""Independent recomputation of the chapter families' keys from a question's ``given``.

Written from the papers' and torch's definitions, without importing optimizers.techniques or the families'
code, in mpmath with 50 significant digits (every drawn number read from its shortest decimal).
"""

from __future__ import annotations

import mpmath

mpmath.mp.dps = 50


def m(x):
    return mpmath.mpf(repr(float(x)))


# -- schedule -----------------------------------------------------------------------------------------------
def eta(kind: str, h: dict, t: int):
    """η_t (t from 0, torch's last_epoch) of each schedule, from its definition."""
    lr = m(h["lr"])
    if kind == "step":
        return lr * m(h["gamma"]) ** (t // int(h["step_size"]))
    if kind == "exponential":
        return lr * m(h["gamma"]) ** t
    if kind == "linear":  # Goodfellow eq. 8.14 with α = min(t, τ)/τ
        a = mpmath.mpf(min(t, int(h["tau"]))) / int(h["tau"])
        return (1 - a) * lr + a * m(h["lr_end"])
    if kind == "warmup":  # torch LinearLR(start_factor=c, total_iters=T_w)
        c, w = m(h["start_factor"]), int(h["warmup"])
        return lr * (c + (1 - c) * mpmath.mpf(min(t, w)) / w)
    if kind == "cosine":  # SGDR eq. (5) without restarts
        lo = m(h["eta_min"])
        return lo + (lr - lo) * (1 + mpmath.cos(mpmath.pi * t / int(h["T_max"]))) / 2
    if kind == "warmup_cosine":
        c, w, total = m(h["start_factor"]), int(h["warmup"]), int(h["total"])
        if t < w:
            return lr * (c + (1 - c) * mpmath.mpf(t) / w)
        lo = m(h["eta_min"])
        return lo + (lr - lo) * (1 + mpmath.cos(mpmath.pi * (t - w) / (total - w))) / 2
    raise AssertionError(f"unknown schedule {kind}")


def schedule_key(given: dict) -> float:
    kind, h, asked = given["schedule"], given["hyperparameters"], given["asked"]
    if asked["quantity"] == "lr":
        return float(eta(kind, h, int(asked["t"])))
    w = m(given["W0"])
    for step in range(int(asked["steps"])):
        g = m(given["grads"][step]) if "grads" in given else m(given["loss"]["a"]) * w
        w = w - eta(kind, h, step) * g
    return float(w)


# -- early stopping (Goodfellow et al. 2016, Algorithm 7.1, written out again) --------------------------------
def early_stopping_key(given: dict) -> int:
    losses, p, delta = given["val_losses"], int(given["patience"]), m(given.get("min_delta", 0.0))
    best, best_epoch, since = None, None, 0
    for epoch, v in enumerate(losses, start=1):
        if best is None or m(v) < best - delta:
            best, best_epoch, since = m(v), epoch, 0
        else:
            since += 1
        if since == p:
            return best_epoch if given["asked"] == "kept" else epoch
    raise AssertionError("the record never stops")


# -- weight averages ---------------------------------------------------------------------------------------
def averaging_key(given: dict) -> float:
    ws = [m(w) for w in given["weights"]]
    if given["average"] == "polyak":
        return float(sum(ws) / len(ws))
    b = m(given["beta"])
    avg = ws[0]
    for w in ws[1:]:
        avg = b * avg + (1 - b) * w
    return float(avg)


# -- second-order methods (exact, with sympy) --------------------------------------------------------------
def second_order_key(given: dict) -> float:
    import sympy as sp

    r = lambda x: sp.Rational(repr(float(x)))  # noqa: E731
    if given["quantity"] == "newton_1d":
        w, a = sp.symbols("w a")
        L = w**3 / 3 - a * w if given["loss"] == "cubic" else w**4 / 4 - a * w**2 / 2
        at = {w: r(given["w0"]), a: r(given["a"])}
        return float(at[w] - sp.diff(L, w).subs(at) / sp.diff(L, w, 2).subs(at))
    H = sp.Matrix([[r(x) for x in row] for row in given["H"]])
    if given["quantity"] == "newton_2d":  # one step on a quadratic: the solution of H w = b
        return float((H.inv() * sp.Matrix([r(x) for x in given["b"]]))[int(given["index"])])
    lam = sorted(H.eigenvals(), key=lambda e: float(e))
    return float(lam[-1] / lam[0])


def critical_point_key(given: dict) -> str:
    import sympy as sp

    x, y = sp.symbols("x y", real=True)
    f = sp.sympify(given["f"], locals={"x": x, "y": y})
    at = {x: given["point"][0], y: given["point"][1]}
    assert sp.diff(f, x).subs(at) == 0 and sp.diff(f, y).subs(at) == 0
    H = sp.hessian(f, (x, y)).subs(at)
    det, tr = H.det(), H.trace()
    if det < 0:
        return "saddle"
    if det == 0:
        return "degenerate"
    return "minimum" if tr > 0 else "maximum"
