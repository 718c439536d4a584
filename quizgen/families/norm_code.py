"""Batch / Layer Normalization, code fill-in-the-blank (F4): a line of the forward pass of the reference classes
(the textbook's idiom with torch's running averages) is blanked; every wrong line was executed on a witness batch
(two training passes and one inference pass) and changes an output or a running average."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..chapter import normalization as T
from ..chapter import questions as Q
from ..question import Question
from . import _common as C

KIND = "choice"
TOPIC = T.TOPIC
TITLE = ("バッチ正規化のコードの穴埋め", "batch normalization, code fill-in-the-blank")
OPTIONS = [C.Option("code", f"which class ({', '.join(s.key for s in T.CODE)}); drawn when omitted", None,
                    tuple(s.key for s in T.CODE)),
           C.Option("blanks", "1 (（あ）) or 2 (（あ）（い）); drawn when omitted", None, (1, 2), int)]


def generate(rng: np.random.Generator, *, lang: str = "ja", render: bool = True, **options: Any) -> Question:
    opts = C.parse_options("norm_code", OPTIONS, options)
    sources = [s for s in T.CODE if opts["code"] in (None, s.key)]
    return Q.code_question("norm_code", T.TOPIC, sources, rng, lang, render, opts["blanks"], T.tags(), opts)
