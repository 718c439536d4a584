"""What a learner reads of a numeric question: the stem (the rule named by its source, the settings as one
sentence, the inputs, the ask), the choices with their feedback, and the worked solution (every step with its
numbers, from the executed trace; the gradient of a defined loss computed at the point the rule takes it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

import optimizers

from .. import problems as P
from ..question import Choice, Question, SolutionStep
from . import _common as C
from . import _numeric_long as L
from ._common import short_meaning, spaced
from ._numeric import Variant
from ._run import execute, rule_for

_LATEX: dict[int, tuple[str, Any]] = {}


def rule_latex(rule) -> str:
    """``rule.latex()``, rendered once per rule object (rules are cached, so their ids are stable)."""
    if id(rule) not in _LATEX:
        _LATEX[id(rule)] = (rule.latex(), rule)
    return _LATEX[id(rule)][0]


def _hyper_values(given: Mapping[str, Any]) -> dict[str, Any]:
    hyper = dict(given["hyperparameters"])
    if "betas" in hyper:
        hyper["beta1"], hyper["beta2"] = hyper.pop("betas")
    return hyper


def settings(rule, given: Mapping[str, Any], lang: str) -> str:
    """The settings as one sentence: 「学習率 η = 0.1、モーメンタム係数 α = 0.9 とし、v の初期値は 0 とする。」"""
    hyper, ignored = _hyper_values(given), set(given.get("ignore", ()))
    items = [(short_meaning(s, lang), f"${s.latex} = {C.fmt(hyper[s.code])}$") for s in rule.of_kind("hyper")
             if s.code in hyper and s.code not in ignored]
    states = [f"${s.latex}$" for s in rule.of_kind("state")]
    has_t = any(s.kind == "step" and s.name == "t" for s in rule.symbols.values())
    if lang == "ja":
        text = "、".join(f"{m} {v}" for m, v in items)
        if states:
            text += (" とし、" if text else "") + " と ".join(states) + " の初期値は 0 とする。"
        elif text:
            text += " とする。"
        if has_t:
            text += "t は 1 から数える（1 回目の更新で t = 1）。"
        if "eps" in ignored:
            text += "ゼロ除算を防ぐ微小な値 ε は無視してよい（ε = 0 として計算する）。"
        return text
    text = ", ".join(f"{m} {v}" for m, v in items)
    parts = [f"Let {text}." if text else ""]
    if states:
        parts.append(f"{' and '.join(states)} {'start' if len(states) > 1 else 'starts'} at 0.")
    if has_t:
        parts.append("t counts from 1 (t = 1 at the first update).")
    if "eps" in ignored:
        parts.append("Ignore the small constant ε (compute with ε = 0).")
    return " ".join(p for p in parts if p)


def _point(coords: Sequence[float], names: Sequence[str]) -> str:
    if len(names) == 1:
        return f"${names[0]}_0 = {C.fmt(coords[0])}$"
    sep = ",\\ "
    return f"$({', '.join(names)}) = ({sep.join(C.fmt(c) for c in coords)})$"


def inputs(rule, given: Mapping[str, Any], lang: str) -> str:
    """The sentence that gives W₀ and the gradients, or the loss and where its gradient is taken."""
    ahead = rule.grad_at is not None
    if "problem" in given:
        prob = P.get(given["problem"])
        names, start = prob.names, given["start"]
        if lang == "ja":
            where = ("各回の先読み点 $\\tilde{W}$ で計算する" if ahead else "各回の更新の直前の点で計算する")
            if len(names) == 1:
                return (f"損失関数を ${prob.formula}$ とし、パラメータ $w$ を {_point(start, names)} から上の式の "
                        f"$W$ として更新する。勾配 ${prob.grad_formula}$ は{where}。")
            return (f"損失関数 ${prob.formula}$ を点 {_point(start, names)} から最小化する。$x$ と $y$ をそれぞれ"
                    f"上の式の $W$ として同じ規則で更新し、状態も別々に持つ。勾配 ${prob.grad_formula}$ は{where}。")
        where = "at each look-ahead point $\\tilde{W}$" if ahead else "at the point just before each update"
        if len(names) == 1:
            return (f"Let the loss be ${prob.formula}$; the parameter $w$ starts at {_point(start, names)} and is "
                    f"updated as $W$ above. The gradient ${prob.grad_formula}$ is taken {where}.")
        return (f"Minimise ${prob.formula}$ from {_point(start, names)}. $x$ and $y$ are each updated as $W$ above, "
                f"with their own state. The gradient ${prob.grad_formula}$ is taken {where}.")
    w0 = given["params0"]["W"]
    grads = [gg["W"] for gg in given["grads"]]
    const = len(grads) > 1 and all(gr == grads[0] for gr in grads)
    if lang == "ja":
        text = f"パラメータの初期値を $W_0 = {C.vec(w0)}$ とし、"
        if const:
            return text + f"勾配は毎回 $g = {C.vec(grads[0])}$ で一定とする。"
        if len(grads) == 1:
            return text + f"勾配を $g_{{1}} = {C.vec(grads[0])}$ とする。"
        return text + "各回の勾配を " + "、".join(f"$g_{{{i + 1}}} = {C.vec(gr)}$" for i, gr in enumerate(grads)) \
            + " とする。"
    text = f"Let $W_0 = {C.vec(w0)}$ and "
    if len(grads) == 1:
        return text + f"the gradient be $g_{{1}} = {C.vec(grads[0])}$."
    if const:
        return text + f"the gradient be $g = {C.vec(grads[0])}$ at every step."
    return text + "the gradients be " + ", ".join(f"$g_{{{i + 1}}} = {C.vec(gr)}$" for i, gr in enumerate(grads)) + "."


def ask(rule, given: Mapping[str, Any], lang: str, choose: bool) -> str:
    a = given["asked"]
    k, q = int(a["step"]), a["quantity"]
    sym = f"${rule.symbols[q].latex}$"
    if "problem" in given and len(P.get(given["problem"]).names) > 1:
        of = f"${a['key']}$" if q == "W" else (f"${a['key']}$ の {sym}" if lang == "ja" else f"{sym} of ${a['key']}$")
    elif "problem" in given:
        of = f"${a['key']}$" if q == "W" else sym
    elif len(given["params0"]["W"]) > 1:
        n = int(a["index"]) + 1
        of = f"{sym} の第 {n} 成分" if lang == "ja" else f"component {n} of {sym}"
    else:
        of = sym
    if lang == "ja":
        return f"{k} 回更新した後の{spaced(of)}の値" + ("として最も近いものを選べ。" if choose else "を求めよ。")
    what = f"{of} after {k} update{'s' if k > 1 else ''}"
    return f"Choose the value closest to {what}." if choose else f"Compute the value of {what}."


def stem(var: Variant, lang: str, *, choose: bool) -> str:
    g = var.given
    info = optimizers.get(g["optimizer"]).INFO
    convention = g.get("convention", "textbook")
    rule = rule_for(g["optimizer"], convention, g["hyperparameters"])
    if lang == "ja":
        name, form = spaced(info.name_ja).lstrip(), spaced(info.form(convention))
        head = f"{name}の更新式を{form}の形で書くと、次のとおりである。"
    else:
        head = f"The update rule of {info.name_en}, in the form of {info.form(convention, 'en')}, is:"
    return "\n\n".join([head, "$$\n" + rule_latex(rule) + "\n$$", settings(rule, g, lang), inputs(rule, g, lang),
                        ask(rule, g, lang, choose)])


# -- choices ----------------------------------------------------------------------------------
def mistake_feedback(m, key: str, shown: str, key_text: str, lang: str) -> str:
    """A mistake names itself; a convention says whose correct form it is, never that it is wrong."""
    if m.is_convention(key):
        if lang == "ja":
            return f"{m.label(key)}。{m.feedback_ja} その形で計算すると {shown}、問題の式では {key_text}。"
        return f"{m.label(key, 'en')}. {m.feedback_en} That form gives {shown}; the stem's form gives {key_text}."
    if lang == "ja":
        return f"{m.title_ja}: {m.feedback_ja} この誤りで計算すると {shown}、正しくは {key_text}。"
    return f"{m.title_en}: {m.feedback_en} This mistake gives {shown}; the answer is {key_text}."


def correct_feedback(lang: str) -> str:
    return "正解。" if lang == "ja" else "Correct."


def choice_of(m, value: float, var: Variant, lang: str, key_text: str) -> Choice:
    shown = C.round_text(value, var.decimals)
    return Choice(text=shown, correct=False, value=float(value), mistake=m.name,
                  feedback=mistake_feedback(m, var.given["optimizer"], shown, key_text, lang))


def key_choice(var: Variant, lang: str) -> Choice:
    return Choice(text=C.round_text(var.key, var.decimals), correct=True, value=float(var.key), mistake=None,
                  feedback=correct_feedback(lang))


# -- worked solution --------------------------------------------------------------------------
def _gradient_text(ex, trace, given: Mapping[str, Any], t: int, name: str, index: int, lang: str) -> str:
    """How the gradient of update ``t`` was obtained: given, or the loss's gradient at the point the rule takes it."""
    from ..formulas import number

    gval = float(np.asarray(ex.grads[t - 1][name]).reshape(-1)[index])
    if "problem" not in given:
        label = "W" if len(ex.params0[name]) == 1 else f"W[{index}]"
        return (f"{t} 回目の更新。{label} の勾配は g = {number(gval)}" if lang == "ja" else
                f"Update {t}: {label}'s gradient g = {number(gval)}")
    prob = P.get(given["problem"])
    rule = trace.rule
    if rule.grad_at is not None:
        point = [float(np.asarray(trace.records[t - 1].after[n][rule.grad_at]).reshape(-1)[0]) for n in prob.names]
        where = "先読み点 $\\tilde{W}$" if lang == "ja" else "the look-ahead point $\\tilde{W}$"
    else:
        point = [float(np.asarray(trace.records[t - 1].before[n]["W"]).reshape(-1)[0]) for n in prob.names]
        where = "更新前の点" if lang == "ja" else "the point before the update"
    i = prob.names.index(name)
    comp = prob.gradient_text(point).split(",\\ ")[i]
    sep = ",\\ "
    at = (f"{prob.names[0]} = {number(point[0])}" if len(point) == 1 else
          f"({', '.join(prob.names)}) = ({sep.join(number(p) for p in point)})")
    if lang == "ja":
        of = "" if len(point) == 1 else f"${name}$ の"
        return f"{t} 回目の更新。{spaced(where).lstrip()}は ${at}$ で、{of}勾配は $g = {comp}$"
    return f"Update {t}: {where} is ${at}$; the gradient{'' if len(point) == 1 else f' of ${name}$'} is $g = {comp}$"


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
        out.append(SolutionStep(
            f"ε = 0 として計算する。クラスの既定値 ε = {number(var.eps_default)} を入れても答えは "
            f"{C.round_text(var.eps_value, var.decimals)} で、表示する桁は変わらない。" if lang == "ja" else
            f"Compute with ε = 0 (the class default ε = {number(var.eps_default)} gives "
            f"{C.round_text(var.eps_value, var.decimals)}: the displayed digits do not change)."))
    index, name = int(a.get("index", 0)), a["key"]
    multi = len(ex.params0[name]) > 1
    for t in range(1, int(a["step"]) + 1):
        lines = step_lines(trace, t, name, index if multi else None)
        out.append(SolutionStep(_gradient_text(ex, trace, g, t, name, index, lang),
                                "\\begin{gathered}\n" + " \\\\\n".join(lines) + "\n\\end{gathered}"))
    closed = L.closed_form(g)
    if closed is not None:
        out.append(SolutionStep(closed[0] if lang == "ja" else closed[1], closed[2]))
    sym = rule.symbols[a["quantity"]]
    if a["quantity"] == "W" and "problem" in g:
        sym = type(sym)(sym.name, a["key"], sym.ja, sym.en, sym.kind, sym.code)  # the asked parameter's name
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
    difficulty = 1 if steps == 1 else 2 if steps == 2 or L.closed_form(var.given) else 3
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
