"""Blank sites of an update rule: a term of one assignment and the named mistakes that change only that term.

A :class:`Site` is a node of one assignment's expression tree (the tree as the rule writes it: parsed with
``evaluate=False``, so the textbook's term order), the correct term there, and the wrong terms the named
mistakes (``quizgen.mistakes``) put there. A mistake's term is found by applying the mistake's own rule edit
*without* sympy's evaluation (so the rest of the expression keeps its order and only the edited part
changes), checking that this unevaluated mutant is the same rule as the mistake's evaluated one, and taking
the smallest subtree where it differs from the correct rule (and every enclosing term up to the whole
right-hand side). A mistake that edits several assignments yields a term in each (the mistake as it shows in
that line).

Every wrong term is proven wrong twice before it is offered:

- exactly: one step of the rule with the term filled in, run in exact arithmetic at the rational points of
  ``formula.POINTS``, gives a W or state that differs from the correct rule's (checked to 50 digits:
  :func:`step_difference`, shown in the choice's feedback);
- by execution: the filled rule, run for three steps on a witness, gives a W or state that differs from the
  reference class run on the same witness (:func:`executed_differs`).

Terms that are another source's correct form (a convention, not a mistake) are never offered.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import sympy as sp
from sympy.core.parameters import evaluate

import optimizers
from optimizers import Rule

from ._run import execute, hyper_env, rule_for, run_rule

Path = tuple[int, ...]

#: the witness every filled rule is executed on (3 steps; ε large enough that its placement shows)
WITNESS_HYPER = {"lr": 0.1, "momentum": 0.9, "decay_rate": 0.9, "rho": 0.9, "beta1": 0.9, "beta2": 0.99,
                 "eps": 0.01, "weight_decay": 0.1}
WITNESS_W = 1.5
WITNESS_G = (0.5, 0.3, -0.2)
RTOL = 1e-9

def offered(mistake: Any, key: str) -> bool:
    """May ``mistake`` be shown as a wrong choice about ``key`` in a stem that does not name a source? Not when
    it is another source's correct form (RMSprop's ε inside the root, torch.optim's W ← W − ηλW)."""
    return not mistake.is_convention(key)


@dataclass(frozen=True)
class Wrong:
    mistake: str
    term: sp.Expr


@dataclass(frozen=True)
class Site:
    index: int  # the assignment (its position in rule.assignments)
    target: str
    path: Path  # where the term sits in the assignment's expression
    correct: sp.Expr
    wrong: tuple[Wrong, ...]  # every offered mistake here (distinct terms, each proven wrong)


# -- trees ------------------------------------------------------------------------------------------
def at(expr: sp.Expr, path: Path) -> sp.Expr:
    for i in path:
        expr = expr.args[i]
    return expr


def build(func: Any, args: list[sp.Expr]) -> sp.Expr:
    """``func(*args)`` without evaluation (not sympy's ``evaluate(False)`` context: entering it clears sympy's
    whole cache)."""
    try:
        return func(*args, evaluate=False)
    except TypeError:
        return func(*args)


def put(expr: sp.Expr, path: Path, new: sp.Expr) -> sp.Expr:
    """``expr`` with the subtree at ``path`` replaced by ``new``, nothing else evaluated."""
    if not path:
        return new
    args = list(expr.args)
    args[path[0]] = put(args[path[0]], path[1:], new)
    return build(expr.func, args)


def first_difference(a: sp.Expr, b: sp.Expr, path: Path = ()) -> Path | None:
    """The path of the smallest subtree outside which ``a`` and ``b`` are the same tree (None: equal)."""
    if a == b:
        return None
    if type(a) is type(b) and a.args and len(a.args) == len(b.args):
        inner = [i for i, (x, y) in enumerate(zip(a.args, b.args)) if x != y]
        if len(inner) == 1:
            return first_difference(a.args[inner[0]], b.args[inner[0]], path + (inner[0],))
    return path


def _is_neg(e: sp.Expr) -> bool:
    return isinstance(e, sp.Mul) and len(e.args) == 2 and e.args[0] == -1


def tidy(expr: sp.Expr) -> sp.Expr:
    """Light clean-up of an unevaluated mutant that keeps the written order: ``1·x`` → ``x``, and a
    sub-expression that evaluates to a single symbol or number written as that (``1 − (1 − ρ)`` → ``ρ``)."""
    if not expr.args or isinstance(expr, (sp.Symbol, sp.Number)):
        return expr
    return _tidy_node(expr, [tidy(a) for a in expr.args])


def _tidy_node(expr: sp.Expr, args: list[sp.Expr]) -> sp.Expr:
    if isinstance(expr, sp.Mul):
        args = [a for a in args if a != 1] or [sp.Integer(1)]
        if len(args) == 1:
            return args[0]
    out = build(expr.func, args)
    if not isinstance(out, (sp.Add, sp.Mul, sp.Pow)):
        return out
    simple = out.doit()  # evaluated
    return simple if isinstance(simple, (sp.Symbol, sp.Number)) else out


def shown(expr: sp.Expr) -> sp.Expr:
    """A term as a choice shows it: a negated factor moved to the front (``η(−g)`` → ``−ηg``)."""
    if not expr.args or isinstance(expr, (sp.Symbol, sp.Number)):
        return expr
    args = [shown(a) for a in expr.args]
    if isinstance(expr, sp.Mul):
        negs = sum(1 for a in args if _is_neg(a) or a == -1)
        if negs and not (args[0] == -1 and negs == 1):
            inner = [a.args[1] if _is_neg(a) else a for a in args if a != -1]
            body = inner[0] if len(inner) == 1 else build(sp.Mul, inner)
            return body if negs % 2 == 0 else build(sp.Mul, [sp.Integer(-1), body])
    if all(a is b for a, b in zip(args, expr.args)):
        return expr
    return build(expr.func, args)


# -- the mistakes as terms --------------------------------------------------------------------------------
def _unevaluated_mutant(mistake: Any, key: str, base: Rule) -> Rule | None:
    edit = mistake.edit.get(key, mistake.edit.get("*"))
    if edit is None:
        return None
    # some edits compare expressions that only simplify when evaluated and then recurse without end: a low
    # recursion limit makes them fail fast (the edit is then applied term by term, see _ordered_line)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(_depth() + 300)
    try:
        with evaluate(False):
            rule = edit(base)
    except (RecursionError, TypeError, ValueError, AttributeError):
        return None
    finally:
        sys.setrecursionlimit(limit)
    if rule is None:
        return None
    # the shown-only quantities (m̂, v̂ of the textbook Adam) stay the base rule's: only assignments are blanked
    return Rule(rule.optimizer, rule.convention, rule.symbols,
                [(t, tidied(good, e)) for (_, good), (t, e) in zip(base.assignments, rule.assignments)]
                if len(rule.assignments) == len(base.assignments) else list(rule.assignments),
                list(base.derived), dict(rule.init), rule.note)


def tidied(good: sp.Expr, bad: sp.Expr) -> sp.Expr:
    """``bad`` with :func:`tidy` applied where it differs from ``good`` and to the term around that (the rest is
    already as written)."""
    p = first_difference(good, bad)
    if p is None:
        return bad
    bad = put(bad, p, tidy(at(bad, p)))
    for n in range(len(p) - 1, -1, -1):  # each enclosing term, without walking into the unchanged parts
        node = at(bad, p[:n])
        if node.args:
            bad = put(bad, p[:n], _tidy_node(node, list(node.args)))
    return bad


def _depth() -> int:
    frame, n = sys._getframe(), 0
    while frame is not None:
        frame, n = frame.f_back, n + 1
    return n


def _ordered_line(mistake: Any, key: str, base: Rule, i: int, want: sp.Expr, mutant: Rule | None) -> sp.Expr | None:
    """Line ``i`` of the mistaken rule written in the base rule's order (only the edited part differs), or None.

    First the edit applied without evaluation (``mutant``); where that edit cannot run unevaluated, the edit
    applied to one sub-expression at a time (smallest first). Either must equal ``want`` (the mistake's
    evaluated line ``i``)."""
    target, good = base.assignments[i]
    if mutant is not None:
        line = mutant.assignments[i][1]
        if first_difference(good, line) is not None and same_value(line, want):
            return line
    edit = mistake.edit.get(key, mistake.edit.get("*"))
    paths = sorted(_paths(good), key=len, reverse=True)
    for path in paths:
        node = at(good, path)
        if not node.args:
            continue
        probe = Rule(base.optimizer, base.convention, base.symbols, [(target, node)], [], dict(base.init))
        try:
            edited = edit(probe)
        except (TypeError, ValueError, KeyError):
            continue
        if edited is None or len(edited.assignments) != 1:
            continue
        line = tidied(good, put(good, path, edited.assignments[0][1]))
        if first_difference(good, line) is not None and same_value(line, want):
            return line
    return None


def _paths(expr: sp.Expr, path: Path = ()) -> list[Path]:
    out = [path]
    for k, a in enumerate(expr.args):
        out += _paths(a, path + (k,))
    return out


def same_value(a: sp.Expr, b: sp.Expr) -> bool:
    """Are two expressions of one line equal (exactly, at every point of formula.POINTS where both have a value)?"""
    from .formula import POINTS, _at

    seen = False
    for point in POINTS:
        try:
            d = sp.N(_at(a, point) - _at(b, point), 30)
        except (ZeroDivisionError, TypeError, ValueError):
            continue
        if not d.is_number or d.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            continue
        seen = True
        if abs(d) > sp.Float("1e-20"):
            return False
    return seen


def filled(rule: Rule, index: int, path: Path, term: sp.Expr) -> Rule:
    out = list(rule.assignments)
    target, expr = out[index]
    out[index] = (target, put(expr, path, term))
    return Rule(rule.optimizer, rule.convention, rule.symbols, out, list(rule.derived), dict(rule.init), rule.note)


def witness_given(key: str) -> dict[str, Any]:
    from ._run import class_defaults

    hyper = {k: v for k, v in WITNESS_HYPER.items() if k in class_defaults(key)}
    return {"optimizer": key, "convention": "textbook", "hyperparameters": hyper,
            "params0": {"W": [WITNESS_W]}, "grads": [{"W": [g]} for g in WITNESS_G],
            "asked": {"quantity": "W", "step": len(WITNESS_G), "key": "W", "index": 0}}


def executed_differs(rule: Rule, given: dict[str, Any], reference: Any) -> bool:
    """Does ``rule`` run on ``given`` give a W or state that differs from the executed reference class at some
    step (or blow up where the class does not)? The rule runs line by line (``Rule.step``: sympy's numpy
    function of each line, made once per distinct line, so the many rules that share lines cost little)."""
    names = ["W"] + rule_for(given["optimizer"], "textbook").state_names
    env: dict[str, Any] = dict(hyper_env(rule, given))
    env.update({s.name: np.float64(rule.init.get(s.name, 0.0)) for s in rule.symbols.values()
                if s.kind in ("state", "step")})
    env["W"] = np.float64(given["params0"]["W"][0])
    with np.errstate(all="ignore"):
        for step, grads in enumerate(given["grads"], start=1):
            env["g"] = np.float64(grads["W"][0])
            try:
                env.update(rule.step(dict(env)))
            except (ZeroDivisionError, OverflowError, ValueError, TypeError):
                return True
            for name in names:
                want = reference.value(name, step, "W")
                value = float(env[name]) if name in env else math.nan
                if not math.isfinite(value) or abs(value - want) > RTOL * max(1.0, abs(want)):
                    return True
    return False


@cache
def sites(key: str) -> tuple[Site, ...]:
    """Every blank site of ``key``'s textbook rule with its offered, proven-wrong terms (cached)."""
    from .. import mistakes as M

    key = optimizers.get(key).INFO.key
    base = rule_for(key, "textbook")
    given = witness_given(key)
    reference = execute(given)
    found: dict[tuple[int, Path], list[tuple[Wrong, tuple]]] = {}
    for m in M.MISTAKES:
        if m.runner is not None or not m.applies(key, "textbook") or not offered(m, key):
            continue
        evaluated = m.rule(key, "textbook")
        if evaluated is None or [t for t, _ in evaluated.assignments] != [t for t, _ in base.assignments]:
            continue
        mutant = _unevaluated_mutant(m, key, base)
        for i, ((_, good), (_, wrong)) in enumerate(zip(base.assignments, evaluated.assignments)):
            # the mistake in this line only: the same rule whichever enclosing term is blanked
            if same_value(good, wrong):
                continue  # this line is not changed (as a formula)
            rule = filled(base, i, (), wrong)
            if not executed_differs(rule, given, reference) or step_difference(key, rule) is None:
                continue
            bad = _ordered_line(m, key, base, i, wrong, mutant)
            if bad is None:
                continue
            p = first_difference(good, bad)
            print_ = fingerprint(rule, given)
            for n in range(len(p), -1, -1):  # the smallest differing term and every term around it
                path = p[:n]
                if _is_neg(at(good, path)):
                    continue  # a blank sits inside the minus sign ("W − （ア）"), not around it
                found.setdefault((i, path), []).append((Wrong(m.name, at(bad, path)), print_))
    out = []
    for (i, path), wrongs in sorted(found.items()):
        target, good = base.assignments[i]
        kept: list[Wrong] = []
        texts = {latex(base, shown(at(good, path)))}
        prints: set[tuple] = set()
        for w, print_ in wrongs:
            text = latex(base, shown(w.term))
            if text in texts or print_ in prints:
                continue  # the same term, or another term that takes the same steps
            texts.add(text)
            prints.add(print_)
            kept.append(w)
        if kept:
            out.append(Site(i, target, path, at(good, path), tuple(kept)))
    return tuple(out)


def fingerprint(rule: Rule, given: dict[str, Any]) -> tuple:
    """W and every state after each witness step, to 12 significant digits (two mistakes that take the same
    steps are one choice)."""
    ex = run_rule(rule, given)
    names = ["W"] + rule_for(given["optimizer"], "textbook").state_names
    return tuple(float(f"{ex.value(n, s, 'W'):.12g}") for s in range(1, len(given["grads"]) + 1) for n in names)


def exact_step(rule: Rule, point: dict[str, sp.Expr]) -> dict[str, sp.Expr]:
    """One step of ``rule`` executed in exact arithmetic at ``point`` (formula.POINTS): every assignment
    evaluated in order on sympy rationals (and their roots), the values after the step by target."""
    env = {s.s: point[s.name] for s in rule.symbols.values() if s.name in point}
    out: dict[str, sp.Expr] = {}
    for target, expr in rule.assignments:
        value = expr.xreplace(env)
        env[rule.symbols[target].s] = value
        out[target] = value
    return out


@cache
def _base_steps(key: str) -> tuple[dict[str, sp.Expr] | None, ...]:
    from .formula import POINTS

    base = rule_for(key, "textbook")
    return tuple(_safe_step(base, p) for p in POINTS)


def _safe_step(rule: Rule, point: dict[str, sp.Expr]) -> dict[str, sp.Expr] | None:
    try:
        return exact_step(rule, point)
    except (ZeroDivisionError, TypeError, ValueError):
        return None


def step_difference(key: str, rule: Rule) -> dict[str, Any] | None:
    """An exact point where ``rule`` takes another step than ``key``'s textbook rule: W or a state differs
    (checked to 50 digits, so no float rounding decides it), as {"quantity", "point", "correct", "wrong"}; None
    if they agree at every point of formula.POINTS. The same proof as formula.proof, by exact execution instead
    of substituting closed forms (much faster for the long rules)."""
    from .formula import POINTS

    base = rule_for(key, "textbook")
    names = ["W"] + base.state_names
    used = {s.name for s in base.symbols.values() if s.kind != "temp"}
    for point, want in zip(POINTS, _base_steps(key)):
        got = _safe_step(rule, point)
        if want is None or got is None:
            continue
        for name in names:
            if name not in want or name not in got:
                continue
            try:
                diff = sp.N(want[name] - got[name], 50)
            except (ZeroDivisionError, TypeError, ValueError):
                continue
            if diff.is_number and diff.is_real and abs(diff) > sp.Float("1e-30"):
                def text(v: sp.Expr) -> str:
                    return str(v if v.is_Rational else sp.N(v, 12))
                return {"quantity": name, "point": {k: str(v) for k, v in point.items() if k in used},
                        "correct": text(want[name]), "wrong": text(got[name])}
    return None


GREEK = {"eta": "η", "alpha": "α", "mu": "μ", "rho": "ρ", "beta1": "β₁", "beta2": "β₂", "eps": "ε", "lam": "λ",
         "gamma": "γ", "eta_t": "η_t", "psi": "ψ", "v_max": "v_max", "mu_product": "Π_t", "tau": "τ"}


def point_text(point: dict[str, str]) -> str:
    """The exact point of a proof as a reader writes it: 「W = 3/2, g = 7/10, η = 1/10」."""
    return ", ".join(f"{GREEK.get(k, k)} = {v}" for k, v in point.items())


@cache
def proof(key: str, index: int, mistake: str) -> dict[str, Any]:
    """A point where the rule with mistake ``mistake`` in line ``index`` takes a different step than the correct
    rule, with both exact values; a wrong term without one is a bug (ValueError)."""
    from .. import mistakes as M

    base = rule_for(key, "textbook")
    wrong = M.get(mistake).rule(key, "textbook")
    found = step_difference(key, filled(base, index, (), wrong.assignments[index][1]))
    if found is None:
        raise ValueError(f"{key}: {mistake} in line {index} has no exact point where the step differs")
    return found


def usable(key: str, least: int = 3) -> list[Site]:
    return [s for s in sites(key) if len(s.wrong) >= least]


# -- rendering --------------------------------------------------------------------------------------------
BLANK_NAMES = ("ア", "イ", "ウ")


_LATEX: dict[tuple[int, sp.Expr], str] = {}


def latex(rule: Rule, expr: sp.Expr, blanks: dict[sp.Symbol, str] | None = None) -> str:
    """``expr`` in the rule's letters (order as written); ``blanks``: placeholder symbol → its label."""
    if blanks is None and (id(rule), expr) in _LATEX:
        return _LATEX[(id(rule), expr)]
    names = {s.s: s.latex for s in rule.symbols.values()}
    for sym, label in (blanks or {}).items():
        names[sym] = r"\text{（" + label + "）}"
    text = sp.latex(expr, symbol_names=names, order="none")
    if blanks is None and rule is rule_for(rule.optimizer, "textbook"):  # the cached rules live on: ids are stable
        _LATEX[(id(rule), expr)] = text
    return text


def placeholder(label: str) -> sp.Symbol:
    return sp.Symbol(f"QZBLANK{BLANK_NAMES.index(label)}", real=True)


def rule_with_blanks(rule: Rule, holes: Sequence[tuple[int, Path, str]]) -> str:
    """The whole rule (aligned, one line per assignment) with the terms at ``holes`` (index, path, label)
    replaced by （ア）（イ）…"""
    exprs = [e for _, e in rule.assignments]
    labels: dict[sp.Symbol, str] = {}
    for index, path, label in sorted(holes, key=lambda h: (h[0], -len(h[1]))):
        sym = placeholder(label)
        labels[sym] = label
        exprs[index] = put(exprs[index], path, sym)
    lines = [f"{rule.symbols[t].latex} &\\leftarrow {latex(rule, e, labels)}"
             for (t, _), e in zip(rule.assignments, exprs)]
    return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"


def inline(rule: Rule, expr: sp.Expr) -> str:
    return "$" + latex(rule, shown(expr)) + "$"


def overlaps(a: tuple[int, Path], b: tuple[int, Path]) -> bool:
    """Do two sites share a node (one inside the other)?"""
    (i, p), (j, q) = a, b
    return i == j and (p[:len(q)] == q or q[:len(p)] == p)
