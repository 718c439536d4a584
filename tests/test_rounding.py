"""The numeric answer rule (quizgen/rounding.py): an answer is right when it rounds (四捨五入) to the displayed key,
so the tolerance is exactly half a unit and, of the two edges, the one that rounds to the key counts. Python
(Answer.accepts) and the quiz widget (quiz.js) agree on both edges and on thousands of values near them; the
tolerance is shown as the rule says (±0.0005, never ±0.000500001) in every output."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from quizgen import engine
from quizgen.families import _common as C
from quizgen.question import Answer
from quizgen.rounding import edges, half_unit, half_unit_text, round_text, rounds_to

QUIZ_JS = Path(__file__).resolve().parents[1] / "quizgen" / "quiz" / "static" / "quiz.js"


@pytest.mark.parametrize("key, decimals, low, high, low_ok, high_ok", [
    ("0.204", 3, "0.2035", "0.2045", True, False),  # 0.2035 → 0.204, 0.2045 → 0.205
    ("-0.204", 3, "-0.2045", "-0.2035", False, True),  # half away from zero: -0.2045 → -0.205
    ("0.000", 3, "-0.0005", "0.0005", False, False),  # -0.0005 → -0.001, 0.0005 → 0.001
    ("1.0", 1, "0.95", "1.05", True, False),
    ("12.34567", 5, "12.345665", "12.345675", True, False),
])
def test_both_edges(key, decimals, low, high, low_ok, high_ok):
    assert edges(key, decimals) == [(low, low_ok), (high, high_ok)]
    answer = Answer(value=float(key), decimals=decimals, tolerance=half_unit(decimals), text=key)
    assert answer.accepts(float(low)) is low_ok and answer.accepts(float(high)) is high_ok
    inside = float(Decimal(key) + Decimal(high) - Decimal(key) - Decimal(1).scaleb(-decimals - 4))
    assert answer.accepts(inside) and answer.accepts(float(key))
    assert not answer.accepts(float("nan")) and not answer.accepts(float("inf"))


def test_half_unit_is_exact():
    for d in range(0, 9):
        assert repr(half_unit(d)) == repr(float(half_unit_text(d))) and Decimal(half_unit_text(d)) == Decimal(
            5).scaleb(-d - 1)
    assert half_unit_text(3) == "0.0005" and C.tolerance(123.456, 3) == 0.0005


@pytest.mark.skipif(shutil.which("node") is None, reason="node is installed by scripts/system-deps.sh")
def test_the_quiz_widget_judges_exactly_as_python():
    rng = np.random.default_rng(15)
    cases = []
    for _ in range(4000):
        d = int(rng.integers(1, 6))
        key = round_text(float(rng.normal() * 10.0 ** int(rng.integers(-2, 3))), d)
        unit = Decimal(1).scaleb(-d)
        # values on, just inside and just outside both edges, and anywhere near the key
        offset = Decimal(int(rng.choice([-1, 1]))) * (unit / 2 + Decimal(int(rng.integers(-3, 4))).scaleb(-d - 4))
        near = Decimal(key) + offset if rng.random() < 0.8 else Decimal(key) + Decimal(str(rng.normal())) * unit
        cases.append({"x": str(near), "key": key, "d": d})
    script = (f"const Q=require({json.dumps(str(QUIZ_JS))});let s='';process.stdin.on('data',c=>s+=c);"
              "process.stdin.on('end',()=>{const out=JSON.parse(s).map(c=>Q.checkNumeric(Number(c.x),"
              "{value:Number(c.key),tolerance:0,decimals:c.d,text:c.key},[],null).verdict==='correct');"
              "process.stdout.write(JSON.stringify(out))});")
    done = subprocess.run(["node", "-e", script], input=json.dumps(cases), capture_output=True, text=True, check=True)
    js = json.loads(done.stdout)
    py = [rounds_to(float(c["x"]), c["d"], c["key"]) for c in cases]
    differ = [(c, a, b) for c, a, b in zip(cases, py, js) if a != b]
    assert not differ[:5], f"{len(differ)} verdicts differ, e.g. {differ[:5]}"
    assert 0.2 < sum(py) / len(py) < 0.8  # the cases straddle the edges


@pytest.mark.parametrize("family", ["steps", "numeric_choice"])
def test_tolerance_is_shown_as_the_rule_says(family):
    for seed in range(150):
        q = engine.generate(family, seed, render=False, lang="en" if seed % 3 == 0 else "ja")
        d = q.answer.decimals
        assert repr(q.answer.tolerance) == half_unit_text(d) or q.answer.tolerance == float(half_unit_text(d))
        assert f"±{half_unit_text(d)}" in q.rounding and not re.search(r"0\.0*5\d*[1-9]", q.rounding), q.rounding
        assert ("四捨五入して正解と同じ値になる側" if q.lang == "ja" else "rounds half up to the key") in q.rounding
        assert json.loads(q.to_json())["answer"]["tolerance"] == float(half_unit_text(d))


def test_tolerance_text_in_the_drill_key_and_csv_and_terminal():
    from quizgen.commands._render import question_renderable
    from quizgen.drill.render import HtmlFormat
    from quizgen.drill.views import key_view, question_view

    q = engine.generate("steps", 11)
    d = q.answer.decimals
    fmt = HtmlFormat(None)
    view = question_view(q, 1, "ja", fmt)
    assert key_view(q, view, "ja", fmt).tolerance.endswith(f"±{half_unit_text(d)}")
    assert repr(float(q.answer.tolerance)) == half_unit_text(d)  # the drill's answers.csv column
    from rich.console import Console

    console = Console(record=True, width=200)
    console.print(question_renderable(q))
    assert f"±{half_unit_text(d)})" in console.export_text()
