"""The built study site in headless Chromium, as a learner sees it: every page loads offline with no
console error, formulas are KaTeX (no raw TeX on screen), Japanese search finds the right page, and
screenshots of one optimizer page (light and dark) land in artifacts/screenshots/ to be looked at."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "artifacts" / "screenshots"

pytestmark = pytest.mark.browser


def pages(site_dir: Path) -> list[str]:
    return sorted(p.relative_to(site_dir).parent.as_posix() + "/" if p.name == "index.html" else
                  p.relative_to(site_dir).as_posix()
                  for p in site_dir.rglob("*.html")
                  if p.name != "404.html" and not p.relative_to(site_dir).as_posix().startswith("assets/"))


def open_page(browser, url: str, scheme: str = "light"):
    """A fresh page recording console errors, failed requests and every request's host."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = ctx.new_page()
    log = {"errors": [], "hosts": set(), "failed": []}
    page.on("console", lambda m: log["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log["errors"].append(str(e)))
    page.on("request", lambda r: log["hosts"].add(urlparse(r.url).hostname or r.url.split(":")[0]))
    page.on("requestfailed", lambda r: log["failed"].append(r.url))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return ctx, page, log


def test_every_page_loads_offline_with_no_console_error(browser, server, site_dir):
    found = pages(site_dir)
    assert len(found) >= 20
    for path in found:
        ctx, page, log = open_page(browser, f"{server}/{path}")
        page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')")
        page.wait_for_load_state("networkidle")
        assert log["errors"] == [], (path, log["errors"])
        assert log["failed"] == [], (path, log["failed"])
        assert log["hosts"] <= {"127.0.0.1", "data", "blob"}, (path, log["hosts"])
        broken = page.evaluate("[...document.images].filter(i => i.complete && i.naturalWidth === 0).map(i => i.src)")
        assert broken == [], (path, broken)
        ctx.close()


def test_formulas_are_rendered_by_katex(browser, server, site_dir):
    for path in pages(site_dir):
        ctx, page, _ = open_page(browser, f"{server}/{path}")
        # what a reader sees as prose (code blocks may show TeX on purpose, e.g. on the about page)
        page.evaluate("document.querySelectorAll('pre, code').forEach(e => e.remove())")
        text = page.inner_text("body")
        for raw in ("\\(", "\\)", "$$", "\\begin{aligned}", "\\frac{", "\\hat{"):
            assert raw not in text, (path, raw)
        if path.startswith("optimizers/") and path != "optimizers/":
            assert page.locator(".katex").count() > 10, path
            assert page.locator(".katex-display").count() >= 2, path
            # KaTeX's fonts come from the site itself
            assert page.evaluate("document.fonts.check('16px KaTeX_Main')"), path
        ctx.close()


# single words; compound words typed without a space (バイアス補正 …): tests/test_site_search.py
@pytest.mark.parametrize("query, expected", [("勾配", "optimizers/"), ("慣性", "optimizers/momentum/"),
                                             ("補正", "optimizers/adam/"), ("モーメンタム", "optimizers/momentum/")])
def test_japanese_search_finds_the_page(browser, server, query, expected):
    ctx, page, log = open_page(browser, f"{server}/")
    page.click("label.md-search__icon, .md-search__input", timeout=5000)
    box = page.locator("input.md-search__input")
    box.fill(query)
    box.press("End")  # fill() of Japanese text alone fires no search
    page.wait_for_selector(".md-search-result__item", timeout=15000)
    links = page.eval_on_selector_all(".md-search-result__item a", "els => els.map(e => e.href)")
    assert any(expected in link for link in links), (query, links[:10])
    assert log["hosts"] <= {"127.0.0.1", "data", "blob"}
    ctx.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshot_of_an_optimizer_page(browser, server, scheme):
    SHOTS.mkdir(parents=True, exist_ok=True)
    ctx, page, log = open_page(browser, f"{server}/optimizers/adam/", scheme)
    page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')")
    page.wait_for_load_state("networkidle")
    target = SHOTS / f"optimizer-adam-{scheme}.png"
    page.screenshot(path=str(target), full_page=True)
    page.screenshot(path=str(SHOTS / f"optimizer-adam-{scheme}-top.png"))
    assert target.stat().st_size > 50_000
    scheme_attr = page.get_attribute("body", "data-md-color-scheme")
    assert scheme_attr == ("slate" if scheme == "dark" else "default")
    assert log["errors"] == []
    ctx.close()


def test_on_a_phone_the_pages_fit_and_sentences_in_run_tables_keep_their_width(browser, server):
    """At 390 px the page itself does not scroll sideways (wide tables scroll inside their box), and the
    "what the run did" column of the learning-rate table is not squeezed to a few characters."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    page.goto(f"{server}/optimizers/momentum/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    widths = page.evaluate("""[...document.querySelectorAll('.qg-runs table td:last-child')]
        .map(td => td.getBoundingClientRect().width / parseFloat(getComputedStyle(td).fontSize))""")
    assert widths and min(widths) >= 13.9, widths
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".qg-runs").first.screenshot(path=str(SHOTS / "phone-lr-table.png"))
    ctx.close()


def test_todays_drill_sheet_button_opens_the_sheet_it_names(browser, server):
    ctx, page, log = open_page(browser, f"{server}/drills/")
    button = page.locator("#drill-today-link")
    seed = re.search(r"シード (\d+)", button.inner_text()).group(1)
    href = button.get_attribute("href")
    listed = page.eval_on_selector_all("table a", "links => links.map(a => a.getAttribute('href'))")
    assert href in listed and page.get_attribute("#drill-today-key", "href") in listed
    button.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"drill-{seed}.html") and f"シード {seed}" in page.inner_text("body")
    assert log["errors"] == []
    ctx.close()


def test_todays_drill_sheet_changes_with_the_date(browser, server):
    """The script, not the page's default link, picks the sheet: on consecutive days the buttons differ."""
    from datetime import datetime

    named = []
    for day in (1, 2):
        ctx = browser.new_context()
        page = ctx.new_page()
        page.clock.set_fixed_time(datetime(2026, 12, day, 12, 0))
        page.goto(f"{server}/drills/")
        named.append((page.inner_text("#drill-today-link"), page.get_attribute("#drill-today-key", "href")))
        ctx.close()
    assert named[0] != named[1] and all(re.search(r"シード \d+", text) for text, _ in named), named
