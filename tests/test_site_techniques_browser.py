"""The optimization chapter's pages in headless Chromium (desktop and a 390 px phone): every figure loads, every
formula is drawn by KaTeX without an error, nothing overflows sideways on the phone, no request leaves
127.0.0.1, and each page's four quizzes work when answered by mouse. Screenshots go to
artifacts/screenshots/chapter-*.png.

(Named to run after tests/test_drill*.py: the session's sync Playwright, once started, keeps an event loop that
the drill's own asyncio printing cannot share.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from _pool import open_logged, pool_variants

from quizgen.quiz import specs as S

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "artifacts" / "screenshots"
PAGES = {"init": "chapter/init/", "normalization": "chapter/normalization/", "clipping": "chapter/clipping/"}

pytestmark = pytest.mark.browser


def _open(browser, server, path: str, width: int):
    ctx, page, log = open_logged(browser, server, path, width)
    page.wait_for_selector(".qz[data-ready='1']", timeout=20000)
    return ctx, page, log


@pytest.mark.parametrize("topic", list(PAGES))
@pytest.mark.parametrize("width", [1280, 390])
def test_chapter_page_renders(browser, server, topic, width):
    ctx, page, log = _open(browser, server, PAGES[topic], width)
    try:
        height = page.evaluate("document.body.scrollHeight")
        for y in range(0, height, 700):  # bring every lazy figure into view
            page.evaluate(f"window.scrollTo(0, {y})")
            page.wait_for_timeout(30)
        page.wait_for_function("Array.from(document.images).every(i => i.complete)", timeout=20000)
        figures = page.locator("figure.qg-figure img")
        assert figures.count() >= 2
        assert page.evaluate("Array.from(document.querySelectorAll('figure.qg-figure img'))"
                             ".every(i => i.naturalWidth > 0)")
        assert page.locator(".arithmatex .katex").count() > 20
        assert page.locator(".katex-error").count() == 0
        assert page.locator(".qz[data-ready='1']").count() == 4
        if width == 390:
            assert page.evaluate("document.documentElement.scrollWidth") <= width
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SHOTS / f"chapter-{topic}-{width}.png"))
        assert log["hosts"] <= {"127.0.0.1"}, log["hosts"]
        assert log["errors"] == [], log["errors"]
    finally:
        ctx.close()


@pytest.mark.parametrize("topic", list(PAGES))
def test_chapter_quizzes_answer_by_mouse(browser, server, topic):
    ctx, page, log = _open(browser, server, PAGES[topic], 1000)
    try:
        _, fams = S.TECHNIQUES[topic]
        for family in (*fams, "concepts"):
            quiz_id = f"{topic}-{family}"
            box = page.locator(f'.qz[data-quiz="{quiz_id}"]')
            box.scroll_into_view_if_needed()
            current = box.get_attribute("data-current")
            v = {x["id"]: x for x in pool_variants(page, f'.qz[data-quiz="{quiz_id}"]')}[current]
            assert v["tags"]["topic"] == topic and len(v["choices"]) == 4
            box.locator(".qz-choice").nth(v["answer"]["index"]).click()
            box.locator(".qz-check").click()
            box.locator(".qz-feedback.qz-right").wait_for()
            assert box.locator(".qz-solution[open]").count() == 1
            if family.endswith("_code"):
                assert box.locator("mark.qz-blank").count() >= 1
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.add_style_tag(content=".md-header { position: absolute !important; }")  # not over a tall box
        page.locator(f'.qz[data-quiz="{topic}-{fams[0]}"]').screenshot(path=str(SHOTS / f"chapter-{topic}-quiz.png"))
        assert log["errors"] == [], log["errors"]
    finally:
        ctx.close()
