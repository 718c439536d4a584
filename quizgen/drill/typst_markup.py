"""Question text (Markdown with ``$math$``) → Typst markup, for the printed sheets.

The text goes through the same Markdown as the HTML sheets and the site (:func:`quizgen.drill.render.md`:
python-markdown with arithmatex), so both read a stem alike; the HTML it gives (a handful of tags) is then
written as Typst: paragraphs, ``#strong``, ``#emph``, ``#raw``, lists, tables, and math converted by
:mod:`.texmath`. A tag this module does not know raises :class:`MarkupError` (the Typst tests render every
family's questions, so new Markdown in a stem shows up there, not on a teacher's printer).

Typst markup gives meaning to many characters (``* _ ` $ # @ < > [ ] \\ / ~ - + =`` and ``//`` comments);
:func:`escape` makes text print as written (``-0.5`` stays a hyphen-minus, as the answers and the CSV write it).
"""

from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser

from .texmath import to_typst


class MarkupError(ValueError):
    """Text whose Markdown this module cannot write as Typst."""


_SPECIAL = re.compile(r"([\\#*_`$@<>\[\]~/=+\-'\"])")
_DOTS = re.compile(r"\.(?=\.)|(?<=\.)\.")  # "..." would print as an ellipsis
_CJK = "\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_NEWLINE = re.compile(rf"(?<=[{_CJK}])\s*\n\s*(?=[{_CJK}])")


def escape(text: str) -> str:
    """Plain text → Typst markup that prints exactly this text (newlines become spaces)."""
    text = _CJK_NEWLINE.sub("", text)  # a line break between two Japanese characters is no space
    text = re.sub(r"\s+", " ", text)
    return _DOTS.sub(r"\\.", _SPECIAL.sub(r"\\\1", text))


def string(text: str) -> str:
    """A Typst string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "") + '"'


# -- HTML (from python-markdown) → Typst ------------------------------------------------------------------
class _Writer(HTMLParser):
    INLINE = {"strong": "#strong[", "b": "#strong[", "em": "#emph[", "i": "#emph["}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[str] = []
        self.math: str | None = None  # "inline" | "block" while inside an arithmatex element
        self.raw: list[str] | None = None  # text of a <code> element
        self.pre = False
        self.table: list[list[tuple[str, str]]] | None = None  # rows of (tag, markup)
        self.cell: list[str] | None = None
        self.lists: list[list[str]] = []  # items of open lists

    # where text goes: a table cell, a list item, or the document
    def emit(self, text: str) -> None:
        if self.cell is not None:
            self.cell.append(text)
        elif self.lists and self.lists[-1]:
            self.lists[-1][-1] += text
        else:
            self.out.append(text)

    def handle_starttag(self, tag: str, attrs) -> None:
        cls = dict(attrs).get("class") or ""
        if self.math is not None or self.raw is not None and tag != "code":
            raise MarkupError(f"<{tag}> inside math or code")
        self.stack.append(tag)
        if tag in ("span", "div") and "arithmatex" in cls:
            self.math = "block" if tag == "div" else "inline"
            self.buffer: list[str] = []
        elif tag == "p":
            pass
        elif tag in self.INLINE:
            self.emit(self.INLINE[tag])
        elif tag == "code":
            self.raw = []
        elif tag == "pre":
            self.pre = True
        elif tag == "br":
            self.stack.pop()
            self.emit("#linebreak()")
        elif tag in ("ul", "ol"):
            self.lists.append([])
        elif tag == "li":
            if not self.lists:
                raise MarkupError("<li> outside a list")
            self.lists[-1].append("")
        elif tag == "table":
            self.table = []
        elif tag in ("thead", "tbody"):
            pass
        elif tag == "tr":
            if self.table is None:
                raise MarkupError("<tr> outside a table")
            self.table.append([])
        elif tag in ("th", "td"):
            self.cell = []
        elif tag == "a":
            pass  # the link's text only (a printed sheet cannot be clicked)
        elif tag == "hr":
            self.stack.pop()
            self.emit("\n#line(length: 100%, stroke: 0.4pt)\n")
        else:
            raise MarkupError(f"no Typst form for <{tag}> in a question's text")

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise MarkupError(f"unbalanced </{tag}>")
        self.stack.pop()
        if self.math is not None and tag in ("span", "div"):
            self._math("".join(self.buffer))
            self.math = None
        elif tag == "p":
            self.emit("\n\n")
        elif tag in self.INLINE:
            self.emit("]")
        elif tag == "code":
            text = "".join(self.raw or [])
            self.raw = None
            if self.pre:
                self.emit(f"#raw(block: true, {string(text.rstrip(chr(10)))})")
            else:
                self.emit(f"#raw({string(text)})")
        elif tag == "pre":
            self.pre = False
            self.emit("\n\n")
        elif tag in ("ul", "ol"):
            items = self.lists.pop()
            fn = "list" if tag == "ul" else "enum"
            self.emit(f"#{fn}(" + ", ".join(f"[{i.strip()}]" for i in items) + ")\n\n")
        elif tag in ("th", "td"):
            assert self.table is not None and self.cell is not None
            self.table[-1].append((tag, "".join(self.cell).strip()))
            self.cell = None
        elif tag == "table":
            rows, self.table = self.table or [], None
            self.emit(_table(rows))

    def handle_data(self, data: str) -> None:
        if self.math is not None:
            self.buffer.append(data)
        elif self.raw is not None:
            self.raw.append(data)
        elif self.table is not None and self.cell is None:
            if data.strip():
                raise MarkupError("text between table cells")
        elif self.lists and not self.lists[-1] and self.cell is None:
            if data.strip():
                raise MarkupError("text in a list outside its items")
        else:
            self.emit(escape(data))

    def _math(self, source: str) -> None:
        source = source.strip()
        if self.math == "block":
            if not (source.startswith("\\[") and source.endswith("\\]")):
                raise MarkupError(f"unexpected display math {source[:40]!r}")
            self.emit("\n\n" + to_typst(source[2:-2], block=True) + "\n\n")
        else:
            if not (source.startswith("\\(") and source.endswith("\\)")):
                raise MarkupError(f"unexpected inline math {source[:40]!r}")
            self.emit(to_typst(source[2:-2]))


def _table(rows: list[list[tuple[str, str]]]) -> str:
    if not rows:
        return ""
    n = max(len(r) for r in rows)
    cells = []
    for row in rows:
        for tag, text in row + [("td", "")] * (n - len(row)):
            cells.append(f"[#strong[{text}]]" if tag == "th" else f"[{text}]")
    return f"\n#table(columns: {n}, align: center, {', '.join(cells)})\n\n"


def from_html(page: str) -> str:
    """The HTML of :func:`quizgen.drill.render.md` → Typst markup."""
    w = _Writer()
    w.feed(page)
    w.close()
    if w.stack:
        raise MarkupError(f"unclosed <{w.stack[-1]}>")
    text = "".join(w.out)
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# -- the shortcut: most texts of a question are sentences with inline math and **strong** words ----------------
# For such a text Markdown would only make a paragraph; it is written as Typst directly (a third of a sheet's
# time went to Markdown and back). tests/test_drill_typst.py checks the shortcut against the full path.
_PLAIN = re.compile(r"[^\\`*_\[\]!<>&$#~\n\r\t|]+")
_BLOCK_START = re.compile(r"\d+[.)](?:\s|$)|[-+*](?:[-\s]|$)|[=#>]")
_INLINE_MATH = re.compile(r"\$([^$]+)\$")
_MATH_BODY = re.compile(r"[^\s`$](?:[^\n`$]*[^\s`$])?")
_STRONG = re.compile(r"\*\*([^*\s](?:[^*]*[^*\s])?)\*\*")
_CODE = re.compile(r"`([^`\s](?:[^`\n]*[^`\s])?)`")
_BRACKET = re.compile(r"[\[\]]")  # brackets that are no link: params[key], [1.0, -0.5]
_WORD_UNDERSCORE = re.compile(r"(?<=\w)_(?=\w)")  # inside a word: no emphasis


def _plain(text: str) -> bool:
    return bool(_PLAIN.fullmatch(_BRACKET.sub("b", _WORD_UNDERSCORE.sub("u", text))))


def _simple_line(text: str) -> str | None:
    if (text != text.strip() or "\n" in text or "$$" in text or _BLOCK_START.match(text) or "    " in text
            or "](" in text or "][" in text or text.startswith("[")):
        return None
    out = []
    for i, part in enumerate(_INLINE_MATH.split(text)):
        if i % 2:
            if not _MATH_BODY.fullmatch(part):
                return None
            out.append(to_typst(part))
        elif part:
            for k, piece in enumerate(_CODE.split(part)):  # text, code, text, …
                if k % 2:
                    out.append(f"#raw({string(piece)})")
                    continue
                pieces = _STRONG.split(piece)
                if not all(_plain(p) for p in pieces if p):
                    return None
                out += [f"#strong[{escape(p)}]" if j % 2 else escape(p) for j, p in enumerate(pieces)]
    return "".join(out)


def simple(source: str) -> str | None:
    """The Typst markup of ``source`` if it is blocks of simple lines and ``$$…$$`` formulas; else None."""
    if not source or source != source.strip() or "\t" in source or "\r" in source or "\\$" in source:
        return None
    out = []
    for block in source.split("\n\n"):
        if block.startswith("$$") and block.endswith("$$") and len(block) > 4:
            inner = block[2:-2]
            if "$" in inner or not inner.strip() or any(line[:1].isspace() for line in inner.split("\n")[1:]):
                return None
            out.append(to_typst(inner.strip(), block=True))
        else:
            line = _simple_line(block) if block else None
            if line is None:
                return None
            out.append(line)
    return "\n\n".join(out)


@lru_cache(maxsize=8192)
def md(source: str) -> str:
    """Markdown (with ``$math$``) → Typst markup (paragraphs separated by blank lines). Memoized: feedback and
    rules repeat across a class's sheets."""
    fast = simple(source)
    if fast is not None:
        return fast
    from .render import md as md_html

    return from_html(md_html(source or ""))


def md_inline(source: str) -> str:
    """Markdown of one paragraph → Typst markup without the paragraph break."""
    return md(source).replace("\n\n", " #linebreak() ") if source else ""


def display_math(tex: str) -> str:
    return to_typst(tex, block=True)
