"""Question families: one module each, each with ``generate(rng, **options) -> Question``.

Each module also declares ``KIND`` ("numeric" | "choice"), ``TITLE`` (ja, en) and ``OPTIONS``
(a list of :class:`~quizgen.families._common.Option`). Use :func:`quizgen.generate` to make a
question from a seed.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

#: family name -> module name (in the order ``quizgen families`` lists them)
NAMES = ("steps", "numeric_choice", "code_blank", "formula", "concepts", "trajectory",
         "true_false", "formula_blank", "combination", "threshold",
         "schedule", "early_stopping", "averaging", "second_order", "critical_point", "chapter_code",
         # the optimization chapter's techniques (issue 16): initialization, normalization, clipping
         "init_numeric", "init_formula", "init_code", "norm_numeric", "norm_formula", "norm_code",
         "clip_numeric", "clip_formula", "clip_code")


def get(name: str) -> ModuleType:
    key = str(name).strip().lower().replace("-", "_")
    if key not in NAMES:
        raise ValueError(f"unknown family {name!r}; known: {', '.join(NAMES)}")
    return import_module(f"{__name__}.{key}")
