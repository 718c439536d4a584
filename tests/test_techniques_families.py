"""The optimization chapter's families (initialization, normalization, clipping) over many seeds:

- numeric: the key equals an independent recomputation from ``given`` (tests/_recompute_techniques.py: fractions and
  50-digit mpmath, no project code) at the displayed precision; every distractor is a named mistake outside the
  tolerance, the four texts differ; ε / 1e-6 never change the displayed digits;
- formula: the correct choice is the item's formula, each wrong one is a registered mistake and evaluates to
  something else at a random point (checked here again, with other points than the family's witnesses);
- code: the blanked lines restore the reference code; every wrong choice, put in and executed, changes the output;
- every question: its topic in the tags, the same seed gives the same JSON, English works, bad options fail clearly.
"""

from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_UP, Decimal

import mpmath
import numpy as np
import pytest
import sympy as sp
from _recompute_techniques import RECOMPUTE, as_mpf

from quizgen import generate
from quizgen.chapter import clipping, init, normalization
from quizgen.chapter import questions as Q
from quizgen.families import _common as C

TOPICS = {"init": init, "normalization": normalization, "clipping": clipping}
FAMILIES = {"init_numeric": "init", "init_formula": "init", "init_code": "init",
            "norm_numeric": "normalization", "norm_formula": "normalization", "norm_code": "normalization",
            "clip_numeric": "clipping", "clip_formula": "clipping", "clip_code": "clipping"}
SEEDS = range(1500)


def _rounded(value, decimals: int) -> str:
    text = mpmath.nstr(as_mpf(value), 40, strip_zeros=False, min_fixed=-100, max_fixed=100)
    q = Decimal(text).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{abs(q) if q == 0 else q:.{decimals}f}"


@pytest.mark.parametrize("family", ["init_numeric", "norm_numeric", "clip_numeric"])
def test_numeric_keys_are_recomputed_independently(family):
    recompute = RECOMPUTE[family]
    seen_mistakes = set()
    for seed in SEEDS:
        q = generate(family, seed, render=False)
        a = q.answer
        assert q.kind == "choice" and len(q.choices) == 4 and q.choices[a.index].correct
        assert _rounded(recompute(q.given), a.decimals) == a.text == q.choices[a.index].text, (q.id, q.given)
        texts = [c.text for c in q.choices]
        assert len(set(texts)) == 4
        for c in q.choices:
            if not c.correct:
                assert c.mistake in Q.REGISTRY and c.feedback and not a.accepts(c.value)
                assert not a.accepts(float(c.text))
                seen_mistakes.add(c.mistake)
        assert q.tags["topic"] == FAMILIES[family]
    assert len(seen_mistakes) >= 6  # the distractors come from many different mistakes


@pytest.mark.parametrize("family", ["init_formula", "norm_formula", "clip_formula"])
def test_formula_choices_are_proven_wrong_again(family):
    module = TOPICS[FAMILIES[family]]
    items = {f.key: f for f in module.FORMULAS}
    rng = np.random.default_rng(0)
    for seed in range(400):
        q = generate(family, seed)
        item = items[q.given["formula"]]
        correct = q.choices[q.answer.index]
        assert correct.text == f"${Q.latex_of(item, item.correct)}$"
        assert not any(re.search(r"(^|[ {])1 \\frac", c.text) for c in q.choices)  # no "1 1/n" from sympy
        wrong = {Q.latex_of(item, e): (name, e) for name, e in item.wrong}
        for c in q.choices:
            if c.correct:
                continue
            name, expr = wrong[c.text.strip("$")]
            assert c.mistake == name and name in Q.REGISTRY
            differs = False
            for base in item.points:  # each witness, moved at random (other points than the family's)
                point = {k: v * rng.uniform(0.8, 1.2) for k, v in base.items()}
                a, b = Q._value(item.correct, point), Q._value(expr, point)
                differs = differs or a.shape != b.shape or not np.allclose(a, b, rtol=1e-9, atol=1e-12)
            assert differs, (q.id, c.text)
        assert q.tags["topic"] == FAMILIES[family] and q.tags["format"] == "F2"


def _filled(src: Q.CodeSource, filled: list[tuple[int, str]]) -> list[np.ndarray] | None:
    lines = Q.source_lines(src)
    for index, text in filled:
        lines[index] = lines[index][: len(lines[index]) - len(lines[index].lstrip())] + text
    return Q._run(src, lines)


@pytest.mark.parametrize("family", ["init_code", "norm_code", "clip_code"])
def test_code_choices_are_executed(family):
    module = TOPICS[FAMILIES[family]]
    sources = {s.key: s for s in module.CODE}
    for seed in range(300):
        q = generate(family, seed)
        src = sources[q.given["code"]]
        real = Q._run(src, Q.source_lines(src))
        idx = q.given["lines"]
        assert q.code.count("（あ）") == 1 and q.code.count("（い）") == (1 if len(idx) == 2 else 0)
        for c in q.choices:
            texts = re.findall(r"`([^`]*)`", c.text)
            got = _filled(src, list(zip(idx, texts)))
            if c.correct:
                assert all(t in "\n".join(Q.source_lines(src)) for t in texts)
                assert got is not None and Q._differs(real, got) is None
            else:
                assert got is None or Q._differs(real, got) is not None, (q.id, c.text)
                assert c.mistake in Q.REGISTRY and "実行して確認" in c.feedback
        assert q.tags["topic"] == FAMILIES[family] and q.tags["format"] == "F4"


@pytest.mark.parametrize("family", list(FAMILIES))
def test_same_seed_same_bytes_and_english(family):
    for seed in (0, 7, 2**40 + 3):
        a, b = generate(family, seed), generate(family, seed)
        assert a.to_json() == b.to_json()
        en = generate(family, seed, lang="en")
        assert en.lang == "en" and en.stem and en.answer.index == a.answer.index
        assert json.loads(a.to_json())["tags"]["topic"] == FAMILIES[family]


@pytest.mark.parametrize("family, options, message", [
    ("init_numeric", {"form": "lecun"}, "not one of"),
    ("norm_numeric", {"layer": "layer", "quantity": "running_var"}, "has no 'running_var'"),
    ("clip_numeric", {"by": "value", "quantity": "W"}, "has no 'W'"),
    ("init_code", {"blanks": 3}, "not one of"),
    ("clip_formula", {"formula": "clip_l3"}, "not one of"),
    ("norm_code", {"colour": 1}, "unknown option"),
])
def test_bad_options_fail_with_one_message(family, options, message):
    with pytest.raises(ValueError, match=message):
        generate(family, 1, **options)


def test_options_select_what_they_say():
    for form in init.FORMS:
        assert generate("init_numeric", 3, form=form).given["form"] == form
    for quantity in ("var", "xn", "y", "running_mean", "running_var", "y_eval"):
        assert generate("norm_numeric", 3, quantity=quantity).given["asked"]["quantity"] == quantity
    assert generate("norm_numeric", 3, layer="layer").given["layer"] == "layer"
    for quantity in ("g", "rate", "norm", "W"):
        assert generate("clip_numeric", 3, quantity=quantity).given["asked"]["quantity"] == quantity
    assert generate("clip_numeric", 3, by="value").given["by"] == "value"
    for family, module in (("init_code", init), ("norm_code", normalization), ("clip_code", clipping)):
        for src in module.CODE:
            if len(Q.slots_of(src)) < 2:  # one blankable line: two blanks cannot be asked, and the error says so
                with pytest.raises(ValueError, match="2 blank"):
                    generate(family, 5, code=src.key, blanks=2)
                continue
            q = generate(family, 5, code=src.key, blanks=2)
            assert q.given["code"] == src.key and len(q.given["lines"]) == 2


def test_epsilon_and_the_1e6_never_show():
    """The stems say to ignore ε (normalization) and clip_grads' 1e-6: with them the digits are the same."""
    for seed in range(400):
        q = generate("norm_numeric", seed, render=False)
        assert C.round_text(normalization.value(q.given, 1e-5), q.answer.decimals) == q.answer.text
        q = generate("clip_numeric", seed, render=False)
        if q.given["by"] == "norm":
            assert C.round_text(clipping.value(q.given, eps=False), q.answer.decimals) == q.answer.text


def test_init_keys_are_hand_computable():
    """σ and a come out as square roots of simple fractions: their squares are rationals with small terms."""
    for seed in range(300):
        q = generate("init_numeric", seed, render=False)
        if q.given["asked"] == "var":
            continue
        square = sp.nsimplify(q.answer.value ** 2, rational=True, tolerance=1e-12)
        assert square.q <= 10**5, (q.id, square)


def test_solutions_show_the_steps():
    for family in ("init_numeric", "norm_numeric", "clip_numeric"):
        for seed in range(30):
            q = generate(family, seed)
            assert q.solution and q.solution[-1].text.count(q.answer.text) >= 1
            assert any(s.latex for s in q.solution)
