"""AdamW: 重み減衰を勾配に混ぜず（decoupled）、Adam のステップとは別に θ を縮める。

Loshchilov & Hutter, Decoupled Weight Decay Regularization (ICLR 2019, arXiv:1711.05101) Alg. 2 の 12 行目:

    θ_t ← θ_{t−1} − η_t (α m̂_t/(√v̂_t + ε) + λ θ_{t−1})

- η_t はスケジュール乗数（学習率スケジュールの倍率。スケジュールなしなら 1）。
- 減衰 λθ は η_t だけを掛けて引く。**α（学習率）は掛けない。** 引くので θ は 0 に向かって **縮む**。
  「+ λθ の符号を逆にした式」（θ が膨らむ）が出回っている: 名前のついた誤り（wrong sign）として扱う。
- L2 正則化（Adam + L2）は g ← g + λθ として m, v にも λθ を入れる。Adam ではそれが √v̂ で割られるので
  AdamW とは別物（等しいのは素の SGD のときだけ）。

このクラスは論文の形に従う（『ゼロから作るDeep Learning』に AdamW は無いので、textbook = このクラス = paper）。

**λ の意味が torch と違う。** torch.optim.AdamW は θ ← θ(1 − γλ_torch) と減衰に学習率 γ 全体を掛ける。
γ = α η_t とおくと、論文の式と一致するのは λ_torch = λ_paper / α のとき（η_t を含めて一致する）。
既定値: lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8（論文・torch と同じ）, schedule=1.0,
weight_decay=1e-5。最後の値は torch の既定 weight_decay=0.01 と lr=0.001 に合わせた λ_paper = 0.01 × 0.001
で、既定どうしの AdamW() と torch.optim.AdamW() が同じ更新になる。
"""

from __future__ import annotations

import numpy as np

from . import _symbols as S
from ._base import check_hyperparameters, check_inputs
from ._meta import Info
from ._rule import Rule, Sym, build
from .adam import ALPHA, M_HAT, T_ITER, V_HAT, M, V, torch_rule


class AdamW:
    """AdamW（論文 Alg. 2 の形）: W ← W − η_t·(lr·m̂/(√v̂ + eps) + λ·W)"""

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-5, schedule=1.0):
        self.lr = lr  # 学習率 α（Adam のステップにだけ掛かる）
        self.beta1 = beta1  # 1 次モーメント m の減衰率 β1
        self.beta2 = beta2  # 2 次モーメント v の減衰率 β2
        self.eps = eps  # ゼロ除算を防ぐ微小量（補正後の √v̂ の外）
        self.weight_decay = weight_decay  # 重み減衰 λ（論文の λ。torch の weight_decay は λ/α にあたる）
        self.schedule = schedule  # スケジュール乗数 η_t（Adam のステップと減衰の両方に掛かる。なしなら 1）
        self.iter = 0  # 更新の回数 t（全パラメータで一つ）
        self.m = None  # 1 次モーメント: 勾配の指数移動平均（λθ は入らない）
        self.v = None  # 2 次モーメント: 勾配の二乗の指数移動平均（λθ は入らない）
        check_hyperparameters(self)

    def update(self, params, grads):
        check_inputs(params, grads)
        if self.m is None:
            self.m = {}
            self.v = {}
            for key, val in params.items():
                self.m[key] = np.zeros_like(val)  # m を 0 で初期化
                self.v[key] = np.zeros_like(val)  # v を 0 で初期化
        self.iter += 1  # t を 1 進める（1 回目の更新で t = 1）
        for key in params.keys():
            self.m[key] = self.beta1 * self.m[key] + (1 - self.beta1) * grads[key]  # m には損失の勾配だけを入れる
            self.v[key] = self.beta2 * self.v[key] + (1 - self.beta2) * grads[key] ** 2  # v にも λθ は入れない
            m_hat = self.m[key] / (1 - self.beta1**self.iter)  # m のバイアス補正
            v_hat = self.v[key] / (1 - self.beta2**self.iter)  # v のバイアス補正
            step = self.lr * m_hat / (np.sqrt(v_hat) + self.eps)  # Adam のステップ（学習率 α を掛ける）
            decay = self.weight_decay * params[key]  # 重み減衰 λW（α は掛けない）
            params[key] -= self.schedule * (step + decay)  # 両方に η_t を掛けて引く（W は 0 に向かって縮む）


SCHEDULE = Sym("eta_t", r"\eta_t", "スケジュール乗数（学習率スケジュールの倍率）", "schedule multiplier", "hyper",
               code="schedule")
LAM_PAPER = Sym("lam", r"\lambda", "重み減衰の係数（論文の λ: 学習率 α は掛からない）",
                "weight decay rate (the paper's λ, not multiplied by α)", "hyper", code="weight_decay")


def rule(convention: str = "textbook", **options) -> Rule:
    """AdamW の更新式。textbook と paper はこのクラス（Loshchilov & Hutter Alg. 2 の 12 行目）,
    pytorch は torch.optim.AdamW（θ ← θ(1 − γλ) を先に、amsgrad, maximize）。"""
    if convention in ("textbook", "paper"):
        return build("adamw", convention,
                     [S.W, S.g, ALPHA, S.beta1.named("beta1"), S.beta2.named("beta2"), S.eps.named("eps"),
                      LAM_PAPER, SCHEDULE, T_ITER, M, V, M_HAT, V_HAT],
                     [("t", "t + 1"),
                      ("m", "beta1*m + (1 - beta1)*g"),
                      ("v", "beta2*v + (1 - beta2)*g**2"),
                      ("m_hat", "m/(1 - beta1**t)"),
                      ("v_hat", "v/(1 - beta2**t)"),
                      ("W", "W - eta_t*(alpha*m_hat/(sqrt(v_hat) + eps) + lam*W)")],
                     note="本に AdamW は無いので論文（Loshchilov & Hutter Alg. 2）の形: "
                     "減衰 λW は α を掛けずに η_t 倍して引く")
    if convention == "pytorch":
        options.pop("decoupled_weight_decay", None)  # AdamW は常に decoupled
        options.setdefault("weight_decay", 1e-2)  # torch.optim.AdamW の既定値（0 にすると減衰の行が消え、ただの Adam）
        return torch_rule(optimizer="adamw", decoupled_weight_decay=True, **options)
    raise ValueError(f"adamw: unknown convention {convention!r} (textbook, paper, pytorch)")


INFO = Info(
    key="adamw",
    cls=AdamW,
    name_ja="AdamW",
    name_en="AdamW (Adam with decoupled weight decay)",
    paper="I. Loshchilov and F. Hutter, Decoupled Weight Decay Regularization, ICLR 2019 (arXiv:1711.05101)",
    year=2019,
    summary_ja="重み減衰を勾配（L2 正則化）に混ぜず、Adam のステップとは別に θ を λ の割合で縮める。"
    "Adam + L2 では減衰まで √v̂ で割られてしまう問題を避ける。",
    state=("m", "v"),
    hyper={"lr": ("学習率 α（Adam のステップにだけ掛かる）", "learning rate α (scales the Adam step only)"),
           "beta1": ("1 次モーメント m の減衰率 β1", "decay rate β1 of the first moment m"),
           "beta2": ("2 次モーメント v の減衰率 β2", "decay rate β2 of the second moment v"),
           "eps": ("ゼロ除算を防ぐ微小量 ε（補正後の √v̂ の外）", "small constant ε (outside √v̂, corrected)"),
           "weight_decay": ("重み減衰 λ（論文の λ。torch の weight_decay = λ/α）",
                            "weight decay λ (the paper's; torch's weight_decay = λ/α)"),
           "schedule": ("スケジュール乗数 η_t（ステップと減衰の両方に掛かる）",
                        "schedule multiplier η_t (scales both the step and the decay)")},
    conventions=("textbook", "paper", "pytorch"),
    forms={
        "textbook": ("Loshchilov & Hutter 2019 の論文 Alg. 2", "Loshchilov & Hutter 2019, Alg. 2"),
        "paper": ("Loshchilov & Hutter 2019 の論文 Alg. 2", "Loshchilov & Hutter 2019, Alg. 2"),
        "pytorch": ("torch.optim.AdamW", "torch.optim.AdamW"),
    },
    torch="adamw",
    torch_tabs=({}, {"amsgrad": True}),
    torch_kwargs=lambda opt: {"lr": opt.lr * opt.schedule, "betas": (opt.beta1, opt.beta2), "eps": opt.eps,
                              "weight_decay": opt.weight_decay / opt.lr},
    syllabus=False,
    notes={
        "textbook": "『ゼロから作るDeep Learning』に AdamW は無いので、クラスは論文 Alg. 2 の 12 行目の形"
        "（textbook = paper）。既定の weight_decay=1e-5 は torch の既定 0.01 × lr 0.001 にあたる λ。",
        "paper": "Loshchilov & Hutter Alg. 2: θ ← θ − η_t(α m̂/(√v̂+ε) + λθ)。減衰は α を掛けずに引き、θ を縮める"
        "（+ と − を取り違えた式は θ を膨らませる誤り）。",
        "pytorch": "torch.optim.AdamW: θ ← θ(1 − γλ) を先に行い、その後に Adam のステップ。減衰に学習率 γ 全体が"
        "掛かるので λ_torch = λ_paper/α（lr = α·η_t, weight_decay = λ/α で論文の形と一致）。既定 weight_decay=0.01。",
    },
)
