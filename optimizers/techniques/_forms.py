"""What the technique modules share: sympy functions for the reductions a formula needs (the mean and the
variance over a mini-batch or over a sample's features, the L2 norm of all gradients), a builder of
:class:`~optimizers.Rule` objects that knows them, and the metadata every topic declares.

A reduction renders as the textbook writes it (``\\frac{1}{m}\\sum_{i=1}^{m} x_i``) and executes with numpy
(``numpy.mean(x, axis=0)``), so one :class:`~optimizers.Rule` both draws the formula on a page and runs
against the reference code in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import sympy as sp
from sympy.parsing.sympy_parser import parse_expr

from .._rule import Rule, Sym, symbols


class _Reduction(sp.Function):
    """A reduction of an array argument: subclasses give its LaTeX and its numpy code."""

    is_real = True
    axis = 0  # numpy axis (0: over the mini-batch, -1: over a sample's features)
    count = "m"  # the letter of the number of terms in the LaTeX
    index = "i"

    def _numpycode(self, printer) -> str:
        raise NotImplementedError

    def _term(self, printer, arg) -> str:
        text = printer._print(arg)
        atomic = arg.is_Symbol or isinstance(arg, sp.Abs) or arg.is_Pow and arg.base.is_Symbol
        return text if atomic else rf"\left({text}\right)"


class BatchMean(_Reduction):
    """μ_B = (1/m) Σ_i x_i: the mean over the mini-batch (axis 0), one per feature."""

    nargs = 1

    def _latex(self, printer, exp=None) -> str:
        total = rf"\frac{{1}}{{{self.count}}}\sum_{{{self.index}=1}}^{{{self.count}}}"
        body = total + " " + self._term(printer, self.args[0])
        return rf"\left({body}\right)^{{{exp}}}" if exp is not None else body

    def _numpycode(self, printer) -> str:
        return f"numpy.mean({printer._print(self.args[0])}, axis={self.axis}, keepdims=True)"


class BatchVar(_Reduction):
    """σ²_B = (1/m) Σ_i (x_i − μ_B)²: the biased variance over the mini-batch (divided by m, not m − 1)."""

    nargs = 2  # (x, its mean)

    def _latex(self, printer, exp=None) -> str:
        x, mu = (printer._print(a) for a in self.args)
        body = rf"\frac{{1}}{{{self.count}}}\sum_{{{self.index}=1}}^{{{self.count}}} \left({x} - {mu}\right)^{{2}}"
        return rf"\left({body}\right)^{{{exp}}}" if exp is not None else body

    def _numpycode(self, printer) -> str:
        x, mu = (printer._print(a) for a in self.args)
        return f"numpy.mean(({x} - {mu})**2, axis={self.axis}, keepdims=True)"


class FeatureMean(BatchMean):
    """μ = (1/D) Σ_j x_j: the mean over one sample's features (Layer Normalization)."""

    axis = -1
    count = "D"
    index = "j"


class FeatureVar(BatchVar):
    """σ² = (1/D) Σ_j (x_j − μ)²: the biased variance over one sample's features."""

    axis = -1
    count = "D"
    index = "j"


class Norm2(_Reduction):
    """‖g‖₂ = √(Σ_j g_j²): the L2 norm of every gradient together (all parameters as one vector)."""

    nargs = 1

    def _latex(self, printer, exp=None) -> str:
        body = rf"\sqrt{{\textstyle\sum_{{j}} {printer._print(self.args[0])}_{{j}}^{{2}}}}"
        return rf"\left({body}\right)^{{{exp}}}" if exp is not None else body

    def _numpycode(self, printer) -> str:
        return f"numpy.sqrt(numpy.sum({printer._print(self.args[0])}**2))"


class Unbiased(_Reduction):
    """m/(m − 1)·σ²: the unbiased variance from the biased one (written as the factor times the variance)."""

    nargs = 2  # (m, the biased variance)

    def _latex(self, printer, exp=None) -> str:
        m, var = (printer._print(a) for a in self.args)
        body = rf"\frac{{{m}}}{{{m} - 1}} {var}"
        return rf"\left({body}\right)^{{{exp}}}" if exp is not None else body

    def _numpycode(self, printer) -> str:
        m, var = (printer._print(a) for a in self.args)
        return f"({m}/({m} - 1)*{var})"


FUNCTIONS = {"BatchMean": BatchMean, "BatchVar": BatchVar, "FeatureMean": FeatureMean, "FeatureVar": FeatureVar,
             "Norm2": Norm2,
             "Unbiased": Unbiased}


@lru_cache(maxsize=512)
def _parsed(text: str, names: tuple[tuple[str, sp.Symbol], ...]) -> sp.Expr:
    local = dict(names)
    local.update(FUNCTIONS)
    local.update({"sqrt": sp.sqrt, "Min": sp.Min, "Max": sp.Max, "Piecewise": sp.Piecewise, "Lt": sp.StrictLessThan,
                  "Ge": sp.GreaterThan, "Gt": sp.StrictGreaterThan, "Abs": sp.Abs, "Rational": sp.Rational})
    return parse_expr(text, local_dict=local, evaluate=False)


def parse(text: str, table: dict[str, Sym]) -> sp.Expr:
    """``text`` over the symbols of ``table`` and the reductions above, in the written order."""
    return _parsed(text, tuple(sorted((name, s.s) for name, s in table.items())))


def build(name: str, convention: str, syms: list[Sym], assignments: list[tuple[str, str]], *,
          derived: list[tuple[str, str]] = (), note: str = "") -> Rule:
    """A :class:`~optimizers.Rule` whose expressions may use the reductions (``BatchMean(x)``, ``Norm2(g)``)."""
    table = symbols(*syms)
    return Rule(name, convention, table, [(t, parse(e, table)) for t, e in assignments],
                [(t, parse(e, table)) for t, e in derived], {}, note)


@dataclass(frozen=True)
class Source:
    """Where a form comes from, as a page and a question label it: "He ら (2015)", with the full citation."""

    label: str  # short, Japanese: 「Glorot & Bengio (2010)」「ゼロから作る Deep Learning 6.2 節」
    citation: str  # the full reference
    year: int


@dataclass(frozen=True)
class TopicInfo:
    """What a topic module declares about itself."""

    key: str  # "init", "normalization", "clipping"
    name_ja: str
    name_en: str
    summary_ja: str  # one sentence: what it is and why
    syllabus: str  # the E資格 syllabus item, or why it is enrichment
    in_syllabus: bool
    sources: dict[str, Source] = field(default_factory=dict)  # form key -> source
    torch: tuple[str, ...] = ()  # the torch functions / modules the conformance tests compare with
