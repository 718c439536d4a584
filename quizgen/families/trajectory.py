"""Trajectory identification (format F6): which plotted path belongs to which optimizer.

The Question carries a Figure of kind "paths" with data
``{"problem": key, "series": [{"label": "A", "points": [[x, y], ...]}, ...]}`` computed by executing the
reference classes (checked against their rules at every step); drivers draw it with
``quizgen.plots.paths_svg(data)``. The family does not draw. The explanation describes each path by
features computed from the same executed trace (how often it crosses the valley floor, how far it
overshoots, how close it ends), and the paths must differ visibly from each other.
"""

from __future__ import annotations

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

PROBLEM = "ravine"
STARTS = ((-7.0, 2.0), (-6.0, 2.0), (-7.0, 1.5), (-5.0, 2.5), (-8.0, 1.5), (7.0, -2.0), (6.0, -2.5), (-6.0, -2.0))
STEPS = (30, 40)
#: optimizer -> grids of its arguments (the textbook's comparison demo: SGD 0.95, Momentum 0.1, AdaGrad 1.5, Adam 0.3)
CONFIGS: dict[str, dict[str, tuple[float, ...]]] = {
    "sgd": {"lr": (0.95, 0.9)},
    "momentum": {"lr": (0.1, 0.08), "momentum": (0.9,)},
    "nesterov": {"lr": (0.1, 0.08), "momentum": (0.9,)},
    "adagrad": {"lr": (1.5, 1.2)},
    "rmsprop": {"lr": (0.3, 0.2), "decay_rate": (0.9,)},
    "adam": {"lr": (0.3, 0.2), "beta1": (0.9,), "beta2": (0.999,)},
}
LABELS = ("A", "B", "C", "D")
MIN_GAP = 0.3  # the mean distance between two paths' points must exceed this (paths look different)


def _optimizer(v: Any) -> str:
    key = C.optimizer_key(v)
    if key not in CONFIGS:
        raise ValueError(f"no trajectory settings for {key}; known: {', '.join(CONFIGS)}")
    return key


OPTIONS = [
    C.Option("optimizer", "an optimizer that must be among the paths (and is asked about)", None, None, _optimizer),
    C.Option("ask", "'one' (which optimizer drew path X) or 'all' (the labels-to-optimizers combination)", None,
             ("one", "all")),
]


@cache
def path(key: str, args: tuple[tuple[str, float], ...], start: tuple[float, float], steps: int) -> np.ndarray:
    """Points (steps + 1, 2) of the executed reference class on the problem (checked against its rule)."""
    given = {"optimizer": key, "convention": "textbook", "hyperparameters": dict(args), "problem": PROBLEM,
             "start": list(start), "steps": steps,
             "asked": {"quantity": "W", "step": steps, "key": "x", "index": 0}}
    with np.errstate(all="ignore"):
        ex = execute(given, check=True)
    pts = [[float(start[0]), float(start[1])]]
    for t in range(1, steps + 1):
        pts.append([ex.value("W", t, "x"), ex.value("W", t, "y")])
    return np.array(pts)


@cache
def path_data(key: str, args: tuple[tuple[str, float], ...], start: tuple[float, float], steps: int
              ) -> tuple[list[list[float]], dict[str, float]]:
    """The figure's points (6 decimals) and the path's features, computed once per setting."""
    pts = path(key, args, start, steps)
    return [[round(float(x), 6), round(float(y), 6)] for x, y in pts], features(pts)


def features(points: np.ndarray) -> dict[str, float]:
    x, y = points[:, 0], points[:, 1]
    ys = np.sign(y[np.abs(y) > 1e-12])
    xs = np.sign(x[np.abs(x) > 1e-12])
    return {"y_flips": int(np.sum(ys[1:] != ys[:-1])), "x_crossings": int(np.sum(xs[1:] != xs[:-1])),
            "final": float(np.hypot(x[-1], y[-1])), "length": float(np.sum(np.hypot(np.diff(x), np.diff(y))))}


def describe(key: str, f: dict[str, float], steps: int, lang: str) -> str:
    info = optimizers.get(key).INFO
    if lang == "ja":
        return (f"{info.name_ja}: 谷底（y = 0）を {f['y_flips']} 回横切り、x = 0 を {f['x_crossings']} 回越え、"
                f"{steps} 回後の最小点からの距離は {f['final']:.3g}（経路の長さ {f['length']:.3g}）。")
    return (f"{info.name_en}: crosses the valley floor (y = 0) {f['y_flips']} times and x = 0 {f['x_crossings']} "
            f"times; after {steps} updates it is {f['final']:.3g} from the minimum (path length {f['length']:.3g}).")


def _name(key: str, lang: str) -> str:
    info = optimizers.get(key).INFO
    return info.name_ja if lang == "ja" else info.name_en


def generate(rng: np.random.Generator, *, lang: str = "ja", render: bool = True, **options: Any) -> Question:
    opts = C.parse_options("trajectory", OPTIONS, options)
    r = C.part(rng, "inputs")
    for _ in range(C.MAX_TRIES):
        pool = [k for k in CONFIGS if k in optimizers.MODULES]
        keys = list(r.choice(pool, size=4, replace=False))
        if opts["optimizer"] and opts["optimizer"] not in keys:
            keys[int(r.integers(4))] = opts["optimizer"]
        if len(set(keys)) < 4 or {"momentum", "nesterov"} <= set(keys):
            continue  # momentum and NAG draw nearly the same path on this problem
        start = STARTS[int(r.integers(len(STARTS)))]
        steps = int(C.pick(r, STEPS))
        args = {k: tuple((a, float(C.pick(r, grid))) for a, grid in CONFIGS[k].items()) for k in keys}
        paths = {k: path(k, args[k], start, steps) for k in keys}
        if not all(np.all(np.isfinite(p)) and np.max(np.abs(p)) < 100 for p in paths.values()):
            continue
        if all(_gap(k1, args[k1], k2, args[k2], start, steps) > MIN_GAP for k1, k2 in combinations(keys, 2)):
            break
    else:
        raise C.GenerationError(f"trajectory: no set of visibly different paths for {opts}")
    order = [keys[int(i)] for i in r.permutation(4)]  # label A.. -> optimizer
    ask = opts["ask"] or C.pick(r, ("one", "all"))
    data = {k: path_data(k, args[k], start, steps) for k in keys}
    feats = {k: data[k][1] for k in keys}
    series = [{"label": LABELS[i], "points": [list(p) for p in data[k][0]]} for i, k in enumerate(order)]
    prob = P.get(PROBLEM)
    names = "、".join(_name(k, lang) for k in sorted(keys, key=optimizers.ORDER.index)) if lang == "ja" else \
        ", ".join(_name(k, lang) for k in sorted(keys, key=optimizers.ORDER.index))
    if ask == "one":
        target = opts["optimizer"] or C.pick(r, keys)
        label = LABELS[order.index(target)]
        correct = Choice(_name(target, lang), True, None, None, describe(target, feats[target], steps, lang))
        wrong = [Choice(_name(k, lang), False, None, "trajectory_confusion", describe(k, feats[k], steps, lang))
                 for k in sorted(keys, key=optimizers.ORDER.index) if k != target]
        q = (f"経路 {label} を描いた手法はどれか。" if lang == "ja" else f"Which optimizer drew path {label}?")
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
            fb = " / ".join(describe(order[x], feats[order[x]], steps, lang) for x in (a, b))
            wrong.append(Choice(combo(perm), False, None, "trajectory_confusion",
                                (f"{LABELS[a]} と {LABELS[b]} が入れ替わっている。" if lang == "ja" else
                                 f"{LABELS[a]} and {LABELS[b]} are swapped. ") + fb))
            if len(wrong) == 3:
                break
        q = ("経路 A〜D と手法の組み合わせとして正しいものを選べ。" if lang == "ja" else
             "Choose the correct assignment of paths A–D to optimizers.")
    choices, index = C.place(C.part(rng, "order"), correct, wrong)
    hyper_text = "; ".join(f"{_name(k, lang)} (" + ", ".join(f"{a}={C.fmt(v)}" for a, v in args[k]) + ")"
                           for k in sorted(keys, key=optimizers.ORDER.index))
    if lang == "ja":
        stem = (f"図は、関数 ${prob.formula}$ を点 $({C.fmt(start[0])},\\ {C.fmt(start[1])})$ から {names} で "
                f"{steps} 回ずつ更新したときのパラメータの経路 A〜D である（設定: {hyper_text}）。{q}")
        caption = f"${prob.formula}$ 上の経路（開始点 ({C.fmt(start[0])}, {C.fmt(start[1])})、{steps} 回の更新）"
    else:
        stem = (f"The figure shows the paths A–D of the parameters when ${prob.formula}$ is minimised from "
                f"$({C.fmt(start[0])},\\ {C.fmt(start[1])})$ by {names}, {steps} updates each (settings: "
                f"{hyper_text}). {q}")
        caption = f"Paths on ${prob.formula}$ from ({C.fmt(start[0])}, {C.fmt(start[1])}), {steps} updates"
    figure = Figure("paths", {"problem": PROBLEM, "series": series}, caption)
    solution = []
    if render:
        for i, k in enumerate(order):
            solution.append(SolutionStep(f"{LABELS[i]} = " + describe(k, feats[k], steps, lang)))
    given = {"problem": PROBLEM, "start": list(start), "steps": steps,
             "series": [{"label": LABELS[i], "optimizer": k, "convention": "textbook",
                         "hyperparameters": dict(args[k])} for i, k in enumerate(order)],
             "ask": ask}
    return Question(
        id="", family="trajectory", seed=0, lang=lang, kind=KIND, stem=stem, answer=Answer(index=index),
        choices=choices, solution=solution, given=given, figures=[figure],
        tags={"optimizer": opts["optimizer"], "topic": "trajectory", "syllabus": True,
              "difficulty": 2 if ask == "one" else 3, "format": "F6"},
        options={k: v for k, v in opts.items() if v is not None})


@cache
def _gap(k1: str, a1: tuple, k2: str, a2: tuple, start: tuple[float, float], steps: int) -> float:
    """Mean distance between corresponding points of two paths."""
    p, q = path(k1, a1, start, steps), path(k2, a2, start, steps)
    return float(np.mean(np.hypot(*(p - q).T)))
