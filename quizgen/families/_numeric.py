"""The core of the numeric families: draw a ``given`` from decimal grids, execute it, execute the
named mistakes on it, reject unusable variants, and describe it (stem, choices, worked solution).

Used by ``steps`` (typed numeric answer; the choices carry the key and every distinct mistake's value)
and ``numeric_choice`` (four choices: the key and three mistakes' values).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import optimizers

from .. import problems as P
from ..question import Choice, Question, SolutionStep
from . import _common as C
from ._run import asked_value, class_defaults, execute, hyper_env, rule_for

G = C.grid
GRADS_1 = G([f"{k / 10:.1f}" for k in range(1, 21)])  # 0.1 … 2.0
GRADS_2 = G(["0.05", "0.15", "0.25", "0.35", "0.45", "0.55", "0.65", "0.75", "0.12", "0.24", "0.36", "0.48"])
W0S = G(["0.5", "1.0", "1.5", "2.0", "0.2", "0.8", "1.2", "3.0"])
STARTS = G(["0.5", "1.0", "1.5", "2.0", "2.5", "3.0"])
PROBLEMS = ("bowl", "ravine", "saddle")

BETA1 = G(["0.9", "0.8", "0.5"])
BETA2 = G(["0.999", "0.99", "0.9"])


@dataclass(frozen=True)
class Profile:
    """How to draw a hand-computable variant of one optimizer in one convention."""

    hyper: Mapping[str, tuple[float, ...]]  # argument -> grid
    quantities: tuple[str, ...]  # rule symbols that can be asked
    fixed: Mapping[str, Any] = field(default_factory=dict)  # arguments that are not drawn
    eps: str | None = None  # "ignore" (ε = 0, stated) | "given" (drawn from hyper["eps"]) | None (no ε)
    betas: bool = False  # pytorch: beta1/beta2 go into betas=(…)


TEXTBOOK: dict[str, Profile] = {
    "sgd": Profile({"lr": G(["0.1", "0.2", "0.5", "0.05", "0.01"])}, ("W",)),
    "momentum": Profile({"lr": G(["0.1", "0.01", "0.05", "0.2"]), "momentum": G(["0.9", "0.8", "0.5"])}, ("v", "W")),
    "nesterov": Profile({"lr": G(["0.1", "0.01", "0.05", "0.2"]), "momentum": G(["0.9", "0.8", "0.5"])}, ("v", "W")),
    "adagrad": Profile({"lr": G(["0.1", "0.01", "0.5", "1.0"])}, ("h", "W"), eps="ignore"),
    "rmsprop": Profile({"lr": G(["0.1", "0.01", "0.5"]), "decay_rate": G(["0.9", "0.99", "0.5", "0.8"])}, ("h", "W"),
                       eps="ignore"),
    "adadelta": Profile({"rho": G(["0.9", "0.95", "0.5"]), "eps": G(["0.01", "0.0001"])}, ("h", "dx", "s", "W"),
                        eps="given"),
    "adam": Profile({"lr": G(["0.1", "0.01", "0.001"]), "beta1": BETA1, "beta2": BETA2},
                    ("m", "v", "m_hat", "v_hat", "W"), eps="ignore"),
    "amsgrad": Profile({"lr": G(["0.1", "0.01", "0.001"]), "beta1": BETA1, "beta2": BETA2},
                       ("m", "v", "v_max", "v_hat", "W"), eps="ignore"),
    "adamw": Profile({"lr": G(["0.1", "0.01"]), "beta1": BETA1, "beta2": BETA2,
                      "weight_decay": G(["0.1", "0.01", "0.5"])}, ("m", "v", "W"), fixed={"schedule": 1.0},
                     eps="ignore"),
    "nadam": Profile({"lr": G(["0.1", "0.01", "0.002"]), "beta1": BETA1, "beta2": BETA2},
                     ("m", "v", "W"), fixed={"momentum_decay": 0.004}, eps="ignore"),
    "radam": Profile({"lr": G(["0.1", "0.01", "0.001"]), "beta1": BETA1, "beta2": G(["0.999", "0.99"])},
                     ("m", "m_hat", "W"), eps="ignore"),
    "adamax": Profile({"lr": G(["0.1", "0.01", "0.002"]), "beta1": BETA1, "beta2": BETA2}, ("m", "u", "W"),
                      eps="ignore"),
}

PYTORCH: dict[str, Profile] = {
    "sgd": Profile({"lr": G(["0.1", "0.2", "0.5", "0.05", "0.01"])}, ("W",)),
    "momentum": Profile({"lr": G(["0.1", "0.01", "0.05", "0.2"]), "momentum": G(["0.9", "0.8", "0.5"])}, ("b", "W")),
    "nesterov": Profile({"lr": G(["0.1", "0.01", "0.05", "0.2"]), "momentum": G(["0.9", "0.8", "0.5"])}, ("b", "W"),
                        fixed={"nesterov": True}),
    "adagrad": Profile({"lr": G(["0.1", "0.01", "0.5", "1.0"])}, ("s", "W"), eps="ignore"),
    "rmsprop": Profile({"lr": G(["0.1", "0.01", "0.5"]), "alpha": G(["0.9", "0.99", "0.5", "0.8"])}, ("v", "W"),
                       eps="ignore"),
    "adadelta": Profile({"lr": G(["1.0", "0.5"]), "rho": G(["0.9", "0.95", "0.5"]), "eps": G(["0.01", "0.0001"])},
                        ("v", "dx", "u", "W"), eps="given"),
    "adam": Profile({"lr": G(["0.1", "0.01", "0.001"]), "beta1": BETA1, "beta2": BETA2},
                    ("m", "v", "m_hat", "v_hat", "W"), eps="ignore", betas=True),
    "amsgrad": Profile({"lr": G(["0.1", "0.01", "0.001"]), "beta1": BETA1, "beta2": BETA2},
                       ("m", "v", "v_max", "W"), fixed={"amsgrad": True}, eps="ignore", betas=True),
    "adamw": Profile({"lr": G(["0.1", "0.01"]), "beta1": BETA1, "beta2": BETA2,
                      "weight_decay": G(["0.1", "0.01", "0.5"])}, ("m", "v", "W"), eps="ignore", betas=True),
    "nadam": Profile({"lr": G(["0.1", "0.01", "0.002"]), "beta1": BETA1, "beta2": BETA2}, ("m", "v", "W"),
                     eps="ignore", betas=True),
    "radam": Profile({"lr": G(["0.1", "0.01", "0.001"]), "beta1": BETA1, "beta2": G(["0.999", "0.99"])},
                     ("m", "m_hat", "W"), eps="ignore", betas=True),
    "adamax": Profile({"lr": G(["0.1", "0.01", "0.002"]), "beta1": BETA1, "beta2": BETA2}, ("m", "u", "W"),
                      eps="ignore", betas=True),
}


def profile(key: str, convention: str) -> Profile:
    table = TEXTBOOK if convention == "textbook" else PYTORCH
    if key not in table:
        raise ValueError(f"no numeric questions for {key!r} in the {convention} form")
    return table[key]


def available() -> list[str]:
    """Optimizers with reference modules present and numeric profiles (teaching order)."""
    return [k for k in optimizers.ORDER if k in optimizers.MODULES and k in TEXTBOOK]


# -- options shared by the numeric families ---------------------------------------------------
def _steps_check(v: int) -> str | None:
    return None if 1 <= v <= 4 else f"steps must be between 1 and 4, got {v}"


def _decimals_check(v: int) -> str | None:
    return None if 1 <= v <= 6 else f"decimals must be between 1 and 6, got {v}"


def options() -> list[C.Option]:
    return [
        C.Option("optimizer", "optimizer key (sgd, momentum, …); drawn when omitted", None, None, C.optimizer_key),
        C.Option("convention", "textbook (the exam's form) or pytorch (torch.optim)", "textbook",
                 ("textbook", "pytorch")),
        C.Option("steps", "number of updates, 1–4; drawn (1–3) when omitted", None, None, int, _steps_check),
        C.Option("quantity", "asked quantity (W or a state/derived symbol: v, h, m, m_hat, …); drawn when omitted"),
        C.Option("source", "gradients: 'grads' (given per step) or 'problem' (a 2-D loss); drawn when omitted", None,
                 ("grads", "problem")),
        C.Option("shape", "'scalar' or 'vector' (2 components; grads source only); drawn when omitted", None,
                 ("scalar", "vector")),
        C.Option("decimals", "displayed decimals (more are used for small answers)", 3, None, int, _decimals_check),
    ]


# -- drawing ----------------------------------------------------------------------------------
def draw_grad(rng: np.random.Generator) -> float:
    mag = C.pick(rng, GRADS_1) if rng.random() < 0.75 else C.pick(rng, GRADS_2)
    return -mag if rng.random() < 0.4 else mag


def draw_given(rng: np.random.Generator, opts: Mapping[str, Any], key: str) -> dict[str, Any]:
    convention = opts["convention"]
    prof = profile(key, convention)
    hyper: dict[str, Any] = {}
    for name, values in prof.hyper.items():
        hyper[name] = C.pick(rng, values)
    hyper.update(prof.fixed)
    if prof.eps == "ignore":
        hyper["eps"] = 0.0
    if prof.betas:
        hyper["betas"] = [hyper.pop("beta1"), hyper.pop("beta2")]
    steps = opts["steps"] or int(C.pick(rng, (1, 2, 2, 3, 3)))
    rule = rule_for(key, convention, hyper)
    names = set(rule.symbols)
    quantities = [q for q in prof.quantities if q in names]
    if opts["quantity"] is not None:
        if opts["quantity"] not in quantities:
            raise ValueError(f"{key} ({convention}): cannot ask {opts['quantity']!r}; choose from "
                             f"{', '.join(quantities)}")
        quantity = opts["quantity"]
    else:
        quantity = C.pick(rng, quantities)
    source = opts["source"] or ("problem" if rng.random() < 0.25 else "grads")
    given: dict[str, Any] = {"optimizer": key, "convention": convention, "hyperparameters": hyper}
    if source == "problem":
        if opts["shape"] == "vector":
            raise ValueError("shape=vector needs source=grads (a problem has the two parameters x and y)")
        problem = C.pick(rng, PROBLEMS)
        start = [C.pick(rng, STARTS) * (1 if rng.random() < 0.5 else -1) for _ in range(2)]
        given.update({"problem": problem, "start": start, "steps": steps})
        asked_key = C.pick(rng, ("x", "y"))
    else:
        n = 2 if (opts["shape"] or ("vector" if rng.random() < 0.3 else "scalar")) == "vector" else 1
        w0 = [C.pick(rng, W0S) * (1 if rng.random() < 0.7 else -1) for _ in range(n)]
        if rng.random() < 0.25:  # 勾配は常に一定
            g = [draw_grad(rng) for _ in range(n)]
            grads = [{"W": list(g)} for _ in range(steps)]
        else:
            grads = [{"W": [draw_grad(rng) for _ in range(n)]} for _ in range(steps)]
        given.update({"params0": {"W": w0}, "grads": grads})
        asked_key = "W"
    n_el = 1 if source == "problem" else len(given["params0"]["W"])
    given["asked"] = {"quantity": quantity, "step": steps, "key": asked_key, "index": int(rng.integers(n_el))}
    if prof.eps == "ignore":
        given["ignore"] = ["eps"]
    return given


def inputs_of(given: Mapping[str, Any]) -> list[float]:
    """Every number drawn and displayed (for the hand-computability checks)."""
    out = [float(v) for k, v in given["hyperparameters"].items() if not isinstance(v, (bool, list))]
    out += [float(b) for b in given["hyperparameters"].get("betas", [])]
    if "problem" in given:
        out += [float(x) for x in given["start"]]
    else:
        out += [float(x) for v in given["params0"].values() for x in v]
        out += [float(x) for g in given["grads"] for v in g.values() for x in v]
    return out


# -- one executed variant ---------------------------------------------------------------------
@dataclass
class Variant:
    given: dict[str, Any]
    key: float
    decimals: int
    pool: list[tuple[Any, float]]  # (Mistake, value): distinct, stable, away from the key
    eps_default: float | None = None  # ε of the class (textbook) when the stem says to ignore ε
    eps_value: float | None = None  # the key computed with that ε


def evaluate(given: dict[str, Any], base_decimals: int) -> Variant | None:
    """Execute ``given`` and its mistakes; None if the variant is unusable (rejection sampling)."""
    from .. import mistakes as M

    convention = given.get("convention", "textbook")
    base = rule_for(given["optimizer"], convention, given["hyperparameters"])
    hyper = hyper_env(base, given)
    key = asked_value(base, given, hyper)  # the rule's float form; the class is run on acceptance
    if not math.isfinite(key) or abs(key) > 1e4:
        return None
    decimals = C.auto_decimals(key, base_decimals)
    if not C.stable(key, decimals):
        return None
    eps_default = eps_value = None
    if "eps" in given.get("ignore", ()):
        convention = given.get("convention", "textbook")
        if convention == "textbook":
            eps_default = float(class_defaults(given["optimizer"])["eps"])
        else:
            from optimizers.torch_form import TORCH
            tkey = optimizers.get(given["optimizer"]).INFO.torch or given["optimizer"]
            eps_default = float(TORCH[tkey][1]["eps"])
        eps_value = asked_value(base, given, {**hyper, "eps": eps_default})
        if not math.isfinite(eps_value) or C.round_text(eps_value, decimals) != C.round_text(key, decimals) \
                or not C.stable(eps_value, decimals):
            return None  # ε would show in the displayed digits: cannot tell the learner to ignore it
    candidates = []
    for m in M.for_optimizer(given["optimizer"], convention):
        v = m.run(given, hyper)
        if v is not None:
            candidates.append((m, v))
    pool = C.distinct_values(key, candidates, decimals)
    return Variant(given, key, decimals, pool, eps_default, eps_value)


def verify(var: Variant) -> Variant:
    """Execute the reference class on the accepted variant (checked against the rule at every step);
    the key becomes the class's value."""
    with np.errstate(all="ignore"):
        ex = execute(var.given, check=True)
    value = ex.asked()
    if C.round_text(value, var.decimals) != C.round_text(var.key, var.decimals):  # cannot happen: checked to 1e-11
        raise AssertionError(f"class and rule disagree on {var.given}")
    var.key = value
    return var


def draw_variant(rng: np.random.Generator, opts: Mapping[str, Any], need: int, family: str) -> Variant:
    """Draw until a variant has at least ``need`` distinct mistake values (bounded)."""
    keys = [opts["optimizer"]] if opts["optimizer"] else available()
    for _ in range(C.MAX_TRIES):
        key = C.pick(rng, keys)
        given = draw_given(rng, opts, key)
        var = evaluate(given, opts["decimals"])
        if var is not None and len(var.pool) >= need:
            return verify(var)
    raise C.GenerationError(f"family {family}: no usable variant in {C.MAX_TRIES} draws for options "
                            f"{ {k: v for k, v in opts.items() if v is not None} } (try other options)")


# -- text -------------------------------------------------------------------------------------
CONV = {"textbook": ("教科書（ゼロから作るDeep Learning）の形", "textbook form"),
        "pytorch": ("PyTorch（torch.optim）の形", "PyTorch (torch.optim) form")}


_LATEX: dict[int, tuple[str, Any]] = {}


def rule_latex(rule) -> str:
    """``rule.latex()``, rendered once per rule object (rules are cached, so their ids are stable)."""
    if id(rule) not in _LATEX:
        _LATEX[id(rule)] = (rule.latex(), rule)
    return _LATEX[id(rule)][0]


def quantity_label(rule, q: str, lang: str) -> str:
    sym = rule.symbols[q]
    meaning = sym.ja if lang == "ja" else sym.en
    return f"${sym.latex}$（{meaning}）" if lang == "ja" else f"${sym.latex}$ ({meaning})"


def hyper_lines(rule, given: Mapping[str, Any], lang: str) -> list[str]:
    hyper = dict(given["hyperparameters"])
    if "betas" in hyper:
        hyper["beta1"], hyper["beta2"] = hyper.pop("betas")
    ignored = set(given.get("ignore", ()))
    out = []
    for sym in rule.of_kind("hyper"):
        if sym.code in ignored or sym.code not in hyper:
            continue
        out.append(f"${sym.latex} = {C.fmt(hyper[sym.code])}$")
    return out


def _ordinal(n: int, lang: str) -> str:
    return f"第 {n} 成分" if lang == "ja" else f"component {n}"


def stem(var: Variant, lang: str, *, choose: bool) -> str:
    g = var.given
    key = g["optimizer"]
    info = optimizers.get(key).INFO
    convention = g.get("convention", "textbook")
    rule = rule_for(key, convention, g["hyperparameters"])
    a = g["asked"]
    k = int(a["step"])
    states = [f"${s.latex}$" for s in rule.of_kind("state")]
    hyp = ", ".join(hyper_lines(rule, g, lang))
    qlabel = quantity_label(rule, a["quantity"], lang)
    if a["quantity"] == "W" and "problem" in g:
        qlabel = f"${a['key']}$"
    parts: list[str] = []
    if lang == "ja":
        name = info.name_ja
        parts.append(f"{name} の更新式（{CONV[convention][0]}）は次のとおりである。")
    else:
        parts.append(f"The update rule of {info.name_en} ({CONV[convention][1]}) is:")
    parts.append("$$\n" + rule_latex(rule) + "\n$$")
    syms = [s for s in rule.symbols.values() if s.kind in ("hyper", "state", "temp")]
    meanings = "、".join(f"${s.latex}$: {s.ja}" for s in syms) if lang == "ja" else \
        "; ".join(f"${s.latex}$: {s.en}" for s in syms)
    if lang == "ja":
        setup = f"ここで {meanings}。{hyp} とする。" if hyp else f"ここで {meanings}。"
        if states:
            setup += f" {', '.join(states)} の初期値は 0 とする。"
        if any(s.kind == "step" and s.name == "t" for s in rule.symbols.values()):
            setup += " t は 1 から数える（1 回目の更新で t = 1）。"
        if "eps" in g.get("ignore", ()):
            setup += " ゼロ除算を防ぐ微小な値 ε は無視してよい（ε = 0 として計算する）。"
    else:
        setup = f"Here {meanings}. Let {hyp}." if hyp else f"Here {meanings}."
        if states:
            setup += f" {', '.join(states)} {'start' if len(states) > 1 else 'starts'} at 0."
        if any(s.kind == "step" and s.name == "t" for s in rule.symbols.values()):
            setup += " t counts from 1 (t = 1 at the first update)."
        if "eps" in g.get("ignore", ()):
            setup += " Ignore the small constant ε (compute with ε = 0)."
    parts.append(setup)
    ordinal = ""
    if "problem" in g:
        prob = P.get(g["problem"])
        x0, y0 = g["start"]
        if lang == "ja":
            parts.append(f"損失関数 ${prob.formula}$（勾配 ${prob.grad_formula}$）を、点 $(x, y) = ({C.fmt(x0)},\\ "
                         f"{C.fmt(y0)})$ から最小化する。パラメータ x と y はそれぞれ上の W として同じ規則で更新し、"
                         f"状態も別々に持つ。勾配は各回の更新の直前の点で計算する。")
        else:
            parts.append(f"Minimise ${prob.formula}$ (gradient ${prob.grad_formula}$) from $(x, y) = ({C.fmt(x0)},\\ "
                         f"{C.fmt(y0)})$. x and y are each updated by the rule above (as W), with their own state; "
                         f"each gradient is taken at the point just before that update.")
    else:
        w0 = g["params0"]["W"]
        grads = [gg["W"] for gg in g["grads"]]
        const = len(grads) > 1 and all(gr == grads[0] for gr in grads)
        if lang == "ja":
            text = f"パラメータの初期値を $W_0 = {C.vec(w0)}$ とし、"
            if const:
                text += f"勾配は毎回 $g = {C.vec(grads[0])}$ で一定とする。"
            else:
                text += "各回の勾配を " + ", ".join(f"$g_{{{i + 1}}} = {C.vec(gr)}$" for i, gr in enumerate(grads)) + \
                    " とする。"
        else:
            text = f"Let $W_0 = {C.vec(w0)}$ and "
            if len(grads) == 1:
                text += f"the gradient be $g_{{1}} = {C.vec(grads[0])}$."
            elif const:
                text += f"the gradient be $g = {C.vec(grads[0])}$ at every step."
            else:
                text += "the gradients be " + ", ".join(f"$g_{{{i + 1}}} = {C.vec(gr)}$"
                                                       for i, gr in enumerate(grads)) + "."
        parts.append(text)
        if len(w0) > 1:
            ordinal = _ordinal(int(a["index"]) + 1, lang)
    if lang == "ja":
        of = f"{qlabel}の{ordinal}" if ordinal else qlabel
        of = of + " "
        if "problem" in g and a["quantity"] != "W":
            of = f"{a['key']} の {qlabel}"
        ask = f"{k} 回更新した後の {of}の値"
        parts.append(f"{ask}として最も近いものを選べ。" if choose else f"{ask}を求めよ。")
    else:
        of = f"{ordinal} of {qlabel}" if ordinal else qlabel
        if "problem" in g and a["quantity"] != "W":
            of = f"{qlabel} of {a['key']}"
        ask = f"the value of {of} after {k} update{'s' if k > 1 else ''}"
        parts.append(f"Choose the value closest to {ask[len('the value of '):]}." if choose else f"Compute {ask}.")
    return "\n\n".join(parts)


def mistake_feedback(m, shown: str, key_text: str, lang: str) -> str:
    if lang == "ja":
        return f"{m.title_ja}: {m.feedback_ja}（この誤りで計算すると {shown}。正しくは {key_text}）"
    return f"{m.title_en}: {m.feedback_en} (this mistake gives {shown}; the answer is {key_text})"


def correct_feedback(lang: str) -> str:
    return "正解。" if lang == "ja" else "Correct."


def choice_of(m, value: float, var: Variant, lang: str, key_text: str) -> Choice:
    shown = C.round_text(value, var.decimals)
    return Choice(text=shown, correct=False, value=float(value), mistake=m.name,
                  feedback=mistake_feedback(m, shown, key_text, lang))


def key_choice(var: Variant, lang: str) -> Choice:
    return Choice(text=C.round_text(var.key, var.decimals), correct=True, value=float(var.key), mistake=None,
                  feedback=correct_feedback(lang))


def solution(var: Variant, lang: str) -> list[SolutionStep]:
    """The rule, then each step with its numbers substituted (from the executed trace), then the result."""
    from ..formulas import number, step_lines

    g = var.given
    ex = execute(g, log=True)
    trace = ex.to_trace()
    a = g["asked"]
    rule = trace.rule
    out = [SolutionStep("更新式" if lang == "ja" else "Update rule", rule_latex(rule))]
    if "eps" in g.get("ignore", ()):
        note = (f"ε = 0 として計算する（クラスの既定値 ε = {number(var.eps_default)} を入れても答えは "
                f"{C.round_text(var.eps_value, var.decimals)} で表示桁は変わらない）。" if lang == "ja" else
                f"Compute with ε = 0 (the class default ε = {number(var.eps_default)} gives "
                f"{C.round_text(var.eps_value, var.decimals)}: the displayed digits do not change).")
        out.append(SolutionStep(note))
    index = int(a.get("index", 0))
    for t in range(1, int(a["step"]) + 1):
        gval = ex.grads[t - 1][a["key"]]
        gtext = number(float(gval.reshape(-1)[index]))
        label = a["key"] if "problem" in g else ("W" if len(ex.params0[a["key"]]) == 1 else f"W[{index}]")
        if lang == "ja":
            text = f"{t} 回目の更新（{label} の勾配 g = {gtext}）"
        else:
            text = f"Update {t} ({label}'s gradient g = {gtext})"
        lines = step_lines(trace, t, a["key"], index if len(ex.params0[a["key"]]) > 1 else None)
        out.append(SolutionStep(text, "\\begin{gathered}\n" + " \\\\\n".join(lines) + "\n\\end{gathered}"))
    sym = rule.symbols[a["quantity"]]
    shown = C.round_text(var.key, var.decimals)
    if lang == "ja":
        out.append(SolutionStep(f"よって {a['step']} 回更新した後の ${sym.latex}$ は {number(var.key)}、"
                                f"小数第 {var.decimals} 位までで **{shown}**。"))
    else:
        out.append(SolutionStep(f"So ${sym.latex}$ after {a['step']} update(s) is {number(var.key)}, i.e. **{shown}** "
                                f"to {var.decimals} decimals."))
    return out


def tags(var: Variant) -> dict[str, Any]:
    info = optimizers.get(var.given["optimizer"]).INFO
    steps = int(var.given["asked"]["step"])
    difficulty = 1 if steps == 1 else 2 if steps == 2 else 3
    if var.given["optimizer"] in ("nadam", "radam", "adadelta") or "problem" in var.given:
        difficulty = min(3, difficulty + 1)
    return {"optimizer": info.key, "topic": "computation", "syllabus": info.syllabus, "difficulty": difficulty,
            "convention": var.given.get("convention", "textbook"), "format": "F5"}


def make_question(family: str, var: Variant, rng: np.random.Generator, lang: str, render: bool,
                  wrong: Sequence[tuple[Any, float]], kind: str, opts: Mapping[str, Any]) -> Question:
    key_c = key_choice(var, lang)
    wrong_c = [choice_of(m, v, var, lang, key_c.text) for m, v in wrong]
    choices, index = C.place(C.part(rng, "order"), key_c, wrong_c)
    answer = C.numeric_answer(var.key, var.decimals)
    answer.index = index
    return Question(
        id="", family=family, seed=0, lang=lang, kind=kind,
        stem=stem(var, lang, choose=(kind == "choice")), answer=answer, choices=choices,
        solution=solution(var, lang) if render else [], given=var.given,
        rounding=C.rounding_text(var.decimals, answer.tolerance, lang), tags=tags(var),
        options={k: v for k, v in opts.items() if v is not None})
