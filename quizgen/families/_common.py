"""Shared pieces of the question families: option checking, decimal grids, rounding, choices."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from .. import rounding, seeds
from ..question import Answer, Choice

MAX_TRIES = 200  # rejection sampling: draws before giving up with a clear error
LANGS = ("ja", "en")


class GenerationError(ValueError):
    """No acceptable variant within the bounded number of draws."""


# -- options ----------------------------------------------------------------------------------
def optimizer_key(value: Any) -> str:
    """An optimizer option (key or class name, any case) → its registry key; unknown → ValueError."""
    import optimizers

    return optimizers.get(value).INFO.key


@dataclass(frozen=True)
class Option:
    name: str
    help: str
    default: Any = None  # None: drawn from the seed
    choices: Sequence[Any] | None = None  # allowed values (None: any, checked by ``check``)
    type: Callable[[Any], Any] = str
    check: Callable[[Any], str | None] | None = None  # returns an error message or None

    def parse(self, value: Any) -> Any:
        if value is None:
            return None
        try:
            value = self.type(value)
        except (TypeError, ValueError) as e:
            if self.type in (int, float, str, bool):
                raise ValueError(f"option {self.name}: cannot read {value!r} as {self.type.__name__}") from None
            raise ValueError(f"option {self.name}: {e}") from None
        if self.choices is not None and value not in self.choices:
            raise ValueError(f"option {self.name}: {value!r} is not one of {', '.join(map(str, self.choices))}")
        if self.check is not None:
            msg = self.check(value)
            if msg:
                raise ValueError(f"option {self.name}: {msg}")
        return value


def parse_options(family: str, spec: Sequence[Option], options: Mapping[str, Any]) -> dict[str, Any]:
    """Check ``options`` against ``spec`` (unknown names and bad values give one clear ValueError)."""
    names = {o.name: o for o in spec}
    unknown = sorted(set(options) - set(names))
    if unknown:
        raise ValueError(f"family {family}: unknown option(s) {', '.join(unknown)}; "
                         f"known: {', '.join(names) or 'none'}")
    return {name: o.parse(options.get(name, o.default)) for name, o in names.items()}


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(value)


# -- randomness -------------------------------------------------------------------------------
def part(rng: np.random.Generator, name: str) -> np.random.Generator:
    """The child stream ``name`` of a question's generator.

    For ``rng = seeds.rng("question", family, seed)`` this is exactly
    ``seeds.rng("question", family, seed, name)``: the parts' entropy is extended by the name.
    """
    ss = rng.bit_generator.seed_seq
    entropy = ss.entropy if isinstance(ss.entropy, (list, tuple)) else [int(ss.entropy)]
    words = [int(w) for w in entropy] + [seeds._word(name)]
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(words)))


def pick(rng: np.random.Generator, items: Sequence[Any]) -> Any:
    return items[int(rng.integers(len(items)))]


#: share of questions about ``optimizers.CORE`` when a family draws its optimizer itself (≥ 80 % is the goal; the
#: margin covers sampling noise over a pool of 50 and the variants a family rejects: the numeric families redraw
#: the optimizer after a rejected draw, and rejections are a little more frequent for the core optimizers)
CORE_SHARE = 0.9


def draw_optimizer(rng: np.random.Generator, keys: Sequence[str]) -> str:
    """An optimizer key from ``keys``: one of ``optimizers.CORE`` with probability ``CORE_SHARE`` when ``keys``
    holds both kinds, uniform within the kind drawn."""
    import optimizers

    core = [k for k in keys if k in optimizers.CORE]
    rest = [k for k in keys if k not in optimizers.CORE]
    if core and rest:
        return pick(rng, core if rng.random() < CORE_SHARE else rest)
    return pick(rng, list(keys))


#: in a batch drawn without an optimizer (a quiz pool, a drill sheet, an export), a question about an optimizer
#: outside ``optimizers.CORE`` may take only every ``REST_EVERY``-th place; another place draws again (next seed).
#: So every batch, however short, has at most one such question in ten: ≥ 80 % of its optimizer questions are
#: about the syllabus optimizers even when a few places hold general topics.
REST_EVERY = 10


def balanced(optimizer: str | None, position: int) -> bool:
    """May a question about ``optimizer`` (None: a general topic) take 0-based place ``position`` of a batch
    drawn without an optimizer? (see :data:`REST_EVERY`)"""
    import optimizers

    return optimizer is None or optimizer in optimizers.CORE or position % REST_EVERY == REST_EVERY - 1


def shuffled(rng: np.random.Generator, items: Sequence[Any]) -> list[Any]:
    order = rng.permutation(len(items))
    return [items[int(i)] for i in order]


# -- decimal grids ----------------------------------------------------------------------------
def grid(values: Sequence[str]) -> tuple[float, ...]:
    """Floats from decimal text (so every value is exactly the displayed decimal's nearest double)."""
    return tuple(float(v) for v in values)


def decimals_of(x: float) -> int:
    """Decimals needed to write ``x`` exactly as its shortest repr (0.05 → 2, 1e-07 → 7)."""
    d = Decimal(repr(float(x))).normalize()
    return max(0, -d.as_tuple().exponent)


def significant_decimals(x: float) -> int:
    """Significant digits of the shortest decimal for ``x`` (0.05 → 1, 0.999 → 3, 1.25 → 3)."""
    if x == 0:
        return 0
    digits = Decimal(repr(abs(float(x)))).normalize().as_tuple().digits
    return len(digits)


# -- rounding ---------------------------------------------------------------------------------
# 四捨五入 and the answer rule live in quizgen/rounding.py (the question model judges answers with them too)
round_text = rounding.round_text
boundary_margin = rounding.boundary_margin


def tolerance(x: float, decimals: int) -> float:
    """The accepted distance from the displayed key: exactly half a unit of its last digit (0.0005 for 3 decimals;
    which edge counts is :func:`quizgen.rounding.rounds_to`'s rule). ``x`` is not used (kept for callers)."""
    return rounding.half_unit(decimals)


def stable(x: float, decimals: int) -> bool:
    """Displayed digits cannot change under a tiny (1e-9 relative) perturbation of the inputs."""
    if not math.isfinite(x):
        return False
    return boundary_margin(x, decimals) >= max(1e-4, 1e-6 * abs(x) * 10.0**decimals)


def auto_decimals(x: float, base: int = 3, sig: int = 2, most: int = 6) -> int:
    """``base`` decimals, more when ``x`` is small (at least ``sig`` significant digits shown)."""
    if x == 0 or not math.isfinite(x):
        return base
    need = sig - 1 - math.floor(math.log10(abs(x)))
    return max(base, min(most, need))


def rounding_text(decimals: int, tol: float, lang: str) -> str:
    """The rounding rule and tolerance as the question states them (``tol`` is not used: it is half a unit)."""
    unit = rounding.half_unit_text(decimals)
    if lang == "ja":
        return (f"小数第 {decimals + 1} 位を四捨五入して小数第 {decimals} 位まで求めよ（正解との差が ±{unit} 以内なら"
                f"正解とする。ちょうど ±{unit} の答えは、四捨五入して正解と同じ値になる側だけを正解とする）。")
    return (f"Round half up to {decimals} decimal places (answers within ±{unit} of the key are accepted; an answer "
            f"exactly {unit} away counts only if it rounds half up to the key).")


def numeric_answer(x: float, decimals: int) -> Answer:
    return Answer(value=float(x), decimals=decimals, tolerance=tolerance(x, decimals), text=round_text(x, decimals))


#: every two displayed values of a numeric question (key and distractors) differ by at least this many units of
#: the last displayed digit, so a distractor never looks like a rounding slip of the key or of another distractor
GAP_UNITS = 5


def distinct_values(key: float, candidates: Sequence[tuple[Any, float]], decimals: int) -> list[tuple[Any, float]]:
    """The candidates whose values are finite, stable, not accepted as the key, and whose displayed values are
    at least ``GAP_UNITS`` units of the last digit away from the key's and from each other's, in the given order."""
    tol = tolerance(key, decimals)
    gap = (GAP_UNITS - 0.5) * 10.0 ** (-decimals)  # displayed values are multiples of the unit: ≥ 5 units apart
    shown = [float(round_text(key, decimals))]
    kept: list[tuple[Any, float]] = []
    for tag, v in candidates:
        if v is None or not math.isfinite(v) or not stable(v, decimals) or abs(v - key) <= tol:
            continue
        d = float(round_text(v, decimals))
        if abs(d - key) <= tol or any(abs(d - s) < gap for s in shown):
            continue
        shown.append(d)
        kept.append((tag, v))
    return kept


# -- choices ----------------------------------------------------------------------------------
def place(rng: np.random.Generator, correct: Choice, wrong: Sequence[Choice]) -> tuple[list[Choice], int]:
    """Shuffle the choices with the question's stream; the correct position is uniform."""
    items = shuffled(rng, [correct, *wrong])
    return items, next(i for i, c in enumerate(items) if c.correct)


def letters(n: int, lang: str) -> list[str]:
    return [chr(ord("A") + i) for i in range(n)]


def fmt(x: float) -> str:
    """A drawn (grid) input as its shortest decimal text: 0.05, -1.2, 0.999."""
    x = float(x)
    if x == int(x) and abs(x) < 1e6:
        return f"{int(x)}.0" if abs(x) < 10 else str(int(x))
    text = repr(x)
    if "e" in text:
        text = f"{x:.12f}".rstrip("0")
    return text


def short_meaning(sym: Any, lang: str) -> str:
    """A symbol's meaning without its bracketed gloss (「減衰率（指数移動平均の係数）」 → 「減衰率」)."""
    text = sym.ja if lang == "ja" else sym.en
    return re.split(r"\s*[（(]", text, maxsplit=1)[0].strip()


def spaced(text: str) -> str:
    """``text`` between Japanese words: a space on a side where it meets Latin letters, digits or math
    (「を Kingma & Ba 2015 の」, 「$v$ の」), none beside a Japanese character or bracket (「法の」, 「』の」)."""
    def latin(ch: str) -> bool:
        return (ch.isascii() and (ch.isalnum() or ch in "$`)]")) or "\u0370" <= ch <= "\u03ff"  # Greek too
    return (" " if latin(text[0]) else "") + text + (" " if latin(text[-1]) else "")


def vec(values: Sequence[float]) -> str:
    vals = [fmt(v) for v in values]
    return vals[0] if len(vals) == 1 else "(" + ",\\ ".join(vals) + ")"
