"""The shared core: rules, traces, substituted formulas, seeds, the question model, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

import optimizers
from optimizers import _symbols as S
from optimizers._rule import build
from quizgen import formulas, seeds
from quizgen import generate as quizgen_generate
from quizgen.cli import main as cli_main
from quizgen.question import Answer, Choice, Question, SolutionStep
from quizgen.trace import TraceMismatch, run


def test_rule_keeps_the_written_order_and_renders():
    r = optimizers.rule("momentum")
    assert r.latex_lines() == [r"v &\leftarrow \alpha v - \eta g", r"W &\leftarrow W + v"]
    assert r.latex().startswith(r"\begin{aligned}")


def test_rule_refuses_unknown_symbols():
    with pytest.raises(ValueError, match="unknown symbols"):
        build("x", "textbook", [S.W, S.g], [("W", "W - eta*g")])


def test_rule_step_logs_every_assignment():
    r = optimizers.rule("momentum")
    log: list = []
    out = r.step({"W": np.array([1.0]), "g": np.array([2.0]), "eta": 0.1, "alpha": 0.9, "v": np.zeros(1)}, log)
    assert [t for t, _, _ in log] == ["v", "W"]
    assert out["v"][0] == pytest.approx(-0.2) and out["W"][0] == pytest.approx(0.8)


def test_momentum_trace_matches_exact_arithmetic():
    grads = [Fraction(1), Fraction(1, 2), Fraction(-1, 5)]
    t = run("momentum", grads=[{"W": [float(g)]} for g in grads], params0={"W": [0.0]}, lr=0.1)
    v, w = Fraction(0), Fraction(0)
    for k, g in enumerate(grads, 1):
        v = Fraction(9, 10) * v - Fraction(1, 10) * g
        w += v
        assert t.value("v", k, "W", 0) == pytest.approx(float(v), abs=1e-15)
        assert t.value("W", k, "W", 0) == pytest.approx(float(w), abs=1e-15)


def test_trace_detects_a_class_that_disagrees_with_its_rule():
    class Momentum(optimizers.Momentum):
        def update(self, params, grads):
            super().update(params, grads)
            for key in params:
                params[key] -= self.v[key]  # the double negative W ← W − v on top: wrong
    with pytest.raises(TraceMismatch, match="quantity 'W'"):
        run(Momentum(lr=0.1), grads=[{"W": [1.0]}], params0={"W": [0.0]})


def test_substituted_step_reads_like_the_textbook():
    t = run("momentum", grads=[{"W": [-2.0]}, {"W": [1.0]}], params0={"W": [0.0]}, lr=0.1)
    lines = formulas.step_lines(t, 2)
    assert lines[0] == r"v_{2} = \alpha v - \eta g = 0.9 \times 0.2 - 0.1 \times 1 = 0.08"
    assert lines[1].endswith("= 0.28")


def test_substituted_latex_from_a_template_is_what_sympy_prints():
    """latex_expr prints each expression once with placeholders and puts the numbers in as text: for every
    rule of every optimizer, with numbers of every shape (negative, large, tiny with a power of ten), the
    result is exactly sympy's own print of the expression with those numbers."""
    rng = np.random.default_rng(3)
    shapes = [lambda: rng.uniform(-2, 2), lambda: -rng.uniform(0.01, 1), lambda: rng.uniform(100, 1e5),
              lambda: rng.uniform(1e-9, 1e-6), lambda: 0.0, lambda: 1.0]
    checked = 0
    for name, module in optimizers.MODULES.items():
        for convention in module.INFO.conventions:
            r = optimizers.rule(name, convention)
            for target, expr in r.assignments + r.derived:
                names = sorted(str(s) for s in expr.free_symbols)
                for _ in range(6):
                    values = {k: formulas._paren(formulas.number_latex(shapes[rng.integers(len(shapes))]()))
                              for k in names if rng.random() < 0.8}
                    assert r.latex_expr(expr, values) == r._print_latex(expr, values), (name, convention, target)
                    checked += 1
                assert r.latex_expr(expr) == r._print_latex(expr)
    assert checked > 300


@pytest.mark.parametrize("x,text", [(-0.28000000000000004, "-0.28"), (1e-7, "1e-7"), (5725.0, "5725"),
                                    (0.0, "0"), (float("nan"), "nan")])
def test_number_formatting(x, text):
    assert formulas.number(x) == text


def test_number_latex_uses_powers_of_ten():
    assert formulas.number_latex(1e-7) == "10^{-7}"
    assert formulas.number_latex(2.5e-8) == r"2.5 \times 10^{-8}"


def test_seeds_are_stable_and_validated():
    a = seeds.rng("question", "steps", 42).random(3)
    b = seeds.rng("question", "steps", 42).random(3)
    c = seeds.rng("question", "steps", 43).random(3)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert seeds.derive("drill", 1, "s01", 3) == seeds.derive("drill", 1, "s01", 3)
    assert seeds.derive("drill", 1, "s01", 3) != seeds.derive("drill", 1, "s02", 3)
    assert seeds.check_seed("17") == 17
    for bad in (-1, "abc", 2**63):
        with pytest.raises(ValueError, match="seed"):
            seeds.check_seed(bad)


def test_question_round_trips_through_json():
    q = Question(id="steps-1", family="steps", seed=1, lang="ja", kind="choice", stem="$v$ を求めよ。",
                 answer=Answer(index=1), choices=[Choice("A", False, 1.0, "sign_flip", "符号"), Choice("B", True, 2.0)],
                 solution=[SolutionStep("解", "v = 1")])
    again = Question.from_dict(json.loads(q.to_json()))
    assert again == q
    with pytest.raises(ValueError, match="exactly one choice"):
        Question(id="x", family="f", seed=0, lang="ja", kind="numeric", stem="", answer=Answer(value=1.0),
                 choices=[Choice("A", True), Choice("B", True)])


def test_question_to_dict_is_asdict():
    from dataclasses import asdict

    from quizgen.drill.engine import family_names

    for family in family_names():
        for seed in range(5):
            q = quizgen_generate(family, seed)
            d = q.to_dict()
            assert d == asdict(q) and q.to_json() == json.dumps(asdict(q), ensure_ascii=False, allow_nan=False)
            d["tags"]["x"] = 1  # a copy, not a view of the question
            assert "x" not in q.tags


def test_from_torch_rejects_bad_arguments():
    with pytest.raises(ValueError, match="unknown torch optimizer 'adamz'"):
        optimizers.from_torch("adamz")
    with pytest.raises(TypeError, match="unknown argument.*nesterove"):
        optimizers.from_torch("sgd", lr=0.1, nesterove=True)
    with pytest.raises(ValueError, match="lr=0"):
        optimizers.from_torch("sgd", lr=0)
    with pytest.raises(ValueError, match="nesterov=True requires"):
        optimizers.from_torch("sgd", lr=0.1, nesterov=True)


def test_bad_params_and_grads_name_the_culprit():
    opt = optimizers.Momentum()
    with pytest.raises(ValueError, match="only in grads: \\['b'\\]"):
        opt.update({"W": np.zeros(2)}, {"W": np.zeros(2), "b": np.zeros(1)})
    with pytest.raises(ValueError, match="params\\['W'\\] has shape \\(2,\\)"):
        opt.update({"W": np.zeros(2)}, {"W": np.zeros(3)})
    with pytest.raises(TypeError, match="grads\\['W'\\] must be a numpy array"):
        opt.update({"W": np.zeros(2)}, {"W": [1.0, 2.0]})
    with pytest.raises(TypeError, match="float array"):
        opt.update({"W": np.zeros(2, dtype=int)}, {"W": np.zeros(2)})
    with pytest.raises(ValueError, match="lr=-0.1"):
        optimizers.SGD(lr=-0.1)
    with pytest.raises(ValueError, match="momentum=1.0"):
        optimizers.Momentum(momentum=1.0)


def test_rule_is_executable_with_sympy_exact_values():
    r = optimizers.rule("momentum")
    (_, v_expr), (_, w_expr) = r.assignments
    alpha, eta, v, g = (sp.Symbol(n, real=True) for n in ("alpha", "eta", "v", "g"))
    assert sp.simplify(v_expr - (alpha * v - eta * g)) == 0


def test_cli_show_prints_the_worked_steps(capsys):
    assert cli_main(["show", "momentum", "--problem", "bowl", "--start", "-75,-10", "--lr", "0.1", "--steps", "3"]) == 0
    out = capsys.readouterr().out
    assert "v₁ = αv - ηg = 0.9 × 0 - 0.1 × (-150) = 15" in out
    assert "W₃ = W + v = (-34.5) + 29.85 = -4.65" in out


@pytest.mark.parametrize("argv,needle", [
    (["show", "nosuch"], "unknown optimizer 'nosuch'"),
    (["show", "momentum", "--steps", "0"], "--steps must be between 1 and 1000"),
    (["show", "momentum", "--start", "1"], "--start needs 2 numbers"),
    (["show", "sgd", "--set", "lr"], "--set expects NAME=VALUE"),
])
def test_cli_errors_are_one_line(argv, needle):
    proc = subprocess.run([sys.executable, "-m", "quizgen", *argv], capture_output=True, text=True)
    assert proc.returncode == 2
    assert needle in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
