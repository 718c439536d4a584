"""SGD（確率的勾配降下法）: 勾配の逆向きに、学習率の分だけ進む。"""

from __future__ import annotations

from . import _symbols as S
from ._base import check_hyperparameters, check_inputs
from ._meta import Info
from ._rule import Rule, Sym, build


class SGD:
    """SGD: W ← W − η ∂L/∂W"""

    def __init__(self, lr=0.01):
        self.lr = lr  # 学習率 η
        check_hyperparameters(self)

    def update(self, params, grads):
        check_inputs(params, grads)
        for key in params.keys():
            params[key] -= self.lr * grads[key]  # 勾配の逆向きに η 倍だけ進む


# PyTorch の SGD が持つ記号（モーメンタム付きの形もここで扱う）
MU = Sym("mu", r"\mu", "モーメンタム係数", "momentum factor", "hyper", code="momentum")
TAU = Sym("tau", r"\tau", "dampening（勾配を弱める係数）", "dampening", "hyper", code="dampening")
BUF = Sym("b", "b", "モーメンタムバッファ（勾配の単位の速度）", "momentum buffer (velocity in gradient units)",
          "state", code="momentum_buffer")


def rule(convention: str = "textbook", **options) -> Rule:
    """SGD の更新式。``pytorch`` は torch.optim.SGD の全オプション（momentum, dampening,
    nesterov, weight_decay, maximize）に対応する。"""
    if convention in ("textbook", "paper"):
        return build("sgd", convention, [S.W, S.g, S.eta.named("lr")], [("W", "W - eta*g")],
                     note="『ゼロから作るDeep Learning』の SGD クラスと同じ形")
    if convention != "pytorch":
        raise ValueError(f"sgd: unknown convention {convention!r} (textbook, paper, pytorch)")
    return torch_rule(**options)


def torch_rule(momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0, maximize=False,
               optimizer: str = "sgd", **unused) -> Rule:
    """torch.optim.SGD (2.13) の ``_single_tensor_sgd`` と同じ手順。数値のハイパーパラメータは
    記号のまま残し、式の形を変えるもの（0 かどうか、nesterov、maximize）だけで分岐する。"""
    if nesterov and (momentum <= 0 or dampening != 0):
        raise ValueError("sgd: nesterov=True requires momentum > 0 and dampening = 0")
    syms = [S.W, S.g, S.gamma.named("lr")]
    steps: list[tuple[str, str]] = []
    if maximize:
        steps.append(("g", "-g"))  # maximize: 損失の勾配の符号を反転
    if weight_decay != 0:
        syms.append(S.lam.named("weight_decay"))
        steps.append(("g", "g + lam*W"))  # L2（coupled）: 勾配に λW を足す
    if momentum != 0:
        syms += [MU, TAU, BUF, S.t.named(None)]
        steps.append(("t", "t + 1"))
        # 1 ステップ目はバッファを g のコピーで作る（dampening はかからない）
        steps.append(("b", "Piecewise((g, Eq(t, 1)), (mu*b + (1 - tau)*g, True))"))
        steps.append(("W", "W - gamma*(g + mu*b)" if nesterov else "W - gamma*b"))
    else:
        steps.append(("W", "W - gamma*g"))
    return build(optimizer, "pytorch", syms, steps,
                 note="torch.optim.SGD: b ← μb + (1−τ)g（初回は b ← g）, W ← W − γb。速度の符号と単位がゼロつくと違う")


INFO = Info(
    key="sgd",
    cls=SGD,
    name_ja="SGD",
    name_en="Stochastic Gradient Descent",
    paper="H. Robbins and S. Monro, A Stochastic Approximation Method, Ann. Math. Statist. 22(3), 1951",
    year=1951,
    summary_ja="勾配の逆向きに学習率の分だけ進む、もっとも基本的な手法。",
    state=(),
    hyper={"lr": ("学習率 η", "learning rate η")},
    conventions=("textbook", "pytorch"),
    forms={
        "textbook": ("『ゼロから作るDeep Learning』", "the book Deep Learning from Scratch"),
        "pytorch": ("torch.optim.SGD", "torch.optim.SGD"),
    },
    torch="sgd",
    torch_tabs=({}, {"weight_decay": 0.01}),
    torch_kwargs=lambda opt: {"lr": opt.lr},
)
