"""The standard surfaces and the losses a question defines, each with its gradient, as plain functions.

Parameters are kept as ``{"x": array(x), "y": array(y)}`` (0-d float arrays), the form of
the textbook's comparison demo, so step tables read x and y as separate columns. A loss a question
defines is a separable quadratic named by its curvatures: ``get("quad:4")`` is L(w) = 2w² (one parameter
w, ∇L = 4w), ``get("quad:100,1")`` is L(x, y) = ½(100x² + y²) (∇L = (100x, y)).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import numpy as np


@dataclass(frozen=True)
class Problem:
    key: str
    name_ja: str
    name_en: str
    formula: str  # LaTeX of f(x, y)
    grad_formula: str  # LaTeX of ∇f
    f: Callable[..., float]  # f(x, y) (or f(w) for a one-parameter loss)
    grad: Callable[..., tuple[float, ...]]  # one component per parameter, in ``names`` order
    minimum: tuple[float, ...] | None  # the global minimum, if there is one
    xlim: tuple[float, float]  # a view that shows the interesting part
    ylim: tuple[float, float]
    note_ja: str
    names: tuple[str, ...] = ("x", "y")  # the parameters, in the order f and grad take them
    curvatures: tuple[float, ...] | None = None  # a separable quadratic: ∂L/∂p_i = k_i p_i

    def value(self, params: dict[str, np.ndarray]) -> float:
        return float(self.f(*(float(params[n]) for n in self.names)))

    def gradients(self, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        gs = self.grad(*(float(params[n]) for n in self.names))
        return {n: np.array(float(g)) for n, g in zip(self.names, gs)}

    def params(self, start: Sequence[float]) -> dict[str, np.ndarray]:
        if len(start) != len(self.names):
            raise ValueError(f"{self.key}: the start needs {len(self.names)} coordinate(s), got {len(start)}")
        return {n: np.array(float(s)) for n, s in zip(self.names, start)}

    def gradient_text(self, point: Sequence[float]) -> str:
        """LaTeX of the gradient evaluated at ``point``, e.g. ``4 \\times 0.5 = 2`` (separable quadratics), or
        the components' values."""
        gs = self.grad(*(float(p) for p in point))
        if self.curvatures is None:
            return ",\\ ".join(_num(g) for g in gs)
        return ",\\ ".join(f"{_num(k)} \\times {_paren(p)} = {_num(g)}" if k != 1 else f"{_num(g)}"
                            for k, p, g in zip(self.curvatures, point, gs))


PROBLEMS: dict[str, Problem] = {
    p.key: p
    for p in (
        Problem("bowl", "お椀型（等方的な二次関数）", "bowl", r"f(x, y) = x^2 + y^2", r"\nabla f = (2x,\ 2y)",
                lambda x, y: x * x + y * y, lambda x, y: (2 * x, 2 * y), (0.0, 0.0),
                (-80, 20), (-20, 20), "どの方向にも曲がり方が同じ。最小点は原点。", curvatures=(2.0, 2.0)),
        Problem("ravine", "細長い谷（病的曲率）", "ravine (pathological curvature)", r"f(x, y) = \frac{x^2}{20} + y^2",
                r"\nabla f = \left(\frac{x}{10},\ 2y\right)",
                lambda x, y: x * x / 20 + y * y, lambda x, y: (x / 10, 2 * y), (0.0, 0.0),
                (-10, 10), (-5, 5),
                "y 方向の曲率が x 方向の 20 倍。SGD は y 方向に振動し、x 方向にはなかなか進まない。",
                curvatures=(0.1, 2.0)),
        Problem("rosenbrock", "ローゼンブロック関数", "Rosenbrock", r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
                r"\nabla f = \left(-2(1 - x) - 400x(y - x^2),\ 200(y - x^2)\right)",
                lambda x, y: (1 - x) ** 2 + 100 * (y - x * x) ** 2,
                lambda x, y: (-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)), (1.0, 1.0),
                (-2, 2), (-1, 3), "曲がった細い谷。谷底に落ちるのは簡単だが、谷に沿って (1, 1) まで進むのが難しい。"),
        Problem("saddle", "鞍点", "saddle", r"f(x, y) = x^2 - y^2", r"\nabla f = (2x,\ -2y)",
                lambda x, y: x * x - y * y, lambda x, y: (2 * x, -2 * y), None,
                (-2, 2), (-2, 2), "原点は勾配 0 だが極小ではない（x 方向は谷、y 方向は尾根）。下に有界でない。",
                curvatures=(2.0, -2.0)),
    )
}


def _num(x: float) -> str:
    """A short decimal (the loss coefficients and gradients are exact decimals here)."""
    text = f"{float(x):.10g}"
    if "e" in text:
        text = format(Decimal(repr(float(x))).normalize(), "f")
    return text


def _paren(x: float) -> str:
    return f"\\left({_num(x)}\\right)" if float(x) < 0 else _num(x)


def _coef(k: float, var: str) -> str:
    """``k var^2`` with the coefficient 1 left out."""
    return f"{var}^2" if k == 1 else f"{_num(k)}{var}^2"


QUAD = re.compile(r"^quad:(-?[0-9.]+)(?:,(-?[0-9.]+))?$")


@lru_cache(maxsize=256)
def quadratic(curvatures: tuple[float, ...]) -> Problem:
    """The loss a question defines: L(w) = (k/2)w² (one curvature: ``2w^2`` for k = 4) or
    L(x, y) = ½(k₁x² + k₂y²) (two). Its gradient is (k₁x, k₂y): hand-computable, separable."""
    ks = tuple(float(k) for k in curvatures)
    if len(ks) not in (1, 2) or any(k <= 0 for k in ks):
        raise ValueError(f"a defined loss needs one or two positive curvatures, got {curvatures!r}")
    key = "quad:" + ",".join(_num(k) for k in ks)
    if len(ks) == 1:
        k = ks[0]
        c = k / 2
        lhs = r"\frac{1}{2} w^2" if c == 0.5 else _coef(c, "w")
        return Problem(key, f"二次関数 L = {_num(c)}w²", f"quadratic L = {_num(c)}w²", f"L(w) = {lhs}",
                       rf"\frac{{dL}}{{dw}} = {'w' if k == 1 else _num(k) + 'w'}",
                       lambda w: c * w * w, lambda w: (k * w,), (0.0,), (-2, 2), (-1, 1),
                       "問題文が定める損失。", names=("w",), curvatures=ks)
    a, b = ks
    return Problem(key, "二次関数", "quadratic",
                   rf"L(x, y) = \frac{{1}}{{2}}\left({_coef(a, 'x')} + {_coef(b, 'y')}\right)",
                   rf"\nabla L = \left({'x' if a == 1 else _num(a) + 'x'},\ {'y' if b == 1 else _num(b) + 'y'}\right)",
                   lambda x, y: 0.5 * (a * x * x + b * y * y), lambda x, y: (a * x, b * y), (0.0, 0.0),
                   (-2, 2), (-2, 2), "問題文が定める損失。", curvatures=ks)


def get(name: str) -> Problem:
    key = str(name).strip().lower()
    if key in PROBLEMS:
        return PROBLEMS[key]
    m = QUAD.match(key)
    if m:
        return quadratic(tuple(float(v) for v in m.groups() if v is not None))
    raise ValueError(f"unknown problem {name!r}; known: {', '.join(PROBLEMS)}, quad:k or quad:k1,k2")
