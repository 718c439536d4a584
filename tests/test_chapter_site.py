"""The chapter pages' macros (quizgen/site/schedules.py, early_stopping.py, averaging.py, second_order.py,
challenges.py) without a browser: every number they print is the reference code's, the figures are files the page
links, and the chapter's quizzes are on their pages."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from optimizers.techniques import early_stopping as E
from optimizers.techniques import schedules as S
from optimizers.techniques import second_order as N
from quizgen.formulas import number
from quizgen.site import early_stopping as ES
from quizgen.site import schedules as SCH
from quizgen.site import second_order as SO
from quizgen.site.macros import Macros
from quizgen.site.render import SiteBuilder

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CHAPTER = ("chapter/index.md", "chapter/schedules.md", "chapter/early-stopping.md", "chapter/averaging.md",
           "chapter/second-order.md")


@pytest.fixture(scope="module")
def builder(tmp_path_factory) -> SiteBuilder:
    return SiteBuilder(ROOT, DOCS, cache_dir=tmp_path_factory.mktemp("cache"))


def macros(builder, src: str = "chapter/x.md") -> Macros:
    return Macros(builder, src, {})


def rows(text: str) -> list[list[str]]:
    lines = [ln for ln in text.splitlines() if ln.startswith("| ")]
    return [[c.strip() for c in ln.strip("|").split(" | ")] for ln in lines[1:]]


def test_schedule_counting_table_is_get_lr(builder):
    out = macros(builder).schedule_counting(step_size=10, gamma=0.1, lr=0.1)
    sch = S.StepDecay(0.1, 10, 0.1)
    body = rows(out)
    assert [r[0] for r in body] == ["9 回目", "10 回目", "11 回目", "12 回目"]
    for r in body:
        n = int(r[0].split()[0])
        assert r[1] == str(n - 1) and r[2] == number(sch.get_lr(n - 1))
        assert r[3] == str(n) and r[4] == number(sch.get_lr(n))
    # the point of the table: the 11th update is the first with γη_0 when t counts from 0
    assert body[1][2] == "0.1" and body[2][2] == "0.01" and body[1][4] == "0.01"


def test_schedule_formula_and_curves(builder):
    m = macros(builder)
    for kind in S.CLASSES:
        out = m.schedule_formula(kind)
        assert S.eta_latex(kind) in out and S.INFO[kind].torch in out and f"class {S.CLASSES[kind].__name__}" in out
    out = m.schedule_curves()
    assert len(m.assets) == 1 and next(iter(m.assets.values())).startswith(b"<svg")
    table = rows(out)
    for (kind, sch), row in zip(SCH.CURVES, table):
        assert row[0] == S.INFO[kind].name_ja
        assert row[1] == number(sch.get_lr(0), 4)


def test_schedule_worked_matches_run_sgd(builder):
    out = macros(builder).schedule_worked("step", lr=0.4, step_size=2, gamma=0.5, w0=2.0, a=2.0, steps=4)
    params = {"W": np.array([2.0])}
    lrs = S.run_sgd(S.StepDecay(0.4, 2, 0.5), params, lambda p: {"W": 2 * p["W"]}, 4)
    table = rows(out)
    assert [r[2] for r in table] == [number(x) for x in lrs]
    assert table[-1][5] == number(params["W"][0])


def test_schedule_effect_decay_beats_constant(builder):
    res = SCH.noisy_runs()
    tail = [float(np.mean(r["losses"][-20:])) for r in res["runs"]]
    assert res["runs"][0]["label"].startswith("一定")
    assert all(t < tail[0] for t in tail[1:])  # every schedule ends lower than the constant rate
    assert res == SCH.noisy_runs()  # seeded: the same every build


def test_early_stopping_run_is_consistent(builder):
    res = ES.result(builder.cache_dir)
    val = res["validation_loss"]
    kept, stop = E.run(val[1:], res["patience"])
    assert (kept, stop) == (res["best_epoch"], res["stop_epoch"])
    assert val[kept] == min(val[1:stop + 1])
    assert res["restored_test_accuracy"] == res["test_accuracy"][kept]  # the saved weights are the best epoch's
    assert val[-1] > val[kept] and res["train_loss"][-1] < res["train_loss"][kept]  # it did overfit
    out = macros(builder).early_stopping_run()
    assert f"| 最良のエポック（保存した重み） | {kept} |" in out
    table = rows(macros(builder).early_stopping_patience())
    stops = [int(r[1]) if r[1].isdigit() else 10**9 for r in table]
    assert stops == sorted(stops)  # a larger patience never stops earlier
    worked = rows(macros(builder).early_stopping_worked())
    assert worked[-1][0] == str(stop) and "停止" in worked[-1][3]


def test_second_order_tables(builder):
    m = macros(builder)
    table = rows(m.condition_table())
    steps = [int(r[3].replace(",", "")) for r in table]
    assert steps == sorted(steps) and steps[-1] > 100 * steps[1]  # slower and slower with κ
    assert all(r[4] == "1" for r in table)  # Newton: one step
    for r in table:
        k = float(r[0])
        assert r[2] == number((k - 1) / (k + 1), 4)
    cost = rows(m.newton_cost())
    assert cost[1][1] == "$10^{12}$" and cost[1][2] == "4 TB"
    out = m.cg_example()
    cg = N.conjugate_gradient(SO.RAVINE, np.zeros(2), np.array(SO.START))
    assert len(rows(out)) == len(cg) == 3
    out = m.bfgs_example()
    assert re.search(r"\| BFGS 法 \| \d+ \| 1 \| 1 \|", out)


def test_newton_saddle_caption_says_it_lands_on_the_saddle(builder):
    out = macros(builder).newton_saddle()
    assert "$(0, 0)$" in out and "鞍点" in out


def test_challenges_tables(builder):
    m = macros(builder)
    table = rows(m.critical_points())
    assert [r[-1] for r in table] == ["極小点", "極大点", "鞍点", "鞍点", "ヘッセ行列では判定できない"]
    table = rows(m.local_minima())
    assert {r[-1] for r in table} == {"大域解", "局所解"}
    out = m.plateau()
    assert "Adam" in out and "SGD" in out


def test_technique_macros(builder):
    m = macros(builder)
    assert "class EMA" in m.technique_class("averaging.EMA")
    assert "def bfgs" in m.technique_class("second_order.bfgs")
    assert r"\bar{W} &\leftarrow \beta \bar{W}" in m.technique_rule("averaging", "ema")


def test_chapter_pages_are_in_the_nav_with_their_quizzes():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "深層モデルの最適化（章）" in nav
    for page in CHAPTER + ("quiz/chapter.md",):
        assert page in nav, page
        assert (DOCS / page).exists()
    from quizgen.quiz import specs as S_

    chapter_quiz = (DOCS / "quiz" / "chapter.md").read_text(encoding="utf-8")
    for family in S_.CHAPTER_FAMILIES:
        assert f'quiz("all", "{family}")' in chapter_quiz
    for topic in S_.CHAPTER_TOPICS:
        assert f'quiz("{topic}", "concepts")' in chapter_quiz
    index = (DOCS / "chapter" / "index.md").read_text(encoding="utf-8")
    for page in CHAPTER[1:]:
        assert f"({Path(page).name})" in index
    home = (DOCS / "index.md").read_text(encoding="utf-8")
    assert "chapter/index.md" in home
