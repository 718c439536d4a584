"""Drill PDFs opened as a person (and a marking script) would: pdftotext for the words, pdftoppm for
page images (written to artifacts/drills/, git-ignored, for people to look at).

One class (3 students, one question of every family each) is built once through the CLI; the tests read
it. The questions are recomputed here with the engine, not read back from the drill's own output."""

from __future__ import annotations

import csv
import html
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from quizgen.cli import main
from quizgen.drill import make_spec
from quizgen.drill.engine import family_names
from quizgen.drill.model import generate_question
from quizgen.drill.pdf import page_count
from quizgen.drill.render import answer_plain, md

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts" / "drills"
SEED = 2024
STUDENTS = [("s01", "山田 太郎"), ("s02", "佐藤 花子"), ("2024-17", "Jane Doe")]
COUNT = len(family_names())


def pdftext(path: Path, first: int | None = None, last: int | None = None, *, raw: bool = False) -> str:
    args = ["pdftotext", "-enc", "UTF-8", *(["-raw"] if raw else [])]
    if first:
        args += ["-f", str(first), "-l", str(last or first)]
    return subprocess.run([*args, str(path), "-"], check=True, capture_output=True, text=True).stdout


_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
JITTER_PT = 1.0


def words(path: Path) -> list[tuple]:
    """Every word of a PDF with its box: (page, text, xMin, yMin, xMax, yMax), sorted."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-bbox", str(path), "-"], check=True, capture_output=True,
                         text=True).stdout
    page, found = 0, []
    for line in out.splitlines():
        if "<page " in line:
            page += 1
        m = _WORD.search(line)
        if m:
            found.append((page, html.unescape(m.group(5)), *map(float, m.group(1, 2, 3, 4))))
    return sorted(found)


def assert_same_pdf(a: Path, b: Path, name: str) -> None:
    """Two prints of the same HTML: identical bytes, as they are in normal runs. Under heavy CPU load Chromium
    was seen (once in five test runs) to set a KaTeX superscript's base 0.4 pt lower; so a PDF that differs
    must still have the same text in the same drawing order, the same words on the same pages, and every word
    within JITTER_PT of where the other print has it. Any real difference (a number, a line, a page) fails."""
    if a.read_bytes() == b.read_bytes():
        return
    assert pdftext(a, raw=True) == pdftext(b, raw=True), name
    wa, wb = words(a), words(b)
    assert [w[:2] for w in wa] == [w[:2] for w in wb], name
    worst = max((abs(p - q) for x, y in zip(wa, wb) for p, q in zip(x[2:], y[2:])), default=0.0)
    assert worst <= JITTER_PT, f"{name}: a word moved by {worst:.2f} pt between two prints of the same HTML"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def plain(markdown_text: str) -> list[str]:
    page = md(markdown_text or "")
    page = re.sub(r'<(span|div) class="arithmatex">.*?</\1>', "\n", page, flags=re.S)
    pieces = re.split(r"<[^>]+>|\n|\|", html.unescape(page))
    return [p for p in (squash(x) for x in pieces) if len(p) >= 2]


def drill_args(out: Path, roster: Path) -> list[str]:
    return ["drill", "--count", str(COUNT), "--seed", str(SEED), "--roster", str(roster), "--title",
            "E資格 最適化ドリル（テスト）", "--quiet", "--out", str(out)]


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    base = tmp_path_factory.mktemp("drill")
    roster = base / "roster.csv"
    roster.write_bytes(("\ufeffid,name\r\n" + "".join(f"{i},{n}\r\n" for i, n in STUDENTS)).encode())
    out = base / "class"
    assert main(drill_args(out, roster)) == 0
    spec = make_spec(COUNT, SEED, title="E資格 最適化ドリル（テスト）")
    questions = {sid: [generate_question(spec, sid, n) for n in range(1, COUNT + 1)] for sid, _ in STUDENTS}
    # page images for people to look at
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    for kind in ("questions", "answers"):
        subprocess.run(["pdftoppm", "-r", "80", "-png", str(out / "sheets" / f"s01-{kind}.pdf"),
                        str(ARTIFACTS / f"s01-{kind}")], check=True)
    return {"out": out, "roster": roster, "base": base, "questions": questions, "spec": spec}


def test_layout_of_a_class_run(klass):
    out = klass["out"]
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and "assets" not in p.parts)
    expected = ["answers.csv", "class-answers.pdf", "class-questions.pdf", "drill.json"] + sorted(
        f"sheets/{sid}-{kind}.{ext}" for sid, _ in STUDENTS for kind in ("answers", "questions")
        for ext in ("html", "pdf"))
    assert files == expected
    assert not [p for p in out.rglob(".*")]  # no staging folder, no blank-page helper left
    assert (out / "sheets" / "assets" / "katex" / "katex.min.css").exists()


def test_questions_pdf_has_stems_and_seeds_and_no_answers(klass):
    for sid, name in STUDENTS:
        pdf = klass["out"] / "sheets" / f"{sid}-questions.pdf"
        text = squash(pdftext(pdf))
        assert f"シード{SEED}" in text and squash(name) in text and sid in text
        assert f"--student{sid}" in text  # the rebuild command
        for n, q in enumerate(klass["questions"][sid], start=1):
            assert q.id in text, q.id  # each question's own seed (family-seed)
            assert f"問{n}" in text
            for piece in plain(q.stem):
                assert piece in text, (sid, q.id, piece)
            for c in q.choices if q.kind == "choice" else []:
                for piece in plain(c.text):
                    assert piece in text, (sid, q.id, piece)
            side = squash(html.unescape(" ".join([q.stem, q.code or "", q.rounding, *(c.text for c in q.choices)])))
            if q.kind == "numeric" and q.answer.text not in side:
                assert q.answer.text not in text, (sid, q.id)
            for c in q.choices:
                for piece in plain(c.feedback):
                    if len(piece) >= 8 and piece not in side:
                        assert piece not in text, (sid, q.id, piece)
            for step in q.solution:
                for piece in plain(step.text):
                    if len(piece) >= 8 and piece not in side:
                        assert piece not in text, (sid, q.id, piece)
        assert "解答・解説" not in text and "解説" not in text


def test_no_question_is_split_across_pages(klass):
    pdf = klass["out"] / "sheets" / "s01-questions.pdf"
    pages = [squash(pdftext(pdf, i)) for i in range(1, page_count(pdf.read_bytes()) + 1)]
    for n, q in enumerate(klass["questions"]["s01"], start=1):
        head = [i for i, t in enumerate(pages) if q.id in t]
        box = [i for i, t in enumerate(pages) if f"問{n}解答" in t or f"問{n}記号" in t]
        assert head and head == box, (n, head, box)


def test_key_pdf_has_every_answer_and_solution(klass):
    for sid, _ in STUDENTS:
        text = squash(pdftext(klass["out"] / "sheets" / f"{sid}-answers.pdf"))
        assert f"シード{SEED}" in text and "解答・解説" in text
        for n, q in enumerate(klass["questions"][sid], start=1):
            assert f"{n}.{answer_plain(q)}" in text, (sid, n, answer_plain(q))  # the summary table
            if q.kind == "choice":
                for piece in plain(q.choices[q.answer.index].text):
                    assert piece in text, (sid, q.id, piece)
            for step in q.solution:
                for piece in plain(step.text)[:2]:
                    assert piece in text, (sid, q.id, piece)


def test_answer_table_for_marking(klass):
    with open(klass["out"] / "answers.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(STUDENTS) * COUNT
    for row in rows:
        q = klass["questions"][row["student_id"]][int(row["question"]) - 1]
        assert row["answer"] == answer_plain(q) and row["question_id"] == q.id
    assert {r["name"] for r in rows} == {n for _, n in STUDENTS}


def test_class_pdfs_hold_every_sheet_padded_for_duplex(klass):
    out = klass["out"]
    for kind in ("questions", "answers"):
        counts = [page_count((out / "sheets" / f"{sid}-{kind}.pdf").read_bytes()) for sid, _ in STUDENTS]
        merged = out / f"class-{kind}.pdf"
        assert page_count(merged.read_bytes()) == sum(c + c % 2 for c in counts)
        text = squash(pdftext(merged))
        assert all(squash(name) in text for _, name in STUDENTS)


def test_rebuild_gives_identical_text_and_bytes(klass):
    again = klass["base"] / "again"
    assert main(drill_args(again, klass["roster"])) == 0
    first = klass["out"]
    names = sorted(str(p.relative_to(first)) for p in first.rglob("*") if p.is_file())
    assert names == sorted(str(p.relative_to(again)) for p in again.rglob("*") if p.is_file())
    for name in names:
        if name.endswith(".pdf"):
            # same Chromium build, print date fixed, pdfunite's /ID made from the content: identical bytes
            # (see assert_same_pdf for the one tolerance)
            assert_same_pdf(first / name, again / name, name)
        else:  # HTML, CSV, manifest: identical bytes
            assert (first / name).read_bytes() == (again / name).read_bytes(), name


def test_skipping_the_screen_layout_does_not_change_the_pdf(klass, tmp_path, monkeypatch):
    """The printer hides sheets on screen (no screen layout before the print layout): the PDF must be the one a
    normally displayed page prints."""
    from quizgen.drill import pdf as P

    html_path = klass["out"] / "sheets" / "s01-answers.html"
    shutil.copytree(klass["out"] / "sheets" / "assets", tmp_path / "assets")
    shutil.copyfile(html_path, tmp_path / html_path.name)
    monkeypatch.setattr(P, "NO_SCREEN_LAYOUT", "void 0;")
    P.print_pdfs([P.PrintJob(tmp_path / html_path.name, tmp_path / "shown.pdf")])
    assert_same_pdf(tmp_path / "shown.pdf", html_path.with_suffix(".pdf"), html_path.name)


def test_a_lost_sheet_is_rebuilt_from_its_printed_command(klass):
    sheet = klass["out"] / "sheets" / "s02-questions.pdf"
    # the command as the sheet prints it: read from the HTML the PDF is printed from (a long --families list wraps
    # in the PDF at any character, and pdftotext cannot tell a wrap from a space), and checked to be on the PDF
    page = (klass["out"] / "sheets" / "s02-questions.html").read_text(encoding="utf-8")
    printed = html.unescape(re.search(r'<code class="command">(.*?)</code>', page, re.S).group(1))
    assert "".join(printed.split()) in "".join(pdftext(sheet, raw=True).split())
    m = re.search(r"quizgen drill (.*?) --out DIR", printed)
    argv = m.group(1).replace("'", "").split(" --")
    args = []
    for item in argv:  # '--name 佐藤 花子' keeps its space
        key, _, value = item.removeprefix("--").partition(" ")
        args += [f"--{key}", value] if value else [f"--{key}"]
    lost = klass["base"] / "lost"
    assert main(["drill", *args, "--quiet", "--out", str(lost)]) == 0
    for kind in ("questions", "answers"):
        assert (lost / f"s02-{kind}.html").read_bytes() == (klass["out"] / "sheets" / f"s02-{kind}.html").read_bytes()
        assert_same_pdf(lost / f"s02-{kind}.pdf", klass["out"] / "sheets" / f"s02-{kind}.pdf", kind)


def test_pdf_metadata_is_fixed(klass):
    data = (klass["out"] / "sheets" / "s01-questions.pdf").read_bytes()
    assert b"/CreationDate (D:20000101000000+00'00')" in data
    info = subprocess.run(["pdfinfo", str(klass["out"] / "sheets" / "s01-questions.pdf")], capture_output=True,
                          text=True, check=True).stdout
    assert "A4" in info


def test_page_images_exist_for_people(klass):
    images = sorted(ARTIFACTS.glob("s01-*.png"))
    assert any("questions" in p.name for p in images) and any("answers" in p.name for p in images)


def test_a_killed_run_leaves_no_pdf_under_a_final_name(klass, tmp_path):
    out = tmp_path / "killed"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "quizgen", *drill_args(out, klass["roster"])], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if list(out.glob(".quizgen-drill-*/sheets/*.pdf")):  # printing has started
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the run ended before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    finals = [p for p in out.rglob("*") if p.is_file() and not any(x.startswith(".") for x in p.relative_to(out).parts)]
    assert finals == []
    shutil.rmtree(out, ignore_errors=True)


def test_a_failed_print_writes_nothing(tmp_path, monkeypatch, klass):
    from quizgen.drill import pdf as P

    real = P.print_one
    calls = {"n": 0}

    async def flaky(page, job):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("printer on fire")
        await real(page, job)

    monkeypatch.setattr(P, "print_one", flaky)
    out = tmp_path / "failed"
    assert main(drill_args(out, klass["roster"])) == 2
    assert not out.exists()
