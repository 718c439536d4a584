"""The core of the numeric families: draw a ``given`` from decimal grids, execute it, execute the
named mistakes on it, reject unusable variants. The text (stem, choices, worked solution) is in
``_numeric_text``; the long runs (up to 10 steps) and their closed forms in ``_numeric_long``.

Used by ``steps`` (typed numeric answer; the choices carry the key and every distinct mistake's value)
and ``numeric_choice`` (four choices: the key and three mistakes' values).

Where the gradients come from (``source``):

- ``grads``: given per step (the exam's 「各回の勾配を g₁ = …」);
- ``loss``: a loss the stem defines, L = (k/2)w² (one parameter w) or L = ½(k₁x² + k₂y²); the gradient is
  computed by the problem code (``quizgen.problems``) at the point the rule takes it and shown in the solution;
- ``problem``: one of the site's surfaces (bowl, ravine, saddle).

Nesterov is also asked in Sutskever et al.'s form (``convention="sutskever"``), whose gradient is taken at the
look-ahead point W + μv: only with a loss (``loss`` or ``problem``), so that gradient is computable.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import optimizers

from . import _common as C
from . import _numeric_long as L
from ._run import asked_value, class_defaults, execute, hyper_env, rule_for

G = C.grid
GRADS_1 = G([f"{k / 10:.1f}" for k in range(1, 21)])  # 0.1 … 2.0
GRADS_2 = G(["0.05", "0.15", "0.25", "0.35", "0.45", "0.55", "0.65", "0.75", "0.12", "0.24", "0.36", "0.48"])
W0S = G(["0.5", "1.0", "1.5", "2.0", "0.2", "0.8", "1.2", "3.0"])
STARTS = G(["0.5", "1.0", "1.5", "2.0", "2.5", "3.0"])
PROBLEMS = ("bowl", "ravine", "saddle")
#: losses the stem defines: L = (k/2)w² (2w² for k = 4) and L = ½(k₁x² + k₂y²); gradients k·w stay short decimals
LOSSES_1D = (G(["4"]), G(["2"]), G(["1"]), G(["10"]), G(["0.2"]))
LOSSES_2D = (G(["100", "1"]), G(["10", "1"]), G(["1", "4"]), G(["20", "2"]))
SOURCES = ("grads", "loss", "problem")
MAX_STEPS = 10  # runs longer than SHORT_STEPS only where _numeric_long has a closed form
SHORT_STEPS = 4

BETA1 = G(["0.9", "0.8", "0.5"])
BETA2 = G(["0.999", "0.99", "0.9"])


@dataclass(frozen=True)
class Profile:
    """How to draw a hand-computable variant of one optimizer in one convention."""

    hyper: Mapping[str, tuple[float, ...]]  # argument -> grid
    quantities: tuple[str, ...]  # rule symbols that can be asked
    fixed: Mapping[str, Any] = field(default_factory=dict)  # arguments that are not drawn
    eps: str | None = None  # "ignore" (ε = 0, stated) | "given" (drawn from hyper["eps"]) | None (no ε)
    betas: bool = False  # pytorch: beta1/beta2 go into betas=(…)


_MOMENTUM = {"lr": G(["0.1", "0.01", "0.05", "0.2"]), "momentum": G(["0.9", "0.8", "0.5"])}

TEXTBOOK: dict[str, Profile] = {
    "sgd": Profile({"lr": G(["0.1", "0.2", "0.5", "0.05", "0.01"])}, ("W",)),
    "momentum": Profile(_MOMENTUM, ("v", "W")),
    "nesterov": Profile(_MOMENTUM, ("v", "W")),
    "adagrad": Profile({"lr": G(["0.1", "0.01", "0.5", "1.0"])}, ("h", "W"), eps="ignore"),
    "rmsprop": Profile({"lr": G(["0.1", "0.01", "0.5"]), "decay_rate": G(["0.9", "0.99", "0.5", "0.8"])}, ("h", "W"),
                       eps="ignore"),
    "adadelta": Profile({"rho": G(["0.9", "0.95", "0.5"]), "eps": G(["0.01", "0.0001"])}, ("h", "dx", "s", "W"),
                        eps="given"),
    "adam": Profile({"lr": G(["0.1", "0.01", "0.001"]), "beta1": BETA1, "beta2": BETA2},
                    ("m", "v", "m_hat", "v_hat", "W"), eps="ignore"),
    "amsgrad": Profile({"lr": G(["0.1", "0.01", "0.001"]), "beta1": BETA1, "beta2": BETA2},
                       ("m", "v", "v_max", "v_hat", "W"), eps="ignore"),
    "adamw": Profile({"lr": G(["0.1", "0.01"]), "beta1": BETA1, "beta2": BETA2,
                      "weight_decay": G(["0.1", "0.01", "0.5"])}, ("m", "v", "W"), fixed={"schedule": 1.0},
                     eps="ignore"),
    "nadam": Profile({"lr": G(["0.1", "0.01", "0.002"]), "beta1": BETA1, "beta2": BETA2},
                     ("m", "v", "W"), fixed={"momentum_decay": 0.004}, eps="ignore"),
    "radam": Profile({"lr": G(["0.1", "0.01", "0.001"]), "beta1": BETA1, "beta2": G(["0.999", "0.99"])},
                     ("m", "m_hat", "W"), eps="ignore"),
    "adamax": Profile({"lr": G(["0.1", "0.01", "0.002"]), "beta1": BETA1, "beta2": BETA2}, ("m", "u", "W"),
                      eps="ignore"),
}

SUTSKEVER: dict[str, Profile] = {"nesterov": Profile(_MOMENTUM, ("v", "W"))}

PYTORCH: dict[str, Profile] = {
    "sgd": Profile({"lr": G(["0.1", "0.2", "0.5", "0.05", "0.01"])}, ("W",)),
    "momentum": Profile(_MOMENTUM, ("b", "W")),
    "nesterov": Profile(_MOMENTUM, ("b", "W"), fixed={"nesterov": True}),
    "adagrad": Profile({"lr": G(["0.1", "0.01", "0.5", "1.0"])}, ("s", "W"), eps="ignore"),
    "rmsprop": Profile({"lr": G(["0.1", "0.01", "0.5"]), "alpha": G(["0.9", "0.99", "0.5", "0.8"])}, ("v", "W"),
                       eps="ignore"),
    "adadelta": Profile({"lr": G(["1.0", "0.5"]), "rho": G(["0.9", "0.95", "0.5"]), "eps": G(["0.01", "0.0001"])},
                        ("v", "dx", "u", "W"), eps="given"),
    "adam": Profile({"lr": G(["0.1", "0.01", "0.001"]), "beta1": BETA1, "beta2": BETA2},
                    ("m", "v", "m_hat", "v_hat", "W"), eps="ignore", betas=True),
    "amsgrad": Profile({"lr": G(["0.1", "0.01", "0.001"]), "beta1": BETA1, "beta2": BETA2},
                       ("m", "v", "v_max", "W"), fixed={"amsgrad": True}, eps="ignore", betas=True),
    "adamw": Profile({"lr": G(["0.1", "0.01"]), "beta1": BETA1, "beta2": BETA2,
                      "weight_decay": G(["0.1", "0.01", "0.5"])}, ("m", "v", "W"), eps="ignore", betas=True),
    "nadam": Profile({"lr": G(["0.1", "0.01", "0.002"]), "beta1": BETA1, "beta2": BETA2}, ("m", "v", "W"),
                     eps="ignore", betas=True),
    "radam": Profile({"lr": G(["0.1", "0.01", "0.001"]), "beta1": BETA1, "beta2": G(["0.999", "0.99"])},
                     ("m", "m_hat", "W"), eps="ignore", betas=True),
    "adamax": Profile({"lr": G(["0.1", "0.01", "0.002"]), "beta1": BETA1, "beta2": BETA2}, ("m", "u", "W"),
                      eps="ignore", betas=True),
}

PROFILES = {"textbook": TEXTBOOK, "pytorch": PYTORCH, "sutskever": SUTSKEVER}


def profile(key: str, convention: str) -> Profile:
    table = PROFILES[convention]
    if key not in table:
        raise ValueError(f"no numeric questions for {key!r} in the {convention} form"
                         + (" (Sutskever's form is Nesterov's)" if convention == "sutskever" else ""))
    return table[key]


def available() -> list[str]:
    """Optimizers with reference modules present and numeric profiles (teaching order)."""
    return [k for k in optimizers.ORDER if k in optimizers.MODULES and k in TEXTBOOK]


# -- options shared by the numeric families ---------------------------------------------------
def _steps_check(v: int) -> str | None:
    return None if 1 <= v <= MAX_STEPS else f"steps must be between 1 and {MAX_STEPS}, got {v}"


def _decimals_check(v: int) -> str | None:
    return None if 1 <= v <= 6 else f"decimals must be between 1 and 6, got {v}"


def options() -> list[C.Option]:
    return [
        C.Option("optimizer", "optimizer key (sgd, momentum, …); drawn when omitted (mostly the syllabus ones)",
                 None, None, C.optimizer_key),
        C.Option("convention", "textbook (the reference class's form, named by its source in the stem), pytorch "
                 "(torch.optim) or sutskever (Nesterov's look-ahead form); drawn when omitted (textbook, or "
                 "for Nesterov sometimes sutskever)", None, tuple(PROFILES)),
        C.Option("steps", f"number of updates, 1–{MAX_STEPS} (more than {SHORT_STEPS} only for the runs with a "
                 f"closed form: {', '.join(L.OPTIMIZERS)}); drawn when omitted", None, None, int, _steps_check),
        C.Option("quantity", "asked quantity (W or a state/derived symbol: v, h, m, m_hat, …); drawn when omitted"),
        C.Option("source", "gradients: 'grads' (given per step), 'loss' (a loss the stem defines, e.g. L = 2w²) or "
                 "'problem' (bowl, ravine, saddle); drawn when omitted", None, SOURCES),
        C.Option("shape", "'scalar' or 'vector' (2 components; grads source only); drawn when omitted", None,
                 ("scalar", "vector")),
        C.Option("decimals", "displayed decimals (more are used for small answers)", 3, None, int, _decimals_check),
    ]


# -- drawing ----------------------------------------------------------------------------------
def draw_grad(rng: np.random.Generator) -> float:
    mag = C.pick(rng, GRADS_1) if rng.random() < 0.75 else C.pick(rng, GRADS_2)
    return -mag if rng.random() < 0.4 else mag


def _signed(rng: np.random.Generator, values: tuple[float, ...], p_positive: float = 0.5) -> float:
    return C.pick(rng, values) * (1 if rng.random() < p_positive else -1)


def draw_convention(rng: np.random.Generator, opts: Mapping[str, Any], key: str) -> str:
    if opts["convention"]:
        return opts["convention"]
    lookahead = key in SUTSKEVER and opts["source"] != "grads" and (opts["steps"] or 1) <= SHORT_STEPS
    return "sutskever" if lookahead and rng.random() < 0.4 else "textbook"


def draw_source(rng: np.random.Generator, opts: Mapping[str, Any], convention: str) -> str:
    if opts["source"]:
        if opts["source"] == "grads" and convention == "sutskever":
            raise ValueError("Sutskever's form takes the gradient at the look-ahead point: it needs source=loss "
                             "or source=problem (a loss the stem defines), not given gradients")
        return opts["source"]
    u = rng.random()
    if convention == "sutskever":
        return "loss" if u < 0.8 else "problem"
    return "grads" if u < 0.55 else "loss" if u < 0.85 else "problem"


def draw_given(rng: np.random.Generator, opts: Mapping[str, Any], key: str) -> dict[str, Any]:
    convention = draw_convention(rng, opts, key)
    steps = opts["steps"]
    if steps is None and L.has_long_run(key, convention, opts["source"]) and rng.random() < 0.1:
        steps = int(rng.integers(SHORT_STEPS + 1, MAX_STEPS + 1))
    if steps is not None and steps > SHORT_STEPS:
        return L.draw_given(rng, opts, key, convention, steps)
    steps = steps or int(C.pick(rng, (1, 2, 2, 3, 3)))
    prof = profile(key, convention)
    hyper: dict[str, Any] = {name: C.pick(rng, values) for name, values in prof.hyper.items()}
    hyper.update(prof.fixed)
    if prof.eps == "ignore":
        hyper["eps"] = 0.0
    if prof.betas:
        hyper["betas"] = [hyper.pop("beta1"), hyper.pop("beta2")]
    quantity = pick_quantity(rng, opts, key, convention, hyper, prof.quantities)
    source = draw_source(rng, opts, convention)
    given: dict[str, Any] = {"optimizer": key, "convention": convention, "hyperparameters": hyper}
    if source in ("problem", "loss"):
        if opts["shape"] == "vector":
            raise ValueError(f"shape=vector needs source=grads (a {source} has its own parameters)")
        if source == "problem":
            problem = C.pick(rng, PROBLEMS)
            start = [_signed(rng, STARTS) for _ in range(2)]
        elif rng.random() < 0.6:
            problem = "quad:" + ",".join(C.fmt(k) for k in C.pick(rng, LOSSES_1D))
            start = [_signed(rng, W0S, 0.7)]
        else:
            problem = "quad:" + ",".join(C.fmt(k) for k in C.pick(rng, LOSSES_2D))
            start = [_signed(rng, STARTS) for _ in range(2)]
        from .. import problems as P

        given.update({"problem": P.get(problem).key, "start": start, "steps": steps})
        asked_key = C.pick(rng, P.get(problem).names)
        n_el = 1
    else:
        n = 2 if (opts["shape"] or ("vector" if rng.random() < 0.3 else "scalar")) == "vector" else 1
        w0 = [_signed(rng, W0S, 0.7) for _ in range(n)]
        if rng.random() < 0.25:  # 勾配は常に一定
            g = [draw_grad(rng) for _ in range(n)]
            grads = [{"W": list(g)} for _ in range(steps)]
        else:
            grads = [{"W": [draw_grad(rng) for _ in range(n)]} for _ in range(steps)]
        given.update({"params0": {"W": w0}, "grads": grads})
        asked_key, n_el = "W", n
    given["asked"] = {"quantity": quantity, "step": steps, "key": asked_key, "index": int(rng.integers(n_el))}
    if prof.eps == "ignore":
        given["ignore"] = ["eps"]
    return given


def pick_quantity(rng: np.random.Generator, opts: Mapping[str, Any], key: str, convention: str,
                  hyper: Mapping[str, Any], allowed: tuple[str, ...]) -> str:
    names = set(rule_for(key, convention, hyper).symbols)
    quantities = [q for q in allowed if q in names]
    if opts["quantity"] is not None:
        if opts["quantity"] not in quantities:
            raise ValueError(f"{key} ({convention}): cannot ask {opts['quantity']!r}; choose from "
                             f"{', '.join(quantities)}")
        return opts["quantity"]
    return C.pick(rng, quantities)


def inputs_of(given: Mapping[str, Any]) -> list[float]:
    """Every number drawn and displayed (for the hand-computability checks)."""
    out = [float(v) for k, v in given["hyperparameters"].items() if not isinstance(v, (bool, list))]
    out += [float(b) for b in given["hyperparameters"].get("betas", [])]
    if "problem" in given:
        from .. import problems as P

        out += [float(x) for x in given["start"]]
        if given["problem"].startswith("quad:"):  # the loss's coefficients are shown too
            out += [float(k) for k in P.get(given["problem"]).curvatures]
    else:
        out += [float(x) for v in given["params0"].values() for x in v]
        out += [float(x) for g in given["grads"] for v in g.values() for x in v]
    return out


# -- one executed variant ---------------------------------------------------------------------
@dataclass
class Variant:
    given: dict[str, Any]
    key: float
    decimals: int
    pool: list[tuple[Any, float]]  # (Mistake, value): distinct, stable, away from the key (conventions too)
    eps_default: float | None = None  # ε of the class (textbook) when the stem says to ignore ε
    eps_value: float | None = None  # the key computed with that ε


def evaluate(given: dict[str, Any], base_decimals: int) -> Variant | None:
    """Execute ``given`` and its mistakes; None if the variant is unusable (rejection sampling).

    The pool holds the mistakes' values and, since the stem names its form's source, the values of the
    other sources' forms (``mistakes.conventions_for``), which the choices label as such."""
    from .. import mistakes as M

    convention = given.get("convention", "textbook")
    base = rule_for(given["optimizer"], convention, given["hyperparameters"])
    hyper = hyper_env(base, given)
    key = asked_value(base, given, hyper)  # the rule's float form; the class is run on acceptance
    if not math.isfinite(key) or abs(key) > 1e4:
        return None
    decimals = C.auto_decimals(key, base_decimals)
    if not C.stable(key, decimals):
        return None
    eps_default = eps_value = None
    if "eps" in given.get("ignore", ()):
        if convention != "pytorch":
            eps_default = float(class_defaults(given["optimizer"])["eps"])
        else:
            from optimizers.torch_form import TORCH
            tkey = optimizers.get(given["optimizer"]).INFO.torch or given["optimizer"]
            eps_default = float(TORCH[tkey][1]["eps"])
        eps_value = asked_value(base, given, {**hyper, "eps": eps_default})
        if not math.isfinite(eps_value) or C.round_text(eps_value, decimals) != C.round_text(key, decimals) \
                or not C.stable(eps_value, decimals):
            return None  # ε would show in the displayed digits: cannot tell the learner to ignore it
    candidates = []
    for m in M.for_optimizer(given["optimizer"], convention) + M.conventions_for(given["optimizer"], convention):
        v = m.run(given, hyper)
        if v is not None:
            candidates.append((m, v))
    pool = C.distinct_values(key, candidates, decimals)
    return Variant(given, key, decimals, pool, eps_default, eps_value)


def verify(var: Variant) -> Variant:
    """Execute the reference class on the accepted variant (checked against the rule at every step);
    the key becomes the class's value. A long run's closed form is checked against it too."""
    with np.errstate(all="ignore"):
        ex = execute(var.given, check=True)
    value = ex.asked()
    if C.round_text(value, var.decimals) != C.round_text(var.key, var.decimals):  # cannot happen: checked to 1e-11
        raise AssertionError(f"class and rule disagree on {var.given}")
    closed = L.closed_form(var.given)
    if closed is not None and abs(closed[3] - value) > 1e-9 * max(1.0, abs(value)):
        raise AssertionError(f"the closed form {closed} disagrees with the run ({value}) on {var.given}")
    var.key = value
    return var


def draw_variant(rng: np.random.Generator, opts: Mapping[str, Any], need: int, family: str) -> Variant:
    """Draw until a variant has at least ``need`` distinct mistake values (bounded). Without an ``optimizer``
    option the optimizer is drawn with ``draw_optimizer`` (mostly ``optimizers.CORE``)."""
    keys = [opts["optimizer"]] if opts["optimizer"] else available()
    if opts["convention"] and not opts["optimizer"]:
        keys = [k for k in keys if k in PROFILES[opts["convention"]]]
    if opts["steps"] and opts["steps"] > SHORT_STEPS:
        forms = [opts["convention"]] if opts["convention"] else list(PROFILES)
        keys = [k for k in keys if any(L.has_long_run(k, c, opts["source"]) for c in forms)]
        if not keys:
            raise ValueError(f"runs of more than {SHORT_STEPS} steps are drawn only where the numbers have a "
                             f"closed form a person can evaluate: {', '.join(L.OPTIMIZERS)} (see _numeric_long)")
    for _ in range(C.MAX_TRIES):
        key = C.draw_optimizer(rng, keys)
        given = draw_given(rng, opts, key)
        var = evaluate(given, opts["decimals"])
        if var is not None and len(var.pool) >= need:
            return verify(var)
    raise C.GenerationError(f"family {family}: no usable variant in {C.MAX_TRIES} draws for options "
                            f"{ {k: v for k, v in opts.items() if v is not None} } (try other options)")
