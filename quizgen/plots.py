"""Plots as pure functions: plain data in, SVG text out (matplotlib, Noto Sans CJK JP).

Every function takes plain data (lists of numbers, labels, problem keys), never runs an
optimizer, and returns the same bytes for the same data (``svg.hashsalt`` fixed, no date in
the metadata, text drawn as paths so the SVG needs no font at view time). The site, drill
sheets and the trajectory-identification questions all draw through here.

The shapes:

- a path plot: ``{"problem": "ravine", "series": [{"label": "SGD", "points": [[x, y], ...]}, ...]}``
  (optional per series: ``"losses"``, ``"color"``; optional: ``"title"``, ``"xlim"``, ``"ylim"``);
- a curve plot: ``{"panels": [{"title": ..., "xlabel": ..., "ylabel": ..., "log": bool,
  "series": [{"label": ..., "x": [...], "y": [...]}]}]}``.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from . import problems as P  # noqa: E402

FONT = "Noto Sans CJK JP"
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f",
           "#bcbd22", "#393b79", "#637939")
RC = {
    "font.family": [FONT, "DejaVu Sans"],
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titley": 1.0,  # a fixed title position: auto-placing it measured every tick label again
    "axes.titlepad": 4.0,
    "axes.unicode_minus": True,
    "svg.hashsalt": "quizgen-plots",
    "svg.fonttype": "path",
    "figure.dpi": 72,
    "axes.linewidth": 0.8,
    "legend.fontsize": 8,
    "legend.framealpha": 0.9,
}
PAGE_WIDTH = 7.2  # inches: about the width of the page's content column
HUGE = 1e6  # a path coordinate beyond this many view widths counts as diverged


def _svg(fig: Figure) -> str:
    # fixed margins (no constrained layout, no tight bbox): measuring every text twice was most of the time
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return buf.getvalue()


def _figure(width: float, height: float, **margins: float) -> Figure:
    fig = Figure(figsize=(width, height))
    pad = {"left": 0.6 / width, "right": 1 - 0.15 / width, "bottom": 0.5 / height, "top": 1 - 0.3 / height,
           "wspace": 0.28, "hspace": 0.45}
    pad.update(margins)
    fig.subplots_adjust(**pad)
    return fig


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _pow10(value: float, _pos: int | None = None) -> str:
    """Tick label of a log axis as plain text (10⁻²): no mathtext, which was slow to lay out."""
    if value <= 0 or not math.isfinite(value):
        return ""
    e = math.log10(value)
    if abs(e - round(e)) > 1e-9:
        return ""
    e = int(round(e))
    return {0: "1", 1: "10"}.get(e, "10" + str(e).translate(_SUPERSCRIPT))


def _log_axis(ax, axis: str = "y") -> None:
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(LogLocator(base=10, numticks=8))
    target.set_major_formatter(FuncFormatter(_pow10))
    target.set_minor_locator(NullLocator())


def _styled(fn: Callable[..., str]) -> Callable[..., str]:
    """Run a public plot function entirely under the module's rc settings (fonts, hash salt)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> str:
        with matplotlib.rc_context(RC):
            return fn(*args, **kwargs)

    return wrapper


def color(i: int, series: Mapping[str, Any] | None = None) -> str:
    if series is not None and series.get("color"):
        return str(series["color"])
    return PALETTE[i % len(PALETTE)]


def finite_prefix(points: Sequence[Sequence[float]], limit: float = math.inf) -> tuple[np.ndarray, bool]:
    """The points up to the first one that is not finite or beyond ``limit``; and whether any were cut."""
    arr = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    ok = np.all(np.isfinite(arr), axis=1) & np.all(np.abs(arr) <= limit, axis=1)
    bad = np.flatnonzero(~ok)
    if bad.size:
        return arr[: bad[0]], True
    return arr, False


def _levels(problem: P.Problem, z: np.ndarray) -> np.ndarray:
    if problem.key == "saddle":
        top = float(np.nanmax(np.abs(z)))
        return np.linspace(-top, top, 17)[1:-1]
    lo = max(float(np.nanmin(z[z > 0])) if np.any(z > 0) else 1e-3, 1e-3)
    hi = float(np.nanmax(z))
    if problem.key == "rosenbrock":
        return np.logspace(-1, math.log10(hi), 14)
    return np.geomspace(max(lo, hi / 1e4), hi, 14)


def _marker(ax, problem: P.Problem) -> None:
    """The minimum (a star), or the saddle point (a cross)."""
    if problem.minimum is not None:
        ax.plot(*problem.minimum, marker="*", color="#444444", markersize=9, zorder=5, linestyle="none")
    else:
        ax.plot(0, 0, marker="x", color="#444444", markersize=7, zorder=5, linestyle="none")


def _contours(ax, problem: P.Problem, xlim, ylim, *, marker: bool = True) -> None:
    xs = np.linspace(xlim[0], xlim[1], 161)
    ys = np.linspace(ylim[0], ylim[1], 161)
    X, Y = np.meshgrid(xs, ys)
    Z = problem.f(X, Y)
    ax.contour(X, Y, Z, levels=_levels(problem, Z), colors="#b8b8b8", linewidths=0.6)
    if marker:
        _marker(ax, problem)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel("x")
    ax.set_ylabel("y")


def _view(data: Mapping[str, Any], problem: P.Problem) -> tuple[tuple[float, float], tuple[float, float]]:
    xlim = tuple(data.get("xlim") or problem.xlim)
    ylim = tuple(data.get("ylim") or problem.ylim)
    return xlim, ylim  # type: ignore[return-value]


def _draw_paths(ax, data: Mapping[str, Any], problem: P.Problem, *, legend: bool | str = True,
                index0: int = 0) -> None:
    xlim, ylim = _view(data, problem)
    _contours(ax, problem, xlim, ylim)
    _series(ax, data, xlim, ylim, legend=legend, index0=index0)


def _series(ax, data: Mapping[str, Any], xlim, ylim, *, legend: bool | str = True, index0: int = 0) -> None:
    """Each series' path (dots joined by a line, a square at its start); a diverged one is cut and labelled."""
    span = max(xlim[1] - xlim[0], ylim[1] - ylim[0])
    for i, s in enumerate(data["series"]):
        pts, cut = finite_prefix(s["points"], HUGE * span)
        if not len(pts):
            continue
        c = color(index0 + i, s)
        label = s.get("label")
        if cut:
            label = f"{label}（発散）" if label else "発散"
        ax.plot(pts[:, 0], pts[:, 1], "-o", color=c, markersize=2.6, linewidth=1.1, label=label, zorder=3,
                clip_on=True)
        ax.plot(pts[0, 0], pts[0, 1], marker="s", color=c, markersize=4.5, zorder=4)
    if legend is True and any(s.get("label") for s in data["series"]):
        ax.legend(loc="best")


MANY = 4  # more series than this: the legend goes below the plot instead of over it


@_styled
def paths_svg(data: Mapping[str, Any], *, width: float = PAGE_WIDTH * 0.62, height: float = 3.4) -> str:
    """Paths over the contour lines of ``data["problem"]`` (the shape in the module doc).

    Hundreds of quiz and drill figures share a handful of views, so only the paths are drawn per figure:
    the background (axes, ticks, contour lines) and the marked minimum are drawn by matplotlib once per
    view, the legend once per set of entries, and placed where matplotlib's ``loc="best"`` would put it
    (same candidates, same score). The paths themselves are SVG polylines in matplotlib's coordinates and
    styles (a line with a dot at every iterate, a square at the start), clipped to the axes."""
    problem = P.get(data["problem"])
    xlim, ylim = _view(data, problem)
    background, parts, _ = _layered(data, problem.key, xlim, ylim, width, height, None, data.get("title") or "")
    return _joined(background, parts)


def _layered(data: Mapping[str, Any], key: str, xlim, ylim, width: float, height: float, rows: int | None,
             title: str, *, legend: bool = True) -> tuple[str, list[str], list[tuple[str, str]]]:
    """The cached background of a layout (see :func:`_layout`) and the SVG layers over its paths axes: the
    paths, the minimum's marker and (with ``legend``) the legend placed as ``loc="best"``. Also the entries."""
    background = _background(key, xlim, ylim, width, height, rows, title)
    view = _overlay(key, xlim, ylim, width, height, rows)
    drawn, entries = view.series(data["series"], xlim, ylim)
    parts = [view.paths(drawn), view.top]
    if entries and legend:
        parts.append(view.legend(tuple(entries), [xy for xy, _ in drawn]))
    return background, parts, entries


def _joined(background: str, parts: Sequence[str]) -> str:
    """The background SVG with ``parts`` drawn over it."""
    end = background.rindex("</svg>")
    return background[:end] + "".join(parts) + background[end:]


def _num(v: float) -> str:
    return f"{v:.3f}".rstrip("0").rstrip(".")


def _clip_path(name: str, box, height_pt: float) -> str:
    """A ``<clipPath>`` called ``name``: the rectangle ``box`` (display units, y upwards) in a figure
    ``height_pt`` high."""
    return (f'<clipPath id="{name}"><rect x="{_num(box.x0)}" y="{_num(height_pt - box.y1)}" '
            f'width="{_num(box.width)}" height="{_num(box.height)}"/></clipPath>')


def _subtree(svg: str, start: str) -> str:
    """The element of ``svg`` that begins with ``start`` (a ``<g ...>`` tag), with everything inside it."""
    i = svg.index(start)
    depth, j = 0, i
    for m in re.finditer(r"<(/?)g\b[^>]*?(/?)>", svg[i:]):
        if m.group(2):
            continue
        depth += -1 if m.group(1) else 1
        if depth == 0:
            j = i + m.end()
            break
    return svg[i:j]


def _drawn(artist, group: str) -> str:
    """What matplotlib's SVG backend writes for ``artist`` alone: its ``<g id="{group}_1">`` element."""
    from matplotlib.backends.backend_svg import RendererSVG

    width, height = artist.get_figure(root=True).get_size_inches() * 72.0
    buf = io.StringIO()
    artist.draw(RendererSVG(width, height, buf))
    return _subtree(buf.getvalue(), f'<g id="{group}_1">')


class _Texts:
    """Texts as matplotlib's SVG backend writes them (glyphs as paths), each string in each style drawn by
    matplotlib once, anchored at the origin, and moved to wherever a text with that string and style is
    anchored. One kept renderer draws them all, so text metrics and glyph outlines are worked out once."""

    def __init__(self):
        from matplotlib.backends.backend_svg import RendererSVG

        self._out = io.StringIO()
        self.renderer = RendererSVG(0.0, 0.0, self._out)  # 0 high: it flips y to -y
        self._drawn: dict[tuple, tuple[str, tuple[str, ...], Any]] = {}
        self._glyphs: dict[str, str] = {}  # id → outline (<path>), as the renderer defined it on first use

    def _entry(self, t):
        """(SVG body, glyph ids, extent) of ``t``'s string and style drawn anchored at the origin; the extent
        (a Bbox) in display units, y upwards."""
        from matplotlib.text import Text
        from matplotlib.transforms import IdentityTransform

        key = (t.get_text(), t.get_fontproperties(), str(t.get_color()), t.get_horizontalalignment(),
               t.get_verticalalignment(), t.get_rotation(), t.get_rotation_mode())
        if key not in self._drawn:
            text, font, _, ha, va, rotation, mode = key
            alone = Text(0, 0, text, fontproperties=font, color=t.get_color(), horizontalalignment=ha,
                         verticalalignment=va, rotation=rotation, rotation_mode=mode, transform=IdentityTransform())
            alone.set_figure(t.get_figure(root=True))  # its dpi
            self._out.seek(0)
            self._out.truncate()
            alone.draw(self.renderer)
            svg = self._out.getvalue()
            self._glyphs.update((m.group(1), m.group(0)) for m in re.finditer(r'<path id="([^"]+)"[^>]*/>', svg))
            body = re.sub(r"\s*<defs>.*?</defs>", "", svg[svg.index(">") + 1:svg.rindex("</g>")], flags=re.S)
            self._drawn[key] = (body, tuple(re.findall(r'xlink:href="#([^"]+)"', body)),
                                alone.get_window_extent(self.renderer))
        return self._drawn[key]

    def extent(self, t):
        """What ``t.get_window_extent()`` gives: a Bbox in display units."""
        from matplotlib.transforms import Bbox

        if not t.get_text():
            return Bbox.from_bounds(*_anchor(t), 0, 0)
        return self._entry(t)[2].translated(*_anchor(t))

    def svg(self, t, glyphs: dict[str, str]) -> str:
        """Text ``t`` where it is anchored; adds the glyph outlines it uses to ``glyphs`` (id → outline)."""
        body, used, _ = self._entry(t)
        glyphs.update((g, self._glyphs[g]) for g in used)
        (x, y), height = _anchor(t), t.get_figure(root=True).get_size_inches()[1] * 72.0
        return f'<g transform="translate({_num(x)} {_num(height - y)})">{body}</g>'


def _anchor(t) -> np.ndarray:
    """Where text ``t`` is anchored, in display units."""
    return t.get_transform().transform(t.get_unitless_position())


@functools.lru_cache(maxsize=1)
def _texts() -> _Texts:
    with matplotlib.rc_context(RC):
        return _Texts()


class _View:
    """One view's overlay: matplotlib's axes placement (to turn data into SVG points), the minimum's marker
    as SVG, and the legends drawn so far (by their entries)."""

    def __init__(self, key: str, xlim, ylim, fig: Figure, ax):
        """``ax`` in ``fig``: placed as the background's paths axes."""
        from matplotlib.transforms import Bbox

        self.fig = fig
        fig.patch.set_visible(False)
        self.ax = ax
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_axis_off()
        _marker(ax, P.get(key))
        width, height = fig.get_size_inches()
        self.height_pt = height * 72.0  # the SVG's user units are points, y downwards
        self.box = Bbox(ax.transAxes.transform([[0, 0], [1, 1]]))  # the axes in display units (y upwards)
        b = self.box
        self.clip = "paths-clip-" + hashlib.md5(repr((key, width, height, b.bounds)).encode(),
                                                usedforsecurity=False).hexdigest()[:10]
        self._clip_def = f"<defs>{_clip_path(self.clip, b, self.height_pt)}</defs>"
        with matplotlib.rc_context({"svg.hashsalt": "quizgen-plots-paths"}):  # ids unlike the background's
            top = _svg(fig)
        body = top[top.index('<g id="figure_1">'):top.rindex("</svg>")]
        self.top = re.sub(r'id="([a-z0-9]+_\d+)"', r'id="paths-\1"', body)
        self.star = [ax.transData.transform(np.asarray(line.get_xydata(), dtype=np.float64)) for line in ax.lines]
        self._legends: dict[tuple[tuple[str, str], ...], tuple[str, Any]] = {}

    def series(self, series: Sequence[Mapping[str, Any]], xlim, ylim):
        """Each series' points in display units with its colour (cut where it diverges), and the legend's
        entries (label, colour): what ``_series`` would plot."""
        span = max(xlim[1] - xlim[0], ylim[1] - ylim[0])
        drawn, entries = [], []
        for i, s in enumerate(series):
            pts, cut = finite_prefix(s["points"], HUGE * span)
            if not len(pts):
                continue
            c = color(i, s)
            drawn.append((self.to_svg(pts), c))
            if s.get("label"):
                entries.append((f"{s['label']}（発散）" if cut else str(s["label"]), c))
        return drawn, entries

    def to_svg(self, pts: np.ndarray) -> np.ndarray:
        """Data points → display points (matplotlib's pixels at 72 dpi = SVG points; y upwards)."""
        return self.ax.transData.transform(pts)

    def paths(self, drawn: Sequence[tuple[np.ndarray, str]]) -> str:
        """Each path as matplotlib draws ``plot(x, y, "-o", markersize=2.6, linewidth=1.1)`` (its line, then
        its dots, over the paths before it) and the starts as squares of size 4.5 over all, clipped to the axes."""
        h, out = self.height_pt, [self._clip_def]
        clip = f"url(#{self.clip})"
        for xy, c in drawn:
            d = " ".join(f"{'L' if k else 'M'} {_num(x)} {_num(h - y)}" for k, (x, y) in enumerate(xy))
            out.append(f'<path d="{d}" clip-path="{clip}" style="fill: none; stroke: {c}; stroke-width: 1.1; '
                       f'stroke-linecap: square; stroke-linejoin: round"/>')
            out.append(f'<g clip-path="{clip}" style="fill: {c}; stroke: {c}; stroke-width: 1">'
                       + "".join(f'<circle cx="{_num(x)}" cy="{_num(h - y)}" r="1.3"/>' for x, y in xy) + "</g>")
        for xy, c in drawn:
            x, y = xy[0]
            out.append(f'<rect x="{_num(x - 2.25)}" y="{_num(h - y - 2.25)}" width="4.5" height="4.5" '
                       f'clip-path="{clip}" style="fill: {c}; stroke: {c}; stroke-width: 1; stroke-linejoin: miter"/>')
        return '<g id="paths-lines">' + "".join(out) + "</g>"

    def legend(self, entries: tuple[tuple[str, str], ...], paths: Sequence[np.ndarray]) -> str:
        """The legend of ``entries`` (label, colour) where ``loc="best"`` puts it given the drawn ``paths``."""
        from matplotlib.path import Path as MplPath
        from matplotlib.transforms import Bbox

        svg, drawn_at = self._legend_svg(entries)
        w, h = drawn_at.width, drawn_at.height
        lines = [MplPath(xy) for xy in paths] + [MplPath(xy[:1]) for xy in paths] + [MplPath(xy) for xy in self.star]
        pad = 0.5 * matplotlib.rcParams["legend.fontsize"]  # borderaxespad × font size, in points
        container = self.box.padded(-pad)
        best = None
        for code, anchor in enumerate(("NE", "NW", "SW", "SE", "E", "W", "E", "S", "N", "C"), start=1):
            l, b = Bbox.from_bounds(0, 0, w, h).anchored(anchor, container=container).p0
            box = Bbox.from_bounds(l, b, w, h)
            badness = (sum(box.count_contains(p.vertices) for p in lines)
                       + sum(p.intersects_bbox(box, filled=False) for p in lines))
            if best is None or (badness, code) < best[:2]:
                best = (badness, code, l, b)
            if badness == 0:
                break
        _, _, l, b = best
        dx, dy = l - drawn_at.x0, -(b - drawn_at.y0)
        return f'<g transform="translate({_num(dx)} {_num(dy)})">{svg}</g>'

    def _legend_svg(self, entries: tuple[tuple[str, str], ...]):
        """The legend drawn by matplotlib at the upper right, and its frame in display units (cached)."""
        if entries not in self._legends:
            from matplotlib.transforms import Bbox

            leg = self.ax.legend(_handles(entries), [label for label, _ in entries], loc="upper right")
            try:
                with matplotlib.rc_context({"svg.hashsalt": "quizgen-plots-legend"}):
                    group = _drawn(leg, "legend")
            finally:
                leg.remove()
            group = re.sub(r'id="([a-z0-9]+_\d+)"', r'id="paths-\1"', group)
            frame = _subtree(group, re.search(r'<g id="paths-patch_\d+">', group).group(0))  # the legend's frame
            nums = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", re.search(r'\sd="([^"]*)"', frame).group(1))]
            xs, ys = nums[0::2], nums[1::2]
            drawn_at = Bbox([[min(xs), self.height_pt - max(ys)], [max(xs), self.height_pt - min(ys)]])
            self._legends[entries] = (group, drawn_at)
        return self._legends[entries]


def _handles(entries: Sequence[tuple[str, str]]) -> list:
    """Legend handles drawn as the paths are: a line with a dot, in each entry's colour."""
    from matplotlib.lines import Line2D

    return [Line2D([], [], linestyle="-", marker="o", color=c, markersize=2.6, linewidth=1.1) for _, c in entries]


def _layout(width: float, height: float, rows: int | None, *, loss: bool = False):
    """(figure, paths axes): one panel (``rows`` None: :func:`paths_svg`), or the left of the paths and the
    loss side by side (:func:`paths_and_loss_svg`, with ``rows`` of legend below the plot when > 0); with
    ``loss``, the right one (the loss axes). Only that axes is made: the layers draw one axes each."""
    if rows is None:
        fig = _figure(width, height)
        return fig, fig.add_subplot()
    extra = 0.25 * rows + (0.15 if rows else 0)
    height += extra
    fig = _figure(width, height, left=0.075, right=0.985, bottom=(0.5 + extra) / height, top=1 - 0.25 / height,
                  wspace=0.22)
    return fig, fig.add_subplot(fig.add_gridspec(1, 2, width_ratios=[1.35, 1])[1 if loss else 0])


@functools.lru_cache(maxsize=64)
def _background(key: str, xlim: tuple[float, float], ylim: tuple[float, float], width: float, height: float,
                rows: int | None, title: str) -> str:
    """The paths axes' ticks and contour lines (and title) of one view in one layout, as SVG (see
    :func:`paths_svg`)."""
    with matplotlib.rc_context(RC):
        fig, ax = _layout(width, height, rows)
        _contours(ax, P.get(key), xlim, ylim, marker=False)
        if title:
            ax.set_title(title)
        return _svg(fig)


@functools.lru_cache(maxsize=16)
def _overlay(key: str, xlim: tuple[float, float], ylim: tuple[float, float], width: float, height: float,
             rows: int | None) -> _View:
    with matplotlib.rc_context(RC):
        return _View(key, xlim, ylim, *_layout(width, height, rows))


def _loss_axes(ax, series: Sequence[Mapping[str, Any]], *, title: str | None = None, index0: int = 0) -> None:
    """Loss against step: the curves (:func:`_loss_curves`), the step axis, a grid and the title."""
    _loss_curves(ax, series, index0=index0)
    ax.set_xlabel("ステップ")
    ax.grid(True, which="major", color="#e4e4e4", linewidth=0.6)
    if title:
        ax.set_title(title)


def _loss_curves(ax, series: Sequence[Mapping[str, Any]], *, index0: int = 0) -> None:
    """Each series' ``"losses"`` against step (gaps where not finite), on a log y axis when every loss is
    positive, else symlog; the y label says which."""
    positive = all(v is None or not math.isfinite(v) or v > 0 for s in series for v in s["losses"])
    for i, s in enumerate(series):
        y = np.array([np.nan if v is None else v for v in s["losses"]], dtype=np.float64)
        y[~np.isfinite(y)] = np.nan
        ax.plot(np.arange(len(y)), y, "-", color=color(index0 + i, s), linewidth=1.3, label=s.get("label"))
    if positive:
        ax.set_yscale("log")
        _log_axis(ax)
    else:
        ax.set_yscale("symlog", linthresh=1e-2)
    ax.set_ylabel("損失（対数）" if positive else "損失")


@_styled
def loss_svg(data: Mapping[str, Any], *, width: float = PAGE_WIDTH * 0.5, height: float = 3.0) -> str:
    """Loss against step, log scale: ``{"series": [{"label": ..., "losses": [...]}], "title": ...}``."""
    fig = _figure(width, height)
    ax = fig.add_subplot()
    _loss_axes(ax, data["series"], title=data.get("title"))
    if any(s.get("label") for s in data["series"]):
        ax.legend(loc="best")
    return _svg(fig)


_CAPS = {"projecting": "square", "round": "round"}  # matplotlib's cap styles in SVG ("butt" is SVG's default)


def _stroke(color_: Any, width: float, *, cap: str = "butt", join: str = "round") -> str:
    """The style matplotlib's SVG backend writes for a stroke (round joins and butt caps left to the defaults
    that its SVG files declare)."""
    from matplotlib.colors import to_hex

    style = f"fill: none; stroke: {to_hex(color_)}; stroke-width: {_num(width)}"
    if join != "round":
        style += f"; stroke-linejoin: {join}"
    if cap != "butt":
        style += f"; stroke-linecap: {_CAPS[cap]}"
    return style


class _LossPanel:
    """The loss axes of one layout (:func:`_layout`), kept and reused by every figure in that layout.

    Each figure swaps its curves in; matplotlib sets the scale, limits and ticks, and the panel is written as
    matplotlib's SVG backend would write it: its grid, tick marks, curves and spines (each over the one
    before), its texts from :class:`_Texts` (the axis labels placed beside the tick labels as matplotlib
    places them) and, with many series, the legend below the plot. Nothing is measured or drawn by matplotlib
    twice, and a new axes (as costly as drawing one) is made once per layout."""

    def __init__(self, width: float, height: float, rows: int):
        self.fig, self.ax = _layout(width, height, rows, loss=True)
        _loss_axes(self.ax, (), title="損失の推移")  # what every figure shares; each draws its own curves
        self.width_pt, self.height_pt = self.fig.get_size_inches() * 72.0
        box = self.ax.bbox
        self.clip = "loss-clip-" + hashlib.md5(repr((width, height, rows, box.bounds)).encode(),
                                               usedforsecurity=False).hexdigest()[:10]
        self._clip_def = _clip_path(self.clip, box, self.height_pt)
        self._legends: dict[tuple[tuple[str, str], ...], str] = {}

    def svg(self, series: Sequence[Mapping[str, Any]], below: Sequence[tuple[str, str]] = ()) -> str:
        """The panel of ``series`` (their ``"losses"``) as :func:`_loss_axes` draws it, with the legend of
        ``below`` (label, colour) under the plot when there is one."""
        from matplotlib.colors import to_hex
        from matplotlib.transforms import Bbox

        ax, h = self.ax, self.height_pt
        for line in list(ax.lines):
            line.remove()
        _loss_curves(ax, series)
        ax.relim()
        ax.viewLim.set_points(Bbox.unit().get_points())  # as in a new axes: no limits left from the last figure
        ax.autoscale_view()
        box = ax.bbox
        clip = f'clip-path="url(#{self.clip})"'
        out = [f'<rect x="{_num(box.x0)}" y="{_num(h - box.y1)}" width="{_num(box.width)}" '
               f'height="{_num(box.height)}" style="fill: {to_hex(ax.get_facecolor())}"/>']
        texts = []
        for axis in (ax.xaxis, ax.yaxis):  # each axis: grid line, tick mark and label of each tick; its label
            ticks = axis._update_ticks()  # the ticks matplotlib draws: those in the view
            for tick in ticks:
                mark, grid = tick.tick1line, tick.gridline
                x, y = mark.get_transform().transform(mark.get_xydata())[0]  # on the spine
                if grid.get_visible():  # across the axes
                    x1, y1 = (x, box.y1) if axis is ax.xaxis else (box.x1, y)
                    out.append(f'<path d="M {_num(x)} {_num(h - y)} L {_num(x1)} {_num(h - y1)}" {clip} '
                               f'style="{self._line_style(grid)}"/>')
                if mark.get_visible():  # out of the axes: down from the x axis, left of the y axis
                    size = mark.get_markersize()
                    x1, y1 = (x, y - size) if axis is ax.xaxis else (x - size, y)
                    out.append(f'<path d="M {_num(x)} {_num(h - y)} L {_num(x1)} {_num(h - y1)}" '
                               f'style="{_stroke(mark.get_markeredgecolor(), mark.get_markeredgewidth())}"/>')
            labels = [tick.label1 for tick in ticks if tick.label1.get_visible()]
            self._place_label(axis, labels)
            texts += [*labels, axis.label]
        out += [f'<path d="{self._d(line)}" {clip} style="{self._line_style(line)}"/>' for line in ax.lines]
        corners = {"left": ((0, 0), (0, 1)), "right": ((1, 0), (1, 1)), "bottom": ((0, 0), (1, 0)),
                   "top": ((0, 1), (1, 1))}
        for side, spine in ax.spines.items():
            if spine.get_visible():
                (x0, y0), (x1, y1) = ax.transAxes.transform(corners[side])
                out.append(f'<path d="M {_num(x0)} {_num(h - y0)} L {_num(x1)} {_num(h - y1)}" style="'
                           + _stroke(spine.get_edgecolor(), spine.get_linewidth(), cap=spine.get_capstyle(),
                                     join=spine.get_joinstyle()) + '"/>')
        glyphs: dict[str, str] = {}
        out += [_texts().svg(t, glyphs) for t in [*texts, ax.title] if t.get_visible() and t.get_text()]
        if below:
            out.append(self._legend(tuple(below)))
        return (f'<g id="loss-panel"><defs>{self._clip_def}{"".join(glyphs.values())}</defs>' + "".join(out)
                + "</g>")

    def _place_label(self, axis, labels) -> None:
        """Put ``axis``'s label (below the x axis, left of the y axis) clear of its tick ``labels`` and spine, as
        matplotlib does when it draws the axis (``Axis._update_label_position``), each label measured once."""
        from matplotlib.transforms import Bbox

        x_axis = axis is self.ax.xaxis
        spine = self.ax.spines["bottom" if x_axis else "left"]
        box = Bbox.union([*(_texts().extent(t) for t in labels), spine.get_window_extent()])
        pad = axis.labelpad * self.fig.dpi / 72
        x, y = axis.label.get_position()
        axis.label.set_position((x, box.y0 - pad) if x_axis else (box.x0 - pad, y))

    def _d(self, line) -> str:
        """SVG path data of a Line2D as matplotlib's SVG backend writes it: cut where it is not finite, clipped
        to the figure and simplified (long paths) as matplotlib does."""
        from matplotlib.path import Path as MplPath
        from matplotlib.transforms import Affine2D

        path = line.get_transform().transform_path(line.get_path())
        flip = Affine2D().scale(1, -1).translate(0, self.height_pt)
        clean = path.cleaned(flip, remove_nans=True, clip=(0, 0, self.width_pt, self.height_pt),
                             simplify=path.should_simplify)
        return " ".join(f"{'M' if code == MplPath.MOVETO else 'L'} {_num(x)} {_num(y)}"
                        for (x, y), code in zip(clean.vertices, clean.codes) if code != MplPath.STOP)

    @staticmethod
    def _line_style(line) -> str:
        return _stroke(line.get_color(), line.get_linewidth(), cap=line.get_solid_capstyle(),
                       join=line.get_solid_joinstyle())

    def _legend(self, entries: tuple[tuple[str, str], ...]) -> str:
        """The legend of ``entries`` below the plot, drawn by matplotlib once per set of entries."""
        if entries not in self._legends:
            leg = self.fig.legend(_handles(entries), [label for label, _ in entries], loc="lower center", ncol=6,
                                  fontsize=7.5, frameon=False)
            try:
                with matplotlib.rc_context({"svg.hashsalt": "quizgen-plots-loss"}):  # ids unlike the background's
                    group = _drawn(leg, "legend")
            finally:
                leg.remove()
            self._legends[entries] = re.sub(r'id="([a-z0-9]+_\d+)"', r'id="loss-\1"', group)
        return self._legends[entries]


@functools.lru_cache(maxsize=8)
def _loss_panel(width: float, height: float, rows: int) -> _LossPanel:
    with matplotlib.rc_context(RC):
        return _LossPanel(width, height, rows)


@_styled
def paths_and_loss_svg(data: Mapping[str, Any], *, width: float = PAGE_WIDTH, height: float = 3.2) -> str:
    """Paths on the surface (left) and their loss against step (right); each series needs ``"losses"``.

    As :func:`paths_svg`: the left panel's axes, ticks and contour lines are drawn once per view and the paths
    are written over them. The loss panel is laid out by matplotlib in one kept figure per layout and written
    from that layout (:class:`_LossPanel`); with many series, the legend goes below the plot."""
    problem = P.get(data["problem"])
    xlim, ylim = _view(data, problem)
    n = len(data["series"])
    rows = math.ceil(n / 6) if n > MANY else 0
    title = data.get("title") or problem.name_ja
    background, parts, entries = _layered(data, problem.key, xlim, ylim, width, height, rows, title, legend=not rows)
    loss = _loss_panel(width, height, rows).svg(data["series"], entries if rows else ())
    return _joined(background, [*parts, loss])


@_styled
def small_multiples_svg(data: Mapping[str, Any], *, ncols: int = 4, panel: float = 1.9) -> str:
    """One panel per series (its label as the panel title), same view and colours as the overlay."""
    problem = P.get(data["problem"])
    n = len(data["series"])
    nrows = max(1, math.ceil(n / ncols))
    fig = _figure(PAGE_WIDTH, panel * nrows * 0.95, left=0.06, right=0.99, bottom=0.1 / nrows, top=1 - 0.2 / nrows,
                  wspace=0.12, hspace=0.35)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True, sharey=True)).reshape(-1)
    for i, ax in enumerate(axes):
        if i >= n:
            ax.set_visible(False)
            continue
        s = data["series"][i]
        one = dict(data, series=[dict(s, label=None)])
        _draw_paths(ax, one, problem, legend=False, index0=i)
        pts, cut = finite_prefix(s["points"])
        ax.set_title(s["label"] + ("（発散）" if cut else ""), fontsize=8.5)
        ax.tick_params(labelsize=7)
        ax.set_xlabel("")
        ax.set_ylabel("")
    return _svg(fig)


@_styled
def curves_svg(data: Mapping[str, Any], *, width: float = PAGE_WIDTH, height: float = 3.0) -> str:
    """Panels of curves side by side (training loss and accuracy): the curve shape in the module doc."""
    panels = data["panels"]
    fig = _figure(width, height, left=0.08, right=0.8, bottom=0.15, top=0.91, wspace=0.3)
    axes = np.atleast_1d(fig.subplots(1, len(panels))).reshape(-1)
    for ax, p in zip(axes, panels):
        for i, s in enumerate(p["series"]):
            ax.plot(s["x"], s["y"], "-", color=color(i, s), linewidth=1.3, label=s.get("label"))
        if p.get("log"):
            ax.set_yscale("log")
            _log_axis(ax)
        ax.set_title(p.get("title", ""))
        ax.set_xlabel(p.get("xlabel", ""))
        ax.set_ylabel(p.get("ylabel", ""))
        ax.grid(True, color="#e4e4e4", linewidth=0.6)
    if panels and any(s.get("label") for s in panels[0]["series"]):
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="center right", fontsize=7.5, frameon=False)
    return _svg(fig)


def _png(fig: Figure, dpi: int) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None}, bbox_inches="tight", pad_inches=0.05)
    return buf.getvalue()


@_styled
def paths_png(data: Mapping[str, Any], *, width: float = PAGE_WIDTH * 0.62, height: float = 3.4,
              dpi: int = 150) -> bytes:
    """:func:`paths_svg` as PNG bytes (for exports whose viewers may not show SVG: Moodle, Anki).

    Same drawing, same data; no time or software stamp, so the same data gives the same bytes.
    """
    problem = P.get(data["problem"])
    fig = _figure(width, height)
    ax = fig.add_subplot()
    _draw_paths(ax, data, problem)
    if data.get("title"):
        ax.set_title(data["title"])
    return _png(fig, dpi)


@_styled
def function_paths_svg(data: Mapping[str, Any], *, width: float = PAGE_WIDTH * 0.7, height: float = 3.0) -> str:
    """Runs on a 1-D function: ``{"x": grid, "f": values, "series": [{"label", "x": [...], "y": [...]}]}``."""
    fig = _figure(width, height)
    ax = fig.add_subplot()
    ax.plot(data["x"], data["f"], "-", color="#888888", linewidth=1.2)
    for i, s in enumerate(data["series"]):
        c = color(i, s)
        ax.plot(s["x"], s["y"], "o", color=c, markersize=3, alpha=0.55, label=s.get("label"))
        ax.plot(s["x"][0], s["y"][0], "s", color=c, markersize=6)
        ax.plot(s["x"][-1], s["y"][-1], "*", color=c, markersize=11, markeredgecolor="black", markeredgewidth=0.5)
    ax.set_xlabel(data.get("xlabel", "x"))
    ax.set_ylabel(data.get("ylabel", "f(x)"))
    ax.grid(True, color="#e4e4e4", linewidth=0.6)
    if any(s.get("label") for s in data["series"]):
        ax.legend(loc="best")
    return _svg(fig)
