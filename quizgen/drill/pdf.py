"""Print HTML to PDF with headless Chromium (Playwright, Debian's /usr/bin/chromium).

Why Chromium and not WeasyPrint: the sheets carry KaTeX-rendered math (HTML + CSS + KaTeX
fonts), which Chromium lays out exactly as the site shows it, while WeasyPrint flattens MathML
and needs SVG math instead; Chromium honours ``@page`` size and margin boxes (header, footer,
``counter(page)`` / ``counter(pages)``), ``break-inside: avoid`` and embeds subsets of the Noto
CJK fonts; and it was the fastest (one browser, several pages printing at once). It is already a
project dependency (browser tests), installed by scripts/system-deps.sh.

Identical bytes: Skia writes the print time into ``/CreationDate`` and ``/ModDate``; we overwrite
both with a fixed date of the same length (``SOURCE_DATE_EPOCH`` if set, else 2000-01-01), so the
cross-reference offsets stay valid and the same HTML gives the same bytes with the same Chromium
build (the Chromium version is in ``/Creator`` and ``/Producer``; another build may lay out or
subset fonts differently). Merged class PDFs come from poppler's ``pdfunite``, which writes a
time-based ``/ID``: we replace it with a digest of the file's content. (Under heavy CPU load Chromium was
once seen to set a glyph run 0.4 pt differently; see the README's "Identical bytes".)
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = os.environ.get("QUIZGEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


@dataclass(frozen=True)
class PrintJob:
    html: Path  # the HTML file to print (loaded by file:// URL so relative assets resolve)
    pdf: Path  # where to write the PDF


def chromium_path() -> str:
    path = CHROMIUM if os.path.sep in CHROMIUM else (shutil.which(CHROMIUM) or CHROMIUM)
    if not os.access(path, os.X_OK):
        raise OSError(f"Chromium not found at {path} (needed to print PDFs): run `make setup` "
                      f"(scripts/system-deps.sh installs Debian's chromium) or set QUIZGEN_CHROMIUM")
    return path


def fixed_pdf_date() -> bytes:
    """``D:YYYYMMDDHHmmSS+00'00'`` (the 23-byte form Skia writes) of SOURCE_DATE_EPOCH or 2000-01-01."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    t = time.gmtime(int(epoch)) if epoch.isdigit() else time.struct_time((2000, 1, 1, 0, 0, 0, 5, 1, 0))
    return time.strftime("D:%Y%m%d%H%M%S+00'00'", t).encode("ascii")


_DATE = re.compile(rb"/(CreationDate|ModDate) \((D:\d{14}[+\-Z][^)]{0,8})\)")


def normalise_chromium_pdf(data: bytes) -> bytes:
    """Replace the print time in the Info dictionary by a fixed date of the same length."""
    fixed = fixed_pdf_date()

    def sub(m: re.Match[bytes]) -> bytes:
        old = m.group(2)
        new = fixed if len(fixed) == len(old) else fixed[: len(old)].ljust(len(old), b"0")
        return b"/" + m.group(1) + b" (" + new + b")"

    return _DATE.sub(sub, data)


def _literal_end(data: bytes, i: int) -> int:
    """Index just past the PDF literal string starting at ``data[i] == b'('``."""
    depth, i = 0, i
    while i < len(data):
        c = data[i]
        if c == 0x5C:  # backslash escapes the next byte
            i += 2
            continue
        if c == 0x28:
            depth += 1
        elif c == 0x29:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unterminated string in PDF trailer")


def normalise_trailer_id(data: bytes) -> bytes:
    """Replace the trailer's ``/ID [...]`` (pdfunite derives it from the time) by a content digest.

    The trailer follows the cross-reference table, so its length may change freely."""
    t = data.rfind(b"trailer")
    if t < 0:
        return data
    k = data.find(b"/ID", t)
    if k < 0:
        return data
    j = data.find(b"[", k)
    i, end = j + 1, None
    while i < len(data):
        c = data[i : i + 1]
        if c == b"(":
            i = _literal_end(data, i)
        elif c == b"<":
            i = data.index(b">", i) + 1
        elif c == b"]":
            end = i + 1
            break
        else:
            i += 1
    if end is None:
        return data
    body = data[:k] + data[end:]
    h = hashlib.md5(body, usedforsecurity=False).hexdigest().encode("ascii")
    return data[:k] + b"/ID [<" + h + b"> <" + h + b">]" + data[end:]


_COUNT = re.compile(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)|/Count\s+(\d+)[^>]*?/Type\s*/Pages\b")


def page_count(data: bytes) -> int:
    """Pages in a PDF written by Chromium (the root page tree's /Count)."""
    counts = [int(a or b) for a, b in _COUNT.findall(data)]
    if not counts:
        raise ValueError("cannot count the pages of a PDF")
    return max(counts)


def merge_pdfs(parts: Sequence[Path], out: Path) -> None:
    """Concatenate PDFs (poppler's pdfunite) into ``out``, with a content-derived /ID."""
    if not parts:
        raise ValueError("nothing to merge")
    exe = shutil.which("pdfunite")
    if exe is None:
        raise OSError("pdfunite not found (poppler-utils): run `make setup`")
    if len(parts) == 1:
        shutil.copyfile(parts[0], out)
        return
    res = subprocess.run([exe, *map(str, parts), str(out)], capture_output=True, text=True)
    if res.returncode != 0:
        raise OSError(f"pdfunite failed: {res.stderr.strip().splitlines()[-1] if res.stderr.strip() else res}")
    out.write_bytes(normalise_trailer_id(out.read_bytes()))


# Run in every page before its HTML is parsed: on screen the document is not displayed, so Chromium does not
# style and lay out a sheet for the window (several times, as its fonts arrive) only to do it again for print.
# ``page.pdf`` lays out in print media, where the rule does not apply: the PDF is the same, byte for byte
# (tested), and printing takes about half the time. The rule lives in a constructed style sheet, so the HTML
# files beside the PDFs stay as they are.
NO_SCREEN_LAYOUT = """(() => {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync('@media screen { html { display: none !important } }');
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
})();"""


@contextlib.asynccontextmanager
async def launch():
    """One headless Chromium; yields a browser context for printing (offline: a sheet loads only local files;
    pages are not laid out for the screen, see ``NO_SCREEN_LAYOUT``)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(offline=True)
            await context.add_init_script(NO_SCREEN_LAYOUT)
            yield context
        finally:
            await browser.close()


# Force a style pass first (CSS-connected FontFaces appear in document.fonts only once the style sheets are
# resolved), load every declared web font (KaTeX's), then report the faces that are not loaded.
_LOAD_FONTS = """async () => {
  void document.body.offsetHeight;
  await Promise.all(Array.from(document.fonts, f => f.load().catch(() => null)));
  await document.fonts.ready;
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const faces = Array.from(document.fonts);
  return {count: faces.length, math: document.querySelector('.katex') !== null,
          failed: faces.filter(f => f.status !== 'loaded').map(f => f.family + ' ' + f.weight + ' ' + f.style)};
}"""
FONT_ATTEMPTS = 3


async def print_one(page, job: PrintJob) -> None:
    """Print one sheet once every web font it declares is loaded: a font first needed during the print layout
    (math in a question out of view) would still be loading, and that text would print in a fallback font
    (blank, or at other positions, so two runs would differ)."""
    for _ in range(FONT_ATTEMPTS):
        await page.goto(job.html.resolve().as_uri(), wait_until="load")
        fonts = await page.evaluate(_LOAD_FONTS)
        if not fonts["failed"] and (fonts["count"] or not fonts["math"]):
            break
    else:
        missing = ", ".join(fonts["failed"]) or "no web font declared"
        raise OSError(f"{job.html.name}: fonts did not load in Chromium ({missing}); check the KaTeX assets beside it")
    data = await page.pdf(prefer_css_page_size=True, print_background=True)
    job.pdf.write_bytes(normalise_chromium_pdf(data))


async def _print_worker(context, queue: asyncio.Queue, on_done: Callable[[PrintJob], None] | None = None) -> None:
    """Print jobs from ``queue`` on one page of ``context`` until it yields ``None``."""
    page = await context.new_page()
    try:
        while True:
            job = await queue.get()
            if job is None:
                break
            await print_one(page, job)
            if on_done is not None:
                on_done(job)
    finally:
        await page.close()


def default_concurrency() -> int:
    """Pages printing at once in the one browser: measured best at cores + 1 on 2 cores."""
    return max(2, min(6, (os.cpu_count() or 1) + 1))


async def _print_async(jobs: Sequence[PrintJob], concurrency: int, on_done) -> None:
    queue: asyncio.Queue[PrintJob | None] = asyncio.Queue()
    n = max(1, min(concurrency, len(jobs)))
    for job in [*jobs, *([None] * n)]:
        queue.put_nowait(job)
    async with launch() as context:
        await asyncio.gather(*(_print_worker(context, queue, on_done) for _ in range(n)))


def print_pdfs(jobs: Sequence[PrintJob], *, concurrency: int | None = None,
               on_done: Callable[[PrintJob], None] | None = None) -> None:
    """Print every job's HTML to its PDF with one headless Chromium, several pages at once."""
    if not jobs:
        return
    chromium_path()
    asyncio.run(_print_async(list(jobs), concurrency or default_concurrency(), on_done))
