"""Large closed parts of a page, fetched when the learner opens them.

A closed ``<details>`` (a collapsible admonition ``??? note "..."`` and the like: the mistakes, the proofs, the
worked substitutions) is not read until it is opened, nor is a tab that is not chosen (the PyTorch and paper forms
beside the textbook's), but their HTML (KaTeX's above all) is most of a long page. Two steps, both run by the
MkDocs hook on every page:

1. :func:`mark` (``on_page_content``, math still as short placeholders): the body of every closed top-level
   ``<details>`` and of every tab but the first of a tab set (pymdownx.tabbed), when it has math or at least
   :data:`MIN_BYTES` of HTML, is wrapped in ``<section class="qg-lazy-body" data-search-exclude>``: the search
   index keeps the block's title, not its body (numbers and worked substitutions are not what a learner searches
   for, and they made the index too large);
2. :func:`split` (``on_post_page``, math rendered): each marked body goes to a file of its own,
   ``assets/lazy/<digest>.html`` (named by its content: same page, same files), and a placeholder takes its place
   that ``lazy.js`` fills when it becomes visible (the ``<details>`` opens, the tab is chosen). The summary and
   the tab's label stay in the page.

Any page gets this, generated or hand-written: to keep a large part out of a page's first load, put it in a
closed collapsible block (``???`` in Markdown) or a second tab. Without JavaScript the placeholder links to the
fragment.
"""

from __future__ import annotations

import hashlib
import posixpath
import re

MIN_BYTES = 1000  # a smaller body without math stays in the page (a request costs more than it saves)
FOLDER = "assets/lazy"
SCRIPT = "assets/site/lazy.js"  # quizgen/site/static/lazy.js; named in mkdocs.yml, kept by page_assets
# a <section>, not a <div>: the theme's search parser matches end tags by name, and the first </div> inside the
# body (a display formula's) would end the exclusion
MARK = '<section class="qg-lazy-body" data-search-exclude>'
MARK_END = "</section>"

_TAG = re.compile(r"<(/?)details\b([^>]*)>", re.I)
_SUMMARY_END = re.compile(r"</summary>", re.I)


def _closed_bodies(html: str):
    """(start, end) of the body (after ``</summary>``) of every closed top-level ``<details>``."""
    depth, start = 0, None
    for m in _TAG.finditer(html):
        if m.group(1) != "/":
            if depth == 0 and re.search(r"\bopen\b", m.group(2)) is None:
                start = m
            depth += 1
            continue
        depth -= 1
        if depth or start is None:
            continue
        head = _SUMMARY_END.search(html, start.end(), m.start())
        yield (head.end() if head else start.end()), m.start()
        start = None


_DIV = re.compile(r"<(/?)div\b([^>]*)>", re.I)


def _later_tabs(html: str):
    """(start, end) of the body of every tab but the first of each tab set (``<div class="tabbed-block">``)."""
    for m in re.finditer(r'<div class="tabbed-content"[^>]*>', html):
        depth, n, start = 0, 0, None
        for t in _DIV.finditer(html, m.end()):
            if t.group(1) != "/":
                if depth == 0 and "tabbed-block" in t.group(2):
                    n += 1
                    start = t.end() if n > 1 else None
                depth += 1
                continue
            if depth == 0:
                break  # the end of the tabbed-content
            depth -= 1
            if depth == 0 and start is not None:
                yield start, t.start()
                start = None


def mark(html: str) -> str:
    """Wrap the large bodies of closed top-level ``<details>`` and of later tabs in :data:`MARK` (see the module
    doc); a tab inside a closed ``<details>`` goes with the ``<details>``."""
    spans = sorted(list(_closed_bodies(html)) + list(_later_tabs(html)))
    out, pos = [], 0
    for a, b in spans:
        if a < pos:  # inside a body already marked
            continue
        body = html[a:b]
        if 'class="arithmatex"' not in body and len(body.encode("utf-8")) < MIN_BYTES:
            continue
        out += [html[pos:a], MARK, body, MARK_END]
        pos = b
    return "".join(out) + html[pos:]


def split(html: str, page_url: str) -> tuple[str, dict[str, bytes]]:
    """``html`` with every body that :func:`mark` wrapped replaced by a placeholder, and the fragments (site path
    -> bytes). ``page_url`` is the page's URL relative to the site root (``optimizers/adam/``, ``""`` for the
    home page), to link the fragments relative to the page."""
    out, files, pos = [], {}, 0
    base = page_url.rstrip("/") if page_url.endswith("/") else posixpath.dirname(page_url)
    for a, b in _marked(html):
        data = html[a + len(MARK):b - len(MARK_END)].encode("utf-8")
        path = f"{FOLDER}/{hashlib.sha256(data).hexdigest()[:16]}.html"
        files[path] = data
        link = posixpath.relpath(path, base or ".")
        out += [html[pos:a], f'<div class="qg-lazy" data-src="{link}"><p class="qg-lazy-wait">'
                             f'開くと読み込みます（<a href="{link}">この部分だけを開く</a>）</p></div>']
        pos = b
    return "".join(out) + html[pos:], files


_SECTION = re.compile(r"<(/?)section\b[^>]*>", re.I)


def _marked(html: str):
    """(start, end) of every outermost :data:`MARK` … :data:`MARK_END` element."""
    depth, start = 0, None
    for m in _SECTION.finditer(html):
        if m.group(1) != "/":
            if depth == 0 and m.group(0) == MARK:
                start = m.start()
            depth += 1
            continue
        depth -= 1
        if depth == 0 and start is not None:
            yield start, m.end()
            start = None
