"""``quizgen families [--format text|json]``: the question families, their options, one example each."""

from __future__ import annotations

import argparse
import json
import sys

from rich.table import Table

from .. import engine, families
from ._render import console, print_question

EXAMPLE_SEED = 1


def describe() -> list[dict]:
    out = []
    for name in families.NAMES:
        module = families.get(name)
        entry = {"name": name, "kind": module.KIND, "topic": getattr(module, "TOPIC", None),
                 "title_ja": module.TITLE[0], "title_en": module.TITLE[1],
                 "options": [{"name": o.name, "help": o.help, "default": o.default,
                              "choices": list(o.choices) if o.choices is not None else None}
                             for o in module.OPTIONS]}
        try:
            entry["example"] = engine.generate(name, EXAMPLE_SEED).to_dict()
        except (ValueError, OSError) as e:  # e.g. the concept bank is not there yet
            entry["example"] = None
            entry["unavailable"] = str(e)
        out.append(entry)
    return out


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("families", help="list the question families (options, one example each)")
    p.add_argument("--format", default="text", choices=("text", "json"))
    return p


def run(args: argparse.Namespace) -> int:
    info = describe()
    if args.format == "json":
        sys.stdout.write(json.dumps(info, ensure_ascii=False, indent=2, allow_nan=False) + "\n")
        return 0
    con = console()
    for entry in info:
        table = Table(title=f"{entry['name']} ({entry['kind']}): {entry['title_ja']} / {entry['title_en']}",
                      title_justify="left", show_lines=False)
        table.add_column("option")
        table.add_column("default")
        table.add_column("meaning")
        for o in entry["options"]:
            default = "drawn" if o["default"] is None else str(o["default"])
            choices = f" ({', '.join(map(str, o['choices']))})" if o["choices"] else ""
            table.add_row(o["name"], default, o["help"] + choices)
        con.print(table)
        if entry["example"] is not None:
            from ..question import Question
            print_question(Question.from_dict(entry["example"]))
        else:
            con.print(f"[red]unavailable: {entry['unavailable']}[/]")
        con.print()
    return 0
