"""Four-choice numeric questions (format F5 as the exam asks it: 「最も近いものを選べ」).

The three distractors are the executed results of three named mistakes (drawn from those that give
distinct values at the displayed precision, none within tolerance of the key).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..question import Question
from . import _common as C
from . import _numeric as N
from . import _numeric_text as T

KIND = "choice"
TITLE = ("数値の 4 択（誤りから作った選択肢）", "four-choice numeric (distractors from named mistakes)")
OPTIONS = N.options()


def generate(rng: np.random.Generator, *, lang: str = "ja", render: bool = True, **options: Any) -> Question:
    opts = C.parse_options("numeric_choice", OPTIONS, options)
    var = N.draw_variant(C.part(rng, "inputs"), opts, 3, "numeric_choice")
    pick = C.part(rng, "distractors")
    idx = sorted(int(i) for i in pick.choice(len(var.pool), size=3, replace=False))
    wrong = [var.pool[i] for i in idx]
    return T.make_question("numeric_choice", var, rng, lang, render, wrong, KIND, opts)
