"""The chapter's reference code against PyTorch (CPU, float64): learning-rate schedules against
torch.optim.lr_scheduler (StepLR, ExponentialLR, LinearLR, CosineAnnealingLR, SequentialLR), weight averages
against torch.optim.swa_utils.AveragedModel.

Epoch counting: torch's scheduler starts at ``last_epoch = 0``; the optimizer's first ``step()`` uses the
initial lr (η_0), then ``scheduler.step()`` moves to t = 1. Our ``get_lr(t)`` counts t from 0 the same way, so
the lr torch uses for its k-th ``optimizer.step()`` is ``get_lr(k − 1)``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.optim import lr_scheduler as L
from torch.optim import swa_utils

from optimizers.techniques import averaging as A
from optimizers.techniques import schedules as S

pytestmark = pytest.mark.torch
STEPS = 80


def _torch_lrs(lr: float, make, steps: int = STEPS, w0: float = 1.0, grad=lambda w: 2 * w):
    """The lr of each optimizer.step() under torch's scheduler, and the parameter after each (L = w²)."""
    p = torch.nn.Parameter(torch.tensor([w0], dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=lr)
    sch = make(opt)
    lrs, ws = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SequentialLR's deprecation notice about the epoch argument
        for _ in range(steps):
            lrs.append(opt.param_groups[0]["lr"])
            opt.zero_grad()
            p.grad = grad(p.detach().clone())
            opt.step()
            sch.step()
            ws.append(float(p.detach()[0]))
    return lrs, ws


def _ours(schedule, steps: int = STEPS, w0: float = 1.0):
    """Our lrs and W after each step (the gradient function sees W before each update)."""
    params = {"W": np.array([w0])}
    seen = []

    def grad(p):
        seen.append(float(p["W"][0]))
        return {"W": 2 * p["W"]}

    lrs = S.run_sgd(schedule, params, grad, steps)
    return lrs, seen[1:] + [float(params["W"][0])]


def _check(ours, make):
    lrs, ws = _torch_lrs(ours.lr, make)
    mine, my_ws = _ours(ours)
    np.testing.assert_allclose(mine, lrs, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(my_ws, ws, rtol=1e-10, atol=1e-14)


lrs_ = st.sampled_from([0.01, 0.05, 0.1, 0.3])


@settings(max_examples=25, deadline=None)
@given(lr=lrs_, step_size=st.integers(1, 12), gamma=st.sampled_from([0.1, 0.5, 0.8]))
def test_step_decay_is_steplr(lr, step_size, gamma):
    _check(S.StepDecay(lr, step_size, gamma), lambda o: L.StepLR(o, step_size=step_size, gamma=gamma))


@settings(max_examples=25, deadline=None)
@given(lr=lrs_, gamma=st.sampled_from([0.9, 0.95, 0.99]))
def test_exponential_decay_is_exponentiallr(lr, gamma):
    _check(S.ExponentialDecay(lr, gamma), lambda o: L.ExponentialLR(o, gamma=gamma))


@settings(max_examples=25, deadline=None)
@given(lr=lrs_, ratio=st.sampled_from([0.01, 0.1, 0.5]), tau=st.integers(1, 60))
def test_linear_decay_is_linearlr(lr, ratio, tau):
    _check(S.LinearDecay(lr, lr * ratio, tau),
           lambda o: L.LinearLR(o, start_factor=1.0, end_factor=ratio, total_iters=tau))


@settings(max_examples=25, deadline=None)
@given(lr=lrs_, T=st.integers(1, 60), eta_min=st.sampled_from([0.0, 0.001]))
def test_cosine_annealing_is_cosineannealinglr(lr, T, eta_min):
    """Also past T_max: torch's recursive form continues the cosine, as the closed form does."""
    _check(S.CosineAnnealing(lr, T, eta_min), lambda o: L.CosineAnnealingLR(o, T_max=T, eta_min=eta_min))


@settings(max_examples=25, deadline=None)
@given(lr=lrs_, warmup=st.integers(1, 20), c=st.sampled_from([0.01, 0.1, 0.25, 0.5]))
def test_linear_warmup_is_linearlr(lr, warmup, c):
    _check(S.LinearWarmup(lr, warmup, c), lambda o: L.LinearLR(o, start_factor=c, end_factor=1.0, total_iters=warmup))


@settings(max_examples=25, deadline=None)
@given(lr=lrs_, warmup=st.integers(1, 15), rest=st.integers(1, 60), c=st.sampled_from([0.01, 0.1, 0.5]),
       eta_min=st.sampled_from([0.0, 0.001]))
def test_warmup_cosine_is_sequentiallr(lr, warmup, rest, c, eta_min):
    ours = S.WarmupCosine(lr, warmup, warmup + rest, c, eta_min)
    _check(ours, lambda o: L.SequentialLR(o, [L.LinearLR(o, start_factor=c, total_iters=warmup),
                                              L.CosineAnnealingLR(o, T_max=rest, eta_min=eta_min)],
                                          milestones=[warmup]))


def test_warmup_cosine_is_lambdalr():
    ours = S.WarmupCosine(0.1, 5, 40, 0.1, 0.0)
    _check(ours, lambda o: L.LambdaLR(o, lambda t: ours.get_lr(t) / ours.lr))


def test_off_by_one_would_be_caught():
    """Negative control: counting t from 1 (the first update with η_1) differs from torch."""
    ours = S.StepDecay(0.1, 3, 0.5)
    lrs, _ = _torch_lrs(0.1, lambda o: L.StepLR(o, 3, 0.5))
    shifted = [ours.get_lr(t + 1) for t in range(STEPS)]
    assert not np.allclose(shifted, lrs)


# -- weight averaging -----------------------------------------------------------------------------------
def _weights(seed: int, n: int):
    return np.random.default_rng(seed).normal(size=(n, 4))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_polyak_average_is_averagedmodel(seed):
    ws = _weights(seed, 15)
    model = torch.nn.Linear(4, 1, bias=False).double()
    avg = swa_utils.AveragedModel(model)
    ours = A.PolyakAverage()
    for w in ws:
        with torch.no_grad():
            model.weight.copy_(torch.tensor(w[None, :]))
        avg.update_parameters(model)
        ours.update({"W": w.copy()})
        np.testing.assert_allclose(ours.avg["W"], avg.module.weight.detach().numpy()[0], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("decay", [0.5, 0.9, 0.999])
def test_ema_is_averagedmodel_with_ema_fn(decay):
    ws = _weights(7, 15)
    for kw in ({"avg_fn": swa_utils.get_ema_avg_fn(decay)}, {"multi_avg_fn": swa_utils.get_ema_multi_avg_fn(decay)}):
        model = torch.nn.Linear(4, 1, bias=False).double()
        avg = swa_utils.AveragedModel(model, **kw)
        ours = A.EMA(decay)
        for w in ws:
            with torch.no_grad():
                model.weight.copy_(torch.tensor(w[None, :]))
            avg.update_parameters(model)
            ours.update({"W": w.copy()})
            np.testing.assert_allclose(ours.avg["W"], avg.module.weight.detach().numpy()[0], rtol=1e-12,
                                       atol=1e-14)
