"""Adamax: Adam の 2 次モーメント（L2 ノルム）を無限大ノルムに置き換えたもの。

Kingma & Ba (ICLR 2015) §7.1, Alg. 2:

    m ← β1 m + (1 − β1) g,   u ← max(β2 u, |g|),   θ ← θ − (α/(1 − β1^t)) · m/u

- u は「過去の |g| を β2 ずつ割り引いた最大値」。最大値なので 0 への偏りが無く、u にはバイアス補正が要らない。
- 論文には ε が無い（初めの勾配が 0 の成分では u = 0 で割ってしまう）。論文が勧める学習率は α = 0.002。
- torch.optim.Adamax は ε を **max の中** に入れる: u ← max(β2 u, |g| + ε)。このクラスも ``eps`` を持ち、
  torch と同じく max の中（|g| に足す）に置く。既定は torch と同じ 1e-8、lr は論文と torch の 0.002。
  eps=0 にすると論文の形（``rule("paper")``）と同じになる。

『ゼロから作るDeep Learning』に Adamax は無いので、クラス（textbook）は論文に ε を足した torch の形。
"""

from __future__ import annotations

import numpy as np

from . import _symbols as S
from ._base import check_hyperparameters, check_inputs
from ._meta import Info
from ._rule import Rule, Sym, build
from .adam import ALPHA, T_ITER, T_STEP, M


class Adamax:
    """Adamax（torch の形）: u ← max(β2·u, |g| + eps),  W ← W − lr/(1−β1^t)·m/u"""

    def __init__(self, lr=0.002, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr = lr  # 学習率 η（論文の勧めは 0.002）
        self.beta1 = beta1  # 1 次モーメント m の減衰率 β1
        self.beta2 = beta2  # u を割り引く率 β2
        self.eps = eps  # ゼロ除算を防ぐ微小量（論文には無い。torch と同じく max の中で |g| に足す）
        self.iter = 0  # 更新の回数 t（全パラメータで一つ）
        self.m = None  # 1 次モーメント: 勾配の指数移動平均
        self.u = None  # 割り引いた |g| の最大値（無限大ノルム）
        check_hyperparameters(self)

    def update(self, params, grads):
        check_inputs(params, grads)
        if self.m is None:
            self.m = {}
            self.u = {}
            for key, val in params.items():
                self.m[key] = np.zeros_like(val)  # m を 0 で初期化
                self.u[key] = np.zeros_like(val)  # u を 0 で初期化
        self.iter += 1  # t を 1 進める（1 回目の更新で t = 1）
        lr_t = self.lr / (1 - self.beta1**self.iter)  # m のバイアス補正を学習率にまとめる（u には補正が要らない）
        for key in params.keys():
            self.m[key] = self.beta1 * self.m[key] + (1 - self.beta1) * grads[key]  # m ← β1·m + (1−β1)·g
            self.u[key] = np.maximum(self.beta2 * self.u[key], np.abs(grads[key]) + self.eps)  # 最大値を取る
            params[key] -= lr_t * self.m[key] / self.u[key]  # u で割って進む


U = Sym("u", "u", "割り引いた |g| の最大値（無限大ノルム）", "exponentially weighted infinity norm", "state", code="u")
LR_T = Sym("lr_t", r"\eta_t", "m のバイアス補正をまとめた学習率 η/(1−β₁ᵗ)", "learning rate with m's correction",
           "temp")


def rule(convention: str = "textbook", **options) -> Rule:
    """Adamax の更新式。textbook = このクラス（torch の形: ε は max の中）, paper = Kingma & Ba §7.1（ε なし）,
    pytorch = torch.optim.Adamax の全オプション（weight_decay（L2）, maximize）。"""
    if convention == "textbook":
        return build("adamax", "textbook",
                     [S.W, S.g, S.eta.named("lr"), S.beta1.named("beta1"), S.beta2.named("beta2"),
                      S.eps.named("eps"), T_ITER, M, U, LR_T],
                     [("t", "t + 1"),
                      ("m", "beta1*m + (1 - beta1)*g"),
                      ("u", "Max(beta2*u, Abs(g) + eps)"),
                      ("lr_t", "eta/(1 - beta1**t)"),
                      ("W", "W - lr_t*m/u")],
                     note="本に Adamax は無いので論文（Kingma & Ba §7.1）に torch と同じ ε（max の中）を足した形")
    if convention == "paper":
        return build("adamax", "paper",
                     [S.W, S.g, ALPHA, S.beta1.named("beta1"), S.beta2.named("beta2"), T_ITER, M, U],
                     [("t", "t + 1"),
                      ("m", "beta1*m + (1 - beta1)*g"),
                      ("u", "Max(beta2*u, Abs(g))"),
                      ("W", "W - alpha/(1 - beta1**t)*m/u")],
                     note="Kingma & Ba (ICLR 2015) §7.1 Alg. 2: u ← max(β2 u, |g|)、ε は無い")
    if convention == "pytorch":
        return torch_rule(**options)
    raise ValueError(f"adamax: unknown convention {convention!r} (textbook, paper, pytorch)")


def torch_rule(weight_decay=0.0, maximize=False, **unused) -> Rule:
    """torch.optim.Adamax (2.13) の ``_single_tensor_adamax`` と同じ手順（weight_decay は L2 のみ）。"""
    syms = [S.W, S.g, S.gamma.named("lr"), S.beta1.named("beta1"), S.beta2.named("beta2"), S.eps.named("eps"),
            T_STEP, M.named("exp_avg"), U.named("exp_inf")]
    steps: list[tuple[str, str]] = [("t", "t + 1")]
    if maximize:
        steps.append(("g", "-g"))  # maximize: 損失の勾配だけ符号を反転
    if weight_decay != 0:
        syms.append(S.lam.named("weight_decay"))
        steps.append(("g", "g + lam*W"))  # L2: 勾配に λθ を足す（Adamax に decoupled は無い）
    steps += [("m", "beta1*m + (1 - beta1)*g"),
              ("u", "Max(beta2*u, Abs(g) + eps)"),
              ("W", "W - gamma/(1 - beta1**t)*m/u")]
    return build("adamax", "pytorch", syms, steps,
                 note="torch.optim.Adamax: ε を max の中で |g| に足す（論文には ε が無い）")


INFO = Info(
    key="adamax",
    cls=Adamax,
    name_ja="Adamax",
    name_en="Adamax (Adam with the infinity norm)",
    paper="D. P. Kingma and J. Ba, Adam: A Method for Stochastic Optimization, ICLR 2015 (arXiv:1412.6980), §7.1",
    year=2015,
    summary_ja="Adam の二乗平均 √v の代わりに、割り引いた |g| の最大値 u で割る。u は 0 への偏りが無いので"
    "バイアス補正は m にだけ掛ける。",
    state=("m", "u"),
    hyper={"lr": ("学習率 η（論文の勧めは 0.002）", "learning rate η (the paper suggests 0.002)"),
           "beta1": ("1 次モーメント m の減衰率 β1", "decay rate β1 of the first moment m"),
           "beta2": ("u を割り引く率 β2", "decay rate β2 of the infinity norm u"),
           "eps": ("ゼロ除算を防ぐ微小量 ε（max の中で |g| に足す。論文には無い）",
                   "small constant ε (added to |g| inside the max; not in the paper)")},
    conventions=("textbook", "paper", "pytorch"),
    forms={
        "textbook": ("Kingma & Ba 2015 の 7.1 節と torch.optim.Adamax",
                     "Kingma & Ba 2015, §7.1, and torch.optim.Adamax"),
        "paper": ("Kingma & Ba 2015 の論文 7.1 節", "Kingma & Ba 2015, §7.1"),
        "pytorch": ("torch.optim.Adamax", "torch.optim.Adamax"),
    },
    torch="adamax",
    torch_tabs=({}, {"weight_decay": 0.01}),
    torch_kwargs=lambda opt: {"lr": opt.lr, "betas": (opt.beta1, opt.beta2), "eps": opt.eps},
    syllabus=False,
    notes={
        "textbook": "本に Adamax は無いので、クラスは論文 §7.1 の形に torch と同じ ε を足したもの: "
        "u ← max(β2 u, |g| + ε)。torch.optim.Adamax(lr, betas, eps) と同じ更新。",
        "paper": "Kingma & Ba §7.1 Alg. 2 には ε が無い（u ← max(β2 u, |g|)）。クラスで eps=0 としたものと同じ。",
        "pytorch": "torch.optim.Adamax: ε は max の中（√ の外でも中でもない）。weight_decay は L2（coupled）だけで、"
        "decoupled_weight_decay は無い。",
    },
)
