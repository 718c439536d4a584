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

    monkeypatch.setattr(B, "make_sheet", boom)
    out = tmp_path / "out"
    with pytest.raises(ValueError, match="engine failed"):
        B.build(make_spec(1, 1), out, pdf=False)
    assert not out.exists()
    existing = tmp_path / "existing"
    existing.mkdir()
    (existing / "keep.txt").write_text("x")
    with pytest.raises(ValueError):
        B.build(make_spec(1, 1), existing, pdf=False)
    assert [p.name for p in existing.iterdir()] == ["keep.txt"]


def test_rebuild_command_is_printed(rendered):
    sheet, r = rendered
    cmd = sheet.spec.command(sheet.student)
    assert "--student s07" in cmd and f"--seed {sheet.spec.seed}" in cmd
    shown = re.sub(r'</?span( class="opt")?>', "", r.questions_html)  # each --option is kept on one line by a span
    assert html.escape(cmd, quote=False).replace("'", "&#39;") in shown or cmd in html.unescape(shown)


def test_paths_exist():
    assert Path(quizgen.__file__).parent.joinpath("drill", "templates", "drill.css").exists()


def test_bench_drill_small_prints_its_figures_and_the_machine_reference(capsys):
    assert main(["bench-drill", "--students", "2", "--count", "2", "--html-only", "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert "bench-drill: 2 students × 2 questions, HTML only" in out
    ref = re.search(r"machine reference: a pure-Python loop of 10⁷ additions takes (\d+\.\d\d) s", out)
    assert ref and float(ref.group(1)) > 0, out
    assert re.search(r"written: [1-9]\d* files", out), out
