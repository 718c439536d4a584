"""``python -m quizgen.site.weigh`` (``make weigh-site``, part of ``make bench-site``): what each page of the built
site weighs as a learner's browser loads it.

Every HTML page of the built site is opened in headless Chromium (Debian's ``/usr/bin/chromium``), scrolled to
the bottom a screen at a time (lazy images and quiz variants load as they come into view) and left until the
network is idle. The page's weight is the sum of the bodies of every response it received: raw (as the files lie
on disk) and gzip-compressed (each body on its own, level 6, as a static server that compresses would send it).
Fonts (KaTeX's woff2) and the search index are counted apart: fonts are cached across pages and loaded only for
the glyphs a page draws, and the search index loads once for the whole site.

Limits (:data:`LIMITS`, checked for every page by tests/test_site_weight.py):

- gzip: a page ≤ 200 KB, everything it loads but fonts and the search index;
- raw: a page's own bytes ≤ 500 KB: everything but fonts, the search index and the theme's files that every page
  shares (:data:`THEME`: mkdocs-material's CSS and JavaScript, its search worker and lunr scripts, the icon;
  about 330 KB raw, identical on every page and cached after the first). The raw total with them is printed
  too; it cannot fall under 500 KB for a page with three figures and a hundred formulas (see the README);
- the search index ≤ 400 KB raw.

A new page (a playground, a review page) is covered as soon as it is in the built site: nothing here lists pages
by name. The printable drill sheets (``drills/sheets/``) are weighed and printed but held to the gzip limit only:
a sheet to print has every worked solution in it, nothing can load later.

Content that is only needed when the learner opens it stays out of the first HTML and is fetched then: a closed
block or a later tab (``quizgen/site/lazy.py``), a quiz's variants (``quizgen/quiz/site.py``); see the README
("Page weight").
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import os
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]

#: bytes (see the module doc for what each counts)
LIMITS = {"page_raw": 500_000, "page_gzip": 200_000, "search_index": 400_000}
FONT_SUFFIXES = (".woff2", ".woff", ".ttf", ".otf")
SEARCH_INDEX = "search/search_index.json"
#: site paths (prefixes) of the theme's files that every page loads alike
THEME = ("assets/stylesheets/main.", "assets/stylesheets/palette.", "assets/javascripts/", "assets/images/favicon")
PRINT = "drills/sheets/"  # printable sheets: gzip limit only


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


@dataclass
class Weight:
    """One page as loaded: every response's path (site-relative) with its raw and gzip bytes."""

    path: str
    files: dict[str, tuple[int, int]] = field(default_factory=dict)  # site path -> (raw, gzip)

    def kind(self, f: str) -> str:
        if f.endswith(FONT_SUFFIXES):
            return "font"
        if f == SEARCH_INDEX:
            return "index"
        if f.startswith(THEME):
            return "theme"
        return "page"

    def total(self, kinds: tuple[str, ...] = ("page",), i: int = 0) -> int:
        return sum(v[i] for f, v in self.files.items() if self.kind(f) in kinds)

    @property
    def own(self) -> int:
        """Raw bytes of the page's own files (not fonts, the index or the theme's shared files)."""
        return self.total(("page",), 0)

    @property
    def raw(self) -> int:
        """Raw bytes of everything but fonts and the search index."""
        return self.total(("page", "theme"), 0)

    @property
    def gzip(self) -> int:
        return self.total(("page", "theme"), 1)

    def largest(self, n: int = 3) -> list[tuple[str, int]]:
        items = [(f, v[0]) for f, v in self.files.items() if self.kind(f) == "page"]
        return sorted(items, key=lambda x: -x[1])[:n]

    def over(self) -> list[str]:
        """What is over the limits (empty when the page is within them)."""
        out = []
        if self.own > LIMITS["page_raw"] and not self.path.startswith(PRINT):
            out.append(f"{self.path}: own {self.own:,} B raw > {LIMITS['page_raw']:,} (largest: {self.largest()})")
        if self.gzip > LIMITS["page_gzip"]:
            out.append(f"{self.path}: {self.gzip:,} B gzip > {LIMITS['page_gzip']:,} (largest: {self.largest()})")
        return out


def pages(site_dir: Path) -> list[str]:
    """Every HTML page of a built site, as URL paths (``optimizers/adam/``, ``drills/sheets/drill-1.html``)."""
    return sorted(p.relative_to(site_dir).parent.as_posix() + "/" if p.name == "index.html" else
                  p.relative_to(site_dir).as_posix()
                  for p in site_dir.rglob("*.html")
                  if p.name != "404.html" and not p.relative_to(site_dir).as_posix().startswith("assets/"))


def _site_path(url: str, base: str) -> str:
    path = unquote(urlparse(url).path)
    prefix = urlparse(base).path.rstrip("/")
    path = path[len(prefix):] if path.startswith(prefix) else path
    path = path.lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


SCROLL = """async () => {
  const step = Math.max(200, Math.floor(innerHeight * 0.9));
  for (let y = 0; y <= document.documentElement.scrollHeight; y += step) {
    scrollTo(0, y);
    await new Promise(r => setTimeout(r, 60));
  }
  scrollTo(0, document.documentElement.scrollHeight);
  await new Promise(r => setTimeout(r, 150));
}"""


def weigh(browser, base: str, path: str, *, site_dir: Path | None = None,
          viewport: tuple[int, int] = (1280, 900)) -> Weight:
    """Open ``base/path`` in a fresh context (empty cache), scroll to the bottom, wait for the network to be idle;
    the bodies of every response, by site path. A body is read from the built folder when ``site_dir`` is given
    (exactly the bytes served), else from the response."""
    ctx = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = ctx.new_page()
    seen: list = []
    page.on("response", lambda r: seen.append(r))
    try:
        page.goto(f"{base}/{path}")
        page.wait_for_load_state("networkidle")
        page.evaluate(SCROLL)
        page.wait_for_load_state("networkidle")
        w = Weight(path)
        for r in seen:
            if urlparse(r.url).scheme not in ("http", "https"):
                continue
            f = _site_path(r.url, base)
            file = site_dir / f if site_dir is not None else None
            if file is not None and file.is_file():
                body = file.read_bytes()
            else:
                try:
                    body = r.body()
                except Exception:  # a redirect or an aborted request has no body
                    continue
            w.files[f] = (len(body), gz(body))
        return w
    finally:
        ctx.close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(site_dir: Path):
    """A static server of ``site_dir`` on 127.0.0.1 (a thread); returns (base URL, server)."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site_dir)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_address[1]}", httpd


def weigh_site(site_dir: Path, browser=None) -> list[Weight]:
    """Every page of ``site_dir``, heaviest (raw) first."""
    base, httpd = serve(site_dir)
    try:
        if browser is not None:
            out = [weigh(browser, base, p, site_dir=site_dir) for p in pages(site_dir)]
        else:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as pw:
                b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    out = [weigh(b, base, p, site_dir=site_dir) for p in pages(site_dir)]
                finally:
                    b.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    return sorted(out, key=lambda w: (-w.raw, w.path))  # largest first


def report(weights: list[Weight], site_dir: Path) -> str:
    kb = lambda n: f"{n / 1000:8.1f}"  # noqa: E731
    index = site_dir / SEARCH_INDEX
    index_raw = index.stat().st_size if index.exists() else 0
    lines = [f"page weight as loaded in Chromium after scrolling, KB = 1000 B, largest first; fonts and the search "
             f"index apart. limits: own ≤ {LIMITS['page_raw'] // 1000} KB raw, all ≤ {LIMITS['page_gzip'] // 1000} KB "
             f"gzip (own: without the theme's shared files, {', '.join(THEME)})",
             f"{'page':<40s} {'raw KB':>8s} {'gzip KB':>8s} {'own KB':>8s} {'fonts':>8s}  largest own files (raw KB)"]
    for w in weights:
        flag = " OVER" if w.over() else ""
        big = ", ".join(f"{f.rsplit('/', 1)[-1]} {n / 1000:.0f}" for f, n in w.largest(3))
        lines.append(f"{w.path:<40s} {kb(w.raw)} {kb(w.gzip)} {kb(w.own)} {kb(w.total(('font',)))}  {big}{flag}")
    lines.append(f"search index ({SEARCH_INDEX}): {index_raw / 1000:.1f} KB raw, "
                 f"{gz(index.read_bytes()) / 1000 if index.exists() else 0:.1f} KB gzip "
                 f"(limit {LIMITS['search_index'] // 1000} KB raw)")
    over = [o for w in weights for o in w.over()]
    if index_raw > LIMITS["search_index"]:
        over.append(f"{SEARCH_INDEX}: {index_raw:,} B > {LIMITS['search_index']:,}")
    lines.append(f"{len(weights)} pages, {len(over)} over a limit" + (":\n  " + "\n  ".join(over) if over else ""))
    return "\n".join(lines)


def build(root: Path, out: Path) -> None:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(out)], cwd=root,
                          env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"weigh-site: the build failed\n{done.stdout}{done.stderr}")


def main(argv: list[str] | None = None) -> int:
    from .render import project_root

    parser = argparse.ArgumentParser(prog="python -m quizgen.site.weigh", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, help="an already built site folder (default: build one now)")
    args = parser.parse_args(argv)
    if args.site is not None:
        if not (args.site / "index.html").is_file():
            print(f"weigh-site: {args.site} is not a built site (no index.html)", file=sys.stderr)
            return 2
        weights = weigh_site(args.site)
        print(report(weights, args.site))
        return 0
    with tempfile.TemporaryDirectory(prefix="weigh-site-") as tmp:
        site = Path(tmp) / "site"
        build(project_root(), site)
        weights = weigh_site(site)
        print(report(weights, site))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
