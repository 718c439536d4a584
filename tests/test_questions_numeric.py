"""Numeric families (steps, numeric_choice): answers equal an independent recomputation from ``given``
(exact rationals for SGD/Momentum/Nesterov, 50-digit mpmath otherwise) over 10,000 seeds per family,
plus rounding, distractors, ids and determinism."""

from __future__ import annotations

import json
import math

import pytest
from _recompute import recompute, rounded

from quizgen import generate
from quizgen.families import _common as C
from quizgen.families._numeric import inputs_of
from quizgen.question import Question

FAMILIES = ("steps", "numeric_choice")
BLOCK = 1000
BLOCKS = 10  # 10 × 1000 = 10,000 seeds per family


def check_numeric(q: Question) -> None:
    g = q.given
    exact = recompute(g)
    key = q.answer.value
    assert math.isfinite(key)
    assert abs(key - float(exact)) <= 1e-9 * max(1.0, abs(float(exact))), (q.id, key, exact)
    assert q.answer.text == rounded(exact, q.answer.decimals), (q.id, q.answer.text, exact)
    assert q.answer.tolerance >= 0.5 * 10 ** (-q.answer.decimals)
    # choices: exactly one correct (the key), distinct at the displayed precision, none accepted as the key
    texts = [c.text for c in q.choices]
    assert len(set(texts)) == len(texts), (q.id, texts)
    correct = [c for c in q.choices if c.correct]
    assert len(correct) == 1 and correct[0].text == q.answer.text and correct[0].mistake is None
    assert q.choices[q.answer.index].correct
    for c in q.choices:
        if c.correct:
            continue
        assert c.mistake and c.feedback
        assert math.isfinite(c.value)
        assert not q.answer.accepts(c.value), (q.id, c)
        assert not q.answer.accepts(float(c.text)), (q.id, c)
    if q.kind == "choice":
        assert len(q.choices) == 4
    # inputs come from decimal grids a person can compute with
    for x in inputs_of(g):
        assert C.significant_decimals(x) <= 3, (q.id, x)
        assert C.decimals_of(x) <= 4, (q.id, x)


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("block", range(BLOCKS))
def test_answers_recomputed(family: str, block: int) -> None:
    for seed in range(block * BLOCK, (block + 1) * BLOCK):
        check_numeric(generate(family, seed, render=False))


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("convention", ["textbook", "pytorch"])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam",
                                       "amsgrad", "adamw", "nadam", "radam", "adamax"])
def test_every_optimizer_and_convention(family: str, convention: str, optimizer: str) -> None:
    for seed in range(12):
        q = generate(family, seed, render=False, optimizer=optimizer, convention=convention)
        assert q.given["optimizer"] == optimizer and q.given["convention"] == convention
        check_numeric(q)


def test_same_seed_same_bytes() -> None:
    for family in FAMILIES:
        for seed in (0, 1, 17, 2**63 - 1):
            a = generate(family, seed).to_json()
            b = generate(family, seed).to_json()
            assert a == b
            assert json.loads(a)["id"] == f"{family}-{seed}"
            assert Question.from_dict(json.loads(a)).to_json() == a


def test_options_change_the_id_not_the_defaults() -> None:
    q = generate("steps", 5, optimizer="momentum", steps=2)
    assert q.id.startswith("steps-5-") and q.options == {"optimizer": "momentum", "steps": 2}
    assert generate("steps", 5, optimizer="Momentum", steps="2").id == q.id  # normalised
    assert generate("steps", 5).id == "steps-5"


def test_solution_rendered_from_the_trace() -> None:
    for seed in range(60):
        q = generate("steps", seed)
        assert q.solution[0].latex and "\\leftarrow" in q.solution[0].latex
        steps = int(q.given["asked"]["step"])
        bodies = [s for s in q.solution if s.latex and "gathered" in s.latex]
        assert len(bodies) == steps
        assert q.answer.text in q.solution[-1].text
        en = generate("steps", seed, lang="en")
        assert en.given == q.given and en.answer == q.answer and en.stem != q.stem


def test_stem_states_setup() -> None:
    for seed in range(200):
        q = generate("numeric_choice", seed, render=False)
        assert "最も近いもの" in q.stem
        assert "初期値" in q.stem or q.given["optimizer"] == "sgd"
        if "eps" in q.given.get("ignore", ()):
            assert "ε は無視してよい" in q.stem and q.given["hyperparameters"]["eps"] == 0.0
        assert "四捨五入" in q.rounding


def test_eps_ignored_changes_nothing_displayed() -> None:
    from quizgen.families._run import class_defaults

    n = 0
    for seed in range(300):
        q = generate("steps", seed, render=False, convention="textbook")
        if "eps" not in q.given.get("ignore", ()):
            continue
        g = dict(q.given)
        g["hyperparameters"] = {**g["hyperparameters"], "eps": class_defaults(g["optimizer"])["eps"]}
        assert rounded(recompute(g), q.answer.decimals) == q.answer.text
        n += 1
    assert n > 50


@pytest.mark.parametrize("options, message", [
    ({"optimizer": "adamx"}, "unknown optimizer"),
    ({"steps": 0}, "steps must be between 1 and 10"),
    ({"steps": 6, "optimizer": "rmsprop"}, "closed form"),
    ({"convention": "sutskever", "optimizer": "adam"}, "Sutskever's form is Nesterov's"),
    ({"convention": "sutskever", "source": "grads"}, "look-ahead point"),
    ({"steps": "two"}, "cannot read"),
    ({"quantity": "zz", "optimizer": "momentum"}, "cannot ask"),
    ({"colour": "red"}, "unknown option"),
    ({"convention": "paper"}, "not one of"),
])
def test_bad_options_one_clear_error(options, message) -> None:
    with pytest.raises(ValueError, match=message):
        generate("steps", 1, **options)


def test_bad_family_and_seed() -> None:
    with pytest.raises(ValueError, match="unknown family"):
        generate("nope", 1)
    with pytest.raises(ValueError, match="seed must be"):
        generate("steps", -1)


def test_fast_executor_agrees_with_trace_run() -> None:
    """quizgen.families._run (cached rules, float fast path) records what quizgen.trace.run records."""
    import numpy as np

    from quizgen import formulas, trace
    from quizgen.families._run import execute

    for seed in range(40):
        q = generate("steps", seed, render=False, convention="textbook" if seed % 2 else "pytorch")
        g = q.given
        kw = dict(g["hyperparameters"])
        if "problem" in g:
            ref = trace.run(g["optimizer"], problem=g["problem"], start=g["start"], steps=g["steps"],
                            convention=g["convention"], **kw)
        else:
            ref = trace.run(g["optimizer"], grads=g["grads"], params0=g["params0"], convention=g["convention"], **kw)
        mine = execute(g, log=True).to_trace()
        fast = execute(g)
        a = g["asked"]
        for t in range(1, int(a["step"]) + 1):
            for k in ref.keys:
                for name, want in ref.records[t - 1].after[k].items():
                    got = mine.records[t - 1].after[k][name]
                    assert np.allclose(np.asarray(got, float), np.asarray(want, float), rtol=1e-12), (q.id, name)
            assert formulas.step_lines(mine, t, a["key"]) == formulas.step_lines(ref, t, a["key"])
        want = ref.value(a["quantity"], int(a["step"]), a["key"], int(a["index"]))
        assert fast.asked() == pytest.approx(want, rel=1e-11, abs=1e-14)


def test_sutskever_form_recomputed() -> None:
    """Nesterov in Sutskever et al.'s form: always on a loss the stem defines, the gradient taken at W + μv."""
    for family in FAMILIES:
        for seed in range(60):
            q = generate(family, seed, render=seed < 10, optimizer="nesterov", convention="sutskever")
            assert q.given["convention"] == "sutskever" and "problem" in q.given
            assert "Sutskever ら 2013" in q.stem and "先読み点" in q.stem
            check_numeric(q)
            if seed < 10:
                assert any("先読み点" in s.text for s in q.solution)


def test_defined_losses_show_their_gradient() -> None:
    n1 = n2 = 0
    for seed in range(80):
        q = generate("steps", seed, source="loss")
        check_numeric(q)
        prob = q.given["problem"]
        assert prob.startswith("quad:")
        assert "損失関数" in q.stem and ("L(w)" in q.stem or "L(x, y)" in q.stem)
        steps = [s for s in q.solution if s.latex and "gathered" in s.latex]
        assert all("勾配は $g = " in s.text for s in steps)
        n1 += "," not in prob
        n2 += "," in prob
    assert n1 > 10 and n2 > 10


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_long_runs_have_a_checked_closed_form(optimizer) -> None:
    from quizgen.families import _numeric_long as LR

    for seed in range(15):
        q = generate("steps", seed, optimizer=optimizer, steps=10)
        check_numeric(q)
        closed = LR.closed_form(q.given)
        assert closed is not None and closed[3] == pytest.approx(q.answer.value, rel=1e-9)
        assert closed[2] in [s.latex for s in q.solution]
        assert len([s for s in q.solution if s.latex and "gathered" in s.latex]) == 10


def test_long_runs_are_drawn_without_asking() -> None:
    long = [generate("steps", s, render=False) for s in range(1500)]
    long = [q for q in long if int(q.given["asked"]["step"]) > 4]
    assert len(long) > 10 and all(q.given["optimizer"] in ("sgd", "momentum", "adam") for q in long)


@pytest.mark.parametrize("family", FAMILIES)
def test_displayed_values_five_units_apart(family) -> None:
    """Every two displayed values of a question (key and distractors) differ by >= 5 units of the last digit."""
    for seed in range(1000):
        q = generate(family, seed, render=False)
        unit = 10.0 ** (-q.answer.decimals)
        shown = sorted(float(c.text) for c in q.choices)
        gaps = [b - a for a, b in zip(shown, shown[1:])]
        assert all(gap >= 5 * unit - 1e-12 for gap in gaps), (q.id, shown)
