"""Code fill-in-the-blank (format F4) from the chapter's reference classes: learning-rate schedules, early stopping,
weight averages and Newton's method (optimizers/techniques).

One line of the class is blanked （あ）; the choices are the line itself and three lines mutated by named mistakes.
Every mutant is proven wrong by executing it: the mutated class source is exec'd in the module's namespace and
run on a witness (a schedule over t = 0 … 39, early stopping over records with ties and small improvements,
averages over a run of weights, Newton's method on a quadratic with an off-diagonal Hessian); its results must
differ from the real class's. The code is shown without its comments, which could state the answer.
"""

from __future__ import annotations

import inspect
import re
import sys
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from optimizers.techniques import averaging as A
from optimizers.techniques import early_stopping as E
from optimizers.techniques import schedules as S
from optimizers.techniques import second_order as N

from ..question import Answer, Question, SolutionStep
from . import _chapter as K
from . import _common as C
from . import averaging as AV
from . import early_stopping as ES
from . import schedule as SC
from . import second_order as SO

KIND = "choice"
TITLE = ("コードの穴埋め（章の手法）", "code fill-in-the-blank (the chapter's techniques)")
TOPIC = "code"
BLANK = "（あ）"

M = K.Mistake
MOD = M("step_mod", "余りを使った", "used the remainder",
        "t % s（余り）を下げた回数にした。下げた回数は商 t // s（切り捨て）。",
        "Used t % s (the remainder). The number of decays is the quotient t // s.")
SWAP_POW = M("power_swapped", "累乗の底と指数を取り違えた", "swapped base and exponent",
             "累乗の底と指数を入れ替えた。η_0 に γ を何回掛けるかが指数。",
             "Swapped base and exponent. The exponent counts how many times γ multiplies η_0.")
COS_NO_ONE = M("cosine_no_one", "1 を足し忘れた", "forgot the 1",
               "cos(πt/T)/2 とした。(1 + cos(πt/T))/2 で 1 から 0 へ下がる係数になる。",
               "Used cos(πt/T)/2. (1 + cos(πt/T))/2 is the factor that falls from 1 to 0.")
COS_RANGE = M("cosine_range", "下げる幅を η_0 にした", "used η_0 as the range",
              "η_min + η_0 × (係数) とした。係数を掛けるのは幅 η_0 − η_min。",
              "Used η_min + η_0 × factor. The factor multiplies the range η_0 − η_min.")
COS_NO_MIN = M("cosine_forgot_eta_min_term", "η_min を足し忘れた", "forgot to add η_min",
               "(η_0 − η_min) × (係数) だけを返した。最後は η_min になるように η_min を足す。",
               "Returned (η_0 − η_min) × factor only. Adding η_min makes the rate end at η_min.")
MAX = M("warmup_max", "min と max を取り違えた", "used max instead of min",
        "max(t, T_w) とした。ウォームアップの進み具合は min(t, T_w)/T_w で、T_w 以降は 1 のまま。",
        "Used max(t, T_w). The progress is min(t, T_w)/T_w, staying at 1 after T_w.")
C_TIMES = M("warmup_c_times", "開始時の倍率を掛けた", "multiplied by the start factor",
            "倍率を c × (進み具合) とした。倍率は c から 1 へ: c + (1 − c) × (進み具合)。",
            "Used c × progress. The factor goes from c to 1: c + (1 − c) × progress.")
DOWN = M("warmup_decreasing", "下げる向きにした", "made it decrease",
         "1 − (1 − c) × (進み具合) とした。これは 1 から c へ下がる。ウォームアップは c から 1 へ上げる。",
         "Used 1 − (1 − c) × progress, which falls from 1 to c. A warm-up rises from c to 1.")
PLUS_FACTOR = M("warmup_added_factor", "倍率を足した", "added the factor",
                "η_0 + (倍率) とした。倍率は η_0 に掛ける。", "Used η_0 + factor. The factor multiplies η_0.")
FACTOR_ONLY = M("warmup_factor_only", "η_0 を掛け忘れた", "forgot η_0",
                "倍率だけを返した。学習率は η_0 × (倍率)。", "Returned the factor alone. The rate is η_0 × factor.")
DIV_FACTOR = M("warmup_divided", "倍率で割った", "divided by the factor",
               "η_0 / (倍率) とした。ウォームアップでは η_0 に倍率を掛ける（最初は c η_0 と小さい）。",
               "Used η_0 / factor. A warm-up multiplies η_0 by the factor (small at first: c η_0).")
ES_SIGN = M("early_stopping_inverted", "比べる向きを逆にした", "inverted the comparison",
            "検証損失が増えたときを改善とした。改善は、それまでの最小値より小さくなったとき。",
            "Took an increase as an improvement. An improvement is a value below the best so far.")
ES_DELTA = M("early_stopping_delta_sign", "min_delta の符号を誤った", "wrong sign of min_delta",
             "best_loss + min_delta と比べた。min_delta を超えて下がったときだけ改善なので best_loss − min_delta と"
             "比べる。",
             "Compared with best_loss + min_delta. Only a decrease by more than min_delta counts: "
             "best_loss − min_delta.")
ES_ONE = M("early_stopping_counter_one", "数を 1 にした", "set the counter to 1",
           "改善しないたびに wait = 1 とした。続けて改善しない回数を数えるので 1 ずつ増やす。",
           "Set wait = 1 each time. It counts consecutive epochs, so it grows by 1 each time.")
ES_DOWN = M("early_stopping_counter_down", "数を減らした", "decreased the counter",
            "改善しないたびに wait を 1 減らした。改善しなかった回数なので 1 増やす。",
            "Decreased wait. It counts epochs without improvement, so it grows by 1.")
ES_INVERTED_STOP = M("early_stopping_stop_inverted", "止める条件を逆にした", "inverted the stop condition",
                     "wait < patience のときに止めた。patience 回続けて改善しなかったとき（wait ≥ patience）に止める。",
                     "Stopped while wait < patience. It stops once wait ≥ patience.")
EMA_NO_ONE_MINUS = M("ema_no_one_minus_beta", "(1 − β) を掛け忘れた", "forgot the (1 − β)",
                     "βW_avg + W とした。重みの合計が 1 になるように、新しい重みには (1 − β) を掛ける。",
                     "Used βW_avg + W. The new weights get (1 − β) so that the weights sum to 1.")
EMA_SIGN = M("ema_sign", "引き算にした", "subtracted",
             "βW_avg − (1 − β)W とした。移動平均は βW_avg + (1 − β)W。",
             "Used βW_avg − (1 − β)W. It is βW_avg + (1 − β)W.")
POLYAK_NO_AVG = M("polyak_forgot_average", "平均を引き忘れた", "forgot to subtract the average",
                  "W_avg += W/n とした。逐次平均は W_avg += (W − W_avg)/n。",
                  "Used W_avg += W/n. The running mean is W_avg += (W − W_avg)/n.")
POLYAK_SIGN = M("polyak_sign", "差の向きを逆にした", "reversed the difference",
                "W_avg += (W_avg − W)/n とした。新しい重みの方へ近づけるので (W − W_avg)/n を足す。",
                "Used W_avg += (W_avg − W)/n. The mean moves towards the new weights: add (W − W_avg)/n.")
NEWTON_LR = M("newton_divided_by_lr", "学習率で割った", "divided by the learning rate",
              "step を学習率で割った。減衰ニュートン法では step に学習率を掛ける。",
              "Divided the step by the learning rate. A damped Newton step multiplies it by the rate.")

#: class → [(line as written, [(mutated line, mistake)])]
MUTANTS: dict[type, list[tuple[str, list[tuple[str, K.Mistake]]]]] = {
    S.StepDecay: [
        ("n = t // self.step_size", [("n = t / self.step_size", SC.WRONG["step"][0][0]),
                                     ("n = t // self.step_size + 1", SC.WRONG["step"][1][0]),
                                     ("n = t % self.step_size", MOD),
                                     ("n = (t + 1) // self.step_size", SC.UPDATE_INDEX)]),
        ("return self.lr * self.gamma ** n", [("return self.lr * self.gamma * n", SC.WRONG["step"][3][0]),
                                              ("return self.lr * (1 - self.gamma) ** n", SC.WRONG["exponential"][0][0]),
                                              ("return self.gamma * self.lr ** n", SWAP_POW)]),
    ],
    S.ExponentialDecay: [
        ("return self.lr * self.gamma ** t", [("return self.lr * self.gamma * t", SC.WRONG["step"][3][0]),
                                              ("return self.lr * (1 - self.gamma) ** t", SC.WRONG["exponential"][0][0]),
                                              ("return self.lr * self.gamma ** (t + 1)", SC.UPDATE_INDEX),
                                              ("return self.lr * t ** self.gamma", SWAP_POW)]),
    ],
    S.CosineAnnealing: [
        ("cos_part = (1 + np.cos(np.pi * t / self.T_max)) / 2",
         [("cos_part = (1 - np.cos(np.pi * t / self.T_max)) / 2", SC.WRONG["cosine"][1][0]),
          ("cos_part = 1 + np.cos(np.pi * t / self.T_max)", SC.WRONG["cosine"][0][0]),
          ("cos_part = (1 + np.cos(2 * np.pi * t / self.T_max)) / 2", SC.WRONG["cosine"][2][0]),
          ("cos_part = np.cos(np.pi * t / self.T_max) / 2", COS_NO_ONE)]),
        ("return self.eta_min + (self.lr - self.eta_min) * cos_part",
         [("return self.lr * cos_part", SC.WRONG["cosine"][3][0]),
          ("return self.eta_min + self.lr * cos_part", COS_RANGE),
          ("return (self.lr - self.eta_min) * cos_part", COS_NO_MIN)]),
    ],
    S.LinearWarmup: [
        ("progress = min(t, self.warmup) / self.warmup",
         [("progress = t / self.warmup", SC.WRONG["warmup"][2][0]),
          ("progress = max(t, self.warmup) / self.warmup", MAX),
          ("progress = min(t + 1, self.warmup) / self.warmup", SC.UPDATE_INDEX)]),
        ("factor = self.start_factor + (1 - self.start_factor) * progress",
         [("factor = self.start_factor + progress", SC.WRONG["warmup"][1][0]),
          ("factor = self.start_factor * progress", C_TIMES),
          ("factor = 1 - (1 - self.start_factor) * progress", DOWN)]),
        ("return self.lr * factor", [("return self.lr + factor", PLUS_FACTOR), ("return factor", FACTOR_ONLY),
                                     ("return self.lr / factor", DIV_FACTOR)]),
    ],
    E.EarlyStopping: [
        ("if val_loss < self.best_loss - self.min_delta:",
         [("if val_loss <= self.best_loss - self.min_delta:", ES.TIE),
          ("if val_loss > self.best_loss - self.min_delta:", ES_SIGN),
          ("if val_loss < self.best_loss + self.min_delta:", ES_DELTA),
          ("if val_loss < self.best_loss:", ES.NO_DELTA)]),
        ("self.wait += 1", [("self.wait = 1", ES_ONE), ("self.wait -= 1", ES_DOWN), ("self.wait = 0", ES.NO_RESET)]),
        ("return self.wait >= self.patience", [("return self.wait > self.patience", ES.PLUS_ONE),
                                               ("return self.wait >= self.patience - 1", ES.MINUS_ONE),
                                               ("return self.wait < self.patience", ES_INVERTED_STOP)]),
    ],
    A.EMA: [
        ("self.avg[key] = self.decay * self.avg[key] + (1 - self.decay) * params[key]",
         [("self.avg[key] = (1 - self.decay) * self.avg[key] + self.decay * params[key]", AV.SWAPPED),
          ("self.avg[key] = self.decay * self.avg[key] + params[key]", EMA_NO_ONE_MINUS),
          ("self.avg[key] = self.decay * self.avg[key] - (1 - self.decay) * params[key]", EMA_SIGN),
          ("self.avg[key] = (self.avg[key] + params[key]) / 2", AV.EMA_FOR_MEAN)]),
    ],
    A.PolyakAverage: [
        ("self.avg[key] += (params[key] - self.avg[key]) / self.n",
         [("self.avg[key] += params[key] / self.n", POLYAK_NO_AVG),
          ("self.avg[key] += (params[key] - self.avg[key]) / (self.n + 1)", AV.DIV_N_PLUS),
          ("self.avg[key] += (self.avg[key] - params[key]) / self.n", POLYAK_SIGN),
          ("self.avg[key] = (self.avg[key] + params[key]) / 2", AV.EMA_FOR_MEAN)]),
    ],
    N.Newton: [
        ("step = np.linalg.solve(hessians[key], grads[key])",
         [("step = hessians[key] @ grads[key]", SO.TIMES), ("step = grads[key]", SO.GD),
          ("step = grads[key] / np.diag(hessians[key])", SO.DIAGONAL)]),
        ("params[key] -= self.lr * step", [("params[key] += self.lr * step", SO.SIGN),
                                            ("params[key] -= step / self.lr", NEWTON_LR),
                                            ("params[key] -= self.lr * grads[key]", SO.GD)]),
    ],
}

GET_LR = "`get_lr(t)` はステップ `t`（0 から数える）の学習率を返す。"
WHAT = {
    S.StepDecay: ("ステップ減衰", "PyTorch の StepLR と同じ", GET_LR),
    S.ExponentialDecay: ("指数減衰", "PyTorch の ExponentialLR と同じ", GET_LR),
    S.CosineAnnealing: ("コサインアニーリング", "Loshchilov & Hutter 2017", GET_LR),
    S.LinearWarmup: ("線形ウォームアップ", "Goyal ら 2017", GET_LR),
    E.EarlyStopping: ("早期終了", "Goodfellow ら 2016 のアルゴリズム 7.1",
                      "`step(epoch, val_loss)` は各エポックの終わりに呼ばれ、学習を止めるなら `True` を返す。"),
    A.EMA: ("重みの指数移動平均", "Goodfellow ら 2016 の 8.7.3 節",
            "`update(params)` は最適化の各更新の後に呼ばれ、`self.avg` に平均を持つ。"),
    A.PolyakAverage: ("Polyak 平均", "Polyak & Juditsky 1992",
                      "`update(params)` は最適化の各更新の後に呼ばれ、`self.avg` に平均を持つ。"),
    N.Newton: ("ニュートン法", "Goodfellow ら 2016 の 8.6.1 節",
               "`update(params, grads, hessians)` は各パラメータの勾配とヘッセ行列を受け取って 1 回更新する。"),
}


# -- witnesses ---------------------------------------------------------------------------------------------
RECORDS = [[0.9, 0.7, 0.7, 0.69, 0.72, 0.65, 0.66, 0.66, 0.7, 0.75, 0.8],
           [1.0, 0.8, 0.795, 0.79, 0.6, 0.61, 0.62, 0.63, 0.64],
           [0.5, 0.5, 0.5, 0.5, 0.4, 0.45, 0.46]]


def _witness(kind: type, cls: type | None = None) -> list[float]:
    """What class ``cls`` (a mutant of ``kind``; default ``kind`` itself) does on the witness of ``kind``, as numbers
    (a mutant must change one of them)."""
    cls = cls or kind
    with np.errstate(all="ignore"):
        if kind in (S.StepDecay, S.ExponentialDecay, S.CosineAnnealing, S.LinearWarmup):
            args = {S.StepDecay: (0.3, 3, 0.2), S.ExponentialDecay: (0.3, 0.8), S.CosineAnnealing: (0.3, 12, 0.01),
                    S.LinearWarmup: (0.3, 5, 0.2)}[kind]
            sch = cls(*args)
            return [float(sch.get_lr(t)) for t in range(40)]
        if kind is E.EarlyStopping:
            out: list[float] = []
            for rec in RECORDS:
                for patience, delta in ((2, 0.0), (3, 0.01)):
                    es = cls(patience=patience, min_delta=delta)
                    stop = next((e for e, v in enumerate(rec, start=1) if es.step(e, v)), 0)
                    out += [float(stop), float(es.best_epoch or 0)]
            return out
        if kind in (A.EMA, A.PolyakAverage):
            avg = cls(0.8) if kind is A.EMA else cls()
            out = []
            for w in (1.0, -0.6, 0.5, -0.2, 0.3):
                avg.update({"W": np.array([w, 2 * w])})
                out += [float(x) for x in avg.avg["W"]]
            return out
        H = np.array([[3.0, 1.0], [1.0, 2.0]])
        opt = cls(lr=0.5)
        params = {"W": np.array([1.0, -2.0])}
        out = []
        for _ in range(3):
            opt.update(params, {"W": H @ params["W"] - np.array([1.0, 1.0])}, {"W": H})
            out += [float(x) for x in params["W"]]
        return out


def _source(cls: type) -> list[str]:
    return list(_source_lines(cls))


@cache
def _source_lines(cls: type) -> tuple[str, ...]:
    src = inspect.getsource(cls)
    src = re.sub(r'^(\s*class [^\n]+\n)\s*"""(?:.|\n)*?"""\n(\s*\n)?', r"\1", src, count=1)  # class docstring
    src = re.sub(r'\n\s*"""(?:.|\n)*?"""', "", src)  # method docstrings
    return tuple(src.splitlines())


def _without_comments(lines: list[str]) -> list[str]:
    return [re.sub(r"\s+#.*$", "", ln) for ln in lines]


def _exec(cls: type, lines: list[str]) -> type:
    ns = dict(vars(sys.modules[cls.__module__]))
    exec(compile("\n".join(lines) + "\n", f"<mutant {cls.__name__}>", "exec"), ns)
    return ns[cls.__name__]


@dataclass(frozen=True)
class Slot:
    cls: type
    index: int  # line number in the class source
    line: str
    mutants: tuple[tuple[str, K.Mistake], ...]  # proven wrong


def _differs(a: list[float], b: list[float]) -> bool:
    return len(a) != len(b) or any(not np.isfinite(y) or abs(x - y) > 1e-9 * max(1.0, abs(x)) for x, y in zip(a, b))


@cache
def slots() -> tuple[Slot, ...]:
    """Every blankable line with its mutants that are proven wrong by execution (computed once)."""
    out = []
    for cls, items in MUTANTS.items():
        lines = _source(cls)
        real = _witness(cls)
        for text, mutants in items:
            index = next(i for i, ln in enumerate(lines) if ln.split("#", 1)[0].strip() == text)
            indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
            proven = []
            for new, mistake in mutants:
                changed = list(lines)
                changed[index] = indent + new
                try:
                    got = _witness(cls, _exec(cls, changed))
                except Exception:  # noqa: BLE001 -- a mutant that does not run is no distractor
                    continue
                if _differs(real, got):
                    proven.append((new, mistake))
            if len(proven) >= 3:
                out.append(Slot(cls, index, text, tuple(proven)))
    return tuple(out)


OPTIONS = [C.Option("technique", "class name (StepDecay, …, Newton); drawn when omitted", None,
                    tuple(c.__name__ for c in MUTANTS))]


def generate(rng: np.random.Generator, *, lang: str = "ja", render: bool = True, **options: Any) -> Question:
    opts = C.parse_options("chapter_code", OPTIONS, options)
    r = C.part(rng, "inputs")
    candidates = [s for s in slots() if opts["technique"] in (None, s.cls.__name__)]
    if not candidates:
        raise ValueError(f"chapter_code: no blankable line for {opts['technique']}")
    slot = C.pick(r, candidates)
    idx = sorted(int(i) for i in r.choice(len(slot.mutants), size=3, replace=False))
    wrong = [(slot.mutants[i][1], f"`{slot.mutants[i][0]}`") for i in idx]
    choices, index = K.text_choices(rng, f"`{slot.line}`", wrong, lang)
    lines = _without_comments(_source(slot.cls))
    indent = lines[slot.index][: len(lines[slot.index]) - len(lines[slot.index].lstrip())]
    lines[slot.index] = indent + BLANK
    name, source, what = WHAT[slot.cls]
    if lang == "ja":
        stem = (f"次のコードは{name}（{source}）を NumPy で実装したものである。{what}"
                f"{BLANK}に当てはまるコードとして正しいものを選べ。")
    else:
        stem = (f"The code below implements {slot.cls.__name__} ({source}) with NumPy. Choose the code that fills "
                f"blank {BLANK}.")
    solution = []
    if render:
        solution = [SolutionStep(f"{BLANK} = `{slot.line}`" if lang == "ja" else f"{BLANK} is `{slot.line}`"),
                    SolutionStep("誤りの選択肢はどれも、実際にクラスを実行すると結果が変わる（各選択肢の解説）。"
                                 if lang == "ja" else "Every wrong choice was executed and changes the result.")]
    return Question(
        id="", family="chapter_code", seed=0, lang=lang, kind=KIND, stem=stem, answer=Answer(index=index),
        choices=choices, solution=solution, code="\n".join(lines),
        given={"class": f"{slot.cls.__module__}.{slot.cls.__name__}", "line": slot.index},
        tags={"optimizer": None, "topic": TOPIC, "technique": slot.cls.__name__, "syllabus": False, "difficulty": 2,
              "format": "F4"},
        options={k: v for k, v in opts.items() if v is not None})
