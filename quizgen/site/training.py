"""``training_comparison()``: every optimizer training the same small network (quizgen.training),
drawn as loss and accuracy curves with a final table.

Training takes seconds, so its result is cached by the content hash of the code that produces it
(quizgen/training.py, quizgen/seeds.py, optimizers/*.py); a build that finds no cache runs it first,
on one core, while the other pages are generated on the other (``SiteBuilder.prerender``).
"""

from __future__ import annotations

import importlib
import json
import math
from pathlib import Path
from typing import Any

from .cache import FileCache, digest, file_digest
from .render import SiteError


def source():
    try:
        return importlib.import_module("quizgen.training")
    except ModuleNotFoundError as e:
        raise SiteError(f"training_comparison(): quizgen.training is missing ({e})") from None


def _code_files() -> list[Path]:
    quizgen = Path(__file__).resolve().parents[1]
    return [quizgen / "training.py", quizgen / "seeds.py", *sorted((quizgen.parent / "optimizers").glob("*.py"))]


def cache_key() -> str | None:
    files = _code_files()
    if not files[0].exists():
        return None
    return digest("training", file_digest(*files))


def _compute() -> str:
    T = source()
    import optimizers

    runs = [(k, kw) for k, kw in T.DEFAULT_RUNS if k in optimizers.MODULES]
    return T.to_json(T.compare(runs))


def cached(cache_dir: Path | None) -> bool:
    key = cache_key()
    return key is not None and cache_dir is not None and (Path(cache_dir) / "training" / f"{key}.json").exists()


def result(cache_dir: Path | None) -> dict[str, Any]:
    key = cache_key()
    if key is None:
        source()  # raises the clear error
    cache = FileCache(cache_dir, "training", ".json")
    return json.loads(cache.get_or_make(key, lambda: _compute().encode("utf-8")))


def _fmt(v: Any, sig: int = 4) -> str:
    from ..formulas import number

    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "—"
    return number(v, sig)


def render(macros) -> str:
    from .. import plots
    from .macros import display_name, settings_tex, table

    res = result(macros.builder.cache_dir)
    runs = res["runs"]

    def curve(name: str) -> list[dict[str, Any]]:
        return [{"label": display_name(r["key"]), "x": r["epoch"],
                 "y": [math.nan if v is None else v for v in r[name]]} for r in runs]

    data = {"panels": [
        {"title": "訓練データの損失", "xlabel": "エポック", "ylabel": "交差エントロピー（対数）", "log": True,
         "series": curve("train_loss")},
        {"title": "テストデータの正解率", "xlabel": "エポック", "ylabel": "正解率", "series": curve("test_accuracy")},
    ]}
    link = macros._svg("training", "curves", data, lambda: plots.curves_svg(data, height=3.4))
    caption = (f"{res['dataset']}（訓練 {res['n_train']} 枚、テスト {res['n_test']} 枚）を {res['model']} で "
               f"{res['epochs']} エポック、ミニバッチ {res['batch_size']}。全手法が同じ初期値・同じミニバッチの順序"
               f"（{res['bit_generator']}, seed = {res['seed']}, split_seed = {res['split_seed']}）。")
    rows = []
    for r in runs:
        last = {k: next((v for v in reversed(r[k]) if v is not None), None)
                for k in ("train_loss", "test_loss", "test_accuracy")}
        rows.append([display_name(r["key"]), settings_tex(r["key"], r["kwargs"]) or "学習率なし（既定値）",
                     _fmt(last["train_loss"]), _fmt(last["test_loss"]), _fmt(last["test_accuracy"]),
                     "発散" if r["diverged"] else ""])
    best = max(runs, key=lambda r: -1 if r["diverged"] else (r["test_accuracy"][-1] or -1))
    out = macros._figure(link, "学習曲線の比較", caption) + "\n"
    out += table(["手法", "設定", f"{res['epochs']} エポック後の訓練損失", "テスト損失", "テスト正解率", ""], rows)
    out += (f"\nこの設定でテスト正解率がいちばん高かったのは {display_name(best['key'])}"
            f"（{_fmt(best['test_accuracy'][-1])}）。学習率などの設定を変えれば順位は入れ替わるので、"
            "これは手法の優劣ではなく、この設定での結果。\n")
    return out
