"""Weight initialization, numeric four-choice (F5): σ, the variance or the uniform bound a of a named form (Glorot &
Bengio, He et al., torch.nn.init, the textbook) for a layer's fan_in and fan_out. The key is the reference
function's own scale; the distractors are named mistakes (Xavier/He swapped, σ for a, fan_in/fan_out swapped …)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..chapter import init as T
from ..chapter import questions as Q
from ..question import Question
from . import _common as C

KIND = "choice"
TOPIC = T.TOPIC
TITLE = ("重みの初期化の数値（4 択）", "weight initialization, numeric (four choices)")
OPTIONS = [C.Option("form", f"initialization form ({', '.join(T.FORMS)}); drawn when omitted", None, tuple(T.FORMS))]


def generate(rng: np.random.Generator, *, lang: str = "ja", render: bool = True, **options: Any) -> Question:
    opts = C.parse_options("init_numeric", OPTIONS, options)
    var = Q.draw(C.part(rng, "inputs"), lambda r: T.make(r, opts["form"]), "init_numeric")
    tags = {**T.tags(), "difficulty": 1 if T.FORMS[var.given["form"]].convention != "pytorch" else 2}
    return Q.numeric_question("init_numeric", var, rng, lang, T.stem(var, lang), T.solution(var, lang) if render
                              else [], tags, opts)


def recompute(given: dict[str, Any]) -> float:
    """The key of ``given``, executed again (``quizgen stress`` perturbs and re-executes with this)."""
    return T.value(given)


def inputs(given: dict[str, Any]) -> list[float]:
    """The decimal inputs a learner computes with (the layer sizes are whole numbers)."""
    return []
