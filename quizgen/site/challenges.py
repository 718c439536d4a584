"""Macros of the challenges of the optimization chapter on the saddle-point page (docs/basics/saddle-points.md):
local minima on a 1-D double well, a plateau from a saturated sigmoid, and critical points classified by their
Hessians (sympy derivatives, ``optimizers.techniques.second_order.classify``). The runs use the reference
optimizer classes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

import optimizers
from optimizers.techniques import second_order as N

from ..formulas import number

KIND_JA = {"minimum": "極小点", "maximum": "極大点", "saddle": "鞍点", "degenerate": "ヘッセ行列では判定できない"}

# -- local minima: f(w) = w⁴ − 3w² + w ------------------------------------------------------------------------
W = sp.Symbol("w", real=True)
DOUBLE_WELL = W**4 - 3 * W**2 + W
STARTS = (-2.0, -0.3, 0.5, 2.0)
LR, STEPS = 0.02, 200


def _f(expr):
    return sp.lambdify(W, expr, "numpy")


def local_minima(macros) -> str:
    from .. import plots
    from .macros import cell, table

    f, df, d2f = _f(DOUBLE_WELL), _f(sp.diff(DOUBLE_WELL, W)), _f(sp.diff(DOUBLE_WELL, W, 2))
    grid = np.linspace(-2.2, 2.2, 221)
    series, rows = [], []
    ends = []
    for w0 in STARTS:
        opt = optimizers.SGD(lr=LR)
        params = {"W": np.array([w0])}
        xs = [w0]
        for _ in range(STEPS):
            opt.update(params, {"W": np.array([float(df(params["W"][0]))])})
            xs.append(float(params["W"][0]))
        ends.append(xs[-1])
        series.append({"label": f"w₀ = {number(w0)}", "x": xs, "y": [float(f(x)) for x in xs]})
    lowest = min(float(f(e)) for e in ends)
    for w0, e in zip(STARTS, ends):
        kind = "大域解" if abs(float(f(e)) - lowest) < 1e-9 else "局所解"
        rows.append([cell(w0), cell(e, 4), cell(float(f(e)), 4), cell(float(d2f(e)), 4), kind])
    data = {"x": grid.tolist(), "f": [float(f(x)) for x in grid], "series": series, "xlabel": "w", "ylabel": "f(w)"}
    link = macros._svg("local-minima", "function_paths", data, lambda: plots.function_paths_svg(data))
    caption = (f"$f(w) = {sp.latex(DOUBLE_WELL)}$ を SGD（$\\eta = {number(LR)}$）で {STEPS} 回更新した。"
               "四角が出発点、星が最後の点。")
    out = macros._figure(link, "出発点によって行き着く極小点が違う", caption) + "\n"
    out += table(["出発点 $w_0$", f"{STEPS} 回後の $w$", "$f(w)$", "$f''(w)$", "行き着いた点"], rows, "qg-runs")
    return out


# -- a plateau: a saturated sigmoid unit, L(w) = ½(σ(w) − y)² ----------------------------------------------------
PLATEAU_TARGET, PLATEAU_START, PLATEAU_STEPS = 0.9, -6.0, 400
#: Momentum at the same effective rate η/(1 − α) as SGD; Adam's steps are about η whatever the gradient
PLATEAU_RUNS = (("sgd", {"lr": 2.0}), ("momentum", {"lr": 0.2, "momentum": 0.9}), ("adam", {"lr": 0.05}))
PLATEAU_LEVEL = 0.01  # "escaped" once the loss is below this


def _sigmoid(w: float) -> float:
    return 1.0 / (1.0 + np.exp(-w))


def plateau_runs() -> list[dict[str, Any]]:
    out = []
    for key, kw in PLATEAU_RUNS:
        opt = optimizers.get(key).INFO.cls(**kw)
        params = {"W": np.array([PLATEAU_START])}
        losses = []
        for _ in range(PLATEAU_STEPS + 1):
            s = _sigmoid(float(params["W"][0]))
            losses.append(0.5 * (s - PLATEAU_TARGET) ** 2)
            grad = (s - PLATEAU_TARGET) * s * (1 - s)  # 連鎖律: (σ − y)·σ(1 − σ)
            opt.update(params, {"W": np.array([grad])})
        out.append({"key": key, "kwargs": kw, "losses": losses[:PLATEAU_STEPS + 1]})
    return out


def plateau(macros) -> str:
    from .. import plots
    from .macros import cell, display_name, settings_tex, table

    runs = plateau_runs()
    steps = list(range(PLATEAU_STEPS + 1))
    series = [{"label": f"{display_name(r['key'])}（{', '.join(f'{k}={number(v)}' for k, v in r['kwargs'].items())}）",
               "x": steps, "y": r["losses"]} for r in runs]
    data = {"panels": [{"title": "損失の推移", "xlabel": "ステップ", "ylabel": "損失（対数）", "log": True,
                        "series": series}]}
    link = macros._svg("plateau", "curves", data, lambda: plots.curves_svg(data, height=3.0))
    s0 = _sigmoid(PLATEAU_START)
    g0 = (s0 - PLATEAU_TARGET) * s0 * (1 - s0)
    caption = (f"シグモイド関数 1 つのモデル $L(w) = \\frac{{1}}{{2}}(\\sigma(w) - {number(PLATEAU_TARGET)})^2$ を "
               f"$w_0 = {number(PLATEAU_START)}$ から最小化した。出発点では $\\sigma(w_0) = {number(s0, 3)}$ と飽和していて、"
               f"勾配は ${cell(g0, 3).strip('$')}$ しかない。")
    out = macros._figure(link, "プラトー", caption) + "\n"
    rows = []
    for r in runs:
        esc = next((i for i, v in enumerate(r["losses"]) if v < PLATEAU_LEVEL), None)
        rows.append([display_name(r["key"]), settings_tex(r["key"], r["kwargs"]),
                     str(esc) if esc is not None else f"{PLATEAU_STEPS} 回では抜けない", cell(r["losses"][-1], 3)])
    out += table(["手法", "設定", f"損失が {number(PLATEAU_LEVEL)} を下回った回", f"{PLATEAU_STEPS} 回後の損失"], rows,
                 "qg-runs")
    esc = {r["key"]: next((i for i, v in enumerate(r["losses"]) if v < PLATEAU_LEVEL), None) for r in runs}
    if None not in esc.values():
        sgd_lr = dict(PLATEAU_RUNS)["sgd"]["lr"]
        mom = dict(PLATEAU_RUNS)["momentum"]
        out += (f"\nMomentum は実効学習率 $\\eta/(1 - \\alpha) = {number(mom['lr'] / (1 - mom['momentum']))}$ を SGD の "
                f"$\\eta = {number(sgd_lr)}$ とそろえてある。止まった状態から始めると速度がたまるまで時間がかかり、"
                f"抜けるまでの回数は SGD の {esc['sgd']} 回に対して {esc['momentum']} 回だった。Adam は勾配の大きさで"
                f"割るので、勾配が小さくても最初から $\\eta$ 程度ずつ進み、{esc['adam']} 回で抜けた。\n")
    return out


# -- critical points by the Hessian ---------------------------------------------------------------------------
X, Y = sp.symbols("x y", real=True)
CRITICAL = (X**2 + Y**2, -(X**2) - Y**2, X**2 - Y**2, X**2 + 4 * X * Y + Y**2, X**4 + Y**2)


def critical_points(macros) -> str:
    from .macros import table

    rows = []
    for f in CRITICAL:
        grad = [sp.diff(f, v).subs({X: 0, Y: 0}) for v in (X, Y)]
        H = sp.hessian(f, (X, Y)).subs({X: 0, Y: 0})
        Hn = np.array(H.tolist(), dtype=np.float64)
        lam = N.eigenvalues(Hn)
        rows.append([f"${sp.latex(f)}$", f"$({grad[0]}, {grad[1]})$", f"${sp.latex(H, mat_delim='(')}$",
                     ", ".join(number(v) for v in lam), KIND_JA[N.classify(Hn)]])
    return ("どれも原点 $(0, 0)$ で勾配が 0 になる関数。ヘッセ行列は sympy で微分して求め、固有値と判定は参照実装"
            "（`optimizers.techniques.second_order.classify`）で計算した。\n\n"
            + table(["関数 $f(x, y)$", "原点での勾配", "ヘッセ行列", "固有値", "判定"], rows, "qg-runs"))
