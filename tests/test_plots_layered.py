"""The layered figures of quizgen/plots.py draw what matplotlib draws.

Each figure of real site data (and a diverging run) is compared, primitive by primitive, with the same figure
drawn by matplotlib in one piece the way plots.py drew it before it was layered (the reference functions here):
every text's place and transform, every stroked line's vertices and style, every marker, every filled shape
and every clip rectangle. A few of them are also rendered by Chromium, ours and the reference, and compared
pixel by pixel."""

from __future__ import annotations

import functools
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import numpy as np
import pytest

from quizgen import plots
from quizgen.site.macros import Macros
from quizgen.site.render import SiteBuilder
from quizgen.trace import run

ROOT = Path(__file__).resolve().parents[1]
SVG = "{http://www.w3.org/2000/svg}"
HREF = "{http://www.w3.org/1999/xlink}href"


# -- the figures as plots.py drew them before the layers ---------------------------------------------------------
def reference_loss_axes(ax, series, title):
    """The loss panel (plots._loss_axes before it was split)."""
    positive = all(v is None or not math.isfinite(v) or v > 0 for s in series for v in s["losses"])
    for i, s in enumerate(series):
        y = np.array([np.nan if v is None else v for v in s["losses"]], dtype=np.float64)
        y[~np.isfinite(y)] = np.nan
        ax.plot(np.arange(len(y)), y, "-", color=plots.color(i, s), linewidth=1.3, label=s.get("label"))
    if positive:
        ax.set_yscale("log")
        plots._log_axis(ax)
    else:
        ax.set_yscale("symlog", linthresh=1e-2)
    ax.set_xlabel("ステップ")
    ax.set_ylabel("損失（対数）" if positive else "損失")
    ax.grid(True, which="major", color="#e4e4e4", linewidth=0.6)
    ax.set_title(title)


def reference_paths_and_loss(data, width=plots.PAGE_WIDTH, height=3.2) -> str:
    """paths_and_loss_svg drawn by matplotlib in one figure."""
    p = plots.P.get(data["problem"])
    n = len(data["series"])
    rows = math.ceil(n / 6) if n > plots.MANY or data.get("legend") == "below" else 0
    with matplotlib.rc_context(plots.RC):
        extra = 0.25 * rows + (0.15 if rows else 0)
        height += extra
        fig = plots._figure(width, height, left=0.075, right=0.985, bottom=(0.5 + extra) / height,
                            top=1 - 0.25 / height, wspace=0.22)
        left, right = fig.subplots(1, 2, width_ratios=[1.35, 1])
        plots._draw_paths(left, data, p, legend=not rows)
        left.set_title(data.get("title") or p.name_ja)
        reference_loss_axes(right, data["series"], "損失の推移")
        if rows:
            handles, labels = left.get_legend_handles_labels()
            fig.legend(handles, labels, loc="lower center", ncol=6, fontsize=7.5, frameon=False)
        return plots._svg(fig)


def reference_paths(data, width=plots.PAGE_WIDTH * 0.62, height=3.4) -> str:
    """paths_svg drawn by matplotlib in one figure."""
    with matplotlib.rc_context(plots.RC):
        fig = plots._figure(width, height)
        ax = fig.add_subplot()
        plots._draw_paths(ax, data, plots.P.get(data["problem"]))
        if data.get("title"):
            ax.set_title(data["title"])
        return plots._svg(fig)


def reference_small_multiples(data, ncols=4, panel=1.9) -> str:
    """small_multiples_svg drawn by matplotlib in one figure: a grid of shared axes, each panel drawn in full."""
    problem = plots.P.get(data["problem"])
    n = len(data["series"])
    nrows = max(1, math.ceil(n / ncols))
    with matplotlib.rc_context(plots.RC):
        fig = plots._figure(plots.PAGE_WIDTH, panel * nrows * 0.95, left=0.06, right=0.99, bottom=0.1 / nrows,
                            top=1 - 0.2 / nrows, wspace=0.12, hspace=0.35)
        axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True, sharey=True)).reshape(-1)
        for i, ax in enumerate(axes):
            if i >= n:
                ax.set_visible(False)
                continue
            s = data["series"][i]
            plots._draw_paths(ax, dict(data, series=[dict(s, label=None)]), problem, legend=False, index0=i)
            ax.set_title(s["label"] + ("（発散）" if plots.finite_prefix(s["points"])[1] else ""), fontsize=8.5)
            ax.tick_params(labelsize=7)
            ax.set_xlabel("")
            ax.set_ylabel("")
        return plots._svg(fig)


# -- everything an SVG draws, placed ----------------------------------------------------------------------------------
def _numbers(text: str) -> np.ndarray:
    return np.array([float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", text)])


def _style(el, inherited: dict[str, str]) -> dict[str, str]:
    style = dict(inherited)
    for part in (el.get("style") or "").split(";"):
        if ":" in part:
            k, v = part.split(":", 1)
            style[k.strip()] = v.strip()
    return style


def _stroke_key(style: dict[str, str]) -> tuple:
    """Everything of a style but its fill (dashes, opacity, caps...), SVG's and matplotlib's defaults filled in
    (its files declare round joins), numbers as numbers."""
    style = {"stroke-width": "1", "stroke-linecap": "butt", "stroke-linejoin": "round",
             **{k: v for k, v in style.items() if k != "fill"}}
    return tuple(sorted((k, tuple(round(float(x), 3) for x in v.split(",")) if re.fullmatch(r"[-\d., e]+", v) else v)
                        for k, v in style.items()))


def _visible(d: str, offset, clip) -> np.ndarray:
    """The segments a stroked path draws inside its clip rectangle (x, y, width, height), as rows x0 y0 x1 y1:
    what a path clipped at the figure's edge (as matplotlib does) has in common with the same path unclipped."""
    segments = []
    for sub in re.findall(r"M[^M]*", d):
        pts = _numbers(sub).reshape(-1, 2) + offset
        if "z" in sub:
            pts = np.vstack([pts, pts[:1]])
        for p, q in zip(pts[:-1], pts[1:]):
            t0, t1 = 0.0, 1.0
            if clip is not None:  # Liang–Barsky
                x, y, w, h = clip
                for edge, dist in ((-(q[0] - p[0]), p[0] - x), (q[0] - p[0], x + w - p[0]),
                                   (-(q[1] - p[1]), p[1] - y), (q[1] - p[1], y + h - p[1])):
                    if edge == 0:
                        if dist < 0:
                            t0, t1 = 1.0, 0.0
                    elif edge < 0:
                        t0 = max(t0, dist / edge)
                    else:
                        t1 = min(t1, dist / edge)
            if t1 - t0 > 1e-9 and np.hypot(*(q - p)) * (t1 - t0) > 1e-6:
                segments.append(np.r_[p + t0 * (q - p), p + t1 * (q - p)])
    return np.array(segments).reshape(-1, 4)


def drawn(svg: str) -> dict[str, list[tuple[tuple, np.ndarray]]]:
    """What ``svg`` draws, as (what, where) pairs with every transform applied (points, y downwards):

    - texts: (string, rotation and scale, colour) at the origin of its glyphs;
    - strokes: (style, clip rectangle) along the segments it draws inside its clip (tick marks drawn as a
      marker included);
    - marks: (size, fill colour, clip rectangle) at its centre (dots, squares, the minimum's star), those
      not wholly outside their clip rectangle (matplotlib leaves out those beyond the figure's edge);
    - fills: (fill, stroke style, clip rectangle) over its bounding box."""
    root = ET.fromstring(svg, parser=ET.XMLParser(target=ET.TreeBuilder(insert_comments=True)))
    ids = {e.get("id"): e for e in root.iter() if e.get("id")}
    out: dict[str, list] = {"texts": [], "strokes": [], "marks": [], "fills": []}

    def clip_of(el, inherited, dx, dy):  # in the user space of the element that refers to it
        ref = el.get("clip-path")
        if not ref:
            return inherited
        rect = ids[ref[5:-1]].find(f"{SVG}rect")
        x, y, w, h = (float(rect.get(k)) for k in ("x", "y", "width", "height"))
        return (x + dx, y + dy, w, h)

    def stroke(style, clip, d, offset):
        segments = _visible(d, offset, clip)
        if len(segments):  # (a lone move, as the start marker's line, strokes nothing)
            key = (_stroke_key(style), clip and tuple(round(v, 1) for v in clip))
            out["strokes"].append((key, segments.ravel()))

    def mark(size, fill, clip, at):
        if clip is None or (clip[0] - size / 2 <= at[0] <= clip[0] + clip[2] + size / 2
                            and clip[1] - size / 2 <= at[1] <= clip[1] + clip[3] + size / 2):  # else: not seen
            out["marks"].append(((size, fill, clip and tuple(round(v, 1) for v in clip)), at))

    def walk(el, dx, dy, inherited, clip):
        comment = None
        for child in el:
            if child.tag is ET.Comment:
                comment = child.text.strip()
                continue
            tag = child.tag.removeprefix(SVG)
            if tag in ("defs", "clipPath", "metadata", "style"):
                continue
            transform = child.get("transform", "")
            m = re.match(r"translate\(([-\d.e]+)(?:[ ,]([-\d.e]+))?\)\s*(.*)$", transform)
            tx, ty, rest = (float(m.group(1)), float(m.group(2) or 0), m.group(3)) if m else (0.0, 0.0, transform)
            style, cl = _style(child, inherited), clip_of(child, clip, dx + tx, dy + ty)
            rounded = cl and tuple(round(v, 1) for v in cl)
            if tag == "g" and "scale" in rest:  # a text: its comment, then its glyphs scaled at their origin
                assert comment is not None
                out["texts"].append(((comment, rest, style.get("fill", "#000000")), np.array([dx + tx, dy + ty])))
                comment = None
                continue
            assert not rest, transform
            dx1, dy1 = dx + tx, dy + ty
            if tag == "g":
                walk(child, dx1, dy1, style, cl)
            elif tag == "path" and not child.get("d"):  # an empty contour level: draws nothing
                continue
            elif tag == "path" and style.get("fill", "#000000") == "none":
                stroke(style, cl, child.get("d"), (dx1, dy1))
            elif tag == "path":
                pts = _numbers(child.get("d")).reshape(-1, 2) + (dx1, dy1)
                key = (style.get("fill"), _stroke_key(style) if "stroke" in style else None, rounded)
                out["fills"].append((key, np.r_[pts.min(axis=0), pts.max(axis=0)]))
            elif tag == "use":  # a marker: filled (dots, squares, stars) or a stroke (a tick mark)
                shape = ids[child.get(HREF)[1:]].get("d")
                at = np.array([float(child.get("x", 0)), float(child.get("y", 0))]) + (dx1, dy1)
                if "fill" in style:
                    mark(round(float(np.ptp(_numbers(shape).reshape(-1, 2)[:, 0])), 2), style["fill"], cl, at)
                else:
                    stroke(style, cl, shape, at)
            elif tag == "circle":
                r = float(child.get("r"))
                at = np.array([float(child.get("cx")), float(child.get("cy"))]) + (dx1, dy1)
                mark(round(2 * r, 2), style["fill"], cl, at)
            elif tag == "rect":
                x, y, w, h = (float(child.get(k)) for k in ("x", "y", "width", "height"))
                x, y = x + dx1, y + dy1
                if "stroke" in style:  # a square marker
                    mark(round(w, 2), style["fill"], cl, np.array([x + w / 2, y + h / 2]))
                else:
                    out["fills"].append(((style.get("fill"), None, rounded), np.array([x, y, x + w, y + h])))
            else:
                raise AssertionError(f"unexpected <{tag}>")

    walk(root, 0.0, 0.0, {}, None)
    return out


def _apart(a: np.ndarray, b: np.ndarray) -> float:
    """How far the segments ``a`` stray from the segments ``b`` and back (rows x0 y0 x1 y1): the largest
    distance of an end of one to the other (Hausdorff on the ends; sub-point steps merged or not)."""
    def one_way(p, segs):
        p0, d = segs[:, :2], segs[:, 2:] - segs[:, :2]
        t = np.clip(np.einsum("ijk,jk->ij", p[:, None, :] - p0, d) / np.maximum((d * d).sum(1), 1e-18), 0, 1)
        return np.sqrt((((p0 + t[..., None] * d) - p[:, None, :]) ** 2).sum(-1)).min(axis=1).max()

    return max(one_way(a.reshape(-1, 2), b), one_way(b.reshape(-1, 2), a))


def assert_same_drawing(ours: str, theirs: str, case: str = "", atol: float = 2e-3) -> None:
    """Every primitive of one drawing matches one of the other's: same kind and style, same place. Strokes
    match along the same segments, or within ``atol`` of each other's (ours are written to 0.001 pt, so
    steps shorter than that may merge)."""
    a, b = drawn(ours), drawn(theirs)
    for kind in ("texts", "strokes", "marks", "fills"):
        left = list(b[kind])
        for key, where in a[kind]:
            same = [i for i, (k, w) in enumerate(left) if k == key]
            hit = next((i for i in same if len(left[i][1]) == len(where) and np.allclose(left[i][1], where,
                                                                                           atol=atol)), None)
            if hit is None and kind == "strokes":
                hit = next((i for i in same if _apart(left[i][1].reshape(-1, 4), where.reshape(-1, 4)) <= atol), None)
            assert hit is not None, (case, kind, key, where[:6])
            left.pop(hit)
        assert not left, (case, kind, [k for k, _ in left][:5])
    assert len(a["texts"]) > 10 and len(a["strokes"]) > 20


# -- real figures -----------------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def site_figures() -> dict[str, list[tuple[str, dict]]]:
    """The data of real figures (what the site's macros pass to plots.py): (kind, data) by macro."""
    found = {}
    builder = SiteBuilder(ROOT, ROOT / "docs", cache_dir=None)
    m = Macros(builder, "optimizers/x.md", {})

    def record(kind):
        def fake(data, **_):
            found.setdefault(call, []).append((kind, data))
            return "<svg/>"
        return fake

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(plots, "paths_and_loss_svg", record("paths_and_loss"))
        mp.setattr(plots, "small_multiples_svg", record("small_multiples"))
        for call, args, kwargs in (
            ("trajectories", ("adam",), {}),
            ("lr_effect", ("sgd",), {}),
            ("paths", ("saddle", [("sgd", {"lr": 0.1}), ("momentum", {"lr": 0.1}), ("adam", {"lr": 0.1})]),
             {"steps": 45, "start": (-1.5, 0.001)}),
            ("paths", ("bowl", [("sgd", {"lr": 0.02}), ("sgd", {"lr": 0.3}), ("sgd", {"lr": 0.9}),
                                ("sgd", {"lr": 1.02})]), {"steps": 20, "start": (-15.0, -10.0)}),
            ("compare_paths", ("ravine",), {}),
        ):
            m.call(call, args, kwargs)
    return found


def diverging() -> dict:
    """A run that blows up: its path and losses end in inf and None, another series stays finite."""
    t = run("sgd", problem="ravine", start=(-7, 2), steps=25, lr=0.3)
    points, losses = t.path().tolist(), [float(v) for v in t.losses]
    points[-3:] = [[points[-4][0] * 1e3, 1.0], [math.inf, 0.0], [math.nan, math.nan]]
    return {"problem": "ravine", "series": [
        {"label": "SGD", "points": points, "losses": losses[:-3] + [1e9, math.inf, None]},
        {"label": "B", "points": [[-7, 2], [-6, 1.5], [-5, 1.0]], "losses": [3.0, 2.0, 1.0]}]}


def loss_cases() -> list[tuple[str, dict]]:
    cases = [(f"{call} {i}", data) for call, figs in site_figures().items()
             for i, data in enumerate(d for kind, d in figs if kind == "paths_and_loss")]
    return [*cases, ("diverging", diverging())]


def small_multiples_cases() -> list[tuple[str, dict]]:
    """The real grid of every optimizer (3 × 4), its first ten (a row with empty places, so panels without tick
    labels above them), and one row of three with a diverging run (every panel at the bottom)."""
    (data,) = [d for kind, d in site_figures()["compare_paths"] if kind == "small_multiples"]
    bad = diverging()["series"][0]
    return [("every optimizer", data), ("ten", dict(data, series=data["series"][:10])),
            ("one row", {"problem": "ravine", "series": [*data["series"][:2], dict(bad, label="Bad")]})]


def test_the_cases_cover_each_kind_of_loss_panel():
    cases = dict(loss_cases())
    def positive(d):
        return all(v is None or not math.isfinite(v) or v > 0 for s in d["series"] for v in s["losses"])
    assert not positive(cases["paths 0"]) and positive(cases["trajectories 0"])  # symlog (saddle), log
    assert len(cases["trajectories 0"]["series"]) == 1
    assert len(cases["compare_paths 0"]["series"]) > plots.MANY  # legend below the plot
    assert any(v is None for v in cases["diverging"]["series"][0]["losses"])


def test_paths_and_loss_svg_draws_what_matplotlib_draws():
    """Every real figure (log and symlog loss, one series, many with the legend below) and a diverging one, in
    an order that switches the kept loss axes between scales and layouts; each compared with matplotlib."""
    cases = loss_cases()
    drawn_first = {}
    for name, data in cases:
        drawn_first[name] = plots.paths_and_loss_svg(data)
        assert_same_drawing(drawn_first[name], reference_paths_and_loss(data), name)
    for name, data in reversed(cases):  # the kept axes leave nothing behind
        assert plots.paths_and_loss_svg(data) == drawn_first[name], name


def test_paths_svg_draws_what_matplotlib_draws():
    for name, data in loss_cases():
        assert_same_drawing(plots.paths_svg(data), reference_paths(data), name)


def test_small_multiples_svg_draws_what_matplotlib_draws():
    for name, data in small_multiples_cases():
        assert_same_drawing(plots.small_multiples_svg(data), reference_small_multiples(data), name)


def test_a_narrow_view_has_its_axis_offsets_drawn_as_matplotlib_draws_them():
    """Ticks 0.000 … 0.010 with "+1e3" under the x axis, "1e−5+5" over the y axis (and on small multiples
    only along the outer edges)."""
    pts = [[1000.001, 5.00002], [1000.004, 5.00005], [1000.006, 5.00008]]
    data = {"problem": "bowl", "xlim": [1000.0, 1000.01], "ylim": [5.0, 5.0001],
            "series": [{"label": "A", "points": pts, "losses": [3.0, 2.0, 1.0]},
                       {"label": "B", "points": pts[::-1], "losses": [3.0, 2.5, 1.0]}]}
    assert "<!-- +1e3 -->" in reference_paths(data)
    assert_same_drawing(plots.paths_svg(data), reference_paths(data), "paths")
    assert_same_drawing(plots.paths_and_loss_svg(data), reference_paths_and_loss(data), "paths and loss")
    many = dict(data, series=data["series"] * 3)
    assert_same_drawing(plots.small_multiples_svg(many), reference_small_multiples(many), "small multiples")


def test_layered_svg_bytes_do_not_depend_on_what_was_drawn_before():
    figures = [(plots.paths_and_loss_svg, data) for _, data in loss_cases()]
    figures += [(plots.small_multiples_svg, data) for _, data in small_multiples_cases()]
    figures += [(plots.paths_svg, data) for _, data in loss_cases()]
    before = [draw(data) for draw, data in figures]
    for cache in [f for f in vars(plots).values() if hasattr(f, "cache_clear")]:  # all that was kept
        cache.cache_clear()
    assert [draw(data) for draw, data in reversed(figures)] == before[::-1]


def png(page, svg: str) -> np.ndarray:
    """``svg`` as Chromium shows it (two pixels a point), as RGB values."""
    import base64
    import io

    from PIL import Image

    src = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    page.set_content(f'<body style="margin:0;background:#fff"><img id="f" src="{src}"></body>')
    page.wait_for_function("document.getElementById('f').complete")
    return np.asarray(Image.open(io.BytesIO(page.locator("#f").screenshot())).convert("RGB")).astype(int)


def assert_looks_the_same(page, ours: str, theirs: str, case: str = "") -> None:
    """Same picture but for anti-aliasing at a few edges (coordinates are written to 0.001 pt)."""
    a, b = png(page, ours), png(page, theirs)
    assert a.shape == b.shape, case
    diff = np.abs(a - b).max(axis=2)
    assert diff.mean() < 0.05 and (diff > 32).sum() < diff.size / 10_000, (case, diff.mean(), (diff > 32).sum())


@pytest.mark.browser
def test_layered_figures_look_the_same_in_chromium(browser):
    """paths_and_loss_svg with overlapping paths (each one's dots over the paths before it), symlog (dashed
    contour lines below zero), the legend below, a diverging run; paths_svg; small_multiples_svg."""
    cases = dict(loss_cases())
    page = browser.new_page(device_scale_factor=2)
    for name in ("lr_effect 0", "paths 0", "compare_paths 0", "diverging"):
        assert_looks_the_same(page, plots.paths_and_loss_svg(cases[name]), reference_paths_and_loss(cases[name]), name)
    for name in ("lr_effect 0", "compare_paths 0"):
        assert_looks_the_same(page, plots.paths_svg(cases[name]), reference_paths(cases[name]), name)
    for name, data in small_multiples_cases():
        assert_looks_the_same(page, plots.small_multiples_svg(data), reference_small_multiples(data), name)
    page.close()
