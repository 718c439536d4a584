"""The standard surfaces: each a loss of (x, y) with its gradient, as plain functions.

Parameters are kept as ``{"x": array(x), "y": array(y)}`` (0-d float arrays), the form of
the textbook's comparison demo, so step tables read x and y as separate columns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Problem:
    key: str
    name_ja: str
    name_en: str
    formula: str  # LaTeX of f(x, y)
    grad_formula: str  # LaTeX of ∇f
    f: Callable[[float, float], float]
    grad: Callable[[float, float], tuple[float, float]]
    minimum: tuple[float, float] | None  # the global minimum, if there is one
    xlim: tuple[float, float]  # a view that shows the interesting part
    ylim: tuple[float, float]
    note_ja: str

    def value(self, params: dict[str, np.ndarray]) -> float:
        return float(self.f(float(params["x"]), float(params["y"])))

    def gradients(self, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        gx, gy = self.grad(float(params["x"]), float(params["y"]))
        return {"x": np.array(float(gx)), "y": np.array(float(gy))}

    def params(self, start: tuple[float, float]) -> dict[str, np.ndarray]:
        return {"x": np.array(float(start[0])), "y": np.array(float(start[1]))}


PROBLEMS: dict[str, Problem] = {
    p.key: p
    for p in (
        Problem("bowl", "お椀型（等方的な二次関数）", "bowl", r"f(x, y) = x^2 + y^2", r"\nabla f = (2x,\ 2y)",
                lambda x, y: x * x + y * y, lambda x, y: (2 * x, 2 * y), (0.0, 0.0),
                (-80, 20), (-20, 20), "どの方向にも曲がり方が同じ。最小点は原点。"),
        Problem("ravine", "細長い谷（病的曲率）", "ravine (pathological curvature)", r"f(x, y) = \frac{x^2}{20} + y^2",
                r"\nabla f = \left(\frac{x}{10},\ 2y\right)",
                lambda x, y: x * x / 20 + y * y, lambda x, y: (x / 10, 2 * y), (0.0, 0.0),
                (-10, 10), (-5, 5),
                "y 方向の曲率が x 方向の 20 倍。SGD は y 方向に振動し、x 方向にはなかなか進まない。"),
        Problem("rosenbrock", "ローゼンブロック関数", "Rosenbrock", r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
                r"\nabla f = \left(-2(1 - x) - 400x(y - x^2),\ 200(y - x^2)\right)",
                lambda x, y: (1 - x) ** 2 + 100 * (y - x * x) ** 2,
                lambda x, y: (-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)), (1.0, 1.0),
                (-2, 2), (-1, 3), "曲がった細い谷。谷底に落ちるのは簡単だが、谷に沿って (1, 1) まで進むのが難しい。"),
        Problem("saddle", "鞍点", "saddle", r"f(x, y) = x^2 - y^2", r"\nabla f = (2x,\ -2y)",
                lambda x, y: x * x - y * y, lambda x, y: (2 * x, -2 * y), None,
                (-2, 2), (-2, 2), "原点は勾配 0 だが極小ではない（x 方向は谷、y 方向は尾根）。下に有界でない。"),
    )
}


def get(name: str) -> Problem:
    key = str(name).strip().lower()
    if key not in PROBLEMS:
        raise ValueError(f"unknown problem {name!r}; known: {', '.join(PROBLEMS)}")
    return PROBLEMS[key]
