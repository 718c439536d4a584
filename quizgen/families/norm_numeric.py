"""Batch / Layer Normalization, numeric four-choice (F5): μ, σ², x̂ or y of a small mini-batch in training, the
running averages after it (torch.nn.BatchNorm1d's definition), the output in inference, or Layer Normalization's
output. The key is executed by the reference classes; the distractors are named mistakes (unbiased variance in the
normalisation, momentum's meaning swapped, the wrong axis …)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..chapter import normalization as T
from ..chapter import questions as Q
from ..question import Question
from . import _common as C

KIND = "choice"
TOPIC = T.TOPIC
TITLE = ("バッチ正規化の数値（4 択）", "batch normalization, numeric (four choices)")
OPTIONS = [C.Option("layer", "'batch' (BatchNorm1d) or 'layer' (LayerNorm); drawn when omitted", None,
                    ("batch", "layer")),
           C.Option("quantity", "var, xn, y, running_mean, running_var, y_eval; drawn when omitted", None,
                    ("var", "xn", "y", "running_mean", "running_var", "y_eval"))]


def generate(rng: np.random.Generator, *, lang: str = "ja", render: bool = True, **options: Any) -> Question:
    opts = C.parse_options("norm_numeric", OPTIONS, options)
    if opts["quantity"] and opts["layer"] and opts["quantity"] not in T.QUANTITIES[opts["layer"]]:
        raise ValueError(f"norm_numeric: {opts['layer']} normalization has no {opts['quantity']!r}")
    layer = opts["layer"] or ("batch" if opts["quantity"] in ("running_mean", "running_var", "y_eval") else None)
    var = Q.draw(C.part(rng, "inputs"), lambda r: T.make(r, layer, opts["quantity"]), "norm_numeric")
    q = var.given["asked"]["quantity"]
    tags = {**T.tags(), "difficulty": 1 if q == "var" else 2 if q in ("xn", "y", "y_eval") else 3}
    return Q.numeric_question("norm_numeric", var, rng, lang, T.stem(var, lang), T.solution(var, lang) if render
                              else [], tags, opts)


def recompute(given: dict[str, Any]) -> float:
    return T.value(given)


def inputs(given: dict[str, Any]) -> list[float]:
    out = [float(v) for row in given["x"] for v in row] + list(given["gamma"]) + list(given["beta"])
    if "momentum" in given:
        out.append(float(given["momentum"]))
    for k in ("mean", "var"):
        out += [float(v) for v in given.get("running0", {}).get(k, [])]
    return out
