"""Update rules as sympy: an ordered list of assignments over named symbols.

A :class:`Rule` is what a formula on a page *is*: it renders to LaTeX, and the same
object executes on numpy arrays (one lambdified function per assignment), so the
tests can check a rule against the reference class and against ``torch.optim``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
import sympy as sp
from sympy.parsing.sympy_parser import parse_expr

_PLACEHOLDER = re.compile(r"QZ(\d+)PH")  # stands for a substituted number in a printed expression (latex_expr)

#: what a symbol is, for tables and for the trace recorder
KINDS = ("param", "grad", "state", "hyper", "step", "temp")


@dataclass(frozen=True)
class Sym:
    """A named symbol of a rule, with its meaning in Japanese and English."""

    name: str  # Python identifier, also the sympy symbol's name ("v", "eta", "m_hat")
    latex: str  # how it is written in formulas (r"\eta", r"\hat{m}")
    ja: str
    en: str
    kind: str  # one of KINDS
    # the name of this quantity in the convention's code: the class attribute or
    # constructor argument (textbook: "lr", "v", "iter"), or torch.optim's
    # constructor argument / state name (pytorch: "lr", "momentum_buffer", "step")
    code: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"symbol {self.name!r}: unknown kind {self.kind!r}")

    def named(self, code: str) -> Sym:
        """The same symbol, bound to a name in one convention's code."""
        return replace(self, code=code)

    @property
    def s(self) -> sp.Symbol:
        return sp.Symbol(self.name, real=True)


@dataclass
class Rule:
    """One convention's update rule for one optimizer.

    ``assignments`` run in order, each ``target ← expr`` evaluated on the values
    so far (a target may be assigned more than once, e.g. ``g ← g + λW``).
    ``derived`` are quantities shown to learners (``m̂``, ``v̂``) that the update
    itself does not need; they are evaluated after the assignments.
    ``init`` gives the starting value of each state symbol (0 if absent).
    ``grad_at`` names a temporary symbol at which the gradient ``g`` is taken (Sutskever's look-ahead point
    W + μv); the executor evaluates the assignments up to it (:meth:`grad_point`), asks the loss for the
    gradient there, then runs the step. ``None``: the gradient is taken at W, as in every other rule.
    """

    optimizer: str
    convention: str  # "textbook" | "pytorch" | "paper"
    symbols: Mapping[str, Sym]
    assignments: list[tuple[str, sp.Expr]]
    derived: list[tuple[str, sp.Expr]] = field(default_factory=list)
    init: dict[str, float] = field(default_factory=dict)
    note: str = ""  # one line, Japanese: what this form is and where it comes from
    grad_at: str | None = None  # temp symbol where g is taken (None: at W)

    def __post_init__(self) -> None:
        names = {s.name for s in self.symbols.values()}
        for target, expr in self.assignments + self.derived:
            if target not in names:
                raise ValueError(f"{self.optimizer}/{self.convention}: target {target!r} has no Sym")
            unknown = {str(f) for f in sp.sympify(expr).free_symbols} - names
            if unknown:
                raise ValueError(f"{self.optimizer}/{self.convention}: unknown symbols {sorted(unknown)}")
        if self.grad_at is not None:
            targets = [t for t, _ in self.assignments]
            if self.grad_at not in targets:
                raise ValueError(f"{self.optimizer}/{self.convention}: grad_at {self.grad_at!r} is never assigned")
            before = self.assignments[:targets.index(self.grad_at) + 1]
            if any("g" in {str(f) for f in sp.sympify(e).free_symbols} for _, e in before):
                raise ValueError(f"{self.optimizer}/{self.convention}: g is used before the point {self.grad_at!r}")

    # -- what the rule is made of -------------------------------------------------
    def sym(self, name: str) -> Sym:
        return self.symbols[name]

    def of_kind(self, kind: str) -> list[Sym]:
        return [s for s in self.symbols.values() if s.kind == kind]

    @property
    def state_names(self) -> list[str]:
        return [s.name for s in self.of_kind("state")]

    @property
    def hyper_names(self) -> list[str]:
        return [s.name for s in self.of_kind("hyper")]

    # -- rendering ----------------------------------------------------------------
    @cached_property
    def _latex_names(self) -> dict[sp.Symbol, str]:
        return {s.s: s.latex for s in self.symbols.values()}

    @cached_property
    def _latex_templates(self) -> dict[tuple[sp.Expr, tuple[str, ...]], str]:
        return {}

    def latex_expr(self, expr: sp.Expr, values: Mapping[str, str] | None = None) -> str:
        """LaTeX of ``expr``; with ``values`` (name → already formatted number) substituted.

        sympy lays an expression out the same whatever text stands for a symbol, so each expression is
        printed once, with a placeholder for each substituted symbol, and the numbers are put in as text
        (a worked solution prints hundreds of these). A number with a superscript (``10^{-7}``) changes how
        a power of it is bracketed, so such values are printed directly. tests/test_core.py checks both ways
        agree for every rule."""
        if values and any("^" in v for v in values.values()):
            return self._print_latex(expr, values)
        keys = tuple(sorted(values)) if values else ()
        template = self._latex_templates.get((expr, keys))
        if template is None:
            template = self._print_latex(expr, {k: f"QZ{i}PH" for i, k in enumerate(keys)} if keys else None)
            self._latex_templates[(expr, keys)] = template
        if not keys:
            return template
        texts = [values[k] for k in keys]
        return _PLACEHOLDER.sub(lambda m: texts[int(m.group(1))], template)

    def _print_latex(self, expr: sp.Expr, values: Mapping[str, str] | None = None) -> str:
        """sympy's LaTeX of ``expr`` with the symbols' names, or ``values`` for some of them."""
        names = dict(self._latex_names)
        if values:
            names.update({self.symbols[k].s: v for k, v in values.items()})
            text = sp.latex(expr, symbol_names=names, mul_symbol="times", order="none")
        else:
            text = sp.latex(expr, symbol_names=names, order="none")
        return text.replace(r"\text{for}\:", r"\text{if}\:")

    def latex_lines(self, *, derived: bool = True) -> list[str]:
        """One ``target \\leftarrow expr`` per assignment (derived ones use ``=``)."""
        lines = [
            f"{self.symbols[t].latex} &\\leftarrow {self.latex_expr(e)}" for t, e in self.assignments
        ]
        if derived:
            lines += [f"{self.symbols[t].latex} &= {self.latex_expr(e)}" for t, e in self.derived]
        return lines

    def latex(self, *, derived: bool = True) -> str:
        """The whole rule as one ``aligned`` block."""
        body = " \\\\\n".join(self.latex_lines(derived=derived))
        return "\\begin{aligned}\n" + body + "\n\\end{aligned}"

    # -- execution ----------------------------------------------------------------
    @cached_property
    def _compiled(self) -> list[tuple[str, list[str], Callable[..., Any]]]:
        out = []
        for target, expr in self.assignments + self.derived:
            args = tuple(sorted(str(f) for f in sp.sympify(expr).free_symbols))
            out.append((target, list(args), _numpy_function(args, expr)))
        return out

    def initial_state(self, like: np.ndarray) -> dict[str, Any]:
        """Fresh state for one parameter array (``step`` symbols start at 0)."""
        state: dict[str, Any] = {}
        for s in self.symbols.values():
            if s.kind == "state":
                state[s.name] = np.full_like(like, self.init.get(s.name, 0.0), dtype=np.float64)
            elif s.kind == "step":
                state[s.name] = self.init.get(s.name, 0)
        return state

    def step(self, env: Mapping[str, Any], log: list | None = None) -> dict[str, Any]:
        """Run every assignment once on ``env`` (params, grads, hypers, state).

        Returns the new environment, with every intermediate and derived value.
        With ``log``, appends ``(target, {arg: value}, result)`` for each assignment and
        derived quantity, in order: what a worked example substitutes, line by line.
        """
        values = dict(env)
        for target, args, fn in self._compiled:
            missing = [a for a in args if a not in values]
            if missing:
                raise KeyError(f"{self.optimizer}/{self.convention}: no value for {missing}")
            inputs = [values[a] for a in args]
            result = fn(*inputs)
            if isinstance(result, np.ndarray):
                result = np.asarray(result, dtype=np.float64)
            if log is not None:
                log.append((target, dict(zip(args, inputs)), result))
            values[target] = result
        return values

    def grad_point(self, env: Mapping[str, Any]) -> Any:
        """The point where this step's gradient is taken: W, or the value of ``grad_at`` computed from ``env``
        (W, state and hyperparameters; no gradient needed)."""
        if self.grad_at is None:
            return env["W"]
        values = dict(env)
        for target, args, fn in self._compiled:
            result = fn(*[values[a] for a in args])
            if isinstance(result, np.ndarray):
                result = np.asarray(result, dtype=np.float64)
            values[target] = result
            if target == self.grad_at:
                return result
        raise AssertionError("unreachable: checked in __post_init__")

    def assignment_args(self, index: int) -> list[str]:
        return self._compiled[index][1]


@lru_cache(maxsize=1024)
def _numpy_function(args: tuple[str, ...], expr: sp.Expr) -> Callable[..., Any]:
    """``expr`` as a numpy function of ``args`` (one per distinct expression: rules are built again and again
    with the same formulas, and lambdify writes and compiles Python source each time)."""
    return sp.lambdify([sp.Symbol(a, real=True) for a in args], expr, modules="numpy")


def parse(text: str, table: Mapping[str, Sym]) -> sp.Expr:
    """Parse ``"alpha*v - eta*g"`` over the symbols of ``table``, keeping the written order.

    ``evaluate=False`` keeps the terms as the textbook writes them, so ``latex()``
    prints ``\\alpha v - \\eta g`` and not sympy's alphabetical ``- \\eta g + \\alpha v``.
    """
    return _parsed(text, tuple(sorted((name, sym.s) for name, sym in table.items())))


@lru_cache(maxsize=4096)
def _parsed(text: str, names: tuple[tuple[str, sp.Symbol], ...]) -> sp.Expr:
    # memoized (sympy expressions are immutable): rules and their mistaken variants are built many times over
    local = dict(names)
    local.update({"sqrt": sp.sqrt, "Max": sp.Max, "Abs": sp.Abs, "Piecewise": sp.Piecewise, "Eq": sp.Eq,
                  "Gt": sp.StrictGreaterThan, "sign": sp.sign})
    return parse_expr(text, local_dict=local, evaluate=False)


def build(optimizer: str, convention: str, syms: list[Sym], assignments: list[tuple[str, str]], *,
          derived: list[tuple[str, str]] = (), init: dict[str, float] | None = None, note: str = "",
          grad_at: str | None = None) -> Rule:
    """A :class:`Rule` from assignments written as text, e.g. ``[("v", "alpha*v - eta*g"), ("W", "W + v")]``."""
    table = symbols(*syms)
    return Rule(optimizer, convention, table,
                [(t, parse(e, table)) for t, e in assignments],
                [(t, parse(e, table)) for t, e in derived],
                dict(init or {}), note, grad_at)


def symbols(*syms: Sym) -> dict[str, Sym]:
    """Build a symbol table, refusing duplicate names."""
    table: dict[str, Sym] = {}
    for s in syms:
        if s.name in table:
            raise ValueError(f"duplicate symbol {s.name!r}")
        table[s.name] = s
    return table
