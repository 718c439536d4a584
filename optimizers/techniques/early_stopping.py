"""早期終了: 検証損失が patience エポック続けて最良値を更新しなければ学習を止め、最良のエポックの重みを使う。

The form is Goodfellow, Bengio, Courville, Deep Learning (2016), Algorithm 7.1: after each epoch the validation
loss is compared with the best so far; an improvement (strictly smaller, by more than ``min_delta``) saves the
weights and resets the counter, anything else adds one to it; training stops when the counter reaches
``patience``, and the saved weights (the best epoch's) are the result. Keras' ``EarlyStopping(patience,
min_delta, restore_best_weights=True)`` and PyTorch Lightning's ``EarlyStopping`` count the same way.
Epochs are numbered from 1 (the validation loss after the first epoch is epoch 1).
"""

from __future__ import annotations

import math

from ._info import Technique


class EarlyStopping:
    """早期終了: 検証損失が patience 回続けて改善しなければ止める。最良のエポックを覚えておく。"""

    def __init__(self, patience=5, min_delta=0.0):
        self.patience = patience  # 改善しないエポックを何回まで待つか
        self.min_delta = min_delta  # これより大きく下がったときだけ「改善」とみなす
        self.best_loss = math.inf  # これまでで最小の検証損失
        self.best_epoch = None  # その損失が出たエポック（この時点の重みを保存する）
        self.wait = 0  # 最後に改善してから何エポック経ったか

    def step(self, epoch, val_loss):
        """エポック epoch の検証損失を受け取り、学習を止めるなら True を返す。"""
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss = val_loss  # 最良値を更新
            self.best_epoch = epoch  # ここで重みを保存する
            self.wait = 0  # 改善したので数え直す
        else:
            self.wait += 1  # 改善しなかったエポックを数える
        return self.wait >= self.patience  # patience 回続けて改善しなければ止める


def run(val_losses, patience, min_delta=0.0):
    """検証損失の列（エポック 1, 2, … の順）に早期終了を当てはめる。

    Returns ``(best_epoch, stop_epoch)``: the epoch whose weights are kept and the epoch after which training
    stops (``None`` if it never stops within the sequence; the best epoch is then still the kept one)."""
    es = EarlyStopping(patience=patience, min_delta=min_delta)
    for epoch, loss in enumerate(val_losses, start=1):
        if es.step(epoch, loss):
            return es.best_epoch, epoch
    return es.best_epoch, None


INFO = Technique(
    "early_stopping", "早期終了", "early stopping",
    "Goodfellow, Bengio, Courville『Deep Learning』2016, 7.8 節 アルゴリズム 7.1", 2016,
    "3-(3)-iii 陰的正則化（早期終了）",
    "検証データの損失が一定回数（patience）続けて下がらなくなったら学習を止め、検証損失が最小だったときの重みを使う。",
    None)
