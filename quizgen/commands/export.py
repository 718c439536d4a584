"""``quizgen export moodle|anki|json|jsonl --families steps,choice --variants 3 --seed 7 --out FILE``.

Selection (all formats): ``--families`` (default all), ``--variants N`` per family (with ``--optimizers``:
per family and optimizer), ``--seed S``; the seed of variant ``i`` is
``seeds.derive("export", S, family, i)`` (``…, family, optimizer, i`` with ``--optimizers``) and every
question shows its own id and seed. See :mod:`quizgen.export.select`.

The file is written by :mod:`quizgen.outfile` (atomically; through a named pipe or device; a symbolic link's
target replaced); bad input (an unknown family, ``--variants 0``, an unwritable or empty ``--out``) ends with
one error line and writes nothing. JSON and JSON Lines are written as the questions are generated.
"""

from __future__ import annotations

import argparse
import sys

from .. import export as X
from .. import outfile
from ..export import select


def _common() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--families", nargs="+", default=None, metavar="NAME",
                   help="question families, separate words or a comma list: steps code_blank or steps,code_blank "
                        "(default: all)")
    p.add_argument("--optimizers", nargs="+", default=None, metavar="NAME",
                   help="only these optimizers (words or a comma list): families that take an optimizer are asked "
                        "once per optimizer; the others keep the variants about a listed optimizer (default: any)")
    p.add_argument("--variants", type=int, default=3, metavar="N",
                   help=f"variants per family (per family and optimizer with --optimizers), 1 to "
                        f"{select.MAX_VARIANTS}; at most {select.MAX_QUESTIONS:,} questions in all; default 3")
    p.add_argument("--seed", default="0", metavar="S", help="the export's seed (default 0); every question "
                   "gets seeds.derive('export', S, family, i)")
    p.add_argument("--lang", choices=("ja", "en"), default=None,
                   help="language of the questions (default: the engine's, ja)")
    p.add_argument("--out", required=True, metavar="FILE",
                   help="output file (written atomically); '-' writes to standard output (not for anki)")
    p.add_argument("-q", "--quiet", action="store_true", help="do not list the exported questions")
    return p


def _images(p: argparse.ArgumentParser) -> None:
    p.add_argument("--image-format", choices=("png", "svg"), default="png",
                   help="how figures are embedded (default png: works in every Moodle theme and Anki client)")


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("export", help="export questions: Moodle XML, Anki deck, JSON, JSON Lines",
                       description="Export generated questions for other tools. Every question shows its id "
                                   "and seed, so any of them can be rebuilt.")
    fmt = p.add_subparsers(dest="format", required=True, metavar="FORMAT")
    common = _common()
    m = fmt.add_parser("moodle", parents=[common], help="Moodle XML (one category per optimizer)",
                       description="Moodle XML: numerical questions with the named mistakes' values as 0% "
                                   "answers with feedback, multichoice questions with feedback per answer, the "
                                   "worked solution as general feedback. Import with 'Get category from file'.")
    _images(m)
    m.add_argument("--category", default=None, metavar="NAME",
                   help="top category under $course$/top (default 'E資格 最適化')")
    a = fmt.add_parser("anki", parents=[common], help="Anki deck (.apkg): formula cards and question cards",
                       description="Anki deck: formula cards from the sympy rules and one card per question. "
                                   "Fixed deck and note-type ids, note GUIDs from (family, seed), a fixed time "
                                   "stamp: the same arguments give the same bytes, and re-importing updates.")
    _images(a)
    a.add_argument("--formulas", action=argparse.BooleanOptionalAction, default=True,
                   help="include the formula cards (default: yes)")
    a.add_argument("--conventions", nargs="+", default=["textbook"], metavar="C",
                   help="formula cards for these rule forms: textbook, pytorch, paper, or all (default textbook)")
    a.add_argument("--timestamp", default=None, metavar="SECONDS",
                   help="time stamp of every note and card (default: $SOURCE_DATE_EPOCH, else 2026-01-01); "
                        "Anki updates an imported note only from a newer one")
    fmt.add_parser("json", parents=[common], help="a JSON array of Question objects (schema-validated)")
    fmt.add_parser("jsonl", parents=[common], help="one Question object per line (schema-validated)")
    return p


def _conventions(text: str | list[str]) -> tuple[str, ...] | None:
    items = select.split_list(text)
    if items is None:
        return None
    known = ("textbook", "pytorch", "paper")
    bad = [c for c in items if c not in known]
    if bad:
        raise ValueError(f"unknown convention {', '.join(map(repr, bad))}; known: {', '.join(known)}, all")
    return tuple(items)


def run(args: argparse.Namespace) -> int:
    sel = select.make_selection(args.families, args.variants, args.seed, args.optimizers, args.lang)
    to_stdout = args.out == "-"
    if to_stdout and args.format == "anki":
        raise ValueError("an Anki deck is binary: give --out FILE.apkg")
    target = None if to_stdout else outfile.check(args.out)
    options: dict = {}
    if args.format == "anki":
        from ..export import anki

        ts = anki.default_timestamp() if args.timestamp is None else anki.check_timestamp(args.timestamp)
        convs = _conventions(args.conventions)
        options = {"timestamp": ts, "image_format": args.image_format, "description": sel.describe(),
                   "formulas": anki.formula_cards(sel.optimizers, convs) if args.formulas else ()}
    elif args.format == "moodle":
        options = {"image_format": args.image_format, "comment": f"quizgen export moodle {sel.describe()}"}
        if args.category:
            if not args.category.strip():
                raise ValueError("--category must not be empty")
            options["root"] = args.category.strip()

    listed: list[tuple[str, int, str, str]] = []  # what was exported, for the summary (not the questions)

    def generated():
        for q in select.iter_questions(sel):
            listed.append((q.id, q.seed, q.family, select.optimizer_of(q) or "-"))
            yield q

    data = X.chunks(args.format, generated(), **options)
    report = sys.stderr if to_stdout else sys.stdout
    if to_stdout:
        for chunk in data:
            sys.stdout.buffer.write(chunk)
        sys.stdout.flush()
    else:
        outfile.write(target, data)
    extra = f" + {len(options['formulas'])} formula cards" if options.get("formulas") else ""
    where = "standard output" if to_stdout else args.out
    print(f"quizgen export {args.format}: {len(listed)} questions{extra} → {where} ({sel.describe()})",
          file=report)
    if not args.quiet:
        for qid, seed, family, opt in listed:
            print(f"  {qid}\tseed={seed}\tfamily={family}\toptimizer={opt}", file=report)
    return 0
