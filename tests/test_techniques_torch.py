"""The chapter's reference code against PyTorch (CPU, float64): torch.nn.init, torch.nn.BatchNorm1d,
torch.nn.LayerNorm, torch.nn.utils.clip_grad_norm_ and clip_grad_value_.

Initialization is compared exactly, not only in distribution: torch draws ``uniform_(−a, a)`` / ``normal_(0, σ)``
from a generator, so the same generator state with *our* a or σ must give torch's tensor bit for bit (up to the
rounding of a and σ); the statistics of large draws are checked too.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizers.techniques import clipping as CL
from optimizers.techniques import init as I
from optimizers.techniques import normalization as NZ
from quizgen.conformance import float64

pytestmark = pytest.mark.torch
FAST = settings(max_examples=25, deadline=None)


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# -- torch.nn.init -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("nonlinearity, param", [("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None),
                                                 ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 1.0)])
def test_gain_is_torch_calculate_gain(nonlinearity, param):
    ours = I.gain(nonlinearity, 0.01 if param is None and nonlinearity == "leaky_relu" else (param or 0.0))
    assert ours == pytest.approx(torch.nn.init.calculate_gain(nonlinearity, param), rel=1e-15)


@FAST
@given(fan_in=st.integers(1, 600), fan_out=st.integers(1, 600), gain=st.floats(0.1, 3.0), seed=st.integers(0, 2**31))
def test_xavier_is_torch_exactly(fan_in, fan_out, gain, seed):
    with float64():
        w = torch.empty(fan_out, fan_in)  # torch's Linear layout (out, in): fan_in = size(1)
        assert torch.nn.init._calculate_fan_in_and_fan_out(w) == (fan_in, fan_out)
        env = I.rule("xavier", "pytorch").step({"n_in": fan_in, "n_out": fan_out, "gain": gain})
        torch.nn.init.xavier_uniform_(w, gain=gain, generator=_gen(seed))
        ours = torch.empty(fan_out, fan_in).uniform_(-float(env["a"]), float(env["a"]), generator=_gen(seed))
        np.testing.assert_allclose(w.numpy(), ours.numpy(), rtol=1e-14, atol=1e-300)
        torch.nn.init.xavier_normal_(w, gain=gain, generator=_gen(seed))
        ours = torch.empty(fan_out, fan_in).normal_(0, float(env["std"]), generator=_gen(seed))
        np.testing.assert_allclose(w.numpy(), ours.numpy(), rtol=1e-14, atol=1e-300)


@FAST
@given(fan_in=st.integers(1, 600), fan_out=st.integers(1, 600), mode=st.sampled_from(["fan_in", "fan_out"]),
       act=st.sampled_from([("relu", 0.0), ("leaky_relu", 0.0), ("leaky_relu", 0.1), ("tanh", 0.0),
                            ("linear", 0.0)]),
       seed=st.integers(0, 2**31))
def test_kaiming_is_torch_exactly(fan_in, fan_out, mode, act, seed):
    nonlinearity, a = act
    fan = fan_in if mode == "fan_in" else fan_out
    env = I.rule("he", "pytorch").step({"fan": fan, "gain": I.gain(nonlinearity, a)})
    with float64():
        w = torch.empty(fan_out, fan_in)
        torch.nn.init.kaiming_uniform_(w, a=a, mode=mode, nonlinearity=nonlinearity, generator=_gen(seed))
        ours = torch.empty(fan_out, fan_in).uniform_(-float(env["a"]), float(env["a"]), generator=_gen(seed))
        np.testing.assert_allclose(w.numpy(), ours.numpy(), rtol=1e-14, atol=1e-300)
        torch.nn.init.kaiming_normal_(w, a=a, mode=mode, nonlinearity=nonlinearity, generator=_gen(seed))
        ours = torch.empty(fan_out, fan_in).normal_(0, float(env["std"]), generator=_gen(seed))
        np.testing.assert_allclose(w.numpy(), ours.numpy(), rtol=1e-14, atol=1e-300)


def test_torch_kaiming_default_is_he_for_relu():
    """kaiming_*_'s default nonlinearity is 'leaky_relu' with a = 0: the ReLU gain √2, He et al.'s σ = √(2/n_in)."""
    with float64():
        w = torch.empty(300, 200)
        torch.nn.init.kaiming_normal_(w, generator=_gen(1))
        ours = torch.empty(300, 200).normal_(0, float(I.rule("he", "paper").step({"n_in": 200})["std"]),
                                             generator=_gen(1))
    np.testing.assert_allclose(w.numpy(), ours.numpy(), rtol=1e-14)


@pytest.mark.parametrize("name", ["xavier_uniform", "xavier_normal", "he_uniform", "he_normal"])
def test_draw_statistics_match_torch(name):
    """Large draws of our functions and of torch's: the same σ (within 1 %) and, for uniform, the same range."""
    fan_in, fan_out = 400, 600
    ours = getattr(I, name)(fan_in, fan_out, rng=np.random.default_rng(5))
    fn = {"xavier_uniform": torch.nn.init.xavier_uniform_, "xavier_normal": torch.nn.init.xavier_normal_,
          "he_uniform": lambda t, **k: torch.nn.init.kaiming_uniform_(t, nonlinearity="relu", **k),
          "he_normal": lambda t, **k: torch.nn.init.kaiming_normal_(t, nonlinearity="relu", **k)}[name]
    with float64():
        theirs = fn(torch.empty(fan_out, fan_in), generator=_gen(5)).numpy()
    method = "xavier" if name.startswith("xavier") else "he"
    env = I.rule(method, "paper").step({"n_in": fan_in, "n_out": fan_out})
    for w in (ours, theirs):
        assert abs(w.mean()) < 0.01 * env["std"] * 10
        assert w.std() == pytest.approx(env["std"], rel=0.01)
        if name.endswith("uniform"):
            assert np.abs(w).max() <= env["a"] and np.abs(w).max() > 0.999 * env["a"]


# -- BatchNorm1d and LayerNorm ----------------------------------------------------------------------------------
@FAST
@given(m=st.integers(2, 8), d=st.integers(1, 5), momentum=st.floats(0.0, 1.0), eps=st.sampled_from([1e-5, 1e-3]),
       seed=st.integers(0, 2**31))
def test_batchnorm_is_torch_batchnorm1d(m, d, momentum, eps, seed):
    rng = np.random.default_rng(seed)
    gamma, beta = rng.normal(size=d), rng.normal(size=d)
    ours = NZ.BatchNormalization(gamma.copy(), beta.copy(), momentum=momentum, eps=eps)
    with float64():
        bn = torch.nn.BatchNorm1d(d, eps=eps, momentum=momentum)
        with torch.no_grad():
            bn.weight.copy_(torch.tensor(gamma))
            bn.bias.copy_(torch.tensor(beta))
        bn.train()
        for _ in range(3):
            x = rng.normal(size=(m, d)) * 3 + 1
            y = bn(torch.tensor(x)).detach().numpy()
            np.testing.assert_allclose(ours.forward(x.copy(), train_flg=True), y, rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(ours.running_mean, bn.running_mean.numpy(), rtol=1e-12, atol=1e-14)
            np.testing.assert_allclose(ours.running_var, bn.running_var.numpy(), rtol=1e-12, atol=1e-14)
        bn.eval()
        x = rng.normal(size=(m, d))
        np.testing.assert_allclose(ours.forward(x.copy(), train_flg=False), bn(torch.tensor(x)).detach().numpy(),
                                   rtol=1e-10, atol=1e-12)


def test_torch_batchnorm_starts_running_stats_at_zero_and_one():
    with float64():
        bn = torch.nn.BatchNorm1d(3)
    assert bn.momentum == 0.1 and bn.eps == 1e-5
    np.testing.assert_array_equal(bn.running_mean.numpy(), 0.0)
    np.testing.assert_array_equal(bn.running_var.numpy(), 1.0)
    import inspect

    sig = inspect.signature(NZ.BatchNormalization.__init__).parameters
    assert sig["momentum"].default == bn.momentum and sig["eps"].default == bn.eps


@FAST
@given(m=st.integers(1, 6), d=st.integers(2, 6), eps=st.sampled_from([1e-5, 1e-2]), seed=st.integers(0, 2**31))
def test_layernorm_is_torch_layernorm(m, d, eps, seed):
    rng = np.random.default_rng(seed)
    gamma, beta = rng.normal(size=d), rng.normal(size=d)
    x = rng.normal(size=(m, d)) * 2 - 1
    with float64():
        ln = torch.nn.LayerNorm(d, eps=eps)
        with torch.no_grad():
            ln.weight.copy_(torch.tensor(gamma))
            ln.bias.copy_(torch.tensor(beta))
        want = ln(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(NZ.LayerNormalization(gamma, beta, eps).forward(x), want, rtol=1e-10, atol=1e-12)


# -- clip_grad_norm_ and clip_grad_value_ --------------------------------------------------------------------------
@FAST
@given(shapes=st.lists(st.integers(1, 5), min_size=1, max_size=3), scale=st.sampled_from([1e-3, 1.0, 100.0]),
       max_norm=st.floats(1e-3, 50.0), foreach=st.sampled_from([None, False, True]), seed=st.integers(0, 2**31))
def test_clip_grads_is_torch_clip_grad_norm(shapes, scale, max_norm, foreach, seed):
    rng = np.random.default_rng(seed)
    grads = [rng.normal(size=n) * scale for n in shapes]
    ours = [g.copy() for g in grads]
    norm = CL.clip_grads(ours, max_norm)
    with float64():
        params = [torch.zeros(len(g), requires_grad=True) for g in grads]
        for p, g in zip(params, grads):
            p.grad = torch.tensor(g)
        total = torch.nn.utils.clip_grad_norm_(params, max_norm, foreach=foreach)
    assert float(total) == pytest.approx(norm, rel=1e-12)
    for p, g in zip(params, ours):
        np.testing.assert_allclose(p.grad.numpy(), g, rtol=1e-13, atol=0)


@FAST
@given(shapes=st.lists(st.integers(1, 5), min_size=1, max_size=3), clip_value=st.floats(1e-3, 5.0),
       seed=st.integers(0, 2**31))
def test_clip_by_value_is_torch_clip_grad_value(shapes, clip_value, seed):
    rng = np.random.default_rng(seed)
    grads = [rng.normal(size=n) * 3 for n in shapes]
    ours = [g.copy() for g in grads]
    CL.clip_grads_by_value(ours, clip_value)
    with float64():
        params = [torch.zeros(len(g), requires_grad=True) for g in grads]
        for p, g in zip(params, grads):
            p.grad = torch.tensor(g)
        torch.nn.utils.clip_grad_value_(params, clip_value)
    for p, g in zip(params, ours):
        np.testing.assert_array_equal(p.grad.numpy(), g)


def test_torch_clip_coefficient_has_the_1e6():
    """Spelled out: norm 5, max_norm 1 → torch multiplies by 1/(5 + 1e-6), not by 1/5 (the paper's form)."""
    with float64():
        p = torch.zeros(2, requires_grad=True)
        p.grad = torch.tensor([3.0, 4.0])
        torch.nn.utils.clip_grad_norm_([p], 1.0)
    np.testing.assert_allclose(p.grad.numpy(), np.array([3.0, 4.0]) / (5 + 1e-6), rtol=1e-15)
    assert abs(p.grad.numpy()[0] - 0.6) > 1e-8
