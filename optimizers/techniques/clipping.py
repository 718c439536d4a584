"""勾配クリッピング: 勾配のノルムがしきい値を超えたら、向きを変えずにノルムをしきい値まで縮める（または成分ごとに
値を切り詰める）。勾配爆発・崖（cliff）への対策。

Three forms of clipping by norm, each with its source:

- ``textbook``: ゼロから作る Deep Learning ❷ の ``clip_grads(grads, max_norm)`` (common/util.py): the L2 norm of
  every gradient together, ``rate = max_norm / (total_norm + 1e-6)``, multiply only ``if rate < 1``;
- ``pytorch``: torch.nn.utils.clip_grad_norm_: the same norm, ``clip_coef = max_norm / (total_norm + 1e-6)``
  clamped at 1 and multiplied always (×1 changes nothing): the same result as the textbook's, for every input;
- ``paper``: Pascanu, Mikolov & Bengio (2013) Alg. 1 (and Goodfellow et al. eq. 10.48): if ‖g‖ ≥ threshold,
  g ← threshold/‖g‖ · g, with no 1e-6.

So the textbook's form *includes* the 1e-6, as torch does: a clipped gradient's norm is max_norm·‖g‖/(‖g‖ + 1e-6),
slightly below max_norm; the paper's is exactly the threshold. The questions say so and check that the 1e-6 does
not change the displayed digits. Clipping by value (torch.nn.utils.clip_grad_value_) clamps each component to
[−clip_value, clip_value] (Mikolov 2012, as Goodfellow et al. 10.11.1 describe it).
"""

from __future__ import annotations

import numpy as np

from .._rule import Rule, Sym
from ._forms import Source, TopicInfo, build

CLIP_EPS = 1e-6  # the constant in clip_grads below (and in torch.nn.utils.clip_grad_norm_'s coefficient)


def clip_grads(grads, max_norm):
    """勾配クリッピング（ノルム）: すべての勾配をまとめた L2 ノルムが max_norm を超えたら、同じ倍率で縮める。"""
    total_norm = 0
    for grad in grads:
        total_norm += np.sum(grad ** 2)  # すべてのパラメータの勾配の 2 乗和
    total_norm = np.sqrt(total_norm)  # 全体の L2 ノルム ‖g‖
    rate = max_norm / (total_norm + 1e-6)  # 縮める倍率（1e-6 はゼロ除算よけ）
    if rate < 1:  # ノルムが max_norm を超えたときだけ
        for grad in grads:
            grad *= rate  # 向きはそのまま、ノルムを max_norm に縮める
    return total_norm


def clip_grads_by_value(grads, clip_value):
    """勾配クリッピング（値）: 各成分を −clip_value 以上 clip_value 以下に切り詰める。"""
    for grad in grads:
        np.clip(grad, -clip_value, clip_value, out=grad)  # はみ出した成分だけを境界の値にする


# -- executed demonstrations ----------------------------------------------------------------------------------
CLIFF = {"height": 4.0, "steepness": 40.0, "at": 1.0}  # the wall: height, steepness, position along w1


def cliff_loss(w):
    """崖のある損失: なだらかな谷 w1²/4 + w2² に、w1 = 1 で高さ 4 だけ急に上がる壁を足したもの。"""
    h, k, at = CLIFF["height"], CLIFF["steepness"], CLIFF["at"]
    return 0.25 * w[0] ** 2 + w[1] ** 2 + h / (1 + np.exp(-k * (w[0] - at)))


def cliff_grad(w):
    """cliff_loss の勾配: 壁のところだけ w1 方向の成分がとても大きい（最大で 高さ × 急さ / 4）。"""
    h, k, at = CLIFF["height"], CLIFF["steepness"], CLIFF["at"]
    s = 1 / (1 + np.exp(-k * (w[0] - at)))
    return np.array([0.5 * w[0] + h * k * s * (1 - s), 2.0 * w[1]])


def descend(w0, lr, steps, max_norm=None):
    """cliff_loss を勾配降下法で最小化した点の列（max_norm があれば勾配をノルムでクリッピングしてから進む）。"""
    w = np.array(w0, dtype=np.float64)
    path = [w.copy()]
    for _ in range(steps):
        g = cliff_grad(w)
        if max_norm is not None:
            clip_grads([g], max_norm)  # 勾配を縮める（その場で書き換える）
        w = w - lr * g
        path.append(w.copy())
    return path


def rnn_loss(w, b, steps=50, x0=0.5, target=0.7):
    """Pascanu ら (2013) が誤差曲面を描いたのと同じ種類の、1 ユニットの RNN x_t = w σ(x_{t−1}) + b を steps 回
    進めた x と target の 2 乗誤差、と w, b についての偏微分。同じ w を何十回も掛けるので、損失には崖ができる。"""
    x, dx_dw, dx_db = x0, 0.0, 0.0
    for _ in range(steps):
        s = 1 / (1 + np.exp(-x))  # シグモイド σ(x_{t−1})
        ds = s * (1 - s)  # その微分
        dx_dw = s + w * ds * dx_dw  # 連鎖律: ∂x_t/∂w
        dx_db = 1 + w * ds * dx_db  # 連鎖律: ∂x_t/∂b
        x = w * s + b
    return (x - target) ** 2, 2 * (x - target) * dx_dw, 2 * (x - target) * dx_db


# -- the formulas as sympy -------------------------------------------------------------------------------------
G = Sym("g", "g", "勾配（すべてのパラメータの勾配を並べたもの）", "gradient (of every parameter, as one vector)",
        "grad", code="grads")
C = Sym("c", "c", "しきい値（max_norm）", "threshold (max_norm)", "hyper", code="max_norm")
CV = Sym("c", "c", "しきい値（clip_value）", "threshold (clip_value)", "hyper", code="clip_value")
EPS = Sym("eps", r"\varepsilon", "ゼロ除算を防ぐ微小な定数（1e-6）", "small constant against division by zero (1e-6)",
          "hyper")
NORM = Sym("norm", r"\lVert g \rVert", "勾配全体の L2 ノルム", "L2 norm of all gradients", "temp", code="total_norm")
RATE = Sym("rate", "r", "縮める倍率", "scaling factor", "temp", code="rate")

FORMS = ("textbook", "pytorch", "paper", "value")


def rule(convention: str = "textbook") -> Rule:
    """Clipping by norm in one convention (``textbook``, ``pytorch``, ``paper``), or by value (``value``)."""
    if convention == "textbook":
        return build("clip_norm", convention, [G, C, EPS, NORM, RATE],
                     [("norm", "Norm2(g)"), ("rate", "c/(norm + eps)"),
                      ("g", "Piecewise((rate*g, Lt(rate, 1)), (g, True))")],
                     note=f"{SOURCES['textbook'].label}（ε = 1e-6）")
    if convention == "pytorch":
        return build("clip_norm", convention, [G, C, EPS, NORM],
                     [("norm", "Norm2(g)"), ("g", "Min(1, c/(norm + eps))*g")],
                     note="torch.nn.utils.clip_grad_norm_（ε = 1e-6、倍率を 1 で頭打ちにして常に掛ける）")
    if convention == "paper":
        return build("clip_norm", convention, [G, C, NORM],
                     [("norm", "Norm2(g)"), ("g", "Piecewise((g, Lt(norm, c)), (c/norm*g, True))")],
                     note=f"{SOURCES['pascanu'].label} Algorithm 1（ε なし）")
    if convention == "value":
        return build("clip_value", convention, [G, CV], [("g", "Max(-c, Min(c, g))")],
                     note="torch.nn.utils.clip_grad_value_（成分ごとに [−c, c] へ切り詰める）")
    raise ValueError(f"clipping: unknown form {convention!r}; known: {', '.join(FORMS)}")


SOURCES = {
    "pascanu": Source("Pascanu ら (2013)", "R. Pascanu, T. Mikolov, Y. Bengio. On the difficulty of training recurrent "
                      "neural networks. ICML 2013 (arXiv:1211.5063)", 2013),
    "textbook": Source("ゼロから作る Deep Learning ❷ 6.1.4 節",
                       "斎藤康毅『ゼロから作る Deep Learning ❷ 自然言語処理編』オライリー・ジャパン, 2018, "
                       "6.1.4 節「勾配爆発への対策」と common/util.py の clip_grads", 2018),
    "goodfellow": Source("Goodfellow ら 8.2.4 節・10.11.1 節",
                         "I. Goodfellow, Y. Bengio, A. Courville. Deep Learning. MIT Press, 2016, "
                         "8.2.4 節 Cliffs and Exploding Gradients, 10.11.1 節 Clipping Gradients", 2016),
    "mikolov": Source("Mikolov (2012)", "T. Mikolov. Statistical language models based on neural networks. PhD thesis, "
                      "Brno University of Technology, 2012", 2012),
    "pytorch": Source("torch.nn.utils.clip_grad_norm_ / clip_grad_value_",
                      "PyTorch 2.13 torch.nn.utils.clip_grad_norm_, torch.nn.utils.clip_grad_value_", 2025),
}

INFO = TopicInfo(
    key="clipping", name_ja="勾配クリッピング", name_en="gradient clipping",
    summary_ja="勾配のノルムがしきい値を超えたら、向きはそのままノルムをしきい値まで縮める。崖のような急な壁で"
               "勾配が巨大になり、1 回の更新で遠くへ飛ばされる（勾配爆発）のを防ぐ。",
    syllabus="2024 年版シラバスの最適化の項目のキーワードではない（RNN の学習で勾配爆発への対策として使われる"
             "発展事項）",
    in_syllabus=False, sources=SOURCES,
    torch=("torch.nn.utils.clip_grad_norm_", "torch.nn.utils.clip_grad_value_"),
)
