"""Limits and thresholds (format F5): computed by the reference code, proven with sympy, four choices.

Four kinds of question (option ``ask``):

- ``stability`` (SGD): on L = (a/2)w² the step is w ← (1 − ηa)w, so w converges exactly when 0 < η < 2/a.
  sympy solves |1 − ηa| < 1 for η; the reference class is run at 0.95 and 1.05 times the bound (it must
  converge below and diverge above). Wrong choices: 1/a (the bound of monotone convergence), 4/a (the
  derivative of w² taken without its factor 2), and "any η > 0".
- ``terminal_velocity`` (Momentum): with a constant gradient g the velocity tends to the fixed point of
  v ← αv − ηg, −ηg/(1 − α). sympy finds the fixed point of the rule and of each mistaken rule and proves it is
  the limit of the geometric series; the class (and each mistaken rule) is run until it settles there.
- ``adagrad_ratio`` (AdaGrad): after t equal gradients h = t·g², so the t-th step is 1/√t times the first
  (ε ignored). The rule is run t steps on sympy symbols η and g (the ratio must not depend on them) and the
  class is run with the drawn numbers (ε = 0); the mistaken rules (no square root, no accumulation) likewise.
- ``steps_until`` (SGD): the number of updates until |w| first falls to a fraction f of |w₀| or below:
  the smallest t with |1 − ηa|ᵗ ≤ f, found in exact rational arithmetic (and checked against sympy's
  ⌈log f / log|1 − ηa|⌉), and by counting the class's updates. Wrong choices: one update short, one too many,
  and the derivative without its factor 2.

Every wrong choice is a named mistake (``quizgen.mistakes``) or a misconception of the concept bank, and every
two numbers shown differ by at least five units of the last digit shown. ``given`` holds the inputs (the loss
coefficient, hyperparameters, the gradient, t, the fraction) from which a reader recomputes the key.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from typing import Any

import numpy as np
import sympy as sp

import optimizers

from ..question import Answer, Choice, Question, SolutionStep
from . import _common as C
from ._run import run_rule

KIND = "choice"
TITLE = ("限界値・しきい値（コードで求め sympy で証明した 4 択）",
         "limits and thresholds (computed, proven with sympy)")

ASKS = {"stability": "sgd", "terminal_velocity": "momentum", "adagrad_ratio": "adagrad", "steps_until": "sgd"}
GAP = 5  # every two numbers shown differ by at least this many units of the last digit shown

OPTIONS = [
    C.Option("optimizer", "optimizer key (sgd, momentum, adagrad); drawn when omitted", None, None, C.optimizer_key),
    C.Option("ask", "stability, terminal_velocity, adagrad_ratio or steps_until; drawn when omitted", None,
             tuple(ASKS)),
]

G = C.grid
CURVATURES = G(["0.5", "2.0", "4.0", "5.0", "8.0", "10.0", "20.0", "25.0", "40.0", "50.0", "100.0"])
LRS = G(["0.01", "0.02", "0.05", "0.1", "0.2", "0.5"])
MOMENTA = G(["0.5", "0.75", "0.8", "0.9"])
GRADS = G(["0.2", "0.5", "1.0", "2.0", "4.0", "-0.5", "-1.0", "-2.0"])
TS = (2, 3, 4, 5, 9, 10, 16, 25, 36, 50, 64, 100)
STARTS = G(["1.0", "2.0", "-1.5", "0.8", "-3.0"])
FRACTIONS = G(["0.5", "0.1", "0.01", "0.001"])
STEP_CURVATURES = G(["1.0", "2.0", "4.0", "5.0", "10.0"])
STEP_LRS = G(["0.01", "0.02", "0.05", "0.1", "0.2", "0.3", "0.4", "0.5"])


@dataclass
class Pick:
    """One choice before shuffling: its text, value (numbers), the mistake or misconception it models."""

    text: str
    value: float | None
    mistake: str | None
    feedback: str


@dataclass
class Drawn:
    ask: str
    optimizer: str
    given: dict[str, Any]
    stem: str
    key: Pick
    wrong: list[Pick]
    solution: list[SolutionStep] = field(default_factory=list)
    difficulty: int = 2


def loss_text(a: Fraction) -> str:
    """L(w) = (a/2)w² with the numbers in: 「L(w) = 5 w^2」 (a = 10), 「L(w) = w^2」 (a = 2)."""
    half = _dec(a / 2)
    return "L(w) = w^2" if half == "1" else f"L(w) = {half} w^2"


def sci(x: float) -> str:
    """A number for math: 0.25, or 5.0 \\times 10^{-19} for a very small or large one."""
    x = abs(float(x))
    if 1e-3 <= x < 1e4:
        return f"{x:.3g}"
    mantissa, exponent = f"{x:.1e}".split("e")
    return f"{mantissa} \\times 10^{{{int(exponent)}}}"


def _frac(x: float) -> Fraction:
    return Fraction(repr(float(x)))


def _dec(q: Fraction | sp.Rational) -> str:
    """An exact terminating decimal as its shortest text (0.125, 2, 0.04)."""
    q = Fraction(int(sp.Rational(q).p), int(sp.Rational(q).q)) if isinstance(q, sp.Basic) else q
    text = f"{float(q):.12f}".rstrip("0").rstrip(".")
    if Fraction(text) != q:
        raise ValueError(f"{q} is not a short terminating decimal")
    return text


def _misconception(tag: str, lang: str) -> str:
    from . import concepts

    m = concepts._bank(None).misconceptions[tag]
    return m.ja if lang == "ja" else m.en


def _mistake_text(name: str, lang: str) -> str:
    from .. import mistakes as M

    m = M.get(name)
    return f"{m.title(lang)}: {m.feedback(lang)}"


def apart(values: list[float], decimals: int) -> bool:
    unit = 10.0 ** (-decimals)
    return all(abs(a - b) >= GAP * unit - 1e-12 for i, a in enumerate(values) for b in values[i + 1:])


# -- stability --------------------------------------------------------------------------------------------
@cache
def stability_bound(a: Fraction) -> sp.Interval:
    """sympy: the set of η > 0 with |1 − ηa| < 1 (w ← (1 − ηa)w converges)."""
    eta = sp.Symbol("eta", positive=True)
    return sp.solve_univariate_inequality(sp.Abs(1 - eta * sp.Rational(a.numerator, a.denominator)) < 1, eta,
                                          relational=False)


def sgd_run(a: float, lr: float, w0: float, steps: int) -> list[float]:
    """The reference SGD class on L = (a/2)w² (gradient a·w): |w| after each update."""
    opt = optimizers.SGD(lr=lr)
    params = {"W": np.array([w0])}
    out = []
    with np.errstate(all="ignore"):
        for _ in range(steps):
            opt.update(params, {"W": a * params["W"].copy()})
            out.append(float(params["W"][0]))
    return out


def _stability(r: np.random.Generator, lang: str) -> Drawn:
    a = C.pick(r, CURVATURES)
    fa = _frac(a)
    interval = stability_bound(fa)
    bound = Fraction(str(interval.end))
    if not (interval.start == 0 and interval.left_open and interval.right_open and bound == 2 / fa):
        raise AssertionError(f"stability: sympy gives {interval} for a = {a}")
    # executed: just below the bound the class converges, just above it diverges
    below = sgd_run(a, float(bound) * 0.95, 1.0, 400)
    above = sgd_run(a, float(bound) * 1.05, 1.0, 400)
    if not (abs(below[-1]) < 1e-6 and abs(above[-1]) > 1e6):
        raise AssertionError(f"stability: the class does not change behaviour at η = {bound} for a = {a}")
    ja = lang == "ja"
    A = _dec(fa)

    def rng_text(x: Fraction) -> str:
        return f"$0 < \\eta < {_dec(x)}$"

    key = Pick(rng_text(bound), float(bound), None, "正解。" if ja else "Correct.")
    wrong = [
        Pick(rng_text(1 / fa), float(1 / fa), "stability_bound_wrong_coefficient",
             (f"$\\eta < 1/a = {_dec(1 / fa)}$ は符号を変えずに（振動せずに）収束する範囲。$1/a < \\eta < 2/a$ でも "
              f"$|1 - a\\eta| < 1$ なので、振動しながら収束する。" if ja else
              f"$\\eta < 1/a = {_dec(1 / fa)}$ is where $w$ converges without changing sign; for "
              f"$1/a < \\eta < 2/a$ it still converges, oscillating, since $|1 - a\\eta| < 1$.")),
        Pick(rng_text(4 / fa), float(4 / fa), "derivative_factor",
             (f"{_mistake_text('derivative_factor', lang)}勾配を $\\frac{{a}}{{2}} w$ とすると、上限が "
              f"$4/a = {_dec(4 / fa)}$ になってしまう。" if ja else
              f"{_mistake_text('derivative_factor', lang)} With the gradient $\\frac{{a}}{{2}} w$ the bound becomes "
              f"$4/a = {_dec(4 / fa)}$.")),
        Pick("$\\eta > 0$ であればどの値でもよい" if ja else "any $\\eta > 0$", None, "lr_bigger_is_faster",
             _misconception("lr_bigger_is_faster", lang)),
    ]
    if ja:
        stem = (f"損失関数 $L(w) = \\frac{{a}}{{2}} w^2$（$a = {A}$、つまり ${loss_text(fa)}$）に、学習率 $\\eta$ の"
                f"勾配降下法（SGD）を適用する。パラメータ $w$ が発散せずに 0 に収束する $\\eta$ の範囲として"
                f"正しいものを選べ。ただし、初期値は $w_0 \\neq 0$ とする。")
    else:
        stem = (f"Gradient descent (SGD) with learning rate $\\eta$ is applied to the loss "
                f"$L(w) = \\frac{{a}}{{2}} w^2$ with $a = {A}$ (${loss_text(fa)}$). Choose the range of $\\eta$ for "
                f"which $w$ converges to 0 (from any $w_0 \\neq 0$).")
    lo, hi = float(bound) * 0.95, float(bound) * 1.05
    solution = [
        SolutionStep(f"勾配は ${A} w$ なので、1 回の更新は次のとおり。" if ja else f"The gradient is ${A} w$, so",
                     f"w_{{t+1}} = w_t - \\eta \\cdot {A} w_t = (1 - {A}\\eta) w_t"),
        SolutionStep((f"$|1 - {A}\\eta| < 1$ のときに限り $w_t \\to 0$。これを解くと（sympy）"
                      if ja else f"$w_t \\to 0$ exactly when $|1 - {A}\\eta| < 1$, i.e. (sympy)"),
                     f"0 < \\eta < \\frac{{2}}{{{A}}} = {_dec(bound)}"),
        SolutionStep((f"参照実装で確かめると（$w_0 = 1$）、$\\eta = {lo:.4g}$ では 400 回後に "
                      f"$|w| = {sci(below[-1])}$、$\\eta = {hi:.4g}$ では $|w| = {sci(above[-1])}$。"
                      f"$\\eta$ が $1/{A} = {_dec(1 / fa)}$ と $2/{A}$ の間なら、符号を変えながら（振動しながら）"
                      f"収束する。") if ja else
                     (f"Executed ($w_0 = 1$): with $\\eta = {lo:.4g}$, $|w| = {sci(below[-1])}$ after 400 updates; "
                      f"with $\\eta = {hi:.4g}$, $|w| = {sci(above[-1])}$.")),
    ]
    given = {"ask": "stability", "optimizer": "sgd", "loss": {"a": a}}
    return Drawn("stability", "sgd", given, stem, key, wrong, solution, 2)


# -- terminal velocity ------------------------------------------------------------------------------------
@cache
def velocity_limit(alpha: float) -> sp.Expr:
    """sympy: lim_{t→∞} v_t for v ← αv − ηg from v = 0 at this α, i.e. the geometric series
    −ηg(1 + α + … + α^{t−1}) summed and taken to the limit (an expression of η and g)."""
    eta, g = sp.Symbol("eta", real=True), sp.Symbol("g", real=True)
    t, k = sp.symbols("t k", integer=True, positive=True)
    a = sp.Rational(repr(alpha))
    return sp.simplify(sp.limit(sp.summation(-eta * g * a**k, (k, 0, t - 1)), t, sp.oo))


@cache
def fixed_point(mistake: str | None) -> sp.Expr | None:
    """The fixed point v* = f(v*) of the v line of Momentum's textbook rule (or of a mistaken rule), as an
    expression of η, α, g (None if the line has no unique fixed point)."""
    from .. import mistakes as M

    rule = optimizers.rule("momentum") if mistake is None else M.get(mistake).rule("momentum")
    expr = dict(rule.assignments)["v"]
    v = rule.symbols["v"].s
    sols = sp.solve(sp.Eq(v, expr), v)
    return sp.simplify(sols[0]) if len(sols) == 1 else None


VELOCITY_MISTAKES = ("sign_flip", "alpha_on_grad", "torch_buffer_as_velocity", "forgot_lr")


def _at_numbers(expr: sp.Expr, lr: float, alpha: float, g: float) -> Fraction:
    subs = {sp.Symbol(n, real=True): sp.Rational(repr(x)) for n, x in (("eta", lr), ("alpha", alpha), ("g", g))}
    val = sp.nsimplify(expr.xreplace(subs))
    return Fraction(int(val.p), int(val.q))


def velocity_run(rule_mistake: str | None, lr: float, alpha: float, g: float, steps: int = 400) -> float:
    """v after ``steps`` updates with the constant gradient ``g``: the class (correct) or the mistaken rule."""
    from .. import mistakes as M

    if rule_mistake is None:
        opt = optimizers.Momentum(lr=lr, momentum=alpha)
        params = {"W": np.array([0.0])}
        for _ in range(steps):
            opt.update(params, {"W": np.array([g])})
        return float(opt.v["W"][0])
    given = {"optimizer": "momentum", "convention": "textbook", "hyperparameters": {"lr": lr, "momentum": alpha},
             "params0": {"W": [0.0]}, "grads": [{"W": [g]}] * steps,
             "asked": {"quantity": "v", "step": steps, "key": "W", "index": 0}}
    return run_rule(M.get(rule_mistake).rule("momentum"), given).value("v", steps, "W")


def _terminal(r: np.random.Generator, lang: str) -> Drawn | None:
    lr, alpha, g = C.pick(r, LRS), C.pick(r, MOMENTA), C.pick(r, GRADS)
    key_v = _at_numbers(fixed_point(None), lr, alpha, g)
    if _at_numbers(velocity_limit(alpha), lr, alpha, g) != key_v:
        raise AssertionError("terminal velocity: the limit of the series is not the rule's fixed point")
    decimals = C.auto_decimals(float(key_v))
    executed = velocity_run(None, lr, alpha, g)
    if abs(executed - float(key_v)) > 1e-9 * max(1.0, abs(float(key_v))):
        raise AssertionError(f"terminal velocity: the class settles at {executed}, not {key_v}")
    ja = lang == "ja"
    cands: list[Pick] = []
    for name in VELOCITY_MISTAKES:
        fp = fixed_point(name)
        if fp is None:
            continue
        value = _at_numbers(fp, lr, alpha, g)
        ran = velocity_run(name, lr, alpha, g)
        if abs(ran - float(value)) > 1e-9 * max(1.0, abs(float(value))):
            continue  # this mistaken rule does not settle (or not there): no limit to offer
        cands.append(Pick(C.round_text(float(value), decimals), float(value), name, _mistake_text(name, lang)))
    sgd = -_frac(lr) * _frac(g)
    cands.append(Pick(C.round_text(float(sgd), decimals), float(sgd), "momentum_effective_lr",
                         _misconception("momentum_effective_lr", lang)))
    key = Pick(C.round_text(float(key_v), decimals), float(key_v), None, "正解。" if ja else "Correct.")
    wrong = _pick_apart(r, key, cands, decimals)
    if wrong is None:
        return None
    if ja:
        stem = (f"モーメンタムの更新 $v \\leftarrow \\alpha v - \\eta g$, $W \\leftarrow W + v$ を、"
                f"$\\eta = {C.fmt(lr)}$, $\\alpha = {C.fmt(alpha)}$, $v$ の初期値 0 で行う。勾配が常に "
                f"$g = {C.fmt(g)}$ で一定のとき、更新を十分多く繰り返すと速度 $v$ はある値に近づく。"
                f"その値として最も近いものを選べ。")
    else:
        stem = (f"Momentum $v \\leftarrow \\alpha v - \\eta g$, $W \\leftarrow W + v$ runs with "
                f"$\\eta = {C.fmt(lr)}$, $\\alpha = {C.fmt(alpha)}$ and $v$ starting at 0. The gradient is always "
                f"$g = {C.fmt(g)}$. After many updates $v$ approaches a value: choose the closest.")
    boost = _sig(Fraction(1) / (1 - _frac(alpha)))
    solution = [
        SolutionStep(("$v_t = -\\eta g (1 + \\alpha + \\dots + \\alpha^{t-1})$ は等比級数で、$|\\alpha| < 1$ なら"
                      "不動点 $v = \\alpha v - \\eta g$ に収束する（sympy）。") if ja else
                     ("$v_t = -\\eta g (1 + \\alpha + \\dots + \\alpha^{t-1})$ is a geometric series; for "
                      "$|\\alpha| < 1$ it tends to the fixed point of $v = \\alpha v - \\eta g$ (sympy)."),
                     f"v_\\infty = -\\frac{{\\eta g}}{{1 - \\alpha}} = -\\frac{{{C.fmt(lr)} \\times {paren(g)}}}"
                     f"{{1 - {C.fmt(alpha)}}} = {C.round_text(float(key_v), decimals)}"),
        SolutionStep((f"1 回の移動量は SGD（$-\\eta g$）の $1/(1 - \\alpha) = {boost}$ "
                      f"倍になる（実効的な学習率 $\\eta/(1 - \\alpha)$）。参照実装を 400 回実行した v も "
                      f"{executed:.6g}。") if ja else
                     (f"Each move is $1/(1 - \\alpha) = {boost}$ times SGD's "
                      f"$-\\eta g$. The reference class after 400 updates: v = {executed:.6g}.")),
    ]
    given = {"ask": "terminal_velocity", "optimizer": "momentum", "hyperparameters": {"lr": lr, "momentum": alpha},
             "g": g, "decimals": decimals}
    return Drawn("terminal_velocity", "momentum", given, stem, key, wrong, solution, 2)


# -- AdaGrad's step ratio ------------------------------------------------------------------------------------
RATIO_MISTAKES = ("no_sqrt", "no_accumulation")


def exact_steps(mistake: str | None, t: int) -> list[sp.Expr]:
    """|ΔW| of each of ``t`` updates with a constant gradient, as exact expressions of η and g (ε = 0): AdaGrad's
    textbook rule (or a mistaken rule) run line by line on sympy symbols."""
    from .. import mistakes as M

    rule = optimizers.rule("adagrad") if mistake is None else M.get(mistake).rule("adagrad")
    names = {s.name: s.s for s in rule.symbols.values()}
    env = {s.s: sp.Integer(0) for s in rule.symbols.values() if s.kind in ("state", "step")}
    env[names["eta"]] = ETA
    env[names["eps"]] = sp.Integer(0)
    env[names["g"]] = GRAD
    out = []
    for _ in range(t):
        env[names["W"]] = sp.Integer(0)  # W does not enter the update: start each step at 0 and read ΔW
        for target, expr in rule.assignments:
            env[names[target]] = expr.xreplace(env)
        out.append(sp.Abs(env[names["W"]]))
    return out


ETA, GRAD = sp.Symbol("eta", positive=True), sp.Symbol("g", nonzero=True, real=True)


def adagrad_run(lr: float, g: float, t: int) -> list[float]:
    """|ΔW| of each update of the reference class (ε = 0) with the constant gradient ``g``."""
    opt = optimizers.AdaGrad(lr=lr, eps=0.0)
    params = {"W": np.array([0.0])}
    out = []
    for _ in range(t):
        before = float(params["W"][0])
        opt.update(params, {"W": np.array([g])})
        out.append(abs(float(params["W"][0]) - before))
    return out


@cache
def ratio_of(mistake: str | None, t: int) -> sp.Expr:
    """|ΔW_t| / |ΔW_1| for every η > 0 and g ≠ 0 (sympy; it must not depend on them)."""
    steps = exact_steps(mistake, t)
    ratio = sp.simplify(steps[-1] / steps[0])
    if ratio.free_symbols:
        raise AssertionError(f"adagrad_ratio: the ratio {ratio} depends on {ratio.free_symbols}")
    return ratio


def _adagrad(r: np.random.Generator, lang: str) -> Drawn | None:
    lr, g, t = C.pick(r, LRS), C.pick(r, GRADS), int(C.pick(r, TS))
    exact = ratio_of(None, t)
    if sp.simplify(exact - 1 / sp.sqrt(t)) != 0:
        raise AssertionError(f"adagrad_ratio: the exact ratio is {exact}, not 1/√{t}")
    ran = adagrad_run(lr, g, t)
    if abs(ran[-1] / ran[0] - float(exact)) > 1e-9:
        raise AssertionError("adagrad_ratio: the class disagrees with the exact ratio")
    decimals = 3
    ja = lang == "ja"
    key = Pick(C.round_text(float(exact), decimals), float(exact), None, "正解。" if ja else "Correct.")
    cands = [Pick(C.round_text(float(ratio_of(n, t)), decimals), float(ratio_of(n, t)), n,
                     _mistake_text(n, lang)) for n in RATIO_MISTAKES]
    grow = math.sqrt(t)
    cands.append(Pick(C.round_text(grow, decimals), grow, "adagrad_direction_of_adaptation",
                         _misconception("adagrad_direction_of_adaptation", lang)))
    wrong = _pick_apart(r, key, cands, decimals)
    if wrong is None:
        return None
    if ja:
        stem = (f"AdaGrad（$h \\leftarrow h + g^2$, $W \\leftarrow W - \\eta g / \\sqrt{{h}}$、$h$ の初期値 0）で、"
                f"$\\eta = {C.fmt(lr)}$、勾配が毎回 $g = {C.fmt(g)}$ で一定とする。{t} 回目の更新量の大きさは、"
                f"1 回目の更新量の大きさの何倍か。最も近いものを選べ。ただし、ゼロ除算を防ぐ微小な値は無視してよい。")
    else:
        stem = (f"AdaGrad ($h \\leftarrow h + g^2$, $W \\leftarrow W - \\eta g / \\sqrt{{h}}$, $h$ starting at 0) "
                f"runs with $\\eta = {C.fmt(lr)}$ and the same gradient $g = {C.fmt(g)}$ every time. How many times "
                f"the first update is the {t}-th update (in size)? Choose the closest; ignore ε.")
    solution = [
        SolutionStep((f"同じ勾配を {t} 回足すと $h_{{{t}}} = {t} g^2$ なので、更新量は" if ja else
                      f"After {t} equal gradients $h_{{{t}}} = {t} g^2$, so the step is"),
                     f"|\\Delta W_{{{t}}}| = \\frac{{\\eta |g|}}{{\\sqrt{{{t} g^2}}}} = "
                     f"\\frac{{\\eta}}{{\\sqrt{{{t}}}}}, \\quad |\\Delta W_1| = \\eta"),
        SolutionStep((f"よって比は $1/\\sqrt{{{t}}} = {key.text}$（sympy で {t} 回の更新を記号のまま計算して確認。"
                      f"参照実装の値は {ran[-1] / ran[0]:.6g}）。学習率は $1/\\sqrt{{t}}$ の速さで小さくなり続ける。")
                     if ja else
                     (f"The ratio is $1/\\sqrt{{{t}}} = {key.text}$ (exact with sympy; the reference class gives "
                      f"{ran[-1] / ran[0]:.6g})."))]
    given = {"ask": "adagrad_ratio", "optimizer": "adagrad", "hyperparameters": {"lr": lr, "eps": 0.0}, "g": g,
             "t": t, "decimals": decimals}
    return Drawn("adagrad_ratio", "adagrad", given, stem, key, wrong, solution, 2)


# -- steps until |w| ≤ f|w0| ---------------------------------------------------------------------------------
def first_step_below(factor: Fraction, f: Fraction, limit: int = 200) -> int | None:
    """The smallest t ≥ 1 with |factor|ᵗ ≤ f, in exact arithmetic (None if none up to ``limit`` or a tie)."""
    q = abs(factor)
    if q >= 1:
        return None
    power = Fraction(1)
    for t in range(1, limit + 1):
        power *= q
        if power == f:
            return None  # exactly on the boundary: 以下 and 未満 would differ
        if power < f:
            return t
    return None


@cache
def steps_proof(factor: Fraction, f: Fraction) -> int:
    """sympy: ⌈log f / log|factor|⌉ (the same count, from logarithms)."""
    q = sp.Rational(abs(factor).numerator, abs(factor).denominator)
    return int(sp.ceiling(sp.log(sp.Rational(f.numerator, f.denominator)) / sp.log(q)))


def _steps_until(r: np.random.Generator, lang: str) -> Drawn | None:
    a, lr = C.pick(r, STEP_CURVATURES), C.pick(r, STEP_LRS)
    f, w0 = C.pick(r, FRACTIONS), C.pick(r, STARTS)
    fa, fl, ff = _frac(a), _frac(lr), _frac(f)
    factor = 1 - fl * fa
    if not Fraction(1, 10) <= abs(factor) <= Fraction(19, 20) or C.significant_decimals(float(factor)) > 2:
        return None  # too fast, too slow, or a factor that is not hand-friendly
    t = first_step_below(factor, ff)
    if t is None or t > 60 or steps_proof(factor, ff) != t:
        return None
    half = 1 - fl * fa / 2
    t_half = first_step_below(half, ff)
    if t_half is None:
        return None
    ws = sgd_run(a, lr, w0, t + 1)
    counted = next(n + 1 for n, w in enumerate(ws) if abs(w) <= f * abs(w0))
    if counted != t:
        raise AssertionError(f"steps_until: the class reaches |w| ≤ {f}|w0| after {counted} updates, not {t}")
    ja = lang == "ja"
    key = Pick(str(t), float(t), None, "正解。" if ja else "Correct.")
    cands = [Pick(str(t - 1), float(t - 1), "one_step_short",
                     _mistake_text("one_step_short", lang) + (f"（{t - 1} 回後の $|w|$ はまだ初期値の "
                                                              f"{_sig(abs(factor) ** (t - 1))} 倍）" if ja else "")),
             Pick(str(t + 1), float(t + 1), "one_step_extra", _mistake_text("one_step_extra", lang)),
             Pick(str(t_half), float(t_half), "derivative_factor",
                     _mistake_text("derivative_factor", lang) + (
                         f"（勾配を半分の ${_dec(fa / 2)} w$ とすると 1 回で {_dec(half)} 倍になり、"
                         f"{t_half} 回と数えてしまう）" if ja else
                         f" (with half the gradient, ${_dec(fa / 2)} w$, each update multiplies w by "
                         f"{_dec(half)}: {t_half} updates)"))]
    if t - 1 < 1 or len({t, t - 1, t + 1, t_half}) < 4:
        return None
    wrong = cands
    loss = loss_text(fa)
    percent = {"0.5": "初期値の半分以下", "0.1": "初期値の 10 分の 1 以下", "0.01": "初期値の 100 分の 1 以下",
               "0.001": "初期値の 1000 分の 1 以下"}[C.fmt(f)]
    if ja:
        stem = (f"損失関数 ${loss}$ に、学習率 $\\eta = {C.fmt(lr)}$ の勾配降下法（SGD）を"
                f"初期値 $w_0 = {C.fmt(w0)}$ から適用する。$|w|$ が初めて{percent}（$|w_t| \\le {C.fmt(f)} \\times "
                f"|w_0|$）になるのは何回目の更新の後か。正しいものを選べ。")
    else:
        stem = (f"Gradient descent (SGD) with $\\eta = {C.fmt(lr)}$ is applied to ${loss}$ from $w_0 = {C.fmt(w0)}$. "
                f"After which update is $|w_t| \\le {C.fmt(f)} \\times |w_0|$ for the first time?")
    solution = [
        SolutionStep("1 回の更新で $w$ は次の倍率になる。" if ja else "Each update multiplies $w$ by",
                     f"w_{{t+1}} = w_t - \\eta \\cdot {_dec(fa)} w_t = (1 - {C.fmt(lr)} \\times {_dec(fa)}) w_t = "
                     f"{_dec(factor)}\\, w_t"),
        SolutionStep((f"$|{_dec(factor)}|^t \\le {C.fmt(f)}$ となる最小の $t$ は "
                      f"$\\lceil \\log {C.fmt(f)} / \\log {_dec(abs(factor))} \\rceil = {t}$"
                      f"（${_dec(abs(factor))}^{{{t - 1}}} {_approx(abs(factor) ** (t - 1))}$、"
                      f"${_dec(abs(factor))}^{{{t}}} {_approx(abs(factor) ** t)}$）。"
                      f"参照実装の更新を数えても {counted} 回目。") if ja else
                     (f"The smallest $t$ with $|{_dec(factor)}|^t \\le {C.fmt(f)}$ is {t} "
                      f"(${_dec(abs(factor))}^{{{t - 1}}} {_approx(abs(factor) ** (t - 1))}$, "
                      f"${_dec(abs(factor))}^{{{t}}} {_approx(abs(factor) ** t)}$); counting the reference "
                      f"class's updates gives {counted} too.")),
    ]
    given = {"ask": "steps_until", "optimizer": "sgd", "hyperparameters": {"lr": lr}, "loss": {"a": a}, "w0": w0,
             "fraction": f}
    return Drawn("steps_until", "sgd", given, stem, key, wrong, solution, 3)


def _sig(x: Fraction) -> str:
    return f"{float(x):.3g}"


def _approx(x: Fraction) -> str:
    """「= 0.04」 when three significant digits are exact, else 「\\approx 0.00131」 (for math)."""
    text = _sig(x)
    return f"= {text}" if Fraction(text) == x else f"\\approx {text}"


def paren(x: float) -> str:
    """A drawn number inside a formula: a negative one in brackets, 「(-2.0)」."""
    return f"({C.fmt(x)})" if x < 0 else C.fmt(x)


# -- shared ---------------------------------------------------------------------------------------------
def _pick_apart(r: np.random.Generator, key: Pick, cands: list[Pick], decimals: int) -> list[Pick] | None:
    """Three candidates (in drawn order) whose values are finite and at least GAP units from the key and from
    each other; None if there are not three."""
    kept: list[Pick] = []
    for i in r.permutation(len(cands)):
        c = cands[int(i)]
        if c.value is None or not math.isfinite(c.value) or not C.stable(c.value, decimals):
            continue
        if apart([key.value] + [k.value for k in kept] + [c.value], decimals):
            kept.append(c)
        if len(kept) == 3:
            return kept
    return None


MAKERS: dict[str, Callable[[np.random.Generator, str], Drawn | None]] = {
    "stability": _stability, "terminal_velocity": _terminal, "adagrad_ratio": _adagrad, "steps_until": _steps_until}


def generate(rng: np.random.Generator, *, lang: str = "ja", render: bool = True, **options: Any) -> Question:
    opts = C.parse_options("threshold", OPTIONS, options)
    r = C.part(rng, "inputs")
    asks = [a for a, k in ASKS.items() if opts["optimizer"] in (None, k) and opts["ask"] in (None, a)]
    if not asks:
        raise ValueError(f"threshold: no question about {opts['optimizer']}"
                         + (f" with ask={opts['ask']}" if opts["ask"] else "")
                         + f"; threshold asks about {', '.join(sorted(set(ASKS.values())))}")
    ask = C.pick(r, asks)
    for _ in range(C.MAX_TRIES):
        drawn = MAKERS[ask](r, lang)
        if drawn is not None:
            break
    else:
        raise C.GenerationError(f"threshold: no acceptable {ask} variant")
    correct = Choice(drawn.key.text, True, drawn.key.value, None, drawn.key.feedback)
    wrong = [Choice(w.text, False, w.value, w.mistake, w.feedback) for w in drawn.wrong]
    choices, index = C.place(C.part(rng, "order"), correct, wrong)
    info = optimizers.get(drawn.optimizer).INFO
    return Question(
        id="", family="threshold", seed=0, lang=lang, kind=KIND, stem=drawn.stem, answer=Answer(index=index),
        choices=choices, solution=drawn.solution if render else [], given=drawn.given,
        tags={"optimizer": drawn.optimizer, "topic": drawn.ask, "syllabus": info.syllabus,
              "difficulty": drawn.difficulty, "format": "F5"},
        options={k: v for k, v in opts.items() if v is not None})


# -- stress: every question verified again from its given ----------------------------------------------
STRESS_CHECKS = ("key differs when recomputed", "numbers closer than 5 units", "input off the decimal grid")


def recomputed(given: dict[str, Any]) -> Fraction | float:
    """The key from ``given`` by the closed forms (exact where it is rational)."""
    ask = given["ask"]
    if ask == "stability":
        return 2 / _frac(given["loss"]["a"])
    if ask == "terminal_velocity":
        h = given["hyperparameters"]
        return -_frac(h["lr"]) * _frac(given["g"]) / (1 - _frac(h["momentum"]))
    if ask == "adagrad_ratio":
        return 1 / math.sqrt(given["t"])
    factor = abs(1 - _frac(given["hyperparameters"]["lr"]) * _frac(given["loss"]["a"]))
    t, power = 0, Fraction(1)
    while power > _frac(given["fraction"]):
        t, power = t + 1, power * factor
    return Fraction(t)


def stress_defects(q: Question, seed: int) -> list[str]:
    out = []
    g = q.given
    key = q.choices[q.answer.index]
    want = recomputed(g)
    if g["ask"] == "stability":
        ok = key.text == f"$0 < \\eta < {_dec(want)}$"
    elif g["ask"] == "steps_until":
        ok = key.text == str(int(want))
    else:
        ok = key.text == C.round_text(float(want), g["decimals"])
    if not ok:
        out.append("key differs when recomputed")
    if g["ask"] in ("terminal_velocity", "adagrad_ratio"):
        if not apart([c.value for c in q.choices], g["decimals"]):
            out.append("numbers closer than 5 units")
    numbers = [v for k, v in g.items() if isinstance(v, float)] + [v for v in g.get("hyperparameters", {}).values()] \
        + [v for v in g.get("loss", {}).values()]
    if any(C.significant_decimals(x) > 3 for x in numbers):
        out.append("input off the decimal grid")
    return out
