"""The chapter's question families (schedule, …): keys recomputed independently from ``given``
(tests/_recompute_chapter.py), distractors executed from named mistakes and at least five rounding units apart,
the same seed giving the same bytes, and stems a Japanese examinee reads without stumbling."""

from __future__ import annotations

import math
import re

import _recompute_chapter as R
import pytest

import quizgen
from quizgen.families import _chapter as K
from quizgen.families import schedule

SEEDS = range(400)


def _outside_math(text: str) -> str:
    return re.sub(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`", "", text, flags=re.S)


def check_japanese(text: str) -> None:
    """No katakana reading after a name (RMSprop（アール…）), no nested brackets, no ASCII parentheses in prose."""
    plain = _outside_math(text)
    assert not re.search(r"[A-Za-z0-9]\s*（[ァ-ヶー・]+）", plain), text
    depth = 0
    for ch in plain:
        depth += ch in "（「『"
        depth -= ch in "）」』"
        assert depth <= 1 or ch not in "（", f"nested brackets: {text}"
    assert depth == 0, f"unbalanced brackets: {text}"


def check_numeric_choices(q) -> None:
    assert len(q.choices) == 4 and sum(c.correct for c in q.choices) == 1
    assert q.choices[q.answer.index].correct and q.choices[q.answer.index].text == q.answer.text
    unit = 10.0 ** -q.answer.decimals
    shown = [float(c.text) for c in q.choices]
    assert all(abs(a - b) >= K.GAP * unit - 1e-12 for i, a in enumerate(shown) for b in shown[i + 1:]), shown
    for c in q.choices:
        if not c.correct:
            assert c.mistake and c.feedback and not q.answer.accepts(c.value)


def test_schedule_key_recomputed_independently():
    for seed in SEEDS:
        q = quizgen.generate("schedule", seed)
        check_japanese(q.stem)
        assert q.tags["topic"] == schedule.TOPIC == "schedule" and q.family == "schedule"
        if q.given["asked"]["quantity"] == "formula":
            assert len({c.text for c in q.choices}) == 4
            continue
        key = R.schedule_key(q.given)
        assert math.isclose(q.answer.value, key, rel_tol=1e-12, abs_tol=1e-14), (q.id, q.answer.value, key)
        check_numeric_choices(q)


@pytest.mark.parametrize("kind", schedule.KINDS)
def test_schedule_every_kind_and_quantity(kind):
    for quantity in ("lr", "W", "formula"):
        if kind == "warmup_cosine" and quantity == "W":
            with pytest.raises(ValueError, match="not asked for warmup_cosine"):
                quizgen.generate("schedule", 1, schedule=kind, quantity=quantity)
            continue
        for seed in range(15):
            q = quizgen.generate("schedule", seed, schedule=kind, quantity=quantity)
            assert q.given["schedule"] == kind and q.given["asked"]["quantity"] == quantity
            check_japanese(q.stem)
            assert q.solution


def test_schedule_formula_distractors_differ_when_executed():
    """Every wrong formula offered gives another η_t somewhere on the witness schedule."""
    for kind in schedule.KINDS:
        wrong = schedule._formula_choices(kind)
        assert len(wrong) >= 3
        assert len({t for _, t in wrong}) == len(wrong)
        correct = f"$\\eta_t = {schedule.S.rule(kind).latex_expr(schedule.S.rule(kind).assignments[0][1])}$"
        assert correct not in {t for _, t in wrong}


def test_schedule_off_by_one_is_offered_when_asking_for_an_update():
    """The exam's schedule_off_by_one: 'the n-th update' uses η_{n−1}; η_n is among the distractors when it is
    far enough from the key."""
    seen = 0
    for seed in range(300):
        q = quizgen.generate("schedule", seed, quantity="lr")
        if q.given["asked"].get("update"):
            t = q.given["asked"]["t"]
            assert f"{t + 1} 回目の更新" in q.stem
            seen += any(c.mistake == "schedule_off_by_one" for c in q.choices)
    assert seen > 20


def test_schedule_same_seed_same_bytes():
    a = quizgen.generate("schedule", 77).to_json()
    assert a == quizgen.generate("schedule", 77).to_json()
    assert a != quizgen.generate("schedule", 78).to_json()
