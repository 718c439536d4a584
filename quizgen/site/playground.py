"""The playground (遊び場): every path it can show, executed at build time by the reference classes over a grid.

Grid: problem (4 surfaces) × start (3 per surface, the first the page's usual one; the bowl's is the seed
material's (−75, −10)) × optimizer (12) × learning rate (7 values around the page's setting for that surface,
:data:`LR_FACTORS`; none for Adadelta) × main hyperparameter (:data:`HYPER`: α, ρ or β₁, 4 values; none for SGD
and AdaGrad). Each run takes :data:`STEPS` steps of ``optimizers.<key>.<Class>.update`` on the problem's gradient
(quizgen/problems.py), with the class's defaults for everything else.

What the browser receives, per (problem, start, optimizer): one JSON file with every run of that optimizer's
grid (points, losses and the numbers the page prints: final loss, the step it converged at, the step it left the
view for good), fetched when that optimizer is chosen; the page's own manifest (grids, files, the data → SVG
transform of each surface's view) and one contour background per surface (SVG, drawn by quizgen.plots and
made to follow the colour scheme by quizgen.site.svg). The script (static/playground.js) computes nothing but
screen positions: it draws the received points, straight lines between them, and prints the received numbers.

Rules of the numbers (shown on the page): 収束 = the first step whose loss is at most 10⁻⁴ of the initial
loss and every later one (surfaces with a minimum); 発散 = a coordinate not finite or beyond 10⁶ view widths
(quizgen.plots.HUGE, the figures' rule); the run's points stop there.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

import optimizers

from .. import plots
from .. import problems as P
from . import examples as X
from .cache import FileCache, digest, file_digest

PROBLEMS = ("bowl", "ravine", "rosenbrock", "saddle")
#: three starts per surface; the first is the one the other pages use (X.STARTS)
STARTS: dict[str, tuple[tuple[float, float], ...]] = {
    "bowl": ((-75.0, -10.0), (-40.0, 15.0), (10.0, -15.0)),
    "ravine": ((-7.0, 2.0), (-9.0, -4.0), (6.0, 4.0)),
    "rosenbrock": ((-1.5, 2.0), (-1.0, -0.5), (1.5, -0.5)),
    "saddle": ((-1.5, 0.01), (-1.5, 0.5), (1.0, -1.0)),
}
STEPS: dict[str, int] = {"bowl": 60, "ravine": 40, "rosenbrock": 120, "saddle": 40}
#: the learning rates: the surface's setting (X.SETTINGS) times these, to two significant digits
LR_FACTORS = (0.1, 0.3, 0.5, 1.0, 2.0, 5.0, 10.0)
#: the main hyperparameter of each optimizer that has one: (argument, symbol, values)
HYPER: dict[str, tuple[str, str, tuple[float, ...]]] = {
    "momentum": ("momentum", "α", (0.5, 0.8, 0.9, 0.99)),
    "nesterov": ("momentum", "α", (0.5, 0.8, 0.9, 0.99)),
    "rmsprop": ("decay_rate", "ρ", (0.5, 0.9, 0.99, 0.999)),
    "adadelta": ("rho", "ρ", (0.5, 0.9, 0.95, 0.99)),
    **{k: ("beta1", "β₁", (0.0, 0.5, 0.9, 0.99)) for k in ("adam", "amsgrad", "adamw", "nadam", "radam", "adamax")},
}
CONVERGED = 1e-4  # 収束: loss ≤ this × the initial loss
WIDTH, HEIGHT = 4.1, 3.3  # inches: the contour panel (as a figure's phone drawing: 8 pt text ≥ 9 px at 358 px)
FORMAT = 1
URI = "assets/generated/playground"


def _sig(x: float, n: int) -> float:
    return float(f"{x:.{n}g}")


def lr_grid(problem: str, key: str) -> list[float | None]:
    """The learning rates of ``key`` on ``problem`` ([None]: the class has no learning rate)."""
    base = X.SETTINGS[problem][key].kwargs.get("lr")
    if base is None:
        return [None]
    return [_sig(base * f, 2) for f in LR_FACTORS]


def default_lr(problem: str, key: str) -> int:
    """The index of the surface's own setting in :func:`lr_grid` (factor 1)."""
    return 0 if X.SETTINGS[problem][key].kwargs.get("lr") is None else LR_FACTORS.index(1.0)


def hyper_grid(key: str) -> tuple[str | None, str, list[float | None]]:
    if key not in HYPER:
        return None, "", [None]
    arg, sym, values = HYPER[key]
    return arg, sym, list(values)


def default_hyper(key: str) -> int:
    """The index of the class's default value of its main hyperparameter."""
    if key not in HYPER:
        return 0
    import inspect

    arg, _, values = HYPER[key]
    default = inspect.signature(optimizers.get(key).INFO.cls.__init__).parameters[arg].default
    return values.index(default) if default in values else 0


def execute(problem: str, start: tuple[float, float], key: str, kwargs: Mapping[str, Any],
            steps: int) -> dict[str, Any]:
    """One run of the reference class: its points and losses up to where it leaves the view for good, and the
    numbers the page prints (from this same run)."""
    prob = P.get(problem)
    span = max(prob.xlim[1] - prob.xlim[0], prob.ylim[1] - prob.ylim[0])
    limit = plots.HUGE * span
    opt = optimizers.get(key).INFO.cls(**kwargs)
    params = prob.params(start)
    xs, ys, losses = [float(start[0])], [float(start[1])], [prob.value(params)]
    diverged = None
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            opt.update(params, prob.gradients(params))
            x, y = float(params["x"]), float(params["y"])
            if not (math.isfinite(x) and math.isfinite(y)) or max(abs(x), abs(y)) > limit:
                diverged = k
                break
            xs.append(x)
            ys.append(y)
            losses.append(prob.value(params))
    converged = None
    if prob.minimum is not None and losses[0] > 0:
        # the first step from which the loss stays at or below the threshold (a pass near the minimum that
        # swings out again, as Momentum's, is not convergence)
        below = [v <= CONVERGED * losses[0] for v in losses]
        converged = next((k for k in range(len(below)) if all(below[k:])), None) if diverged is None else None
    return {"x": xs, "y": ys, "loss": losses, "final": losses[-1], "converged": converged, "diverged": diverged}


def _compact(run: Mapping[str, Any]) -> dict[str, Any]:
    """A run as the page receives it: coordinates to 6 significant digits, losses to 5 (the drawing needs 3)."""
    return {"x": [_sig(v, 6) for v in run["x"]], "y": [_sig(v, 6) for v in run["y"]],
            "loss": [_sig(v, 5) for v in run["loss"]], "final": _sig(run["final"], 4),
            "converged": run["converged"], "diverged": run["diverged"]}


def runs_for(problem: str, start: tuple[float, float], key: str) -> dict[str, Any]:
    """Every run of ``key``'s grid on one surface from one start: ``runs[i_lr][i_hyper]``."""
    arg, _, hypers = hyper_grid(key)
    runs = []
    for lr in lr_grid(problem, key):
        row = []
        for h in hypers:
            kwargs = {**({"lr": lr} if lr is not None else {}), **({arg: h} if arg else {})}
            row.append(_compact(execute(problem, start, key, kwargs, STEPS[problem])))
        runs.append(row)
    return {"format": FORMAT, "problem": problem, "start": list(start), "optimizer": key, "steps": STEPS[problem],
            "runs": runs}


def code_version() -> str:
    from pathlib import Path

    here = Path(__file__)
    files = sorted((here.parents[2] / "optimizers").glob("*.py"))
    return file_digest(here, here.with_name("examples.py"), Path(P.__file__), Path(plots.__file__), *files)


def grid_files(cache_dir: Any) -> dict[tuple[str, int, str], bytes]:
    """Every data file of the playground ((problem, start index, optimizer) → JSON bytes), from the build's cache
    (``.cache/playground/``, by the digest of the code and the grid point) when it has them."""
    cache = FileCache(cache_dir, "playground", ".json")
    version = code_version()
    out = {}
    for problem in PROBLEMS:
        for s, start in enumerate(STARTS[problem]):
            for key in X.available():
                def make(p=problem, st=start, k=key) -> bytes:
                    return json.dumps(runs_for(p, st, k), ensure_ascii=False, separators=(",", ":"),
                                      allow_nan=False).encode("utf-8")

                out[(problem, s, key)] = cache.get_or_make(digest("playground", FORMAT, version, problem, start, key),
                                                           make)
    return out


def view(problem: str) -> dict[str, Any]:
    """Where the contour panel of ``problem`` puts data, in the background SVG's units (points, y down):
    svg_x = x0 + sx·x, svg_y = y0 + sy·y; and the axes' box (clip)."""
    prob = P.get(problem)
    v = plots._overlay(problem, tuple(prob.xlim), tuple(prob.ylim), WIDTH, HEIGHT, None)
    o, ex, ey = v.to_svg(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]))
    h = v.height_pt
    b = v.box
    return {"x0": float(o[0]), "sx": float(ex[0] - o[0]), "y0": float(h - o[1]), "sy": float(-(ey[1] - o[1])),
            "box": [float(b.x0), float(h - b.y1), float(b.width), float(b.height)],
            "size": [float(v.layout[0] * 72), float(h)]}


def background(problem: str) -> str:
    """The contour lines, axes and marked minimum of ``problem``'s view, without paths (matplotlib)."""
    return plots.paths_svg({"problem": problem, "series": [], "title": ""}, width=WIDTH, height=HEIGHT)


def manifest(files: Mapping[str, str], backgrounds: Mapping[str, str]) -> dict[str, Any]:
    """What the page's script needs besides the runs: the grids, names, files (URLs) and views."""
    opts = []
    for key in X.available():
        info = optimizers.get(key).INFO
        arg, sym, hypers = hyper_grid(key)
        opts.append({"key": key, "name": info.cls.__name__, "hyper": {"arg": arg, "symbol": sym, "values": hypers},
                     "hyper_default": default_hyper(key)})
    probs = []
    for problem in PROBLEMS:
        prob = P.get(problem)
        probs.append({"key": problem, "name": prob.name_ja, "steps": STEPS[problem],
                      "minimum": prob.minimum is not None, "starts": [list(s) for s in STARTS[problem]],
                      "background": backgrounds[problem], "view": view(problem),
                      "lr": {k: lr_grid(problem, k) for k in X.available()},
                      "lr_default": {k: default_lr(problem, k) for k in X.available()}})
    return {"format": FORMAT, "converged": CONVERGED, "problems": probs, "optimizers": opts, "files": dict(files)}


def sizes(files: Mapping[Any, bytes]) -> dict[str, int]:
    """Runs, points and bytes of the whole grid (for the page and the README)."""
    runs = points = 0
    for data in files.values():
        d = json.loads(data)
        for row in d["runs"]:
            for r in row:
                runs += 1
                points += len(r["x"])
    return {"files": len(files), "runs": runs, "points": points, "bytes": sum(len(b) for b in files.values())}


def _coord(v: float) -> str:
    return f"{v:g}"


def macro(m: Any) -> str:
    """``{{ playground() }}``: the widget (filled in by static/playground.js), the surfaces with their formulas and
    starts, and the size of the grid. Registers the data files, the manifest and the backgrounds."""
    from .render import GENERATED

    files = {}
    for (problem, s, key), data in grid_files(m.builder.cache_dir).items():
        uri = f"{URI}/{problem}-{s}-{key}-{digest(data)[:10]}.json"
        m.assets[uri] = data
        files[f"{problem}/{s}/{key}"] = uri
    backgrounds = {}
    for problem in PROBLEMS:
        svg = m.builder.cached_svg("playground-background", {"problem": problem, "w": WIDTH, "h": HEIGHT},
                                   lambda p=problem: background(p))
        uri = f"{GENERATED}/playground-{problem}-{digest(svg)[:12]}.svg"
        m.assets[uri] = svg
        backgrounds[problem] = uri
    info = manifest(files, backgrounds)
    data = json.dumps(info, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    uri = f"{URI}/manifest-{digest(data)[:12]}.json"
    m.assets[uri] = data
    size = sizes({k: m.assets[v] for k, v in files.items()})
    rows = []
    for p in info["problems"]:
        prob = P.get(p["key"])
        starts = "、".join(f"$({_coord(x)}, {_coord(y)})$" for x, y in p["starts"])
        rows.append(f"| {prob.name_ja} | ${prob.formula}$ | {starts} | {p['steps']} |")
    n_lr, n_h = len(LR_FACTORS), max(len(v[2]) for v in HYPER.values())
    n_lr, n_h = len(LR_FACTORS), max(len(v[2]) for v in HYPER.values())
    kb = sorted(len(m.assets[v]) / 1e3 for v in files.values())
    facts = (f"実行した組み合わせは {size['runs']:,} 通り（曲面 {len(PROBLEMS)} × 出発点 3 × 手法 "
             f"{len(X.available())} × 学習率 {n_lr} × 主なハイパーパラメータ {n_h}。学習率のない Adadelta と、"
             f"α・ρ・β₁ を持たない SGD・AdaGrad はその分少ない）、点は {size['points']:,} 個、データは "
             f"{len(files)} ファイル・計 {size['bytes'] / 1e6:.1f} MB です。ページを開いたときに読むのは、一覧（格子と"
             f"ファイル名）と曲面の図、選んだ曲面・出発点・手法のデータ 2 ファイル（1 ファイル {kb[0]:.0f}〜"
             f"{kb[-1]:.0f} KB）だけです。")
    widget = (f'<div class="qg-play" data-manifest="{m.builder.url_link(m.src, uri)}">\n'
              '<p class="qg-play-wait">遊び場を準備しています（JavaScript が必要です）。</p>\n</div>\n')
    factors = "・".join(f"{f:g}" for f in LR_FACTORS)
    rules = (f"- **収束**：損失が初期値の ${_pow10(CONVERGED)}$ 倍以下になり、そのあと最後まで超えなかった"
             "最初のステップ（最小点のある曲面のみ。"
             "鞍点の曲面は下に有界でないので、収束のステップは出さない）。\n"
             f"- **発散**：座標が有限でなくなるか、表示範囲の ${_pow10(plots.HUGE)}$ 倍より遠くへ出たステップ。"
             "軌跡はそこで止まる。\n"
             f"- 学習率の候補は、曲面上の軌跡の比較でその曲面に使った値の {factors} 倍（有効数字 2 桁）。"
             "Adadelta には学習率がない。ほかの引数はクラスの既定値。\n")
    table = ("| 曲面 | 式 | 出発点 | ステップ数 |\n|---|---|---|---|\n" + "\n".join(rows) + "\n")
    return f"\n{widget}\n{rules}\n{table}\n{facts}\n"


def _pow10(v: float) -> str:
    return f"10^{{{round(math.log10(v))}}}"
