"""Anki deck (.apkg, built with genanki): ``package(questions) -> bytes``.

Two note types in one deck:

* **formula cards** (from the sympy rules, one per optimizer × convention × assigned quantity):
  front "optimizer (convention): quantity", back the quantity's assignment, the whole rule, its symbol
  table (``Sym.latex`` / ``Sym.ja``) and the rule's note;
* **question cards** (one per :class:`~quizgen.question.Question`): front the stem (code, figures, choices),
  back the key, each choice's or mistake's feedback, the worked solution, the id and the seed.

Stability, so that re-importing a newer export *updates* notes instead of duplicating them:

* the note types and the deck have fixed ids (the constants below: picked once at random, as genanki
  advises; never change them: Anki identifies note types and decks by them);
* question notes have GUID ``genanki.guid_for(family, seed)`` (``…, lang`` for English ones), formula notes
  ``guid_for("formula", optimizer, convention, quantity)``;
* every note and card gets the same timestamp (``TIMESTAMP``, or ``SOURCE_DATE_EPOCH`` when set, or the
  ``timestamp`` argument), note/card ids count up from it, and the zip is written with fixed entry dates,
  so the same arguments give the same bytes. Anki replaces an existing note on import only when the
  incoming one is *newer*: to push changed content into a collection that already has these notes, export
  with a later ``--timestamp``.

Math is ``\\( … \\)`` / ``\\[ … \\]`` (Anki's built-in MathJax); figures travel as media files in the package.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import sqlite3
import warnings
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import genanki

from ..question import Question
from . import render as R
from .figures import Image, images

#: note type of question cards (fixed forever)
QUESTION_MODEL_ID = 1511871424
#: note type of formula cards (fixed forever)
FORMULA_MODEL_ID = 1111147382
#: the deck "E資格 最適化" (fixed forever)
DECK_ID = 1917541881
DECK_NAME = "E資格 最適化"
#: 2026-01-01T00:00:00Z: the default time stamp of every note and card
TIMESTAMP = 1767225600
#: zip entry date (the earliest a zip can hold)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

CSS = """\
.card { font-family: "Noto Sans CJK JP", "Hiragino Sans", sans-serif; font-size: 18px; text-align: left;
        color: #222; background: #fff; line-height: 1.6; }
.quizgen-figure img { max-width: 100%; height: auto; }
.quizgen-figure figcaption { font-size: 80%; color: #555; }
pre { background: #f5f5f5; padding: .5em; overflow-x: auto; font-size: 85%; }
table.quizgen-symbols td { padding: 0 .6em; border-bottom: 1px solid #ddd; }
.quizgen-id { color: #888; }
.quizgen-choices, .quizgen-why { list-style: none; padding-left: .5em; }
.quizgen-quantity { font-weight: bold; }
"""

QUESTION_MODEL = genanki.Model(
    QUESTION_MODEL_ID,
    "quizgen E資格 問題",
    fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Id"}],
    templates=[{
        "name": "問題",
        "qfmt": "{{Front}}",
        "afmt": '{{FrontSide}}<hr id="answer">{{Back}}<p class="quizgen-id"><small>{{Id}}</small></p>',
    }],
    css=CSS,
)

FORMULA_MODEL = genanki.Model(
    FORMULA_MODEL_ID,
    "quizgen E資格 更新式",
    fields=[{"name": "Front"}, {"name": "Rule"}, {"name": "Symbols"}, {"name": "Id"}],
    templates=[{
        "name": "更新式",
        "qfmt": "{{Front}}",
        "afmt": '{{FrontSide}}<hr id="answer">{{Rule}}{{Symbols}}<p class="quizgen-id"><small>{{Id}}</small></p>',
    }],
    css=CSS,
)


def default_timestamp() -> int:
    """``SOURCE_DATE_EPOCH`` (the reproducible-builds convention) when set, else :data:`TIMESTAMP`."""
    env = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if env:
        try:
            value = int(env)
        except ValueError:
            raise ValueError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, got {env!r}") from None
        return check_timestamp(value)
    return TIMESTAMP


def check_timestamp(value: object) -> int:
    try:
        ts = int(str(value), 10)
    except ValueError:
        raise ValueError(f"timestamp must be whole seconds since 1970, got {value!r}") from None
    if not 10**9 <= ts < 2**31:  # 2001 … 2038: Anki stores seconds and ids as ms from it
        raise ValueError(f"timestamp must be between 1000000000 and {2**31 - 1}, got {ts}")
    return ts


def _tag(text: str) -> str:
    return "_".join(str(text).split())


def question_tags(q: Question) -> list[str]:
    tags = ["quizgen", "quizgen::question", f"family::{_tag(q.family)}"]
    tags += [f"{k}::{_tag(v)}" for k, v in R.tag_pairs(q)]
    return list(dict.fromkeys(tags))


def question_guid(q: Question) -> str:
    """``guid_for(family, seed)``; an English question also hashes its language, so the ja and en
    notes of one variant can live in one collection."""
    return genanki.guid_for(q.family, q.seed) if q.lang == "ja" else genanki.guid_for(q.family, q.seed, q.lang)


def question_note(q: Question, image_format: str = "png") -> tuple[genanki.Note, list[Image]]:
    lab = R.labels(q.lang)
    imgs = images(q, image_format) if q.figures else []
    front = R.question_body(q, lambda i: f'<img src="{imgs[i].name}" alt="{R.alt_text(q.figures[i].caption)}">')
    if q.kind == "choice":
        front += "\n" + R.choices_list(q)
    back = R.key_html(q)
    back += R.choice_feedback_html(q) if q.kind == "choice" else R.mistakes_html(q)
    if q.solution:
        back += f"<p><strong>{lab['solution']}</strong></p>" + R.solution_html(q)
    ident = f"{R.esc(q.id)} · {lab['seed']} {q.seed} · {R.esc(q.family)}"
    note = genanki.Note(model=QUESTION_MODEL, fields=[front, back, ident], tags=question_tags(q),
                        guid=question_guid(q))
    return note, imgs


@dataclass(frozen=True)
class FormulaCard:
    optimizer: str
    convention: str
    quantity: str  # rule symbol name
    front: str
    rule: str
    symbols: str

    @property
    def guid(self) -> str:
        return genanki.guid_for("formula", self.optimizer, self.convention, self.quantity)


def formula_cards(optimizer_keys: Sequence[str] | None = None,
                  conventions: Sequence[str] | None = ("textbook",)) -> list[FormulaCard]:
    """Cards for every optimizer in ``optimizers.MODULES`` (or ``optimizer_keys``) and every convention it
    declares (or only those in ``conventions``); a convention whose rule renders exactly like an earlier
    one of the same optimizer is skipped."""
    import optimizers

    keys = list(optimizers.MODULES) if optimizer_keys is None else [optimizers.get(k).INFO.key
                                                                    for k in optimizer_keys]
    lab = R.labels("ja")
    cards: list[FormulaCard] = []
    for key in keys:
        module = optimizers.MODULES[key]
        seen: set[str] = set()
        for conv in module.INFO.conventions:
            if conventions is not None and conv not in conventions:
                continue
            rule = module.rule(conv)
            whole = rule.latex()
            if whole in seen:
                continue
            seen.add(whole)
            lines = rule.latex_lines()
            targets = [t for t, _ in rule.assignments + rule.derived]
            symbols = _symbol_table(rule)
            note = f"<p><small>{R.esc(rule.note)}</small></p>" if rule.note else ""
            for target in dict.fromkeys(targets):
                sym = rule.symbols[target]
                if sym.kind == "step":
                    continue  # t ← t + 1 is not worth a card
                mine = [line.replace("&", "") for t, line in zip(targets, lines) if t == target]
                quantity = f"{R.esc(sym.ja)} {R.inline_math(sym.latex)}"
                front = R.esc(lab["formula_front"]).format(
                    name=R.esc(module.INFO.name_ja), convention=R.esc(_before_particle(module.INFO.form(conv))),
                    quantity=f'<span class="quizgen-quantity">{quantity}</span>')
                back = "".join(R.display_math(m) for m in mine)
                back += f"<p><strong>{lab['rule']}</strong></p>" + R.display_math(whole) + note
                cards.append(FormulaCard(key, conv, target, front, back, symbols))
    return cards


def _before_particle(text: str) -> str:
    """A form's name before 「の」: a space after a Latin ending (「Alg. 1 の形」), none after 』."""
    return text + (" " if text[-1].isascii() and text[-1].isalnum() else "")


def _symbol_table(rule) -> str:
    lab = R.labels("ja")
    rows = "".join(f"<tr><td>{R.inline_math(s.latex)}</td><td>{R.esc(s.ja)}</td></tr>"
                   for s in rule.symbols.values())
    return (f'<table class="quizgen-symbols"><tr><th>{lab["symbols"]}</th><th>{lab["meaning"]}</th></tr>'
            f"{rows}</table>")


def formula_note(card: FormulaCard) -> genanki.Note:
    ident = f"formula · {card.optimizer} · {card.convention} · {card.quantity}"
    tags = ["quizgen", "quizgen::formula", f"optimizer::{card.optimizer}", f"convention::{card.convention}"]
    return genanki.Note(model=FORMULA_MODEL, fields=[card.front, card.rule, card.symbols, R.esc(ident)],
                        tags=tags, guid=card.guid)


def _zip_entry(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 3
    zf.writestr(info, data, compresslevel=6)


def package(questions: Iterable[Question], *, formulas: Sequence[FormulaCard] = (), timestamp: int | None = None,
            image_format: str = "png", description: str = "") -> bytes:
    """The .apkg bytes: the same inputs give the same bytes."""
    ts = default_timestamp() if timestamp is None else check_timestamp(timestamp)
    deck = genanki.Deck(DECK_ID, DECK_NAME, description=R.esc(description))
    media: list[Image] = []
    for card in formulas:
        deck.add_note(formula_note(card))
    for q in questions:
        note, imgs = question_note(q, image_format)
        deck.add_note(note)
        media += imgs
    media = list({m.name: m for m in media}.values())  # a name is its content's digest: same name, same bytes
    guids = Counter(n.guid for n in deck.notes)
    twice = sorted(g for g, k in guids.items() if k > 1)
    if twice:
        raise ValueError(f"two notes share a GUID ({', '.join(twice)}): the same (family, seed) given twice")

    conn = sqlite3.connect(":memory:")
    try:
        with warnings.catch_warnings():
            # genanki warns about "invalid HTML" for text that merely looks like a tag; ours is escaped
            warnings.filterwarnings("ignore", module="genanki", message="^Field contained")
            genanki.Package(deck).write_to_db(conn.cursor(), ts, itertools.count(ts * 1000))
        conn.commit()
        db = conn.serialize()
    finally:
        conn.close()

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        _zip_entry(zf, "collection.anki2", db)
        _zip_entry(zf, "media", json.dumps({str(i): m.name for i, m in enumerate(media)},
                                           ensure_ascii=False).encode("utf-8"))
        for i, m in enumerate(media):
            _zip_entry(zf, str(i), m.data)
    return buf.getvalue()
