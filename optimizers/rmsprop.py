"""RMSprop: 勾配の二乗の指数移動平均 h で割る。AdaGrad と違い、古い勾配の影響は忘れていく。"""

from __future__ import annotations

import numpy as np

from . import _symbols as S
from ._base import check_hyperparameters, check_inputs
from ._meta import Info
from ._rule import Rule, Sym, build


class RMSprop:
    """RMSprop: h ← ρh + (1−ρ) ∂L/∂W ⊙ ∂L/∂W,  W ← W − η ∂L/∂W / (√h + ε)"""

    def __init__(self, lr=0.01, decay_rate=0.99, eps=1e-7):
        self.lr = lr  # 学習率 η
        self.decay_rate = decay_rate  # 減衰率 ρ（過去の h をどれだけ残すか。1 に近いほど長く覚える）
        self.eps = eps  # ゼロ除算を防ぐ微小な定数 ε（√h の外に足す。ゼロつくのコードでは 1e-7 と直書き）
        self.h = None  # 勾配の二乗の指数移動平均（パラメータごと・要素ごと。最初の update で 0 にする）
        check_hyperparameters(self)

    def update(self, params, grads):
        check_inputs(params, grads)
        if self.h is None:
            self.h = {}
            for key, val in params.items():
                self.h[key] = np.zeros_like(val)  # 移動平均 h を 0 で初期化
        for key in params.keys():
            self.h[key] *= self.decay_rate  # 過去の h を ρ 倍に減衰させる（古い勾配を忘れる）
            self.h[key] += (1 - self.decay_rate) * grads[key] * grads[key]  # 新しい勾配の二乗を (1−ρ) 倍して足す
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + self.eps)  # √h + ε で割った歩幅で進む


H = Sym("h", "h", "勾配の二乗の指数移動平均", "moving average of squared gradients", "state", code="h")
RHO = S.rho.named("decay_rate")
# Goodfellow ら Alg. 8.5 の微小定数 δ（√ の中に足す）。クラスの eps を当てる
DELTA = Sym("delta", r"\delta", "ゼロ除算を防ぐ微小な定数（√ の中に足す）",
            "small constant against division by zero (inside the square root)", "hyper", code="eps")

# PyTorch の RMSprop が持つ記号（torch のドキュメントの文字に合わせる）
ALPHA = Sym("alpha", r"\alpha", "減衰率（平滑化定数 alpha）", "smoothing constant (alpha)", "hyper", code="alpha")
MU = Sym("mu", r"\mu", "モーメンタム係数", "momentum factor", "hyper", code="momentum")
SQ = Sym("v", "v", "勾配の二乗の指数移動平均 (square_avg)", "moving average of squared gradients (square_avg)",
         "state", code="square_avg")
GAVG = Sym("gbar", r"g^{\mathrm{ave}}", "勾配の指数移動平均 (grad_avg, centered のとき)",
           "moving average of gradients (grad_avg, when centered)", "state", code="grad_avg")
VT = Sym("vt", r"\tilde{v}", "中心化した二乗平均（分散の推定）", "centered square average (variance estimate)", "temp")
BUF = Sym("b", "b", "モーメンタムバッファ（初期値 0）", "momentum buffer (starts at 0)", "state",
          code="momentum_buffer")


def rule(convention: str = "textbook", **options) -> Rule:
    """RMSprop の更新式。textbook は ε を √h の外、paper（Goodfellow ら『深層学習』Alg. 8.5）は
    δ を √ の中に足す。pytorch は torch.optim.RMSprop の全オプション（alpha, eps, weight_decay,
    momentum, centered, maximize）に対応する。"""
    if convention == "textbook":
        return build("rmsprop", convention, [S.W, S.g, S.eta.named("lr"), RHO, S.eps.named("eps"), H],
                     [("h", "rho*h + (1 - rho)*g**2"), ("W", "W - eta*g/(sqrt(h) + eps)")],
                     note="h ← ρh + (1−ρ)g⊙g, W ← W − ηg/(√h + ε)（ゼロから作るDeep Learning。ε は √ の外）")
    if convention == "paper":
        return build("rmsprop", convention, [S.W, S.g, S.eta.named("lr"), RHO, DELTA, H],
                     [("h", "rho*h + (1 - rho)*g**2"), ("W", "W - eta*g/sqrt(delta + h)")],
                     note="Goodfellow ら『深層学習』Alg. 8.5: δ を √ の中に足す（δ = 1e-6 を推奨）。"
                     "本では学習率を ε、二乗平均を r と書く")
    if convention != "pytorch":
        raise ValueError(f"rmsprop: unknown convention {convention!r} (textbook, paper, pytorch)")
    return torch_rule(**options)


def torch_rule(weight_decay=0.0, momentum=0.0, centered=False, maximize=False, **unused) -> Rule:
    """torch.optim.RMSprop (2.13) の ``_single_tensor_rmsprop`` と同じ手順。数値のハイパーパラメータは
    記号のまま残し、式の形を変えるもの（0 かどうか、centered、maximize）で分岐する。"""
    syms = [S.W, S.g, S.gamma.named("lr"), ALPHA, S.eps.named("eps"), SQ]
    steps: list[tuple[str, str]] = []  # torch が数える state['step'] は式に現れない（RuleOptimizer が数える）
    if maximize:
        steps.append(("g", "-g"))  # maximize: 損失の勾配の符号を反転
    if weight_decay != 0:
        syms.append(S.lam.named("weight_decay"))
        steps.append(("g", "g + lam*W"))  # L2（coupled）: 勾配に λW を足す
    steps.append(("v", "alpha*v + (1 - alpha)*g**2"))
    denom = "sqrt(v) + eps"  # ε は √ の外
    if centered:
        syms += [GAVG, VT]
        steps.append(("gbar", "alpha*gbar + (1 - alpha)*g"))  # 勾配そのものの移動平均
        steps.append(("vt", "v - gbar**2"))  # 二乗平均 − 平均の二乗 = 分散の推定
        denom = "sqrt(vt) + eps"
    if momentum != 0:
        syms += [MU, BUF]
        steps.append(("b", f"mu*b + g/({denom})"))  # バッファは 0 から始まる（SGD と違い初回も μ·0 + …）
        steps.append(("W", "W - gamma*b"))
    else:
        steps.append(("W", f"W - gamma*g/({denom})"))
    return build("rmsprop", "pytorch", syms, steps,
                 note="torch.optim.RMSprop: v ← αv + (1−α)g², W ← W − γg/(√v + ε)。"
                 "ε の既定値は 1e-8（ゼロつくは 1e-7）。"
                 "momentum のバッファは 0 から、centered は √(v − (g^ave)²) で割る")


INFO = Info(
    key="rmsprop",
    cls=RMSprop,
    name_ja="RMSprop",
    name_en="RMSprop (root mean square propagation)",
    paper="T. Tieleman and G. Hinton, Lecture 6.5—rmsprop: Divide the gradient by a running average of its "
    "recent magnitude, COURSERA: Neural Networks for Machine Learning, 2012",
    year=2012,
    summary_ja="勾配の二乗の指数移動平均の平方根で学習率を割る。古い勾配を忘れるので、AdaGrad と違い学習率が"
    "下がり続けない。",
    state=("h",),
    hyper={"lr": ("学習率 η", "learning rate η"),
           "decay_rate": ("減衰率 ρ（移動平均に過去の h を残す割合）",
                          "decay rate ρ (how much of the old h the moving average keeps)"),
           "eps": ("ゼロ除算を防ぐ微小な定数 ε（√h の外）", "small constant ε against division by zero (outside √h)")},
    conventions=("textbook", "pytorch", "paper"),
    forms={
        "textbook": ("『ゼロから作るDeep Learning』", "the book Deep Learning from Scratch"),
        "paper": ("Goodfellow ら『深層学習』Alg. 8.5", "Goodfellow et al., Deep Learning, Alg. 8.5"),
        "pytorch": ("torch.optim.RMSprop", "torch.optim.RMSprop"),
    },
    torch="rmsprop",
    torch_tabs=({}, {"momentum": 0.9, "centered": True}, {"weight_decay": 0.01}),
    torch_kwargs=lambda opt: {"lr": opt.lr, "alpha": opt.decay_rate, "eps": opt.eps},
    notes={
        "textbook": "『ゼロから作るDeep Learning』の RMSprop クラスと同じ（ε = 1e-7 を引数にした）。ε は √h の外。",
        "paper": "I. Goodfellow, Y. Bengio and A. Courville, Deep Learning, MIT Press, 2016, Algorithm 8.5"
        "（旧 E資格シラバスの底本）: Δθ = −ε/√(δ + r) ⊙ g。δ（推奨 1e-6）が √ の中にある。"
        "本では学習率を ε、二乗平均を r と書く。元の提案は Tieleman & Hinton の講義スライド（論文はない）。",
        "pytorch": "torch.optim.RMSprop: 減衰率は alpha、ε の既定値は 1e-8 で √ の外。momentum（バッファは 0 から）、"
        "centered（勾配の移動平均 grad_avg で分散を推定）、weight_decay、maximize を持つ。",
    },
)
