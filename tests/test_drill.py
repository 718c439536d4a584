"""Drill sheets without a browser: the seed rule, the plan, the HTML (no answer on the question sheet),
and bad input (one clear line, nothing written). The PDFs are tested in test_drill_pdf.py."""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import pytest

import quizgen
from quizgen import seeds
from quizgen.cli import main
from quizgen.drill import make_spec
from quizgen.drill.builder import katex_renderer
from quizgen.drill.engine import family_names
from quizgen.drill.model import ANONYMOUS, SheetPlan, generate_question, generate_sheet
from quizgen.drill.render import answer_plain, md, render_sheet
from quizgen.drill.roster import Student

FAMILIES = family_names()


def test_question_seed_is_derived_from_seed_student_and_number():
    spec = make_spec(len(FAMILIES), 42)
    for n in range(1, spec.count + 1):
        q = generate_question(spec, "s01", n)
        assert q.seed == seeds.derive("drill", 42, "s01", n)
        assert q.family == FAMILIES[n - 1]  # families cycle in the engine's order
        # the drill only asks the engine: the same question comes from quizgen.generate
        assert q.to_json() == quizgen.generate(q.family, q.seed, lang="ja").to_json()


def test_students_get_different_numbers_same_kinds():
    spec = make_spec(4, 3, ["steps"])
    a = generate_sheet(SheetPlan(spec, Student("s01")))
    b = generate_sheet(SheetPlan(spec, Student("s02")))
    assert [q.family for q in a.questions] == [q.family for q in b.questions] == ["steps"] * 4
    assert all(x.stem != y.stem for x, y in zip(a.questions, b.questions))


def test_optimizers_cycle_per_round_of_families():
    spec = make_spec(4, 5, ["steps", "numeric_choice"], ["adam", "rmsprop"])
    assert [spec.item(n) for n in range(1, 5)] == [("steps", "adam"), ("numeric_choice", "adam"),
                                                   ("steps", "rmsprop"), ("numeric_choice", "rmsprop")]
    sheet = generate_sheet(SheetPlan(spec, Student(ANONYMOUS)))
    assert [q.tags.get("optimizer") or q.given.get("optimizer") for q in sheet.questions] == \
        ["adam", "adam", "rmsprop", "rmsprop"]


@pytest.mark.parametrize("kwargs, message", [
    ({"count": 0}, "--count must be at least 1"),
    ({"count": "x"}, "--count must be a whole number"),
    ({"count": 1000}, "at most"),
    ({"seed": -1}, "seed must be between"),
    ({"families": ["nope"]}, "unknown family 'nope'"),
    ({"optimizers": ["adamz"]}, "unknown optimizer 'adamz'"),
    ({"lang": "fr"}, "--lang must be ja or en"),
])
def test_spec_validation(kwargs, message):
    args = {"count": 3, "seed": 1} | kwargs
    with pytest.raises(ValueError, match=re.escape(message)):
        make_spec(**args)


def _plain(markdown_text: str) -> list[str]:
    """The text pieces of a Markdown string outside its math, as the sheet renders them (what its text
    must contain): rendered by the drill's Markdown, math and tags cut out, whitespace removed."""
    page = md(markdown_text or "")
    page = re.sub(r'<(span|div) class="arithmatex">.*?</\1>', "\n", page, flags=re.S)
    pieces = re.split(r"<[^>]+>|\n|\|", html.unescape(page))
    return [p for p in (re.sub(r"\s+", "", x) for x in pieces) if len(p) >= 2]


def _visible(page: str) -> str:
    body = page[page.index("<body"):]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", "", html.unescape(re.sub(r"<[^>]+>", " ", body)))


@pytest.fixture(scope="module")
def rendered():
    spec = make_spec(2 * len(FAMILIES), 11)
    sheet = generate_sheet(SheetPlan(spec, Student("s07", "山田 太郎")))
    return sheet, render_sheet(sheet, katex_renderer())


def _question_side(q) -> str:
    """Everything the question itself shows (a solution may quote it)."""
    parts = [q.stem, q.code or "", q.rounding, *(c.text for c in q.choices), *(f.caption for f in q.figures)]
    return re.sub(r"\s+", "", html.unescape(" ".join(parts)))


def test_question_html_has_every_stem_and_no_answer(rendered):
    sheet, r = rendered
    qtext = _visible(r.questions_html)
    assert f"{sheet.spec.seed}" in qtext and "s07" in qtext and "山田太郎" in qtext
    assert "arithmatex\">\\(" not in r.questions_html  # every formula went through KaTeX
    for q in sheet.questions:
        assert q.id in qtext
        for piece in _plain(q.stem):
            assert piece in qtext, (q.id, piece)
        side = _question_side(q)
        for step in q.solution:  # no worked solution
            for piece in _plain(step.text):
                if len(piece) >= 8 and piece not in side:
                    assert piece not in qtext, (q.id, piece)
        for c in q.choices:  # no feedback
            for piece in _plain(c.feedback):
                if len(piece) >= 8 and piece not in side:
                    assert piece not in qtext, (q.id, piece)
        if q.kind == "numeric":  # the key's digits appear nowhere the question did not put them
            if q.answer.text not in side:
                assert q.answer.text not in qtext, q.id
    assert "解説" not in qtext and "正解A" not in qtext


def test_key_html_has_every_answer_and_solution(rendered):
    sheet, r = rendered
    atext = _visible(r.answers_html)
    for n, q in enumerate(sheet.questions, start=1):
        key = answer_plain(q)
        assert re.search(rf"{n}\.?{re.escape(key)}", atext), (n, key)
        for step in q.solution:
            for piece in _plain(step.text)[:2]:
                assert piece in atext, (q.id, piece)
        wrong = [c for c in q.choices if not c.correct and c.feedback]
        for c in wrong:
            assert _plain(c.feedback)[0] in atext, (q.id, c.mistake)


def test_cli_help_lists_drill_and_bench():
    with pytest.raises(SystemExit):
        main(["--help"])


# -- bad input: one clear line, exit 2, nothing written ---------------------------------------------
def _run_cli(args: list[str], capsys) -> tuple[int, str]:
    rc = main(args)
    err = capsys.readouterr().err.strip()
    return rc, err


@pytest.mark.parametrize("content, message", [
    (b"id,who\ns01,a\n", "missing column 'name'"),
    (b"id,name\ns01,a\ns01,b\n", "duplicate id 's01'"),
    (b"", "is empty"),
    ("id,name\ns01,山田\n".encode("cp932"), "is not UTF-8"),
])
def test_bad_roster_writes_nothing(tmp_path, capsys, content, message):
    roster = tmp_path / "roster.csv"
    roster.write_bytes(content)
    out = tmp_path / "out"
    rc, err = _run_cli(["drill", "--count", "2", "--seed", "1", "--roster", str(roster), "--out", str(out)], capsys)
    assert rc == 2 and message in err and len(err.splitlines()) == 1, err
    assert not out.exists()


def test_count_zero_writes_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    rc, err = _run_cli(["drill", "--count", "0", "--out", str(out)], capsys)
    assert rc == 2 and "--count must be at least 1" in err and len(err.splitlines()) == 1
    assert not out.exists()


def test_unwritable_output_writes_nothing(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    out = blocker / "drills" / "today"
    rc, err = _run_cli(["drill", "--count", "1", "--seed", "1", "--html-only", "--out", str(out)], capsys)
    assert rc == 2 and "cannot write to the output folder" in err and len(err.splitlines()) == 1, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_read_only_output_writes_nothing(tmp_path, capsys):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        rc, err = _run_cli(["drill", "--count", "1", "--html-only", "--out", str(ro / "x")], capsys)
        assert rc == 2 and "cannot write to the output folder" in err
        assert list(ro.iterdir()) == []
    finally:
        ro.chmod(0o700)


def test_html_only_single_sheet(tmp_path, capsys):
    out = tmp_path / "out"
    rc = main(["drill", "--count", "3", "--seed", "9", "--html-only", "--quiet", "--out", str(out)])
    assert rc == 0
    names = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and "assets" not in p.parts)
    assert names == ["answers.csv", "drill-9-answers.html", "drill-9-questions.html", "drill.json"]
    assert (out / "assets" / "katex" / "katex.min.css").exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # the staging folder is gone
    csv_text = (out / "answers.csv").read_bytes()
    assert csv_text.startswith(b"\xef\xbb\xbfstudent_id,name,question,answer")  # BOM: Excel reads UTF-8


def test_site_sheet_is_standalone_printable_html():
    from quizgen.drill import site_sheet
    from quizgen.drill.site import SITE_KATEX_CSS

    page = site_sheet(1, count=3)
    assert page.startswith("<!DOCTYPE html>") and SITE_KATEX_CSS in page
    assert "window.print()" in page and "drill-1-answers.html" in page and "@page" in page
    assert page == site_sheet(1, count=3)  # reproducible
    key = site_sheet(1, "answers", count=3)
    assert "drill-1.html" in key


def test_staging_removed_when_a_run_fails(tmp_path, monkeypatch):
    from quizgen.drill import builder as B

    def boom(*a, **k):
        raise ValueError("engine failed")

    monkeypatch.setattr(B, "prepare_sheet", boom)
    out = tmp_path / "out"
    with pytest.raises(ValueError, match="engine failed"):
        B.build(make_spec(1, 1), out, pdf=False, html=True)
    assert not out.exists()
    existing = tmp_path / "existing"
    existing.mkdir()
    (existing / "keep.txt").write_text("x")
    with pytest.raises(ValueError):
        B.build(make_spec(1, 1), existing, pdf=False, html=True)
    assert [p.name for p in existing.iterdir()] == ["keep.txt"]


def test_rebuild_command_is_printed_one_option_per_unbreakable_group(rendered):
    sheet, r = rendered
    cmd = sheet.spec.command(sheet.student)
    assert "--student s07" in cmd and f"--seed {sheet.spec.seed}" in cmd and "--name '山田 太郎'" in cmd
    for page in (r.questions_html, r.answers_html):
        code = re.search(r'<code class="command">(.*?)</code>', page, re.S).group(1)
        groups = [html.unescape(g) for g in re.findall(r'<span class="arg">(.*?)</span>', code)]
        assert " ".join(groups) == cmd  # the whole command, word for word
        # every option with its (first) value in one group (the CSS keeps a group on one line); a list option's
        # further values are groups of their own, so a long --families list may wrap between two families
        fams = sheet.spec.families
        first = groups.index(f"--families {fams[0]}")
        assert groups[first + 1:first + len(fams)] == list(fams[1:])
        assert all(g.startswith("--") or g == "quizgen drill" or g in fams for g in groups)
        assert "--lang ja" in groups and "--name '山田 太郎'" in groups
    assert ".command .arg { white-space: nowrap; }" in r.questions_html


def test_paths_exist():
    assert Path(quizgen.__file__).parent.joinpath("drill", "templates", "drill.css").exists()


def test_bench_drill_small_prints_its_figures_and_the_machine_reference(capsys):
    assert main(["bench-drill", "--students", "2", "--count", "2", "--html-only", "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert "bench-drill: 2 students × 2 questions, HTML only" in out
    ref = re.search(r"machine reference: a pure-Python loop of 10⁷ additions takes (\d+\.\d\d) s", out)
    assert ref and float(ref.group(1)) > 0, out
    assert re.search(r"written: [1-9]\d* files", out), out


# -- issue 14/15: output folder, caps, spreadsheet-safe CSV ------------------------------------------------------
def test_empty_out_is_one_line_naming_what_was_typed(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rc, err = _run_cli(["drill", "--count", "1", "--out", ""], capsys)
    assert rc == 2 and "--out '' is empty" in err and len(err.splitlines()) == 1, err
    assert list(tmp_path.iterdir()) == []  # nothing written into the current folder
    assert ".quizgen" not in err and "tmp" not in err  # no internal temp names


def test_rerun_into_the_same_out_replaces_the_earlier_run(tmp_path, capsys):
    roster = tmp_path / "a.csv"
    roster.write_text("id,name\na1,A\na2,B\n", encoding="utf-8")
    out = tmp_path / "out"
    (tmp_path / "out").mkdir()
    (out / "notes.txt").write_text("mine")
    assert main(["drill", "--count", "1", "--seed", "1", "--roster", str(roster), "--quiet", "--out", str(out)]) == 0
    assert (out / "sheets" / "a2-questions.pdf").exists()
    roster.write_text("id,name\nb1,C\n", encoding="utf-8")
    assert main(["drill", "--count", "1", "--seed", "2", "--roster", str(roster), "--out", str(out)]) == 0
    assert "replaced" in capsys.readouterr().out
    names = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert names == ["answers.csv", "class-answers.pdf", "class-questions.pdf", "drill.json", "notes.txt",
                     "sheets/b1-answers.pdf", "sheets/b1-questions.pdf"]  # a1, a2 gone; the user's file kept
    # one sheet into the class's folder: the class's files go too (answers.csv lists only the new sheet)
    assert main(["drill", "--count", "1", "--seed", "3", "--quiet", "--out", str(out)]) == 0
    names = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert names == ["answers.csv", "drill-3-answers.pdf", "drill-3-questions.pdf", "drill.json", "notes.txt"]


def test_drill_files_without_a_manifest_are_not_overwritten(tmp_path, capsys):
    out = tmp_path / "out"
    (out / "sheets").mkdir(parents=True)
    (out / "sheets" / "s01-questions.pdf").write_bytes(b"%PDF someone's")
    rc, err = _run_cli(["drill", "--count", "1", "--out", str(out)], capsys)
    assert rc == 2 and "already holds drill sheets" in err and len(err.splitlines()) == 1, err
    assert sorted(p.name for p in out.rglob("*")) == ["s01-questions.pdf", "sheets"]


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://x\")", "+1+2", "-1+2", "@SUM(A1)", "\tx", "\rx"])
def test_answer_table_cells_are_never_run_as_formulas(value):
    from quizgen.drill.builder import csv_cell

    assert csv_cell(value) == "'" + value  # shown as text by Excel and LibreOffice
    assert csv_cell("-0.050") == "-0.050" and csv_cell("+1e-07") == "+1e-07"  # numbers stay numbers
    assert csv_cell("山田") == "山田" and csv_cell(3) == 3


def test_names_in_the_answer_table_are_neutralised(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text('id,name\n=1+1,=cmd|" /C calc"!A0\n', encoding="utf-8")
    out = tmp_path / "out"
    assert main(["drill", "--count", "1", "--seed", "1", "--roster", str(roster), "--quiet", "--out", str(out)]) == 0
    import csv

    with open(out / "answers.csv", encoding="utf-8-sig", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert row["student_id"] == "'=1+1" and row["name"] == "'=cmd|\" /C calc\"!A0"


@pytest.mark.parametrize("make, message", [
    (lambda: "id,name\n" + "".join(f"s{i},n\n" for i in range(501)), "more than 500 students (line 502)"),
    (lambda: "id,name\ns1," + "長" * 61 + "\n", "line 2: name '" + "長" * 20 + "'… is longer than 60"),
    (lambda: "id,name\ns1,a\x07b\n", "contains control characters"),
])
def test_roster_caps_are_one_clear_line(tmp_path, capsys, make, message):
    roster = tmp_path / "r.csv"
    roster.write_text(make(), encoding="utf-8")
    rc, err = _run_cli(["drill", "--count", "1", "--roster", str(roster), "--out", str(tmp_path / "o")], capsys)
    assert rc == 2 and message in err and len(err.splitlines()) == 1, err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("args, message", [
    (["--student", "s1", "--name", "x" * 61], "--name 'xxxxxxxxxxxxxxxxxxxx'… is longer than 60 characters"),
    (["--count", "201"], "--count must be at most 200, got 201"),
    (["--jobs", "0"], "--jobs must be between 1 and"),
    (["--jobs", str((os.cpu_count() or 1) + 1)], "--jobs must be between 1 and"),
])
def test_caps_on_what_the_user_types(tmp_path, capsys, args, message):
    rc, err = _run_cli(["drill", "--count", "1", *args, "--out", str(tmp_path / "o")], capsys)
    assert rc == 2 and message in err and len(err.splitlines()) == 1, err
    assert not (tmp_path / "o").exists()


def test_too_many_questions_in_one_run(tmp_path):
    from quizgen.drill.builder import MAX_QUESTIONS, build

    students = [Student(f"s{i}") for i in range(MAX_QUESTIONS // 200 + 1)]
    with pytest.raises(ValueError, match=r"at most 20,000 per run"):
        build(make_spec(200, 1), tmp_path / "o", students)
    assert not (tmp_path / "o").exists()


def test_no_sheets_writes_only_the_class_pdfs(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("id,name\na1,A\na2,B\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["drill", "--count", "2", "--seed", "1", "--roster", str(roster), "--no-sheets", "--quiet",
                 "--out", str(out)]) == 0
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == [
        "answers.csv", "class-answers.pdf", "class-questions.pdf", "drill.json"]
