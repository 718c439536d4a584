"""The 復習 page (quizgen/quiz/review.py and the review part of static/quiz.js) in headless Chromium, with
Playwright's clock for the days: a wrong answer that matches a named mistake is listed on 復習 with the feedback
the learner got; the page serves a question whose choices include that mistake; two right answers, on two days,
move it out; export then import restores the state; reset empties it. No request leaves 127.0.0.1."""

from __future__ import annotations

import gzip
import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

import pytest

from quizgen.quiz import review as R

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "artifacts" / "screenshots"
T0 = datetime(2026, 12, 7, 10, 0, 0)  # a Monday morning, the learner's local time (the browser's timezone)

pytestmark = pytest.mark.browser


def _store(page) -> dict:
    return page.evaluate("JSON.parse(localStorage.getItem('eshikaku-review-v1') || 'null')")


def _index(site_dir: Path) -> dict:
    html = (site_dir / "quiz" / "review" / "index.html").read_text(encoding="utf-8")
    rel = re.search(r'data-review="([^"]+)"', html).group(1)
    return json.loads((site_dir / "quiz" / "review" / rel).resolve().read_text(encoding="utf-8"))


def _variant(site_dir: Path, index: dict, name: str, k: int) -> dict:
    q, i = index["mistakes"][name]["v"][k]
    data = (site_dir / f"{index['quizzes'][q]}{i}.bin").read_bytes()
    return json.loads(gzip.decompress(data))["variant"]


def _open_review(page, server):
    page.goto(f"{server}/quiz/review/")
    page.wait_for_selector(".qz-rv[data-ready='1']")


def _answer(page, box, index: int) -> None:
    box.locator(".qz-choice").nth(index).click()
    box.locator(".qz-check").click()
    box.locator(".qz-feedback.qz-right, .qz-feedback.qz-wrong").wait_for()


def test_a_mistake_is_reviewed_until_answered_right_twice(browser, server, site_dir, tmp_path):
    ctx = browser.new_context(viewport={"width": 1000, "height": 900}, accept_downloads=True)
    page = ctx.new_page()
    hosts = set()
    errors = []
    page.on("request", lambda r: urlparse(r.url).scheme in ("http", "https") and hosts.add(urlparse(r.url).hostname))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.clock.install(time=T0)

    # 1. a wrong answer that matches a named mistake, on a quiz page
    page.goto(f"{server}/quiz/momentum/")
    box = page.locator('.qz[data-quiz="momentum-numeric_choice"]')
    page.wait_for_selector('.qz[data-quiz="momentum-numeric_choice"][data-ready="1"]')
    v = page.evaluate("""async () => {
        const el = document.querySelector('.qz[data-quiz="momentum-numeric_choice"]');
        const pool = await EshikakuQuiz.pool(el);
        const all = [];
        for (let i = 0; i < pool.length; i++) all.push(await pool.get(i));
        return all.find(v => v.id === el.getAttribute('data-current'));
    }""")
    wrong = next(i for i, c in enumerate(v["choices"]) if not c["correct"] and c["mistake"])
    name = v["choices"][wrong]["mistake"]
    _answer(page, box, wrong)
    store = _store(page)
    assert list(store["mistakes"]) == [name] and store["mistakes"][name]["count"] == 1
    assert store["mistakes"][name]["box"] == 1

    # 2. listed on 復習 with its feedback, and a question whose choices include it
    index = _index(site_dir)
    _open_review(page, server)
    item = page.locator(f'.qz-rv-item[data-mistake="{name}"]')
    assert item.count() == 1 and "1 回・箱 1・今日出題" in item.inner_text()
    title = index["mistakes"][name].get("title")
    if title:
        assert title in item.inner_text()
    item.locator("summary").click()
    feedback = re.sub(r"<[^>]+>", "", v["choices"][wrong]["feedback_html"])[:12]
    assert feedback in item.locator(".qz-rv-why").inner_text()
    assert page.get_attribute(".qz-rv", "data-target") == name
    served = _variant(site_dir, index, name, 0)
    assert name in [c["mistake"] for c in served["choices"] if not c["correct"]]
    qbox = page.locator(".qz-rv .qz-box")
    assert qbox.get_attribute("data-variant") == served["id"]
    # the question's math is KaTeX's, drawn at build time: its MathML copy is hidden by KaTeX's CSS
    mathml = qbox.locator(".katex-mathml").first
    assert mathml.count() == 1 and mathml.bounding_box()["width"] <= 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.add_style_tag(content=".md-header { position: absolute !important; }")
    page.locator(".qz-rv").screenshot(path=str(SHOTS / "review-served.png"))

    # 3. the first right answer: box 2, served again from the next day
    assert page.locator(".qz-rv-next").is_hidden()  # until the question is answered
    _answer(page, qbox, served["answer"]["index"])
    assert page.locator(".qz-rv-next").is_visible()
    store = _store(page)
    m = store["mistakes"][name]
    assert (m["box"], m["right"]) == (2, 1)
    next_day = datetime(T0.year, T0.month, T0.day) + timedelta(days=R.INTERVAL_DAYS[1])
    assert m["due"] == page.evaluate(f"new Date({next_day.year}, {next_day.month - 1}, {next_day.day}).getTime()")
    page.locator(".qz-rv-next").click()
    assert page.locator(".qz-rv-qhead").inner_text() == "今日の復習は終わりました。"
    assert "箱 2" in item.inner_text() and "から出題" in item.inner_text()

    # 4. export, reset, import: the same state
    with page.expect_download() as dl:
        page.locator(".qz-rv-export").click()
    saved = tmp_path / "study.json"
    dl.value.save_as(saved)
    exported = json.loads(saved.read_text(encoding="utf-8"))
    assert exported["review"] == store and exported["quiz"]["momentum-numeric_choice"]["attempts"] == 1
    quiz_before = page.evaluate("localStorage.getItem('eshikaku-quiz-v1')")
    page.locator(".qz-rv-reset").click()
    assert _store(page)["mistakes"] == {} and page.locator(".qz-rv-item").count() == 0
    page.evaluate("localStorage.removeItem('eshikaku-quiz-v1')")
    page.locator(".qz-rv-file").set_input_files(str(saved))
    page.wait_for_selector(".qz-rv-status:has-text('記録を読み込みました')")
    assert _store(page) == store
    assert json.loads(page.evaluate("localStorage.getItem('eshikaku-quiz-v1')")) == json.loads(quiz_before)
    assert page.locator(f'.qz-rv-item[data-mistake="{name}"]').count() == 1
    page.locator(".qz-rv-file").set_input_files(
        files=[{"name": "x.json", "mimeType": "application/json", "buffer": b'{"format": "other"}'}])
    page.wait_for_selector(".qz-rv-status:has-text('読み込めませんでした')")
    assert _store(page) == store  # a foreign file changes nothing

    # 5. the next day: served again; the second right answer moves it out
    page.clock.set_system_time(T0 + timedelta(days=1))
    _open_review(page, server)
    assert page.get_attribute(".qz-rv", "data-target") == name
    served = _variant(site_dir, index, name, 1 % len(index["mistakes"][name]["v"]))
    assert qbox.get_attribute("data-variant") == served["id"]
    _answer(page, qbox, served["answer"]["index"])
    store = _store(page)
    assert name not in store["mistakes"] and store["done"][name]["count"] == 1
    assert page.locator(".qz-rv-item").count() == 0
    assert hosts == {"127.0.0.1"} and errors == []
    ctx.close()


def test_a_wrong_answer_on_review_goes_back_to_box_1(browser, server, site_dir):
    index = _index(site_dir)
    name = next(n for n, info in index["mistakes"].items() if len(info["v"]) >= 2)
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark")
    page = ctx.new_page()
    page.clock.install(time=T0)
    _open_review(page, server)  # (then the record, then the page again)
    page.evaluate("""([name, t]) => localStorage.setItem('eshikaku-review-v1', JSON.stringify({version: 1,
        mistakes: {[name]: {count: 3, box: 2, right: 1, due: t, last: t, html: '<p>説明</p>'}}, done: {}}))""",
                  [name, page.evaluate("Date.now()")])
    _open_review(page, server)
    qbox = page.locator(".qz-rv .qz-box")
    served = _variant(site_dir, index, name, 0)
    assert qbox.get_attribute("data-variant") == served["id"]
    wrong = next(i for i, c in enumerate(served["choices"]) if not c["correct"])
    assert page.get_attribute(".qz-rv", "data-target") == name
    _answer(page, qbox, wrong)
    m = _store(page)["mistakes"].get(name)
    assert m is not None, (_store(page), served["choices"][wrong]["mistake"])
    assert (m["box"], m["right"]) == (1, 0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.add_style_tag(content=".md-header { position: absolute !important; }")
    page.locator(".qz-rv").screenshot(path=str(SHOTS / "review-390-dark.png"))
    ctx.close()


def test_the_mock_exams_wrong_choices_are_recorded_when_it_is_scored(browser, server):
    ctx = browser.new_context(viewport={"width": 1000, "height": 900})
    page = ctx.new_page()
    page.goto(f"{server}/quiz/exam/")
    page.wait_for_selector(".qz-exam[data-ready='1']")
    exam = page.locator(".qz-exam")
    exam.locator("select[name=count]").select_option("5")
    exam.locator(".qz-start").click()
    expected = {}
    for k in range(5):
        vid = exam.locator(".qz-box").get_attribute("data-variant")
        v = page.evaluate("""async (vid) => {
            const pool = await EshikakuQuiz.pool(document.querySelector('.qz-exam'));
            for (let i = 0; i < pool.length; i++) { const v = await pool.get(i); if (v.id === vid) return v; }
        }""", vid)
        pick = next((i for i, c in enumerate(v["choices"]) if not c["correct"] and c["mistake"]), v["answer"]["index"])
        if not v["choices"][pick]["correct"]:
            name = v["choices"][pick]["mistake"]
            expected[name] = expected.get(name, 0) + 1
        exam.locator(".qz-choice").nth(pick).click()
        if k < 4:
            exam.locator(".qz-next").click()
    assert _store(page) is None  # nothing before it is scored (no feedback yet)
    exam.locator(".qz-finish").click()
    exam.locator(".qz-score").wait_for()
    assert expected and {n: m["count"] for n, m in _store(page)["mistakes"].items()} == expected
    ctx.close()
