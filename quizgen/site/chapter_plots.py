"""The optimization chapter's own figures, in quizgen.plots' style (Noto Sans CJK JP, fixed hash salt, no dates):
plain data in, SVG text out. Line plots of the chapter use :func:`quizgen.plots.curves_svg`; what is here has no
counterpart there:

- ``histograms_svg``: small multiples of activation histograms, one row per initialization, one column per layer
  (ゼロから作る Deep Learning 6.2.2's figures);
- ``cliff_svg``: a loss with a cliff as filled contours, the paths of plain and clipped gradient descent over it,
  and their losses against the step (Goodfellow et al. Fig. 8.3's situation, executed).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import plots


@plots._styled
def histograms_svg(data: Mapping[str, Any], *, panel: float = 1.32) -> str:
    """``{"edges": [...], "rows": [{"label": str, "hists": [[share per bin] per layer]}], "xlabel": str}``."""
    from matplotlib.figure import Figure

    rows = data["rows"]
    ncols = len(rows[0]["hists"])
    width = plots.PAGE_WIDTH
    height = 0.55 + panel * len(rows) * 0.8
    fig = Figure(figsize=(width, height))
    fig.subplots_adjust(left=0.13, right=0.99, bottom=0.55 / height + 0.02, top=1 - 0.32 / height, wspace=0.12,
                        hspace=0.18)
    axes = np.atleast_2d(fig.subplots(len(rows), ncols, sharex=True, sharey=True))
    edges = np.asarray(data["edges"], dtype=np.float64)
    top = max(max(max(h) for h in r["hists"]) for r in rows)
    for i, row in enumerate(rows):
        for j, hist in enumerate(row["hists"]):
            ax = axes[i, j]
            ax.stairs(hist, edges, fill=True, color=plots.color(i), alpha=0.85, linewidth=0)
            ax.set_ylim(0, top * 1.05)
            ax.set_yticks([])
            ax.tick_params(labelsize=7)
            if i == 0:
                ax.set_title(f"{j + 1} 層目", fontsize=8.5)
            if j == 0:
                ax.set_ylabel(row["label"], fontsize=8, rotation=0, ha="right", va="center", labelpad=4)
            if i == len(rows) - 1:
                ax.set_xlabel(data.get("xlabel", ""), fontsize=7.5)
    return plots._svg(fig)


@plots._styled
def cliff_svg(data: Mapping[str, Any], *, width: float = plots.PAGE_WIDTH, height: float = 3.3) -> str:
    """``{"w1": grid, "w2": grid, "z": [[f(w1, w2)] per w2], "series": [{"label", "points", "losses"}],
    "wall": x of the wall}``: log-spaced contour lines (crowded at the wall) with the paths (left), loss against step
    (right). Only the site's figure colours (quizgen/site/svg.py NAMES), so the dark scheme recolours all of it."""
    fig = plots._figure(width, height, left=0.075, right=0.985, bottom=0.16, top=0.9, wspace=0.3)
    ax, loss = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1]})
    w1, w2 = np.asarray(data["w1"]), np.asarray(data["w2"])
    z = np.asarray(data["z"], dtype=np.float64)
    levels = np.geomspace(max(z.min(), 1e-3), z.max(), 18)
    ax.contour(w1, w2, z, levels=levels, colors="#b8b8b8", linewidths=0.6)
    ax.axvline(data["wall"], color="#444444", linewidth=0.8, linestyle="--")
    ax.text(data["wall"], w2[-1], " 崖", va="top", ha="left", fontsize=8, color="#000000")
    for i, s in enumerate(data["series"]):
        pts = np.asarray(s["points"], dtype=np.float64)
        c = plots.color(i, s)
        ax.plot(pts[:, 0], pts[:, 1], "-o", color=c, markersize=2.6, linewidth=1.1, label=s["label"], zorder=3)
        ax.plot(pts[0, 0], pts[0, 1], "s", color=c, markersize=4.5, zorder=4)
        loss.plot(np.arange(len(s["losses"])), s["losses"], "-", color=c, linewidth=1.3, label=s["label"])
    ax.plot(0, 0, marker="*", color="#444444", markersize=9, linestyle="none", zorder=5)
    ax.set_xlim(w1[0], w1[-1])
    ax.set_ylim(w2[0], w2[-1])
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    ax.set_title(data.get("title", ""))
    ax.legend(loc="lower left", fontsize=7.5)
    loss.set_yscale("log")
    plots._log_axis(loss)
    loss.set_xlabel("ステップ")
    loss.set_ylabel("損失（対数）")
    loss.grid(True, color="#e4e4e4", linewidth=0.6)
    loss.set_title("損失の推移")
    return plots._svg(fig)
