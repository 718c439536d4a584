"""The site's figures: matplotlib's SVG (quizgen.plots) made lighter and able to follow the page's colour scheme.

:func:`for_site` is applied to every figure the site and its quizzes show (not to the figures of exports and
drill sheets, which are printed or shown on white):

- **Colours as CSS custom properties.** Every colour of :data:`LIGHT` (ink, background, contour lines, grid,
  the palette of paths) becomes ``var(--…)``, defined by a ``<style>`` in the SVG for the light scheme and, inside
  ``@media (prefers-color-scheme: dark)``, for the dark one. An SVG shown by ``<img>`` takes that media query from
  the ``color-scheme`` of its ``<img>`` element; the site's CSS sets ``color-scheme: dark`` on images in
  mkdocs-material's slate scheme, so one file serves both schemes and switches with the palette toggle. The dark
  colours (:data:`DARK`) keep their hue and read on the dark background: text and lines ≥ 4.5:1, paths ≥ 3:1
  (tests/test_site_figures.py computes the ratios).
- **Fewer bytes.** No metadata, no line breaks between tags, path data without spaces around its commands and
  with coordinates to 0.1 pt (a figure's user unit is the point: 0.1 pt is about a tenth of a CSS pixel at the
  size the page shows it); a polyline (contour lines, paths) loses the points that lie within :data:`TOLERANCE`
  of the line through its neighbours (Douglas–Peucker). Glyph outlines (curves in font units) are re-spaced,
  and each is defined once (small multiples repeated them in every panel).
"""

from __future__ import annotations

import functools
import math
import re

import numpy as np

TOLERANCE = 0.2  # pt: a point of a polyline closer than this to the simplified line is dropped

#: light colour (as matplotlib writes it) -> custom property
NAMES = {
    "#000000": "f",  # ink: text, spines, ticks
    "#ffffff": "b",  # backgrounds (figure, axes, legend)
    "#b8b8b8": "k",  # contour lines
    "#e4e4e4": "g",  # grid
    "#cccccc": "e",  # legend frame
    "#444444": "m",  # the marked minimum / saddle point
    "#888888": "n",  # a 1-D function's curve
    # quizgen.plots.PALETTE (the paths), in order
    "#1f77b4": "p0", "#d62728": "p1", "#2ca02c": "p2", "#ff7f0e": "p3", "#9467bd": "p4", "#8c564b": "p5",
    "#e377c2": "p6", "#17becf": "p7", "#7f7f7f": "p8", "#bcbd22": "p9", "#393b79": "p10", "#637939": "p11",
}
LIGHT = {name: colour for colour, name in NAMES.items()}
#: the same roles on the dark background (mkdocs-material slate's page is about #1e2129)
DARK = {
    "f": "#e3e5ea", "b": "#1e2129", "k": "#5b6070", "g": "#363a46", "e": "#4d5262", "m": "#d6d8de", "n": "#a0a6b2",
    "p0": "#5aa9e6", "p1": "#ff6b6b", "p2": "#5bd35b", "p3": "#ffa04d", "p4": "#b99be0", "p5": "#c9927f",
    "p6": "#f59ad8", "p7": "#4fdcec", "p8": "#b4b4b4", "p9": "#dcdc4a", "p10": "#9a9cf0", "p11": "#a4c46a",
}

_COLOUR = re.compile("|".join(re.escape(c) for c in NAMES) + r"(?![0-9a-fA-F])")
_D = re.compile(r'\sd="([^"]*)"')
_NUM = re.compile(r"-?\d+\.\d+")
_CIRCLE = re.compile(r'(c[xy])="(-?\d+\.\d+)"')


def style() -> str:
    light = ";".join(f"--{n}:{c}" for n, c in LIGHT.items())
    dark = ";".join(f"--{n}:{c}" for n, c in DARK.items())
    return f"<style>:root{{{light}}}@media (prefers-color-scheme:dark){{:root{{{dark}}}}}</style>"


def _fmt(number: str | float) -> str:
    text = f"{float(number):.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _round(m: re.Match) -> str:
    return _fmt(m.group(0))


def simplify(points: np.ndarray, tolerance: float = TOLERANCE) -> np.ndarray:
    """Douglas–Peucker: the points of a polyline that keep it within ``tolerance`` of the original."""
    n = len(points)
    if n < 3:
        return points
    keep = np.zeros(n, dtype=bool)
    keep[[0, -1]] = True
    stack = [(0, n - 1)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        p, q = points[a], points[b]
        seg = q - p
        inner = points[a + 1:b] - p
        length = float(np.hypot(*seg))
        if length == 0.0:
            dist = np.hypot(inner[:, 0], inner[:, 1])
        else:
            dist = np.abs(seg[0] * inner[:, 1] - seg[1] * inner[:, 0]) / length
        k = int(np.argmax(dist))
        if dist[k] > tolerance:
            keep[a + 1 + k] = True
            stack += [(a, a + 1 + k), (a + 1 + k, b)]
    return points[keep]


_POLY = re.compile(r"^[\sML\d.\-]*[Zz]?\s*$")


def _polyline(d: str) -> str | None:
    """Path data made only of moves and lines, simplified; None for any other path (curves: glyphs)."""
    if not _POLY.match(d):
        return None
    out = []
    for sub in re.findall(r"M[^M]*", d):
        closed = sub.rstrip().endswith(("z", "Z"))
        nums = [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", sub)]
        if len(nums) % 2:
            return None
        pts = simplify(np.array(nums, dtype=np.float64).reshape(-1, 2))
        text = "L".join(f"{_fmt(x)} {_fmt(y)}" for x, y in pts.tolist())
        out.append("M" + text + ("z" if closed else ""))
    return "".join(out)


@functools.lru_cache(maxsize=8192)
def _compact(d: str) -> str:
    """Path data made compact (the same contour lines and glyphs recur in hundreds of figures: done once)."""
    poly = _polyline(d)
    if poly is not None:
        return poly
    d = _NUM.sub(_round, d)
    d = re.sub(r"\s*([MLCQZzHVAS])\s*", r"\1", d)  # commands need no spaces around them
    return re.sub(r"\s+", " ", d).strip()


def _path(m: re.Match) -> str:
    return f' d="{_compact(m.group(1))}"'


_DEF = re.compile(r'<path id="([^"]+)"[^>]*/>|<clipPath id="([^"]+)">.*?</clipPath>', re.S)


def _once(svg: str) -> str:
    """Each glyph outline and clip path defined once: the panels of small multiples each carried their own copy
    (same id, same content)."""
    seen: set[str] = set()

    def keep(m: re.Match) -> str:
        name = m.group(1) or m.group(2)
        if name in seen:
            return ""
        seen.add(name)
        return m.group(0)

    return _DEF.sub(keep, svg)


def for_site(svg: str) -> str:
    """``svg`` (from quizgen.plots) with its colours as custom properties for both schemes, and compacted."""
    svg = re.sub(r"<\?xml[^>]*>\s*|<!DOCTYPE[^>]*>\s*|<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = _D.sub(_path, svg)
    svg = _CIRCLE.sub(lambda m: f'{m.group(1)}="{_fmt(m.group(2))}"', svg)
    svg = _COLOUR.sub(lambda m: f"var(--{NAMES[m.group(0).lower()]})", svg)
    svg = re.sub(r">\s+<", "><", svg)
    svg = _once(svg)
    end = svg.index(">", svg.index("<svg")) + 1
    return svg[:end] + style() + svg[end:]


# -- legible on a phone ----------------------------------------------------------------------------------------------
MIN_TEXT_PX = 9  # the rule: no text of a figure below 9 CSS px as shown (tests/test_site_figures.py, at 390 px)
_GLYPH_SCALE = re.compile(r"scale\((0?\.\d+|\d+(?:\.\d+)?) -\1\)")


def text_sizes(svg: str) -> list[float]:
    """The font size (pt, the SVG's user unit) of every text of a matplotlib SVG: its glyphs are drawn as paths
    under ``scale(s -s)`` with s = size / 100 (matplotlib's text-to-path scale)."""
    return [float(s) * 100 for s in _GLYPH_SCALE.findall(svg)]


def size_pt(svg: str) -> tuple[float, float] | None:
    """(width, height) of an SVG document whose size is given in pt (matplotlib's), else None."""
    head = svg[svg.index("<svg"):svg.index(">", svg.index("<svg"))] if "<svg" in svg else ""
    w, h = re.search(r'\bwidth="([\d.]+)pt"', head), re.search(r'\bheight="([\d.]+)pt"', head)
    return (float(w.group(1)), float(h.group(1))) if w and h else None


def min_width_px(svg: str, min_text_px: float = MIN_TEXT_PX) -> int:
    """The narrowest width (CSS px) at which the figure's smallest text is still ``min_text_px`` tall: shown any
    narrower, the page lets it scroll sideways instead (site.css)."""
    sizes, dims = text_sizes(svg), size_pt(svg)
    if not sizes or dims is None:
        return 0
    return math.ceil(dims[0] * min_text_px / min(sizes))


def stacked(top: str, bottom: str) -> str:
    """Two matplotlib SVG documents one above the other, in one SVG document (a phone's narrow layout of a
    figure whose panels stand side by side on a wide screen)."""
    def inner(svg: str) -> tuple[str, float, float]:
        svg = re.sub(r"<\?xml[^>]*>\s*|<!DOCTYPE[^>]*>\s*", "", svg, flags=re.S)
        w = float(re.search(r'<svg\b[^>]*?\bwidth="([\d.]+)pt"', svg).group(1))
        h = float(re.search(r'<svg\b[^>]*?\bheight="([\d.]+)pt"', svg).group(1))
        return svg, w, h

    (a, wa, ha), (b, wb, hb) = inner(top), inner(bottom)
    # inside, sizes in the outer document's user units (its points), not in pt (which would scale them by 4/3)
    for attr in ("width", "height"):
        a = re.sub(rf'(<svg\b[^>]*?\b{attr}="[\d.]+)pt"', r'\1"', a, count=1)
        b = re.sub(rf'(<svg\b[^>]*?\b{attr}="[\d.]+)pt"', r'\1"', b, count=1)
    b = b.replace("<svg ", f'<svg y="{ha:g}" ', 1)
    w, h = max(wa, wb), ha + hb
    return (f'<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="{w:g}pt" height="{h:g}pt" '
            f'viewBox="0 0 {w:g} {h:g}" xmlns="http://www.w3.org/2000/svg" version="1.1">{a}{b}</svg>')
