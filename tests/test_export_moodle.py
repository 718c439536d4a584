"""Moodle XML: parsed back with an XML parser and checked against what Moodle's importer (qformat_xml)
reads: question types, fractions, tolerances, feedback, embedded files; numeric keys recomputed."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_export_common import (
    HOSTILE,
    assert_hostile_intact,
    hostile_question,
    momentum_question,
    real_questions,
    recompute,
)

import optimizers
from quizgen.cli import main as cli_main
from quizgen.export import moodle, render
from quizgen.question import Question


@pytest.fixture(scope="module")
def questions() -> list[Question]:
    return real_questions(variants=2, seed=11) + [momentum_question(), hostile_question()]


@pytest.fixture(scope="module")
def xml_text(questions) -> str:
    return moodle.render(questions, comment="test export")


@pytest.fixture(scope="module")
def root(xml_text) -> ET.Element:
    return ET.fromstring(xml_text.encode("utf-8"))


def _by_id(questions):
    return {q.id: q for q in questions}


def _id_of(qel: ET.Element) -> str:
    m = re.search(r" / (\S+) \(seed (\d+)\)$", qel.findtext("name/text"))
    assert m, qel.findtext("name/text")
    return m.group(1)


def _questions(root):
    return [q for q in root.findall("question") if q.get("type") != "category"]


def _moodle_grade(qel: ET.Element, response: float) -> ET.Element:
    """The answer Moodle's numerical question matches: the first whose interval holds the response."""
    for a in qel.findall("answer"):
        text = a.findtext("text")
        if text == "*":
            return a
        tol = float(a.findtext("tolerance"))
        if abs(response - float(text)) <= tol:
            return a
    raise AssertionError("no answer matched, not even *")


def test_declaration_first_utf8_and_well_formed(xml_text):
    data = xml_text.encode("utf-8")
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>')
    assert ET.fromstring(data).tag == "quiz"


def test_every_question_is_exported_once_with_id_and_seed_in_its_name(root, questions):
    names = [q.findtext("name/text") for q in _questions(root)]
    assert len(names) == len(questions)
    for q in questions:
        assert sum(f"/ {q.id} (seed {q.seed})" in n for n in names) == 1


def test_one_category_per_optimizer_holding_only_its_questions(root, questions):
    by_id = _by_id(questions)
    current = None
    seen = []
    for el in root.findall("question"):
        if el.get("type") == "category":
            current = el.findtext("category/text")
            assert current.startswith("$course$/top/E資格 最適化/")
            seen.append(current)
            continue
        assert current is not None, "a question before any category"
        q = by_id[_id_of(el)]
        opt = moodle.optimizer_of(q)
        want = optimizers.get(opt).INFO.name_ja if opt else "共通"
        assert current == f"$course$/top/E資格 最適化/{want}"
    assert len(seen) == len(set(seen)), "a category opened twice"


def test_common_parts_moodle_needs(root):
    for el in _questions(root):
        assert el.get("type") in ("numerical", "multichoice")
        assert el.find("questiontext").get("format") == "html"
        assert el.findtext("questiontext/text").strip()
        assert el.find("generalfeedback").get("format") == "html"
        assert el.findtext("generalfeedback/text").strip()
        assert el.findtext("defaultgrade") == "1"
        assert float(el.findtext("penalty")) == pytest.approx(1 / 3, abs=1e-6)
        assert el.findtext("hidden") == "0"


def test_numerical_key_first_then_mistakes_then_star(root, questions):
    by_id = _by_id(questions)
    numerical = [el for el in _questions(root) if el.get("type") == "numerical"]
    assert numerical, "no numerical question exported"
    for el in numerical:
        q = by_id[_id_of(el)]
        answers = el.findall("answer")
        key, *mistakes, star = answers
        assert key.get("fraction") == "100" and float(key.findtext("text")) == q.answer.value
        assert float(key.findtext("tolerance")) == q.answer.tolerance
        assert star.findtext("text") == "*" and star.get("fraction") == "0"
        wrong = [c for c in q.choices if not c.correct and c.value is not None]
        assert [float(a.findtext("text")) for a in mistakes] == [c.value for c in wrong]
        for a, c in zip(mistakes, wrong):
            assert a.get("fraction") == "0"
            assert float(a.findtext("tolerance")) == q.answer.tolerance
            assert a.findtext("feedback/text").strip()
            if c.feedback:
                assert a.find("feedback").get("format") == "html"
        assert el.findtext("unitgradingtype") == "0" and el.findtext("showunits") == "3"
        # graded as Moodle would: the key is right, each mistake gets its own feedback, anything else: *
        assert _moodle_grade(el, q.answer.value) is key
        for a, c in zip(mistakes, wrong):
            if not q.answer.accepts(c.value):
                assert _moodle_grade(el, c.value) is a
        assert _moodle_grade(el, q.answer.value + 1e6) is star


def test_numeric_keys_recomputed_from_given(root, questions):
    """Every computed key in the file (numerical answers, and the correct choice of a multichoice question
    that asks for a number) is what running the reference optimizer on ``given`` gives."""
    by_id = _by_id(questions)
    checked = {"numerical": 0, "multichoice": 0}
    for el in _questions(root):
        q = by_id[_id_of(el)]
        if el.get("type") == "numerical":
            assert q.given, f"{q.id}: a computed question without given"
            exported = float(el.find("answer").findtext("text"))
            assert exported == pytest.approx(recompute(q.given, q.family), rel=1e-12, abs=1e-15)
        elif q.given and "asked" in q.given and q.correct_choice.value is not None:
            correct = next(a for a in el.findall("answer") if a.get("fraction") == "100")
            shown = float(correct.findtext("text").replace("−", "-"))
            assert abs(shown - recompute(q.given, q.family)) <= 0.5 * 10.0 ** -q.answer.decimals + 1e-12, q.id
        else:
            continue
        checked[el.get("type")] += 1
    assert checked["numerical"] >= 2 and checked["multichoice"] >= 1, checked


def test_multichoice_single_shuffled_one_correct_feedback_each(root, questions):
    by_id = _by_id(questions)
    mc = [el for el in _questions(root) if el.get("type") == "multichoice"]
    assert mc
    for el in mc:
        q = by_id[_id_of(el)]
        assert el.findtext("single") == "true"
        assert el.findtext("shuffleanswers") == "1"
        assert el.findtext("answernumbering") == "abc"
        answers = el.findall("answer")
        assert len(answers) == len(q.choices)
        assert [a.get("fraction") for a in answers] == ["100" if c.correct else "0" for c in q.choices]
        for a, c in zip(answers, q.choices):
            assert a.get("format") == "html"
            assert a.findtext("text") == render.md_inline(c.text)
            assert a.find("feedback") is not None
            if c.feedback:
                assert a.findtext("feedback/text") == render.md(c.feedback)


def test_math_uses_mathjax_delimiters(root):
    texts = [el.findtext("questiontext/text") + el.findtext("generalfeedback/text") for el in _questions(root)]
    joined = "".join(texts)
    assert r"\(" in joined and r"\[" in joined
    for t in texts:
        assert not re.search(r"(?<!\\)\$[^$]+\$", t), "unconverted $math$"


def test_worked_solution_is_the_general_feedback(root, questions):
    by_id = _by_id(questions)
    for el in _questions(root):
        q = by_id[_id_of(el)]
        fb = el.findtext("generalfeedback/text")
        for step in q.solution:
            if step.latex:
                assert render.esc(step.latex) in fb
        assert f"{q.seed}" in fb and render.esc(q.id) in fb


def test_figures_embedded_as_base64_files_referenced_by_pluginfile(root, questions):
    by_id = _by_id(questions)
    with_figs = 0
    for el in _questions(root):
        q = by_id[_id_of(el)]
        text = el.findtext("questiontext/text")
        refs = re.findall(r'src="@@PLUGINFILE@@/([^"]+)"', text)
        files = el.findall("questiontext/file")
        assert len(refs) == len(q.figures) == len(files)
        assert sorted(refs) == sorted(f.get("name") for f in files)
        for f in files:
            assert f.get("encoding") == "base64" and f.get("path") == "/"
            assert base64.b64decode(f.text, validate=True).startswith(b"\x89PNG\r\n\x1a\n")
        with_figs += bool(files)
    assert with_figs >= 1


def test_svg_images_on_request():
    out = moodle.render([momentum_question()], image_format="svg")
    f = ET.fromstring(out.encode()).find("question[@type='numerical']/questiontext/file")
    assert f.get("name").endswith(".svg") and b"<svg" in base64.b64decode(f.text)


def test_hostile_text_survives_escaped_and_intact(root, xml_text):
    el = next(e for e in _questions(root) if _id_of(e) == "concept-hostile")
    assert_hostile_intact(el.findtext("questiontext/text"))
    assert_hostile_intact(el.findtext("generalfeedback/text"))
    for a in el.findall("answer"):
        if a.findtext("feedback/text"):
            assert_hostile_intact(a.findtext("feedback/text"))
    assert_hostile_intact(el.findall("answer")[0].findtext("text"))
    tags = [t.findtext("text") for t in el.findall("tags/tag")]
    assert f"topic:bias correction {HOSTILE}" in tags  # plain text in CDATA, "]]>" split and rejoined
    assert "]]]]><![CDATA[>" in xml_text


def test_cdata_split_round_trips():
    for s in ["]]>", "a]]>b]]>c", "]]]]>", "]]", ">"]:
        assert ET.fromstring(f"<t>{moodle.cdata(s)}</t>").text == s


def test_numbers_parse_back_exactly():
    for x in [-0.28, 1e-07, 123456789.125, 0.1 + 0.2, -0.0, 5e-324]:
        text = moodle.number(x)
        assert "e" not in text.lower() and float(text) == x
    with pytest.raises(ValueError):
        moodle.number(float("nan"))


def test_control_characters_are_refused():
    q = hostile_question()
    q.stem = "bad \x01 char"
    with pytest.raises(ValueError, match="U\\+0001"):
        moodle.render([q])


def test_category_slash_is_doubled():
    assert moodle.category_path("A/B") == "$course$/top/E資格 最適化/A//B"


def test_cli_moodle_writes_file_and_lists_seeds(tmp_path, capsys):
    out = tmp_path / "quiz.xml"
    assert cli_main(["export", "moodle", "--variants", "1", "--seed", "3", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    root = ET.fromstring(out.read_bytes())
    qs = _questions(root)
    assert qs and f"{len(qs)} questions" in printed
    for el in qs:
        m = re.search(r"/ (\S+) \(seed (\d+)\)$", el.findtext("name/text"))
        assert f"{m.group(1)}\tseed={m.group(2)}" in printed
    assert not [p for p in tmp_path.iterdir() if p.name != "quiz.xml"]


def test_every_formula_in_the_file_parses(root):
    """Math reaches Moodle's MathJax as written: every ``\\( \\)`` / ``\\[ \\]`` of the file parses (KaTeX,
    the site's renderer, standing in for MathJax: both refuse e.g. a double subscript ``x_t_{1}``)."""
    from pathlib import Path

    from quizgen.site import katex

    root_dir = Path(__file__).resolve().parents[1]
    katex.find_katex(root_dir)  # npm ci (make setup) installs it
    problems = []
    with katex.KatexRenderer(root_dir) as k:
        for el in _questions(root):
            for text in el.iter("text"):
                try:
                    k.render_html(text.text or "", _id_of(el))
                except katex.KatexError as e:
                    problems.append(str(e).splitlines()[0][:200])
    assert not problems, "\n".join(problems[:10])


XML_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\x01\x02\x03\x04\x05\x06\x07"
                                 "\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e"
                                 "\x1f\ufffe\uffff\r"), max_size=60)


@settings(max_examples=200, deadline=None)
@given(XML_TEXT)
def test_any_text_survives_cdata(text):
    assert (ET.fromstring(f"<t>{moodle.cdata(text)}</t>".encode()).text or "") == text


@settings(max_examples=60, deadline=None)
@given(XML_TEXT.filter(lambda s: s.strip()), XML_TEXT)
def test_any_feedback_and_tag_text_survive_the_file(topic, feedback):
    q = hostile_question()
    q.tags = {"optimizer": "adam", "topic": topic}
    q.choices[0].feedback = feedback
    root = ET.fromstring(moodle.render([q]).encode("utf-8"))
    el = root.find("question[@type='multichoice']")
    assert f"topic:{topic}" in [t.findtext("text") for t in el.findall("tags/tag")]
    assert el.findall("answer")[0].findtext("feedback/text") == (render.md(feedback) if feedback else "")
