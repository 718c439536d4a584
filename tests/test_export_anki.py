"""Anki: the .apkg opened as what it is (a zip holding an SQLite collection and media); notes, fields,
GUIDs, note types, media; the same arguments give the same bytes."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import genanki
import pytest
from test_export_common import assert_hostile_intact, hostile_question, momentum_question, real_questions

import optimizers
from quizgen.export import anki, render
from quizgen.question import Question

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def questions() -> list[Question]:
    return real_questions(variants=2, seed=11) + [momentum_question(), hostile_question()]


@pytest.fixture(scope="module")
def cards():
    return anki.formula_cards()


@pytest.fixture(scope="module")
def apkg(questions, cards) -> bytes:
    return anki.package(questions, formulas=cards, description="test")


def open_apkg(data: bytes) -> tuple[sqlite3.Connection, dict, zipfile.ZipFile]:
    """The package's collection (an SQLite database, opened from its bytes), media map and zip."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    conn = sqlite3.connect(":memory:")
    conn.deserialize(zf.read("collection.anki2"))
    media = json.loads(zf.read("media"))
    return conn, media, zf


def test_package_is_a_zip_with_collection_and_media(apkg):
    conn, media, zf = open_apkg(apkg)
    assert zf.testzip() is None
    assert zf.namelist()[:2] == ["collection.anki2", "media"]
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert {e.date_time for e in zf.infolist()} == {anki.ZIP_DATE}


def test_notes_guids_and_fields(apkg, questions, cards):
    conn, _, _ = open_apkg(apkg)
    rows = conn.execute("SELECT guid, mid, flds, tags, mod FROM notes ORDER BY id").fetchall()
    assert len(rows) == len(cards) + len(questions)
    formula_rows, question_rows = rows[:len(cards)], rows[len(cards):]
    for (guid, mid, flds, tags, mod), q in zip(question_rows, questions):
        assert guid == genanki.guid_for(q.family, q.seed)
        assert mid == anki.QUESTION_MODEL_ID and mod == anki.TIMESTAMP
        front, back, ident = flds.split("\x1f")
        assert render.md(q.stem) in front
        assert f"{q.seed}" in ident and render.esc(q.id) in ident
        if q.kind == "choice":
            assert front.count("<li>") >= len(q.choices)
        key = q.answer.text if q.kind == "numeric" else render.md_inline(q.correct_choice.text)
        assert (render.esc(key) if q.kind == "numeric" else key) in back
        for step in q.solution:
            if step.latex:
                assert render.esc(step.latex) in back
        assert f" family::{q.family} " in tags
    for (guid, mid, _flds, tags, _), card in zip(formula_rows, cards):
        assert guid == genanki.guid_for("formula", card.optimizer, card.convention, card.quantity)
        assert mid == anki.FORMULA_MODEL_ID and "quizgen::formula" in tags
    assert len({r[0] for r in rows}) == len(rows), "GUIDs must be unique"
    assert conn.execute("SELECT count(*) FROM cards").fetchone()[0] == len(rows)


def test_models_and_deck_have_the_fixed_ids(apkg):
    conn, _, _ = open_apkg(apkg)
    models, decks = (json.loads(x) for x in conn.execute("SELECT models, decks FROM col").fetchone())
    assert {str(anki.QUESTION_MODEL_ID), str(anki.FORMULA_MODEL_ID)} <= set(models)
    assert decks[str(anki.DECK_ID)]["name"] == anki.DECK_NAME
    dids = {d for (d,) in conn.execute("SELECT DISTINCT did FROM cards")}
    assert dids == {anki.DECK_ID}


def test_formula_cards_cover_every_optimizer_from_its_rule(cards):
    assert {c.optimizer for c in cards} == set(optimizers.MODULES)
    for c in cards:
        rule = optimizers.rule(c.optimizer, c.convention)
        assert render.esc(rule.latex()) in c.rule
        for sym in rule.symbols.values():
            assert render.esc(sym.ja) in c.symbols and render.esc(sym.latex) in c.symbols
        assert rule.symbols[c.quantity].kind != "step"
        assert render.esc(rule.symbols[c.quantity].ja) in c.front


def test_formula_card_conventions_and_filter():
    some = anki.formula_cards(["adam"], ("textbook", "pytorch"))
    assert {c.optimizer for c in some} == {"adam"} and {c.convention for c in some} == {"textbook", "pytorch"}
    every = anki.formula_cards(None, None)
    for key, module in optimizers.MODULES.items():
        mine = {c.convention for c in every if c.optimizer == key}
        shown = {optimizers.rule(key, c).latex() for c in mine}
        assert len(shown) == len(mine), "two conventions of one optimizer rendered alike"
        for conv in module.INFO.conventions:  # a form left out renders exactly like one kept
            assert conv in mine or optimizers.rule(key, conv).latex() in shown


def test_media_are_the_figures(apkg, questions):
    _, media, zf = open_apkg(apkg)
    figs = [q for q in questions if q.figures]
    assert figs and len(media) == sum(len(q.figures) for q in figs)
    conn, _, _ = open_apkg(apkg)
    fields = "".join(f for (f,) in conn.execute("SELECT flds FROM notes"))
    for idx, name in media.items():
        assert zf.read(idx).startswith(b"\x89PNG")
        assert f'src="{name}"' in fields


def test_same_arguments_same_bytes(apkg, questions, cards):
    assert anki.package(questions, formulas=cards, description="test") == apkg


def test_timestamp_changes_bytes_not_guids(apkg, questions, cards):
    later = anki.package(questions, formulas=cards, description="test", timestamp=anki.TIMESTAMP + 86400)
    assert later != apkg
    a, _, _ = open_apkg(apkg)
    b, _, _ = open_apkg(later)
    assert a.execute("SELECT guid FROM notes ORDER BY id").fetchall() == \
        b.execute("SELECT guid FROM notes ORDER BY id").fetchall()
    assert {m for (m,) in b.execute("SELECT mod FROM notes")} == {anki.TIMESTAMP + 86400}


def test_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    assert anki.default_timestamp() == 1800000000
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "tomorrow")
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH"):
        anki.default_timestamp()


def test_hostile_text_survives_escaped_and_intact(apkg):
    conn, _, _ = open_apkg(apkg)
    guid = genanki.guid_for("concept", 424242)
    (flds,) = conn.execute("SELECT flds FROM notes WHERE guid = ?", (guid,)).fetchone()
    front, back, _ = flds.split("\x1f")
    assert_hostile_intact(front)
    assert_hostile_intact(back)
    assert "<script" not in flds


def test_no_genanki_html_warnings(questions):
    for q in questions:
        note, _ = anki.question_note(q)
        for f in note.fields:
            assert not genanki.Note._find_invalid_html_tags_in_field(f), (q.id, f)


def test_cli_two_processes_give_identical_decks(tmp_path):
    outs = []
    for name in ("a.apkg", "b.apkg"):
        out = tmp_path / name
        subprocess.run([sys.executable, "-m", "quizgen", "export", "anki", "--variants", "1", "--seed", "5",
                        "--out", str(out), "-q"], check=True, cwd=ROOT,
                       env={"PATH": "/usr/bin:/bin", "PYTHONHASHSEED": "random", "HOME": str(tmp_path)})
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    conn, _, _ = open_apkg(outs[0])
    n = conn.execute("SELECT count(*) FROM notes WHERE mid = ?", (anki.QUESTION_MODEL_ID,)).fetchone()[0]
    assert n >= 1


def test_english_notes_get_their_own_guid_and_duplicates_are_refused():
    ja = momentum_question()
    en = momentum_question()
    en.lang = "en"
    assert anki.question_guid(ja) == genanki.guid_for("steps", 7)
    assert anki.question_guid(en) != anki.question_guid(ja)
    anki.package([ja, en])
    with pytest.raises(ValueError, match="share a GUID"):
        anki.package([ja, momentum_question()])
