"""Math at build time: TeX → KaTeX HTML in one long-lived node process, cached by content hash.

Pages carry math as pymdownx.arithmatex writes it in generic mode
(``<span class="arithmatex">\\(…\\)</span>`` and ``<div class="arithmatex">\\[…\\]</div>``);
:func:`KatexRenderer.render_html` replaces those with KaTeX's HTML (plus MathML for screen
readers), so a page's own math needs only KaTeX's CSS and fonts, which :func:`copy_assets`
copies next to the pages: no JavaScript runs for it at view time, and no raw TeX reaches the
page text, the search index or a printout. The quiz widgets are the exception: their thousands
of variants carry TeX, which the browser draws with the copied ``katex.min.js`` (the same pinned
package); the build checks every such formula first (:meth:`KatexRenderer.check_many`).
"""

from __future__ import annotations

import atexit
import html
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .cache import TableCache, digest

SERVER = Path(__file__).with_name("katex_server.js")
MATH = re.compile(r'<(span|div) class="arithmatex">(.*?)</\1>', re.S)
# a number where KaTeX reads it as ordinary symbols, whatever its digits: at the start, after an operator, a
# bracket or an opening brace (optionally one space), or after \times / \cdot; not right after a control word,
# ^ or _ (where the number of digit tokens can decide what an argument is: \frac12, x^12)
NUMBER = re.compile(r"(?:^|(?<=[=+\-(*/,|<>\[{])|(?<=[=+\-(*/,|<>\[{] )|(?<=\\times )|(?<=\\cdot ))\d+(?:\.\d+)?")
# KaTeX writes the TeX source into the MathML <annotation>: keep it out of the page text and search index
ANNOTATION = re.compile(r'<annotation encoding="application/x-tex">.*?</annotation>', re.S)


def tex_of(m: re.Match) -> str:
    """The TeX inside one :data:`MATH` match (HTML-unescaped, without the ``\\(``/``\\[`` delimiters)."""
    text = html.unescape(m.group(2)).strip()
    if text.startswith(("\\(", "\\[")):
        text = text[2:-2]
    return text.strip()


class KatexError(RuntimeError):
    """A formula KaTeX cannot parse, or node/katex missing: the build must stop."""


def find_katex(root: Path) -> Path:
    pkg = root / "node_modules" / "katex"
    if not (pkg / "package.json").exists():
        raise KatexError(f"KaTeX is not installed under {root / 'node_modules'}: run `npm ci` at the project root "
                         "(node and npm come from Debian: scripts/system-deps.sh)")
    return pkg


def katex_version(root: Path) -> str:
    return json.loads((find_katex(root) / "package.json").read_text())["version"]


@dataclass
class KatexRenderer:
    """Renders formulas with KaTeX; starts node only when a formula is not in the cache."""

    root: Path  # project root (has node_modules/katex)
    cache_dir: Path | None = None  # .cache/ (None: no cache)
    warnings: list[str] = field(default_factory=list)
    formulas: int = 0  # formulas asked for
    rendered: int = 0  # formulas node actually rendered (cache misses)

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()
        self.version = katex_version(self.root)
        self._cache = TableCache(self.cache_dir, f"katex-{self.version}")
        self._proc: subprocess.Popen | None = None
        self._checked: set[tuple[str, bool]] = set()  # formula shapes check_many has already passed

    # -- the node process ---------------------------------------------------------------
    def _start(self) -> subprocess.Popen:
        if self._proc is None or self._proc.poll() is not None:
            node = shutil.which("node") or shutil.which("nodejs")
            if node is None:
                raise KatexError("node is not installed (Debian package nodejs: scripts/system-deps.sh)")
            self._proc = subprocess.Popen([node, str(SERVER), str(self.root)], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, text=True, encoding="utf-8", bufsize=1)
            hello = self._proc.stdout.readline()
            if not hello:
                raise KatexError("the KaTeX node process did not start")
        return self._proc

    def flush(self) -> None:
        self._cache.flush()

    def close(self) -> None:
        self._cache.flush()
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.stdin.close()
                try:
                    self._proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
            self._proc = None

    def __enter__(self) -> KatexRenderer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- rendering -----------------------------------------------------------------------
    def _key(self, tex: str, display: bool) -> str:
        return digest("katex", self.version, "htmlAndMathml-noannotation", display, tex)

    def _ask(self, items: list[tuple[str, bool]], where: str, check: bool = False) -> list[str]:
        """One request to node for ``items``: their HTML ("" each when only checking). Warnings are kept;
        formulas KaTeX cannot parse raise one KatexError naming all of them."""
        proc = self._start()
        request = {"items": [{"tex": tex, "display": display} for tex, display in items], "check": check}
        proc.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
        proc.stdin.flush()
        line = proc.stdout.readline()
        if not line:
            raise KatexError("the KaTeX node process stopped")
        answer = json.loads(line)
        for (tex, _), notes in zip(items, answer["warnings"]):
            self.warnings += [f"{where}: KaTeX: {note} in {tex!r}" for note in notes]
        errors = [f"{where}: KaTeX cannot render {tex!r}: {err}"
                  for (tex, _), err in zip(items, answer["errors"]) if err]
        if errors:
            raise KatexError("\n".join(errors))
        return answer["html"]

    def render_many(self, items: Iterable[tuple[str, bool]], where: str = "") -> list[str]:
        """HTML of each ``(tex, display)``; one request to node for all cache misses."""
        items = list(items)
        self.formulas += len(items)
        keys = [self._key(tex, display) for tex, display in items]
        out: list[str | None] = [self._cache.get(k) for k in keys]
        todo = [i for i, h in enumerate(out) if h is None]
        if todo:
            answers = self._ask([items[i] for i in todo], where)
            for i, answer in zip(todo, answers):
                out[i] = ANNOTATION.sub("", answer)
                self._cache.put(keys[i], out[i])
            self.rendered += len(todo)
        return out  # type: ignore[return-value]

    def check_many(self, items: Iterable[tuple[str, bool]], where: str = "") -> None:
        """Check that KaTeX renders each ``(tex, display)`` (math the browser draws: the quiz widget) without
        building its HTML; one KatexError naming every formula it cannot parse.

        Formulas that differ only in numbers standing where KaTeX reads them as plain symbols (:data:`NUMBER`) are
        one check: ``v = 0.9 \\times (-0.2)`` parses exactly when ``v = 0.5 \\times (-1.25)`` does (a formula with
        ``\\char``, whose number is a character code, is checked as it is). A quiz pool's worked solutions are
        mostly such lines: about 2,300 formulas of half the site's pools are 440 checks."""
        todo: dict[tuple[str, bool], tuple[str, bool]] = {}
        for tex, display in dict.fromkeys(items):
            shape = (tex if "\\char" in tex else NUMBER.sub("0", tex), display)
            if shape not in self._checked:
                todo.setdefault(shape, (tex, display))
        if todo:
            self._ask(list(todo.values()), where, check=True)
            self._checked.update(todo)

    def render(self, tex: str, display: bool = False) -> str:
        return self.render_many([(tex, display)])[0]

    def render_html(self, page_html: str, where: str = "") -> str:
        """Replace every arithmatex span/div of ``page_html`` with KaTeX HTML."""
        found = [(tex_of(m), m.group(1) == "div") for m in MATH.finditer(page_html)]
        if not found:
            return page_html
        rendered = iter(self.render_many(found, where))

        def swap(m: re.Match) -> str:
            tag = m.group(1)
            return f'<{tag} class="arithmatex">{next(rendered)}</{tag}>'

        return MATH.sub(swap, page_html)

    def render_text(self, text: str, where: str = "") -> str:
        """Inline ``$…$`` in a short plain text (a nav or TOC title) → HTML (text parts escaped)."""
        parts = re.split(r"(?<!\\)\$(.+?)(?<!\\)\$", text)
        if len(parts) == 1:
            return text
        maths = self.render_many([(p, False) for p in parts[1::2]], where)
        return "".join(html.escape(p) if i % 2 == 0 else maths[i // 2] for i, p in enumerate(parts))


_SHARED: dict[tuple[int, Path], KatexRenderer] = {}


def shared(root: Path) -> KatexRenderer:
    """This process's uncached renderer for ``root``: one node process for every quiz pool and drill sheet the
    process builds (starting node costs ≈ 0.15 s of CPU, and a fresh one is slower at first). Keyed by the
    process id, so a forked worker starts its own instead of writing to its parent's."""
    key = (os.getpid(), Path(root).resolve())
    if key not in _SHARED:
        _SHARED[key] = KatexRenderer(key[1], None)
        atexit.register(_SHARED[key].close)
    return _SHARED[key]


def copy_assets(root: Path, dest: Path, *, script: bool = False) -> list[Path]:
    """Copy KaTeX's CSS and woff2 fonts to ``dest`` (``site/assets/katex``); with ``script``, also
    ``katex.min.js`` (the quiz widget draws its formulas in the browser). Returns the files written.

    The CSS lists woff2, woff and ttf for each font; browsers that read this site all take woff2,
    so only those are copied and the CSS is trimmed to name only them.
    """
    dist = find_katex(root) / "dist"
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "fonts").mkdir(exist_ok=True)
    css = (dist / "katex.min.css").read_text(encoding="utf-8")
    css = re.sub(r',url\(fonts/[^)]+\.woff\) format\("woff"\)', "", css)
    css = re.sub(r',url\(fonts/[^)]+\.ttf\) format\("truetype"\)', "", css)
    written = []
    target = dest / "katex.min.css"
    if not target.exists() or target.read_text(encoding="utf-8") != css:
        target.write_text(css, encoding="utf-8")
    written.append(target)
    if script:
        js = dest / "katex.min.js"
        if not js.exists() or js.read_bytes() != (dist / "katex.min.js").read_bytes():
            shutil.copyfile(dist / "katex.min.js", js)
        written.append(js)
    for font in sorted((dist / "fonts").glob("*.woff2")):
        out = dest / "fonts" / font.name
        if not out.exists() or out.stat().st_size != font.stat().st_size:
            shutil.copyfile(font, out)
        written.append(out)
    return written
