"""The study site's printable sheets: the same HTML as ``quizgen drill`` writes, built at site-build time.

The site's build hook calls :func:`site_sheet` for each seed in :data:`SITE_SEEDS` and adds the pages
as generated files (``drills/sheets/drill-<seed>.html`` and ``…-answers.html``); docs/drills.md links
them and picks "today's sheet" by the date. The sheets are plain HTML with print CSS (A4, page header
and footer, no question split across pages): the browser's Print gives the same sheet as the PDF.
"""

from __future__ import annotations

from .model import ANONYMOUS, DrillSpec, Sheet, SheetPlan, generate_sheet, make_spec
from .render import render_sheet
from .roster import Student

#: the sheets the site offers (one per day of the week: docs/drills.md picks today's)
SITE_SEEDS = (1, 2, 3, 4, 5, 6, 7)
SITE_COUNT = 10
#: from site/drills/sheets/<file>.html to the KaTeX CSS the site build copies to site/assets/katex/
SITE_KATEX_CSS = "../../assets/katex/katex.min.css"


def site_path(seed: int, part: str = "questions") -> str:
    """Where the site puts a sheet (a path under docs_dir / site_dir)."""
    return f"drills/sheets/drill-{seed}{'' if part == 'questions' else '-answers'}.html"


def site_spec(seed: int, count: int = SITE_COUNT, lang: str = "ja") -> DrillSpec:
    return make_spec(count, seed, None, None, lang, "")


def site_sheet(seed: int, part: str = "questions", *, count: int = SITE_COUNT, lang: str = "ja", katex=None,
               katex_css: str = SITE_KATEX_CSS, cache_dir=None) -> str:
    """The printable HTML of the site's sheet ``seed``: ``part`` is ``"questions"`` or ``"answers"``.

    ``katex``: the build's :class:`~quizgen.site.katex.KatexRenderer` (cached); a private one if None.
    ``cache_dir``: the build's cache folder (``.cache/``): figures are kept there by content hash.
    """
    if part not in ("questions", "answers"):
        raise ValueError(f"part must be 'questions' or 'answers', got {part!r}")
    spec = site_spec(seed, count, lang)
    sheet: Sheet = generate_sheet(SheetPlan(spec, Student(ANONYMOUS)))
    other = site_path(seed, "answers" if part == "questions" else "questions").rsplit("/", 1)[1]
    nav = {"print": True, "other": other, "other_label": "answers" if part == "questions" else "questions",
           "back": "../"}  # sheets live in drills/sheets/: back to the drills page
    figures = None
    if cache_dir is not None:
        from ..site.cache import FileCache

        figures = FileCache(cache_dir, "drill-figures", ".svg")
    if katex is None:
        from ..site.katex import KatexRenderer
        from .builder import PROJECT_ROOT

        with KatexRenderer(PROJECT_ROOT) as k:
            rendered = render_sheet(sheet, k, katex_css=katex_css, nav=nav, figure_cache=figures)
    else:
        rendered = render_sheet(sheet, katex, katex_css=katex_css, nav=nav, figure_cache=figures)
    return rendered.questions_html if part == "questions" else rendered.answers_html
