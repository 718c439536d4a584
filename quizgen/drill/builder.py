"""Build a drill run: questions generated over the machine's cores, HTML rendered, PDFs printed
by one headless Chromium, everything written to a staging folder and moved into place only when
the whole run has succeeded (a crashed run leaves no half-written file under a final name).

Layout of ``--out DIR``::

    one sheet (no roster)                 a class (--roster)
    drill-<seed>-questions.pdf / .html    class-questions.pdf     every student's questions, in roster order
    drill-<seed>-answers.pdf / .html      class-answers.pdf       every student's key
    answers.csv                           answers.csv             student, question, answer (for marking)
    drill.json                            drill.json              the spec, the rebuild command, question ids
    assets/katex/…                        sheets/<id>-questions.pdf / .html, sheets/<id>-answers.pdf / .html
                                          sheets/assets/katex/…

In the class PDFs each student's part is padded to an even page count (a blank page after an odd
one), so a duplex printer starts every student on a new sheet of paper (``pad=False`` turns it off).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .model import ANONYMOUS, DrillSpec, SheetPlan, generate_sheet
from .pdf import PrintJob, merge_pdfs, page_count
from .render import KATEX_CSS, render_sheet
from .roster import Student
from .text import text

PROJECT_ROOT = Path(__file__).resolve().parents[2]  # holds node_modules/katex (package-lock.json)


# -- the KaTeX renderer (the site's), one per process ------------------------------------------
_katex = None


def katex_renderer():
    """This process's KaTeX renderer (a long-lived node process), started on first use."""
    global _katex
    if _katex is None:
        from ..site.katex import KatexRenderer

        _katex = KatexRenderer(PROJECT_ROOT)
    return _katex


def check_katex() -> None:
    """Fail early (before anything is written) when node or KaTeX is missing."""
    from ..site.katex import KatexError, find_katex

    try:
        find_katex(PROJECT_ROOT)
    except KatexError as e:
        raise OSError(str(e)) from None
    if shutil.which("node") is None and shutil.which("nodejs") is None:
        raise OSError("node is not installed (needed to render math): run `make setup`")


# -- one sheet, in a worker process -------------------------------------------------------------
@dataclass
class SheetResult:
    stem: str
    student: Student
    questions_html: str
    answers_html: str
    answers: list[str]
    rows: list[dict[str, Any]]  # the CSV rows
    ids: list[str]  # question ids (family-seed…), in order
    seconds: float = 0.0


def make_sheet(plan: SheetPlan, katex_css: str = KATEX_CSS) -> SheetResult:
    from ..site.katex import KatexError

    t0 = time.perf_counter()
    sheet = generate_sheet(plan)
    try:
        rendered = render_sheet(sheet, katex_renderer(), katex_css=katex_css)
    except KatexError as e:  # a formula the engine wrote that KaTeX cannot parse: a bug, reported in one line
        first = str(e).splitlines()[0]
        raise ValueError(first if len(first) < 300 else first[:300] + " …") from None
    rows = []
    for n, (q, ans) in enumerate(zip(sheet.questions, rendered.answers), start=1):
        value = "" if q.kind == "choice" or q.answer.value is None else repr(float(q.answer.value))
        tol = "" if q.kind == "choice" or q.answer.tolerance is None else repr(float(q.answer.tolerance))
        rows.append({"student_id": "" if plan.anonymous else plan.student.id,
                     "name": plan.student.name, "question": n, "answer": ans, "value": value, "tolerance": tol,
                     "kind": q.kind, "family": q.family, "question_id": q.id})
    return SheetResult(plan.stem, plan.student, rendered.questions_html, rendered.answers_html, rendered.answers,
                       rows, [q.id for q in sheet.questions], time.perf_counter() - t0)


def _warm() -> int:
    """Run in each worker first: import the engine and start node, so the first sheet is not slow."""
    katex_renderer().render("x")
    from . import engine

    engine.family_names()
    return os.getpid()


# -- output folder ------------------------------------------------------------------------------
def prepare_out(out: Path) -> tuple[Path, list[Path]]:
    """Create ``out`` if needed and a staging folder inside it; one clear OSError if it cannot be written.

    Returns (staging folder, folders this call created) so a failed run can remove what it made."""
    out = Path(out)
    created: list[Path] = []
    missing = []
    p = out.absolute()
    while not p.exists():
        missing.append(p)
        p = p.parent
    try:
        if p.exists() and not p.is_dir():
            raise NotADirectoryError(f"{p} is a file, not a folder")
        for d in reversed(missing):
            d.mkdir()
            created.append(d)
        staging = Path(tempfile.mkdtemp(prefix=".quizgen-drill-", dir=out))
    except OSError as e:
        for d in reversed(created):
            shutil.rmtree(d, ignore_errors=True)
        reason = e.strerror or str(e)
        raise OSError(f"cannot write to the output folder {out}: {reason}") from None
    return staging, created


def _publish(staging: Path, out: Path) -> list[Path]:
    """Move every staged file to its final name (``os.replace``: atomic per file)."""
    moved = []
    for src in sorted(staging.rglob("*")):
        if src.is_dir():
            continue
        rel = src.relative_to(staging)
        dest = out / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dest)
        moved.append(dest)
    return moved


# -- the run ------------------------------------------------------------------------------------
@dataclass
class BuildResult:
    out: Path
    files: list[Path]
    sheets: int
    questions: int
    pdfs: int
    pages: int
    seconds: dict[str, float] = field(default_factory=dict)
    workers: int = 1


class _Progress:
    """A rich progress bar on stderr (two rows: sheets generated, PDFs printed); silent when off."""

    def __init__(self, enabled: bool, sheets: int, pdfs: int, lang: str):
        self.enabled = enabled
        self._p = None
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        ja = lang == "ja"
        self._p = Progress(TextColumn("{task.description:<14}"), BarColumn(), MofNCompleteColumn(),
                           TimeElapsedColumn(), console=Console(stderr=True), transient=False)
        self.gen = self._p.add_task("問題を生成" if ja else "questions", total=sheets)
        self.pdf = self._p.add_task("PDF を印刷" if ja else "PDFs", total=pdfs) if pdfs else None

    def __enter__(self):
        if self._p is not None:
            self._p.start()
        return self

    def __exit__(self, *exc):
        if self._p is not None:
            self._p.stop()

    def sheet_done(self) -> None:
        if self._p is not None:
            self._p.advance(self.gen)

    def pdf_done(self, *_: Any) -> None:
        if self._p is not None and self.pdf is not None:
            self._p.advance(self.pdf)


def build(spec: DrillSpec, out: Path | str, students: Sequence[Student] | None = None, *,
          jobs: int | None = None, concurrency: int | None = None, progress: bool = False,
          pad: bool = True, pdf: bool = True, class_run: bool | None = None) -> BuildResult:
    """Build every sheet of a run into ``out`` (see the module doc for the layout).

    ``students``: the roster (None: one anonymous sheet). ``class_run`` (default: a roster was given) adds the
    class PDFs and puts the sheets in ``sheets/``; ``--student`` builds one named sheet with ``class_run=False``.
    ``jobs``: worker processes for generation and HTML (default: the machine's cores).
    ``pdf=False`` writes the HTML only (the site's printable sheets use this path too).
    """
    from .pdf import chromium_path

    out = Path(out)
    klass = bool(students) if class_run is None else class_run
    if students is None or len(students) == 0:
        students = [Student(ANONYMOUS)]
    plans = [SheetPlan(spec, s, i) for i, s in enumerate(students)]
    check_katex()
    if pdf:
        chromium_path()
    t_start = time.perf_counter()
    staging, created = prepare_out(out)
    seconds: dict[str, float] = {}
    try:
        sheet_dir = staging / "sheets" if klass else staging
        sheet_dir.mkdir(exist_ok=True)
        from ..site.katex import copy_assets

        copy_assets(PROJECT_ROOT, sheet_dir / "assets" / "katex")
        extra = [_blank_job(sheet_dir, spec.lang)] if klass and pdf and pad else []
        n_pdf = (2 * len(plans) + (2 if klass else 0) + len(extra)) if pdf else 0
        workers = max(1, min(jobs or os.cpu_count() or 1, len(plans)))
        with _Progress(progress, len(plans), n_pdf, spec.lang) as bar:
            results = asyncio.run(_run(plans, sheet_dir, workers, concurrency, bar, pdf, seconds, extra))
            seconds["generate+print"] = time.perf_counter() - t_start
            pages = 0
            if pdf:
                pages = sum(page_count(p.read_bytes()) for p in sheet_dir.glob("[!.]*.pdf"))
            if klass and pdf:
                t = time.perf_counter()
                _class_pdfs(results, sheet_dir, staging, extra[0].pdf if extra else None)
                bar.pdf_done()
                bar.pdf_done()
                seconds["merge"] = time.perf_counter() - t
        _write_csv(staging / "answers.csv", results)
        _write_manifest(staging / "drill.json", spec, results, klass)
        files = _publish(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        for d in reversed(created):
            shutil.rmtree(d, ignore_errors=True)
        raise
    shutil.rmtree(staging, ignore_errors=True)
    seconds["total"] = time.perf_counter() - t_start
    n_files = (2 * len(plans) + (2 if klass else 0)) if pdf else 0
    return BuildResult(out, files, len(plans), len(plans) * spec.count, n_files, pages, seconds, workers)


async def _run(plans: list[SheetPlan], sheet_dir: Path, workers: int, concurrency: int | None, bar: _Progress,
               pdf: bool, seconds: dict[str, float], extra: list[PrintJob]) -> list[SheetResult]:
    """Generate sheets in a process pool and print each as soon as its HTML is written."""
    from .pdf import _print_worker, launch

    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[PrintJob | None] = asyncio.Queue()
    results: list[SheetResult | None] = [None] * len(plans)
    pool = None
    if workers > 1:
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
        warm = [loop.run_in_executor(pool, _warm) for _ in range(workers)]
    t0 = time.perf_counter()

    async def one(i: int, plan: SheetPlan) -> None:
        if pool is not None:
            res = await loop.run_in_executor(pool, make_sheet, plan)
        else:
            res = make_sheet(plan)
        results[i] = res
        qh = sheet_dir / f"{res.stem}-questions.html"
        ah = sheet_dir / f"{res.stem}-answers.html"
        qh.write_text(res.questions_html, encoding="utf-8")
        ah.write_text(res.answers_html, encoding="utf-8")
        res.questions_html = res.answers_html = ""  # written: free the memory
        bar.sheet_done()
        if pdf:
            await queue.put(PrintJob(qh, qh.with_suffix(".pdf")))
            await queue.put(PrintJob(ah, ah.with_suffix(".pdf")))

    async def generate_all() -> None:
        try:
            if pool is not None:
                await asyncio.gather(*warm)
                await asyncio.gather(*(one(i, p) for i, p in enumerate(plans)))
            else:
                for i, p in enumerate(plans):
                    await one(i, p)
        finally:
            seconds["generate"] = time.perf_counter() - t0

    try:
        if not pdf:
            await generate_all()
        else:
            from .pdf import default_concurrency

            n = concurrency or default_concurrency()
            for job in extra:
                queue.put_nowait(job)
            async with launch() as context:
                printers = [asyncio.ensure_future(_print_worker(context, queue, bar.pdf_done)) for _ in range(n)]
                try:
                    await generate_all()
                except BaseException:
                    for task in printers:
                        task.cancel()
                    await asyncio.gather(*printers, return_exceptions=True)
                    raise
                for _ in printers:
                    await queue.put(None)
                await asyncio.gather(*printers)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return [r for r in results if r is not None]


def _blank_job(sheet_dir: Path, lang: str) -> PrintJob:
    """The blank page that pads a student's odd page count in the class PDFs."""
    html_path = sheet_dir / ".blank.html"
    html_path.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><style>@page{size:A4;margin:0}"
        "body{margin:0;font:9pt 'Noto Sans CJK JP',sans-serif;color:#888;text-align:center;padding-top:140mm}"
        f"</style></head><body>{text(lang)['blank_page']}</body></html>", encoding="utf-8")
    return PrintJob(html_path, sheet_dir / ".blank.pdf")


def _class_pdfs(results: list[SheetResult], sheet_dir: Path, staging: Path, blank: Path | None) -> None:
    """class-questions.pdf and class-answers.pdf (two pdfunite processes at once)."""
    from concurrent.futures import ThreadPoolExecutor

    def parts(kind: str) -> list[Path]:
        out: list[Path] = []
        for r in results:
            p = sheet_dir / f"{r.stem}-{kind}.pdf"
            out.append(p)
            if blank is not None and page_count(p.read_bytes()) % 2 == 1:
                out.append(blank)
        return out

    kinds = ("questions", "answers")
    with ThreadPoolExecutor(len(kinds)) as ex:
        for f in [ex.submit(merge_pdfs, parts(k), staging / f"class-{k}.pdf") for k in kinds]:
            f.result()
    for p in (sheet_dir / ".blank.pdf", sheet_dir / ".blank.html"):
        p.unlink(missing_ok=True)


CSV_FIELDS = ("student_id", "name", "question", "answer", "value", "tolerance", "kind", "family", "question_id")


def _write_csv(path: Path, results: list[SheetResult]) -> None:
    """The answer table for marking: UTF-8 with a BOM so Excel shows Japanese names correctly."""
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\r\n")
    w.writeheader()
    for r in results:
        w.writerows(r.rows)
    path.write_text(buf.getvalue(), encoding="utf-8-sig", newline="")


def _write_manifest(path: Path, spec: DrillSpec, results: list[SheetResult], klass: bool) -> None:
    data = {
        "spec": {"count": spec.count, "seed": spec.seed, "families": list(spec.families),
                 "optimizers": list(spec.optimizers), "lang": spec.lang, "title": spec.title},
        "question_seed": "seeds.derive('drill', seed, student_id, question_number)",
        "sheets": [{"student_id": "" if r.student.id == ANONYMOUS else r.student.id, "name": r.student.name,
                    "files": (f"sheets/{r.stem}" if klass else r.stem) + "-{questions,answers}.{pdf,html}",
                    "rebuild": spec.command(None if r.student.id == ANONYMOUS else r.student),
                    "questions": r.ids} for r in results],
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
