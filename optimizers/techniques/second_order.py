"""二次の最適化手法: 勾配だけでなく曲率（ヘッセ行列、またはその近似）を使って進む向きと大きさを決める。

Small reference implementations in the order Goodfellow, Bengio, Courville, Deep Learning (2016) §8.6 presents
them: Newton's method (one step on a quadratic lands on its minimum), the condition number that limits gradient
descent, linear conjugate gradients (a quadratic in n dimensions in n steps; Hestenes & Stiefel 1952) and BFGS
(Broyden, Fletcher, Goldfarb, Shanno 1970; the form of Nocedal & Wright, Numerical Optimization, Alg. 6.1, with a
backtracking line search). The tests check them against numpy's linear algebra and scipy.optimize; scipy is
not the reference.
"""

from __future__ import annotations

import numpy as np

from .. import _symbols as S
from .._rule import Rule, Sym
from ._formula import build
from ._info import Technique


class Newton:
    """ニュートン法: W ← W − H⁻¹ ∂L/∂W（H はヘッセ行列）。"""

    def __init__(self, lr=1.0):
        self.lr = lr  # 1 なら純粋なニュートン法（1 より小さくすると減衰ニュートン法）

    def update(self, params, grads, hessians):
        for key in params.keys():
            step = np.linalg.solve(hessians[key], grads[key])  # H d = g を解いて d = H⁻¹g（逆行列は作らない）
            params[key] -= self.lr * step  # 二次近似の最小点の方向へ進む


def newton_step(W, grad, hess):
    """ニュートン法の 1 ステップ（1 変数なら w − L'(w)/L''(w)）。"""
    W = np.atleast_1d(np.asarray(W, dtype=np.float64))
    H = np.atleast_2d(np.asarray(hess, dtype=np.float64))
    return W - np.linalg.solve(H, np.atleast_1d(np.asarray(grad, dtype=np.float64)))


def eigenvalues(H):
    """対称行列 H の固有値（小さい順）。"""
    return np.linalg.eigvalsh(np.atleast_2d(np.asarray(H, dtype=np.float64)))


def condition_number(H):
    """条件数 κ = |λ|_max / |λ|_min（正定値なら最大固有値 / 最小固有値）。"""
    lam = np.abs(eigenvalues(H))
    return lam.max() / lam.min()


def classify(H, tol=1e-12):
    """勾配が 0 の点の種類をヘッセ行列の固有値の符号で判定する。"""
    lam = eigenvalues(H)
    if np.any(np.abs(lam) <= tol):
        return "degenerate"  # 0 の固有値がある: 2 階微分だけでは決まらない
    if np.all(lam > 0):
        return "minimum"  # どの方向にも上に曲がる
    if np.all(lam < 0):
        return "maximum"  # どの方向にも下に曲がる
    return "saddle"  # 正と負が混在する


def gd_rate(H, lr):
    """二次関数での勾配降下法の収束率: 誤差が 1 回で max |1 − ηλ| 倍になる（1 以上なら収束しない）。"""
    lam = eigenvalues(H)
    return float(np.max(np.abs(1 - lr * lam)))


def conjugate_gradient(A, b, x0, steps=None, tol=1e-12):
    """共役勾配法（線形）: f(x) = ½xᵀAx − bᵀx を最小化する。n 次元なら n ステップ以内に最小点に着く。

    Returns the points visited (x0 first)."""
    A = np.asarray(A, dtype=np.float64)
    x = np.asarray(x0, dtype=np.float64).copy()
    r = b - A @ x  # 残差 = 勾配の逆向き
    d = r.copy()  # 最初の探索方向は最急降下の向き
    path = [x.copy()]
    for _ in range(len(b) if steps is None else steps):
        if np.linalg.norm(r) <= tol:
            break
        alpha = (r @ r) / (d @ A @ d)  # d の方向の厳密な直線探索
        x = x + alpha * d
        r_new = r - alpha * (A @ d)  # 新しい残差
        beta = (r_new @ r_new) / (r @ r)  # Fletcher–Reeves の係数
        d = r_new + beta * d  # 前の方向と共役（dᵀAd' = 0）になるように混ぜる
        r = r_new
        path.append(x.copy())
    return path


def steepest_descent(A, b, x0, steps):
    """比較用: 最急降下法に厳密な直線探索を組み合わせたもの（細長い谷ではジグザグに進む）。"""
    A = np.asarray(A, dtype=np.float64)
    x = np.asarray(x0, dtype=np.float64).copy()
    path = [x.copy()]
    for _ in range(steps):
        r = b - A @ x  # 勾配の逆向き
        if np.linalg.norm(r) == 0:
            break
        x = x + (r @ r) / (r @ A @ r) * r  # その向きで f が最小になるところまで進む
        path.append(x.copy())
    return path


def backtracking(f, x, d, g, step=1.0, shrink=0.5, c=1e-4):
    """直線探索: f が十分に（Armijo 条件）下がるまで歩幅を半分にする。"""
    fx = f(x)
    while f(x + step * d) > fx + c * step * (g @ d):
        step *= shrink
    return step


def bfgs(f, grad, x0, steps=200, tol=1e-8):
    """BFGS 法: 逆ヘッセ行列の近似を、勾配の変化からランク 2 の修正で作っていく準ニュートン法。

    Returns the points visited (x0 first)."""
    x = np.asarray(x0, dtype=np.float64).copy()
    n = len(x)
    H_inv = np.eye(n)  # 逆ヘッセ行列の近似（最初は単位行列: 最初の一歩は最急降下と同じ向き）
    g = grad(x)
    path = [x.copy()]
    for _ in range(steps):
        if np.linalg.norm(g) <= tol:
            break
        d = -H_inv @ g  # 準ニュートン方向
        s = backtracking(f, x, d, g) * d  # 直線探索で決めた一歩
        g_new = grad(x + s)
        y = g_new - g  # 勾配の変化
        if s @ y > 1e-12:  # 曲率条件を満たすときだけ近似を更新する（正定値を保つ）
            rho = 1.0 / (s @ y)
            V = np.eye(n) - rho * np.outer(s, y)
            H_inv = V @ H_inv @ V.T + rho * np.outer(s, s)  # BFGS の更新式
        x, g = x + s, g_new
        path.append(x.copy())
    return path


# -- the formula (one variable: w ← w − L'(w)/L''(w)) ------------------------------------------------------
HESS = Sym("h", "h", "2 階微分 ∂²L/∂W²（ヘッセ行列）", "second derivative ∂²L/∂W² (Hessian)", "grad")

_RULES: dict[str, Rule] = {}


def rule() -> Rule:
    """Newton's step for one parameter: W ← W − g/h (with a matrix: W ← W − H⁻¹g)."""
    if "newton" not in _RULES:
        _RULES["newton"] = build("newton", "paper", [S.W, S.g, HESS], [("W", "W - g/h")],
                                 note=INFO.source)
    return _RULES["newton"]


INFO = Technique(
    "newton", "ニュートン法", "Newton's method",
    "Goodfellow, Bengio, Courville『Deep Learning』2016, 8.6.1 節 式 (8.27); 共役勾配法は 8.6.2 節 "
    "(Hestenes & Stiefel 1952)、BFGS は 8.6.3 節 (Broyden, Fletcher, Goldfarb, Shanno 1970)", 2016,
    "旧シラバス（Goodfellow ら 8 章）の内容。2024 年版シラバスの最適化のキーワードではない発展事項",
    "損失を二次関数で近似し、その最小点へ一気に移る。二次関数なら 1 ステップで最小点に着くが、ヘッセ行列の計算と"
    "逆行列（連立方程式）の計算が重く、鞍点にも引き寄せられる。",
    "torch.optim.LBFGS（準ニュートン法）")
