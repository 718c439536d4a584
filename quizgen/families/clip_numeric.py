"""Gradient clipping, numeric four-choice (F5): the clipped component, the factor, the norm, or W after one SGD
step with the clipped gradient (clipping by norm), or clipping by value. The key is executed by the reference code
(clip_grads with its 1e-6, clip_grads_by_value, the SGD class); the distractors are named mistakes (per-parameter
norm, L1 norm, rescaling below the threshold, clipping by value instead …)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..chapter import clipping as T
from ..chapter import questions as Q
from ..question import Question
from . import _common as C

KIND = "choice"
TOPIC = T.TOPIC
TITLE = ("勾配クリッピングの数値（4 択）", "gradient clipping, numeric (four choices)")
OPTIONS = [C.Option("by", "'norm' (clip_grad_norm_) or 'value' (clip_grad_value_); drawn when omitted", None,
                    ("norm", "value")),
           C.Option("quantity", "g, rate, norm, W; drawn when omitted", None, ("g", "rate", "norm", "W"))]


def generate(rng: np.random.Generator, *, lang: str = "ja", render: bool = True, **options: Any) -> Question:
    opts = C.parse_options("clip_numeric", OPTIONS, options)
    by = opts["by"] or ("norm" if opts["quantity"] in ("rate", "W") else None)
    if by == "value" and opts["quantity"] in ("rate", "W"):
        raise ValueError(f"clip_numeric: clipping by value has no {opts['quantity']!r}; ask g or norm")
    var = Q.draw(C.part(rng, "inputs"), lambda r: T.make(r, by, opts["quantity"]), "clip_numeric")
    q = var.given["asked"]["quantity"]
    tags = {**T.tags(), "difficulty": 1 if q == "norm" else 3 if q == "W" or len(var.given["grads"]) > 1 else 2}
    return Q.numeric_question("clip_numeric", var, rng, lang, T.stem(var, lang), T.solution(var, lang) if render
                              else [], tags, opts)


def recompute(given: dict[str, Any]) -> float:
    return T.value(given)


def inputs(given: dict[str, Any]) -> list[float]:
    out = [float(v) for g in given["grads"].values() for v in g]
    out += [float(given[k]) for k in ("max_norm", "clip_value", "lr") if k in given]
    out += [float(v) for p in given.get("params", {}).values() for v in p]
    return out
