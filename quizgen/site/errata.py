"""``erratum(name)``: errors that circulate in study material, each shown wrong (誤) against right (正)
with an executed numeric demonstration.

Where quizgen.mistakes has the mistake, the wrong variant is the registry's (a mutated sympy rule,
executed by ``Mistake.run``) and the right value is the reference class's (``families._run.execute``).
Where it does not (a code bug, a false claim, a garbled formula), the wrong variant is a small numpy
function here, labelled 誤 in its name and docstring, executed next to the reference class.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Callable
from typing import Any

import numpy as np

import optimizers

from .. import plots
from ..formulas import number, number_latex
from .render import SiteError


def _macros():
    from . import macros

    return macros


def _given(key: str, hyper: dict[str, Any], grads: list[float], w0: float, step: int,
           quantity: str = "W") -> dict[str, Any]:
    return {"optimizer": key, "convention": "textbook", "hyperparameters": dict(hyper), "params0": {"W": [w0]},
            "grads": [{"W": [g]} for g in grads[:step]],
            "asked": {"quantity": quantity, "step": step, "key": "W", "index": 0}}


def compare_steps(mistake: str, key: str, hyper: dict[str, Any], grads: list[float], w0: float = 1.0,
                  quantity: str = "W") -> list[tuple[int, float, float]]:
    """(step, correct value, mistaken value) for steps 1..len(grads): the registry's mistake, executed."""
    from ..families._run import execute
    from ..mistakes import get

    m = get(mistake)
    out = []
    for step in range(1, len(grads) + 1):
        given = _given(key, hyper, grads, w0, step, quantity)
        right = execute(given).asked()
        wrong = m.run(given)
        if wrong is None:
            raise SiteError(f"erratum: mistake {mistake!r} does not apply to {key!r}")
        out.append((step, float(right), float(wrong)))
    return out


def _steps_table(rows: list[tuple[int, float, float]], sym: str = "W") -> str:
    M = _macros()
    return M.table(["ステップ $t$", f"正しい ${sym}_t$（正）", f"誤った式の ${sym}_t$（誤）", "差（誤 − 正）"],
                   [[str(t), M.cell(r), M.cell(w), M.cell(w - r)] for t, r, w in rows])


def _wrong_right(wrong_title: str, wrong: str, right_title: str, right: str) -> str:
    M = _macros()
    return (M.admonition("failure", f"誤: {wrong_title}", wrong) + "\n"
            + M.admonition("success", f"正: {right_title}", right) + "\n")


def _setting(key: str, hyper: dict[str, Any], grads: list[float], w0: float) -> str:
    M = _macros()
    gs = ", ".join(f"$g_{{{i}}} = {number_latex(g)}$" for i, g in enumerate(grads, 1))
    return f"$W_0 = {number_latex(w0)}$、勾配 {gs}、{M.settings_tex(key, hyper)}（その他は既定値）"


# -- the errata ------------------------------------------------------------------------------------------------
def adam_bias_without_t() -> str:
    from ..mistakes import get

    M = _macros()
    key, hyper, grads = "adam", {"lr": 0.1}, [0.5, 0.2, -0.3]
    rows = compare_steps("bias_correction_without_t", key, hyper, grads)
    same1 = number(rows[0][1]) == number(rows[0][2])
    text = _wrong_right("補正の $t$ 乗がない", M.display_math(get("bias_correction_without_t").latex(key)),
                        "補正は $1-\\beta_1^t$, $1-\\beta_2^t$（$t$ 乗）", M.display_math(M.get_rule(key).latex()))
    text += f"\n**数値で確かめる**（{_setting(key, hyper, grads, 1.0)}）:\n\n" + _steps_table(rows)
    text += ("\n1 ステップ目は $t = 1$ なので $t$ 乗があってもなくても同じ値になる。" if same1 else "\n")
    text += "2 ステップ目から値がずれる。1 ステップだけの計算問題では見抜けない誤りなので、2 ステップ以上で確かめる。\n"
    return text


def adamw_wrong_sign() -> str:
    from ..mistakes import get

    M = _macros()
    key, hyper, grads = "adamw", {"lr": 0.1, "weight_decay": 0.1}, [0.0, 0.0, 0.0]
    rows = compare_steps("adamw_decay_sign", key, hyper, grads)
    text = _wrong_right("減衰の符号が逆（$W$ が膨らむ）", M.display_math(get("adamw_decay_sign").latex(key)),
                        "$W$ から $\\eta_t \\lambda W$ を引く（$W$ は 0 に向かって縮む）",
                        M.display_math(M.get_rule(key).latex()))
    text += (f"\n**数値で確かめる**: 勾配を 0 にすると Adam のステップは 0 になり、減衰の項だけが残る"
             f"（{_setting(key, hyper, grads, 1.0)}）。\n\n" + _steps_table(rows))
    grows = abs(rows[-1][2]) > 1.0 > abs(rows[-1][1])
    if grows:
        text += "\n正しい式では $|W|$ が毎回縮み、誤った式では毎回膨らむ。重み減衰が正則化として逆に働いてしまう。\n"
    return text


def _adadelta_no_eps_numerator(w0: float, grads: list[float], rho: float, eps: float) -> list[float]:
    """誤（出回っている崩れた Adadelta の一つ）: 分子の RMS[Δx] から ε を落とした形
    Δx = −√E[Δx²] / √(E[g²] + ε) · g。"""
    w, h, s, out = w0, 0.0, 0.0, []
    for g in grads:
        h = rho * h + (1 - rho) * g * g
        dx = -np.sqrt(s) / np.sqrt(h + eps) * g  # 誤: √(E[Δx²] + ε) ではなく √E[Δx²]
        s = rho * s + (1 - rho) * dx * dx
        w = w + dx
        out.append(float(w))
    return out


def adadelta_garbled() -> str:
    from ..mistakes import get

    M = _macros()
    key, grads, w0 = "adadelta", [2.0, 1.0, -0.5], 1.0
    inst = optimizers.get(key).INFO.cls()
    rows = compare_steps("adadelta_ratio_flipped", key, {}, grads, w0)
    no_eps = _adadelta_no_eps_numerator(w0, grads, inst.rho, inst.eps)
    right = [r for _, r, _ in rows]
    text = _wrong_right(
        "比が逆、または分子の $\\varepsilon$ がない",
        "比を逆にした形（RMS[g]/RMS[Δx]）:\n" + M.display_math(get("adadelta_ratio_flipped").latex(key))
        + "\n分子の $\\varepsilon$ を落とした形:\n"
        + M.display_math(r"\Delta x \leftarrow -\frac{\sqrt{E[\Delta x^2]}}{\sqrt{E[g^2] + \varepsilon}}\, g"),
        "Zeiler (2012) Alg. 1: $\\Delta x = -\\dfrac{\\mathrm{RMS}[\\Delta x]_{t-1}}{\\mathrm{RMS}[g]_t} g$, "
        "$\\mathrm{RMS}[y] = \\sqrt{E[y^2] + \\varepsilon}$",
        M.display_math(M.get_rule(key).latex()))
    table = M.table(["ステップ $t$", "正しい $W_t$（正）", "比が逆の $W_t$（誤）", "分子の ε なしの $W_t$（誤）"],
                    [[str(t), M.cell(r), M.cell(w), M.cell(n)] for (t, r, w), n in zip(rows, no_eps)])
    setting = _setting(key, {"rho": inst.rho, "eps": inst.eps}, grads, w0)
    text += f"\n**数値で確かめる**（{setting}）:\n\n" + table
    if all(n == w0 for n in no_eps):
        text += ("\n分子の ε を落とすと $E[\\Delta x^2] = 0$ から始まるので $\\Delta x$ は毎回 0 になり、"
                 "パラメータは一度も動かない。ε は「最初の一歩を踏み出すため」にも必要。")
    big = max(abs(w - r) for (_, r, w) in rows)
    text += (f" 比を逆にすると、最初の一歩が正しい値 {number(right[0] - w0, 3)} の代わりに "
             f"{number(rows[0][2] - w0, 3)} になる（差は最大 {number(big, 3)}）。\n")
    return text


def eps_inside_outside() -> str:
    from ..mistakes import get

    M = _macros()
    key = "rmsprop"
    inst = optimizers.get(key).INFO.cls(lr=0.1)
    hyper = {"lr": 0.1}
    rows = []
    for g in (1.0, 1e-2, 1e-4, 1e-6):
        (_, right, wrong), = compare_steps("eps_inside_sqrt", key, hyper, [g], 0.0)
        ratio = wrong / right if right else float("nan")
        rows.append([f"${number_latex(g)}$", M.cell(right), M.cell(wrong), M.cell(ratio, 3)])
    text = _wrong_right(
        "この形のコードに $\\sqrt{h + \\varepsilon}$ の式を添える",
        M.display_math(get("eps_inside_sqrt").latex(key)),
        "『ゼロから作るDeep Learning』と PyTorch は $\\sqrt{h} + \\varepsilon$（√ の外）",
        M.display_math(M.get_rule(key).latex()))
    text += (f"\n√ の中に足す形（Goodfellow らの RMSProp, TensorFlow 1）も実在する。誤りなのは、コードと式で位置が"
             f"食い違うこと。**数値で確かめる**: $W_0 = 0$ から 1 回だけ更新したときの $W_1$"
             f"（{M.settings_tex(key, {'lr': inst.lr, 'decay_rate': inst.decay_rate, 'eps': inst.eps})}）:\n\n")
    text += M.table(["勾配 $g_1$", "√ の外: ゼロつく・PyTorch", "√ の中: Goodfellow らの形", "中 ÷ 外"], rows)
    text += "\n勾配が大きいうちは差が見えないが、勾配が $\\sqrt{\\varepsilon}$ 程度まで小さくなると桁が変わる。\n"
    return text


def _wrong_momentum_class() -> tuple[type, str, str]:
    """誤: 出回っている Momentum クラス（``grads[key]`` を ``self.grads[key]`` と書いた版）を、参照実装の
    ソースを書き換えて作る。戻り値は (誤ったクラス, 正しい行, 誤った行)。"""
    from optimizers import momentum

    src = textwrap.dedent(inspect.getsource(momentum.Momentum))
    line = next(x for x in src.splitlines() if "self.lr * grads[key]" in x)
    wrong_line = line.replace("grads[key]", "self.grads[key]")
    namespace: dict[str, Any] = {"np": np, "check_hyperparameters": momentum.check_hyperparameters,
                                 "check_inputs": momentum.check_inputs}
    exec(compile(src.replace(line, wrong_line), "<誤: Momentum (self.grads)>", "exec"), namespace)  # noqa: S102
    return namespace["Momentum"], line.strip(), wrong_line.strip()


def momentum_wrong_attribute() -> str:
    cls, right_line, wrong_line = _wrong_momentum_class()
    params, grads = {"W": np.array([1.0])}, {"W": np.array([0.5])}
    try:
        cls(lr=0.1).update(params, grads)
        outcome = None
    except AttributeError as e:
        outcome = f"{type(e).__name__}: {e}"
    if outcome is None:
        raise SiteError("erratum momentum_wrong_attribute: the wrong class did not fail as expected")
    ok = {"W": np.array([1.0])}
    optimizers.get("momentum").INFO.cls(lr=0.1).update(ok, {"W": np.array([0.5])})
    text = _wrong_right("`self.grads` を読む", f"```python\n{wrong_line}\n```\n",
                        "`update` の引数 `grads` を読む", f"```python\n{right_line}\n```\n")
    text += (f"\n**実行して確かめる**: 誤った行のクラスで `update({{'W': [1.0]}}, {{'W': [0.5]}})` を呼ぶと\n\n"
             f"```text\n{outcome}\n```\n\nとなり、1 回も更新できない（勾配は `update` の引数で渡され、"
             f"インスタンスの属性ではない）。正しいクラスでは $W_1 = {number_latex(ok['W'][0])}$。\n")
    return text


def _double_well(x):
    return x**4 - 3 * x**2 + x


def _double_well_grad(x):
    return 4 * x**3 - 6 * x + 1


def _run_1d(key: str, x0: float, steps: int, **kwargs: Any) -> list[float]:
    """The reference class on f(x) = x⁴ − 3x² + x (a small numpy problem with two minima)."""
    opt = optimizers.get(key).INFO.cls(**kwargs)
    p = {"x": np.array(float(x0))}
    xs = [float(x0)]
    for _ in range(steps):
        opt.update(p, {"x": np.array(_double_well_grad(float(p["x"])))})
        xs.append(float(p["x"]))
    return xs


def momentum_global_optimum() -> tuple[str, dict[str, Any]]:
    M = _macros()
    grid = np.linspace(-2.0, 2.2, 421)
    fx = _double_well(grid)
    crit = np.roots([4.0, 0.0, -6.0, 1.0]).real
    minima = sorted(c for c in crit if 12 * c * c - 6 > 0)
    glob, loc = minima[0], minima[1]
    runs = [("sgd", 2.0, {"lr": 0.01}), ("momentum", 2.0, {"lr": 0.01, "momentum": 0.9}),
            ("momentum", 1.5, {"lr": 0.01, "momentum": 0.9})]
    steps = 300
    rows, series = [], []
    for key, x0, kw in runs:
        xs = _run_1d(key, x0, steps, **kw)
        end = xs[-1]
        where = "大域的最小" if abs(end - glob) < 1e-3 else ("局所的最小" if abs(end - loc) < 1e-3 else "途中")
        name = optimizers.get(key).INFO.cls.__name__
        rows.append([name, f"${number_latex(x0)}$", M.settings_tex(key, kw), M.cell(end, 4),
                     M.cell(_double_well(end), 4), where])
        series.append({"label": f"{name}（x₀ = {number(x0)}）", "x": xs, "y": [float(_double_well(x)) for x in xs]})
    data = {"x": grid.tolist(), "f": fx.tolist(), "series": series, "xlabel": "x", "ylabel": "f(x)"}
    reached = {r[-1] for r in rows}
    text = _wrong_right("「モーメンタムを使えば大域的最適解にたどり着ける」",
                        "慣性で局所的な谷を越えられることはあるが、保証はない。",
                        "慣性は谷を越える助けになることがあるが、どこに止まるかは初期値と設定しだい",
                        "大域的最適解への到達を保証するのは（凸でない問題では）どの勾配法でもない。")
    text += (f"\n**実行して確かめる**: 二つの谷を持つ $f(x) = x^4 - 3x^2 + x$（大域的最小 "
             f"$x \\approx {number(glob, 4)}$、局所的最小 $x \\approx {number(loc, 4)}$）で、参照実装を {steps} "
             "ステップ動かす。\n\n")
    text += M.table(["手法", "初期値 $x_0$", "設定", "最後の $x$", "最後の $f(x)$", "止まった場所"], rows)
    if {"大域的最小", "局所的最小"} <= reached:
        text += ("\n同じ Momentum でも、初期値しだいで大域的最小にも局所的最小にも止まる。"
                 "「必ず大域的最適解へ」は言い過ぎの選択肢。\n")
    return text, data


def nesterov_old_order() -> str:
    from ..mistakes import get
    from .macros import findings_for, render_finding

    M = _macros()
    key, hyper, grads = "nesterov", {"lr": 0.1, "momentum": 0.9}, [0.5, 0.2, -0.3]
    rows = compare_steps("nesterov_old_order", key, hyper, grads)
    text = _wrong_right("$v$ を先に更新してから $W$ を動かす（2021 年の修正前のコード）",
                        M.display_math(get("nesterov_old_order").latex(key)),
                        "$W$ を更新前の $v$ で動かしてから $v$ を更新する", M.display_math(M.get_rule(key).latex()))
    text += f"\n**数値で確かめる**（{_setting(key, hyper, grads, 1.0)}）:\n\n" + _steps_table(rows)
    found = [f for f in findings_for(key) if f.key == "nesterov_old_order"]
    if found:
        text += "\n" + render_finding(found[0])
    return text


ERRATA: dict[str, tuple[str, Callable[[], Any]]] = {
    "adam_bias_without_t": ("Adam のバイアス補正に t 乗がない", adam_bias_without_t),
    "adamw_wrong_sign": ("AdamW の重み減衰の符号が逆", adamw_wrong_sign),
    "adadelta_garbled": ("崩れた Adadelta の式", adadelta_garbled),
    "eps_inside_outside": ("ε の位置（√ の中か外か）の取り違え", eps_inside_outside),
    "momentum_wrong_attribute": ("Momentum クラスが self.grads を読む", momentum_wrong_attribute),
    "momentum_global_optimum": ("モーメンタムなら大域的最適解に届くという説明", momentum_global_optimum),
    "nesterov_old_order": ("Nesterov の旧版コード（更新の順序）", nesterov_old_order),
}


def render(name: str, macros: Any = None) -> str:
    """The Markdown of erratum ``name`` (with its plot, if it has one, registered on ``macros``)."""
    if name not in ERRATA:
        raise SiteError(f"unknown erratum {name!r}; known: {', '.join(ERRATA)}")
    out = ERRATA[name][1]()
    if isinstance(out, tuple):
        text, data = out
        if macros is not None:
            link = macros._svg(f"erratum-{re.sub(r'[^a-z0-9]+', '-', name)}", "function_paths", data,
                               lambda: plots.function_paths_svg(data))
            text += "\n" + macros._figure(link, "二つの谷を持つ関数での軌跡",
                                          "$f(x) = x^4 - 3x^2 + x$ の上の軌跡（■ が初期値、● が各ステップ）。") + "\n"
        return text
    return out
