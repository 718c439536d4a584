"""Named mistakes ("mutants"): reusable wrong variants of an update rule.

A :class:`Mistake` has a name, a title and feedback (ja/en), the optimizers it applies to, the
misconception it models (the tags of reference/exam-style.md §5), and an executable form:

- ``edit``: a transformation of the optimizer's sympy :class:`~optimizers.Rule` (preferred: the
  mutated rule both renders as a wrong formula and executes), per optimizer key or ``"*"``;
- ``code``: line mutations ``(regex, replacement)`` on the reference class's source (code blanks);
- ``runner``: a mistake in *using* the rule rather than in the rule (one step short).

A distractor is a mutant's executed result: ``mistake.run(given)``.

**Mistakes and conventions.** Some "mistakes" are another source's correct rule: ε inside the root is
Goodfellow et al.'s RMSProp (Alg. 8.5), the decay multiplied by the learning rate is torch.optim's AdamW,
the buffer b ← μb + g is torch's momentum, Sutskever's θ is the parameter of his NAG. Such an entry names
the source in ``correct_in`` (optimizer key or ``"*"`` → source) and is a *convention* for that optimizer:
:func:`for_optimizer` leaves it out (so no question marks it wrong as a mistake), :func:`conventions_for`
lists it, and a question whose stem names its own source may show its value as "another source's form"
(:meth:`Mistake.label`). Which source a form follows is always named in the stem (``Info.form``).

>>> [m.name for m in for_optimizer("momentum")][:3]
['sign_flip', 'forgot_lr', 'momentum_double_negative']
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import sympy as sp

import optimizers
from optimizers import Rule
from optimizers._rule import parse

from .families._run import asked_value, hyper_env, rule_for

Edit = Callable[[Rule], "Rule | None"]


# -- rule surgery -----------------------------------------------------------------------------
def _sym(rule: Rule, name: str) -> sp.Symbol | None:
    return rule.symbols[name].s if name in rule.symbols else None


def _rebuild(rule: Rule, assignments: list[tuple[str, sp.Expr]], derived: list[tuple[str, sp.Expr]] | None = None,
             note: str = "") -> Rule | None:
    derived = rule.derived if derived is None else derived
    if [(t, sp.srepr(e)) for t, e in assignments] == [(t, sp.srepr(e)) for t, e in rule.assignments] and \
            [(t, sp.srepr(e)) for t, e in derived] == [(t, sp.srepr(e)) for t, e in rule.derived]:
        return None  # nothing changed: the mistake does not apply to this form
    return Rule(rule.optimizer, rule.convention, rule.symbols, assignments, derived, dict(rule.init), note or rule.note,
                rule.grad_at)


def assign(*edits: tuple[str, str | None], before: str | None = None) -> Edit:
    """Replace the assignment(s) to a target by new text (``None`` drops it).

    ``assign(("W", "W - v"))``; with ``before="m"``, ``("g", "g + lam*W")`` is inserted before ``m``'s.
    """
    def edit(rule: Rule) -> Rule | None:
        out = list(rule.assignments)
        for target, text in edits:
            if target not in rule.symbols:
                return None
            if before is not None:
                at = next((i for i, (t, _) in enumerate(out) if t == before), None)
                if at is None:
                    return None
                out.insert(at, (target, parse(text, rule.symbols)))
                continue
            hits = [i for i, (t, _) in enumerate(out) if t == target]
            if len(hits) != 1:
                return None
            if text is None:
                del out[hits[0]]
            else:
                out[hits[0]] = (target, parse(text, rule.symbols))
        return _rebuild(rule, out)
    return edit


def order(*targets: str) -> Edit:
    """Run the assignments in this order of targets (each target assigned once)."""
    def edit(rule: Rule) -> Rule | None:
        by = {t: e for t, e in rule.assignments}
        if sorted(by) != sorted(targets) or len(by) != len(rule.assignments):
            return None
        return _rebuild(rule, [(t, by[t]) for t in targets])
    return edit


def xsub(mapping: Callable[[Rule], Mapping[sp.Expr, sp.Expr] | None], targets: tuple[str, ...] | None = None,
         derived: bool = True) -> Edit:
    """Replace sub-expressions (simultaneously) in the assignments to ``targets`` (all if None)."""
    def edit(rule: Rule) -> Rule | None:
        m = mapping(rule)
        if not m:
            return None

        def sub(pairs):
            return [(t, e.xreplace(m) if targets is None or t in targets else e) for t, e in pairs]
        return _rebuild(rule, sub(rule.assignments), sub(rule.derived) if derived else rule.derived)
    return edit


def transform(fn: Callable[[Rule, sp.Expr], sp.Expr], targets: tuple[str, ...] | None = None) -> Edit:
    def edit(rule: Rule) -> Rule | None:
        def sub(pairs):
            return [(t, fn(rule, e) if targets is None or t in targets else e) for t, e in pairs]
        return _rebuild(rule, sub(rule.assignments), sub(rule.derived))
    return edit


def _state_like(rule: Rule) -> set[sp.Symbol]:
    return {s.s for s in rule.symbols.values() if s.kind in ("state", "temp")}


def _is_sqrt(e: sp.Expr) -> bool:
    return isinstance(e, sp.Pow) and e.exp == sp.Rational(1, 2)


def _drop_sqrt(rule: Rule, expr: sp.Expr) -> sp.Expr:
    states = _state_like(rule)
    return expr.replace(lambda e: _is_sqrt(e) and bool(e.base.free_symbols & states), lambda e: e.base)


def _eps_inside(rule: Rule, expr: sp.Expr) -> sp.Expr:
    eps = _sym(rule, "eps")
    if eps is None:
        return expr

    def hit(e):
        return isinstance(e, sp.Add) and eps in e.args and len(e.args) == 2 and any(_is_sqrt(a) for a in e.args)

    def fix(e):
        root = next(a for a in e.args if _is_sqrt(a))
        return sp.sqrt(sp.Add(root.base, eps, evaluate=False), evaluate=False)
    return expr.replace(hit, fix)


def _eps_outside(rule: Rule, expr: sp.Expr) -> sp.Expr:
    eps = _sym(rule, "eps")
    if eps is None:
        return expr

    def hit(e):
        return _is_sqrt(e) and isinstance(e.base, sp.Add) and eps in e.base.args

    def fix(e):
        rest = sp.Add(*[a for a in e.base.args if a != eps], evaluate=False)
        return sp.Add(sp.sqrt(rest, evaluate=False), eps, evaluate=False)
    return expr.replace(hit, fix)


def _one_minus_to_one(*names: str) -> Callable[[Rule, sp.Expr], sp.Expr]:
    def fn(rule: Rule, expr: sp.Expr) -> sp.Expr:
        s = next((x for x in (_sym(rule, n) for n in names) if x is not None), None)
        if s is None:
            return expr
        def hit(e):  # only a sum in s alone can be 1 - s (expanding every sum of a long unevaluated line is slow)
            return isinstance(e, sp.Add) and e.free_symbols == {s} and sp.expand(e - (1 - s)) == 0
        return expr.replace(hit, lambda e: sp.Integer(1))
    return fn


def _pow_t(rule: Rule, *names: str) -> list[tuple[sp.Symbol, sp.Expr]]:
    t = _sym(rule, "t")
    if t is None:
        return []
    return [(s, sp.Pow(s, t, evaluate=False)) for s in (_sym(rule, n) for n in names) if s is not None]


def _betas_t(to: Callable[[sp.Symbol, sp.Symbol], sp.Expr], *names: str) -> Callable[[Rule], dict | None]:
    def mapping(rule: Rule):
        t = _sym(rule, "t")
        return {p: to(s, t) for s, p in _pow_t(rule, *names)} or None
    return mapping


def _decay(value: Callable[[sp.Symbol], sp.Expr]) -> Callable[[Rule], dict | None]:
    """ρ (or torch RMSprop's α) → value(ρ)."""
    def mapping(rule: Rule):
        s = _sym(rule, "rho") if "rho" in rule.symbols else (
            _sym(rule, "alpha") if rule.optimizer == "rmsprop" else None)
        return {s: value(s)} if s is not None else None
    return mapping


def _by_convention(textbook: Edit | None, pytorch: Edit | None, **others: Edit | None) -> Edit:
    """One edit per form (``sutskever=...``); a form without one has no such mistake."""
    table = {"textbook": textbook, "pytorch": pytorch, **others}

    def edit(rule: Rule) -> Rule | None:
        e = table.get(rule.convention)
        return e(rule) if e is not None else None
    return edit


def _swap(a: str, b: str) -> Callable[[Rule], dict | None]:
    def mapping(rule: Rule):
        x, y = _sym(rule, a), _sym(rule, b)
        return {x: y, y: x} if x is not None and y is not None else None
    return mapping


def _to(name: str, value: Callable[[sp.Symbol], sp.Expr]) -> Callable[[Rule], dict | None]:
    def mapping(rule: Rule):
        s = _sym(rule, name)
        return {s: value(s)} if s is not None else None
    return mapping


def _square_to(value: Callable[[sp.Symbol], sp.Expr], var: str = "g") -> Callable[[Rule], dict | None]:
    def mapping(rule: Rule):
        s = _sym(rule, var)
        return {sp.Pow(s, 2, evaluate=False): value(s), sp.Pow(s, 2): value(s)} if s is not None else None
    return mapping


BIAS_TARGETS = ("m_hat", "v_hat", "lr_t", "W")  # W: where the torch Adamax form divides by 1 − β1ᵗ
EMA = ("h", "s", "m", "v")


# -- the registry -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Mistake:
    name: str
    title_ja: str
    title_en: str
    feedback_ja: str
    feedback_en: str
    optimizers: tuple[str, ...]  # registry keys it applies to
    misconception: str | None = None  # tag of exam-style.md §5 (and of the concept bank)
    edit: Mapping[str, Edit] = field(default_factory=dict)  # optimizer key or "*" -> rule transform
    code: tuple[tuple[str, str], ...] = ()  # (regex on a source line, replacement)
    runner: Callable[[Mapping[str, Any]], float | None] | None = None
    conventions: tuple[str, ...] = ("textbook",)
    t1_same: bool = False  # known to coincide with the key at t = 1 (only a trap from step 2 on)
    # optimizer key (or "*") -> the source in which this form is the correct rule (ja, en): for that optimizer
    # this entry is a convention, not a mistake
    correct_in: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def title(self, lang: str = "ja") -> str:
        return self.title_ja if lang == "ja" else self.title_en

    def source(self, key: str, lang: str = "ja") -> str | None:
        """The source whose correct rule this is for optimizer ``key`` (None: a mistake everywhere)."""
        names = self.correct_in.get(optimizers.get(key).INFO.key, self.correct_in.get("*"))
        if names is None:
            return None
        return names[0] if lang == "ja" else names[1]

    def is_convention(self, key: str) -> bool:
        """Is this another source's correct form for ``key`` (a convention) rather than a mistake?"""
        return self.source(key) is not None

    def label(self, key: str, lang: str = "ja") -> str:
        """What a learner reads as the name of this choice: the mistake's title, or for a convention
        「別の出典の形: <source>」 (never called a mistake)."""
        src = self.source(key, lang)
        if src is None:
            return self.title(lang)
        return f"別の出典の形: {src}" if lang == "ja" else f"another source's form: {src}"

    def feedback(self, lang: str = "ja") -> str:
        return self.feedback_ja if lang == "ja" else self.feedback_en

    def applies(self, key: str, convention: str = "textbook") -> bool:
        if key not in self.optimizers:
            key = optimizers.get(key).INFO.key
        return key in self.optimizers and convention in self.conventions

    def rule(self, key: str, convention: str = "textbook", hyperparameters: Mapping[str, Any] | None = None
             ) -> Rule | None:
        """The mistaken rule for optimizer ``key`` (None if this mistake has no rule form there)."""
        key = optimizers.get(key).INFO.key
        if self.runner is not None or not self.applies(key, convention):
            return None
        base = rule_for(key, convention, hyperparameters)
        return _mutant(self.name, key, convention, base)

    def run(self, given: Mapping[str, Any], hyper: Mapping[str, float] | None = None) -> float | None:
        """The asked quantity as this mistake computes it (None: not applicable; nan: blows up).

        ``hyper`` (the base rule's symbol values for ``given``) may be passed to save recomputing it.
        """
        key, convention = given["optimizer"], given.get("convention", "textbook")
        if not self.applies(key, convention):
            return None
        if self.runner is not None:
            return self.runner(given)
        rule = self.rule(key, convention, given.get("hyperparameters"))
        if rule is None:
            return None
        if hyper is None:
            hyper = hyper_env(rule_for(key, convention, given.get("hyperparameters")), given)
        try:
            return asked_value(rule, given, hyper)
        except ValueError:
            return None  # the mistaken rule has no such quantity

    def latex(self, key: str, convention: str = "textbook") -> str | None:
        rule = self.rule(key, convention)
        return rule.latex() if rule is not None else None

    def example(self, key: str) -> dict[str, Any] | None:
        """A small fixed example where this mistake gives a visibly different number (for the site's tables):
        the two values differ by at least ``EXAMPLE_REL`` of the larger one, so a learner reading 4 significant
        digits tells the mistake from the answer (Adam's β swap gives 0.900001 for 0.9 at step 1 with ε = 1e-7:
        such an example is skipped for one that shows the mistake). For W the scale is at least W₀ = 1, so two
        values that are both nearly 0 do not count as different."""
        from .families._run import execute

        for given in example_givens(key):
            want = execute(given).asked()
            got = self.run(given)
            if got is None:
                continue
            scale = max(abs(got), abs(want), 1.0 if given["asked"]["quantity"] == "W" else 0.0)  # W₀ = 1
            if not math.isfinite(got) or abs(got - want) >= EXAMPLE_REL * scale:
                return {"given": given, "correct": want, "mistaken": got, "latex": self.latex(key)}
        return None


EXAMPLE_REL = 0.01  # an example's two values differ by at least 1 % of the larger one


_MUTANTS: dict[tuple[str, str, str, int], tuple[Rule | None, Rule]] = {}


def _mutant(name: str, key: str, convention: str, base: Rule) -> Rule | None:
    """The mistake's rule for ``base`` (cached: the base rules are cached, so their ids are stable; a rule is
    compiled to numpy on its first run, so a rule only shown as LaTeX is never compiled)."""
    k = (name, key, convention, id(base))
    if k not in _MUTANTS:
        m = REGISTRY[name]
        edit = m.edit.get(key, m.edit.get("*"))
        rule = edit(base) if edit is not None else None
        _MUTANTS[k] = (rule, base)  # keep base alive with its id
    return _MUTANTS[k][0]


def _one_step_short(given: Mapping[str, Any]) -> float | None:
    a = given["asked"]
    if int(a["step"]) < 2:
        return None
    base = rule_for(given["optimizer"], given.get("convention", "textbook"), given.get("hyperparameters"))
    return asked_value(base, given, hyper_env(base, given), step=int(a["step"]) - 1)


def _chain(*edits: Edit) -> Edit:
    def edit(rule: Rule) -> Rule | None:
        out = rule
        for e in edits:
            nxt = e(out)
            if nxt is None:
                return None
            out = nxt
        return out
    return edit



def _problem_runner(given: Mapping[str, Any], grad: Callable[..., tuple[float, ...]] | None,
                    step: int) -> float | None:
    base = rule_for(given["optimizer"], given.get("convention", "textbook"), given.get("hyperparameters"))
    return asked_value(base, given, hyper_env(base, given), step=step, grad=grad)


def _sutskever_theta(given: Mapping[str, Any]) -> float | None:
    """Sutskever's θ = W − μv where the textbook (Bengio) form holds the look-ahead point W = θ + μv."""
    from .families._run import execute

    a = given["asked"]
    if given.get("convention", "textbook") != "textbook" or a["quantity"] != "W":
        return None
    ex = execute(given, check=False)
    mu = float(given["hyperparameters"].get("momentum", 0.9))
    step, key, index = int(a["step"]), a["key"], int(a.get("index", 0))
    return ex.value("W", step, key, index) - mu * ex.value("v", step, key, index)


def _bengio_point(given: Mapping[str, Any]) -> float | None:
    """The look-ahead point W + μv that the book's (Bengio's) form holds, where Sutskever's form asks its W = θ."""
    from .families._run import execute

    a = given["asked"]
    if given.get("convention") != "sutskever" or a["quantity"] != "W":
        return None
    ex = execute(given, check=False)
    mu = float(given["hyperparameters"].get("momentum", 0.9))
    step, key, index = int(a["step"]), a["key"], int(a.get("index", 0))
    return ex.value("W", step, key, index) + mu * ex.value("v", step, key, index)


def _one_step_extra(given: Mapping[str, Any]) -> float | None:
    if "problem" not in given:
        return None  # the next gradient is not given
    return _problem_runner(given, None, int(given["asked"]["step"]) + 1)


def _stale_gradient(given: Mapping[str, Any]) -> float | None:
    if "problem" not in given or int(given["asked"]["step"]) < 2:
        return None
    from . import problems as P

    g0 = P.get(given["problem"]).grad(*(float(v) for v in given["start"]))
    return _problem_runner(given, lambda *point: g0, int(given["asked"]["step"]))


def _derivative_factor(given: Mapping[str, Any]) -> float | None:
    """Half the gradient of a quadratic loss (the 2 of d(x²)/dx = 2x dropped)."""
    if "problem" not in given:
        return None
    from . import problems as P

    prob = P.get(given["problem"])
    if prob.curvatures is None:
        return None
    return _problem_runner(given, lambda *point: tuple(g / 2 for g in prob.grad(*point)),
                           int(given["asked"]["step"]))


SGD_LIKE = ("sgd", "momentum", "nesterov")
ADAPTIVE = ("adagrad", "rmsprop")
ADAM_LIKE = ("adam", "amsgrad", "adamw", "nadam", "radam", "adamax")
ALL = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta") + ADAM_LIKE
BIAS = ("adam", "amsgrad", "adamw", "radam", "adamax")

_g_neg = _to("g", lambda g: -g)

REGISTRY: dict[str, Mistake] = {}

MISTAKES: list[Mistake] = [
    Mistake(
        "sign_flip", "符号の取り違え（勾配上昇）", "sign flip (gradient ascent)",
        "勾配と同じ向きに進んでいる。パラメータは損失を下げるよう、勾配と逆向き（−ηg）に動かす。",
        "This moves along the gradient. Parameters must move against it (−ηg) to lower the loss.",
        ALL, "sign_error_gradient_ascent", edit={"*": xsub(_g_neg)},
        code=((r"^(\s*params\[key\] )-=", r"\1+="), (r"(dx = )-(rms_dx)", r"\1\2")),
        conventions=("textbook", "pytorch", "sutskever")),
    Mistake(
        "forgot_lr", "学習率の掛け忘れ", "learning rate forgotten",
        "勾配に学習率 η を掛け忘れている。更新量は η 倍する。",
        "The learning rate η is missing: the step is η times the gradient term.",
        ("sgd", "momentum", "nesterov", "adagrad", "rmsprop"), None,
        edit={"*": xsub(lambda r: {s: sp.Integer(1) for s in (_sym(r, "eta"), _sym(r, "gamma")) if s is not None})},
        code=((r"self\.lr \* ", ""),), conventions=("textbook", "pytorch", "sutskever")),
    Mistake(
        "momentum_double_negative", "速度の二重否定（W ← W − v）", "double negative (W ← W − v)",
        "v ← αv − ηg と定義した v はすでに「進む向き」を表す。"
        "W ← W − v とすると勾配方向に戻ってしまう。正しくは W ← W + v。",
        "With v ← αv − ηg, v already points downhill; W ← W − v walks uphill. The rule is W ← W + v.",
        ("momentum", "nesterov"), "momentum_sign_convention",
        edit={"momentum": _by_convention(assign(("W", "W - v")), assign(("W", "W + gamma*b"))),
              "nesterov": _by_convention(None, assign(("W", "W + gamma*(g + mu*b)")),
                                         sutskever=assign(("W", "W - v")))},
        conventions=("textbook", "pytorch", "sutskever"),
        code=((r"^(\s*params\[key\] )\+= (self\.v\[key\])", r"\1-= \2"),)),
    Mistake(
        "alpha_on_grad", "勾配項まで α 倍", "α applied to the gradient term too",
        "α を速度と勾配の両方に掛けている（v ← α(v − ηg)）。α は前の速度だけに掛ける: v ← αv − ηg。",
        "α multiplies the gradient term too (v ← α(v − ηg)). α only scales the old velocity: v ← αv − ηg.",
        ("momentum",), "alpha_eta_confusion", edit={"momentum": assign(("v", "alpha*(v - eta*g)"))},
        code=((r"self\.momentum \* self\.v\[key\] - self\.lr \* grads\[key\]",
               "self.momentum * (self.v[key] - self.lr * grads[key])"),)),
    Mistake(
        "forgot_momentum", "慣性係数の掛け忘れ", "momentum coefficient forgotten",
        "前の速度を α 倍せずにそのまま足している（v ← v − ηg）。速度は毎回 α 倍に減衰させる。",
        "The old velocity is kept whole (v ← v − ηg); it must decay by α each step.",
        ("momentum", "nesterov"), "alpha_eta_confusion",
        edit={"momentum": assign(("v", "v - eta*g")), "nesterov": assign(("v", "v - eta*g"))},
        conventions=("textbook", "sutskever"),
        code=((r"self\.momentum \* (self\.v\[key\] - self\.lr)", r"\1"),)),
    Mistake(
        "lr_momentum_swap", "学習率とモーメンタム係数の取り違え", "learning rate and momentum coefficient swapped",
        "前の速度を減衰させるのはモーメンタム係数（α, μ）で、学習率 η は勾配の項に掛ける。入れ替えると速度がほとんど"
        "残らず、勾配の項は大きくなりすぎる。",
        "The momentum coefficient (α, μ) decays the old velocity; the learning rate η scales the gradient term.",
        ("momentum", "nesterov"), "alpha_eta_confusion",
        edit={"momentum": xsub(_swap("eta", "alpha")), "nesterov": xsub(_swap("eta", "mu"), targets=("v",))},
        code=((r"self\.momentum \* self\.v\[key\] - self\.lr \* grads\[key\]",
               "self.lr * self.v[key] - self.momentum * grads[key]"),
              (r"^(\s*self\.v\[key\] \*= )self\.momentum$", r"\1self.lr"),
              (r"^(\s*self\.v\[key\] -= )self\.lr \* grads\[key\]$", r"\1self.momentum * grads[key]"))),
    Mistake(
        "param_instead_of_grad", "勾配の代わりにパラメータを掛けた", "the parameter instead of the gradient",
        "進む量は損失の勾配 g に比例する（W ← W − ηg）。W ← W − ηW は損失に関係なく W を縮めるだけで、"
        "重み減衰の項と取り違えている。",
        "The step is proportional to the loss gradient g (W ← W − ηg); W ← W − ηW only shrinks W, whatever the loss "
        "(weight decay's term, not the gradient step).",
        ("sgd",), "l2_term_vs_gradient", edit={"sgd": xsub(lambda r: {_sym(r, "g"): _sym(r, "W")})},
        code=((r"^(\s*params\[key\] -= self\.lr \* )grads\[key\]$", r"\1params[key]"),),
        conventions=("textbook", "pytorch")),
    Mistake(
        "textbook_velocity_as_buffer", "ゼロつくの速度 v で答えた（PyTorch のバッファ b ではない）",
        "the book's velocity v instead of PyTorch's buffer b",
        "これはゼロつくの速度 v ← αv − ηg（W ← W + v）の値で、その形では正しい。問われている PyTorch の "
        "momentum_buffer は b ← μb + g（初回は b ← g）で W ← W − γb と使うので、v = −γb の関係にあり値が違う。",
        "PyTorch's momentum_buffer is b ← μb + g (b ← g at first) with W ← W − γb; the textbook velocity "
        "v ← αv − ηg (W ← W + v) is −γ times it.",
        ("momentum", "nesterov"), "momentum_sign_convention",
        edit={"momentum": _by_convention(None, assign(("b", "mu*b - gamma*g"), ("W", "W + b"))),
              "nesterov": _by_convention(None, assign(("b", "mu*b - gamma*g"), ("W", "W - gamma*g + mu*b")))},
        conventions=("pytorch",),
        correct_in={"momentum": ("『ゼロから作るDeep Learning』と Goodfellow ら『深層学習』の速度 v",
                                 "the velocity v of Deep Learning from Scratch and Goodfellow et al."),
                    "nesterov": ("『ゼロから作るDeep Learning』の速度 v",
                                 "the velocity v of Deep Learning from Scratch")}),
    Mistake(
        "torch_buffer_as_velocity", "PyTorch のバッファ b で答えた（問題の速度 v ではない）",
        "PyTorch's buffer b instead of the velocity v",
        "これは PyTorch の momentum_buffer b ← μb + g（勾配の単位で符号も逆、W ← W − ηb と使う）の値で、その形では"
        "正しい。問題の式の速度 v ← αv − ηg とは v = −ηb の関係にあり、値は一致しない。",
        "PyTorch's momentum_buffer is b ← μb + g (gradient units, opposite sign), used as W ← W − ηb. "
        "The textbook velocity v ← αv − ηg equals −ηb, not b.",
        ("momentum", "nesterov"), "momentum_sign_convention",
        edit={"momentum": assign(("v", "alpha*v + g"), ("W", "W - eta*v")),
              "nesterov": assign(("W", "W - eta*(g + mu*(mu*v + g))"), ("v", "mu*v + g"))},
        correct_in={"momentum": ("torch.optim.SGD のバッファ b", "torch.optim.SGD's buffer b"),
                    "nesterov": ("torch.optim.SGD の nesterov=True のバッファ b",
                                 "torch.optim.SGD's nesterov buffer b")}),
    Mistake(
        "nesterov_old_order", "旧版 Nesterov（v を先に更新）", "old Nesterov order (v updated first)",
        "v を先に更新してから W += μ²v − (1+μ)ηg とすると W += μ³v − (1+μ+μ²)ηg になり NAG ではない"
        "（ゼロから作るDeep Learning の 2021 年の修正前のコード）。W を更新前の v で動かしてから v を更新する。",
        "Updating v first and then W += μ²v − (1+μ)ηg gives W += μ³v − (1+μ+μ²)ηg, which is not NAG "
        "(the pre-2021 textbook code). Move W with the old v, then update v.",
        ("nesterov",), "nesterov_old_order",
        edit={"nesterov": _by_convention(order("v", "W"), order("t", "W", "b"))}, conventions=("textbook", "pytorch")),
    Mistake(
        "nesterov_as_momentum", "先読みしない（ただのモーメンタム）", "no look-ahead (plain momentum)",
        "先読み点の勾配を使わず、通常のモーメンタム v ← μv − ηg, W ← W + v で計算している。"
        "NAG（書き換え形）は W ← W + μ²v − (1+μ)ηg, v ← μv − ηg。",
        "This is plain momentum (v ← μv − ηg, W ← W + v), without the look-ahead. NAG (Bengio's form) is "
        "W ← W + μ²v − (1+μ)ηg, then v ← μv − ηg.",
        ("nesterov",), "nag_gradient_point",
        edit={"nesterov": _by_convention(_chain(assign(("W", "W + v")), order("v", "W")),
                                         assign(("W", "W - gamma*b")), sutskever=assign(("W_ahead", "W")))},
        conventions=("textbook", "pytorch", "sutskever")),
    Mistake(
        "nesterov_lookahead_minus", "先読み点の符号の取り違え（W − μv）", "look-ahead point with the wrong sign",
        "先読み点は慣性だけで進んだ先 W + μv（v には −ηg まで含まれている）。W − μv では逆向きに先読みしている。",
        "The look-ahead point is where inertia alone leads, W + μv; W − μv looks the wrong way.",
        ("nesterov",), "nag_gradient_point",
        edit={"nesterov": _by_convention(None, None, sutskever=assign(("W_ahead", "W - mu*v")))},
        conventions=("sutskever",)),
    Mistake(
        "nesterov_sutskever_theta", "Sutskever の形の θ で答えた（先読み点ではない）",
        "Sutskever's θ instead of the look-ahead point",
        "これは Sutskever ら 2013 の形が保持する θ = W − μv の値で、その形では正しい。ゼロつく・PyTorch の形"
        "（Bengio らの書き換え）の W は先読み点 θ + μv を表す。2 つの形は保持する変数が違うだけで同じ手法。",
        "The textbook (Bengio) form's W is the look-ahead point θ + μv; this is Sutskever's θ = W − μv. "
        "The two forms are the same method holding different variables.",
        ("nesterov",), "nag_gradient_point", runner=_sutskever_theta,
        correct_in={"nesterov": ("Sutskever ら 2013 の形の θ", "θ of Sutskever et al. 2013")}),
    Mistake(
        "nesterov_bengio_point", "先読み点 W + μv で答えた（ゼロつく・PyTorch の W）",
        "the look-ahead point W + μv (the book's and PyTorch's W)",
        "これはゼロつく・PyTorch の形（Bengio らの書き換え）が保持する W、すなわち先読み点 W + μv の値で、"
        "その形では正しい。問題の Sutskever の形の W はパラメータそのもので、先読み点ではない。",
        "This is the look-ahead point W + μv, which the book's and PyTorch's form (Bengio's rewriting) hold as W; "
        "in Sutskever's form W is the parameter itself.",
        ("nesterov",), "nag_gradient_point", runner=_bengio_point, conventions=("sutskever",),
        correct_in={"nesterov": ("『ゼロから作るDeep Learning』・torch.optim の形の W",
                                 "W of Deep Learning from Scratch and torch.optim")}),
    Mistake(
        "nesterov_mu_not_squared", "μ² を μ と書いた", "μ instead of μ²",
        "慣性の項は μ²v（先読み点から次の先読み点へ）。μv では先読みが 1 回分ずれる。",
        "The inertia term is μ²v (look-ahead point to look-ahead point); μv misses one look-ahead.",
        ("nesterov",), "nag_gradient_point", edit={"nesterov": assign(("W", "W + mu*v - (1 + mu)*eta*g"))},
        code=((r"self\.momentum \* self\.momentum \* self\.v\[key\]", "self.momentum * self.v[key]"),)),
    Mistake(
        "nesterov_forgot_one_plus_mu", "(1+μ) の掛け忘れ", "(1+μ) forgotten",
        "先読み点の書き換えでは勾配の項が (1+μ)ηg になる"
        "（今回の勾配が速度を通じてもう一度効く）。ηg だけでは足りない。",
        "In the look-ahead form the gradient term is (1+μ)ηg (this gradient acts again through the velocity).",
        ("nesterov",), "nag_gradient_point", edit={"nesterov": assign(("W", "W + mu**2*v - eta*g"))},
        code=((r"\(1 \+ self\.momentum\) \* self\.lr", "self.lr"),)),
    Mistake(
        "forgot_square", "二乗の忘れ", "square forgotten",
        "勾配の二乗 g² を蓄積するところで g をそのまま足している。二乗するので h（v）は負にならない。",
        "The accumulator must add g², not g (so it never goes negative).",
        ("adagrad", "rmsprop", "adadelta") + ADAM_LIKE, "adagrad_accumulates_g_not_g2",
        edit={"*": xsub(_square_to(lambda g: g), targets=EMA + ("u",))},
        code=((r"grads\[key\] \* grads\[key\]", "grads[key]"), (r"grads\[key\] ?\*\* ?2", "grads[key]")),
        conventions=("textbook", "pytorch")),
    Mistake(
        "abs_instead_of_square", "二乗の代わりに絶対値", "absolute value instead of square",
        "蓄積するのは勾配の二乗 g²。絶対値 |g| を足すと分母の大きさが変わる。",
        "The accumulator adds g², not |g|.",
        ("adagrad", "rmsprop", "adam", "amsgrad", "adamw"), "adagrad_accumulates_g_not_g2",
        edit={"*": xsub(_square_to(lambda g: sp.Abs(g)), targets=EMA)},
        code=((r"grads\[key\] \* grads\[key\]", "np.abs(grads[key])"),
              (r"grads\[key\] ?\*\* ?2", "np.abs(grads[key])")),
        conventions=("textbook", "pytorch")),
    Mistake(
        "no_sqrt", "平方根の忘れ", "square root forgotten",
        "分母は √h（√v̂）。二乗の平均を平方根をとらずに使うと、歩幅の単位も大きさも変わる。",
        "The denominator is √h (√v̂): without the root the step has the wrong size and units.",
        ("adagrad", "rmsprop", "adadelta", "adam", "amsgrad", "adamw"), "rmsprop_vs_adagrad",
        edit={"*": transform(_drop_sqrt)},
        code=((r"np\.sqrt\((self\.h\[key\])\)", r"\1"), (r"np\.sqrt\((self\.v\[key\])\)", r"\1"),
              (r"np\.sqrt\((v_hat)\)", r"\1")),
        conventions=("textbook", "pytorch")),
    Mistake(
        "eps_inside_sqrt", "ε を √ の中に入れた", "ε inside the square root",
        "この形（ゼロつく・PyTorch・Adam 論文）では ε は √h の外に足す: η g/(√h + ε)。"
        "√(h + ε) は Goodfellow ら『深層学習』の RMSProp や TensorFlow 1 の形で、h が小さいと値が変わる。",
        "Here ε is added outside the root: ηg/(√h + ε). √(h + ε) is Goodfellow's RMSProp / TensorFlow form and "
        "differs when h is small.",
        ("adagrad", "rmsprop", "adam", "amsgrad", "adamw", "radam", "nadam"), None, edit={"*": transform(_eps_inside)},
        code=((r"np\.sqrt\((self\.h\[key\]|self\.v\[key\]|v_hat)\) \+ self\.eps", r"np.sqrt(\1 + self.eps)"),),
        conventions=("textbook", "pytorch"),
        correct_in={"rmsprop": ("Goodfellow ら『深層学習』Alg. 8.5 の RMSProp",
                                "Goodfellow et al.'s RMSProp, Alg. 8.5")}),
    Mistake(
        "eps_outside_sqrt", "ε を √ の外に出した", "ε outside the square root",
        "Adadelta の RMS[y] = √(E[y²] + ε) は ε を √ の中に足す（最初の一歩は √ε で動き出す）。",
        "Adadelta's RMS[y] = √(E[y²] + ε) keeps ε inside the root (the first step starts from √ε).",
        ("adadelta",), None, edit={"*": transform(_eps_outside)},
        code=((r"np\.sqrt\((self\.[hs]\[key\]) \+ self\.eps\)", r"(np.sqrt(\1) + self.eps)"),),
        conventions=("textbook", "pytorch")),
    Mistake(
        "rho_swap", "ρ と 1−ρ の取り違え", "ρ and 1−ρ swapped",
        "指数移動平均は h ← ρh + (1−ρ)g²: 過去に ρ、新しい値に 1−ρ を掛ける。逆にすると新しい勾配ばかり重視する。",
        "The moving average is h ← ρh + (1−ρ)g²: ρ on the past, 1−ρ on the new value.",
        ("rmsprop", "adadelta"), "rmsprop_rho_placement",
        edit={"*": xsub(_decay(lambda r: 1 - r), targets=("h", "s", "v", "u"))},
        code=((r"\*= self\.decay_rate", "*= (1 - self.decay_rate)"),
              (r"\+= \(1 - self\.decay_rate\) \* ", "+= self.decay_rate * "),
              (r"self\.rho \* (self\.[hs]\[key\]) \+ \(1 - self\.rho\)", r"(1 - self.rho) * \1 + self.rho")),
        conventions=("textbook", "pytorch")),
    Mistake(
        "no_one_minus", "(1−ρ) の掛け忘れ", "(1−ρ) factor forgotten",
        "新しい二乗勾配にも (1−ρ) を掛ける: h ← ρh + (1−ρ)g²。掛けないと h は g² の約 1/(1−ρ) 倍に膨らむ。",
        "The new squared gradient is weighted by (1−ρ): h ← ρh + (1−ρ)g². Without it h grows ~1/(1−ρ) times.",
        ("rmsprop", "adadelta"), "rmsprop_rho_placement",
        edit={"*": transform(_one_minus_to_one("rho", "alpha"), targets=("h", "s", "v", "u"))},
        code=((r"\+= \(1 - self\.decay_rate\) \* ", "+= "), (r"\+ \(1 - self\.rho\) \* ", "+ ")),
        conventions=("textbook", "pytorch")),
    Mistake(
        "rmsprop_as_adagrad", "減衰させずに累積（AdaGrad と混同）", "accumulating without decay (AdaGrad's h)",
        "RMSprop は二乗の指数移動平均 h ← ρh + (1−ρ)g² で古い勾配を忘れる。h ← h + g² は AdaGrad の二乗和。",
        "RMSprop keeps a moving average h ← ρh + (1−ρ)g² and forgets old gradients; h ← h + g² is AdaGrad's sum.",
        ("rmsprop",), "rmsprop_vs_adagrad", edit={"rmsprop": assign(("h", "h + g**2"))}),
    Mistake(
        "no_accumulation", "二乗和を蓄積しない", "no accumulation",
        "AdaGrad の h は過去すべての勾配の二乗和（h ← h + g²）。今回の g² だけでは学習率が下がっていかない。",
        "AdaGrad's h is the sum of all past squared gradients (h ← h + g²), not just this step's g².",
        ("adagrad",), "rmsprop_vs_adagrad", edit={"adagrad": assign(("h", "g**2"))}, t1_same=True,
        code=((r"self\.h\[key\] \+= (grads\[key\] \* grads\[key\])", r"self.h[key] = \1"),)),
    Mistake(
        "adadelta_ratio_flipped", "RMS の比が逆", "RMS ratio upside down",
        "Adadelta の歩幅は RMS[Δx]/RMS[g]"
        "（前回までの更新量の大きさ ÷ 勾配の大きさ）。逆にすると単位も大きさも合わない。",
        "Adadelta's step is RMS[Δx]/RMS[g] (past update size over gradient size), not the inverse.",
        ("adadelta",), "adadelta_vs_rmsprop", edit={"adadelta": assign(("dx", "-sqrt(h + eps)/sqrt(s + eps)*g"))},
        code=((r"-rms_dx / rms_g", "-rms_g / rms_dx"),)),
    Mistake(
        "no_bias_correction", "バイアス補正なし", "no bias correction",
        "m, v を 0 から始めるので初期は 0 に偏る。1−β1ᵗ, 1−β2ᵗ で割る補正を省くと、初期の更新量が変わる"
        "（β1=0.9, β2=0.999 では 1 回目で約 3.16 倍）。",
        "m and v start at 0 and are biased toward 0; dropping the 1−βᵗ corrections changes the early steps "
        "(about 3.16× at step 1 with β1=0.9, β2=0.999).",
        BIAS, "adam_no_correction_direction",
        edit={"*": xsub(_betas_t(lambda s, t: 0, "beta1", "beta2"), BIAS_TARGETS)},
        conventions=("textbook", "pytorch")),
    Mistake(
        "no_bias_correction_v", "v だけ補正し忘れ（m だけ補正）", "only m corrected",
        "m̂ だけ補正して v を補正しないと分母が小さすぎ、初期の更新量が大きくなる（1 回目で約 31.6 倍）。",
        "Correcting m but not v makes the denominator too small (about 31.6× at step 1).",
        BIAS, "adam_uncorrected_v", edit={"*": xsub(_betas_t(lambda s, t: 0, "beta2"), BIAS_TARGETS)},
        conventions=("textbook", "pytorch")),
    Mistake(
        "no_bias_correction_m", "m だけ補正し忘れ（v だけ補正）", "only v corrected",
        "v̂ だけ補正して m を補正しないと、初期の更新量が小さくなる（1 回目で約 0.1 倍）。",
        "Correcting v but not m makes the early steps too small (about 0.1× at step 1).",
        BIAS, "adam_no_correction_direction", edit={"*": xsub(_betas_t(lambda s, t: 0, "beta1"), BIAS_TARGETS)},
        conventions=("textbook", "pytorch")),
    Mistake(
        "bias_correction_without_t", "補正の t 乗の付け忘れ", "bias correction without the power t",
        "補正は 1−β1ᵗ, 1−β2ᵗ（t 乗）。1−β1, 1−β2 のままだと 1 回目だけは正しいが、2 回目以降ずれていく。",
        "The corrections are 1−β1ᵗ and 1−β2ᵗ. Without the power t step 1 is right by luck; later steps are not.",
        BIAS, "adam_t_starts_at_1", edit={"*": xsub(_betas_t(lambda s, t: s, "beta1", "beta2"), BIAS_TARGETS)},
        code=((r"self\.beta([12])\s?\*\*\s?self\.iter", r"self.beta\1"),), t1_same=True,
        conventions=("textbook", "pytorch")),
    Mistake(
        "off_by_one_t", "t を 1 つ多く数えた", "t off by one",
        "t は 1 回目の更新で 1（t を先に 1 増やしてから補正する）。1 つ多く数えると補正が弱くなる。",
        "t is 1 at the first update (increase t before correcting). Counting one too many weakens the correction.",
        BIAS, "adam_t_starts_at_1", edit={"*": xsub(_betas_t(lambda s, t: sp.Pow(s, t + 1), "beta1", "beta2"),
                                                    BIAS_TARGETS)},
        code=((r"self\.beta([12])\s?\*\*\s?self\.iter", r"self.beta\1**(self.iter + 1)"),),
        conventions=("textbook", "pytorch")),
    Mistake(
        "beta_swap", "β1 と β2 の入れ替え", "β1 and β2 swapped",
        "β1（0.9 前後）は 1 次モーメント m、β2"
        "（0.999 前後）は 2 次モーメント v の減衰率。入れ替えると平均の長さが逆になる。",
        "β1 (about 0.9) belongs to the first moment m and β2 (about 0.999) to the second moment v.",
        ADAM_LIKE, "adam_beta_swap", edit={"*": xsub(_swap("beta1", "beta2"))},
        code=((r"self\.beta2(.*?)self\.beta1", r"self.beta1\1self.beta2"),
              (r"self\.beta1(.*?)self\.beta2", r"self.beta2\1self.beta1"),
              (r"self\.beta1", "self.beta2"), (r"self\.beta2", "self.beta1")),
        conventions=("textbook", "pytorch")),
    Mistake(
        "ema_coefficient_swap", "β と 1−β の取り違え", "β and 1−β swapped",
        "指数移動平均は m ← β1 m + (1−β1) g: 過去に β、新しい値に 1−β を掛ける。",
        "The moving average is m ← β1 m + (1−β1) g: β on the past, 1−β on the new value.",
        ADAM_LIKE, "rmsprop_rho_placement",
        edit={"*": xsub(lambda r: {s: 1 - s for s in (_sym(r, "beta1"), _sym(r, "beta2")) if s is not None} or None,
                        targets=("m", "v"))},
        code=((r"\(1 - self\.beta([12])\) \* \((grads\[key\])", r"self.beta\1 * (\2"),
              (r"self\.beta([12]) \* (self\.[mv]\[key\]) \+ \(1 - self\.beta[12]\)",
               r"(1 - self.beta\1) * \2 + self.beta\1")),
        conventions=("textbook", "pytorch")),
    Mistake(
        "adamw_coupled_l2", "重み減衰を勾配に足した（L2 と混同）", "coupled L2 instead of decoupled decay",
        "AdamW は減衰 λW を勾配に足さず（m, v に入れず）、パラメータから直接引く。勾配に足すと √v̂ で割られ、"
        "Adam + L2 正則化になる。",
        "AdamW subtracts λW from the parameter directly; adding it to the gradient (into m and v) is Adam + L2, "
        "where the decay is divided by √v̂.",
        ("adamw",), "adamw_equals_l2",
        edit={"adamw": _chain(assign(("g", "g + lam*W"), before="m"),
                              assign(("W", "W - eta_t*alpha*m_hat/(sqrt(v_hat) + eps)")))}),
    Mistake(
        "adamw_decay_sign", "重み減衰の符号の誤り", "weight decay with the wrong sign",
        "重み減衰はパラメータを 0 に近づける: W ← W − ηλW。符号を逆にすると重みが膨らんでいく。",
        "Weight decay pulls the parameter toward 0 (W ← W − ηλW); the opposite sign inflates it.",
        ("adamw",), "adamw_equals_l2",
        edit={"adamw": assign(("W", "W - eta_t*(alpha*m_hat/(sqrt(v_hat) + eps) - lam*W)"))},
        code=((r"- self\.schedule \* \(step \+ decay\)", "- self.schedule * (step - decay)"),)),
    Mistake(
        "adamw_decay_times_lr", "減衰にも学習率 α を掛ける形", "decay multiplied by the learning rate",
        "これは torch.optim.AdamW の形 W ← W(1 − γλ) と同じで、その形では正しい。Loshchilov & Hutter 2019 の"
        "Alg. 2 の減衰は η_t λW で学習率 α を掛けないので、同じ λ なら減衰の強さが α 倍違う"
        "（torch の weight_decay は λ/α にあたる）。",
        "This is torch.optim.AdamW's W ← W(1 − γλ), correct there. In Loshchilov & Hutter's Alg. 2 the decay is "
        "η_t λW without the learning rate α, so the same λ decays α times as strongly (torch's weight_decay = λ/α).",
        ("adamw",), "adamw_equals_l2",
        edit={"adamw": assign(("W", "W - eta_t*(alpha*m_hat/(sqrt(v_hat) + eps) + alpha*lam*W)"))},
        correct_in={"adamw": ("torch.optim.AdamW の減衰 γλW", "torch.optim.AdamW's decay γλW")}),
    Mistake(
        "amsgrad_no_max", "最大値をとらない（ただの Adam）", "no running maximum (plain Adam)",
        "AMSGrad は v の過去の最大値で割るので、実効学習率が増えない。最大値をとらなければ Adam と同じ。",
        "AMSGrad divides by the running maximum of v, so the effective step never grows; without it this is Adam.",
        ("amsgrad",), None, edit={"amsgrad": assign(("v_max", "v"))},
        code=((r"np\.maximum\(self\.v_max\[key\], (self\.v\[key\])\)", r"\1"),)),
    Mistake(
        "nadam_as_adam", "Nesterov 型の混合をしない（Adam と同じ）", "no Nesterov mixing (plain Adam)",
        "NAdam は今の勾配 ĝ と次のステップのモーメンタム m̂ を (1−μ_t)ĝ + μ_{t+1}m̂ と混ぜる。"
        "m/(1−β1ᵗ) だけを使うのは Adam。",
        "NAdam mixes the current gradient and next step's momentum, (1−μ_t)ĝ + μ_{t+1}m̂; m/(1−β1ᵗ) alone is Adam.",
        ("nadam",), None, edit={"nadam": assign(("m_bar", "m/(1 - beta1**t)"))}),
    Mistake(
        "one_step_short", "更新回数を 1 回少なく数えた", "one update short",
        "問われているのは指定回数の更新の後の値。1 回分少ない時点の値を答えている。",
        "This is the value one update too early.",
        ALL, "schedule_off_by_one", runner=_one_step_short, conventions=("textbook", "pytorch", "sutskever")),
    Mistake(
        "assign_instead_of_update", "更新量で置き換えた（= と -= の取り違え）", "assignment instead of update",
        "params[key] -= … はパラメータから更新量を引く。= にすると W がただの更新量に置き換わってしまう。",
        "params[key] -= … subtracts the step from the parameter; with = the parameter is replaced by the step.",
        ALL, None, edit={"sgd": _by_convention(assign(("W", "-eta*g")), assign(("W", "-gamma*g"))),
                         "momentum": _by_convention(assign(("W", "v")), assign(("W", "-gamma*b")))},
        conventions=("textbook", "pytorch")),  # no code form: `params[key] = -(…)` is no line anyone writes
    Mistake(
        "one_step_extra", "更新回数を 1 回多く数えた", "one update too many",
        "問われているのは指定回数の更新の後の値。1 回多く更新した値を答えている。",
        "This is the value after one update too many.",
        ALL, "schedule_off_by_one", runner=_one_step_extra, conventions=("textbook", "pytorch", "sutskever")),
    Mistake(
        "stale_gradient", "勾配を計算し直さない", "gradient not recomputed",
        "勾配は毎回、更新直前の点で計算し直す。最初の点の勾配を使い続けると、2 回目以降の値がずれる。",
        "The gradient must be recomputed at the current point before every update, not reused from the start.",
        ALL, None, runner=_stale_gradient, conventions=("textbook", "pytorch", "sutskever")),
    Mistake(
        "derivative_factor", "微分の係数の落とし", "factor lost in the derivative",
        "x² の微分は 2x（x²/20 なら x/10、2w² なら 4w）。微分で出る係数 2 を落として勾配を半分にしている。",
        "The derivative of x² is 2x (of x²/20 it is x/10, of 2w² it is 4w); the factor 2 was dropped, halving "
        "the gradient.",
        ALL, "l2_term_vs_gradient", runner=_derivative_factor, conventions=("textbook", "pytorch", "sutskever")),
    Mistake(
        "adamax_sum_not_max", "最大値ではなく和をとった", "sum instead of maximum",
        "Adamax の u は割り引いた |g| の最大値 u ← max(β2u, |g|)"
        "（無限大ノルム）。和にすると RMSprop 的な平均に近づき値が変わる。",
        "Adamax's u is the discounted maximum u ← max(β2u, |g|) (the infinity norm), not a sum.",
        ("adamax",), None, edit={"adamax": assign(("u", "beta2*u + Abs(g) + eps"))},
        code=((r"np\.maximum\(self\.beta2 \* self\.u\[key\], (np\.abs\(grads\[key\]\) \+ self\.eps)\)",
               r"self.beta2 * self.u[key] + \1"),),
        conventions=("textbook", "pytorch")),
    Mistake(
        "adamax_no_discount", "u を割り引かない", "u not discounted",
        "u ← max(β2u, |g|): 過去の最大値は β2 倍に割り引いてから比べる。"
        "割り引かないと古い大きな勾配をいつまでも覚える。",
        "u ← max(β2u, |g|): the old maximum is discounted by β2 before comparing.",
        ("adamax",), None, edit={"adamax": assign(("u", "Max(u, Abs(g) + eps)"))},
        code=((r"np\.maximum\(self\.beta2 \* self\.u\[key\]", "np.maximum(self.u[key]"),),
        conventions=("textbook", "pytorch")),
]

for _m in MISTAKES:
    if _m.name in REGISTRY:
        raise ValueError(f"duplicate mistake {_m.name!r}")
    REGISTRY[_m.name] = _m




def get(name: str) -> Mistake:
    if name not in REGISTRY:
        raise ValueError(f"unknown mistake {name!r}; known: {', '.join(REGISTRY)}")
    return REGISTRY[name]


def for_optimizer(key: str, convention: str = "textbook") -> list[Mistake]:
    """The mistakes that apply to optimizer ``key`` and have an executable form there (registry order).
    Conventions (another source's correct form for ``key``: :meth:`Mistake.is_convention`) are left out:
    they are never a distractor labelled a mistake (see :func:`conventions_for`)."""
    return [m for m in _for_optimizer(optimizers.get(key).INFO.key, convention) if not m.is_convention(key)]


def conventions_for(key: str, convention: str = "textbook") -> list[Mistake]:
    """The entries that are another source's correct form for ``key`` (registry order): a question may show their
    value only when its stem names its own form's source, labelled with :meth:`Mistake.label`."""
    return [m for m in _for_optimizer(optimizers.get(key).INFO.key, convention) if m.is_convention(key)]


@cache
def _for_optimizer(key: str, convention: str) -> tuple[Mistake, ...]:
    out = []
    for m in MISTAKES:
        if not m.applies(key, convention):
            continue
        if m.runner is None and convention == "textbook" and m.rule(key, convention) is None:
            continue  # no rule form here (the pytorch forms depend on options: checked per question)
        out.append(m)
    return tuple(out)


def example_givens(key: str) -> list[dict[str, Any]]:
    """Small fixed examples (textbook form, class defaults but a hand-friendly lr) for :meth:`Mistake.example`."""
    from .families._run import class_defaults

    key = optimizers.get(key).INFO.key
    hyper = {k: v for k, v in class_defaults(key).items() if k != "eps"}
    if "lr" in hyper:
        hyper["lr"] = 0.1
    if key == "adamw":
        hyper["weight_decay"] = 0.1
    if key == "rmsprop":  # its first step is η/√(1−ρ) = 10η at ρ = 0.99: with η = 0.1 it would land W₁ on 0
        hyper["lr"] = 0.01
    rule = rule_for(key, "textbook")
    quantities = ["W"] + [s.name for s in rule.of_kind("state")] + [t for t, _ in rule.derived]
    out = []
    for gs in ([0.5, 0.2, -0.3], [0.001, 0.002, 0.001]):
        for steps in (1, 2, 3):
            for q in quantities:
                out.append({"optimizer": key, "convention": "textbook", "hyperparameters": dict(hyper),
                            "params0": {"W": [1.0]}, "grads": [{"W": [g]} for g in gs[:steps]],
                            "asked": {"quantity": q, "step": steps, "key": "W", "index": 0}})
    return out
