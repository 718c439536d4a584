"""``quizgen`` command line. Each subcommand lives in ``quizgen/commands/<name>.py`` with
``add_parser(subparsers)`` and ``run(args) -> int``; bad input ends with one clear line."""

from __future__ import annotations

import argparse
import gc
import re
import sys
from importlib import import_module

COMMANDS = ("show", "questions", "families", "drill", "bench_drill", "export", "conformance", "stress", "bench", "site")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quizgen", description="E資格 最適化ドリル: questions, drills, exports")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = import_module(f"quizgen.commands.{name}")
        except ModuleNotFoundError as e:  # a command not written yet
            if e.name != f"quizgen.commands.{name}":
                raise
            continue
        p = module.add_parser(sub)
        p.set_defaults(_run=module.run)
    return parser


_NUMBER = r"(?:[\d.]+(?:[eE][+-]?\d+)?|inf|infinity|nan)"
_NEGATIVE = re.compile(rf"^-{_NUMBER}(?:[,，]\s*-?{_NUMBER})*$", re.I)


def _join_negative_values(argv: list[str]) -> list[str]:
    """``--start -75,-10`` → ``--start=-75,-10`` (argparse would read -75,-10, -1e-3 or -inf as an option)."""
    out: list[str] = []
    for token in argv:
        if out and out[-1].startswith("--") and "=" not in out[-1] and _NEGATIVE.match(token):
            out[-1] = f"{out[-1]}={token}"
        else:
            out.append(token)
    return out


def main(argv: list[str] | None = None) -> int:
    return run(parse(argv))


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line (``sys.argv`` if None) parsed; every command's module is imported by now."""
    return build_parser().parse_args(_join_negative_values(list(sys.argv[1:] if argv is None else argv)))


def run(args: argparse.Namespace) -> int:
    """Run a parsed command; bad input ends with one line on stderr and exit status 2."""
    from .fonts import FontError

    try:
        return int(args._run(args) or 0)
    except (ValueError, TypeError, KeyError, OSError, FontError) as e:
        msg = e.args[0] if isinstance(e, KeyError) and e.args else e
        print(f"quizgen {args.command}: error: {msg}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("quizgen: interrupted", file=sys.stderr)
        return 130


def entry() -> None:
    """The ``quizgen`` command: :func:`main` with the cycle collector paced for sympy, then exit without the
    interpreter's last collection.

    sympy builds hundreds of thousands of small objects that live for the whole run (its caches, the rules,
    the engine's tables); at Python's default pace (a collection every 700 new objects, a full one every
    70,000 or so) the collector walked them again and again: an eighth of a one-sheet drill (0.2 s of 1.7),
    measured with gc.set_threshold at several paces. Garbage cycles wait for 20,000 new objects instead,
    and what the imports built is frozen (``gc.freeze``: out of the collector's sight, never freed, as
    modules are not). At exit, the last collection over everything took 0.35 s; files are written and
    closed by then."""
    gc.set_threshold(20_000, 50, 100)
    args = parse()
    gc.freeze()
    code = run(args)
    sys.stdout.flush()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    entry()
