"""学習率スケジューリング: 学習の進み具合 t に応じて学習率 η_t を変える。

Every schedule is a small class with ``get_lr(t)``: the learning rate of step ``t``, counted **from 0** as
``torch.optim.lr_scheduler`` counts (``last_epoch``): the first update uses η_0 = ``lr``, and calling
``scheduler.step()`` once after each update (or each epoch) moves to the next t. :func:`run_sgd` is that loop
with the textbook SGD class. ``rule(kind)`` is the same schedule as sympy (η_t, then W ← W − η_t g), rendered on
the pages and proven equal to ``get_lr`` in the tests; ``TORCH`` says which torch scheduler gives the same η_t
(checked in tests/test_chapter_torch.py).
"""

from __future__ import annotations

import numpy as np

from .. import _symbols as S
from .._rule import Rule, Sym
from ..sgd import SGD
from ._formula import build
from ._info import Technique


class StepDecay:
    """ステップ減衰: step_size ステップごとに学習率を γ 倍する。"""

    def __init__(self, lr=0.1, step_size=10, gamma=0.1):
        self.lr = lr  # 最初の学習率 η_0
        self.step_size = step_size  # 何ステップごとに下げるか s
        self.gamma = gamma  # 下げるたびに掛ける倍率 γ

    def get_lr(self, t):
        n = t // self.step_size  # t までに下げた回数（t は 0 から数える）
        return self.lr * self.gamma ** n  # η_t = η_0 γ^⌊t/s⌋


class ExponentialDecay:
    """指数減衰: 毎ステップ学習率を γ 倍する。"""

    def __init__(self, lr=0.1, gamma=0.95):
        self.lr = lr  # 最初の学習率 η_0
        self.gamma = gamma  # 1 ステップごとに掛ける倍率 γ

    def get_lr(self, t):
        return self.lr * self.gamma ** t  # η_t = η_0 γ^t


class LinearDecay:
    """線形減衰: τ ステップかけて η_0 から η_τ まで直線的に下げ、その後は η_τ のまま。"""

    def __init__(self, lr=0.1, lr_end=0.001, tau=100):
        self.lr = lr  # 最初の学習率 η_0
        self.lr_end = lr_end  # 下げ終わったあとの学習率 η_τ
        self.tau = tau  # 下げ終わるステップ τ

    def get_lr(self, t):
        a = min(t, self.tau) / self.tau  # 進み具合（τ を過ぎたら 1 のまま）
        return (1 - a) * self.lr + a * self.lr_end  # η_t = (1 − a)η_0 + aη_τ


class CosineAnnealing:
    """コサインアニーリング: η_0 から η_min まで、コサインの半周期の形で滑らかに下げる。"""

    def __init__(self, lr=0.1, T_max=100, eta_min=0.0):
        self.lr = lr  # 最初の学習率 η_0
        self.T_max = T_max  # η_min に着くステップ T
        self.eta_min = eta_min  # 最小の学習率 η_min

    def get_lr(self, t):
        cos_part = (1 + np.cos(np.pi * t / self.T_max)) / 2  # t = 0 で 1、t = T で 0
        return self.eta_min + (self.lr - self.eta_min) * cos_part  # η_min と η_0 の間を動く


class LinearWarmup:
    """線形ウォームアップ: 最初の T_w ステップで、学習率を η_0 の c 倍から η_0 まで直線的に上げる。"""

    def __init__(self, lr=0.1, warmup=5, start_factor=0.1):
        self.lr = lr  # 目標の学習率 η_0
        self.warmup = warmup  # ウォームアップのステップ数 T_w
        self.start_factor = start_factor  # 最初の倍率 c（t = 0 の学習率は c η_0）

    def get_lr(self, t):
        progress = min(t, self.warmup) / self.warmup  # ウォームアップの進み具合（T_w 以降は 1）
        factor = self.start_factor + (1 - self.start_factor) * progress  # 倍率を c から 1 へ
        return self.lr * factor


class WarmupCosine:
    """線形ウォームアップのあとコサインアニーリング: T_w ステップで η_0 まで上げ、T ステップ目で η_min まで下げる。"""

    def __init__(self, lr=0.1, warmup=5, total=100, start_factor=0.1, eta_min=0.0):
        self.lr = lr  # ウォームアップ後の学習率 η_0
        self.warmup = warmup  # ウォームアップのステップ数 T_w
        self.total = total  # η_min に着くステップ T
        self.start_factor = start_factor  # 最初の倍率 c
        self.eta_min = eta_min  # 最小の学習率 η_min

    def get_lr(self, t):
        if t < self.warmup:
            factor = self.start_factor + (1 - self.start_factor) * t / self.warmup  # 上げている途中
            return self.lr * factor
        ratio = (t - self.warmup) / (self.total - self.warmup)  # 下げ始めてからの進み具合
        return self.eta_min + (self.lr - self.eta_min) * (1 + np.cos(np.pi * ratio)) / 2


CLASSES = {"step": StepDecay, "exponential": ExponentialDecay, "linear": LinearDecay, "cosine": CosineAnnealing,
           "warmup": LinearWarmup, "warmup_cosine": WarmupCosine}


def run_sgd(schedule, params, grad_fn, steps):
    """SGD で steps 回更新する。各ステップの学習率はスケジュールから取る（1 回目の更新は t = 0）。

    ``grad_fn(params)`` は勾配の dict を返す関数。戻り値は各ステップで使った学習率のリスト。"""
    opt = SGD(lr=schedule.lr)  # 学習率は下で毎ステップ差し替える
    used = []
    for t in range(steps):
        opt.lr = schedule.get_lr(t)  # このステップの学習率に差し替える
        used.append(opt.lr)
        opt.update(params, grad_fn(params))  # W ← W − η_t g
    return used


# -- the formulas ------------------------------------------------------------------------------------------
T_STEP = Sym("t", "t", "ステップ数（0 から数える。1 回目の更新が t = 0）", "step (from 0: the first update is t = 0)",
             "step", code="t")
ETA0 = Sym("eta0", r"\eta_0", "最初の学習率", "initial learning rate", "hyper", code="lr")
ETA_T = Sym("eta_t", r"\eta_t", "ステップ t の学習率", "learning rate of step t", "temp")
GAMMA = Sym("gamma", r"\gamma", "減衰の倍率", "decay factor", "hyper", code="gamma")
STEP = Sym("s", "s", "学習率を下げる間隔（ステップ数）", "steps between decays", "hyper", code="step_size")
TMAX = Sym("T", "T", "学習率が最小値に達するステップ", "step at which the minimum rate is reached", "hyper",
           code="T_max")
ETA_MIN = Sym("eta_min", r"\eta_{\min}", "最小の学習率", "minimum learning rate", "hyper", code="eta_min")
TAU = Sym("tau", r"\tau", "下げ終わるステップ", "step at which the decay ends", "hyper", code="tau")
ETA_END = Sym("eta_end", r"\eta_\tau", "下げ終わったあとの学習率", "final learning rate", "hyper", code="lr_end")
TW = Sym("warm", r"T_{\mathrm{w}}", "ウォームアップのステップ数", "warm-up steps", "hyper", code="warmup")
C0 = Sym("c", "c", "ウォームアップ開始時の倍率", "start factor of the warm-up", "hyper", code="start_factor")

_ETA = {
    "step": ([STEP, GAMMA], "eta0*gamma**floor(t/s)"),
    "exponential": ([GAMMA], "eta0*gamma**t"),
    "linear": ([TAU, ETA_END], "Piecewise(((1 - t/tau)*eta0 + (t/tau)*eta_end, t < tau), (eta_end, True))"),
    "cosine": ([TMAX, ETA_MIN], "eta_min + (eta0 - eta_min)*(1 + cos(pi*t/T))/2"),
    "warmup": ([TW, C0], "Piecewise((eta0*(c + (1 - c)*t/warm), t < warm), (eta0, True))"),
    "warmup_cosine": ([TW, TMAX, C0, ETA_MIN],
                      "Piecewise((eta0*(c + (1 - c)*t/warm), t < warm), "
                      "(eta_min + (eta0 - eta_min)*(1 + cos(pi*(t - warm)/(T - warm)))/2, True))"),
}
#: the class argument of each schedule symbol, per schedule (warmup_cosine calls T "total")
_ARGS = {"warmup_cosine": {"T": "total"}}

_RULES: dict[str, Rule] = {}


def rule(kind: str) -> Rule:
    """η_t of schedule ``kind``, then the SGD step W ← W − η_t g (one Rule, executable and renderable)."""
    if kind not in _ETA:
        raise ValueError(f"unknown schedule {kind!r}; known: {', '.join(_ETA)}")
    if kind not in _RULES:
        syms, expr = _ETA[kind]
        rename = _ARGS.get(kind, {})
        syms = [s.named(rename[s.name]) if s.name in rename else s for s in syms]
        _RULES[kind] = build(f"schedule_{kind}", "torch", [S.W, S.g, T_STEP, ETA0, ETA_T, *syms],
                             [("eta_t", expr), ("W", "W - eta_t*g")], note=INFO[kind].source)
    return _RULES[kind]


def eta_latex(kind: str) -> str:
    """``\\eta_t = …`` of schedule ``kind`` (the first line of its rule, as an equation)."""
    r = rule(kind)
    return f"{r.symbols['eta_t'].latex} = {r.latex_expr(r.assignments[0][1])}"


def rule_env(kind: str, schedule, t: int) -> dict[str, float]:
    """The values of the rule's hyperparameter symbols for a schedule object, and ``t``."""
    r = rule(kind)
    env: dict[str, float] = {"t": t}
    for s in r.of_kind("hyper"):
        env[s.name] = float(getattr(schedule, s.code))
    return env


# -- what each schedule is --------------------------------------------------------------------------------
_SYLLABUS = ("3-(3)-iii 陰的正則化（学習率の調整）に近い発展事項。2024 年版シラバスの最適化のキーワードではない")
INFO = {
    "step": Technique(
        "step", "ステップ減衰", "step decay",
        "A. Krizhevsky, I. Sutskever, G. E. Hinton, ImageNet Classification with Deep Convolutional Neural "
        "Networks, NeurIPS 2012（検証誤差が下がらなくなるたびに学習率を 10 分の 1）; K. He ら, Deep Residual "
        "Learning for Image Recognition, CVPR 2016（決めた反復回数で 10 分の 1）", 2012, _SYLLABUS,
        "決めた間隔ごとに学習率を一定の倍率（多くは 1/10）で下げる。", "torch.optim.lr_scheduler.StepLR"),
    "exponential": Technique(
        "exponential", "指数減衰", "exponential decay",
        "Goodfellow, Bengio, Courville『Deep Learning』2016, 8.3.1 節（学習率を徐々に下げる必要）", 2016, _SYLLABUS,
        "毎ステップ学習率を同じ倍率 γ（1 より少し小さい値）で下げる。", "torch.optim.lr_scheduler.ExponentialLR"),
    "linear": Technique(
        "linear", "線形減衰", "linear decay",
        "Goodfellow, Bengio, Courville『Deep Learning』2016, 8.3.1 節 式 (8.14)（k を 1 から数える）",
        2016, _SYLLABUS,
        "τ ステップかけて学習率を直線的に η_τ まで下げ、その後は一定に保つ。",
        "torch.optim.lr_scheduler.LinearLR(start_factor=1, end_factor=η_τ/η_0, total_iters=τ)"),
    "cosine": Technique(
        "cosine", "コサインアニーリング", "cosine annealing",
        "I. Loshchilov, F. Hutter, SGDR: Stochastic Gradient Descent with Warm Restarts, ICLR 2017, 式 (5)",
        2017, _SYLLABUS,
        "学習率をコサイン関数の半周期の形で η_0 から η_min まで滑らかに下げる（序盤と終盤はゆっくり）。",
        "torch.optim.lr_scheduler.CosineAnnealingLR"),
    "warmup": Technique(
        "warmup", "線形ウォームアップ", "linear warm-up",
        "P. Goyal ら, Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour, arXiv:1706.02677, 2017, "
        "2.2 節（gradual warmup）", 2017, _SYLLABUS,
        "学習の最初の数ステップ（数エポック）だけ、小さな学習率から目標の値まで直線的に上げる。",
        "torch.optim.lr_scheduler.LinearLR(start_factor=c, total_iters=T_w)"),
    "warmup_cosine": Technique(
        "warmup_cosine", "ウォームアップ付きコサインアニーリング", "linear warm-up, then cosine annealing",
        "Goyal ら 2017（ウォームアップ）と Loshchilov & Hutter 2017（コサイン）の組み合わせ", 2017, _SYLLABUS,
        "ウォームアップで η_0 まで上げたあと、コサインの形で η_min まで下げる。",
        "torch.optim.lr_scheduler.SequentialLR(LinearLR, CosineAnnealingLR, milestones=[T_w])"),
}
