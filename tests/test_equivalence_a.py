"""quizgen.equivalence, part A: the symbolic proofs hold, and every figure is what execution gives.

Expected numbers are recomputed here from the formulas with plain numpy loops (a second, independent
execution), never typed in.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import optimizers
from quizgen import equivalence as E
from quizgen import problems as P

PROOFS = ["momentum_vs_torch", "nesterov_vs_torch", "nesterov_lookahead_vs_sutskever", "nesterov_old_order",
          "adadelta_vs_torch"]


@pytest.mark.parametrize("name", PROOFS)
def test_symbolic_proofs_hold(name):
    f = E.REGISTRY[name]()
    assert f.proven is True
    assert f.residuals
    for label, residual in f.residuals.items():
        assert sp.simplify(residual) == 0, label


@pytest.mark.parametrize("name", ["momentum_vs_torch", "nesterov_vs_torch"])
def test_proofs_unroll_three_steps_and_induct(name):
    labels = list(E.REGISTRY[name]().residuals)
    for t in (1, 2, 3):
        assert f"W_{t}（ゼロつく − PyTorch）" in labels and f"v_{t} + η b_{t}" in labels
    assert any(label.startswith("帰納法") for label in labels)


def test_symbolic_step_detects_a_wrong_claim():
    """Negative control: the textbook Momentum rule is NOT the Nesterov rule (the residual is not 0)."""
    w, v, g, eta, mu = sp.symbols("W v g eta mu", real=True)
    a = E.sym_step(optimizers.rule("momentum", "textbook"), {"W": w, "v": v, "g": g, "eta": eta, "alpha": mu})
    b = E.sym_step(optimizers.rule("nesterov", "textbook"), {"W": w, "v": v, "g": g, "eta": eta, "mu": mu})
    assert sp.simplify(a["W"] - b["W"]) != 0


def test_every_finding_has_text():
    for name, fn in E.REGISTRY.items():
        f = fn()
        assert isinstance(f, E.Finding) and f.title_ja and f.statement_ja and f.key, name
        assert f.proven is not None or f.figures, name


def test_momentum_varying_lr_figure():
    f = E.momentum_vs_torch()
    lr0, factor = f.figures["初めの学習率"], f.figures["学習率に毎ステップ掛ける数"]
    mu, steps = f.figures["モーメンタム係数"], f.figures["ステップ数"]
    prob = P.get("bowl")
    x_tb = x_pt = np.array([-7.0, 2.0])
    v, b = np.zeros(2), np.zeros(2)
    worst = 0.0
    for i in range(steps):
        lr = lr0 * factor**i
        v = mu * v - lr * np.array(prob.grad(*x_tb))
        x_tb = x_tb + v
        g = np.array(prob.grad(*x_pt))
        b = g if i == 0 else mu * b + g
        x_pt = x_pt - lr * b
        worst = max(worst, float(np.abs(x_tb - x_pt).max()))
    assert f.figures["学習率を毎ステップ変えたときの W の差の最大値"] == pytest.approx(worst, rel=1e-12)
    assert worst > 1e-3  # a schedule breaks the equivalence


def test_sutskever_figures():
    f = E.nesterov_lookahead_vs_sutskever()
    lr, mu, steps = f.figures["学習率"], f.figures["モーメンタム係数"], f.figures["ステップ数"]
    prob = P.get("ravine")
    # the textbook (look-ahead) form and Sutskever's form, written out directly
    w, v_w = np.array([-7.0, 2.0]), np.zeros(2)
    th, v = np.array([-7.0, 2.0]), np.zeros(2)
    d_ahead = d_theta = 0.0
    for _ in range(steps):
        g = np.array(prob.grad(*w))
        w = w + mu * mu * v_w - (1 + mu) * lr * g
        v_w = mu * v_w - lr * g
        v = mu * v - lr * np.array(prob.grad(*(th + mu * v)))
        th = th + v
        d_ahead = max(d_ahead, float(np.abs(w - (th + mu * v)).max()))
        d_theta = max(d_theta, float(np.abs(w - th).max()))
    assert f.figures["ゼロつくの W と Sutskever の W + μv の差の最大値"] < 1e-12 and d_ahead < 1e-12
    assert f.figures["ゼロつくの W と Sutskever の W の差の最大値"] == pytest.approx(d_theta, rel=1e-9)
    np.testing.assert_allclose(f.figures["最後の W（ゼロつく）"], w, rtol=1e-12)
    np.testing.assert_allclose(f.figures["最後の W（Sutskever）"], th, rtol=1e-9)
    assert f.proven and len(f.residuals) == 3
    assert d_theta > 1e-3  # the stored variables differ


def test_old_nesterov_order_reproduces_the_worked_example():
    f = E.nesterov_old_order()
    lr, mu, theta0 = f.figures["学習率"], f.figures["モーメンタム係数"], f.figures["W₀"]
    n = len(f.figures["正しい順序の W_t"])
    w_ok, v_ok, w_old, v_old = theta0, 0.0, theta0, 0.0
    correct, old = [], []
    for _ in range(n):
        g = 2.0 * w_ok  # L = θ²
        w_ok += mu * mu * v_ok - (1 + mu) * lr * g
        v_ok = mu * v_ok - lr * g
        correct.append(w_ok)
        g = 2.0 * w_old
        v_old = mu * v_old - lr * g  # old order: v first ...
        w_old += mu * mu * v_old - (1 + mu) * lr * g  # ... then W with the NEW v
        old.append(w_old)
    np.testing.assert_allclose(f.figures["正しい順序の W_t"], correct, rtol=1e-12)
    np.testing.assert_allclose(f.figures["旧版の W_t"], old, rtol=1e-12)
    # first step in closed form: correct θ₀ − (1+μ)·η·2θ₀, old θ₀ − (1+μ+μ²)·η·2θ₀
    assert correct[0] == pytest.approx(theta0 - (1 + mu) * lr * 2 * theta0, rel=1e-12)
    assert old[0] == pytest.approx(theta0 - (1 + mu + mu * mu) * lr * 2 * theta0, rel=1e-12)
    assert round(correct[0], 3) != round(old[0], 3)
    assert f"{correct[0]:.4g}" in f.statement_ja and f"{old[0]:.4g}" in f.statement_ja


def test_old_order_rule_is_the_textbook_rule_reversed():
    old, tb = E.old_nesterov_rule(), optimizers.rule("nesterov", "textbook")
    assert old.assignments == list(reversed(tb.assignments))


def test_rmsprop_eps_placement_figures():
    f = E.rmsprop_eps_placement()
    names = ("学習率", "減衰率 ρ", "ε（√ の外）", "δ（√ の中）", "ステップ数")
    lr, rho, eps, delta, steps = (f.figures[k] for k in names)
    for row in f.figures["初回の更新量"]:
        g = row["g"]
        assert row["√ の外"] == pytest.approx(lr * g / (np.sqrt((1 - rho) * g * g) + eps), rel=1e-12)
        assert row["√ の中"] == pytest.approx(lr * g / np.sqrt(delta + (1 - rho) * g * g), rel=1e-12)
    prob = P.get("ravine")

    def path(denominator, c):
        x, h, rows = np.array([-7.0, 2.0]), np.zeros(2), [np.array([-7.0, 2.0])]
        for _ in range(steps):
            g = np.array(prob.grad(*x))
            h = rho * h + (1 - rho) * g * g
            x = x - lr * g / denominator(h, c)
            rows.append(x)
        return np.array(rows)

    outside = path(lambda h, c: np.sqrt(h) + c, eps)
    same = path(lambda h, c: np.sqrt(c + h), eps)
    own = path(lambda h, c: np.sqrt(c + h), delta)
    assert f.figures["W の差の最大値（ε = δ、置き場所だけが違う）"] == pytest.approx(
        float(np.abs(outside - same).max()), rel=1e-6)
    assert f.figures["W の差の最大値（ε はゼロつく、δ は Goodfellow の値）"] == pytest.approx(
        float(np.abs(outside - own).max()), rel=1e-6)
    assert f.figures["δ（√ の中）"] == 1e-6  # Goodfellow et al. Alg. 8.5's suggested δ


@pytest.mark.parametrize("name", ["adagrad", "rmsprop"])
def test_default_eps_figures(name):
    f = E.default_eps(name)
    lr, steps = f.figures["学習率"], f.figures["ステップ数"]
    eps_tb, eps_pt = f.figures["ゼロつくの ε"], f.figures["PyTorch の既定の ε"]
    module = optimizers.get(name)
    assert eps_tb == module.INFO.cls().eps
    assert eps_pt == optimizers.TORCH[name][1]["eps"]
    rho = module.INFO.cls().decay_rate if name == "rmsprop" else None
    prob = P.get("ravine")

    def path(eps):
        x, h, rows = np.array([-7.0, 2.0]), np.zeros(2), [np.array([-7.0, 2.0])]
        for _ in range(steps):
            g = np.array(prob.grad(*x))
            h = h + g * g if rho is None else rho * h + (1 - rho) * g * g
            x = x - lr * g / (np.sqrt(h) + eps)
            rows.append(x)
        return np.array(rows)

    assert f.figures["W の差の最大値"] == pytest.approx(float(np.abs(path(eps_tb) - path(eps_pt)).max()), rel=1e-6)
    g = f.figures["小さい勾配 g"]
    scale = 1.0 if rho is None else np.sqrt(1 - rho)
    assert f.figures["初回の更新量（ゼロつく）"] == pytest.approx(lr * g / (scale * g + eps_tb), rel=1e-12)
    assert f.figures["初回の更新量（PyTorch）"] == pytest.approx(lr * g / (scale * g + eps_pt), rel=1e-12)


@pytest.mark.torch
@pytest.mark.parametrize("name", ["adagrad", "rmsprop"])
def test_default_eps_against_real_torch(name):
    """The 'torch' side of default_eps, checked against torch.optim itself."""
    import torch

    from quizgen.conformance import float64

    f = E.default_eps(name)
    lr, steps = f.figures["学習率"], f.figures["ステップ数"]
    prob = P.get("ravine")
    kwargs = {"lr": lr} if name == "adagrad" else {"lr": lr, "alpha": optimizers.get(name).INFO.cls().decay_rate}
    with float64():
        p = torch.tensor([-7.0, 2.0], requires_grad=True)
        opt = {"adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop}[name]([p], **kwargs)
        rows = [p.detach().numpy().copy()]
        for _ in range(steps):
            p.grad = torch.tensor(prob.grad(*p.detach().numpy()))
            opt.step()
            rows.append(p.detach().numpy().copy())
    cls = optimizers.get(name).INFO.cls(lr=lr)
    params = prob.params((-7.0, 2.0))
    tb = [[-7.0, 2.0]]
    for _ in range(steps):
        cls.update(params, prob.gradients(params))
        tb.append([float(params["x"]), float(params["y"])])
    assert f.figures["W の差の最大値"] == pytest.approx(float(np.abs(np.array(tb) - rows).max()), rel=1e-6)


def test_adadelta_default_rho_figure():
    f = E.adadelta_vs_torch()
    steps = f.figures["ステップ数"]
    prob = P.get("ravine")

    def path(rho, eps, lr):
        x, h, u, rows = np.array([-7.0, 2.0]), np.zeros(2), np.zeros(2), [np.array([-7.0, 2.0])]
        for _ in range(steps):
            g = np.array(prob.grad(*x))
            h = rho * h + (1 - rho) * g * g
            dx = np.sqrt(u + eps) / np.sqrt(h + eps) * g
            u = rho * u + (1 - rho) * dx * dx
            x = x - lr * dx
            rows.append(x)
        return np.array(rows)

    ours = path(f.figures["ρ（論文の形の既定値）"], f.figures["ε（論文の形の既定値）"], 1.0)
    torch_lr = optimizers.TORCH["adadelta"][1]["lr"]
    theirs = path(f.figures["ρ（PyTorch の既定値）"], f.figures["ε（PyTorch の既定値）"], torch_lr)
    assert f.figures["既定値どうしの W の差の最大値"] == pytest.approx(float(np.abs(ours - theirs).max()), rel=1e-9)
    assert f.figures["ρ（論文の形の既定値）"] == optimizers.get("adadelta").INFO.cls().rho


def test_for_optimizer_groups_the_findings():
    assert [f.key for f in E.for_optimizer("nesterov")] == [
        "nesterov_vs_torch", "nesterov_lookahead_vs_sutskever", "nesterov_old_order"]
    assert [f.key for f in E.for_optimizer("RMSprop")] == ["rmsprop_eps_placement", "default_eps_rmsprop"]
    assert [f.key for f in E.for_optimizer("adagrad")] == ["default_eps_adagrad"]
    assert [f.key for f in E.for_optimizer("adadelta")] == ["adadelta_vs_torch"]
    assert [f.key for f in E.for_optimizer("momentum")] == ["momentum_vs_torch"]
    for name, keys in E.ABOUT.items():
        assert name in optimizers.ORDER and keys
    with pytest.raises(ValueError, match="nope"):
        E.for_optimizer("nope")


def test_figures_and_labels_render_in_markdown_tables():
    """The site puts figure names and residual labels in table cells outside math: no '|' there."""
    for key in ("momentum", "nesterov", "adagrad", "rmsprop", "adadelta"):
        for f in E.for_optimizer(key):
            for label in list(f.figures) + list(f.residuals) + list(f.latex):
                assert "|" not in label, (f.key, label)
