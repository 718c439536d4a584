"""Second-order methods (Goodfellow et al. 2016 §8.6), four numeric choices: one Newton step on a 1-D loss, one
Newton step on a 2-D quadratic (it lands on the minimum whatever the start), and the condition number of a
Hessian.

The key is executed by ``optimizers.techniques.second_order`` (``newton_step``, ``condition_number``); the
distractors are named mistakes: a gradient step instead of Newton's, multiplying by the curvature instead of
dividing, the wrong sign, the Hessian's diagonal used as if it were diagonal, the ratio of diagonal entries or the
inverted ratio for the condition number …
"""

from __future__ import annotations

from typing import Any

import numpy as np

from optimizers.techniques import second_order as N

from ..question import Question, SolutionStep
from . import _chapter as K
from . import _common as C

KIND = "choice"
TITLE = ("二次の最適化手法（ニュートン法・条件数）", "second-order methods (Newton's step, condition number)")
TOPIC = "second_order"
QUANTITIES = ("newton_1d", "newton_2d", "condition")

STRESS_CHECKS = K.CHECKS  # quizgen stress: the checks of stress_defects

OPTIONS = [
    C.Option("quantity", "'newton_1d', 'newton_2d' or 'condition'; drawn when omitted", None, QUANTITIES),
]

M = K.Mistake
GD = M("newton_as_gradient_step", "勾配降下の 1 ステップにした", "took a gradient step",
       "W ← W − ∇L と勾配だけで進んだ。ニュートン法は曲率で割る: W ← W − H⁻¹∇L（1 変数なら L'/L''）。",
       "Used W ← W − ∇L. Newton's method divides by the curvature: W ← W − H⁻¹∇L (L'/L'' in one variable).")
TIMES = M("newton_times_hessian", "曲率を掛けた", "multiplied by the curvature",
          "勾配にヘッセ行列（2 階微分）を掛けた。ニュートン法ではヘッセ行列の逆行列を掛ける（2 階微分で割る）。",
          "Multiplied the gradient by the Hessian. Newton's method multiplies by its inverse (divides by L'').")
SIGN = M("newton_sign", "符号を誤った", "wrong sign",
         "W + H⁻¹∇L とした。二次近似の停留点へ進むのは W − H⁻¹∇L。",
         "Used W + H⁻¹∇L. The stationary point of the quadratic model is W − H⁻¹∇L.")
LOSS = M("newton_loss_for_gradient", "損失の値を勾配の代わりに使った", "used the loss instead of its gradient",
         "L(w)/L''(w) を引いた。引くのは 1 階微分と 2 階微分の比 L'(w)/L''(w)。",
         "Subtracted L(w)/L''(w). Newton's step is the ratio of the first and second derivatives, L'(w)/L''(w).")
DIAGONAL = M("newton_diagonal_only", "ヘッセ行列の対角成分だけを使った", "used only the Hessian's diagonal",
             "各成分を H の対角成分だけで割った。H に非対角成分があれば、逆行列 H⁻¹ を使う（連立方程式を解く）。",
             "Divided each component by the diagonal entry only. With off-diagonal entries, use H⁻¹ (solve the "
             "linear system).")
DIAG_RATIO = M("condition_diagonal_ratio", "対角成分の比を取った", "took the ratio of diagonal entries",
               "条件数を H の対角成分の比とした。条件数は固有値の比 λ_max/λ_min（非対角成分があれば固有値を求める）。",
               "Took the ratio of diagonal entries. The condition number is λ_max/λ_min (compute the eigenvalues).")
INVERTED = M("condition_inverted", "比を逆にした", "inverted the ratio",
             "λ_min/λ_max とした。条件数は λ_max/λ_min で、1 以上になる。",
             "Used λ_min/λ_max. The condition number is λ_max/λ_min, at least 1.")
DIFF = M("condition_difference", "差を取った", "took the difference",
         "λ_max − λ_min とした。条件数は比 λ_max/λ_min（曲率が何倍違うか）。",
         "Used λ_max − λ_min. The condition number is the ratio λ_max/λ_min.")
TRACE_DET = M("condition_trace_over_det", "トレースを行列式で割った", "divided the trace by the determinant",
              "tr H / det H とした。条件数は固有値の比 λ_max/λ_min。",
              "Used tr H / det H. The condition number is the eigenvalue ratio λ_max/λ_min.")

#: 1-D losses: (LaTeX, L, L', L'')
LOSSES_1D = {
    "cubic": ("\\frac{1}{3} w^3 - {a} w", lambda w, a: w**3 / 3 - a * w, lambda w, a: w**2 - a, lambda w, a: 2 * w),
    "quartic": ("\\frac{1}{4} w^4 - {a/2} w^2", lambda w, a: w**4 / 4 - a * w**2 / 2,
                lambda w, a: w**3 - a * w, lambda w, a: 3 * w**2 - a),
}
#: symmetric 2×2 Hessians with whole eigenvalues (λ_min ≥ 1) and small entries, for hand computation
HESSIANS = [((a, b), (b, c)) for a in range(1, 11) for c in range(1, 11) for b in range(0, 5)
            if (lambda d: d == int(d) and d >= 0)(((a - c) ** 2 + 4 * b * b) ** 0.5)
            and (a + c - ((a - c) ** 2 + 4 * b * b) ** 0.5) / 2 >= 1 and (b or a != c)]


def recompute(given: dict[str, Any]) -> float:
    q = given["quantity"]
    if q == "newton_1d":
        _, _, d1, d2 = LOSSES_1D[given["loss"]]
        w0, a = float(given["w0"]), float(given["a"])
        return float(N.newton_step(w0, d1(w0, a), d2(w0, a))[0])
    if q == "newton_2d":
        H = np.array(given["H"], dtype=np.float64)
        b = np.array(given["b"], dtype=np.float64)
        w0 = np.array(given["w0"], dtype=np.float64)
        return float(N.newton_step(w0, H @ w0 - b, H)[int(given["index"])])
    return float(N.condition_number(np.array(given["H"], dtype=np.float64)))


def inputs(given: dict[str, Any]) -> list[float]:
    out: list[float] = []
    for k in ("w0", "a", "b", "H"):
        v = given.get(k)
        if v is None:
            continue
        out += [float(x) for x in np.ravel(v)]
    return out


def _candidates(given: dict[str, Any]) -> list[tuple[K.Mistake, float]]:
    q = given["quantity"]
    if q == "newton_1d":
        f, _, d1, d2 = (LOSSES_1D[given["loss"]][0],) + LOSSES_1D[given["loss"]][1:]
        L = LOSSES_1D[given["loss"]][1]
        w, a = float(given["w0"]), float(given["a"])
        g, h = d1(w, a), d2(w, a)
        return [(GD, w - g), (TIMES, w - g * h), (SIGN, w + g / h), (LOSS, w - L(w, a) / h)]
    if q == "newton_2d":
        H = np.array(given["H"], dtype=np.float64)
        b = np.array(given["b"], dtype=np.float64)
        w = np.array(given["w0"], dtype=np.float64)
        i = int(given["index"])
        g = H @ w - b
        step = np.linalg.solve(H, g)
        out = [(GD, (w - g)[i]), (TIMES, (w - H @ g)[i]), (SIGN, (w + step)[i])]
        if H[0, 1]:
            out.append((DIAGONAL, (w - g / np.diag(H))[i]))
        return out
    H = np.array(given["H"], dtype=np.float64)
    lam = N.eigenvalues(H)
    out = [(INVERTED, lam[0] / lam[-1]), (DIFF, lam[-1] - lam[0]), (TRACE_DET, np.trace(H) / np.linalg.det(H))]
    if H[0, 1]:
        d = np.diag(H)
        out.insert(0, (DIAG_RATIO, d.max() / d.min()))
    return out


def _draw(r: np.random.Generator, quantity: str) -> dict[str, Any]:
    given: dict[str, Any] = {"quantity": quantity}
    if quantity == "newton_1d":
        loss = C.pick(r, tuple(LOSSES_1D))
        given.update(loss=loss, a=C.pick(r, C.grid(["1.0", "2.0", "3.0", "4.0"])),
                     w0=C.pick(r, C.grid(["0.5", "1.0", "1.5", "2.0", "3.0", "-1.5", "-2.0"])))
        return given
    H = C.pick(r, HESSIANS)
    given["H"] = [[float(x) for x in row] for row in H]
    if quantity == "newton_2d":
        given["b"] = [C.pick(r, C.grid(["1.0", "2.0", "-1.0", "3.0", "4.0", "-2.0", "6.0"])) for _ in range(2)]
        given["w0"] = [C.pick(r, C.grid(["1.0", "-1.0", "2.0", "0.5", "-2.0", "3.0"])) for _ in range(2)]
        given["index"] = int(r.integers(0, 2))
    return given


def _n(x: float) -> str:
    """A matrix or vector entry: whole numbers without ".0" (as a textbook prints a matrix)."""
    return str(int(x)) if float(x) == int(x) else C.fmt(x)


def _matrix(H) -> str:
    return "\\begin{pmatrix} " + " \\\\ ".join(" & ".join(_n(x) for x in row) for row in H) + " \\end{pmatrix}"


def _vector(v) -> str:
    return "\\begin{pmatrix} " + " \\\\ ".join(_n(x) for x in v) + " \\end{pmatrix}"


def _stem(given: dict[str, Any], lang: str) -> str:
    q = given["quantity"]
    if q == "newton_1d":
        a = float(given["a"])
        tex = LOSSES_1D[given["loss"]][0].replace("{a}", _n(a)).replace("{a/2}", _n(a / 2))
        if lang == "ja":
            return (f"1 変数の損失関数 $L(w) = {tex}$ について、$w_0 = {C.fmt(given['w0'])}$ から、Goodfellow ら "
                    "2016 の式 (8.27) を 1 変数にしたニュートン法 $w \\leftarrow w - \\dfrac{L'(w)}{L''(w)}$ で"
                    " 1 回更新する。更新後の $w_1$ の値として最も近いものを選べ。")
        return (f"For $L(w) = {tex}$, take one step of Newton's method $w \\leftarrow w - L'(w)/L''(w)$ (Goodfellow "
                f"et al. 2016, eq. 8.27 in one variable) from $w_0 = {C.fmt(given['w0'])}$. Choose the value closest "
                "to $w_1$.")
    H = _matrix(given["H"])
    if q == "newton_2d":
        comp = ("第 1 成分" if given["index"] == 0 else "第 2 成分") if lang == "ja" else \
            ("first component" if given["index"] == 0 else "second component")
        if lang == "ja":
            return (f"2 変数の損失関数 $L(\\boldsymbol{{w}}) = \\frac{{1}}{{2}} \\boldsymbol{{w}}^\\top H "
                    f"\\boldsymbol{{w}} - \\boldsymbol{{b}}^\\top \\boldsymbol{{w}}$ を考える。ここで $H = {H}$、"
                    f"$\\boldsymbol{{b}} = {_vector(given['b'])}$ で、勾配は $\\nabla L = H \\boldsymbol{{w}} - "
                    f"\\boldsymbol{{b}}$、ヘッセ行列は $H$ である。"
                    f"$\\boldsymbol{{w}}_0 = {_vector(given['w0'])}$ から、"
                    "Goodfellow ら 2016 の式 (8.27) のニュートン法 "
                    "$\\boldsymbol{w} \\leftarrow \\boldsymbol{w} - H^{-1} \\nabla L(\\boldsymbol{w})$ で"
                    f" 1 回更新した後の $\\boldsymbol{{w}}_1$ の{comp}として"
                    "最も近いものを選べ。")
        return (f"Let $L(\\boldsymbol{{w}}) = \\frac{{1}}{{2}} \\boldsymbol{{w}}^\\top H \\boldsymbol{{w}} - "
                f"\\boldsymbol{{b}}^\\top \\boldsymbol{{w}}$ with $H = {H}$ and $\\boldsymbol{{b}} = "
                f"{_vector(given['b'])}$ (gradient $H\\boldsymbol{{w}} - \\boldsymbol{{b}}$, Hessian $H$). From "
                f"$\\boldsymbol{{w}}_0 = {_vector(given['w0'])}$, take one Newton step $\\boldsymbol{{w}} \\leftarrow "
                f"\\boldsymbol{{w}} - H^{{-1}} \\nabla L$ (Goodfellow et al. 2016, eq. 8.27). Choose the value "
                f"closest to the {comp} of $\\boldsymbol{{w}}_1$.")
    if lang == "ja":
        return (f"ある損失関数の最小点でのヘッセ行列が $H = {H}$ であった。このヘッセ行列の条件数 "
                "$\\kappa = \\lambda_{\\max} / \\lambda_{\\min}$（最大固有値と最小固有値の比）の値として最も近いものを"
                "選べ。")
    return (f"At a minimum of a loss the Hessian is $H = {H}$. Choose the value closest to its condition number "
            "$\\kappa = \\lambda_{\\max}/\\lambda_{\\min}$.")


def _solution(given: dict[str, Any], key: float, decimals: int, lang: str) -> list[SolutionStep]:
    from ..formulas import number

    q = given["quantity"]
    shown = C.round_text(key, decimals)
    out: list[SolutionStep] = []
    if q == "newton_1d":
        _, _, d1, d2 = LOSSES_1D[given["loss"]]
        w, a = float(given["w0"]), float(given["a"])
        g, h = d1(w, a), d2(w, a)
        out.append(SolutionStep("1 階微分と 2 階微分" if lang == "ja" else "First and second derivatives",
                                f"L'({number(w)}) = {number(g)}, \\quad L''({number(w)}) = {number(h)}"))
        out.append(SolutionStep("", f"w_1 = {number(w)} - \\frac{{{number(g)}}}{{{number(h)}}} = {number(key)}"))
        if h < 0:
            out.append(SolutionStep("$L''(w_0) < 0$ なので、二次近似は上に凸で、ニュートン法は極大点の方へ進む"
                                    "（損失が増える向きのこともある）。" if lang == "ja" else
                                    "$L''(w_0) < 0$: the quadratic model is concave and Newton's step heads for a "
                                    "maximum."))
    elif q == "newton_2d":
        H = np.array(given["H"], dtype=np.float64)
        b = np.array(given["b"], dtype=np.float64)
        sol = np.linalg.solve(H, b)
        out.append(SolutionStep(
            "損失は二次関数なので、ニュートン法は 1 回で勾配が 0 の点 $H\\boldsymbol{w} = \\boldsymbol{b}$ に着く"
            "（出発点によらない）。" if lang == "ja" else
            "The loss is quadratic, so one Newton step lands where $H\\boldsymbol{w} = \\boldsymbol{b}$, whatever the "
            "start.", f"\\boldsymbol{{w}}_1 = H^{{-1}} \\boldsymbol{{b}} = ({number(sol[0])},\\ {number(sol[1])})"))
    else:
        lam = N.eigenvalues(np.array(given["H"], dtype=np.float64))
        out.append(SolutionStep(
            "固有値は $\\det(H - \\lambda I) = 0$ の解" if lang == "ja" else "The eigenvalues solve "
            "$\\det(H - \\lambda I) = 0$",
            f"\\lambda_{{\\max}} = {number(lam[-1])}, \\quad \\lambda_{{\\min}} = {number(lam[0])}, \\quad "
            f"\\kappa = {number(lam[-1])} / {number(lam[0])} = {number(key)}"))
    out.append(SolutionStep(f"よって小数第 {decimals} 位までで **{shown}**。" if lang == "ja" else f"So **{shown}**."))
    return out


def stress_defects(q: Question, seed: int):
    return K.stress_defects(q, seed, recompute, inputs)


def generate(rng: np.random.Generator, *, lang: str = "ja", render: bool = True, **options: Any) -> Question:
    opts = C.parse_options("second_order", OPTIONS, options)
    r = C.part(rng, "inputs")
    for _ in range(C.MAX_TRIES):
        given = _draw(r, opts["quantity"] or C.pick(r, QUANTITIES))
        with np.errstate(all="ignore"):
            try:
                key = recompute(given)
            except np.linalg.LinAlgError:  # L''(w0) = 0: Newton's step is not defined there
                continue
            if not np.isfinite(key) or abs(key) > 1e3:
                continue
            decimals = C.auto_decimals(key, 3, sig=3)
            if not C.stable(key, decimals):
                continue
            pool = K.spaced(key, _candidates(given), decimals)
        if len(pool) >= 3:
            break
    else:
        raise C.GenerationError(f"second_order: no usable variant for {opts}")
    choices, index = K.numeric_choices(rng, key, pool, decimals, lang)
    answer = C.numeric_answer(key, decimals)
    answer.index = index
    return Question(
        id="", family="second_order", seed=0, lang=lang, kind=KIND, stem=_stem(given, lang), answer=answer,
        choices=choices, solution=_solution(given, key, decimals, lang) if render else [], given=given,
        rounding=C.rounding_text(decimals, answer.tolerance, lang),
        tags={"optimizer": None, "topic": TOPIC, "quantity": given["quantity"], "syllabus": False,
              "difficulty": 2 if given["quantity"] != "condition" else 1, "format": "F5"},
        options={k: v for k, v in opts.items() if v is not None})
