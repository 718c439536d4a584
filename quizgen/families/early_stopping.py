"""Early stopping (Goodfellow et al. 2016, Algorithm 7.1): given the validation losses of a run and a patience,
which epoch's weights are kept, or after which epoch training stops (four choices).

The validation losses are drawn as a noisy U-shaped curve on a 0.01 grid; the key is executed by the reference
class ``optimizers.techniques.early_stopping.EarlyStopping``; every distractor is the epoch a named mistake gives
(keeping the last weights instead of the best, counting the patience one off, not resetting the counter after an
improvement, taking the minimum of the whole record, treating a tie as an improvement).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from optimizers.techniques import early_stopping as E

from ..question import Answer, Question, SolutionStep
from . import _chapter as K
from . import _common as C

KIND = "choice"
TITLE = ("早期終了（どのエポックの重みを使うか）", "early stopping (which epoch is kept)")
TOPIC = "early_stopping"

STRESS_CHECKS = ("key differs when recomputed from given",)  # quizgen stress: the checks of stress_defects

OPTIONS = [
    C.Option("asked", "'kept' (the epoch whose weights are used) or 'stop' (the epoch after which training stops); "
             "drawn when omitted", None, ("kept", "stop")),
    C.Option("patience", "patience, 2–5; drawn when omitted", None, None, int,
             lambda v: None if 2 <= v <= 5 else f"patience must be between 2 and 5, got {v}"),
]

M = K.Mistake
LAST = M("early_stopping_last_weights", "止めた時点の重みを使った", "used the weights at the stop",
         "学習を止めたエポックの重みは、すでに検証損失が悪化した後のもの。早期終了では検証損失が最小だったエポックで"
         "保存した重みに戻す。",
         "The weights at the stop come after the validation loss got worse. Early stopping restores the weights "
         "saved at the epoch with the lowest validation loss.")
GLOBAL = M("early_stopping_lookahead", "記録全体の最小を選んだ", "took the minimum of the whole record",
           "学習を止めた後のエポックはまだ実行されていないので選べない。早期終了で選べるのは、止めるまでに見た中での最小。",
           "The epochs after the stop are never run. Early stopping can only keep the best epoch seen before it stops.")
PLUS_ONE = M("early_stopping_patience_plus_one", "patience を 1 回多く数えた", "counted one epoch too many",
             "改善しないエポックが patience + 1 回続くまで待った。patience 回続いたエポックの終わりで止める。",
             "Waited for patience + 1 epochs without improvement. Training stops after the patience-th such epoch.")
MINUS_ONE = M("early_stopping_patience_minus_one", "patience を 1 回少なく数えた", "counted one epoch too few",
              "改善しないエポックが patience − 1 回続いたところで止めた。止めるのは patience 回続いたとき。",
              "Stopped after patience − 1 epochs without improvement. It stops after patience of them.")
NO_RESET = M("early_stopping_no_reset", "改善しても数え直さなかった", "did not reset the counter",
             "改善しなかったエポックを通算で数えた。最小値が更新されたら数は 0 に戻す（続けて改善しない回数を"
             "数える）。",
             "Counted epochs without improvement in total. The counter goes back to 0 at each improvement (it counts "
             "consecutive epochs).")
TIE = M("early_stopping_tie_improves", "同じ値を改善とみなした", "counted a tie as an improvement",
        "最小値と同じ値でも改善とみなした。改善はそれまでの最小値より小さくなったときだけ。",
        "Took an equal value as an improvement. Only a value below the best so far is an improvement.")
TO_THE_END = M("early_stopping_never_stopped", "最後まで学習した", "trained to the end",
               "早期終了を使わずに最後のエポックまで学習した場合の答え。patience 回続けて改善しなければ、その時点で"
               "止まる。",
               "The answer without early stopping. Training stops once patience epochs in a row bring no "
               "improvement.")
SAVED_FOR_STOP = M("early_stopping_saved_for_stop", "保存したエポックと止めたエポックを取り違えた",
                   "confused the saved epoch with the stop",
                   "重みを保存したエポック（検証損失が最小のエポック）を答えた。止めるのは、そのあと改善しない"
                   "エポックが patience 回続いたエポックの終わり。",
                   "Gave the epoch whose weights are saved. Training stops later, after patience epochs without "
                   "improvement.")
NO_DELTA = M("early_stopping_ignored_min_delta", "min_delta を無視した", "ignored min_delta",
             "少しでも下がれば改善とみなした。この設定では最小値より min_delta を超えて下がったときだけ改善とみなす。",
             "Counted any decrease as an improvement. Here only a decrease by more than min_delta counts.")


# -- the mistakes, executed on the record ------------------------------------------------------------------
def _run(losses: list[float], patience: int, min_delta: float = 0.0, *, reset: bool = True,
         tie: bool = False) -> tuple[int, int | None]:
    """Algorithm 7.1 with a mistake switched on: (best epoch, stop epoch)."""
    best, best_epoch, wait = math.inf, None, 0
    for epoch, v in enumerate(losses, start=1):
        better = v <= best - min_delta if tie else v < best - min_delta
        if better:
            best, best_epoch = v, epoch
            if reset:
                wait = 0
        else:
            wait += 1
        if wait >= patience:
            return best_epoch, epoch
    return best_epoch, None


def kept_and_stop(given: dict[str, Any]) -> tuple[int, int | None]:
    """(kept epoch, stop epoch) executed by the reference class from ``given``."""
    return E.run(given["val_losses"], int(given["patience"]), float(given.get("min_delta", 0.0)))


def _candidates(given: dict[str, Any], asked: str) -> list[tuple[K.Mistake, int | None]]:
    losses, p, d = given["val_losses"], int(given["patience"]), float(given.get("min_delta", 0.0))
    kept, stop = kept_and_stop(given)
    out: list[tuple[K.Mistake, int | None]] = []
    pick = 0 if asked == "kept" else 1
    if asked == "kept":
        out.append((LAST, stop))
        out.append((GLOBAL, 1 + min(range(len(losses)), key=lambda i: (losses[i], i))))
    else:
        out.append((SAVED_FOR_STOP, kept))
    out.append((TO_THE_END, len(losses)))
    out.append((PLUS_ONE, _run(losses, p + 1, d)[pick]))
    out.append((MINUS_ONE, _run(losses, p - 1, d)[pick]))
    out.append((NO_RESET, _run(losses, p, d, reset=False)[pick]))
    out.append((TIE, _run(losses, p, d, tie=True)[pick]))
    if d:
        out.append((NO_DELTA, _run(losses, p, 0.0)[pick]))
    return out


def _curve(r: np.random.Generator, n: int) -> list[float]:
    """A validation curve on a 0.01 grid: it falls to a first minimum, rises for a few epochs (a bump, sometimes
    returning exactly to the minimum), falls again to a lower minimum, then rises (overfitting). Whether early
    stopping reaches the second minimum depends on the patience: the point of the question."""
    cents = [int(C.pick(r, (90, 100, 110, 120, 130)))]
    e1 = int(r.integers(3, 6))  # the first minimum's epoch
    while len(cents) < e1:
        cents.append(cents[-1] - int(r.integers(8, 25)))
    m1 = cents[-1]
    bump = int(r.integers(1, 4))
    for _ in range(bump):
        cents.append(m1 + (0 if r.random() < 0.15 else int(r.integers(1, 6))))
    cents.append(m1 - int(r.integers(1, 6)))  # the second, lower minimum
    while len(cents) < n:
        cents.append(cents[-1] + int(r.integers(1, 8)))
    return [c / 100 for c in cents[:n]]


def _on_boundary(losses: list[float], delta: float) -> bool:
    """Is some loss exactly ``delta`` below the best before it (in decimal arithmetic)?"""
    from fractions import Fraction

    best = None
    for v in losses:
        x = Fraction(repr(v))
        if best is not None and x == best - Fraction(repr(delta)):
            return True
        best = x if best is None else min(best, x)
    return False


def _draw(r: np.random.Generator, opts: dict[str, Any]) -> tuple[dict[str, Any], list] | None:
    n = int(C.pick(r, (10, 11, 12)))
    losses = _curve(r, n)
    patience = opts["patience"] or int(C.pick(r, (2, 3, 3, 4)))
    given: dict[str, Any] = {"val_losses": losses, "patience": patience}
    if r.random() < 0.2:
        given["min_delta"] = 0.01
    if "min_delta" in given and _on_boundary(losses, given["min_delta"]):
        return None  # a loss exactly min_delta below the best: a rounding question, not an early-stopping one
    asked = opts["asked"] or C.pick(r, ("kept", "kept", "stop"))
    given["asked"] = asked
    kept, stop = kept_and_stop(given)
    if stop is None or stop == n:  # the record must go on after the stop (what early stopping saves)
        return None
    key = kept if asked == "kept" else stop
    seen = {key}
    pool = []
    for m, v in _candidates(given, asked):
        if v is None or v in seen:
            continue
        seen.add(v)
        pool.append((m, v))
    if len(pool) < 3:
        return None
    return given, pool


def _table(losses: list[float]) -> str:
    head = "| エポック | " + " | ".join(str(i) for i in range(1, len(losses) + 1)) + " |"
    rule = "|---" * (len(losses) + 1) + "|"
    row = "| 検証損失 | " + " | ".join(f"{v:.2f}" for v in losses) + " |"
    return "\n".join([head, rule, row])


def _table_en(losses: list[float]) -> str:
    head = "| epoch | " + " | ".join(str(i) for i in range(1, len(losses) + 1)) + " |"
    rule = "|---" * (len(losses) + 1) + "|"
    row = "| validation loss | " + " | ".join(f"{v:.2f}" for v in losses) + " |"
    return "\n".join([head, rule, row])


def _stem(given: dict[str, Any], lang: str) -> str:
    losses, p = given["val_losses"], int(given["patience"])
    d = given.get("min_delta")
    n = len(losses)
    if lang == "ja":
        rule = (f"検証損失がそれまでの最小値より小さくなったエポックでは重みを保存し、最小値が更新されないエポックが "
                f"{p} 回続いたら、そのエポックの終わりで学習を止めて、保存しておいた重みを使う。")
        if d:
            rule = (f"検証損失がそれまでの最小値より {C.fmt(d)} を超えて小さくなったときだけ改善とみなして重みを"
                    f"保存し、改善しないエポックが {p} 回続いたら、そのエポックの終わりで学習を止めて、保存しておいた"
                    "重みを使う。")
        ask = ("最終的に使われる重みは、何エポック目の終わりのものか。" if given["asked"] == "kept"
               else "学習を止めるのは、何エポック目の終わりか。")
        return (f"ある学習で、各エポックの終わりに検証データの損失を測った。早期終了を使わずに {n} エポック学習した"
                f"ときの記録は次のとおりである。\n\n{_table(losses)}\n\n"
                f"同じ学習に、早期終了（Goodfellow ら 2016 のアルゴリズム 7.1）を patience = {p} で使う。{rule}"
                f"{ask}最も適切なものを選べ。")
    rule = (f"Weights are saved at each epoch whose validation loss is below the lowest so far; after {p} epochs in a "
            "row without such an improvement, training stops at the end of that epoch and the saved weights are used.")
    if d:
        rule = (f"Only a decrease of more than {C.fmt(d)} below the lowest loss so far counts as an improvement (the "
                f"weights are saved then); after {p} epochs in a row without one, training stops at the end of that "
                "epoch and the saved weights are used.")
    ask = ("Which epoch's weights are used in the end?" if given["asked"] == "kept"
           else "At the end of which epoch does training stop?")
    return (f"A run measured the validation loss at the end of each epoch. Without early stopping, {n} epochs gave:\n\n"
            f"{_table_en(losses)}\n\nThe same run uses early stopping (Goodfellow et al. 2016, Algorithm 7.1) with "
            f"patience = {p}. {rule} {ask}")


def _epoch(e: int, lang: str) -> str:
    return f"エポック {e}" if lang == "ja" else f"epoch {e}"


def _solution(given: dict[str, Any], lang: str) -> list[SolutionStep]:
    losses, p = given["val_losses"], int(given["patience"])
    d = float(given.get("min_delta", 0.0))
    es = E.EarlyStopping(patience=p, min_delta=d)
    rows = []
    for epoch, v in enumerate(losses, start=1):
        stop = es.step(epoch, v)
        rows.append(f"| {epoch} | {v:.2f} | {es.best_loss:.2f} | {es.best_epoch} | {es.wait} |")
        if stop:
            break
    kept, stop = kept_and_stop(given)
    head = ("| エポック | 検証損失 | それまでの最小 | 保存したエポック | 改善しなかった回数 |" if lang == "ja" else
            "| epoch | loss | best so far | saved epoch | epochs without improvement |")
    table = "\n".join([head, "|---|---|---|---|---|", *rows])
    if lang == "ja":
        end = (f"エポック {stop} で改善しない回数が {p} に達したので止め、検証損失が最小だったエポック {kept} の重みを"
               f"使う。エポック {stop + 1} 以降は実行されない。")
    else:
        end = (f"At epoch {stop} the count reaches {p}, so training stops and the weights of epoch {kept} (the lowest "
               f"validation loss) are used. Epochs after {stop} are never run.")
    return [SolutionStep(("各エポックの終わりの判定（参照実装 EarlyStopping.step を実行）:" if lang == "ja" else
                          "The check at the end of each epoch (EarlyStopping.step executed):") + "\n\n" + table),
            SolutionStep(end)]


def stress_defects(q: Question, seed: int):
    """``quizgen stress``: the key recomputed from given, the epochs distinct, the losses on their 0.01 grid."""
    from collections import Counter

    bad: Counter = Counter()
    kept, stop = kept_and_stop(q.given)
    key = kept if q.given["asked"] == "kept" else stop
    if q.choices[q.answer.index].text != _epoch(key, q.lang):
        bad["key differs when recomputed from given"] += 1
    if any(round(v, 2) != v for v in q.given["val_losses"]):
        bad["input off the decimal grid"] += 1
    return bad


def generate(rng: np.random.Generator, *, lang: str = "ja", render: bool = True, **options: Any) -> Question:
    opts = C.parse_options("early_stopping", OPTIONS, options)
    r = C.part(rng, "inputs")
    for _ in range(C.MAX_TRIES):
        got = _draw(r, opts)
        if got is not None:
            break
    else:
        raise C.GenerationError(f"early_stopping: no usable record for {opts}")
    given, pool = got
    kept, stop = kept_and_stop(given)
    key = kept if given["asked"] == "kept" else stop
    pick = C.part(rng, "distractors")
    idx = sorted(int(i) for i in pick.choice(len(pool), size=3, replace=False))
    choices, index = K.text_choices(rng, _epoch(key, lang), [(pool[i][0], _epoch(pool[i][1], lang)) for i in idx], lang)
    for c in choices:  # the epoch each choice names, for drivers that show values
        c.value = float(c.text.split()[-1])
    return Question(
        id="", family="early_stopping", seed=0, lang=lang, kind=KIND, stem=_stem(given, lang),
        answer=Answer(index=index), choices=choices, solution=_solution(given, lang) if render else [], given=given,
        tags={"optimizer": None, "topic": TOPIC, "syllabus": True, "difficulty": 2, "format": "F5"},
        options={k: v for k, v in opts.items() if v is not None})
