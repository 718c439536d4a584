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


# -- early stopping ----------------------------------------------------------------------------------------
def test_early_stopping_key_recomputed_independently():
    for seed in SEEDS:
        q = quizgen.generate("early_stopping", seed)
        check_japanese(q.stem)
        key = R.early_stopping_key(q.given)
        assert q.choices[q.answer.index].text == f"エポック {key}", q.id
        texts = [c.text for c in q.choices]
        assert len(set(texts)) == 4 and all(c.mistake and c.feedback for c in q.choices if not c.correct)
        assert q.tags["topic"] == "early_stopping"
        # the record goes on after the stop: the epochs early stopping saves are visible
        stop = R.early_stopping_key({**q.given, "asked": "stop"})
        assert stop < len(q.given["val_losses"])


def test_early_stopping_distractors_are_the_named_mistakes():
    """Keeping the last weights is offered when asking for the kept epoch, and its epoch is the stop epoch."""
    seen = 0
    for seed in range(200):
        q = quizgen.generate("early_stopping", seed, asked="kept")
        for c in q.choices:
            if c.mistake == "early_stopping_last_weights":
                assert c.text == f"エポック {R.early_stopping_key({**q.given, 'asked': 'stop'})}"
                seen += 1
    assert seen > 50


# -- averaging, second order, critical points --------------------------------------------------------------
@pytest.mark.parametrize("family, key_of", [("averaging", R.averaging_key), ("second_order", R.second_order_key)])
def test_numeric_chapter_keys_recomputed_independently(family, key_of):
    for seed in SEEDS:
        q = quizgen.generate(family, seed)
        check_japanese(q.stem)
        key = key_of(q.given)
        assert math.isclose(q.answer.value, key, rel_tol=1e-10, abs_tol=1e-12), (q.id, q.answer.value, key)
        check_numeric_choices(q)


def test_second_order_every_quantity():
    for quantity in ("newton_1d", "newton_2d", "condition"):
        for seed in range(30):
            q = quizgen.generate("second_order", seed, quantity=quantity)
            assert q.given["quantity"] == quantity and q.solution
            if quantity == "condition":
                assert q.answer.value >= 1


def test_critical_point_key_recomputed_independently():
    labels = {"minimum": "極小点である", "maximum": "極大点である", "saddle": "鞍点である",
              "degenerate": "ヘッセ行列だけでは判定できない"}
    seen = set()
    for seed in SEEDS:
        q = quizgen.generate("critical_point", seed)
        check_japanese(q.stem)
        key = R.critical_point_key(q.given)
        seen.add(key)
        assert q.choices[q.answer.index].text == labels[key]
        assert sorted(c.text for c in q.choices) == sorted(labels.values())
    assert seen == set(labels)


# -- code blanks ----------------------------------------------------------------------------------------------
def test_chapter_code_every_wrong_line_changes_the_class():
    """Fill the blank with each choice and execute the class on its witness: only the key restores it."""
    from quizgen.families import chapter_code as CC

    for seed in range(120):
        q = quizgen.generate("chapter_code", seed)
        check_japanese(q.stem)
        assert q.code.count(CC.BLANK) == 1 and "#" not in q.code
        module, name = q.given["class"].rsplit(".", 1)
        import importlib

        cls = getattr(importlib.import_module(module), name)
        lines = CC._source(cls)
        real = CC._witness(cls)
        indent = lines[q.given["line"]][: len(lines[q.given["line"]]) - len(lines[q.given["line"]].lstrip())]
        for c in q.choices:
            filled = list(lines)
            filled[q.given["line"]] = indent + c.text.strip("`")
            got = CC._witness(cls, CC._exec(cls, filled))
            assert CC._differs(real, got) != c.correct, (q.id, c.text)


def test_every_technique_has_blankable_lines():
    from quizgen.families import chapter_code as CC

    assert {s.cls for s in CC.slots()} == set(CC.MUTANTS)
    assert all(len(s.mutants) >= 3 for s in CC.slots())


@pytest.mark.parametrize("family", ["schedule", "early_stopping", "averaging", "second_order", "critical_point",
                                    "chapter_code"])
def test_chapter_families_declare_a_topic_and_are_reproducible(family):
    from quizgen import families

    module = families.get(family)
    assert module.TOPIC and module.KIND == "choice"
    for seed in (3, 4):
        a = quizgen.generate(family, seed)
        assert a.to_json() == quizgen.generate(family, seed).to_json()
        assert a.tags["topic"] == module.TOPIC
        en = quizgen.generate(family, seed, lang="en")
        assert en.answer.index == a.answer.index and en.given == a.given
