"""The chapter's reference code (optimizers/techniques: initialization, normalization, clipping) against its
sympy formulas, over random inputs (hypothesis), plus the closed-form facts the pages state:

- the init functions draw with the standard deviation / bound of their rule, in every convention they claim;
- BatchNormalization / LayerNormalization equal their rules step by step (train, running update, inference);
- clip_grads equals the textbook rule and the torch rule on every input, and the paper rule up to the 1e-6;
- the executed demonstrations behave as the pages say (symmetry kept by constant init, the cliff catapults).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizers.techniques import clipping as CL
from optimizers.techniques import init as I
from optimizers.techniques import normalization as NZ

FAST = settings(max_examples=40, deadline=None)
fans = st.integers(1, 2048)


# -- initialization -------------------------------------------------------------------------------------------
@FAST
@given(fan_in=fans, fan_out=fans, gain=st.floats(0.1, 3.0))
def test_init_rules_give_the_functions_scales(fan_in, fan_out, gain):
    paper = I.rule("xavier", "paper").step({"n_in": fan_in, "n_out": fan_out})
    torch_form = I.rule("xavier", "pytorch").step({"n_in": fan_in, "n_out": fan_out, "gain": gain})
    assert paper["std"] == pytest.approx(np.sqrt(2.0 / (fan_in + fan_out)), rel=1e-14)
    assert torch_form["std"] == pytest.approx(gain * paper["std"], rel=1e-14)
    assert torch_form["a"] == pytest.approx(gain * np.sqrt(6.0 / (fan_in + fan_out)), rel=1e-14)
    he = I.rule("he", "paper").step({"n_in": fan_in})
    he_t = I.rule("he", "pytorch").step({"fan": fan_in, "gain": I.gain("relu")})
    assert he["std"] == pytest.approx(he_t["std"], rel=1e-14) == pytest.approx(np.sqrt(2.0 / fan_in), rel=1e-14)
    assert he["a"] == pytest.approx(np.sqrt(6.0 / fan_in), rel=1e-14)
    tb = I.rule("xavier", "textbook").step({"n": fan_in})
    assert tb["std"] == pytest.approx(I.rule("xavier", "paper").step({"n_in": fan_in, "n_out": fan_in})["std"])


def _draws(fn, fan_in, fan_out, **kw):
    """The functions scale standard draws: with the same generator state, the draw is the scale times the raw one."""
    rng = np.random.default_rng(11)
    w = fn(fan_in, fan_out, rng=rng, **kw)
    return w, np.random.default_rng(11)


@pytest.mark.parametrize("fan_in, fan_out", [(3, 5), (100, 100), (784, 50), (1, 1)])
def test_init_functions_use_the_rule_scale_exactly(fan_in, fan_out):
    w, rng = _draws(I.xavier_normal, fan_in, fan_out, gain=1.5)
    std = I.rule("xavier", "pytorch").step({"n_in": fan_in, "n_out": fan_out, "gain": 1.5})["std"]
    np.testing.assert_allclose(w, std * rng.standard_normal((fan_in, fan_out)), rtol=1e-13)
    w, rng = _draws(I.xavier_uniform, fan_in, fan_out)
    a = I.rule("xavier", "paper").step({"n_in": fan_in, "n_out": fan_out})["a"]
    np.testing.assert_allclose(w, rng.uniform(-a, a, size=(fan_in, fan_out)), rtol=1e-13)
    for mode, fan in (("fan_in", fan_in), ("fan_out", fan_out)):
        w, rng = _draws(I.he_normal, fan_in, fan_out, mode=mode)
        std = I.rule("he", "pytorch").step({"fan": fan, "gain": I.gain("relu")})["std"]
        np.testing.assert_allclose(w, std * rng.standard_normal((fan_in, fan_out)), rtol=1e-13)
        w, rng = _draws(I.he_uniform, fan_in, fan_out, mode=mode)
        a = I.rule("he", "pytorch").step({"fan": fan, "gain": I.gain("relu")})["a"]
        np.testing.assert_allclose(w, rng.uniform(-a, a, size=(fan_in, fan_out)), rtol=1e-13)


def test_init_network_is_the_textbook_rule_per_layer():
    sizes = [784, 100, 50, 10]
    for method in ("xavier", "he"):
        params = I.init_network(sizes, method, rng=np.random.default_rng(0))
        rng = np.random.default_rng(0)
        for i in range(1, len(sizes)):
            std = I.rule(method, "textbook").step({"n": sizes[i - 1]})["std"]
            np.testing.assert_allclose(params[f"W{i}"], std * rng.standard_normal((sizes[i - 1], sizes[i])))
            assert not params[f"b{i}"].any()
    p = I.init_network([3, 2], 0.01, rng=np.random.default_rng(0))
    np.testing.assert_allclose(p["W1"], 0.01 * np.random.default_rng(0).standard_normal((3, 2)))


def test_gains_match_their_definitions():
    assert I.gain("relu") == pytest.approx(np.sqrt(2)) and I.gain("tanh") == pytest.approx(5 / 3)
    assert I.gain("linear") == I.gain("sigmoid") == 1.0
    assert I.gain("leaky_relu", 0.0) == pytest.approx(I.gain("relu"))
    assert I.gain("leaky_relu", 1.0) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="unknown nonlinearity 'swish'"):
        I.gain("swish")


def test_init_rule_rejects_unknown_forms():
    with pytest.raises(ValueError, match="unknown method"):
        I.rule("lecun")
    with pytest.raises(ValueError, match="unknown convention"):
        I.rule("he", "keras")


def test_activation_spread_is_kept_by_xavier_and_he_only():
    """The page's claims about the histograms, from the executed experiment: std 1 saturates tanh, std 0.01 makes
    the activations vanish layer by layer, Xavier (tanh) and He (ReLU) keep them spread over five layers."""
    def spread(std, act):
        return [float(np.std(a)) for a in I.activations(lambda n_in, n_out: std(n_in), act)]

    big = I.activations(lambda n_in, n_out: 1.0, "tanh")[-1]
    assert np.mean(np.abs(big) > 0.99) > 0.5  # most outputs at ±1: saturated
    small = spread(lambda n: 0.01, "relu")
    assert small[-1] < 1e-3 * small[0]  # shrinks by about 0.01·√(n/2) per layer
    xavier = spread(lambda n: np.sqrt(1.0 / n), "tanh")
    he = spread(lambda n: np.sqrt(2.0 / n), "relu")
    assert xavier[-1] > 0.3 and he[-1] > 0.3
    assert max(he) / min(he) < 2


def test_constant_init_keeps_hidden_units_identical():
    rng = np.random.default_rng(1)
    x, t = rng.normal(size=(8, 3)), rng.normal(size=(8, 1))
    same = I.train_two_layer(np.full((3, 4), 0.5), np.full((4, 1), 0.5), x, t, steps=30)
    assert np.ptp(same[-1], axis=1).max() < 1e-12  # every column (hidden unit) equal, after 30 updates
    assert not np.allclose(same[-1], same[0])  # yet the weights did change
    zero = I.train_two_layer(np.zeros((3, 4)), np.zeros((4, 1)), x, t, steps=30)
    assert not np.any(zero[-1])  # all zero: W1 never moves
    rand = I.train_two_layer(rng.normal(scale=0.5, size=(3, 4)), rng.normal(scale=0.5, size=(4, 1)), x, t, steps=30)
    assert np.ptp(rand[-1], axis=1).max() > 0.1


# -- normalization --------------------------------------------------------------------------------------------
batches = st.tuples(st.integers(2, 6), st.integers(1, 4), st.integers(0, 2**31 - 1))


def _batch(shape_seed):
    m, d, seed = shape_seed
    rng = np.random.default_rng(seed)
    return rng.normal(size=(m, d)) * rng.uniform(0.1, 5) + rng.normal(), rng


@FAST
@given(data=batches, momentum=st.floats(0.0, 1.0), eps=st.sampled_from([1e-5, 1e-3, 0.0]))
def test_batchnorm_equals_its_rules_over_batches(data, momentum, eps):
    x, rng = _batch(data)
    m, d = x.shape
    gamma, beta = rng.normal(size=d), rng.normal(size=d)
    bn = NZ.BatchNormalization(gamma.copy(), beta.copy(), momentum=momentum, eps=eps)
    train, running, infer = NZ.rule("train"), NZ.rule("running"), NZ.rule("inference")
    rmean, rvar = np.zeros(d), np.ones(d)
    for k in range(3):
        xb = x + k  # three batches, shifted
        y = bn.forward(xb.copy(), train_flg=True)
        env = train.step({"x": xb, "gamma": gamma, "beta": beta, "eps": eps})
        np.testing.assert_allclose(y, env["y"], rtol=1e-12, atol=1e-12)
        run = running.step({"running_mean": rmean, "running_var": rvar, "mu": env["mu"], "var": env["var"],
                            "m": m, "momentum": momentum})
        rmean, rvar = run["running_mean"].reshape(d), run["running_var"].reshape(d)
        np.testing.assert_allclose(bn.running_mean, rmean, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(bn.running_var, rvar, rtol=1e-12, atol=1e-14)
    y = bn.forward(x.copy(), train_flg=False)
    env = infer.step({"x": x, "gamma": gamma, "beta": beta, "eps": eps, "running_mean": rmean, "running_var": rvar})
    np.testing.assert_allclose(y, env["y"], rtol=1e-12, atol=1e-12)


@FAST
@given(data=batches, eps=st.sampled_from([1e-5, 1e-2]))
def test_layernorm_equals_its_rule_and_is_batchnorm_of_the_transpose(data, eps):
    x, rng = _batch(data)
    m, d = x.shape
    if d < 2:
        x = np.hstack([x, x[:, :1] * 2 + 1])
        d = 2
    gamma, beta = rng.normal(size=d), rng.normal(size=d)
    y = NZ.LayerNormalization(gamma, beta, eps).forward(x)
    env = NZ.rule("layer").step({"x": x, "gamma": gamma, "beta": beta, "eps": eps})
    np.testing.assert_allclose(y, env["y"], rtol=1e-12, atol=1e-12)
    plain = NZ.BatchNormalization(np.ones(m), np.zeros(m), eps=eps).forward(x.T.copy()).T  # per sample = per column
    np.testing.assert_allclose(NZ.LayerNormalization(np.ones(d), np.zeros(d), eps).forward(x), plain, atol=1e-12)


def test_batchnorm_running_stats_follow_torch_not_the_textbook():
    x = np.array([[1.0], [3.0], [8.0]])  # μ = 4, biased σ² = 26/3, unbiased 13
    bn = NZ.BatchNormalization(np.ones(1), np.zeros(1))
    bn.forward(x)
    assert bn.running_mean == pytest.approx([0.4]) and bn.running_var == pytest.approx([0.9 + 0.1 * 13])
    tb = NZ.rule("running", "textbook").step({"running_mean": 0.0, "running_var": 0.0, "mu": 4.0, "var": 26 / 3,
                                              "momentum": 0.9})
    assert tb["running_mean"] == pytest.approx(0.4) and tb["running_var"] == pytest.approx(26 / 30)
    with pytest.raises(ValueError, match="Alg. 2"):
        NZ.rule("running", "paper")
    with pytest.raises(ValueError, match="unknown part"):
        NZ.rule("group")


# -- clipping -------------------------------------------------------------------------------------------------
vectors = st.tuples(st.integers(1, 3), st.integers(0, 2**31 - 1), st.sampled_from([1e-7, 1e-3, 1.0, 1e3]))


def _grads(spec):
    k, seed, scale = spec
    rng = np.random.default_rng(seed)
    return [rng.normal(size=rng.integers(1, 4)) * scale for _ in range(k)]


@FAST
@given(spec=vectors, max_norm=st.floats(1e-6, 1e4))
def test_clip_grads_equals_textbook_and_torch_rules_and_paper_up_to_eps(spec, max_norm):
    grads = _grads(spec)
    flat = np.concatenate(grads)
    out = [g.copy() for g in grads]
    norm = CL.clip_grads(out, max_norm)
    assert norm == pytest.approx(np.linalg.norm(flat), rel=1e-12)
    got = np.concatenate(out)
    tb = CL.rule("textbook").step({"g": flat, "c": max_norm, "eps": 1e-6})["g"]
    pt = CL.rule("pytorch").step({"g": flat, "c": max_norm, "eps": 1e-6})["g"]
    pa = CL.rule("paper").step({"g": flat, "c": max_norm})["g"]
    np.testing.assert_allclose(got, tb, rtol=1e-14, atol=0)
    np.testing.assert_allclose(got, pt, rtol=1e-14, atol=0)
    np.testing.assert_allclose(got, pa, rtol=2e-6 / max(max_norm, 1e-300) + 1e-14, atol=1e-12)
    # the direction never changes; the norm is at most max_norm
    assert np.linalg.norm(got) <= max(max_norm, np.linalg.norm(flat)) * (1 + 1e-12)
    if np.linalg.norm(flat) > 0:
        assert np.allclose(got / np.linalg.norm(got), flat / np.linalg.norm(flat))


@FAST
@given(spec=vectors, clip_value=st.floats(1e-3, 10.0))
def test_clip_by_value_equals_its_rule(spec, clip_value):
    grads = _grads(spec)
    out = [g.copy() for g in grads]
    CL.clip_grads_by_value(out, clip_value)
    want = CL.rule("value").step({"g": np.concatenate(grads), "c": clip_value})["g"]
    np.testing.assert_array_equal(np.concatenate(out), want)


def test_clip_eps_constant_is_the_codes():
    """The pages quote CLIP_EPS; it must be the literal in clip_grads (the textbook's idiom writes it inline)."""
    import inspect
    import re

    literal = re.search(r"\(total_norm \+ ([0-9.e-]+)\)", inspect.getsource(CL.clip_grads)).group(1)
    assert float(literal) == CL.CLIP_EPS
    assert NZ.TEXTBOOK_DEFAULTS == {"momentum": 0.9, "eps": 10e-7}  # common/layers.py writes 10e-7


def test_clip_grads_scales_only_above_the_threshold():
    g = [np.array([3.0, 4.0])]
    CL.clip_grads(g, 10.0)
    np.testing.assert_array_equal(g[0], [3.0, 4.0])
    CL.clip_grads(g, 1.0)
    np.testing.assert_allclose(g[0], np.array([0.6, 0.8]) * 5 / (5 + 1e-6), rtol=1e-13)
    with pytest.raises(ValueError, match="unknown form"):
        CL.rule("l1")


def test_cliff_catapults_plain_descent_and_not_clipped_descent():
    """What the page's figure shows, executed: one unclipped step at the wall jumps far; clipped steps do not."""
    plain = np.array(CL.descend((3.0, 1.0), 0.2, 30))
    clipped = np.array(CL.descend((3.0, 1.0), 0.2, 30, max_norm=1.0))
    jumps = np.linalg.norm(np.diff(plain, axis=0), axis=1)
    assert jumps.max() > 5
    assert np.linalg.norm(np.diff(clipped, axis=0), axis=1).max() <= 0.2 * (1 + 1e-9) + 1e-12 + 0.2 * 0.0
    assert CL.cliff_loss(clipped[-1]) < CL.cliff_loss(plain[-1])
    eps = 1e-6
    g = CL.cliff_grad(np.array([1.2, 0.3]))
    fd = [(CL.cliff_loss(np.array([1.2 + eps, 0.3])) - CL.cliff_loss(np.array([1.2 - eps, 0.3]))) / (2 * eps),
          (CL.cliff_loss(np.array([1.2, 0.3 + eps])) - CL.cliff_loss(np.array([1.2, 0.3 - eps]))) / (2 * eps)]
    np.testing.assert_allclose(g, fd, rtol=1e-6)


def test_rnn_loss_gradient_is_its_derivative_and_explodes_near_the_wall():
    for w, b in ((3.0, -1.0), (6.0, -3.0)):
        _, gw, gb = CL.rnn_loss(w, b)
        h = 1e-6
        fw = (CL.rnn_loss(w + h, b)[0] - CL.rnn_loss(w - h, b)[0]) / (2 * h)
        fb = (CL.rnn_loss(w, b + h)[0] - CL.rnn_loss(w, b - h)[0]) / (2 * h)
        np.testing.assert_allclose([gw, gb], [fw, fb], rtol=1e-5)
    near_wall = max(abs(CL.rnn_loss(w, -2.5)[1]) for w in np.linspace(4.7, 4.9, 2001))
    assert near_wall > 100 * abs(CL.rnn_loss(3.0, -2.5)[1])
