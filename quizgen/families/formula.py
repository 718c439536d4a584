"""Formula selection (format F2): the correct update rule and three mistaken rules, all rendered from sympy.

The mistaken rules are the named mistakes applied to the optimizer's :class:`~optimizers.Rule`
(``Mistake.rule``). Each is proven different from the correct rule: the whole step (every assignment
substituted into the next) is evaluated exactly at rational points, and some output (W or a state)
differs there (to 50 digits, so the proof does not rest on float rounding); the rendered LaTeX
differs too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import sympy as sp

import optimizers
from optimizers import Rule

from ..question import Answer, Choice, Question, SolutionStep
from . import _common as C
from ._blanks import point_text
from ._run import rule_for

KIND = "choice"
TITLE = ("更新式の選択（誤りを入れた式との 4 択）", "formula selection (the rule among mistaken rules)")


OPTIONS = [
    C.Option("optimizer", "optimizer key; drawn when omitted (mostly the syllabus ones)", None, None, C.optimizer_key),
    C.Option("convention", "textbook (the reference class's form, named by its source), pytorch, or sutskever "
             "(Nesterov's look-ahead form); drawn when omitted (textbook, or for Nesterov sometimes sutskever)", None,
             ("textbook", "pytorch", "sutskever")),
]

# exact evaluation points (every hyperparameter, state and input gets a rational; t is the count *before* the step)
POINTS = (
    {"W": sp.Rational(3, 2), "g": sp.Rational(7, 10), "eta": sp.Rational(1, 10), "gamma": sp.Rational(1, 10),
     "alpha": sp.Rational(9, 10), "mu": sp.Rational(4, 5), "rho": sp.Rational(9, 10), "beta1": sp.Rational(9, 10),
     "beta2": sp.Rational(99, 100), "eps": sp.Rational(1, 100), "lam": sp.Rational(1, 10), "eta_t": sp.Integer(1),
     "psi": sp.Rational(1, 250), "tau": sp.Integer(0), "t": sp.Integer(1), "mu_product": sp.Rational(9, 10),
     "v": sp.Rational(1, 5), "h": sp.Rational(1, 4), "m": sp.Rational(1, 10), "s": sp.Rational(1, 9),
     "u": sp.Rational(2, 5), "v_max": sp.Rational(1, 3), "b": sp.Rational(3, 10), "lr_decay": sp.Integer(0),
     "delta": sp.Rational(1, 100)},
    {"W": sp.Rational(-2, 5), "g": sp.Rational(-3, 10), "eta": sp.Rational(1, 5), "gamma": sp.Rational(1, 5),
     "alpha": sp.Rational(1, 2), "mu": sp.Rational(1, 2), "rho": sp.Rational(3, 4), "beta1": sp.Rational(4, 5),
     "beta2": sp.Rational(9, 10), "eps": sp.Rational(1, 20), "lam": sp.Rational(1, 5), "eta_t": sp.Integer(1),
     "psi": sp.Rational(1, 100), "tau": sp.Integer(0), "t": sp.Integer(2), "mu_product": sp.Rational(1, 2),
     "v": sp.Rational(1, 7), "h": sp.Rational(2, 3), "m": sp.Rational(-1, 5), "s": sp.Rational(1, 3),
     "u": sp.Rational(1, 2), "v_max": sp.Rational(1, 2), "b": sp.Rational(-1, 10), "lr_decay": sp.Integer(0),
     "delta": sp.Rational(1, 20)},
    # a late step (RAdam's rectified branch, ρ_t > 5, only opens after a few steps)
    {"W": sp.Rational(1, 2), "g": sp.Rational(2, 5), "eta": sp.Rational(1, 10), "gamma": sp.Rational(1, 10),
     "alpha": sp.Rational(9, 10), "mu": sp.Rational(9, 10), "rho": sp.Rational(9, 10), "beta1": sp.Rational(9, 10),
     "beta2": sp.Rational(9, 10), "eps": sp.Rational(1, 10), "lam": sp.Rational(1, 10), "eta_t": sp.Integer(1),
     "psi": sp.Rational(1, 250), "tau": sp.Integer(0), "t": sp.Integer(20), "mu_product": sp.Rational(1, 10),
     "v": sp.Rational(1, 6), "h": sp.Rational(1, 2), "m": sp.Rational(1, 4), "s": sp.Rational(1, 5),
     "u": sp.Rational(3, 5), "v_max": sp.Rational(1, 4), "b": sp.Rational(1, 5), "lr_decay": sp.Integer(0),
     "delta": sp.Rational(1, 10)},
)


def closed_form(rule: Rule) -> dict[str, sp.Expr]:
    """Every target after one step, as an expression of the inputs (assignments substituted in order)."""
    env: dict[sp.Symbol, sp.Expr] = {}
    out: dict[str, sp.Expr] = {}
    for target, expr in rule.assignments:
        value = sp.sympify(expr).xreplace(env)
        env[rule.symbols[target].s] = value
        out[target] = value
    return out


def _at(expr: sp.Expr, point: dict[str, sp.Expr]) -> sp.Expr:
    subs = {s: point[s.name] for s in expr.free_symbols if s.name in point}
    return expr.xreplace(subs)


def proof(correct: Rule, wrong: Rule, correct_form: dict[str, sp.Expr] | None = None) -> dict[str, Any] | None:
    """A point where the two rules' steps differ: {"quantity", "point", "correct", "wrong"} (exact values).
    ``correct_form``: ``closed_form(correct)`` if already known."""
    a, b = correct_form or closed_form(correct), closed_form(wrong)
    names = ["W"] + [s.name for s in correct.of_kind("state")]
    for point in POINTS:
        for name in names:
            if name not in a or name not in b:
                continue
            try:
                va, vb = _at(a[name], point), _at(b[name], point)
                diff = sp.N(va - vb, 50)
            except (ZeroDivisionError, TypeError, ValueError):
                continue
            if diff.is_number and diff.is_real and abs(diff) > sp.Float("1e-30"):
                used = {s.name for s in correct.symbols.values() if s.kind not in ("temp",)}
                return {"quantity": name, "point": {k: str(v) for k, v in point.items() if k in used},
                        "correct": str(va if va.is_Rational else sp.N(va, 12)),
                        "wrong": str(vb if vb.is_Rational else sp.N(vb, 12))}
    return None


@dataclass(frozen=True)
class Variant:
    mistake: str
    latex: str
    proof: dict[str, Any]


@cache
def variants(key: str, convention: str) -> tuple[str, tuple[Variant, ...]]:
    """(correct LaTeX, the mistaken rules proven different, with distinct LaTeX) for one optimizer."""
    from .. import mistakes as M

    hyper = _form(key, convention)
    correct = rule_for(key, convention, hyper)
    text = correct.latex(derived=False)
    seen = {text}
    form = closed_form(correct)
    out = []
    for m in M.MISTAKES:
        if not m.applies(key, convention) or m.runner is not None or m.is_convention(key):
            continue  # another source's correct form is never offered as a wrong formula
        wrong = m.rule(key, convention, hyper)
        if wrong is None:
            continue
        latex = wrong.latex(derived=False)
        if latex in seen:
            continue
        p = proof(correct, wrong, form)
        if p is None:
            continue
        seen.add(latex)
        out.append(Variant(m.name, latex, p))
    return text, tuple(out)


def _inline(latex: str) -> str:
    return "$" + " ".join(line.strip() for line in latex.splitlines()) + "$"


def generate(rng: np.random.Generator, *, lang: str = "ja", render: bool = True, **options: Any) -> Question:
    from .. import mistakes as M

    opts = C.parse_options("formula", OPTIONS, options)
    r = C.part(rng, "inputs")
    keys = [opts["optimizer"]] if opts["optimizer"] else [k for k in optimizers.ORDER if k in optimizers.MODULES]
    if opts["convention"] == "sutskever":
        keys = [k for k in keys if "sutskever" in optimizers.get(k).INFO.conventions]
    if not keys:
        raise ValueError(f"formula: no optimizer has the {opts['convention']} convention")
    # every optimizer has at least three provable mistaken rules in each of its conventions (a test checks
    # each), so only the drawn one's are worked out: each optimizer's take a few tenths of a second of sympy
    key = C.draw_optimizer(r, keys)
    convention = opts["convention"] or ("sutskever" if "sutskever" in optimizers.get(key).INFO.conventions
                                        and r.random() < 0.4 else "textbook")
    text, vs = variants(key, convention)
    if len(vs) < 3:
        raise ValueError(f"formula: fewer than three provable mistaken rules for {key} ({convention})")
    idx = sorted(int(i) for i in r.choice(len(vs), size=3, replace=False))
    chosen = [vs[i] for i in idx]
    info = optimizers.get(key).INFO
    correct = Choice(_inline(text), True, None, None, "正解。" if lang == "ja" else "Correct.")
    wrong = []
    for v in chosen:
        m = M.get(v.mistake)
        p = v.proof
        point = point_text(p["point"])
        if lang == "ja":
            fb = (f"{m.title_ja}: {m.feedback_ja}（1 ステップを厳密に計算すると、例えば "
                  f"{point} で {p['quantity']} が正しい式では {p['correct']}、この式では {p['wrong']}）")
        else:
            fb = (f"{m.title_en}: {m.feedback_en} (one exact step at {point} gives {p['quantity']} = "
                  f"{p['correct']} with the right rule and {p['wrong']} with this one)")
        wrong.append(Choice(_inline(v.latex), False, None, v.mistake, fb))
    choices, index = C.place(C.part(rng, "order"), correct, wrong)
    stem = _stem(info, _sym_rule(key, convention), convention, lang)
    solution = []
    if render:
        solution.append(SolutionStep("正しい更新式" if lang == "ja" else "The correct rule", text))
        for v in chosen:
            m = M.get(v.mistake)
            solution.append(SolutionStep(f"{m.title(lang)}: {m.feedback(lang)}", v.latex))
    return Question(
        id="", family="formula", seed=0, lang=lang, kind=KIND, stem=stem, answer=Answer(index=index),
        choices=choices, solution=solution,
        given={"optimizer": key, "convention": convention, "mistakes": [v.mistake for v in chosen]},
        tags={"optimizer": key, "topic": "formula", "syllabus": info.syllabus, "difficulty": 2, "format": "F2"},
        options={k: v for k, v in opts.items() if v is not None})


def _stem(info, rule: Rule, convention: str, lang: str) -> str:
    """The form named by its source, then the symbols a learner needs (hyperparameters and state; the
    formula itself defines the rest) as one sentence in the exam's register."""
    from ._common import short_meaning, spaced

    named = [s for s in rule.symbols.values() if s.kind in ("hyper", "state")]
    grad = rule.symbols["g"]
    if lang == "ja":
        name, form = spaced(info.name_ja).lstrip(), spaced(info.form(convention))
        what = "、".join(f"{short_meaning(s, 'ja')}を ${s.latex}$" for s in named)
        grad_text = "損失の勾配" if rule.grad_at is None else "先読み点での損失の勾配"
        return (f"パラメータを $W$、{grad_text}を ${grad.latex}$" + (f"、{what}" if what else "") + " とする。"
                f"{name}の 1 回の更新を{form}の形で書いた式として正しいものを選べ。")
    what = ", ".join(f"${s.latex}$ the {short_meaning(s, 'en')}" for s in named)
    return (f"Choose the correct update rule of {info.name_en} in the form of {info.form(convention, 'en')}. "
            f"$W$ is the parameter, ${grad.latex}$ the loss gradient" + (f", {what}" if what else "") + ".")


def _sym_rule(key: str, convention: str) -> Rule:
    return rule_for(key, convention, _form(key, convention))


def _form(key: str, convention: str) -> dict[str, Any]:
    """torch arguments that select the optimizer's own form (momentum on, nesterov, amsgrad)."""
    if convention != "pytorch":
        return {}
    return {"amsgrad": {"amsgrad": True}, "nesterov": {"nesterov": True, "momentum": 0.9},
            "momentum": {"momentum": 0.9}, "adamw": {}}.get(key, {})

