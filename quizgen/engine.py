"""``generate(family, seed, **options)``: one seed names one question, byte for byte.

The question's generator is ``seeds.rng("question", family, seed)``; a family takes its child
streams per part from it (``_common.part(rng, "inputs")`` is ``seeds.rng("question", family, seed,
"inputs")``). The id is ``<family>-<seed>``, plus ``-<digest>`` of the options when any are given,
so the same (family, seed, options) always gives the same id and the same JSON.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

from . import families, seeds
from .question import Question

LANGS = ("ja", "en")


def options_digest(options: dict[str, Any]) -> str:
    text = json.dumps(options, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def generate(family: str, seed: int, *, lang: str = "ja", render: bool = True, **options: Any) -> Question:
    """The question of ``family`` for ``seed`` (an int in [0, 2**63)).

    ``render=False`` skips the worked solution (the only part that needs sympy at run time).
    Unknown families or options, and bad option values, raise one clear ValueError.
    """
    module = families.get(family)
    name = module.__name__.rsplit(".", 1)[1]
    seed = seeds.check_seed(seed)
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; known: {', '.join(LANGS)}")
    options = {k: v for k, v in options.items() if v is not None}
    rng = seeds.rng("question", name, seed)
    q = module.generate(rng, lang=lang, render=render, **options)
    q.family, q.seed, q.lang = name, seed, lang
    # keep only the options the caller gave (normalised by the family): defaults do not change the id
    q.options = {k: q.options.get(k, v) for k, v in options.items()}
    q.id = f"{name}-{seed}" + (f"-{options_digest(q.options)}" if q.options else "")
    return q


def seeds_for(start: int, count: int) -> list[int]:
    """The seeds of ``count`` questions starting at ``start``: start, start+1, … (documented in the CLI)."""
    start = seeds.check_seed(start)
    if int(count) < 1:
        raise ValueError(f"count must be >= 1, got {count}")
    if start + int(count) - 1 > seeds.MAX_SEED:
        raise ValueError("seed + count runs past the largest seed")
    return list(range(start, start + int(count)))


def many(family: str, start: int, count: int, **kw: Any) -> Iterator[Question]:
    for s in seeds_for(start, count):
        yield generate(family, s, **kw)
