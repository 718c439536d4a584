"""``mistakes(key)``: the named mistakes of quizgen.mistakes for one optimizer, each executed.

For every mistake that applies to the optimizer (textbook form): its title, the feedback, the
mistaken formula where the mistake is a rule (rendered from the mutated sympy rule), and the
correct and the mistaken value on the registry's own small fixed example (``Mistake.example``).
Then the conventions (another source's correct form, ``Mistake.is_convention``), shown as such: the
source, the other form and its value beside this page's form, never as a mistake.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

from ..formulas import number_latex
from .render import SiteError


def registry():
    try:
        return importlib.import_module("quizgen.mistakes")
    except ModuleNotFoundError as e:
        raise SiteError(f"mistakes(): quizgen.mistakes is missing ({e})") from None


def given_text(given: dict[str, Any]) -> str:
    """The example's setting in words: W₀, gradients, hyperparameters, what is asked."""
    from .macros import get_rule, settings_tex

    key = given["optimizer"]
    rule = get_rule(key, given.get("convention", "textbook"))
    w0 = given["params0"]["W"]
    w0 = w0[0] if isinstance(w0, (list, tuple)) else w0
    grads = [g["W"][0] if isinstance(g["W"], (list, tuple)) else g["W"] for g in given["grads"]]
    asked = given["asked"]
    sym = rule.symbols[asked["quantity"]].latex if asked["quantity"] in rule.symbols else asked["quantity"]
    gs = ", ".join(f"$g_{{{i}}} = {number_latex(g)}$" for i, g in enumerate(grads, 1))
    hyper = settings_tex(key, given.get("hyperparameters", {}))
    return (f"$W_0 = {number_latex(w0)}$、勾配 {gs}、{hyper}（その他は既定値）で "
            f"${sym}_{{{asked['step']}}}$ を求める")


SAME_RTOL = 1e-6  # the examples show 6 significant digits: closer values look the same to the learner


def _same_value(ex: dict[str, Any], other: dict[str, Any] | None) -> bool:
    """Whether another mistake's example asks the same thing and its mistaken value is the same to the shown digits."""
    return (other is not None and other["given"] == ex["given"]
            and bool(np.allclose(other["mistaken"], ex["mistaken"], rtol=SAME_RTOL, atol=SAME_RTOL)))


def render_for(key: str) -> str:
    from .macros import admonition, display_math, distinct

    M = registry()
    found = M.for_optimizer(key)
    if not found:
        return "この手法に登録されたよくある間違いはまだない。\n"
    out = []
    others = M.conventions_for(key)
    sub = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
    examples = {m.title_ja: m.example(key) for m in found}
    for m in found:
        body = m.feedback_ja.strip() + "\n"
        tex = m.latex(key)
        if tex:
            body += "\n誤った式（sympy の式を書き換えて作ったもの）:\n" + display_math(tex)
        ex = examples[m.title_ja]
        title = m.title_ja
        if ex is not None:
            right, wrong = distinct(ex["correct"], ex["mistaken"], 6)
            body += (f"\n**数値で確かめる**: {given_text(ex['given'])}と、正しくは "
                     f"{right}、この間違いでは {wrong} になる。\n")
            twins = [f"「{other}」" for other, o in examples.items()
                     if other != m.title_ja and _same_value(ex, o)]
            if twins:
                body += (f"\nこの例の数値では{'・'.join(twins)}と同じ値になる。値だけではどの間違いか"
                         "区別できないので、式の形で確かめよう。\n")
            asked = ex["given"]["asked"]
            name = {"m_hat": "m̂", "v_hat": "v̂", "v_max": "v_max"}.get(asked["quantity"], asked["quantity"])
            right, wrong = distinct(ex["correct"], ex["mistaken"], 4)
            title += f" — {name}{str(asked['step']).translate(sub)} が 正 {right} → 誤 {wrong}"
        elif getattr(m, "t1_same", False):
            body += "\n（1 ステップ目は正しい値と一致するので、2 ステップ目以降で差が出る。）\n"
        out.append(admonition("failure", title, body, collapsible=True))
    if others:
        out.append("次の形は誤りではなく、別の出典の正しい形です。問題文がどの出典の形を使うかを確かめてください。\n")
    for m in others:
        body = m.feedback_ja.strip() + "\n"
        tex = m.latex(key)
        if tex:
            body += f"\nその形の式（{m.source(key)}）:\n" + display_math(tex)
        ex = m.example(key)
        if ex is not None:
            right, other = distinct(ex["correct"], ex["mistaken"], 6)
            body += (f"\n**数値で比べる**: {given_text(ex['given'])}と、このページの形では {right}、"
                     f"その形（{m.source(key)}）では {other}。\n")
        out.append(admonition("info", m.label(key), body, collapsible=True))
    return "\n".join(out)
