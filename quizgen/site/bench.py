"""``python -m quizgen.site.bench`` (``make bench-site``): how long the study site takes to build.

In a temporary copy of the project (docs/, mkdocs.yml, hooks/, the code; node_modules linked), so
neither the docs nor the developer's ``.cache/`` are touched:

1. cold: ``mkdocs build --strict`` with an empty cache (every plot, formula, quiz pool, drill sheet, page and
   the training run);
2. warm, one page edited: a line added to one optimizer page, the whole site built again;
3. warm, nothing changed;
4. live rebuild: what ``mkdocs serve --dirty`` does after that page is edited (one process keeps the
   config and the hook's state; only the edited page is rebuilt);
5. plain: the generated Markdown (``quizgen site build``, every macro expanded) built by ``mkdocs build``
   with no hook at all: the floor that MkDocs and mkdocs-material themselves cost.

Prints the wall-clock times, the CPU time they used and the targets (cold ≤ 20 s on 2 cores,
warm ≤ 2 s). Times are measured, never asserted: a test suite does not time anything.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..machine import describe
from .render import project_root

COPY = ("mkdocs.yml", "package.json", "docs", "hooks", "quizgen", "optimizers")


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def build(tree: Path, cache: Path) -> tuple[float, float]:
    env = dict(os.environ, QUIZGEN_SITE_CACHE=str(cache), NO_MKDOCS_2_WARNING="1")
    cpu0, t0 = _cpu(), time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(tree / "site")],
                          cwd=tree, env=env, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - t0, _cpu() - cpu0
    if done.returncode != 0:
        raise SystemExit(f"bench-site: the build failed\n{done.stdout}{done.stderr}")
    return wall, cpu


LIVE = """
import os, sys, time
from pathlib import Path
from mkdocs.commands.build import build
from mkdocs.config import load_config
def config():
    c = load_config("mkdocs.yml", site_dir=sys.argv[1])
    c["strict"] = False  # a dirty build warns that the navigation of the other pages may be stale
    return c
build(config(), dirty=False)
page = Path("docs") / sys.argv[2]
page.write_text(page.read_text(encoding="utf-8") + "\\n\\n（もう 1 行）\\n", encoding="utf-8")
t0, c0 = time.perf_counter(), time.process_time()
build(config(), dirty=True)
print(time.perf_counter() - t0, time.process_time() - c0)
"""


def live(tree: Path, cache: Path, page: str) -> tuple[float, float]:
    """Time of ``mkdocs serve --dirty``'s rebuild after one page is edited (measured inside one process)."""
    env = dict(os.environ, QUIZGEN_SITE_CACHE=str(cache), NO_MKDOCS_2_WARNING="1")
    done = subprocess.run([sys.executable, "-c", LIVE, str(tree / "site-live"), page], cwd=tree, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench-site: the live rebuild failed\n{done.stdout}{done.stderr}")
    wall, cpu = map(float, done.stdout.split()[-2:])
    return wall, cpu


def plain(tree: Path, cache: Path) -> tuple[float, float]:
    """``quizgen site build`` (from the warm cache), then a plain ``mkdocs build`` of its output, timed."""
    env = dict(os.environ, QUIZGEN_SITE_CACHE=str(cache), NO_MKDOCS_2_WARNING="1")
    gen = tree / "generated"
    done = subprocess.run([sys.executable, "-m", "quizgen", "site", "build", "--out", str(gen)], cwd=tree, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench-site: quizgen site build failed\n{done.stdout}{done.stderr}")
    lines = (tree / "mkdocs.yml").read_text(encoding="utf-8").splitlines()
    out, skip = [], False
    for line in lines:  # the same configuration without the hook, reading the generated folder
        if line.startswith("hooks:"):
            skip = True
            continue
        if skip and line.startswith("  "):
            continue
        skip = False
        out.append("docs_dir: generated" if line.startswith("docs_dir:") else line)
    (tree / "plain.yml").write_text("\n".join(out) + "\n", encoding="utf-8")
    cpu0, t0 = _cpu(), time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet", "-f", "plain.yml", "-d",
                           str(tree / "site-plain")], cwd=tree, env=env, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - t0, _cpu() - cpu0
    if done.returncode != 0:
        raise SystemExit(f"bench-site: the plain build failed\n{done.stdout}{done.stderr}")
    return wall, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m quizgen.site.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--page", default="optimizers/adam.md", help="the page edited for the warm build")
    args = parser.parse_args(argv)
    root = project_root()
    machine = describe()  # before the builds, while the machine is as idle as it will be
    with tempfile.TemporaryDirectory(prefix="bench-site-") as tmp:
        tree, cache = Path(tmp) / "tree", Path(tmp) / "cache"
        tree.mkdir()
        for name in COPY:
            src = root / name
            if src.is_dir():
                shutil.copytree(src, tree / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(src, tree / name)
        (tree / "node_modules").symlink_to(root / "node_modules")
        page = tree / "docs" / args.page
        if not page.exists():
            raise SystemExit(f"bench-site: no page {args.page}")
        cold = build(tree, cache)
        page.write_text(page.read_text(encoding="utf-8") + "\n\n（ベンチマークで追加した 1 行）\n", encoding="utf-8")
        warm = build(tree, cache)
        same = build(tree, cache)
        dirty = live(tree, cache, args.page)
        floor = plain(tree, cache)
    cores = os.cpu_count()
    rows = [("cold, empty cache", cold, "target ≤ 20 s"),
            (f"warm, after editing {args.page}", warm, "target ≤ 2 s"),
            ("warm, nothing changed", same, ""),
            ("live rebuild after the edit (mkdocs serve --dirty)", dirty, "target ≤ 2 s"),
            ("plain mkdocs build of the generated Markdown", floor, "(no hook: MkDocs and the theme alone)")]
    print(f"site build on {cores} cores (wall clock / CPU time of the build and its helpers):")
    print(f"  {machine}")
    for label, (wall, cpu), note in rows:
        print(f"  {label:<52s} {wall:6.1f} s  (CPU {cpu:5.1f} s)  {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
