"""What each page of the built site weighs as Chromium loads it (quizgen/site/weigh.py), and the mechanisms that
keep it light: scripts only where they are used (quizgen/site/page_assets.py), closed blocks and later tabs
fetched when shown (quizgen/site/lazy.py), one quiz variant fetched at a time (quizgen/quiz/site.py)."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

from quizgen.site import page_assets, weigh

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def weights(browser, site_dir):
    return weigh.weigh_site(site_dir, browser)


def test_every_page_is_weighed_and_within_the_limits(weights, site_dir):
    assert len(weights) == len(weigh.pages(site_dir)) >= 20
    print("\n" + weigh.report(weights, site_dir))  # pytest -s shows the table (make weigh-site prints it too)
    over = [o for w in weights for o in w.over()]
    assert over == [], over
    assert (site_dir / weigh.SEARCH_INDEX).stat().st_size <= weigh.LIMITS["search_index"]
    # the measure sees what matters: the optimizer pages load their figures, quiz pages their variants
    adam = next(w for w in weights if w.path == "optimizers/adam/")
    assert sum(f.endswith(".svg") for f in adam.files) >= 2
    quiz = next(w for w in weights if w.path == "quiz/momentum/")
    assert any(f.startswith("assets/quiz/v/") for f in quiz.files)


def test_a_page_over_a_limit_is_reported():
    w = weigh.Weight("x/", {"x/index.html": (600_000, 100_000)})
    assert w.over() and "own" in w.over()[0]
    theme = weigh.Weight("x/", {"assets/javascripts/bundle.js": (400_000, 250_000), "x/index.html": (1000, 500)})
    assert theme.own == 1000 and [o for o in theme.over() if "gzip" in o]


def test_katex_script_and_quiz_files_only_on_pages_that_use_them(site_dir):
    for path in weigh.pages(site_dir):
        file = site_dir / (path + "index.html" if path.endswith("/") else path)
        html = file.read_text(encoding="utf-8")
        scripts = re.findall(r'<script src="([^"]+)"', html)
        scripts += re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
        for asset, markers in page_assets.NEEDS.items():
            loaded = any(s.endswith(asset) for s in scripts)
            if loaded:
                assert any(m in html for m in markers), (path, asset)
    def loaded(page: str) -> str:
        html = (site_dir / page).read_text(encoding="utf-8")
        found = re.findall(r'<script src="([^"]+)"', html) + re.findall(r'rel="stylesheet" href="([^"]+)"', html)
        return " ".join(found)

    quiz = loaded("quiz/momentum/index.html")
    assert "assets/quiz/quiz.js" in quiz and "katex.min.js" not in quiz  # the variants' math is drawn at build
    about = loaded("about/index.html")
    assert "quiz.js" not in about and "katex.min.js" not in about and "katex.min.css" not in about


def test_a_closed_block_and_a_later_tab_load_when_shown(browser, server):
    ctx = browser.new_context()
    page = ctx.new_page()
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(urlparse(r.url).path))
    page.goto(f"{server}/optimizers/adam/")
    page.wait_for_load_state("networkidle")
    lazy = lambda: [p for p in fetched if "/assets/lazy/" in p]  # noqa: E731
    assert lazy() == []  # nothing hidden is fetched with the page
    # a mistake (closed block): its explanation and formulas arrive when it opens
    block = page.locator("details:has(> .qg-lazy)").first
    block.locator("summary").click()
    block.locator(".qg-lazy[data-state=done] .katex").first.wait_for()
    assert len(lazy()) == 1
    # the PyTorch form (second tab of the conventions)
    tab = page.locator(".tabbed-set:has(.qg-lazy) .tabbed-labels label").nth(1)
    tab.click()
    page.locator(".tabbed-block .qg-lazy[data-state=done] .katex").first.wait_for()
    assert len(lazy()) == 2
    ctx.close()


def test_a_quiz_fetches_only_the_variant_it_shows(browser, server, site_dir):
    ctx = browser.new_context()
    page = ctx.new_page()
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(urlparse(r.url).path))
    page.goto(f"{server}/quiz/momentum/")
    page.wait_for_selector(".qz[data-ready='1']")
    page.wait_for_load_state("networkidle")
    widgets = page.locator(".qz[data-variants]").count()
    variants = [p for p in fetched if "/assets/quiz/v/" in p]
    assert widgets >= 3 and len(variants) == widgets, variants
    assert all(n >= 50 for n in map(int, page.eval_on_selector_all(".qz", "els => els.map(e => e.dataset.count)")))
    ctx.close()
