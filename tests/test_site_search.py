"""Japanese search in the built site, typed into the search box in Chromium as a learner types it
(quizgen/site/search.py): compound words are found without a space, a page titled by the query comes first,
the index stays small and the search makes no outside request."""

from __future__ import annotations

import json
import re
from urllib.parse import urlparse

import pytest

from quizgen.site import search
from quizgen.site.weigh import LIMITS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def searcher(browser, server):
    ctx = browser.new_context()
    page = ctx.new_page()
    hosts: set[str] = set()
    page.on("request", lambda r: hosts.add(urlparse(r.url).hostname or r.url.split(":")[0]))
    page.goto(f"{server}/")

    def ask(query: str) -> list[dict]:
        page.click("label.md-search__icon, .md-search__input", timeout=5000)
        box = page.locator("input.md-search__input")
        box.fill(query)
        box.press("End")  # fill() of Japanese text alone fires no search
        page.wait_for_selector(".md-search-result__item", timeout=15000)
        page.wait_for_function("q => document.querySelector('.md-search-result__meta').textContent.length > 0 && "
                               "document.querySelector('input.md-search__input').value === q", arg=query)
        found = page.eval_on_selector_all(
            ".md-search-result__item > a",
            """els => els.map(a => ({href: a.getAttribute('href'),
                                     title: (a.querySelector('h1, h2') || {}).textContent || '',
                                     text: a.textContent}))""")
        box.fill("")
        return [dict(f, path=re.sub(r"[?#].*$", "", urlparse(f["href"]).path).lstrip("/")) for f in found]

    ask.hosts = hosts
    yield ask
    ctx.close()


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("query, page", [("バイアス補正", "optimizers/adam/"), ("重み減衰", "optimizers/adamw/"),
                                         ("L2正則化", "optimizers/adamw/"), ("ゼロ除算", None)])
def test_compound_words_are_found_as_typed_and_the_right_page_comes_first(searcher, query, page):
    """No space typed inside the word. The first result is the page that explains it (where one is clearly the
    home of the word), and the word as typed is in the first result's title or text."""
    results = searcher(query)
    assert results, query
    first = results[0]
    if page is not None:
        assert first["path"] == page, (query, [r["path"] for r in results[:5]])
    group = [r for r in results if r["path"] == first["path"]]  # the page and its matching sections
    assert any(squeeze(query).lower() in squeeze(r["text"]).lower() for r in group), (query, group[:3])
    assert searcher.hosts <= {"127.0.0.1", "data", "blob"}


@pytest.mark.parametrize("query, page", [("Adam", "optimizers/adam/"), ("Momentum", "optimizers/momentum/"),
                                         ("RMSprop", "optimizers/rmsprop/"), ("鞍点", "basics/saddle-points/")])
def test_a_page_titled_by_the_query_comes_first(searcher, query, page):
    """"Adam" used to list 「Adamax の演習」 first: the prefix match favoured the rarer word."""
    results = searcher(query)
    assert results[0]["path"] == page, (query, [r["path"] for r in results[:5]])


def test_the_search_index_is_small_utf8_and_uses_the_sites_separator(site_dir):
    path = site_dir / search.INDEX
    raw = path.read_bytes()
    assert len(raw) <= LIMITS["search_index"], len(raw)
    assert b"\\u30" not in raw[raw.index(b'"docs"'):]  # Japanese as UTF-8, not \\uXXXX escapes
    data = json.loads(raw)
    assert data["config"]["separator"] == search.SEPARATOR
    quiz = [d for d in data["docs"] if d["location"].startswith("quiz/")]
    assert quiz and all(d["boost"] == search.BOOST["quiz/"] for d in quiz)


def test_the_worker_runs_the_sites_ranking(site_dir):
    script = (site_dir / search.WORKER_SEGMENTER).read_text(encoding="utf-8")
    assert "TinySegmenter" in script and "qgRanked" in script


def test_the_separator_splits_where_the_script_changes():
    """The same regular expression in Python (which reads this syntax alike) on the four queries."""
    sep = re.compile(search.SEPARATOR)
    parts = {q: [p for p in sep.split(q) if p] for q in ("バイアス補正", "重み減衰", "L2正則化", "ゼロ除算")}
    assert parts == {"バイアス補正": ["バイアス", "補正"], "重み減衰": ["重", "減衰"], "L2正則化": ["L2", "正則化"],
                     "ゼロ除算": ["ゼロ", "除算"]}
