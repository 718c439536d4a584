"""The named-mistake registry: every mistake is named and explained, applies where it says, executes,
and gives the numbers the exam-style notes predict."""

from __future__ import annotations

import math
import re

import pytest

import optimizers
from quizgen import mistakes as M
from quizgen.families._run import execute
from quizgen.families.formula import proof

KEYS = [k for k in optimizers.ORDER if k in optimizers.MODULES]


def test_registry_is_complete() -> None:
    assert len(M.REGISTRY) == len(M.MISTAKES) >= 30
    for m in M.MISTAKES:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", m.name)
        assert m.title_ja and m.title_en and m.feedback_ja and m.feedback_en
        assert set(m.optimizers) <= set(optimizers.ORDER), m.name
        assert m.edit or m.code or m.runner, m.name
        for pattern, _ in m.code:
            re.compile(pattern)
    with pytest.raises(ValueError, match="unknown mistake"):
        M.get("nope")


@pytest.mark.parametrize("key", KEYS)
def test_for_optimizer_rules_differ_and_render(key: str) -> None:
    ms = M.for_optimizer(key)
    assert len(ms) >= 3
    correct = optimizers.rule(key)
    for m in ms:
        if m.runner is not None:
            continue
        rule = m.rule(key)
        assert rule is not None, m.name
        assert "\\leftarrow" in rule.latex()
        assert proof(correct, rule) is not None, (key, m.name)  # exactly different somewhere


@pytest.mark.parametrize("key", KEYS)
def test_examples_show_a_difference(key: str) -> None:
    shown = 0
    for m in M.for_optimizer(key):
        ex = m.example(key)
        if ex is None:
            continue
        shown += 1
        assert not math.isfinite(ex["mistaken"]) or f"{ex['mistaken']:.6g}" != f"{ex['correct']:.6g}"
        assert ex["correct"] == pytest.approx(execute(ex["given"]).asked())
    assert shown >= 2


def _adam(step_q="W", steps=1, g=0.5):
    return {"optimizer": "adam", "convention": "textbook",
            "hyperparameters": {"lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 0.0},
            "params0": {"W": [0.0]}, "grads": [{"W": [g]}] * steps,
            "asked": {"quantity": step_q, "step": steps, "key": "W", "index": 0}}


def test_adam_first_step_sizes() -> None:
    """exam-style.md §5 adam_no_correction_direction: ≈ 3.16η (none), 31.6η (m only), 0.1η (v only)."""
    g = _adam()
    assert execute(g).asked() == pytest.approx(-0.1)
    assert M.get("no_bias_correction").run(g) == pytest.approx(-0.1 * math.sqrt(1000) / 10, rel=1e-12)
    assert M.get("no_bias_correction_v").run(g) == pytest.approx(-0.1 * math.sqrt(1000), rel=1e-12)
    assert M.get("no_bias_correction_m").run(g) == pytest.approx(-0.01, rel=1e-12)


def test_t1_trap_coincides_only_at_step_one() -> None:
    m = M.get("bias_correction_without_t")
    assert m.t1_same
    assert m.run(_adam()) == pytest.approx(execute(_adam()).asked(), rel=1e-12)
    g2 = _adam(steps=2)
    assert abs(m.run(g2) - execute(g2).asked()) > 1e-3


def test_old_nesterov_numbers() -> None:
    """exam-style.md §4: L = θ², μ = 0.9, lr = 0.1, θ0 = 1, one step: old order 0.458, correct 0.62."""
    g = {"optimizer": "nesterov", "convention": "textbook", "hyperparameters": {"lr": 0.1, "momentum": 0.9},
         "problem": "bowl", "start": [1.0, 1.0], "steps": 1,
         "asked": {"quantity": "W", "step": 1, "key": "x", "index": 0}}
    assert execute(g).asked() == pytest.approx(0.62)
    assert M.get("nesterov_old_order").run(g) == pytest.approx(0.458)


def test_momentum_mistakes_by_hand() -> None:
    g = {"optimizer": "momentum", "convention": "textbook", "hyperparameters": {"lr": 0.1, "momentum": 0.9},
         "params0": {"W": [1.0]}, "grads": [{"W": [0.5]}, {"W": [0.3]}],
         "asked": {"quantity": "W", "step": 2, "key": "W", "index": 0}}
    assert execute(g).asked() == pytest.approx(1 - 0.05 - 0.075)
    assert M.get("momentum_double_negative").run(g) == pytest.approx(1 + 0.05 + 0.075)
    assert M.get("sign_flip").run(g) == pytest.approx(1 + 0.05 + 0.075)
    assert M.get("one_step_short").run(g) == pytest.approx(0.95)
    v = dict(g, asked={"quantity": "v", "step": 2, "key": "W", "index": 0})
    assert M.get("torch_buffer_as_velocity").run(v) == pytest.approx(0.9 * 0.5 + 0.3)


def test_not_applicable_gives_none() -> None:
    g = _adam()
    assert M.get("rho_swap").run(g) is None  # not an Adam mistake
    assert M.get("one_step_short").run(g) is None  # step 1: nothing earlier to report
    assert M.get("stale_gradient").run(g) is None  # given gradients: nothing to recompute


def test_mistaken_rules_blow_up_to_nan_not_exceptions() -> None:
    g = {"optimizer": "adagrad", "convention": "textbook", "hyperparameters": {"lr": 0.1, "eps": 0.0},
         "params0": {"W": [1.0]}, "grads": [{"W": [-0.5]}],
         "asked": {"quantity": "W", "step": 1, "key": "W", "index": 0}}
    assert math.isnan(M.get("forgot_square").run(g))  # √(negative h)


def test_code_mutations_are_used() -> None:
    from quizgen.families.code_blank import source_of

    used = {mu.mistake for k in KEYS for s in source_of(k).slots for mu in s.mutants}
    assert {"sign_flip", "forgot_square", "eps_inside_sqrt", "bias_correction_without_t", "beta_swap",
            "momentum_double_negative", "nesterov_mu_not_squared"} <= used


def test_sutskever_theta_matches_sutskever_form() -> None:
    """Sutskever: v ← μv − η∇f(θ + μv), θ ← θ + v; the textbook W is the look-ahead point θ + μv."""
    g = {"optimizer": "nesterov", "convention": "textbook", "hyperparameters": {"lr": 0.1, "momentum": 0.9},
         "problem": "bowl", "start": [1.0, 1.0], "steps": 3,
         "asked": {"quantity": "W", "step": 3, "key": "x", "index": 0}}
    theta, v = 1.0, 0.0
    for _ in range(3):
        v = 0.9 * v - 0.1 * 2 * (theta + 0.9 * v)
        theta += v
    assert M.get("nesterov_sutskever_theta").run(g) == pytest.approx(theta, rel=1e-12)
    assert execute(g).asked() == pytest.approx(theta + 0.9 * v, rel=1e-12)


@pytest.mark.parametrize("family", ["formula", "formula_blank", "combination"])
def test_a_proofs_point_writes_greek_letters_not_their_names(family):
    """「例えば W = 3/2, g = 7/10, η = 1/10 で …」: the exact point in a wrong choice's feedback is written in the
    letters of the formula the learner reads, not in the code's names (eta, rho, beta1)."""
    import quizgen

    points = []
    for seed in range(40):
        q = quizgen.generate(family, seed, render=False)
        points += [c.feedback for c in q.choices if c.feedback and ("例えば" in c.feedback)]
    assert len(points) >= 20
    names = re.compile(r"\b(eta|rho|eps|beta1|beta2|alpha|mu|lam|gamma|tau|psi)\s*=")
    assert not [p for p in points if names.search(p)], [p for p in points if names.search(p)][:2]
