"""バッチ正規化（Ioffe & Szegedy 2015）とレイヤー正規化（Ba ら 2016）。

The classes keep the textbook's idiom (ゼロから作る Deep Learning 6.3 節: ``BatchNormalization(gamma, beta,
momentum)`` with ``forward(x, train_flg)``) but define the running averages as torch.nn.BatchNorm1d does, so that
the numbers a learner computes are the numbers PyTorch prints:

- ``momentum`` is the weight of the *new* mini-batch: running ← (1 − momentum)·running + momentum·statistic
  (default 0.1); the textbook's class uses the opposite meaning (its momentum = 0.9 keeps the *old* value);
- the normalisation in training divides by the biased variance (1/m Σ(x − μ)²), but ``running_var`` is updated
  with the unbiased variance (m/(m − 1) times it), as Ioffe & Szegedy's Alg. 2 estimates Var[x] for inference;
  the textbook's class uses the biased one in both places;
- ``running_mean`` starts at 0 and ``running_var`` at 1 (the textbook's class starts both at 0); ε = 1e-5.

Layer Normalization normalises each sample over its features, in training and in inference alike (no running
statistics), with the biased variance, as torch.nn.LayerNorm does.
"""

from __future__ import annotations

import numpy as np

from .._rule import Rule, Sym
from ._forms import Source, TopicInfo, build

#: ゼロから作る Deep Learning の BatchNormalization の既定値（common/layers.py: momentum=0.9, 10e-7 = 1e-6）
TEXTBOOK_DEFAULTS = {"momentum": 0.9, "eps": 1e-6}


class BatchNormalization:
    """バッチ正規化: ミニバッチの平均と分散で特徴ごとに正規化し、γ 倍して β を足す。"""

    def __init__(self, gamma, beta, momentum=0.1, eps=1e-5):
        self.gamma = gamma  # スケール γ（学習するパラメータ）
        self.beta = beta  # シフト β（学習するパラメータ）
        self.momentum = momentum  # 移動平均で新しいミニバッチの統計量に掛ける重み（PyTorch の定義）
        self.eps = eps  # ゼロ除算を防ぐ微小な値 ε
        self.running_mean = None  # 推論で使う平均（訓練中の移動平均）
        self.running_var = None  # 推論で使う分散（訓練中の移動平均）

    def forward(self, x, train_flg=True):
        if self.running_mean is None:
            self.running_mean = np.zeros(x.shape[1])  # 平均の移動平均は 0 から
            self.running_var = np.ones(x.shape[1])  # 分散の移動平均は 1 から
        if train_flg:
            m = x.shape[0]  # ミニバッチのデータ数
            mu = x.mean(axis=0)  # 特徴ごとの平均 μ_B
            var = np.mean((x - mu) ** 2, axis=0)  # 特徴ごとの分散 σ²_B（m で割る）
            xn = (x - mu) / np.sqrt(var + self.eps)  # 平均 0、分散 1 に正規化
            self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mu  # 平均の移動平均
            self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var * m / (m - 1)  # 不偏分散
        else:
            xn = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)  # 推論: 移動平均で正規化
        return self.gamma * xn + self.beta  # γ 倍して β を足す


class LayerNormalization:
    """レイヤー正規化: データ 1 つごとに、その特徴全体の平均と分散で正規化し、γ 倍して β を足す。"""

    def __init__(self, gamma, beta, eps=1e-5):
        self.gamma = gamma  # スケール γ（特徴ごとに学習するパラメータ）
        self.beta = beta  # シフト β（特徴ごとに学習するパラメータ）
        self.eps = eps  # ゼロ除算を防ぐ微小な値 ε

    def forward(self, x):
        mu = x.mean(axis=-1, keepdims=True)  # データごとの平均（特徴の方向に平均）
        var = np.mean((x - mu) ** 2, axis=-1, keepdims=True)  # データごとの分散（D で割る）
        xn = (x - mu) / np.sqrt(var + self.eps)  # データごとに平均 0、分散 1 に正規化
        return self.gamma * xn + self.beta  # γ 倍して β を足す


# -- executed demonstration ----------------------------------------------------------------------------------
def activations(weight_std, batchnorm=True, layers=5, nodes=100, samples=1000, seed=0):
    """重みの初期値の実験（init.activations と同じネットワーク・活性化関数は tanh）に、各層の活性化関数の前に
    バッチ正規化（γ = 1, β = 0、訓練時の順伝播）を入れたときの、各層の出力を返す。"""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((samples, nodes))  # 入力: 1000 個のデータ、それぞれ 100 次元
    out = []
    for _ in range(layers):
        a = x @ (weight_std * rng.standard_normal((nodes, nodes)))  # 線形変換
        if batchnorm:
            a = BatchNormalization(np.ones(nodes), np.zeros(nodes)).forward(a)  # 特徴ごとに平均 0、分散 1 へ
        x = np.tanh(a)  # 活性化関数
        out.append(x)
    return out


# -- the formulas as sympy -------------------------------------------------------------------------------------
X = Sym("x", "x_i", "入力（ミニバッチの i 番目のデータの、ある特徴の値）", "input (one feature of sample i)", "param",
        code="x")
XJ = Sym("x", "x_j", "入力（あるデータの j 番目の特徴の値）", "input (feature j of one sample)", "param", code="x")
GAMMA = Sym("gamma", r"\gamma", "スケール（学習するパラメータ）", "scale (learned)", "param", code="gamma")
BETA = Sym("beta", r"\beta", "シフト（学習するパラメータ）", "shift (learned)", "param", code="beta")
EPS = Sym("eps", r"\varepsilon", "ゼロ除算を防ぐ微小な定数", "small constant against division by zero", "hyper",
          code="eps")
M = Sym("m", "m", "ミニバッチのデータ数", "mini-batch size", "hyper", code="m")
MOM = Sym("momentum", r"\mathrm{momentum}", "移動平均で新しい統計量に掛ける重み", "weight of the new statistic",
          "hyper", code="momentum")
MOM_TB = Sym("momentum", r"\mathrm{momentum}", "移動平均で古い値に掛ける重み（ゼロつくの定義）",
             "weight of the old value (the textbook's definition)", "hyper", code="momentum")
MU = Sym("mu", r"\mu_B", "ミニバッチの平均", "mini-batch mean", "temp", code="mu")
VAR = Sym("var", r"\sigma_B^2", "ミニバッチの分散（m で割る）", "mini-batch variance (divided by m)", "temp",
          code="var")
MU_L = Sym("mu", r"\mu", "データごとの平均（特徴の方向）", "per-sample mean over the features", "temp", code="mu")
VAR_L = Sym("var", r"\sigma^2", "データごとの分散（D で割る）", "per-sample variance (divided by D)", "temp",
            code="var")
XN = Sym("xn", r"\hat{x}_i", "正規化した値", "normalised value", "temp", code="xn")
XN_L = Sym("xn", r"\hat{x}_j", "正規化した値", "normalised value", "temp", code="xn")
Y = Sym("y", "y_i", "出力", "output", "temp")
Y_L = Sym("y", "y_j", "出力", "output", "temp")
RMEAN = Sym("running_mean", r"\hat{\mu}", "推論用の平均（移動平均）", "running mean (for inference)", "state",
            code="running_mean")
RVAR = Sym("running_var", r"\hat{\sigma}^2", "推論用の分散（移動平均）", "running variance (for inference)", "state",
           code="running_var")

PARTS = ("train", "running", "inference", "layer")


def rule(part: str = "train", convention: str = "pytorch") -> Rule:
    """One part of the normalisation: ``train`` (the forward pass on a mini-batch), ``running`` (the update of the
    running averages after it), ``inference`` (the forward pass with them), ``layer`` (Layer Normalization).

    ``pytorch`` is torch.nn.BatchNorm1d / LayerNorm (and this module's classes); ``paper`` is Ioffe & Szegedy
    Alg. 1 and 2 (Ba et al. section 3 for ``layer``; the paper has no running update: Alg. 2 averages the
    mini-batches' statistics after training); ``textbook`` is ゼロから作る Deep Learning's class (only the running
    averages differ)."""
    if part not in PARTS:
        raise ValueError(f"normalization: unknown part {part!r}; known: {', '.join(PARTS)}")
    if convention not in ("pytorch", "paper", "textbook"):
        raise ValueError(f"normalization: unknown convention {convention!r} (textbook, paper, pytorch)")
    if part == "train":
        return build("batchnorm_train", convention, [X, GAMMA, BETA, EPS, MU, VAR, XN, Y],
                     [("mu", "BatchMean(x)"), ("var", "BatchVar(x, mu)"), ("xn", "(x - mu)/sqrt(var + eps)"),
                      ("y", "gamma*xn + beta")], note=_NOTE[(part, convention)])
    if part == "running":
        if convention == "textbook":
            return build("batchnorm_running", convention, [MOM_TB, MU, VAR, RMEAN, RVAR],
                         [("running_mean", "momentum*running_mean + (1 - momentum)*mu"),
                          ("running_var", "momentum*running_var + (1 - momentum)*var")], note=_NOTE[(part, convention)])
        if convention == "paper":
            raise ValueError("normalization: Ioffe & Szegedy average μ_B and m/(m − 1)·σ²_B over many mini-batches "
                             "(Alg. 2) and keep no running update; ask for the pytorch or textbook form")
        return build("batchnorm_running", convention, [M, MOM, MU, VAR, RMEAN, RVAR],
                     [("running_mean", "(1 - momentum)*running_mean + momentum*mu"),
                      ("running_var", "(1 - momentum)*running_var + momentum*Unbiased(m, var)")],
                     note=_NOTE[(part, convention)])
    if part == "inference":
        return build("batchnorm_inference", convention, [X, GAMMA, BETA, EPS, RMEAN, RVAR, XN, Y],
                     [("xn", "(x - running_mean)/sqrt(running_var + eps)"), ("y", "gamma*xn + beta")],
                     note=_NOTE[(part, convention)])
    return build("layernorm", convention, [XJ, GAMMA, BETA, EPS, MU_L, VAR_L, XN_L, Y_L],
                 [("mu", "FeatureMean(x)"), ("var", "FeatureVar(x, mu)"), ("xn", "(x - mu)/sqrt(var + eps)"),
                  ("y", "gamma*xn + beta")], note=_NOTE[(part, convention)])


_NOTE = {
    ("train", "pytorch"): "torch.nn.BatchNorm1d（訓練モード）: 分散は m で割る（偏りのある分散）",
    ("train", "paper"): "Ioffe & Szegedy (2015) Algorithm 1",
    ("train", "textbook"): "ゼロから作る Deep Learning 6.3 節の BatchNormalization（ε = 10e-7 = 10⁻⁶）",
    ("running", "pytorch"): "torch.nn.BatchNorm1d: momentum は新しい統計量の重み（既定 0.1）、分散は不偏分散 "
                            "m/(m − 1)·σ²_B で更新。初期値は平均 0、分散 1",
    ("running", "textbook"): "ゼロから作る Deep Learning 6.3 節: momentum（既定 0.9）は古い値の重み、分散は m で割った"
                             "もの、初期値はどちらも 0",
    ("inference", "pytorch"): "torch.nn.BatchNorm1d（推論モード、model.eval()）",
    ("inference", "paper"): "Ioffe & Szegedy (2015) Algorithm 2 の推論時の変換",
    ("inference", "textbook"): "ゼロから作る Deep Learning 6.3 節の BatchNormalization（train_flg=False）",
    ("layer", "pytorch"): "torch.nn.LayerNorm: データごとに特徴の方向で平均と分散（D で割る）",
    ("layer", "paper"): "Ba, Kiros & Hinton (2016) 3 節（論文の式に ε はなく、実装で加える）",
    ("layer", "textbook"): "Ba, Kiros & Hinton (2016)（ゼロつくにはないので論文の形）",
}

SOURCES = {
    "batchnorm": Source("Ioffe & Szegedy (2015)", "S. Ioffe, C. Szegedy. Batch normalization: accelerating deep "
                        "network training by reducing internal covariate shift. ICML 2015 (arXiv:1502.03167)", 2015),
    "layernorm": Source("Ba ら (2016)", "J. L. Ba, J. R. Kiros, G. E. Hinton. Layer normalization. "
                        "arXiv:1607.06450, 2016", 2016),
    "textbook": Source("ゼロから作る Deep Learning 6.3 節",
                       "斎藤康毅『ゼロから作る Deep Learning』オライリー・ジャパン, 2016, 6.3 節「Batch Normalization」"
                       "と common/layers.py", 2016),
    "pytorch": Source("torch.nn.BatchNorm1d / LayerNorm", "PyTorch 2.13 torch.nn.BatchNorm1d, torch.nn.LayerNorm",
                      2025),
}

INFO = TopicInfo(
    key="normalization", name_ja="バッチ正規化", name_en="batch normalization",
    summary_ja="層への入力を、ミニバッチの平均と分散で特徴ごとに正規化してから γ 倍して β を足す。推論では訓練中に"
               "ためた移動平均を使う。レイヤー正規化はデータ 1 つごとに特徴の方向で正規化する。",
    syllabus="3-(7) 正規化（Batch Normalization, Layer Normalization など）", in_syllabus=True, sources=SOURCES,
    torch=("torch.nn.BatchNorm1d", "torch.nn.LayerNorm"),
)
