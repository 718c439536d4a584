"""Macros of the weight-averaging page (docs/chapter/averaging.md): SGD with noisy gradients on the ravine, with
the Polyak average (from the start and from a later step) and the EMA of its iterates; and a small run by hand.
Everything is executed by optimizers (SGD) and optimizers/techniques/averaging.py.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from optimizers import SGD
from optimizers.techniques import averaging as A

from .. import problems as P
from ..formulas import number
from ..seeds import rng as named_rng

PROBLEM = "ravine"
START = (-8.0, 3.0)
LR = 0.6
SIGMA = 0.5  # standard deviation of the noise added to each gradient component
STEPS = 200
EMA_DECAY = 0.95
TAIL_FROM = 100  # the second Polyak average starts here (averaging only the end of the run)


def noisy_run() -> dict[str, Any]:
    """The SGD iterates and the three averages after each update (JSON-ready)."""
    prob = P.get(PROBLEM)
    noise = named_rng("site", "averaging", "noise").standard_normal((STEPS, 2)) * SIGMA
    params = {"W": np.array(START)}
    opt = SGD(lr=LR)
    polyak, tail, ema = A.PolyakAverage(), A.PolyakAverage(), A.EMA(decay=EMA_DECAY)
    out: dict[str, list] = {"sgd": [list(START)], "polyak": [], "tail": [], "ema": []}
    for t in range(STEPS):
        gx, gy = prob.grad(*params["W"])
        opt.update(params, {"W": np.array([gx, gy]) + noise[t]})  # ノイズのある勾配で SGD
        polyak.update(params)
        ema.update(params)
        if t + 1 >= TAIL_FROM:
            tail.update(params)
        out["sgd"].append(params["W"].tolist())
        out["polyak"].append(polyak.avg["W"].tolist())
        out["ema"].append(ema.avg["W"].tolist())
        if tail.avg is not None:
            out["tail"].append(tail.avg["W"].tolist())
    return out


def _loss(points: list[list[float]]) -> list[float]:
    prob = P.get(PROBLEM)
    return [float(prob.f(x, y)) for x, y in points]


def run(macros) -> str:
    from .. import plots
    from .macros import cell, table

    res = noisy_run()
    prob = P.get(PROBLEM)
    labels = {"sgd": "SGD の重み", "polyak": "Polyak 平均（最初から）", "tail": f"Polyak 平均（{TAIL_FROM} 回目から）",
              "ema": f"EMA（β = {number(EMA_DECAY)}）"}
    # the loss panel's x is the step: the averages start after the first update, the late Polyak average later
    offset = {"sgd": 0, "polyak": 1, "tail": TAIL_FROM, "ema": 1}
    series = [{"label": labels[k], "points": res[k], "losses": [None] * offset[k] + _loss(res[k])}
              for k in ("sgd", "polyak", "tail", "ema")]
    data = {"problem": PROBLEM, "title": prob.name_ja, "series": series}
    link = macros._svg("averaging", "paths_and_loss", data, lambda: plots.paths_and_loss_svg(data))
    caption = (f"{prob.name_ja} ${prob.formula}$ を $({number(START[0])}, {number(START[1])})$ から SGD（$\\eta = "
               f"{number(LR)}$）で {STEPS} ステップ。勾配の各成分に標準偏差 {number(SIGMA)} の正規ノイズを加えた。"
               "平均は各更新の後の重みから計算し、SGD の経路そのものは変えない。右は各点での損失（対数）。")
    out = macros._figure(link, "SGD の重みとその平均", caption) + "\n"
    last = 20
    rows = []
    for k in ("sgd", "polyak", "tail", "ema"):
        losses = _loss(res[k])
        rows.append([labels[k], cell(losses[-1], 3), cell(float(np.mean(losses[-last:])), 3)])
    out += table(["", f"{STEPS} ステップ後の損失", f"最後の {last} ステップの平均"], rows, "qg-runs")
    return out


def worked(macros, lr: float = 0.9, w0: float = 1.0, steps: int = 5, decay: float = 0.5) -> str:
    """SGD on L(W) = W² with a large rate (W changes sign every step) and both averages, by the classes."""
    from .macros import cell, table

    opt = SGD(lr=lr)
    params = {"W": np.array([w0])}
    polyak, ema = A.PolyakAverage(), A.EMA(decay=decay)
    rows = [["0", cell(w0), "—", "—"]]
    for t in range(1, steps + 1):
        opt.update(params, {"W": 2 * params["W"]})
        polyak.update(params)
        ema.update(params)
        rows.append([str(t), cell(params["W"][0]), cell(polyak.avg["W"][0]), cell(ema.avg["W"][0])])
    intro = (f"$L(W) = W^2$ を $W_0 = {number(w0)}$ から SGD（$\\eta = {number(lr)}$）で更新すると、1 回ごとに $W$ は "
             f"$1 - 2\\eta = {number(1 - 2 * lr)}$ 倍になり、最小点 0 を飛び越えながら近づく。各更新の後の重みの "
             f"Polyak 平均と EMA（$\\beta = {number(decay)}$）を参照実装で計算した（どちらも 1 回目の更新の後は "
             "$\\bar{W} = W_1$）。\n\n")
    return intro + table(["更新 $t$", "$W_t$", "Polyak 平均 $\\bar{W}$", "EMA $\\bar{W}$"], rows, "qg-steps")
