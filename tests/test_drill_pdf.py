"""Drill PDFs (printed by Typst) opened as a person and a marking script would: pdftotext for the words,
pdfinfo/pdffonts for the file, pdftoppm for page images (written to artifacts/drills/, git-ignored, for people
to look at), and real runs stopped by real signals.

One class (3 students, one question of every family each) is built once through the CLI; the tests read
it. The questions are recomputed here with the engine, not read back from the drill's own output."""

from __future__ import annotations

import csv
import os
import re
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
from quizgen.drill.render import answer_plain, md
from quizgen.drill.typst_pdf import page_count

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


_DOUBLED_CLUSTER = re.compile(r"(\w[\u0300-\u036f]+)\1")


def squash(text: str) -> str:
    """Whitespace removed; a letter with a combining mark that has no precomposed form (m̂, v̂) is printed
    right but extracted twice from Typst's PDFs (m̂m̂): counted once."""
    return _DOUBLED_CLUSTER.sub(r"\1", re.sub(r"\s+", "", text))


def plain(markdown_text: str) -> list[str]:
    import html

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
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    expected = ["answers.csv", "class-answers.pdf", "class-questions.pdf", "drill.json"] + sorted(
        f"sheets/{sid}-{kind}.pdf" for sid, _ in STUDENTS for kind in ("answers", "questions"))
    assert files == expected
    assert not [p for p in out.rglob(".*")]  # no staging folder, no Typst sources left
    import json

    manifest = json.loads((out / "drill.json").read_text(encoding="utf-8"))
    assert manifest["files"] == files  # a re-run knows exactly what to replace


def test_questions_pdf_has_stems_and_seeds_and_no_answers(klass):
    import html

    for sid, name in STUDENTS:
        pdf = klass["out"] / "sheets" / f"{sid}-questions.pdf"
        text = squash(pdftext(pdf))
        # an exponent or a matrix row set high or low is extracted as a line of its own inside the sentence
        prose = squash("\n".join(line for line in pdftext(pdf).splitlines()
                                 if not re.fullmatch(r"\s*[0-9A-Za-z.−+-]{1,4}\s*", line)))
        # a code line wrapped after " -" loses its minus in pdftotext's default mode (it joins hyphenated words)
        layout = squash(subprocess.run(["pdftotext", "-enc", "UTF-8", "-layout", str(pdf), "-"], check=True,
                                       capture_output=True, text=True).stdout)
        assert f"シード{SEED}" in text and squash(name) in text and sid in text
        assert f"--student{sid}" in text  # the rebuild command
        for n, q in enumerate(klass["questions"][sid], start=1):
            assert q.id in text, q.id  # each question's own seed (family-seed)
            assert f"問{n}" in text
            for piece in plain(q.stem):
                assert piece in text or piece in prose, (sid, q.id, piece)
            for c in q.choices if q.kind == "choice" else []:
                for piece in plain(c.text):
                    assert piece in text or piece in layout, (sid, q.id, piece)
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


def test_class_pdfs_start_every_student_on_a_new_sheet_of_paper(klass):
    """One Typst document per class PDF: every student's part starts on an odd page (a blank page, marked as
    such, after an odd page count), and its pages are numbered from 1 of its own count."""
    out = klass["out"]
    for kind in ("questions", "answers"):
        counts = [page_count((out / "sheets" / f"{sid}-{kind}.pdf").read_bytes()) for sid, _ in STUDENTS]
        merged = out / f"class-{kind}.pdf"
        n = page_count(merged.read_bytes())
        assert n == sum(c + c % 2 for c in counts[:-1]) + counts[-1]
        pages = [squash(pdftext(merged, i)) for i in range(1, n + 1)]
        start = 1
        for (sid, name), c in zip(STUDENTS, counts):
            assert start % 2 == 1 and squash(name) in pages[start - 1], (kind, sid, start)
            assert pages[start - 1].endswith(f"1/{c}") or f"1/{c}" in pages[start - 1], (kind, sid)
            if c % 2 and start + c <= n:
                assert pages[start + c - 1] == "（このページは白紙です）", (kind, sid)
            start += c + c % 2


def test_rebuild_gives_identical_bytes(klass):
    again = klass["base"] / "again"
    assert main(drill_args(again, klass["roster"])) == 0
    first = klass["out"]
    names = sorted(str(p.relative_to(first)) for p in first.rglob("*") if p.is_file())
    assert names == sorted(str(p.relative_to(again)) for p in again.rglob("*") if p.is_file())
    for name in names:
        assert (first / name).read_bytes() == (again / name).read_bytes(), name


def test_a_lost_sheet_is_rebuilt_from_its_printed_command(klass):
    """The command printed on the sheet, read back from the PDF as a person would copy it: it breaks only
    between options, so joining the lines with spaces gives the command."""
    sheet = klass["out"] / "sheets" / "s02-questions.pdf"
    text = " ".join(pdftext(sheet).split())
    m = re.search(r"quizgen drill (.*?) --out DIR", text)
    argv = m.group(1).replace("'", "").split(" --")
    assert "--lang ja" in m.group(0) and "-lang" not in m.group(0).replace("--lang", "")
    args = []
    for item in argv:  # '--name 佐藤 花子' keeps its space
        key, _, value = item.removeprefix("--").partition(" ")
        args += [f"--{key}", value] if value else [f"--{key}"]
    lost = klass["base"] / "lost"
    assert main(["drill", *args, "--quiet", "--out", str(lost)]) == 0
    for kind in ("questions", "answers"):
        assert (lost / f"s02-{kind}.pdf").read_bytes() == (klass["out"] / "sheets" / f"s02-{kind}.pdf").read_bytes()


def test_pdf_file_names_typst_has_no_date_and_embeds_subset_fonts(klass):
    for name in ("sheets/s01-questions.pdf", "class-answers.pdf"):
        path = klass["out"] / name
        data = path.read_bytes()
        assert b"/CreationDate" not in data and b"/ModDate" not in data
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        assert re.search(r"^Creator:\s+Typst \d", info, re.M) and "A4" in info, info
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        rows = [line.split() for line in fonts.splitlines()[2:]]
        assert any("NotoSansCJKjp" in r[0] for r in rows) and any("NewCMMath" in r[0] for r in rows)
        for r in rows:  # name type… emb sub uni
            assert r[-5:-2] == ["yes", "yes", "yes"], r  # embedded, subset, with a Unicode map (text extractable)


def test_page_images_exist_for_people(klass):
    images = sorted(ARTIFACTS.glob("s01-*.png"))
    assert any("questions" in p.name for p in images) and any("answers" in p.name for p in images)


def test_english_sheet(tmp_path):
    out = tmp_path / "en"
    assert main(["drill", "--count", str(COUNT), "--seed", "5", "--lang", "en", "--quiet", "--out", str(out)]) == 0
    q, a = squash(pdftext(out / "drill-5-questions.pdf")), squash(pdftext(out / "drill-5-answers.pdf"))
    assert "Questions" in q and "Seed5" in q and "--langen" in q and "問" not in q
    assert "Answersataglance" in a and "Solution" in a
    spec = make_spec(COUNT, 5, lang="en")
    for n in range(1, COUNT + 1):
        assert f"{n}.{answer_plain(generate_question(spec, 'sheet', n))}" in a


# -- runs stopped by signals: nothing under a final name, no process left behind ----------------------------
def _start(out: Path, roster: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "quizgen", *drill_args(out, roster)[:-3], "--count", "12",
                             "--quiet", "--out", str(out)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=_as_from_a_terminal)


def _as_from_a_terminal() -> None:
    """Ctrl-C at its default, as a shell starts a command in the foreground: a suite started in the background
    (``cmd &`` in a script) inherits SIGINT ignored, and Python then never raises KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_for_printing(proc: subprocess.Popen, out: Path) -> list[int]:
    """Wait until the run has printed a PDF; return its worker processes."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if list(out.glob(".quizgen-drill-*/sheets/*.pdf")):
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be stopped"
    return _children(proc.pid)


def _children(pid: int) -> list[int]:
    kids = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        kids += [int(c) for c in (task / "children").read_text().split()]
    return kids


def _gone(pids: list[int], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = [p for p in pids if Path(f"/proc/{p}").exists() and "Z" not in _state(p)]
        if not alive:
            return True
        time.sleep(0.05)
    return False


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


def _finals(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if not any(x.startswith(".") for x in p.relative_to(out).parts)]


@pytest.mark.parametrize("sig, status, word", [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGINT, 130, "interrupted")])
def test_a_stopped_run_cleans_up_and_says_so_in_one_line(klass, tmp_path, sig, status, word):
    """SIGTERM (kill, CI time-outs) to the main process, or Ctrl-C (SIGINT to the whole process group, as a
    terminal sends it): the staging folder is removed, the workers end, one line, no traceback."""
    out = tmp_path / "stopped"
    proc = _start(out, klass["roster"])
    try:
        workers = _wait_for_printing(proc, out)
        if sig == signal.SIGINT:
            os.killpg(proc.pid, sig)
        else:
            os.kill(proc.pid, sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == status, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and word in lines[0] and "nothing was written" in lines[0], err
    assert "Traceback" not in err and "Future exception" not in err
    assert not out.exists() or list(out.iterdir()) == []
    assert workers and _gone(workers)


def test_workers_die_with_a_killed_parent(klass, tmp_path):
    """SIGKILL cannot be handled: the staging folder stays (hidden, never under a final name), but the worker
    processes end with their parent (the kernel's parent-death signal)."""
    out = tmp_path / "killed"
    proc = _start(out, klass["roster"])
    try:
        workers = _wait_for_printing(proc, out)
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
        assert workers and _gone(workers)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert _finals(out) == []


def test_a_failed_print_writes_nothing(tmp_path, monkeypatch, klass):
    from quizgen.drill import typst_pdf as T

    real = T.compile_pdf

    def flaky(root, main_file, out):
        if "s02-answers" in str(main_file):
            raise T.PrintError("printer on fire")
        real(root, main_file, out)

    monkeypatch.setattr(T, "compile_pdf", flaky)
    out = tmp_path / "failed"
    assert main([*drill_args(out, klass["roster"]), "--jobs", "1"]) == 2  # in this process: the patch applies
    assert not out.exists()
