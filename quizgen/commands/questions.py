"""``quizgen questions --family steps --seed 1 --count 3``: generate questions and print them.

Seeds: ``--count N`` gives the questions of seeds S, S+1, …, S+N−1 (consecutive, so any one of
them can be rebuilt alone with ``--seed S+i --count 1``), at most :data:`MAX_COUNT`; every format is
printed as the questions are generated. Family options go with ``--set NAME=VALUE``
(``--optimizer`` and ``--steps`` are shortcuts).
"""

from __future__ import annotations

import argparse
import sys

from .. import engine, families
from ._render import print_question

MAX_COUNT = 10000


def parse_sets(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--set expects NAME=VALUE, got {item!r}")
        out[name.strip()] = value.strip()
    return out


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("questions", help="generate questions of a family from seeds",
                       description="Generate questions of one family. --count N gives seeds S, S+1, …, S+N-1.")
    p.add_argument("--family", required=True, help=f"one of: {', '.join(families.NAMES)}")
    p.add_argument("--seed", default="0", help="first seed (default 0)")
    p.add_argument("--count", type=int, default=1, help=f"number of questions, 1 to {MAX_COUNT} (default 1)")
    p.add_argument("--optimizer", help="restrict to one optimizer (families that take it)")
    p.add_argument("--steps", help="number of updates (numeric families)")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="another family option, e.g. --set convention=pytorch (repeatable; see quizgen families)")
    p.add_argument("--lang", default="ja", choices=engine.LANGS)
    p.add_argument("--format", default="text", choices=("text", "json", "jsonl"))
    p.add_argument("--no-solution", action="store_true", help="skip the worked solution (faster)")
    return p


def run(args: argparse.Namespace) -> int:
    options = parse_sets(args.set)
    if args.optimizer is not None:
        options["optimizer"] = args.optimizer
    if args.steps is not None:
        options["steps"] = args.steps
    if args.count > MAX_COUNT:
        raise ValueError(f"--count must be between 1 and {MAX_COUNT}, got {args.count}")
    seeds = engine.seeds_for(args.seed, args.count)
    families.get(args.family)  # unknown family: one clear line before any work
    questions = (engine.generate(args.family, s, lang=args.lang, render=not args.no_solution, **options)
                 for s in seeds)
    if args.format == "jsonl":
        for q in questions:
            sys.stdout.write(q.to_json() + "\n")
    elif args.format == "json":
        from ..export.jsonl import json_chunks

        for text in json_chunks(questions, check=False):
            sys.stdout.write(text)
    else:
        for i, q in enumerate(questions):
            print_question(q, number=i + 1)
    return 0
