"""RAdam（Rectified Adam）: 学習の初めは v の推定がばらつくので、ばらつきが大きいうちは適応的な学習率を使わず、
使えるようになったら分散の補正項 r_t を掛けて使う（warmup を自動で行う）。

Liu, Jiang, He, Chen, Liu, Gao & Han (ICLR 2020), On the Variance of the Adaptive Learning Rate and Beyond:

    ρ_∞ = 2/(1−β2) − 1,   ρ_t = ρ_∞ − 2tβ2^t/(1−β2^t)      （v を単純移動平均とみたときの長さの近似）
    ρ_t > 5 のとき:  r_t = √((ρ_t−4)(ρ_t−2)ρ_∞ / ((ρ_∞−4)(ρ_∞−2)ρ_t)),  l_t = √(1−β₂ᵗ)/(√v + ε)
                     θ ← θ − γ m̂ r_t l_t
    それ以外:        θ ← θ − γ m̂                               （適応なしの、補正したモーメンタム SGD）

クラス（textbook）は torch.optim.RAdam（著者の公式実装と同じ）の形: しきい値は ρ_t > 5、**ε は補正前の √v の外**
（Adam は補正後の √v̂ の外なので、ε の位置が Adam と違う）。『ゼロから作るDeep Learning』に RAdam は無い。
論文 Alg. 2 はしきい値が ρ_t > 4 で、l_t = √((1−β2^t)/v_t) に ε が無い: ``rule("paper")``。β2 = 0.999 では
4 < ρ_5 < 5 なので、5 ステップ目だけ両者が違う（論文は補正付きの適応ステップ、torch はまだモーメンタム SGD）。

数式の中の場合分け（Piecewise）は、選ばれた側だけを計算する :class:`Cases` にしてある。numpy の select は
両方を計算するので、ρ_t ≤ 5 のときに負の数の平方根（ρ_t が 2 と 4 の間）や 0 での割り算（β2 = 0.6 で ρ_∞ = 4）
が起きてしまう。
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import sympy as sp

from . import _symbols as S
from ._base import check_hyperparameters, check_inputs
from ._meta import Info
from ._rule import Rule, Sym, build
from .adam import M_HAT, T_ITER, T_STEP, M, V


class RAdam:
    """RAdam（torch の形）: ρ_t > 5 なら W ← W − lr·m̂·r_t·l_t、そうでなければ W ← W − lr·m̂"""

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr = lr  # 学習率 η
        self.beta1 = beta1  # 1 次モーメント m の減衰率 β1
        self.beta2 = beta2  # 2 次モーメント v の減衰率 β2（ρ_∞ もこれで決まる）
        self.eps = eps  # ゼロ除算を防ぐ微小量（補正前の √v の外。Adam と位置が違う）
        self.iter = 0  # 更新の回数 t（全パラメータで一つ）
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
        rho_inf = 2 / (1 - self.beta2) - 1  # 単純移動平均とみたときの長さの上限 ρ_∞
        rho_t = rho_inf - 2 * self.iter * self.beta2**self.iter / (1 - self.beta2**self.iter)  # 今の長さ ρ_t
        for key in params.keys():
            self.m[key] = self.beta1 * self.m[key] + (1 - self.beta1) * grads[key]  # m ← β1·m + (1−β1)·g
            self.v[key] = self.beta2 * self.v[key] + (1 - self.beta2) * grads[key] ** 2  # v ← β2·v + (1−β2)·g²
            m_hat = self.m[key] / (1 - self.beta1**self.iter)  # m のバイアス補正
            if rho_t > 5:  # v のばらつきが扱える大きさになったら適応的な学習率を使う
                r_num = (rho_t - 4) * (rho_t - 2) * rho_inf  # 分散の補正項の分子
                r_den = (rho_inf - 4) * (rho_inf - 2) * rho_t  # 分散の補正項の分母
                r_t = np.sqrt(r_num / r_den)  # 分散の補正項 r_t（t が大きくなると 1 に近づく）
                l_t = np.sqrt(1 - self.beta2**self.iter) / (np.sqrt(self.v[key]) + self.eps)  # 適応的な学習率 l_t
                params[key] -= self.lr * m_hat * r_t * l_t  # 補正した Adam のステップ
            else:
                params[key] -= self.lr * m_hat  # 初めのうちは適応なしのモーメンタム SGD のステップ


class Cases(sp.Piecewise):
    """A Piecewise whose numpy code runs only the chosen branch (its conditions must be scalars).

    ``numpy.select`` (what lambdify makes of a Piecewise) evaluates every branch, so RAdam's
    rectifier would take the square root of a negative number, or divide by zero, on the steps
    where it is not used. The printed formula is the ordinary Piecewise.
    """

    def _numpycode(self, printer):
        *pieces, (last, _) = self.args
        code = printer._print(last)
        for expr, cond in reversed(pieces):
            code = f"(({printer._print(expr)}) if ({printer._print(cond)}) else ({code}))"
        return code

    def _latex(self, printer):
        return printer._print_Piecewise(self)


def _lazy(rule: Rule) -> Rule:
    """The same rule with every Piecewise turned into :class:`Cases`."""
    def fix(expr):
        return expr.replace(lambda e: isinstance(e, sp.Piecewise) and not isinstance(e, Cases),
                            lambda e: Cases(*e.args))
    return replace(rule, assignments=[(t, fix(e)) for t, e in rule.assignments],
                   derived=[(t, fix(e)) for t, e in rule.derived])


# -- symbols ----------------------------------------------------------------------------------
RHO_INF = Sym("rho_inf", r"\rho_\infty", "単純移動平均とみたときの長さの上限 2/(1−β₂) − 1",
              "maximum length of the approximated simple moving average", "temp")
RHO_T = Sym("rho_t", r"\rho_t", "ステップ t での単純移動平均の長さの近似", "approximated SMA length at step t", "temp")
R_T = Sym("r", r"r_t", "分散の補正項（ρₜ がしきい値以下のときは 1 とおく）",
          "variance rectification term (1 while ρₜ is at or below the threshold)", "temp")
L_T = Sym("l", r"l_t", "適応的な学習率 √(1−β₂ᵗ)/(√v + ε)（しきい値以下のときは 1 とおく）",
          "adaptive learning rate (1 while ρₜ is at or below the threshold)", "temp")

_RHO = [("rho_inf", "2/(1 - beta2) - 1"),
        ("rho_t", "rho_inf - 2*t*beta2**t/(1 - beta2**t)")]
_R = "(rho_t - 4)*(rho_t - 2)*rho_inf/((rho_inf - 4)*(rho_inf - 2)*rho_t)"


def _rectified(lr: str, *, threshold: int, l_text: str) -> list[tuple[str, str]]:
    return [("r", f"Piecewise((sqrt({_R}), rho_t > {threshold}), (1, True))"),
            ("l", f"Piecewise(({l_text}, rho_t > {threshold}), (1, True))"),
            ("W", f"W - {lr}*m_hat*r*l")]


def rule(convention: str = "textbook", **options) -> Rule:
    """RAdam の更新式。textbook = このクラス（torch の形: ρ_t > 5、ε は補正前の √v の外）,
    paper = Liu ら Alg. 2（ρ_t > 4、ε なし）, pytorch = torch.optim.RAdam の全オプション
    （weight_decay, decoupled_weight_decay, maximize）。"""
    moments = [("m", "beta1*m + (1 - beta1)*g"), ("v", "beta2*v + (1 - beta2)*g**2"),
               ("m_hat", "m/(1 - beta1**t)")]
    if convention == "textbook":
        return _lazy(build(
            "radam", "textbook",
            [S.W, S.g, S.eta.named("lr"), S.beta1.named("beta1"), S.beta2.named("beta2"), S.eps.named("eps"),
             T_ITER, M, V, M_HAT, RHO_INF, RHO_T, R_T, L_T],
            [("t", "t + 1"), *_RHO, *moments,
             *_rectified("eta", threshold=5, l_text="sqrt(1 - beta2**t)/(sqrt(v) + eps)")],
            note="本に RAdam は無いので torch（著者の実装）の形: ρₜ > 5 のときだけ rₜ lₜ を掛ける。"
            "ε は補正前の √v の外"))
    if convention == "paper":
        return _lazy(build(
            "radam", "paper",
            [S.W, S.g, S.eta.named("lr"), S.beta1.named("beta1"), S.beta2.named("beta2"),
             T_ITER, M, V, M_HAT, RHO_INF, RHO_T, R_T, L_T],
            [("t", "t + 1"), *_RHO, *moments,
             *_rectified("eta", threshold=4, l_text="sqrt((1 - beta2**t)/v)")],
            note="Liu ら (ICLR 2020) Alg. 2: しきい値は ρₜ > 4、lₜ = √((1−β₂ᵗ)/v) に ε は無い"))
    if convention == "pytorch":
        return torch_rule(**options)
    raise ValueError(f"radam: unknown convention {convention!r} (textbook, paper, pytorch)")


def torch_rule(weight_decay=0.0, decoupled_weight_decay=False, maximize=False, **unused) -> Rule:
    """torch.optim.RAdam (2.13) の ``_single_tensor_radam`` と同じ手順。"""
    syms = [S.W, S.g, S.gamma.named("lr"), S.beta1.named("beta1"), S.beta2.named("beta2"), S.eps.named("eps"),
            T_STEP, M.named("exp_avg"), V.named("exp_avg_sq"), M_HAT, RHO_INF, RHO_T, R_T, L_T]
    steps: list[tuple[str, str]] = [("t", "t + 1")]
    if maximize:
        steps.append(("g", "-g"))  # maximize: 損失の勾配だけ符号を反転
    if weight_decay != 0:
        syms.append(S.lam.named("weight_decay"))
        if decoupled_weight_decay:
            steps.append(("W", "W*(1 - gamma*lam)"))  # decoupled: 先に θ を縮める
        else:
            steps.append(("g", "g + lam*W"))  # L2: 勾配に λθ を足す
    steps += [("m", "beta1*m + (1 - beta1)*g"), ("v", "beta2*v + (1 - beta2)*g**2"),
              ("m_hat", "m/(1 - beta1**t)"), *_RHO,
              *_rectified("gamma", threshold=5, l_text="sqrt(1 - beta2**t)/(sqrt(v) + eps)")]
    return _lazy(build("radam", "pytorch", syms, steps,
                       note="torch.optim.RAdam: ρₜ > 5 なら補正付きの適応ステップ、そうでなければ θ ← θ − γ m̂"))


INFO = Info(
    key="radam",
    cls=RAdam,
    name_ja="RAdam",
    name_en="RAdam (Rectified Adam)",
    paper="L. Liu, H. Jiang, P. He, W. Chen, X. Liu, J. Gao and J. Han, On the Variance of the Adaptive Learning "
    "Rate and Beyond, ICLR 2020 (arXiv:1908.03265)",
    year=2020,
    summary_ja="学習の初めは v の推定のばらつきが大きいので適応的な学習率を使わず（モーメンタム SGD）、"
    "使えるようになったら分散の補正項を掛けて Adam のステップにする。warmup を自動で行う手法。",
    state=("m", "v"),
    hyper={"lr": ("学習率 η", "learning rate η"),
           "beta1": ("1 次モーメント m の減衰率 β1", "decay rate β1 of the first moment m"),
           "beta2": ("2 次モーメント v の減衰率 β2（ρ_∞ を決める）", "decay rate β2 of v (sets ρ_∞)"),
           "eps": ("ゼロ除算を防ぐ微小量 ε（補正前の √v の外）", "small constant ε (outside √v, v uncorrected)")},
    conventions=("textbook", "paper", "pytorch"),
    forms={
        "textbook": ("Liu ら 2020 の公式実装", "Liu et al. 2020, official code"),
        "paper": ("Liu ら 2020 の論文 Alg. 2", "Liu et al. 2020, Alg. 2"),
        "pytorch": ("torch.optim.RAdam", "torch.optim.RAdam"),
    },
    torch="radam",
    torch_tabs=({}, {"weight_decay": 0.01, "decoupled_weight_decay": True}),
    torch_kwargs=lambda opt: {"lr": opt.lr, "betas": (opt.beta1, opt.beta2), "eps": opt.eps},
    syllabus=False,
    notes={
        "textbook": "本に RAdam は無いので、クラスは torch.optim.RAdam（著者の公式実装と同じ）の形: "
        "ρₜ > 5 で切り替え、ε は補正前の √v の外（Adam の √v̂ の外とは違う）。",
        "paper": "Liu ら Alg. 2: ρₜ > 4 で切り替え、lₜ = √((1−β₂ᵗ)/vₜ) で ε は無い。"
        "β2 = 0.999 では 4 < ρ_5 < 5 なので、5 ステップ目だけ torch と違う。",
        "pytorch": "torch.optim.RAdam: ρₜ > 5 なら θ ← θ − γ m̂ rₜ lₜ、そうでなければ θ ← θ − γ m̂。"
        "weight_decay（L2 か decoupled_weight_decay）と maximize も持つ。",
    },
)
