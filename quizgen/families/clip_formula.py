"""Gradient clipping, formula choice (F2): clipping by norm (Pascanu et al.'s form or clip_grad_norm_'s) or by value,
among mistaken formulas (always rescaling, the inverted factor, the squared norm, by value instead of by norm …),
each rendered from sympy and proven different by evaluation on witness gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..chapter import clipping as T
from ..chapter import questions as Q
from ..question import Question
from . import _common as C

KIND = "choice"
TOPIC = T.TOPIC
TITLE = ("勾配クリッピングの式の選択", "gradient clipping, choose the formula")
OPTIONS = [C.Option("formula", f"which formula ({', '.join(f.key for f in T.FORMULAS)}); drawn when omitted", None,
                    tuple(f.key for f in T.FORMULAS))]


def generate(rng: np.random.Generator, *, lang: str = "ja", render: bool = True, **options: Any) -> Question:
    opts = C.parse_options("clip_formula", OPTIONS, options)
    items = [f for f in T.FORMULAS if opts["formula"] in (None, f.key)]
    return Q.formula_question("clip_formula", T.TOPIC, items, rng, lang, render, T.tags(), opts)
