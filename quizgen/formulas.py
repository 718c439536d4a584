"""Render rules and single steps with their numbers: ``v = 0.9 × (−0.2) − 0.1 × 1.0 = −0.28``.

Everything here reads a :class:`~optimizers.Rule` and a trace's log; nothing recomputes
an update by other means.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import sympy as sp

from optimizers import Rule

from .trace import Trace

SIG = 6  # significant digits shown for intermediate values


def number(x: Any, sig: int = SIG) -> str:
    """Compact decimal text of a number: ``-0.28``, ``0.9``, ``1e-07`` → LaTeX-free plain text."""
    x = float(np.asarray(x, dtype=np.float64).reshape(-1)[0]) if not isinstance(x, (int, float)) else float(x)
    if not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    if x == 0:
        return "0"
    if abs(x) < 1e-4 or abs(x) >= 1e7:
        m, e = f"{x:.{sig - 1}e}".split("e")
        m = m.rstrip("0").rstrip(".")
        return f"{m}e{int(e)}"
    return np.format_float_positional(x, precision=sig, unique=True, fractional=False, trim="-")


def number_latex(x: Any, sig: int = SIG) -> str:
    """A number as LaTeX: ``-0.28``, ``1 \\times 10^{-7}``."""
    text = number(x, sig)
    if "e" in text and text not in ("inf", "-inf"):
        m, e = text.split("e")
        return (f"{m} \\times " if m not in ("1", "-1") else ("-" if m == "-1" else "")) + f"10^{{{int(e)}}}"
    return text


def _paren(text: str) -> str:
    return f"\\left({text}\\right)" if text.startswith("-") or "\\times" in text else text


def _element(v: Any, index: int | None) -> float:
    arr = np.asarray(v, dtype=np.float64).reshape(-1)
    return float(arr[index if index is not None and arr.size > 1 else 0])


def _active(expr: sp.Expr, inputs: dict[str, Any], index: int | None) -> sp.Expr:
    """For a Piecewise, the branch that applied with these inputs (shown instead of all cases)."""
    if not isinstance(expr, sp.Piecewise):
        return expr
    subs = {sp.Symbol(k, real=True): _element(v, index) for k, v in inputs.items()}
    for branch, cond in expr.args:
        if cond is sp.true or bool(cond.subs(subs)):
            return branch
    return expr


def _with_step(latex: str, step: int | None) -> str:
    r"""``v`` → ``v_{2}``; ``\eta_t`` → ``\eta_{2}`` (its t is the step); ``v_{\max}`` → ``v_{\max, 2}``."""
    if step is None:
        return latex
    m = re.fullmatch(r"(.*)_(?:t|\{t\})", latex)
    if m:
        return f"{m.group(1)}_{{{step}}}"
    m = re.fullmatch(r"(.*)_\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}", latex)
    if m:  # v_{\max} → v_{\max, 2}
        return f"{m.group(1)}_{{{m.group(2)}, {step}}}"
    return f"{{{latex}}}_{{{step}}}" if "_" in latex else f"{latex}_{{{step}}}"


def substitution(rule: Rule, position: int, inputs: dict[str, Any], result: Any, *, step: int | None = None,
                 index: int | None = None, sig: int = SIG) -> str:
    """LaTeX of one assignment with numbers: ``v_{2} = 0.9 \\times (-0.2) - 0.1 \\times 1 = -0.28``.

    ``position`` indexes ``rule.assignments + rule.derived`` (the order of a trace's log).
    """
    target, expr = (rule.assignments + rule.derived)[position]
    expr = _active(expr, inputs, index)
    values = {k: _paren(number_latex(_element(v, index), sig)) for k, v in inputs.items()}
    lhs = _with_step(rule.symbols[target].latex, step)
    symbolic = rule.latex_expr(expr)
    numeric = rule.latex_expr(expr, values)
    value = number_latex(_element(result, index), sig)
    if numeric == value or numeric == _paren(value):  # a bare copy (b = g): no middle step
        return f"{lhs} = {symbolic} = {value}"
    return f"{lhs} = {symbolic} = {numeric} = {value}"


def step_lines(trace: Trace, step: int, key: str | None = None, index: int | None = None,
               sig: int = SIG) -> list[str]:
    """Every assignment of step ``step`` (1-based) of ``trace``, with its numbers substituted."""
    key = key if key is not None else trace.keys[0]
    record = trace.records[step - 1]
    return [substitution(trace.rule, i, inputs, result, step=step, index=index, sig=sig)
            for i, (_target, inputs, result) in enumerate(record.log[key])]
