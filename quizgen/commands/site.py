"""``quizgen site build --out DIR``: the study site's Markdown with every macro expanded, as a folder.

MkDocs builds the site through hooks/site.py; this command produces the same generated Markdown
(plus the SVG plots it links to and KaTeX's CSS and fonts) without MkDocs, so any other static-site
tool can consume it (mkdocs-material's successor Zensical runs no MkDocs hooks). Math stays as
``$…$``/``$$…$$`` (pymdownx.arithmatex syntax) for that tool to render.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("site", help="generate the study site's Markdown (macros expanded) into a folder",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = p.add_subparsers(dest="site_action", required=True, metavar="ACTION")
    b = actions.add_parser("build", help="write docs/ with every macro expanded to --out")
    b.add_argument("--out", required=True, help="output folder (created; files in it are overwritten)")
    b.add_argument("--docs", type=Path, default=None, help="the docs folder (default: docs/ of the project)")
    b.add_argument("--no-cache", action="store_true", help="compute everything, without reading or writing .cache/")
    return p


def run(args: argparse.Namespace) -> int:
    from ..site.render import SiteBuilder, SiteError, project_root

    out = _out_folder(args.out)
    root = project_root()
    docs = args.docs or root / "docs"
    if not docs.is_dir():
        raise ValueError(f"no docs folder at {docs}")
    start = time.perf_counter()
    builder = SiteBuilder(root, docs, cache_dir=None if args.no_cache else "auto")
    try:
        counts = builder.export(out)
    except SiteError as e:
        raise ValueError(str(e)) from None
    finally:
        builder.close()
    print(f"site: {counts['pages']} pages, {counts['generated']} generated files, {counts['files']} other files "
          f"→ {args.out} ({time.perf_counter() - start:.1f} s)")
    return 0


def _out_folder(typed: str) -> Path:
    """``--out`` as a folder that exists or can be made; one error line naming what was typed otherwise."""
    if not typed or not typed.strip():
        raise ValueError("--out is empty: give a folder name")
    path = Path(typed)
    if path.exists() and not path.is_dir():
        raise ValueError(f"cannot write into {typed}: it is not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ValueError(f"cannot make the folder {typed}: {e.strerror or e}") from None
    return path
