"""Symbols shared by many rules, with their meanings (ja/en).

A rule picks the ones it needs and may define its own; the LaTeX letter follows the
convention (the textbook writes the learning rate η, PyTorch's docs write γ).
"""

from __future__ import annotations

from ._rule import Sym

W = Sym("W", "W", "パラメータ（重み）", "parameter (weight)", "param")
g = Sym("g", "g", "勾配 ∂L/∂W", "gradient ∂L/∂W", "grad")
t = Sym("t", "t", "ステップ数（1 から数える）", "step count (from 1)", "step")
eta = Sym("eta", r"\eta", "学習率", "learning rate", "hyper")
gamma = Sym("gamma", r"\gamma", "学習率 (PyTorch の記号)", "learning rate (PyTorch's symbol)", "hyper")
eps = Sym("eps", r"\varepsilon", "ゼロ除算を防ぐ微小な定数", "small constant against division by zero", "hyper")
lam = Sym("lam", r"\lambda", "重み減衰の係数", "weight decay coefficient", "hyper")
beta1 = Sym("beta1", r"\beta_1", "1 次モーメントの減衰率", "decay rate of the first moment", "hyper")
beta2 = Sym("beta2", r"\beta_2", "2 次モーメントの減衰率", "decay rate of the second moment", "hyper")
rho = Sym("rho", r"\rho", "減衰率（指数移動平均の係数）", "decay rate (moving-average coefficient)", "hyper")
