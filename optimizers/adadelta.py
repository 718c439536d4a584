"""Adadelta: 勾配の二乗平均 E[g²] と更新量の二乗平均 E[Δx²] の比で歩幅を決める（学習率を使わない）。

『ゼロから作るDeep Learning』には Adadelta のクラスがないので、textbook の形は Zeiler (2012) の
Algorithm 1 そのもの（同じ書き方のクラスにした）。
"""

from __future__ import annotations

import numpy as np

from . import _symbols as S
from ._base import check_hyperparameters, check_inputs
from ._meta import Info
from ._rule import Rule, Sym, build


class Adadelta:
    """Adadelta (Zeiler 2012, Alg. 1): Δx = −√(E[Δx²] + ε) / √(E[g²] + ε) · ∂L/∂W,  W ← W + Δx"""

    def __init__(self, rho=0.95, eps=1e-6):
        self.rho = rho  # 減衰率 ρ（二つの移動平均が過去をどれだけ残すか）
        self.eps = eps  # 微小な定数 ε（二つの √ の中に足す。E[Δx²] = 0 の最初の一歩も ε で動き出せる）
        self.h = None  # 勾配の二乗の指数移動平均 E[g²]（最初の update で 0 にする）
        self.s = None  # 更新量の二乗の指数移動平均 E[Δx²]（最初の update で 0 にする）
        check_hyperparameters(self)

    def update(self, params, grads):
        check_inputs(params, grads)
        if self.h is None:
            self.h, self.s = {}, {}
            for key, val in params.items():
                self.h[key] = np.zeros_like(val)  # E[g²] を 0 で初期化
                self.s[key] = np.zeros_like(val)  # E[Δx²] を 0 で初期化
        for key in params.keys():
            self.h[key] = self.rho * self.h[key] + (1 - self.rho) * grads[key] ** 2  # 勾配の二乗の移動平均を更新
            rms_dx = np.sqrt(self.s[key] + self.eps)  # RMS[Δx]: 前回までの更新量の大きさ
            rms_g = np.sqrt(self.h[key] + self.eps)  # RMS[g]: 今回までの勾配の大きさ
            dx = -rms_dx / rms_g * grads[key]  # 勾配の逆向きに RMS[Δx]/RMS[g] 倍（単位が W と揃う）
            self.s[key] = self.rho * self.s[key] + (1 - self.rho) * dx**2  # 更新量の二乗の移動平均（今回の dx で）
            params[key] += dx  # 学習率を掛けずにそのまま進む


H = Sym("h", "E[g^2]", "勾配の二乗の指数移動平均", "moving average of squared gradients", "state", code="h")
SD = Sym("s", r"E[\Delta x^2]", "更新量の二乗の指数移動平均", "moving average of squared updates", "state", code="s")
DX = Sym("dx", r"\Delta x", "更新量", "update", "temp")

# PyTorch の Adadelta が持つ記号（torch のドキュメントの文字に合わせる）
SQ = Sym("v", "v", "勾配の二乗の指数移動平均 (square_avg)", "moving average of squared gradients (square_avg)",
         "state", code="square_avg")
ACC = Sym("u", "u", "更新量（lr を掛ける前）の二乗の指数移動平均 (acc_delta)",
          "moving average of squared updates before × lr (acc_delta)", "state", code="acc_delta")


def rule(convention: str = "textbook", **options) -> Rule:
    """Adadelta の更新式。textbook と paper は Zeiler (2012) の Alg. 1（学習率なし）、
    pytorch は torch.optim.Adadelta の全オプション（lr, rho, eps, weight_decay, maximize）に対応する。"""
    if convention in ("textbook", "paper"):
        return build("adadelta", convention, [S.W, S.g, S.rho.named("rho"), S.eps.named("eps"), H, SD, DX],
                     [("h", "rho*h + (1 - rho)*g**2"),
                      ("dx", "-sqrt(s + eps)/sqrt(h + eps)*g"),
                      ("s", "rho*s + (1 - rho)*dx**2"),
                      ("W", "W + dx")],
                     note="Zeiler (2012) Alg. 1: Δx = −RMS[Δx]_{t−1}/RMS[g]_t · g, RMS[y] = √(E[y²] + ε)。"
                     "学習率はない（ゼロつくにはクラスがないので論文の形）")
    if convention != "pytorch":
        raise ValueError(f"adadelta: unknown convention {convention!r} (textbook, paper, pytorch)")
    return torch_rule(**options)


def torch_rule(weight_decay=0.0, maximize=False, **unused) -> Rule:
    """torch.optim.Adadelta (2.13) の ``_single_tensor_adadelta`` と同じ手順。acc_delta（u）は
    lr を掛ける前の Δx を蓄える。"""
    syms = [S.W, S.g, S.gamma.named("lr"), S.rho.named("rho"), S.eps.named("eps"), SQ, ACC, DX]
    steps: list[tuple[str, str]] = []  # torch が数える state['step'] は式に現れない（RuleOptimizer が数える）
    if maximize:
        steps.append(("g", "-g"))  # maximize: 損失の勾配の符号を反転
    if weight_decay != 0:
        syms.append(S.lam.named("weight_decay"))
        steps.append(("g", "g + lam*W"))  # L2（coupled）: 勾配に λW を足す
    steps += [("v", "rho*v + (1 - rho)*g**2"),
              ("dx", "sqrt(u + eps)/sqrt(v + eps)*g"),  # 符号は + のまま（W から γΔx を引く）
              ("u", "rho*u + (1 - rho)*dx**2"),  # lr を掛ける前の Δx を蓄える
              ("W", "W - gamma*dx")]
    return build("adadelta", "pytorch", syms, steps,
                 note="torch.optim.Adadelta: Δx = √(u + ε)/√(v + ε)·g, u ← ρu + (1−ρ)Δx², W ← W − γΔx。"
                 "lr = 1（既定値）で Zeiler の形と一致。ρ の既定値は 0.9（論文の実験は 0.95）")


INFO = Info(
    key="adadelta",
    cls=Adadelta,
    name_ja="Adadelta",
    name_en="ADADELTA",
    paper="M. D. Zeiler, ADADELTA: An Adaptive Learning Rate Method, arXiv:1212.5701, 2012",
    year=2012,
    summary_ja="勾配の二乗と更新量の二乗の移動平均の比（RMS[Δx]/RMS[g]）で歩幅を決め、更新量の単位をパラメータに"
    "揃えるので、学習率を設定しなくてよい。",
    state=("h", "s"),
    hyper={"rho": ("減衰率 ρ（二つの移動平均が過去を残す割合）",
                   "decay rate ρ (how much of the past both moving averages keep)"),
           "eps": ("微小な定数 ε（二つの √ の中）", "small constant ε (inside both square roots)")},
    conventions=("textbook", "pytorch"),
    forms={
        "textbook": ("Zeiler 2012 の論文 Alg. 1", "Zeiler 2012, Alg. 1"),
        "paper": ("Zeiler 2012 の論文 Alg. 1", "Zeiler 2012, Alg. 1"),
        "pytorch": ("torch.optim.Adadelta", "torch.optim.Adadelta"),
    },
    torch="adadelta",
    torch_tabs=({}, {"weight_decay": 0.01}),
    torch_kwargs=lambda opt: {"lr": 1.0, "rho": opt.rho, "eps": opt.eps},
    syllabus=False,
    notes={
        "textbook": "『ゼロから作るDeep Learning』には Adadelta のクラスがないので、Zeiler (2012) Algorithm 1 を"
        "同じ書き方のクラスにした（ρ = 0.95, ε = 1e-6 は論文の MNIST 実験の値）。"
        "E資格 2024 シラバスのキーワード外（発展）。",
        "pytorch": "torch.optim.Adadelta: 学習率 lr（既定値 1.0）が残り、ρ の既定値は 0.9。acc_delta は lr を"
        "掛ける前の Δx の二乗平均。lr=1 で論文の形と一致する。",
    },
)
