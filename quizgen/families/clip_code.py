"""Gradient clipping, code fill-in-the-blank (F4): a line of clip_grads (the textbook's idiom with its 1e-6) or of
clip_grads_by_value is blanked; every wrong line was executed on witness gradients (clipped and not) and changes
the result."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..chapter import clipping as T
from ..chapter import questions as Q
from ..question import Question
from . import _common as C

KIND = "choice"
TOPIC = T.TOPIC
TITLE = ("勾配クリッピングのコードの穴埋め", "gradient clipping, code fill-in-the-blank")
OPTIONS = [C.Option("code", f"which function ({', '.join(s.key for s in T.CODE)}); drawn when omitted", None,
                    tuple(s.key for s in T.CODE)),
           C.Option("blanks", "1 (（あ）) or 2 (（あ）（い）); drawn when omitted", None, (1, 2), int)]


def generate(rng: np.random.Generator, *, lang: str = "ja", render: bool = True, **options: Any) -> Question:
    opts = C.parse_options("clip_code", OPTIONS, options)
    sources = [s for s in T.CODE if opts["code"] in (None, s.key)]
    return Q.code_question("clip_code", T.TOPIC, sources, rng, lang, render, opts["blanks"], T.tags(), opts)
