"""Pages as Jinja templates: hand-written Markdown in, Markdown with every macro expanded out.

Nothing here imports MkDocs. The MkDocs hook (``hooks/site.py``) and the command
``python -m quizgen site build --out DIR`` both call :class:`SiteBuilder`:

- :meth:`SiteBuilder.render_page` renders one page's Markdown as a Jinja template whose
  globals are the macros (:mod:`quizgen.site.macros`), and returns the Markdown plus the
  generated files it links to (SVG plots), as paths relative to the docs folder;
- :meth:`SiteBuilder.math_placeholders` and :meth:`SiteBuilder.fill_math` turn the arithmatex
  spans of rendered HTML into KaTeX HTML (in two steps, so that a search index built in between
  sees the formula as short text, not as KaTeX's hundreds of nested spans);
- :meth:`SiteBuilder.export` writes the whole generated Markdown tree to a folder.

Caches (``.cache/``, by content hash): whole pages and single macro calls (keyed by the digest
of every source file, the page and the arguments), plots, and KaTeX's HTML per formula.
"""

from __future__ import annotations

import html as htmllib
import json
import multiprocessing
import os
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from .. import outfile
from . import katex
from .cache import FileCache, digest, file_digest
from .chapter import MACROS as CHAPTER_MACROS

GENERATED = "assets/generated"  # docs-relative folder of generated files (plots)

#: the macros a page may call (implemented in quizgen/site/macros.py)
MACROS = ("meta", "rule", "symbols", "source", "worked_example", "trajectories", "lr_effect", "conventions",
          "mistakes", "default", "step_value", "paths", "compare_paths", "training_comparison", "erratum",
          "quiz_link", "torch_default", "drill_today", "drill_table",
          # the chapter's other topics (quizgen/site/schedules.py, early_stopping.py, averaging.py, second_order.py,
          # challenges.py)
          "schedule_formula", "schedule_curves", "schedule_worked", "schedule_counting", "schedule_effect",
          "early_stopping_run", "early_stopping_worked", "early_stopping_patience",
          "averaging_run", "averaging_worked", "newton_vs_gd", "condition_table", "newton_cost", "newton_saddle",
          "cg_example", "bfgs_example", "local_minima", "plateau", "critical_points", "technique_class",
          "technique_rule",
          "playground",  # the playground (quizgen/site/playground.py)
          "quiz", "exam", "progress", "review")  # the last four: the self-checking quizzes (quizgen/quiz/)
MACROS += CHAPTER_MACROS  # the optimization chapter's pages (quizgen/site/chapter.py)
QUIZ_MACROS = ("quiz", "exam", "progress", "review")
# the quizzes are cached by quizgen/quiz itself (pools by content hash); quiz_link, which depends on which quiz
# pages exist, is cached with that list in its key
UNCACHED = QUIZ_MACROS

PLACEHOLDER = re.compile(
    r'<(span|div) class="arithmatex" data-qg-math="([0-9a-f]{24})"(?: data-search-exclude)?>.*?</\1>', re.S)
TAGS = re.compile(r"<[^>]+>")
INLINE_TEX = re.compile(r"\\\((.+?)\\\)")
MATHML = re.compile(r'<span class="katex-mathml">(.*?)</span>', re.S)


# YAML front matter as MkDocs strips it before a page's Markdown reaches the macros (mkdocs.utils.meta)
FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.UNICODE | re.DOTALL)


def body_of(text: str) -> str:
    """The Markdown of a page without its YAML front matter (what MkDocs hands to on_page_markdown)."""
    m = FRONT_MATTER.match(text)
    return text[m.end():].lstrip("\n") if m else text


class SiteError(RuntimeError):
    """A page cannot be generated (unknown macro, bad argument, missing module): the build stops."""


@dataclass
class RenderedPage:
    markdown: str
    assets: dict[str, bytes] = field(default_factory=dict)  # docs-relative path -> content


def project_root(start: Path | None = None) -> Path:
    """The folder with mkdocs.yml and package.json (the current folder or one of its parents)."""
    here = (start or Path.cwd()).resolve()
    for p in (here, *here.parents):
        if (p / "mkdocs.yml").exists() and (p / "package.json").exists():
            return p
    return Path(__file__).resolve().parents[2]


#: the code a generated page depends on (what the macros import); a change to any other file of the
#: project (drills, exports, the CLI) leaves the site's caches valid
DEPENDS = ("trace.py", "formulas.py", "problems.py", "plots.py", "equivalence.py", "mistakes.py", "training.py",
           "seeds.py", "families/__init__.py", "families/_run.py", "families/_chapter.py")


def code_version() -> str:
    """Digest of every source file a generated page depends on: optimizers/, the quizgen modules in
    :data:`DEPENDS` and the site code itself, and of the font file the figures are drawn with.

    Read from the files beside this one, without importing them: a warm build whose pages are all
    cached never imports sympy, matplotlib or the optimizers."""
    quizgen = Path(__file__).resolve().parents[1]
    files = sorted((quizgen.parent / "optimizers").rglob("*.py"))  # with optimizers/techniques
    files += [quizgen / name for name in DEPENDS if (quizgen / name).exists()]
    files += sorted((quizgen / "chapter").glob("*.py"))  # the chapter pages' questions, mistakes and proofs
    files += sorted((quizgen / "site").glob("*.py")) + sorted((quizgen / "site").glob("*.js"))
    from .. import fonts

    return digest(file_digest(*files), fonts.identity())  # pages hold figures drawn with the font


def quiz_version(root: Path) -> str:
    """What the quiz widgets on a page depend on (quizgen/quiz: its pools' code digest, its settings and its
    page macros); empty if the project has no quizzes."""
    try:
        from ..quiz import pool, specs
    except ModuleNotFoundError:
        return ""
    pages = [p for p in (Path(pool.__file__).with_name(n) for n in ("site.py", "review.py")) if p.exists()]
    return digest(pool.code_digest(), specs.settings_key(root), file_digest(*pages) if pages else "")


class SiteBuilder:
    """Everything one build needs: the macro environment, the caches and the KaTeX process."""

    def __init__(self, root: Path | str, docs_dir: Path | str | None = None, cache_dir: Path | str | None = "auto"):
        self.root = Path(root).resolve()
        self.docs_dir = Path(docs_dir).resolve() if docs_dir else self.root / "docs"
        if cache_dir == "auto":  # QUIZGEN_SITE_CACHE: another folder (the benchmark's empty one), "" for none
            env = os.environ.get("QUIZGEN_SITE_CACHE")
            cache_dir = (env or None) if env is not None else self.root / ".cache"
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.env = jinja2.Environment(
            undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True,
            # Markdown writes {#id} after headings (attr_list): keep Jinja comments out of its way
            comment_start_string="{##", comment_end_string="##}")
        self.plots = FileCache(self.cache_dir, "plots", ".svg")
        self.assets = FileCache(self.cache_dir, "assets")  # generated files by their (content-addressed) name
        self.page_cache = FileCache(self.cache_dir, "pages", ".json")
        self.macro_cache = FileCache(self.cache_dir, "macros", ".json")
        self.version = code_version()
        self._quiz_version: str | None = None
        self._katex: katex.KatexRenderer | None = None
        self._math: dict[str, str] = {}  # placeholder key -> KaTeX HTML (this build)
        self.warnings: list[str] = []

    def refresh(self) -> None:
        """Re-read the code's digest (``mkdocs serve``: the code may have changed since the last build)."""
        self.version = code_version()
        self._quiz_version = None

    def _page_key(self, src: str, text: str) -> str:
        quiz = ""
        if any(f"{name}(" in text for name in QUIZ_MACROS):
            if self._quiz_version is None:
                self._quiz_version = quiz_version(self.root)
            quiz = self._quiz_version
        return digest("page", self.version, quiz, src, text, self._quiz_pages())

    def prerender(self, workers: int | None = None) -> int:
        """Render every page of the docs folder that is not cached yet, in parallel (a process per core),
        filling the page cache that :meth:`render_page` then reads. Returns the number of pages rendered.

        The work is split into lanes, one process each, planned before it starts: the quiz pages share lanes of
        their own (every quiz process first builds the same sympy tables: the formula variants and mistaken rules
        of every optimizer; two processes would both pay for them), the other pages take the rest, the training
        run first (the page that shows it last). The site's printable drill sheets go to the lane with the least
        work. Costs are rough estimates (seconds of CPU on a slow core)."""
        if self.cache_dir is None:
            return 0
        todo = []
        for path in sorted(self.docs_dir.rglob("*.md")):
            src = path.relative_to(self.docs_dir).as_posix()
            text = body_of(path.read_text(encoding="utf-8"))
            cached = (self.page_cache.dir / f"{self._page_key(src, text)}.json").exists()
            if ("{{" in text or "{%" in text) and not cached:
                todo.append((src, text))
        if not todo:
            return 0
        from . import training

        needs_training = any("training_comparison(" in t for _, t in todo) and not training.cached(self.cache_dir)
        workers = workers or max(1, min(os.cpu_count() or 1, len(todo) + needs_training))
        if workers == 1:
            for src, text in todo:
                self.render_page(src, text)
            return len(todo)
        from concurrent.futures import ProcessPoolExecutor

        from ..drill import site as drill_site
        from . import macros  # noqa: F401 -- import sympy, matplotlib, optimizers once, before forking the workers

        sheets = [s for s in drill_site.SITE_SEEDS if drill_site.cached_sheets(s, cache_dir=self.cache_dir) is None]
        args = (str(self.root), str(self.docs_dir), str(self.cache_dir))
        quiz: list[tuple[float, str, str]] = []
        other: list[tuple[float, str, str]] = []
        for src, text in todo:
            (quiz if QUIZ_CALL.search(text) else other).append((_page_cost(text), src, text))
        lanes, loads = _plan(quiz, other, workers, TRAINING_COST if needs_training else 0.0)
        from ..procs import pool_options

        ctx = multiprocessing.get_context("fork")
        pools = [ProcessPoolExecutor(1, **pool_options(ctx)) for _ in lanes]  # workers die with this process
        try:
            futures = []
            for pool, lane in zip(pools, lanes):
                for src, text in lane:
                    if src is None:
                        futures.append(pool.submit(_train_job, str(self.cache_dir)))
                    else:
                        futures.append(pool.submit(_render_job, *args, src, text))
            for seed in sheets:  # to the lane with the least work
                i = loads.index(min(loads))
                loads[i] += SHEET_COST
                futures.append(pools[i].submit(drill_site.sheet_job, seed, str(self.cache_dir)))
            for f in futures:
                f.result()
        finally:
            for pool in pools:
                pool.shutdown()
        return len(todo)

    # -- math ---------------------------------------------------------------------------------
    @property
    def katex(self) -> katex.KatexRenderer:
        if self._katex is None:
            self._katex = katex.KatexRenderer(self.root, self.cache_dir)
        return self._katex

    def render_math(self, html: str, where: str = "") -> str:
        """Every arithmatex span/div of ``html`` replaced by KaTeX HTML, in one step."""
        return self.fill_math(self.math_placeholders(html, where))

    def math_placeholders(self, html: str, where: str = "") -> str:
        """Render every formula of ``html`` with KaTeX, but leave a short placeholder in its place whose
        text is the formula as plain characters (``v←αv−ηg``): what a search index should see."""
        found = [(m.group(1), katex.tex_of(m)) for m in katex.MATH.finditer(html)]
        if not found:
            return html
        try:
            rendered = self.katex.render_many([(tex, tag == "div") for tag, tex in found], where)
        except katex.KatexError as e:
            raise SiteError(str(e)) from None
        keys = []
        for (tag, tex), out in zip(found, rendered):
            key = digest(tag, tex)[:24]
            self._math[key] = out
            mathml = MATHML.search(out)
            text = htmllib.escape(htmllib.unescape(TAGS.sub("", mathml.group(1) if mathml else out)))
            keys.append((key, text))
        it = iter(keys)

        def swap(m: re.Match) -> str:
            key, text = next(it)
            # a display formula's text (v←αv−ηg …) is not what a learner types into the search box
            skip = " data-search-exclude" if m.group(1) == "div" else ""
            return f'<{m.group(1)} class="arithmatex" data-qg-math="{key}"{skip}>{text}</{m.group(1)}>'

        return katex.MATH.sub(swap, html)

    def title_math(self, title: str, where: str = "") -> str:
        """A heading's text as a table of contents shows it (``Adam の \\(t\\) 乗``): math → KaTeX HTML."""
        parts = INLINE_TEX.split(title)
        if len(parts) == 1:
            return title
        try:
            maths = self.katex.render_many([(htmllib.unescape(p), False) for p in parts[1::2]], where)
        except katex.KatexError as e:
            raise SiteError(str(e)) from None
        return "".join(p if i % 2 == 0 else maths[i // 2] for i, p in enumerate(parts))

    def fill_math(self, html: str) -> str:
        """Replace the placeholders of :meth:`math_placeholders` with the KaTeX HTML."""
        def swap(m: re.Match) -> str:
            out = self._math.get(m.group(2))
            if out is None:
                raise SiteError(f"no rendered formula for placeholder {m.group(2)}")
            return f'<{m.group(1)} class="arithmatex">{out}</{m.group(1)}>'

        return PLACEHOLDER.sub(swap, html)

    def copy_katex_assets(self, site_dir: Path | str) -> list[Path]:
        return katex.copy_assets(self.root, Path(site_dir) / "assets" / "katex", script=True)

    def take_warnings(self) -> list[str]:
        out = self.warnings + (self._katex.warnings if self._katex else [])
        self.warnings = []
        if self._katex:
            self._katex.warnings = []
        return out

    def flush(self) -> None:
        if self._katex is not None:
            self._katex.flush()

    def close(self) -> None:
        if self._katex is not None:
            self._katex.close()
            self._katex = None

    # -- pages --------------------------------------------------------------------------------
    def _quiz_pages(self) -> list[str]:
        quiz = self.docs_dir / "quiz"
        return sorted(p.name for p in quiz.glob("*.md")) if quiz.is_dir() else []

    def render_page(self, src: str, text: str) -> RenderedPage:
        """Render the Markdown of docs-relative page ``src`` (e.g. ``optimizers/sgd.md``) with its macros."""
        if "{{" not in text and "{%" not in text:
            return RenderedPage(text)
        if self.cache_dir is None:
            return self._render_page(src, text)
        key = self._page_key(src, text)
        made: list[RenderedPage] = []

        def make() -> bytes:
            page = self._render_page(src, text)
            made.append(page)
            self._store_assets(page.assets)
            return json.dumps({"markdown": page.markdown, "assets": sorted(page.assets)}).encode("utf-8")

        data = json.loads(self.page_cache.get_or_make(key, make))
        if made:
            return made[0]
        return RenderedPage(data["markdown"], self._load_assets(data["assets"]))

    def _store_assets(self, assets: dict[str, bytes]) -> None:
        for uri, content in assets.items():
            self.assets.get_or_make(posixpath.basename(uri), lambda c=content: c)

    def _load_assets(self, uris: list[str]) -> dict[str, bytes]:
        out = {}
        for uri in uris:
            path = self.assets.dir / posixpath.basename(uri) if self.assets.dir else None
            if path is None or not path.exists():
                raise SiteError(f"cache: generated file {uri} is missing from {self.assets.dir}; "
                                "delete .cache/ and build again")
            out[uri] = path.read_bytes()
        return out

    def _render_page(self, src: str, text: str) -> RenderedPage:
        page = RenderedPage(text)
        context = {name: self._macro(name, src, page.assets) for name in MACROS}
        try:
            template = self.env.from_string(text)
            page.markdown = template.render(**context)
        except jinja2.TemplateSyntaxError as e:
            raise SiteError(f"{src}:{e.lineno}: template syntax: {e.message}") from None
        except jinja2.UndefinedError as e:
            raise SiteError(f"{src}: {e.message} (known macros: {', '.join(MACROS)})") from None
        except SiteError as e:
            raise SiteError(f"{src}: {e}") from None
        return page

    def _macro(self, name: str, src: str, assets: dict[str, bytes]) -> Callable[..., str]:
        """The page's macro ``name``: cached by (code, page folder, arguments); computed by
        :class:`quizgen.site.macros.Macros` (imported only on a cache miss)."""

        def call(*args: Any, **kwargs: Any) -> str:
            if name in UNCACHED or self.cache_dir is None:
                return self._compute(name, src, assets, args, kwargs)
            key = digest("macro", self.version, name, url_dir(src), repr(args),
                         repr(sorted(kwargs.items())), self._quiz_pages() if name == "quiz_link" else "")
            made: list[bool] = []

            def make() -> bytes:
                own: dict[str, bytes] = {}
                markdown = self._compute(name, src, own, args, kwargs)
                self._store_assets(own)
                assets.update(own)
                made.append(True)
                return json.dumps({"markdown": markdown, "assets": sorted(own)}).encode("utf-8")

            data = json.loads(self.macro_cache.get_or_make(key, make))
            if not made:
                assets.update(self._load_assets(data["assets"]))
            return data["markdown"]

        call.__name__ = name
        return call

    def _compute(self, name: str, src: str, assets: dict[str, bytes], args: tuple, kwargs: dict) -> str:
        from .macros import Macros

        return Macros(self, src, assets).call(name, args, kwargs)

    def link(self, src: str, asset: str) -> str:
        """Relative link from page ``src`` to docs-relative ``asset`` (for Markdown, which MkDocs rewrites)."""
        return posixpath.relpath(asset, posixpath.dirname(src) or ".")

    @staticmethod
    def url_link(src: str, asset: str) -> str:
        """Relative link from the URL of page ``src`` to site path ``asset``, for raw HTML (MkDocs serves
        ``a/b.md`` as ``a/b/`` and ``a/index.md`` as ``a/``)."""
        return posixpath.relpath(asset, url_dir(src) or ".")

    # -- the whole tree, for other static-site tools -------------------------------------------
    def export(self, out: Path | str, *, katex_assets: bool = True) -> dict[str, int]:
        """Write every file of the docs folder to ``out``, Markdown with its macros expanded, plus the
        generated files it links to (and KaTeX's CSS and fonts under ``assets/katex``)."""
        out = Path(out)
        if out.resolve() == self.docs_dir or self.docs_dir in out.resolve().parents:
            raise SiteError(f"refusing to write into the docs folder itself: {out}")
        counts = {"pages": 0, "files": 0, "generated": 0}
        self.prerender()
        written: set[str] = set()
        for path in sorted(self.docs_dir.rglob("*")):
            if path.is_dir():
                continue
            rel = path.relative_to(self.docs_dir).as_posix()
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if path.suffix == ".md":
                text = path.read_text(encoding="utf-8")
                body = body_of(text)
                page = self.render_page(rel, body)
                outfile.write(target, (text[:len(text) - len(body)] + page.markdown).encode("utf-8"))
                counts["pages"] += 1
                for uri, data in page.assets.items():
                    if uri not in written:
                        (out / uri).parent.mkdir(parents=True, exist_ok=True)
                        outfile.write(out / uri, data)
                        written.add(uri)
                        counts["generated"] += 1
            else:
                outfile.write(target, path.read_bytes())
                counts["files"] += 1
        if katex_assets:
            katex.copy_assets(self.root, out / "assets" / "katex", script=True)
        self.flush()
        return counts

    # -- caching helper for plots ---------------------------------------------------------------
    def cached_svg(self, kind: str, data: object, make: Callable[[], str]) -> bytes:
        """A figure as the site shows it (:func:`quizgen.site.svg.for_site`: both colour schemes, compacted)."""
        from .. import plots
        from . import svg

        key = digest("svg", kind, data, file_digest(plots.__file__), file_digest(svg.__file__),
                     plots.matplotlib.__version__, plots.fonts.identity())
        return self.plots.get_or_make(key, lambda: svg.for_site(make()).encode("utf-8"))


def url_dir(src: str) -> str:
    """The folder of page ``src``'s URL: ``optimizers/adam.md`` → ``optimizers/adam``, ``quiz/index.md`` → ``quiz``
    (MkDocs' directory URLs). Macros that write raw HTML links depend on it, so it is in their cache key."""
    stem = posixpath.splitext(src)[0]
    return posixpath.dirname(stem) if posixpath.basename(stem) in ("index", "README") else stem


# -- worker processes of SiteBuilder.prerender ---------------------------------------------------------------
_WORKER: SiteBuilder | None = None


def _render_job(root: str, docs_dir: str, cache_dir: str, src: str, text: str) -> str:
    global _WORKER
    if _WORKER is None:
        _WORKER = SiteBuilder(root, docs_dir, cache_dir)
    _WORKER.render_page(src, text)
    return src


def _train_job(cache_dir: str) -> None:
    from . import training

    training.result(Path(cache_dir))


# -- planning the prerender's lanes ------------------------------------------------------------------------------
TRAINING_COST = 5.0  # seconds of CPU (rough): the digits training run
SHEET_COST = 0.2  # one printable drill sheet of the site
QUIZ_COST = 0.25  # one quiz pool (50 variants)
MACRO_COST = 0.05  # any other macro call


QUIZ_CALL = re.compile(r"\{\{-?\s*(?:" + "|".join(QUIZ_MACROS) + r")\(")


def _page_cost(text: str) -> float:
    """A rough estimate of the CPU a page takes to render (its quizzes and other macro calls)."""
    quizzes = len(QUIZ_CALL.findall(text))
    return 0.1 + QUIZ_COST * quizzes + MACRO_COST * (text.count("{{") - quizzes)


def _plan(quiz: list[tuple[float, str, str]], other: list[tuple[float, str, str]], workers: int,
          training: float) -> tuple[list[list[tuple[str | None, str]]], list[float]]:
    """Lanes of (src, text) (``(None, "")``: the training run) and their estimated loads: the quiz pages on lanes
    of their own, as many as their share of the work, the other pages on the rest, the training run first on one
    of those; each group spread by the largest job first onto the least-loaded lane. Pages that show the training
    come after it on its lane."""
    total = sum(c for c, _, _ in quiz) + sum(c for c, _, _ in other) + training
    share = sum(c for c, _, _ in quiz) / total if total else 0.0
    n_quiz = min(workers - 1, max(1, round(workers * share))) if quiz and (other or training) else (
        workers if quiz else 0)
    lanes: list[list[tuple[str | None, str]]] = [[] for _ in range(workers)]
    loads = [0.0] * workers

    def spread(items: list[tuple[float, str | None, str]], idx: list[int]) -> None:
        for cost, src, text in sorted(items, key=lambda x: -x[0]):
            i = min(idx, key=lambda j: loads[j])
            lanes[i].append((src, text))
            loads[i] += cost

    spread(quiz, list(range(n_quiz)))
    rest = list(range(n_quiz, workers)) or list(range(workers))
    if training:
        lanes[rest[0]].append((None, ""))
        loads[rest[0]] += training
    spread([o for o in other if "training_comparison(" not in o[2]], rest)
    for cost, src, text in other:  # after the training run, on its lane
        if "training_comparison(" in text:
            lanes[rest[0]].append((src, text))
            loads[rest[0]] += cost
    used = [i for i, lane in enumerate(lanes) if lane]
    return [lanes[i] for i in used], [loads[i] for i in used]
