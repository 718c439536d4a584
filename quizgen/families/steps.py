"""Multi-step numeric computation (format F5, typed answer): "compute v after two Momentum steps".

The key is the executed reference class's value (checked against its sympy rule at every step).
The choices carry the key and the value of every named mistake that gives a distinct number at the
displayed precision, so a typed wrong answer that matches a mistake gets that mistake's feedback.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..question import Question
from . import _common as C
from . import _numeric as N
from . import _numeric_text as T

KIND = "numeric"
TITLE = ("数値計算（複数ステップ）", "multi-step computation")
OPTIONS = N.options()
MIN_MISTAKES = 2  # a variant needs at least this many distinct mistake values


def generate(rng: np.random.Generator, *, lang: str = "ja", render: bool = True, **options: Any) -> Question:
    opts = C.parse_options("steps", OPTIONS, options)
    var = N.draw_variant(C.part(rng, "inputs"), opts, MIN_MISTAKES, "steps")
    return T.make_question("steps", var, rng, lang, render, var.pool, KIND, opts)
