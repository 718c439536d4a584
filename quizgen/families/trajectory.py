"""Trajectory identification (format F6): which plotted path belongs to which optimizer.

The Question carries a Figure of kind "paths" with data
``{"problem": key, "series": [{"label": "A", "points": [[x, y], ...]}, ...]}`` computed by executing the
reference classes (checked against their rules at every step); drivers draw it with
``quizgen.plots.paths_svg(data)``. The family does not draw. The explanation describes each path by
features computed from the same executed trace (how often it crosses the valley floor, how far it
overshoots, how close it ends), and the paths must differ visibly from each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from itertools import combinations
from typing import Any

import numpy as np

import optimizers

from .. import problems as P
from ..question import Answer, Choice, Figure, Question, SolutionStep
from . import _common as C
from ._run import execute

KIND = "choice"
TITLE = ("軌跡の同定（どの経路がどの手法か）", "trajectory identification (which path is which optimizer)")

@dataclass(frozen=True)
class Surface:
    """Where a trajectory question may be set: starting points, step counts, the optimizers' argument grids
    (values that make each optimizer's path typical of it there) and the figure's fixed view."""

    starts: tuple[tuple[float, float], ...]
    steps: tuple[int, ...]
    configs: dict[str, dict[str, tuple[float, ...]]]
    view: tuple[tuple[float, float], tuple[float, float]]


_MOMENTUM = (0.9,)
#: problem -> its settings (the ravine keeps the textbook's comparison demo: SGD 0.95, Momentum 0.1, AdaGrad 1.5,
#: Adam 0.3). Every path of a question must stay inside the view, so the figure shows all of it.
SURFACES: dict[str, Surface] = {
    "ravine": Surface(
        ((-7.0, 2.0), (-6.0, 2.0), (-7.0, 1.5), (-5.0, 2.5), (-8.0, 1.5), (7.0, -2.0), (6.0, -2.5), (-6.0, -2.0)),
        (30, 40),
        {"sgd": {"lr": (0.95, 0.9)}, "momentum": {"lr": (0.1, 0.08), "momentum": _MOMENTUM},
         "nesterov": {"lr": (0.1, 0.08), "momentum": _MOMENTUM}, "adagrad": {"lr": (1.5, 1.2)},
         "rmsprop": {"lr": (0.3, 0.2), "decay_rate": (0.9,)},
         "adam": {"lr": (0.3, 0.2), "beta1": (0.9,), "beta2": (0.999,)}},
        ((-10.0, 10.0), (-5.0, 5.0))),
    "bowl": Surface(
        ((-3.0, 2.0), (2.5, -2.0), (-2.0, -3.0), (3.0, 1.5), (-3.5, -1.0)), (20, 30),
        {"sgd": {"lr": (0.1, 0.05)}, "momentum": {"lr": (0.1, 0.05), "momentum": _MOMENTUM},
         "nesterov": {"lr": (0.1, 0.05), "momentum": _MOMENTUM}, "adagrad": {"lr": (1.0, 0.5)},
         "rmsprop": {"lr": (0.1, 0.2), "decay_rate": (0.9,)},
         "adam": {"lr": (0.3, 0.2), "beta1": (0.9,), "beta2": (0.999,)}},
        ((-4.0, 4.0), (-4.0, 4.0))),
    "saddle": Surface(
        ((-1.5, 0.01), (1.5, -0.01), (-1.2, 0.05), (1.8, 0.02), (-1.8, -0.03)), (15, 20),
        {"sgd": {"lr": (0.05, 0.1)}, "momentum": {"lr": (0.05, 0.02), "momentum": _MOMENTUM},
         "nesterov": {"lr": (0.05, 0.02), "momentum": _MOMENTUM}, "adagrad": {"lr": (0.1, 0.2)},
         "rmsprop": {"lr": (0.02, 0.05), "decay_rate": (0.9,)},
         "adam": {"lr": (0.05, 0.1), "beta1": (0.9,), "beta2": (0.999,)}},
        ((-2.0, 2.0), (-3.0, 3.0))),
    "rosenbrock": Surface(
        ((-1.5, 2.0), (-1.0, 2.5), (-1.5, 1.5), (0.0, 2.5)), (100, 150),
        {"sgd": {"lr": (0.001, 0.0008)}, "momentum": {"lr": (0.0005, 0.0003), "momentum": _MOMENTUM},
         "nesterov": {"lr": (0.0005, 0.0003), "momentum": _MOMENTUM}, "adagrad": {"lr": (0.5, 0.3)},
         # ρ = 0.99 (the default): with 0.9 the path zig-zags in the curved valley so sensitively that a rounding
         # difference of 1e-12 at the start moves its end by 0.004
         "rmsprop": {"lr": (0.01, 0.02), "decay_rate": (0.99,)},
         "adam": {"lr": (0.05, 0.1), "beta1": (0.9,), "beta2": (0.999,)}},
        ((-2.0, 2.0), (-1.0, 3.0))),
}
PROBLEMS = tuple(SURFACES)
CONFIGS = SURFACES["ravine"].configs  # every surface has the same optimizers
LABELS = ("A", "B", "C", "D")
MIN_GAP = 0.3  # the mean distance between two paths' points must exceed this share of the view's size / 20


def _optimizer(v: Any) -> str:
    key = C.optimizer_key(v)
    if key not in CONFIGS:
        raise ValueError(f"no trajectory settings for {key}; known: {', '.join(CONFIGS)}")
    return key


OPTIONS = [
    C.Option("optimizer", "an optimizer that must be among the paths (and is asked about)", None, None, _optimizer),
    C.Option("ask", "'one' (which optimizer drew path X) or 'all' (the labels-to-optimizers combination)", None,
             ("one", "all")),
    C.Option("problem", f"the surface: {', '.join(PROBLEMS)}; drawn when omitted", None, PROBLEMS),
]


@cache
def path(key: str, args: tuple[tuple[str, float], ...], start: tuple[float, float], steps: int,
         problem: str = "ravine") -> np.ndarray:
    """Points (steps + 1, 2) of the executed reference class on the problem (checked against its rule)."""
    given = {"optimizer": key, "convention": "textbook", "hyperparameters": dict(args), "problem": problem,
             "start": list(start), "steps": steps,
             "asked": {"quantity": "W", "step": steps, "key": "x", "index": 0}}
    with np.errstate(all="ignore"):
        ex = execute(given, check=True)
    pts = [[float(start[0]), float(start[1])]]
    for t in range(1, steps + 1):
        pts.append([ex.value("W", t, "x"), ex.value("W", t, "y")])
    return np.array(pts)


@cache
def path_data(key: str, args: tuple[tuple[str, float], ...], start: tuple[float, float], steps: int,
              problem: str = "ravine") -> tuple[list[list[float]], dict[str, float]]:
    """The figure's points (6 decimals) and the path's features, computed once per setting."""
    pts = path(key, args, start, steps, problem)
    return [[round(float(x), 6), round(float(y), 6)] for x, y in pts], features(pts, problem)


def features(points: np.ndarray, problem: str = "ravine") -> dict[str, float]:
    x, y = points[:, 0], points[:, 1]
    ys = np.sign(y[np.abs(y) > 1e-12])
    xs = np.sign(x[np.abs(x) > 1e-12])
    target = P.get(problem).minimum or (0.0, 0.0)  # the saddle point where there is no minimum
    return {"y_flips": int(np.sum(ys[1:] != ys[:-1])), "x_crossings": int(np.sum(xs[1:] != xs[:-1])),
            "final": float(np.hypot(x[-1] - target[0], y[-1] - target[1])),
            "length": float(np.sum(np.hypot(np.diff(x), np.diff(y))))}


_TARGET = {"ja": {"rosenbrock": "最小点 (1, 1)", "saddle": "鞍点（原点）"}, "en": {"rosenbrock": "the minimum (1, 1)",
                                                                                 "saddle": "the saddle point"}}


def describe(key: str, f: dict[str, float], steps: int, lang: str, problem: str = "ravine") -> str:
    """What the executed path did, in numbers read from it."""
    info = optimizers.get(key).INFO
    if lang == "ja":
        target = _TARGET["ja"].get(problem, "最小点（原点）")
        return (f"{info.name_ja}: y = 0 を {f['y_flips']} 回、x = 0 を {f['x_crossings']} 回横切り、"
                f"{steps} 回後の{target}からの距離は {f['final']:.3g}、経路の長さは {f['length']:.3g}。")
    target = _TARGET["en"].get(problem, "the minimum (the origin)")
    return (f"{info.name_en}: crosses y = 0 {f['y_flips']} times and x = 0 {f['x_crossings']} times; after {steps} "
            f"updates it is {f['final']:.3g} from {target} (path length {f['length']:.3g}).")


def _name(key: str, lang: str) -> str:
    info = optimizers.get(key).INFO
    return info.name_ja if lang == "ja" else info.name_en


def settings_sentence(keys: list[str], args: dict[str, tuple], lang: str) -> str:
    """「設定は、SGD が学習率 η = 0.95、Momentum が学習率 η = 0.1 とモーメンタム係数 α = 0.9 である。」"""
    from ._common import spaced

    parts = []
    for k in sorted(keys, key=optimizers.ORDER.index):
        hyper = optimizers.get(k).INFO.hyper
        items = []
        for a, v in args[k]:
            short = _short(hyper[a][0 if lang == "ja" else 1])
            if len(short) > 10:  # 「1 次モーメント m の減衰率 β1」 → 「β1」: its Greek symbol
                short = next((w for w in short.split() if "\u0370" <= w[0] <= "\u03ff"), short)
            items.append(f"{short} = {C.fmt(v)}")
        if lang == "ja":
            parts.append(f"{spaced(_name(k, lang)).lstrip()}が{items[0]}"
                         + "".join(f" と{spaced(x).rstrip()}" for x in items[1:]))
        else:
            parts.append(f"{_name(k, lang)} {', '.join(items)}")
    if lang == "ja":
        return "設定は、" + "、".join(parts) + " である。"
    return "The settings: " + "; ".join(parts) + "."


def _short(meaning: str) -> str:
    """「減衰率 ρ（移動平均に…）」 → 「減衰率 ρ」: the name and symbol without the gloss."""
    import re

    return re.split(r"\s*[（(]", meaning, maxsplit=1)[0].strip()


def _inside(points: np.ndarray, view: tuple[tuple[float, float], tuple[float, float]]) -> bool:
    (x0, x1), (y0, y1) = view
    return bool(np.all(np.isfinite(points)) and np.all((points[:, 0] >= x0) & (points[:, 0] <= x1)
                                                        & (points[:, 1] >= y0) & (points[:, 1] <= y1)))


def generate(rng: np.random.Generator, *, lang: str = "ja", render: bool = True, **options: Any) -> Question:
    opts = C.parse_options("trajectory", OPTIONS, options)
    r = C.part(rng, "inputs")
    problem = opts["problem"] or C.pick(r, PROBLEMS)
    surface = SURFACES[problem]
    (vx0, vx1), (vy0, vy1) = surface.view
    min_gap = MIN_GAP * max(vx1 - vx0, vy1 - vy0) / 20
    for _ in range(C.MAX_TRIES):
        pool = [k for k in surface.configs if k in optimizers.MODULES]
        keys = list(r.choice(pool, size=4, replace=False))
        if opts["optimizer"] and opts["optimizer"] not in keys:
            keys[int(r.integers(4))] = opts["optimizer"]
        if len(set(keys)) < 4 or {"momentum", "nesterov"} <= set(keys):
            continue  # momentum and NAG draw nearly the same path
        start = surface.starts[int(r.integers(len(surface.starts)))]
        steps = int(C.pick(r, surface.steps))
        args = {k: tuple((a, float(C.pick(r, grid))) for a, grid in surface.configs[k].items()) for k in keys}
        paths = {k: path(k, args[k], start, steps, problem) for k in keys}
        if not all(_inside(p, surface.view) for p in paths.values()):
            continue  # the figure shows every path whole
        if all(_gap(k1, args[k1], k2, args[k2], start, steps, problem) > min_gap for k1, k2 in combinations(keys, 2)):
            break
    else:
        raise C.GenerationError(f"trajectory: no set of visibly different paths for {opts}")
    order = [keys[int(i)] for i in r.permutation(4)]  # label A.. -> optimizer
    ask = opts["ask"] or C.pick(r, ("one", "all"))
    data = {k: path_data(k, args[k], start, steps, problem) for k in keys}
    feats = {k: data[k][1] for k in keys}
    series = [{"label": LABELS[i], "points": [list(p) for p in data[k][0]]} for i, k in enumerate(order)]
    prob = P.get(problem)
    ordered = sorted(keys, key=optimizers.ORDER.index)
    names = "、".join(_name(k, lang) for k in ordered) if lang == "ja" else ", ".join(_name(k, lang) for k in ordered)

    def said(k: str) -> str:
        return describe(k, feats[k], steps, lang, problem)
    target = None
    if ask == "one":
        target = opts["optimizer"] or C.draw_optimizer(r, keys)
        label = LABELS[order.index(target)]
        correct = Choice(_name(target, lang), True, None, None, said(target))
        wrong = [Choice(_name(k, lang), False, None, "trajectory_confusion", said(k)) for k in ordered if k != target]
        q = (f"経路 {label} を描いた手法として最も適切なものを選べ。" if lang == "ja" else
             f"Which optimizer drew path {label}?")
    else:
        def combo(perm: list[str]) -> str:
            return "　".join(f"{LABELS[i]}: {_name(k, lang)}" for i, k in enumerate(perm))
        correct = Choice(combo(order), True, None, None, "正解。" if lang == "ja" else "Correct.")
        wrong, seen = [], {tuple(order)}
        pairs = list(combinations(range(4), 2))
        for i in r.permutation(len(pairs)):
            a, b = pairs[int(i)]
            perm = list(order)
            perm[a], perm[b] = perm[b], perm[a]
            if tuple(perm) in seen:
                continue
            seen.add(tuple(perm))
            fb = " / ".join(said(order[x]) for x in (a, b))
            wrong.append(Choice(combo(perm), False, None, "trajectory_confusion",
                                (f"{LABELS[a]} と {LABELS[b]} が入れ替わっている。" if lang == "ja" else
                                 f"{LABELS[a]} and {LABELS[b]} are swapped. ") + fb))
            if len(wrong) == 3:
                break
        q = ("経路 A〜D と手法の組み合わせとして正しいものを選べ。" if lang == "ja" else
             "Choose the correct assignment of paths A–D to optimizers.")
    choices, index = C.place(C.part(rng, "order"), correct, wrong)
    at = f"$({C.fmt(start[0])},\\ {C.fmt(start[1])})$"
    if lang == "ja":
        from ._common import spaced

        stem = (f"図は、損失関数 ${prob.formula}$ を点 {at} から{spaced(names)}でそれぞれ {steps} 回"
                f"更新したときのパラメータの経路 A〜D である。{settings_sentence(keys, args, lang)}{q}")
        caption = f"${prob.formula}$ 上の経路。開始点 ({C.fmt(start[0])}, {C.fmt(start[1])})、{steps} 回の更新"
    else:
        stem = (f"The figure shows the paths A–D of the parameters when ${prob.formula}$ is minimised from {at} by "
                f"{names}, {steps} updates each. {settings_sentence(keys, args, lang)} {q}")
        caption = f"Paths on ${prob.formula}$ from ({C.fmt(start[0])}, {C.fmt(start[1])}), {steps} updates"
    figure = Figure("paths", {"problem": problem, "series": series, "xlim": list(surface.view[0]),
                              "ylim": list(surface.view[1])}, caption)
    solution = []
    if render:
        for i, k in enumerate(order):
            solution.append(SolutionStep(f"{LABELS[i]} = " + said(k)))
    given = {"problem": problem, "start": list(start), "steps": steps,
             "series": [{"label": LABELS[i], "optimizer": k, "convention": "textbook",
                         "hyperparameters": dict(args[k])} for i, k in enumerate(order)],
             "ask": ask}
    return Question(
        id="", family="trajectory", seed=0, lang=lang, kind=KIND, stem=stem, answer=Answer(index=index),
        choices=choices, solution=solution, given=given, figures=[figure],
        tags={"optimizer": target or opts["optimizer"], "topic": "trajectory", "syllabus": True,
              "difficulty": 2 if ask == "one" else 3, "format": "F6", "problem": problem},
        options={k: v for k, v in opts.items() if v is not None})


@cache
def _gap(k1: str, a1: tuple, k2: str, a2: tuple, start: tuple[float, float], steps: int,
         problem: str = "ravine") -> float:
    """Mean distance between corresponding points of two paths."""
    p, q = path(k1, a1, start, steps, problem), path(k2, a2, start, steps, problem)
    return float(np.mean(np.hypot(*(p - q).T)))
