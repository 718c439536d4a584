"""Japanese site search: compound words found as typed, a page titled by the query first, a small index.

mkdocs-material's search (lunr in a web worker, ``lang: ja``) splits the pages' text with its ``separator`` and
then cuts Japanese pieces into words with TinySegmenter; a query is split by the same separator, and its kanji
runs are cut into words that the index holds (a dictionary match against the index). The query is never given to
TinySegmenter, so 「バイアス補正」 stayed one term that no index word equals (the index has バイアス and 補正):
nothing was found unless the learner typed a space.

The fix, measured with the four queries of issue 17 in Chromium (tests/test_site_search.py):

- :data:`SEPARATOR` also splits, with zero-width matches, where the script changes (katakana | kanji | Latin and
  digits) and drops hiragana runs (particles and okurigana), in the index and in the query alike:
  「バイアス補正」→ バイアス + 補正, 「L2正則化」→ l2 + 正則化, 「重み減衰」→ 重 + 減衰, 「ゼロ除算」→ ゼロ + 除算.
- ``search-rank.js`` (appended to the worker's ``tinyseg.js``, the one script of the theme's search worker that
  a site can extend) puts a page whose title is exactly the query's words above every other result, and a page or
  section whose title has them all next: "Adam" → the Adam page, not 「Adamax の演習」.
- :func:`rewrite_index` (after MkDocs wrote ``search/search_index.json``): the separator above; quiz pages at
  lower weight (:data:`BOOST`: at equal relevance the page that explains a topic comes before the one that
  drills it or lists mistakes about it); JSON written as UTF-8
  instead of ``\\uXXXX`` escapes (743 KB → 429 KB for the same text). The bodies of closed blocks
  (:mod:`quizgen.site.lazy`) are not indexed, only their titles; nor are code listings (``<pre>``, ~34 KB) and
  computed decimal values (~15 KB), which no learner types into a search box (455 KB → under 400 KB once the
  optimization chapter's pages were added).

Nothing is fetched at view time: the worker and the index are files of the site.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

INDEX = "search/search_index.json"
WORKER_SEGMENTER = "assets/javascripts/lunr/tinyseg.js"  # loaded by the theme's search worker for lang: ja
RANK_JS = Path(__file__).with_name("static") / "search-rank.js"

_KATAKANA = r"\u30a0-\u30ff\uff66-\uff9f"
_KANJI = r"\u4e00-\u9fff\u3400-\u4dbf\u3005\u3006"
_LATIN = r"A-Za-z0-9\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"
#: a JavaScript regular expression (no flags), as the theme's worker applies it to the index and to the query
SEPARATOR = (r"[\s\-\u3000、。，．・「」『』（）()【】［］\[\]：:？?！!,.;\"'/=]+"  # spaces and punctuation
             r"|[\u3040-\u309f]+"  # hiragana runs (particles, okurigana)
             rf"|(?<=[{_KATAKANA}])(?=[^{_KATAKANA}])|(?<=[^{_KATAKANA}])(?=[{_KATAKANA}])"
             rf"|(?<=[{_LATIN}])(?=[{_KANJI}])|(?<=[{_KANJI}])(?=[{_LATIN}])")
_BLOCK_TAGS = re.compile(r"\s*</?(?:p|ul|ol|li)>\s*")  # the results show the text as one snippet anyway
_CODE_BLOCK = re.compile(r"<pre\b.*?</pre>", re.S)  # reference code listings: searched by their section's words
_CODE_TAG = re.compile(r"</?code>")  # inline code stays as text, without its tags
_DECIMAL = re.compile(r"(?<![\w.])[−+-]?\d+\.\d+(?![\w.])")  # computed values (0.0800): nobody searches a number
#: search weight by the start of a page's location (default 1)
BOOST = {"quiz/": 0.5, "errata/": 0.7}


def worker_segmenter(original: bytes) -> bytes:
    """The theme's ``tinyseg.js`` with the ranking of ``search-rank.js`` after it."""
    return original.rstrip() + b"\n\n" + RANK_JS.read_bytes()


def rewrite_index(site_dir: Path | str) -> int:
    """Rewrite ``search/search_index.json`` of a built site (see the module doc); returns its size in bytes."""
    path = Path(site_dir) / INDEX
    if not path.exists():
        return 0
    data = json.loads(path.read_text(encoding="utf-8"))
    data["config"]["separator"] = SEPARATOR
    for doc in data["docs"]:
        text = _CODE_TAG.sub("", _CODE_BLOCK.sub(" ", doc["text"]))
        doc["text"] = re.sub(r" {2,}", " ", _DECIMAL.sub("", _BLOCK_TAGS.sub(" ", text))).strip()
        for prefix, boost in BOOST.items():
            if doc["location"].startswith(prefix) and "boost" not in doc:
                doc["boost"] = boost
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return len(text.encode("utf-8"))
