"""``python -m quizgen.site.bench`` (``make bench-site``): how long the study site takes to build.

In a temporary copy of the project (docs/, mkdocs.yml, hooks/, the code; node_modules linked), so
neither the docs nor the developer's ``.cache/`` are touched:

1. cold: ``mkdocs build --strict`` with an empty cache (every plot, formula, page and the training run);
2. warm, one page edited: a line added to one optimizer page, built again;
3. warm, nothing changed.

Prints the three wall-clock times, the CPU time they used and the targets (cold ≤ 20 s on 2 cores,
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m quizgen.site.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--page", default="optimizers/adam.md", help="the page edited for the warm build")
    args = parser.parse_args(argv)
    root = project_root()
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
    cores = os.cpu_count()
    print(f"site build on {cores} cores (wall clock / CPU time of the build and its helpers):")
    print(f"  cold, empty cache              {cold[0]:6.1f} s  (CPU {cold[1]:5.1f} s)   target ≤ 20 s")
    print(f"  warm, after editing {args.page:<10s} {warm[0]:6.1f} s  (CPU {warm[1]:5.1f} s)   target ≤ 2 s")
    print(f"  warm, nothing changed          {same[0]:6.1f} s  (CPU {same[1]:5.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
