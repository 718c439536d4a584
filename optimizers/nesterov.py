"""Nesterov（NAG, ネステロフの加速勾配法）: 慣性で進む先を「先読み」し、その点の勾配で速度を直す。

ここでの W は Bengio ら (2013, arXiv:1212.0901) の書き換えで、先読み点そのものを保持する形
（『ゼロから作るDeep Learning』common/optimizer.py の 2021 年の修正 89eadd0 以降と同じ）。
Sutskever ら (2013) の形 v ← μv − η∇L(θ + μv), θ ← θ + v とは、保持する変数が θ か先読み点
θ + μv かが違うだけで、同じ手法である（quizgen.equivalence で証明と数値を示す）。
"""

from __future__ import annotations

import numpy as np

from . import _symbols as S
from ._base import check_hyperparameters, check_inputs
from ._meta import Info
from ._rule import Rule, Sym, build
from .sgd import torch_rule


class Nesterov:
    """Nesterov's Accelerated Gradient: W ← W + μ²v − (1+μ)η ∂L/∂W,  その後 v ← μv − η ∂L/∂W"""

    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr  # 学習率 η
        self.momentum = momentum  # モーメンタム係数 μ（前の速度をどれだけ残すか）
        self.v = None  # 速度（パラメータごとに持つ。最初の update で 0 にする）
        check_hyperparameters(self)

    def update(self, params, grads):
        check_inputs(params, grads)
        if self.v is None:
            self.v = {}
            for key, val in params.items():
                self.v[key] = np.zeros_like(val)  # 速度 v を 0 で初期化
        for key in params.keys():
            # 順序が大切: W を「更新前の v」で先に動かし、そのあとで v を更新する。
            # v を先に更新してから同じ式で W を動かす旧版（2021 年の修正前のコード）は
            # W += μ³v − (1+μ+μ²)ηg となり NAG ではない（写してはいけない誤り）。
            params[key] += self.momentum * self.momentum * self.v[key]  # 慣性で μ² v だけ進む（先読み点から先読み点へ）
            params[key] -= (1 + self.momentum) * self.lr * grads[key]  # 勾配の (1+μ)η 倍だけ逆向きに進む
            self.v[key] *= self.momentum  # 速度を μ 倍に減衰させる
            self.v[key] -= self.lr * grads[key]  # 速度に勾配の −η 倍を加える（v ← μv − ηg）


MU = Sym("mu", r"\mu", "モーメンタム係数", "momentum coefficient", "hyper", code="momentum")
V = Sym("v", "v", "速度", "velocity", "state", code="v")
# Sutskever ら (2013) の形: W はパラメータ θ そのもの、勾配は先読み点 W̃ = W + μv で取る
AHEAD = Sym("W_ahead", r"\tilde{W}", "先読み点（慣性だけで進んだ先）", "look-ahead point", "temp")
G_AHEAD = Sym("g", r"\nabla L(\tilde{W})", "先読み点での損失の勾配", "loss gradient at the look-ahead point", "grad")


def rule(convention: str = "textbook", **options) -> Rule:
    """Nesterov の更新式。textbook と paper（Bengio ら 2013 の書き換え）は同じ形、
    sutskever は Sutskever ら (2013) の形（勾配を先読み点 W + μv で取る。損失の式が要る）、
    pytorch は torch.optim.SGD(momentum=μ, nesterov=True) の形。"""
    if convention == "sutskever":
        return build("nesterov", convention, [S.W, G_AHEAD, S.eta.named("lr"), MU, V, AHEAD],
                     [("W_ahead", "W + mu*v"), ("v", "mu*v - eta*g"), ("W", "W + v")], grad_at="W_ahead",
                     note="Sutskever ら (2013): 先読み点 W̃ = W + μv での勾配で v ← μv − η∇L(W̃), W ← W + v。"
                     "W はパラメータそのもの（ゼロつく・torch の W は先読み点 W + μv を保持する）")
    if convention in ("textbook", "paper"):
        return build("nesterov", convention, [S.W, S.g, S.eta.named("lr"), MU, V],
                     [("W", "W + mu**2*v - (1 + mu)*eta*g"), ("v", "mu*v - eta*g")],
                     note="W ← W + μ²v − (1+μ)ηg を先に、その後 v ← μv − ηg（Bengio ら 2013 の書き換え。"
                     "W は先読み点 θ + μv。Sutskever らの形は θ を保持するだけで同じ手法）")
    if convention == "pytorch":
        if not options.get("nesterov", True):
            raise ValueError("nesterov: the pytorch form is torch.optim.SGD with nesterov=True")
        options["nesterov"] = True
        options.setdefault("momentum", 0.9)
        return torch_rule(optimizer="nesterov", **options)
    raise ValueError(f"nesterov: unknown convention {convention!r} (textbook, paper, sutskever, pytorch)")


INFO = Info(
    key="nesterov",
    cls=Nesterov,
    name_ja="Nesterov の加速勾配法",
    name_en="Nesterov's Accelerated Gradient",
    paper="Y. Nesterov, A method for solving the convex programming problem with convergence rate O(1/k^2), "
    "Soviet Mathematics Doklady 27(2), 372–376, 1983",
    year=1983,
    summary_ja="慣性で進んだ先（先読み点）の勾配で速度を修正するので、モーメンタムより行き過ぎにくい。",
    state=("v",),
    hyper={"lr": ("学習率 η", "learning rate η"), "momentum": ("モーメンタム係数 μ", "momentum coefficient μ")},
    conventions=("textbook", "sutskever", "pytorch"),
    forms={
        "textbook": ("『ゼロから作るDeep Learning』", "the book Deep Learning from Scratch"),
        "paper": ("Bengio ら 2013 の書き換え", "Bengio et al. 2013's rewriting"),
        "sutskever": ("Sutskever ら 2013 の論文", "Sutskever et al. 2013"),
        "pytorch": ("torch.optim.SGD の nesterov=True", "torch.optim.SGD with nesterov=True"),
    },
    torch="sgd",
    torch_tabs=({"momentum": 0.9, "nesterov": True},),
    torch_kwargs=lambda opt: {"lr": opt.lr, "momentum": opt.momentum, "nesterov": True},
    notes={
        "textbook": "『ゼロから作るDeep Learning』の Nesterov クラス（2021 年の修正後）と同じ。Y. Bengio, "
        "N. Boulanger-Lewandowski and R. Pascanu, Advances in Optimizing Recurrent Networks, arXiv:1212.0901 "
        "(ICASSP 2013) の書き換えで、W は先読み点 θ + μv を表す。I. Sutskever, J. Martens, G. Dahl and G. Hinton, "
        "On the importance of initialization and momentum in deep learning, ICML 2013 の形 "
        "(v ← μv − η∇L(θ + μv), θ ← θ + v) とは保持する変数が違うだけで同じ手法。",
        "sutskever": "I. Sutskever, J. Martens, G. Dahl and G. Hinton (ICML 2013) の式 (3)(4) と Goodfellow ら"
        "『深層学習』Alg. 8.3 の形: 先読み点 W̃ = W + μv で勾配を取り、v ← μv − η∇L(W̃), W ← W + v。"
        "勾配が先読み点で要るので、損失の式（∇L を計算できるもの）が決まっているときに使う。"
        "W̃ をパラメータとして保持し直したのがゼロつく・torch の形で、同じ手法。",
        "pytorch": "torch.optim.SGD(momentum=μ, nesterov=True): b ← μb + g（初回は b ← g）, W ← W − γ(g + μb)。"
        "学習率が一定なら v = −γb と置くとゼロつくの形と一致する。",
    },
)
