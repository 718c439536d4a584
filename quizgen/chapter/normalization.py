"""Batch normalization and Layer Normalization (バッチ正規化): numeric questions' draws and mistakes, the code to
blank, the formulas to choose from, and the proofs the page shows.

A numeric question gives a small mini-batch (rows: samples, columns: features) whose statistics come out as simple
fractions, γ and β, and asks μ, σ², x̂, y in training, the running averages after the batch (torch's definition:
momentum weighs the new statistic, running_var takes the unbiased variance), the output in inference from given
running averages, or Layer Normalization's output. The key is executed: the output by the reference classes, the
intermediates by the rule the tests prove equal to them. ε is set to 0 and the stem says to ignore it; a variant
is kept only if the class's default ε = 1e-5 leaves the displayed digits unchanged.
"""

from __future__ import annotations

from fractions import Fraction
from functools import cache
from itertools import combinations_with_replacement
from math import isqrt
from typing import Any

import numpy as np
import sympy as sp

from optimizers.techniques import normalization as NZ

from ..families import _common as C
from ..formulas import number
from ..question import SolutionStep
from . import questions as Q

TOPIC = "normalization"
EPS_DEFAULT = NZ.BatchNormalization.__init__.__defaults__[-1]  # the classes' (and torch's) default ε
GAMMAS = C.grid(["1.0", "2.0", "0.5", "3.0", "1.5"])
BETAS = C.grid(["0.0", "1.0", "-1.0", "0.5", "2.0"])
MOMENTA = C.grid(["0.1", "0.2", "0.1", "0.3"])
RUN_MEANS = C.grid(["0.0", "0.0", "1.0", "0.5", "2.0"])
RUN_VARS = C.grid(["1.0", "1.0", "4.0", "0.25", "2.0"])

QUANTITIES = {
    "batch": ("var", "xn", "y", "y", "running_mean", "running_var", "y_eval"),
    "layer": ("var", "xn", "y", "y"),
}
NAMES_JA = {"mu": "平均 $\\mu_B$", "var": "分散 $\\sigma_B^2$", "xn": "正規化した値 $\\hat{x}$", "y": "出力 $y$",
            "running_mean": "平均の移動平均 running_mean", "running_var": "分散の移動平均 running_var",
            "y_eval": "推論時の出力 $y$"}
NAMES_EN = {"mu": "the mean $\\mu_B$", "var": "the variance $\\sigma_B^2$", "xn": "the normalised value $\\hat{x}$",
            "y": "the output $y$", "running_mean": "running_mean", "running_var": "running_var",
            "y_eval": "the output $y$ in inference"}


# -- nice mini-batches --------------------------------------------------------------------------------------------
def _square(q: Fraction) -> bool:
    return q > 0 and isqrt(q.numerator) ** 2 == q.numerator and isqrt(q.denominator) ** 2 == q.denominator


@cache
def nice(m: int) -> tuple[tuple[int, ...], ...]:
    """Multisets of m whole numbers in −4 … 8 whose biased variance is the square of a fraction (σ by hand)."""
    out = []
    for c in combinations_with_replacement(range(-4, 9), m):
        mu = Fraction(sum(c), m)
        var = sum((Fraction(x) - mu) ** 2 for x in c) / m
        if _square(var) and var <= 16:
            out.append(c)
    return tuple(out)


def _column(rng: np.random.Generator, m: int) -> list[float]:
    values = list(C.pick(rng, nice(m)))
    return [float(values[int(i)]) for i in rng.permutation(m)]


# -- executing the reference code -----------------------------------------------------------------------------------
def _batch(given: dict[str, Any], eps: float) -> NZ.BatchNormalization:
    bn = NZ.BatchNormalization(np.array(given["gamma"]), np.array(given["beta"]), momentum=given.get("momentum", 0.1),
                               eps=eps)
    if "running0" in given:
        bn.running_mean = np.array(given["running0"]["mean"], dtype=np.float64)
        bn.running_var = np.array(given["running0"]["var"], dtype=np.float64)
    return bn


def value(given: dict[str, Any], eps: float | None = None) -> float:
    """The asked quantity, executed (the classes for outputs and running averages, the proven rules for μ, σ², x̂)."""
    eps = given["eps"] if eps is None else eps
    a = given["asked"]
    q, i, j = a["quantity"], a.get("sample", 0), a.get("feature", 0)
    x = np.array(given["x"], dtype=np.float64)
    if given["layer"] == "layer":
        if q == "y":
            return float(NZ.LayerNormalization(np.array(given["gamma"]), np.array(given["beta"]), eps).forward(x)[i, j])
        env = NZ.rule("layer").step({"x": x, "gamma": np.array(given["gamma"]), "beta": np.array(given["beta"]),
                                     "eps": eps})
        return float(np.broadcast_to(env[q], x.shape)[i, j])
    bn = _batch(given, eps)
    if q == "y_eval":
        return float(bn.forward(x, train_flg=False)[i, j])  # x: the batch in inference
    y = bn.forward(x.copy(), train_flg=True)
    if q == "y":
        return float(y[i, j])
    if q in ("running_mean", "running_var"):
        return float(getattr(bn, q)[j])
    env = NZ.rule("train").step({"x": x, "gamma": np.array(given["gamma"]), "beta": np.array(given["beta"]),
                                 "eps": eps})
    return float(np.broadcast_to(env[q], x.shape)[i, j])


# -- mistakes ---------------------------------------------------------------------------------------------------------
M = Q.mistake
UNBIASED = M("norm_unbiased_in_normalization", "正規化に不偏分散を使った", "unbiased variance in the normalisation",
             "訓練時の正規化では、分散はミニバッチのデータ数 m で割る（偏りのある分散）。m − 1 で割る不偏分散は、"
             "PyTorch が推論用の running_var を更新するときにだけ使う。",
             "The normalisation divides the squared deviations by m (biased variance); the unbiased m − 1 form is only "
             "what PyTorch puts into running_var.", "bn_variance_divisor")
VAR_NOT_STD = M("norm_divide_by_variance", "分散で割った（√ を忘れた）", "divided by the variance (no square root)",
                "正規化は標準偏差 √(σ² + ε) で割る。分散 σ² で割ると平均 0・分散 1 にならない。",
                "Normalise by the standard deviation √(σ² + ε); dividing by σ² does not give variance 1.")
NO_AFFINE = M("norm_no_affine", "γ 倍と β を忘れた", "γ and β forgotten",
              "出力は正規化した値 x̂ に γ を掛けて β を足した y = γx̂ + β。x̂ のままではない。",
              "The output is y = γx̂ + β, not x̂ itself.", "bn_gamma_beta_role")
BETA_INSIDE = M("norm_beta_inside", "β を正規化した値に先に足した", "β added before scaling",
                "y = γx̂ + β。γ(x̂ + β) ではない。", "y = γx̂ + β, not γ(x̂ + β).", "bn_gamma_beta_role")
SWAP_GB = M("norm_gamma_beta_swap", "γ と β の取り違え", "γ and β swapped",
            "γ はスケール（掛ける）、β はシフト（足す）: y = γx̂ + β。", "γ scales, β shifts: y = γx̂ + β.",
            "bn_gamma_beta_role")
NO_CENTER = M("norm_mean_not_subtracted", "平均を引き忘れた", "the mean not subtracted",
              "正規化は平均を引いてから標準偏差で割る: (x − μ)/√(σ² + ε)。",
              "Subtract the mean, then divide: (x − μ)/√(σ² + ε).")
TIMES_STD = M("norm_multiply_by_std", "標準偏差で割らずに掛けた", "multiplied by the standard deviation",
              "正規化は標準偏差で割って分散を 1 にする。掛けると分散は σ⁴ になる。",
              "Normalisation divides by the standard deviation; multiplying gives variance σ⁴.")
ABS_DEV = M("norm_absolute_deviation", "2 乗ではなく絶対値の平均をとった", "mean absolute deviation",
            "分散は平均からのずれの 2 乗の平均。絶対値の平均（平均絶対偏差）ではない。",
            "The variance averages squared deviations, not absolute ones.")
NOT_CENTERED = M("norm_variance_not_centered", "平均を引かずに 2 乗の平均をとった", "mean of squares without centring",
                 "分散は平均からのずれの 2 乗の平均 (1/m)Σ(x − μ)²。(1/m)Σx² ではない。",
                 "The variance is the mean squared deviation (1/m)Σ(x − μ)², not (1/m)Σx².")
AXIS = M("norm_axis_confusion", "バッチ正規化とレイヤー正規化の方向の取り違え", "batch and layer axes confused",
         "バッチ正規化は特徴ごとにミニバッチの方向（データの方向）で平均と分散をとり、レイヤー正規化は"
         "データごとに特徴の方向でとる。",
         "Batch normalization averages over the mini-batch for each feature; layer normalization over the features "
         "of each sample.", "bn_vs_ln_axis")
SUM_NOT_MEAN = M("norm_sum_not_mean", "合計を平均とした", "the sum taken for the mean",
                 "平均は合計をデータ数で割ったもの。", "The mean is the sum divided by the count.")
STD_FOR_VAR = M("norm_std_for_variance", "分散の代わりに標準偏差を答えた", "standard deviation given for the variance",
                "σ² は 2 乗の平均そのもの。√ をとると標準偏差 σ になる。",
                "σ² is the mean square itself; its root is σ.")
RUN_BIASED = M("norm_running_biased_variance", "running_var を偏りのある分散で更新した",
               "running_var updated with the biased variance",
               "PyTorch の BatchNorm1d は running_var を不偏分散 m/(m − 1)·σ²_B で更新する（Ioffe & Szegedy の推論用の "
               "Var[x] と同じ考え）。m で割った分散を入れるのはゼロつくのクラスの形。",
               "torch.nn.BatchNorm1d updates running_var with the unbiased m/(m − 1)·σ²_B (as Ioffe & Szegedy's "
               "inference Var[x]); the biased one is the textbook class's form.", "bn_running_var_unbiased")
RUN_SWAP = M("norm_running_momentum_swapped", "momentum の意味の取り違え", "momentum's meaning swapped",
             "PyTorch の momentum は新しいミニバッチの統計量に掛ける重み: running ← (1 − momentum)·running + "
             "momentum·統計量。古い値に掛ける重みとするのはゼロつくのクラス（momentum = 0.9）の定義。",
             "In PyTorch momentum weighs the new statistic: running ← (1 − momentum)·running + momentum·statistic; "
             "weighing the old value is the textbook class's definition (momentum = 0.9).", "bn_momentum_definition")
RUN_REPLACE = M("norm_running_replaced", "移動平均をせず今のミニバッチの値で置き換えた",
                "running average replaced by the batch's value",
                "running_mean と running_var は指数移動平均で少しずつ更新する。1 つのミニバッチの値で置き換えない。",
                "The running statistics are exponential moving averages, not overwritten by one batch.")
RUN_NO_DECAY = M("norm_running_no_decay", "古い値に (1 − momentum) を掛け忘れた", "old value not decayed",
                 "指数移動平均は (1 − momentum)·running + momentum·統計量。古い値をそのまま残して足すと"
                 "重みの合計が 1 を超える。",
                 "The moving average is (1 − momentum)·running + momentum·statistic; keeping the old value whole makes "
                 "the weights sum to more than 1.")
RUN_FROM_ZERO = M("norm_running_previous_ignored", "直前の値を使わなかった", "the previous value ignored",
                  "更新は直前の running の値から始める（最初の順伝播の前なら running_mean は 0、running_var は 1）。",
                  "The update starts from the previous running value (0 for running_mean and 1 for running_var "
                  "before the first pass).")
EVAL_BATCH = M("norm_inference_batch_stats", "推論でもミニバッチの統計量を使った", "batch statistics in inference",
               "推論時（model.eval()）は、訓練中にためた running_mean と running_var で正規化する。入力のミニバッチの"
               "平均・分散は使わない。",
               "In inference (model.eval()) normalise with running_mean and running_var, not the input batch's "
               "statistics.", "bn_inference_statistics")
EVAL_NO_SQRT = M("norm_inference_divide_by_variance", "推論で running_var で割った（√ を忘れた）",
                 "divided by running_var in inference", "推論でも √(running_var + ε) で割る。",
                 "Inference divides by √(running_var + ε) too.")


def _norm(x: np.ndarray, axis: int, ddof: int = 0, centered: bool = True, root: bool = True) -> np.ndarray:
    mu = x.mean(axis=axis, keepdims=True)
    dev = x - mu if centered else x
    var = (dev**2).sum(axis=axis, keepdims=True) / (x.shape[axis] - ddof)
    return (x - mu) / (np.sqrt(var) if root else var)


def mistakes(given: dict[str, Any]) -> list[tuple[Q.Mistake, float | None]]:
    a = given["asked"]
    q, i, j = a["quantity"], a.get("sample", 0), a.get("feature", 0)
    x = np.array(given["x"], dtype=np.float64)
    gamma, beta = np.array(given["gamma"]), np.array(given["beta"])
    axis, other = (0, 1) if given["layer"] == "batch" else (1, 0)
    m = x.shape[axis]
    out: list[tuple[Q.Mistake, float | None]] = []

    def at(arr: np.ndarray) -> float:
        return float(np.broadcast_to(arr, x.shape)[i, j])

    def y_of(xn: np.ndarray) -> float:
        return at(gamma * xn + beta)

    with np.errstate(all="ignore"):
        if q in ("xn", "y"):
            wrap = y_of if q == "y" else at
            if m > 1:
                out.append((UNBIASED, wrap(_norm(x, axis, ddof=1))))
            out.append((VAR_NOT_STD, wrap(_norm(x, axis, root=False))))
            out.append((NOT_CENTERED, wrap(_norm(x, axis, centered=False))))
            if x.shape[other] > 1:
                out.append((AXIS, wrap(_norm(x, other))))
            if q == "y":
                xn = _norm(x, axis)
                out += [(NO_AFFINE, at(xn)), (BETA_INSIDE, at(gamma * (xn + beta))), (SWAP_GB, at(beta * xn + gamma))]
        elif q == "var":
            out.append((UNBIASED, at(x.var(axis=axis, ddof=1, keepdims=True))))
            out.append((NOT_CENTERED, at((x**2).mean(axis=axis, keepdims=True))))
            out.append((STD_FOR_VAR, at(x.std(axis=axis, keepdims=True))))
            if x.shape[other] > 1:
                out.append((AXIS, at(x.var(axis=other, keepdims=True))))
        elif q in ("running_mean", "running_var"):
            mom = given["momentum"]
            r0 = given["running0"]["mean" if q == "running_mean" else "var"][j]
            stat = x.mean(axis=0)[j] if q == "running_mean" else x.var(axis=0)[j] * m / (m - 1)
            out.append((RUN_SWAP, mom * r0 + (1 - mom) * stat))
            out.append((RUN_REPLACE, stat))
            out.append((RUN_NO_DECAY, r0 + mom * stat))
            out.append((RUN_FROM_ZERO, mom * stat))
            if q == "running_var":
                biased = x.var(axis=0)[j]
                out.append((RUN_BIASED, (1 - mom) * r0 + mom * biased))
                out.append((RUN_SWAP, mom * r0 + (1 - mom) * biased))
        elif q == "y_eval":
            xe = x
            rm, rv = np.array(given["running0"]["mean"]), np.array(given["running0"]["var"])
            out.append((EVAL_BATCH, float((gamma * _norm(xe, 0) + beta)[i, j]) if len(xe) > 1 else None))
            out.append((EVAL_NO_SQRT, float((gamma * (xe - rm) / rv + beta)[i, j])))
            out.append((NO_AFFINE, float(((xe - rm) / np.sqrt(rv))[i, j])))
            out.append((SWAP_GB, float((beta * (xe - rm) / np.sqrt(rv) + gamma)[i, j])))
            out.append((BETA_INSIDE, float((gamma * ((xe - rm) / np.sqrt(rv) + beta))[i, j])))
    return out


# -- drawing ----------------------------------------------------------------------------------------------------------
def draw_given(rng: np.random.Generator, layer: str | None = None, quantity: str | None = None) -> dict[str, Any]:
    layer = layer or ("batch" if rng.random() < 0.75 else "layer")
    q = quantity or C.pick(rng, QUANTITIES[layer])
    if q not in QUANTITIES[layer]:
        raise ValueError(f"norm_numeric: cannot ask {q!r} of {layer} normalization; choose from "
                         f"{', '.join(sorted(set(QUANTITIES[layer])))}")
    if layer == "batch":
        m = int(C.pick(rng, (4, 4, 2)))
        d = 1 if rng.random() < 0.6 else 2
        cols = [_column(rng, m) for _ in range(d)]
        x = [[cols[k][r] for k in range(d)] for r in range(m)]
    else:
        d = int(C.pick(rng, (4, 4, 2)))
        m = 1 if rng.random() < 0.5 else 2
        x = [_column(rng, d) for _ in range(m)]
    gamma = [C.pick(rng, GAMMAS) for _ in range(d)]
    beta = [C.pick(rng, BETAS) for _ in range(d)]
    given: dict[str, Any] = {"layer": layer, "x": x, "gamma": gamma, "beta": beta, "eps": 0.0, "ignore": ["eps"],
                             "asked": {"quantity": q, "sample": int(rng.integers(m)), "feature": int(rng.integers(d))}}
    if q in ("running_mean", "running_var"):
        given["momentum"] = C.pick(rng, MOMENTA)
        given["running0"] = {"mean": [C.pick(rng, RUN_MEANS) for _ in range(d)],
                             "var": [C.pick(rng, RUN_VARS) for _ in range(d)]}
        given["asked"]["sample"] = 0
    if q == "y_eval":
        given["running0"] = {"mean": [C.pick(rng, RUN_MEANS + (3.0, -1.0)) for _ in range(d)],
                             "var": [C.pick(rng, C.grid(["1.0", "4.0", "0.25", "9.0", "2.25"])) for _ in range(d)]}
        given["x"] = [[float(rng.integers(-3, 7)) for _ in range(d)] for _ in range(2)]  # the batch in inference
        given["asked"]["sample"] = 0
    return given


def make(rng: np.random.Generator, layer: str | None = None, quantity: str | None = None) -> Q.Numeric | None:
    given = draw_given(rng, layer, quantity)
    key = value(given)
    var = Q.evaluate(given, key, mistakes(given))
    if var is None:
        return None
    if C.round_text(value(given, EPS_DEFAULT), var.decimals) != C.round_text(key, var.decimals):
        return None  # ε = 1e-5 would show in the displayed digits: the stem could not say "ignore ε"
    return var


# -- text -------------------------------------------------------------------------------------------------------------
def _matrix(rows: list[list[float]]) -> str:
    if len(rows[0]) == 1:
        return "(" + ",\\ ".join(C.fmt(r[0]) for r in rows) + ")"
    return "\\begin{pmatrix} " + " \\\\ ".join(" & ".join(C.fmt(v) for v in r) for r in rows) + " \\end{pmatrix}"


def _vec(values: list[float]) -> str:
    return C.vec(values)


@cache
def _rule_latex(part: str) -> str:
    return NZ.rule(part).latex()


def stem(var: Q.Numeric, lang: str) -> str:
    g = var.given
    a = g["asked"]
    q, i, j = a["quantity"], a["sample"] + 1, a["feature"] + 1
    x = g["x"]
    m, d = len(x), len(x[0])
    part = {"running_mean": "running", "running_var": "running", "y_eval": "inference"}.get(q, "train")
    rule_tex = _rule_latex("layer" if g["layer"] == "layer" else part)
    parts = []
    if g["layer"] == "layer":
        intro = ("レイヤー正規化（Ba ら 2016、torch.nn.LayerNorm）は、データ 1 つごとに、その $D$ 個の特徴の値 "
                 "$x_j$ から次のように出力を計算する。")
    elif part == "train":
        intro = "バッチ正規化（Ioffe & Szegedy 2015、torch.nn.BatchNorm1d の訓練モード）は、特徴ごとに、ミニバッチの "
        intro += "$m$ 個のデータの値 $x_i$ から次のように出力を計算する。"
    elif part == "running":
        intro = ("バッチ正規化の層（torch.nn.BatchNorm1d）は、訓練時の順伝播のたびに、そのミニバッチの平均 "
                 "$\\mu_B$ と分散 $\\sigma_B^2$（$m$ で割ったもの）から、推論用の平均 $\\hat{\\mu}$（running_mean）"
                 "と分散 $\\hat{\\sigma}^2$（running_var）を次のように更新する。")
    else:
        intro = ("バッチ正規化の層（torch.nn.BatchNorm1d）は、model.eval() のあとの推論時には、訓練中にためた "
                 "running_mean $\\hat{\\mu}$ と running_var $\\hat{\\sigma}^2$ を使って次のように出力を計算する。")
    if lang != "ja":
        intro = {"layer": "Layer normalization (Ba et al. 2016, torch.nn.LayerNorm) computes, for each sample, "
                          "from its $D$ feature values $x_j$:",
                 "train": "Batch normalization (Ioffe & Szegedy 2015, torch.nn.BatchNorm1d in training) computes, for "
                          "each feature, from the $m$ values $x_i$ of the mini-batch:",
                 "running": "A batch normalization layer (torch.nn.BatchNorm1d) updates its running averages "
                            "after each training forward pass:",
                 "inference": "In inference (after model.eval()) a batch normalization layer (torch.nn.BatchNorm1d) "
                              "computes:"}["layer" if g["layer"] == "layer" else part]
    parts += [intro, "$$\n" + rule_tex + "\n$$"]
    if lang == "ja":
        shape = (f"行がデータで {m} 個、列が特徴で {d} 個" if d > 1 else f"データ {m} 個、特徴は 1 つ")
        what = "推論時の入力" if q == "y_eval" else ("入力" if g["layer"] == "layer" else "ミニバッチ")
        data = f"{what}を $x = {_matrix(x)}$（{shape}）とし、"
        data += f"$\\gamma = {_vec(g['gamma'])}$, $\\beta = {_vec(g['beta'])}$"
        data += ("（特徴ごと）" if d > 1 else " ") + "とする。"
        if q in ("running_mean", "running_var"):
            data += (f"$\\mathrm{{momentum}} = {C.fmt(g['momentum'])}$ で、この順伝播の直前の値は "
                     f"$\\hat{{\\mu}} = {_vec(g['running0']['mean'])}$, $\\hat{{\\sigma}}^2 ="
                     f" {_vec(g['running0']['var'])}$"
                     " とする。")
        if q == "y_eval":
            data += (f"訓練後の値は $\\hat{{\\mu}} = {_vec(g['running0']['mean'])}$, "
                     f"$\\hat{{\\sigma}}^2 = {_vec(g['running0']['var'])}$ とする。")
        data += "ゼロ除算を防ぐ微小な値 ε は無視してよい（ε = 0 として計算する）。"
        parts.append(data)
        where = ""
        if q in ("xn", "y", "y_eval"):
            where = f"{i} 番目のデータの" + (f"第 {j} 特徴の" if d > 1 else "")
        elif d > 1 and q in ("mu", "var", "running_mean", "running_var"):
            where = f"第 {j} 特徴の" if g["layer"] == "batch" else f"{i} 番目のデータの"
        elif g["layer"] == "layer" and m > 1:
            where = f"{i} 番目のデータの"
        after = "この順伝播のあとの" if q in ("running_mean", "running_var") else ""
        name = "分散 $\\sigma^2$" if q == "var" and g["layer"] == "layer" else NAMES_JA[q]
        parts.append(f"{after}{where}{name} の値として最も近いものを選べ。")
    else:
        data = f"Let $x = {_matrix(x)}$ (rows: samples, columns: features), $\\gamma = {_vec(g['gamma'])}$, "
        data += f"$\\beta = {_vec(g['beta'])}$."
        if q in ("running_mean", "running_var"):
            data += (f" momentum $= {C.fmt(g['momentum'])}$; before this pass $\\hat{{\\mu}} = "
                     f"{_vec(g['running0']['mean'])}$, $\\hat{{\\sigma}}^2 = {_vec(g['running0']['var'])}$.")
        if q == "y_eval":
            data += (f" After training $\\hat{{\\mu}} = {_vec(g['running0']['mean'])}$, $\\hat{{\\sigma}}^2 = "
                     f"{_vec(g['running0']['var'])}$.")
        data += " Ignore ε (compute with ε = 0)."
        parts.append(data)
        parts.append(f"Choose the value closest to {NAMES_EN[q]} (sample {i}, feature {j}).")
    return "\n\n".join(parts)


def solution(var: Q.Numeric, lang: str) -> list[SolutionStep]:
    g = var.given
    a = g["asked"]
    q, i, j = a["quantity"], a["sample"], a["feature"]
    x = np.array(g["x"], dtype=np.float64)
    out = []
    if g["layer"] == "layer" or q in ("mu", "var", "xn", "y"):
        axis = 1 if g["layer"] == "layer" else 0
        vals = x[i, :] if axis == 1 else x[:, j]
        mu = vals.mean()
        var_ = vals.var()
        n = len(vals)
        sym_mu, sym_var = ("\\mu", "\\sigma^2") if axis == 1 else ("\\mu_B", "\\sigma_B^2")
        lines = [f"{sym_mu} = \\frac{{{' + '.join(_p(v) for v in vals)}}}{{{n}}} = {number(mu)}",
                 f"{sym_var} = \\frac{{{' + '.join(f'({_p(v)} - {_p(mu)})^2' for v in vals)}}}{{{n}}} = {number(var_)}"]
        if q in ("xn", "y"):
            xv = vals[i] if axis == 0 else vals[j]
            xn = (xv - mu) / np.sqrt(var_)
            lines.append(f"\\hat{{x}} = \\frac{{{_p(xv)} - {_p(mu)}}}{{\\sqrt{{{number(var_)}}}}} = {number(xn)}")
            if q == "y":
                lines.append(f"y = \\gamma \\hat{{x}} + \\beta = {_p(g['gamma'][j])} \\times {_p(xn)} +"
                             f" {_p(g['beta'][j])}"
                             f" = {number(var.key)}")
        if lang == "ja":
            label = "ミニバッチの方向（データの方向）に計算する" if axis == 0 else "データごとに特徴の方向で計算する"
        else:
            label = "over the mini-batch" if axis == 0 else "over the sample's features"
        out.append(SolutionStep(label, "\\begin{gathered}\n" + " \\\\\n".join(lines) + "\n\\end{gathered}"))
    elif q in ("running_mean", "running_var"):
        col = x[:, j]
        m = len(col)
        mom = g["momentum"]
        r0 = g["running0"]["mean" if q == "running_mean" else "var"][j]
        if q == "running_mean":
            stat = col.mean()
            lines = [f"\\mu_B = {number(stat)}",
                     f"\\hat{{\\mu}} \\leftarrow (1 - {_p(mom)}) \\times {_p(r0)} + {_p(mom)} \\times {_p(stat)} = "
                     f"{number(var.key)}"]
        else:
            biased = col.var()
            lines = [f"\\sigma_B^2 = {number(biased)}",
                     f"\\frac{{m}}{{m - 1}} \\sigma_B^2 = \\frac{{{m}}}{{{m - 1}}} \\times {_p(biased)} = "
                     f"{number(biased * m / (m - 1))}",
                     f"\\hat{{\\sigma}}^2 \\leftarrow (1 - {_p(mom)}) \\times {_p(r0)} + {_p(mom)} \\times "
                     f"{_p(biased * m / (m - 1))} = {number(var.key)}"]
        out.append(SolutionStep("PyTorch の定義: momentum は新しい統計量の重み、分散は不偏分散で更新する"
                                if lang == "ja" else
                                "torch's definition: momentum weighs the new statistic; the variance is unbiased",
                                "\\begin{gathered}\n" + " \\\\\n".join(lines) + "\n\\end{gathered}"))
    else:
        xv = x[i, j]
        rm, rv = g["running0"]["mean"][j], g["running0"]["var"][j]
        xn = (xv - rm) / np.sqrt(rv)
        lines = [f"\\hat{{x}} = \\frac{{{_p(xv)} - {_p(rm)}}}{{\\sqrt{{{_p(rv)}}}}} = {number(xn)}",
                 f"y = {_p(g['gamma'][j])} \\times {_p(xn)} + {_p(g['beta'][j])} = {number(var.key)}"]
        out.append(SolutionStep("推論では running_mean と running_var で正規化する" if lang == "ja" else
                                "inference normalises with running_mean and running_var",
                                "\\begin{gathered}\n" + " \\\\\n".join(lines) + "\n\\end{gathered}"))
    shown = C.round_text(var.key, var.decimals)
    eps_note = C.round_text(value(g, EPS_DEFAULT), var.decimals)
    out.append(SolutionStep(
        f"よって {number(var.key)}、最も近い選択肢は **{shown}**（既定の ε = {number(EPS_DEFAULT)} を入れても"
        f"表示の桁は {eps_note} で同じ）。" if lang == "ja" else
        f"So {number(var.key)}: **{shown}** (with the default ε = {number(EPS_DEFAULT)} the digits stay {eps_note})."))
    return out


def _p(v: float) -> str:
    text = number(float(v))
    return f"({text})" if text.startswith("-") else text


def tags() -> dict[str, Any]:
    return {"optimizer": None, "topic": TOPIC, "syllabus": True, "format": "F5"}


# -- code blanks ------------------------------------------------------------------------------------------------------
WITNESS_X = np.array([[1.0, 2.0, 0.5], [3.0, -1.0, 2.5], [-2.0, 4.0, 1.0], [6.0, 0.0, -3.0]])


def _witness_bn(cls) -> list[np.ndarray]:
    bn = cls(np.array([1.5, 0.5, 2.0]), np.array([0.1, -0.2, 0.3]))
    y1 = bn.forward(WITNESS_X.copy(), train_flg=True)
    y2 = bn.forward(WITNESS_X[::-1].copy() * 2 + 1, train_flg=True)
    y3 = bn.forward(WITNESS_X[:2].copy(), train_flg=False)
    return [y1, y2, bn.running_mean, bn.running_var, y3]


def _witness_ln(cls) -> list[np.ndarray]:
    ln = cls(np.array([1.5, 0.5, 2.0]), np.array([0.1, -0.2, 0.3]))
    return [ln.forward(WITNESS_X.copy())]


CODE_MUTATIONS = (
    (r"np\.mean\(\(x - mu\) \*\* 2, axis=0\)", "np.sum((x - mu) ** 2, axis=0) / (m - 1)", UNBIASED.name),
    (r"np\.mean\(\(x - mu\) \*\* 2, axis=0\)", "np.mean(x ** 2, axis=0)", NOT_CENTERED.name),
    (r"np\.mean\(\(x - mu\) \*\* 2, axis=-1, keepdims=True\)", "np.mean(x ** 2, axis=-1, keepdims=True)",
     NOT_CENTERED.name),
    (r"np\.mean\(\(x - mu\) \*\* 2, axis=-1, keepdims=True\)", "np.mean((x - mu) ** 2, axis=0, keepdims=True)",
     AXIS.name),
    (r"x\.mean\(axis=-1, keepdims=True\)", "x.mean(axis=0, keepdims=True)", AXIS.name),
    (r"x\.mean\(axis=0\)", "x.sum(axis=0)", SUM_NOT_MEAN.name),
    (r"/ np\.sqrt\(var \+ self\.eps\)", "/ (var + self.eps)", VAR_NOT_STD.name),
    (r"/ np\.sqrt\(var \+ self\.eps\)", "/ np.sqrt(var) + self.eps", VAR_NOT_STD.name),
    (r"\(x - mu\) / np\.sqrt\(var \+ self\.eps\)", "x / np.sqrt(var + self.eps)", NO_CENTER.name),
    (r"\(x - self\.running_mean\) / np\.sqrt", "x / np.sqrt", NO_CENTER.name),
    (r"np\.mean\(\(x - mu\) \*\* 2, axis=-1, keepdims=True\)",
     "np.sum((x - mu) ** 2, axis=-1, keepdims=True) / (x.shape[-1] - 1)", UNBIASED.name),
    (r"np\.mean\(\(x - mu\) \*\* 2, axis=0\)", "np.mean(np.abs(x - mu), axis=0)", ABS_DEV.name),
    (r"/ np\.sqrt\(self\.running_var \+ self\.eps\)", "/ (self.running_var + self.eps)", EVAL_NO_SQRT.name),
    (r"\(x - self\.running_mean\) / np\.sqrt\(self\.running_var \+ self\.eps\)",
     "(x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + self.eps)", EVAL_BATCH.name),
    (r"self\.gamma \* xn \+ self\.beta", "self.gamma * (xn + self.beta)", BETA_INSIDE.name),
    (r"self\.gamma \* xn \+ self\.beta", "self.beta * xn + self.gamma", SWAP_GB.name),
    (r"self\.gamma \* xn \+ self\.beta", "xn", NO_AFFINE.name),
    (r"\(1 - self\.momentum\) \* self\.running_mean \+ self\.momentum \* mu",
     "self.momentum * self.running_mean + (1 - self.momentum) * mu", RUN_SWAP.name),
    (r"\(1 - self\.momentum\) \* self\.running_mean \+ self\.momentum \* mu", "mu", RUN_REPLACE.name),
    (r"\(1 - self\.momentum\) \* self\.running_mean \+", "self.running_mean +", RUN_NO_DECAY.name),
    (r"\(1 - self\.momentum\) \* self\.running_var \+", "self.running_var +", RUN_NO_DECAY.name),
    (r"self\.momentum \* var \* m / \(m - 1\)", "self.momentum * var", RUN_BIASED.name),
    (r"\(1 - self\.momentum\) \* self\.running_var \+ self\.momentum \* var \* m / \(m - 1\)",
     "self.momentum * self.running_var + (1 - self.momentum) * var * m / (m - 1)", RUN_SWAP.name),
)

CODE = (
    Q.CodeSource("batchnorm", NZ.BatchNormalization, _witness_bn,
                 "バッチ正規化の層を『ゼロから作る Deep Learning』の形で実装し、running_mean と running_var を "
                 "PyTorch の torch.nn.BatchNorm1d と同じ定義で更新するクラス",
                 "a batch normalization layer in the textbook's idiom, with torch.nn.BatchNorm1d's running averages",
                 "4 × 3 のミニバッチで訓練時の順伝播を 2 回、推論を 1 回行う",
                 "two training forward passes on a 4 × 3 batch and one inference pass", CODE_MUTATIONS,
                 start="def forward"),
    Q.CodeSource("layernorm", NZ.LayerNormalization, _witness_ln,
                 "レイヤー正規化の層（torch.nn.LayerNorm と同じ計算）のクラス",
                 "a layer normalization layer (as torch.nn.LayerNorm)",
                 "4 × 3 の入力で順伝播を行う", "a forward pass on a 4 × 3 input", CODE_MUTATIONS, start="def forward"),
)


# -- formulas to choose from ------------------------------------------------------------------------------------------
_x, _mu, _var, _eps, _g, _b = sp.symbols("x mu var eps gamma beta", real=True)
_m, _mom, _r = sp.symbols("m momentum running_var", real=True)
_NAMES = {_x: "x_i", _mu: "\\mu_B", _var: "\\sigma_B^2", _eps: "\\varepsilon", _g: "\\gamma", _b: "\\beta",
          _m: "m", _mom: "\\mathrm{momentum}", _r: "\\hat{\\sigma}^2"}
_LOCAL = {"x": _x, "mu": _mu, "var": _var, "eps": _eps, "gamma": _g, "beta": _b, "m": _m, "momentum": _mom,
          "running_var": _r}
_POINT = {"x": WITNESS_X[:, :1], "mu": 0.7, "var": 2.5, "eps": 1e-5, "gamma": 1.5, "beta": 0.2, "m": 4.0,
          "momentum": 0.1, "running_var": 1.0}


def _s(text: str) -> Any:
    from optimizers.techniques._forms import FUNCTIONS

    return sp.parse_expr(text, local_dict={**_LOCAL, **FUNCTIONS}, evaluate=False)


_WHERE_JA = ("$x_i$ はミニバッチの $i$ 番目のデータ（ある特徴の値）、$m$ はミニバッチのデータ数、"
             "$\\mu_B$, $\\sigma_B^2$ はミニバッチの平均と分散、$\\gamma$, $\\beta$ は学習するスケールとシフト、"
             "$\\varepsilon$ はゼロ除算を防ぐ微小な値")
_WHERE_EN = ("$x_i$ is sample $i$ of the mini-batch (one feature), $m$ the batch size, $\\mu_B$, $\\sigma_B^2$ the "
             "batch mean and variance, $\\gamma$, $\\beta$ the learned scale and shift, $\\varepsilon$ a small "
             "constant")

FORMULAS = (
    Q.FormulaItem("bn_normalize", "バッチ正規化の訓練時に、データ $x_i$ を正規化した値 $\\hat{x}_i$",
                  "the normalised value $\\hat{x}_i$ of batch normalization in training", "\\hat{x}_i",
                  _s("(x - mu)/sqrt(var + eps)"),
                  ((VAR_NOT_STD.name, _s("(x - mu)/(var + eps)")), (VAR_NOT_STD.name, _s("(x - mu)/sqrt(var) + eps")),
                   (NO_CENTER.name, _s("x/sqrt(var + eps)")), (TIMES_STD.name, _s("(x - mu)*sqrt(var + eps)"))),
                  _NAMES, _WHERE_JA, _WHERE_EN, (_POINT,), "Ioffe & Szegedy 2015 Algorithm 1"),
    Q.FormulaItem("bn_variance", "バッチ正規化の訓練時のミニバッチの分散 $\\sigma_B^2$",
                  "the mini-batch variance $\\sigma_B^2$ of batch normalization in training", "\\sigma_B^2",
                  _s("BatchVar(x, mu)"),
                  ((UNBIASED.name, _s("Unbiased(m, BatchVar(x, mu))")), (NOT_CENTERED.name, _s("BatchMean(x**2)")),
                   (STD_FOR_VAR.name, _s("sqrt(BatchVar(x, mu))")), (ABS_DEV.name, _s("BatchMean(Abs(x - mu))"))),
                  _NAMES, _WHERE_JA, _WHERE_EN, ({**_POINT, "mu": float(WITNESS_X[:, 0].mean())},),
                  "Ioffe & Szegedy 2015 Algorithm 1"),
    Q.FormulaItem("bn_running_var",
                  "PyTorch の torch.nn.BatchNorm1d が訓練時に推論用の分散 $\\hat{\\sigma}^2$ を更新する式",
                  "how torch.nn.BatchNorm1d updates the running variance $\\hat{\\sigma}^2$ in training",
                  "\\hat{\\sigma}^2", _s("(1 - momentum)*running_var + momentum*Unbiased(m, var)"),
                  ((RUN_BIASED.name, _s("(1 - momentum)*running_var + momentum*var")),
                   (RUN_SWAP.name, _s("momentum*running_var + (1 - momentum)*Unbiased(m, var)")),
                   (RUN_SWAP.name, _s("momentum*running_var + (1 - momentum)*var")),
                   (RUN_REPLACE.name, _s("Unbiased(m, var)"))),
                  _NAMES, _WHERE_JA + "、momentum は PyTorch の引数（既定 0.1）",
                  _WHERE_EN + "; momentum is torch's argument (default 0.1)", (_POINT,), "torch.nn.BatchNorm1d"),
    Q.FormulaItem("bn_output", "バッチ正規化の出力 $y_i$", "the output $y_i$ of batch normalization", "y_i",
                  _s("gamma*(x - mu)/sqrt(var + eps) + beta"),
                  ((BETA_INSIDE.name, _s("gamma*((x - mu)/sqrt(var + eps) + beta)")),
                   (SWAP_GB.name, _s("beta*(x - mu)/sqrt(var + eps) + gamma")),
                   (VAR_NOT_STD.name, _s("gamma*(x - mu)/(var + eps) + beta")),
                   (NO_AFFINE.name, _s("(x - mu)/sqrt(var + eps)"))),
                  _NAMES, _WHERE_JA, _WHERE_EN, (_POINT,), "Ioffe & Szegedy 2015 Algorithm 1"),
)


# -- proofs the page shows ----------------------------------------------------------------------------------------
def findings() -> list[Any]:
    from ..equivalence import Finding

    out = []
    xs = sp.symbols("x_1:4", real=True)
    eps = sp.Symbol("varepsilon", positive=True)
    mu = sum(xs) / 3
    var = sum((x - mu) ** 2 for x in xs) / 3
    xn = [(x - mu) / sp.sqrt(var + eps) for x in xs]
    mean_xn = sp.simplify(sum(xn) / 3)
    var_xn = sp.simplify(sum(v**2 for v in xn) / 3 - var / (var + eps))
    out.append(Finding(
        "norm_zero_mean_unit_var", "正規化した値の平均は 0、分散は σ²/(σ² + ε)",
        "3 個のデータ x₁, x₂, x₃ を記号のまま正規化すると、x̂ の平均はちょうど 0、分散（m で割る）は σ²/(σ² + ε) になる"
        "（ε が小さければほぼ 1）。γ と β を学習するので、必要なら元の平均・分散に戻すこともできる。",
        mean_xn == 0 and var_xn == 0, {"mean(x̂)": mean_xn, "var(x̂) − σ²/(σ² + ε)": var_xn}))
    m = sp.Symbol("m", positive=True, integer=True)
    unbiased = sp.simplify(sum((x - mu) ** 2 for x in xs) / (3 - 1) - sp.Rational(3, 2) * var)
    out.append(Finding(
        "norm_unbiased_factor", "不偏分散は m/(m − 1) 倍",
        "(1/(m − 1))Σ(x − μ)² = m/(m − 1) · (1/m)Σ(x − μ)²。PyTorch の running_var は、この不偏分散で更新する"
        "（Ioffe & Szegedy の Algorithm 2 が推論用の Var[x] を m/(m − 1)·E[σ²_B] とするのと同じ考え）。",
        unbiased == 0, {"m = 3 の記号計算での差": unbiased}, latex={"factor": sp.latex(m / (m - 1))}))
    mom, r, s = sp.symbols("momentum r s", real=True)
    residual = sp.expand(((1 - mom) * r + mom * s) - ((1 - mom) * r + (1 - (1 - mom)) * s))
    out.append(Finding(
        "norm_momentum_definitions", "PyTorch の momentum = 0.1 は、ゼロつくの momentum = 0.9 と同じ平均の更新",
        "PyTorch は running ← (1 − momentum)·running + momentum·μ_B、ゼロつくは running ← momentum·running + "
        "(1 − momentum)·μ_B。ゼロつくの momentum を 1 − (PyTorch の momentum) にすれば平均の更新は一致する。分散は、"
        "PyTorch が不偏分散を、ゼロつくが m で割った分散を使い、初期値も 1 と 0 で違う。",
        residual == 0, {"PyTorch − ゼロつく（momentum を 1 − momentum に）": residual}))
    x = np.array([[1.0], [3.0], [8.0], [4.0]])
    bn = NZ.BatchNormalization(np.ones(1), np.zeros(1))
    bn.forward(x)
    tb = NZ.rule("running", "textbook").step({"running_mean": 0.0, "running_var": 0.0, "mu": float(x.mean()),
                                              "var": float(x.var()), "momentum": 0.9})
    out.append(Finding(
        "norm_running_executed", "1 回の順伝播のあとの running_var（実行結果）",
        "ミニバッチ x = (1, 3, 8, 4) で 1 回訓練したあとの値。PyTorch の定義（このサイトのクラス）と"
        "ゼロつくのクラスでは、分散の移動平均が大きく違う。",
        None, figures={"σ²_B（m で割る）": float(x.var()), "不偏分散": float(x.var(ddof=1)),
                       "running_var（PyTorch の定義、初期値 1）": float(bn.running_var[0]),
                       "running_var（ゼロつく、初期値 0）": float(tb["running_var"]),
                       "running_mean（PyTorch）": float(bn.running_mean[0]),
                       "running_mean（ゼロつく）": float(tb["running_mean"])}))
    return out
