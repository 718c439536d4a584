"""The chapter's reference code (optimizers/techniques: schedules, early stopping, weight averaging, second-order
methods) against its sympy formulas and against definitions written out independently here."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizers import SGD
from optimizers.techniques import averaging as A
from optimizers.techniques import early_stopping as E
from optimizers.techniques import schedules as S
from optimizers.techniques import second_order as N

SCHEDULES = {
    "step": S.StepDecay(lr=0.3, step_size=4, gamma=0.5),
    "exponential": S.ExponentialDecay(lr=0.2, gamma=0.9),
    "linear": S.LinearDecay(lr=0.1, lr_end=0.004, tau=12),
    "cosine": S.CosineAnnealing(lr=0.1, T_max=20, eta_min=0.002),
    "warmup": S.LinearWarmup(lr=0.4, warmup=5, start_factor=0.25),
    "warmup_cosine": S.WarmupCosine(lr=0.1, warmup=4, total=24, start_factor=0.1, eta_min=0.001),
}


# -- schedules -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", list(S.CLASSES))
def test_schedule_class_equals_its_formula(kind):
    """get_lr(t) and the sympy rule's η_t agree for t = 0 … 40, and the rule's W ← W − η_t g is SGD's step."""
    sch = SCHEDULES[kind]
    rule = S.rule(kind)
    for t in range(41):
        env = S.rule_env(kind, sch, t)
        env.update(W=np.array([1.5]), g=np.array([-0.4]))
        out = rule.step(env)
        assert float(out["eta_t"]) == pytest.approx(sch.get_lr(t), rel=1e-13, abs=1e-15)
        params = {"W": np.array([1.5])}
        SGD(lr=sch.get_lr(t)).update(params, {"W": np.array([-0.4])})
        assert float(out["W"][0]) == pytest.approx(float(params["W"][0]), rel=1e-13)


def test_schedules_by_their_definitions():
    """The values the papers' formulas give, written out independently (t counted from 0)."""
    step, exp_, lin, cos_, warm, wc = (SCHEDULES[k] for k in SCHEDULES)
    assert [step.get_lr(t) for t in (0, 3, 4, 7, 8, 12)] == pytest.approx([0.3, 0.3, 0.15, 0.15, 0.075, 0.0375])
    assert exp_.get_lr(3) == pytest.approx(0.2 * 0.9**3)
    assert lin.get_lr(0) == 0.1 and lin.get_lr(12) == pytest.approx(0.004) and lin.get_lr(40) == pytest.approx(0.004)
    assert lin.get_lr(6) == pytest.approx((0.1 + 0.004) / 2)
    assert cos_.get_lr(0) == pytest.approx(0.1) and cos_.get_lr(20) == pytest.approx(0.002)
    assert cos_.get_lr(10) == pytest.approx((0.1 + 0.002) / 2)
    assert warm.get_lr(0) == pytest.approx(0.1) and warm.get_lr(5) == pytest.approx(0.4)
    assert warm.get_lr(2) == pytest.approx(0.4 * (0.25 + 0.75 * 2 / 5)) and warm.get_lr(9) == pytest.approx(0.4)
    assert wc.get_lr(0) == pytest.approx(0.01) and wc.get_lr(4) == pytest.approx(0.1)
    assert wc.get_lr(24) == pytest.approx(0.001) and wc.get_lr(14) == pytest.approx((0.1 + 0.001) / 2)


def test_run_sgd_uses_eta_0_first():
    """W after k steps under a schedule: the first update uses η_0 (t = 0), the k-th uses η_{k−1}."""
    sch = S.StepDecay(lr=0.5, step_size=2, gamma=0.1)
    params = {"W": np.array([2.0])}
    used = S.run_sgd(sch, params, lambda p: {"W": 2 * p["W"]}, 3)  # L = W²
    assert used == pytest.approx([0.5, 0.5, 0.05])
    w = 2.0
    for eta in (0.5, 0.5, 0.05):
        w -= eta * 2 * w
    assert params["W"][0] == pytest.approx(w)


def test_schedule_rule_names_its_source_and_rejects_unknown():
    assert "Loshchilov" in S.rule("cosine").note
    assert S.eta_latex("step").startswith(r"\eta_t = \eta_0 \gamma^")
    with pytest.raises(ValueError, match="unknown schedule"):
        S.rule("triangle")


# -- early stopping --------------------------------------------------------------------------------------
def _kept_by_definition(losses, patience, min_delta=0.0):
    """Brute force: stop at the first epoch e with `patience` epochs since the last improvement."""
    best, best_epoch, last_improved = math.inf, None, 0
    for e, v in enumerate(losses, start=1):
        if v < best - min_delta:
            best, best_epoch, last_improved = v, e, e
        if e - last_improved >= patience:
            return best_epoch, e
    return best_epoch, None


@settings(max_examples=300, deadline=None)
@given(losses=st.lists(st.integers(1, 30).map(lambda k: k / 10), min_size=1, max_size=25),
       patience=st.integers(1, 6), min_delta=st.sampled_from([0.0, 0.05, 0.2]))
def test_early_stopping_matches_definition(losses, patience, min_delta):
    assert E.run(losses, patience, min_delta) == _kept_by_definition(losses, patience, min_delta)


def test_early_stopping_example():
    losses = [0.9, 0.7, 0.6, 0.62, 0.61, 0.58, 0.59, 0.6, 0.63]
    assert E.run(losses, 2) == (3, 5)  # epochs 4 and 5 do not improve on 0.6
    assert E.run(losses, 3) == (6, 9)
    assert E.run(losses, 4) == (6, None)
    assert E.run([0.5, 0.5, 0.5], 2) == (1, 3)  # a tie is no improvement


# -- weight averaging ------------------------------------------------------------------------------------
@settings(max_examples=100, deadline=None)
@given(ws=st.lists(st.floats(-5, 5), min_size=1, max_size=12), decay=st.sampled_from([0.5, 0.9, 0.99]))
def test_averages_match_their_definitions(ws, decay):
    polyak, ema = A.PolyakAverage(), A.EMA(decay)
    for w in ws:
        params = {"W": np.array([w])}
        polyak.update(params)
        ema.update(params)
    assert polyak.avg["W"][0] == pytest.approx(np.mean(ws), abs=1e-12)
    expected = ws[0]
    for w in ws[1:]:
        expected = decay * expected + (1 - decay) * w
    assert ema.avg["W"][0] == pytest.approx(expected, abs=1e-12)
    assert polyak.n == len(ws)


def test_average_rules_equal_the_classes():
    rng = np.random.default_rng(5)
    ws = rng.normal(size=(8, 3))
    polyak, ema = A.PolyakAverage(), A.EMA(0.8)
    avg_p = avg_e = None
    for n, w in enumerate(ws, start=1):
        polyak.update({"W": w.copy()})
        ema.update({"W": w.copy()})
        if n == 1:
            avg_p, avg_e = w.copy(), w.copy()
        else:
            avg_p = A.rule("polyak").step({"W": w, "avg": avg_p, "n": n})["avg"]
            avg_e = A.rule("ema").step({"W": w, "avg": avg_e, "beta": 0.8})["avg"]
        np.testing.assert_allclose(polyak.avg["W"], avg_p, rtol=1e-13)
        np.testing.assert_allclose(ema.avg["W"], avg_e, rtol=1e-13)


# -- second-order methods --------------------------------------------------------------------------------
def test_newton_one_step_on_a_quadratic_is_exact():
    rng = np.random.default_rng(1)
    for _ in range(20):
        M = rng.normal(size=(3, 3))
        H = M @ M.T + 0.5 * np.eye(3)  # positive definite
        b = rng.normal(size=3)
        w0 = rng.normal(size=3)
        w1 = N.newton_step(w0, H @ w0 - b, H)  # L = ½wᵀHw − bᵀw
        np.testing.assert_allclose(w1, np.linalg.solve(H, b), rtol=1e-10, atol=1e-12)
        params = {"W": w0.copy()}
        N.Newton().update(params, {"W": H @ w0 - b}, {"W": H})
        np.testing.assert_allclose(params["W"], w1, rtol=1e-12)


def test_newton_rule_is_the_class_in_one_variable():
    for w, g, h in [(1.0, 2.0, 4.0), (-0.5, 0.3, -2.0), (3.0, -1.2, 0.5)]:
        out = N.rule().step({"W": np.array([w]), "g": np.array([g]), "h": np.array([h])})
        assert float(out["W"][0]) == pytest.approx(float(N.newton_step(w, g, h)[0]))


def test_newton_jumps_onto_a_saddle():
    """On x² − y² every Newton step lands on the saddle point (0, 0): Newton seeks zero gradient."""
    H = np.diag([2.0, -2.0])
    for start in ([1.0, 0.3], [-2.0, 1.5], [0.1, -3.0]):
        w = np.array(start)
        np.testing.assert_allclose(N.newton_step(w, H @ w, H), [0.0, 0.0], atol=1e-15)
        assert N.classify(H) == "saddle"


def test_condition_number_classify_and_rate():
    H = np.array([[3.0, 1.0], [1.0, 2.0]])
    lam = np.linalg.eigvals(H).real
    assert N.condition_number(H) == pytest.approx(lam.max() / lam.min())
    assert N.condition_number(np.diag([0.1, 2.0])) == pytest.approx(20.0)
    assert N.classify(np.diag([1.0, 2.0])) == "minimum"
    assert N.classify(np.diag([-1.0, -2.0])) == "maximum"
    assert N.classify(np.diag([0.0, 2.0])) == "degenerate"
    # the best fixed learning rate 2/(λmin+λmax) gives the rate (κ − 1)/(κ + 1)
    k = N.condition_number(H)
    assert N.gd_rate(H, 2 / (lam.min() + lam.max())) == pytest.approx((k - 1) / (k + 1))


def test_conjugate_gradient_finishes_in_n_steps_and_matches_scipy():
    from scipy.sparse.linalg import cg

    rng = np.random.default_rng(3)
    for n in (2, 3, 5):
        M = rng.normal(size=(n, n))
        A_ = M @ M.T + n * np.eye(n)
        b = rng.normal(size=n)
        path = N.conjugate_gradient(A_, b, np.zeros(n))
        assert len(path) <= n + 1
        np.testing.assert_allclose(path[-1], np.linalg.solve(A_, b), rtol=1e-8, atol=1e-10)
        x_scipy, info = cg(A_, b, rtol=1e-12, atol=0.0)
        assert info == 0
        np.testing.assert_allclose(path[-1], x_scipy, rtol=1e-7, atol=1e-9)
    # steepest descent with exact line search has not arrived after 2 steps on the same 2-D problem
    A2 = np.array([[3.0, 1.0], [1.0, 2.0]])
    sd = N.steepest_descent(A2, np.array([1.0, 1.0]), np.array([-2.0, 2.0]), 2)
    assert np.linalg.norm(sd[-1] - np.linalg.solve(A2, [1.0, 1.0])) > 1e-3


def test_bfgs_reaches_rosenbrock_minimum_like_scipy():
    from scipy.optimize import minimize, rosen, rosen_der

    path = N.bfgs(rosen, rosen_der, [-1.2, 1.0])
    np.testing.assert_allclose(path[-1], [1.0, 1.0], atol=1e-6)
    ref = minimize(rosen, [-1.2, 1.0], jac=rosen_der, method="BFGS", options={"gtol": 1e-8})
    np.testing.assert_allclose(path[-1], ref.x, atol=1e-5)
    assert len(path) - 1 < 100  # superlinear: tens of steps, where gradient descent needs thousands
    # the first step goes along −∇f (the approximation starts as the identity)
    g0 = rosen_der(np.array([-1.2, 1.0]))
    d = path[1] - path[0]
    assert np.dot(d, -g0) == pytest.approx(np.linalg.norm(d) * np.linalg.norm(g0))
