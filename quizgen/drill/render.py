"""A sheet → two HTML documents (the site's printable sheets, ``drill --html``): the questions (no answer
anywhere in the file) and the key.

The templates are handed the views of :mod:`.views` in HTML. Math is written as pymdownx.arithmatex does in
generic mode and turned into KaTeX HTML in one pass per document by the site's renderer
(:class:`quizgen.site.katex.KatexRenderer`); figures are drawn by :func:`quizgen.plots.paths_svg`. The
printed PDFs are made with Typst from the same views (:mod:`.typst_sheet`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import markdown
from markupsafe import Markup

from .model import Sheet
from .text import text
from .views import answer_plain, views

__all__ = ["HtmlFormat", "RenderedSheet", "answer_plain", "md", "md_inline", "render_sheet"]

TEMPLATES = Path(__file__).with_name("templates")
KATEX_CSS = "assets/katex/katex.min.css"  # relative to the sheet's HTML file


@lru_cache(maxsize=1)
def _md() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=["tables", "sane_lists", "pymdownx.arithmatex", "pymdownx.superfences", "pymdownx.betterem"],
        extension_configs={"pymdownx.arithmatex": {"generic": True}},
        output_format="html",
    )


def md(source: str) -> str:
    """Markdown with ``$math$`` → HTML with arithmatex spans (KaTeX renders them per document)."""
    conv = _md()
    conv.reset()
    return conv.convert(source or "")


_ONE_P = re.compile(r"^<p>(.*)</p>$", re.S)


def md_inline(source: str) -> str:
    out = md(source).strip()
    m = _ONE_P.match(out)
    return m.group(1) if m and "<p>" not in m.group(1) else out


def display_math(tex: str) -> str:
    return f'<div class="arithmatex">\\[{html.escape(tex)}\\]</div>'


def code_html(parts: list[list[tuple[str, str]]]) -> str:
    """Source lines with the blanks （あ）（い）… highlighted (escaped; monospace in the template)."""
    return "\n".join("".join(f'<mark class="blank">{html.escape(t)}</mark>' if kind == "blank" else html.escape(t)
                              for kind, t in line) for line in parts)


def figure_svg(fig: Any, cache=None, *, dots: str = "circles") -> str:
    """The figure drawn by quizgen.plots (inline SVG). ``cache``: a :class:`quizgen.site.cache.FileCache`
    (entries named by the figure's data and the plotting code), for the site build's warm rebuilds.
    ``dots``: see :func:`quizgen.plots.paths_svg` (print uses ``"caps"``)."""
    if fig.kind != "paths":
        raise ValueError(f"unknown figure kind {fig.kind!r}")
    from .. import plots

    def draw() -> bytes:
        svg = plots.paths_svg(fig.data, dots=dots)
        return re.sub(r"^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?", "", svg).encode("utf-8")

    if cache is None:
        return draw().decode("utf-8")
    from ..site.cache import digest, file_digest

    key = digest("drill-figure", fig.kind, fig.data, dots, file_digest(plots.__file__), plots.fonts.identity())
    return cache.get_or_make(key, draw).decode("utf-8")


class HtmlFormat:
    """The views' markup as HTML (math left for KaTeX, figures inline SVG)."""

    def __init__(self, figure_cache=None):
        self.figure_cache = figure_cache

    md = staticmethod(md)
    md_inline = staticmethod(md_inline)
    display_math = staticmethod(display_math)
    code = staticmethod(code_html)

    @staticmethod
    def escape(text: str) -> str:
        return html.escape(text)

    def figure(self, fig: Any) -> str:
        return figure_svg(fig, self.figure_cache)


def css_string(value: str) -> str:
    """A CSS string literal (for ``content:`` in @page margin boxes)."""
    out = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ")
    return Markup(f'"{out}"')


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters["css_string"] = css_string
    env.filters["command_html"] = command_html
    return env


def command_html(groups: list[str]) -> Markup:
    """The rebuild command, each option with its value kept on one line (a line breaks only between them)."""
    return Markup(" ".join(f'<span class="arg">{html.escape(g)}</span>' for g in groups))


@lru_cache(maxsize=1)
def stylesheet() -> str:
    return (TEMPLATES / "drill.css").read_text(encoding="utf-8")


@dataclass
class RenderedSheet:
    questions_html: str
    answers_html: str
    answers: list[str]  # plain key per question (CSV)


def render_sheet(sheet: Sheet, katex, *, katex_css: str = KATEX_CSS, nav: dict | None = None,
                 figure_cache=None) -> RenderedSheet:
    """Both HTML documents of a sheet, math rendered by ``katex`` (a KatexRenderer).

    ``nav``: for the site, a screen-only bar with a Print button and a link to the other document
    (``{"other": "drill-1-answers.html"}``); never printed."""
    lang = sheet.spec.lang
    questions, keys = views(sheet, HtmlFormat(figure_cache))
    common = dict(
        t=text(lang), lang=lang, title=sheet.title, student=sheet.student, anonymous=sheet.plan.anonymous,
        seed=sheet.spec.seed, count=len(questions),
        command=sheet.spec.command_groups(None if sheet.plan.anonymous else sheet.student),
        css=stylesheet(), katex_css=katex_css, nav=nav,
    )
    env = _env()
    where = f"drill sheet {sheet.student.id}"
    q_html = env.get_template("questions.html.j2").render(questions=questions, **common)
    a_html = env.get_template("answers.html.j2").render(keys=keys, **common)
    q_html = katex.render_html(q_html, where)
    a_html = katex.render_html(a_html, where)
    return RenderedSheet(q_html, a_html, [k.answer_plain for k in keys])
