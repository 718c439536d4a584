"""Formula blank (format F2, skeleton 1): the update rule with one term blanked （ア）, four terms to choose from.

The rule is the optimizer's textbook rule as sympy writes it (the same rule the reference class is checked
against). The blank is a :class:`~quizgen.families._blanks.Site`: a term of one line, and the wrong choices are
the terms the named mistakes (``quizgen.mistakes``) put there, written in the same term order as the correct
rule (only the mistaken part differs). Every wrong term was proven wrong symbolically (the filled rule's step
differs from the correct one at an exact point, shown in the feedback) and by execution (the filled rule, run
on a witness, differs from the reference class). A term that is another source's correct form is never offered.

``given`` holds what a reader needs to check the key without this module: the optimizer, the line and the
path of the blank in that line's expression, and every choice's term as ``sympy.srepr`` text in choice order.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

import optimizers

from ..question import Answer, Choice, Question, SolutionStep
from . import _blanks as B
from . import _common as C
from . import _ja as J
from ._run import rule_for

KIND = "choice"
TITLE = ("更新式の空欄補充（空欄に入る項を 4 択で選ぶ）", "formula blank (choose the term that fills （ア）)")

OPTIONS = [
    C.Option("optimizer", "optimizer key; drawn when omitted (mostly the syllabus optimizers)", None, None,
             C.optimizer_key),
]


def supported(key: str) -> bool:
    return bool(B.usable(key))


def draw_supported(r: np.random.Generator, ok: Any) -> str:
    """An optimizer drawn as ``draw_optimizer`` draws it, again without it while ``ok(key)`` is false (only the
    drawn optimizer's blank sites are worked out, not every optimizer's)."""
    keys = list(optimizers.ORDER)
    while keys:
        key = C.draw_optimizer(r, keys)
        if ok(key):
            return key
        keys.remove(key)
    raise ValueError("no optimizer has a question of this kind")


def rule_sentence(key: str, lang: str) -> str:
    """「Adam の 1 回の更新を『ゼロから作るDeep Learning』の形で書くと、次の式になる。」: the form named by its
    source where the optimizer module names it (``Info.form``), else 「…は次の式で表される。」."""
    info = optimizers.get(key).INFO
    name = optimizer_name(key, lang)
    form = ""
    if callable(getattr(info, "form", None)):
        try:
            form = info.form("textbook", lang)
        except ValueError:
            form = ""
    if lang == "ja":
        if form:
            return J.join(name, "の 1 回の更新を", form, "の形で書くと、次の式になる。")
        return J.join(name, "の 1 回の更新は、次の式で表される。")
    return f"One update of {name}" + (f" in the form of {form}" if form else "") + " is written below."


def optimizer_name(key: str, lang: str = "ja") -> str:
    """The name a stem uses: the bank's topic name (no reading in brackets), or the class name."""
    from .. import bank

    if lang == "ja" and key in bank.TOPICS:
        return bank.TOPICS[key]
    return optimizers.get(key).INFO.cls.__name__


def meanings(rule: Any, exprs: list[sp.Expr], lang: str) -> str:
    """「ここで、η は学習率、ρ は減衰率である。」 for the hyperparameters the shown formula uses (the states and
    the step count are named by the formula itself)."""
    used: set[str] = set()
    for e in exprs:
        used |= {str(s) for s in e.free_symbols}
    syms = [s for s in rule.symbols.values() if s.name in used and s.kind == "hyper"]
    if not syms:
        return ""
    if lang == "ja":
        return "ここで、" + "、".join(J.join(f"${s.latex}$", "は", s.ja) for s in syms) + "である。"
    return "Here " + "; ".join(f"${s.latex}$ is the {s.en}" for s in syms) + "."


def feedback(key: str, site: B.Site, wrong: B.Wrong, lang: str) -> str:
    from .. import mistakes as M

    m = M.get(wrong.mistake)
    p = B.proof(key, site.index, wrong.mistake)
    point = B.point_text(p["point"])
    if lang == "ja":
        return (f"{m.title_ja}: {m.feedback_ja}（この項で 1 ステップを厳密に計算すると、例えば {point} で "
                f"{p['quantity']} が正しい式では {p['correct']}、この式では {p['wrong']}）")
    return (f"{m.title_en}: {m.feedback_en} (with this term, one exact step at {point} gives {p['quantity']} = "
            f"{p['correct']} with the right rule and {p['wrong']} with this one)")


def generate(rng: np.random.Generator, *, lang: str = "ja", render: bool = True, **options: Any) -> Question:
    from .. import mistakes as M

    opts = C.parse_options("formula_blank", OPTIONS, options)
    r = C.part(rng, "inputs")
    if opts["optimizer"]:
        key = opts["optimizer"]
        if not supported(key):
            raise ValueError(f"formula_blank: {key} has no term with three proven-wrong named mistakes")
    else:
        key = draw_supported(r, supported)
    rule = rule_for(key, "textbook")
    sites = B.usable(key)
    lines = sorted({s.index for s in sites})
    line = C.pick(r, lines)  # a line first, so a long line's many nested terms do not crowd out the others
    site = C.pick(r, [s for s in sites if s.index == line])
    idx = sorted(int(i) for i in r.choice(len(site.wrong), size=3, replace=False))
    chosen = [site.wrong[i] for i in idx]
    correct = Choice(B.inline(rule, site.correct), True, None, None, "正解。" if lang == "ja" else "Correct.")
    wrong = [Choice(B.inline(rule, w.term), False, None, w.mistake, feedback(key, site, w, lang)) for w in chosen]
    choices, index = C.place(C.part(rng, "order"), correct, wrong)
    terms = {c.text: t for c, t in zip([correct, *wrong], [site.correct, *[w.term for w in chosen]])}
    shown = B.rule_with_blanks(rule, [(site.index, site.path, "ア")])
    exprs = [e for _, e in rule.assignments]
    if lang == "ja":
        stem = (f"{rule_sentence(key, lang)}{meanings(rule, exprs, lang)}\n\n$${shown}$$\n\n"
                "（ア）に入る式として正しいものを選べ。")
    else:
        stem = (f"{rule_sentence(key, lang)} {meanings(rule, exprs, lang)}\n\n$${shown}$$\n\n"
                "Choose the term that fills （ア）.")
    solution = []
    if render:
        solution.append(SolutionStep("正しい更新式" if lang == "ja" else "The correct rule", rule.latex(derived=False)))
        for w in chosen:
            m = M.get(w.mistake)
            line_expr = B.put(rule.assignments[site.index][1], site.path, w.term)
            solution.append(SolutionStep(f"{m.title(lang)}: {m.feedback(lang)}",
                                         f"{rule.symbols[site.target].latex} \\leftarrow {B.latex(rule, line_expr)}"))
    info = optimizers.get(key).INFO
    return Question(
        id="", family="formula_blank", seed=0, lang=lang, kind=KIND, stem=stem, answer=Answer(index=index),
        choices=choices, solution=solution,
        given={"optimizer": key, "convention": "textbook", "line": site.index, "target": site.target,
               "path": list(site.path), "terms": [sp.srepr(terms[c.text]) for c in choices],
               "mistakes": [w.mistake for w in chosen]},
        tags={"optimizer": key, "topic": "formula", "syllabus": info.syllabus, "difficulty": 2, "format": "F2"},
        options={k: v for k, v in opts.items() if v is not None})


# -- stress: every question verified again from its given ----------------------------------------------
STRESS_CHECKS = ("key is not the rule's term", "wrong term not proven wrong")


def stress_defects(q: Question, seed: int) -> list[str]:
    """The rule rebuilt with each choice's term (read back from ``given``): the key's rule takes the correct
    rule's step, every other one a different step (exactly and when executed)."""
    from ._run import execute

    g = q.given
    rule = rule_for(g["optimizer"], "textbook")
    witness = B.witness_given(g["optimizer"])
    reference = execute(witness)
    out = []
    for c, text in zip(q.choices, g["terms"]):
        filled = B.filled(rule, g["line"], tuple(g["path"]), sp.sympify(text))
        differs = B.step_difference(g["optimizer"], filled) is not None
        if c.correct and differs:
            out.append("key is not the rule's term")
        if not c.correct and not (differs and B.executed_differs(filled, witness, reference)):
            out.append("wrong term not proven wrong")
    return out
