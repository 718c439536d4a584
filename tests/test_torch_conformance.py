"""The executed rules against torch.optim (CPU, float64), over every option set of conformance.OPTIONS.

- from_torch(name, **options) ≡ torch.optim.<Class>(**options): parameters and every state tensor, every
  step, random shapes and values (RTOL 1e-10, ATOL 1e-12);
- OPTIONS switches every torch option away from its default somewhere (so nothing goes untested);
- optimizers.TORCH's defaults are torch.optim's;
- the textbook classes ≡ torch.optim with INFO.torch_kwargs where the forms are identical (SGD, Momentum,
  Nesterov with v = −lr·momentum_buffer; AdaGrad, RMSprop with eps matched; Adadelta with lr = 1);
- the harness itself notices a difference (negative controls).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import optimizers  # noqa: E402
from optimizers.torch_form import TORCH  # noqa: E402
from quizgen import conformance as C  # noqa: E402

pytestmark = pytest.mark.torch

CASES = [(name, options) for name, sets in C.OPTIONS.items() for options in sets]
IDS = [f"{name}[{C.label(options)}]" for name, options in CASES]


@pytest.mark.parametrize("name, options", CASES, ids=IDS)
@pytest.mark.parametrize("seed", [None, 7])
def test_pytorch_rule_matches_torch_optim(name, options, seed):
    result = C.compare(name, options, seed=seed)
    assert result.ok, result.describe()
    assert "W" in result.errors


@settings(max_examples=30, deadline=None)
@given(case=st.sampled_from(CASES), seed=st.integers(0, 2**31 - 1), steps=st.integers(1, 12))
def test_pytorch_rule_matches_torch_optim_random(case, seed, steps):
    name, options = case
    result = C.compare(name, options, seed=seed, steps=steps)
    assert result.ok, result.describe()


@pytest.mark.parametrize("name", list(C.OPTIONS))
def test_options_cover_every_torch_option(name):
    """Every argument of the torch class is moved off its default in some option set (flags: set True)."""
    assert name in TORCH
    defaults = TORCH[name][1]
    for arg, default in defaults.items():
        values = [opts[arg] for opts in C.OPTIONS[name] if arg in opts]
        assert any(v != default for v in values), f"{name}: no option set changes {arg} (default {default!r})"
    assert {} in C.OPTIONS[name], f"{name}: the defaults themselves are not tested"


def test_torch_table_defaults_are_torchs():
    assert C.check_defaults() == {}


def test_every_torch_optimizer_with_a_module_has_options():
    for key, (module_key, _) in TORCH.items():
        if module_key in optimizers.MODULES and key in ("sgd", "adagrad", "rmsprop", "adadelta"):
            assert key in C.OPTIONS


@pytest.mark.parametrize("name", list(C.TEXTBOOK_TORCH))
def test_textbook_class_equals_torch_where_identical(name):
    assert name in optimizers.MODULES
    hypers = {
        "sgd": st.fixed_dictionaries({"lr": st.floats(1e-3, 1.0)}),
        "momentum": st.fixed_dictionaries({"lr": st.floats(1e-3, 1.0), "momentum": st.floats(0.0, 0.99)}),
        "nesterov": st.fixed_dictionaries({"lr": st.floats(1e-3, 1.0), "momentum": st.floats(0.01, 0.99)}),
        "adagrad": st.fixed_dictionaries({"lr": st.floats(1e-3, 1.0), "eps": st.floats(1e-10, 1e-4)}),
        "rmsprop": st.fixed_dictionaries({"lr": st.floats(1e-3, 1.0), "decay_rate": st.floats(0.0, 0.999),
                                          "eps": st.floats(1e-10, 1e-4)}),
        "adadelta": st.fixed_dictionaries({"rho": st.floats(0.0, 0.999), "eps": st.floats(1e-8, 1e-3)}),
    }[name]

    @settings(max_examples=15, deadline=None)
    @given(args=hypers, seed=st.integers(0, 2**31 - 1))
    def check(args, seed):
        result = C.textbook_vs_torch(name, seed=seed, **args)
        assert result.ok, result.describe()
        instance = optimizers.get(name).INFO.cls(**args)
        mapped = {f"{a} ↔ {t}" for a, (t, f) in C.TEXTBOOK_TORCH[name].items() if f(instance) is not None}
        assert set(result.errors) == {"W"} | mapped

    check()
    assert C.textbook_vs_torch(name).ok  # the class defaults


def test_momentum_velocity_is_minus_lr_times_buffer():
    """Spelled out once: after some steps the class's v equals −lr · torch's momentum_buffer."""
    from optimizers import Momentum

    lr, mu = 0.05, 0.8
    rng = np.random.default_rng(3)
    w0 = rng.normal(size=(2, 3))
    cls, params = Momentum(lr=lr, momentum=mu), {"W": w0.copy()}
    with C.float64():
        p = torch.tensor(w0, requires_grad=True)
        opt = torch.optim.SGD([p], lr=lr, momentum=mu)
        for _ in range(4):
            g = rng.normal(size=w0.shape)
            cls.update(params, {"W": g.copy()})
            p.grad = torch.tensor(g)
            opt.step()
    np.testing.assert_allclose(params["W"], p.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(cls.v["W"], -lr * opt.state[p]["momentum_buffer"].numpy(), rtol=1e-12, atol=1e-14)


def test_float64_context_restores_default_dtype():
    before = torch.get_default_dtype()
    with C.float64():
        assert torch.get_default_dtype() == torch.float64
    assert torch.get_default_dtype() == before


# -- the harness notices differences -------------------------------------------------------------------------
def test_diff_flags_a_relative_error_beyond_tolerance():
    d = C.Diff()
    d.add(np.array([1.0, 2.0]), np.array([1.0, 2.0 * (1 + 1e-9)]))
    assert not d.ok and d.max_rel > C.RTOL
    d = C.Diff()
    d.add(np.array([1e-14]), np.array([0.0]))  # within the absolute tolerance
    assert d.ok
    d = C.Diff()
    d.add(np.array([np.nan]), np.array([1.0]))
    assert not d.ok


def test_compare_fails_when_the_rule_differs(monkeypatch):
    """Swap Adagrad's rule for one with ε inside the square root: the harness must fail it."""
    import optimizers.adagrad as A
    from optimizers import _symbols as S
    from optimizers._rule import build

    def inside(**options):
        return build("adagrad", "pytorch",
                     [S.W, S.g, S.gamma.named("lr"), S.eps.named("eps"), A.SUM, S.t.named("step")],
                     [("t", "t + 1"), ("s", "s + g**2"), ("W", "W - gamma*g/sqrt(s + eps)")])

    monkeypatch.setattr(A, "torch_rule", inside)
    result = C.compare("adagrad", {"eps": 1e-2})
    assert not result.ok and not result.errors["W"].ok and result.errors["sum"].ok


def test_compare_reports_state_held_by_one_side(monkeypatch):
    import optimizers.rmsprop as R

    original = R.torch_rule
    monkeypatch.setattr(R, "torch_rule", lambda **o: original(**{**o, "centered": False}))
    result = C.compare("rmsprop", {"centered": True})
    assert not result.ok and any("grad_avg" in m for m in result.missing)


def test_compare_rejects_unknown_names():
    with pytest.raises(ValueError, match="adamq"):
        C.compare("adamq")
    with pytest.raises(TypeError, match="nesterov"):
        C.compare("adagrad", {"nesterov": True})
    with pytest.raises(ValueError, match="adam"):
        C.textbook_vs_torch("adam")  # not claimed identical: the eps sits elsewhere


def test_check_textbook_runs_every_module():
    for key in optimizers.MODULES:
        trace = C.check_textbook(key, steps=3)
        assert trace.steps == 3


def test_check_textbook_on_given_gradients():
    grads = [{"w": np.array([1.0, -2.0])}, {"w": np.array([0.5, 0.5])}]
    trace = C.check_textbook("adagrad", grads=grads, params0={"w": [0.0, 0.0]}, lr=0.1)
    # AdaGrad's first step is lr·g/(|g| + eps): about lr·sign(g)
    np.testing.assert_allclose(trace.value("W", 1), -0.1 * np.array([1.0, -2.0]) / (np.abs([1.0, -2.0]) + 1e-7))
    with pytest.raises(ValueError, match="params0"):
        C.check_textbook("adagrad", grads=grads)


def test_main_prints_the_table_and_passes(capsys, monkeypatch):
    # every option set is already tested above: here one per optimizer, to check the table itself
    monkeypatch.setattr(C, "OPTIONS", {name: sets[:1] for name, sets in C.OPTIONS.items()})
    assert C.main([]) == 0
    out = capsys.readouterr().out
    assert "PyTorch form" in out and "adadelta" in out and "FAIL" not in out
