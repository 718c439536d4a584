"""重みの初期化: Xavier（Glorot）の初期値と He（Kaiming）の初期値、ゼロ・定数の初期化と対称性。

Three forms, each with its source:

- ``paper``: Glorot & Bengio (2010) eq. 16 (uniform, Var[W] = 2/(n_in + n_out)) and He et al. (2015) eq. 10
  (normal, Var[W] = 2/n_in for ReLU);
- ``pytorch``: torch.nn.init's ``xavier_*_`` (σ = gain·√(2/(fan_in + fan_out))) and ``kaiming_*_`` (σ = gain/√fan,
  fan = fan_in or fan_out, gain √2 for ReLU), the uniform forms with the bound √3·σ;
- ``textbook``: ゼロから作る Deep Learning 6.2 節 (σ = √(1/n) "Xavier", σ = √(2/n) "He", n = 前の層のノード数),
  the Glorot form with n_in = n_out.

The weight of a layer has the shape (fan_in, fan_out) and is used as ``x @ W`` (the textbook's idiom); torch's
``Linear`` stores the transpose (out, in), and its fan_in is ``size(1)``.
"""

from __future__ import annotations

import numpy as np

from .._rule import Rule, Sym
from ._forms import Source, TopicInfo, build

GAINS = ("linear", "sigmoid", "tanh", "relu", "leaky_relu")
RELU_GAIN = np.sqrt(2.0)  # ReLU の gain √2


def gain(nonlinearity="linear", a=0.0):
    """活性化関数による分散の変化を補う倍率（torch.nn.init.calculate_gain と同じ値）。"""
    if nonlinearity in ("linear", "sigmoid"):
        return 1.0  # 恒等関数・シグモイド: 補正なし
    if nonlinearity == "tanh":
        return 5.0 / 3  # tanh: 経験的に選ばれた値
    if nonlinearity == "relu":
        return np.sqrt(2.0)  # ReLU: 負の側が 0 になり 2 乗平均が半分になるのを補う
    if nonlinearity == "leaky_relu":
        return np.sqrt(2.0 / (1 + a**2))  # Leaky ReLU（負の側の傾き a）
    raise ValueError(f"unknown nonlinearity {nonlinearity!r}; known: {', '.join(GAINS)}")


def _rng(rng):
    return np.random.default_rng() if rng is None else rng


def xavier_normal(fan_in, fan_out, gain=1.0, rng=None):
    """Xavier（Glorot）の初期値、正規分布: N(0, σ²), σ = gain √(2/(n_in + n_out))。"""
    std = gain * np.sqrt(2.0 / (fan_in + fan_out))  # 分散 2/(n_in + n_out) の標準偏差
    return std * _rng(rng).standard_normal((fan_in, fan_out))  # 平均 0、標準偏差 std の正規乱数


def xavier_uniform(fan_in, fan_out, gain=1.0, rng=None):
    """Xavier（Glorot）の初期値、一様分布: U(−a, a), a = gain √(6/(n_in + n_out))。"""
    std = gain * np.sqrt(2.0 / (fan_in + fan_out))  # 分散 2/(n_in + n_out) の標準偏差
    a = np.sqrt(3.0) * std  # U(−a, a) の分散は a²/3 なので a = √3 σ
    return _rng(rng).uniform(-a, a, size=(fan_in, fan_out))  # −a から a までの一様乱数


def he_normal(fan_in, fan_out, mode="fan_in", gain=RELU_GAIN, rng=None):
    """He（Kaiming）の初期値、正規分布: N(0, σ²), σ = gain/√n（ReLU では gain = √2 で σ = √(2/n)）。"""
    fan = fan_in if mode == "fan_in" else fan_out  # 順伝播の分散を保つなら入力側のノード数
    std = gain / np.sqrt(fan)  # ReLU なら √(2/n)
    return std * _rng(rng).standard_normal((fan_in, fan_out))  # 平均 0、標準偏差 std の正規乱数


def he_uniform(fan_in, fan_out, mode="fan_in", gain=RELU_GAIN, rng=None):
    """He（Kaiming）の初期値、一様分布: U(−a, a), a = √3 σ = gain √(3/n)（ReLU では √(6/n)）。"""
    fan = fan_in if mode == "fan_in" else fan_out  # 順伝播の分散を保つなら入力側のノード数
    std = gain / np.sqrt(fan)  # ReLU なら √(2/n)
    a = np.sqrt(3.0) * std  # U(−a, a) の分散は a²/3 なので a = √3 σ
    return _rng(rng).uniform(-a, a, size=(fan_in, fan_out))  # −a から a までの一様乱数


def init_network(sizes, weight_init_std="relu", rng=None):
    """ゼロから作る Deep Learning 6.2 節の形: 層ごとに、前の層のノード数 n から重みの標準偏差を決める。"""
    rng = _rng(rng)
    params = {}
    for idx in range(1, len(sizes)):
        n = sizes[idx - 1]  # 前の層のノード数
        if weight_init_std in ("relu", "he"):
            scale = np.sqrt(2.0 / n)  # He の初期値: 標準偏差 √(2/n)
        elif weight_init_std in ("sigmoid", "xavier"):
            scale = np.sqrt(1.0 / n)  # Xavier の初期値（前後の層のノード数が同じときの形）: 標準偏差 √(1/n)
        else:
            scale = weight_init_std  # 数値なら、そのまま標準偏差として使う
        params["W" + str(idx)] = scale * rng.standard_normal((n, sizes[idx]))  # 平均 0、標準偏差 scale の正規乱数
        params["b" + str(idx)] = np.zeros(sizes[idx])  # バイアスは 0 から始める
    return params


# -- executed demonstrations ----------------------------------------------------------------------------------
ACTIVATIONS = {
    "sigmoid": lambda a: 1 / (1 + np.exp(-a)),
    "tanh": np.tanh,
    "relu": lambda a: np.maximum(0, a),
}


def activations(weight_std, activation="tanh", layers=5, nodes=100, samples=1000, seed=0):
    """ゼロから作る Deep Learning 6.2.2 節の実験: 各層の活性化（出力）の値を層ごとに返す。"""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((samples, nodes))  # 入力: 1000 個のデータ、それぞれ 100 次元
    act = ACTIVATIONS[activation]
    out = []
    for _ in range(layers):
        w = weight_std(nodes, nodes) * rng.standard_normal((nodes, nodes))  # 層ごとに新しい重み
        x = act(x @ w)  # 線形変換のあと活性化関数
        out.append(x)
    return out


def train_two_layer(W1, W2, x, t, lr=0.5, steps=20):
    """2 層のネットワーク（隠れ層は tanh、出力は線形、2 乗誤差）を勾配降下法で学習し、W1 の履歴を返す。

    重みがすべて同じ値から始まると、隠れ層のユニットはいつまでも同じ重みのまま（対称性が崩れない）。"""
    W1, W2 = W1.copy(), W2.copy()
    history = [W1.copy()]
    for _ in range(steps):
        h = np.tanh(x @ W1)  # 隠れ層
        y = h @ W2  # 出力
        dy = (y - t) / len(x)  # 2 乗誤差（の半分）の平均の、出力についての勾配
        dW2 = h.T @ dy
        dh = (dy @ W2.T) * (1 - h**2)  # tanh の微分
        dW1 = x.T @ dh
        W1 -= lr * dW1
        W2 -= lr * dW2
        history.append(W1.copy())
    return history


# -- the formulas as sympy -------------------------------------------------------------------------------------
N_IN = Sym("n_in", r"n_{\mathrm{in}}", "入力側のノード数（fan_in）", "number of inputs (fan_in)", "hyper",
           code="fan_in")
N_OUT = Sym("n_out", r"n_{\mathrm{out}}", "出力側のノード数（fan_out）", "number of outputs (fan_out)", "hyper",
            code="fan_out")
N = Sym("n", "n", "前の層のノード数", "number of nodes of the previous layer", "hyper", code="n")
FAN = Sym("fan", r"n", "fan_in（mode='fan_out' なら fan_out）", "fan_in (fan_out with mode='fan_out')", "hyper",
          code="fan")
GAIN = Sym("gain", r"\mathrm{gain}", "活性化関数による補正の倍率", "gain of the nonlinearity", "hyper", code="gain")
VAR = Sym("var", r"\mathrm{Var}[W]", "重みの分散", "variance of the weights", "temp")
STD = Sym("std", r"\sigma", "重みの標準偏差（正規分布）", "standard deviation of the weights (normal)", "temp",
          code="std")
BOUND = Sym("a", "a", "一様分布 U(−a, a) の上限", "bound of the uniform U(−a, a)", "temp", code="a")

METHODS = ("xavier", "he")


def rule(method: str = "xavier", convention: str = "paper") -> Rule:
    """The variance, the standard deviation and the uniform bound of one method in one convention."""
    if method not in METHODS:
        raise ValueError(f"init: unknown method {method!r}; known: {', '.join(METHODS)}")
    if convention == "textbook":
        scale = "n**-1" if method == "xavier" else "2/n"
        return build(f"init_{method}", convention, [N, VAR, STD, BOUND],
                     [("var", scale), ("std", "sqrt(var)"), ("a", "sqrt(3*var)")],
                     note=f"{SOURCES['textbook'].label}: n は前の層のノード数")
    if convention == "paper":
        if method == "xavier":
            return build("init_xavier", convention, [N_IN, N_OUT, VAR, STD, BOUND],
                         [("var", "2/(n_in + n_out)"), ("std", "sqrt(var)"), ("a", "sqrt(3*var)")],
                         note=f"{SOURCES['glorot'].label} の式 (16)（正規化した初期値）")
        return build("init_he", convention, [N_IN, VAR, STD, BOUND],
                     [("var", "2/n_in"), ("std", "sqrt(var)"), ("a", "sqrt(3*var)")],
                     note=f"{SOURCES['he'].label} の式 (10)（ReLU の層）")
    if convention == "pytorch":
        if method == "xavier":
            return build("init_xavier", convention, [N_IN, N_OUT, GAIN, VAR, STD, BOUND],
                         [("var", "2*gain**2/(n_in + n_out)"), ("std", "sqrt(var)"), ("a", "sqrt(3*var)")],
                         note="torch.nn.init.xavier_normal_ / xavier_uniform_（gain は calculate_gain）")
        return build("init_he", convention, [FAN, GAIN, VAR, STD, BOUND],
                     [("var", "gain**2/fan"), ("std", "sqrt(var)"), ("a", "sqrt(3*var)")],
                     note="torch.nn.init.kaiming_normal_ / kaiming_uniform_（ReLU では gain = √2）")
    raise ValueError(f"init: unknown convention {convention!r} (textbook, paper, pytorch)")


SOURCES = {
    "glorot": Source("Glorot & Bengio (2010)", "X. Glorot, Y. Bengio. Understanding the difficulty of training deep "
                     "feedforward neural networks. AISTATS 2010 (PMLR 9: 249–256)", 2010),
    "he": Source("He ら (2015)", "K. He, X. Zhang, S. Ren, J. Sun. Delving deep into rectifiers: surpassing "
                 "human-level performance on ImageNet classification. ICCV 2015 (arXiv:1502.01852)", 2015),
    "textbook": Source("ゼロから作る Deep Learning 6.2 節",
                       "斎藤康毅『ゼロから作る Deep Learning』オライリー・ジャパン, 2016, "
                       "6.2 節「重みの初期値」", 2016),
    "pytorch": Source("torch.nn.init", "PyTorch 2.13 torch.nn.init (calculate_gain, xavier_uniform_, xavier_normal_, "
                      "kaiming_uniform_, kaiming_normal_)", 2025),
    "goodfellow": Source("Goodfellow ら 8.4 節", "I. Goodfellow, Y. Bengio, A. Courville. Deep Learning. MIT Press, "
                         "2016, 8.4 節 Parameter Initialization Strategies", 2016),
}

INFO = TopicInfo(
    key="init", name_ja="重みの初期化", name_en="weight initialization",
    summary_ja="層を重ねても活性化や勾配の分散が大きくも小さくもならないように、重みの分散を層のノード数から決める。"
               "すべて同じ値で初期化すると、ユニットが区別されず（対称性が崩れず）学習が進まない。",
    syllabus="3-(2)-iv パラメータの初期化戦略（Xavier 法 / Glorot 法、Kaiming 法 / He 法）", in_syllabus=True,
    sources=SOURCES,
    torch=("torch.nn.init.calculate_gain", "torch.nn.init.xavier_uniform_", "torch.nn.init.xavier_normal_",
           "torch.nn.init.kaiming_uniform_", "torch.nn.init.kaiming_normal_"),
)
