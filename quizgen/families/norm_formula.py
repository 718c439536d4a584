"""Batch normalization, formula choice (F2): the normalisation, the mini-batch variance, the output, or PyTorch's
update of running_var, among mistaken formulas (unbiased variance, momentum's meaning swapped, σ² for σ …), each
rendered from sympy and proven different by evaluation on a witness batch."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..chapter import normalization as T
from ..chapter import questions as Q
from ..question import Question
from . import _common as C

KIND = "choice"
TOPIC = T.TOPIC
TITLE = ("バッチ正規化の式の選択", "batch normalization, choose the formula")
OPTIONS = [C.Option("formula", f"which formula ({', '.join(f.key for f in T.FORMULAS)}); drawn when omitted", None,
                    tuple(f.key for f in T.FORMULAS))]


def generate(rng: np.random.Generator, *, lang: str = "ja", render: bool = True, **options: Any) -> Question:
    opts = C.parse_options("norm_formula", OPTIONS, options)
    items = [f for f in T.FORMULAS if opts["formula"] in (None, f.key)]
    return Q.formula_question("norm_formula", T.TOPIC, items, rng, lang, render, T.tags(), opts)
