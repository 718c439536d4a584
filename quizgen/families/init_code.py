"""Weight initialization, code fill-in-the-blank (F4): a line of the reference code (the textbook's init_network,
xavier_uniform, he_uniform) is blanked; every wrong line was executed and changes the drawn weights."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..chapter import init as T
from ..chapter import questions as Q
from ..question import Question
from . import _common as C

KIND = "choice"
TOPIC = T.TOPIC
TITLE = ("重みの初期化のコードの穴埋め", "weight initialization, code fill-in-the-blank")
OPTIONS = [C.Option("code", f"which code ({', '.join(s.key for s in T.CODE)}); drawn when omitted", None,
                    tuple(s.key for s in T.CODE)),
           C.Option("blanks", "1 (（あ）) or 2 (（あ）（い）); drawn when omitted", None, (1, 2), int)]


def generate(rng: np.random.Generator, *, lang: str = "ja", render: bool = True, **options: Any) -> Question:
    opts = C.parse_options("init_code", OPTIONS, options)
    sources = [s for s in T.CODE if opts["code"] in (None, s.key)]
    return Q.code_question("init_code", T.TOPIC, sources, rng, lang, render, opts["blanks"], T.tags(), opts)
