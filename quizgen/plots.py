"""Plots as pure functions: plain data in, SVG text out (matplotlib, Noto Sans CJK JP).

Every function takes plain data (lists of numbers, labels, problem keys), never runs an
optimizer, and returns the same bytes for the same data (``svg.hashsalt`` fixed, no date in
the metadata, text drawn as paths so the SVG needs no font at view time). The site, drill
sheets and the trajectory-identification questions all draw through here.

The shapes:

- a path plot: ``{"problem": "ravine", "series": [{"label": "SGD", "points": [[x, y], ...]}, ...]}``
  (optional per series: ``"losses"``, ``"color"``; optional: ``"title"``, ``"xlim"``, ``"ylim"``, and
  ``"legend": "below"`` for :func:`paths_and_loss_svg` when no corner of the paths is free);
- a curve plot: ``{"panels": [{"title": ..., "xlabel": ..., "ylabel": ..., "log": bool,
  "series": [{"label": ..., "x": [...], "y": [...]}]}]}`` (optional per series: ``"color"``, ``"style"`` (a
  matplotlib line format such as ``"--"``); per panel: ``"marks": [{"x": ..., "label": ...}]``, dotted vertical
  lines; with one panel the legend goes inside it, at ``data["legend"]`` (default ``"best"``)).
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

from . import fonts  # noqa: E402
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
    """Run a public plot function entirely under the module's rc settings (fonts, hash salt), with the Japanese
    font registered from its file and every glyph checked (quizgen/fonts.py)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> str:
        try:
            with matplotlib.rc_context(RC), fonts.checked():  # the font from its file; a missing glyph is an error
                return fn(*args, **kwargs)
        except fonts.FontError:
            _forget()  # a drawing stopped half-way leaves the kept renderers and axes half-written
            raise

    return wrapper


def _forget() -> None:
    """Drop every kept renderer, axes and drawing (the module's caches)."""
    for value in list(globals().values()):
        if callable(getattr(value, "cache_clear", None)):
            value.cache_clear()


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


def _marker(ax, problem: P.Problem):
    """The minimum (a star), or the saddle point (a cross): its Line2D."""
    if problem.minimum is not None:
        return ax.plot(*problem.minimum, marker="*", color="#444444", markersize=9, zorder=5, linestyle="none")[0]
    return ax.plot(0, 0, marker="x", color="#444444", markersize=7, zorder=5, linestyle="none")[0]


def _contour_set(ax, problem: P.Problem, xlim, ylim):
    """The contour lines of ``problem`` over the view, drawn into ``ax``."""
    xs = np.linspace(xlim[0], xlim[1], 161)
    ys = np.linspace(ylim[0], ylim[1], 161)
    X, Y = np.meshgrid(xs, ys)
    Z = problem.f(X, Y)
    return ax.contour(X, Y, Z, levels=_levels(problem, Z), colors="#b8b8b8", linewidths=0.6)


def _contours(ax, problem: P.Problem, xlim, ylim, *, marker: bool = True) -> None:
    _contour_set(ax, problem, xlim, ylim)
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
def paths_svg(data: Mapping[str, Any], *, width: float = PAGE_WIDTH * 0.62, height: float = 3.4,
              dots: str = "circles") -> str:
    """Paths over the contour lines of ``data["problem"]`` (the shape in the module doc).

    Hundreds of quiz and drill figures share a handful of views, so only the paths are drawn per figure:
    the background (axes, ticks, contour lines) is written once per view from matplotlib's layout of a kept
    axes (:class:`_Axes`), the marked minimum drawn by matplotlib once per view, the legend once per set of
    entries and placed where matplotlib's ``loc="best"`` would put it (same candidates, same score). The paths
    themselves are SVG polylines in matplotlib's coordinates and styles (a line with a dot at every iterate,
    a square at the start), clipped to the axes.

    ``dots="caps"`` draws a path's dots as one SVG path of round-capped zero-length segments instead of one
    ``<circle>`` each: the same picture, but a PDF (print) then holds one path instead of hundreds of
    objects, a fifth of the bytes of a figure with long paths."""
    problem = P.get(data["problem"])
    xlim, ylim = _view(data, problem)
    background, parts, _ = _layered(data, problem.key, xlim, ylim, width, height, None, data.get("title") or "",
                                    dots=dots)
    return _joined(background, parts)


def _layered(data: Mapping[str, Any], key: str, xlim, ylim, width: float, height: float, layout, title: str,
             *, legend: bool = True, dots: str = "circles") -> tuple[str, list[str], list[tuple[str, str]]]:
    """The cached background of a layout (see :func:`_layout`) and the SVG layers over its paths axes: the
    paths, the minimum's marker and (with ``legend``) the legend placed as ``loc="best"``. Also the entries."""
    background = _background(key, xlim, ylim, width, height, layout, title)
    view = _overlay(key, xlim, ylim, width, height, layout)
    drawn, entries = view.series(data["series"], xlim, ylim)
    parts = [view.paths(drawn, dots), view.top]
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
    """What matplotlib's SVG backend writes for ``artist`` alone: its ``<g id="{group}_1">`` element, then the
    clip paths it uses (with ids given by the ``svg.hashsalt`` in force); element ids prefixed ``paths-``, unlike
    the ids of the background the artist is drawn over."""
    from matplotlib.backends.backend_svg import RendererSVG

    width, height = artist.get_figure(root=True).get_size_inches() * 72.0
    buf = io.StringIO()
    renderer = RendererSVG(width, height, buf)
    artist.draw(renderer)
    renderer.finalize()
    svg = buf.getvalue()
    group_svg = _subtree(svg, f'<g id="{group}_1">')
    clips = re.search(r"<defs>\s*<clipPath.*?</defs>", svg[svg.index(group_svg) + len(group_svg):], re.S)
    return re.sub(r'id="([a-z0-9]+_\d+)"', r'id="paths-\1"', group_svg + (clips.group(0) if clips else ""))


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


_CAPS = {"projecting": "square", "round": "round"}  # matplotlib's cap styles in SVG ("butt" is SVG's default)


def _stroke(color_: Any, width: float, *, cap: str = "butt", join: str = "round", dashes=(0, None)) -> str:
    """The style matplotlib's SVG backend writes for a stroke (round joins and butt caps left to the defaults
    that its SVG files declare); ``dashes`` as matplotlib scales them, (offset, on-off lengths or None)."""
    from matplotlib.colors import to_hex

    style = f"fill: none; stroke: {to_hex(color_)}; stroke-width: {_num(width)}"
    offset, seq = dashes
    if seq is not None:
        style += f"; stroke-dasharray: {','.join(_num(v) for v in seq)}; stroke-dashoffset: {_num(offset)}"
    if join != "round":
        style += f"; stroke-linejoin: {join}"
    if cap != "butt":
        style += f"; stroke-linecap: {_CAPS[cap]}"
    return style


def _line_style(line) -> str:
    """The style of a Line2D without markers."""
    return _stroke(line.get_color(), line.get_linewidth(), cap=line.get_solid_capstyle(),
                   join=line.get_solid_joinstyle())


class _Axes:
    """One axes of a layout (:func:`_layout`), made once and reused by every figure drawn in it.

    Each figure sets what it shows (limits, curves, title); matplotlib works out the scale, limits and ticks,
    and the axes is written as matplotlib's SVG backend would write it: its patch, grid lines and tick marks,
    what it shows, its spines, then its texts (:class:`_Texts`), the axis labels placed beside the tick labels
    as matplotlib places them. matplotlib draws nothing here but each text once: making a new axes costs
    about as much as drawing one, and drawing one is mostly its texts."""

    def __init__(self, width: float, height: float, layout, *, loss: bool = False):
        self.fig, self.ax = _layout(width, height, layout, loss=loss)
        self.width_pt, self.height_pt = self.fig.get_size_inches() * 72.0
        box = self.ax.bbox
        self.clip = "axes-clip-" + hashlib.md5(repr((self.width_pt, self.height_pt, box.bounds)).encode(),
                                               usedforsecurity=False).hexdigest()[:10]
        self.clip_def = _clip_path(self.clip, box, self.height_pt)

    def path(self, path, transform, style: str) -> str:
        """A stroked ``path`` (through ``transform`` to display units) as matplotlib's SVG backend writes it:
        cut where it is not finite, clipped to the figure, simplified when long; drawn inside the axes."""
        from matplotlib.path import Path as MplPath
        from matplotlib.transforms import Affine2D

        path = transform.transform_path(path)
        flip = Affine2D().scale(1, -1).translate(0, self.height_pt)
        clean = path.cleaned(flip, remove_nans=True, clip=(0, 0, self.width_pt, self.height_pt),
                             simplify=path.should_simplify)
        op = {MplPath.MOVETO: "M", MplPath.LINETO: "L"}
        d = " ".join(f"{op[code]} {_num(x)} {_num(y)}" if code in op else "z"
                     for (x, y), code in zip(clean.vertices, clean.codes) if code != MplPath.STOP)
        return f'<path d="{d}" clip-path="url(#{self.clip})" style="{style}"/>' if d else ""

    def svg(self, shown: Sequence[str], glyphs: dict[str, str]) -> str:
        """The axes with ``shown`` (SVG elements: curves, contour lines) over its grid and under its spines;
        adds the glyph outlines of its texts to ``glyphs``. Its clip path is :attr:`clip_def`."""
        from matplotlib.colors import to_hex

        ax, h, box = self.ax, self.height_pt, self.ax.bbox
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
                    out.append(f'<path d="M {_num(x)} {_num(h - y)} L {_num(x1)} {_num(h - y1)}" '
                               f'clip-path="url(#{self.clip})" style="{_line_style(grid)}"/>')
                if mark.get_visible():  # out of the axes: down from the x axis, left of the y axis
                    size = mark.get_markersize()
                    x1, y1 = (x, y - size) if axis is ax.xaxis else (x - size, y)
                    out.append(f'<path d="M {_num(x)} {_num(h - y)} L {_num(x1)} {_num(h - y1)}" '
                               f'style="{_stroke(mark.get_markeredgecolor(), mark.get_markeredgewidth())}"/>')
            labels = [tick.label1 for tick in ticks if tick.label1.get_visible()]
            boxes = [_texts().extent(t) for t in labels]
            self._place_label(axis, boxes)
            axis._update_offset_text_position(boxes, [])  # the axis' offset ("1e6", "+1e3"), as drawing places it
            axis.offsetText.set_text(axis.major.formatter.get_offset())
            texts += [*labels, axis.label, axis.offsetText]
        out += shown
        corners = {"left": ((0, 0), (0, 1)), "right": ((1, 0), (1, 1)), "bottom": ((0, 0), (1, 0)),
                   "top": ((0, 1), (1, 1))}
        for side, spine in ax.spines.items():
            if spine.get_visible():
                (x0, y0), (x1, y1) = ax.transAxes.transform(corners[side])
                out.append(f'<path d="M {_num(x0)} {_num(h - y0)} L {_num(x1)} {_num(h - y1)}" style="'
                           + _stroke(spine.get_edgecolor(), spine.get_linewidth(), cap=spine.get_capstyle(),
                                     join=spine.get_joinstyle()) + '"/>')
        out += [_texts().svg(t, glyphs) for t in [*texts, ax.title] if t.get_visible() and t.get_text()]
        return "".join(out)

    def _place_label(self, axis, boxes) -> None:
        """Put ``axis``'s label (below the x axis, left of the y axis) clear of its tick labels (their ``boxes``)
        and spine, as matplotlib does when it draws the axis (``Axis._update_label_position``)."""
        from matplotlib.transforms import Bbox

        x_axis = axis is self.ax.xaxis
        spine = self.ax.spines["bottom" if x_axis else "left"]
        box = Bbox.union([*boxes, spine.get_window_extent()])
        pad = axis.labelpad * self.fig.dpi / 72
        x, y = axis.label.get_position()
        axis.label.set_position((x, box.y0 - pad) if x_axis else (box.x0 - pad, y))


@functools.lru_cache(maxsize=16)
def _axes(width: float, height: float, layout, *, loss: bool = False) -> _Axes:
    with matplotlib.rc_context(RC):
        return _Axes(width, height, layout, loss=loss)


def _layout(width: float, height: float, layout, *, loss: bool = False):
    """(figure, axes) of a layout, the axes labelled as the figures label it; only that axes is made.

    ``layout``: None, one panel (:func:`paths_svg`); an int, the paths and the loss side by side
    (:func:`paths_and_loss_svg`, with that many rows of legend below the plot), the paths axes or with
    ``loss`` the loss axes; or (rows, columns, index), panel ``index`` of small multiples
    (:func:`small_multiples_svg`), with tick labels only along the left and bottom edges."""
    if isinstance(layout, tuple):
        nrows, ncols, index = layout
        fig = _figure(width, height, left=0.06, right=0.99, bottom=0.1 / nrows, top=1 - 0.2 / nrows, wspace=0.12,
                      hspace=0.35)
        row, col = divmod(index, ncols)
        ax = fig.add_subplot(fig.add_gridspec(nrows, ncols)[row, col])
        ax.tick_params(which="both", labelsize=7, labelbottom=row == nrows - 1, labelleft=col == 0)
        ax.xaxis.offsetText.set_visible(row == nrows - 1)  # (as shared axes' label_outer hides them)
        ax.yaxis.offsetText.set_visible(col == 0)
        return fig, ax
    if layout is None:
        fig = _figure(width, height)
        ax = fig.add_subplot()
    else:
        extra = 0.25 * layout + (0.15 if layout else 0)
        height += extra
        fig = _figure(width, height, left=0.075, right=0.985, bottom=(0.5 + extra) / height, top=1 - 0.25 / height,
                      wspace=0.22)
        ax = fig.add_subplot(fig.add_gridspec(1, 2, width_ratios=[1.35, 1])[1 if loss else 0])
    if loss:
        _loss_axes(ax, (), title="損失の推移")  # what every loss panel shares; each draws its own curves
    else:
        ax.set(xlabel="x", ylabel="y")
    return fig, ax


@functools.lru_cache(maxsize=16)
def _page(width: float, height: float, layout) -> str:
    """The SVG document of a layout's figure with nothing in it but its white patch."""
    with matplotlib.rc_context(RC):
        return _svg(Figure(figsize=_axes(width, height, layout).fig.get_size_inches()))


@functools.lru_cache(maxsize=16)
def _contour_lines(key: str, xlim: tuple[float, float], ylim: tuple[float, float]) -> list[tuple[Any, str]]:
    """The contour lines of a view as matplotlib draws them, the same in every layout: (path in data units,
    style) per level."""
    with matplotlib.rc_context(RC):
        ax = _scratch_axes()
        cs = _contour_set(ax, P.get(key), xlim, ylim)
        lines = [(path, _stroke(c, w, dashes=dashes)) for path, c, w, dashes
                 in zip(cs.get_paths(), cs.get_edgecolor(), cs.get_linewidth(), cs.get_linestyle(), strict=True)]
        cs.remove()
        return lines


@functools.lru_cache(maxsize=1)
def _scratch_axes():
    """An axes that only works things out (contour lines), never drawn."""
    return Figure().add_subplot()


@functools.lru_cache(maxsize=64)
def _frame(key: str, xlim: tuple[float, float], ylim: tuple[float, float], width: float, height: float, layout,
           title: str) -> str:
    """The paths axes of one view in one layout (ticks, contour lines, title) with its definitions, as SVG."""
    with matplotlib.rc_context(RC):
        axes = _axes(width, height, layout)
        axes.ax.set(xlim=xlim, ylim=ylim)
        axes.ax.set_title(title)
        glyphs: dict[str, str] = {}
        body = axes.svg([axes.path(path, axes.ax.transData, style) for path, style in _contour_lines(key, xlim, ylim)],
                        glyphs)
        return f'<defs>{axes.clip_def}{"".join(glyphs.values())}</defs>{body}'


@functools.lru_cache(maxsize=64)
def _background(key: str, xlim: tuple[float, float], ylim: tuple[float, float], width: float, height: float,
                layout, title: str) -> str:
    """The paths axes' ticks and contour lines (and title) of one view in one layout, as an SVG document (see
    :func:`paths_svg`)."""
    return _joined(_page(width, height, layout), [_frame(key, xlim, ylim, width, height, layout, title)])


class _View:
    """One view's overlay in one layout: where the paths axes puts data (to turn it into SVG points), the
    minimum's marker as SVG, and the legend placed as ``loc="best"``."""

    def __init__(self, key: str, xlim, ylim, width: float, height: float, layout):
        from matplotlib.transforms import Bbox

        axes = _axes(width, height, layout)
        ax = axes.ax
        ax.set(xlim=xlim, ylim=ylim)
        self.layout = (width, height, layout)
        self.height_pt = axes.height_pt  # the SVG's user units are points, y downwards
        self.box = Bbox(ax.bbox.get_points())  # the axes in display units (y upwards)
        self.transform = ax.transData.frozen()
        b = self.box
        self.clip = "paths-clip-" + hashlib.md5(repr((key, width, height, b.bounds)).encode(),
                                                usedforsecurity=False).hexdigest()[:10]
        self._clip_def = f"<defs>{_clip_path(self.clip, b, self.height_pt)}</defs>"
        star = _marker(ax, P.get(key))
        try:
            with matplotlib.rc_context({"svg.hashsalt": "quizgen-plots-paths"}):  # ids unlike the background's
                self.top = _drawn(star, "line2d")
        finally:
            star.remove()
        self.star = [self.transform.transform(np.asarray(star.get_xydata(), dtype=np.float64))]

    def series(self, series: Sequence[Mapping[str, Any]], xlim, ylim, *, index0: int = 0):
        """Each series' points in display units with its colour (cut where it diverges), and the legend's
        entries (label, colour): what ``_series`` would plot."""
        span = max(xlim[1] - xlim[0], ylim[1] - ylim[0])
        drawn, entries = [], []
        for i, s in enumerate(series):
            pts, cut = finite_prefix(s["points"], HUGE * span)
            if not len(pts):
                continue
            c = color(index0 + i, s)
            drawn.append((self.to_svg(pts), c))
            if s.get("label"):
                entries.append((f"{s['label']}（発散）" if cut else str(s["label"]), c))
        return drawn, entries

    def to_svg(self, pts: np.ndarray) -> np.ndarray:
        """Data points → display points (matplotlib's pixels at 72 dpi = SVG points; y upwards)."""
        return self.transform.transform(pts)

    def paths(self, drawn: Sequence[tuple[np.ndarray, str]], dots: str = "circles") -> str:
        """Each path as matplotlib draws ``plot(x, y, "-o", markersize=2.6, linewidth=1.1)`` (its line, then
        its dots, over the paths before it) and the starts as squares of size 4.5 over all, clipped to the axes.
        ``dots="caps"``: each path's dots as one path of zero-length segments with round caps as wide as a dot
        with its edge (2 × 1.3 + 1)."""
        if dots not in ("circles", "caps"):
            raise ValueError(f"dots must be circles or caps, got {dots!r}")
        h, out = self.height_pt, [self._clip_def]
        clip = f"url(#{self.clip})"
        for xy, c in drawn:
            d = " ".join(f"{'L' if k else 'M'} {_num(x)} {_num(h - y)}" for k, (x, y) in enumerate(xy))
            out.append(f'<path d="{d}" clip-path="{clip}" style="fill: none; stroke: {c}; stroke-width: 1.1; '
                       f'stroke-linecap: square; stroke-linejoin: round"/>')
            if dots == "caps":
                d = " ".join(f"M {_num(x)} {_num(h - y)} h 0" for x, y in xy)
                out.append(f'<path d="{d}" clip-path="{clip}" style="fill: none; stroke: {c}; stroke-width: 3.6; '
                           f'stroke-linecap: round"/>')
                continue
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

        svg, drawn_at = _legend(*self.layout, entries)
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


@functools.lru_cache(maxsize=256)
def _legend(width: float, height: float, layout, entries: tuple[tuple[str, str], ...], *, below: bool = False):
    """The legend of ``entries`` (label, colour) drawn by matplotlib once, and its frame in display units: at
    the upper right of a layout's paths axes (the same in every view), or ``below`` the plots (a figure
    legend in rows of six, no frame: :func:`paths_and_loss_svg` with many series)."""
    from matplotlib.transforms import Bbox

    labels = [label for label, _ in entries]
    with matplotlib.rc_context({**RC, "svg.hashsalt": "quizgen-plots-legend"}):  # ids unlike the background's
        axes = _axes(width, height, layout)
        leg = (axes.fig.legend(_handles(entries), labels, loc="lower center", ncol=6, fontsize=7.5, frameon=False)
               if below else axes.ax.legend(_handles(entries), labels, loc="upper right"))
        try:
            group = _drawn(leg, "legend")
            frame = leg.get_frame().get_window_extent()
        finally:
            leg.remove()
    return group, Bbox(frame.get_points())


def _handles(entries: Sequence[tuple[str, str]]) -> list:
    """Legend handles drawn as the paths are: a line with a dot, in each entry's colour."""
    from matplotlib.lines import Line2D

    return [Line2D([], [], linestyle="-", marker="o", color=c, markersize=2.6, linewidth=1.1) for _, c in entries]


@functools.lru_cache(maxsize=32)
def _overlay(key: str, xlim: tuple[float, float], ylim: tuple[float, float], width: float, height: float,
             layout) -> _View:
    with matplotlib.rc_context(RC):
        return _View(key, xlim, ylim, width, height, layout)


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


def _loss_panel(series: Sequence[Mapping[str, Any]], width: float, height: float, rows: int) -> str:
    """The loss panel of :func:`paths_and_loss_svg`: the curves of ``series`` as :func:`_loss_axes` draws them,
    in the kept loss axes of the layout (:class:`_Axes`)."""
    from matplotlib.transforms import Bbox

    axes = _axes(width, height, rows, loss=True)
    ax = axes.ax
    for line in list(ax.lines):
        line.remove()
    _loss_curves(ax, series)
    ax.relim()
    ax.viewLim.set_points(Bbox.unit().get_points())  # as in a new axes: no limits left from the last figure
    ax.autoscale_view()
    glyphs: dict[str, str] = {}
    body = axes.svg([axes.path(line.get_path(), line.get_transform(), _line_style(line)) for line in ax.lines],
                    glyphs)
    return f'<g id="loss-panel"><defs>{axes.clip_def}{"".join(glyphs.values())}</defs>{body}</g>'


@_styled
def paths_and_loss_svg(data: Mapping[str, Any], *, width: float = PAGE_WIDTH, height: float = 3.2) -> str:
    """Paths on the surface (left) and their loss against step (right); each series needs ``"losses"``.

    As :func:`paths_svg`: the left panel's axes, ticks and contour lines are written once per view and the
    paths over them; the loss panel is written from its kept axes (:class:`_Axes`). With many series (or
    ``"legend": "below"``), the legend goes below the plots."""
    problem = P.get(data["problem"])
    xlim, ylim = _view(data, problem)
    n = len(data["series"])
    rows = math.ceil(n / 6) if n > MANY or data.get("legend") == "below" else 0
    title = data.get("title") or problem.name_ja
    background, parts, entries = _layered(data, problem.key, xlim, ylim, width, height, rows, title, legend=not rows)
    parts.append(_loss_panel(data["series"], width, height, rows))
    if rows and entries:
        parts.append(_legend(width, height, rows, tuple(entries), below=True)[0])
    return _joined(background, parts)


@_styled
def small_multiples_svg(data: Mapping[str, Any], *, ncols: int = 4, panel: float = 1.9) -> str:
    """One panel per series (its label as the panel title), same view and colours as the overlay.

    Every panel shows the same view: as in :func:`paths_svg`, a panel's axes and contour lines are written
    once (per kind of panel: tick labels along the left edge, the bottom, both or neither) and moved into
    place, and each panel's path, marker and title written over it."""
    problem = P.get(data["problem"])
    xlim, ylim = _view(data, problem)
    nrows = max(1, math.ceil(len(data["series"]) / ncols))
    width, height = PAGE_WIDTH, panel * nrows * 0.95
    first = _axes(width, height, (nrows, ncols, 0))
    grid, (width_pt, height_pt) = first.ax.get_gridspec(), first.fig.get_size_inches() * 72.0
    glyphs: dict[str, str] = {}
    parts = []
    for i, s in enumerate(data["series"]):
        row, col = divmod(i, ncols)
        like = (nrows - 1) * ncols * (row == nrows - 1) + (col > 0)  # the first panel of its kind
        layout = (nrows, ncols, like)
        frame = _frame(problem.key, xlim, ylim, width, height, layout, "")
        view = _overlay(problem.key, xlim, ylim, width, height, layout)
        drawn, _ = view.series([s], xlim, ylim, index0=i)
        label = s["label"] + ("（発散）" if finite_prefix(s["points"])[1] else "")
        title = _texts().svg(_axes(width, height, layout).ax.set_title(label, fontsize=8.5), glyphs)
        (x0, y0), (x1, y1) = (grid[k].get_position(first.fig).p0 for k in (like, i))
        parts.append(f'<g transform="translate({_num((x1 - x0) * width_pt)} {_num((y0 - y1) * height_pt)})">'
                     f"{frame}{view.paths(drawn)}{view.top}{title}</g>")
    return _joined(_page(width, height, (nrows, ncols, 0)), [f'<defs>{"".join(glyphs.values())}</defs>', *parts])


@_styled
def curves_svg(data: Mapping[str, Any], *, width: float = PAGE_WIDTH, height: float = 3.0) -> str:
    """Panels of curves side by side (training loss and accuracy): the curve shape in the module doc."""
    panels = data["panels"]
    inside = len(panels) == 1  # one panel: the legend goes inside it, where matplotlib finds room
    fig = _figure(width, height, left=0.1 if inside else 0.08, right=0.97 if inside else 0.8, bottom=0.15, top=0.91,
                  wspace=0.3)
    axes = np.atleast_1d(fig.subplots(1, len(panels))).reshape(-1)
    for ax, p in zip(axes, panels):
        for i, s in enumerate(p["series"]):
            ax.plot(s["x"], s["y"], s.get("style", "-"), color=color(i, s), linewidth=1.3, label=s.get("label"))
        for j, m in enumerate(p.get("marks", ())):  # dotted vertical lines at chosen x, labelled one under another
            ax.axvline(m["x"], color=m.get("color", "#555555"), linestyle=":", linewidth=1.0)
            ax.annotate(m.get("label", ""), (m["x"], 1.0), xycoords=("data", "axes fraction"),
                        xytext=(2, -10 - 10 * j), textcoords="offset points", fontsize=7.5,
                        color=m.get("color", "#555555"))
        if p.get("log"):
            ax.set_yscale("log")
            _log_axis(ax)
        ax.set_title(p.get("title", ""))
        ax.set_xlabel(p.get("xlabel", ""))
        ax.set_ylabel(p.get("ylabel", ""))
        ax.grid(True, color="#e4e4e4", linewidth=0.6)
    if panels and any(s.get("label") for s in panels[0]["series"]):
        if inside:
            axes[0].legend(loc=data.get("legend", "best"), fontsize=7.5)
        else:
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
