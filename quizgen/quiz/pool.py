"""Quiz pools: the variants of one quiz, asked of the question engine and rendered to HTML at build time.

:func:`build_pool` generates the variants of a :class:`~quizgen.quiz.specs.QuizSpec` (seed ``i`` of quiz
``q`` is ``seeds.derive("quiz", q, i)``; identical variants are skipped) and renders each
:class:`~quizgen.question.Question` to the dict the widget (``static/quiz.js``) reads. It only lays out
what the Question holds: the key, the tolerance, the named mistakes' values and every feedback text come
from the engine; nothing here computes an answer.

Rendering reuses the project's pieces: Markdown → HTML with ``quizgen.export.render`` (raw HTML in a
question is shown as text, never interpreted), code with Pygments in the classes mkdocs-material colours
(the blanks （あ） marked), figures with ``quizgen.plots.paths_svg`` written as SVG files beside the pages.
Math stays TeX: each distinct formula is stored once in the pool's ``math`` and the widget draws the
variant on screen with the site's copy of KaTeX (the same npm package the build uses). The build checks
every formula with KaTeX (:meth:`quizgen.site.katex.KatexRenderer.check_many`), so none can fail in the
browser; drawing 4,000 variants' formulas at build time was about a quarter of the site's cold build and made the
pages five times heavier.

:func:`encode` writes a pool for a ``data-pool`` attribute: JSON → UTF-8 → gzip → base64. The gzip step
keeps a page of six quizzes × 50 variants small and, with base64, keeps the answers out of plain sight in
the page source (the page says they are there).
Nothing here imports MkDocs.
"""

from __future__ import annotations

import base64
import functools
import gzip
import html
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..question import Question
from ..site.cache import atomic_write, digest, file_digest
from .specs import FAMILY_TOPIC_JA, QuizSpec

FORMAT = 2  # bump when the variant dict changes shape (the widget checks it); 2: math as TeX
ATTEMPTS = 4  # seeds tried per wanted variant before a pool is left smaller (duplicates, generation errors)
GENERATED = "assets/generated"  # site-root-relative folder of figure files (as the site's plots)
MATH_MARK = re.compile(r"<!--m:(\d+)-->")
BLANK = re.compile(r"（[ぁ-んァ-ヶ]{1,2}）")

Svg = Callable[[str, dict[str, Any]], str]  # (kind, data) -> SVG text


@dataclass
class Pool:
    """The rendered variants of one quiz. Their HTML holds ``<span|div class="arithmatex"><!--m:N--></…>``
    where formula N of ``math`` (TeX; each distinct formula once) goes, inline or displayed as the tag says;
    ``assets`` are the figure files (site-root-relative path → bytes)."""

    spec_id: str
    variants: list[dict[str, Any]]
    math: list[str] = field(default_factory=list)
    assets: dict[str, bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # e.g. fewer distinct variants than asked for

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "quiz": self.spec_id, "math": self.math, "variants": self.variants}

    def expanded(self, i: int, katex: Any = None) -> dict[str, Any]:
        """Variant ``i`` with its formulas put back (for tests and previews): KaTeX HTML as the widget draws
        it when ``katex`` (a KatexRenderer) is given, else the arithmatex TeX (``\\(…\\)``, ``\\[…\\]``)."""
        return expand(self.variants[i], self.math, katex)


MARKED = re.compile(r'<(span|div) class="arithmatex"><!--m:(\d+)--></\1>')


def expand(obj: Any, math: list[str], katex: Any = None) -> Any:
    if isinstance(obj, str):
        def put(m: re.Match) -> str:
            tex, display = math[int(m.group(2))], m.group(1) == "div"
            inner = katex.render(tex, display) if katex is not None else \
                html.escape(("\\[" if display else "\\(") + tex + ("\\]" if display else "\\)"), quote=False)
            return f'<{m.group(1)} class="arithmatex">{inner}</{m.group(1)}>'

        return MARKED.sub(put, obj)
    if isinstance(obj, list):
        return [expand(x, math, katex) for x in obj]
    if isinstance(obj, dict):
        return {k: expand(v, math, katex) for k, v in obj.items()}
    return obj


# -- which code a pool depends on (for the cache) ---------------------------------------------------------
def code_digest() -> str:
    """Digest of every source file a pool's content depends on: the optimizers, the engine and its families,
    the concept bank, the Markdown renderer, the plots and this module. (Not the widget's JS/CSS and not the
    site's other code: editing those does not regenerate thousands of variants.)"""
    quizgen = Path(__file__).resolve().parents[1]
    root = quizgen.parent
    files = sorted((root / "optimizers").rglob("*.py"))  # with optimizers/techniques
    files += sorted(quizgen.glob("*.py")) + sorted((quizgen / "families").glob("*.py"))
    files += sorted((quizgen / "chapter").glob("*.py"))
    files += sorted((quizgen / "bank").glob("*"))
    files += [quizgen / "export" / "render.py", quizgen / "site" / "katex.py", quizgen / "site" / "katex_server.js",
              Path(__file__), Path(__file__).with_name("specs.py")]
    return file_digest(*[f for f in files if f.is_file()])


# -- generation ----------------------------------------------------------------------------------------
def _fingerprint(q: Question) -> str:
    return digest(q.stem, q.code or "", [c.text for c in q.choices], [f.data for f in q.figures])


def questions(spec: QuizSpec, render: bool = True) -> tuple[list[Question], list[str]]:
    """The spec's variants: seed ``derive("quiz", id, i)`` for i = 0, 1, …; a seed whose question repeats an
    earlier one (same stem, code, choices in the same order and figure) or cannot be generated is skipped.
    Items of a mixed spec (the exam) are taken in turn. An item without an optimizer skips a seed whose question
    is about an optimizer outside ``optimizers.CORE`` except at every tenth place (``_common.balanced``).
    Returns (questions, notes)."""
    from .. import engine, seeds
    from ..families._common import balanced
    from ..question import optimizer_of

    out: list[Question] = []
    seen: set[str] = set()
    notes: list[str] = []
    errors = 0
    limit = spec.size * ATTEMPTS + 10
    i = 0
    while len(out) < spec.size and i < limit:
        family, opts = spec.options(len(out))
        seed = seeds.derive("quiz", spec.id, i)
        i += 1
        try:
            q = engine.generate(family, seed, render=render, **opts)
        except ValueError:
            errors += 1
            continue
        if "optimizer" not in opts and not balanced(optimizer_of(q), len(out)):
            continue
        fp = _fingerprint(q)
        if fp in seen:
            continue
        seen.add(fp)
        out.append(q)
    if len(out) < spec.size:
        notes.append(f"{spec.id}: {len(out)} distinct variants of the {spec.size} asked for "
                     f"({i} seeds tried, {errors} could not be generated)")
    if not out:
        raise ValueError(f"quiz {spec.id}: the engine produced no variant")
    return out, notes


# -- rendering -----------------------------------------------------------------------------------------
def _md(text: str) -> str:
    from ..export import render as R

    return R.md(text) if text else ""


def _md_inline(text: str) -> str:
    from ..export import render as R

    return R.md_inline(text) if text else ""


@functools.lru_cache(maxsize=1024)
def code_html(code: str) -> str:
    """Python source highlighted as mkdocs-material colours it, each blank （あ） in a ``<mark>``."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    blanks: list[str] = []

    def hole(m: re.Match) -> str:
        blanks.append(m.group(0))
        return f"__qzblank{len(blanks) - 1}__"

    source = BLANK.sub(hole, code.rstrip("\n"))
    body = highlight(source + "\n", PythonLexer(), HtmlFormatter(nowrap=True))

    def mark(m: re.Match) -> str:
        text = html.escape(blanks[int(m.group(1))])
        return f'<mark class="qz-blank" aria-label="空欄 {text}">{text}</mark>'

    body = re.sub(r'<span class="[a-z0-9 ]+">__qzblank(\d+)__</span>', mark, body)
    body = re.sub(r"__qzblank(\d+)__", mark, body)  # in case the lexer left it unwrapped
    return f'<div class="language-python highlight"><pre><span></span><code>{body}</code></pre></div>'


def _figure_html(q: Question, svg: Svg, assets: dict[str, bytes]) -> str:
    parts = []
    for n, fig in enumerate(q.figures):
        text = svg(fig.kind, fig.data)
        text = re.sub(r"^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?", "", text)
        uri = f"{GENERATED}/quiz-{fig.kind}-{digest(text)[:16]}.svg"
        assets[uri] = text.encode("utf-8")
        size = re.search(r'<svg[^>]*\bwidth="([\d.]+)pt"[^>]*\bheight="([\d.]+)pt"', text)
        dims = f' width="{round(float(size.group(1)) * 4 / 3)}" height="{round(float(size.group(2)) * 4 / 3)}"' \
            if size else ""
        alt = html.escape(f"図 {n + 1}: " + re.sub(r"\$[^$]*\$", "", fig.caption or "").strip() or f"図 {n + 1}",
                          quote=True)
        cap = f"<figcaption>{_md_inline(fig.caption)}</figcaption>" if fig.caption else ""
        # no text below 9 CSS px: narrower than this, the figure scrolls in its box (quizgen/site/svg.py)
        from ..site.svg import min_width_px

        floor = min_width_px(text)
        style = f' style="min-width: {floor}px"' if floor else ""
        parts.append(f'<figure class="qz-figure"><img data-qz-src="{uri}" alt="{alt}"{dims}{style} loading="lazy">'
                     f"{cap}</figure>")
    return "".join(parts)


def _solution_html(q: Question) -> str:
    from ..export import render as R

    return R.solution_html(q)


def command(q: Question) -> str:
    """The command that prints this variant again (with its solution) in a terminal."""
    parts = ["quizgen", "questions", "--family", q.family]
    for k, v in sorted(q.options.items()):
        if k == "optimizer":
            parts += ["--optimizer", str(v)]
        else:
            parts += ["--set", f"{k}={v}"]
    parts += ["--seed", str(q.seed)]
    return " ".join(parts)


def _optimizer_name(key: str | None) -> str:
    if not key:
        return ""
    import optimizers

    try:
        return optimizers.get(key).INFO.cls.__name__
    except ValueError:
        return str(key)


def variant(q: Question, svg: Svg, assets: dict[str, bytes]) -> dict[str, Any]:
    """One Question → the widget's dict (HTML with arithmatex math, not yet KaTeX'd). Layout only."""
    tags = dict(q.tags)
    v: dict[str, Any] = {
        # the seed as text: seeds go up to 2**63 and a JavaScript number keeps only 53 bits
        "id": q.id, "seed": str(q.seed), "family": q.family, "options": dict(q.options), "kind": q.kind,
        "optimizer": tags.get("optimizer") or "", "optimizer_name": _optimizer_name(tags.get("optimizer")),
        "topic": FAMILY_TOPIC_JA.get(q.family, q.family),
        "stem_html": _md(q.stem),
        "code_html": code_html(q.code) if q.code else "",
        "figure_html": _figure_html(q, svg, assets) if q.figures else "",
        "rounding": q.rounding if q.kind == "numeric" else "",
        "solution_html": _solution_html(q),
        "command": command(q),
        "tags": tags,
    }
    if q.kind == "numeric":
        a = q.answer
        v["answer"] = {"value": a.value, "tolerance": a.tolerance, "text": a.text, "decimals": a.decimals}
        v["mistakes"] = [{"value": c.value, "text": c.text, "mistake": c.mistake or "",
                          "feedback_html": _md_inline(c.feedback)}
                         for c in q.choices if not c.correct and c.value is not None]
    else:
        v["answer"] = {"index": q.answer.index}
        v["choices"] = [{"html": _md_inline(c.text), "correct": bool(c.correct), "mistake": c.mistake or "",
                         "feedback_html": _md_inline(c.feedback)} for c in q.choices]
    return v


def _strings(obj: Any) -> Iterator[tuple[Any, Any]]:
    """(container, key) of every string in a nested dict/list."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(v, str):
                yield obj, k
            else:
                yield from _strings(v)
    elif isinstance(obj, list):
        for k, v in enumerate(obj):
            if isinstance(v, str):
                yield obj, k
            else:
                yield from _strings(v)


def collect_math(variants: list[dict[str, Any]], katex: Any, where: str = "") -> list[str]:
    """Replace the arithmatex math of every HTML field by ``<!--m:N-->`` in its span/div (in place) and return
    the TeX of each distinct formula, every one checked by KaTeX in one request (``katex.check_many``)."""
    from ..site.katex import MATH, tex_of

    index: dict[str, int] = {}
    used: dict[tuple[str, bool], None] = {}
    for container, key in _strings(variants):
        if isinstance(key, str) and not (key == "html" or key.endswith("_html")):
            continue
        if "arithmatex" not in container[key]:
            continue

        def mark(m: re.Match) -> str:
            tex = tex_of(m)
            used[(tex, m.group(1) == "div")] = None
            n = index.setdefault(tex, len(index))
            return f'<{m.group(1)} class="arithmatex"><!--m:{n}--></{m.group(1)}>'

        container[key] = MATH.sub(mark, container[key])
    katex.check_many(list(used), where)
    return list(index)


def render_version(root: Path | str | None = None) -> str:
    """Digest of what turns a Question into a rendered variant (not of what computes the Question): this
    module, the Markdown renderer, the KaTeX renderer and version, the plots and their font. A variant is cached
    under this and the Question's JSON, so a code change that leaves a question unchanged does not render it again."""
    from ..site.katex import katex_version
    from ..site.render import project_root

    quizgen = Path(__file__).resolve().parents[1]
    files = [Path(__file__), Path(__file__).with_name("specs.py"), quizgen / "export" / "render.py",
             quizgen / "site" / "katex.py", quizgen / "site" / "katex_server.js", quizgen / "plots.py"]
    from .. import fonts

    katex = katex_version(Path(root) if root else project_root())
    return digest(file_digest(*[f for f in files if f.is_file()]), katex, fonts.identity())


def _renumbered(items: list[tuple[dict[str, Any], list[str]]]) -> tuple[list[dict[str, Any]], list[str]]:
    """Variants whose marks point into their own math lists → the same variants over one list, each distinct
    formula once, numbered by first appearance (as :func:`collect_math` numbers a pool made in one go)."""
    math: list[str] = []
    where: dict[str, int] = {}

    def walk(obj: Any, own: list[str]) -> Any:
        if isinstance(obj, str):
            def put(m: re.Match) -> str:
                tex = own[int(m.group(1))]
                if tex not in where:
                    where[tex] = len(math)
                    math.append(tex)
                return f"<!--m:{where[tex]}-->"

            return MATH_MARK.sub(put, obj)
        if isinstance(obj, list):
            return [walk(x, own) for x in obj]
        if isinstance(obj, dict):
            return {k: walk(v, own) for k, v in obj.items()}
        return obj

    return [walk(v, own) for v, own in items], math


def build_pool(spec: QuizSpec, *, katex: Any = None, svg: Svg | None = None, root: Path | str | None = None,
               cache_dir: Path | str | None = None) -> Pool:
    """Generate and render the variants of ``spec``.

    ``katex``: an object with ``check_many([(tex, display)], where)`` (the site build's
    :class:`~quizgen.site.katex.KatexRenderer`) that checks the formulas; else this process's
    (:func:`quizgen.site.katex.shared`).
    ``svg(kind, data)``: draws a figure (default ``quizgen.plots.paths_svg``; the site passes a cached one).
    ``cache_dir``: the rendered variants of the pool are kept in one file of ``cache_dir/quiz-variants`` (per quiz
    and :func:`render_version`), each by the digest of its Question's JSON: the questions are always generated
    again, but only those that changed are rendered again (rendering is the slow part).
    """
    qs, notes = questions(spec)
    draw = svg or default_svg
    path = old = None
    keys: list[str] = []
    if cache_dir is not None:
        version = render_version(root)
        path = Path(cache_dir) / "quiz-variants" / f"{digest('quiz-variants', version, spec.id)}.json.gz"
        if path.exists():
            old = json.loads(gzip.decompress(path.read_bytes()))
        keys = [digest("quiz-variant", version, q.to_json()) for q in qs]
    reuse = [old is not None and k in old["variants"] for k in keys] or [False] * len(qs)
    todo = [q for q, hit in zip(qs, reuse) if not hit]
    fresh_assets: list[dict[str, bytes]] = [{} for _ in todo]
    fresh = [variant(q, draw, a) for q, a in zip(todo, fresh_assets)]
    math: list[str] = []
    if todo:
        if katex is None:
            from ..site.katex import shared
            from ..site.render import project_root

            katex = shared(Path(root) if root else project_root())
        math = collect_math(fresh, katex, f"quiz {spec.id}")
    if not any(reuse):
        variants, pool_math = fresh, math
        per_variant = [{uri: data.decode("utf-8") for uri, data in sorted(a.items())} for a in fresh_assets]
    else:  # some from the cache: put the pool together again, numbering its formulas as a fresh pool would
        got = iter(zip(fresh, fresh_assets))
        items, per_variant = [], []
        for k, hit in zip(keys, reuse):
            if hit:
                items.append((old["variants"][k], old["math"]))
                per_variant.append(old["assets"][k])
            else:
                v, a = next(got)
                items.append((v, math))
                per_variant.append({uri: data.decode("utf-8") for uri, data in sorted(a.items())})
        variants, pool_math = _renumbered(items)
    if path is not None and (old is None or todo or len(old["variants"]) != len(qs)):
        blob = json.dumps({"math": pool_math, "variants": dict(zip(keys, variants)),
                           "assets": dict(zip(keys, per_variant))}, ensure_ascii=False).encode("utf-8")
        atomic_write(path, gzip.compress(blob, compresslevel=1, mtime=0))
    assets = {uri: text.encode("utf-8") for a in per_variant for uri, text in a.items()}
    return Pool(spec.id, variants, pool_math, assets, notes)


def default_svg(kind: str, data: dict[str, Any]) -> str:
    from .. import plots

    if kind != "paths":
        raise ValueError(f"unknown figure kind {kind!r}")
    return plots.paths_svg(data)


# -- the data-pool attribute ---------------------------------------------------------------------------
def encode(pool: Pool | dict[str, Any] | list[dict[str, Any]]) -> str:
    """JSON → UTF-8 → gzip (no timestamp: same pool, same bytes) → base64 (ASCII, safe in an attribute)."""
    data = pool.to_json() if isinstance(pool, Pool) else pool
    if isinstance(data, list):
        data = {"format": FORMAT, "quiz": "", "math": [], "variants": data}
    raw = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(gzip.compress(raw, compresslevel=9, mtime=0)).decode("ascii")


def decode(text: str) -> dict[str, Any]:
    """The inverse of :func:`encode` (what quiz.js does with DecompressionStream)."""
    return json.loads(gzip.decompress(base64.b64decode(text)).decode("utf-8"))


def decode_variants(text: str, katex: Any = None) -> list[dict[str, Any]]:
    """Every variant of an encoded pool with its formulas put back (see :meth:`Pool.expanded`)."""
    data = decode(text)
    return [expand(v, data["math"], katex) for v in data["variants"]]
