"""Scripts and style sheets that only some pages need, left out of the pages that do not use them.

mkdocs.yml lists every script and style sheet of the site (``extra_javascript``, ``extra_css``), and MkDocs puts
all of them on every page. The hook passes each page's final HTML through :func:`prune`, which drops an asset
whose marker (:data:`NEEDS`) is not in the page: KaTeX's 273 KB script only where formulas are drawn in the
browser, the quiz widget only where there is a quiz, KaTeX's style sheet only where there is math.

A new widget with its own script adds a line here with the marker its HTML carries.
"""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).with_name("static")  # the site's own small scripts, served as assets/site/*

#: site path of an asset -> the markers (substrings of a page's HTML) of which one must be present to keep it
NEEDS: dict[str, tuple[str, ...]] = {
    "assets/katex/katex.min.js": ('data-katex="browser"',),  # formulas drawn in the browser (TeX at view time)
    "assets/katex/katex.min.css": ('class="katex', "data-katex="),  # math rendered at build time, or later
    "assets/quiz/quiz.js": ('class="qz',),  # quiz widgets, the mock exam, the progress table
    "assets/quiz/normalize.js": ('class="qz',),
    "assets/quiz/quiz.css": ('class="qz',),
    "assets/site/lazy.js": ('class="qg-lazy"',),  # parts of the page fetched when opened (quizgen/site/lazy.py)
    "assets/site/playground.js": ('class="qg-play"',),  # the playground (quizgen/site/playground.py)
    "assets/site/playground.css": ('class="qg-play"',),
}

_TAG = re.compile(r'<script src="([^"]+)"[^>]*></script>\n?|<link rel="stylesheet" href="([^"]+)"[^>]*>\n?')


def _asset_of(url: str) -> str | None:
    for asset in NEEDS:
        if url == asset or url.endswith("/" + asset):
            return asset
    return None


def prune(html: str) -> str:
    """``html`` without the script and style tags of :data:`NEEDS` whose markers it lacks."""
    def keep(m: re.Match) -> str:
        asset = _asset_of(m.group(1) or m.group(2))
        if asset is None or any(marker in html for marker in NEEDS[asset]):
            return m.group(0)
        return ""

    return _TAG.sub(keep, html)


def static_files() -> dict[str, bytes]:
    """The site's own scripts (``quizgen/site/static``), site-root-relative (``assets/site/lazy.js``)."""
    return {f"assets/site/{p.name}": p.read_bytes() for p in sorted(STATIC.iterdir()) if p.suffix in (".js", ".css")}
