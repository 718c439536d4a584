"""Reference optimizers, part A: Nesterov, AdaGrad, RMSprop, Adadelta.

- each class equals its textbook rule (through quizgen.trace.run and through from_rule), random
  shapes, values, hyperparameters and step counts (hypothesis);
- closed-form facts a learner can check by hand hold for the classes (computed, not typed);
- the rules render ε where the convention puts it;
- bad input fails with a message that names the culprit.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from _optimizer_props import check_from_rule, check_trace, problems
from hypothesis import given, settings
from hypothesis import strategies as st

import optimizers
from optimizers import Adadelta, AdaGrad, Nesterov, RMSprop, from_rule, from_torch
from optimizers.torch_form import TORCH

MINE = ("nesterov", "adagrad", "rmsprop", "adadelta")
FAST = settings(max_examples=25, deadline=None)

unit = st.floats(0.0, 0.999)
lrs = st.floats(1e-4, 1.0)
epss = st.floats(1e-10, 1e-3)
HYPERS = {
    "nesterov": st.fixed_dictionaries({"lr": lrs, "momentum": unit}),
    "adagrad": st.fixed_dictionaries({"lr": lrs, "eps": epss}),
    "rmsprop": st.fixed_dictionaries({"lr": lrs, "decay_rate": unit, "eps": epss}),
    "adadelta": st.fixed_dictionaries({"rho": unit, "eps": epss}),
}


# -- class ≡ textbook rule ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", MINE)
def test_class_equals_textbook_rule_through_trace(name):
    @FAST
    @given(problem=problems(), args=HYPERS[name])
    def check(problem, args):
        check_trace(name, *problem, args)  # raises TraceMismatch on any disagreement

    check()


@pytest.mark.parametrize("name", MINE)
def test_class_equals_textbook_rule_through_from_rule(name):
    """The same claim, without trace.run: the class and a RuleOptimizer executing the rule."""

    @FAST
    @given(problem=problems(), args=HYPERS[name])
    def check(problem, args):
        check_from_rule(name, *problem, args, atol=1e-13)  # |W| ≲ 30 here: a few ulp of the operands

    check()


@pytest.mark.parametrize("name", MINE)
def test_state_keeps_across_calls_and_update_is_in_place(name):
    module = optimizers.get(name)
    opt = module.INFO.cls()
    w = np.array([1.0, -2.0, 3.0])
    params = {"W": w}
    opt.update(params, {"W": np.array([0.5, 0.5, -0.5])})
    first = {s: getattr(opt, s)["W"].copy() for s in module.INFO.state}
    opt.update(params, {"W": np.array([0.5, 0.5, -0.5])})
    assert params["W"] is w  # changed in place, like the textbook
    for s in module.INFO.state:
        assert not np.array_equal(getattr(opt, s)["W"], first[s])  # the state accumulated, not reset


# -- facts a learner checks by hand (closed forms computed here, classes executed) ------------------------------
def test_adagrad_constant_gradient_steps_shrink_like_one_over_sqrt_t():
    lr, g = 0.1, 0.3
    opt, params = AdaGrad(lr=lr, eps=0.0), {"w": np.array(0.0)}
    before = 0.0
    for t in range(1, 6):
        opt.update(params, {"w": np.array(g)})
        step = before - float(params["w"])
        assert step == pytest.approx(lr / np.sqrt(t), rel=1e-12)
        before = float(params["w"])


def test_rmsprop_first_step_is_lr_over_sqrt_one_minus_rho():
    lr, rho, g = 0.01, 0.99, -2.5
    opt, params = RMSprop(lr=lr, decay_rate=rho, eps=0.0), {"w": np.array(0.0)}
    opt.update(params, {"w": np.array(g)})
    assert float(params["w"]) == pytest.approx(lr / np.sqrt(1 - rho), rel=1e-12)  # ≈ 10η, no bias correction


def test_adadelta_first_step_and_units():
    rho, eps, g = 0.95, 1e-6, 0.2
    opt, params = Adadelta(rho=rho, eps=eps), {"w": np.array(0.0)}
    opt.update(params, {"w": np.array(g)})
    expected = -np.sqrt(eps) / np.sqrt((1 - rho) * g * g + eps) * g
    assert float(params["w"]) == pytest.approx(expected, rel=1e-12)
    assert float(opt.s["w"]) == pytest.approx((1 - rho) * expected**2, rel=1e-12)


def test_nesterov_first_step_and_state():
    lr, mu, g = 0.1, 0.9, 2.0
    opt, params = Nesterov(lr=lr, momentum=mu), {"w": np.array(1.0)}
    opt.update(params, {"w": np.array(g)})
    assert float(params["w"]) == pytest.approx(1.0 - (1 + mu) * lr * g, rel=1e-12)  # v₀ = 0: only −(1+μ)ηg
    assert float(opt.v["w"]) == pytest.approx(-lr * g, rel=1e-12)


def test_rmsprop_paper_rule_puts_delta_inside_the_root():
    lr, rho, delta, g = 0.1, 0.9, 1e-6, 1e-3
    opt, params = from_rule("rmsprop", "paper", lr=lr, decay_rate=rho, eps=delta), {"w": np.array(0.0)}
    opt.update(params, {"w": np.array(g)})
    assert float(params["w"]) == pytest.approx(-lr * g / np.sqrt(delta + (1 - rho) * g * g), rel=1e-12)


# -- rules render what they compute --------------------------------------------------------------------------
@pytest.mark.parametrize("name, convention, piece", [
    ("adagrad", "textbook", r"\sqrt{h} + \varepsilon"),
    ("rmsprop", "textbook", r"\sqrt{h} + \varepsilon"),
    ("rmsprop", "paper", r"\sqrt{\delta + h}"),
    ("rmsprop", "pytorch", r"\sqrt{v} + \varepsilon"),
    ("adagrad", "pytorch", r"\sqrt{s} + \varepsilon"),
    ("adadelta", "textbook", r"\sqrt{E[\Delta x^2] + \varepsilon}"),
    ("adadelta", "pytorch", r"\sqrt{u + \varepsilon}"),
    ("nesterov", "textbook", r"\mu^{2} v"),
])
def test_latex_shows_eps_where_the_rule_puts_it(name, convention, piece):
    assert piece in optimizers.rule(name, convention).latex()


def test_nesterov_textbook_rule_moves_w_before_v():
    targets = [t for t, _ in optimizers.rule("nesterov", "textbook").assignments]
    assert targets == ["W", "v"]


def test_adadelta_textbook_rule_order():
    targets = [t for t, _ in optimizers.rule("adadelta", "textbook").assignments]
    assert targets == ["h", "dx", "s", "W"]


# -- metadata ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", MINE)
def test_info_is_complete_and_consistent(name):
    module = optimizers.get(name)
    info = module.INFO
    assert info.key == name and optimizers.get(info.cls.__name__) is module
    assert info.name_ja and info.name_en and info.summary_ja and str(info.year) in info.paper
    sig = inspect.signature(info.cls.__init__).parameters
    assert set(info.hyper) == {k for k in sig if k != "self"}  # every constructor argument explained
    for ja, en in info.hyper.values():
        assert ja and en
    for convention in info.conventions:
        rule = module.rule(convention)
        assert rule.latex().startswith(r"\begin{aligned}")
        assert convention in info.notes
    textbook = module.rule("textbook")
    assert tuple(textbook.state_names) == info.state  # state symbols are the class attributes
    for s in textbook.of_kind("state"):
        assert s.code == s.name
    for s in textbook.of_kind("hyper"):
        assert s.code in sig  # hyper symbols read constructor arguments
    assert info.torch in TORCH
    kwargs = info.torch_kwargs(info.cls())
    assert set(kwargs) <= set(TORCH[info.torch][1])
    from_torch(info.torch, **kwargs)  # valid torch arguments
    assert info.syllabus is (name != "adadelta")


def test_eps_is_an_argument_wherever_the_rule_has_one():
    for name in MINE:
        module = optimizers.get(name)
        if any(s.code == "eps" for s in module.rule("textbook").of_kind("hyper")):
            assert "eps" in inspect.signature(module.INFO.cls.__init__).parameters


def test_defaults_are_the_textbooks_and_the_papers():
    assert (Nesterov().lr, Nesterov().momentum) == (0.01, 0.9)
    assert (AdaGrad().lr, AdaGrad().eps) == (0.01, 1e-7)
    assert (RMSprop().lr, RMSprop().decay_rate, RMSprop().eps) == (0.01, 0.99, 1e-7)
    assert (Adadelta().rho, Adadelta().eps) == (0.95, 1e-6)


def test_pytorch_rules_take_torch_defaults_and_state_names():
    assert from_torch("adagrad").rule.sym("s").code == "sum"
    opt = from_torch("rmsprop", momentum=0.5, centered=True)
    params = {"w": np.array([1.0, 2.0])}
    opt.update(params, {"w": np.array([0.1, -0.2])})
    assert set(opt.state["w"]) == {"step", "square_avg", "momentum_buffer", "grad_avg"}
    opt = from_torch("adadelta")
    opt.update(params, {"w": np.array([0.1, -0.2])})
    assert set(opt.state["w"]) == {"step", "square_avg", "acc_delta"}
    opt = from_torch("adagrad", initial_accumulator_value=0.25)
    opt.update(params, {"w": np.array([0.1, -0.2])})
    np.testing.assert_allclose(opt.state["w"]["sum"], 0.25 + np.array([0.1, -0.2]) ** 2)
    assert int(opt.state["w"]["step"]) == 1


def test_nesterov_pytorch_rule_is_sgd_with_nesterov():
    r = optimizers.rule("nesterov", "pytorch")
    assert r.assignments[-1][0] == "W" and "mu" in {str(f) for f in r.assignments[-1][1].free_symbols}
    with pytest.raises(ValueError, match="nesterov=True"):
        optimizers.rule("nesterov", "pytorch", nesterov=False)


# -- bad input ---------------------------------------------------------------------------------------------------
CLASSES = [Nesterov, AdaGrad, RMSprop, Adadelta]


@pytest.mark.parametrize("cls", CLASSES)
def test_mismatched_keys(cls):
    with pytest.raises(ValueError, match=r"different keys.*'W'.*'b'"):
        cls().update({"W": np.zeros(2)}, {"b": np.zeros(2)})


@pytest.mark.parametrize("cls", CLASSES)
def test_mismatched_shapes(cls):
    with pytest.raises(ValueError, match=r"params\['W'\] has shape \(2,\) but grads\['W'\] has shape \(3,\)"):
        cls().update({"W": np.zeros(2)}, {"W": np.zeros(3)})


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("bad", [[1.0, 2.0], 1.5, "x"])
def test_non_array_values(cls, bad):
    with pytest.raises(TypeError, match=r"params\['W'\] must be a numpy array"):
        cls().update({"W": bad}, {"W": np.zeros(2)})
    with pytest.raises(TypeError, match=r"grads\['W'\] must be a numpy array"):
        cls().update({"W": np.zeros(2)}, {"W": bad})


@pytest.mark.parametrize("cls", CLASSES)
def test_integer_params(cls):
    with pytest.raises(TypeError, match=r"params\['W'\] must be a float array.*int"):
        cls().update({"W": np.array([1, 2])}, {"W": np.array([0.1, 0.2])})


@pytest.mark.parametrize("cls", CLASSES)
def test_not_dicts(cls):
    with pytest.raises(TypeError, match="dicts"):
        cls().update([np.zeros(2)], [np.zeros(2)])


@pytest.mark.parametrize("cls, arg, value, exc", [
    (Nesterov, "lr", 0.0, ValueError), (Nesterov, "lr", -0.1, ValueError), (AdaGrad, "lr", 0, ValueError),
    (RMSprop, "lr", -1e-3, ValueError), (Nesterov, "momentum", 1.0, ValueError),
    (Nesterov, "momentum", -0.1, ValueError), (RMSprop, "decay_rate", 1.0, ValueError),
    (RMSprop, "decay_rate", -0.5, ValueError), (Adadelta, "rho", 1.0, ValueError), (Adadelta, "rho", 1.5, ValueError),
    (AdaGrad, "eps", -1e-7, ValueError), (Adadelta, "eps", float("nan"), ValueError),
    (RMSprop, "lr", float("inf"), ValueError), (AdaGrad, "lr", "0.1", TypeError),
    (Nesterov, "momentum", None, TypeError), (RMSprop, "eps", True, TypeError),
])
def test_bad_hyperparameters_name_the_culprit(cls, arg, value, exc):
    with pytest.raises(exc, match=rf"{cls.__name__}: {arg}"):
        cls(**{arg: value})


def test_unknown_constructor_argument():
    with pytest.raises(TypeError, match="lr"):
        Adadelta(lr=1.0)  # Zeiler's Adadelta has no learning rate


@pytest.mark.parametrize("name, kwargs, culprit", [
    ("adagrad", {"betas": (0.9, 0.99)}, "betas"),
    ("rmsprop", {"decay_rate": 0.9}, "decay_rate"),
    ("adadelta", {"lr_decay": 0.1}, "lr_decay"),
    ("sgd", {"momentun": 0.9}, "momentun"),
])
def test_unknown_torch_argument(name, kwargs, culprit):
    with pytest.raises(TypeError, match=culprit):
        from_torch(name, **kwargs)


@pytest.mark.parametrize("name", ["adamq", "AdaDelta2", "nesterov"])
def test_unknown_torch_optimizer(name):
    with pytest.raises(ValueError, match=name):
        from_torch(name)


@pytest.mark.parametrize("name, kwargs, culprit, exc", [
    ("rmsprop", {"alpha": 1.5}, "alpha", ValueError),
    ("adadelta", {"rho": -0.1}, "rho", ValueError),
    ("adagrad", {"lr": 0.0}, "lr", ValueError),
    ("adagrad", {"initial_accumulator_value": -1.0}, "initial_accumulator_value", ValueError),
    ("rmsprop", {"centered": 1}, "centered", TypeError),
    ("sgd", {"nesterov": True}, "nesterov", ValueError),  # needs momentum > 0
])
def test_bad_torch_values(name, kwargs, culprit, exc):
    with pytest.raises(exc, match=culprit):
        from_torch(name, **kwargs)


@pytest.mark.parametrize("name", MINE)
def test_unknown_convention(name):
    with pytest.raises(ValueError, match="'keras'"):
        optimizers.rule(name, "keras")
