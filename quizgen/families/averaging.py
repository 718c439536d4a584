"""Averages of the weights along an optimization run (Polyak & Juditsky 1992; the exponential moving average of
Goodfellow et al. 2016 §8.7.3): the average after n updates, four choices.

The weights are drawn as an oscillating run on a 0.01 grid (what SGD with a large learning rate does near a
minimum). The key is executed by ``optimizers.techniques.averaging`` (``PolyakAverage`` / ``EMA``, which start
from the first weights as torch.optim.swa_utils.AveragedModel does); the distractors are named mistakes
(including the initial weights, starting the EMA from 0, swapping β and 1 − β, the last weights alone …).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from optimizers.techniques import averaging as A

from ..question import Question, SolutionStep
from . import _chapter as K
from . import _common as C

KIND = "choice"
TITLE = ("重みの平均（Polyak 平均・EMA）", "weight averaging (Polyak, EMA)")
TOPIC = "averaging"

STRESS_CHECKS = K.CHECKS  # quizgen stress: the checks of stress_defects

OPTIONS = [
    C.Option("average", "'polyak' or 'ema'; drawn when omitted", None, ("polyak", "ema")),
]

M = K.Mistake
WITH_W0 = M("average_included_initial", "初期値 W_0 も平均に入れた", "averaged the initial weights too",
            "平均するのは各更新の後の重み W_1, …, W_n。学習前の W_0 は入れない。",
            "The average is over the weights after each update, W_1 … W_n, not the initial W_0.")
LAST = M("average_last_only", "最後の重みだけを使った", "used the last weights only",
         "平均を取らずに最後の重みを答えた。揺れを打ち消すために、それまでの重みを平均する。",
         "Took the last weights without averaging. The average smooths out the oscillation.")
FROM_ZERO = M("ema_from_zero", "平均を 0 から始めた", "started the average at 0",
              "W_avg = 0 から W_avg ← βW_avg + (1 − β)W を始めた（Adam のバイアス補正がないときと同じ 0 への"
              "偏り）。ここでは最初の重み W_1 を W_avg の初期値にする。",
              "Started W_avg ← βW_avg + (1 − β)W from W_avg = 0 (the same pull towards 0 as Adam without bias "
              "correction). Here the average starts as the first weights W_1.")
SWAPPED = M("ema_beta_swapped", "β と 1 − β を入れ替えた", "swapped β and 1 − β",
            "W_avg ← (1 − β)W_avg + βW とした。β は古い平均に掛ける係数（1 に近いほど長い期間を平均する）。",
            "Used W_avg ← (1 − β)W_avg + βW. β multiplies the old average (closer to 1 means a longer memory).")
MEAN_FOR_EMA = M("ema_is_mean", "単純平均を計算した", "computed the plain mean",
                 "指数移動平均の代わりに単純平均を取った。EMA は新しい重みほど大きい重みで平均する。",
                 "Took the plain mean instead of the exponential moving average, which weighs recent weights more.")
EMA_FOR_MEAN = M("polyak_is_ema", "指数移動平均を計算した", "computed an exponential average",
                 "毎回 W_avg ← (W_avg + W)/2 とした。Polyak 平均は W_avg ← W_avg + (W − W_avg)/n で、すべての"
                 "重みを等しく平均する。",
                 "Used W_avg ← (W_avg + W)/2 each time. Polyak's average is W_avg ← W_avg + (W − W_avg)/n, "
                 "weighing all weights equally.")
DIV_N_PLUS = M("polyak_n_plus_one", "n + 1 で割った", "divided by n + 1",
               "W_1 から W_n の和を n + 1 で割った。平均に入れた重みは n 個。",
               "Divided the sum of W_1 … W_n by n + 1. There are n weights in the average.")

CENTERS = C.grid(["0.5", "1.0", "-0.5", "0.2", "2.0", "0.0"])
START = C.grid(["1.0", "0.8", "0.6", "1.2"])


def _weights(r: np.random.Generator, n: int) -> tuple[float, list[float]]:
    """W_0 and W_1 … W_n oscillating around a centre with shrinking swings (0.01 grid)."""
    c = C.pick(r, CENTERS)
    swing = C.pick(r, START)
    sign = 1 if r.random() < 0.5 else -1
    w0 = round(c + sign * swing, 2)
    ws = []
    for k in range(1, n + 1):
        d = swing * (0.6 + 0.1 * int(r.integers(0, 3))) ** k
        ws.append(round(c + sign * (-1) ** k * d, 2))
    return w0, ws


def recompute(given: dict[str, Any]) -> float:
    """The average after n updates, executed by the reference class."""
    avg = A.PolyakAverage() if given["average"] == "polyak" else A.EMA(decay=float(given["beta"]))
    for w in given["weights"]:
        avg.update({"W": np.array([float(w)])})
    return float(avg.avg["W"][0])


def inputs(given: dict[str, Any]) -> list[float]:
    return [float(given["W0"]), *map(float, given["weights"])] + ([float(given["beta"])] if "beta" in given else [])


def _ema(ws: list[float], beta: float, start: float | None) -> float:
    avg = start
    for w in ws:
        avg = w if avg is None else beta * avg + (1 - beta) * w
    return avg


def _candidates(given: dict[str, Any]) -> list[tuple[K.Mistake, float]]:
    ws, w0 = [float(w) for w in given["weights"]], float(given["W0"])
    out = [(LAST, ws[-1])]
    if given["average"] == "polyak":
        out += [(WITH_W0, float(np.mean([w0, *ws]))), (DIV_N_PLUS, sum(ws) / (len(ws) + 1)),
                (EMA_FOR_MEAN, _ema(ws, 0.5, None))]
    else:
        b = float(given["beta"])
        out += [(WITH_W0, _ema([w0, *ws], b, None)), (FROM_ZERO, _ema(ws, b, 0.0)), (SWAPPED, _ema(ws, 1 - b, None)),
                (MEAN_FOR_EMA, float(np.mean(ws)))]
    return out


def _draw(r: np.random.Generator, opts: dict[str, Any]):
    kind = opts["average"] or C.pick(r, ("polyak", "ema"))
    n = int(C.pick(r, (3, 4, 4, 5)))
    w0, ws = _weights(r, n)
    given: dict[str, Any] = {"average": kind, "W0": w0, "weights": ws}
    if kind == "ema":
        given["beta"] = C.pick(r, C.grid(["0.9", "0.8", "0.5", "0.75"]))
    key = recompute(given)
    decimals = C.auto_decimals(key, 3, sig=3)
    if not C.stable(key, decimals):
        return None
    pool = K.spaced(key, _candidates(given), decimals)
    if len(pool) < 3:
        return None
    return given, key, decimals, pool


#: the average's symbol in stems and solutions (a subscript: PDF text keeps an accent's bar out of reading order)
AVG = r"W_{\mathrm{avg}}"


def _stem(given: dict[str, Any], lang: str) -> str:
    ws = given["weights"]
    n = len(ws)
    seq = ",\\ ".join(f"W_{{{k}}} = {C.fmt(w)}" for k, w in enumerate(ws, start=1))
    if lang == "ja":
        head = (f"最小点のまわりで揺れている学習の重みが、初期値 $W_0 = {C.fmt(given['W0'])}$ から、更新のたびに "
                f"${seq}$ と変わった。")
        if given["average"] == "polyak":
            rule = (f"各更新の後の重みを順に入れて、Polyak 平均 ${AVG}$（Polyak & Juditsky 1992）を逐次に"
                    f"計算する。最初の更新の後は ${AVG} = W_1$ とし、$n$ 個目の重み $W_n$ を入れるときは "
                    f"${AVG} \\leftarrow {AVG} + (W_n - {AVG})/n$ とする。")
        else:
            rule = (f"各更新の後の重みの指数移動平均 ${AVG}$（Goodfellow ら 2016 の 8.7.3 節）を、減衰率 "
                    f"$\\beta = {C.fmt(given['beta'])}$ で計算する。最初の更新の後は ${AVG} = W_1$ とし、以降は"
                    f"更新のたびに ${AVG} \\leftarrow \\beta {AVG} + (1 - \\beta) W$ とする（PyTorch の "
                    "AveragedModel と同じ）。")
        return f"{head}{rule}$W_{{{n}}}$ まで入れた後の ${AVG}$ の値として最も近いものを選べ。"
    head = (f"Near a minimum the weights of a run oscillate: from $W_0 = {C.fmt(given['W0'])}$ the updates give "
            f"${seq}$. ")
    if given["average"] == "polyak":
        rule = (f"Polyak's average ${AVG}$ (Polyak & Juditsky 1992) of the weights after each update is computed "
                f"step by step: ${AVG} = W_1$ after the first update, then "
                f"${AVG} \\leftarrow {AVG} + (W_n - {AVG})/n$. ")
    else:
        rule = (f"The exponential moving average ${AVG}$ (Goodfellow et al. 2016, §8.7.3) with "
                f"$\\beta = {C.fmt(given['beta'])}$ starts as ${AVG} = W_1$, then "
                f"${AVG} \\leftarrow \\beta {AVG} + (1 - \\beta) W$ after each update (as PyTorch's AveragedModel). ")
    return f"{head}{rule}Choose the value closest to ${AVG}$ after $W_{{{n}}}$."


def _solution(given: dict[str, Any], key: float, decimals: int, lang: str) -> list[SolutionStep]:
    from ..formulas import number

    ws = [float(w) for w in given["weights"]]
    lines = [f"{AVG} = W_1 = {number(ws[0])}"]
    avg = ws[0]
    for n, w in enumerate(ws[1:], start=2):
        if given["average"] == "polyak":
            new = avg + (w - avg) / n
            lines.append(f"{AVG} \\leftarrow {number(avg)} + ({number(w)} - {_p(number(avg))})/{n} = {number(new)}")
        else:
            b = float(given["beta"])
            new = b * avg + (1 - b) * w
            lines.append(f"{AVG} \\leftarrow {number(b)} \\times {_p(number(avg))} + {number(1 - b)} \\times "
                         f"{_p(number(w))} = {number(new)}")
        avg = new
    shown = C.round_text(key, decimals)
    return [SolutionStep("参照実装を実行した各段階:" if lang == "ja" else "Each stage, executed:",
                         "\\begin{gathered}\n" + " \\\\\n".join(lines) + "\n\\end{gathered}"),
            SolutionStep(f"よって {number(key)}、小数第 {decimals} 位までで **{shown}**。" if lang == "ja" else
                         f"So {number(key)}, i.e. **{shown}**.")]


def _p(text: str) -> str:
    return f"({text})" if text.startswith("-") else text


def stress_defects(q: Question, seed: int):
    return K.stress_defects(q, seed, recompute, inputs)


def generate(rng: np.random.Generator, *, lang: str = "ja", render: bool = True, **options: Any) -> Question:
    opts = C.parse_options("averaging", OPTIONS, options)
    r = C.part(rng, "inputs")
    for _ in range(C.MAX_TRIES):
        got = _draw(r, opts)
        if got is not None:
            break
    else:
        raise C.GenerationError(f"averaging: no usable variant for {opts}")
    given, key, decimals, pool = got
    choices, index = K.numeric_choices(rng, key, pool, decimals, lang)
    answer = C.numeric_answer(key, decimals)
    answer.index = index
    return Question(
        id="", family="averaging", seed=0, lang=lang, kind=KIND, stem=_stem(given, lang), answer=answer,
        choices=choices, solution=_solution(given, key, decimals, lang) if render else [], given=given,
        rounding=C.rounding_text(decimals, answer.tolerance, lang),
        tags={"optimizer": None, "topic": TOPIC, "average": given["average"], "syllabus": False, "difficulty": 1,
              "format": "F5"},
        options={k: v for k, v in opts.items() if v is not None})
