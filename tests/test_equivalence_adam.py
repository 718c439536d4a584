"""The Adam-family findings of quizgen.equivalence: the proofs hold, and every figure is what execution gives.

Figures are recomputed here independently (the reference classes, closed forms, and torch.optim itself
where marked), never compared with typed-in numbers; the exam-style values 3.16η / 31.6η / 0.1η are
checked as claims that execution reproduces.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from optimizers import Adam, AdamW
from quizgen import equivalence as E
from quizgen import problems as P

MINE = ("adam_lr_t_form", "adam_textbook_vs_torch_eps", "sgd_l2_equals_decoupled", "adam_l2_vs_adamw",
        "adamw_paper_vs_torch", "adam_first_step_bias_correction", "adam_first_step_sign")


@pytest.fixture(scope="module")
def found():
    return {name: E.REGISTRY[name]() for name in MINE}


def _path(opt, problem="ravine", start=(-7.0, 2.0), steps=30, before=None):
    prob = P.get(problem)
    params = prob.params(start)
    rows = [[float(params["x"]), float(params["y"])]]
    for t in range(1, steps + 1):
        if before:
            before(opt, t)
        opt.update(params, prob.gradients(params))
        rows.append([float(params["x"]), float(params["y"])])
    return np.array(rows)


def _torch_path(cls, before=None, problem="ravine", start=(-7.0, 2.0), steps=30, **kwargs):
    """The same run with torch.optim itself (float64)."""
    import torch

    from quizgen.conformance import float64

    prob = P.get(problem)
    with float64():
        x, y = (torch.tensor(float(v), requires_grad=True) for v in start)
        opt = cls([x, y], foreach=False, **kwargs)
        rows = [[float(x.detach()), float(y.detach())]]
        for t in range(1, steps + 1):
            if before:
                before(opt, t)
            gx, gy = prob.grad(float(x.detach()), float(y.detach()))
            x.grad, y.grad = torch.tensor(float(gx)), torch.tensor(float(gy))
            opt.step()
            rows.append([float(x.detach()), float(y.detach())])
    return np.array(rows)


def test_registered_and_renderable(found):
    for name, f in found.items():
        assert E.REGISTRY[name] is getattr(E, name)
        assert f.key == name and f.title_ja and f.statement_ja
        json.dumps(f.figures)  # plain numbers and lists only (the site and the exports read them)
        for text in f.latex.values():
            assert isinstance(text, str) and text


# -- proofs --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["adam_lr_t_form", "sgd_l2_equals_decoupled", "adamw_paper_vs_torch"])
def test_proofs_hold(found, name):
    f = found[name]
    assert f.proven is True
    assert f.residuals and all(r == 0 for r in f.residuals.values())


def test_adam_same_eps_is_not_the_same_step(found):
    """The counter-claim is shown too: with ε̂ = ε the difference is a nonzero multiple of ε."""
    text = found["adam_lr_t_form"].latex["W（ゼロつく, ε̂ = ε）− W（論文）"]
    assert text != "0" and r"\varepsilon" in text


def test_adamw_same_number_is_not_the_same_step(found):
    text = found["adamw_paper_vs_torch"].latex["W（torch, weight_decay = λ）− W（論文）"]
    assert text != "0" and r"\lambda" in text


# -- figures = execution -------------------------------------------------------------------------------------------
def test_adam_eps_figures_are_executed(found):
    f = found["adam_textbook_vs_torch_eps"].figures
    lr, eps, b2 = f["lr"], f["eps"], f["beta2"]
    textbook = _path(Adam(lr=lr, eps=eps))
    from optimizers import from_torch
    same = _path(from_torch("adam", lr=lr, eps=eps))
    assert f["W の差の最大値（同じ ε）"] == pytest.approx(float(np.abs(textbook - same).max()), rel=1e-9)
    assert f["W の差の最大値（同じ ε）"] > 1e6 * f["W の差の最大値（torch の ε を ε/√(1−β2^t) に）"]
    assert f["W の差の最大値（torch の ε を ε/√(1−β2^t) に）"] < 1e-13 and f["W の差の最大値（両方 ε = 0）"] < 1e-13
    assert f["eps_1 = eps/√(1−β2)"] == pytest.approx(eps / np.sqrt(1 - b2), rel=1e-15)
    assert f"{f['W の差の最大値（同じ ε）']:.2g}" in found["adam_textbook_vs_torch_eps"].statement_ja


@pytest.mark.torch
def test_adam_eps_figures_against_torch_itself(found):
    import torch

    f = found["adam_textbook_vs_torch_eps"].figures
    lr, eps, b2 = f["lr"], f["eps"], f["beta2"]
    textbook = _path(Adam(lr=lr, eps=eps))
    same = _torch_path(torch.optim.Adam, lr=lr, eps=eps)

    def step_eps(opt, t):
        opt.param_groups[0]["eps"] = eps / np.sqrt(1 - b2**t)

    matched = _torch_path(torch.optim.Adam, before=step_eps, lr=lr, eps=eps)
    assert float(np.abs(textbook - same).max()) == pytest.approx(f["W の差の最大値（同じ ε）"], rel=1e-6)
    assert float(np.abs(textbook - matched).max()) < 1e-13


def test_adamw_figures_are_executed(found):
    f = found["adamw_paper_vs_torch"].figures
    alpha, lam, sched = f["alpha"], f["lambda"], f["schedule"]
    from optimizers import from_torch
    cls = _path(AdamW(lr=alpha, weight_decay=lam, schedule=sched))
    bad = _path(from_torch("adamw", lr=alpha * sched, weight_decay=lam))
    assert f["W の差の最大値（weight_decay = λ）"] == pytest.approx(float(np.abs(cls - bad).max()), rel=1e-12)
    assert f["W の差の最大値（weight_decay = λ/α）"] < 1e-13
    assert f["weight_decay = λ/α"] == pytest.approx(lam / alpha)


@pytest.mark.torch
def test_adamw_figures_against_torch_itself(found):
    import torch

    f = found["adamw_paper_vs_torch"].figures
    alpha, lam, sched = f["alpha"], f["lambda"], f["schedule"]
    cls = _path(AdamW(lr=alpha, weight_decay=lam, schedule=sched))
    ok = _torch_path(torch.optim.AdamW, lr=alpha * sched, weight_decay=lam / alpha)
    bad = _torch_path(torch.optim.AdamW, lr=alpha * sched, weight_decay=lam)
    assert float(np.abs(cls - ok).max()) < 1e-13
    assert float(np.abs(cls - bad).max()) == pytest.approx(f["W の差の最大値（weight_decay = λ）"], rel=1e-9)


@pytest.mark.torch
def test_adam_l2_vs_adamw_against_torch_itself(found):
    import torch

    f = found["adam_l2_vs_adamw"].figures
    lr, lam = f["lr"], f["weight_decay"]
    l2 = _torch_path(torch.optim.Adam, lr=lr, weight_decay=lam)
    dw = _torch_path(torch.optim.AdamW, lr=lr, weight_decay=lam)
    assert float(np.abs(l2 - dw).max()) == pytest.approx(f["W の差の最大値（Adam + L2 と AdamW）"], rel=1e-9)
    assert f["final W (AdamW)"] == pytest.approx(dw[-1].tolist(), rel=1e-12)


def test_adam_l2_vs_adamw_first_steps(found):
    f = found["adam_l2_vs_adamw"].figures
    lr, lam, w0 = f["lr"], f["weight_decay"], 2.0
    eps = 1e-8  # torch's default, which the finding uses
    assert f[f"first step at W = {w0:g}, g = 0: AdamW"] == pytest.approx(lr * lam * w0, rel=1e-12)
    assert f[f"first step at W = {w0:g}, g = 0: Adam + L2"] == pytest.approx(
        lr * lam * w0 / (lam * w0 + eps), rel=1e-12)
    assert f["W の差の最大値（Adam + L2 と AdamW）"] > 0.1


def test_first_step_sizes_with_and_without_bias_correction(found):
    f = found["adam_first_step_bias_correction"].figures
    b1, b2 = f["beta1"], f["beta2"]
    closed = {"両方補正（正しい）": 1.0, "補正なし": (1 - b1) / np.sqrt(1 - b2), "m だけ補正": 1 / np.sqrt(1 - b2),
              "v だけ補正": 1 - b1}
    for label, value in closed.items():
        assert f[f"1 回目の更新量 ÷ η（{label}）"] == pytest.approx(value, rel=1e-12)
    # what reference/exam-style.md states for β = (0.9, 0.999), reproduced by execution at 3 significant digits
    shown = {k: float(f"{f[f'1 回目の更新量 ÷ η（{k}）']:.3g}") for k in closed}
    assert shown == {"両方補正（正しい）": 1.0, "補正なし": 3.16, "m だけ補正": 31.6, "v だけ補正": 0.1}
    # independent of the gradient's size and sign
    other = E.adam_first_step_bias_correction(g=-7.0).figures
    for label in closed:
        assert other[f"1 回目の更新量 ÷ η（{label}）"] == pytest.approx(f[f"1 回目の更新量 ÷ η（{label}）"], rel=1e-12)


def test_first_step_is_lr_times_sign(found):
    f = found["adam_first_step_sign"].figures
    lr = f["lr"]
    rows = f["first step ΔW/η"]
    b2 = 0.999
    for row in rows:
        g = row["g"]
        assert row["torch ΔW/η"] == pytest.approx(-g / (abs(g) + 1e-8), rel=1e-12)
        assert row["textbook ΔW/η"] == pytest.approx(-g / (abs(g) + 1e-7 / np.sqrt(1 - b2)), rel=1e-9)
        params = {"w": np.array(0.0)}
        Adam(lr=lr).update(params, {"w": np.array(g)})
        assert float(params["w"]) / lr == pytest.approx(row["textbook ΔW/η"], rel=1e-12)
    listed = rows[:-1]
    worst = max(max(abs(abs(r["textbook ΔW/η"]) - 1), abs(abs(r["torch ΔW/η"]) - 1)) for r in listed)
    assert f["更新量 ÷ η と 1 の差の最大値（並べた g）"] == worst < 0.01
    assert abs(rows[-1]["textbook ΔW/η"]) < 0.5  # near ε the textbook's larger effective ε shows
