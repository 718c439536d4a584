"""Macros of the early-stopping page (docs/chapter/early-stopping.md): the digits MLP trained on a small training
set with the reference ``EarlyStopping`` watching the validation loss (quizgen.training.early_stopping_run), drawn
with the kept epoch and the stop marked; the check epoch by epoch; and the effect of the patience.

The run takes a second or two, so its result is cached like the training comparison (by the content hash of the
code that produces it).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from optimizers.techniques import early_stopping as E

from ..formulas import number
from .cache import FileCache, digest, file_digest

PATIENCES = (1, 2, 3, 5, 10, 20, 40)
WORKED_ROWS = 14  # rows of the epoch-by-epoch table (the last ones before the stop)


def _code_files() -> list[Path]:
    quizgen = Path(__file__).resolve().parents[1]
    root = quizgen.parent
    return [quizgen / "training.py", quizgen / "seeds.py", *sorted((root / "optimizers").glob("*.py")),
            root / "optimizers" / "techniques" / "early_stopping.py"]


def result(cache_dir: Path | None) -> dict[str, Any]:
    from .. import training

    key = digest("early-stopping", file_digest(*_code_files()))
    cache = FileCache(cache_dir, "training", ".json")
    data = cache.get_or_make(key, lambda: training.to_json(training.early_stopping_run()).encode("utf-8"))
    return json.loads(data)


def _setting(res: dict[str, Any]) -> str:
    from .macros import settings_tex

    return (f"digits の訓練データから {res['n_train']} 枚だけを学習に使い、別の {res['n_validation']} 枚を検証データに"
            f"した（テストデータ {res['n_test']} 枚は別）。多層パーセプトロン（64-50-10）を SGD"
            f"（{settings_tex(res['optimizer'], res['kwargs'])}）、ミニバッチ {res['batch_size']} で {res['epochs']} "
            f"エポック学習し、早期終了は patience = {res['patience']}（{res['bit_generator']}, seed = {res['seed']}）")


def run(macros) -> str:
    """The curves with the kept and the stop epoch marked, and what each would give on the test set."""
    from .. import plots
    from .macros import cell, table

    res = result(macros.builder.cache_dir)
    best, stop = res["best_epoch"], res["stop_epoch"]
    marks = [{"x": best, "label": f"最良 {best}", "color": "#2ca02c"}]
    if stop is not None:
        marks.append({"x": stop, "label": f"停止 {stop}", "color": "#d62728"})
    ep = res["epoch"]
    data = {"panels": [
        {"title": "損失", "xlabel": "エポック", "ylabel": "交差エントロピー（対数）", "log": True, "marks": marks,
         "series": [{"label": "訓練データ", "x": ep, "y": res["train_loss"], "style": "--"},
                    {"label": "検証データ", "x": ep, "y": res["validation_loss"]}]},
        {"title": "テストデータの正解率", "xlabel": "エポック", "ylabel": "正解率", "marks": marks,
         "series": [{"label": "テスト正解率", "x": ep, "y": res["test_accuracy"], "color": "#9467bd"}]},
    ]}
    link = macros._svg("early-stopping", "curves", data, lambda: plots.curves_svg(data, height=3.2))
    caption = (_setting(res) + "。緑の点線が検証損失の最も小さかったエポック（この重みを保存して使う）、赤の点線が"
               "早期終了が学習を止めたエポック。止めた後も比較のために最後まで学習を続けた。")
    out = macros._figure(link, "早期終了: 訓練損失と検証損失", caption) + "\n"
    last = res["epochs"]
    rows = [["最良のエポック（保存した重み）", str(best), cell(res["validation_loss"][best], 4),
             cell(res["restored_test_accuracy"], 4)]]
    if stop is not None:
        rows.append(["早期終了が止めたエポック", str(stop), cell(res["validation_loss"][stop], 4),
                     cell(res["test_accuracy"][stop], 4)])
    rows.append([f"止めずに最後まで学習（{last} エポック）", str(last), cell(res["validation_loss"][last], 4),
                 cell(res["test_accuracy"][last], 4)])
    out += table(["使う重み", "エポック", "検証損失", "テスト正解率"], rows, "qg-runs")
    rise = res["validation_loss"][last] / res["validation_loss"][best]
    out += (f"\n最良のエポックのあと、訓練損失は {cell(res['train_loss'][best], 3)} から "
            f"{cell(res['train_loss'][last], 3)} まで下がり続けたが、検証損失は最良のときの {cell(rise, 3)} 倍に"
            f"上がった。テスト正解率は、保存した重みで {cell(res['restored_test_accuracy'], 4)}、最後まで学習した重みで "
            f"{cell(res['test_accuracy'][last], 4)}。\n")
    return out


def worked(macros) -> str:
    """The check epoch by epoch (EarlyStopping.step executed on the run's validation losses), up to the stop."""
    from .macros import table

    res = result(macros.builder.cache_dir)
    losses = res["validation_loss"][1:]
    es = E.EarlyStopping(patience=res["patience"])
    rows = []
    for epoch, v in enumerate(losses, start=1):
        before = es.best_loss
        stop = es.step(epoch, v)
        what = "改善（保存）" if es.best_epoch == epoch else "改善なし"
        if stop:
            what = f"{res['patience']} 回続いた: **停止**"
        rows.append([str(epoch), number(v, 5), number(before, 5) if math.isfinite(before) else "—", what,
                     str(es.best_epoch), str(es.wait)])
        if stop:
            break
    shown = rows[-WORKED_ROWS:]
    first = int(shown[0][0])
    intro = (f"上の学習の検証損失に、参照実装 `EarlyStopping(patience={res['patience']})` の `step` を 1 エポックずつ"
             f"当てはめた。エポック 1〜{first - 1} は省略（表は停止までの最後の {len(shown)} エポック）。\n\n")
    return intro + table(["エポック", "検証損失", "それまでの最小", "判定", "保存した重み", "改善なしの回数"], shown,
                         "qg-steps")


def patience(macros) -> str:
    """For several patiences: where training stops, which epoch is kept, and its test accuracy."""
    from .macros import cell, table

    res = result(macros.builder.cache_dir)
    losses = res["validation_loss"][1:]
    rows = []
    for p in PATIENCES:
        kept, stop = E.run(losses, p)
        rows.append([str(p), str(stop) if stop is not None else f"止まらない（{res['epochs']} まで）", str(kept),
                     cell(res["validation_loss"][kept], 4), cell(res["test_accuracy"][kept], 4)])
    return (f"同じ学習の検証損失に、patience だけを変えて早期終了（`optimizers.techniques.early_stopping.run`）を"
            "当てはめた。\n\n" + table(["patience", "止めたエポック", "使う重みのエポック", "検証損失", "テスト正解率"], rows,
                                     "qg-runs"))
