"""Reference optimizers, part B: the Adam family (Adam, AMSGrad, AdamW, NAdam, RAdam, Adamax).

- each ``pytorch`` rule (``from_torch``) equals ``torch.optim`` in float64, every option, random shapes
  and gradient scales (hypothesis), the parameters and every state tensor after every step;
- each class equals its textbook rule (``quizgen.trace.run``, random gradients and hyperparameters);
- each class whose form is torch's equals ``torch.optim(**INFO.torch_kwargs(instance))``;
- the paper rules: where they equal torch (Adam Alg. 1, AdamW with λ_torch = λ/α, Adamax with eps = 0),
  and where they differ (RAdam's threshold at step 5, AMSGrad without bias correction);
- the rules render ε where they put it, AdamW's decay shrinks θ, the metadata is complete;
- bad input fails with a message that names the culprit.
"""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest
from _optimizer_props import check_from_rule, check_trace, copy_params, problems
from hypothesis import given, settings
from hypothesis import strategies as st

import optimizers
from optimizers import Adamax, AdamW, AMSGrad, NAdam, RAdam, RuleOptimizer, from_rule, from_torch
from optimizers.adam import Adam
from optimizers.torch_form import TORCH
from quizgen.trace import run

MINE = ("adam", "amsgrad", "adamw", "nadam", "radam", "adamax")
FAST = settings(max_examples=20, deadline=None)
RTOL, ATOL = 1e-10, 1e-12  # rule vs torch.optim (float64)

unit = st.floats(0.0, 0.999)
lrs = st.floats(1e-4, 1.0)
epss = st.floats(1e-10, 1e-3)
BASE = {"lr": lrs, "beta1": unit, "beta2": unit, "eps": epss}
HYPERS = {
    "adam": st.fixed_dictionaries(BASE),
    "amsgrad": st.fixed_dictionaries(BASE),
    "adamw": st.fixed_dictionaries({**BASE, "weight_decay": st.floats(0.0, 0.5), "schedule": st.floats(0.01, 1.0)}),
    "nadam": st.fixed_dictionaries({**BASE, "momentum_decay": st.floats(0.0, 0.1)}),
    "radam": st.fixed_dictionaries({**BASE, "beta2": st.sampled_from([0.0, 0.5, 0.6, 0.9, 0.99, 0.999])}),
    "adamax": st.fixed_dictionaries(BASE),
}

# torch.optim option sets: every flag on and off, weight decay with and without decoupling, non-default
# betas and eps (the same sets are in quizgen.conformance.OPTIONS)
TORCH_OPTIONS = {
    "adam": [{}, {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6}, {"lr": 0.05, "weight_decay": 0.1},
             {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}, {"lr": 0.05, "amsgrad": True},
             {"lr": 0.05, "maximize": True},
             {"lr": 0.02, "betas": (0.5, 0.9), "eps": 1e-4, "weight_decay": 0.05, "amsgrad": True, "maximize": True},
             {"lr": 0.02, "weight_decay": 0.05, "decoupled_weight_decay": True, "amsgrad": True, "maximize": True}],
    "adamw": [{}, {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6}, {"lr": 0.05, "weight_decay": 0.0},
              {"lr": 0.05, "weight_decay": 0.3}, {"lr": 0.05, "amsgrad": True}, {"lr": 0.05, "maximize": True},
              {"lr": 0.02, "betas": (0.5, 0.9), "eps": 1e-4, "weight_decay": 0.1, "amsgrad": True, "maximize": True}],
    "nadam": [{}, {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6}, {"lr": 0.05, "momentum_decay": 0.05},
              {"lr": 0.05, "momentum_decay": 0.0}, {"lr": 0.05, "weight_decay": 0.1},
              {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}, {"lr": 0.05, "maximize": True},
              {"lr": 0.02, "betas": (0.5, 0.9), "eps": 1e-4, "weight_decay": 0.05, "decoupled_weight_decay": True,
               "momentum_decay": 0.01, "maximize": True}],
    "radam": [{}, {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6}, {"lr": 0.05, "betas": (0.9, 0.6)},
              {"lr": 0.05, "weight_decay": 0.1}, {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True},
              {"lr": 0.05, "maximize": True},
              {"lr": 0.02, "betas": (0.5, 0.9), "eps": 1e-4, "weight_decay": 0.05, "decoupled_weight_decay": True,
               "maximize": True}],
    "adamax": [{}, {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6}, {"lr": 0.05, "eps": 0.0},
               {"lr": 0.05, "weight_decay": 0.1}, {"lr": 0.05, "maximize": True},
               {"lr": 0.02, "betas": (0.5, 0.9), "eps": 1e-4, "weight_decay": 0.05, "maximize": True}],
}
CASES = [(name, opts) for name, sets in TORCH_OPTIONS.items() for opts in sets]


def _torch_run(torch_name, kwargs, params0, grads):
    """torch.optim on the same problem (float64, the single-tensor path). Yields (params, state) per step."""
    import torch

    from quizgen.conformance import torch_class

    tensors = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params0.items()}
    opt = torch_class(torch_name)(list(tensors.values()), foreach=False, **kwargs)
    for g in grads:
        for k, p in tensors.items():
            p.grad = torch.tensor(g[k], dtype=torch.float64)
        opt.step()
        yield ({k: p.detach().numpy().copy() for k, p in tensors.items()},
               {k: {n: np.asarray(v.detach().numpy(), dtype=np.float64) for n, v in opt.state[p].items()}
                for k, p in tensors.items()})


def _close(ours, theirs, what):
    ours, theirs = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    assert np.all(np.abs(ours - theirs) <= ATOL + RTOL * np.abs(theirs)), f"{what}: ours {ours!r}, torch {theirs!r}"


@pytest.fixture
def float64():
    """torch's default dtype float64 (NAdam's mu_product and every step counter take the default dtype)."""
    import torch

    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


# -- the pytorch rule ≡ torch.optim ---------------------------------------------------------------------------
@pytest.mark.torch
@pytest.mark.parametrize("name, options", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_pytorch_rule_equals_torch(name, options, float64):
    reference = from_torch(name, **options)  # one compiled rule, reused by every example

    @settings(max_examples=6, deadline=None)
    @given(problem=problems(min_steps=7, max_steps=10))  # ≥ 7 steps: RAdam's rectified branch runs (t ≥ 6)
    def check(problem):
        params0, grads = problem
        ours = RuleOptimizer(reference.name, reference.rule, reference.args)
        mine = copy_params(params0)
        for t, (g, (w_torch, s_torch)) in enumerate(zip(grads, _torch_run(name, options, params0, grads)), 1):
            ours.update(mine, copy_params(g))
            for k in mine:
                _close(mine[k], w_torch[k], f"{name}{options} step {t} W[{k}]")
                assert set(ours.state[k]) == set(s_torch[k]), f"state names: ours {set(ours.state[k])}"
                for sname, value in s_torch[k].items():
                    _close(ours.state[k][sname], value, f"{name}{options} step {t} {sname}[{k}]")

    check()


def test_every_torch_option_is_exercised():
    for name, sets in TORCH_OPTIONS.items():
        defaults = TORCH[name][1]
        for arg, default in defaults.items():
            values = {repr(s[arg]) for s in sets if arg in s}
            assert values - {repr(default)}, f"{name}: {arg} is never set to a non-default value"
        for flag in (a for a, d in defaults.items() if isinstance(d, bool)):
            assert any(s.get(flag, defaults[flag]) != defaults[flag] for s in sets), f"{name}: {flag} never on"


def test_conformance_options_list_these_sets():
    from quizgen.conformance import OPTIONS

    for name, sets in TORCH_OPTIONS.items():
        assert name in OPTIONS, f"quizgen.conformance.OPTIONS has no {name!r}"
        for s in sets:
            assert s in OPTIONS[name], f"{name}: {s} missing from quizgen.conformance.OPTIONS"


# -- class ≡ textbook rule --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", MINE)
def test_class_equals_textbook_rule_through_trace(name):
    @FAST
    @given(problem=problems(max_steps=10), args=HYPERS[name])
    def check(problem, args):
        check_trace(name, *problem, args, strict=True)  # no select() over a branch that is not taken

    check()


@pytest.mark.parametrize("name", MINE)
def test_class_equals_textbook_rule_through_from_rule(name):
    @FAST
    @given(problem=problems(), args=HYPERS[name])
    def check(problem, args):
        cls, rule = check_from_rule(name, *problem, args, atol=1e-15)
        if name == "nadam":  # the scalar product of the μ's, held like iter
            for k in problem[0]:
                assert rule._state[k]["mu_product"] == pytest.approx(cls.mu_product, rel=1e-14)

    check()


# -- class ≡ torch.optim(**INFO.torch_kwargs) where the class is torch's form ------------------------------------
TORCH_FORM = {  # class state attribute -> torch state name
    "amsgrad": {"m": "exp_avg", "v": "exp_avg_sq", "v_max": "max_exp_avg_sq"},
    "adamw": {"m": "exp_avg", "v": "exp_avg_sq"},
    "nadam": {"m": "exp_avg", "v": "exp_avg_sq"},
    "radam": {"m": "exp_avg", "v": "exp_avg_sq"},
    "adamax": {"m": "exp_avg", "u": "exp_inf"},
}


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(TORCH_FORM))
def test_class_equals_torch_with_torch_kwargs(name, float64):
    module = optimizers.get(name)

    @settings(max_examples=8, deadline=None)
    @given(problem=problems(min_steps=7, max_steps=9), args=HYPERS[name])
    def check(problem, args):
        params0, grads = problem
        instance = module.INFO.cls(**args)
        kwargs = module.INFO.torch_kwargs(instance)
        mine = copy_params(params0)
        for g, (w_torch, s_torch) in zip(grads, _torch_run(module.INFO.torch, kwargs, params0, grads)):
            instance.update(mine, copy_params(g))
            for k in mine:
                # the class's own arithmetic differs from torch's by rounding; AdamW's λ/α round-trips
                np.testing.assert_allclose(mine[k], w_torch[k], rtol=1e-9, atol=1e-12)
                for attr, tname in TORCH_FORM[name].items():
                    np.testing.assert_allclose(getattr(instance, attr)[k], s_torch[k][tname], rtol=1e-9, atol=1e-12)
                if name == "nadam":
                    assert float(s_torch[k]["mu_product"]) == pytest.approx(instance.mu_product, rel=1e-12)

    check()


@pytest.mark.torch
def test_adamw_defaults_equal_torch_defaults(float64):
    """The class's default λ = 1e-5 is torch's default weight_decay 0.01 times torch's default lr 0.001."""
    instance = AdamW()
    torch_defaults = TORCH["adamw"][1]
    assert instance.lr == torch_defaults["lr"] and (instance.beta1, instance.beta2) == torch_defaults["betas"]
    assert instance.eps == torch_defaults["eps"]
    assert optimizers.get("adamw").INFO.torch_kwargs(instance)["weight_decay"] == pytest.approx(
        torch_defaults["weight_decay"], rel=1e-12)
    rng = np.random.default_rng(7)
    params0 = {"w": rng.normal(size=5)}
    grads = [{"w": rng.normal(size=5)} for _ in range(20)]
    mine = copy_params(params0)
    for g, (w_torch, _) in zip(grads, _torch_run("adamw", {}, params0, grads)):
        instance.update(mine, copy_params(g))
        np.testing.assert_allclose(mine["w"], w_torch["w"], rtol=1e-12, atol=1e-15)


# -- paper rules: where they equal torch and where they differ -------------------------------------------------
@pytest.mark.torch
def test_adam_paper_rule_is_torch_adam(float64):
    """Kingma & Ba Alg. 1 is exactly torch.optim.Adam (same eps, same place)."""
    rng = np.random.default_rng(3)
    params0 = {"w": rng.normal(size=(2, 3))}
    grads = [{"w": rng.normal(size=(2, 3)) * 1e-3} for _ in range(15)]
    paper = from_rule("adam", "paper", lr=0.01, eps=1e-8)
    mine = copy_params(params0)
    for g, (w_torch, _) in zip(grads, _torch_run("adam", {"lr": 0.01, "eps": 1e-8}, params0, grads)):
        paper.update(mine, copy_params(g))
        _close(mine["w"], w_torch["w"], "paper Adam vs torch")


@pytest.mark.torch
def test_adam_textbook_with_zero_eps_is_torch_adam(float64):
    """With eps = 0 both forms are the same number (only the eps placement separates them)."""
    rng = np.random.default_rng(4)
    params0 = {"w": rng.normal(size=4)}
    grads = [{"w": rng.normal(size=4)} for _ in range(15)]
    opt, mine = Adam(lr=0.01, eps=0.0), copy_params(params0)
    for g, (w_torch, s_torch) in zip(grads, _torch_run("adam", {"lr": 0.01, "eps": 0.0}, params0, grads)):
        opt.update(mine, copy_params(g))
        np.testing.assert_allclose(mine["w"], w_torch["w"], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(opt.m["w"], s_torch["w"]["exp_avg"], rtol=1e-12)
        np.testing.assert_allclose(opt.v["w"], s_torch["w"]["exp_avg_sq"], rtol=1e-12)


def test_adam_torch_kwargs_differ_only_by_eps_placement():
    """Adam(lr, b1, b2, eps) ↔ torch Adam(lr, betas, eps): close for gradients ≫ eps, far apart near eps
    (the textbook's constant eps acts like torch's eps/√(1−β2^t) ≈ 31.6·eps at t = 1)."""
    def after(g, steps=3):
        opt = Adam(lr=0.01)
        torch_opt = from_torch("adam", **optimizers.get("adam").INFO.torch_kwargs(opt))
        a, b = {"w": np.array([0.0])}, {"w": np.array([0.0])}
        for _ in range(steps):
            opt.update(a, {"w": np.array([g])})
            torch_opt.update(b, {"w": np.array([g])})
        return a["w"][0], b["w"][0]

    a, b = after(1.0)
    assert a != b and abs(a - b) < 1e-5 * abs(b)
    a, b = after(1e-6)
    assert abs(a - b) > 0.5 * abs(b)


def test_adamw_paper_rule_is_the_class_and_needs_lambda_over_alpha():
    """paper ≡ textbook (the class); torch with weight_decay = λ/α, lr = α·η_t agrees, weight_decay = λ does not."""
    rng = np.random.default_rng(5)
    params0 = {"w": rng.normal(size=3)}
    grads = [{"w": rng.normal(size=3)} for _ in range(10)]
    alpha, lam, sched = 0.01, 0.001, 0.5
    args = dict(lr=alpha, weight_decay=lam, schedule=sched)
    assert optimizers.rule("adamw", "paper").latex() == optimizers.rule("adamw", "textbook").latex()
    runs = {"class": AdamW(**args), "paper": from_rule("adamw", "paper", **args),
            "torch λ/α": from_torch("adamw", lr=alpha * sched, weight_decay=lam / alpha),
            "torch λ": from_torch("adamw", lr=alpha * sched, weight_decay=lam)}
    ws = {k: copy_params(params0) for k in runs}
    for g in grads:
        for k, opt in runs.items():
            opt.update(ws[k], copy_params(g))
    np.testing.assert_allclose(ws["paper"]["w"], ws["class"]["w"], rtol=1e-13)
    np.testing.assert_allclose(ws["torch λ/α"]["w"], ws["class"]["w"], rtol=1e-12)
    agree = np.abs(ws["torch λ/α"]["w"] - ws["class"]["w"]).max()
    assert np.abs(ws["torch λ"]["w"] - ws["class"]["w"]).max() > 1e3 * agree


def test_adamw_decay_shrinks_the_parameter():
    """With a zero gradient the Adam step is 0 and W ← W(1 − η_t λ): W moves toward 0 (the sign trap)."""
    for opt in (AdamW(lr=0.1, weight_decay=0.2, schedule=0.5), from_torch("adamw", lr=0.1, weight_decay=0.2),
                from_torch("adam", lr=0.1, weight_decay=0.2, decoupled_weight_decay=True),
                from_torch("adamw", lr=0.1, weight_decay=0.2, maximize=True)):
        params = {"w": np.array([3.0, -2.0])}
        opt.update(params, {"w": np.zeros(2)})
        assert np.all(np.abs(params["w"]) < [3.0, 2.0]) and np.all(np.sign(params["w"]) == [1, -1])
    opt, params = AdamW(lr=0.1, weight_decay=0.2, schedule=0.5), {"w": np.array([3.0])}
    opt.update(params, {"w": np.zeros(1)})
    assert params["w"][0] == pytest.approx(3.0 * (1 - 0.5 * 0.2), rel=1e-15)


def test_amsgrad_paper_rule_has_no_bias_correction():
    """Reddi et al. Alg. 2: the first step is α(1−β1)/√(1−β2)·sign(g), not the class's ≈ α·sign(g)."""
    lr, b1, b2, g = 0.01, 0.9, 0.999, -0.3
    paper, params = from_rule("amsgrad", "paper", lr=lr, beta1=b1, beta2=b2), {"w": np.array(0.0)}
    paper.update(params, {"w": np.array(g)})
    assert float(params["w"]) == pytest.approx(lr * (1 - b1) / np.sqrt(1 - b2), rel=1e-12)
    cls, params = AMSGrad(lr=lr, beta1=b1, beta2=b2, eps=0.0), {"w": np.array(0.0)}
    cls.update(params, {"w": np.array(g)})
    assert float(params["w"]) == pytest.approx(lr, rel=1e-12)


def test_amsgrad_pytorch_rule_is_adam_with_amsgrad():
    assert (optimizers.rule("amsgrad", "pytorch").latex()
            == optimizers.rule("adam", "pytorch", amsgrad=True).latex())
    assert optimizers.get("amsgrad").INFO.torch == "adam"
    with pytest.raises(ValueError, match="amsgrad=False"):
        optimizers.rule("amsgrad", "pytorch", amsgrad=False)
    trace = run("amsgrad", convention="pytorch", grads=[{"w": [0.5]}, {"w": [0.0]}], params0={"w": [1.0]},
                amsgrad=True)
    assert trace.value("v_max", 2, index=0) == pytest.approx(0.001 * 0.25, rel=1e-12)  # the max kept step 1's v


def test_amsgrad_never_lets_the_denominator_shrink():
    opt, params = AMSGrad(lr=0.1), {"w": np.array([0.0])}
    denominators = []
    for g in (10.0, 0.01, 0.01, 0.01):
        opt.update(params, {"w": np.array([g])})
        denominators.append(float(opt.v_max["w"][0]))
        assert opt.v_max["w"][0] >= opt.v["w"][0]
    assert denominators == sorted(denominators)


def test_radam_paper_and_torch_part_only_at_step_five():
    """β2 = 0.999: ρ_t ≤ 4 for t ≤ 4 (both take momentum steps), 4 < ρ_5 < 5 (the paper rectifies, torch
    does not), ρ_6 > 5 (both rectify, with l_t differing only by eps)."""
    trace = run("radam", grads=[{"w": [0.3 * (-1) ** t]} for t in range(8)], params0={"w": [1.0]}, lr=0.01)
    rho = [trace.value("rho_t", t) for t in range(1, 9)]
    assert rho[3] <= 4 < rho[4] < 5 < rho[5]
    paper = run("radam", convention="paper", grads=[{"w": [0.3 * (-1) ** t]} for t in range(8)],
                params0={"w": [1.0]}, lr=0.01)
    for t in range(1, 5):
        assert paper.value("W", t, index=0) == pytest.approx(trace.value("W", t, index=0), rel=1e-14)
        assert trace.value("r", t) == 1 and trace.value("l", t) == 1
    assert abs(paper.value("W", 5, index=0) - trace.value("W", 5, index=0)) > 1e-4
    assert trace.value("r", 6) < 1 and trace.value("r", 5) == 1 and paper.value("r", 5) < 1


def test_radam_momentum_steps_are_bias_corrected_sgd():
    opt, params = RAdam(lr=0.1), {"w": np.array([0.0])}
    opt.update(params, {"w": np.array([2.0])})
    assert params["w"][0] == pytest.approx(-0.1 * 2.0, rel=1e-12)  # m̂₁ = g, no division by √v


def test_radam_degenerate_beta2_runs_without_warnings():
    """β2 = 0.6 gives ρ_∞ = 4: never rectified; the rule must not divide by ρ_∞ − 4 on the unused branch."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trace = run("radam", grads=[{"w": [0.5]}] * 6, params0={"w": [0.0]}, beta2=0.6)
        pt = run("radam", convention="pytorch", grads=[{"w": [0.5]}] * 6, params0={"w": [0.0]}, betas=(0.9, 0.6))
    assert trace.value("W", 6, index=0) == pytest.approx(pt.value("W", 6, index=0), rel=1e-14)


def test_adamax_paper_rule_is_the_class_without_eps():
    rng = np.random.default_rng(6)
    params0 = {"w": rng.normal(size=4)}
    grads = [{"w": rng.normal(size=4)} for _ in range(10)]
    cls, paper = Adamax(lr=0.01, eps=0.0), from_rule("adamax", "paper", lr=0.01)
    a, b = copy_params(params0), copy_params(params0)
    for g in grads:
        cls.update(a, copy_params(g))
        paper.update(b, copy_params(g))
    np.testing.assert_allclose(a["w"], b["w"], rtol=1e-13)


def test_adamax_first_step_is_lr_times_sign():
    opt, params = Adamax(lr=0.002, eps=0.0), {"w": np.array([0.0, 0.0])}
    opt.update(params, {"w": np.array([5.0, -0.01])})
    np.testing.assert_allclose(params["w"], [-0.002, 0.002], rtol=1e-12)  # m₁/(1−β1) = g, u₁ = |g|


def test_nadam_momentum_schedule_and_product():
    opt, params = NAdam(), {"w": np.array([1.0])}
    mus = []
    for t in range(1, 4):
        opt.update(params, {"w": np.array([0.1])})
        mus.append(0.9 * (1 - 0.5 * 0.96 ** (t * 0.004)))
        assert opt.mu_product == pytest.approx(np.prod(mus), rel=1e-14)
    trace = run("nadam", grads=[{"w": [0.1]}] * 3, params0={"w": [1.0]})
    assert trace.value("mu", 3) == pytest.approx(mus[2], rel=1e-14)
    assert trace.value("mu_product", 3) == pytest.approx(np.prod(mus), rel=1e-14)
    assert trace.value("mu_product", 0) == 1.0


# -- what a learner is asked: m̂, v̂ and the first step ----------------------------------------------------------
def test_adam_trace_shows_m_hat_and_v_hat():
    g = 0.4
    trace = run("adam", grads=[{"w": [g]}, {"w": [-g]}], params0={"w": [1.0]}, lr=0.1)
    assert trace.value("m_hat", 1, index=0) == pytest.approx(g, rel=1e-12)  # m̂₁ = g
    assert trace.value("v_hat", 1, index=0) == pytest.approx(g * g, rel=1e-12)  # v̂₁ = g²
    assert trace.value("m", 1, index=0) == pytest.approx(0.1 * g, rel=1e-12)
    assert trace.value("t", 2) == 2
    assert trace.value("W", 1, index=0) == pytest.approx(1.0 - 0.1 * g / (g + 1e-7 / np.sqrt(0.001)), rel=1e-12)


@pytest.mark.parametrize("name", MINE)
def test_iter_counts_update_calls_not_keys(name):
    opt = optimizers.get(name).INFO.cls()
    params = {"a": np.array([1.0]), "b": np.array([2.0, 3.0]), "c": np.array(4.0)}
    for _ in range(3):
        opt.update(params, {k: np.ones_like(v) for k, v in params.items()})
    assert opt.iter == 3


@pytest.mark.parametrize("name", MINE)
def test_update_is_in_place_and_state_persists(name):
    module = optimizers.get(name)
    opt = module.INFO.cls()
    w = np.array([1.0, -2.0, 3.0])
    params = {"W": w}
    opt.update(params, {"W": np.array([0.5, 0.5, -0.5])})
    first = {s: getattr(opt, s)["W"].copy() for s in module.INFO.state}
    opt.update(params, {"W": np.array([0.25, 0.5, -1.0])})
    assert params["W"] is w
    for s in module.INFO.state:
        assert not np.array_equal(getattr(opt, s)["W"], first[s])


# -- rules render what they compute ----------------------------------------------------------------------------
@pytest.mark.parametrize("name, convention, options, piece", [
    ("adam", "textbook", {}, r"\frac{\eta_t m}{\sqrt{v} + \varepsilon}"),
    ("adam", "textbook", {}, r"\frac{\eta \sqrt{1 - \beta_2^{t}}}{1 - \beta_1^{t}}"),
    ("adam", "paper", {}, r"\frac{\alpha \hat{m}}{\sqrt{\hat{v}} + \varepsilon}"),
    ("adam", "pytorch", {}, r"\frac{\gamma \hat{m}}{\sqrt{\hat{v}} + \varepsilon}"),
    ("adam", "pytorch", {"weight_decay": 0.1}, r"g + \lambda W"),
    ("adam", "pytorch", {"weight_decay": 0.1, "decoupled_weight_decay": True}, r"W \left(1 - \gamma \lambda\right)"),
    ("adam", "pytorch", {"amsgrad": True}, r"\frac{v_{\max}}{1 - \beta_2^{t}}"),
    ("amsgrad", "paper", {}, r"\frac{\alpha m}{\sqrt{v_{\max}}}"),
    ("adamw", "textbook", {}, r"\eta_t \left(\frac{\alpha \hat{m}}{\sqrt{\hat{v}} + \varepsilon} + \lambda W\right)"),
    ("adamw", "pytorch", {"weight_decay": 0.01}, r"W \left(1 - \gamma \lambda\right)"),
    ("nadam", "textbook", {}, r"\left(1 - \mu_t\right) \hat{g} + \mu_{t+1} \hat{m}"),
    ("radam", "textbook", {}, r"\frac{\sqrt{1 - \beta_2^{t}}}{\sqrt{v} + \varepsilon}"),
    ("radam", "textbook", {}, r"\rho_t > 5"),
    ("radam", "paper", {}, r"\rho_t > 4"),
    ("adamax", "textbook", {}, r"\left|{g}\right| + \varepsilon"),
    ("adamax", "paper", {}, r"\max\left(\beta_2 u, \left|{g}\right|\right)"),
])
def test_latex_shows_what_the_rule_computes(name, convention, options, piece):
    assert piece in optimizers.rule(name, convention, **options).latex()


def test_adam_textbook_rule_order_and_derived():
    r = optimizers.rule("adam", "textbook")
    assert [t for t, _ in r.assignments] == ["t", "m", "v", "lr_t", "W"]
    assert [t for t, _ in r.derived] == ["m_hat", "v_hat"]
    assert r.sym("t").code == "iter" and r.sym("lr_t").kind == "temp"


# -- metadata ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", MINE)
def test_info_is_complete_and_consistent(name):
    module = optimizers.get(name)
    info = module.INFO
    assert info.key == name and optimizers.get(info.cls.__name__) is module
    assert info.name_ja and info.name_en and info.summary_ja and str(info.year) in info.paper
    sig = inspect.signature(info.cls.__init__).parameters
    assert set(info.hyper) == {k for k in sig if k != "self"}
    for ja, en in info.hyper.values():
        assert ja and en
    assert set(info.conventions) == {"textbook", "paper", "pytorch"}
    for convention in info.conventions:
        assert module.rule(convention).latex().startswith(r"\begin{aligned}")
        assert info.notes.get(convention)
    textbook = module.rule("textbook")
    assert tuple(textbook.state_names) == info.state
    for s in textbook.of_kind("state") + textbook.of_kind("step"):
        assert s.code == ("iter" if s.name == "t" else s.name)
    for s in textbook.of_kind("hyper"):
        assert s.code in sig
    assert "eps" in sig  # every Adam-family rule has an eps
    assert info.torch in TORCH
    kwargs = info.torch_kwargs(info.cls())
    assert set(kwargs) <= set(TORCH[info.torch][1])
    from_torch(info.torch, **kwargs)
    assert info.syllabus is (name == "adam")
    with pytest.raises(ValueError, match="'keras'"):
        module.rule("keras")


def test_defaults():
    assert (Adam().lr, Adam().beta1, Adam().beta2, Adam().eps) == (0.001, 0.9, 0.999, 1e-7)  # the book's 1e-7
    assert (AMSGrad().lr, AMSGrad().eps) == (0.001, 1e-8)
    assert (AdamW().lr, AdamW().eps, AdamW().schedule) == (0.001, 1e-8, 1.0)
    assert AdamW().weight_decay == pytest.approx(TORCH["adamw"][1]["weight_decay"] * TORCH["adamw"][1]["lr"])
    assert (NAdam().lr, NAdam().momentum_decay) == (TORCH["nadam"][1]["lr"], TORCH["nadam"][1]["momentum_decay"])
    assert (RAdam().lr, RAdam().eps) == (TORCH["radam"][1]["lr"], TORCH["radam"][1]["eps"])
    assert (Adamax().lr, Adamax().eps) == (0.002, TORCH["adamax"][1]["eps"])


# -- bad input ---------------------------------------------------------------------------------------------------
CLASSES = [Adam, AMSGrad, AdamW, NAdam, RAdam, Adamax]


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("arg, value, exc", [
    ("lr", 0.0, ValueError), ("lr", -0.001, ValueError), ("lr", float("inf"), ValueError), ("lr", "0.1", TypeError),
    ("beta1", 1.0, ValueError), ("beta1", -0.1, ValueError), ("beta2", 1.0, ValueError), ("beta2", 1.5, ValueError),
    ("eps", -1e-8, ValueError), ("eps", float("nan"), ValueError), ("beta1", None, TypeError), ("eps", True, TypeError),
])
def test_bad_hyperparameters_name_the_culprit(cls, arg, value, exc):
    with pytest.raises(exc, match=rf"{cls.__name__}: {arg}"):
        cls(**{arg: value})


@pytest.mark.parametrize("cls, arg, value", [
    (AdamW, "weight_decay", -0.01), (AdamW, "schedule", 0.0), (AdamW, "schedule", -1.0),
    (NAdam, "momentum_decay", -0.004),
])
def test_bad_extra_hyperparameters(cls, arg, value):
    with pytest.raises(ValueError, match=rf"{cls.__name__}: {arg}"):
        cls(**{arg: value})


@pytest.mark.parametrize("cls", CLASSES)
def test_bad_inputs_name_the_culprit(cls):
    with pytest.raises(ValueError, match=r"different keys.*'W'.*'b'"):
        cls().update({"W": np.zeros(2)}, {"b": np.zeros(2)})
    with pytest.raises(ValueError, match=r"params\['W'\] has shape \(2,\) but grads\['W'\] has shape \(3,\)"):
        cls().update({"W": np.zeros(2)}, {"W": np.zeros(3)})
    with pytest.raises(TypeError, match=r"grads\['W'\] must be a numpy array"):
        cls().update({"W": np.zeros(2)}, {"W": [1.0, 2.0]})
    with pytest.raises(TypeError, match=r"params\['W'\] must be a float array"):
        cls().update({"W": np.array([1, 2])}, {"W": np.array([0.1, 0.2])})


@pytest.mark.parametrize("name, kwargs, culprit, exc", [
    ("adam", {"betas": (1.0, 0.999)}, r"betas\[0\]", ValueError),
    ("adamw", {"betas": (0.9, -0.1)}, r"betas\[1\]", ValueError),
    ("nadam", {"betas": 0.9}, "betas", TypeError),
    ("radam", {"lr": 0.0}, "lr", ValueError),
    ("adamax", {"eps": -1.0}, "eps", ValueError),
    ("adam", {"amsgrad": 1}, "amsgrad", TypeError),
    ("nadam", {"momentum_decay": -0.1}, "momentum_decay", ValueError),
    ("adamax", {"decoupled_weight_decay": True}, "decoupled_weight_decay", TypeError),  # torch's Adamax has none
    ("adamw", {"decoupled_weight_decay": False}, "decoupled_weight_decay", TypeError),  # nor AdamW (always on)
])
def test_bad_torch_arguments(name, kwargs, culprit, exc):
    with pytest.raises(exc, match=culprit):
        from_torch(name, **kwargs)
