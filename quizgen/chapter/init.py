"""Weight initialization (重みの初期化): the numeric questions' forms, draws and mistakes, the code to blank, the
formulas to choose from, and the sympy proofs the page shows.

A numeric question names a form (Glorot & Bengio's uniform, torch's xavier_normal_, He et al.'s normal, the
textbook's √(1/n) …), the layer's fan_in and fan_out, and asks σ, the variance or the uniform bound a. The key is
the reference function's own scale: the function is called with :class:`~quizgen.chapter.questions.Probe`
instead of a generator, so it returns σ (or a) itself. Layer sizes are drawn so that the key is a square root of
a simple fraction (√(6/600) = 0.1): hand-computable, as the exam's questions are.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from math import isqrt
from typing import Any

import numpy as np
import sympy as sp

from optimizers.techniques import init as I

from ..families import _common as C
from ..formulas import number
from ..question import SolutionStep
from . import questions as Q

TOPIC = "init"
SIZES = (16, 20, 24, 25, 32, 36, 48, 50, 64, 72, 96, 100, 128, 144, 150, 196, 200, 256, 288, 300, 384, 400, 450,
         500, 512, 576, 600, 784, 800, 900, 1000, 1024)


@dataclass(frozen=True)
class Form:
    """One way to initialize that a question can name."""

    key: str
    method: str  # "xavier" | "he"
    dist: str  # "normal" | "uniform"
    convention: str  # "paper" | "pytorch" | "textbook"
    how_ja: str  # how the stem says it is initialized ({mode}: the torch call's mode argument)
    how_en: str
    gain: str = "linear"  # the nonlinearity whose gain torch multiplies in
    asks: tuple[str, ...] = ("std", "var")
    act: str = ""  # the layer's activation, when the form depends on it


FORMS = {f.key: f for f in (
    Form("glorot_uniform", "xavier", "uniform", "paper",
         "Glorot & Bengio (2010) の Xavier の初期値で一様分布 $U(-a,\\ a)$ から初期化する"
         "（PyTorch の `torch.nn.init.xavier_uniform_(W)` と同じ）",
         "with Glorot & Bengio's (2010) Xavier initialization, uniform $U(-a,\\ a)$ "
         "(as `torch.nn.init.xavier_uniform_(W)`)", asks=("a",)),
    Form("glorot_normal", "xavier", "normal", "paper",
         "Xavier の初期値で、分散が Glorot & Bengio (2010) の $2/(n_{\\mathrm{in}} + n_{\\mathrm{out}})$ の、平均 0 の"
         "正規分布から初期化する（`torch.nn.init.xavier_normal_(W)` と同じ）",
         "with Xavier initialization, normal with mean 0 and Glorot & Bengio's (2010) variance "
         "$2/(n_{\\mathrm{in}} + n_{\\mathrm{out}})$ (as `torch.nn.init.xavier_normal_(W)`)"),
    Form("xavier_tanh", "xavier", "uniform", "pytorch",
         "`torch.nn.init.xavier_uniform_(W, gain=nn.init.calculate_gain('tanh'))` で初期化する"
         "（一様分布 $U(-a,\\ a)$、tanh の gain は $5/3$）",
         "with `torch.nn.init.xavier_uniform_(W, gain=nn.init.calculate_gain('tanh'))` (uniform $U(-a,\\ a)$, "
         "tanh's gain is $5/3$)", gain="tanh", asks=("a",), act="tanh"),
    Form("he_normal", "he", "normal", "paper",
         "He ら (2015) の初期値で、平均 0 の正規分布から初期化する"
         "（`torch.nn.init.kaiming_normal_(W, mode='{mode}', nonlinearity='relu')` と同じ）",
         "with He et al.'s (2015) initialization, normal with mean 0 "
         "(as `torch.nn.init.kaiming_normal_(W, mode='{mode}', nonlinearity='relu')`)", gain="relu", act="ReLU"),
    Form("he_uniform", "he", "uniform", "pytorch",
         "`torch.nn.init.kaiming_uniform_(W, mode='{mode}', nonlinearity='relu')` で初期化する"
         "（He の初期値、一様分布 $U(-a,\\ a)$）",
         "with `torch.nn.init.kaiming_uniform_(W, mode='{mode}', nonlinearity='relu')` (He initialization, uniform "
         "$U(-a,\\ a)$)", gain="relu", asks=("a",), act="ReLU"),
    Form("textbook_xavier", "xavier", "normal", "textbook",
         "『ゼロから作る Deep Learning』6.2 節の Xavier の初期値で、平均 0 の正規分布から初期化する",
         "with the Xavier initialization of ゼロから作る Deep Learning 6.2, normal with mean 0"),
    Form("textbook_he", "he", "normal", "textbook",
         "『ゼロから作る Deep Learning』6.2 節の He の初期値で、平均 0 の正規分布から初期化する",
         "with the He initialization of ゼロから作る Deep Learning 6.2, normal with mean 0", act="ReLU"),
)}

ASKED = {"std": ("標準偏差 $\\sigma$", "the standard deviation $\\sigma$"),
         "var": ("分散 $\\mathrm{Var}[W]$", "the variance $\\mathrm{Var}[W]$"), "a": ("上限 $a$", "the bound $a$")}


# -- executing the reference code -----------------------------------------------------------------------------------
def scale(form: Form, fan_in: int, fan_out: int, mode: str = "fan_in") -> float:
    """σ (normal) or a (uniform) of ``form``, read from the reference function itself (Probe instead of a generator)."""
    p = Q.Probe()
    if form.convention == "textbook":
        return float(I.init_network([fan_in, fan_out], form.method, rng=p)["W1"][0, 0])
    g = I.gain(form.gain)
    if form.method == "xavier":
        fn = I.xavier_uniform if form.dist == "uniform" else I.xavier_normal
        return float(fn(fan_in, fan_out, gain=g, rng=p)[0, 0])
    fn = I.he_uniform if form.dist == "uniform" else I.he_normal
    return float(fn(fan_in, fan_out, mode=mode, gain=g, rng=p)[0, 0])


def value(given: dict[str, Any]) -> float:
    """The asked quantity of ``given``, executed."""
    form = FORMS[given["form"]]
    s = scale(form, given["fan_in"], given["fan_out"], given.get("mode", "fan_in"))
    return s * s if given["asked"] == "var" else s


# -- mistakes ---------------------------------------------------------------------------------------------------------
M = Q.mistake
SWAP = M("init_xavier_he_swap", "Xavier と He の取り違え", "Xavier and He swapped",
         "Xavier の初期値は分散 2/(n_in + n_out)（ゼロつくの形では 1/n）で sigmoid・tanh 向き、"
         "He の初期値は分散 2/n_in で ReLU 向き。式を取り違えている。",
         "Xavier has variance 2/(n_in + n_out) (1/n in the textbook's form), for sigmoid and tanh; He has 2/n_in, for "
         "ReLU. The two are swapped.", "init_xavier_he_confusion")
VAR_STD = M("init_variance_for_std", "分散と標準偏差の取り違え", "variance and standard deviation confused",
            "標準偏差は分散の平方根。√ を付け忘れたか、逆に分散を聞かれて √ を付けている。",
            "The standard deviation is the square root of the variance: the √ was forgotten (or added).")
STD_BOUND = M("init_std_for_bound", "一様分布の上限に σ をそのまま使った", "σ used as the uniform bound",
              "U(−a, a) の分散は a²/3。分散を σ² にするには a = √3 σ（Xavier なら √(6/(n_in + n_out))）。",
              "U(−a, a) has variance a²/3, so the bound for variance σ² is a = √3 σ (√(6/(n_in + n_out)) for Xavier).")
THREE_SIGMA = M("init_bound_factor", "一様分布の上限と σ の関係の取り違え", "the uniform bound's factor confused",
                "U(−a, a) の分散は a²/3 なので a = √3 σ。3σ や √6 σ ではない（√6 は、Xavier の分散の 2 に 3 を掛けた "
                "√(6/(n_in + n_out)) の中に現れる数）。",
                "U(−a, a) has variance a²/3, so a = √3 σ, not 3σ or √6 σ (the 6 of √(6/(n_in + n_out)) is Xavier's 2 "
                "times 3).")
FAN_IN_ONLY = M("init_fan_in_only", "Xavier で n_in だけを使った", "Xavier with n_in only",
                "Glorot & Bengio の分散は 2/(n_in + n_out)。1/n_in はゼロつくの簡略な形で、"
                "n_in = n_out のときだけ一致する。",
                "Glorot & Bengio's variance is 2/(n_in + n_out); 1/n_in is the textbook's short form, equal only when "
                "n_in = n_out.", "init_xavier_he_confusion")
FAN_SWAP = M("init_fan_mode_swap", "fan_in と fan_out の取り違え", "fan_in and fan_out swapped",
             "順伝播の分散を保つには入力側のノード数（fan_in、前の層のノード数）で割る。"
             "mode='fan_out' は逆伝播の勾配の分散を保つ選び方。",
             "To keep the forward variance divide by the number of inputs (fan_in, the previous layer's nodes); "
             "mode='fan_out' keeps the backward variance instead.")
NO_GAIN = M("init_no_gain", "gain（活性化関数の補正）を忘れた", "the gain forgotten",
            "ReLU は負の側を 0 にして 2 乗平均を半分にするので、He の初期値は gain √2 を掛けて分散 2/n にする。"
            "tanh の gain は 5/3。",
            "ReLU zeroes the negative half and halves the mean square, so He multiplies by the gain √2 (variance 2/n); "
            "tanh's gain is 5/3.")
SQRT_TOP = M("init_sqrt_numerator_only", "√ を分子だけにかけた", "the square root over the numerator only",
             "√(6/(n_in + n_out)) は分母も含めて平方根を取る。√6/(n_in + n_out) ではない。",
             "The square root covers the whole fraction: √(6/(n_in + n_out)), not √6/(n_in + n_out).")


def _alternative(given: dict[str, Any], *, method: str | None = None, fan_in: int | None = None,
                 fan_out: int | None = None, gain: float | None = None) -> float:
    """The form's σ or a recomputed with one thing changed (a mistake), by the closed forms of the rules."""
    form = FORMS[given["form"]]
    n_in = fan_in if fan_in is not None else given["fan_in"]
    n_out = fan_out if fan_out is not None else given["fan_out"]
    method = method or form.method
    g = gain if gain is not None else I.gain(form.gain)
    if form.convention == "textbook":
        var = (2.0 if method == "he" else 1.0) / n_in
    elif method == "xavier":
        var = g * g * 2.0 / (n_in + n_out) if form.method == "xavier" else 2.0 / (n_in + n_out)
    else:
        fan = n_out if given.get("mode") == "fan_out" else n_in
        var = (g * g if form.method == "he" else 2.0) / fan
    s = float(np.sqrt(3 * var) if form.dist == "uniform" else np.sqrt(var))
    return s * s if given["asked"] == "var" else s


def mistakes(given: dict[str, Any]) -> list[tuple[Q.Mistake, float | None]]:
    form = FORMS[given["form"]]
    asked, n_in, n_out = given["asked"], given["fan_in"], given["fan_out"]
    key = value(given)
    out: list[tuple[Q.Mistake, float | None]] = []
    out.append((SWAP, _alternative(given, method="he" if form.method == "xavier" else "xavier")))
    if asked in ("std", "var"):
        out.append((VAR_STD, key * key if asked == "std" else float(np.sqrt(key))))
    if asked == "a":
        sigma = key / np.sqrt(3.0)
        out.append((STD_BOUND, float(sigma)))
        out.append((THREE_SIGMA, float(3 * sigma)))
    if form.method == "xavier" and form.convention != "textbook":
        g = I.gain(form.gain)
        var = g * g / n_in
        out.append((FAN_IN_ONLY, float(np.sqrt(3 * var) if form.dist == "uniform" else np.sqrt(var))
                    if asked != "var" else var))
        total = (6.0 if form.dist == "uniform" else 2.0)
        if asked != "var":
            out.append((SQRT_TOP, float(g * np.sqrt(total) / (n_in + n_out))))
    if form.method == "he" and form.convention != "textbook":
        swapped = dict(given, mode="fan_out" if given.get("mode", "fan_in") == "fan_in" else "fan_in")
        out.append((FAN_SWAP, value(swapped)))
        out.append((NO_GAIN, _alternative(given, gain=1.0)))
        if asked != "var":
            fan = n_out if given.get("mode") == "fan_out" else n_in
            out.append((SQRT_TOP, float(np.sqrt(6.0 if form.dist == "uniform" else 2.0) / fan)))
    if form.key == "xavier_tanh":
        out.append((NO_GAIN, _alternative(given, gain=1.0)))
    if form.convention == "textbook":
        out.append((FAN_SWAP, _alternative(given, fan_in=n_out)))
    return out


# -- drawing ----------------------------------------------------------------------------------------------------------
def _square(q: Fraction) -> bool:
    return q > 0 and isqrt(q.numerator) ** 2 == q.numerator and isqrt(q.denominator) ** 2 == q.denominator


@cache
def nice_pairs(form_key: str, mode: str, asked: str) -> tuple[tuple[int, int], ...]:
    """(fan_in, fan_out) from SIZES whose key is a square root of a simple fraction (the variance is any fraction)."""
    form = FORMS[form_key]
    out = []
    for n_in in SIZES:
        for n_out in SIZES:
            if form.convention == "textbook":
                var = Fraction(2 if form.method == "he" else 1, n_in)
            elif form.method == "xavier":
                var = Fraction(2, n_in + n_out)
            else:
                var = Fraction(2, n_out if mode == "fan_out" else n_in)
            third = var * 3 if form.dist == "uniform" else var
            if asked == "var" and var.denominator <= 1000 or asked != "var" and _square(third):
                out.append((n_in, n_out))
    return tuple(out)


def draw_given(rng: np.random.Generator, form_key: str | None = None) -> dict[str, Any]:
    form = FORMS[form_key or C.pick(rng, list(FORMS))]
    asked = C.pick(rng, form.asks)
    mode = "fan_out" if form.method == "he" and form.convention != "textbook" and rng.random() < 0.25 else "fan_in"
    pairs = nice_pairs(form.key, mode, asked)
    n_in, n_out = C.pick(rng, pairs)
    given = {"form": form.key, "fan_in": int(n_in), "fan_out": int(n_out), "asked": asked}
    if form.method == "he" and form.convention != "textbook":
        given["mode"] = mode
    return given


def make(rng: np.random.Generator, form_key: str | None = None) -> Q.Numeric | None:
    given = draw_given(rng, form_key)
    return Q.evaluate(given, value(given), mistakes(given))


# -- text -----------------------------------------------------------------------------------------------------------
@cache
def _rule(method: str, convention: str):
    """The init rule, built once (its LaTeX templates are kept on the object)."""
    return I.rule(method, convention)


def stem(var: Q.Numeric, lang: str) -> str:
    g = var.given
    form = FORMS[g["form"]]
    asked_ja, asked_en = ASKED[g["asked"]]
    how = (form.how_ja if lang == "ja" else form.how_en).replace("{mode}", g.get("mode", "fan_in"))
    act_ja = f"で、活性化関数が {form.act} の" if form.act else "の"
    act_en = f" whose activation is {form.act}" if form.act else ""
    if form.convention == "textbook":
        if lang == "ja":
            return (f"前の層のノード数が $n = {g['fan_in']}$、この層のノード数が {g['fan_out']}{act_ja}全結合層の"
                    f"重み $W$ を、{how}。重みの{asked_ja} の値として最も近いものを選べ。")
        return (f"The weights $W$ of a fully connected layer{act_en}, with $n = {g['fan_in']}$ nodes in the previous "
                f"layer and {g['fan_out']} in this one, are initialized {how}. Choose the value closest to {asked_en}.")
    if lang == "ja":
        return (f"入力側のノード数が $n_{{\\mathrm{{in}}}} = {g['fan_in']}$（fan_in）、出力側のノード数が "
                f"$n_{{\\mathrm{{out}}}} = {g['fan_out']}$（fan_out）{act_ja}全結合層の重み $W$ を、{how}。"
                f"{asked_ja} の値として最も近いものを選べ。")
    return (f"The weights $W$ of a fully connected layer{act_en} with $n_{{\\mathrm{{in}}}} = {g['fan_in']}$ inputs "
            f"(fan_in) and $n_{{\\mathrm{{out}}}} = {g['fan_out']}$ outputs (fan_out) are initialized {how}. "
            f"Choose the value closest to {asked_en}.")


def solution(var: Q.Numeric, lang: str) -> list[SolutionStep]:
    g = var.given
    form = FORMS[g["form"]]
    convention = "textbook" if form.convention == "textbook" else ("pytorch" if form.gain == "tanh" else "paper")
    rule = _rule(form.method, convention)
    if convention == "textbook":
        env = {"n": g["fan_in"]}
    elif form.method == "xavier":
        env = {"n_in": g["fan_in"], "n_out": g["fan_out"], "gain": I.gain(form.gain)}
    else:
        env = {"n_in": g["fan_out"] if g.get("mode") == "fan_out" else g["fan_in"]}
    log: list = []
    rule.step(env, log)
    from ..formulas import substitution

    lines = [substitution(rule, i, inputs, result) for i, (_, inputs, result) in enumerate(log)
             if rule.assignments[i][0] in ("var", "std" if form.dist == "normal" else "a")]
    intro = (f"{rule.note}。" + ("mode='fan_out' なので $n_{\\mathrm{in}}$ の代わりに $n_{\\mathrm{out}}$ を使う。"
                                 if g.get("mode") == "fan_out" else "")) if lang == "ja" else rule.note
    out = [SolutionStep(intro, "\\begin{gathered}\n" + " \\\\\n".join(lines) + "\n\\end{gathered}")]
    shown = C.round_text(var.key, var.decimals)
    asked_ja, asked_en = ASKED[g["asked"]]
    text = (f"よって{asked_ja} は {number(var.key)}、最も近い選択肢は **{shown}**。" if lang == "ja" else
            f"So {asked_en} is {number(var.key)}: **{shown}**.")
    out.append(SolutionStep(text))
    return out


def tags() -> dict[str, Any]:
    return {"optimizer": None, "topic": TOPIC, "syllabus": True, "format": "F5"}


# -- code blanks ------------------------------------------------------------------------------------------------------
def _witness_network(fn) -> list[np.ndarray]:
    out = []
    for method in ("relu", "xavier"):
        p = fn([4, 3, 2], method, rng=np.random.default_rng(0))
        out += [p["W1"], p["W2"], p["b1"]]
    return out


def _witness_function(fn) -> list[np.ndarray]:
    import inspect

    kw = {"mode": "fan_in"} if "mode" in inspect.signature(fn).parameters else {}
    return [fn(4, 3, rng=np.random.default_rng(0), **kw), fn(2, 5, rng=np.random.default_rng(1), **kw)]


CODE_MUTATIONS = (
    (r"np\.sqrt\(2\.0 / n\)", "np.sqrt(1.0 / n)", SWAP.name),
    (r"np\.sqrt\(1\.0 / n\)", "np.sqrt(2.0 / n)", SWAP.name),
    (r"np\.sqrt\((\d\.0) / n\)", r"\1 / n", VAR_STD.name),
    (r"np\.sqrt\(2\.0 / n\)", "np.sqrt(2.0) / n", SQRT_TOP.name),
    (r"n = sizes\[idx - 1\]", "n = sizes[idx]", FAN_SWAP.name),
    (r"np\.sqrt\(2\.0 / \(fan_in \+ fan_out\)\)", "np.sqrt(2.0 / fan_in)", SWAP.name),
    (r"np\.sqrt\(2\.0 / \(fan_in \+ fan_out\)\)", "np.sqrt(1.0 / fan_in)", FAN_IN_ONLY.name),
    (r"np\.sqrt\(2\.0 / \(fan_in \+ fan_out\)\)", "2.0 / (fan_in + fan_out)", VAR_STD.name),
    (r"np\.sqrt\(2\.0 / \(fan_in \+ fan_out\)\)", "np.sqrt(2.0) / (fan_in + fan_out)", SQRT_TOP.name),
    (r"np\.sqrt\(3\.0\) \* std", "std", STD_BOUND.name),
    (r"np\.sqrt\(3\.0\) \* std", "3.0 * std", THREE_SIGMA.name),
    (r"np\.sqrt\(3\.0\) \* std", "np.sqrt(6.0) * std", THREE_SIGMA.name),
    (r"fan_in if mode == \"fan_in\" else fan_out", 'fan_out if mode == "fan_in" else fan_in', FAN_SWAP.name),
    (r"gain / np\.sqrt\(fan\)", "1.0 / np.sqrt(fan)", NO_GAIN.name),
    (r"gain / np\.sqrt\(fan\)", "gain / fan", VAR_STD.name),
    (r"gain / np\.sqrt\(fan\)", "gain * np.sqrt(2.0 / (fan_in + fan_out))", SWAP.name),
)

CODE = (
    Q.CodeSource("init_network", I.init_network, _witness_network,
                 "『ゼロから作る Deep Learning』6.2 節の形で、前の層のノード数 n から重みの標準偏差を決めて"
                 "ネットワークの重みを初期化する関数",
                 "the textbook's weight initialization (ゼロから作る Deep Learning 6.2)",
                 "sizes = [4, 3, 2]、'relu' と 'xavier'、乱数の種 0 で実行する",
                 "running it with sizes [4, 3, 2], 'relu' and 'xavier', seed 0", CODE_MUTATIONS),
    Q.CodeSource("xavier_uniform", I.xavier_uniform, _witness_function,
                 "Xavier の初期値で重みを一様分布 $U(-a,\\ a)$ から引く関数",
                 "a function drawing weights with Xavier initialization from $U(-a,\\ a)$",
                 "xavier_uniform(4, 3) と xavier_uniform(2, 5) を乱数の種 0, 1 で実行する",
                 "running xavier_uniform(4, 3) and (2, 5) with seeds 0 and 1", CODE_MUTATIONS),
    Q.CodeSource("he_uniform", I.he_uniform, _witness_function,
                 "He の初期値で重みを一様分布 $U(-a,\\ a)$ から引く関数",
                 "a function drawing weights with He initialization from $U(-a,\\ a)$",
                 "he_uniform(4, 3) と he_uniform(2, 5) を乱数の種 0, 1 で実行する",
                 "running he_uniform(4, 3) and (2, 5) with seeds 0 and 1", CODE_MUTATIONS),
)


# -- formulas to choose from ------------------------------------------------------------------------------------------
_n_in, _n_out, _n = sp.symbols("n_in n_out n", positive=True)
_NAMES = {_n_in: r"n_{\mathrm{in}}", _n_out: r"n_{\mathrm{out}}", _n: "n"}
_WHERE_JA = r"$n_{\mathrm{in}}$ は入力側のノード数（fan_in）、$n_{\mathrm{out}}$ は出力側のノード数（fan_out）"
_WHERE_EN = r"$n_{\mathrm{in}}$ is the number of inputs (fan_in), $n_{\mathrm{out}}$ the number of outputs (fan_out)"
_POINTS = ({"n_in": 100.0, "n_out": 300.0, "n": 100.0}, {"n_in": 64.0, "n_out": 64.0, "n": 50.0})


def _s(expr: str) -> Any:
    return sp.parse_expr(expr, local_dict={"n_in": _n_in, "n_out": _n_out, "n": _n}, evaluate=False)


FORMULAS = (
    Q.FormulaItem("glorot_uniform_bound", "Xavier の初期値を一様分布 $U(-a,\\ a)$ で行うときの上限 $a$",
                  "the bound $a$ of Xavier initialization with $U(-a,\\ a)$", "a", _s("sqrt(6/(n_in + n_out))"),
                  ((STD_BOUND.name, _s("sqrt(2/(n_in + n_out))")), (SWAP.name, _s("sqrt(6/n_in)")),
                   (SQRT_TOP.name, _s("sqrt(6)/(n_in + n_out)")), (FAN_IN_ONLY.name, _s("sqrt(3/n_in)")),
                   (THREE_SIGMA.name, _s("3*sqrt(2/(n_in + n_out))"))),
                  _NAMES, _WHERE_JA, _WHERE_EN, _POINTS, "Glorot & Bengio 2010"),
    Q.FormulaItem("glorot_normal_std", "Xavier の初期値を正規分布で行うときの標準偏差 $\\sigma$",
                  "the standard deviation σ of Xavier initialization with a normal distribution", r"\sigma",
                  _s("sqrt(2/(n_in + n_out))"),
                  ((VAR_STD.name, _s("2/(n_in + n_out)")), (SWAP.name, _s("sqrt(2/n_in)")),
                   (SQRT_TOP.name, _s("sqrt(2)/(n_in + n_out)")), (FAN_IN_ONLY.name, _s("sqrt(n_in**-1)")),
                   (STD_BOUND.name, _s("sqrt(6/(n_in + n_out))"))),
                  _NAMES, _WHERE_JA, _WHERE_EN, _POINTS, "Glorot & Bengio 2010 の分散、torch.nn.init.xavier_normal_"),
    Q.FormulaItem("he_normal_std", "ReLU の層で He の初期値を正規分布で行うときの標準偏差 $\\sigma$",
                  "the standard deviation σ of He initialization (ReLU) with a normal distribution", r"\sigma",
                  _s("sqrt(2/n_in)"),
                  ((VAR_STD.name, _s("2/n_in")), (SWAP.name, _s("sqrt(2/(n_in + n_out))")),
                   (NO_GAIN.name, _s("sqrt(n_in**-1)")), (FAN_SWAP.name, _s("sqrt(2/n_out)")),
                   (SQRT_TOP.name, _s("sqrt(2)/n_in"))),
                  _NAMES, _WHERE_JA, _WHERE_EN, _POINTS, "He ら 2015"),
    Q.FormulaItem("he_uniform_bound", "ReLU の層で He の初期値を一様分布 $U(-a,\\ a)$ で行うときの上限 $a$",
                  "the bound $a$ of He initialization (ReLU) with $U(-a,\\ a)$", "a", _s("sqrt(6/n_in)"),
                  ((STD_BOUND.name, _s("sqrt(2/n_in)")), (SWAP.name, _s("sqrt(6/(n_in + n_out))")),
                   (NO_GAIN.name, _s("sqrt(3/n_in)")), (FAN_SWAP.name, _s("sqrt(6/n_out)")),
                   (THREE_SIGMA.name, _s("3*sqrt(2/n_in)"))),
                  _NAMES, _WHERE_JA, _WHERE_EN, _POINTS, "torch.nn.init.kaiming_uniform_"),
    Q.FormulaItem("textbook_xavier_std", "『ゼロから作る Deep Learning』の Xavier の初期値の標準偏差",
                  "the standard deviation of the textbook's Xavier initialization", r"\sigma", _s("sqrt(n**-1)"),
                  ((SWAP.name, _s("sqrt(2/n)")), (VAR_STD.name, _s("n**-1")), (SQRT_TOP.name, _s("n**-2")),
                   (THREE_SIGMA.name, _s("sqrt(3/n)"))),
                  _NAMES, "$n$ は前の層のノード数", "$n$ is the number of nodes in the previous layer", _POINTS,
                  "ゼロつく 6.2 節"),
)


# -- proofs the page shows ----------------------------------------------------------------------------------------
def findings() -> list[Any]:
    """Sympy proofs and executed checks about the initialization formulas (rendered by the page)."""
    from ..equivalence import Finding

    out = []
    a, x, sigma = sp.symbols("a x sigma", positive=True)
    var_uniform = sp.integrate(x**2 / (2 * a), (x, -a, a))  # E[x²] of U(−a, a)
    bound = sp.sqrt(3) * sp.sqrt(2 / (_n_in + _n_out))
    env = I.rule("xavier", "paper")
    out.append(Finding(
        "init_uniform_bound", "一様分布の上限 a = √(3 Var)",
        "U(−a, a) の分散を積分で求めると a²/3 なので、分散を Var にする上限は a = √(3 Var)。Xavier の分散 "
        "2/(n_in + n_out) を入れると a = √(6/(n_in + n_out)) になる（Glorot & Bengio の式 (16)）。",
        True, {"∫ x²/(2a) dx − a²/3": sp.simplify(var_uniform - a**2 / 3),
               "√(3·2/(n_in + n_out)) − √(6/(n_in + n_out))": sp.simplify(bound - sp.sqrt(6 / (_n_in + _n_out)))},
        latex={"Var[U(−a, a)]": sp.latex(var_uniform), "a": sp.latex(sp.sqrt(6) / sp.sqrt(_n_in + _n_out),
                                                                    symbol_names=_NAMES)}))
    n = _n
    residual = sp.simplify(2 / (n + n) - 1 / n)
    out.append(Finding(
        "init_textbook_is_glorot_square", "ゼロつくの Xavier（1/n）は n_in = n_out のときの Glorot の式",
        "『ゼロから作る Deep Learning』の Xavier の初期値は分散 1/n（n は前の層のノード数）。Glorot & Bengio の "
        "2/(n_in + n_out) に n_in = n_out = n を入れると 1/n になる（前後の層のノード数が等しい実験なので同じ値）。",
        residual == 0, {"2/(n + n) − 1/n": residual}))
    z = sp.Symbol("z", real=True)
    density = sp.exp(-z**2 / (2 * sigma**2)) / sp.sqrt(2 * sp.pi * sigma**2)
    relu_sq = sp.integrate(z**2 * density, (z, 0, sp.oo))  # E[ReLU(z)²] for z ~ N(0, σ²)
    out.append(Finding(
        "init_he_half", "ReLU は 2 乗平均を半分にする（He の初期値の √2）",
        "平均 0、分散 σ² の正規分布に従う z について E[ReLU(z)²] = σ²/2。層の出力の分散を保つ条件 "
        "n·Var[W]·σ²/2 = σ² から Var[W] = 2/n（He ら (2015) の式 (10)）。gain² = 2 が ReLU の補正。",
        True, {"E[ReLU(z)²] − σ²/2": sp.simplify(relu_sq - sigma**2 / 2)},
        latex={"E[ReLU(z)²]": sp.latex(relu_sq)}))
    rng = np.random.default_rng(0)
    w = I.xavier_uniform(400, 600, rng=rng)
    std = float(env.step({"n_in": 400, "n_out": 600})["std"])
    out.append(Finding(
        "init_draws", "実際に引いた重みの標準偏差",
        "xavier_uniform(400, 600) で引いた 24 万個の重みの標本標準偏差と、式の σ = √(2/(n_in + n_out))。",
        None, figures={"式の σ": std, "標本の標準偏差": float(w.std()), "標本の最大の絶対値": float(np.abs(w).max()),
                       "式の a": float(np.sqrt(3) * std)}))
    return out

