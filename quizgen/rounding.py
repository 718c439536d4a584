"""Rounding as the questions ask for it: 四捨五入 (round half away from zero) to a number of decimals.

The rule a numeric answer is judged by, everywhere (the quiz widget's ``quiz.js`` repeats it, the Moodle export
writes it as intervals): an answer is correct when it rounds to the key, ``round_text(x, d) == key``. So the
accepted answers are exactly those within half a unit of the displayed key (±0.0005 for 3 decimals), and of the
two edges the one that rounds to the key: for the key 0.204, 0.2035 is accepted (四捨五入 gives 0.204) and 0.2045
is not (it gives 0.205); for a negative key the edge nearer zero likewise; for 0.000 neither edge.

A float is rounded by its shortest decimal (``repr``: what was typed, or what the computation printed), so
``0.2035`` is 0.2035 here, not the binary number just below it.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal


def round_text(x: float, decimals: int) -> str:
    """``x`` rounded half-up (四捨五入) to ``decimals`` places, as text; no ``-0.000``.

    Away from a tie the float formatting rounds the same way (fast path); near a tie the shortest decimal
    of ``x`` is rounded half-up exactly.
    """
    x = float(x)
    if math.isfinite(x) and abs(x) < 1e12 and boundary_margin(x, decimals) > 1e-6:
        text = f"{x:.{decimals}f}"
        return text[1:] if text.startswith("-") and not text.strip("-0.") else text
    q = Decimal(repr(x)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if q == 0:
        q = abs(q)
    return f"{q:.{decimals}f}"


def boundary_margin(x: float, decimals: int) -> float:
    """Distance of ``x`` from the nearest rounding boundary, in units of the last displayed digit (0 … 0.5)."""
    scaled = abs(x) * 10.0**decimals
    frac = scaled - math.floor(scaled)
    return abs(frac - 0.5)


def half_unit(decimals: int) -> float:
    """Half a unit of the last displayed digit, exactly as written: ``half_unit(3)`` is 0.0005 (repr ``0.0005``)."""
    return float(Decimal(5).scaleb(-decimals - 1))


def half_unit_text(decimals: int) -> str:
    """``half_unit`` as it is shown: ``0.0005``."""
    return f"{Decimal(5).scaleb(-decimals - 1):f}"


def rounds_to(x: float, decimals: int, key: str) -> bool:
    """Is ``x`` a correct answer for the displayed ``key`` (it rounds, 四捨五入, to ``key``)?"""
    return isinstance(x, (int, float)) and math.isfinite(x) and round_text(x, decimals) == key


def edges(key: str, decimals: int) -> list[tuple[str, bool]]:
    """The two values half a unit from ``key`` (as text) and whether each is accepted (rounds to ``key``)."""
    k, h = Decimal(key), Decimal(5).scaleb(-decimals - 1)
    return [(f"{e:f}", round_text(float(e), decimals) == key) for e in (k - h, k + h)]
