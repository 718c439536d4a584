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
