"""重みの平均: 最適化の途中の重みを平均したものを、最終的なモデルとして使う。

- Polyak 平均（Polyak & Juditsky 1992）: それまでの重みの単純平均 θ̄_n = (θ_1 + … + θ_n)/n を逐次に計算する。
- 指数移動平均（EMA, Goodfellow ら 2016 の 8.7.3 節）: θ̄ ← βθ̄ + (1 − β)θ。古い重みほど小さい重みで平均する。

Both take the weights after each update with ``update(params)``; the first call copies the weights, as
``torch.optim.swa_utils.AveragedModel.update_parameters`` does (its default average is the running mean; with
``get_ema_avg_fn(decay)`` it is the EMA): conformance in tests/test_chapter_torch.py.
"""

from __future__ import annotations

from .._rule import Rule, Sym
from ._formula import build
from ._info import Technique


class PolyakAverage:
    """Polyak 平均: これまでの重みの単純平均を逐次に計算する。"""

    def __init__(self):
        self.avg = None  # 重みの平均 θ̄（パラメータごと）
        self.n = 0  # 平均に入れた重みの個数

    def update(self, params):
        self.n += 1  # 今回の重みを数に入れる
        if self.avg is None:
            self.avg = {key: val.copy() for key, val in params.items()}  # 最初は重みそのもの
            return
        for key in params.keys():
            self.avg[key] += (params[key] - self.avg[key]) / self.n  # θ̄ ← θ̄ + (θ − θ̄)/n


class EMA:
    """重みの指数移動平均: θ̄ ← βθ̄ + (1 − β)θ。"""

    def __init__(self, decay=0.99):
        self.decay = decay  # 減衰率 β（1 に近いほど長い期間を平均する）
        self.avg = None  # 重みの移動平均 θ̄

    def update(self, params):
        if self.avg is None:
            self.avg = {key: val.copy() for key, val in params.items()}  # 最初は重みそのもの
            return
        for key in params.keys():
            self.avg[key] = self.decay * self.avg[key] + (1 - self.decay) * params[key]  # 古い平均を β 倍して足す


# -- the formulas (one update of the average; n counts the weights averaged so far, from 1) -----------------
THETA = Sym("W", "W", "最適化の途中の重み（今回の更新のあと）", "weights after this update", "param")
AVG = Sym("avg", r"\bar{W}", "重みの平均", "averaged weights", "state", code="avg")
N = Sym("n", "n", "平均に入れた重みの個数（今回の分を含む）", "number of weights averaged (this one included)", "step",
        code="n")
BETA = Sym("beta", r"\beta", "減衰率", "decay rate", "hyper", code="decay")

_RULES: dict[str, Rule] = {}


def rule(kind: str) -> Rule:
    """``polyak``: W̄ ← W̄ + (W − W̄)/n; ``ema``: W̄ ← βW̄ + (1 − β)W (from the second weights on)."""
    if kind not in _RULES:
        if kind == "polyak":
            _RULES[kind] = build("polyak", "paper", [THETA, AVG, N], [("avg", "avg + (W - avg)/n")],
                                 note=INFO["polyak"].source)
        elif kind == "ema":
            _RULES[kind] = build("ema", "paper", [THETA, AVG, BETA], [("avg", "beta*avg + (1 - beta)*W")],
                                 note=INFO["ema"].source)
        else:
            raise ValueError(f"unknown average {kind!r}; known: polyak, ema")
    return _RULES[kind]


INFO = {
    "polyak": Technique(
        "polyak", "Polyak 平均", "Polyak averaging",
        "B. T. Polyak, A. B. Juditsky, Acceleration of Stochastic Approximation by Averaging, SIAM J. Control "
        "Optim. 30(4), 1992; Goodfellow ら『Deep Learning』2016, 8.7.3 節", 1992,
        "Goodfellow ら 8 章の最適化の戦略（2024 年版シラバスのキーワードではない発展事項）",
        "最適化が通ってきた重みの平均を使う。最小点のまわりを行き来する重みの揺れが平均で打ち消される。",
        "torch.optim.swa_utils.AveragedModel"),
    "ema": Technique(
        "ema", "重みの指数移動平均 (EMA)", "exponential moving average of the weights",
        "Goodfellow ら『Deep Learning』2016, 8.7.3 節（非凸の問題では指数移動平均を使う）", 2016,
        "Goodfellow ら 8 章の最適化の戦略（2024 年版シラバスのキーワードではない発展事項）",
        "重みの指数移動平均を使う。遠い過去の重み（まだ最小点から遠い）の影響が指数的に小さくなる。",
        "torch.optim.swa_utils.AveragedModel(multi_avg_fn=get_ema_multi_avg_fn(decay))"),
}
