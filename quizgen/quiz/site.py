"""The quizzes in the site build: the page macros, the pool cache and the parallel build of missing pools.

- ``{{ quiz("momentum", "steps") }}``, ``{{ quiz("all", "formula") }}``, ``{{ quiz("saddle", "concepts") }}``:
  one quiz widget (``<div class="qz" data-count=… data-variants=…>``), whose variants are files of their own
  (:func:`variant_files`: one per variant, math drawn by KaTeX at build time), fetched when shown;
- ``{{ exam() }}``: the mock exam; ``{{ progress() }}``: the progress table (filled from localStorage).

Pools are cached in ``.cache/quiz-pools/`` by content hash: the quiz spec (id, items, pool size) and the
digest of every source file a pool depends on (:func:`quizgen.quiz.pool.code_digest`: optimizers, engine,
families, bank, Markdown and KaTeX rendering, plots). Editing quiz.js, the CSS or the site's prose does not
rebuild them. When a page needs a pool that is not cached, every missing pool of the site is built at once,
one process per core, each with its own KaTeX process. Below the pools, each rendered variant is cached by
its Question's JSON (``.cache/quiz-variants/``) and each figure by its data (``.cache/quiz-plots/``), so a
code change regenerates the questions but renders again only those that changed.

The widget's static files (``static/``) are added to the site as ``assets/quiz/…`` by the MkDocs hook
(:func:`static_files`). Nothing here imports MkDocs.
"""

from __future__ import annotations

import gzip
import html
import json
import os
import re
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context, parent_process
from pathlib import Path
from typing import Any

from ..site.cache import FileCache, digest, file_digest
from . import pool as P
from . import specs as S

STATIC = Path(__file__).with_name("static")
STATIC_URI = "assets/quiz"
VARIANTS_URI = "assets/quiz/v"  # one file per variant: <quiz id>-<pool digest>-<i>.bin
QUIZ_FIGURE_WIDTH = 3.9  # inches (plots.paths_svg's default is 4.46): 8 pt legend text ≥ 9 px at 328 px
VARIANT_FORMAT = 3  # one variant, its math already drawn (KaTeX HTML): the page needs no KaTeX script
POOLS = "quiz-pools"
PLOTS = "quiz-plots"

_memory: dict[str, dict[str, Any]] = {}  # key -> cache entry (this process)
_code: dict[str, str] = {}
stats: dict[str, float] = {"built": 0, "seconds": 0.0, "variants": 0}


def static_files() -> dict[str, bytes]:
    """The widget's files, site-root-relative (``assets/quiz/quiz.js`` …)."""
    return {f"{STATIC_URI}/{p.name}": p.read_bytes() for p in sorted(STATIC.iterdir())
            if p.suffix in (".js", ".css")}


# -- settings ---------------------------------------------------------------------------------------------
def pool_size_of(builder: Any) -> int:
    """Variants per quiz (env ``QUIZ_POOL_SIZE``, else mkdocs.yml ``extra.quiz.pool_size``, else 50). The site's
    page key of a quiz page (``quiz_version`` in quizgen/site/render.py) includes
    :func:`quizgen.quiz.specs.settings_key`, so a changed size re-renders the pages."""
    return S.pool_size(None, builder.root)


# -- the cache ------------------------------------------------------------------------------------------
def code_digest() -> str:
    if "d" not in _code:
        _code["d"] = P.code_digest()
    return _code["d"]


def entry_key(spec: S.QuizSpec) -> str:
    from ..site import svg

    return digest("quiz-pool", P.FORMAT, code_digest(), file_digest(svg.__file__), spec.key())


def _cache(cache_dir: Path | None) -> FileCache:
    return FileCache(cache_dir, POOLS, ".json")


def cached(spec: S.QuizSpec, cache_dir: Path | None) -> dict[str, Any] | None:
    key = entry_key(spec)
    if key in _memory:
        return _memory[key]
    cache = _cache(cache_dir)
    if cache.dir is not None:
        path = cache.dir / f"{key}.json"
        if path.exists():
            _memory[key] = json.loads(path.read_text(encoding="utf-8"))
            return _memory[key]
    return None


def _svg_maker(cache_dir: Path | None):
    from .. import plots
    from ..site import svg as site_svg

    for_site = site_svg.for_site
    version = (file_digest(plots.__file__) + plots.matplotlib.__version__ + plots.fonts.identity()
               + file_digest(site_svg.__file__))
    cache = FileCache(cache_dir, PLOTS, ".svg")
    memo: dict[str, str] = {}

    def draw(kind: str, data: dict[str, Any]) -> str:
        if kind == "paths":  # narrow enough for 9 px text in a quiz box on a 390 px phone (about 328 px)
            return plots.paths_svg(data, width=QUIZ_FIGURE_WIDTH, height=3.1)
        return P.default_svg(kind, data)

    def svg(kind: str, data: dict[str, Any]) -> str:  # as the site shows figures: both colour schemes, compacted
        key = digest("quiz-svg", kind, data, version, QUIZ_FIGURE_WIDTH)
        if key not in memo:
            memo[key] = cache.get_or_make(key, lambda: for_site(draw(kind, data)).encode("utf-8")).decode("utf-8")
        return memo[key]

    return svg


def build_entry(spec: S.QuizSpec, root: Path, cache_dir: Path | None, katex: Any = None) -> dict[str, Any]:
    """Build one pool and store it in the cache (returns the entry)."""
    t0 = time.perf_counter()
    pool = P.build_pool(spec, katex=katex, svg=_svg_maker(cache_dir), root=root, cache_dir=cache_dir)
    entry = {"id": spec.id, "count": len(pool.variants), "encoded": P.encode(pool),
             "assets": {uri: data.decode("utf-8") for uri, data in sorted(pool.assets.items())},
             "notes": pool.notes, "seconds": round(time.perf_counter() - t0, 3)}
    key = entry_key(spec)
    _cache(cache_dir).get_or_make(key, lambda: json.dumps(entry, ensure_ascii=False).encode("utf-8"))
    _memory[key] = entry
    return entry


# worker processes: one KaTeX process each, kept for every pool the worker builds
_worker: dict[str, Any] = {}


def _worker_init(root: str, parent: int) -> None:
    import sys

    from ..procs import die_with_parent

    die_with_parent(parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    from ..site.katex import shared

    _worker["katex"] = shared(Path(root))


def _worker_build(spec: S.QuizSpec, root: str, cache_dir: str | None) -> tuple[str, int, float, list[str]]:
    entry = build_entry(spec, Path(root), Path(cache_dir) if cache_dir else None, _worker.get("katex"))
    return spec.id, entry["count"], entry["seconds"], entry["notes"]


COST = {"trajectory": 0.45, "steps": 0.05}  # rough seconds per variant (for the order of the work)


def _cost(spec: S.QuizSpec) -> float:
    return sum(COST.get(family, 0.03) for family, _ in spec.items) / len(spec.items) * spec.size


def ensure(specs: list[S.QuizSpec], root: Path, cache_dir: Path | None, *, jobs: int | None = None,
           log: Any = None) -> list[str]:
    """Build every pool of ``specs`` that is not cached: in ``jobs`` processes (default: the CPU count) when
    more than one is missing. Returns the notes (pools with fewer distinct variants than asked for)."""
    missing = [s for s in specs if cached(s, cache_dir) is None]
    if not missing:
        return []
    if parent_process() is not None:  # a worker of SiteBuilder.prerender: the other pages are its siblings' work
        jobs = 1
    t0 = time.perf_counter()
    from ..jobs import default_jobs

    jobs = jobs or default_jobs(os.environ.get("QUIZ_JOBS"), "QUIZ_JOBS")
    notes: list[str] = []
    if cache_dir is None or jobs <= 1 or len(missing) == 1:
        # this process's KaTeX checker (not the site's renderer: its formula table would grow by every variant's
        # math), kept for the next pools this process builds
        from ..site.katex import shared

        katex = shared(Path(root))
        for spec in missing:
            notes += build_entry(spec, root, cache_dir, katex)["notes"]
    else:
        missing.sort(key=_cost, reverse=True)
        ctx = get_context("fork")  # as SiteBuilder.prerender: no re-import of __main__, workers start at once
        with ProcessPoolExecutor(max_workers=min(jobs, len(missing)), mp_context=ctx, initializer=_worker_init,
                                 initargs=(str(root), os.getpid())) as ex:
            futures = [ex.submit(_worker_build, s, str(root), str(cache_dir)) for s in missing]
            for f in futures:
                _, _, _, n = f.result()
                notes += n
    stats["built"] += len(missing)
    stats["seconds"] += time.perf_counter() - t0
    if log is not None:
        log(f"quiz pools: built {len(missing)} of {len(specs)} in {time.perf_counter() - t0:.1f} s "
            f"({jobs if len(missing) > 1 and cache_dir is not None else 1} process(es))")
    return notes


def entry_for(builder: Any, spec: S.QuizSpec) -> dict[str, Any]:
    """The cached entry of ``spec``; on a miss, every missing pool of the site is built first."""
    cache_dir = getattr(builder, "cache_dir", None)
    got = cached(spec, cache_dir)
    if got is None:
        # in the main process: every missing pool of the site at once, a process per core; in a worker of the
        # site's parallel prerender (or without a cache): just this one
        alone = cache_dir is None or parent_process() is not None
        everything = S.all_specs(pool_size_of(builder))
        notes = ensure([spec] if alone or spec not in everything else everything, builder.root, cache_dir)
        if hasattr(builder, "warnings"):
            builder.warnings.extend(f"quiz: {n}" for n in notes)
        got = cached(spec, cache_dir)
    return got


# -- the macros -------------------------------------------------------------------------------------------
def _attr(value: Any) -> str:
    return html.escape(str(value), quote=True)


def group_of(spec: S.QuizSpec) -> str:
    if spec.exam:
        return "exam"
    if spec.meta.get("chapter"):
        return f"chapter-{spec.meta['chapter']}"
    if spec.optimizer:
        return spec.optimizer
    if spec.page == S.CHAPTER_PAGE:  # the chapter's other topics (schedules, early stopping …)
        return "chapter"
    return "topics" if spec.id.startswith("topic-") else "all"


def variant_files(spec: S.QuizSpec, entry: dict[str, Any], katex: Any) -> tuple[str, dict[str, bytes]]:
    """The pool of ``entry`` as one file per variant, fetched by the widget when it shows that variant: JSON
    ``{"format": 3, "quiz": id, "variant": {...}}`` with every formula drawn by KaTeX now (the page then needs
    neither KaTeX's 273 KB script nor the whole pool), gzip-compressed (no timestamp: same pool, same bytes).
    Returns the files' common prefix (site path) and the files."""
    data = P.decode(entry["encoded"])
    math = data["math"]

    class Wanted:  # collects every (TeX, display) of the pool, to draw them in one request to KaTeX
        found: set[tuple[str, bool]] = set()

        def render(self, tex: str, display: bool = False) -> str:
            self.found.add((tex, display))
            return ""

    wanted = Wanted()
    P.expand(data["variants"], math, wanted)
    katex.render_many(sorted(wanted.found), spec.id)  # cached per formula; expand below reads the cache
    prefix = f"{VARIANTS_URI}/{spec.id}-{digest(entry['encoded'])[:12]}-"
    files = {}
    for i, v in enumerate(data["variants"]):
        body = {"format": VARIANT_FORMAT, "quiz": spec.id, "variant": P.expand(v, math, katex)}
        raw = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
        files[f"{prefix}{i}.bin"] = gzip.compress(raw, compresslevel=9, mtime=0)
    return prefix, files


def widget(spec: S.QuizSpec, entry: dict[str, Any], prefix: str, cls: str = "qz") -> str:
    """The widget's element; ``prefix``: the variant files' common prefix, site-root-relative (the widget reads
    the site's root from mkdocs-material's config, as it does for the figures)."""
    return (f'\n<div class="{cls}" data-quiz="{_attr(spec.id)}" data-title="{_attr(spec.title)}" '
            f'data-group="{_attr(group_of(spec))}" data-count="{entry["count"]}" data-katex="html" '
            f'data-variants="{_attr(prefix)}">\n'
            f'<p class="qz-loading">{_attr(spec.title)}: 問題を準備しています（JavaScript が必要です）。</p>\n'
            f"</div>\n\n")


def _page_widget(macros: Any, spec: S.QuizSpec, cls: str) -> str:
    builder = macros.builder
    entry = entry_for(builder, spec)
    for uri, text in entry["assets"].items():
        macros.assets[uri] = text.encode("utf-8")
    prefix, files = variant_files(spec, entry, builder.katex)
    macros.assets.update(files)
    return widget(spec, entry, prefix, cls)


def quiz_macro(macros: Any, optimizer: str, family: str) -> str:
    """``{{ quiz("momentum", "steps") }}``: the quiz of one optimizer (or "all", or a concept topic) and family."""
    builder = macros.builder
    if family not in S.FAMILIES + S.TECHNIQUE_FAMILIES:
        raise ValueError(f"unknown family {family!r}; known: {', '.join(S.FAMILIES + S.TECHNIQUE_FAMILIES)}")
    key = optimizer
    if optimizer not in ("all", "*") and optimizer not in S.TOPICS and optimizer not in S.TECHNIQUES:
        import optimizers

        key = optimizers.get(optimizer).INFO.key
    spec = S.get(S.quiz_id(key, family), pool_size_of(builder))
    return _page_widget(macros, spec, "qz")


def exam_macro(macros: Any) -> str:
    return _page_widget(macros, S.get("exam", pool_size_of(macros.builder)), "qz-exam")


def _stat(group: str, field: str, total: int | None = None) -> str:
    extra = f' data-total="{total}"' if total is not None else ""
    return f'<span class="qz-stat" data-group="{group}" data-field="{field}"{extra}>—</span>'


def progress_macro(macros: Any) -> str:
    """The progress table by optimizer (plus the mixed quizzes, the topics and the mock exam), filled in by
    quiz.js from localStorage, with a reset button."""
    builder, src = macros.builder, macros.src
    specs = S.all_specs(pool_size_of(builder))
    groups: dict[str, list[S.QuizSpec]] = {}
    for s in specs:
        groups.setdefault(group_of(s), []).append(s)
    rows = []

    def row(label: str, page: str, group: str, first: str) -> None:
        link = builder.link(src, page)
        rows.append(f"| [{label}]({link}) | {first} | {_stat(group, 'attempts')} | {_stat(group, 'correct')} | "
                    f"{_stat(group, 'rate')} |")

    for key in S.optimizer_keys():
        if key in groups:
            row(S.optimizer_name(key), f"quiz/{key}.md", key, _stat(key, "tried", len(groups[key])))
    row("全手法（形式別）", "quiz/families.md", "all", _stat("all", "tried", len(groups.get("all", []))))
    row("基礎トピック", "quiz/topics.md", "topics", _stat("topics", "tried", len(groups.get("topics", []))))
    if groups.get("chapter"):
        row("章のトピック", S.CHAPTER_PAGE, "chapter", _stat("chapter", "tried", len(groups["chapter"])))
    for topic, (page, _) in S.TECHNIQUES.items():  # the optimization chapter's topic pages
        group = f"chapter-{topic}"
        row(S.TECHNIQUE_JA[topic], page, group, _stat(group, "tried", len(groups.get(group, []))))
    row("模擬試験", "quiz/exam.md", "exam", _stat("exam", "exam"))
    table = ("| 演習 | 取り組んだ演習 | 解いた問題 | 正解 | 正答率 |\n|---|---|---|---|---|\n" + "\n".join(rows) + "\n")
    buttons = ('\n<p class="qz-progress-actions"><button type="button" class="md-button qz-reset-all" hidden>'
               'すべての記録をリセット</button> <span class="qz-reset-status" role="status"></span></p>\n')
    return '\n<div class="qz-progress" markdown="1">\n\n' + table + "\n</div>\n" + buttons


# -- keyboard -----------------------------------------------------------------------------------------------------
SKIP = ('\n        <a href="#qz-first" class="md-skip qz-skip">最初の問題へスキップ</a>')
_THEME_SKIP = re.compile(r'(<div data-md-component="skip">\s*<a [^>]*class="md-skip"[^>]*>[^<]*</a>)')


def skip_link(html_text: str) -> str:
    """On a page with a quiz: a second skip link after the theme's (「コンテンツにスキップ」), to the first question's
    answer box (quiz.js moves the focus there; ``#qz-first`` is the first widget). Two Tab presses and Enter
    instead of about forty."""
    if "data-variants=" not in html_text and "data-pool=" not in html_text:
        return html_text
    return _THEME_SKIP.sub(lambda m: m.group(1) + SKIP, html_text, count=1)
