"""True or false (format F7): one statement, 正 or 誤, with the reason.

Two sources (option ``source``):

- ``bank``: a statement of the curated concept bank (``quizgen/bank/concepts.yaml``), its truth and its
  explanation (a false one says where it is wrong and 「正しくは…」 what would make it right);
- ``fact``: an executed fact. A statement about a number the reference classes produce (Adam's first step is η,
  RMSprop's first step is η/√(1−ρ), AdaGrad's t-th step is 1/√t of the first, Momentum's steady move is
  1/(1−α) times SGD's, how SGD behaves on L = (a/2)w² at a given η, Adam's first step does not scale with the
  gradient). The number claimed is either the executed value or the value a named mistake (or a misconception)
  gives, executed as well; the statement's truth is then *computed*: it is true exactly when the executed value
  shows as the claimed one (three significant digits; every claimed wrong value is at least five units away).

The choices are always 正, 誤 in that order (the truth is drawn half and half, so the key's position is
uniform). ``given`` holds the statement's id (bank) or the fact's inputs and claim, from which a reader decides
the truth again.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

import optimizers

from ..question import Answer, Choice, Question, SolutionStep
from . import _common as C
from . import _ja as J
from . import threshold as T
from ._run import run_rule

KIND = "choice"
TITLE = ("正誤問題（1 つの記述の正誤と理由）", "true or false (one statement, with the reason)")

SOURCES = ("bank", "fact")
GENERAL_SHARE = 0.3  # bank statements drawn without a topic: this share from the topics that are not optimizers
SIG = 3  # significant digits of a claimed number


def _topic(v: Any) -> str:
    from .concepts import _topic as topic

    return topic(v)


OPTIONS = [
    C.Option("optimizer", "optimizer key or bank topic (curvature, saddle, …); drawn when omitted", None, None,
             _topic),
    C.Option("source", "'bank' (a concept statement) or 'fact' (an executed fact); drawn when omitted", None,
             SOURCES),
    C.Option("bank", "path of another statement bank (YAML, same schema); default: the bundled concepts.yaml"),
]


@dataclass
class Fact:
    optimizer: str
    statement: str  # Markdown with $math$
    truth: bool
    explanation: str  # why (and, when false, what is right)
    evidence: str  # the executed numbers
    given: dict[str, Any]
    mistake: str | None  # the named mistake or misconception behind a false claim
    difficulty: int = 2


def number_text(x: float) -> str:
    """A claimed ratio as shown: three significant digits, without trailing zeros when that is exact
    (1, 0.2, 10), else all three (3.16, 0.0278, 31.6)."""
    text = f"{x:.{SIG}g}"
    if "e" in text:
        text = f"{x:.12f}".rstrip("0").rstrip(".")
    if abs(float(text) - x) <= 1e-12 * max(1.0, abs(x)):
        return text
    digits = SIG - 1 - math.floor(math.log10(abs(x)))
    return C.round_text(x, max(0, digits))


def exact(x: float) -> bool:
    return abs(float(number_text(x)) - x) <= 1e-12 * max(1.0, abs(x))


def sig_unit(x: float) -> float:
    """One unit of the third significant digit of ``x`` (0.01 for 3.16 and for 2, 0.0001 for 0.0278)."""
    return 10.0 ** (math.floor(math.log10(abs(x))) - (SIG - 1))


def shows(value: float, claim: float) -> bool:
    """Does ``value`` show as ``claim`` at three significant digits (within half a unit of the claim's)?"""
    return abs(value - claim) <= 0.5 * sig_unit(claim) + 1e-12 * abs(claim)


def far_apart(a: float, b: float) -> bool:
    """Are two claimed numbers at least five units of the third significant digit apart (the finer unit)?"""
    return abs(a - b) >= 5 * min(sig_unit(a), sig_unit(b))


def _claim(r: np.random.Generator, true: float, wrong: list[tuple[str, float]]) -> tuple[float, str | None]:
    """The number a statement claims: the true value (half the time) or a mistake's value far from it."""
    usable = [(n, v) for n, v in wrong if math.isfinite(v) and v > 0 and far_apart(v, true)]
    if r.random() < 0.5 or not usable:
        return true, None
    name, value = C.pick(r, usable)
    return value, name


def _why(name: str | None, lang: str) -> str:
    """Why a false claim was made: the named mistake (title and feedback) or the misconception behind it."""
    if name is None:
        return ""
    from .. import mistakes as M
    from . import concepts

    if name in M.REGISTRY:
        m = M.get(name)
        return (f"記述の値は次の誤りで計算した値である。{m.title(lang)}: {m.feedback(lang)}" if lang == "ja" else
                f"The claimed value is what this mistake computes. {m.title(lang)}: {m.feedback(lang)}")
    m = concepts._bank(None).misconceptions[name]
    return f"よくある誤解: {m.ja}。" if lang == "ja" else f"A common misconception: {m.en}."


def _times(x: float, lang: str, what: str) -> str:
    """The predicate of a claim: 「学習率 η に等しい」 or 「学習率 η の約 3.16 倍である」."""
    text = number_text(x)
    if text == "1":
        return J.join(what, "に等しい") if lang == "ja" else f"equal to {what}"
    if lang == "ja":
        return J.join(what, "の" + ("" if exact(x) else "約"), f"{text} 倍である")
    return f"{'' if exact(x) else 'about '}{text} times {what}"


def _adam_ratio(mistake: str | None, b1: float, b2: float, lr: float, g: float) -> float:
    """|ΔW₁| / η of the reference Adam class (ε = 0), or of a mistaken rule."""
    from .. import mistakes as M

    if mistake is None:
        opt = optimizers.Adam(lr=lr, beta1=b1, beta2=b2, eps=0.0)
        params = {"W": np.array([0.0])}
        opt.update(params, {"W": np.array([g])})
        return abs(float(params["W"][0])) / lr
    given = {"optimizer": "adam", "convention": "textbook",
             "hyperparameters": {"lr": lr, "beta1": b1, "beta2": b2, "eps": 0.0},
             "params0": {"W": [0.0]}, "grads": [{"W": [g]}], "asked": {"quantity": "W", "step": 1, "key": "W"}}
    return abs(run_rule(M.get(mistake).rule("adam"), given).value("W", 1, "W")) / lr


def _fact_adam_first(r: np.random.Generator, lang: str) -> Fact | None:
    b1, b2 = C.pick(r, C.grid(["0.9", "0.8", "0.95"])), C.pick(r, C.grid(["0.999", "0.99"]))
    lr, g = C.pick(r, T.LRS), C.pick(r, T.GRADS)
    true = _adam_ratio(None, b1, b2, lr, g)
    wrong = [(n, _adam_ratio(n, b1, b2, lr, g)) for n in ("no_bias_correction", "no_bias_correction_v",
                                                            "no_bias_correction_m")]
    claim, name = _claim(r, true, wrong)
    ja = lang == "ja"
    what = "学習率 $\\eta$" if ja else "the learning rate $\\eta$"
    if ja:
        statement = (f"Adam（ゼロから作るDeep Learning の形、$\\beta_1 = {C.fmt(b1)}$, $\\beta_2 = {C.fmt(b2)}$、"
                     f"$m$ と $v$ の初期値は 0）で、1 回目の更新の勾配が $g = {C.fmt(g)}$ のとき、1 回目の更新量の"
                     + J.join("大きさは", _times(claim, lang, what), "。ただし、ゼロ除算を防ぐ微小な値は無視する。"))
        explanation = ("1 回目は $m = (1-\\beta_1) g$, $v = (1-\\beta_2) g^2$ で、バイアス補正をまとめた "
                       "$\\eta_t = \\eta\\sqrt{1-\\beta_2}/(1-\\beta_1)$ を掛けると "
                       "$|\\Delta W| = \\eta |g| / \\sqrt{g^2} = \\eta$（勾配の大きさによらない）。")
    else:
        statement = (f"In Adam (the textbook form, $\\beta_1 = {C.fmt(b1)}$, $\\beta_2 = {C.fmt(b2)}$, $m$ and $v$ "
                     f"starting at 0) the first update with gradient $g = {C.fmt(g)}$ has a size "
                     f"{_times(claim, lang, what)} (ignore ε).")
        explanation = ("At step 1 $m = (1-\\beta_1) g$, $v = (1-\\beta_2) g^2$ and with "
                       "$\\eta_t = \\eta\\sqrt{1-\\beta_2}/(1-\\beta_1)$ the step is "
                       "$\\eta |g| / \\sqrt{g^2} = \\eta$.")
    evidence = _evidence(lang, f"η = {C.fmt(lr)}, g = {C.fmt(g)}, ε = 0",
                         f"|ΔW₁| = {true * lr:.6g}（η の {true:.6g} 倍）" if ja else
                         f"|ΔW₁| = {true * lr:.6g} ({true:.6g} η)")
    given = {"source": "fact", "fact": "adam_first_step", "optimizer": "adam",
             "hyperparameters": {"lr": lr, "beta1": b1, "beta2": b2, "eps": 0.0}, "g": g,
             "claim": {"ratio": float(number_text(claim))}}
    return Fact("adam", statement, shows(true, float(number_text(claim))), explanation, evidence, given, name)


def _rmsprop_ratio(mistake: str | None, rho: float, lr: float, g: float) -> float:
    from .. import mistakes as M

    if mistake is None:
        opt = optimizers.RMSprop(lr=lr, decay_rate=rho, eps=0.0)
        params = {"W": np.array([0.0])}
        opt.update(params, {"W": np.array([g])})
        return abs(float(params["W"][0])) / lr
    given = {"optimizer": "rmsprop", "convention": "textbook",
             "hyperparameters": {"lr": lr, "decay_rate": rho, "eps": 0.0},
             "params0": {"W": [0.0]}, "grads": [{"W": [g]}], "asked": {"quantity": "W", "step": 1, "key": "W"}}
    return abs(run_rule(M.get(mistake).rule("rmsprop"), given).value("W", 1, "W")) / lr


def _fact_rmsprop_first(r: np.random.Generator, lang: str) -> Fact | None:
    rho, lr, g = C.pick(r, C.grid(["0.9", "0.99", "0.95", "0.75"])), C.pick(r, T.LRS), C.pick(r, T.GRADS)
    true = _rmsprop_ratio(None, rho, lr, g)
    wrong = [(n, _rmsprop_ratio(n, rho, lr, g)) for n in ("no_one_minus", "rho_swap")]
    wrong.append(("rmsprop_no_bias_correction", 1.0))
    claim, name = _claim(r, true, wrong)
    ja = lang == "ja"
    what = "学習率 $\\eta$" if ja else "the learning rate $\\eta$"
    if ja:
        statement = (f"RMSprop（$h \\leftarrow \\rho h + (1-\\rho) g^2$, $W \\leftarrow W - \\eta g/\\sqrt{{h}}$、"
                     f"$\\rho = {C.fmt(rho)}$、$h$ の初期値 0）で、1 回目の更新の勾配が $g = {C.fmt(g)}$ のとき、"
                     + J.join("1 回目の更新量の大きさは", _times(claim, lang, what), "。"))
        explanation = ("1 回目は $h = (1-\\rho) g^2$ なので $|\\Delta W| = \\eta |g| / \\sqrt{(1-\\rho) g^2} = "
                       "\\eta / \\sqrt{1-\\rho}$。RMSprop にはバイアス補正がないので、"
                       "初回の更新量は $\\eta$ より大きい。")
    else:
        statement = (f"In RMSprop ($h \\leftarrow \\rho h + (1-\\rho) g^2$, $W \\leftarrow W - \\eta g/\\sqrt{{h}}$, "
                     f"$\\rho = {C.fmt(rho)}$, $h$ starting at 0) the first update with gradient $g = {C.fmt(g)}$ "
                     f"has a size {_times(claim, lang, what)}.")
        explanation = ("At step 1 $h = (1-\\rho) g^2$, so the step is $\\eta / \\sqrt{1-\\rho}$: without a bias "
                       "correction the first step is larger than $\\eta$.")
    evidence = _evidence(lang, f"η = {C.fmt(lr)}, g = {C.fmt(g)}, ε = 0", f"|ΔW₁| = {true * lr:.6g}")
    given = {"source": "fact", "fact": "rmsprop_first_step", "optimizer": "rmsprop",
             "hyperparameters": {"lr": lr, "decay_rate": rho, "eps": 0.0}, "g": g,
             "claim": {"ratio": float(number_text(claim))}}
    return Fact("rmsprop", statement, shows(true, float(number_text(claim))), explanation, evidence, given, name)


def _fact_adagrad(r: np.random.Generator, lang: str) -> Fact | None:
    lr, g, t = C.pick(r, T.LRS), C.pick(r, T.GRADS), int(C.pick(r, T.TS))
    ran = T.adagrad_run(lr, g, t)
    true = ran[-1] / ran[0]
    if abs(true - float(T.ratio_of(None, t))) > 1e-9:
        raise AssertionError("true_false: AdaGrad's class disagrees with the exact ratio")
    wrong = [(n, float(T.ratio_of(n, t))) for n in T.RATIO_MISTAKES]
    claim, name = _claim(r, true, wrong)
    ja = lang == "ja"
    what = "1 回目の更新量の大きさ" if ja else "the first update's size"
    if ja:
        statement = (f"AdaGrad（$h$ の初期値 0、$\\eta = {C.fmt(lr)}$）で毎回同じ勾配 $g = {C.fmt(g)}$ を受けると、"
                     + J.join(f"{t} 回目の更新量の大きさは", _times(claim, lang, what),
                              "。ただし、ゼロ除算を防ぐ微小な値は無視する。"))
        explanation = (f"同じ勾配を {t} 回足すと $h = {t} g^2$ なので、{t} 回目の更新量は "
                       f"$\\eta |g| / \\sqrt{{{t} g^2}} = \\eta/\\sqrt{{{t}}}$、1 回目の $1/\\sqrt{{{t}}}$ 倍。")
    else:
        statement = (f"In AdaGrad ($h$ starting at 0, $\\eta = {C.fmt(lr)}$) with the same gradient $g = {C.fmt(g)}$ "
                     f"every time, the {t}-th update's size is {_times(claim, lang, what)} (ignore ε).")
        explanation = (f"After {t} equal gradients $h = {t} g^2$: the step is $\\eta/\\sqrt{{{t}}}$, "
                       f"$1/\\sqrt{{{t}}}$ of the first.")
    evidence = _evidence(lang, "ε = 0", f"|ΔW_{t}| / |ΔW_1| = {true:.6g}")
    given = {"source": "fact", "fact": "adagrad_ratio", "optimizer": "adagrad",
             "hyperparameters": {"lr": lr, "eps": 0.0}, "g": g, "t": t, "claim": {"ratio": float(number_text(claim))}}
    return Fact("adagrad", statement, shows(true, float(number_text(claim))), explanation, evidence, given, name)


def _fact_momentum(r: np.random.Generator, lang: str) -> Fact | None:
    lr, alpha, g = C.pick(r, T.LRS), C.pick(r, T.MOMENTA), C.pick(r, T.GRADS)
    sgd = -lr * g
    true = T.velocity_run(None, lr, alpha, g) / sgd
    wrong = [("alpha_on_grad", T.velocity_run("alpha_on_grad", lr, alpha, g) / sgd), ("momentum_effective_lr", 1.0)]
    claim, name = _claim(r, true, wrong)
    ja = lang == "ja"
    what = "同じ学習率の SGD の 1 回の移動量" if ja else "one step of SGD with the same learning rate"
    if ja:
        statement = (f"モーメンタム（$v \\leftarrow \\alpha v - \\eta g$, $W \\leftarrow W + v$、"
                     f"$\\alpha = {C.fmt(alpha)}$、$v$ の初期値 0）で勾配が常に $g = {C.fmt(g)}$ のとき、"
                     + J.join("十分多く更新すると、1 回の移動量は", _times(claim, lang, what), "に近づく。")).replace(
                         "に等しいに近づく", "に近づく").replace("倍であるに近づく", "倍に近づく")
        explanation = ("速度は $v \\to -\\eta g / (1-\\alpha)$ に近づくので、1 回の移動量は SGD の "
                       f"$1/(1-\\alpha) = {number_text(1 / (1 - alpha))}$ 倍（実効的な学習率 $\\eta/(1-\\alpha)$）。")
    else:
        statement = (f"With Momentum ($v \\leftarrow \\alpha v - \\eta g$, $W \\leftarrow W + v$, "
                     f"$\\alpha = {C.fmt(alpha)}$, $v$ starting at 0) and a constant gradient $g = {C.fmt(g)}$, each "
                     f"move after many updates approaches {_times(claim, lang, what)}.")
        explanation = (f"$v \\to -\\eta g/(1-\\alpha)$: each move is $1/(1-\\alpha) = {number_text(1 / (1 - alpha))}$ "
                       f"times SGD's (effective learning rate $\\eta/(1-\\alpha)$).")
    evidence = _evidence(lang, f"η = {C.fmt(lr)}", f"400 回後の v = {true * sgd:.6g}" if ja else
                         f"v after 400 updates = {true * sgd:.6g}")
    given = {"source": "fact", "fact": "momentum_terminal", "optimizer": "momentum",
             "hyperparameters": {"lr": lr, "momentum": alpha}, "g": g, "claim": {"ratio": float(number_text(claim))}}
    return Fact("momentum", statement, shows(true, float(number_text(claim))), explanation, evidence, given, name)


BEHAVIOURS = {
    "monotone": ("符号を変えずに 0 に収束する", "converges to 0 without changing sign"),
    "oscillating": ("符号を変えながら（振動しながら）0 に収束する", "converges to 0 while changing sign (oscillating)"),
    "diverging": ("発散する", "diverges"),
}


def behaviour(ws: list[float], w0: float) -> str:
    """What an executed run did: diverging (|w| grew past |w0|), oscillating (the sign changes) or monotone."""
    if not all(math.isfinite(w) for w in ws) or abs(ws[-1]) > abs(w0):
        return "diverging"
    signs = [w > 0 for w in [w0, *ws[:5]] if w != 0]
    return "oscillating" if any(a != b for a, b in zip(signs, signs[1:])) else "monotone"


WRONG_BEHAVIOUR = {("monotone", "diverging"): "lr_bigger_is_faster",
                   ("oscillating", "diverging"): "lr_bigger_is_faster",
                   ("diverging", "oscillating"): "stability_bound_wrong_coefficient",
                   ("diverging", "monotone"): "lr_too_large_vs_too_small",
                   ("oscillating", "monotone"): "stability_bound_wrong_coefficient",
                   ("monotone", "oscillating"): "lr_too_large_vs_too_small"}


def _fact_sgd(r: np.random.Generator, lang: str) -> Fact | None:
    a, lr = C.pick(r, T.CURVATURES), C.pick(r, T.STEP_LRS)
    factor = 1 - lr * a
    if abs(factor) < 0.05 or 0.9 <= abs(factor) <= 1.1 or abs(factor) > 3:
        return None  # a hand-checkable, clear-cut case only
    w0 = 1.0
    ws = T.sgd_run(a, lr, w0, 200)
    true = behaviour(ws, w0)
    if r.random() < 0.5:
        claim, name = true, None
    else:
        claim = C.pick(r, [b for b in BEHAVIOURS if b != true])
        name = WRONG_BEHAVIOUR[(true, claim)]
    ja = lang == "ja"
    half = T._dec(T._frac(a) / 2)
    loss = f"L(w) = {half} w^2" if half != "1" else "L(w) = w^2"
    if ja:
        statement = (f"損失関数 ${loss}$ に学習率 $\\eta = {C.fmt(lr)}$ の勾配降下法（SGD）を"
                     f" $w_0 = 1$ から適用すると、"
                     f"$w$ は{BEHAVIOURS[claim][0]}。")
        ratio = number_text(factor) if factor > 0 else "-" + number_text(-factor)
        explanation = (f"勾配は ${T._dec(T._frac(a))} w$ なので "
                       f"$w_{{t+1}} = (1 - {C.fmt(lr)} \\times {T._dec(T._frac(a))}) w_t = {ratio}\\, w_t$。"
                       f"倍率の絶対値が 1 より小さければ収束し、負なら符号が毎回変わる。"
                       f"発散しない条件は $0 < \\eta < 2/a = {T._dec(2 / T._frac(a))}$。")
    else:
        statement = (f"Gradient descent (SGD) with $\\eta = {C.fmt(lr)}$ on ${loss}$ from $w_0 = 1$: $w$ "
                     f"{BEHAVIOURS[claim][1]}.")
        explanation = (f"Each update multiplies $w$ by $1 - \\eta a = {factor:.6g}$: it converges when the "
                       f"factor's size "
                       f"is below 1 and changes sign when it is negative; $0 < \\eta < 2/a = "
                       f"{T._dec(2 / T._frac(a))}$ is needed.")
    evidence = _evidence(lang, f"η = {C.fmt(lr)}", f"w₁ = {ws[0]:.4g}, w₂ = {ws[1]:.4g}, w₃ = {ws[2]:.4g}")
    given = {"source": "fact", "fact": "sgd_behaviour", "optimizer": "sgd", "hyperparameters": {"lr": lr},
             "loss": {"a": a}, "w0": w0, "claim": {"behaviour": claim}}
    return Fact("sgd", statement, claim == true, explanation, evidence, given, name)


def _fact_adam_scale(r: np.random.Generator, lang: str) -> Fact | None:
    c, lr, g = C.pick(r, C.grid(["10.0", "100.0", "0.1"])), C.pick(r, T.LRS), C.pick(r, T.GRADS)
    b1, b2 = 0.9, 0.999
    base, scaled = _adam_ratio(None, b1, b2, lr, g), _adam_ratio(None, b1, b2, lr, c * g)
    true = scaled / base
    claim, name = (1.0, None) if r.random() < 0.5 else (c, "adam_scale_invariance")
    ja = lang == "ja"
    if ja:
        change = "変わらない" if number_text(claim) == "1" else f"{C.fmt(c)} 倍になる"
        statement = (f"Adam（$\\beta_1 = 0.9$, $\\beta_2 = 0.999$、$m$ と $v$ の初期値 0）で、1 回目の更新の勾配を "
                     f"$g = {C.fmt(g)}$ から {C.fmt(c)} 倍の $g = {C.fmt(c * g)}$ に変えると、"
                     + J.join("1 回目の更新量の大きさは", change, "。ただし、ゼロ除算を防ぐ微小な値は無視する。"))
        explanation = ("$\\hat m / \\sqrt{\\hat v}$ は勾配を $c$ 倍しても分子と分母がともに $c$ 倍になるので変わらない"
                       "（1 回目はどちらも $|\\Delta W| = \\eta$）。")
    else:
        change = "does not change" if number_text(claim) == "1" else f"becomes {C.fmt(c)} times larger"
        statement = (f"In Adam ($\\beta_1 = 0.9$, $\\beta_2 = 0.999$, $m$ and $v$ starting at 0), changing the first "
                     f"gradient from $g = {C.fmt(g)}$ to $g = {C.fmt(c * g)}$ ({C.fmt(c)} times) the first update's "
                     f"size {change} (ignore ε).")
        explanation = "$\\hat m / \\sqrt{\\hat v}$ is unchanged when the gradient is scaled: both steps are $\\eta$."
    evidence = _evidence(lang, f"η = {C.fmt(lr)}, ε = 0", f"|ΔW₁| = {base * lr:.6g} と {scaled * lr:.6g}" if ja else
                         f"|ΔW₁| = {base * lr:.6g} and {scaled * lr:.6g}")
    given = {"source": "fact", "fact": "adam_scale", "optimizer": "adam",
             "hyperparameters": {"lr": lr, "beta1": b1, "beta2": b2, "eps": 0.0}, "g": g, "scale": c,
             "claim": {"ratio": float(number_text(claim))}}
    return Fact("adam", statement, shows(true, float(number_text(claim))), explanation, evidence, given, name)


def _evidence(lang: str, setting: str, result: str) -> str:
    return (f"参照実装を実行して確かめた値（{setting}）: {result}。" if lang == "ja" else
            f"Executed with the reference class ({setting}): {result}.")


FACTS: dict[str, tuple[str, Callable[[np.random.Generator, str], Fact | None]]] = {
    "adam_first_step": ("adam", _fact_adam_first), "adam_scale": ("adam", _fact_adam_scale),
    "rmsprop_first_step": ("rmsprop", _fact_rmsprop_first), "adagrad_ratio": ("adagrad", _fact_adagrad),
    "momentum_terminal": ("momentum", _fact_momentum), "sgd_behaviour": ("sgd", _fact_sgd),
}


@lru_cache(maxsize=4)
def _bank(path: str | None = None):
    from .. import bank

    return bank.load(path)


def _general_topics() -> list[str]:
    from .. import bank

    return [t for t in bank.TOPICS if t not in optimizers.MODULES]


def _from_bank(r: np.random.Generator, topic: str | None, path: str | None, lang: str):
    by = _bank(path).by_topic()
    truth = r.random() < 0.5
    if topic is None:
        general = [t for t in _general_topics() if any(s.truth is truth for s in by[t])]
        if general and r.random() < GENERAL_SHARE:
            topic = C.pick(r, general)
        else:
            topic = C.draw_optimizer(r, [t for t in optimizers.ORDER if any(s.truth is truth for s in by.get(t, []))])
    pool = [s for s in by[topic] if s.truth is truth] or by[topic]
    if not pool:
        raise ValueError(f"true_false: topic {topic} has no statement")
    return C.pick(r, pool)


def generate(rng: np.random.Generator, *, lang: str = "ja", render: bool = True, **options: Any) -> Question:
    opts = C.parse_options("true_false", OPTIONS, options)
    if opts["bank"]:
        _bank(opts["bank"])  # a bank given by path is read (and checked) even if the draw needs no statement
    r = C.part(rng, "inputs")
    topic = opts["optimizer"]
    facts = [k for k, (opt, _) in FACTS.items() if topic in (None, opt)]
    source = opts["source"] or ("fact" if facts and r.random() < 0.5 else "bank")
    if source == "fact" and not facts:
        raise ValueError(f"true_false: no executed fact about {topic}; "
                         f"facts are about {', '.join(sorted({o for o, _ in FACTS.values()}))}")
    ja = lang == "ja"
    if source == "fact":
        about = topic or C.draw_optimizer(r, sorted({o for o, _ in FACTS.values()}))
        kind = C.pick(r, [k for k, (opt, _) in FACTS.items() if opt == about])
        for _ in range(C.MAX_TRIES):
            fact = FACTS[kind][1](r, lang)
            if fact is not None:
                break
        else:
            raise C.GenerationError(f"true_false: no acceptable {kind} fact")
        statement, truth, mistake = fact.statement, fact.truth, fact.mistake
        reason = fact.explanation + ("" if ja else " ") + fact.evidence
        if not truth:
            reason = (f"誤り。{_why(mistake, lang)}正しくは、" if ja else
                      f"False. {_why(mistake, lang)} In fact, ") + reason
        else:
            reason = ("正しい。" if ja else "True. ") + reason
        given = fact.given
        about, topic_tag, syllabus, difficulty, sources = fact.optimizer, fact.given["fact"], True, fact.difficulty, \
            ["executed: optimizers/" + fact.optimizer + ".py"]
    else:
        s = _from_bank(r, topic, opts["bank"], lang)
        statement = s.ja if ja else s.en
        truth, mistake = s.truth, s.misconception
        reason = s.explanation_ja if ja else s.explanation_en
        given = {"source": "bank", "statement": s.id, "bank": opts["bank"] or "quizgen/bank/concepts.yaml"}
        about = s.topic if s.topic in optimizers.MODULES else None
        topic_tag, syllabus, difficulty, sources = s.topic, s.syllabus, s.difficulty, [s.source]
    right, wrong_text = ("正", "誤") if ja else ("True", "False")
    ok = "正解。" if ja else "Correct. "
    # 正 taken for a false statement is the statement's mistake; 誤 taken for a true one names none
    choices = [Choice(right, truth, None, None if truth else mistake, (ok if truth else "") + reason),
               Choice(wrong_text, not truth, None, None, (ok if not truth else "") + reason)]
    index = 0 if truth else 1
    if ja:
        stem = f"次の記述が正しければ「正」を、誤っていれば「誤」を選べ。\n\n{statement}"
    else:
        stem = f"Is the statement below true or false?\n\n{statement}"
    solution = [SolutionStep(f"（{'正' if truth else '誤'}）{reason}" if ja else
                             f"({'true' if truth else 'false'}) {reason}")] if render else []
    return Question(
        id="", family="true_false", seed=0, lang=lang, kind=KIND, stem=stem, answer=Answer(index=index),
        choices=choices, solution=solution, given=given,
        tags={"optimizer": about, "topic": topic_tag, "syllabus": syllabus, "difficulty": difficulty,
              "format": "F7", "sources": sources},
        options={k: v for k, v in opts.items() if v is not None})


# -- stress: every question verified again from its given ----------------------------------------------
STRESS_CHECKS = ("truth differs when recomputed", "truth changes under 1e-9 perturbation",
                 "false claim within 5 units of the value")


def measured(given: dict[str, Any], scale: float = 1.0) -> float | str:
    """What a fact's reference class does with the inputs of ``given`` (each number times ``scale``)."""
    h = {k: v * scale for k, v in given["hyperparameters"].items() if k != "eps"}
    g = given.get("g", 0.0) * scale
    fact = given["fact"]
    if fact == "adam_first_step":
        return _adam_ratio(None, h["beta1"], h["beta2"], h["lr"], g)
    if fact == "adam_scale":
        return _adam_ratio(None, h["beta1"], h["beta2"], h["lr"], given["scale"] * g) / \
            _adam_ratio(None, h["beta1"], h["beta2"], h["lr"], g)
    if fact == "rmsprop_first_step":
        return _rmsprop_ratio(None, h["decay_rate"], h["lr"], g)
    if fact == "adagrad_ratio":
        ran = T.adagrad_run(h["lr"], g, given["t"])
        return ran[-1] / ran[0]
    if fact == "momentum_terminal":
        return T.velocity_run(None, h["lr"], h["momentum"], g) / (-h["lr"] * g)
    return behaviour(T.sgd_run(given["loss"]["a"] * scale, h["lr"], given["w0"], 200), given["w0"])


def truth_of(given: dict[str, Any], scale: float = 1.0) -> bool:
    value, claim = measured(given, scale), given["claim"]
    if "behaviour" in claim:
        return value == claim["behaviour"]
    return shows(value, claim["ratio"])


def stress_defects(q: Question, seed: int) -> list[str]:
    g = q.given
    if g["source"] == "bank":
        s = _bank(None if g["bank"] == "quizgen/bank/concepts.yaml" else g["bank"]).get(g["statement"])
        return [] if s.truth is (q.answer.index == 0) else ["truth differs when recomputed"]
    out = []
    truth = truth_of(g)
    if truth is not (q.answer.index == 0):
        out.append("truth differs when recomputed")
    if any(truth_of(g, s) is not truth for s in (1 + 1e-9, 1 - 1e-9)):
        out.append("truth changes under 1e-9 perturbation")
    if not truth and "ratio" in g["claim"] and not far_apart(g["claim"]["ratio"], measured(g)):
        out.append("false claim within 5 units of the value")
    return out
