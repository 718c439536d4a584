"""What a sheet shows of each question, in one output format (HTML for the site, Typst for print).

The question sheet is handed *question views* that hold only what a student may see (stem, figures, code,
choices' texts, rounding rule): the answers never reach its template. The key is handed *key views*. A
:class:`Format` turns the question's Markdown, LaTeX, code and figures into its markup; nothing here computes
an answer: it prints the ``Question``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..question import Question
from .text import LABELS, text

BLANK = re.compile(r"（[ぁ-んァ-ヶ]{1,2}）")  # the blanks of code questions: （あ）（い） or （ア）


class Format(Protocol):
    def md(self, source: str) -> str: ...  # Markdown with $math$ → markup (blocks)

    def md_inline(self, source: str) -> str: ...  # one paragraph, unwrapped

    def escape(self, text: str) -> str: ...  # plain text

    def display_math(self, tex: str) -> str: ...

    def code(self, parts: list[list[tuple[str, str]]]) -> str: ...  # lines of ("text" | "blank", text)

    def figure(self, fig: Any) -> str: ...


def code_parts(code: str) -> list[list[tuple[str, str]]]:
    """A code question's source as lines of ``("text", …)`` and ``("blank", "（あ）")`` pieces."""
    lines = []
    for line in code.split("\n"):
        parts, last = [], 0
        for m in BLANK.finditer(line):
            if m.start() > last:
                parts.append(("text", line[last:m.start()]))
            parts.append(("blank", m.group(0)))
            last = m.end()
        if last < len(line) or not parts:
            parts.append(("text", line[last:]))
        lines.append(parts)
    return lines


def number_text(value: float | None) -> str:
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
    stem: str  # markup
    rounding: str  # markup
    code: str | None  # markup (blanks marked)
    figures: list[dict[str, str]]
    choices: list[dict[str, str]]  # label, markup
    work_mm: int  # height of the working space
    choices_layout: str = "list"  # "inline": short choices in one row; "grid": display formulas two by two


@dataclass
class KeyView:
    """The key's part of one question."""

    question: QuestionView
    answer_label: str  # "B" for choices, else ""
    answer_html: str  # the correct choice's text, or the numeric key as displayed (markup)
    answer_plain: str  # for the summary table and the CSV: "B" or "0.123"
    tolerance: str
    solution: list[dict[str, str]]  # text, math (markup)
    wrong: list[dict[str, str]] = field(default_factory=list)  # label, html, value, mistake, feedback


def work_mm(q: Question) -> int:
    if q.kind == "numeric":
        return 38 if q.family == "steps" else 24
    return 0


def choices_layout(choices) -> str:
    if len(choices) <= 5 and all(len(c.text) <= 14 and "\n" not in c.text and "$$" not in c.text for c in choices):
        return "inline"
    if len(choices) % 2 == 0 and any("$$" in c.text or "\\begin" in c.text for c in choices):
        return "grid"
    return "list"


def question_view(q: Question, number: int, lang: str, fmt: Format) -> QuestionView:
    from ..question import optimizer_of
    from .engine import family_title

    show_choices = q.kind == "choice"
    return QuestionView(
        number=number, id=q.id, kind=q.kind, family=q.family,
        family_label=family_title(q.family, lang), optimizer=optimizer_of(q) or "",
        stem=fmt.md(q.stem), rounding=fmt.md_inline(q.rounding) if q.rounding and q.kind == "numeric" else "",
        code=fmt.code(code_parts(q.code)) if q.code else None,
        figures=[{"figure": fmt.figure(f), "caption": fmt.md_inline(f.caption) if f.caption else ""}
                 for f in q.figures],
        choices=[{"label": LABELS[i], "html": fmt.md_inline(c.text)} for i, c in enumerate(q.choices)]
        if show_choices else [],
        work_mm=work_mm(q),
        choices_layout=choices_layout(q.choices) if show_choices else "list",
    )


def key_view(q: Question, view: QuestionView, lang: str, fmt: Format) -> KeyView:
    t = text(lang)
    a = q.answer
    wrong = []
    if q.kind == "choice":
        i = a.index
        label = LABELS[i]
        answer = fmt.md_inline(q.choices[i].text)
        plain = label
        for j, w in enumerate(q.choices):
            if j == i:
                continue
            wrong.append({"label": LABELS[j], "html": fmt.md_inline(w.text), "value": "",
                          "mistake": w.mistake or "", "feedback": fmt.md_inline(w.feedback) if w.feedback else ""})
    else:
        label = ""
        plain = a.text if a.text is not None else number_text(a.value)
        answer = fmt.escape(plain)
        for w in q.choices:  # numeric questions: the named mistakes' values, for marking
            if w.correct:
                continue
            value = number_text(w.value) if w.value is not None else ""
            wrong.append({"label": "", "html": fmt.md_inline(w.text) if w.text else fmt.escape(value),
                          "value": value, "mistake": w.mistake or "",
                          "feedback": fmt.md_inline(w.feedback) if w.feedback else ""})
    tol = ""
    if q.kind == "numeric" and a.tolerance is not None:
        tol = f"{t['tolerance']} ±{number_text(a.tolerance)}"
    steps = [{"text": fmt.md(s.text) if s.text else "", "math": fmt.display_math(s.latex) if s.latex else ""}
             for s in q.solution]
    return KeyView(question=view, answer_label=label, answer_html=answer, answer_plain=plain, tolerance=tol,
                   solution=steps, wrong=wrong)


def answer_plain(q: Question) -> str:
    """The key as a short text for the CSV answer table: the choice letter, or the displayed number."""
    if q.kind == "choice":
        return LABELS[q.answer.index]
    return q.answer.text if q.answer.text is not None else number_text(q.answer.value)


def views(sheet, fmt: Format) -> tuple[list[QuestionView], list[KeyView]]:
    lang = sheet.spec.lang
    qs = [question_view(q, i + 1, lang, fmt) for i, q in enumerate(sheet.questions)]
    return qs, [key_view(q, v, lang, fmt) for q, v in zip(sheet.questions, qs)]
