"""Macros of the learning-rate schedule page (docs/chapter/schedules.md): each schedule's formula and class, η(t)
of every schedule, a worked SGD run under a schedule, the counting conventions side by side, and the effect of
a schedule on a noisy run. Everything is executed by optimizers/techniques/schedules.py.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from optimizers.techniques import schedules as S

from ..formulas import number
from ..seeds import rng as named_rng

#: the schedules of the η(t) figure: the same start η_0 = 0.1 and 100 steps
CURVES = (
    ("step", S.StepDecay(lr=0.1, step_size=30, gamma=0.1)),
    ("exponential", S.ExponentialDecay(lr=0.1, gamma=0.97)),
    ("linear", S.LinearDecay(lr=0.1, lr_end=0.001, tau=80)),
    ("cosine", S.CosineAnnealing(lr=0.1, T_max=100, eta_min=0.0)),
    ("warmup", S.LinearWarmup(lr=0.1, warmup=10, start_factor=0.1)),
    ("warmup_cosine", S.WarmupCosine(lr=0.1, warmup=10, total=100, start_factor=0.1, eta_min=0.0)),
)
CURVE_STEPS = 101
TABLE_T = (0, 1, 9, 10, 29, 30, 50, 80, 100)

#: the noisy run: L(w) = ½(w₁² + 10 w₂²), gradient + N(0, σ²) noise per component, from (3, 1)
NOISY_CURVATURE = (1.0, 10.0)
NOISY_START = (3.0, 1.0)
NOISY_SIGMA = 1.0
NOISY_STEPS = 200
NOISY_SEEDS = 20
NOISY_LR = 0.1
NOISY_RUNS = (None, S.StepDecay(lr=NOISY_LR, step_size=50, gamma=0.3),
              S.CosineAnnealing(lr=NOISY_LR, T_max=200, eta_min=0.0),
              S.WarmupCosine(lr=NOISY_LR, warmup=20, total=200, start_factor=0.1, eta_min=0.0))
#: plain-text symbols of the class arguments (legends cannot hold math)
PLAIN = {"lr": "η₀", "step_size": "s", "gamma": "γ", "T_max": "T", "eta_min": "η_min", "tau": "τ", "lr_end": "η_τ",
         "warmup": "T_w", "total": "T", "start_factor": "c"}


class _Constant:
    lr = NOISY_LR

    def get_lr(self, t):
        return self.lr


def kind_of(sch) -> str:
    return next(k for k, cls in S.CLASSES.items() if type(sch) is cls)


def plain_label(sch) -> str:
    """``ステップ減衰（s = 50, γ = 0.3）`` for a legend: the schedule's name and its arguments other than η₀."""
    if sch is None or isinstance(sch, _Constant):
        return f"一定（η = {number(NOISY_LR)}）"
    kind = kind_of(sch)
    args = [f"{PLAIN[s.code]} = {number(getattr(sch, s.code))}" for s in S.rule(kind).of_kind("hyper") if s.code != "lr"]
    return f"{name_ja(kind)}（{', '.join(args)}）"


def name_ja(kind: str) -> str:
    return S.INFO[kind].name_ja


def hyper_text(kind: str, sch) -> str:
    rule = S.rule(kind)
    return ", ".join(f"${s.latex} = {number(getattr(sch, s.code))}$" for s in rule.of_kind("hyper"))


# -- one schedule: formula, class, source ----------------------------------------------------------------
def formula(macros, kind: str) -> str:
    """The schedule's η_t (from its sympy rule), its source, its torch class and its reference class."""
    from .macros import display_math, table

    info = S.INFO[kind]
    rule = S.rule(kind)
    cls = S.CLASSES[kind]
    rows = [[f"${s.latex}$", s.ja, f"`{s.code}`"] for s in rule.symbols.values() if s.kind in ("hyper", "step")]
    code = inspect.getsource(cls).rstrip()
    out = display_math(S.eta_latex(kind))
    out += f"\n出典: {info.source}。PyTorch では `{info.torch}`。\n\n"
    out += table(["記号", "意味", "コード上の名前"], rows) + "\n"
    out += f'??? example "参照実装 {cls.__name__}（optimizers/techniques/schedules.py）"\n\n'
    out += "    ```python\n" + "\n".join(("    " + ln) if ln else "" for ln in code.splitlines()) + "\n    ```\n"
    return out


# -- η(t) of every schedule ------------------------------------------------------------------------------------
def curves(macros) -> str:
    from .. import plots
    from .macros import cell, table

    ts = list(range(CURVE_STEPS))
    series = [{"label": name_ja(kind), "x": ts, "y": [float(sch.get_lr(t)) for t in ts],
               "style": "--" if kind.startswith("warmup") else "-"} for kind, sch in CURVES]
    data = {"panels": [{"title": "ステップごとの学習率", "xlabel": "ステップ t", "ylabel": "学習率",
                        "series": series}]}
    link = macros._svg("schedules", "curves", data, lambda: plots.curves_svg(data, width=plots.PAGE_WIDTH, height=3.2))
    settings = "；".join(f"{name_ja(kind)}: {hyper_text(kind, sch)}" for kind, sch in CURVES)
    caption = f"6 つのスケジュールの学習率 $\\eta_t$（$t = 0, \\dots, {CURVE_STEPS - 1}$）。{settings}。"
    out = macros._figure(link, "学習率スケジュールの比較", caption) + "\n"
    header = ["スケジュール"] + [f"$t = {t}$" for t in TABLE_T]
    rows = [[name_ja(kind)] + [cell(sch.get_lr(t), 4) for t in TABLE_T] for kind, sch in CURVES]
    out += table(header, rows, "qg-runs") + "\n"
    return out


# -- SGD under a schedule, by hand ----------------------------------------------------------------------------
def worked(macros, kind: str, w0: float = 2.0, a: float = 2.0, steps: int = 4, **kwargs: Any) -> str:
    """SGD on L(W) = (a/2)W² under schedule ``kind`` (class arguments ``kwargs``): a table and each step's
    substitution, executed by ``run_sgd``."""
    from .macros import cell, display_math, table, tabs

    sch = S.CLASSES[kind](**kwargs)
    params = {"W": np.array([float(w0)])}
    seen: list[tuple[float, float]] = []

    def grad(p):
        g = float(a) * float(p["W"][0])
        seen.append((float(p["W"][0]), g))
        return {"W": np.array([g])}

    used = S.run_sgd(sch, params, grad, steps)
    ws = [w for w, _ in seen] + [float(params["W"][0])]
    loss = "W^2" if a == 2 else f"\\frac{{{number(a)}}}{{2}} W^2"
    intro = (f"損失 $L(W) = {loss}$（勾配 ${number(a) if a != 1 else ''}W$）を、$W_0 = {number(w0)}$ から SGD で "
             f"{steps} 回更新する。スケジュールは{name_ja(kind)}で {hyper_text(kind, sch)}。1 回目の更新は "
             "$t = 0$ の学習率を使う。\n\n")
    rows = [[str(n + 1), str(n), cell(used[n]), cell(seen[n][0]), cell(seen[n][1]), cell(ws[n + 1])]
            for n in range(steps)]
    out = intro + table(["更新", "$t$", "$\\eta_t$", "更新前の $W$", "勾配 $g$", "更新後の $W$"], rows, "qg-steps")
    rule = S.rule(kind)
    items = []
    from ..families._chapter import active

    for n in range(steps):
        env = S.rule_env(kind, sch, n)
        expr = active(rule.assignments[0][1], env)
        values = {s.name: number(getattr(sch, s.code)) for s in rule.of_kind("hyper")}
        values["t"] = str(n)
        sub = rule.latex_expr(expr, {k: v for k, v in values.items() if rule.symbols[k].s in expr.free_symbols})
        w, g = seen[n]
        lines = [f"\\eta_{{{n}}} &= {sub} = {number(used[n])}",
                 f"W_{{{n + 1}}} &= W_{{{n}}} - \\eta_{{{n}}} g = {number(w)} - {number(used[n])} \\times "
                 f"{_p(number(g))} = {number(ws[n + 1])}"]
        items.append((f"更新 {n + 1}", display_math("\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}")))
    return out + "\n" + tabs(items)


def _p(text: str) -> str:
    return f"\\left({text}\\right)" if text.startswith("-") else text


# -- counting conventions -----------------------------------------------------------------------------------
def counting(macros, step_size: int = 10, gamma: float = 0.1, lr: float = 0.1) -> str:
    """The rate of the n-th update when t counts from 0 (PyTorch) and when it counts from 1 (Goodfellow et al.'s
    k, and many exam solutions): executed around the first decay."""
    from .macros import cell, table

    sch = S.StepDecay(lr=lr, step_size=step_size, gamma=gamma)
    rows = []
    for n in range(step_size - 1, step_size + 3):
        rows.append([f"{n} 回目", str(n - 1), cell(sch.get_lr(n - 1)), str(n), cell(sch.get_lr(n))])
    header = ["更新", "$t$（0 から）", "$\\eta_t$（PyTorch の数え方）", "$t$（1 から）",
              "$\\eta_t$（1 から数えたとき）"]
    return (f"ステップ減衰 $\\eta_t = \\eta_0 \\gamma^{{\\lfloor t/s \\rfloor}}$、$\\eta_0 = {number(lr)}$, "
            f"$s = {step_size}$, $\\gamma = {number(gamma)}$ で、{step_size - 1}〜{step_size + 2} 回目の更新に使う"
            "学習率を、2 つの数え方で計算した（参照実装 StepDecay.get_lr を実行）。\n\n"
            + table(header, rows, "qg-steps"))


# -- the effect on a noisy run --------------------------------------------------------------------------------
def noisy_runs() -> dict[str, Any]:
    """SGD with noisy gradients on L(w) = ½(w₁² + 10 w₂²) under each schedule: the mean loss per step over
    NOISY_SEEDS runs (the same noise for every schedule)."""
    a = np.array(NOISY_CURVATURE)
    out = []
    for sch in NOISY_RUNS:
        label = plain_label(sch)
        sch = sch or _Constant()
        losses = np.zeros(NOISY_STEPS + 1)
        for seed in range(NOISY_SEEDS):
            noise = named_rng("site", "schedules", "noise", seed).standard_normal((NOISY_STEPS, 2)) * NOISY_SIGMA
            params = {"W": np.array(NOISY_START)}
            step = iter(range(NOISY_STEPS))
            run = [0.5 * float(a @ params["W"] ** 2)]

            def grad(p, run=run, step=step, noise=noise):
                return {"W": a * p["W"] + noise[next(step)]}

            for _ in range(NOISY_STEPS):
                S.run_sgd(_From(sch, len(run) - 1), params, grad, 1)
                run.append(0.5 * float(a @ params["W"] ** 2))
            losses += np.array(run)
        out.append({"label": label, "losses": (losses / NOISY_SEEDS).tolist()})
    return {"runs": out}


class _From:
    """A schedule seen from step ``t0`` on (run_sgd one update at a time, to record the loss after each)."""

    def __init__(self, schedule, t0: int):
        self.schedule, self.t0, self.lr = schedule, t0, schedule.lr

    def get_lr(self, t):
        return self.schedule.get_lr(self.t0 + t)


def effect(macros) -> str:
    from .. import plots
    from .macros import cell, table

    res = noisy_runs()
    steps = list(range(NOISY_STEPS + 1))
    data = {"panels": [{"title": "損失（20 回の平均）", "xlabel": "ステップ", "ylabel": "損失（対数）", "log": True,
                        "series": [{"label": r["label"], "x": steps, "y": r["losses"]} for r in res["runs"]]}]}
    link = macros._svg("schedule-effect", "curves", data, lambda: plots.curves_svg(data, height=3.2))
    caption = (f"$L(w) = \\frac{{1}}{{2}}(w_1^2 + 10 w_2^2)$ を $({number(NOISY_START[0])}, {number(NOISY_START[1])})$ "
               f"から SGD で {NOISY_STEPS} ステップ。勾配の各成分に標準偏差 {number(NOISY_SIGMA)} の正規ノイズを"
               f"加え（ミニバッチの勾配のばらつきの代わり）、乱数の種を変えた {NOISY_SEEDS} 回の損失を平均した。"
               "どのスケジュールも同じノイズ列を使う。")
    out = macros._figure(link, "スケジュールによる損失の違い", caption) + "\n"
    tail = 20
    rows = [[r["label"], cell(r["losses"][50], 3), cell(r["losses"][100], 3),
             cell(float(np.mean(r["losses"][-tail:])), 3)] for r in res["runs"]]
    out += table(["学習率", "50 ステップ後の損失", "100 ステップ後", f"最後の {tail} ステップの平均"], rows, "qg-runs")
    best = min(res["runs"], key=lambda r: float(np.mean(r["losses"][-tail:])))
    const = res["runs"][0]
    ratio = float(np.mean(const["losses"][-tail:])) / float(np.mean(best["losses"][-tail:]))
    out += (f"\n最後の {tail} ステップの平均損失は、一定の学習率のとき {cell(float(np.mean(const['losses'][-tail:])), 3)}、"
            f"いちばん小さかった「{best['label']}」で {cell(float(np.mean(best['losses'][-tail:])), 3)}"
            f"（{cell(ratio, 3)} 分の 1）。\n")
    return out
