"""AdaGrad: 勾配の二乗を h に足し続け、よく動いたパラメータほど学習率を小さくする。"""

from __future__ import annotations

import numpy as np

from . import _symbols as S
from ._base import check_hyperparameters, check_inputs
from ._meta import Info
from ._rule import Rule, Sym, build


class AdaGrad:
    """AdaGrad: h ← h + ∂L/∂W ⊙ ∂L/∂W,  W ← W − η ∂L/∂W / (√h + ε)"""

    def __init__(self, lr=0.01, eps=1e-7):
        self.lr = lr  # 学習率 η（全体の大きさ。実際の歩幅は √h で割られて小さくなっていく）
        self.eps = eps  # ゼロ除算を防ぐ微小な定数 ε（√h の外に足す。ゼロつくのコードでは 1e-7 と直書き）
        self.h = None  # 勾配の二乗和（パラメータごと・要素ごとに持つ。最初の update で 0 にする）
        check_hyperparameters(self)

    def update(self, params, grads):
        check_inputs(params, grads)
        if self.h is None:
            self.h = {}
            for key, val in params.items():
                self.h[key] = np.zeros_like(val)  # 二乗和 h を 0 で初期化
        for key in params.keys():
            self.h[key] += grads[key] * grads[key]  # 勾配の二乗（要素ごとの積）を足し続ける（減ることはない）
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + self.eps)  # √h + ε で割った歩幅で進む


H = Sym("h", "h", "勾配の二乗和", "sum of squared gradients", "state", code="h")

# PyTorch の Adagrad が持つ記号（torch のドキュメントの文字に合わせる）
SUM = Sym("s", "s", "勾配の二乗和 (state_sum)", "sum of squared gradients (state_sum)", "state", code="sum")
LR_DECAY = Sym("lr_decay", r"\eta", "学習率の減衰係数 (lr_decay。PyTorch の記号 η、学習率は γ)",
               "learning-rate decay (lr_decay; PyTorch writes η, the learning rate is γ)", "hyper", code="lr_decay")
CLR = Sym("clr", r"\tilde{\gamma}", "このステップの学習率", "this step's learning rate", "temp")


def rule(convention: str = "textbook", **options) -> Rule:
    """AdaGrad の更新式。textbook と paper（Duchi ら 2011 の対角版）は同じ形
    （ε は √h の外）。pytorch は torch.optim.Adagrad の全オプション（lr_decay,
    weight_decay, initial_accumulator_value, eps, maximize）に対応する。"""
    if convention in ("textbook", "paper"):
        return build("adagrad", convention, [S.W, S.g, S.eta.named("lr"), S.eps.named("eps"), H],
                     [("h", "h + g**2"), ("W", "W - eta*g/(sqrt(h) + eps)")],
                     note="h ← h + g⊙g, W ← W − ηg/(√h + ε)（ゼロから作るDeep Learning。Duchi ら 2011 の"
                     "対角版 H_t = δI + diag(√Σg²) と同じく ε は √ の外）")
    if convention != "pytorch":
        raise ValueError(f"adagrad: unknown convention {convention!r} (textbook, paper, pytorch)")
    return torch_rule(**options)


def torch_rule(lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, maximize=False, **unused) -> Rule:
    """torch.optim.Adagrad (2.13) の ``_single_tensor_adagrad``（密な勾配）と同じ手順。
    数値のハイパーパラメータは記号のまま残し、式の形を変えるもの（0 かどうか、maximize）で分岐する。
    ``initial_accumulator_value`` は状態 sum の初期値になる。"""
    syms = [S.W, S.g, S.gamma.named("lr"), S.eps.named("eps"), SUM]
    steps: list[tuple[str, str]] = []  # torch が数える state['step'] は lr_decay のときだけ式に現れる
    if maximize:
        steps.append(("g", "-g"))  # maximize: 損失の勾配の符号を反転
    if weight_decay != 0:
        syms.append(S.lam.named("weight_decay"))
        steps.append(("g", "g + lam*W"))  # L2（coupled）: 勾配に λW を足す
    steps.append(("s", "s + g**2"))  # 二乗和（ε は √ の外に足す）
    if lr_decay != 0:
        syms += [LR_DECAY, CLR, S.t.named("step")]
        steps.insert(0, ("t", "t + 1"))  # state['step'] を先に 1 増やす
        steps.append(("clr", "gamma/(1 + (t - 1)*lr_decay)"))  # 学習率をステップ数で減衰させる
        steps.append(("W", "W - clr*g/(sqrt(s) + eps)"))
    else:
        steps.append(("W", "W - gamma*g/(sqrt(s) + eps)"))
    return build("adagrad", "pytorch", syms, steps, init={"s": float(initial_accumulator_value)},
                 note="torch.optim.Adagrad: s ← s + g²（s の初期値は initial_accumulator_value）, "
                 "W ← W − γ̃ g/(√s + ε), γ̃ = γ/(1 + (t−1)η)。ε の既定値は 1e-10（ゼロつくは 1e-7）")


INFO = Info(
    key="adagrad",
    cls=AdaGrad,
    name_ja="AdaGrad",
    name_en="AdaGrad (adaptive gradient)",
    paper="J. Duchi, E. Hazan and Y. Singer, Adaptive Subgradient Methods for Online Learning and Stochastic "
    "Optimization, Journal of Machine Learning Research 12(61), 2121–2159, 2011",
    year=2011,
    summary_ja="過去の勾配の二乗和の平方根で学習率を割り、大きく動いたパラメータほど学習率を小さくする"
    "（二乗和は減らないので学習率は下がり続ける）。",
    state=("h",),
    hyper={"lr": ("学習率 η", "learning rate η"),
           "eps": ("ゼロ除算を防ぐ微小な定数 ε（√h の外）", "small constant ε against division by zero (outside √h)")},
    conventions=("textbook", "pytorch"),
    forms={
        "textbook": ("『ゼロから作るDeep Learning』", "the book Deep Learning from Scratch"),
        "pytorch": ("torch.optim.Adagrad", "torch.optim.Adagrad"),
    },
    torch="adagrad",
    torch_tabs=({}, {"lr_decay": 0.01, "initial_accumulator_value": 0.1, "weight_decay": 0.01}),
    torch_kwargs=lambda opt: {"lr": opt.lr, "eps": opt.eps},
    notes={
        "textbook": "『ゼロから作るDeep Learning』の AdaGrad クラスと同じ（ε = 1e-7 を引数にした）。"
        "Duchi ら (2011) の対角版（H_t = δI + diag(s_t), s_t = √Σg², 正則化なしの composite mirror descent 更新 "
        "x ← x − ηH_t⁻¹g）とも同じ形なので、論文の形は別に立てない。",
        "pytorch": "torch.optim.Adagrad: 学習率の減衰 lr_decay、二乗和の初期値 initial_accumulator_value を持つ。"
        "ε の既定値は 1e-10。eps=1e-7 にするとゼロつくのクラスと一致する。",
    },
)
