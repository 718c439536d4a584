"""Macros of the second-order page (docs/chapter/second-order.md): Newton's step against gradient descent on the
ravine, the condition number and gradient descent's rate, the cost of the Hessian, Newton jumping onto the saddle,
conjugate gradients against steepest descent, and BFGS on Rosenbrock. Everything is executed by
optimizers/techniques/second_order.py and the reference SGD class.
"""

from __future__ import annotations

import math

import numpy as np

from optimizers import SGD
from optimizers.techniques import second_order as N

from .. import problems as P
from ..formulas import number, number_latex

KIND_JA = {"minimum": "極小点", "maximum": "極大点", "saddle": "鞍点", "degenerate": "判定できない"}

RAVINE = np.diag([0.1, 2.0])  # the Hessian of x²/20 + y²
START = (-8.0, 3.0)


def _gd(problem: str, start, lr: float, steps: int) -> list[list[float]]:
    prob = P.get(problem)
    params = {"W": np.array(start, dtype=np.float64)}
    opt = SGD(lr=lr)
    path = [params["W"].tolist()]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            opt.update(params, {"W": np.array(prob.grad(*params["W"]), dtype=np.float64)})
            path.append(params["W"].tolist())
    return path


def _losses(problem: str, path) -> list[float]:
    prob = P.get(problem)
    return [float(prob.f(x, y)) for x, y in path]


def _newton(H: np.ndarray, start, steps: int = 1, problem: str = "ravine") -> list[list[float]]:
    prob = P.get(problem)
    params = {"W": np.array(start, dtype=np.float64)}
    opt = N.Newton()
    path = [params["W"].tolist()]
    for _ in range(steps):
        opt.update(params, {"W": np.array(prob.grad(*params["W"]))}, {"W": H})
        path.append(params["W"].tolist())
    return path


def newton_vs_gd(macros, lr: float = 0.9, steps: int = 30) -> str:
    from .. import plots

    prob = P.get("ravine")
    gd = _gd("ravine", START, lr, steps)
    newton = _newton(RAVINE, START)
    series = [{"label": f"勾配降下法（η = {number(lr)}）", "points": gd, "losses": _losses("ravine", gd)},
              {"label": "ニュートン法", "points": newton,
               "losses": [_losses("ravine", newton)[0], None]}]  # 損失 0 は対数軸に描けない
    data = {"problem": "ravine", "title": prob.name_ja, "series": series}
    link = macros._svg("newton-ravine", "paths_and_loss", data, lambda: plots.paths_and_loss_svg(data))
    nl = _losses("ravine", newton)[-1]
    caption = (f"{prob.name_ja} ${prob.formula}$ を $({number(START[0])}, {number(START[1])})$ から。ニュートン法は 1 回の"
               f"更新で $({number(newton[1][0])}, {number(newton[1][1])})$ に着き、損失は {number(nl)}（対数軸には描けない）。"
               f"勾配降下法は {steps} 回の更新で損失 {number(_losses('ravine', gd)[-1], 3)}。")
    return macros._figure(link, "ニュートン法と勾配降下法", caption)


def condition_table(macros, kappas=(1, 2, 10, 100, 1000), tol: float = 1e-6, cap: int = 200000) -> str:
    """Gradient descent with its best fixed rate 2/(λmin + λmax) on L = ½(x² + κy²): steps until the distance to
    the minimum is below ``tol`` times the start's, executed; Newton's method needs one."""
    from .macros import cell, table

    rows = []
    for k in kappas:
        H = np.diag([1.0, float(k)])
        lr = 2.0 / (1.0 + k)
        params = {"W": np.array([1.0, 1.0])}
        opt = SGD(lr=lr)
        n = 0
        start = np.linalg.norm(params["W"])
        while np.linalg.norm(params["W"]) > tol * start and n < cap:
            opt.update(params, {"W": H @ params["W"]})
            n += 1
        newton = {"W": np.array([1.0, 1.0])}
        N.Newton().update(newton, {"W": H @ newton["W"]}, {"W": H})
        newton_steps = 1 if np.linalg.norm(newton["W"]) <= tol * start else "—"
        rows.append([cell(N.condition_number(H)), cell(lr, 4), cell(N.gd_rate(H, lr), 4),
                     f"{n:,}" if n < cap else f"{cap:,} 以上", str(newton_steps)])
    header = ["条件数 $\\kappa$", "学習率 $\\eta = 2/(\\lambda_{\\min} + \\lambda_{\\max})$",
              "1 回で誤差が何倍になるか", f"勾配降下法の回数（誤差 ${number_latex(tol)}$ 倍まで）", "ニュートン法の回数"]
    return ("$L = \\frac{1}{2}(x^2 + \\kappa y^2)$（ヘッセ行列の固有値 1 と $\\kappa$）を $(1, 1)$ から、勾配降下法"
            "（固定の学習率のうち最もよいもの）とニュートン法で最小化した（参照実装を実行）。\n\n"
            + table(header, rows, "qg-runs"))


def _bytes(n: float) -> str:
    for unit, size in (("PB", 1e15), ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{number(n / size, 3)} {unit}"
    return f"{number(n)} B"


def newton_cost(macros, sizes=(1_000, 1_000_000, 100_000_000)) -> str:
    from .macros import table

    rows = []
    for k in sizes:
        rows.append([f"{k:,}", f"$10^{{{round(math.log10(k * k))}}}$", _bytes(4.0 * k * k),
                     f"$10^{{{round(math.log10(float(k) ** 3))}}}$"])
    return table(["パラメータ数 $k$", "ヘッセ行列の要素数 $k^2$", "保存に必要なメモリ（32 ビット浮動小数点）",
                  "逆行列の計算量の目安 $k^3$"], rows, "qg-runs")


def newton_saddle(macros, lr: float = 0.1, steps: int = 15, start=(-1.5, 0.5)) -> str:
    from .. import plots

    prob = P.get("saddle")
    H = np.diag([2.0, -2.0])
    newton = _newton(H, start, problem="saddle")
    gd = _gd("saddle", start, lr, steps)
    series = [{"label": f"勾配降下法（η = {number(lr)}）", "points": gd, "losses": _losses("saddle", gd)},
              {"label": "ニュートン法", "points": newton, "losses": _losses("saddle", newton)}]
    data = {"problem": "saddle", "title": prob.name_ja, "series": series}
    link = macros._svg("newton-saddle", "paths_and_loss", data, lambda: plots.paths_and_loss_svg(data))
    lam = N.eigenvalues(H)
    caption = (f"{prob.name_ja} ${prob.formula}$（ヘッセ行列の固有値 {number(lam[0])}, {number(lam[1])}、分類は "
               f"{KIND_JA[N.classify(H)]}）を $({number(start[0])}, {number(start[1])})$ から。ニュートン法は 1 回で勾配が 0 の点 "
               f"$({number(newton[1][0])}, {number(newton[1][1])})$、つまり鞍点に着いて止まる。勾配降下法は y 方向に"
               f"離れていき、{steps} 回で損失 {number(_losses('saddle', gd)[-1], 3)}。")
    return macros._figure(link, "鞍点でのニュートン法", caption)


def cg_example(macros, sd_steps: int = 12) -> str:
    from .. import plots
    from .macros import cell, table

    prob = P.get("ravine")
    b = np.zeros(2)
    cg = N.conjugate_gradient(RAVINE, b, np.array(START))
    sd = N.steepest_descent(RAVINE, b, np.array(START), sd_steps)
    data = {"problem": "ravine", "title": prob.name_ja, "xlim": [-9.0, 1.0], "ylim": [-1.0, 3.5],
            "series": [{"label": f"最急降下法＋厳密な直線探索（{sd_steps} 回）", "points": [list(p) for p in sd]},
                       {"label": f"共役勾配法（{len(cg) - 1} 回）", "points": [list(p) for p in cg]}]}
    link = macros._svg("cg-ravine", "paths", data, lambda: plots.paths_svg(data))
    caption = (f"{prob.name_ja} ${prob.formula}$（2 変数の二次関数）を $({number(START[0])}, {number(START[1])})$ から。"
               "どちらも各回の進む向きの上で損失が最小になるところまで進む（厳密な直線探索）。")
    out = macros._figure(link, "共役勾配法と最急降下法", caption) + "\n"
    rows = [[str(i), cell(p[0], 4), cell(p[1], 4), cell(prob.f(*p), 4)] for i, p in enumerate(cg)]
    out += ("共役勾配法の各点（参照実装 `conjugate_gradient` を実行）:\n\n"
            + table(["回", "$x$", "$y$", "損失"], rows, "qg-steps"))
    return out


def bfgs_example(macros, gd_lr: float = 0.002, gd_steps: int = 2000) -> str:
    from .. import plots
    from .macros import cell, table

    prob = P.get("rosenbrock")
    start = (-1.2, 1.0)

    def f(x):
        return float(prob.f(*x))

    def grad(x):
        return np.array(prob.grad(*x), dtype=np.float64)

    path = N.bfgs(f, grad, start)
    gd = _gd("rosenbrock", start, gd_lr, gd_steps)
    data = {"problem": "rosenbrock", "title": prob.name_ja,
            "series": [{"label": f"勾配降下法（η = {number(gd_lr)}, {gd_steps} 回）", "points": gd[::10] + [gd[-1]]},
                       {"label": f"BFGS 法（{len(path) - 1} 回）", "points": [list(p) for p in path]}]}
    link = macros._svg("bfgs-rosenbrock", "paths", data, lambda: plots.paths_svg(data))
    caption = (f"{prob.name_ja} ${prob.formula}$ を $({number(start[0])}, {number(start[1])})$ から。BFGS 法は参照実装"
               "（直線探索つき）、勾配降下法は 10 回ごとの点を描いた。")
    out = macros._figure(link, "BFGS 法と勾配降下法", caption) + "\n"
    rows = [["BFGS 法", f"{len(path) - 1:,}", cell(path[-1][0], 6), cell(path[-1][1], 6), cell(f(path[-1]), 3)],
            [f"勾配降下法（η = {number(gd_lr)}）", f"{gd_steps:,}", cell(gd[-1][0], 6), cell(gd[-1][1], 6),
             cell(f(gd[-1]), 3)]]
    return out + table(["手法", "更新の回数", "$x$", "$y$", "損失"], rows, "qg-runs")
