"""Question → HTML fragments shared by the Moodle and Anki drivers.

Markdown goes through the ``markdown`` package with ``pymdownx.arithmatex`` in generic mode, so
``$…$`` becomes ``\\(…\\)`` and ``$$…$$`` becomes ``\\[…\\]``: the delimiters that Moodle's MathJax
filter and Anki's built-in MathJax both read. Raw HTML in the source is *not* passed through: a
statement containing ``<script>`` is shown as those characters, escaped, never interpreted.
Nothing here computes an answer; it only lays out what a :class:`~quizgen.question.Question` holds.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable

import markdown

from ..question import Question

#: static words of the exports, per ``Question.lang``
LABELS: dict[str, dict[str, str]] = {
    "ja": {
        "answer": "正解", "solution": "解説", "mistakes": "よくある誤り", "choices": "選択肢",
        "why": "各選択肢について", "id": "問題 ID", "seed": "シード", "rounding": "答え方",
        "incorrect": "不正解です。下の解説で手順を確認しましょう。",
        "correct": "正解です。", "value": "値", "formula_front": "{name}（{convention}の形）: {quantity} の更新式は？",
        "symbols": "記号", "meaning": "意味", "rule": "更新式", "code": "コード",
    },
    "en": {
        "answer": "Answer", "solution": "Worked solution", "mistakes": "Common mistakes", "choices": "Choices",
        "why": "About each choice", "id": "Question ID", "seed": "Seed", "rounding": "How to answer",
        "incorrect": "Not correct. Check the worked solution below.", "correct": "Correct.", "value": "value",
        "formula_front": "{name} (the form of {convention}): the update of {quantity}?", "symbols": "Symbol",
        "meaning": "Meaning", "rule": "Update rule", "code": "Code",
    },
}

#: the ``Question.tags`` keys that become Moodle / Anki tags (others, e.g. long source lists, stay in the JSON)
TAG_KEYS = ("optimizer", "topic", "syllabus", "difficulty", "convention", "format")



def tag_pairs(q: Question) -> list[tuple[str, str]]:
    """``(key, value)`` of the question's tags worth filtering by, in :data:`TAG_KEYS` order."""
    out = []
    for k in TAG_KEYS:
        v = (q.tags or {}).get(k)
        for item in v if isinstance(v, (list, tuple)) else [v]:
            if item is None or item == "":
                continue
            out.append((k, str(item).lower() if isinstance(item, bool) else str(item)))
    return out


def labels(lang: str) -> dict[str, str]:
    return LABELS.get(lang, LABELS["ja"])


def _converter() -> markdown.Markdown:
    md = markdown.Markdown(
        extensions=["pymdownx.arithmatex", "fenced_code", "tables", "sane_lists"],
        extension_configs={"pymdownx.arithmatex": {"generic": True}},
        output_format="html",
    )
    # Source text is data, not markup: raw HTML blocks and inline tags are shown as text, escaped.
    # (Markdown's own escapes and entities keep their meaning: ``\*`` is "*", ``&amp;`` is "&".)
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


_MD = _converter()
_SINGLE_P = re.compile(r"\A<p>(?P<body>.*)</p>\Z", re.S)


# One line with nothing Markdown would act on except inline math, **strong** text, brackets that are not a link
# ("params[key]") and underscores inside words ("m_t"): a paragraph of the text, each $…$ as arithmatex writes
# it. Most texts of a question are like that; tests/test_export_common.py checks this shortcut against Markdown.
_PLAIN = re.compile(r"[^\\`*_\[\]!<>&$#~\n\r\t]+")
_BLOCK_START = re.compile(r"\d+[.)](?:\s|$)|[-+*](?:[-\s]|$)|[=#>]")
_INLINE_MATH = re.compile(r"\$([^$]+)\$")
_MATH_BODY = re.compile(r"[^\s`](?:[^\n`]*[^\s`])?")
_STRONG = re.compile(r"\*\*([^*\s](?:[^*]*[^*\s])?)\*\*")
_WORD_UNDERSCORE = re.compile(r"(?<=\w)_")  # an underscore after a letter can neither open nor close emphasis
_BRACKET = re.compile(r"[\[\]]")


def _plain(text: str) -> bool:
    return bool(_PLAIN.fullmatch(_BRACKET.sub("b", _WORD_UNDERSCORE.sub("u", text))))


def _simple_line(text: str) -> str | None:
    """The paragraph Markdown would write for ``text``, if the text is that simple; else None."""
    if (text != text.strip() or "\n" in text or "\t" in text or "$$" in text or "\\$" in text or "](" in text
            or text.startswith("[") or _BLOCK_START.match(text)):
        return None
    parts = _INLINE_MATH.split(text)
    out = []
    for i, part in enumerate(parts):
        if i % 2:  # math
            if not _MATH_BODY.fullmatch(part):
                return None
            out.append(f'<span class="arithmatex">\\({html.escape(part, quote=False)}\\)</span>')
        elif part:
            pieces = _STRONG.split(part)  # text, strong, text, …
            if not all(_plain(p) for p in pieces if p):
                return None
            out += [f"<strong>{p}</strong>" if j % 2 else p for j, p in enumerate(pieces)]
    return "<p>" + "".join(out) + "</p>"


def _simple_blocks(text: str) -> str | None:
    """What Markdown writes for blocks separated by blank lines, each a simple line (:func:`_simple_line`) or a
    display formula ``$$…$$`` (a question's stem: a sentence, the rule, the numbers); else None."""
    if text != text.strip() or "\t" in text or "\r" in text or "\\$" in text:
        return None
    out = []
    for block in text.split("\n\n"):
        if block.startswith("$$") and block.endswith("$$") and len(block) > 4:
            inner = block[2:-2]
            if "$" in inner or not inner.strip() or any(line[:1].isspace() for line in inner.split("\n")[1:]):
                return None
            out.append(f'<div class="arithmatex">\\[{html.escape(inner, quote=False)}\\]</div>')
        else:
            line = _simple_line(block) if block else None
            if line is None:
                return None
            out.append(line)
    return "\n".join(out)


@functools.lru_cache(maxsize=8192)
def md(text: str) -> str:
    """Markdown (with ``$math$``) → an HTML fragment (memoized: feedback sentences repeat across variants)."""
    text = text or ""
    simple = (_simple_line(text) if "\n" not in text else _simple_blocks(text)) if text else None
    if simple is not None:
        return simple
    _MD.reset()
    return _MD.convert(text).strip()


def md_inline(text: str) -> str:
    """Like :func:`md`, without the ``<p>`` around a single paragraph (choice texts, table cells)."""
    out = md(text)
    m = _SINGLE_P.match(out)
    return m.group("body") if m and "<p>" not in m.group("body") else out


def alt_text(caption: str) -> str:
    """A caption as an ``alt`` attribute value: plain text (no ``$`` math delimiters), escaped."""
    return esc(re.sub(r"(?<!\\)\$", "", caption or "").strip())


def esc(text: object) -> str:
    """Plain text → HTML text."""
    return html.escape(str(text), quote=True)


def display_math(latex: str) -> str:
    """One display formula (LaTeX, not Markdown) as HTML for MathJax: ``\\[ … \\]``, HTML-escaped."""
    return f'<div class="arithmatex">\\[{esc(latex)}\\]</div>'


def inline_math(latex: str) -> str:
    return f'<span class="arithmatex">\\({esc(latex)}\\)</span>'


def code_block(code: str) -> str:
    return f'<pre><code class="language-python">{esc(code.rstrip())}\n</code></pre>'


def choice_letter(i: int) -> str:
    """``a``, ``b``, … (Moodle's ``abc`` numbering)."""
    return chr(ord("a") + i) if i < 26 else str(i + 1)


def true_false(q: Question) -> bool | None:
    """The statement's truth when ``q`` is a true/false question (format F7: two choices, 正 first), else None."""
    if q.kind != "choice" or len(q.choices) != 2 or (q.tags or {}).get("format") != "F7":
        return None
    return bool(q.choices[0].correct)


def question_body(q: Question, figure: Callable[[int], str] | None = None) -> str:
    """What a learner reads before answering: stem, code, figures, the rounding rule.

    ``figure(i)`` returns the HTML of figure ``i`` (an ``<img>`` pointing at the driver's copy).
    """
    parts = [md(q.stem)]
    if q.code:
        parts.append(code_block(q.code))
    for i, fig in enumerate(q.figures):
        img = figure(i) if figure else ""
        cap = f"<figcaption>{md_inline(fig.caption)}</figcaption>" if fig.caption else ""
        parts.append(f'<figure class="quizgen-figure">{img}{cap}</figure>')
    if q.kind == "numeric" and q.rounding:
        parts.append(f'<p class="quizgen-rounding">{md_inline(q.rounding)}</p>')
    return "\n".join(p for p in parts if p)


def choices_list(q: Question) -> str:
    """The choices as a lettered list (for outputs without their own choice widget)."""
    items = "".join(f'<li><span class="quizgen-letter">{choice_letter(i)}.</span> {md_inline(c.text)}</li>'
                    for i, c in enumerate(q.choices))
    return f'<ul class="quizgen-choices">{items}</ul>'


def solution_html(q: Question) -> str:
    """The worked solution: each step's text and its display formula, in order."""
    if not q.solution:
        return ""
    items = []
    for step in q.solution:
        body = md(step.text) if step.text else ""
        if step.latex:
            body += display_math(step.latex)
        items.append(f"<li>{body}</li>")
    return f'<ol class="quizgen-solution">{"".join(items)}</ol>'


def key_html(q: Question) -> str:
    """The key as the question displays it (never recomputed here)."""
    lab = labels(q.lang)
    if q.kind == "choice":
        i = q.answer.index if q.answer.index is not None else next(k for k, c in enumerate(q.choices) if c.correct)
        return (f'<p class="quizgen-key"><strong>{lab["answer"]}:</strong> {choice_letter(i)}. '
                f"{md_inline(q.choices[i].text)}</p>")
    text = q.answer.text if q.answer.text is not None else repr(q.answer.value)
    return f'<p class="quizgen-key"><strong>{lab["answer"]}:</strong> {esc(text)}</p>'


def mistakes_html(q: Question) -> str:
    """Numeric questions: each named mistake's executed value and its feedback."""
    wrong = [c for c in q.choices if not c.correct]
    if not wrong:
        return ""
    lab = labels(q.lang)
    items = "".join(f"<li>{md_inline(c.text)}{(' — ' + md_inline(c.feedback)) if c.feedback else ''}</li>"
                    for c in wrong)
    return f'<p><strong>{lab["mistakes"]}</strong></p><ul class="quizgen-mistakes">{items}</ul>'


def choice_feedback_html(q: Question) -> str:
    """Choice questions: every choice with its feedback (why it is right or which mistake it models)."""
    lab = labels(q.lang)
    items = "".join(
        f'<li><span class="quizgen-letter">{choice_letter(i)}.</span> {"✔" if c.correct else "✘"} '
        f"{md_inline(c.feedback) if c.feedback else md_inline(c.text)}</li>"
        for i, c in enumerate(q.choices))
    return f'<p><strong>{lab["why"]}</strong></p><ul class="quizgen-why">{items}</ul>'


def provenance_html(q: Question) -> str:
    """The id and seed, so any variant can be rebuilt."""
    lab = labels(q.lang)
    return (f'<p class="quizgen-id"><small>{lab["id"]}: {esc(q.id)} · {lab["seed"]}: {q.seed}'
            f" · family: {esc(q.family)}</small></p>")
