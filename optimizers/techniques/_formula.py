"""Formulas of the techniques as :class:`optimizers.Rule` objects.

The same as :func:`optimizers._rule.build`, with the functions schedules need (``floor``, ``ceiling``, ``cos``, ``pi``,
``Min``) in the parser's names; expressions keep their written order (``evaluate=False``) and execute through
``Rule.step`` like every optimizer's rule.
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp
from sympy.parsing.sympy_parser import parse_expr

from .._rule import Rule, Sym, symbols

FUNCTIONS = {"floor": sp.floor, "ceiling": sp.ceiling, "cos": sp.cos, "pi": sp.pi, "Min": sp.Min, "Max": sp.Max,
             "sqrt": sp.sqrt, "Abs": sp.Abs}


@lru_cache(maxsize=512)
def _parsed(text: str, names: tuple[tuple[str, sp.Symbol], ...]) -> sp.Expr:
    local = dict(names)
    local.update(FUNCTIONS)
    return parse_expr(text, local_dict=local, evaluate=False)


def parse(text: str, table: dict[str, Sym]) -> sp.Expr:
    return _parsed(text, tuple(sorted((name, sym.s) for name, sym in table.items())))


def build(topic: str, form: str, syms: list[Sym], assignments: list[tuple[str, str]], *, note: str = "") -> Rule:
    """A :class:`Rule` from assignments written as text (``[("eta_t", "eta0*gamma**t"), ("W", "W - eta_t*g")]``)."""
    table = symbols(*syms)
    return Rule(topic, form, table, [(t, parse(e, table)) for t, e in assignments], [], {}, note)
