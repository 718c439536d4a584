"""quizgen: from the executed reference optimizers to learning material (traces, formulas,
questions, the study site, drill sheets, exports).

``quizgen.generate(family, seed, **options)`` makes one question (see quizgen/engine.py).
"""

from __future__ import annotations

from typing import Any


def generate(family: str, seed: int, **options: Any):
    """One question of ``family`` for ``seed`` (lazy: importing quizgen stays cheap)."""
    from .engine import generate as _generate

    return _generate(family, seed, **options)


__all__ = ["generate"]
