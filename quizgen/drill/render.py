"""A sheet → two HTML documents: the questions (no answer anywhere in the file) and the key.

The questions template is handed *question views* that hold only what a student may see
(stem, figures, code, choices' texts, rounding rule); the answers never reach it. Math is
written as pymdownx.arithmatex does in generic mode and turned into KaTeX HTML in one pass per
document by the site's renderer (:class:`quizgen.site.katex.KatexRenderer`); figures are drawn
by :func:`quizgen.plots.paths_svg`. Nothing here computes an answer: it prints the ``Question``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import markdown
from markupsafe import Markup

from ..question import Question
from .model import Sheet
from .text import LABELS, text

TEMPLATES = Path(__file__).with_name("templates")
KATEX_CSS = "assets/katex/katex.min.css"  # relative to the sheet's HTML file
BLANK = re.compile(r"（[ぁ-んァ-ヶ]{1,2}）")  # the blanks of code questions: （あ）（い） or （ア）


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


def code_html(code: str) -> str:
    """Source with the blanks （あ）（い）… highlighted (escaped; monospace in the template)."""
    out, last = [], 0
    for m in BLANK.finditer(code):
        out.append(html.escape(code[last:m.start()]))
        out.append(f'<mark class="blank">{html.escape(m.group(0))}</mark>')
        last = m.end()
    out.append(html.escape(code[last:]))
    return "".join(out)


def figure_svg(fig: Any, cache=None) -> str:
    """The figure drawn by quizgen.plots (inline SVG). ``cache``: a :class:`quizgen.site.cache.FileCache`
    (entries named by the figure's data and the plotting code), for the site build's warm rebuilds."""
    if fig.kind != "paths":
        raise ValueError(f"unknown figure kind {fig.kind!r}")
    from .. import plots

    def draw() -> bytes:
        svg = plots.paths_svg(fig.data)
        return re.sub(r"^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?", "", svg).encode("utf-8")

    if cache is None:
        return draw().decode("utf-8")
    from ..site.cache import digest, file_digest

    key = digest("drill-figure", fig.kind, fig.data, file_digest(plots.__file__), plots.fonts.identity())
    return cache.get_or_make(key, draw).decode("utf-8")


def _number_text(value: float | None) -> str:
    if value is None:
        return ""
    from ..formulas import number

    return number(value)


@dataclass
class QuestionView:
    """What the question sheet shows of one question: no answer, no feedback, no solution."""

    number: int
    id: str
    kind: str
    family: str
    family_label: str
    optimizer: str
    stem: str  # HTML
    rounding: str  # HTML
    code: str | None  # HTML (escaped, blanks marked)
    figures: list[dict[str, str]]
    choices: list[dict[str, str]]  # label, html
    work_mm: int  # height of the working space
    choices_layout: str = "list"  # "inline": short choices in one row; "grid": display formulas two by two


@dataclass
class KeyView:
    """The key's part of one question."""

    question: QuestionView
    answer_label: str  # "B" for choices, else ""
    answer_html: str  # the correct choice's text, or the numeric key as displayed
    answer_plain: str  # for the summary table and the CSV: "B" or "0.123"
    tolerance: str
    solution: list[dict[str, str]]  # text html, math html
    wrong: list[dict[str, str]] = field(default_factory=list)  # label, html, value, mistake, feedback


def _work_mm(q: Question) -> int:
    if q.kind == "numeric":
        return 38 if q.family == "steps" else 24
    if q.code:
        return 0
    return 0


def question_view(q: Question, number: int, lang: str, figure_cache=None) -> QuestionView:
    from ..question import optimizer_of
    from .engine import family_title

    show_choices = q.kind == "choice"
    figs = [figure_svg(f, figure_cache) for f in q.figures]
    return QuestionView(
        number=number, id=q.id, kind=q.kind, family=q.family,
        family_label=family_title(q.family, lang), optimizer=optimizer_of(q) or "",
        stem=md(q.stem), rounding=md_inline(q.rounding) if q.rounding and q.kind == "numeric" else "",
        code=code_html(q.code) if q.code else None,
        figures=[{"svg": svg, "caption": md_inline(f.caption) if f.caption else ""} for svg, f in zip(figs, q.figures)],
        choices=[{"label": LABELS[i], "html": md_inline(c.text)} for i, c in enumerate(q.choices)] if show_choices
        else [],
        work_mm=_work_mm(q),
        choices_layout=_choices_layout(q.choices) if show_choices else "list",
    )


def _choices_layout(choices) -> str:
    if len(choices) <= 5 and all(len(c.text) <= 14 and "\n" not in c.text and "$$" not in c.text for c in choices):
        return "inline"
    if len(choices) % 2 == 0 and any("$$" in c.text or "\\begin" in c.text for c in choices):
        return "grid"
    return "list"


def key_view(q: Question, view: QuestionView, lang: str) -> KeyView:
    t = text(lang)
    a = q.answer
    wrong = []
    if q.kind == "choice":
        i = a.index
        c = q.choices[i]
        label = LABELS[i]
        answer_html = md_inline(c.text)
        plain = label
        for j, w in enumerate(q.choices):
            if j == i:
                continue
            wrong.append({"label": LABELS[j], "html": md_inline(w.text), "value": "",
                          "mistake": w.mistake or "", "feedback": md_inline(w.feedback) if w.feedback else ""})
    else:
        label = ""
        shown = a.text if a.text is not None else _number_text(a.value)
        answer_html = html.escape(shown)
        plain = shown
        for w in q.choices:  # numeric questions: the named mistakes' values, for marking
            if w.correct:
                continue
            value = _number_text(w.value) if w.value is not None else ""
            wrong.append({"label": "", "html": md_inline(w.text) if w.text else html.escape(value), "value": value,
                          "mistake": w.mistake or "", "feedback": md_inline(w.feedback) if w.feedback else ""})
    tol = ""
    if q.kind == "numeric" and a.tolerance is not None:
        tol = f"{t['tolerance']} ±{_number_text(a.tolerance)}"
    steps = [{"text": md(s.text) if s.text else "", "math": display_math(s.latex) if s.latex else ""}
             for s in q.solution]
    return KeyView(question=view, answer_label=label, answer_html=answer_html, answer_plain=plain, tolerance=tol,
                   solution=steps, wrong=wrong)


def answer_plain(q: Question) -> str:
    """The key as a short text for the CSV answer table: the choice letter, or the displayed number."""
    if q.kind == "choice":
        return LABELS[q.answer.index]
    return q.answer.text if q.answer.text is not None else _number_text(q.answer.value)


def css_string(value: str) -> str:
    """A CSS string literal (for ``content:`` in @page margin boxes)."""
    out = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ")
    return Markup(f'"{out}"')


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters["css_string"] = css_string
    return env


@lru_cache(maxsize=1)
def stylesheet() -> str:
    return (TEMPLATES / "drill.css").read_text(encoding="utf-8")


@dataclass
class RenderedSheet:
    questions_html: str
    answers_html: str
    answers: list[str]  # plain key per question (CSV)


def command_html(command: str) -> Markup:
    """The rebuild command with each ``--option`` kept on one line (a browser may break a line after a hyphen, which
    printed ``--title`` as ``-`` and ``-title`` on two lines once the family list grew long)."""
    return Markup(" ".join(f'<span class="opt">{html.escape(tok)}</span>' if tok.startswith("--") else html.escape(tok)
                           for tok in command.split(" ")))


def render_sheet(sheet: Sheet, katex, *, katex_css: str = KATEX_CSS, nav: dict | None = None,
                 figure_cache=None) -> RenderedSheet:
    """Both HTML documents of a sheet, math rendered by ``katex`` (a KatexRenderer).

    ``nav``: for the site, a screen-only bar with a Print button and a link to the other document
    (``{"other": "drill-1-answers.html"}``); never printed."""
    lang = sheet.spec.lang
    views = [question_view(q, i + 1, lang, figure_cache) for i, q in enumerate(sheet.questions)]
    keys = [key_view(q, v, lang) for q, v in zip(sheet.questions, views)]
    common = dict(
        t=text(lang), lang=lang, title=sheet.title, student=sheet.student, anonymous=sheet.plan.anonymous,
        seed=sheet.spec.seed, count=len(views), command=command_html(sheet.spec.command(
            None if sheet.plan.anonymous else sheet.student)),
        css=stylesheet(), katex_css=katex_css, nav=nav,
    )
    env = _env()
    where = f"drill sheet {sheet.student.id}"
    q_html = env.get_template("questions.html.j2").render(questions=views, **common)
    a_html = env.get_template("answers.html.j2").render(keys=keys, **common)
    q_html = katex.render_html(q_html, where)
    a_html = katex.render_html(a_html, where)
    return RenderedSheet(q_html, a_html, [k.answer_plain for k in keys])
