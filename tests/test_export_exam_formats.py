"""The exam-format families in every export: Moodle XML (a true/false statement as Moodle's ``truefalse``, the
four-choice formats as ``multichoice``), Anki (each question a card whose back holds the key and why each choice
is right or wrong), JSON (validated against the schema, read back equal), and a printed drill sheet of the four
(its PDF read back as text, its answer table checked against the questions rebuilt from their ids)."""

from __future__ import annotations

import csv
import shutil
import sqlite3
import subprocess
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from quizgen import generate
from quizgen.export import anki, jsonl, moodle, select

FAMILIES = ("true_false", "formula_blank", "combination", "threshold")


@pytest.fixture(scope="module")
def questions():
    sel = select.make_selection(",".join(FAMILIES), 4, 7)
    return select.questions(sel)


def test_moodle_true_false_is_moodles_truefalse_type(questions):
    root = ET.fromstring(moodle.render(questions).encode("utf-8"))
    by_name = {el.findtext("name/text"): el for el in root.findall("question") if el.get("type") != "category"}
    seen = {"truefalse": 0, "multichoice": 0}
    for q in questions:
        el = next(v for k, v in by_name.items() if f"/ {q.id} (seed {q.seed})" in k)
        if q.family == "true_false":
            assert el.get("type") == "truefalse" and el.findtext("penalty") == "1"
            answers = {a.findtext("text"): a for a in el.findall("answer")}
            assert set(answers) == {"true", "false"}
            truth = q.choices[0].correct
            assert answers["true"].get("fraction") == ("100" if truth else "0")
            assert answers["false"].get("fraction") == ("0" if truth else "100")
            assert all(a.findtext("feedback/text").strip() for a in answers.values())
            assert "正しくは" in answers["true" if not truth else "false"].findtext("feedback/text") or truth
            seen["truefalse"] += 1
        else:
            assert el.get("type") == "multichoice"
            answers = el.findall("answer")
            assert len(answers) == 4 and [a.get("fraction") for a in answers].count("100") == 1
            right = answers[[c.correct for c in q.choices].index(True)]
            assert right.get("fraction") == "100"
            seen["multichoice"] += 1
    assert seen["truefalse"] == 4 and seen["multichoice"] == 12


def test_anki_cards_hold_the_key_and_the_reasons(questions):
    data = anki.package(questions)
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(__import__("io").BytesIO(data)) as z:
            z.extract("collection.anki2", tmp)
        rows = sqlite3.connect(Path(tmp) / "collection.anki2").execute("select flds from notes").fetchall()
    fields = [r[0].split("\x1f") for r in rows]
    for q in questions:
        front, back, ident = next(f for f in fields if f[2].startswith(q.id + " "))
        assert "正解" in back and "各選択肢について" in back
        if q.family == "true_false":
            assert "正" in front and "誤" in front
        if q.family in ("formula_blank", "combination"):
            assert "（ア）" in front


def test_json_lines_validate_and_read_back(questions):
    text = jsonl.jsonl(questions)
    assert jsonl.read_jsonl(text) == questions


@pytest.mark.parametrize("family", FAMILIES)
def test_english_variants_export_too(family):
    q = generate(family, 5, lang="en")
    root = ET.fromstring(moodle.render([q]).encode("utf-8"))
    types = [el.get("type") for el in root.findall("question") if el.get("type") != "category"]
    assert types == ["truefalse" if family == "true_false" else "multichoice"]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is missing")
def test_drill_sheet_of_the_new_families(tmp_path):
    from quizgen.cli import main
    from quizgen.drill.text import LABELS

    out = tmp_path / "drill"
    assert main(["drill", "--count", "4", "--seed", "5", "--families", ",".join(FAMILIES), "--quiet",
                 "--out", str(out)]) == 0
    rows = list(csv.DictReader((out / "answers.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert [r["family"] for r in rows] == list(FAMILIES)
    for r in rows:
        family, seed = r["question_id"].rsplit("-", 1)
        q = generate(family, int(seed))
        assert r["answer"] == LABELS[q.answer.index] and r["kind"] == "choice"
    questions = subprocess.run(["pdftotext", "-layout", str(out / "drill-5-questions.pdf"), "-"],
                               capture_output=True, text=True, check=True).stdout
    answers = subprocess.run(["pdftotext", "-layout", str(out / "drill-5-answers.pdf"), "-"],
                             capture_output=True, text=True, check=True).stdout
    assert "次の記述が正しければ" in questions and "（ア）" in questions
    assert "組み合わせ" in questions and "選べ" in questions
    assert "正解" not in questions and "正解" in answers and "誤答の原因" in answers
