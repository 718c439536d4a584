"""The chapter pages in headless Chromium: every figure loads, every formula is KaTeX, no page scrolls sideways on
a phone, nothing leaves 127.0.0.1, and a chapter quiz answers like the others (the schedule family's key and a
named mistake; the early-stopping record as a table). Screenshots go to artifacts/screenshots/chapter-*.png.

The file name sorts after tests/test_drill*.py: the session's Playwright (conftest's browser fixture) keeps an
event loop running, and the drill tests print PDFs with asyncio.run()."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from _pool import open_logged, pool_variants

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "artifacts" / "screenshots"
PAGES = ("chapter/", "chapter/schedules/", "chapter/early-stopping/", "chapter/averaging/", "chapter/second-order/",
         "basics/saddle-points/", "quiz/chapter/")

pytestmark = pytest.mark.browser


def _open(browser, server, path: str, width: int):
    ctx, page, log = open_logged(browser, server, path, width)
    return ctx, page, log


@pytest.mark.parametrize("width", [1280, 390])
def test_chapter_pages_render_offline(browser, server, width):
    for path in PAGES:
        ctx, page, log = _open(browser, server, path, width)
        try:
            imgs = page.locator("article img")
            for i in range(imgs.count()):
                img = imgs.nth(i)
                img.scroll_into_view_if_needed()
                page.wait_for_function("el => el.complete && el.naturalWidth > 0", arg=img.element_handle())
            text = page.locator("article").inner_text()
            assert "$$" not in text and "\\frac" not in text, path  # every formula was rendered
            if path != "chapter/":
                assert page.locator("article .katex").count() > 0, path
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (path, width)
            assert log["errors"] == [] and log["hosts"] <= {"127.0.0.1"}, (path, log)
            if width == 390 and path == "chapter/schedules/":
                SHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SHOTS / "chapter-schedules-phone.png"))
        finally:
            ctx.close()


def _variants(page, quiz_id: str) -> tuple:
    box = page.locator(f'.qz[data-quiz="{quiz_id}"]')
    page.wait_for_selector(f'.qz[data-quiz="{quiz_id}"][data-ready="1"]', timeout=20000)
    pool = {v["id"]: v for v in pool_variants(page, f'.qz[data-quiz="{quiz_id}"]')}
    return box, pool[box.get_attribute("data-current")]


def test_schedule_quiz_on_its_page_answers_right_and_names_a_mistake(browser, server):
    ctx, page, log = _open(browser, server, "chapter/schedules/", 1000)
    try:
        box, v = _variants(page, "all-schedule")
        assert len(v["choices"]) == 4
        wrong = next(i for i, c in enumerate(v["choices"]) if not c["correct"])
        box.locator(".qz-choice").nth(wrong).click()
        box.locator(".qz-check").click()
        box.locator(".qz-feedback.qz-wrong").wait_for()
        feedback = re.sub(r"<[^>]+>", "", v["choices"][wrong]["feedback_html"])[:12]
        assert feedback in box.locator(".qz-choice").nth(wrong).inner_text()
        box.locator(".qz-next").click()
        box, v2 = _variants(page, "all-schedule")
        box.locator(".qz-choice").nth(v2["answer"]["index"]).click()
        box.locator(".qz-check").click()
        box.locator(".qz-feedback.qz-right").wait_for()
        SHOTS.mkdir(parents=True, exist_ok=True)
        box.screenshot(path=str(SHOTS / "chapter-schedule-quiz.png"))
        assert log["errors"] == [] and log["hosts"] <= {"127.0.0.1"}
    finally:
        ctx.close()


def test_early_stopping_quiz_shows_the_record_as_a_table(browser, server):
    ctx, page, log = _open(browser, server, "chapter/early-stopping/", 1000)
    try:
        box, v = _variants(page, "all-early_stopping")
        table = box.locator(".qz-stem table")
        assert table.count() == 1 and "検証損失" in table.inner_text()
        assert all(c["html"].startswith("エポック") for c in v["choices"])
        assert log["errors"] == []
    finally:
        ctx.close()
