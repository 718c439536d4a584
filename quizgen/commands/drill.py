"""``quizgen drill --count 20 --seed 42 --roster class.csv --out drills/``: printable drill sheets.

Without a roster: one sheet (questions PDF, answer-key PDF; printed by Typst, no browser needed).
With a roster (CSV with a header and ``id``, ``name`` columns, UTF-8 with or without BOM): one sheet and
one key per student, plus one PDF of all questions, one of all keys and an answer table (answers.csv).
``--html`` adds the HTML sheets (the site's printable pages; KaTeX math, needs node).
Question ``n`` of student ``id`` uses the seed ``derive("drill", seed, id, n)``; every sheet prints its
seed and the command that rebuilds it (``--student ID`` rebuilds one student's sheet without the roster).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from ..drill import build, make_spec, parse_roster
from ..drill.procs import Terminated, terminate_as_exception
from ..drill.roster import Student, check_id, check_name


def today_seed() -> int:
    """The default seed: today's date as a number (20250601): "today's sheet", the same all day."""
    return int(dt.date.today().strftime("%Y%m%d"))


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "drill", help="printable drill sheets with answer keys (PDF), one per student with --roster",
        description="Build A4 drill sheets (questions PDF with room to work, answer-key PDF with worked solutions; "
                    "printed with Typst). With --roster, one sheet and key per student with different numbers, "
                    "a PDF of all sheets, one of all keys, and answers.csv for marking. A re-run into the same "
                    "--out replaces the earlier run's files.")
    p.add_argument("--count", default="10", metavar="N", help="questions per sheet (default 10)")
    p.add_argument("--families", nargs="+", metavar="NAME",
                   help="question families, e.g. steps formula code_blank (default: all; see `quizgen families`)")
    p.add_argument("--optimizers", nargs="+", metavar="NAME",
                   help="optimizers to ask about, e.g. adam rmsprop (default: any)")
    p.add_argument("--seed", metavar="S", help="seed of the run (default: today's date, e.g. 20250601)")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--roster", metavar="CSV", help="class roster: CSV with a header row and id,name columns")
    who.add_argument("--student", metavar="ID", help="one student's sheet without the roster (rebuild a lost sheet)")
    p.add_argument("--name", default="", help="with --student: the name printed on the sheet")
    p.add_argument("--title", default="", help="title printed on every page (default: E資格 最適化ドリル)")
    p.add_argument("--lang", default="ja", choices=("ja", "en"), help="language of the sheets (default ja)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created if missing)")
    p.add_argument("--jobs", type=int, metavar="N", help="worker processes, 1 to the cores (default: the cores)")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--html", action="store_true", help="also write the HTML sheets (needs node for the math)")
    fmt.add_argument("--html-only", action="store_true", help="write the HTML sheets, print no PDF")
    p.add_argument("--no-sheets", action="store_true",
                   help="with --roster: only the class PDFs, no PDF per student (half the time and size)")
    p.add_argument("--no-pad", action="store_true",
                   help="class PDFs: no blank page after a student's odd page count (for one-sided printing)")
    p.add_argument("--quiet", action="store_true", help="no progress bar, no summary")
    return p


def run(args: argparse.Namespace) -> int:
    if args.name and not args.student:
        raise ValueError("--name needs --student (with --roster the names come from the roster)")
    spec = make_spec(args.count, args.seed if args.seed is not None else today_seed(), args.families,
                     args.optimizers, args.lang, args.title)
    students = None
    class_run = False
    if args.roster:
        students = parse_roster(args.roster)
        class_run = True
    elif args.student:
        students = [Student(check_id(args.student, "--student"), check_name(args.name))]
    try:
        with terminate_as_exception():
            result = build(spec, args.out, students, jobs=args.jobs,
                           progress=not args.quiet and sys.stderr.isatty(), pad=not args.no_pad,
                           pdf=not args.html_only, html=args.html or args.html_only, class_run=class_run,
                           sheets=not args.no_sheets)
    except Terminated:
        print("quizgen drill: stopped by SIGTERM; nothing was written", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print("quizgen drill: interrupted; nothing was written", file=sys.stderr)
        return 130
    if not args.quiet:
        what = f"{result.sheets} sheet{'s' if result.sheets != 1 else ''} × {spec.count} questions"
        pdfs = f", {result.pages} PDF pages" if result.pages else ""
        old = f" (replaced {result.replaced} files of the earlier run)" if result.replaced else ""
        print(f"seed {spec.seed}: {what}{pdfs} → {args.out}{old} ({result.seconds['total']:.1f} s)")
    return 0
