"""最適化手法の比較を本物のデータで: 手書き数字 (digits) を小さな MLP で学習する。

The data are scikit-learn's bundled ``load_digits`` (1,797 images of 8×8 pixels, 10 classes; shipped with the
package, no download). The model is a 64 → 50 (ReLU, He init) → 10 (softmax) multilayer perceptron with the
cross-entropy loss, and its backpropagation is written out by hand in numpy below: one idea per line, in the
order a textbook derives it. The training loop calls the project's reference optimizers through their
textbook interface ``update(params, grads)``, looked up in the registry (``optimizers.get(key)``), so every
optimizer module works without changes here.

>>> result = compare([("sgd", {"lr": 0.1})], epochs=5)
>>> result["runs"][0]["test_accuracy"][-1] > 0.8
True

Reproducibility: the train/test split, the initial weights and the minibatch order come from PCG64 streams
named by ``split_seed`` and ``seed`` (``quizgen.seeds.rng``), and both seeds are written into the result.
Every optimizer in one ``compare`` call starts from the same weights and sees the same minibatches, so the
curves differ only by the optimizer. The same arguments give the same numbers, and ``to_json`` gives the
same bytes.

Run ``python -m quizgen.training`` for the default comparison with its timing (the benchmark; tests do not
time anything).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

import optimizers

from .seeds import rng as named_rng

#: the default seeds (initial weights and minibatch order; train/test split)
DEFAULT_SEED = 1
SPLIT_SEED = 0
DEFAULT_EPOCHS = 20
DEFAULT_BATCH_SIZE = 32
TEST_SIZE = 450  # 1,797 images: 1,347 for training, 450 for testing
N_IN, N_HIDDEN, N_OUT = 64, 50, 10

# 比較に使う学習率（各手法の既定の組み合わせ）。
# 比較の結果は学習率しだいで簡単に入れ替わる: 学習率をそろえて比べても、手法ごとに別々に調整しても、
# 「どの手法が速いか」は選んだ値の結果であって手法の優劣そのものではない（ページでも必ずそう添える）。
# ここでの選び方: SGD は 0.1、モーメンタムと Nesterov は η = 0.05, α = 0.9（二つは先読みの有無だけが違う
# ように同じ値）。適応的な手法は教科書・論文・PyTorch の通常の既定値から始め、この問題（digits、バッチ 32、
# 20 エポック、seed 1〜3）で訓練損失 0.2 未満・テスト正解率 0.95 以上に届かなければ 2〜2.5 倍ずつ上げ、
# 損失が跳ね上がる（不安定な）ときは下げた。その結果:
#   AdaGrad 0.01 → 0.02、RMSprop 0.01 は損失が何度も跳ねる → 0.001、RAdam 0.001 → 0.002、
#   Adamax 0.002 → 0.005。Adam・AMSGrad・AdamW は 0.001、NAdam は 0.002 のまま。
# 指定のないハイパーパラメータ（β1, β2, ρ, ε, AdamW の λ など）は各クラスの既定値。
# Adadelta は原論文どおり学習率を持たない（RMS[Δx]/RMS[g] が学習率の役をする）。
DEFAULT_RUNS: list[tuple[str, dict[str, float]]] = [
    ("sgd", {"lr": 0.1}),
    ("momentum", {"lr": 0.05, "momentum": 0.9}),
    ("nesterov", {"lr": 0.05, "momentum": 0.9}),
    ("adagrad", {"lr": 0.02}),
    ("rmsprop", {"lr": 0.001}),
    ("adadelta", {}),
    ("adam", {"lr": 0.001}),
    ("amsgrad", {"lr": 0.001}),
    ("adamw", {"lr": 0.001}),
    ("nadam", {"lr": 0.002}),
    ("radam", {"lr": 0.002}),
    ("adamax", {"lr": 0.005}),
]


# ------------------------------------------------------------------------------------------------
# data


@dataclass(frozen=True)
class Dataset:
    x_train: np.ndarray  # (1347, 64) pixel values scaled to [0, 1]
    y_train: np.ndarray  # (1347,) class labels 0..9
    x_test: np.ndarray  # (450, 64)
    y_test: np.ndarray  # (450,)
    split_seed: int


@lru_cache(maxsize=4)
def load_data(split_seed: int = SPLIT_SEED) -> Dataset:
    """The digits data split into a fixed training and test set (read-only arrays)."""
    from sklearn.datasets import load_digits  # bundled with scikit-learn: no download

    digits = load_digits()
    x = np.asarray(digits.data, dtype=np.float64) / 16.0  # 画素値 0..16 を 0..1 に
    y = np.asarray(digits.target, dtype=np.int64)
    order = named_rng("training", "split", split_seed).permutation(len(x))  # 並べ替えて前を test に
    test, train = order[:TEST_SIZE], order[TEST_SIZE:]
    arrays = [x[train], y[train], x[test], y[test]]
    for a in arrays:
        a.setflags(write=False)  # cached: nobody may change them
    return Dataset(*arrays, split_seed=split_seed)


# ------------------------------------------------------------------------------------------------
# the model: 64 → 50 (ReLU) → 10 (softmax), cross-entropy loss


def init_params(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Initial weights: He (Kaiming) for the ReLU layer, Xavier (LeCun, 1/n) for the softmax layer."""
    return {
        "W1": rng.standard_normal((N_IN, N_HIDDEN)) * math.sqrt(2.0 / N_IN),  # He: 分散 2/n（ReLU 向け）
        "b1": np.zeros(N_HIDDEN),  # バイアスは 0 から
        "W2": rng.standard_normal((N_HIDDEN, N_OUT)) * math.sqrt(1.0 / N_HIDDEN),  # 分散 1/n（softmax 層）
        "b2": np.zeros(N_OUT),
    }


def forward(params: dict[str, np.ndarray], x: np.ndarray) -> dict[str, np.ndarray]:
    """The forward pass, keeping every intermediate value the backward pass needs."""
    a1 = x @ params["W1"] + params["b1"]  # 隠れ層の入力 (N, 50)
    h = np.maximum(a1, 0.0)  # ReLU
    z = h @ params["W2"] + params["b2"]  # 出力層のスコア (N, 10)
    z_shift = z - z.max(axis=1, keepdims=True)  # 最大値を引いても softmax は同じ（exp のあふれ防止）
    log_sum = np.log(np.exp(z_shift).sum(axis=1, keepdims=True))  # log Σ exp
    log_p = z_shift - log_sum  # log softmax
    return {"x": x, "a1": a1, "h": h, "log_p": log_p}


def cross_entropy(log_p: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy: −(1/N) Σ log p[y]."""
    return float(-log_p[np.arange(len(y)), y].mean())


def loss(params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> float:
    return cross_entropy(forward(params, x)["log_p"], y)


def gradients(params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
    """Loss and ∂L/∂(W1, b1, W2, b2) by backpropagation (the chain rule, layer by layer, back to front)."""
    f = forward(params, x)
    n = len(y)
    p = np.exp(f["log_p"])  # softmax の出力（確率）
    # softmax + 交差エントロピーをまとめて微分すると、スコア z の勾配は (p − one-hot) / N
    dz = p.copy()
    dz[np.arange(n), y] -= 1.0
    dz /= n
    grads = {}
    grads["W2"] = f["h"].T @ dz  # z = h W2 + b2 なので ∂L/∂W2 = hᵀ dz
    grads["b2"] = dz.sum(axis=0)  # バイアスはバッチ方向に足し合わせる
    dh = dz @ params["W2"].T  # 隠れ層の出力へ逆伝播: ∂L/∂h = dz W2ᵀ
    da1 = dh * (f["a1"] > 0)  # ReLU: 入力が正の所だけ勾配を通す
    grads["W1"] = f["x"].T @ da1  # ∂L/∂W1 = xᵀ da1
    grads["b1"] = da1.sum(axis=0)
    return cross_entropy(f["log_p"], y), grads


def numerical_gradients(params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray,
                        h: float = 1e-5) -> dict[str, np.ndarray]:
    """Central differences (L(θ + h) − L(θ − h)) / 2h, one parameter at a time: slow, only for checking."""
    grads = {}
    for key, w in params.items():
        g = np.zeros_like(w)
        for i in np.ndindex(w.shape):
            keep = w[i]
            w[i] = keep + h
            up = loss(params, x, y)
            w[i] = keep - h
            down = loss(params, x, y)
            w[i] = keep  # 元に戻す
            g[i] = (up - down) / (2 * h)
        grads[key] = g
    return grads


def evaluate(params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) on a whole data set."""
    log_p = forward(params, x)["log_p"]
    return cross_entropy(log_p, y), float((log_p.argmax(axis=1) == y).mean())


# ------------------------------------------------------------------------------------------------
# training and the comparison


def make_optimizer(key: str, kwargs: dict[str, Any]):
    """The reference class of optimizer ``key`` built with ``kwargs`` (a TypeError names a bad argument)."""
    cls = optimizers.get(key).INFO.cls
    try:
        return cls(**kwargs)
    except TypeError as e:
        raise TypeError(f"{key}: {e}") from None


def train(key: str, kwargs: dict[str, Any], *, epochs: int = DEFAULT_EPOCHS, batch_size: int = DEFAULT_BATCH_SIZE,
          seed: int = DEFAULT_SEED, split_seed: int = SPLIT_SEED) -> dict[str, Any]:
    """Train one model with one optimizer; the curves at epochs 0 (before training), 1, ..., epochs.

    The train loss is measured on the whole training set after each epoch (not the average of the
    minibatch losses seen during it), so it is the same kind of number as the test loss. If the
    parameters stop being finite (a learning rate far too large), training stops, ``diverged`` is true
    and the remaining epochs are ``None`` (JSON ``null``).
    """
    data = load_data(split_seed)
    params = init_params(named_rng("training", "init", seed))  # 全手法で同じ初期値
    order_rng = named_rng("training", "minibatch", seed)  # 全手法で同じミニバッチの順序
    opt = make_optimizer(key, dict(kwargs))
    n = len(data.y_train)
    curves: dict[str, list] = {"train_loss": [], "test_loss": [], "test_accuracy": []}

    def record() -> None:
        train_loss, _ = evaluate(params, data.x_train, data.y_train)
        test_loss, test_acc = evaluate(params, data.x_test, data.y_test)
        curves["train_loss"].append(train_loss)
        curves["test_loss"].append(test_loss)
        curves["test_accuracy"].append(test_acc)

    diverged = False
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        record()  # エポック 0: 学習前
        for _epoch in range(epochs):
            order = order_rng.permutation(n)  # エポックごとに並べ替える
            for start in range(0, n, batch_size):
                batch = order[start:start + batch_size]
                _, grads = gradients(params, data.x_train[batch], data.y_train[batch])
                opt.update(params, grads)  # 参照実装の update(params, grads) がパラメータをその場で更新
            if not all(np.isfinite(w).all() for w in params.values()):
                diverged = True
                break
            record()
    for name, values in curves.items():
        values.extend([None] * (epochs + 1 - len(values)))
        if any(v is not None and not math.isfinite(v) for v in values):
            diverged = True
            curves[name] = [v if v is not None and math.isfinite(v) else None for v in values]
    info = optimizers.get(key).INFO
    return {"key": key, "name_ja": info.name_ja, "name_en": info.name_en, "kwargs": dict(kwargs),
            "label": label(key, kwargs), "epoch": list(range(epochs + 1)), **curves, "diverged": diverged}


def label(key: str, kwargs: dict[str, Any]) -> str:
    """``adam(lr=0.001)``: names a run in legends and tables."""
    inner = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in kwargs.items())
    return f"{key}({inner})"


def compare(optimizers: list[tuple[str, dict[str, Any]]] | None = None, epochs: int = DEFAULT_EPOCHS,
            batch_size: int = DEFAULT_BATCH_SIZE, seed: int = DEFAULT_SEED,
            split_seed: int = SPLIT_SEED) -> dict[str, Any]:
    """Train the same model with each (registry key, constructor kwargs) pair; JSON-ready curves.

    ``optimizers`` defaults to DEFAULT_RUNS. A key may appear more than once (e.g. two learning rates).
    """
    runs_spec = DEFAULT_RUNS if optimizers is None else optimizers
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
        raise ValueError(f"epochs must be a whole number >= 0, got {epochs!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a whole number >= 1, got {batch_size!r}")
    data = load_data(split_seed)
    # BLAS on one thread: the matrices are small (threads only add overhead, and much more on a busy
    # machine), and a fixed summation order keeps the numbers identical whatever the core count.
    with threadpool_limits(limits=1, user_api="blas"):
        runs = [train(key, kwargs, epochs=epochs, batch_size=batch_size, seed=seed, split_seed=split_seed)
                for key, kwargs in runs_spec]
    return {
        "dataset": "scikit-learn load_digits (8×8 handwritten digits, 10 classes)",
        "n_train": int(len(data.y_train)),
        "n_test": int(len(data.y_test)),
        "model": f"MLP {N_IN}-{N_HIDDEN}-{N_OUT}, ReLU (He init), softmax + cross-entropy",
        "bit_generator": "PCG64",
        "seed": seed,
        "split_seed": split_seed,
        "epochs": epochs,
        "batch_size": batch_size,
        "runs": runs,
    }


def to_json(result: dict[str, Any]) -> str:
    """Canonical JSON (sorted keys, no NaN): the same result gives the same bytes."""
    return json.dumps(result, ensure_ascii=False, sort_keys=True, allow_nan=False, indent=1) + "\n"


# ------------------------------------------------------------------------------------------------
# benchmark: python -m quizgen.training


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m quizgen.training",
                                     description="train the digits MLP with every default optimizer and time it")
    parser.add_argument("--epochs", type=int, default=DEFAULT_EPOCHS)
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--json", action="store_true", help="print the result as JSON instead of a table")
    args = parser.parse_args(argv)
    runs = [(k, kw) for k, kw in DEFAULT_RUNS if k in optimizers.MODULES]
    load_data(SPLIT_SEED)  # the data load is not part of the timing
    start = time.perf_counter()
    result = compare(runs, epochs=args.epochs, batch_size=args.batch_size, seed=args.seed)
    elapsed = time.perf_counter() - start
    if args.json:
        sys.stdout.write(to_json(result))
        return 0
    print(f"seed={result['seed']} split_seed={result['split_seed']} epochs={result['epochs']} "
          f"batch_size={result['batch_size']} n_train={result['n_train']} n_test={result['n_test']}")
    for run in result["runs"]:
        last = [v for v in run["test_accuracy"] if v is not None]
        print(f"{run['label']:34s} train_loss {run['train_loss'][0]:.3f} → "
              f"{next(v for v in reversed(run['train_loss']) if v is not None):.4f}   "
              f"test_acc {last[-1]:.4f}" + ("   DIVERGED" if run["diverged"] else ""))
    print(f"{len(runs)} optimizers × {args.epochs} epochs: {elapsed:.2f} s")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())


# ------------------------------------------------------------------------------------------------
# early stopping on a small training set (docs/chapter/early-stopping.md)

ES_TRAIN, ES_VALIDATION = 100, 300  # a small training set overfits within a few dozen epochs
ES_EPOCHS, ES_BATCH_SIZE, ES_PATIENCE = 120, 10, 10
ES_RUN: tuple[str, dict[str, float]] = ("sgd", {"lr": 0.2})


def early_stopping_run(key: str = ES_RUN[0], kwargs: dict[str, Any] | None = None, *, n_train: int = ES_TRAIN,
                       n_validation: int = ES_VALIDATION, epochs: int = ES_EPOCHS, batch_size: int = ES_BATCH_SIZE,
                       patience: int = ES_PATIENCE, seed: int = DEFAULT_SEED,
                       split_seed: int = SPLIT_SEED) -> dict[str, Any]:
    """Train on ``n_train`` images of the training set for ``epochs`` epochs, measuring the loss on ``n_validation``
    other training images (the validation set) and the test accuracy after every epoch, with the reference
    ``EarlyStopping`` watching the validation loss (it saves the weights at each new best, as a real run would).

    The run goes on to the last epoch so the page can show what early stopping avoids; the result says when
    early stopping stopped and which epoch it kept, and the test accuracy of the weights it restored."""
    from optimizers.techniques.early_stopping import EarlyStopping

    kwargs = dict(ES_RUN[1] if kwargs is None else kwargs)
    data = load_data(split_seed)
    order = named_rng("training", "validation", split_seed).permutation(len(data.y_train))
    train_idx, val_idx = order[:n_train], order[n_train:n_train + n_validation]
    x_tr, y_tr = data.x_train[train_idx], data.y_train[train_idx]
    x_va, y_va = data.x_train[val_idx], data.y_train[val_idx]
    params = init_params(named_rng("training", "init", seed))
    batches = named_rng("training", "minibatch", seed)
    opt = make_optimizer(key, kwargs)
    es = EarlyStopping(patience=patience)
    curves: dict[str, list[float]] = {"train_loss": [], "validation_loss": [], "test_accuracy": []}
    saved: dict[str, np.ndarray] | None = None
    stop = None

    def record() -> None:
        curves["train_loss"].append(evaluate(params, x_tr, y_tr)[0])
        curves["validation_loss"].append(evaluate(params, x_va, y_va)[0])
        curves["test_accuracy"].append(evaluate(params, data.x_test, data.y_test)[1])

    with threadpool_limits(limits=1, user_api="blas"):
        record()  # エポック 0: 学習前
        for epoch in range(1, epochs + 1):
            perm = batches.permutation(n_train)
            for start in range(0, n_train, batch_size):
                batch = perm[start:start + batch_size]
                _, grads = gradients(params, x_tr[batch], y_tr[batch])
                opt.update(params, grads)
            record()
            if stop is None:
                improved_before = es.best_epoch
                if es.step(epoch, curves["validation_loss"][-1]):
                    stop = epoch
                if es.best_epoch != improved_before:
                    saved = {k: v.copy() for k, v in params.items()}  # 最良の重みを保存
        restored = evaluate(saved, data.x_test, data.y_test) if saved is not None else (math.nan, math.nan)
    return {"dataset": "scikit-learn load_digits", "optimizer": key, "kwargs": kwargs, "n_train": n_train,
            "n_validation": n_validation, "n_test": int(len(data.y_test)), "epochs": epochs,
            "batch_size": batch_size, "patience": patience, "seed": seed, "split_seed": split_seed,
            "bit_generator": "PCG64", "epoch": list(range(epochs + 1)), **curves,
            "best_epoch": es.best_epoch, "stop_epoch": stop, "restored_test_accuracy": restored[1]}
