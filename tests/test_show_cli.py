"""``quizgen show``: divergence is a result (the steps up to it and one sentence), non-finite input and
too many steps are one-line errors, and every number option is read the same way."""

from __future__ import annotations

import pytest

from quizgen.cli import main
from quizgen.commands.show import DIVERGED, MAX_STEPS


@pytest.mark.parametrize("argv, step, how", [
    (["sgd", "--problem", "rosenbrock", "--steps", "4"], 2, "> 1e+12"),  # was OverflowError
    (["sgd", "--lr", "1e308"], 1, "が inf"),  # was TraceMismatch (nan against nan)
    (["momentum", "--lr", "1e308", "--steps", "5"], 1, "が inf"),
    (["sgd", "--grads", "1e308,1e308"], 1, "> 1e+12"),
    (["adam", "--grads", "1e308,-1e308", "--lr", "1e300"], 1, "が nan"),
    (["sgd", "--lr", "1.5", "--steps", str(MAX_STEPS)], 34, "> 1e+12"),
])
def test_divergence_prints_the_steps_up_to_it(capsys, argv, step, how):
    assert main(["show", *argv]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    last = out.strip().splitlines()[-1]
    assert last.startswith(f"発散しました（ステップ {step} で |W| ") and how in last, last
    assert f"W{''.join('₀₁₂₃₄₅₆₇₈₉'[int(d)] for d in str(step))} = " in out  # the diverging step is shown
    assert f"│ {step + 1} │" not in out  # and nothing after it


def test_a_converging_run_says_nothing_about_divergence(capsys):
    assert main(["show", "momentum", "--steps", "3"]) == 0
    assert "発散" not in capsys.readouterr().out
    assert DIVERGED == 1e12


@pytest.mark.parametrize("argv, message", [
    (["momentum", "--start", "nan,1"], "--start must be finite numbers, got 'nan,1'"),
    (["momentum", "--start", "1,inf"], "--start must be finite numbers"),
    (["sgd", "--grads", "inf"], "--grads must be finite numbers, got 'inf'"),
    (["sgd", "--grads", "1", "--w0", "nan"], "--w0 must be finite numbers, got 'nan'"),
    (["sgd", "--grads", ""], "--grads must be comma-separated numbers with none left empty, got ''"),
    (["sgd", "--grads", "1,,2"], "none left empty"),
    (["sgd", "--grads", "1,x"], "--grads must be comma-separated numbers"),
    (["sgd", "--lr", "nan"], "--lr must be finite numbers"),
    (["sgd", "--lr", "-inf"], "--lr must be finite numbers"),
    (["momentum", "--set", "momentum=inf"], "--set momentum must be finite numbers"),
    (["sgd", "--steps", "100000000"], f"--steps must be between 1 and {MAX_STEPS}, got 100000000"),
    (["sgd", "--steps", "0"], f"--steps must be between 1 and {MAX_STEPS}"),
    (["sgd", "--grads", ",".join(["1"] * (MAX_STEPS + 1))], f"at most {MAX_STEPS} gradients"),
])
def test_bad_numbers_are_one_line_errors(capsys, argv, message):
    assert main(["show", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err and err.startswith("quizgen show: error: "), err
