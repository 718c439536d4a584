"""AMSGrad: Adam の v の代わりに「これまでの v の最大値」で割り、実効学習率が増えないようにする。

Reddi, Kale & Kumar (ICLR 2018) は、Adam の実効学習率 α/√v̂ が途中で増えうることが収束しない例の原因だと
示し、v̂_t = max(v̂_{t−1}, v_t) を使う AMSGrad を提案した。

このプロジェクトでの選択（INFO.notes にも書く）:

- **別のクラスにした。** torch では ``Adam(amsgrad=True)`` というフラグだが、E資格の学習では「Adam の変種の
  一つ」として名前で問われることが多く、1 行の違い（max の行）を穴埋めで見せたいので、独立したクラスにする。
- **クラスは torch の形。** m, v は Adam と同じ、v_max = max(v_max, v) を **補正前の v** について取り、
  v̂ = v_max/(1−β2^t) と m̂ = m/(1−β1^t) でバイアス補正して、ε は √v̂ の外に足す。
- **論文 Alg. 2 との違い。** 論文にはバイアス補正も ε もない: m ← β1 m + (1−β1) g, v ← β2 v + (1−β2) g²,
  v̂ ← max(v̂, v), θ ← θ − α_t m/√v̂（理論では α_t = α/√t, β1 も t で減らす。実験では定数）。
  その形は ``rule("paper")`` にある（α_t, β1 は定数とする）。論文の v̂ は最大値のことで、Adam の補正した v̂
  とは別物である。
"""

from __future__ import annotations

import numpy as np

from . import _symbols as S
from ._base import check_hyperparameters, check_inputs
from ._meta import Info
from ._rule import Rule, build
from .adam import ALPHA, M_HAT, T_ITER, V_HAT, V_MAX, M, V, torch_rule


class AMSGrad:
    """AMSGrad（torch の amsgrad=True の形）: v_max ← max(v_max, v),  W ← W − lr·m̂/(√v̂ + eps),  v̂ = v_max/(1−β2^t)"""

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr = lr  # 学習率 η
        self.beta1 = beta1  # 1 次モーメント m の減衰率 β1
        self.beta2 = beta2  # 2 次モーメント v の減衰率 β2
        self.eps = eps  # ゼロ除算を防ぐ微小量（補正後の √v̂ の外に足す。torch と同じ 1e-8）
        self.iter = 0  # 更新の回数 t（全パラメータで一つ）
        self.m = None  # 1 次モーメント: 勾配の指数移動平均
        self.v = None  # 2 次モーメント: 勾配の二乗の指数移動平均
        self.v_max = None  # これまでの v の最大値（これで割るので実効学習率は増えない）
        check_hyperparameters(self)

    def update(self, params, grads):
        check_inputs(params, grads)
        if self.m is None:
            self.m = {}
            self.v = {}
            self.v_max = {}
            for key, val in params.items():
                self.m[key] = np.zeros_like(val)  # m を 0 で初期化
                self.v[key] = np.zeros_like(val)  # v を 0 で初期化
                self.v_max[key] = np.zeros_like(val)  # v の最大値も 0 から始める
        self.iter += 1  # t を 1 進める（1 回目の更新で t = 1）
        for key in params.keys():
            self.m[key] = self.beta1 * self.m[key] + (1 - self.beta1) * grads[key]  # m ← β1·m + (1−β1)·g
            self.v[key] = self.beta2 * self.v[key] + (1 - self.beta2) * grads[key] ** 2  # v ← β2·v + (1−β2)·g²
            self.v_max[key] = np.maximum(self.v_max[key], self.v[key])  # Adam との違いはこの 1 行: v の最大値を保つ
            m_hat = self.m[key] / (1 - self.beta1**self.iter)  # m のバイアス補正
            v_hat = self.v_max[key] / (1 - self.beta2**self.iter)  # 最大値の方をバイアス補正する（torch の形）
            params[key] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)  # 補正後の √v̂ の外に eps


def rule(convention: str = "textbook", **options) -> Rule:
    """AMSGrad の更新式。textbook = このクラス（torch の amsgrad と同じ形）, paper = Reddi ら Alg. 2
    （補正なし・ε なし、α_t と β1 は定数）, pytorch = torch.optim.Adam(amsgrad=True)。"""
    if convention == "textbook":
        return build("amsgrad", "textbook",
                     [S.W, S.g, S.eta.named("lr"), S.beta1.named("beta1"), S.beta2.named("beta2"),
                      S.eps.named("eps"), T_ITER, M, V, V_MAX, M_HAT, V_HAT],
                     [("t", "t + 1"),
                      ("m", "beta1*m + (1 - beta1)*g"),
                      ("v", "beta2*v + (1 - beta2)*g**2"),
                      ("v_max", "Max(v_max, v)"),
                      ("m_hat", "m/(1 - beta1**t)"),
                      ("v_hat", "v_max/(1 - beta2**t)"),
                      ("W", "W - eta*m_hat/(sqrt(v_hat) + eps)")],
                     note="本に AMSGrad は無いので torch（Adam の amsgrad=True）の形: "
                     "補正前の v の最大値を補正して使う")
    if convention == "paper":
        return build("amsgrad", "paper",
                     [S.W, S.g, ALPHA, S.beta1.named("beta1"), S.beta2.named("beta2"), M, V, V_MAX],
                     [("m", "beta1*m + (1 - beta1)*g"),
                      ("v", "beta2*v + (1 - beta2)*g**2"),
                      ("v_max", "Max(v_max, v)"),
                      ("W", "W - alpha*m/sqrt(v_max)")],
                     note="Reddi, Kale & Kumar (ICLR 2018) Alg. 2（α_t, β1 を定数、射影なし）: バイアス補正も ε もない")
    if convention == "pytorch":
        if options.get("amsgrad") is False:
            raise ValueError("amsgrad: the pytorch form is torch.optim.Adam(amsgrad=True); amsgrad=False is Adam")
        options["amsgrad"] = True
        return torch_rule(optimizer="amsgrad", **options)
    raise ValueError(f"amsgrad: unknown convention {convention!r} (textbook, paper, pytorch)")


INFO = Info(
    key="amsgrad",
    cls=AMSGrad,
    name_ja="AMSGrad",
    name_en="AMSGrad",
    paper="S. J. Reddi, S. Kale and S. Kumar, On the Convergence of Adam and Beyond, ICLR 2018",
    year=2018,
    summary_ja="Adam の v の代わりにこれまでの v の最大値で割ることで、実効学習率が途中で大きくならないようにし、"
    "Adam が収束しない例を直す。",
    state=("m", "v", "v_max"),
    hyper={"lr": ("学習率 η（論文の α）", "learning rate η (the paper's α)"),
           "beta1": ("1 次モーメント m の減衰率 β1", "decay rate β1 of the first moment m"),
           "beta2": ("2 次モーメント v の減衰率 β2", "decay rate β2 of the second moment v"),
           "eps": ("ゼロ除算を防ぐ微小量 ε（補正後の √v̂ の外）", "small constant ε (outside √v̂, corrected)")},
    conventions=("textbook", "paper", "pytorch"),
    forms={
        "textbook": ("torch.optim.Adam の amsgrad=True", "torch.optim.Adam with amsgrad=True"),
        "paper": ("Reddi ら 2018 の論文 Alg. 2", "Reddi et al. 2018, Alg. 2"),
        "pytorch": ("torch.optim.Adam の amsgrad=True", "torch.optim.Adam with amsgrad=True"),
    },
    torch="adam",
    torch_tabs=({"amsgrad": True},),
    torch_kwargs=lambda opt: {"lr": opt.lr, "betas": (opt.beta1, opt.beta2), "eps": opt.eps, "amsgrad": True},
    syllabus=False,
    notes={
        "textbook": "本に AMSGrad は無い。torch では Adam の amsgrad=True というフラグだが、ここでは名前で問われる"
        "手法として別クラスにし、torch の形（補正前の v の最大値 v_max を取り、v̂ = v_max/(1−β₂ᵗ) と m̂ で"
        "バイアス補正、ε は √v̂ の外）にした。torch.optim.Adam(lr, betas, eps, amsgrad=True) と同じ更新。",
        "paper": "Reddi ら Alg. 2 にはバイアス補正も ε もない（θ ← θ − α_t m/√v̂、v̂ は v の最大値）。理論では"
        "α_t = α/√t で β1 も減らすが、ここでは実験と同じく定数とする。",
        "pytorch": "torch.optim.Adam(amsgrad=True): state max_exp_avg_sq に補正前の v の最大値を持ち、"
        "それを補正して使う。",
    },
)
