"""Stems a Japanese examinee reads without stumbling, over 1,000 stems of every family (quizgen.families.NAMES,
so families added later are covered): no nested bracket, no katakana reading after a name, no stray space before
a particle (the precise definitions are in tests/_japanese.py), and the exam's register at the end."""

from __future__ import annotations

import pytest
from _japanese import katakana_readings, nested_brackets, problems, stray_spaces

import quizgen
from quizgen import families

SEEDS = 1000


def test_the_checks_catch_what_the_issue_names() -> None:
    assert katakana_readings("RMSprop（アールエムエスプロップ） の更新式")
    assert katakana_readings("モーメンタム (Momentum) の")
    assert not katakana_readings("Adam（適応的モーメント推定）")  # a gloss, not a reading
    assert not katakana_readings("$$g$$\n\n（ア）")  # a blank's label after a formula
    assert not katakana_readings("クリッピング（$c$）")  # math, not a Latin name
    assert katakana_readings("SGD（エスジーディー）") and katakana_readings("ノルム (norm)")
    assert nested_brackets("$m$（1 次モーメント（勾配の指数移動平均））")
    assert not nested_brackets("（ε = 0 として計算する）。$\\left(1 - \\beta\\right)$ と `f(x)` は数式")
    assert stray_spaces("RMSprop（アールエムエスプロップ） の更新式") and stray_spaces("手法。 t は")
    assert not stray_spaces("Adam の更新式と $v$ の初期値")


@pytest.mark.parametrize("family", families.NAMES)
def test_stems_read_without_stumbling(family) -> None:
    bad = {}
    for seed in range(SEEDS):
        q = quizgen.generate(family, seed, render=False)
        found = problems(q.stem)
        if found:
            bad[q.id] = found
        assert q.stem.rstrip().endswith("。") and any(w in q.stem for w in ("選べ", "求めよ", "答えよ")), q.id
    assert not bad, dict(list(bad.items())[:5])
