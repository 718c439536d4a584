"""The macros of the optimization chapter's pages (initialization, normalization, clipping): formulas from the
topic modules' sympy rules, code included from optimizers/techniques, tables and figures from executing that code,
and the sympy proofs of quizgen/chapter.

``MACROS`` lists the names (the site's renderer adds them to a page's macros); :func:`call` runs one. Nothing at
module level imports more than the standard library, so a warm build that finds every page cached never loads numpy,
sympy or matplotlib for these pages.
"""

from __future__ import annotations

from typing import Any

MACROS = ("technique_meta", "technique_rule", "technique_source", "technique_findings", "technique_value",
          "init_histograms", "init_symmetry", "init_table", "init_gains", "batchnorm_worked", "batchnorm_running",
          "batchnorm_histograms", "layernorm_worked", "clip_table", "clip_cliff", "clip_rnn")

TOPICS = ("init", "normalization", "clipping")
#: what kind of symbol, as the chapter's tables say it (the optimizers' words "hyperparameter", "state" fit less)
KIND_JA = {"param": "入力・学習するパラメータ", "grad": "勾配", "state": "状態（訓練中に更新）", "hyper": "設定・定数",
           "step": "ステップ数", "temp": "計算する量"}
CONVENTION_TITLE = {"paper": "論文の形", "pytorch": "PyTorch の形", "textbook": "教科書（ゼロつく）の形",
                    "value": "値によるクリッピング"}


def call(m: Any, name: str, args: tuple, kwargs: dict) -> str:
    """Run macro ``name`` for the page of ``m`` (a :class:`quizgen.site.macros.Macros`)."""
    return globals()[f"_{name}"](m, *args, **kwargs)


def _module(topic: str):
    from optimizers.techniques import clipping, init, normalization

    mods = {"init": init, "normalization": normalization, "clipping": clipping}
    if topic not in mods:
        from .render import SiteError

        raise SiteError(f"unknown chapter topic {topic!r}; known: {', '.join(mods)}")
    return mods[topic]


def _findings_module(topic: str):
    from ..chapter import clipping, init, normalization

    return {"init": init, "normalization": normalization, "clipping": clipping}[topic]


def _defaults(fn) -> dict[str, Any]:
    """A function's default arguments (the experiments' settings, quoted by the captions)."""
    import inspect

    return {k: p.default for k, p in inspect.signature(fn).parameters.items()
            if p.default is not inspect.Parameter.empty}


def _svg(m: Any, stem: str, kind: str, data: Any, make) -> str:
    """A figure of this module's plots, cached with the digest of the plotting code in its key."""
    from . import chapter_plots
    from .cache import file_digest

    return m._svg(stem, f"{kind}-{file_digest(chapter_plots.__file__)[:16]}", data, make)


# -- common ------------------------------------------------------------------------------------------------------
def _technique_meta(m: Any, topic: str) -> str:
    from .macros import admonition, table

    info = _module(topic).INFO
    rows = [["名前", f"{info.name_ja}<br>{info.name_en}"],
            ["E資格シラバス", ("" if info.in_syllabus else "発展: ") + info.syllabus],
            ["出典", "<br>".join(f"{s.label}: {s.citation}" for s in info.sources.values())],
            ["PyTorch", "<br>".join(f"`{t}`" for t in info.torch)]]
    return admonition("info", f"{info.name_ja}の基本情報", info.summary_ja + "\n\n" + table(["項目", "内容"], rows))


def _rule_parts(topic: str, part: str) -> list[tuple[str, Any]]:
    mod = _module(topic)
    if topic == "init":
        return [(c, mod.rule(part, c)) for c in ("paper", "pytorch", "textbook")]
    if topic == "normalization":
        conventions = ("pytorch", "textbook") if part == "running" else ("pytorch", "paper", "textbook")
        return [(c, mod.rule(part, c)) for c in conventions]
    if part == "value":
        return [("value", mod.rule("value"))]
    return [(c, mod.rule(c)) for c in ("textbook", "pytorch", "paper")]


def _technique_rule(m: Any, topic: str, part: str | None = None) -> str:
    """The formula of ``part`` in every convention the topic has, as tabs (rule, its source, its symbols).
    The chapter's other topics (averaging, second_order: not :data:`TOPICS`) show their one rule, as before."""
    from .macros import display_math, table, tabs

    if topic not in TOPICS:
        import importlib

        module = importlib.import_module(f"optimizers.techniques.{topic}")
        return display_math(module.rule(*([part] if part is not None else [])).latex())
    items = []
    for convention, rule in _rule_parts(topic, part):
        rows = [[f"${s.latex}$", s.ja, KIND_JA[s.kind], f"`{s.code}`" if s.code else "—"]
                for s in rule.symbols.values()]
        header = ["記号", "意味", "種類", "コード上の名前"]
        body = display_math(rule.latex()) + "\n" + rule.note + "\n\n" + table(header, rows)
        items.append((CONVENTION_TITLE[convention], body))
    return tabs(items) if len(items) > 1 else items[0][1]


def _technique_source(m: Any, topic: str, name: str) -> str:
    import inspect
    from pathlib import Path

    obj = getattr(_module(topic), name)
    code = inspect.getsource(obj).rstrip()
    path = Path(inspect.getsourcefile(obj)).name
    return f'```python title="optimizers/techniques/{path}"\n{code}\n```\n'


def _technique_value(m: Any, topic: str, name: str, key: str | None = None, latex: bool = False) -> str:
    """A number of the reference code: a module constant (``CLIP_EPS``), an entry of a module dict
    (``TEXTBOOK_DEFAULTS``, ``momentum``) or a default argument (``BatchNormalization``, ``eps``)."""
    from ..formulas import number, number_latex

    obj = getattr(_module(topic), name)
    if key is not None:
        obj = obj[key] if isinstance(obj, dict) else _defaults(obj)[key]
    if callable(obj):
        from .render import SiteError

        raise SiteError(f"technique_value: {topic}.{name} is not a number (give the argument's name)")
    return number_latex(obj) if latex else number(obj)


def _technique_findings(m: Any, topic: str) -> str:
    from .macros import render_finding

    return "\n".join(render_finding(f) for f in _findings_module(topic).findings())


# -- initialization ------------------------------------------------------------------------------------------------
INIT_STUDY = {  # ゼロから作る Deep Learning 6.2.2: the scales compared, per activation
    "tanh": (("標準偏差 1", "1"), ("標準偏差 0.01", "0.01"), ("Xavier", "xavier")),
    "sigmoid": (("標準偏差 1", "1"), ("標準偏差 0.01", "0.01"), ("Xavier", "xavier")),
    "relu": (("標準偏差 0.01", "0.01"), ("Xavier", "xavier"), ("He", "he")),
}


def _scale(kind: str):
    import numpy as np

    if kind == "xavier":
        return lambda n_in, n_out: np.sqrt(1.0 / n_in)
    if kind == "he":
        return lambda n_in, n_out: np.sqrt(2.0 / n_in)
    return lambda n_in, n_out, s=float(kind): s


def _init_histograms(m: Any, activation: str) -> str:
    """The activations of each layer of a 5-layer, 100-node MLP under each initialization: histograms and a table."""
    import numpy as np

    from ..formulas import number
    from . import chapter_plots
    from .macros import cell, table

    I = _module("init")
    if activation not in INIT_STUDY:
        from .render import SiteError

        raise SiteError(f"init_histograms: no study for {activation!r}; known: {', '.join(INIT_STUDY)}")
    lo = -1.0 if activation == "tanh" else 0.0
    edges = np.linspace(lo, 1.0, 31)
    data_rows, rows = [], []
    for label, kind in INIT_STUDY[activation]:
        acts = I.activations(_scale(kind), activation)
        hists = []
        for a in acts:
            vals = a.ravel()
            if activation == "relu":
                vals = vals[vals > 0]  # the zeros (half of the outputs) would hide the rest
            counts, _ = np.histogram(np.clip(vals, lo, 1.0), bins=edges)
            hists.append((counts / max(1, vals.size)).round(6).tolist())
        data_rows.append({"label": label, "hists": hists})
        stds = [cell(float(np.std(a)), 3) for a in acts]
        if activation == "relu":
            extra = f"{number(float(np.mean(acts[-1] == 0)) * 100, 3)} %"
        else:
            share = float(np.mean(np.abs(acts[-1]) > 0.99)) if activation == "tanh" else \
                float(np.mean((acts[-1] < 0.01) | (acts[-1] > 0.99)))
            extra = f"{number(share * 100, 3)} %"
        rows.append([label, *stds, extra])
    name = {"tanh": "tanh", "sigmoid": "シグモイド関数", "relu": "ReLU"}[activation]
    data = {"edges": edges.round(6).tolist(), "rows": data_rows, "xlabel": "活性化の値"}
    link = _svg(m, f"init-hist-{activation}", "chapter-hist", data, lambda: chapter_plots.histograms_svg(data))
    d = _defaults(I.activations)
    caption = (f"活性化関数が {name} の {d['layers']} 層・各 {d['nodes']} ノードの全結合ネットワークに、"
               f"標準正規分布の入力 {d['samples']} 個を通したときの各層の出力の分布（行が重みの初期値、列が層。"
               f"乱数の種 {d['seed']}）。"
               + ("ReLU は出力の半分ほどが 0 になるので、正の値だけの分布。" if activation == "relu" else ""))
    out = m._figure(link, f"{name}の各層の活性化の分布", caption)
    last = ("出力が 0 の割合" if activation == "relu" else "出力が両端（飽和）の割合")
    header = ["初期値", *[f"{k} 層目の標準偏差" for k in range(1, d["layers"] + 1)], f"{d['layers']} 層目で{last}"]
    return out + "\n" + table(header, rows, "qg-runs")


def _init_symmetry(m: Any) -> str:
    """A 3-4-1 network trained from three initializations: do the hidden units stay identical?"""
    import numpy as np

    from ..formulas import number
    from .macros import cell, table

    I = _module("init")
    rng = np.random.default_rng(1)
    x, t = rng.normal(size=(8, 3)), rng.normal(size=(8, 1))
    starts = [("すべて 0", np.zeros((3, 4)), np.zeros((4, 1))),
              ("すべて 0.5", np.full((3, 4), 0.5), np.full((4, 1), 0.5)),
              ("乱数（標準偏差 0.5）", rng.normal(scale=0.5, size=(3, 4)), rng.normal(scale=0.5, size=(4, 1)))]
    steps = 30
    rows = []
    for label, W1, W2 in starts:
        hist = I.train_two_layer(W1, W2, x, t, lr=0.5, steps=steps)
        spread = float(np.ptp(hist[-1], axis=1).max())
        moved = float(np.abs(hist[-1] - hist[0]).max())
        rows.append([label, cell(moved, 4), cell(spread, 4),
                     "同じまま（対称性が崩れない）" if spread < 1e-12 else "ユニットごとに違う"])
    (n_in, hidden), n_out = starts[0][1].shape, starts[0][2].shape[1]
    intro = (f"入力 {n_in}、隠れ層 {hidden} ユニット（tanh）、出力 {n_out} のネットワークを、{len(x)} 個のデータで "
             f"{steps} 回、学習率 {number(0.5)} の勾配降下法で学習させた（`train_two_layer`）。隠れ層の {hidden} つの"
             "ユニットの重み（$W_1$ の列）を比べる。\n\n")
    header = ["重みの初期値", "$W_1$ が動いた最大の量", "ユニット間の重みの差（最大）", "隠れ層のユニット"]
    return intro + table(header, rows)


def _init_table(m: Any) -> str:
    """σ and the uniform bound a of each method for a few layer shapes, executed (the functions' own scales)."""
    from ..chapter import init as T
    from .macros import cell, table

    shapes = ((784, 100), (100, 100), (100, 10), (256, 512))
    rows = []
    for key in ("glorot_uniform", "glorot_normal", "he_normal", "he_uniform", "textbook_xavier", "textbook_he"):
        form = T.FORMS[key]
        what = "上限 $a$" if form.dist == "uniform" else "標準偏差 $\\sigma$"
        label = {"glorot_uniform": "Xavier（一様分布）", "glorot_normal": "Xavier（正規分布）",
                 "he_normal": "He（正規分布）", "he_uniform": "He（一様分布）",
                 "textbook_xavier": "ゼロつくの Xavier", "textbook_he": "ゼロつくの He"}[key]
        rows.append([label, what, *[cell(T.scale(form, a, b), 4) for a, b in shapes]])
    header = ["初期値", "値", *[f"$n_{{\\mathrm{{in}}}} = {a},\\ n_{{\\mathrm{{out}}}} = {b}$" for a, b in shapes]]
    return table(header, rows)


def _init_gains(m: Any) -> str:
    from .macros import cell, table

    I = _module("init")
    rows = [[f"`'{n}'`", cell(I.gain(n), 5), f"`nn.init.calculate_gain('{n}')`"]
            for n in ("linear", "sigmoid", "tanh", "relu")]
    rows.append(["`'leaky_relu'`（a = 0）", cell(I.gain("leaky_relu", 0.0), 5), "`kaiming_*_` の既定"])
    return table(["nonlinearity", "gain（`gain()` の実行結果）", "PyTorch"], rows)


# -- normalization ---------------------------------------------------------------------------------------------------
BN_X = [[7.0, 1.0], [-4.0, 5.0], [-1.0, 5.0], [-4.0, 1.0]]
LN_X = [[7.0, 1.0, 3.0], [-4.0, 5.0, 0.0], [-1.0, 5.0, 1.0], [-4.0, 1.0, 4.0]]  # a third feature: with two, LN gives ±1
BN_GAMMA, BN_BETA = [2.0, 0.5], [1.0, 0.0]


def _batchnorm_worked(m: Any) -> str:
    import numpy as np

    from ..formulas import number, number_latex
    from .macros import cell, display_math, table

    NZ = _module("normalization")
    x = np.array(BN_X)
    bn = NZ.BatchNormalization(np.array(BN_GAMMA), np.array(BN_BETA))
    env = NZ.rule("train").step({"x": x, "gamma": np.array(BN_GAMMA), "beta": np.array(BN_BETA), "eps": bn.eps})
    y = bn.forward(x.copy())
    assert np.allclose(y, env["y"], atol=1e-12)  # the class and the rule agree (tested; asserted for the page)
    mu, var = env["mu"].ravel(), env["var"].ravel()
    rows = [[str(i + 1), *[cell(v) for v in x[i]], *[cell(v, 4) for v in env["xn"][i]], *[cell(v, 4) for v in y[i]]]
            for i in range(len(x))]
    rows.append(["平均 $\\mu_B$", *[cell(v) for v in mu], "", "", "", ""])
    rows.append(["分散 $\\sigma_B^2$", *[cell(v) for v in var], "", "", "", ""])
    header = ["データ", "$x$（特徴 1）", "$x$（特徴 2）", "$\\hat{x}$（特徴 1）", "$\\hat{x}$（特徴 2）",
              "$y$（特徴 1）", "$y$（特徴 2）"]
    eps = _defaults(NZ.BatchNormalization)["eps"]
    intro = (f"{len(x)} 個のデータ・{x.shape[1]} つの特徴からなるミニバッチで、"
             f"$\\gamma = ({number(BN_GAMMA[0])},\\ {number(BN_GAMMA[1])})$, "
             f"$\\beta = ({number(BN_BETA[0])},\\ {number(BN_BETA[1])})$、$\\varepsilon = {number_latex(eps)}$ として"
             "訓練時の順伝播を計算する（表の値は `BatchNormalization.forward` の実行結果）。"
             "特徴ごとに、つまり表の列ごとに平均と分散をとる。\n\n")
    j, i = 0, 0
    steps = [f"\\mu_B = \\frac{{{' + '.join(_p(v) for v in x[:, j])}}}{{{len(x)}}} = {number(mu[j])}",
             f"\\sigma_B^2 = \\frac{{{' + '.join(f'({_p(v)} - {_p(mu[j])})^2' for v in x[:, j])}}}{{{len(x)}}} = "
             f"{number(var[j])}",
             f"\\hat{{x}}_1 = \\frac{{{_p(x[i, j])} - {_p(mu[j])}}}{{\\sqrt{{{number(var[j])} + "
             f"{number_latex(eps)}}}}} = {number(env['xn'][i, j])}",
             f"y_1 = {_p(BN_GAMMA[j])} \\times {_p(env['xn'][i, j])} + {_p(BN_BETA[j])} = {number(y[i, j])}"]
    out = intro + table(header, rows) + "\n特徴 1 の 1 番目のデータについて書き下すと:\n"
    return out + display_math("\\begin{aligned}\n" + " \\\\\n".join(s.replace(" = ", " &= ", 1) for s in steps)
                              + "\n\\end{aligned}")


def _p(v: float) -> str:
    from ..formulas import number

    text = number(float(v))
    return f"({text})" if text.startswith("-") else text


def _batchnorm_running(m: Any) -> str:
    """running_mean / running_var over many mini-batches: PyTorch's definition (this site's class) against the
    textbook class's (momentum 0.9 on the old value, biased variance, zeros at the start)."""
    import numpy as np

    from .. import plots
    from ..formulas import number
    from .macros import cell, table

    NZ = _module("normalization")
    rng = np.random.default_rng(0)
    true_mean, true_std, m_size, batches = 2.0, 2.0, 4, 80
    bn = NZ.BatchNormalization(np.ones(1), np.zeros(1))
    tb = NZ.rule("running", "textbook")
    r_mean, r_var = 0.0, 0.0
    series = {"pm": [0.0], "pv": [1.0], "tm": [0.0], "tv": [0.0]}
    for _ in range(batches):
        x = rng.normal(true_mean, true_std, size=(m_size, 1))
        bn.forward(x.copy())
        env = tb.step({"running_mean": r_mean, "running_var": r_var, "mu": float(x.mean()), "var": float(x.var()),
                       "momentum": NZ.TEXTBOOK_DEFAULTS["momentum"]})
        r_mean, r_var = float(env["running_mean"]), float(env["running_var"])
        series["pm"].append(float(bn.running_mean[0]))
        series["pv"].append(float(bn.running_var[0]))
        series["tm"].append(r_mean)
        series["tv"].append(r_var)
    steps = list(range(batches + 1))
    tail = slice(batches // 2, None)
    biased_limit = true_std**2 * (m_size - 1) / m_size  # E[σ²_B] = (m − 1)/m · σ²
    data = {"panels": [
        {"title": "平均の移動平均", "xlabel": "ミニバッチの数", "ylabel": "running_mean",
         "series": [{"label": "PyTorch の定義", "x": steps, "y": series["pm"]},
                    {"label": "ゼロつくの定義", "x": steps, "y": series["tm"]},
                    {"label": "真の値", "x": [0, batches], "y": [true_mean, true_mean], "color": "#7f7f7f"}]},
        {"title": "分散の移動平均", "xlabel": "ミニバッチの数", "ylabel": "running_var",
         "series": [{"label": "PyTorch の定義", "x": steps, "y": series["pv"]},
                    {"label": "ゼロつくの定義", "x": steps, "y": series["tv"]},
                    {"label": "真の値", "x": [0, batches], "y": [true_std**2] * 2, "color": "#7f7f7f"}]}]}
    link = m._svg("bn-running", "curves", data, lambda: plots.curves_svg(data))
    caption = (f"平均 {number(true_mean)}、分散 {number(true_std**2)} の正規分布から $m = {m_size}$ 個ずつ引いた"
               f"ミニバッチで {batches} 回訓練したときの移動平均（乱数の種 0）。PyTorch の定義は momentum = "
               f"{number(bn.momentum)}（新しい統計量の重み）・不偏分散・分散の初期値 1、ゼロつくの定義は momentum = "
               f"{number(NZ.TEXTBOOK_DEFAULTS['momentum'])}（古い値の重み）・m で割った分散・初期値 0。")
    rows = [["PyTorch（このサイトのクラス）", cell(float(np.mean(series["pm"][tail])), 4),
             cell(float(np.mean(series["pv"][tail])), 4), cell(true_std**2, 4)],
            ["ゼロつくのクラス", cell(float(np.mean(series["tm"][tail])), 4),
             cell(float(np.mean(series["tv"][tail])), 4), cell(biased_limit, 4)]]
    header = ["定義", f"後半 {batches - batches // 2} 回の running_mean の平均", "running_var の平均",
              "running_var が近づく値（期待値）"]
    return m._figure(link, "移動平均の推移", caption) + "\n" + table(header, rows)


def _batchnorm_histograms(m: Any) -> str:
    """The initialization experiment (tanh) with badly scaled weights, with and without batch normalization."""
    import numpy as np

    from ..formulas import number
    from . import chapter_plots
    from .macros import cell, table

    NZ = _module("normalization")
    edges = np.linspace(-1.0, 1.0, 31)
    data_rows, rows = [], []
    for std in (1.0, 0.01):
        for bn in (False, True):
            acts = NZ.activations(std, batchnorm=bn)
            hists = [(np.histogram(a.ravel(), bins=edges)[0] / a.size).round(6).tolist() for a in acts]
            label = f"標準偏差 {number(std)}、" + ("バッチ正規化あり" if bn else "なし")
            data_rows.append({"label": label, "hists": hists})
            rows.append([label, *[cell(float(np.std(a)), 3) for a in acts]])
    data = {"edges": edges.round(6).tolist(), "rows": data_rows, "xlabel": "活性化の値"}
    link = _svg(m, "bn-hist", "chapter-hist", data, lambda: chapter_plots.histograms_svg(data))
    d = _defaults(NZ.activations)
    cap = (f"重みの初期化のページと同じ {d['layers']} 層・各 {d['nodes']} ノードのネットワーク（活性化関数は tanh）で、"
           "各層の活性化関数の前にバッチ正規化（$\\gamma = 1$, $\\beta = 0$）を入れた場合と入れない場合"
           f"（`activations`、乱数の種 {d['seed']}）。")
    header = ["重みと正規化", *[f"{k} 層目の標準偏差" for k in range(1, d["layers"] + 1)]]
    return m._figure(link, "バッチ正規化の有無による活性化の分布", cap) + "\n" + table(header, rows, "qg-runs")


def _layernorm_worked(m: Any) -> str:
    import numpy as np

    from .macros import cell, table

    NZ = _module("normalization")
    x = np.array(LN_X)
    d = x.shape[1]
    layer = NZ.LayerNormalization(np.ones(d), np.zeros(d))
    ln = layer.forward(x)
    bn = NZ.BatchNormalization(np.ones(d), np.zeros(d)).forward(x.copy())
    env = NZ.rule("layer").step({"x": x, "gamma": np.ones(d), "beta": np.zeros(d), "eps": layer.eps})
    rows = [[str(i + 1), *[cell(v) for v in x[i]], cell(float(env["mu"][i, 0]), 4), cell(float(env["var"][i, 0]), 4),
             "(" + ", ".join(cell(v, 3) for v in ln[i]) + ")", "(" + ", ".join(cell(v, 3) for v in bn[i]) + ")"]
            for i in range(len(x))]
    header = ["データ", *[f"$x_{k + 1}$" for k in range(d)], "データごとの平均", "データごとの分散",
              "レイヤー正規化の $\\hat{x}$", "バッチ正規化の $\\hat{x}$"]
    from ..formulas import number_latex

    return ("同じミニバッチを、$\\gamma = 1$, $\\beta = 0$ としてレイヤー正規化（行ごと）とバッチ正規化（列ごと）で"
            "正規化した結果（`LayerNormalization` と `BatchNormalization` の実行結果、"
            f"$\\varepsilon = {number_latex(layer.eps)}$）。\n\n" + table(header, rows))


# -- clipping --------------------------------------------------------------------------------------------------------
CLIP_G = [[3.0, -4.0], [12.0]]


def _clip_table(m: Any) -> str:
    import numpy as np

    from ..formulas import number
    from .macros import cell, table

    CL = _module("clipping")
    raw = np.concatenate(CLIP_G)
    rows = []
    for c in (20.0, 13.0, 5.0, 1.0):
        by_norm = [np.array(g) for g in CLIP_G]
        total = CL.clip_grads(by_norm, c)
        by_value = [np.array(g) for g in CLIP_G]
        CL.clip_grads_by_value(by_value, c)
        n, v = np.concatenate(by_norm), np.concatenate(by_value)
        angle = float(np.degrees(np.arccos(np.clip(v @ raw / np.linalg.norm(v) / np.linalg.norm(raw), -1, 1))))
        rows.append([number(c), "(" + ", ".join(cell(x, 5) for x in n) + ")", cell(float(np.linalg.norm(n)), 9),
                     "(" + ", ".join(cell(x, 5) for x in v) + ")", cell(float(np.linalg.norm(v)), 5),
                     cell(angle, 3)])
    intro = (f"2 つのパラメータの勾配 $g_1 = ({number(CLIP_G[0][0])},\\ {number(CLIP_G[0][1])})$, "
             f"$g_2 = {number(CLIP_G[1][0])}$ をまとめたベクトルのノルムは {number(float(total))}。"
             "しきい値 $c$ を変えて、ノルムによるクリッピング（`clip_grads`）と値によるクリッピング"
             "（`clip_grads_by_value`）を実行した結果:\n\n")
    header = ["$c$", "ノルムで: $g'$", "$\\lVert g' \\rVert$", "値で: $g'$", "$\\lVert g' \\rVert$",
              "値で: 向きの変化（度）"]
    return intro + table(header, rows)


CLIFF_RUN = {"start": (3.0, 1.0), "lr": 0.2, "steps": 30, "max_norm": 1.0}


def _clip_cliff(m: Any) -> str:
    import numpy as np

    from ..formulas import number
    from . import chapter_plots
    from .macros import cell, table

    CL = _module("clipping")
    r = CLIFF_RUN
    runs = [("クリッピングなし", CL.descend(r["start"], r["lr"], r["steps"])),
            (f"クリッピングあり（c = {number(r['max_norm'])}）",
             CL.descend(r["start"], r["lr"], r["steps"], max_norm=r["max_norm"]))]
    w1 = np.linspace(-8.0, 4.0, 181)
    w2 = np.linspace(-1.5, 1.5, 91)
    W1, W2 = np.meshgrid(w1, w2)
    z = CL.cliff_loss(np.array([W1, W2]))
    series, rows = [], []
    for label, path in runs:
        pts = np.array(path)
        losses = [float(CL.cliff_loss(p)) for p in pts]
        series.append({"label": label, "points": pts.round(6).tolist(), "losses": losses})
        grads = [float(np.linalg.norm(CL.cliff_grad(p))) for p in pts[:-1]]
        jumps = np.linalg.norm(np.diff(pts, axis=0), axis=1)
        k = int(np.argmax(jumps))
        rows.append([label, cell(max(grads), 4), f"{cell(float(jumps[k]), 4)}（{k + 1} 回目）",
                     cell(float(pts[k + 1][0]), 4), cell(losses[-1], 4)])
    data = {"w1": w1.round(6).tolist(), "w2": w2.round(6).tolist(), "z": np.maximum(z, 1e-6).round(9).tolist(),
            "series": series,
            "wall": CL.CLIFF["at"], "title": "崖のある損失"}
    link = _svg(m, "clip-cliff", "chapter-cliff", data, lambda: chapter_plots.cliff_svg(data))
    cap = (f"損失 $L(w) = w_1^2/4 + w_2^2 + {number(CL.CLIFF['height'])}\\,\\sigma({number(CL.CLIFF['steepness'])}"
           f"(w_1 - {number(CL.CLIFF['at'])}))$（$\\sigma$ はシグモイド関数）を、点 "
           f"$({number(r['start'][0])},\\ {number(r['start'][1])})$ から学習率 {number(r['lr'])} の勾配降下法で "
           f"{r['steps']} 回最小化した（`descend`）。$w_1 = {number(CL.CLIFF['at'])}$ に高さ "
           f"{number(CL.CLIFF['height'])} の急な壁がある。")
    header = ["実行", "勾配のノルムの最大", "1 回の移動の最大", "そのときの着地点 $w_1$", f"{r['steps']} 回後の損失"]
    return m._figure(link, "崖での勾配降下法とクリッピング", cap) + "\n" + table(header, rows)


def _clip_rnn(m: Any) -> str:
    import numpy as np

    from .. import plots
    from ..formulas import number
    from .macros import cell

    CL = _module("clipping")
    b = -2.5
    ws = np.linspace(3.0, 7.0, 801)
    vals = [CL.rnn_loss(w, b) for w in ws]
    loss = [float(v[0]) for v in vals]
    grad = [abs(float(v[1])) for v in vals]
    k = int(np.argmax(grad))
    data = {"panels": [
        {"title": "損失", "xlabel": "w", "ylabel": "L（対数）", "log": True,
         "series": [{"label": "損失 L", "x": ws.round(6).tolist(), "y": loss}]},
        {"title": "勾配の大きさ", "xlabel": "w", "ylabel": "|∂L/∂w|（対数）", "log": True,
         "series": [{"label": "|∂L/∂w|", "x": ws.round(6).tolist(), "y": grad, "color": "#d62728"}]}]}
    link = m._svg("clip-rnn", "curves", data, lambda: plots.curves_svg(data))
    d = _defaults(CL.rnn_loss)
    cap = (f"1 ユニットの RNN $x_t = w\\,\\sigma(x_{{t-1}}) + b$ を {d['steps']} ステップ進めた $x_{{{d['steps']}}}$ と"
           f"目標 {number(d['target'])} の 2 乗誤差を、$b = {number(b)}$ に固定して $w$ の関数として描いた"
           f"（`rnn_loss`、$x_0 = {number(d['x0'])}$）。$w$ = {number(ws[k], 4)} "
           f"付近で損失が急に変わる崖があり、そこで勾配の大きさは {cell(grad[k], 3)} に達する（ほかの場所では "
           f"{cell(float(np.median(grad)), 3)} 程度）。")
    return m._figure(link, "RNN の損失にできる崖", cap)
