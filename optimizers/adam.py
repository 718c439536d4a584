"""Adam: モーメンタム（1 次モーメント m）と RMSprop（2 次モーメント v）を組み合わせ、
0 で始めた m, v の偏りをバイアス補正で取り除く。

三つの形を持つ。

- textbook: 『ゼロから作るDeep Learning』 ``common/optimizer.py`` の Adam。バイアス補正を学習率
  ``lr_t = lr·√(1−β2^t)/(1−β1^t)`` にまとめ、eps（本では 1e-7 を直書き）は **補正前の** √v の外に足す。
- paper: Kingma & Ba (ICLR 2015) Alg. 1。補正した m̂, v̂ を作り、eps=1e-8 は **補正後の** √v̂ の外。
- pytorch: ``torch.optim.Adam``（2.13）。論文 Alg. 1 と同じ eps の位置に、weight_decay（L2 / decoupled）,
  amsgrad, maximize を加えたもの。

textbook と paper は eps が無視できれば同じ更新。正確には textbook の定数 ε は paper の
ε̂_t = ε/√(1−β2^t) にあたる（証明と数値は quizgen の equivalence を参照）。
"""

from __future__ import annotations

import numpy as np

from . import _symbols as S
from ._base import check_hyperparameters, check_inputs
from ._meta import Info
from ._rule import Rule, Sym, build


class Adam:
    """Adam（ゼロから作るDeep Learning の形）: lr_t = lr·√(1−β2^t)/(1−β1^t),  W ← W − lr_t·m/(√v + eps)"""

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-7):
        self.lr = lr  # 学習率 η
        self.beta1 = beta1  # 1 次モーメント m の減衰率 β1（勾配の平均をどれだけ長く覚えるか）
        self.beta2 = beta2  # 2 次モーメント v の減衰率 β2（勾配の二乗の平均をどれだけ長く覚えるか）
        self.eps = eps  # ゼロ除算を防ぐ微小量（本では 1e-7 を直書き。補正前の √v の外に足す）
        self.iter = 0  # 更新の回数 t（全パラメータで一つ。update のたびに 1 増える）
        self.m = None  # 1 次モーメント: 勾配の指数移動平均（パラメータごと）
        self.v = None  # 2 次モーメント: 勾配の二乗の指数移動平均（パラメータごと）
        check_hyperparameters(self)

    def update(self, params, grads):
        check_inputs(params, grads)
        if self.m is None:
            self.m = {}
            self.v = {}
            for key, val in params.items():
                self.m[key] = np.zeros_like(val)  # m を 0 で初期化（これが初期の 0 への偏りの原因）
                self.v[key] = np.zeros_like(val)  # v を 0 で初期化
        self.iter += 1  # t を 1 進める（1 回目の更新で t = 1）
        lr_t = self.lr * np.sqrt(1.0 - self.beta2**self.iter) / (1.0 - self.beta1**self.iter)  # 補正を学習率にまとめる
        for key in params.keys():
            self.m[key] += (1 - self.beta1) * (grads[key] - self.m[key])  # m ← β1·m + (1−β1)·g と同じ（指数移動平均）
            self.v[key] += (1 - self.beta2) * (grads[key] ** 2 - self.v[key])  # v ← β2·v + (1−β2)·g²
            params[key] -= lr_t * self.m[key] / (np.sqrt(self.v[key]) + self.eps)  # 補正前の v の平方根で割って進む


# -- symbols ----------------------------------------------------------------------------------
M = Sym("m", "m", "1 次モーメント（勾配の指数移動平均）", "first moment (EMA of the gradient)", "state", code="m")
V = Sym("v", "v", "2 次モーメント（勾配の二乗の指数移動平均）", "second moment (EMA of the squared gradient)", "state",
        code="v")
V_MAX = Sym("v_max", r"v_{\max}", "これまでの v の最大値（AMSGrad）", "running maximum of v (AMSGrad)", "state",
            code="v_max")
LR_T = Sym("lr_t", r"\eta_t", "ステップ t の学習率（バイアス補正をまとめたもの）",
           "step-t learning rate (bias corrections folded in)", "temp")
M_HAT = Sym("m_hat", r"\hat{m}", "バイアス補正した 1 次モーメント m/(1−β₁ᵗ)", "bias-corrected first moment", "temp")
V_HAT = Sym("v_hat", r"\hat{v}", "バイアス補正した 2 次モーメント v/(1−β₂ᵗ)", "bias-corrected second moment", "temp")
ALPHA = Sym("alpha", r"\alpha", "学習率（論文の記号 α、ステップサイズ）", "learning rate (the paper's α, stepsize)",
            "hyper", code="lr")
T_ITER = S.t.named("iter")  # ゼロつく・論文のクラスでは self.iter
T_STEP = S.t.named("step")  # torch では state["step"]


def rule(convention: str = "textbook", **options) -> Rule:
    """Adam の更新式。textbook（ゼロから作るDeep Learning）, paper（Kingma & Ba Alg. 1）,
    pytorch（torch.optim.Adam の全オプション: weight_decay, decoupled_weight_decay, amsgrad, maximize）。"""
    if convention == "textbook":
        return build("adam", "textbook",
                     [S.W, S.g, S.eta.named("lr"), S.beta1.named("beta1"), S.beta2.named("beta2"),
                      S.eps.named("eps"), T_ITER, M, V, LR_T, M_HAT, V_HAT],
                     [("t", "t + 1"),
                      ("m", "m + (1 - beta1)*(g - m)"),
                      ("v", "v + (1 - beta2)*(g**2 - v)"),
                      ("lr_t", "eta*sqrt(1 - beta2**t)/(1 - beta1**t)"),
                      ("W", "W - lr_t*m/(sqrt(v) + eps)")],
                     derived=[("m_hat", "m/(1 - beta1**t)"), ("v_hat", "v/(1 - beta2**t)")],
                     note="『ゼロから作るDeep Learning』の Adam: 補正を η_t にまとめ、ε は補正前の √v の外")
    if convention == "paper":
        return build("adam", "paper",
                     [S.W, S.g, ALPHA, S.beta1.named("beta1"), S.beta2.named("beta2"), S.eps.named("eps"),
                      T_ITER, M, V, M_HAT, V_HAT],
                     [("t", "t + 1"),
                      ("m", "beta1*m + (1 - beta1)*g"),
                      ("v", "beta2*v + (1 - beta2)*g**2"),
                      ("m_hat", "m/(1 - beta1**t)"),
                      ("v_hat", "v/(1 - beta2**t)"),
                      ("W", "W - alpha*m_hat/(sqrt(v_hat) + eps)")],
                     note="Kingma & Ba (ICLR 2015) Alg. 1: 補正した m̂, v̂ を使い、ε（論文では 1e-8）は √v̂ の外")
    if convention == "pytorch":
        return torch_rule(**options)
    raise ValueError(f"adam: unknown convention {convention!r} (textbook, paper, pytorch)")


def torch_rule(weight_decay=0.0, amsgrad=False, maximize=False, decoupled_weight_decay=False,
               optimizer: str = "adam", **unused) -> Rule:
    """torch.optim.Adam (2.13) の ``_single_tensor_adam`` と同じ手順。数値のハイパーパラメータは記号のまま、
    式の形を変えるもの（weight_decay が 0 か、decoupled か、amsgrad, maximize）だけで分岐する。
    AdamW（decoupled）と AMSGrad（amsgrad=True）もこの関数で作る。"""
    syms = [S.W, S.g, S.gamma.named("lr"), S.beta1.named("beta1"), S.beta2.named("beta2"), S.eps.named("eps"),
            T_STEP, M.named("exp_avg"), V.named("exp_avg_sq"), M_HAT, V_HAT]
    steps: list[tuple[str, str]] = [("t", "t + 1")]
    if maximize:
        steps.append(("g", "-g"))  # maximize: 損失の勾配だけ符号を反転（重み減衰は後から足すので θ を縮める向きのまま）
    if weight_decay != 0:
        syms.append(S.lam.named("weight_decay"))
        if decoupled_weight_decay:
            steps.append(("W", "W*(1 - gamma*lam)"))  # decoupled（AdamW）: 先に θ を γλ の割合だけ縮める
        else:
            steps.append(("g", "g + lam*W"))  # L2（coupled）: 勾配に λθ を足す（m, v も λθ を見る）
    steps += [("m", "beta1*m + (1 - beta1)*g"),
              ("v", "beta2*v + (1 - beta2)*g**2")]
    if amsgrad:
        syms.append(V_MAX.named("max_exp_avg_sq"))
        steps.append(("v_max", "Max(v_max, v)"))  # 補正前の v のこれまでの最大値を保つ
    steps += [("m_hat", "m/(1 - beta1**t)"),
              ("v_hat", "v_max/(1 - beta2**t)" if amsgrad else "v/(1 - beta2**t)"),  # amsgrad: 最大値の方を補正
              ("W", "W - gamma*m_hat/(sqrt(v_hat) + eps)")]
    names = {"adam": "torch.optim.Adam", "adamw": "torch.optim.AdamW", "amsgrad": "torch.optim.Adam(amsgrad=True)"}
    extra = ("。先に W を (1−γλ) 倍に縮める" if weight_decay != 0 and decoupled_weight_decay else
             "。勾配に λW を足す（L2）" if weight_decay != 0 else "")
    return build(optimizer, "pytorch", syms, steps,
                 note=f"{names.get(optimizer, 'torch.optim.Adam')}: 補正した m̂, v̂ を使い、ε は √v̂ の外"
                 + ("（v̂ は v の最大値から作る）" if amsgrad else "") + extra)


INFO = Info(
    key="adam",
    cls=Adam,
    name_ja="Adam",
    name_en="Adam (adaptive moment estimation)",
    paper="D. P. Kingma and J. Ba, Adam: A Method for Stochastic Optimization, ICLR 2015 (arXiv:1412.6980)",
    year=2015,
    summary_ja="勾配の指数移動平均 m（モーメンタム）を、勾配の二乗の指数移動平均 v の平方根で割って進む。"
    "m, v を 0 で始める偏りはバイアス補正で取り除く。",
    state=("m", "v"),
    hyper={"lr": ("学習率 η（論文の α）", "learning rate η (the paper's α)"),
           "beta1": ("1 次モーメント m の減衰率 β1", "decay rate β1 of the first moment m"),
           "beta2": ("2 次モーメント v の減衰率 β2", "decay rate β2 of the second moment v"),
           "eps": ("ゼロ除算を防ぐ微小量 ε（補正前の √v の外）", "small constant ε (outside √v, v uncorrected)")},
    conventions=("textbook", "paper", "pytorch"),
    forms={
        "textbook": ("『ゼロから作るDeep Learning』", "the book Deep Learning from Scratch"),
        "paper": ("Kingma & Ba 2015 の論文 Alg. 1", "Kingma & Ba 2015, Alg. 1"),
        "pytorch": ("torch.optim.Adam", "torch.optim.Adam"),
    },
    torch="adam",
    torch_tabs=({}, {"weight_decay": 0.01}, {"weight_decay": 0.01, "decoupled_weight_decay": True}),
    torch_kwargs=lambda opt: {"lr": opt.lr, "betas": (opt.beta1, opt.beta2), "eps": opt.eps},
    syllabus=True,
    notes={
        "textbook": "『ゼロから作るDeep Learning』common/optimizer.py の Adam。補正を学習率 lr_t にまとめた論文 §2 の"
        "「効率的な形」で、ε（本では 1e-7 直書き）は補正前の √v の外に足す。",
        "paper": "Kingma & Ba (ICLR 2015) Alg. 1。m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ) を作り、ε = 1e-8 は √v̂ の外。",
        "pytorch": "torch.optim.Adam は論文 Alg. 1 と同じ式。torch_kwargs の Adam(lr, betas, eps) はこのクラスに"
        "いちばん近い引数だが同一ではない: ε の位置が違う（ゼロつくの定数 ε は torch の εₜ = ε/√(1−β₂ᵗ) に"
        "あたる）。ε が効かない大きさの勾配なら差は小さい。",
    },
)
