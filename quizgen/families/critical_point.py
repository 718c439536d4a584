"""Critical points by the Hessian (Goodfellow et al. 2016 §4.3.1, §8.2.3): at a point where the gradient is 0,
is it a minimum, a maximum, a saddle point, or can the second derivatives not tell? Four choices.

The function is drawn from small polynomials with whole coefficients; the point, its gradient (0) and its
Hessian are executed with sympy from the function itself, and the answer is
``optimizers.techniques.second_order.classify`` of that Hessian. Every wrong choice carries the misconception it
models (zero_gradient_means_minimum, reading the diagonal when the off-diagonal entry decides, the sign of the
determinant alone …).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import sympy as sp

from optimizers.techniques import second_order as N

from ..question import Answer, Question, SolutionStep
from . import _chapter as K
from . import _common as C

KIND = "choice"
TITLE = ("臨界点の判定（ヘッセ行列）", "critical points by the Hessian")
TOPIC = "saddle"
KINDS = ("minimum", "maximum", "saddle", "degenerate")
LABEL = {"minimum": ("極小点である", "a local minimum"), "maximum": ("極大点である", "a local maximum"),
         "saddle": ("鞍点である", "a saddle point"),
         "degenerate": ("ヘッセ行列だけでは判定できない", "the Hessian alone cannot tell")}

STRESS_CHECKS = ("key differs when recomputed from given",)  # quizgen stress: the checks of stress_defects

OPTIONS = [C.Option("kind", f"the answer ({', '.join(KINDS)}); drawn when omitted", None, KINDS)]

M = K.Mistake
WRONG = {
    "minimum": M("zero_gradient_means_minimum", "勾配が 0 なら極小と考えた", "took zero gradient for a minimum",
                 "勾配が 0 の点は極小点とは限らない。ヘッセ行列の固有値がすべて正のときだけ極小点。",
                 "A zero gradient does not make a minimum. Only all-positive Hessian eigenvalues do."),
    "maximum": M("critical_point_maximum", "極大点と判定した", "called it a maximum",
                 "極大点はヘッセ行列の固有値がすべて負のとき。この点の固有値の符号を確かめる。",
                 "A maximum needs all Hessian eigenvalues negative. Check their signs at this point."),
    "saddle": M("critical_point_saddle", "鞍点と判定した", "called it a saddle",
                "鞍点はヘッセ行列の固有値に正と負が混在するとき。この点の固有値の符号を確かめる。",
                "A saddle has eigenvalues of both signs. Check their signs at this point."),
    "degenerate": M("critical_point_undecided", "判定できないとした", "said the Hessian cannot tell",
                    "固有値に 0 がなければ、固有値の符号だけで極小・極大・鞍点が決まる。",
                    "Without a zero eigenvalue the signs of the eigenvalues decide it."),
}
#: why a learner may pick the wrong label for a given true kind (more specific than WRONG)
DIAGONAL = M("critical_point_diagonal_only", "対角成分だけを見た", "looked at the diagonal only",
             "ヘッセ行列の対角成分がどちらも正でも、非対角成分が大きければ固有値の一つは負になる（行列式が負なら鞍点）。",
             "Both diagonal entries may be positive and yet, with a large off-diagonal entry, one eigenvalue is "
             "negative (a negative determinant means a saddle).")

X, Y = sp.symbols("x y", real=True)


def _draw_function(r: np.random.Generator, want: str | None) -> tuple[tuple, tuple[int, int]]:
    """A polynomial with a critical point, as (template, coefficients) and the point."""
    kind = C.pick(r, ("quadratic", "quadratic", "cubic", "quartic"))
    if kind == "quadratic":  # a x² + b xy + c y² at (0, 0)
        a, b, c = (int(C.pick(r, (-3, -2, -1, 1, 2, 3))), int(C.pick(r, (0, 0, 1, 2, 3, 4, -2))),
                   int(C.pick(r, (-3, -2, -1, 1, 2, 3))))
        if want == "degenerate" or (want is None and r.random() < 0.1):
            c = b * b // (4 * a) if b % 2 == 0 and (b * b) % (4 * a) == 0 else c
        return ("quadratic", a, b, c), (0, 0)
    if kind == "cubic":  # x³ − 3k²x + c y² at (±k, 0)
        k = int(C.pick(r, (1, 2)))
        c = int(C.pick(r, (-2, -1, 1, 2)))
        return ("cubic", k, c), (int(C.pick(r, (k, -k))), 0)
    c = int(C.pick(r, (-2, -1, 1, 2)))  # ±x⁴ + c y² at (0, 0): a zero eigenvalue
    return ("quartic", int(C.pick(r, (1, -1))), c), (0, 0)


@cache
def function(template: tuple) -> tuple[str, str]:
    """(sympy text, LaTeX) of a drawn polynomial (a few hundred exist: each is built once)."""
    kind, *k = template
    if kind == "quadratic":
        f = k[0] * X**2 + k[1] * X * Y + k[2] * Y**2
    elif kind == "cubic":
        f = X**3 - 3 * k[0] ** 2 * X + k[1] * Y**2
    else:
        f = k[0] * X**4 + k[1] * Y**2
    return str(f), _latex(f)


@cache
def hessian_at(f_text: str, x0: int, y0: int) -> tuple[tuple[float, float], tuple[float, float], tuple[float, float]]:
    """(gradient, Hessian rows) of f at (x0, y0), from sympy."""
    f = sp.sympify(f_text, locals={"x": X, "y": Y})
    at = {X: x0, Y: y0}
    grad = tuple(float(sp.diff(f, v).subs(at)) for v in (X, Y))
    H = sp.hessian(f, (X, Y)).subs(at)
    return grad, (float(H[0, 0]), float(H[0, 1])), (float(H[1, 0]), float(H[1, 1]))


def kind_of(given: dict[str, Any]) -> str:
    grad, r0, r1 = hessian_at(given["f"], *given["point"])
    assert grad == (0.0, 0.0), grad
    return N.classify(np.array([r0, r1]))


def _latex(f: sp.Expr) -> str:
    return sp.latex(sp.Poly(f, X, Y).as_expr(), order="lex")


def _stem(given: dict[str, Any], lang: str) -> str:
    x0, y0 = given["point"]
    if lang == "ja":
        return (f"関数 $f(x, y) = {given['latex']}$ の点 $(x, y) = ({x0},\\ {y0})$ では勾配が 0 になる。この点の"
                "ヘッセ行列の固有値から判定した結果として、最も適切なものを選べ。")
    return (f"The gradient of $f(x, y) = {given['latex']}$ is 0 at $(x, y) = ({x0},\\ {y0})$. Judging by the "
            "eigenvalues of the Hessian there, choose the most appropriate statement.")


def _solution(given: dict[str, Any], key: str, lang: str) -> list[SolutionStep]:
    from ..formulas import number

    _, r0, r1 = hessian_at(given["f"], *given["point"])
    H = np.array([r0, r1])
    lam = N.eigenvalues(H)
    mat = ("\\begin{pmatrix} " + " & ".join(number(v) for v in r0) + " \\\\ " + " & ".join(number(v) for v in r1)
           + " \\end{pmatrix}")
    reason = {
        "minimum": ("固有値がすべて正なので、どの方向にも上に曲がっている: 極小点。",
                    "all eigenvalues positive: a minimum."),
        "maximum": ("固有値がすべて負なので、どの方向にも下に曲がっている: 極大点。",
                    "all eigenvalues negative: a maximum."),
        "saddle": ("固有値に正と負が混在するので、ある方向には谷、別の方向には尾根: 鞍点。",
                   "eigenvalues of both signs: a saddle point."),
        "degenerate": ("固有値に 0 があるので、2 階微分（ヘッセ行列）だけでは判定できない（高次の項で決まる）。",
                       "a zero eigenvalue: the Hessian alone cannot decide (higher-order terms do)."),
    }[key]
    return [SolutionStep("ヘッセ行列とその固有値（sympy で微分し、numpy で固有値を計算）" if lang == "ja" else
                         "The Hessian and its eigenvalues",
                         f"H = {mat}, \\quad \\lambda = {number(lam[0])},\\ {number(lam[1])}"),
            SolutionStep(reason[0] if lang == "ja" else reason[1])]


def stress_defects(q: Question, seed: int):
    from collections import Counter

    bad: Counter = Counter()
    if LABEL[kind_of(q.given)][0 if q.lang == "ja" else 1] != q.choices[q.answer.index].text:
        bad["key differs when recomputed from given"] += 1
    return bad


def generate(rng: np.random.Generator, *, lang: str = "ja", render: bool = True, **options: Any) -> Question:
    opts = C.parse_options("critical_point", OPTIONS, options)
    r = C.part(rng, "inputs")
    want = opts["kind"] or C.pick(r, ("saddle", "saddle", "minimum", "minimum", "maximum", "degenerate"))
    for _ in range(C.MAX_TRIES):
        template, point = _draw_function(r, want)
        text, latex = function(template)
        given = {"f": text, "latex": latex, "point": list(point)}
        key = kind_of(given)
        if key == want:
            break
    else:
        raise C.GenerationError(f"critical_point: no function with a {want} point")
    _, r0, r1 = hessian_at(given["f"], *given["point"])
    wrong = []
    for kind in KINDS:
        if kind == key:
            continue
        m = WRONG[kind]
        if key == "saddle" and kind == "minimum" and r0[0] > 0 and r1[1] > 0:
            m = DIAGONAL
        wrong.append((m, LABEL[kind][0 if lang == "ja" else 1]))
    why = {"ja": "正解。", "en": "Correct."}[lang]
    choices, index = K.text_choices(rng, LABEL[key][0 if lang == "ja" else 1], wrong, lang, why)
    return Question(
        id="", family="critical_point", seed=0, lang=lang, kind=KIND, stem=_stem(given, lang),
        answer=Answer(index=index), choices=choices, solution=_solution(given, key, lang) if render else [],
        given=given, tags={"optimizer": None, "topic": TOPIC, "kind": key, "syllabus": False, "difficulty": 1,
                           "format": "F1"},
        options={k: v for k, v in opts.items() if v is not None})
