"""Weight initialization, formula choice (F2): the σ or the bound a of Xavier or He, among mistaken formulas
(√ over the numerator only, fan_in only, σ for a …), each rendered from sympy and proven different by evaluation."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..chapter import init as T
from ..chapter import questions as Q
from ..question import Question
from . import _common as C

KIND = "choice"
TOPIC = T.TOPIC
TITLE = ("重みの初期化の式の選択", "weight initialization, choose the formula")
OPTIONS = [C.Option("formula", f"which formula ({', '.join(f.key for f in T.FORMULAS)}); drawn when omitted", None,
                    tuple(f.key for f in T.FORMULAS))]


def generate(rng: np.random.Generator, *, lang: str = "ja", render: bool = True, **options: Any) -> Question:
    opts = C.parse_options("init_formula", OPTIONS, options)
    items = [f for f in T.FORMULAS if opts["formula"] in (None, f.key)]
    return Q.formula_question("init_formula", T.TOPIC, items, rng, lang, render, T.tags(), opts)
