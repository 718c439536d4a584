"""Momentum（モーメンタム）: 勾配を速度 v に蓄積し、揃った方向へ加速、振動する方向は打ち消す。"""

from __future__ import annotations

import numpy as np

from . import _symbols as S
from ._base import check_hyperparameters, check_inputs
from ._meta import Info
from ._rule import Rule, Sym, build
from .sgd import torch_rule


class Momentum:
    """Momentum SGD: v ← αv − η ∂L/∂W,  W ← W + v"""

    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr  # 学習率 η
        self.momentum = momentum  # モーメンタム係数 α（前の速度をどれだけ残すか）
        self.v = None  # 速度（パラメータごとに持つ。最初の update で 0 にする）
        check_hyperparameters(self)

    def update(self, params, grads):
        check_inputs(params, grads)
        if self.v is None:
            self.v = {}
            for key, val in params.items():
                self.v[key] = np.zeros_like(val)  # 速度 v を 0 で初期化
        for key in params.keys():
            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]  # 速度 = 前の速度 α 倍 − 勾配の η 倍
            params[key] += self.v[key]  # 速度の分だけパラメータを動かす


ALPHA = Sym("alpha", r"\alpha", "モーメンタム係数", "momentum coefficient", "hyper", code="momentum")
V = Sym("v", "v", "速度", "velocity", "state", code="v")


def rule(convention: str = "textbook", **options) -> Rule:
    """Momentum の更新式。textbook と paper（Polyak 1964 / Sutskever ら 2013 の CM）は同じ形、
    pytorch は torch.optim.SGD(momentum=μ) の形。"""
    if convention in ("textbook", "paper"):
        return build("momentum", convention, [S.W, S.g, S.eta.named("lr"), ALPHA, V],
                     [("v", "alpha*v - eta*g"), ("W", "W + v")],
                     note="v ← αv − ηg, W ← W + v（ゼロから作るDeep Learning / Goodfellow ら Alg. 8.2）")
    if convention == "pytorch":
        options.setdefault("momentum", 0.9)
        return torch_rule(optimizer="momentum", **options)
    raise ValueError(f"momentum: unknown convention {convention!r} (textbook, paper, pytorch)")


INFO = Info(
    key="momentum",
    cls=Momentum,
    name_ja="Momentum",
    name_en="Momentum SGD",
    paper="B. T. Polyak, Some methods of speeding up the convergence of iteration methods, "
    "USSR Comput. Math. Math. Phys. 4(5), 1964",
    year=1964,
    summary_ja="過去の勾配を速度として蓄積し、勾配の向きが揃う方向へ加速し、振動する方向は打ち消す。",
    state=("v",),
    hyper={"lr": ("学習率 η", "learning rate η"), "momentum": ("モーメンタム係数 α", "momentum coefficient α")},
    conventions=("textbook", "pytorch"),
    forms={
        "textbook": ("『ゼロから作るDeep Learning』", "the book Deep Learning from Scratch"),
        "pytorch": ("torch.optim.SGD の momentum", "torch.optim.SGD with momentum"),
    },
    torch="sgd",
    torch_tabs=({"momentum": 0.9}, {"momentum": 0.9, "weight_decay": 0.01}),
    torch_kwargs=lambda opt: {"lr": opt.lr, "momentum": opt.momentum},
)
