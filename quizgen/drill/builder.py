"""Build a drill run: the sheets' questions generated in this process (the engine's tables built once) while
worker processes write each sheet's Typst source and print its two PDFs, then the class PDFs (one Typst
document each, one after the other); everything is written to a staging folder and moved into place only
when the whole run has succeeded (a failed, interrupted or terminated run leaves no file under a final
name, and no process behind: see :mod:`.procs`).

Layout of ``--out DIR``::

    one sheet (no roster)                 a class (--roster)
    drill-<seed>-questions.pdf            class-questions.pdf     every student's questions, in roster order
    drill-<seed>-answers.pdf              class-answers.pdf       every student's key
    answers.csv                           answers.csv             student, question, answer (for marking)
    drill.json                            drill.json              the spec, the rebuild commands, every file
                                          sheets/<id>-questions.pdf, sheets/<id>-answers.pdf

With ``html=True`` (``--html``) the HTML sheets (the site's printable pages, KaTeX math: needs node) are
written beside the PDFs, with ``assets/katex/``. In the class PDFs every student's part starts on an odd page
(a blank page after an odd page count), so a duplex printer starts every student on a new sheet of paper
(``pad=False`` turns it off).

A re-run into a folder that holds an earlier run replaces it: the files its drill.json lists and the new run
does not write are removed once the new run is in place. A folder with drill files but no drill.json is
refused (they may be someone's), as is an empty ``--out``.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
import re
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..jobs import default_jobs
from .model import ANONYMOUS, DrillSpec, Sheet, SheetPlan, generate_sheet
from .procs import worker_init
from .roster import MAX_STUDENTS, Student
from .views import answer_plain

PROJECT_ROOT = Path(__file__).resolve().parents[2]  # holds node_modules/katex (package-lock.json)
KATEX_CSS = "assets/katex/katex.min.css"  # relative to a sheet's HTML file
MAX_QUESTIONS = 20_000  # students × questions in one run
TYPST_DIR = ".typst"  # inside the staging folder: the Typst sources (not published)
KINDS = ("questions", "answers")


# -- the KaTeX renderer (the site's), one per process; only for the HTML sheets ------------------------------
_katex = None


def katex_renderer():
    """This process's KaTeX renderer (a long-lived node process), started on first use."""
    global _katex
    if _katex is None:
        from ..site.katex import KatexRenderer

        _katex = KatexRenderer(PROJECT_ROOT)
    return _katex


def check_katex() -> None:
    """Fail early (before anything is written) when node or KaTeX is missing (HTML sheets only)."""
    from ..site.katex import KatexError, find_katex

    try:
        find_katex(PROJECT_ROOT)
    except KatexError as e:
        raise OSError(f"{e} (the HTML sheets need KaTeX; the PDFs do not: leave out --html)") from None
    if shutil.which("node") is None and shutil.which("nodejs") is None:
        raise OSError("node is not installed (the HTML sheets render math with KaTeX in node; the PDFs do not "
                      "need it: leave out --html)")


# -- one sheet, in a worker process ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Job:
    """What a worker needs to build one sheet (picklable)."""

    plan: SheetPlan
    staging: str
    sheet_dir: str  # where the sheet's files go (staging, or staging/sheets for a class)
    pdf: bool
    html: bool
    sheets: bool = True  # each sheet's own PDFs (False: only the class documents use its parts)


@dataclass
class SheetResult:
    stem: str
    student: Student
    answers: list[str]
    rows: list[dict[str, Any]]  # the CSV rows
    ids: list[str]  # question ids (family-seed…), in order
    pages: int = 0
    seconds: float = 0.0


def prepare_sheet(job: Job) -> tuple[Sheet, SheetResult]:
    """In the run's own process: the sheet's questions and its CSV rows. The engine's tables (each optimizer's
    proven-wrong terms and rules, seconds of sympy) are built once here, not once per worker."""
    t0 = time.perf_counter()
    plan = job.plan
    sheet = generate_sheet(plan)
    answers = [answer_plain(q) for q in sheet.questions]
    rows = []
    for n, (q, ans) in enumerate(zip(sheet.questions, answers), start=1):
        value = "" if q.kind == "choice" or q.answer.value is None else repr(float(q.answer.value))
        tol = "" if q.kind == "choice" or q.answer.tolerance is None else repr(float(q.answer.tolerance))
        rows.append({"student_id": "" if plan.anonymous else plan.student.id,
                     "name": plan.student.name, "question": n, "answer": ans, "value": value, "tolerance": tol,
                     "kind": q.kind, "family": q.family, "question_id": q.id})
    result = SheetResult(plan.stem, plan.student, answers, rows, [q.id for q in sheet.questions], 0,
                         time.perf_counter() - t0)
    return sheet, result


def print_sheet(job: Job, sheet: Sheet) -> int:
    """In a worker: the sheet's Typst parts (which the class documents include too) and its own PDFs, and its
    HTML files; returns the PDFs' pages."""
    plan = job.plan
    sheet_dir = Path(job.sheet_dir)
    pages = 0
    if job.pdf:
        from .typst_pdf import compile_pdf, page_count
        from .typst_sheet import document, part_ref, render_parts

        root = Path(job.staging) / TYPST_DIR
        parts = render_parts(sheet, root / "figures")
        for kind in KINDS:
            rel = f"parts/{plan.stem}-{kind}.typ"
            _write(root / rel, getattr(parts, kind))
            if not job.sheets:
                continue
            main = f"{plan.stem}-{kind}.typ"
            _write(root / main, document([part_ref(plan, kind, "/" + rel)], plan.spec.lang, plan.title))
            out = sheet_dir / f"{plan.stem}-{kind}.pdf"
            compile_pdf(root, main, out)
            pages += page_count(out.read_bytes())
    if job.html:
        _write_html(sheet, sheet_dir)
    return pages


def _write_html(sheet, sheet_dir: Path) -> list[str]:
    from ..site.katex import KatexError
    from .render import render_sheet

    try:
        rendered = render_sheet(sheet, katex_renderer(), katex_css=KATEX_CSS)
    except KatexError as e:  # a formula the engine wrote that KaTeX cannot parse: a bug, reported in one line
        first = str(e).splitlines()[0]
        raise ValueError(first if len(first) < 300 else first[:300] + " …") from None
    stem = sheet.plan.stem
    _write(sheet_dir / f"{stem}-questions.html", rendered.questions_html)
    _write(sheet_dir / f"{stem}-answers.html", rendered.answers_html)
    return rendered.answers


def make_class_pdf(staging: str, kind: str, source: str) -> int:
    """One class PDF (``kind``: questions or answers) from its Typst document; returns its pages."""
    from .typst_pdf import compile_pdf, page_count

    root = Path(staging) / TYPST_DIR
    main = f"class-{kind}.typ"
    _write(root / main, source)
    out = Path(staging) / f"class-{kind}.pdf"
    compile_pdf(root, main, out)
    return page_count(out.read_bytes())


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# -- output folder ----------------------------------------------------------------------------------------------
def check_out(out: Path | str) -> Path:
    if str(out).strip() == "":
        raise ValueError(f"--out {str(out)!r} is empty: name the folder to write the sheets to (e.g. --out drills)")
    return Path(out)


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
            raise NotADirectoryError(None, f"{p} is a file, not a folder")
        for d in reversed(missing):
            d.mkdir()
            created.append(d)
        staging = Path(tempfile.mkdtemp(prefix=".quizgen-drill-", dir=out))
    except OSError as e:
        for d in reversed(created):
            shutil.rmtree(d, ignore_errors=True)
        raise OSError(f"cannot write to the output folder {out}: {e.strerror or e}") from None
    return staging, created


MANIFEST = "drill.json"
_DRILL_FILE = re.compile(r"^(class-(questions|answers)\.pdf|answers\.csv|.*-(questions|answers)\.(pdf|html))$")


def previous_run(out: Path) -> list[Path]:
    """The files of an earlier run in ``out`` (from its drill.json). Drill files without a drill.json are
    refused: they are not known to be ours to replace."""
    manifest = out / MANIFEST
    if not manifest.is_file():
        found = sorted(p.name for p in out.iterdir() if _DRILL_FILE.match(p.name)) if out.is_dir() else []
        if (out / "sheets").is_dir() and any(_DRILL_FILE.match(p.name) for p in (out / "sheets").iterdir()):
            found.append("sheets/")
        if found:
            raise ValueError(f"--out {out} already holds drill sheets ({', '.join(found[:3])}) but no {MANIFEST} "
                             f"that lists them: choose an empty folder or remove them first")
        return []
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError(f"--out {out} holds a {MANIFEST} that is not a drill run's: choose another folder") \
            from None
    files = data.get("files") if isinstance(data, dict) else None
    if files is None and isinstance(data, dict):  # written before drill.json listed its files
        files = ["answers.csv", MANIFEST, "class-questions.pdf", "class-answers.pdf"]
        for s in data.get("sheets", []):
            pattern = str(s.get("files", ""))
            m = re.fullmatch(r"(.*)-\{questions,answers\}\.\{pdf,html\}", pattern)
            if m:
                files += [f"{m.group(1)}-{k}.{e}" for k in KINDS for e in ("pdf", "html")]
    if not isinstance(files, list):
        raise ValueError(f"--out {out} holds a {MANIFEST} that is not a drill run's: choose another folder")
    root = out.resolve()
    paths = []
    for f in files:
        p = (out / str(f)).resolve()
        if p.is_relative_to(root) and p != root and p.is_file():  # never outside the folder
            paths.append(p)
    return paths


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


def _remove_old(old: list[Path], new: list[Path], out: Path) -> int:
    keep = {p.resolve() for p in new}
    removed = 0
    for p in old:
        if p not in keep:
            p.unlink(missing_ok=True)
            removed += 1
            parent = p.parent
            while parent != out.resolve() and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
    return removed


# -- the run ------------------------------------------------------------------------------------------------
@dataclass
class BuildResult:
    out: Path
    files: list[Path]
    sheets: int
    questions: int
    pdfs: int
    pages: int
    seconds: dict[str, float] = field(default_factory=dict)
    workers: int = 0  # printing processes beside the run's own (0: it printed every sheet itself)
    replaced: int = 0  # files of an earlier run removed


class _Progress:
    """A rich progress bar on stderr (sheets done; class PDFs); silent when off."""

    def __init__(self, enabled: bool, sheets: int, classes: int, lang: str):
        self._p = None
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        ja = lang == "ja"
        self._p = Progress(TextColumn("{task.description:<14}"), BarColumn(), MofNCompleteColumn(),
                           TimeElapsedColumn(), console=Console(stderr=True), transient=False)
        self.sheets = self._p.add_task("用紙を作成" if ja else "sheets", total=sheets)
        self.classes = self._p.add_task("クラスの PDF" if ja else "class PDFs", total=classes) if classes else None

    def __enter__(self):
        if self._p is not None:
            self._p.start()
        return self

    def __exit__(self, *exc):
        if self._p is not None:
            self._p.stop()

    def sheet_done(self) -> None:
        if self._p is not None:
            self._p.advance(self.sheets)

    def class_done(self) -> None:
        if self._p is not None and self.classes is not None:
            self._p.advance(self.classes)


def check_run(spec: DrillSpec, students: Sequence[Student] | None) -> None:
    n = len(students or [None])
    if n > MAX_STUDENTS:
        raise ValueError(f"the roster has {n} students; at most {MAX_STUDENTS} per run: split it")
    if n * spec.count > MAX_QUESTIONS:
        raise ValueError(f"{n} students × {spec.count} questions is {n * spec.count:,} questions; at most "
                         f"{MAX_QUESTIONS:,} per run: use fewer questions or split the roster")


def build(spec: DrillSpec, out: Path | str, students: Sequence[Student] | None = None, *,
          jobs: int | None = None, progress: bool = False, pad: bool = True, pdf: bool = True, html: bool = False,
          class_run: bool | None = None, sheets: bool = True) -> BuildResult:
    """Build every sheet of a run into ``out`` (see the module doc for the layout).

    ``students``: the roster (None: one anonymous sheet). ``class_run`` (default: a roster was given) adds the
    class PDFs and puts the sheets in ``sheets/``; ``--student`` builds one named sheet with ``class_run=False``.
    ``jobs``: worker processes (1 … cores; default: the cores). ``pdf=False, html=True``: the HTML only.
    ``sheets=False`` (a class run): only the class PDFs, no PDF per student (half the time and size).
    """
    out = check_out(out)
    klass = bool(students) if class_run is None else class_run
    if students is None or len(students) == 0:
        students = [Student(ANONYMOUS)]
    check_run(spec, students)
    cores = default_jobs(jobs)
    workers = min(cores, len(students)) if cores > 1 else 0  # printing processes (0: print in this one)
    plans = [SheetPlan(spec, s, i) for i, s in enumerate(students)]
    if not pdf and not html:
        raise ValueError("nothing to write: neither PDF nor HTML")
    if pdf:
        from .typst_pdf import font_dirs

        font_dirs()  # one clear error before anything is written when the Japanese font is missing
    if html:
        check_katex()
    old = previous_run(out) if out.exists() else []
    t_start = time.perf_counter()
    staging, created = prepare_out(out)
    seconds: dict[str, float] = {}
    try:
        sheet_dir = staging / "sheets" if klass else staging
        sheet_dir.mkdir(exist_ok=True)
        if pdf:
            from .typst_sheet import library

            _write(staging / TYPST_DIR / "drill.typ", library())
        if html:
            from ..site.katex import copy_assets

            copy_assets(PROJECT_ROOT, sheet_dir / "assets" / "katex")
        jobs_ = [Job(p, str(staging), str(sheet_dir), pdf, html, sheets or not klass) for p in plans]
        classes = list(KINDS) if klass and pdf else []
        with _Progress(progress, len(plans), len(classes), spec.lang) as bar:
            results, pages = _run(jobs_, classes, spec, staging, workers, pad, bar, seconds)
        shutil.rmtree(staging / TYPST_DIR, ignore_errors=True)
        new_files = _expected_files(staging)
        _write_csv(staging / "answers.csv", results)
        _write_manifest(staging / MANIFEST, spec, results, klass, new_files + ["answers.csv", MANIFEST])
        files = _publish(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        for d in reversed(created):
            shutil.rmtree(d, ignore_errors=True)
        raise
    shutil.rmtree(staging, ignore_errors=True)
    replaced = _remove_old(old, files, out)
    seconds["total"] = time.perf_counter() - t_start
    n_pdf = ((2 * len(plans) if sheets or not klass else 0) + len(classes)) if pdf else 0
    return BuildResult(out, files, len(plans), len(plans) * spec.count, n_pdf, pages, seconds, workers, replaced)


def _run(jobs: list[Job], classes: list[str], spec: DrillSpec, staging: Path, workers: int, pad: bool,
         bar: _Progress, seconds: dict[str, float]) -> tuple[list[SheetResult], int]:
    """Every sheet: generated here, one after another, while ``workers`` processes write and print the sheets
    already generated (in this process if 0: ``--jobs 1``; one sheet on a machine with two cores still gets
    a printer, which loads Typst and matplotlib while the sheet is generated); then the class PDFs."""
    t0 = time.perf_counter()
    results: list[SheetResult] = []
    pages = 0
    pool = None
    try:
        if workers > 0:
            # forked before this process runs Typst (see _pool); this process generates every sheet and is the
            # one the others wait for: the printers run at a lower priority (40 x 20: 16.3 s -> 15 s)
            pool = _pool(workers, nice=10, warm=jobs[0].pdf)
            printing = []
            for job in jobs:
                sheet, result = prepare_sheet(job)
                results.append(result)
                printing.append(pool.apply_async(print_sheet, (job, sheet), callback=lambda _: bar.sheet_done()))
                for p in printing:  # a sheet that failed to print stops the run now, not after the last one
                    if p.ready() and not p.successful():
                        p.get()
            pages = sum(p.get() for p in printing)
            pool.close()  # the workers' layout caches go with them: a class document starts from nothing
            pool.join()
            pool = None
        else:
            for job in jobs:
                sheet, result = prepare_sheet(job)
                results.append(result)
                pages += print_sheet(job, sheet)
                bar.sheet_done()
        seconds["sheets"] = time.perf_counter() - t0
        if classes:
            t1 = time.perf_counter()
            sources = [(str(staging), kind, _class_document(jobs, kind, spec, pad)) for kind in classes]
            if workers > 0:
                # one after the other, each in a new process: Typst lays out on every core by itself, and a
                # class document's layout takes most of a gigabyte that is given back when its process ends
                # (a pool per document, started from this thread: a pool's replacement worker is started by
                # its handler thread, and the parent-death signal then kills it when that thread ends)
                counts = []
                for source in sources:
                    pool = _pool(1)
                    counts.append(pool.apply(make_class_pdf, source))
                    pool.close()
                    pool.join()
                    pool = None
            else:
                counts = [make_class_pdf(*s) for s in sources]
            for _ in classes:
                bar.class_done()
            pages += sum(counts)
            seconds["class"] = time.perf_counter() - t1
    finally:
        if pool is not None:  # an error, Ctrl-C or SIGTERM: stop the workers now
            pool.terminate()
            pool.join()
    return results, pages


def _pool(workers: int, nice: int = 0, warm: bool = False):
    from .typst_pdf import started

    # fork: the engine's imports are shared, not repeated; but never from a process whose Typst compiler runs
    # threads (a test session, a second run in one process): forkserver then
    method = "forkserver" if started() else "fork"
    ctx = multiprocessing.get_context(method)
    return ctx.Pool(workers, initializer=_printer_init if warm else worker_init,
                    initargs=(os.getpid() if method == "fork" else 0, nice))


def _printer_init(parent: int, nice: int) -> None:
    """A printing worker starts while the first sheet is still being generated: it loads what printing needs
    (matplotlib for the figures, the templates, Typst and its fonts) in that otherwise idle time."""
    worker_init(parent, nice)
    try:
        from .. import plots  # noqa: F401
        from .typst_pdf import compiler
        from .typst_sheet import _env

        _env()
        compiler()
    except Exception:  # noqa: BLE001 - an initializer that raises makes the pool start workers forever;
        pass  # the same error is raised, once and clearly, when the worker prints its first sheet


def _class_document(jobs: list[Job], kind: str, spec: DrillSpec, pad: bool) -> str:
    from .typst_sheet import document, part_ref

    refs = [part_ref(j.plan, kind, f"/parts/{j.plan.stem}-{kind}.typ") for j in jobs]
    return document(refs, spec.lang, jobs[0].plan.title, pad=pad)


def _expected_files(staging: Path) -> list[str]:
    return sorted(str(p.relative_to(staging)) for p in staging.rglob("*") if p.is_file())


CSV_FIELDS = ("student_id", "name", "question", "answer", "value", "tolerance", "kind", "family", "question_id")
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet will not run: text starting with = + - @ (or a tab or CR) gets a leading
    apostrophe, which Excel and LibreOffice show as text; plain numbers (-0.5) stay numbers."""
    if isinstance(value, str) and value and value[0] in "=+-@\t\r" and not _NUMBER.match(value):
        return "'" + value
    return value


def _write_csv(path: Path, results: list[SheetResult]) -> None:
    """The answer table for marking: UTF-8 with a BOM so Excel shows Japanese names correctly."""
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\r\n")
    w.writeheader()
    for r in results:
        w.writerows({k: csv_cell(v) for k, v in row.items()} for row in r.rows)
    path.write_text(buf.getvalue(), encoding="utf-8-sig", newline="")


def _sheet_files(stem: str, klass: bool) -> set[str]:
    return {f"{'sheets/' if klass else ''}{stem}-{kind}.{ext}" for kind in KINDS for ext in ("pdf", "html")}


def _write_manifest(path: Path, spec: DrillSpec, results: list[SheetResult], klass: bool, files: list[str]) -> None:
    data = {
        "spec": {"count": spec.count, "seed": spec.seed, "families": list(spec.families),
                 "optimizers": list(spec.optimizers), "lang": spec.lang, "title": spec.title},
        "question_seed": "seeds.derive('drill', seed, student_id, question_number)",
        "sheets": [{"student_id": "" if r.student.id == ANONYMOUS else r.student.id, "name": r.student.name,
                    "files": sorted(f for f in files if f in _sheet_files(r.stem, klass)),
                    "rebuild": spec.command(None if r.student.id == ANONYMOUS else r.student),
                    "questions": r.ids} for r in results],
        "files": sorted(files),
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
