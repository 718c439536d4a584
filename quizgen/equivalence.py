"""Equivalences and differences between conventions, proven with sympy or measured by execution.

Each function returns a :class:`Finding` that the site renders: a Japanese title and statement,
whether a symbolic proof held (every residual simplified to 0), and named figures computed by
running the reference classes and rules. Nothing here is typed in by hand: the symbolic proofs
step the very :class:`~optimizers.Rule` objects that the pages render and the tests check
against the classes and against ``torch.optim``.

Proof pattern ("over symbolic steps"): the gradients of steps 1, 2, 3 are free symbols g₁, g₂, g₃.
If two forms give the same parameters after every step, a gradient oracle evaluated at those
parameters returns the same g_t to both, so equal parameters for arbitrary g_t is equality of
trajectories on any loss. Where a state map is claimed (v = −γb), an induction step from an
arbitrary state proves it for every t, not only for the unrolled steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np
import sympy as sp

import optimizers
from optimizers import Rule
from optimizers.torch_form import from_torch

from . import problems as P
from .trace import run


@dataclass
class Finding:
    key: str
    title_ja: str
    statement_ja: str
    proven: bool | None = None  # True: every residual simplified to 0 (None: a numeric finding only)
    residuals: dict[str, sp.Expr] = field(default_factory=dict)  # label -> simplified difference (0 if proven)
    figures: dict[str, Any] = field(default_factory=dict)  # name -> executed number (or list of numbers)
    latex: dict[str, str] = field(default_factory=dict)  # name -> a formula worth showing

    def residual_text(self) -> dict[str, str]:
        return {k: sp.latex(v) for k, v in self.residuals.items()}


#: every finding function by name (append new ones with ``@finding`` or ``@finding(about=(...))``)
REGISTRY: dict[str, Callable[..., Finding]] = {}
#: optimizer key -> names of the findings about it (the site shows them on that optimizer's page)
ABOUT: dict[str, list[str]] = {}


def finding(fn: Callable[..., Finding] | None = None, *, about: tuple[str, ...] | None = None):
    """Register a finding function. ``about`` lists the optimizers it concerns (default: the function
    name's first word, if that is an optimizer key: ``nesterov_old_order`` → nesterov). A function with
    a ``name`` parameter is called as ``fn(name=key)`` for each key in ``about``."""

    def register(f: Callable[..., Finding]) -> Callable[..., Finding]:
        REGISTRY[f.__name__] = f
        keys = about if about is not None else tuple(k for k in (f.__name__.split("_")[0],) if k in optimizers.ORDER)
        for key in keys:
            ABOUT.setdefault(key, []).append(f.__name__)
        return f

    return register(fn) if fn is not None else register


def for_optimizer(key: str) -> list[Finding]:
    """The findings about optimizer ``key``, computed now (the study site's ``conventions`` section)."""
    import inspect

    key = optimizers.get(key).INFO.key
    out = []
    for name in ABOUT.get(key, []):
        fn = REGISTRY[name]
        out.append(fn(name=key) if "name" in inspect.signature(fn).parameters else fn())
    return out


def _start_text(start: tuple[float, ...]) -> str:
    """A run's start point as the figures table shows it: (−7, 2)."""
    return "(" + ", ".join(f"{float(v):g}" for v in start) + ")"


# -- symbolic execution of a Rule ---------------------------------------------------------------------------
def sym_step(rule: Rule, env: Mapping[str, Any]) -> dict[str, Any]:
    """Run the rule's assignments once on sympy values (the symbolic twin of ``Rule.step``)."""
    values = dict(env)
    for target, expr in rule.assignments:
        names = [str(f) for f in expr.free_symbols]
        missing = [n for n in names if n not in values]
        if missing:
            raise KeyError(f"{rule.optimizer}/{rule.convention}: no value for {missing}")
        values[target] = expr.xreplace({rule.symbols[n].s: sp.sympify(values[n]) for n in names})
    return values


def _zero(expr: Any) -> sp.Expr:
    """The residual simplified: 0 when the two sides are equal. Expanding (then cancelling fractions) proves
    most residuals zero at a fraction of simplify's cost; a residual they leave is simplified as it was."""
    expr = sp.sympify(expr)
    for quick in (sp.expand, sp.cancel):
        if quick(expr) == 0:
            return sp.S.Zero
    return sp.simplify(expr)


ETA = sp.Symbol("eta", positive=True)  # learning rate (η in the textbook, γ in PyTorch), constant
MU = sp.Symbol("mu", positive=True)  # momentum coefficient (α / μ)
W0 = sp.Symbol("W_0", real=True)  # the starting parameter (W in every form: no θ/W mix)
GS = sp.symbols("g_1 g_2 g_3", real=True)


def _textbook_vs_sgd(key: str, steps: int = 3) -> tuple[dict[str, sp.Expr], dict[str, str]]:
    """Unrolled steps and an induction step: ``key``'s textbook rule vs its pytorch (SGD) rule, with the claim W
    equal and v = −η b (one learning rate η: PyTorch's γ is set to η, so every table writes η)."""
    module = optimizers.get(key)
    tb, pt = module.rule("textbook"), module.rule("pytorch")
    coef = {"momentum": "alpha", "nesterov": "mu"}[key]
    e_tb = {"W": W0, "v": 0, "eta": ETA, coef: MU}
    e_pt = {"W": W0, "b": 0, "t": 0, "gamma": ETA, "mu": MU, "tau": 0}
    residuals, shown = {}, {}
    for i, g in enumerate(GS[:steps], start=1):
        e_tb = sym_step(tb, {**e_tb, "g": g})
        e_pt = sym_step(pt, {**e_pt, "g": g})
        residuals[f"W_{i}（ゼロつく − PyTorch）"] = _zero(e_tb["W"] - e_pt["W"])
        residuals[f"v_{i} + η b_{i}"] = _zero(e_tb["v"] + ETA * e_pt["b"])
        shown[f"W_{i}"] = sp.latex(sp.expand(e_tb["W"]))
    # induction: from any state with W equal and v = −γb, one more step (t ≥ 2) keeps both claims
    w, b, g = sp.symbols("W b g", real=True)
    n = sp.Symbol("n", positive=True, integer=True)  # steps already taken (≥ 1)
    s_tb = sym_step(tb, {"W": w, "v": -ETA * b, "eta": ETA, coef: MU, "g": g})
    s_pt = sym_step(pt, {"W": w, "b": b, "t": n, "gamma": ETA, "mu": MU, "tau": 0, "g": g})
    residuals["帰納法: W_{t+1}（ゼロつく − PyTorch）"] = _zero(s_tb["W"] - s_pt["W"])
    residuals["帰納法: v_{t+1} + η b_{t+1}"] = _zero(s_tb["v"] + ETA * s_pt["b"])
    return residuals, shown


def varying_lr_paths(problem: str = "bowl", start: tuple[float, float] = (-7.0, 2.0), steps: int = 5,
                     lr0: float = 0.1, factor: float = 0.5, momentum: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    """Momentum with a learning rate that changes every step (η_t = lr0·factor^(t−1)): the textbook
    class and the PyTorch-form rule, executed side by side. Returns both paths (rows: steps 0..T)."""
    from optimizers.momentum import Momentum

    prob = P.get(problem)
    tb_opt, pt_opt = Momentum(lr=lr0, momentum=momentum), from_torch("sgd", lr=lr0, momentum=momentum)
    tb, pt = prob.params(start), prob.params(start)
    paths = ([[float(tb["x"]), float(tb["y"])]], [[float(pt["x"]), float(pt["y"])]])
    for i in range(steps):
        tb_opt.lr = pt_opt.hyper["gamma"] = lr0 * factor**i  # a schedule changes the lr of both
        tb_opt.update(tb, prob.gradients(tb))
        pt_opt.update(pt, prob.gradients(pt))
        paths[0].append([float(tb["x"]), float(tb["y"])])
        paths[1].append([float(pt["x"]), float(pt["y"])])
    return np.array(paths[0]), np.array(paths[1])


@finding
def momentum_vs_torch(problem: str = "bowl", start: tuple[float, float] = (-7.0, 2.0), steps: int = 5,
                      lr0: float = 0.1, factor: float = 0.5, momentum: float = 0.9) -> Finding:
    """Textbook Momentum ≡ torch.optim.SGD(momentum=μ) for a constant learning rate, with v = −γ b;
    not for a learning rate that changes between steps (symbolic W₂ and an executed schedule)."""
    residuals, shown = _textbook_vs_sgd("momentum")
    # with η₁ ≠ η₂ the two forms part at step 2
    tb, pt = optimizers.rule("momentum", "textbook"), optimizers.rule("momentum", "pytorch")
    eta1, eta2 = sp.symbols("eta_1 eta_2", positive=True)
    e_tb = {"W": W0, "v": 0, "alpha": MU}
    e_pt = {"W": W0, "b": 0, "t": 0, "mu": MU, "tau": 0}
    for g, eta in zip(GS[:2], (eta1, eta2)):
        e_tb = sym_step(tb, {**e_tb, "g": g, "eta": eta})
        e_pt = sym_step(pt, {**e_pt, "g": g, "gamma": eta})
    apart = sp.factor(sp.expand(e_tb["W"] - e_pt["W"]))
    a, b = varying_lr_paths(problem, start, steps, lr0, factor, momentum)
    worst = float(np.abs(a - b).max())
    return Finding(
        "momentum_vs_torch", "Momentum: ゼロつくの形と PyTorch の SGD の momentum は同じ軌跡（学習率が一定なら）",
        "学習率 η が一定なら、ゼロつくの v ← αv − ηg, W ← W + v と PyTorch の b ← μb + g（初回は b ← g）, "
        "W ← W − ηb は、どの勾配列に対しても同じパラメータを与え、速度は v = −ηb の関係にある"
        "（3 ステップを記号のまま展開し、さらに任意の状態からの 1 ステップで帰納法として示す）。"
        "学習率がステップごとに変わると一致しない: PyTorch は過去の勾配の和 b に今の学習率を掛けるので、"
        f"η₁ ≠ η₂ なら W₂ の差は ${sp.latex(apart)}$ になる（{P.get(problem).name_ja}で学習率を毎ステップ "
        f"{factor:g} 倍にすると {steps} ステップで最大 {worst:.3g} の差）。",
        proven=all(r == 0 for r in residuals.values()), residuals=residuals,
        figures={"学習率を毎ステップ変えたときの W の差の最大値": worst, "初めの学習率": lr0,
                 "学習率に毎ステップ掛ける数": factor, "モーメンタム係数": momentum, "ステップ数": steps,
                 "問題": P.get(problem).name_ja, "開始点": _start_text(start)},
        latex={**shown, "η₁ ≠ η₂ のときの W_2（ゼロつく − PyTorch）": sp.latex(apart)})


@finding
def nesterov_vs_torch() -> Finding:
    """Textbook Nesterov (look-ahead form) ≡ torch.optim.SGD(momentum=μ, nesterov=True), v = −γ b."""
    residuals, shown = _textbook_vs_sgd("nesterov")
    return Finding(
        "nesterov_vs_torch", "Nesterov: ゼロつくの形と PyTorch の SGD の nesterov=True は同じ軌跡",
        "学習率 η が一定なら、ゼロつくの W ← W + μ²v − (1+μ)ηg, v ← μv − ηg と PyTorch の b ← μb + g"
        "（初回は b ← g）, W ← W − η(g + μb) は同じパラメータを与え、v = −ηb の関係にある"
        "（3 ステップの展開と帰納法で示す）。",
        proven=all(r == 0 for r in residuals.values()), residuals=residuals, latex=shown)


@finding
def nesterov_lookahead_vs_sutskever(problem: str = "ravine", start: tuple[float, float] = (-7.0, 2.0),
                                    steps: int = 30, lr: float = 0.1, momentum: float = 0.9) -> Finding:
    """The book's/torch's NAG holds the look-ahead point W̃ = W + μv as its W; Sutskever's holds W itself. One
    symbolic step of the two rules that the pages render (nesterov ``sutskever`` and ``textbook``) from
    corresponding states, and both executed on a problem."""
    sut, book = optimizers.rule("nesterov", "sutskever"), optimizers.rule("nesterov", "textbook")
    w, v, g = sp.symbols("W v g", real=True)  # g: the loss gradient at the look-ahead point
    a = sym_step(sut, {"W": w, "v": v, "eta": ETA, "mu": MU, "g": g})
    b = sym_step(book, {"W": w + MU * v, "v": v, "eta": ETA, "mu": MU, "g": g})
    residuals = {"先読み点 W̃（Sutskever）− ゼロつくの W（勾配を取る点は同じ）": _zero(a["W_ahead"] - (w + MU * v)),
                 "次の W̃ = W + μv（Sutskever）− 次の W（ゼロつく）": _zero(a["W"] + MU * a["v"] - b["W"]),
                 "次の v（Sutskever − ゼロつく）": _zero(a["v"] - b["v"])}
    prob = P.get(problem)
    kw = dict(problem=problem, start=start, steps=steps, lr=lr, momentum=momentum)
    w_book = run("nesterov", **kw).path()
    trace = run("nesterov", convention="sutskever", **kw)
    w_sut = trace.path()
    vels = np.array([[0.0, 0.0]] + [[float(r.after[k]["v"]) for k in ("x", "y")] for r in trace.records])
    figures = {
        "ゼロつくの W と Sutskever の W + μv の差の最大値": float(np.abs(w_book - (w_sut + momentum * vels)).max()),
        "ゼロつくの W と Sutskever の W の差の最大値": float(np.abs(w_book - w_sut).max()),
        "最後の W（ゼロつく）": w_book[-1].tolist(), "最後の W（Sutskever）": w_sut[-1].tolist(),
        "学習率": lr, "モーメンタム係数": momentum, "ステップ数": steps, "問題": prob.name_ja,
        "開始点": _start_text(start),
    }
    return Finding(
        "nesterov_lookahead_vs_sutskever",
        "Nesterov: 先読み点を保持する形（ゼロつく・PyTorch）と Sutskever ら 2013 の形は同じ手法",
        "Sutskever ら 2013 の形はパラメータ W を保持し、先読み点 W̃ = W + μv で勾配を取って v ← μv − η∇L(W̃), "
        "W ← W + v と進む。ゼロつくの形（Bengio ら 2013 の書き換え）はこの W̃ を W として保持し、"
        "W ← W + μ²v − (1+μ)η∇L(W), v ← μv − η∇L(W) と進む。W̃ が同じなら勾配を取る点も同じで、"
        "1 ステップ後の W̃ と v も一致する（記号の 1 ステップで示す。v₀ = 0 なので出発点も同じ）。"
        f"{prob.name_ja}で {steps} ステップ実行すると、ゼロつくの W と Sutskever の W + μv の差は最大 "
        f"{figures['ゼロつくの W と Sutskever の W + μv の差の最大値']:.2g}（丸め誤差）で、W どうしは最大 "
        f"{figures['ゼロつくの W と Sutskever の W の差の最大値']:.3g} 違う（保持する変数が違うだけ）。",
        proven=all(r == 0 for r in residuals.values()), residuals=residuals, figures=figures,
        latex={"Sutskever ら 2013": sut.latex(), "ゼロつく（Bengio ら 2013 の書き換え）": book.latex()})


def old_nesterov_rule() -> Rule:
    """The circulating pre-2021 order (a named mistake): v is updated FIRST, then W with the new v.
    The same two assignments as the textbook rule, in the opposite order."""
    tb = optimizers.rule("nesterov", "textbook")
    return Rule(tb.optimizer, "old-order", tb.symbols, list(reversed(tb.assignments)),
                note="旧版（2021 年の修正前）: v を先に更新してから W ← W + μ²v − (1+μ)ηg。NAG ではない")


@finding
def nesterov_old_order(lr: float = 0.1, momentum: float = 0.9, w0: float = 1.0, steps: int = 3) -> Finding:
    """Old order vs correct order on L = W² (∇L = 2W), executed; and the old step in closed form."""
    from optimizers.nesterov import Nesterov

    old, right = old_nesterov_rule(), optimizers.rule("nesterov", "textbook")
    # closed form of one old step from any state: W + μ³v − (1+μ+μ²)ηg
    w, v, g = sp.symbols("W v g", real=True)
    sym_old = sym_step(old, {"W": w, "v": v, "g": g, "eta": ETA, "mu": MU})
    sym_right = sym_step(right, {"W": w, "v": v, "g": g, "eta": ETA, "mu": MU})
    claimed = w + MU**3 * v - (1 + MU + MU**2) * ETA * g
    residuals = {"旧版の 1 ステップ − (W + μ³v − (1+μ+μ²)ηg)": _zero(sym_old["W"] - claimed),
                 "正しい 1 ステップ − (W + μ²v − (1+μ)ηg)":
                     _zero(sym_right["W"] - (w + MU**2 * v - (1 + MU) * ETA * g))}
    difference = sp.factor(sp.expand(sym_old["W"] - sym_right["W"]))
    # execution on L = W²
    opt = Nesterov(lr=lr, momentum=momentum)
    params = {"W": np.array(float(w0))}
    correct = []
    for _ in range(steps):
        opt.update(params, {"W": np.array(2.0 * params["W"])})  # ∇L = 2W
        correct.append(float(params["W"]))
    state = {"W": np.array(float(w0)), "v": np.array(0.0), "eta": lr, "mu": momentum}
    wrong = []
    for _ in range(steps):
        state = old.step({**state, "g": 2.0 * state["W"]})
        wrong.append(float(state["W"]))
    return Finding(
        "nesterov_old_order", "Nesterov: 旧版コード（v を先に更新）は NAG ではない",
        f"L = W², μ = {momentum:g}, η = {lr:g}, W₀ = {w0:g} で 1 回更新すると、正しい順序（W を先に動かし、"
        f"その後 v を更新）では W₁ = {correct[0]:.4g}、v を先に更新する旧版では W₁ = {wrong[0]:.4g}。"
        "旧版の 1 ステップは W + μ³v − (1+μ+μ²)ηg で、正しい W + μ²v − (1+μ)ηg とは別の式。",
        proven=all(r == 0 for r in residuals.values()), residuals=residuals,
        figures={"正しい順序の W_t": correct, "旧版の W_t": wrong, "学習率": lr, "モーメンタム係数": momentum,
                 "W₀": w0},
        latex={"旧版": sp.latex(claimed), "正しい形": sp.latex(w + MU**2 * v - (1 + MU) * ETA * g),
               "旧版 − 正しい形": sp.latex(difference)})


def _first_step(opt: Any, g: float) -> float:
    """|ΔW| of the first update from W = 0 with gradient g (a class instance or a RuleOptimizer)."""
    params = {"w": np.array(0.0)}
    opt.update(params, {"w": np.array(float(g))})
    return abs(float(params["w"]))


@finding
def rmsprop_eps_placement(problem: str = "ravine", start: tuple[float, float] = (-7.0, 2.0), steps: int = 30,
                          lr: float = 0.1, decay_rate: float = 0.99, eps: float = 1e-7, delta: float = 1e-6,
                          small_grads: tuple[float, ...] = (1.0, 1e-2, 1e-3, 1e-4)) -> Finding:
    """RMSprop: ε outside √h (textbook, torch) vs δ inside √(δ + h) (Goodfellow Alg. 8.5), executed."""
    from optimizers.rmsprop import RMSprop

    kw = dict(problem=problem, start=start, steps=steps, lr=lr, decay_rate=decay_rate)
    outside = run("rmsprop", eps=eps, **kw).path()
    inside_same = run("rmsprop", convention="paper", eps=eps, **kw).path()
    inside_own = run("rmsprop", convention="paper", eps=delta, **kw).path()
    first = []
    for g in small_grads:
        a = _first_step(RMSprop(lr=lr, decay_rate=decay_rate, eps=eps), g)
        b = _first_step(optimizers.from_rule("rmsprop", "paper", lr=lr, decay_rate=decay_rate, eps=delta), g)
        first.append({"g": g, "√ の外": a, "√ の中": b})
    figures = {
        "W の差の最大値（ε = δ、置き場所だけが違う）": float(np.abs(outside - inside_same).max()),
        "W の差の最大値（ε はゼロつく、δ は Goodfellow の値）": float(np.abs(outside - inside_own).max()),
        "初回の更新量": first,
        "学習率": lr, "減衰率 ρ": decay_rate, "ε（√ の外）": eps, "δ（√ の中）": delta, "ステップ数": steps,
        "問題": P.get(problem).name_ja, "開始点": _start_text(start),
    }
    last = first[-1]
    return Finding(
        "rmsprop_eps_placement", "RMSprop: ε を √ の外に足すか（ゼロつく・PyTorch）中に足すか（Goodfellow）",
        "ゼロつくと PyTorch は W ← W − ηg/(√h + ε)、Goodfellow ら Alg. 8.5 は W ← W − ηg/√(δ + h)。"
        f"勾配が大きいうちは差は小さい（{P.get(problem).name_ja}、{steps} ステップで最大 "
        f"{figures['W の差の最大値（ε はゼロつく、δ は Goodfellow の値）']:.2g}）が、勾配が小さいと大きく違う: "
        f"η = {lr:g}, ρ = {decay_rate:g} の初回の更新量は g = {last['g']:g} で √ の外 (ε = {eps:g}) "
        f"{last['√ の外']:.3g}、√ の中 (δ = {delta:g}) {last['√ の中']:.3g}。",
        proven=None, figures=figures)


# the class arguments of each demo run and how they map to torch's (everything but eps)
_DEFAULT_EPS = {
    "adagrad": dict(lr=1.5, torch=lambda a: {"lr": a["lr"]}),  # the book's ch06 demo uses AdaGrad lr=1.5
    "rmsprop": dict(lr=0.1, torch=lambda a: {"lr": a["lr"], "alpha": a["decay_rate"]}),
}


@finding(about=tuple(_DEFAULT_EPS))
def default_eps(name: str = "adagrad", problem: str = "ravine", start: tuple[float, float] = (-7.0, 2.0),
                steps: int = 30, small_grad: float = 1e-6) -> Finding:
    """The textbook class (ε = 1e-7) against the PyTorch rule with torch's default eps, all else equal."""
    module = optimizers.get(name)
    spec = _DEFAULT_EPS[module.INFO.key]
    cls_args = {"lr": spec["lr"]}
    instance = module.INFO.cls(**cls_args)
    torch_args = spec["torch"]({k: getattr(instance, k) for k in ("lr", "decay_rate") if hasattr(instance, k)})
    torch_args.setdefault("eps", optimizers.TORCH[module.INFO.torch][1]["eps"])  # torch's default, not the class's
    tb = run(module.INFO.key, problem=problem, start=start, steps=steps, **cls_args).path()
    pt = run(module.INFO.key, convention="pytorch", problem=problem, start=start, steps=steps, **torch_args)
    torch_eps = pt.args["eps"]
    first_tb = _first_step(module.INFO.cls(**cls_args), small_grad)
    first_pt = _first_step(from_torch(module.INFO.torch, **torch_args), small_grad)
    worst = float(np.abs(tb - pt.path()).max())
    figures = {
        "ゼロつくの ε": instance.eps, "PyTorch の既定の ε": torch_eps, "W の差の最大値": worst,
        "小さい勾配 g": small_grad, "初回の更新量（ゼロつく）": first_tb, "初回の更新量（PyTorch）": first_pt,
        "学習率": spec["lr"], "ステップ数": steps, "問題": P.get(problem).name_ja, "開始点": _start_text(start),
    }
    return Finding(
        f"default_eps_{module.INFO.key}",
        f"{module.INFO.cls.__name__}: ゼロつくの ε = {instance.eps:g} と PyTorch の既定値 {torch_eps:g}",
        f"ε の位置は同じ（√ の外）で値だけが違う。{P.get(problem).name_ja}で {steps} ステップ（学習率 {spec['lr']:g}）"
        f"の差は最大 {worst:.2g}。勾配が ε に近いほど差が出る: g = {small_grad:g} の"
        f"初回の更新量はゼロつく {first_tb:.4g}、PyTorch {first_pt:.4g}。",
        proven=None, figures=figures)


@finding
def adadelta_vs_torch(problem: str = "ravine", start: tuple[float, float] = (-7.0, 2.0), steps: int = 30) -> Finding:
    """Zeiler's Adadelta (the textbook form here) ≡ torch.optim.Adadelta with lr = 1: E[g²] = square_avg,
    E[Δx²] = acc_delta; and what torch's different default ρ does."""
    from optimizers.adadelta import Adadelta

    tb, pt = optimizers.rule("adadelta", "textbook"), optimizers.rule("adadelta", "pytorch")
    rho, eps = sp.Symbol("rho", positive=True), sp.Symbol("epsilon", positive=True)
    e_tb = {"W": W0, "h": 0, "s": 0, "rho": rho, "eps": eps}
    e_pt = {"W": W0, "v": 0, "u": 0, "t": 0, "gamma": 1, "rho": rho, "eps": eps}
    residuals = {}
    for i, g in enumerate(GS, start=1):
        e_tb = sym_step(tb, {**e_tb, "g": g})
        e_pt = sym_step(pt, {**e_pt, "g": g})
        residuals[f"W_{i}: 論文 − PyTorch (lr = 1)"] = _zero(e_tb["W"] - e_pt["W"])
        residuals[f"E[g²]_{i} − v_{i}"] = _zero(e_tb["h"] - e_pt["v"])
        residuals[f"E[Δx²]_{i} − u_{i}"] = _zero(e_tb["s"] - e_pt["u"])
    ours, theirs = Adadelta(), optimizers.TORCH["adadelta"][1]
    a = run("adadelta", problem=problem, start=start, steps=steps).path()
    b = run("adadelta", convention="pytorch", problem=problem, start=start, steps=steps,
            rho=theirs["rho"], eps=theirs["eps"]).path()  # torch's own defaults
    worst = float(np.abs(a - b).max())
    return Finding(
        "adadelta_vs_torch", "Adadelta: Zeiler の形と PyTorch は lr = 1 で同じ（既定の ρ は違う）",
        "Zeiler (2012) Alg. 1 には学習率がない。PyTorch の Adadelta は Δx に lr を掛けるので、lr = 1 のとき"
        "論文の形と同じパラメータを与え、square_avg = E[g²]、acc_delta = E[Δx²] になる"
        "（3 ステップを記号のまま展開して示す）。"
        + (f"ε の既定値はどちらも {ours.eps:g} だが、" if ours.eps == theirs["eps"]
           else f"ε の既定値は {ours.eps:g} と {theirs['eps']:g}、")
        + f"ρ の既定値は論文の実験の {ours.rho:g} に対し PyTorch は {theirs['rho']:g}: 既定値のまま"
        f"{P.get(problem).name_ja}で {steps} ステップ進めると最大 {worst:.3g} 違う。",
        proven=all(r == 0 for r in residuals.values()), residuals=residuals,
        figures={"既定値どうしの W の差の最大値": worst, "ρ（論文の形の既定値）": ours.rho,
                 "ρ（PyTorch の既定値）": theirs["rho"], "ε（論文の形の既定値）": ours.eps,
                 "ε（PyTorch の既定値）": theirs["eps"], "ステップ数": steps, "問題": P.get(problem).name_ja,
                 "開始点": _start_text(start)})


# =============================================================================================================
# The Adam family (reference optimizers part B): lr_t form vs bias correction, eps placement, AdamW's λ,
# L2 vs decoupled decay, the first step with and without bias correction.
# =============================================================================================================
def _adam_syms():
    """Free symbols for one Adam step from an arbitrary state (t = n + 1, n ≥ 0 steps already taken)."""
    w, g, m = sp.symbols("W g m", real=True)
    v = sp.Symbol("v", nonnegative=True)
    eps = sp.Symbol("varepsilon", positive=True)
    b1, b2 = sp.symbols("beta_1 beta_2", positive=True)
    n = sp.Symbol("n", integer=True, nonnegative=True)
    s1, s2 = sp.symbols("s_1 s_2", positive=True)  # 1 − β1^t, 1 − β2^t (> 0 for 0 ≤ β < 1, t ≥ 1)
    corrections = {b1 ** (n + 1): 1 - s1, b2 ** (n + 1): 1 - s2}
    return dict(w=w, g=g, m=m, v=v, eps=eps, b1=b1, b2=b2, n=n, s1=s1, s2=s2, corrections=corrections)


def _path(opt: Any, problem: str, start: tuple[float, float], steps: int,
          before: Callable[[Any, int], None] | None = None) -> np.ndarray:
    """Run ``opt`` (a class instance or a RuleOptimizer) on ``problem``; rows are (x, y) at steps 0..T.
    ``before(opt, t)`` runs before step t (to change a hyperparameter between steps)."""
    prob = P.get(problem)
    params = prob.params(start)
    rows = [[float(params["x"]), float(params["y"])]]
    for t in range(1, steps + 1):
        if before is not None:
            before(opt, t)
        opt.update(params, prob.gradients(params))
        rows.append([float(params["x"]), float(params["y"])])
    return np.array(rows)


@finding
def adam_lr_t_form() -> Finding:
    """Textbook Adam (η_t = η√(1−β2^t)/(1−β1^t), ε̂ outside the uncorrected √v) ≡ Kingma & Ba Alg. 1
    (m̂, v̂, ε outside √v̂) exactly when ε̂ = ε√(1−β2^t): one symbolic step from an arbitrary state, general t."""
    s = _adam_syms()
    tb, paper = optimizers.rule("adam", "textbook"), optimizers.rule("adam", "paper")
    state = {"W": s["w"], "g": s["g"], "m": s["m"], "v": s["v"], "t": s["n"], "beta1": s["b1"], "beta2": s["b2"]}
    eps_hat = s["eps"] * sp.sqrt(1 - s["b2"] ** (s["n"] + 1))
    a = sym_step(tb, {**state, "eta": ETA, "eps": eps_hat})
    b = sym_step(paper, {**state, "alpha": ETA, "eps": s["eps"]})
    fix = s["corrections"]
    residuals = {
        "m（ゼロつく − 論文）": _zero(a["m"] - b["m"]),
        "v（ゼロつく − 論文）": _zero(a["v"] - b["v"]),
        "W（ゼロつく ε̂ = ε√(1−β2^t) − 論文 ε）": _zero(a["W"].xreplace(fix) - b["W"].xreplace(fix)),
    }
    # with the SAME constant in both places the steps differ, by an amount that vanishes only for ε = 0
    same = sym_step(tb, {**state, "eta": ETA, "eps": s["eps"]})
    m_t, v_t = sp.Symbol("m_t", real=True), sp.Symbol("v_t", positive=True)  # the moments after the update
    moments = {same["m"]: m_t, b["m"]: m_t, same["v"]: v_t, b["v"]: v_t}
    apart = sp.factor((same["W"].xreplace(moments) - b["W"].xreplace(moments)).xreplace(fix))
    return Finding(
        "adam_lr_t_form", "Adam: ゼロつくの η_t の形と論文のバイアス補正の形（ε の置き場所）",
        "『ゼロから作るDeep Learning』は η_t = η√(1−β2^t)/(1−β1^t) として W ← W − η_t m/(√v + ε̂) と書き、"
        "論文 Alg. 1 と PyTorch は m̂ = m/(1−β1^t), v̂ = v/(1−β2^t) として W ← W − η m̂/(√v̂ + ε) と書く。"
        "m, v の更新は同じで、W の更新は ε̂ = ε√(1−β2^t) のとき、どの t でも恒等的に等しい"
        "（任意の状態 m, v と t = n + 1 からの 1 ステップを記号のまま計算して示す。論文 §2 の「効率的な形」）。"
        "同じ定数を両方に入れると（ε̂ = ε）一致しない: ゼロつくの ε は、論文の形に直すと ε/√(1−β2^t) という"
        "ステップごとに変わる大きな値にあたる。",
        proven=all(r == 0 for r in residuals.values()), residuals=residuals,
        latex={"textbook": tb.latex(), "paper": paper.latex(),
               "ε̂ と ε": r"\hat\varepsilon = \varepsilon\sqrt{1 - \beta_2^{t}}",
               "W（ゼロつく, ε̂ = ε）− W（論文）": sp.latex(apart),
               "s": r"s_1 = 1 - \beta_1^{t},\quad s_2 = 1 - \beta_2^{t}"})


@finding
def adam_textbook_vs_torch_eps(problem: str = "ravine", start: tuple[float, float] = (-7.0, 2.0), steps: int = 30,
                               lr: float = 0.3, eps: float = 1e-7) -> Finding:
    """Textbook Adam vs torch's form, executed: with the same fixed eps (they differ), with torch's eps set to
    eps/√(1−β2^t) before each step (they agree to rounding), and with eps = 0 in both."""
    from optimizers.adam import Adam

    tb_opt = Adam(lr=lr, eps=eps)
    b2 = tb_opt.beta2
    tb = _path(tb_opt, problem, start, steps)
    kw = dict(lr=lr, betas=(tb_opt.beta1, b2))
    same = _path(from_torch("adam", eps=eps, **kw), problem, start, steps)

    def step_eps(opt: Any, t: int) -> None:
        opt.hyper["eps"] = eps / np.sqrt(1.0 - b2**t)

    matched = _path(from_torch("adam", eps=eps, **kw), problem, start, steps, before=step_eps)
    zero_tb = _path(Adam(lr=lr, eps=0.0), problem, start, steps)
    zero_pt = _path(from_torch("adam", eps=0.0, **kw), problem, start, steps)
    figures = {
        "問題": P.get(problem).name_ja, "開始点": _start_text(start),
        "W の差の最大値（同じ ε）": float(np.abs(tb - same).max()),
        "W の差の最大値（torch の ε を ε/√(1−β2^t) に）": float(np.abs(tb - matched).max()),
        "W の差の最大値（両方 ε = 0）": float(np.abs(zero_tb - zero_pt).max()),
        "eps_1 = eps/√(1−β2)": float(eps / np.sqrt(1.0 - b2)),
        "lr": lr, "eps": eps, "beta1": tb_opt.beta1, "beta2": b2, "steps": steps,
    }
    return Finding(
        "adam_textbook_vs_torch_eps", "Adam: ゼロつくのクラスと PyTorch は ε の位置だけが違う（実行して比べる）",
        f"{P.get(problem).name_ja}を学習率 {lr:g} で {steps} ステップ。"
        f"ゼロつくの Adam（ε = {eps:g} を補正前の √v の外）と PyTorch の形（同じ ε = {eps:g} を補正後の √v̂ の外）"
        f"の差は最大 {figures['W の差の最大値（同じ ε）']:.2g}。"
        f"PyTorch 側の ε を毎ステップ ε/√(1−β2^t)（t = 1 で {figures['eps_1 = eps/√(1−β2)']:.3g}）に変えると、差は "
        f"{figures['W の差の最大値（torch の ε を ε/√(1−β2^t) に）']:.2g}（丸め誤差）まで消える。ε = 0 どうしでも差は "
        f"{figures['W の差の最大値（両方 ε = 0）']:.2g}。",
        proven=None, figures=figures)


def _sgdw_rule() -> Rule:
    """Plain SGD with decoupled weight decay in torch's order: W ← W(1 − γλ), then W ← W − γg."""
    from optimizers import _symbols as S
    from optimizers._rule import build

    return build("sgd", "decoupled", [S.W, S.g, S.gamma.named("lr"), S.lam.named("weight_decay")],
                 [("W", "W*(1 - gamma*lam)"), ("W", "W - gamma*g")],
                 note="SGD に分離した重み減衰: 先に W を γλ の割合だけ縮め、その後に勾配で進む")


@finding
def sgd_l2_equals_decoupled() -> Finding:
    """Plain SGD (no momentum): L2 (g ← g + λW) and decoupled decay (W ← W(1−γλ) first) are the same step."""
    w, g = sp.symbols("W g", real=True)
    lam = sp.Symbol("lambda", positive=True)
    l2_rule = optimizers.rule("sgd", "pytorch", weight_decay=1.0)  # the form only: λ stays a symbol
    decoupled = _sgdw_rule()
    gamma = sp.Symbol("gamma", positive=True)  # PyTorch's learning rate, as the two rules write it
    a = sym_step(l2_rule, {"W": w, "g": g, "gamma": gamma, "lam": lam})
    b = sym_step(decoupled, {"W": w, "g": g, "gamma": gamma, "lam": lam})
    residuals = {"W（L2 − 分離）": _zero(a["W"] - b["W"])}
    return Finding(
        "sgd_l2_equals_decoupled", "素の SGD では L2 正則化と重み減衰（分離型）は同じ",
        "L2 正則化は勾配に λW を足して W ← W − γ(g + λW)、分離型の重み減衰は W ← W(1 − γλ) − γg。"
        "展開すると同じ式なので、モーメンタムも適応的な学習率も無い SGD では区別がない"
        "（任意の W, g から 1 ステップを記号で計算して示す）。Adam では区別が生じる（adam_l2_vs_adamw）。",
        proven=all(r == 0 for r in residuals.values()), residuals=residuals,
        latex={"L2": l2_rule.latex(), "分離型": decoupled.latex(),
               "1 ステップ後の W（どちらも）": sp.latex(sp.expand(a["W"]))})


@finding
def adam_l2_vs_adamw(problem: str = "ravine", start: tuple[float, float] = (-7.0, 2.0), steps: int = 30,
                     lr: float = 0.1, weight_decay: float = 0.1) -> Finding:
    """Adam + L2 (torch Adam(weight_decay=λ)) against AdamW (torch AdamW(weight_decay=λ)), same λ, executed;
    and the first step from W with g = 0: L2 moves ≈ γ·sign(W), AdamW moves γλW."""
    l2 = _path(from_torch("adam", lr=lr, weight_decay=weight_decay), problem, start, steps)
    dw = _path(from_torch("adamw", lr=lr, weight_decay=weight_decay), problem, start, steps)
    # where the loss gradient is 0, L2's λW is normalised by √v̂ (a full step ≈ γ), AdamW's is not (γλW)
    w0 = 2.0
    first = {}
    for name, opt in (("Adam + L2", from_torch("adam", lr=lr, weight_decay=weight_decay)),
                      ("AdamW", from_torch("adamw", lr=lr, weight_decay=weight_decay))):
        params = {"w": np.array(w0)}
        opt.update(params, {"w": np.array(0.0)})
        first[name] = w0 - float(params["w"])
    figures = {
        "問題": P.get(problem).name_ja, "開始点": _start_text(start),
        "W の差の最大値（Adam + L2 と AdamW）": float(np.abs(l2 - dw).max()),
        "final W (Adam + L2)": l2[-1].tolist(), "final W (AdamW)": dw[-1].tolist(),
        f"first step at W = {w0:g}, g = 0: Adam + L2": first["Adam + L2"],
        f"first step at W = {w0:g}, g = 0: AdamW": first["AdamW"],
        "lr": lr, "weight_decay": weight_decay, "steps": steps,
    }
    return Finding(
        "adam_l2_vs_adamw", "Adam + L2 と AdamW は別物（同じ λ でも軌跡が違う）",
        f"{P.get(problem).name_ja}を学習率 {lr:g}, λ = {weight_decay:g} で {steps} ステップ。Adam に L2（g ← g + λW）を"
        f"入れたものと AdamW（W ← W(1 − γλ) を先に）の差は最大 {figures['W の差の最大値（Adam + L2 と AdamW）']:.3g}。"
        "L2 では λW も m, v に入って √v̂ で割られる: 損失の勾配が 0 の W = "
        f"{w0:g} では、L2 の 1 ステップ目は {first['Adam + L2']:.4g}（λW の大きさによらず約 γ）、AdamW は "
        f"{first['AdamW']:.4g}（= γλW）。等しいのは素の SGD のときだけ（sgd_l2_equals_decoupled）。",
        proven=None, figures=figures)


@finding
def adamw_paper_vs_torch(problem: str = "ravine", start: tuple[float, float] = (-7.0, 2.0), steps: int = 30,
                         alpha: float = 0.01, lam: float = 0.001, schedule: float = 1.0) -> Finding:
    """AdamW: the paper's λ (not multiplied by α) vs torch's weight_decay (multiplied by lr):
    symbolically equal with lr = α·η_t, weight_decay = λ/α; executed with λ/α (agree) and with λ (differ)."""
    from optimizers.adamw import AdamW

    s = _adam_syms()
    lam_s, sched = sp.Symbol("lambda", positive=True), sp.Symbol("eta_t", positive=True)
    paper = optimizers.rule("adamw", "paper")
    torch_form = optimizers.rule("adamw", "pytorch", weight_decay=1.0)  # the form with decay; λ stays a symbol
    state = {"W": s["w"], "g": s["g"], "m": s["m"], "v": s["v"], "t": s["n"], "beta1": s["b1"], "beta2": s["b2"],
             "eps": s["eps"]}
    alpha_s = sp.Symbol("alpha", positive=True)
    a = sym_step(paper, {**state, "alpha": alpha_s, "lam": lam_s, "eta_t": sched})
    b = sym_step(torch_form, {**state, "gamma": alpha_s * sched, "lam": lam_s / alpha_s})
    fix = s["corrections"]
    residuals = {"W（論文 − torch, lr = αη_t, weight_decay = λ/α）": _zero(a["W"].xreplace(fix) - b["W"].xreplace(fix)),
                 "m": _zero(a["m"] - b["m"]), "v": _zero(a["v"] - b["v"])}
    naive = sym_step(torch_form, {**state, "gamma": alpha_s * sched, "lam": lam_s})
    apart = sp.factor(naive["W"].xreplace(fix) - a["W"].xreplace(fix))
    cls = _path(AdamW(lr=alpha, weight_decay=lam, schedule=schedule), problem, start, steps)
    ok = _path(from_torch("adamw", lr=alpha * schedule, weight_decay=lam / alpha), problem, start, steps)
    bad = _path(from_torch("adamw", lr=alpha * schedule, weight_decay=lam), problem, start, steps)
    figures = {
        "問題": P.get(problem).name_ja, "開始点": _start_text(start),
        "W の差の最大値（weight_decay = λ/α）": float(np.abs(cls - ok).max()),
        "W の差の最大値（weight_decay = λ）": float(np.abs(cls - bad).max()),
        "weight_decay = λ/α": lam / alpha, "alpha": alpha, "lambda": lam, "schedule": schedule, "steps": steps,
    }
    return Finding(
        "adamw_paper_vs_torch", "AdamW: 論文の λ と PyTorch の weight_decay（λ_torch = λ_paper/α）",
        "論文 Alg. 2 は W ← W − η_t(α m̂/(√v̂+ε) + λW) で、減衰 λW に学習率 α を掛けない。PyTorch の AdamW は "
        "W ← W(1 − γλ_torch) を先に行い、減衰に学習率 γ 全体を掛ける。γ = αη_t、λ_torch = λ/α とおけば同じ更新"
        "（任意の状態からの 1 ステップを記号で計算して示す）。"
        f"{P.get(problem).name_ja}で α = {alpha:g}, λ = {lam:g} として {steps} ステップ実行すると、"
        f"weight_decay = λ/α = {lam / alpha:g} では差 {figures['W の差の最大値（weight_decay = λ/α）']:.2g}"
        "（丸め誤差）、"
        f"同じ数 weight_decay = {lam:g} を入れると差 {figures['W の差の最大値（weight_decay = λ）']:.3g}。",
        proven=all(r == 0 for r in residuals.values()), residuals=residuals, figures=figures,
        latex={"paper": paper.latex(), "pytorch": torch_form.latex(),
               "W（torch, weight_decay = λ）− W（論文）": sp.latex(apart)})


def _adam_variant(m_hat: str, v_hat: str, label: str) -> Rule:
    """Kingma & Ba's rule with m̂ and v̂ replaced (a bias-correction mistake, executed as a rule)."""
    from optimizers import _symbols as S
    from optimizers._rule import build
    from optimizers.adam import ALPHA, M_HAT, T_ITER, V_HAT, M, V

    return build("adam", label,
                 [S.W, S.g, ALPHA, S.beta1.named("beta1"), S.beta2.named("beta2"), S.eps.named("eps"),
                  T_ITER, M, V, M_HAT, V_HAT],
                 [("t", "t + 1"), ("m", "beta1*m + (1 - beta1)*g"), ("v", "beta2*v + (1 - beta2)*g**2"),
                  ("m_hat", m_hat), ("v_hat", v_hat), ("W", "W - alpha*m_hat/(sqrt(v_hat) + eps)")],
                 note=f"Adam（{label}）")


ADAM_CORRECTIONS = {  # which moments are bias-corrected -> (m̂, v̂)
    "両方補正（正しい）": ("m/(1 - beta1**t)", "v/(1 - beta2**t)"),
    "補正なし": ("m", "v"),
    "m だけ補正": ("m/(1 - beta1**t)", "v"),
    "v だけ補正": ("m", "v/(1 - beta2**t)"),
}


@finding
def adam_first_step_bias_correction(lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                                    g: float = 0.5) -> Finding:
    """The size of Adam's first step (ε = 0) with both, neither, only m or only v bias-corrected, executed."""
    sizes = {}
    for label, (m_hat, v_hat) in ADAM_CORRECTIONS.items():
        opt = _rule_optimizer(_adam_variant(m_hat, v_hat, label), lr=lr, beta1=beta1, beta2=beta2, eps=0.0)
        params = {"w": np.array(0.0)}
        opt.update(params, {"w": np.array(float(g))})
        sizes[label] = abs(float(params["w"])) / lr  # in units of η
    figures = {f"1 回目の更新量 ÷ η（{k}）": v for k, v in sizes.items()}
    figures.update({"lr": lr, "beta1": beta1, "beta2": beta2, "g": g})
    parts = "、".join(f"{k} {v:.3g}η" for k, v in sizes.items())
    return Finding(
        "adam_first_step_bias_correction", "Adam の 1 回目の更新量: バイアス補正を省くとどうなるか",
        f"β1 = {beta1:g}, β2 = {beta2:g}, ε = 0 で、m = v = 0 から勾配 g = {g:g} を 1 回与えたときの |ΔW|: {parts}。"
        "補正を両方省くと初回の更新はかえって大きくなり（(1−β1)/√(1−β2) 倍）、m だけ補正すると 1/√(1−β2) 倍、"
        "v だけ補正すると (1−β1) 倍になる。どれも g の大きさによらない。",
        proven=None, figures=figures)


def _rule_optimizer(rule: Rule, **args: Any) -> Any:
    """A :class:`~optimizers.RuleOptimizer` executing ``rule`` with the reference class's argument names."""
    from optimizers import RuleOptimizer

    return RuleOptimizer(rule.optimizer, rule, args)


@finding
def adam_first_step_sign(lr: float = 0.001, grads: tuple[float, ...] = (-100.0, -1.0, -1e-3, 1e-3, 1.0, 100.0),
                         small: float = 1e-6) -> Finding:
    """Adam's first step is ≈ −η·sign(g) whatever the size of g (m̂₁ = g, v̂₁ = g²), executed in both forms;
    only gradients near ε break it."""
    from optimizers.adam import Adam

    rows = []
    for g in (*grads, small):
        tb, pt = {"w": np.array(0.0)}, {"w": np.array(0.0)}
        Adam(lr=lr).update(tb, {"w": np.array(g)})
        from_torch("adam", lr=lr).update(pt, {"w": np.array(g)})
        rows.append({"g": g, "textbook ΔW/η": float(tb["w"]) / lr, "torch ΔW/η": float(pt["w"]) / lr})
    main = rows[:-1]
    worst = max(max(abs(abs(r["textbook ΔW/η"]) - 1), abs(abs(r["torch ΔW/η"]) - 1)) for r in main)
    figures = {"first step ΔW/η": rows, "更新量 ÷ η と 1 の差の最大値（並べた g）": worst, "lr": lr}
    tiny = rows[-1]
    return Finding(
        "adam_first_step_sign", "Adam の 1 回目の更新量は勾配の大きさによらず約 η（向きは −sign g）",
        "m̂₁ = g, v̂₁ = g² なので 1 回目は ΔW = −η g/(|g| + ε) ≈ −η·sign(g)。"
        f"g = {min(grads):g} から {max(grads):g} まで実行すると |ΔW|/η は 1 から最大 {worst:.2g} しかずれない"
        f"（ゼロつくのクラスも PyTorch の形も）。勾配が ε に近いと崩れる: g = {small:g} ではゼロつく "
        f"{tiny['textbook ΔW/η']:.3g}η、PyTorch {tiny['torch ΔW/η']:.3g}η。",
        proven=None, figures=figures)
