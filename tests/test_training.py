"""The digits MLP comparison: hand-written backprop checked by numerical differences, deterministic
results, and the reference optimizers actually train the model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import optimizers
from quizgen import training as T
from quizgen.seeds import rng

ROOT = Path(__file__).resolve().parents[1]
DEFAULTS = dict(T.DEFAULT_RUNS)


def test_data_split_is_fixed_and_disjoint():
    data = T.load_data()
    assert data.x_train.shape == (1347, 64) and data.x_test.shape == (450, 64)
    assert data.x_train.dtype == np.float64 and 0.0 <= data.x_train.min() and data.x_train.max() <= 1.0
    assert set(np.unique(data.y_train)) == set(range(10)) == set(np.unique(data.y_test))
    rows_train = {r.tobytes() for r in data.x_train}
    rows_test = {r.tobytes() for r in data.x_test}
    assert len(rows_train | rows_test) > 1700  # (digits has a few exact duplicate images)
    assert not data.x_train.flags.writeable
    other = T.load_data(split_seed=T.SPLIT_SEED + 1)
    assert not np.array_equal(other.y_test, data.y_test)


def test_backprop_matches_numerical_gradient():
    data = T.load_data()
    params = T.init_params(rng("test", "gradcheck"))
    # move the biases off zero so their gradients are exercised too
    params["b1"] += 0.1 * rng("test", "b1").standard_normal(params["b1"].shape)
    params["b2"] += 0.1 * rng("test", "b2").standard_normal(params["b2"].shape)
    x, y = data.x_train[:12], data.y_train[:12]
    loss, grads = T.gradients(params, x, y)
    assert loss == pytest.approx(T.loss(params, x, y), rel=1e-15)
    numeric = T.numerical_gradients(params, x, y)
    for key in params:
        assert grads[key].shape == params[key].shape
        err = np.abs(grads[key] - numeric[key]).max() / max(1e-8, np.abs(numeric[key]).max())
        assert err < 1e-6, (key, err)


def test_initial_loss_is_near_log_10():
    data = T.load_data()
    params = T.init_params(rng("training", "init", T.DEFAULT_SEED))
    loss, acc = T.evaluate(params, data.x_test, data.y_test)
    assert 1.5 < loss < 3.5 and 0.0 <= acc <= 0.3  # an untrained 10-class softmax: about ln 10 ≈ 2.3


def test_same_seed_same_bytes_and_other_seed_other_numbers():
    runs = [("sgd", DEFAULTS["sgd"]), ("momentum", DEFAULTS["momentum"])]
    a = T.to_json(T.compare(runs, epochs=3, seed=5))
    b = T.to_json(T.compare(runs, epochs=3, seed=5))
    assert a == b
    c = T.compare(runs, epochs=3, seed=6)
    assert json.loads(a)["runs"][0]["train_loss"] != c["runs"][0]["train_loss"]
    assert json.loads(a)["seed"] == 5 and c["seed"] == 6 and c["bit_generator"] == "PCG64"


def test_same_bytes_in_a_fresh_process():
    code = ("import sys; from quizgen import training as T; "
            "sys.stdout.write(T.to_json(T.compare([('sgd', {'lr': 0.1}), ('momentum', {'lr': 0.05, 'momentum': 0.9})],"
            " epochs=2, seed=7)))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    here = T.to_json(T.compare([("sgd", {"lr": 0.1}), ("momentum", {"lr": 0.05, "momentum": 0.9})], epochs=2, seed=7))
    assert out == here


def test_result_shape_is_json_ready():
    result = T.compare([("sgd", {"lr": 0.1})], epochs=2, batch_size=64, seed=3)
    assert json.loads(T.to_json(result)) == result
    assert result["epochs"] == 2 and result["batch_size"] == 64 and result["split_seed"] == T.SPLIT_SEED
    run = result["runs"][0]
    assert run["key"] == "sgd" and run["label"] == "sgd(lr=0.1)" and run["diverged"] is False
    assert run["epoch"] == [0, 1, 2]
    for name in ("train_loss", "test_loss", "test_accuracy"):
        assert len(run[name]) == 3 and all(isinstance(v, float) for v in run[name])


@pytest.fixture(scope="module")
def default_sgd_and_momentum() -> dict[str, dict]:
    """SGD and Momentum with their default settings and the default epochs (trained once)."""
    result = T.compare([("sgd", DEFAULTS["sgd"]), ("momentum", DEFAULTS["momentum"])])
    return {run["key"]: run for run in result["runs"]}


@pytest.mark.parametrize("key", ["sgd", "momentum"])
def test_loss_decreases(key, default_sgd_and_momentum):
    run = default_sgd_and_momentum[key]
    train, test = run["train_loss"], run["test_loss"]
    assert train[-1] < 0.2 * train[0] and test[-1] < 0.2 * test[0]
    assert all(b < a for a, b in zip(train[:4], train[1:5]))  # steadily down over the first epochs
    assert run["test_accuracy"][-1] > run["test_accuracy"][0]


def test_sgd_reaches_90_percent_after_the_default_epochs(default_sgd_and_momentum):
    run = default_sgd_and_momentum["sgd"]
    assert len(run["test_accuracy"]) == T.DEFAULT_EPOCHS + 1
    assert run["test_accuracy"][-1] > 0.9


def test_default_runs_cover_the_registry_with_valid_arguments():
    assert [k for k, _ in T.DEFAULT_RUNS] == list(optimizers.ORDER)
    for key, kwargs in T.DEFAULT_RUNS:
        if key in optimizers.MODULES:
            T.make_optimizer(key, kwargs)  # the constructor accepts the arguments


@pytest.mark.parametrize("key", [k for k, _ in T.DEFAULT_RUNS if k in optimizers.MODULES])
def test_every_registered_optimizer_trains(key):
    run = T.compare([(key, DEFAULTS[key])], epochs=5)["runs"][0]
    assert not run["diverged"]
    assert run["train_loss"][-1] < 0.7 * run["train_loss"][0], run["train_loss"]
    assert run["test_accuracy"][-1] > 0.6


def test_too_large_learning_rate_shows_and_overflow_is_reported_not_nan():
    run = T.compare([("sgd", {"lr": 10.0})], epochs=3)["runs"][0]  # too large: the loss goes up
    assert run["diverged"] is False and run["train_loss"][-1] > run["train_loss"][0]
    run = T.compare([("sgd", {"lr": 1e100})], epochs=3)["runs"][0]  # absurd: the weights overflow
    assert run["diverged"] is True
    assert run["train_loss"][1:] == [None, None, None] and run["train_loss"][0] is not None
    T.to_json({"runs": [run]})  # no NaN reaches the JSON (allow_nan=False would raise)


def test_bad_arguments():
    with pytest.raises(TypeError, match="sgd"):
        T.compare([("sgd", {"learning_rate": 0.1})], epochs=1)
    with pytest.raises(ValueError, match="unknown optimizer"):
        T.compare([("sgdd", {})], epochs=1)
    with pytest.raises(ValueError, match="epochs"):
        T.compare([("sgd", {"lr": 0.1})], epochs=-1)
    with pytest.raises(ValueError, match="batch_size"):
        T.compare([("sgd", {"lr": 0.1})], batch_size=0)
