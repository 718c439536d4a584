"""The study site's printable sheets: the same HTML as ``quizgen drill`` writes, built at site-build time.

The site's build hook calls :func:`site_sheet` for each seed in :data:`SITE_SEEDS` and adds the pages
as generated files (``drills/sheets/drill-<seed>.html`` and ``…-answers.html``); docs/drills.md links
them and picks "today's sheet" by the date. The sheets are plain HTML with print CSS (A4, page header
and footer, no question split across pages): the browser's Print gives the same sheet as the PDF.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .model import ANONYMOUS, DrillSpec, Sheet, SheetPlan, generate_sheet, make_spec
from .render import render_sheet
from .roster import Student

#: the sheets the site offers (one per day of the week: docs/drills.md picks today's)
SITE_SEEDS = (1, 2, 3, 4, 5, 6, 7)
SITE_COUNT = 10
#: from site/drills/sheets/<file>.html to the KaTeX CSS the site build copies to site/assets/katex/
SITE_KATEX_CSS = "../../assets/katex/katex.min.css"
CACHE = "site-drills"  # .cache/site-drills/<key>.json: both pages of one sheet


def site_path(seed: int, part: str = "questions") -> str:
    """Where the site puts a sheet (a path under docs_dir / site_dir)."""
    return f"drills/sheets/drill-{seed}{'' if part == 'questions' else '-answers'}.html"


def site_spec(seed: int, count: int = SITE_COUNT, lang: str = "ja") -> DrillSpec:
    return make_spec(count, seed, None, None, lang, "")


def code_digest() -> str:
    """Digest of every file a sheet depends on (the optimizers and all of quizgen: engine, drill templates,
    KaTeX renderer, plots): the cache key of the site's sheets, so a stale sheet is never served."""
    from ..site.cache import file_digest

    quizgen = Path(__file__).resolve().parents[1]
    files = sorted((quizgen.parent / "optimizers").rglob("*.py"))
    files += sorted(p for p in quizgen.rglob("*") if p.is_file() and p.suffix in SOURCE_SUFFIXES
                    and "__pycache__" not in p.parts)
    stamp = tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    if _DIGEST.get("stamp") != stamp:  # read the files again only when one changed (mkdocs serve)
        _DIGEST.update(stamp=stamp, digest=file_digest(*files))
    return _DIGEST["digest"]


_DIGEST: dict = {}


SOURCE_SUFFIXES = (".py", ".yaml", ".yml", ".html", ".css", ".js", ".j2")


def _key(seed: int, count: int, lang: str, katex_css: str) -> str:
    from ..site.cache import digest
    from ..site.katex import katex_version
    from .builder import PROJECT_ROOT

    return digest("site-drill", seed, count, lang, katex_css, code_digest(), katex_version(PROJECT_ROOT))


def cached_sheets(seed: int, *, count: int = SITE_COUNT, lang: str = "ja", katex_css: str = SITE_KATEX_CSS,
                  cache_dir=None) -> tuple[str, str] | None:
    """The cached (questions, answers) HTML of sheet ``seed``, or None."""
    if cache_dir is None:
        return None
    path = Path(cache_dir) / CACHE / f"{_key(seed, count, lang, katex_css)}.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["questions"], data["answers"]


def site_sheets(seed: int, *, count: int = SITE_COUNT, lang: str = "ja", katex=None,
                katex_css: str = SITE_KATEX_CSS, cache_dir=None) -> tuple[str, str]:
    """The printable HTML of the site's sheet ``seed``: (questions, answers), generated once for both.

    ``katex``: the build's :class:`~quizgen.site.katex.KatexRenderer`; this process's (``katex.shared``) if None.
    ``cache_dir``: the build's cache folder (``.cache/``): the two pages are kept there, named by the seed and
    the digest of the code (:func:`code_digest`), and so are the figures by their data.
    """
    got = cached_sheets(seed, count=count, lang=lang, katex_css=katex_css, cache_dir=cache_dir)
    if got is not None:
        return got
    spec = site_spec(seed, count, lang)
    sheet: Sheet = generate_sheet(SheetPlan(spec, Student(ANONYMOUS)))
    figures = None
    if cache_dir is not None:
        from ..site.cache import FileCache

        figures = FileCache(cache_dir, "drill-figures", ".svg")
    pages = []
    for part in ("questions", "answers"):
        other = site_path(seed, "answers" if part == "questions" else "questions").rsplit("/", 1)[1]
        nav = {"print": True, "other": other, "other_label": "answers" if part == "questions" else "questions",
               "back": "../"}  # sheets live in drills/sheets/: back to the drills page
        if katex is None:
            from ..site.katex import shared
            from .builder import PROJECT_ROOT

            katex = shared(PROJECT_ROOT)
        rendered = render_sheet(sheet, katex, katex_css=katex_css, nav=nav, figure_cache=figures)
        pages.append(rendered.questions_html if part == "questions" else rendered.answers_html)
    if cache_dir is not None:
        from ..site.cache import FileCache

        blob = json.dumps({"questions": pages[0], "answers": pages[1]}, ensure_ascii=False).encode("utf-8")
        FileCache(cache_dir, CACHE, ".json").get_or_make(_key(seed, count, lang, katex_css), lambda: blob)
    return pages[0], pages[1]


def site_sheet(seed: int, part: str = "questions", **kwargs) -> str:
    """One part (``"questions"`` or ``"answers"``) of :func:`site_sheets`."""
    if part not in ("questions", "answers"):
        raise ValueError(f"part must be 'questions' or 'answers', got {part!r}")
    questions, answers = site_sheets(seed, **kwargs)
    return questions if part == "questions" else answers


def sheet_job(seed: int, cache_dir: str) -> int:
    site_sheets(seed, cache_dir=cache_dir)
    return seed


def prebuild(cache_dir, seeds=SITE_SEEDS, workers: int | None = None) -> int:
    """Build the site's sheets missing from the cache, one process per core (the hook calls this before it
    adds the sheets). Returns how many were built."""
    if cache_dir is None:
        return 0
    todo = [s for s in seeds if cached_sheets(s, cache_dir=cache_dir) is None]
    workers = max(1, min(workers or os.cpu_count() or 1, len(todo)))
    if workers <= 1:
        for s in todo:
            site_sheets(s, cache_dir=cache_dir)
        return len(todo)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        list(pool.map(sheet_job, todo, [str(cache_dir)] * len(todo)))
    return len(todo)
