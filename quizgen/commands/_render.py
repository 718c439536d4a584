"""Terminal rendering of a Question with rich (used by ``quizgen questions`` and ``quizgen families``)."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.rule import Rule
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from ..question import Question
from ..rounding import half_unit_text
from ..textmath import markdown, to_text

_console: Console | None = None


def console() -> Console:
    global _console
    if _console is None:
        _console = Console(highlight=False, soft_wrap=False)
    return _console


def question_renderable(q: Question, number: int | None = None):
    parts: list = [Text(markdown(q.stem))]
    if q.code:
        parts.append(Syntax(q.code, "python", theme="ansi_dark", line_numbers=False, word_wrap=True))
    for f in q.figures:
        series = ", ".join(s["label"] for s in f.data.get("series", []))
        parts.append(Text(f"[図] {f.kind}: {f.data.get('problem', '')} ({series}) {f.caption}", style="cyan"))
    if q.choices:
        table = Table(show_header=False, box=None, padding=(0, 1))
        for i, c in enumerate(q.choices):
            mark = "✔" if c.correct else " "
            label = f"{i + 1}."
            table.add_row(f"[bold]{label}[/]", Text(markdown(c.text)), f"[green]{mark}[/]",
                          f"[dim]{c.mistake or ''}[/]")
        parts.append(table)
    if q.rounding:
        parts.append(Text(q.rounding, style="dim"))
    ans = q.answer
    if q.kind == "numeric":
        parts.append(Text(f"答え / answer: {ans.text}  (value {ans.value!r}, ±{half_unit_text(ans.decimals)})",
                          style="bold green"))
    elif ans.index is not None:
        parts.append(Text(f"答え / answer: {ans.index + 1}", style="bold green"))
    if q.solution:
        parts.append(Rule("解説 / solution", style="dim"))
        for s in q.solution:
            parts.append(Text(markdown(s.text)))
            if s.latex:
                parts.append(Text("    " + to_text(s.latex).replace("\n", "\n    "), style="dim"))
    title = f"{number}. {q.id}" if number is not None else q.id
    sub = " · ".join(f"{k}={v}" for k, v in q.tags.items())
    return Panel(Group(*parts), title=f"[bold]{title}[/] [dim]({q.family}, {q.kind})[/]", subtitle=sub,
                 title_align="left", subtitle_align="right")


def print_question(q: Question, number: int | None = None) -> None:
    console().print(question_renderable(q, number))
