"""Learning-rate schedule arithmetic (issue 13's ``schedule``): η at step t, W after a few SGD steps under the
schedule, or the schedule's formula, four choices each.

The stem always gives the schedule's formula (or, for the formula question, its behaviour in words) and the
counting convention: t counts from 0 and the first update uses η_0, as torch.optim.lr_scheduler counts
(``last_epoch``). The key is executed by the reference classes of optimizers/techniques/schedules.py
(``get_lr``, ``run_sgd``); every distractor is the executed result of a named mistake (exam-style.md's
``schedule_off_by_one``, a forgotten floor, ½ or η_min, warm-up not subtracted …), at least five rounding
units from the key and from each other. Where a cosine is not a simple number the stem gives its value to
four decimals, and the variant is kept only if that value gives the same displayed answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from optimizers.techniques import schedules as S
from optimizers.techniques._formula import build

from ..question import Answer, Question, SolutionStep
from . import _chapter as K
from . import _common as C

KIND = "choice"
TITLE = ("学習率スケジュールの計算（4 択）", "learning-rate schedule arithmetic (four choices)")
TOPIC = "schedule"
KINDS = tuple(S.CLASSES)
QUANTITIES = ("lr", "W", "formula")

STRESS_CHECKS = K.CHECKS  # quizgen stress: the checks of stress_defects

OPTIONS = [
    C.Option("schedule", f"schedule ({', '.join(KINDS)}); drawn when omitted", None, KINDS),
    C.Option("quantity", "'lr' (η at a step), 'W' (W after a few SGD steps) or 'formula'; drawn when omitted", None,
             QUANTITIES),
]

G = C.grid
NAME = {"step": ("ステップ減衰", "step decay"), "exponential": ("指数減衰", "exponential decay"),
        "linear": ("線形減衰", "linear decay"), "cosine": ("コサインアニーリング", "cosine annealing"),
        "warmup": ("線形ウォームアップ", "linear warm-up"),
        "warmup_cosine": ("ウォームアップ付きコサインアニーリング", "warm-up then cosine annealing")}
LABEL = {"step": "PyTorch の StepLR と同じ式", "exponential": "PyTorch の ExponentialLR と同じ式",
         "linear": "Goodfellow ら『深層学習』8.3.1 節の式、PyTorch の LinearLR",
         "cosine": "Loshchilov & Hutter 2017、PyTorch の CosineAnnealingLR",
         "warmup": "Goyal ら 2017、PyTorch の LinearLR",
         "warmup_cosine": "Goyal ら 2017 と Loshchilov & Hutter 2017 の組み合わせ"}
BEHAVIOUR = {
    "step": "最初の学習率を $\\eta_0$ とし、$s$ ステップごとに学習率を $\\gamma$ 倍する（$t = 0, \\dots, s - 1$ は "
            "$\\eta_0$）",
    "exponential": "$t = 0$ の $\\eta_0$ から、1 ステップごとに学習率を $\\gamma$ 倍する",
    "linear": "$t = 0$ の $\\eta_0$ から $t = \\tau$ の $\\eta_\\tau$ まで直線的に下げ、その後は "
              "$\\eta_\\tau$ のままにする",
    "cosine": "$t = 0$ で $\\eta_0$、$t = T$ で $\\eta_{\\min}$ になるように、コサイン関数の半周期の形で滑らかに下げる",
    "warmup": "$t = 0$ の $c\\,\\eta_0$ から $t = T_{\\mathrm{w}}$ の $\\eta_0$ まで直線的に上げ、その後は $\\eta_0$ の"
              "ままにする",
    "warmup_cosine": "$t = 0$ の $c\\,\\eta_0$ から $t = T_{\\mathrm{w}}$ の $\\eta_0$ まで直線的に上げ、そのあと "
                     "$t = T$ で $\\eta_{\\min}$ になるようにコサイン関数の半周期の形で下げる",
}

BEHAVIOUR_EN = {
    "step": "starts at $\\eta_0$ and is multiplied by $\\gamma$ every $s$ steps ($\\eta_0$ for $t = 0, \\dots, s - 1$)",
    "exponential": "starts at $\\eta_0$ and is multiplied by $\\gamma$ every step",
    "linear": "falls linearly from $\\eta_0$ at $t = 0$ to $\\eta_\\tau$ at $t = \\tau$ and then stays at "
              "$\\eta_\\tau$",
    "cosine": "falls smoothly as half a cosine period, from $\\eta_0$ at $t = 0$ to $\\eta_{\\min}$ at $t = T$",
    "warmup": "rises linearly from $c\\,\\eta_0$ at $t = 0$ to $\\eta_0$ at $t = T_{\\mathrm{w}}$ and then stays "
              "at $\\eta_0$",
    "warmup_cosine": "rises linearly from $c\\,\\eta_0$ at $t = 0$ to $\\eta_0$ at $t = T_{\\mathrm{w}}$, then "
                     "falls as half a cosine period to $\\eta_{\\min}$ at $t = T$",
}

M = K.Mistake
COUNT_FROM_ONE = M("schedule_count_from_one", "t を 1 から数えた", "counted t from 1",
                   "t = 1 の値を最初の学習率 η_0 と考えた。t は 0 から数える（t = 0 で η_0）。",
                   "Took the value at t = 1 as the initial rate. t counts from 0 (η_0 at t = 0).")
UPDATE_INDEX = M("schedule_off_by_one", "更新の回数と t を取り違えた", "mixed up the update number and t",
                 "n 回目の更新に η_n を使った。1 回目の更新は t = 0 なので、n 回目の更新は η_{n−1}。",
                 "Used η_n for the n-th update. The first update is t = 0, so the n-th uses η_{n−1}.")
CONSTANT = M("schedule_ignored", "スケジュールを無視した", "ignored the schedule",
             "すべての更新に最初の学習率 η_0 を使った。各回の更新には、その回の t の学習率 η_t を使う。",
             "Used η_0 for every update. Each update uses the rate η_t of its own step t.")
SIGN = M("sign_flip", "勾配の向きに進んだ", "stepped along the gradient",
         "W ← W + η_t g と符号を誤った。勾配降下法は W ← W − η_t g。",
         "Used W ← W + η_t g. Gradient descent is W ← W − η_t g.")

WRONG: dict[str, list[tuple[K.Mistake, str]]] = {
    "step": [
        (M("step_no_floor", "切り捨てを忘れた", "forgot the floor",
           "γ を t/s 乗した。下げた回数は ⌊t/s⌋（切り捨て）なので、s ステップの間は同じ値が続く。",
           "Raised γ to t/s. The number of decays is ⌊t/s⌋ (floor): the rate stays constant for s steps."),
         "eta0*gamma**(t/s)"),
        (M("step_decay_at_start", "最初から 1 回下げた", "decayed once from the start",
           "⌊t/s⌋ + 1 回下げた。t = 0 から s − 1 までは η_0 のままで、t = s で初めて γ 倍になる。",
           "Used ⌊t/s⌋ + 1 decays. The rate is η_0 for t = 0 … s − 1 and first multiplied by γ at t = s."),
         "eta0*gamma**(floor(t/s) + 1)"),
        (M("step_ceiling", "切り上げた", "rounded up",
           "下げた回数を ⌈t/s⌉（切り上げ）とした。正しくは ⌊t/s⌋（切り捨て）。",
           "Used ⌈t/s⌉ decays. It is ⌊t/s⌋ (floor)."), "eta0*gamma**ceiling(t/s)"),
        (M("step_times_not_power", "γ の累乗を掛け算にした", "multiplied by γ instead of raising it to a power",
           "η_0 に γ を ⌊t/s⌋ 回掛けるところを、γ × ⌊t/s⌋ 倍にした。",
           "Multiplied η_0 by γ × ⌊t/s⌋ instead of by γ raised to ⌊t/s⌋."), "eta0*gamma*floor(t/s)"),
    ],
    "exponential": [
        (M("exp_one_minus_gamma", "倍率を 1 − γ とした", "used 1 − γ as the factor",
           "毎ステップ (1 − γ) 倍にした。γ は 1 ステップごとに掛ける倍率そのもの。",
           "Multiplied by 1 − γ each step. γ itself is the factor applied each step."), "eta0*(1 - gamma)**t"),
        (M("exp_linear", "直線的に下げた", "decreased linearly",
           "η_0 から毎ステップ (1 − γ)η_0 ずつ引いた。指数減衰は毎ステップ γ 倍（差ではなく比が一定）。",
           "Subtracted (1 − γ)η_0 each step. Exponential decay multiplies by γ each step (a constant ratio)."),
         "eta0*(1 - (1 - gamma)*t)"),
    ],
    "linear": [
        (M("linear_to_zero", "η_τ の項を忘れた", "forgot the η_τ term",
           "η_0 を 0 に向けて下げた。正しくは (1 − t/τ)η_0 + (t/τ)η_τ で、t = τ で η_τ になる。",
           "Decreased η_0 towards 0. It is (1 − t/τ)η_0 + (t/τ)η_τ, which reaches η_τ at t = τ."),
         "Piecewise(((1 - t/tau)*eta0, t < tau), (eta_end, True))"),
        (M("linear_swapped", "重みを入れ替えた", "swapped the weights",
           "(t/τ)η_0 + (1 − t/τ)η_τ とした。t = 0 で η_0 になるのは (1 − t/τ)η_0 + (t/τ)η_τ。",
           "Used (t/τ)η_0 + (1 − t/τ)η_τ. The form that starts at η_0 is (1 − t/τ)η_0 + (t/τ)η_τ."),
         "Piecewise(((t/tau)*eta0 + (1 - t/tau)*eta_end, t < tau), (eta_end, True))"),
        (M("linear_no_stop", "τ を過ぎても下げ続けた", "kept decreasing after τ",
           "t > τ でも同じ直線の式を使った。τ を過ぎたら η_τ のまま。",
           "Used the straight line beyond τ. After τ the rate stays at η_τ."),
         "(1 - t/tau)*eta0 + (t/tau)*eta_end"),
    ],
    "cosine": [
        (M("cosine_no_half", "1/2 を忘れた", "forgot the ½",
           "(1 + cos(πt/T)) を 2 で割らなかった。t = 0 で η_0 になるには 1/2 が要る。",
           "Did not halve (1 + cos(πt/T)). The ½ makes the rate η_0 at t = 0."),
         "eta_min + (eta0 - eta_min)*(1 + cos(pi*t/T))"),
        (M("cosine_minus", "符号を誤った", "wrong sign",
           "(1 − cos(πt/T))/2 とした。これは η_min から η_0 へ上がっていく。正しくは (1 + cos(πt/T))/2。",
           "Used (1 − cos(πt/T))/2, which rises from η_min to η_0. It is (1 + cos(πt/T))/2."),
         "eta_min + (eta0 - eta_min)*(1 - cos(pi*t/T))/2"),
        (M("cosine_full_period", "周期を取り違えた", "wrong period",
           "cos(2πt/T) とした。T ステップで半周期（πt/T）なので、t = T で最小の η_min になる。",
           "Used cos(2πt/T). The cosine covers half a period in T steps (πt/T), reaching η_min at t = T."),
         "eta_min + (eta0 - eta_min)*(1 + cos(2*pi*t/T))/2"),
        (M("cosine_no_eta_min", "η_min を忘れた", "forgot η_min",
           "η_0 (1 + cos(πt/T))/2 とした。下げる幅は η_0 − η_min で、それに η_min を足す。",
           "Used η_0 (1 + cos(πt/T))/2. The range is η_0 − η_min, and η_min is added."),
         "eta0*(1 + cos(pi*t/T))/2"),
    ],
    "warmup": [
        (M("warmup_from_zero", "0 から上げた", "started from 0",
           "η_0 t/T_w とした（開始時の倍率 c を無視）。t = 0 の学習率は c η_0。",
           "Used η_0 t/T_w (ignoring the start factor c). The rate at t = 0 is c η_0."),
         "Piecewise((eta0*t/warm, t < warm), (eta0, True))"),
        (M("warmup_no_one_minus_c", "(1 − c) を掛け忘れた", "forgot the (1 − c)",
           "η_0 (c + t/T_w) とした。t = T_w でちょうど η_0 になるには η_0 (c + (1 − c) t/T_w)。",
           "Used η_0 (c + t/T_w). To reach exactly η_0 at t = T_w it is η_0 (c + (1 − c) t/T_w)."),
         "Piecewise((eta0*(c + t/warm), t < warm), (eta0, True))"),
        (M("warmup_no_stop", "T_w を過ぎても上げ続けた", "kept increasing after T_w",
           "t ≥ T_w でも同じ直線の式を使った。ウォームアップが終わったら η_0 のまま。",
           "Used the straight line for t ≥ T_w too. After the warm-up the rate stays at η_0."),
         "eta0*(c + (1 - c)*t/warm)"),
    ],
    "warmup_cosine": [
        (M("wc_not_shifted", "ウォームアップの分を引き忘れた", "did not subtract the warm-up",
           "コサインの中を πt/(T − T_w) とした。コサインはウォームアップが終わった t = T_w から数える: "
           "π(t − T_w)/(T − T_w)。",
           "Used πt/(T − T_w). The cosine starts when the warm-up ends: π(t − T_w)/(T − T_w)."),
         "Piecewise((eta0*(c + (1 - c)*t/warm), t < warm), "
         "(eta_min + (eta0 - eta_min)*(1 + cos(pi*t/(T - warm)))/2, True))"),
        (M("wc_whole_T", "周期に全体の T を使った", "used the whole T",
           "コサインの中を π(t − T_w)/T とした。下げる期間は T − T_w ステップなので π(t − T_w)/(T − T_w)。",
           "Used π(t − T_w)/T. The decay lasts T − T_w steps: π(t − T_w)/(T − T_w)."),
         "Piecewise((eta0*(c + (1 - c)*t/warm), t < warm), "
         "(eta_min + (eta0 - eta_min)*(1 + cos(pi*(t - warm)/T))/2, True))"),
        (M("cosine_no_half", "1/2 を忘れた", "forgot the ½",
           "(1 + cos(…)) を 2 で割らなかった。t = T_w で η_0 になるには 1/2 が要る。",
           "Did not halve (1 + cos(…)). The ½ makes the rate η_0 at t = T_w."),
         "Piecewise((eta0*(c + (1 - c)*t/warm), t < warm), "
         "(eta_min + (eta0 - eta_min)*(1 + cos(pi*(t - warm)/(T - warm))), True))"),
        (M("warmup_from_zero", "0 から上げた", "started from 0",
           "ウォームアップを η_0 t/T_w とした（開始時の倍率 c を無視）。t = 0 の学習率は c η_0。",
           "Used η_0 t/T_w for the warm-up (ignoring c). The rate at t = 0 is c η_0."),
         "Piecewise((eta0*t/warm, t < warm), "
         "(eta_min + (eta0 - eta_min)*(1 + cos(pi*(t - warm)/(T - warm)))/2, True))"),
    ],
}

# -- grids (hand-computable values) ----------------------------------------------------------------------
LR = G(["0.1", "0.2", "0.5", "0.4", "0.05", "1.0"])
#: t/T as (numerator, denominator) → the cosine's argument as LaTeX and its 4-decimal value (None: exact)
FRACTIONS = [(1, 6), (1, 4), (1, 3), (1, 2), (2, 3), (3, 4), (5, 6), (1, 1)]


def _cos_text(num: int, den: int) -> tuple[str, float | None]:
    """LaTeX of π·num/den and the value the stem gives for its cosine (None when it is exact: 0, ±½, ±1)."""
    from fractions import Fraction

    f = Fraction(num, den)
    arg = "\\pi" if f == 1 else (f"\\pi/{f.denominator}" if f.numerator == 1 else f"{f.numerator}\\pi/{f.denominator}")
    exact = {Fraction(0): 1, Fraction(1, 3): 0.5, Fraction(1, 2): 0, Fraction(2, 3): -0.5, Fraction(1): -1}
    if f in exact:
        return arg, None
    return arg, round(math.cos(math.pi * float(f)), 4)


@dataclass
class Variant:
    kind: str
    quantity: str
    hyper: dict[str, Any]  # class arguments
    given: dict[str, Any]
    key: float
    decimals: int
    pool: list[tuple[K.Mistake, float]]


def _draw_hyper(r: np.random.Generator, kind: str, quantity: str) -> tuple[dict[str, Any], int | None]:
    """The schedule's arguments, and t for the lr question (None for the W question)."""
    lr = C.pick(r, LR)
    if kind == "step":
        s = int(C.pick(r, (2, 3, 4, 5, 10, 30) if quantity != "W" else (1, 2, 3)))
        hyper = {"lr": lr, "step_size": s, "gamma": C.pick(r, G(["0.1", "0.5", "0.2"]))}
        return hyper, int(r.integers(0, 4 * s))
    if kind == "exponential":
        return {"lr": lr, "gamma": C.pick(r, G(["0.9", "0.8", "0.5", "0.95"]))}, int(r.integers(1, 5))
    if kind == "linear":
        end = C.pick(r, G(["0.001", "0.01", "0.002"]))
        if quantity == "W":
            return {"lr": lr, "lr_end": end, "tau": int(C.pick(r, (2, 4, 5)))}, None
        tau = int(C.pick(r, (10, 20, 50, 100)))
        return {"lr": lr, "lr_end": end, "tau": tau}, int(C.pick(r, (tau // 10, tau // 5, tau // 2, 3 * tau // 4, tau,
                                                                    tau + tau // 5)))
    if kind == "cosine":
        eta_min = C.pick(r, G(["0.0", "0.0", "0.001", "0.01"]))
        if quantity == "W":
            return {"lr": lr, "T_max": int(C.pick(r, (4, 6))), "eta_min": eta_min}, None
        num, den = C.pick(r, FRACTIONS)
        T = int(C.pick(r, [x for x in (12, 60, 90, 100, 120, 180) if x * num % den == 0]))
        return {"lr": lr, "T_max": T, "eta_min": eta_min}, T * num // den
    if kind == "warmup":
        w = int(C.pick(r, (4, 5, 10)))
        hyper = {"lr": lr, "warmup": w, "start_factor": C.pick(r, G(["0.1", "0.2", "0.25", "0.5"]))}
        return hyper, int(r.integers(0, w + 4))
    # warmup_cosine
    w = int(C.pick(r, (5, 10)))
    rest = int(C.pick(r, (60, 90, 120)))
    hyper = {"lr": lr, "warmup": w, "total": w + rest, "start_factor": C.pick(r, G(["0.1", "0.2"])),
             "eta_min": C.pick(r, G(["0.0", "0.001"]))}
    if r.random() < 0.35:
        return hyper, int(r.integers(0, w))
    num, den = C.pick(r, FRACTIONS[:-1])
    return hyper, w + rest * num // den if rest * num % den == 0 else w + rest // 2


@cache
def wrong_rule(kind: str, text: str):
    """The schedule's rule with a mistaken η_t (executable and renderable)."""
    base = S.rule(kind)
    syms = list(base.symbols.values())
    return build(f"schedule_{kind}_wrong", "mistake", syms, [("eta_t", text), ("W", "W - eta_t*g")])


def _shifted(kind: str, shift: int):
    """The schedule's rule with t replaced by t + shift (the counting mistakes), written in the same order."""
    import re

    text = S._ETA[kind][1]
    return wrong_rule(kind, re.sub(r"\bt\b", f"(t {'+' if shift > 0 else '-'} {abs(shift)})", text))


def eta_of(rule, kind: str, sch, t: int) -> float:
    """η_t of a (possibly mistaken) rule for schedule object ``sch``."""
    env = S.rule_env(kind, sch, t)
    env.update(W=np.zeros(1), g=np.zeros(1))
    with np.errstate(all="ignore"):
        return float(np.asarray(rule.step(env)["eta_t"], dtype=np.float64).reshape(-1)[0])


def _grad(given: dict[str, Any], step: int, w: float) -> float:
    if "grads" in given:
        return float(given["grads"][step])
    return float(given["loss"]["a"]) * w


def run_w(given: dict[str, Any], eta, sign: float = -1.0) -> float:
    """W after the given steps when update n (t = n − 1) uses ``eta(t)``; sign −1 is gradient descent."""
    w = float(given["W0"])
    for step in range(int(given["asked"]["steps"])):
        w = w + sign * eta(step) * _grad(given, step, w)
    return w


def recompute(given: dict[str, Any]) -> float:
    """The key from ``given`` alone, executed by the reference class (``get_lr`` / ``run_sgd``)."""
    sch = S.CLASSES[given["schedule"]](**given["hyperparameters"])
    asked = given["asked"]
    if asked["quantity"] == "lr":
        return float(sch.get_lr(int(asked["t"])))
    params = {"W": np.array([float(given["W0"])])}
    step = iter(range(int(asked["steps"])))

    def grad_fn(p):
        return {"W": np.array([_grad(given, next(step), float(p["W"][0]))])}

    S.run_sgd(sch, params, grad_fn, int(asked["steps"]))
    return float(params["W"][0])


def inputs(given: dict[str, Any]) -> list[float]:
    out = [float(v) for v in given["hyperparameters"].values()]
    if given["asked"]["quantity"] == "W":
        out.append(float(given["W0"]))
        out += [float(g) for g in given.get("grads", [])]
        if "loss" in given:
            out.append(float(given["loss"]["a"]))
    return out


def _cos_fraction(kind: str, sch, t: int) -> tuple[int, int] | None:
    """The cosine's argument at step t as π·num/den (None where the schedule uses no cosine)."""
    if kind == "cosine":
        return t, sch.T_max
    if kind == "warmup_cosine" and t >= sch.warmup:
        return t - sch.warmup, sch.total - sch.warmup
    return None


def _steps_of(given: dict[str, Any]) -> list[int]:
    asked = given["asked"]
    return [int(asked["t"])] if asked["quantity"] == "lr" else list(range(int(asked["steps"])))


def _with_hints(given: dict[str, Any], decimals: int, key: float) -> bool:
    """Does the key computed with the stem's 4-decimal cosines show the same digits as the exact key?"""
    kind = given["schedule"]
    sch = S.CLASSES[kind](**given["hyperparameters"])

    def eta(t: int) -> float:
        frac = _cos_fraction(kind, sch, t)
        value = _cos_text(*frac)[1] if frac else None
        if value is None:
            return float(sch.get_lr(t))
        return sch.eta_min + (sch.lr - sch.eta_min) * (1 + value) / 2

    approx = eta(int(given["asked"]["t"])) if given["asked"]["quantity"] == "lr" else run_w(given, eta)
    return C.round_text(approx, decimals) == C.round_text(key, decimals)


def _hint_texts(kind: str, sch, given: dict[str, Any]) -> list[str]:
    """The cosines the stem gives (those that are not 0, ±½ or ±1), once each."""
    seen: list[str] = []
    for t in _steps_of(given):
        frac = _cos_fraction(kind, sch, t)
        if frac is None:
            continue
        arg, value = _cos_text(*frac)
        text = f"$\\cos({arg}) \\approx {value:.4f}$" if value is not None else ""
        if text and text not in seen:
            seen.append(text)
    return seen


def _candidates(kind: str, quantity: str, given: dict[str, Any], sch) -> list[tuple[K.Mistake, float]]:
    asked = given["asked"]
    out: list[tuple[K.Mistake, float]] = []
    if quantity == "lr":
        t = int(asked["t"])
        if asked.get("update"):  # "the n-th update": t = n − 1
            out.append((UPDATE_INDEX, eta_of(_shifted(kind, 1), kind, sch, t)))
        out.append((COUNT_FROM_ONE, eta_of(_shifted(kind, -1), kind, sch, t)))
        out += [(m, eta_of(wrong_rule(kind, text), kind, sch, t)) for m, text in WRONG[kind]]
        return out
    out.append((CONSTANT, run_w(given, lambda t: sch.lr)))
    out.append((UPDATE_INDEX, run_w(given, lambda t: eta_of(_shifted(kind, 1), kind, sch, t))))
    out.append((SIGN, run_w(given, sch.get_lr, sign=1.0)))
    out += [(m, run_w(given, lambda t, text=text: eta_of(wrong_rule(kind, text), kind, sch, t)))
            for m, text in WRONG[kind]]
    return out


def stress_defects(q: Question, seed: int):
    """``quizgen stress``: the numeric checks of the chapter families (the formula question has none)."""
    from collections import Counter

    if q.given["asked"]["quantity"] == "formula":
        return Counter()
    return K.stress_defects(q, seed, recompute, inputs)


def _draw_numeric(r: np.random.Generator, kind: str, quantity: str) -> Variant | None:
    hyper, t = _draw_hyper(r, kind, quantity)
    given: dict[str, Any] = {"schedule": kind, "hyperparameters": hyper}
    if quantity == "lr":
        update = r.random() < 0.5 and t >= 0
        given["asked"] = {"quantity": "lr", "t": t, "update": bool(update)}
    else:
        steps = int(C.pick(r, (2, 3, 3, 4)))
        if kind == "cosine":
            steps = min(steps, 3)
        given["W0"] = C.pick(r, G(["1.0", "2.0", "0.5", "-1.0", "3.0", "-2.0"]))
        if r.random() < 0.5:
            given["loss"] = {"a": C.pick(r, G(["1.0", "2.0"]))}
        else:
            given["grads"] = [C.pick(r, G(["0.5", "1.0", "-0.5", "2.0", "-1.0", "0.2", "1.5"])) for _ in range(steps)]
        given["asked"] = {"quantity": "W", "steps": steps}
    sch = S.CLASSES[kind](**hyper)
    key = recompute(given)
    if not math.isfinite(key) or key == 0 and quantity == "W":
        return None
    decimals = C.auto_decimals(key, 4 if quantity == "lr" else 3, sig=3)
    if not C.stable(key, decimals):
        return None
    if not _with_hints(given, decimals, key):
        return None
    pool = K.spaced(key, _candidates(kind, quantity, given, sch), decimals)
    if len(pool) < 3:
        return None
    return Variant(kind, quantity, hyper, given, key, decimals, pool)


def _witness_differs(kind: str, text_or_rule) -> bool:
    """A mistaken formula differs from the schedule's at some step of a witness schedule (executed)."""
    witness = {"step": S.StepDecay(0.3, 3, 0.5), "exponential": S.ExponentialDecay(0.3, 0.8),
               "linear": S.LinearDecay(0.3, 0.01, 8), "cosine": S.CosineAnnealing(0.3, 8, 0.01),
               "warmup": S.LinearWarmup(0.3, 4, 0.2), "warmup_cosine": S.WarmupCosine(0.3, 4, 12, 0.2, 0.01)}[kind]
    rule = wrong_rule(kind, text_or_rule) if isinstance(text_or_rule, str) else text_or_rule
    return any(abs(eta_of(rule, kind, witness, t) - witness.get_lr(t)) > 1e-9 for t in range(0, 30))


def _formula_choices(kind: str) -> list[tuple[K.Mistake, str]]:
    rule = S.rule(kind)
    items = [(m, wrong_rule(kind, text)) for m, text in WRONG[kind]]
    if "Piecewise" not in S._ETA[kind][1]:  # a shifted condition would print reordered (T > t − 1)
        items.insert(0, (COUNT_FROM_ONE, _shifted(kind, -1)))
    out = []
    for m, r in items:
        if _witness_differs(kind, r):
            out.append((m, f"$\\eta_t = {rule.latex_expr(r.assignments[0][1])}$"))
    return out


def _symbols_line(kind: str, hyper: dict[str, Any], lang: str) -> str:
    rule = S.rule(kind)
    parts = []
    for s in rule.of_kind("hyper"):
        v = hyper[s.code]
        parts.append(f"${s.latex} = {C.fmt(v) if isinstance(v, float) else v}$")
    return ", ".join(parts)


CONVENTION_JA = ("$t$ はステップ数で 0 から数え、1 回目の更新には $t = 0$ の学習率を使い、更新のたびに $t$ を 1 増やす"
                 "（PyTorch の学習率スケジューラと同じ数え方）。")
CONVENTION_EN = ("$t$ counts steps from 0: the first update uses the rate at $t = 0$, and $t$ grows by 1 after each "
                 "update (as PyTorch's schedulers count).")


def _stem(var: Variant, lang: str) -> str:
    kind, g = var.kind, var.given
    sch = S.CLASSES[kind](**var.hyper)
    eta = S.eta_latex(kind)
    asked = g["asked"]
    hints = _hint_texts(kind, sch, g)
    if lang == "ja":
        parts = [f"SGD の学習率を、次の{NAME[kind][0]}（{LABEL[kind]}）でステップごとに変える。",
                 f"$$\n{eta}\n$$", CONVENTION_JA + f"{_symbols_line(kind, var.hyper, lang)} とする。"]
        if hints:
            parts[-1] += "必要なら " + "、".join(hints) + " を使ってよい。"
        if asked["quantity"] == "lr":
            t = int(asked["t"])
            ask = (f"{t + 1} 回目の更新に使われる学習率" if asked.get("update")
                   else f"$t = {t}$ の学習率 $\\eta_{{{t}}}$")
            parts.append(f"{ask}{' ' if ask.endswith('$') else ''}の値として最も近いものを選べ。")
        else:
            k = int(asked["steps"])
            if "loss" in g:
                a = float(g["loss"]["a"])
                loss = "W^2" if a == 2.0 else "\\frac{1}{2} W^2"
                parts.append(f"損失関数 $L(W) = {loss}$ を、$W_0 = {C.fmt(g['W0'])}$ から SGD "
                             f"$W \\leftarrow W - \\eta_t \\dfrac{{\\partial L}}{{\\partial W}}$ で最小化する。")
            else:
                gs = ",\\ ".join(C.fmt(x) for x in g["grads"])
                parts.append(f"$W_0 = {C.fmt(g['W0'])}$ から SGD $W \\leftarrow W - \\eta_t g$ で更新する。"
                             f"各回の更新に使う勾配 $g$ は、1 回目から順に ${gs}$ とする。")
            parts.append(f"{k} 回更新した後の $W$ の値として最も近いものを選べ。")
        return "\n\n".join(parts)
    parts = [f"The learning rate of SGD follows this {NAME[kind][1]}, step by step:", f"$$\n{eta}\n$$",
             CONVENTION_EN + f" Let {_symbols_line(kind, var.hyper, lang)}."]
    if hints:
        parts[-1] += " You may use " + ", ".join(hints) + "."
    if asked["quantity"] == "lr":
        t = int(asked["t"])
        ask = f"the learning rate of update {t + 1}" if asked.get("update") else f"$\\eta_{{{t}}}$"
        parts.append(f"Choose the value closest to {ask}.")
    else:
        k = int(asked["steps"])
        if "loss" in g:
            loss = "W^2" if float(g["loss"]["a"]) == 2.0 else "\\frac{1}{2} W^2"
            parts.append(f"Minimise $L(W) = {loss}$ from $W_0 = {C.fmt(g['W0'])}$ with SGD "
                         "$W \\leftarrow W - \\eta_t \\partial L/\\partial W$.")
        else:
            gs = ",\\ ".join(C.fmt(x) for x in g["grads"])
            parts.append(f"Update $W_0 = {C.fmt(g['W0'])}$ with SGD $W \\leftarrow W - \\eta_t g$, the gradients "
                         f"of the updates being ${gs}$ in order.")
        parts.append(f"Choose the value closest to $W$ after {k} updates.")
    return "\n\n".join(parts)


def _paren(text: str) -> str:
    return f"({text})" if text.startswith("-") else text


def _solution(var: Variant, lang: str) -> list[SolutionStep]:
    from ..formulas import number

    kind, g = var.kind, var.given
    sch = S.CLASSES[kind](**var.hyper)
    rule = S.rule(kind)
    asked = g["asked"]
    shown = C.round_text(var.key, var.decimals)
    out = []
    ts = [int(asked["t"])] if asked["quantity"] == "lr" else list(range(int(asked["steps"])))
    if asked["quantity"] == "lr" and asked.get("update"):
        t = ts[0]
        out.append(SolutionStep(f"{t + 1} 回目の更新は $t = {t}$（1 回目が $t = 0$）。" if lang == "ja" else
                                f"Update {t + 1} is $t = {t}$ (the first update is $t = 0$)."))
    w = float(g.get("W0", 0.0))
    for n, t in enumerate(ts, start=1):
        env = S.rule_env(kind, sch, t)
        values = {s.name: (C.fmt(v) if isinstance(v, float) else str(v))
                  for s in rule.of_kind("hyper") for v in [var.hyper[s.code]]}
        values["t"] = str(t)
        expr = K.active(rule.assignments[0][1], env)
        sub = rule.latex_expr(expr, {k: v for k, v in values.items() if rule.symbols[k].s in expr.free_symbols})
        eta = sch.get_lr(t)
        line = f"\\eta_{{{t}}} = {sub} = {number(eta)}"
        if asked["quantity"] == "W":
            grad = _grad(g, t, w)
            new = w - eta * grad
            if "loss" in g:
                a = float(g["loss"]["a"])
                times = "2 \\times " + _paren(number(w)) + " = " if a == 2.0 else ""
                line += f" \\\\ g = {'2' if a == 2.0 else ''}W_{{{n - 1}}} = {times}{number(grad)}"
            line += (f" \\\\ W_{{{n}}} = W_{{{n - 1}}} - \\eta_{{{t}}} g = {number(w)} - {number(eta)} \\times "
                     f"{_paren(number(grad))} = {number(new)}")
            w = new
        out.append(SolutionStep((f"{n} 回目の更新（$t = {t}$）" if lang == "ja" else f"Update {n} ($t = {t}$)")
                                if asked["quantity"] == "W" else "", "\\begin{gathered}\n" + line +
                                "\n\\end{gathered}"))
    out.append(SolutionStep(f"よって答えは {number(var.key)}、小数第 {var.decimals} 位までで **{shown}**。"
                            if lang == "ja" else f"So the answer is {number(var.key)}, i.e. **{shown}**."))
    return out


def generate(rng: np.random.Generator, *, lang: str = "ja", render: bool = True, **options: Any) -> Question:
    opts = C.parse_options("schedule", OPTIONS, options)
    r = C.part(rng, "inputs")
    for _ in range(C.MAX_TRIES):
        kind = opts["schedule"] or C.pick(r, KINDS)
        quantity = opts["quantity"] or C.pick(r, ("lr", "lr", "W", "W", "formula"))
        if quantity == "W" and kind == "warmup_cosine":
            if opts["schedule"] and opts["quantity"]:
                raise ValueError("schedule: W after a few steps is not asked for warmup_cosine (its warm-up is longer "
                                 "than a hand computation); ask quantity=lr or formula")
            continue
        if quantity == "formula":
            return _formula_question(rng, r, kind, lang, opts)
        var = _draw_numeric(r, kind, quantity)
        if var is not None:
            break
    else:
        raise C.GenerationError(f"schedule: no usable variant for {opts}")
    choices, index = K.numeric_choices(rng, var.key, var.pool, var.decimals, lang)
    answer = C.numeric_answer(var.key, var.decimals)
    answer.index = index
    return Question(
        id="", family="schedule", seed=0, lang=lang, kind=KIND, stem=_stem(var, lang), answer=answer, choices=choices,
        solution=_solution(var, lang) if render else [], given=var.given,
        rounding=C.rounding_text(var.decimals, answer.tolerance, lang),
        tags={"optimizer": "sgd", "topic": TOPIC, "schedule": var.kind, "syllabus": False,
              "difficulty": 1 if var.quantity == "lr" else 2, "format": "F5"},
        options={k: v for k, v in opts.items() if v is not None})


def _formula_question(rng: np.random.Generator, r: np.random.Generator, kind: str, lang: str,
                      opts: dict[str, Any]) -> Question:
    wrong = _formula_choices(kind)
    idx = sorted(int(i) for i in r.choice(len(wrong), size=3, replace=False))
    correct = f"$\\eta_t = {S.rule(kind).latex_expr(S.rule(kind).assignments[0][1])}$"
    choices, index = K.text_choices(rng, correct, [wrong[i] for i in idx], lang)
    syms = "、".join(f"${s.latex}$: {s.ja}" for s in S.rule(kind).of_kind("hyper"))
    if lang == "ja":
        stem = (f"{NAME[kind][0]}では、学習率 $\\eta_t$ を次のように変える: {BEHAVIOUR[kind]}。"
                f"{CONVENTION_JA}ここで {syms}。$\\eta_t$ の式として正しいものを選べ。")
    else:
        syms = "; ".join(f"${s.latex}$: {s.en}" for s in S.rule(kind).of_kind("hyper"))
        stem = (f"In {NAME[kind][1]} the learning rate $\\eta_t$ {BEHAVIOUR_EN[kind]}. {CONVENTION_EN} Here {syms}. "
                "Choose the correct formula for $\\eta_t$.")
    solution = [SolutionStep(f"正しい式（{LABEL[kind]}）" if lang == "ja" else "The correct formula",
                             S.eta_latex(kind))]
    return Question(
        id="", family="schedule", seed=0, lang=lang, kind=KIND, stem=stem, answer=Answer(index=index),
        choices=choices, solution=solution,
        given={"schedule": kind, "asked": {"quantity": "formula"}, "mistakes": [wrong[i][0].name for i in idx]},
        tags={"optimizer": "sgd", "topic": TOPIC, "schedule": kind, "syllabus": False, "difficulty": 2,
              "format": "F2"},
        options={k: v for k, v in opts.items() if v is not None})
