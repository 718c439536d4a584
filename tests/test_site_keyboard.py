"""The quiz pages with the keyboard alone: a skip link (the second Tab stop, after the theme's) puts the focus in
the first question's answer box; every control of a quiz can be reached with Tab."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def focused(page) -> dict:
    return page.evaluate("""() => { const e = document.activeElement;
        return {tag: e.tagName, cls: e.className || '', text: (e.textContent || '').trim().slice(0, 30),
                quiz: (e.closest('.qz, .qz-exam') || {}).id || ''}; }""")


@pytest.mark.parametrize("path, target", [("quiz/momentum/", "INPUT"), ("quiz/exam/", "SELECT")])
def test_the_skip_link_reaches_the_first_question(browser, server, path, target):
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(f"{server}/{path}")
    page.wait_for_selector(".qz[data-ready='1'], .qz-exam[data-ready='1']")
    presses = 0
    while "qz-skip" not in focused(page)["cls"]:
        page.keyboard.press("Tab")
        presses += 1
        assert presses <= 3, focused(page)
    assert "最初の問題へ" in focused(page)["text"]
    page.keyboard.press("Enter")
    now = focused(page)
    assert now["tag"] == target and now["quiz"] == "qz-first", now
    first = page.locator(".qz, .qz-exam").first
    assert first.get_attribute("id") == "qz-first"
    ctx.close()


def test_every_control_of_a_quiz_is_reached_with_tab(browser, server):
    """From the first answer box, Tab walks through the quiz's answer box, check button, next and reset buttons."""
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(f"{server}/quiz/momentum/")
    page.wait_for_selector(".qz[data-ready='1']")
    box = page.locator(".qz").first
    wanted = {"qz-check", "qz-next", "qz-reset"}
    box.locator(".qz-input, .qz-choice input").first.focus()
    seen = set()
    for _ in range(40):
        page.keyboard.press("Tab")
        cls = focused(page)["cls"]
        seen |= {c for c in wanted if c in cls}
        if seen == wanted:
            break
    assert seen == wanted, seen
    ctx.close()


def test_pages_without_a_quiz_have_no_quiz_skip_link(site_dir):
    for page in ("optimizers/adam/index.html", "quiz/index.html", "about/index.html"):
        assert "qz-skip" not in (site_dir / page).read_text(encoding="utf-8"), page
