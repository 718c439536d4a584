"""A sheet → Typst source: one *part* for the questions and one for the key, and the documents that print
them (one part per PDF, or a class's parts in roster order in one PDF).

The parts are written by Jinja templates (``questions.typ.j2``, ``answers.typ.j2``) from the views of
:mod:`.views`; the page, the question blocks and the key's layout are Typst functions in ``drill.typ``.
Everything a template inserts is escaped for Typst unless it is already Typst markup (:class:`Typ`), so a
student's name or a title prints as typed. Figures are written as SVG files beside the parts.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from . import typst_markup as tm
from .model import Sheet, SheetPlan
from .text import text
from .views import views

TEMPLATES = Path(__file__).with_name("templates")
LIBRARY = "drill.typ"  # copied to the root of every Typst build folder


class Typ(str):
    """A string that is already Typst markup or code (inserted as is)."""


def typst_value(value: Any) -> Typ:
    """A Python value as a Typst literal: str, bool, int, float, None, and lists/tuples of them."""
    if isinstance(value, Typ):
        return value
    if value is None:
        return Typ("none")
    if isinstance(value, bool):
        return Typ("true" if value else "false")
    if isinstance(value, (int, float)):
        return Typ(repr(value))
    if isinstance(value, str):
        return Typ(tm.string(value))
    if isinstance(value, (list, tuple)):
        items = [typst_value(v) for v in value]
        return Typ("(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")")
    raise TypeError(f"no Typst literal for {type(value).__name__}")


def _finalize(value: Any) -> str:
    """Every ``{{ … }}`` of a Typst template: markup as is, anything else escaped as text."""
    if isinstance(value, Typ):
        return value
    return tm.escape("" if value is None else str(value))


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=False,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
                             finalize=_finalize, comment_start_string="<#-", comment_end_string="-#>",
                             keep_trailing_newline=True)
    env.filters["str"] = lambda v: Typ(tm.string(str(v)))
    env.filters["value"] = typst_value
    env.filters["text"] = lambda v: Typ(tm.escape(str(v)))
    env.filters["verbatim"] = Typ
    return env


class TypstFormat:
    """The views' markup as Typst. Figures are written to ``figure_dir`` (named by their content) and referred
    to by their path from the build folder's root."""

    def __init__(self, figure_dir: Path, figure_cache=None):
        self.figure_dir = Path(figure_dir)
        self.figure_cache = figure_cache

    @staticmethod
    def md(source: str) -> Typ:
        return Typ(tm.md(source))

    @staticmethod
    def md_inline(source: str) -> Typ:
        return Typ(tm.md_inline(source))

    @staticmethod
    def escape(value: str) -> Typ:
        return Typ(tm.escape(value))

    @staticmethod
    def display_math(tex: str) -> Typ:
        return Typ(tm.display_math(tex))

    @staticmethod
    def code(parts: list[list[tuple[str, str]]]) -> Typ:
        lines = [[("b" if kind == "blank" else "t", piece) for kind, piece in line] for line in parts]
        return Typ(f"#code-block({typst_value(lines)})")

    def figure(self, fig: Any) -> str:
        from .render import figure_svg

        # dots as round-capped segments: a PDF holds each <circle> as its own object (a figure with long
        # paths was 100 KB in print, 20 KB this way; the same picture)
        svg = figure_svg(fig, self.figure_cache, dots="caps").encode("utf-8")
        name = hashlib.sha256(svg).hexdigest()[:20] + ".svg"
        path = self.figure_dir / name
        if not path.exists():
            self.figure_dir.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")  # two workers may draw the same figure
            tmp.write_bytes(svg)
            tmp.replace(path)
        return f"/{self.figure_dir.name}/{name}"


@dataclass
class SheetParts:
    questions: str  # Typst source of the questions part
    answers: str  # Typst source of the key
    answers_plain: list[str]  # plain key per question (CSV)


def render_parts(sheet: Sheet, figure_dir: Path, figure_cache=None) -> SheetParts:
    """The Typst source of a sheet's two parts (figures written to ``figure_dir``)."""
    lang = sheet.spec.lang
    questions, keys = views(sheet, TypstFormat(figure_dir, figure_cache))
    common = dict(t=text(lang), lang=lang, title=sheet.title, student=sheet.student, anonymous=sheet.plan.anonymous,
                  seed=sheet.spec.seed, count=len(questions),
                  command=sheet.spec.command_groups(None if sheet.plan.anonymous else sheet.student))
    env = _env()
    q = env.get_template("questions.typ.j2").render(questions=questions, **common)
    a = env.get_template("answers.typ.j2").render(keys=keys, **common)
    return SheetParts(q, a, [k.answer_plain for k in keys])


@dataclass(frozen=True)
class PartRef:
    """One part in a document: its file (from the build root) and what its pages' header and footer say."""

    path: str  # "/parts/s01-questions.typ"
    title: str
    right: str  # "山田 太郎 (s01)  ·  シード 42"
    kind: str  # "問題" | "解答・解説"


def part_ref(plan: SheetPlan, kind: str, path: str) -> PartRef:
    """``kind``: "questions" or "answers"."""
    t = text(plan.spec.lang)
    student = plan.student
    who = "" if plan.anonymous else (f"{student.name} ({student.id})" if student.name else student.id) + "  ·  "
    return PartRef(path, plan.title, f"{who}{t['seed']} {plan.spec.seed}", t[kind])


def document(parts: list[PartRef], lang: str, title: str, *, pad: bool = False) -> str:
    """The main Typst file of one PDF: ``parts`` in order (a class PDF pads each to an even page count)."""
    return _env().get_template("document.typ.j2").render(parts=parts, lang=lang, t=text(lang), doc_title=title,
                                                         pad=pad)


def library() -> str:
    return (TEMPLATES / LIBRARY).read_text(encoding="utf-8")
