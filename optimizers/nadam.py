"""NAdam: Adam のモーメンタムを Nesterov 型（1 ステップ先のモーメンタムを先取り）にしたもの。

Dozat (ICLR 2016 Workshop), Incorporating Nesterov Momentum into Adam, Alg. 2 の形:

    ĝ = g/(1 − ∏_{i≤t} μ_i),  m̂ = m/(1 − ∏_{i≤t+1} μ_i),  v̂ = v/(1 − β2^t)
    m̄ = (1 − μ_t) ĝ + μ_{t+1} m̂,   θ ← θ − η m̄/(√v̂ + ε)

モーメンタム係数 μ_t はステップとともに β1 に近づく: μ_t = β1 (1 − ½·0.96^{tψ})。ψ は torch の
``momentum_decay``（既定 0.004 = 1/250）。μ_1…μ_t の積はステップ数だけで決まるので、クラスは ``iter`` と同じく
全パラメータで一つのスカラー ``mu_product`` に持つ（torch は各パラメータの state["mu_product"] に同じ値を持つ）。

『ゼロから作るDeep Learning』に NAdam は無いので、クラス（textbook）は論文の形、すなわち torch.optim.NAdam と
同じ更新（ε は補正後の √v̂ の外、既定 lr=0.002, eps=1e-8）。pytorch の形は torch のコードどおり
m̄ を二つの項に分けて書く（値は同じ）。
"""

from __future__ import annotations

import numpy as np

from . import _symbols as S
from ._base import check_hyperparameters, check_inputs
from ._meta import Info
from ._rule import Rule, Sym, build
from .adam import T_ITER, T_STEP, V_HAT, M, V


class NAdam:
    """NAdam（Dozat 2016 / torch の形）: m̄ = (1−μ_t)·ĝ + μ_{t+1}·m̂,  W ← W − lr·m̄/(√v̂ + eps)"""

    def __init__(self, lr=0.002, beta1=0.9, beta2=0.999, eps=1e-8, momentum_decay=0.004):
        self.lr = lr  # 学習率 η
        self.beta1 = beta1  # 1 次モーメント m の減衰率 β1（μ_t の上限でもある）
        self.beta2 = beta2  # 2 次モーメント v の減衰率 β2
        self.eps = eps  # ゼロ除算を防ぐ微小量（補正後の √v̂ の外）
        self.momentum_decay = momentum_decay  # μ_t のスケジュールの速さ ψ（0.004 = 1/250）
        self.iter = 0  # 更新の回数 t（全パラメータで一つ）
        self.mu_product = 1.0  # μ_1·μ_2·…·μ_t の積（全パラメータで一つ。積なので 1 から始める）
        self.m = None  # 1 次モーメント: 勾配の指数移動平均
        self.v = None  # 2 次モーメント: 勾配の二乗の指数移動平均
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
        mu = self.beta1 * (1 - 0.5 * 0.96 ** (self.iter * self.momentum_decay))  # このステップのモーメンタム係数 μ_t
        mu_next = self.beta1 * (1 - 0.5 * 0.96 ** ((self.iter + 1) * self.momentum_decay))  # 次のステップの μ_{t+1}
        self.mu_product *= mu  # ∏ μ_i に μ_t を掛ける
        for key in params.keys():
            self.m[key] = self.beta1 * self.m[key] + (1 - self.beta1) * grads[key]  # m ← β1·m + (1−β1)·g
            self.v[key] = self.beta2 * self.v[key] + (1 - self.beta2) * grads[key] ** 2  # v ← β2·v + (1−β2)·g²
            g_hat = grads[key] / (1 - self.mu_product)  # 今の勾配を ∏_{i≤t} μ_i で補正
            m_hat = self.m[key] / (1 - self.mu_product * mu_next)  # m を 1 ステップ先の積 ∏_{i≤t+1} μ_i で補正
            v_hat = self.v[key] / (1 - self.beta2**self.iter)  # v のバイアス補正（Adam と同じ）
            m_bar = (1 - mu) * g_hat + mu_next * m_hat  # Nesterov: 今の勾配と「次の」モーメンタムを混ぜる
            params[key] -= self.lr * m_bar / (np.sqrt(v_hat) + self.eps)  # 補正後の √v̂ の外に eps


# -- symbols ----------------------------------------------------------------------------------
PSI = Sym("psi", r"\psi", "モーメンタム係数のスケジュールの速さ（momentum_decay）",
          "speed of the momentum schedule (momentum_decay)", "hyper", code="momentum_decay")
MU = Sym("mu", r"\mu_t", "ステップ t のモーメンタム係数 β₁(1 − ½·0.96^(tψ))", "momentum coefficient of step t", "temp")
MU_NEXT = Sym("mu_next", r"\mu_{t+1}", "次のステップのモーメンタム係数", "momentum coefficient of the next step",
              "temp")
# μ の積はステップ数だけで決まるスカラー（全パラメータ共通）なので、t と同じ kind="step" にする
MU_PRODUCT = Sym("mu_product", r"\Pi_t", "モーメンタム係数の積 μ₁ μ₂ … μₜ（1 から始める）",
                 "product of the momentum coefficients μ₁ … μₜ (starts at 1)", "step", code="mu_product")
G_HAT = Sym("g_hat", r"\hat{g}", "補正した勾配 g/(1 − Πₜ)", "corrected gradient", "temp")
M_HAT_N = Sym("m_hat", r"\hat{m}", "1 ステップ先の積で補正した m/(1 − Πₜ μₜ₊₁)",
              "first moment corrected with the next step's product", "temp")
M_BAR = Sym("m_bar", r"\bar{m}", "Nesterov 型のモーメンタム (1−μₜ)ĝ + μₜ₊₁ m̂", "Nesterov momentum", "temp")

_MU = "beta1*(1 - Rational(1, 2)*0.96**(t*psi))"
_MU_NEXT = "beta1*(1 - Rational(1, 2)*0.96**((t + 1)*psi))"


def rule(convention: str = "textbook", **options) -> Rule:
    """NAdam の更新式。textbook と paper はこのクラス（Dozat Alg. 2 の ĝ, m̂, m̄ の形）, pytorch は torch.optim.NAdam
    の全オプション（weight_decay, decoupled_weight_decay, momentum_decay, maximize）。"""
    if convention in ("textbook", "paper"):
        return build("nadam", convention,
                     [S.W, S.g, S.eta.named("lr"), S.beta1.named("beta1"), S.beta2.named("beta2"),
                      S.eps.named("eps"), PSI, T_ITER, MU_PRODUCT, M, V, MU, MU_NEXT, G_HAT, M_HAT_N, V_HAT, M_BAR],
                     [("t", "t + 1"),
                      ("mu", _MU),
                      ("mu_next", _MU_NEXT),
                      ("mu_product", "mu_product*mu"),
                      ("m", "beta1*m + (1 - beta1)*g"),
                      ("v", "beta2*v + (1 - beta2)*g**2"),
                      ("g_hat", "g/(1 - mu_product)"),
                      ("m_hat", "m/(1 - mu_product*mu_next)"),
                      ("v_hat", "v/(1 - beta2**t)"),
                      ("m_bar", "(1 - mu)*g_hat + mu_next*m_hat"),
                      ("W", "W - eta*m_bar/(sqrt(v_hat) + eps)")],
                     init={"mu_product": 1.0},
                     note="本に NAdam は無いので論文（Dozat 2016 Alg. 2）の形: "
                     "今の勾配と次のステップのモーメンタムを混ぜる")
    if convention == "pytorch":
        return torch_rule(**options)
    raise ValueError(f"nadam: unknown convention {convention!r} (textbook, paper, pytorch)")


def torch_rule(weight_decay=0.0, decoupled_weight_decay=False, maximize=False, **unused) -> Rule:
    """torch.optim.NAdam (2.13) の ``_single_tensor_nadam`` と同じ手順（mu_product は state の値）。"""
    syms = [S.W, S.g, S.gamma.named("lr"), S.beta1.named("beta1"), S.beta2.named("beta2"), S.eps.named("eps"),
            PSI, T_STEP, MU_PRODUCT, M.named("exp_avg"), V.named("exp_avg_sq"), MU, MU_NEXT, V_HAT]
    steps: list[tuple[str, str]] = [("t", "t + 1")]
    if maximize:
        steps.append(("g", "-g"))  # maximize: 損失の勾配だけ符号を反転
    if weight_decay != 0:
        syms.append(S.lam.named("weight_decay"))
        if decoupled_weight_decay:
            steps.append(("W", "W*(1 - gamma*lam)"))  # decoupled: 先に θ を縮める
        else:
            steps.append(("g", "g + lam*W"))  # L2: 勾配に λθ を足す
    steps += [("mu", _MU),
              ("mu_next", _MU_NEXT),
              ("mu_product", "mu_product*mu"),
              ("m", "beta1*m + (1 - beta1)*g"),
              ("v", "beta2*v + (1 - beta2)*g**2"),
              ("v_hat", "v/(1 - beta2**t)"),
              ("W", "W - gamma*(1 - mu)/(1 - mu_product)*g/(sqrt(v_hat) + eps)"
                    " - gamma*mu_next/(1 - mu_product*mu_next)*m/(sqrt(v_hat) + eps)")]
    return build("nadam", "pytorch", syms, steps, init={"mu_product": 1.0},
                 note="torch.optim.NAdam: 勾配の項と m の項を別々に √v̂ + ε で割って引く（値は Dozat の m̄ の形と同じ）")


INFO = Info(
    key="nadam",
    cls=NAdam,
    name_ja="NAdam",
    name_en="NAdam (Nesterov-accelerated Adam)",
    paper="T. Dozat, Incorporating Nesterov Momentum into Adam, ICLR 2016 Workshop track",
    year=2016,
    summary_ja="Adam のモーメンタムを Nesterov 型にし、今の勾配と 1 ステップ先のモーメンタムを混ぜた方向に進む。"
    "モーメンタム係数 μₜ はステップとともに β1 へ近づく。",
    state=("m", "v"),  # mu_product は iter と同じくステップで決まるスカラー（kind="step"）
    hyper={"lr": ("学習率 η", "learning rate η"),
           "beta1": ("1 次モーメント m の減衰率 β1（μₜ の上限）", "decay rate β1 of m (the limit of μₜ)"),
           "beta2": ("2 次モーメント v の減衰率 β2", "decay rate β2 of the second moment v"),
           "eps": ("ゼロ除算を防ぐ微小量 ε（補正後の √v̂ の外）", "small constant ε (outside √v̂, corrected)"),
           "momentum_decay": ("μₜ のスケジュールの速さ ψ（μₜ = β₁(1 − ½·0.96^(tψ))）",
                              "speed ψ of the momentum schedule μₜ = β₁(1 − ½·0.96^(tψ))")},
    conventions=("textbook", "paper", "pytorch"),
    forms={
        "textbook": ("Dozat 2016 の論文 Alg. 2", "Dozat 2016, Alg. 2"),
        "paper": ("Dozat 2016 の論文 Alg. 2", "Dozat 2016, Alg. 2"),
        "pytorch": ("torch.optim.NAdam", "torch.optim.NAdam"),
    },
    torch="nadam",
    torch_tabs=({}, {"weight_decay": 0.01, "decoupled_weight_decay": True}),
    torch_kwargs=lambda opt: {"lr": opt.lr, "betas": (opt.beta1, opt.beta2), "eps": opt.eps,
                              "momentum_decay": opt.momentum_decay},
    syllabus=False,
    notes={
        "textbook": "本に NAdam は無いので、クラスは論文（Dozat 2016 Alg. 2）の ĝ, m̂, m̄ の形で、torch.optim.NAdam と"
        "同じ更新。μ の積 mu_product は t と同じく全パラメータで一つのスカラーに持つ。",
        "paper": "Dozat Alg. 2: ĝ = g/(1−∏_{i≤t}μ_i), m̂ = m/(1−∏_{i≤t+1}μ_i), m̄ = (1−μₜ)ĝ + μₜ₊₁m̂。"
        "m の更新自体は定数 β1 を使う。μₜ = β₁(1 − ½·0.96^(tψ)), ψ = 0.004。",
        "pytorch": "torch.optim.NAdam: 同じ式を勾配の項と m の項に分けて計算。state の mu_product は torch の既定の"
        "dtype を取る（float64 の引数でも float32 になりうるので、float64 で比べるときは torch.set_default_dtype）。"
        "weight_decay（L2 か decoupled_weight_decay）と maximize も持つ。",
    },
)
