"""Moodle XML: ``render(questions) -> str`` (import with *Question bank → Import → Moodle XML format*).

Layout, as Moodle's ``qformat_xml`` importer reads it:

* ``<?xml version="1.0" encoding="UTF-8"?>`` first (Moodle's parser is confused by anything before it),
  then ``<quiz>``;
* a ``category`` pseudo-question per optimizer, ``$course$/top/E資格 最適化/<optimizer>`` (general questions
  go to ``…/共通``); tick "Get category from file" when importing;
* ``kind == "numeric"`` → ``numerical``, graded by the rule of :mod:`quizgen.rounding` (an answer is right when it
  rounds, 四捨五入, to the displayed key). Moodle grades by the first answer whose closed interval holds the
  response, so: first each edge of the key's interval that does *not* round to the key (``0.2045`` for the key
  ``0.204``; tolerance 0, ``fraction="0"``), then the key as displayed with half a unit of its last digit
  (``0.204`` ± ``0.0005``, ``fraction="100"``), then every named mistake's value as displayed (same tolerance,
  ``fraction="0"``, its feedback), then ``*`` (anything else). Every number is written as the question shows it
  (never ``-0.6000000000000001``);
* ``kind == "choice"`` (choice, code, formula, concept, trajectory families) → ``multichoice`` with one
  correct answer (``fraction`` 100/0), shuffled by Moodle, feedback per answer;
* a true/false statement (format F7, :func:`quizgen.export.render.true_false`) → ``truefalse``: the answers
  ``true`` and ``false`` with fraction 100/0 and each one's feedback (why the statement is right or wrong),
  penalty 1 (a second try could not be wrong);
* the worked solution is the general feedback; the question name shows the id and the seed;
* text is HTML in CDATA (a ``]]>`` inside is split across two CDATA sections); math is ``\\( … \\)`` /
  ``\\[ … \\]`` for Moodle's MathJax filter; figures are embedded as base64 ``<file>`` elements and
  referenced as ``@@PLUGINFILE@@/<name>``.

This module renders only: every value it writes comes from the :class:`~quizgen.question.Question`.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from ..question import Question, optimizer_of
from ..rounding import edges, half_unit_text, round_text
from . import render as R
from .figures import Image, images

ROOT = "E資格 最適化"
GENERAL = {"ja": "共通", "en": "General"}
PENALTY = "0.3333333"
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _check_chars(text: str, where: str) -> str:
    m = _XML_BAD.search(text)
    if m:
        raise ValueError(f"{where}: character U+{ord(m.group()):04X} cannot be written in XML 1.0")
    return text


def cdata(text: str) -> str:
    """``text`` in CDATA; a ``]]>`` inside ends one section and starts the next between ``]]`` and ``>``."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def number(x: float) -> str:
    """A finite float as positional decimal text that parses back to the same float (``1e-07`` → ``0.0000001``)."""
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"not a finite number: {x!r}")
    text = format(Decimal(repr(x)), "f")
    return text


def category_name(q: Question) -> str:
    """The optimizer's display name (``モーメンタム (Momentum)``), or the general category."""
    key = optimizer_of(q)
    if key:
        import optimizers

        try:
            return optimizers.get(key).INFO.name_ja
        except ValueError:
            return key
    return GENERAL.get(q.lang, GENERAL["ja"])


def category_path(name: str, root: str = ROOT) -> str:
    """Moodle splits category paths on ``/``; a literal slash in a name is written ``//``."""
    return "$course$/top/" + "/".join(part.replace("/", "//") for part in (root, name))


def _text(tag: str, html: str, where: str, files: Sequence[Image] = (), indent: str = "    ") -> str:
    out = f'{indent}<{tag} format="html">\n{indent}  <text>{cdata(_check_chars(html, where))}</text>\n'
    for f in files:
        out += (f'{indent}  <file name={quoteattr(f.name)} path="/" encoding="base64">'
                f"{base64.b64encode(f.data).decode('ascii')}</file>\n")
    return out + f"{indent}</{tag}>\n"


def _answer(fraction: int, text: str, feedback_html: str, where: str, tolerance: str | None = None,
            fmt: str = "moodle_auto_format") -> str:
    out = f'    <answer fraction="{fraction}" format="{fmt}">\n'
    out += f"      <text>{text}</text>\n"
    out += _text("feedback", feedback_html, where, indent="      ")
    if tolerance is not None:
        out += f"      <tolerance>{tolerance}</tolerance>\n"
    return out + "    </answer>\n"


def _tags(q: Question) -> str:
    values = [f"family:{q.family}", f"seed:{q.seed}"] + [f"{k}:{v}" for k, v in R.tag_pairs(q)]
    body = "".join(f"      <tag><text>{cdata(_check_chars(t, q.id))}</text></tag>\n" for t in dict.fromkeys(values))
    return f"    <tags>\n{body}    </tags>\n"


def question_name(q: Question) -> str:
    opt = optimizer_of(q) or "-"
    return f"{q.family} / {opt} / {q.id} (seed {q.seed})"


def render_question(q: Question, image_format: str = "png") -> str:
    lab = R.labels(q.lang)
    imgs = images(q, image_format) if q.figures else []
    body = R.question_body(
        q, lambda i: f'<img src="@@PLUGINFILE@@/{imgs[i].name}" alt="{R.alt_text(q.figures[i].caption)}" />')
    general = R.key_html(q) + R.solution_html(q) + R.provenance_html(q)
    truth = R.true_false(q)
    qtype = "numerical" if q.kind == "numeric" else "truefalse" if truth is not None else "multichoice"
    out = f"  <question type=\"{qtype}\">\n"
    out += f"    <name>\n      <text>{cdata(_check_chars(question_name(q), q.id))}</text>\n    </name>\n"
    out += _text("questiontext", body, q.id, imgs)
    out += _text("generalfeedback", general, q.id)
    penalty = "1" if qtype == "truefalse" else PENALTY
    out += f"    <defaultgrade>1</defaultgrade>\n    <penalty>{penalty}</penalty>\n    <hidden>0</hidden>\n"
    out += "    <idnumber></idnumber>\n"
    if q.kind == "numeric":
        a = q.answer
        if a.text is None or a.decimals is None:
            raise ValueError(f"question {q.id}: a numeric question needs answer.text and answer.decimals")
        tol = half_unit_text(a.decimals)
        key = q.correct_choice
        wrong = [(round_text(c.value, a.decimals), c) for c in q.choices if not c.correct and c.value is not None]
        for edge, accepted in edges(a.text, a.decimals):  # an edge that rounds away from the key: refused first
            if not accepted:
                shown = round_text(float(edge), a.decimals)
                same = next((c for text, c in wrong if text == shown and c.feedback), None)
                out += _answer(0, edge, R.md(same.feedback) if same else _edge_feedback(edge, shown, a.text, q.lang),
                               q.id, "0")
        out += _answer(100, a.text, R.md(key.feedback) if key and key.feedback else lab["correct"], q.id, tol)
        for shown, c in wrong:
            fb = R.md(c.feedback) if c.feedback else R.md_inline(c.text)
            out += _answer(0, shown, fb, q.id, tol)
        out += _answer(0, "*", lab["incorrect"], q.id, "0")
        out += ("    <unitgradingtype>0</unitgradingtype>\n    <unitpenalty>0.1000000</unitpenalty>\n"
                "    <showunits>3</showunits>\n    <unitsleft>0</unitsleft>\n")
    elif qtype == "truefalse":
        for text, c in (("true", q.choices[0]), ("false", q.choices[1])):
            out += _answer(100 if c.correct else 0, text, R.md(c.feedback) if c.feedback else "", q.id)
    else:
        out += ("    <single>true</single>\n    <shuffleanswers>1</shuffleanswers>\n"
                "    <answernumbering>abc</answernumbering>\n"
                "    <showstandardinstruction>0</showstandardinstruction>\n")
        out += _text("correctfeedback", lab["correct"], q.id)
        out += _text("partiallycorrectfeedback", "", q.id)
        out += _text("incorrectfeedback", lab["incorrect"], q.id)
        for c in q.choices:
            fb = R.md(c.feedback) if c.feedback else ""
            out += _answer(100 if c.correct else 0, cdata(_check_chars(R.md_inline(c.text), q.id)), fb, q.id,
                           fmt="html")
    out += _tags(q)
    return out + "  </question>\n"


def _edge_feedback(edge: str, shown: str, key: str, lang: str) -> str:
    if lang == "ja":
        return f"<p>{edge} を四捨五入すると {shown} になり、正解の {key} にはなりません。</p>"
    return f"<p>{edge} rounds half up to {shown}, not to the key {key}.</p>"


def _category(path: str, info: str) -> str:
    return (f'  <question type="category">\n    <category>\n      <text>{cdata(path)}</text>\n    </category>\n'
            f'    <info format="html">\n      <text>{cdata(info)}</text>\n    </info>\n  </question>\n')


def _order(q: Question) -> tuple[int, str]:
    import optimizers

    key = optimizer_of(q)
    order = list(optimizers.ORDER)
    return (order.index(key) if key in order else len(order), key or "")


def render(questions: Iterable[Question], *, image_format: str = "png", root: str = ROOT,
           comment: str | None = None) -> str:
    """The whole file: one category per optimizer (teaching order; general ones last), questions in
    the order given within each category."""
    qs = list(questions)
    groups: dict[tuple[int, str], list[Question]] = {}
    for q in sorted(qs, key=_order):  # stable: keeps the given order inside a category
        groups.setdefault(_order(q), []).append(q)
    out = '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n'
    if comment:
        out += f"<!-- {escape(comment).replace('--', '- -')} -->\n"
    for members in groups.values():
        first = members[0]
        name = category_name(first)
        info = _category_info(first)
        out += _category(category_path(name, root), info)
        out += "".join(render_question(q, image_format) for q in members)
    return out + "</quiz>\n"


def _category_info(q: Question) -> str:
    key = optimizer_of(q)
    if not key:
        return ""
    import optimizers

    try:
        info = optimizers.get(key).INFO
    except ValueError:
        return ""
    return f"<p>{R.esc(info.summary_ja)}</p>"
