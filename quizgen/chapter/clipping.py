"""Gradient clipping (勾配クリッピング): numeric questions' draws and mistakes, the code to blank, the formulas to
choose from, and the proofs the page shows.

A numeric question gives the gradients of one or two parameters (components from Pythagorean tuples, so the
L2 norm of all of them together is a round number) and a threshold, and asks the clipped component, the factor
the gradients are multiplied by, the norm, or W after one SGD step with the clipped gradient; or clipping by
value. The key is executed by the reference code (``clip_grads`` with its 1e-6, ``clip_grads_by_value``, and the
SGD class for W); the stem says the 1e-6 may be ignored, and a variant is kept only if the form without it
(Pascanu et al.'s) shows the same digits.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

import numpy as np
import sympy as sp

import optimizers
from optimizers.techniques import clipping as CL

from ..families import _common as C
from ..formulas import number, number_latex
from ..question import SolutionStep
from . import questions as Q

TOPIC = "clipping"
#: whole-number vectors whose L2 norm is a whole number (the last entry)
TUPLES = ((3, 4, 5), (6, 8, 10), (5, 12, 13), (8, 15, 17), (9, 12, 15), (1, 2, 2, 3), (2, 3, 6, 7), (1, 4, 8, 9),
          (4, 4, 7, 9), (2, 6, 9, 11), (6, 6, 7, 11), (3, 4, 12, 13), (2, 10, 11, 15), (4, 8, 8, 12),
          (1, 1, 1, 1, 2), (1, 2, 4, 10, 11))
SCALES = C.grid(["1.0", "0.1", "1.0", "0.5", "2.0"])
THRESHOLDS = C.grid(["1.0", "2.0", "5.0", "0.5", "3.0", "10.0", "1.5", "4.0"])
VALUES = C.grid(["1.0", "0.5", "2.0", "3.0", "0.2"])
LRS = C.grid(["0.1", "0.5", "0.01", "1.0"])
W0S = C.grid(["1.0", "0.5", "-1.0", "2.0", "0.0"])
QUANTITIES = {"norm": ("g", "g", "g", "rate", "norm", "W"), "value": ("g", "g", "norm")}
NAMES_JA = {"g": "クリッピング後の勾配", "rate": "勾配に掛かる倍率", "norm": "勾配の L2 ノルム",
            "W": "1 回更新したあとのパラメータ"}


# -- executing the reference code -----------------------------------------------------------------------------------
def _grads(given: dict[str, Any]) -> list[np.ndarray]:
    return [np.array(v, dtype=np.float64) for v in given["grads"].values()]


def _clipped(given: dict[str, Any], eps: bool = True) -> tuple[list[np.ndarray], float]:
    """The gradients after clipping (the reference code; ``eps=False``: Pascanu et al.'s form without 1e-6)."""
    grads = _grads(given)
    if given["by"] == "value":
        CL.clip_grads_by_value(grads, given["clip_value"])
        return grads, float(np.sqrt(sum(np.sum(g**2) for g in _grads(given))))
    if eps:
        norm = CL.clip_grads(grads, given["max_norm"])
        return grads, float(norm)
    flat = np.concatenate(grads)
    out = CL.rule("paper").step({"g": flat, "c": given["max_norm"]})["g"]
    sizes = np.cumsum([len(g) for g in grads])[:-1]
    return np.split(np.asarray(out, dtype=np.float64), sizes), float(np.linalg.norm(flat))


def value(given: dict[str, Any], eps: bool = True) -> float:
    a = given["asked"]
    q, name, k = a["quantity"], a.get("param"), a.get("index", 0)
    names = list(given["grads"])
    clipped, norm = _clipped(given, eps)
    if q == "g":
        return float(clipped[names.index(name)][k])
    if q == "rate":
        raw = _grads(given)[names.index(name)][k]
        return float(clipped[names.index(name)][k] / raw)
    if q == "norm":
        return norm if given["by"] == "norm" else float(np.sqrt(sum(np.sum(g**2) for g in clipped)))
    # W: one SGD step (the reference class) with the clipped gradient
    params = {n: np.array(v, dtype=np.float64) for n, v in given["params"].items()}
    optimizers.SGD(lr=given["lr"]).update(params, dict(zip(names, clipped)))
    return float(params[name][k])


# -- mistakes ---------------------------------------------------------------------------------------------------------
M = Q.mistake
PER_PARAM = M("clip_per_parameter_norm", "パラメータごとのノルムで縮めた", "each parameter clipped by its own norm",
              "clip_grads（と clip_grad_norm_）は、すべてのパラメータの勾配を 1 つのベクトルとみなした全体の "
              "L2 ノルムで判定し、全部を同じ倍率で縮める。パラメータごとに縮めると勾配全体の向きが変わる。",
              "clip_grads (and clip_grad_norm_) take the L2 norm of all gradients together and scale them all by one "
              "factor; clipping each parameter separately changes the overall direction.", "clip_global_norm")
L1 = M("clip_l1_norm", "L1 ノルムを使った", "the L1 norm used",
       "ノルムによるクリッピングの既定は L2 ノルム √(Σg²)。絶対値の和（L1 ノルム）ではない。",
       "Clipping by norm uses the L2 norm √(Σg²), not the sum of absolute values.")
ALWAYS = M("clip_always_rescale", "しきい値より小さくても縮めた（伸ばした）", "rescaled although below the threshold",
           "ノルムがしきい値以下なら勾配はそのまま（倍率 1）。常に c/‖g‖ 倍すると小さな勾配を大きくしてしまう。",
           "Below the threshold the gradient stays as it is (factor 1); always multiplying by c/‖g‖ would "
           "enlarge small gradients.", "clip_only_above_threshold")
BY_VALUE = M("clip_value_instead_of_norm", "値によるクリッピングと取り違えた", "clipped by value instead of by norm",
             "ノルムによるクリッピングは向きを変えずに全体を c/‖g‖ 倍する。成分ごとに [−c, c] へ切り詰めるのは値による"
             "クリッピングで、向きが変わる。",
             "Clipping by norm scales the whole vector by c/‖g‖ and keeps its direction; clamping each component to "
             "[−c, c] is clipping by value, which can turn it.", "clip_norm_vs_value")
BY_NORM = M("clip_norm_instead_of_value", "ノルムによるクリッピングと取り違えた", "clipped by norm instead of by value",
            "値によるクリッピング（clip_grad_value_）は成分ごとに [−c, c] へ切り詰める。"
            "ノルムで全体を縮めるのではない。",
            "Clipping by value (clip_grad_value_) clamps each component to [−c, c]; it does not rescale by the norm.",
            "clip_norm_vs_value")
SQUARED = M("clip_squared_norm", "ノルムの 2 乗で割った", "divided by the squared norm",
            "倍率は c/‖g‖。√ をとらずに c/Σg² とすると縮めすぎる。", "The factor is c/‖g‖; c/Σg² (no square root) "
            "shrinks too much.")
INVERTED = M("clip_inverted_rate", "倍率を逆にした", "the factor inverted",
             "縮める倍率は c/‖g‖（1 より小さい）。‖g‖/c を掛けると勾配がさらに大きくなる。",
             "The factor is c/‖g‖ (below 1); multiplying by ‖g‖/c enlarges the gradient further.")
UNCLIPPED = M("clip_not_applied", "クリッピングをしなかった", "not clipped",
              "ノルムがしきい値を超えているので、勾配は c/‖g‖ 倍に縮めてから使う。",
              "The norm exceeds the threshold, so the gradient is scaled by c/‖g‖ before it is used.")
SUM_NORMS = M("clip_sum_of_norms", "パラメータごとのノルムを足した", "the parameters' norms added",
              "全体の L2 ノルムは、すべての成分の 2 乗和の平方根 √(‖g₁‖² + ‖g₂‖²)。ノルムの和 ‖g₁‖ + ‖g₂‖ ではない。",
              "The overall L2 norm is √(‖g₁‖² + ‖g₂‖²), not ‖g₁‖ + ‖g₂‖.", "clip_global_norm")
ONE_SIDED = M("clip_value_one_sided", "上側だけ切り詰めた", "clamped from above only",
              "値によるクリッピングは −c 以上 c 以下に切り詰める。負の側も −c で止める。",
              "Clipping by value clamps to [−c, c]: the negative side stops at −c too.")
SIGN_C = M("clip_value_to_threshold", "すべての成分を ±c にした", "every component set to ±c",
            "値によるクリッピングで変わるのは、[−c, c] からはみ出した成分だけ。範囲内の成分はそのまま。",
            "Clipping by value changes only the components outside [−c, c]; the others stay.")
SGD_SIGN = M("clip_sgd_sign", "更新の符号を誤った", "the update's sign wrong",
             "SGD の更新は W ← W − η g（勾配と逆向き）。", "SGD steps against the gradient: W ← W − η g.",
             "sign_error_gradient_ascent")


def _flat(given: dict[str, Any]) -> np.ndarray:
    return np.concatenate(_grads(given))


def mistakes(given: dict[str, Any]) -> list[tuple[Q.Mistake, float | None]]:
    a = given["asked"]
    q, name, k = a["quantity"], a.get("param"), a.get("index", 0)
    names = list(given["grads"])
    grads = _grads(given)
    p = names.index(name) if name in names else 0
    g = grads[p][k]
    flat = _flat(given)
    norm = float(np.linalg.norm(flat))
    out: list[tuple[Q.Mistake, float | None]] = []
    if given["by"] == "value":
        c = given["clip_value"]
        clipped = [np.clip(x, -c, c) for x in grads]
        by_norm = flat * min(1.0, c / norm)
        if q == "g":
            out += [(BY_NORM, float(by_norm[sum(len(x) for x in grads[:p]) + k])), (ONE_SIDED, float(min(g, c))),
                    (UNCLIPPED, float(g)), (SIGN_C, float(np.sign(g) * c))]
        else:
            out += [(BY_NORM, float(np.linalg.norm(by_norm))), (UNCLIPPED, norm),
                    (L1, float(sum(np.abs(x).sum() for x in clipped))),
                    (ONE_SIDED, float(np.sqrt(sum(np.sum(np.minimum(x, c) ** 2) for x in grads))))]
        return out
    c = given["max_norm"]
    l1 = float(np.abs(flat).sum())
    own = float(np.linalg.norm(grads[p]))

    def scaled(factor: float) -> float:
        return float(g * factor)

    if q in ("g", "rate", "W"):
        factors = [(L1, min(1.0, c / l1)), (ALWAYS, c / norm), (SQUARED, min(1.0, c / norm**2)),
                   (INVERTED, norm / c if norm > c else 1.0), (UNCLIPPED, 1.0)]
        if len(grads) > 1:
            factors.append((PER_PARAM, min(1.0, c / own)))
        if q == "rate":
            out += [(m, f) for m, f in factors]
        elif q == "g":
            out += [(m, scaled(f)) for m, f in factors]
            out.append((BY_VALUE, float(np.clip(g, -c, c))))
        else:
            w0, lr = given["params"][name][k], given["lr"]
            out += [(m, w0 - lr * scaled(f)) for m, f in factors]
            out.append((BY_VALUE, w0 - lr * float(np.clip(g, -c, c))))
            out.append((SGD_SIGN, w0 + lr * scaled(min(1.0, c / norm))))
    elif q == "norm":
        out += [(L1, l1), (SQUARED, norm**2)]
        if len(grads) > 1:
            out += [(PER_PARAM, own), (SUM_NORMS, float(sum(np.linalg.norm(x) for x in grads)))]
    return out


# -- drawing ----------------------------------------------------------------------------------------------------------
def draw_given(rng: np.random.Generator, by: str | None = None, quantity: str | None = None) -> dict[str, Any]:
    by = by or ("norm" if rng.random() < 0.8 else "value")
    q = quantity or C.pick(rng, QUANTITIES[by])
    if q not in QUANTITIES[by]:
        raise ValueError(f"clip_numeric: cannot ask {q!r} when clipping by {by}; choose from "
                         f"{', '.join(sorted(set(QUANTITIES[by])))}")
    t = C.pick(rng, TUPLES)
    scale = C.pick(rng, SCALES)
    comps = [float(Decimal(v) * Decimal(repr(scale))) * (1 if rng.random() < 0.6 else -1) for v in t[:-1]]
    comps = [comps[int(i)] for i in rng.permutation(len(comps))]
    split = int(rng.integers(1, len(comps))) if len(comps) > 2 and rng.random() < 0.6 else len(comps)
    grads = {"W1": comps[:split]} if split == len(comps) else {"W1": comps[:split], "W2": comps[split:]}
    name = C.pick(rng, list(grads))
    given: dict[str, Any] = {"by": by, "grads": grads,
                             "asked": {"quantity": q, "param": name, "index": int(rng.integers(len(grads[name])))}}
    if by == "norm":
        norm = float(Decimal(t[-1]) * Decimal(repr(scale)))
        below = rng.random() < 0.2
        choices = [c for c in THRESHOLDS if (c > norm if below else c < norm)]
        given["max_norm"] = C.pick(rng, choices or list(THRESHOLDS))
    else:
        given["clip_value"] = C.pick(rng, VALUES)
    if q == "W":
        given["lr"] = C.pick(rng, LRS)
        given["params"] = {n: [C.pick(rng, W0S) for _ in v] for n, v in grads.items()}
    return given


def make(rng: np.random.Generator, by: str | None = None, quantity: str | None = None) -> Q.Numeric | None:
    given = draw_given(rng, by, quantity)
    key = value(given)
    var = Q.evaluate(given, key, mistakes(given))
    if var is None:
        return None
    if given["by"] == "norm" and C.round_text(value(given, eps=False), var.decimals) != C.round_text(key, var.decimals):
        return None  # the 1e-6 would show in the displayed digits: the stem could not say "ignore it"
    return var


# -- text -------------------------------------------------------------------------------------------------------------
def _grads_tex(given: dict[str, Any]) -> str:
    return ", ".join(f"$g_{{{n[1:]}}} = {C.vec(v)}$" if len(given["grads"]) > 1 else f"$g = {C.vec(v)}$"
                     for n, v in given["grads"].items())


@cache
def _rule_latex(form: str) -> str:
    return CL.rule(form).latex()


def stem(var: Q.Numeric, lang: str) -> str:
    g = var.given
    a = g["asked"]
    q = a["quantity"]
    two = len(g["grads"]) > 1
    k = a["index"] + 1
    which = ""
    if q in ("g", "W"):
        parts_ = ([f"パラメータ $W_{{{a['param'][1:]}}}$"] if two else []) + \
            ([f"第 {k} 成分"] if len(g["grads"][a["param"]]) > 1 else [])
        which = "の".join(parts_)
        which += " " if which.endswith("$") else ""  # 「$W_{2}$ の値」
    if lang != "ja":
        return _stem_en(var)
    parts = []
    grads = _grads_tex(g)
    if two:
        intro = f"2 つのパラメータ $W_1$, $W_2$ の勾配が {grads} である。"
    else:
        intro = f"パラメータ $W$ の勾配が {grads} である。"
    if g["by"] == "norm":
        parts.append(intro + f"この勾配を、しきい値 $c = {C.fmt(g['max_norm'])}$ でノルムによりクリッピングする"
                     "（『ゼロから作る Deep Learning ❷』の `clip_grads(grads, max_norm)`、PyTorch の "
                     "`torch.nn.utils.clip_grad_norm_` と同じ）"
                     "。" + ("ノルムは、すべてのパラメータの勾配を並べた 1 つの"
                                                                     "ベクトルの L2 ノルムとする。" if two else ""))
        parts.append("$$\n" + _rule_latex("textbook") + "\n$$")
        parts.append(f"ゼロ除算を防ぐ $\\varepsilon = {number_latex(CL.CLIP_EPS)}$ は無視してよい"
                     "（表示する桁は変わらない）。")
    else:
        parts.append(intro + f"この勾配を、$c = {C.fmt(g['clip_value'])}$ で値によりクリッピングする"
                     "（PyTorch の `torch.nn.utils.clip_grad_value_`）。")
        parts.append("$$\n" + _rule_latex("value") + "\n$$")
    if q == "W":
        params = ", ".join(f"$W_{{{n[1:]}}} = {C.vec(v)}$" if two else f"$W = {C.vec(v)}$"
                           for n, v in g["params"].items())
        parts.append(f"パラメータの現在の値は {params} である。クリッピングした勾配で、学習率 "
                     f"$\\eta = {C.fmt(g['lr'])}$ の SGD（$W \\leftarrow W - \\eta g$）により 1 回更新したあとの、"
                     f"{which}の値として最も近いものを選べ。")
    elif q == "rate":
        parts.append("クリッピングで勾配に掛かる倍率（クリッピングしないときは 1）として最も近いものを選べ。")
    elif q == "norm":
        when = "クリッピングする前" if g["by"] == "norm" else "クリッピングしたあと"
        what = f"{when}の勾配全体の L2 ノルム"
        parts.append(f"{what}として最も近いものを選べ。")
    else:
        parts.append(f"クリッピングしたあとの勾配の、{which}の値として最も近いものを選べ。")
    return "\n\n".join(parts)


def _stem_en(var: Q.Numeric) -> str:
    g = var.given
    a = g["asked"]
    how = (f"by norm with threshold $c = {C.fmt(g['max_norm'])}$ (clip_grads / torch.nn.utils.clip_grad_norm_; "
           "ignore the 1e-6)" if g["by"] == "norm" else f"by value with $c = {C.fmt(g['clip_value'])}$")
    text = f"The gradients are {_grads_tex(g)}; they are clipped {how}."
    extra = ""
    if a["quantity"] == "W":
        extra = f" Then one SGD step with $\\eta = {C.fmt(g['lr'])}$ from {g['params']}."
    return (f"{text}{extra} Choose the value closest to {a['quantity']} ({a.get('param')}, component "
            f"{a.get('index', 0) + 1}).")


def solution(var: Q.Numeric, lang: str) -> list[SolutionStep]:
    g = var.given
    a = g["asked"]
    flat = _flat(g)
    norm = float(np.linalg.norm(flat))
    squares = " + ".join(f"{_p(v)}^2" for v in flat)
    out = []
    if g["by"] == "norm":
        c = g["max_norm"]
        lines = [f"\\lVert g \\rVert = \\sqrt{{{squares}}} = {number(norm)}"]
        if norm > c:
            lines.append(f"r = \\frac{{c}}{{\\lVert g \\rVert}} = \\frac{{{_p(c)}}}{{{number(norm)}}} ="
                         f" {number(c / norm)} < 1")
            note = "ノルムがしきい値を超えるので、すべての成分を r 倍する（向きは変わらない）" if lang == "ja" else \
                "the norm exceeds the threshold: every component is multiplied by r"
        else:
            lines.append(f"\\lVert g \\rVert = {number(norm)} \\leq c = {_p(c)}")
            note = "ノルムがしきい値以下なので、勾配はそのまま（倍率 1）" if lang == "ja" else \
                "the norm is within the threshold: the gradient stays (factor 1)"
        out.append(SolutionStep(note, "\\begin{gathered}\n" + " \\\\\n".join(lines) + "\n\\end{gathered}"))
    else:
        c = g["clip_value"]
        rule = CL.rule("value")
        text = "各成分を −c 以上 c 以下に切り詰める" if lang == "ja" else "clamp each component to [−c, c]"
        out.append(SolutionStep(text, "g \\leftarrow " + rule.latex_expr(rule.assignments[0][1], {"c": _p(c)})))
    if a["quantity"] == "W":
        clipped, _ = _clipped(g)
        gk = clipped[list(g["grads"]).index(a["param"])][a["index"]]
        w0 = g["params"][a["param"]][a["index"]]
        out.append(SolutionStep("SGD で 1 回更新する" if lang == "ja" else "one SGD step",
                                f"W \\leftarrow {_p(w0)} - {_p(g['lr'])} \\times {_p(gk)} = {number(var.key)}"))
    shown = C.round_text(var.key, var.decimals)
    out.append(SolutionStep(f"よって {number(var.key)}、最も近い選択肢は **{shown}**。" if lang == "ja" else
                            f"So {number(var.key)}: **{shown}**."))
    return out


def _p(v: float) -> str:
    text = number(float(v))
    return f"({text})" if text.startswith("-") else text


def tags() -> dict[str, Any]:
    return {"optimizer": None, "topic": TOPIC, "syllabus": False, "format": "F5"}


# -- code blanks ------------------------------------------------------------------------------------------------------
def _witness_norm(fn) -> list[np.ndarray]:
    out = []
    for max_norm in (5.0, 20.0):  # clipped (norm 13) and not clipped
        grads = [np.array([3.0, -4.0]), np.array([12.0])]
        total = fn(grads, max_norm)
        out += [grads[0], grads[1], np.array(total if total is not None else np.nan)]
    return out


def _witness_value(fn) -> list[np.ndarray]:
    grads = [np.array([3.0, -4.0, 0.5]), np.array([-0.2])]
    fn(grads, 1.0)
    return grads


CODE_MUTATIONS = (
    (r"np\.sum\(grad \*\* 2\)", "np.sum(np.abs(grad))", L1.name),
    (r"total_norm = np\.sqrt\(total_norm\)", "total_norm = total_norm", SQUARED.name),
    (r"max_norm / \(total_norm \+ 1e-6\)", "(total_norm + 1e-6) / max_norm", INVERTED.name),
    (r"max_norm / \(total_norm \+ 1e-6\)", "max_norm / (total_norm ** 2 + 1e-6)", SQUARED.name),
    (r"if rate < 1:", "if rate > 1:", ALWAYS.name),
    (r"if rate < 1:", "if True:", ALWAYS.name),
    (r"grad \*= rate", "grad /= rate", INVERTED.name),
    (r"grad \*= rate", "grad = grad * rate", UNCLIPPED.name),
    (r"grad \*= rate", "np.clip(grad, -max_norm, max_norm, out=grad)", BY_VALUE.name),
    (r"np\.clip\(grad, -clip_value, clip_value, out=grad\)", "np.clip(grad, None, clip_value, out=grad)",
     ONE_SIDED.name),
    (r"np\.clip\(grad, -clip_value, clip_value, out=grad\)", "grad = np.clip(grad, -clip_value, clip_value)",
     UNCLIPPED.name),
    (r"np\.clip\(grad, -clip_value, clip_value, out=grad\)", "grad *= clip_value / np.sqrt(np.sum(grad ** 2))",
     BY_NORM.name),
)

CODE = (
    Q.CodeSource("clip_grads", CL.clip_grads, _witness_norm,
                 "『ゼロから作る Deep Learning ❷』の形で、すべての勾配をまとめた L2 ノルムがしきい値 max_norm を"
                 "超えたら同じ倍率で縮める関数",
                 "the textbook's clip_grads (clipping by the L2 norm of all gradients together)",
                 "grads = [[3, −4], [12]]（ノルム 13）を max_norm = 5 と 20 で実行する",
                 "running it on grads [[3, −4], [12]] (norm 13) with max_norm 5 and 20", CODE_MUTATIONS),
    Q.CodeSource("clip_grads_by_value", CL.clip_grads_by_value, _witness_value,
                 "勾配の各成分を −clip_value 以上 clip_value 以下に切り詰める関数",
                 "a function clipping every gradient component to [−clip_value, clip_value]",
                 "grads = [[3, −4, 0.5], [−0.2]] を clip_value = 1 で実行する",
                 "running it on grads [[3, −4, 0.5], [−0.2]] with clip_value 1", CODE_MUTATIONS),
)


# -- formulas to choose from ------------------------------------------------------------------------------------------
_g, _c, _e = sp.symbols("g c eps", real=True)
_NAMES = {_g: "g", _c: "c", _e: "\\varepsilon"}
_POINTS = ({"g": np.array([3.0, -4.0, 12.0]), "c": 5.0, "eps": 1e-6},
           {"g": np.array([0.3, -0.4]), "c": 1.0, "eps": 1e-6}, {"g": np.array([3.0, 4.0]), "c": 10.0, "eps": 1e-6})


def _s(text: str) -> Any:
    from optimizers.techniques._forms import FUNCTIONS

    return sp.parse_expr(text, local_dict={"g": _g, "c": _c, "eps": _e, **FUNCTIONS, "Min": sp.Min, "Max": sp.Max,
                                           "Piecewise": sp.Piecewise, "sign": sp.sign}, evaluate=False)


_WHERE_JA = ("$g$ はすべてのパラメータの勾配を並べたベクトル、$\\lVert g \\rVert_2$ はその L2 ノルム、$c$ はしきい値、"
             "$\\varepsilon$ はゼロ除算を防ぐ微小な値")
_WHERE_EN = "$g$ is every gradient as one vector, $c$ the threshold, $\\varepsilon$ a small constant"

FORMULAS = (
    Q.FormulaItem("clip_norm_paper", "勾配のノルムによるクリッピング", "gradient clipping by norm", "g",
                  _s("Piecewise((g, Norm2(g) < c), (c/Norm2(g)*g, True))"),
                  ((ALWAYS.name, _s("c/Norm2(g)*g")), (INVERTED.name, _s("Piecewise((g, Norm2(g) < c), (Norm2(g)/c*g, "
                                                                         "True))")),
                   (SQUARED.name, _s("Piecewise((g, Norm2(g) < c), (c/Norm2(g)**2*g, True))")),
                   (BY_VALUE.name, _s("Max(-c, Min(c, g))")),
                   (ALWAYS.name, _s("Piecewise((c/Norm2(g)*g, Norm2(g) < c), (g, True))"))),
                  _NAMES, _WHERE_JA, _WHERE_EN, _POINTS, "Pascanu ら 2013 Algorithm 1"),
    Q.FormulaItem("clip_norm_torch", "`torch.nn.utils.clip_grad_norm_` が勾配に掛ける倍率と、その結果",
                  "what torch.nn.utils.clip_grad_norm_ does to the gradient", "g",
                  _s("Min(1, c/(Norm2(g) + eps))*g"),
                  ((ALWAYS.name, _s("Max(1, c/(Norm2(g) + eps))*g")), (ALWAYS.name, _s("c/(Norm2(g) + eps)*g")),
                   (INVERTED.name, _s("Min(1, (Norm2(g) + eps)/c)*g")), (BY_VALUE.name, _s("Min(c, g)"))),
                  _NAMES, _WHERE_JA, _WHERE_EN, _POINTS, "PyTorch"),
    Q.FormulaItem("clip_value", "勾配の値によるクリッピング（`torch.nn.utils.clip_grad_value_`）",
                  "gradient clipping by value (torch.nn.utils.clip_grad_value_)", "g", _s("Max(-c, Min(c, g))"),
                  ((ONE_SIDED.name, _s("Min(c, g)")), (BY_NORM.name, _s("Min(1, c/Norm2(g))*g")),
                   (ONE_SIDED.name, _s("Max(0, Min(c, g))")), (SIGN_C.name, _s("c*sign(g)"))),
                  _NAMES, "$g$ は勾配の各成分、$c$ はしきい値（clip_value）", "$g$ is each gradient component, $c$ "
                  "the threshold", _POINTS, ""),
)


# -- proofs the page shows ----------------------------------------------------------------------------------------
def findings() -> list[Any]:
    from ..equivalence import Finding

    out = []
    g, c, n, e, s = sp.symbols("g c n varepsilon s", positive=True)
    r = c / (n + e)
    below = sp.simplify(sp.Min(1, 1 - s) * g - (1 - s) * g)  # r = 1 − s < 1: both multiply by r
    above = sp.simplify(sp.Min(1, 1 + s) * g - g)  # r = 1 + s ≥ 1: neither changes g
    out.append(Finding(
        "clip_textbook_is_torch", "ゼロつく❷の clip_grads と PyTorch の clip_grad_norm_ は同じ結果",
        "ゼロつく❷は r = c/(‖g‖ + ε) が 1 より小さいときだけ g を r 倍し、PyTorch は min(1, r) を常に掛ける。"
        "r < 1（r = 1 − s, s > 0）なら両方とも r 倍、r ≥ 1（r = 1 + s）なら両方とも g のまま。",
        below == 0 and above == 0, {"r < 1 のときの差": below, "r ≥ 1 のときの差": above},
        latex={"r": sp.latex(r, symbol_names={n: "\\lVert g \\rVert", e: "\\varepsilon"})}))
    direction = sp.simplify((c / n * g) / (c / n * n) - g / n)
    out.append(Finding(
        "clip_direction_kept", "ノルムによるクリッピングは向きを変えない",
        "‖g‖ ≥ c のとき g' = (c/‖g‖) g。g' の向き g'/‖g'‖ は g/‖g‖ に等しく、長さ ‖g'‖ はちょうど c（論文の形）。",
        direction == 0, {"g'/‖g'‖ − g/‖g‖（1 成分で）": direction}))
    grads = [np.array([3.0, -4.0]), np.array([12.0])]
    tb = [x.copy() for x in grads]
    CL.clip_grads(tb, 5.0)
    paper = CL.rule("paper").step({"g": np.concatenate(grads), "c": 5.0})["g"]
    value_clip = [x.copy() for x in grads]
    CL.clip_grads_by_value(value_clip, 5.0)
    flat = np.concatenate(tb)
    out.append(Finding(
        "clip_eps_and_value", "1e-6 の影響と、値によるクリッピングとの違い（実行結果）",
        "g = (3, −4, 12)（ノルム 13）を c = 5 でクリッピングした結果。ゼロつく❷と PyTorch は 1e-6 の分だけ論文の形より"
        "ほんのわずかに小さい。値によるクリッピングは成分 12 だけを 5 にするので、向きが変わる。",
        None, figures={"ゼロつく❷ / PyTorch の g'": flat.tolist(), "論文の形の g'": np.asarray(paper).tolist(),
                       "ゼロつく❷ の ‖g'‖": float(np.linalg.norm(flat)),
                       "値によるクリッピングの g'": np.concatenate(value_clip).tolist(),
                       "値によるクリッピング後の向きと元の向きのなす角（度）": float(np.degrees(np.arccos(
                           np.concatenate(value_clip) @ np.concatenate(grads)
                           / np.linalg.norm(np.concatenate(value_clip)) / 13.0)))}))
    return out
