"""Shared pieces of the chapter's question families (schedule, early_stopping, averaging, second_order,
critical_point, chapter_code): named mistakes, numeric choices at least five rounding units apart, and the
checks ``quizgen stress`` runs on them.

A numeric family here declares ``recompute(given) -> float`` (the key, executed again from the question's
``given`` alone) and ``inputs(given) -> list[float]`` (every number drawn and shown); the stress command then
perturbs every real number of ``given`` by a relative 1e-9 and checks that the displayed key does not change.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..question import Choice
from . import _common as C

GAP = 5  # displayed values (key and distractors) differ by at least this many units of the last digit


@dataclass(frozen=True)
class Mistake:
    """A named wrong way to compute something: what a distractor is made from."""

    name: str
    ja: str  # short title (ja)
    en: str
    why_ja: str  # one sentence: what is wrong and what is right
    why_en: str


def feedback(m: Mistake, shown: str, key_text: str, lang: str) -> str:
    if lang == "ja":
        return f"{m.ja}: {m.why_ja}（この誤りで計算すると {shown}。正しくは {key_text}）"
    return f"{m.en}: {m.why_en} (this mistake gives {shown}; the answer is {key_text})"


def correct_feedback(lang: str) -> str:
    return "正解。" if lang == "ja" else "Correct."


def spaced(key: float, candidates: Sequence[tuple[Mistake, float | None]],
           decimals: int) -> list[tuple[Mistake, float]]:
    """The candidates that are finite, stable at ``decimals`` and at least :data:`GAP` units away from the key
    and from every candidate kept before them (in the given order; one per mistake name). A value that would be
    shown as 0 without being 0 is left out (a choice "0.000" reads as an exact zero)."""
    unit = 10.0 ** (-decimals)
    kept: list[tuple[Mistake, float]] = []
    names: set[str] = set()
    for m, v in candidates:
        if v is None or not math.isfinite(v) or abs(v) > 1e6 or not C.stable(v, decimals) or m.name in names:
            continue
        shown = float(C.round_text(v, decimals))
        if shown == 0 and v != 0:
            continue
        if abs(shown - float(C.round_text(key, decimals))) < GAP * unit - 1e-12 or abs(v - key) < GAP * unit:
            continue
        if any(abs(shown - float(C.round_text(w, decimals))) < GAP * unit - 1e-12 for _, w in kept):
            continue
        kept.append((m, v))
        names.add(m.name)
    return kept


def numeric_choices(rng: np.random.Generator, key: float, pool: Sequence[tuple[Mistake, float]], decimals: int,
                    lang: str, need: int = 3) -> tuple[list[Choice], int]:
    """The key and ``need`` distractors drawn from ``pool`` (the question's "distractors" stream), shuffled with its
    "order" stream."""
    pick = C.part(rng, "distractors")
    idx = sorted(int(i) for i in pick.choice(len(pool), size=need, replace=False))
    key_text = C.round_text(key, decimals)
    correct = Choice(key_text, True, float(key), None, correct_feedback(lang))
    wrong = []
    for i in idx:
        m, v = pool[i]
        shown = C.round_text(v, decimals)
        wrong.append(Choice(shown, False, float(v), m.name, feedback(m, shown, key_text, lang)))
    return C.place(C.part(rng, "order"), correct, wrong)


def text_choices(rng: np.random.Generator, correct_text: str, wrong: Sequence[tuple[Mistake, str]], lang: str,
                 correct_why: str = "") -> tuple[list[Choice], int]:
    """Choices whose texts are formulas, code or epochs: the correct one and the wrong ones with their feedback."""
    correct = Choice(correct_text, True, None, None, correct_why or correct_feedback(lang))
    items = [Choice(t, False, None, m.name, f"{m.ja}: {m.why_ja}" if lang == "ja" else f"{m.en}: {m.why_en}")
             for m, t in wrong]
    return C.place(C.part(rng, "order"), correct, items)


def active(expr: Any, values: Mapping[str, float]) -> Any:
    """For a Piecewise, the branch that applies with these values (what a worked solution substitutes into)."""
    import sympy as sp

    if not isinstance(expr, sp.Piecewise):
        return expr
    subs = {sp.Symbol(k, real=True): v for k, v in values.items()}
    for branch, cond in expr.args:
        if cond is sp.true or bool(cond.xreplace(subs)):
            return branch
    return expr


# -- stress checks ---------------------------------------------------------------------------------------
PERTURB = 1e-9
#: what stress_defects checks beyond the stress command's own checks (listed in its table even when 0)
CHECKS = ("key differs when recomputed from given", "choices closer than 5 units")


def perturbed(value: Any, rng: np.random.Generator) -> Any:
    """``value`` with every real number (float, not int or bool) multiplied by 1 ± 1e-9."""
    if isinstance(value, bool) or isinstance(value, int) or value is None or isinstance(value, str):
        return value
    if isinstance(value, float):
        return value * (1 + PERTURB * (1 if rng.random() < 0.5 else -1))
    if isinstance(value, Mapping):
        return {k: perturbed(v, rng) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(perturbed(v, rng) for v in value)
    return value


def stress_defects(q, seed: int, recompute: Callable[[dict], float], inputs: Callable[[dict], list[float]]) -> Counter:
    """The numeric checks of ``quizgen stress`` for a chapter family's question."""
    bad: Counter = Counter()
    decimals = q.answer.decimals
    unit = 10.0 ** (-decimals)
    if q.answer.value is None or not math.isfinite(q.answer.value):
        bad["non-finite value"] += 1
        return bad
    again = recompute(q.given)
    if C.round_text(again, decimals) != q.answer.text:
        bad["key differs when recomputed from given"] += 1
    rng = np.random.default_rng(seed)
    for _ in range(2):
        with np.errstate(all="ignore"):
            v = recompute(perturbed(q.given, rng))
        if not math.isfinite(v) or C.round_text(v, decimals) != q.answer.text:
            bad["digits unstable under 1e-9 perturbation"] += 1
            break
    shown = [float(c.text) for c in q.choices]
    for c in q.choices:
        if not c.correct and (q.answer.accepts(c.value) or q.answer.accepts(float(c.text))):
            bad["distractor within tolerance"] += 1
    if any(abs(a - b) < GAP * unit - 1e-12 for i, a in enumerate(shown) for b in shown[i + 1:]):
        bad["choices closer than 5 units"] += 1
    for x in inputs(q.given):
        if C.significant_decimals(x) > 3 or C.decimals_of(x) > 4:
            bad["input off the decimal grid"] += 1
            break
    return bad
