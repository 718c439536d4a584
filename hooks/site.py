"""MkDocs hook: a thin adapter from MkDocs events to quizgen.site (which knows nothing of MkDocs).

- on_page_markdown: render the page's Markdown as a Jinja template with the macros, and add the
  files it generated (SVG plots) to the build;
- on_page_content / on_post_page: replace arithmatex math with KaTeX HTML (rendered in node at build time); move
  large closed blocks and later tabs to files fetched when shown (quizgen/site/lazy.py); drop the scripts a page
  does not use (quizgen/site/page_assets.py); a skip link on quiz pages;
- on_files: the search worker's segmenter with the site's ranking (quizgen/site/search.py);
- on_post_build: the search index rewritten (separator, weights, UTF-8); KaTeX's CSS and fonts copied into
  site/assets/katex; KaTeX warnings reported.

Everything else lives in quizgen/site/, so ``python -m quizgen site build --out DIR`` produces the
same generated Markdown without MkDocs (Zensical, the successor of mkdocs-material, runs no hooks).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

# the project beside this hook (works without `pip install -e .`, and a copy of the tree uses its own code);
# MkDocs restores sys.path after loading a hook, so on_config puts it back for the lazy imports of the macros
ROOT = str(Path(__file__).resolve().parent.parent)
sys.path.insert(0, ROOT)

from quizgen.site.render import SiteBuilder, SiteError  # noqa: E402

log = logging.getLogger("mkdocs.hooks.site")
_builder: SiteBuilder | None = None


def on_config(config):
    global _builder
    if ROOT not in sys.path:  # the macros import optimizers/ and quizgen/ lazily, on a cache miss
        sys.path.insert(0, ROOT)
    root = Path(config.config_file_path).resolve().parent
    if _builder is None or _builder.root != root or _builder.docs_dir != Path(config.docs_dir).resolve():
        if _builder is not None:
            _builder.close()
        _builder = SiteBuilder(root, config.docs_dir)
    else:
        _builder.refresh()  # mkdocs serve: the code may have changed since the last build
    try:  # generate the pages not cached yet on every core at once (training among them)
        _builder.prerender()
    except SiteError as e:
        raise PluginError(str(e)) from None
    return config


def on_files(files, config):
    # the quiz widget's JS and CSS (quizgen/quiz/static) as assets/quiz/*, named in extra_javascript/extra_css
    from quizgen.quiz.site import static_files
    from quizgen.site import search
    from quizgen.site.page_assets import static_files as site_static

    for uri, data in {**static_files(), **site_static()}.items():
        if files.get_file_from_path(uri) is None:
            files.append(File.generated(config, uri, content=data))
    # the search worker's segmenter script, with the site's ranking after it (quizgen/site/search.py)
    theme_seg = files.get_file_from_path(search.WORKER_SEGMENTER)
    if theme_seg is not None:
        files.remove(theme_seg)
        files.append(File.generated(config, search.WORKER_SEGMENTER,
                                    content=search.worker_segmenter(Path(theme_seg.abs_src_path).read_bytes())))
    _add_drill_sheets(files, config)
    return files


def _add_drill_sheets(files, config):
    # the printable sheets that docs/drills.md links (the same HTML as `quizgen drill` prints)
    from quizgen.drill.site import SITE_SEEDS, prebuild, site_path, site_sheets

    prebuild(_builder.cache_dir)  # the sheets not cached yet, on every core at once
    for seed in SITE_SEEDS:
        # (with a cache, prebuild left them there: no KaTeX process is needed)
        katex = _builder.katex if _builder.cache_dir is None else None
        pages = site_sheets(seed, katex=katex, cache_dir=_builder.cache_dir)
        for part, html in zip(("questions", "answers"), pages):
            uri = site_path(seed, part)
            if files.get_file_from_path(uri) is None:
                # the site's icon (else the browser asks for /favicon.ico and gets a 404)
                html = html.replace("<head>", '<head>\n<link rel="icon" href="../../assets/images/favicon.png">', 1)
                files.append(File.generated(config, uri, content=html))


def on_page_markdown(markdown, page, config, files):
    try:
        rendered = _builder.render_page(page.file.src_uri, markdown)
    except SiteError as e:
        raise PluginError(str(e)) from None
    for uri, data in rendered.assets.items():
        if files.get_file_from_path(uri) is None:
            files.append(File.generated(config, uri, content=data))
    return rendered.markdown


def _toc_items(items):
    for item in items:
        yield item
        yield from _toc_items(item.children)


def on_page_content(html, page, config, files):
    # KaTeX renders every formula now; the page keeps a short plain-text placeholder until on_post_page,
    # so the search index (built in between) reads "v←αv−ηg" instead of KaTeX's nested spans.
    # A heading with math has raw "\(t\)" in its table-of-contents title: render that too.
    from quizgen.site import lazy

    try:
        for item in _toc_items(page.toc):
            item.title = _builder.title_math(item.title, page.file.src_uri)
        html = _builder.math_placeholders(html, page.file.src_uri)
    except SiteError as e:
        raise PluginError(str(e)) from None
    return lazy.mark(html)  # large closed blocks: out of the search index now, out of the page in on_post_page


def on_post_page(output, page, config):
    from quizgen.quiz.site import skip_link
    from quizgen.site import lazy, page_assets

    try:
        output = _builder.fill_math(output)
    except SiteError as e:
        raise PluginError(str(e)) from None
    # the closed blocks and later tabs that on_page_content marked: files of their own, fetched when shown
    output, fragments = lazy.split(output, page.url)
    for uri, data in fragments.items():
        target = Path(config.site_dir) / uri
        if not target.exists():  # named by content: an existing file is this one
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(target.name + ".tmp")
            tmp.write_bytes(data)
            tmp.replace(target)
    output = skip_link(output)  # quiz pages: a skip link to the first question
    return page_assets.prune(output)  # scripts and styles the page does not use (KaTeX's script, the quiz's)


def on_post_build(config):
    from quizgen.site import search

    search.rewrite_index(config.site_dir)  # after the search plugin wrote it: separator, weights, UTF-8
    _builder.copy_katex_assets(config.site_dir)
    _builder.flush()
    for warning in _builder.take_warnings():
        log.warning(warning)


def on_shutdown():
    global _builder
    if _builder is not None:
        _builder.close()
        _builder = None
