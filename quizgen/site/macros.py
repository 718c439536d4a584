"""The macros that hand-written pages call: ``{{ rule("adam") }}``, ``{{ worked_example("sgd") }}`` …

Each macro returns Markdown (math as ``$…$`` / ``$$…$$`` for pymdownx.arithmatex) built only
from executed objects: the reference classes and their sympy rules (``optimizers``), traces
(``quizgen.trace.run``), substituted formulas (``quizgen.formulas``), the equivalence findings,
the mistakes registry and the training comparison. Plots are SVG files returned beside the
Markdown (``RenderedPage.assets``) and linked relative to the page.

The macro contract (names and arguments) is what the prose pages use; see docs/about.md.
"""

from __future__ import annotations

import functools
import html as htmllib
import importlib
import inspect
import math
import posixpath
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

import optimizers
from optimizers import Rule

from .. import plots
from .. import problems as P
from ..formulas import number, number_latex, step_lines
from ..trace import Trace, run
from . import chapter
from . import examples as X
from . import svg as svg_site
from .cache import digest
from .render import GENERATED, MACROS, SiteBuilder, SiteError

KIND_JA = {"param": "パラメータ", "grad": "勾配", "state": "状態（更新をまたいで保持）", "hyper": "ハイパーパラメータ",
           "step": "ステップ数", "temp": "途中の量（毎回計算）"}
ARG_UNICODE = {"lr": "η", "eps": "ε", "momentum": "α", "decay_rate": "ρ", "rho": "ρ", "weight_decay": "λ"}
NARROW = 4.1  # inches: the width of a figure's phone layout (quizgen.site.svg.MIN_TEXT_PX at 358 px of content)


# -- small formatting helpers ---------------------------------------------------------------------------------
def indent(text: str, n: int = 4) -> str:
    return textwrap.indent(text, " " * n, lambda line: line.strip() != "")


def display_math(tex: str) -> str:
    return f"\n$$\n{tex.strip()}\n$$\n"


def cell(x: Any, sig: int = 6) -> str:
    """A number for a table cell: plain decimal, or math when it needs a power of ten."""
    if x is None:
        return "—"
    text = number(x, sig)
    if "e" in text and text not in ("inf", "-inf"):
        return f"${number_latex(x, sig)}$"
    return text


def distinct(a: float, b: float, sig: int = 4) -> tuple[str, str]:
    """``a`` and ``b`` as text with the fewest significant digits (at least ``sig``) that tell them apart."""
    for n in range(sig, 16):
        sa, sb = number(a, n), number(b, n)
        if sa != sb:
            return sa, sb
    return number(a, 16), number(b, 16)


def table(header: Sequence[str], rows: Sequence[Sequence[str]], cls: str | None = None) -> str:
    """A Markdown table; with ``cls``, inside a ``<div class="cls">`` that the site's CSS styles."""
    def clean(c: Any) -> str:
        # a | would split the cell: inside math it becomes \vert, in text an HTML entity (code spans keep theirs)
        parts = re.split(r"(\$[^$]*\$|`[^`]*`)", str(c).replace("\n", " "))
        return "".join(p.replace("|", r"\vert ") if p.startswith("$") else p if p.startswith("`")
                       else p.replace("|", "&#124;") for p in parts)

    lines = ["| " + " | ".join(clean(h) for h in header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(clean(c) for c in r) + " |" for r in rows]
    text = "\n".join(lines) + "\n"
    return f'<div class="{cls}" markdown="1">\n\n{text}\n</div>\n' if cls else text


def tabs(items: Sequence[tuple[str, str]]) -> str:
    out = []
    for title, body in items:
        out.append(f'=== "{title}"\n\n{indent(body.strip())}\n')
    return "\n".join(out)


def admonition(kind: str, title: str, body: str, *, collapsible: bool = False, open_: bool = False) -> str:
    head = ("???+" if open_ else "???") if collapsible else "!!!"
    return f'{head} {kind} "{title}"\n\n{indent(body.strip())}\n'


def plain_value(v: Any) -> str:
    """A finding's figure as text: numbers via ``number``, lists and dicts element by element."""
    if isinstance(v, bool):
        return "はい" if v else "いいえ"
    if isinstance(v, (int, float, np.floating, np.integer)):
        return cell(v, 4)
    if isinstance(v, np.ndarray):
        return plain_value(v.tolist())
    if isinstance(v, Mapping):
        return "、".join(f"{k} = {plain_value(x)}" for k, x in v.items())
    if isinstance(v, (list, tuple)):
        return "; ".join(plain_value(x) for x in v)
    return str(v)


@functools.cache
def _rule_cached(key: str, convention: str, frozen: tuple) -> Rule:
    return optimizers.rule(key, convention, **dict(frozen))


def get_rule(key: str, convention: str = "textbook", **options: Any) -> Rule:
    """``optimizers.rule(...)``, built once per build (building parses every expression with sympy)."""
    return _rule_cached(_module(key).INFO.key, convention, tuple(sorted(options.items())))


_TRACES: dict[str, Trace] = {}


def run_cached(key: str, **kwargs: Any) -> Trace:
    """``quizgen.trace.run(key, **kwargs)``, once per build for the same arguments (the trajectory of a
    page and the same run in the comparison on another page are one execution)."""
    memo = repr((key, sorted(kwargs.items())))
    if memo not in _TRACES:
        _TRACES[memo] = run(key, **kwargs)
    return _TRACES[memo]


def _module(key: str):
    try:
        return optimizers.get(key)
    except ValueError as e:
        raise SiteError(str(e)) from None


def class_defaults(key: str) -> dict[str, Any]:
    """The reference class's constructor defaults, read from its signature."""
    params = inspect.signature(_module(key).INFO.cls.__init__).parameters
    return {k: p.default for k, p in params.items() if k != "self" and p.default is not inspect.Parameter.empty}


def arg_symbol(rule: Rule, arg: str) -> str:
    """LaTeX of the rule symbol bound to constructor argument ``arg`` (``lr`` → ``\\eta``)."""
    for s in rule.symbols.values():
        if s.code == arg and s.kind == "hyper":
            return s.latex
    return r"\texttt{" + arg.replace("_", r"\_") + "}"


def settings_tex(key: str, kwargs: Mapping[str, Any]) -> str:
    """``$\\eta = 0.1$, $\\alpha = 0.9$`` for constructor arguments."""
    rule = get_rule(key, "textbook")
    if not kwargs:
        return ""
    return ", ".join(f"${arg_symbol(rule, k)} = {number_latex(v)}$" for k, v in kwargs.items())


def display_name(key: str) -> str:
    return _module(key).INFO.cls.__name__


def _grads_arg(grads: Any, params0: Any) -> tuple[list[dict[str, Any]] | None, dict[str, Any] | None]:
    """Accept plain numbers for a scalar parameter ``W``: ``grads=[2, 1]``, ``params0=1.0``."""
    if grads is not None:
        grads = [g if isinstance(g, Mapping) else {"W": g} for g in grads]
    if params0 is not None and not isinstance(params0, Mapping):
        params0 = {"W": params0}
    return grads, params0


def view_holding(prob: P.Problem, points: np.ndarray, margin: float = 0.06) -> dict[str, list[float]]:
    """The problem's view, widened where a (finite) path leaves it, so the figure shows the whole path (the overshoot
    a caption talks about); {} when the path fits."""
    pts = np.asarray(points, dtype=float)
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    (x0, x1), (y0, y1) = prob.xlim, prob.ylim
    if not len(pts) or (pts[:, 0].min() >= x0 and pts[:, 0].max() <= x1 and pts[:, 1].min() >= y0
                        and pts[:, 1].max() <= y1):
        return {}
    lo_x, hi_x = min(x0, pts[:, 0].min()), max(x1, pts[:, 0].max())
    lo_y, hi_y = min(y0, pts[:, 1].min()), max(y1, pts[:, 1].max())
    dx, dy = (hi_x - lo_x) * margin, (hi_y - lo_y) * margin
    return {"xlim": [float(lo_x - (dx if lo_x < x0 else 0)), float(hi_x + (dx if hi_x > x1 else 0))],
            "ylim": [float(lo_y - (dy if lo_y < y0 else 0)), float(hi_y + (dy if hi_y > y1 else 0))]}


def behaviour(losses: Sequence[float | None]) -> tuple[str, str]:
    """What a run did, read from its losses: (short verdict, one sentence with the numbers).

    Rules, in order: a value that stops being finite → 発散; a final loss above the initial one →
    発散 (over 10×) or 下がらない; a final loss below 10⁻⁴ of the initial one → 収束; a final loss
    over 10× the lowest one reached, with the loss going up again in the second half → 振動;
    a final loss above 0.1 of the initial one → 遅い; otherwise → 収束に向かう. Numbers that need a power of
    ten are written as math (``$1.62 \\times 10^{11}$``), as in the tables beside them."""
    vals = [math.nan if v is None else float(v) for v in losses]
    l0, final = vals[0], vals[-1]
    bad = [i for i, v in enumerate(vals) if not math.isfinite(v)]
    if bad:
        return "発散", f"ステップ {bad[0]} で値が有限でなくなった（オーバーフロー）"
    ratio = final / l0 if l0 else math.inf
    lo = min(vals)
    if final >= l0:
        if ratio > 10:
            return "発散", f"損失が初期値の {cell(ratio, 3)} 倍に増えた"
        return "下がらない", f"最終の損失が初期値の {cell(ratio, 3)} 倍で、初期値より小さくならない"
    if ratio < 1e-4:
        return "収束", f"損失は初期値の {cell(ratio, 3)} 倍まで下がった"
    tail = np.diff(vals[len(vals) // 2:])
    if final > 10 * lo and np.any(tail > 0):
        return "振動", (f"一度は損失 {cell(lo, 3)}（ステップ {vals.index(lo)}）まで下がったが、最小点のまわりを"
                      f"行き来して最後は {cell(final, 3)}（初期値の {cell(ratio, 3)} 倍）")
    if ratio > 0.1:
        return "遅い", f"損失は初期値の {cell(ratio, 3)} 倍までしか下がらない"
    return "収束に向かう", f"損失は初期値の {cell(ratio, 3)} 倍まで下がった"


class Macros:
    """The macros of one page (they register the page's generated files in ``assets``)."""

    def __init__(self, builder: SiteBuilder, src: str, assets: dict[str, bytes]):
        self.builder, self.src, self.assets = builder, src, assets

    def call(self, name: str, args: tuple, kwargs: dict) -> str:
        """Run macro ``name``; any failure names the macro and its arguments."""
        if name not in MACROS:
            raise SiteError(f"unknown macro {name!r}")
        try:
            return getattr(self, name)(*args, **kwargs)
        except SiteError:
            raise
        except Exception as e:
            shown = ", ".join([repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()])
            raise SiteError(f"{name}({shown}): {type(e).__name__}: {e}") from e

    # -- files ---------------------------------------------------------------------------------
    def _svg(self, stem: str, kind: str, data: Any, make: Callable[[], str]) -> str:
        """Register a plot (cached by its data) and return its link relative to this page's source."""
        svg = self.builder.cached_svg(kind, data, make)
        uri = f"{GENERATED}/{stem}-{digest(svg)[:12]}.svg"
        self.assets[uri] = svg
        return self.builder.link(self.src, uri)

    def _narrow(self, stem: str, data: Mapping[str, Any]) -> str | None:
        """A phone's layout of a paths-and-loss figure: the paths above the loss, :data:`NARROW` inches wide, so
        that its smallest text (8 pt) shows at 9 CSS px or more on a 390 px screen (358 px of content). None for
        more than ``plots.MANY`` series, whose legend would cover the paths: that figure scrolls sideways."""
        if len(data["series"]) > plots.MANY:
            return None
        below = data.get("legend") == "below"  # then the loss panel carries the legend, not the paths
        paths = {**data, "series": [{k: v for k, v in s.items() if k != "label" or not below} for s in data["series"]]}
        loss = {"series": [{k: v for k, v in s.items() if k != "label" or below} for s in data["series"]],
                "title": "損失の推移"}
        return self._svg(f"{stem}-narrow", "paths_and_loss_narrow", data, lambda: svg_site.stacked(
            plots.paths_svg(paths, width=NARROW, height=3.3), plots.loss_svg(loss, width=NARROW, height=2.6)))

    def _url(self, link: str) -> str:
        """A link relative to this page's source (``_svg``) made relative to the page's URL, for raw HTML that
        MkDocs does not rewrite (``optimizers/adam.md`` is served as ``optimizers/adam/``)."""
        return self.builder.url_link(self.src, posixpath.normpath(posixpath.join(posixpath.dirname(self.src), link)))

    def _figure(self, link: str, alt: str, caption: str, narrow: str | None = None) -> str:
        """A figure; with ``narrow``, a second drawing for screens up to 719 px wide (``<picture>``). Each drawing
        keeps its smallest text at 9 CSS px or more: below the width where it would not, it scrolls sideways."""
        def size(ln: str) -> tuple[str, bytes]:  # (site path, SVG)
            uri = posixpath.normpath(posixpath.join(posixpath.dirname(self.src), ln))
            return uri, self.assets[uri]

        text = size(link)[1].decode("utf-8")
        dims = svg_site.size_pt(text)
        attrs = f' width="{round(dims[0] * 4 / 3)}" height="{round(dims[1] * 4 / 3)}"' if dims else ""
        style = f"--qg-min: {svg_site.min_width_px(text)}px"
        source = ""
        if narrow is not None:
            style += f"; --qg-min-narrow: {svg_site.min_width_px(size(narrow)[1].decode('utf-8'))}px"
            source = f'<source media="(max-width: 719px)" srcset="{self._url(narrow)}">'
        img = (f'<img src="{self._url(link)}" alt="{htmllib.escape(alt)}" loading="lazy"{attrs} '
               f'style="{style}">')
        return (f'\n<figure class="qg-figure" markdown="1">\n<picture>{source}{img}</picture>\n'
                f'<figcaption markdown="span">{caption}</figcaption>\n</figure>\n')

    # == the macros =============================================================================
    def meta(self, key: str) -> str:
        """Names, paper, defaults (from the class signature), syllabus status: one admonition."""
        info = _module(key).INFO
        defaults = class_defaults(key)
        rule = get_rule(key, "textbook")
        rows = [["名前", f"{info.name_ja}<br>{info.name_en}"],
                ["論文", f"{info.paper}（{info.year} 年）"]]
        if defaults:
            items = []
            for arg, val in defaults.items():
                meaning = info.hyper.get(arg, ("", ""))[0]
                sym = arg_symbol(rule, arg)
                tex = f"${sym} = {number_latex(val)}$" if not sym.startswith(r"\texttt") else ""
                items.append(f"`{arg}={val!r}`" + (f" {tex}" if tex else "") + (f": {meaning}" if meaning else ""))
            rows.append(["既定値（参照実装）", "<br>".join(items)])
        else:
            rows.append(["既定値（参照実装）", "なし"])
        rows.append(["E資格シラバス", "キーワード（深層モデルのための最適化）" if info.syllabus
                     else "発展（シラバスのキーワード外）"])
        if info.torch:
            rows.append(["PyTorch", f"`torch.optim.{_torch_class(info.torch)}`"])
        body = f"{info.summary_ja}\n\n" + table(["項目", "内容"], rows)
        return admonition("info", f"{info.cls.__name__} の基本情報", body)

    def rule(self, key: str, convention: str = "textbook", **options: Any) -> str:
        """The update rule as display math (``Rule.latex()``, aligned)."""
        return display_math(get_rule(key, convention, **options).latex())

    def symbols(self, key: str, convention: str = "textbook", **options: Any) -> str:
        """Every symbol of the rule: symbol, meaning, kind, name in code."""
        return self._symbol_table(get_rule(key, convention, **options))

    @staticmethod
    def _symbol_table(rule: Rule) -> str:
        where = "torch.optim の引数・state 名" if rule.convention == "pytorch" else "コード上の名前"
        rows = [[f"${s.latex}$", s.ja, KIND_JA[s.kind], f"`{s.code}`" if s.code else "—"]
                for s in rule.symbols.values()]
        return table(["記号", "意味", "種類", where], rows)

    def source(self, key: str) -> str:
        """The reference class, included from its source file."""
        info = _module(key).INFO
        code = inspect.getsource(info.cls).rstrip()
        path = Path(inspect.getsourcefile(info.cls)).name
        return f'```python title="optimizers/{path}"\n{code}\n```\n'

    def worked_example(self, key: str) -> str:
        """Three steps by hand on a scalar W with given gradients: the table and every substitution."""
        spec = X.WORKED.get(_module(key).INFO.key)
        if spec is None:
            raise SiteError(f"no worked example set for {key!r} in quizgen/site/examples.py")
        trace = run(key, grads=[{"W": g} for g in spec.grads], params0={"W": spec.w0}, **spec.kwargs)
        return self._worked(trace, spec)

    def _worked(self, trace: Trace, spec: X.Worked) -> str:
        rule = trace.rule
        cols: list[str] = []  # in the order the rule computes them (W among them), derived ones last
        for target, _ in rule.assignments + rule.derived:
            s = rule.symbols[target]
            if target not in cols and (target == "W" or s.kind in ("state", "temp")):
                cols.append(target)
        hyper = ", ".join(f"${rule.symbols[n].latex} = {number_latex(v)}$" for n, v in trace.hyper.items())
        given = ", ".join(f"$g_{{{i}}} = {number_latex(g)}$" for i, g in enumerate(spec.grads, 1))
        intro = (f"パラメータ $W_0 = {number_latex(spec.w0)}$ から、各ステップの勾配 {given} が与えられたとき、"
                 f"{hyper} で {len(spec.grads)} 回更新する（状態の初期値は 0）。\n")
        # one row per quantity, one column per step: as many columns as steps whatever the optimizer (Adam's
        # eight quantities side by side were wider than the page)
        header = ["", *(f"$t = {step}$" for step in range(trace.steps + 1))]
        rows = [["$g_t$", "—", *(cell(trace.records[step - 1].grads["W"]) for step in range(1, trace.steps + 1))]]
        for c in cols:
            first = cell(trace.value(c, 0)) if c == "W" or rule.symbols[c].kind == "state" else "—"
            rows.append([f"${rule.symbols[c].latex}$", first,
                         *(cell(trace.value(c, step)) for step in range(1, trace.steps + 1))])
        steps = []
        for step in range(1, trace.steps + 1):
            lines = []
            targets = [t for t, _, _ in trace.records[step - 1].log[trace.keys[0]]]
            for target, line in zip(targets, step_lines(trace, step)):
                tex = rule.symbols[target].latex
                prefix = f"{tex}_{{{step}}}"
                if ("_" in tex or "^" in tex) and line.startswith(prefix):  # \eta_t_{1} is a double subscript
                    line = f"{{{tex}}}_{{{step}}}" + line[len(prefix):]
                lines.append(line.replace(" = ", " &= ", 1))
            steps.append((f"ステップ {step}", display_math("\\begin{aligned}\n" + " \\\\\n".join(lines)
                                                        + "\n\\end{aligned}")))
        out = intro + "\n" + table(header, rows, "qg-steps") + "\n"
        if spec.note_ja:
            out += spec.note_ja + "\n\n"
        # the substitutions are most of the section's weight: a closed block, fetched when opened (lazy.py)
        out += admonition("example", "各ステップの計算（右辺の記号には一つ前のステップの値が入る）", tabs(steps),
                          collapsible=True)
        return out

    # -- plots ---------------------------------------------------------------------------------
    def _run_setting(self, key: str, problem: str, kwargs: Mapping[str, Any], steps: int | None = None,
                     start: Sequence[float] | None = None) -> Trace:
        return run_cached(key, problem=problem, start=tuple(start or X.STARTS[problem]),
                   steps=steps or X.STEPS[problem], **dict(kwargs))

    @staticmethod
    def _series(label: str, trace: Trace) -> dict[str, Any]:
        return {"label": label, "points": trace.path().tolist(), "losses": [float(v) for v in trace.losses]}

    def _setting_text(self, key: str, setting: X.Setting, problem: str | None = None) -> str:
        text = settings_tex(key, setting.kwargs)
        if "lr" not in class_defaults(key):
            text = "学習率なし" + (f"（{text}）" if text else "")
        text += f"（{setting.why_ja}）" if setting.why_ja else ""
        if setting.instead and problem is not None:  # the claim "η = 1 would not do" is executed, not typed
            alt = self._run_setting(key, problem, {**setting.kwargs, **setting.instead})
            verdict, sentence = behaviour(alt.losses)
            text += f"。参考: {settings_tex(key, setting.instead)} では{verdict}（{sentence}）"
        return text

    def trajectories(self, key: str) -> str:
        """Its path on the bowl and on the ravine, over contour lines, with the loss against step."""
        info = _module(key).INFO
        out = []
        for problem in X.TRAJECTORY_PROBLEMS:
            setting = X.SETTINGS[problem][info.key]
            trace = self._run_setting(key, problem, setting.kwargs)
            prob = P.get(problem)
            data = {"problem": problem, "title": prob.name_ja, "series": [self._series(info.cls.__name__, trace)],
                    **view_holding(prob, trace.path())}
            link = self._svg(f"{info.key}-{problem}", "paths_and_loss", data,
                             lambda d=data: plots.paths_and_loss_svg(d))
            narrow = self._narrow(f"{info.key}-{problem}", data)
            verdict, sentence = behaviour(trace.losses)
            start = ", ".join(number(v) for v in X.STARTS[problem])
            caption = (f"{prob.name_ja} ${prob.formula}$ を $({start})$ から {trace.steps} ステップ。"
                       f"{info.cls.__name__}: {self._setting_text(key, setting, problem)}。"
                       f"損失 {cell(trace.losses[0], 4)} → {cell(trace.losses[-1], 4)}（{sentence}）。")
            out.append(self._figure(link, f"{info.cls.__name__} の {prob.name_ja} での軌跡", caption, narrow))
        if (self.builder.docs_dir / "playground.md").exists():  # the playground, opened with this optimizer
            link = self.builder.link(self.src, "playground.md")
            out.append(f"[:material-play: 遊び場で {info.cls.__name__} の学習率や出発点を動かす]({link}?a={info.key})"
                       "{ .md-button .qg-play-link }\n")
        return "\n".join(out)

    def lr_effect(self, key: str) -> str:
        """The same run at a small, a middle and a large learning rate: plot and losses. Each row and legend entry is
        labelled by what its run did (read from its losses, ``behaviour``), never by what the value was meant to show;
        the run that ends lowest is marked."""
        info = _module(key).INFO
        spec = X.LR_EFFECT[info.key]
        rule = get_rule(key, "textbook")
        sym = arg_symbol(rule, spec.argument)
        steps = spec.steps or X.STEPS[spec.problem]
        runs = [(value, self._run_setting(key, spec.problem, {**spec.fixed, spec.argument: value}, steps))
                for value in spec.values]
        finals = [t.losses[-1] for _, t in runs]
        best = min(range(len(runs)), key=lambda i: finals[i] if finals[i] is not None and math.isfinite(finals[i])
                   else math.inf)
        series, rows = [], []
        for i, (value, trace) in enumerate(runs):
            verdict, sentence = behaviour(trace.losses)
            label = f"{ARG_UNICODE.get(spec.argument, spec.argument)} = {number(value)}（{verdict}）"
            series.append(self._series(label, trace))
            final = cell(trace.losses[-1], 4) + ("（3 つの中で最小）" if i == best else "")
            rows.append([f"${sym} = {number_latex(value)}$", f"**{verdict}**", cell(trace.losses[0], 4), final,
                         sentence])
        prob = P.get(spec.problem)
        # the too-large rate wanders over the whole view: no corner of the paths is free for the legend
        data = {"problem": spec.problem, "title": prob.name_ja, "series": series, "legend": "below"}
        link = self._svg(f"{info.key}-lr", "paths_and_loss", data, lambda: plots.paths_and_loss_svg(data))
        narrow = self._narrow(f"{info.key}-lr", data)
        start = ", ".join(number(v) for v in X.STARTS[spec.problem])
        caption = (f"{prob.name_ja} ${prob.formula}$ を $({start})$ から {steps} ステップ、${sym}$ だけを変えた "
                   f"{info.cls.__name__}（その他は既定値）。")
        out = (spec.note_ja + "\n\n" if spec.note_ja else "") + self._figure(link, f"{info.cls.__name__} の"
                                                                            f" {spec.argument} の影響", caption, narrow)
        header = [f"${sym}$", "結果", "初期の損失", f"{steps} ステップ後の損失", "実際に起きたこと（実行結果から）"]
        out += "\n" + table(header, rows, "qg-runs")  # the last column is a sentence
        return out

    def paths(self, problem: str, runs: Sequence[Sequence[Any]], steps: int = 30,
              start: Sequence[float] | None = None) -> str:
        """Several runs ``[(key, class_kwargs), ...]`` overlaid on one surface, with a legend."""
        prob = P.get(problem)
        series, parts = [], []
        for item in runs:
            key, kwargs = (item[0], dict(item[1]) if len(item) > 1 and item[1] else {})
            trace = self._run_setting(key, problem, kwargs, steps, start)
            label = display_name(key) + (f" ({', '.join(f'{k}={number(v)}' for k, v in kwargs.items())})"
                                         if kwargs else "")
            series.append(self._series(label, trace))
            parts.append(f"{display_name(key)}: {settings_tex(key, kwargs) or '既定値'}")
        data = {"problem": problem, "title": prob.name_ja, "series": series}
        link = self._svg(f"paths-{problem}", "paths_and_loss", data, lambda: plots.paths_and_loss_svg(data))
        narrow = self._narrow(f"paths-{problem}", data)
        s = ", ".join(number(v) for v in (start or X.STARTS[problem]))
        caption = f"{prob.name_ja} ${prob.formula}$ を $({s})$ から {steps} ステップ。" + "、".join(parts) + "。"
        return self._figure(link, f"{prob.name_ja} での軌跡の比較", caption, narrow)

    def compare_paths(self, problem: str) -> str:
        """Every optimizer on one surface: small multiples side by side, then one overlay, then a table."""
        prob = P.get(problem)
        series, rows = [], []
        for key in X.available():
            setting = X.SETTINGS[problem][key]
            trace = self._run_setting(key, problem, setting.kwargs)
            series.append(self._series(display_name(key), trace))
            verdict, sentence = behaviour(trace.losses)
            rows.append([display_name(key), self._setting_text(key, setting, problem), cell(trace.losses[-1], 4),
                         f"{verdict}（{sentence}）"])
        data = {"problem": problem, "title": prob.name_ja, "series": series}
        small = self._svg(f"compare-{problem}-each", "small_multiples", data,
                          lambda: plots.small_multiples_svg(data))
        overlay = self._svg(f"compare-{problem}-all", "paths_and_loss", data, lambda: plots.paths_and_loss_svg(data))
        start = ", ".join(number(v) for v in X.STARTS[problem])
        steps = X.STEPS[problem]
        cap = f"{prob.name_ja} ${prob.formula}$ を $({start})$ から {steps} ステップ。"
        # the twelve panels (the heaviest figure of the site) in a closed block, fetched when opened (lazy.py)
        each = admonition("example", "手法ごとに分けた図（12 枚）",
                          self._figure(small, f"{prob.name_ja} での各手法の軌跡", cap + "手法ごと。"), collapsible=True)
        return (self._figure(overlay, f"{prob.name_ja} での全手法の軌跡", cap + "全手法を重ねたもの。") + "\n"
                + each + "\n"
                + table(["手法", "設定", f"{steps} ステップ後の損失", "実行結果"], rows, "qg-runs qg-settings"))

    # -- conventions, mistakes, errata ---------------------------------------------------------------
    def conventions(self, key: str) -> str:
        """One tab per form, titled by its source (``Info.form``): the rule and its note; a PyTorch tab per option
        set of ``Info.torch_tabs``, its title naming the options it shows; then the equivalence findings."""
        module = _module(key)
        info = module.INFO
        items, seen = [], set()
        for conv in info.conventions:
            if conv == "pytorch":
                items += [torch_tab(info, opts) for opts in info.torch_tabs]
                continue
            title = info.form(conv)
            if title in seen:  # two keys for one source's form (AdamW, NAdam: the class is the paper's form)
                continue
            seen.add(title)
            rule = get_rule(key, conv)
            note = info.notes.get(conv) or rule.note
            body = display_math(rule.latex()) + "\n" + (note + "\n\n" if note else "")
            if conv != "textbook":  # the reference class's symbols are the page's own table
                body += self._symbol_table(rule)
            items.append((title + ("（このページの形）" if conv == "textbook" else ""), body))
        out = tabs(items)
        found = findings_for(info.key)
        if found:
            out += "\n" + "\n".join(render_finding(f) for f in found)
        return out

    def mistakes(self, key: str) -> str:
        """Common mistakes for this optimizer: name, explanation, the correct vs the mistaken value."""
        from . import mistakes as M

        return M.render_for(_module(key).INFO.key)

    def erratum(self, name: str) -> str:
        """A circulating error: correct form vs wrong form, with a numeric demonstration (executed)."""
        from . import errata

        return errata.render(name, self)

    def training_comparison(self) -> str:
        """Loss and accuracy curves of every optimizer on one small training task, plus a final table."""
        from . import training

        return training.render(self)

    # -- the chapter's other topics (issue 16 part 2): each macro is implemented in its topic's module -------
    def technique_class(self, path: str, title: str = "") -> str:
        """A reference class (or function) of optimizers/techniques, included from its source:
        ``technique_class("averaging.EMA")``."""
        module_name, _, name = path.partition(".")
        module = importlib.import_module(f"optimizers.techniques.{module_name}")
        cls = getattr(module, name, None)
        if not (inspect.isclass(cls) or inspect.isfunction(cls)):
            raise SiteError(f"optimizers/techniques/{module_name}.py has no class or function {name!r}")
        code = inspect.getsource(cls).rstrip()
        label = title or f"optimizers/techniques/{module_name}.py"
        return f'```python title="{label}"\n{code}\n```\n'

    def technique_rule(self, module_name: str, *args: Any) -> str:
        """A technique's formula from its sympy rule: ``technique_rule("averaging", "ema")``."""
        module = importlib.import_module(f"optimizers.techniques.{module_name}")
        return display_math(module.rule(*args).latex())

    def schedule_formula(self, kind: str) -> str:
        """A learning-rate schedule's η_t (sympy), source, torch class and reference class."""
        from . import schedules

        return schedules.formula(self, kind)

    def schedule_curves(self) -> str:
        """η(t) of every schedule: a figure and a table."""
        from . import schedules

        return schedules.curves(self)

    def schedule_worked(self, kind: str, **kwargs: Any) -> str:
        """SGD on (a/2)W² under a schedule, step by step."""
        from . import schedules

        return schedules.worked(self, kind, **kwargs)

    def schedule_counting(self, **kwargs: Any) -> str:
        """The n-th update's rate when t counts from 0 and from 1."""
        from . import schedules

        return schedules.counting(self, **kwargs)

    def schedule_effect(self) -> str:
        """Constant rate vs schedules on a noisy quadratic: loss curves and a table."""
        from . import schedules

        return schedules.effect(self)

    def early_stopping_run(self) -> str:
        """The digits run with early stopping: curves with the kept and stop epochs, and a table."""
        from . import early_stopping

        return early_stopping.run(self)

    def early_stopping_worked(self) -> str:
        """EarlyStopping.step epoch by epoch on the run's validation losses, up to the stop."""
        from . import early_stopping

        return early_stopping.worked(self)

    def early_stopping_patience(self) -> str:
        """Stop and kept epoch for several patiences."""
        from . import early_stopping

        return early_stopping.patience(self)

    def averaging_run(self) -> str:
        """Noisy SGD on the ravine with the Polyak averages and the EMA of its weights."""
        from . import averaging

        return averaging.run(self)

    def averaging_worked(self, **kwargs: Any) -> str:
        """A short oscillating SGD run with both averages, by hand."""
        from . import averaging

        return averaging.worked(self, **kwargs)

    def newton_vs_gd(self, **kwargs: Any) -> str:
        """Newton's one step against gradient descent on the ravine."""
        from . import second_order

        return second_order.newton_vs_gd(self, **kwargs)

    def condition_table(self, **kwargs: Any) -> str:
        """Gradient descent's steps against the condition number (Newton: one)."""
        from . import second_order

        return second_order.condition_table(self, **kwargs)

    def newton_cost(self, **kwargs: Any) -> str:
        """The size of the Hessian and the cost of inverting it."""
        from . import second_order

        return second_order.newton_cost(self, **kwargs)

    def newton_saddle(self, **kwargs: Any) -> str:
        """Newton's method jumping onto the saddle point; gradient descent leaving it."""
        from . import second_order

        return second_order.newton_saddle(self, **kwargs)

    def cg_example(self, **kwargs: Any) -> str:
        """Conjugate gradients against steepest descent with exact line searches."""
        from . import second_order

        return second_order.cg_example(self, **kwargs)

    def bfgs_example(self, **kwargs: Any) -> str:
        """BFGS against gradient descent on Rosenbrock."""
        from . import second_order

        return second_order.bfgs_example(self, **kwargs)

    def local_minima(self) -> str:
        """SGD from several starts on a 1-D double well: different starts, different minima."""
        from . import challenges

        return challenges.local_minima(self)

    def plateau(self) -> str:
        """A saturated sigmoid unit: SGD, Momentum and Adam crossing the plateau."""
        from . import challenges

        return challenges.plateau(self)

    def critical_points(self) -> str:
        """Functions with zero gradient at the origin, classified by their Hessians."""
        from . import challenges

        return challenges.critical_points(self)

    # -- single values ------------------------------------------------------------------------------
    def default(self, key: str, arg: str) -> str:
        """A default value of the reference class's constructor, as text."""
        defaults = class_defaults(key)
        if arg not in defaults:
            raise SiteError(f"{display_name(key)} has no argument {arg!r} (has {', '.join(defaults) or 'none'})")
        value = defaults[arg]
        return number(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)

    def step_value(self, optimizer: str, /, quantity: str, step: int, problem: str | None = None,
                   start: Sequence[float] | None = None, grads: Sequence[Any] | None = None,
                   params0: Any = None, key: str | None = None, change: bool = False, sig: int = 6,
                   convention: str = "textbook", **class_args: Any) -> str:
        """One number from an executed trace: ``quantity`` after ``step`` (``change``: W_k − W_{k−1})."""
        grads, params0 = _grads_arg(grads, params0)
        if problem is not None:
            trace = run(optimizer, problem=problem, start=tuple(start or X.STARTS[problem]), steps=max(step, 1),
                        convention=convention, **class_args)
        else:
            trace = run(optimizer, grads=grads, params0=params0, convention=convention, **class_args)
        value = trace.value(quantity, step, key=key)
        if change:
            if step < 1:
                raise SiteError("step_value(change=True) needs step >= 1")
            value = value - trace.value(quantity, step - 1, key=key)
        return number(value, sig)

    def torch_default(self, key: str, arg: str) -> str:
        """A default argument of the torch.optim class this optimizer corresponds to (torch 2.13, as pinned
        in optimizers.torch_form.TORCH and checked by the conformance tests)."""
        from optimizers.torch_form import TORCH

        info = _module(key).INFO
        tkey = info.torch or info.key
        if tkey not in TORCH:
            raise SiteError(f"{display_name(key)} has no torch.optim counterpart")
        defaults = TORCH[tkey][1]
        if arg not in defaults:
            raise SiteError(f"torch.optim.{_torch_class(tkey)} has no argument {arg!r} (has {', '.join(defaults)})")
        value = defaults[arg]
        if isinstance(value, bool) or not isinstance(value, (int, float, tuple)):
            return str(value)
        if isinstance(value, tuple):
            return "(" + ", ".join(number(v) for v in value) + ")"
        return number(value)

    def quiz_link(self, key: str) -> str:
        """A link to the optimizer's quiz page, once docs/quiz/<key>.md exists (nothing until then)."""
        target = self.builder.docs_dir / "quiz" / f"{_module(key).INFO.key}.md"
        if not target.exists():
            return ""
        link = self.builder.link(self.src, f"quiz/{target.name}")
        return f"[:material-pencil: {display_name(key)} の練習問題へ]({link}){{ .md-button }}\n"

    # -- the printable sheets of the drills page (built by the hook from quizgen/drill/site.py) ---------------
    def _sheet_link(self, text: str, seed: int, part: str, attrs: str = "") -> str:
        """A Markdown link to one of the site's sheets (MkDocs checks it and makes it relative to the page)."""
        from ..drill.site import site_path

        return f'[{text}]({self.builder.link(self.src, site_path(seed, part))}){{ {attrs}data-drill="{part}" }}'

    def drill_today(self) -> str:
        """Buttons to today's sheet and its key; a script picks them by the date (on the learner's device) among
        the sheets that :meth:`drill_table` lists."""
        from ..drill.site import SITE_SEEDS

        first, n = SITE_SEEDS[0], len(SITE_SEEDS)
        when = "曜日ごとに替わります（7 種類）" if n == 7 else f"日ごとに替わります（{n} 種類を順番に）"
        button = self._sheet_link(f"今日のシート（シード {first}）を開く", first, "questions",
                                  "#drill-today-link .md-button .md-button--primary ")
        key = self._sheet_link("解答・解説", first, "answers", "#drill-today-key .md-button ")
        return textwrap.dedent(f"""\
            {button}
            {key}

            <script>
            document.addEventListener("DOMContentLoaded", function () {{
              // 日付（この端末の暦日）から、一覧のシートのうち 1 枚を選ぶ。ネットワークは使わない。
              var questions = document.querySelectorAll("table a[data-drill=questions]");
              var answers = document.querySelectorAll("table a[data-drill=answers]");
              var q = document.getElementById("drill-today-link");
              var a = document.getElementById("drill-today-key");
              if (!q || !a || !questions.length || questions.length !== answers.length) return;
              var d = new Date();
              var day = Math.floor((d.getTime() - d.getTimezoneOffset() * 60000) / 86400000);
              var i = day % questions.length;
              q.setAttribute("href", questions[i].getAttribute("href"));
              a.setAttribute("href", answers[i].getAttribute("href"));
              q.textContent = "今日のシート（シード " + questions[i].dataset.seed + "）を開く";
            }});
            </script>

            シートは{when}。""")  # the page's sentence goes on after it, in the same paragraph

    def drill_table(self) -> str:
        """Every sheet of the site with its key, then what a sheet holds (count and question types, in order)."""
        from .. import families
        from ..drill.site import SITE_COUNT, SITE_SEEDS, site_spec

        rows = [[str(s), self._sheet_link("問題", s, "questions", f'data-seed="{s}" '),
                 self._sheet_link("解答・解説", s, "answers")] for s in SITE_SEEDS]
        spec = site_spec(SITE_SEEDS[0])
        kinds = [spec.item(n)[0] for n in range(1, min(SITE_COUNT, len(spec.families)) + 1)]
        names = "・".join(families.get(f).TITLE[0].split("（")[0] for f in kinds)
        sentence = f"各シートは {SITE_COUNT} 問で、出題形式（{names}）が順に並びます。"
        return table(["シード", "問題", "解答・解説"], rows) + f"\n{sentence}\n"

    def playground(self) -> str:
        """The playground: every path executed over a grid of settings, drawn by static/playground.js."""
        from . import playground

        return playground.macro(self)

    # -- self-checking quizzes (implemented in quizgen/quiz/site.py; added by the quiz widget) ---------------
    def quiz(self, optimizer: str, family: str) -> str:
        """A quiz widget: ``quiz("momentum", "steps")``, ``quiz("all", "formula")``, ``quiz("saddle", "concepts")``."""
        from ..quiz import site as Q

        return Q.quiz_macro(self, optimizer, family)

    def exam(self) -> str:
        """The mock exam (four-choice questions of every topic, optional timer, score by topic)."""
        from ..quiz import site as Q

        return Q.exam_macro(self)

    def progress(self) -> str:
        """The learner's progress by optimizer (filled in from localStorage by quiz.js)."""
        from ..quiz import site as Q

        return Q.progress_macro(self)

    def review(self) -> str:
        """The 復習 page: the learner's most frequent named mistakes and questions that include them (quiz.js)."""
        from ..quiz import review

        return review.review_macro(self)


def torch_tab_rule(info: Any, options: Mapping[str, Any]) -> Rule:
    """The rule a PyTorch tab shows: torch.optim's class with ``options`` (its other arguments at torch's
    defaults, as ``from_torch`` fills them in), numbers kept as symbols."""
    return optimizers.from_torch(info.torch, **dict(options)).rule


def torch_tab_options(info: Any, options: Mapping[str, Any]) -> tuple[str, str]:
    """(title, sentence) of a PyTorch tab: the title names the options switched on; the sentence gives every
    argument of the torch class: a symbol of the formula, or the value that fixes the form."""
    from optimizers.torch_form import TORCH

    rule = torch_tab_rule(info, options)
    defaults = TORCH[info.torch][1]
    args = {**defaults, **dict(options)}
    by_code = {s.code: s for s in rule.symbols.values() if s.kind == "hyper"}

    def case(arg: str, value: Any) -> str:
        if isinstance(value, bool):
            return f"{arg}={value}"
        return f"{arg} > 0" if value else f"{arg} = 0"

    changed = [case(a, v) for a, v in options.items() if v != defaults.get(a)]
    title = f"torch.optim.{_torch_class(info.torch)}" + (f"（{', '.join(changed)}）" if changed else "（既定の引数）")
    parts = []
    for arg, value in args.items():
        if arg == "betas":
            parts.append(f"`betas` は $({by_code['beta1'].latex},\\ {by_code['beta2'].latex})$")
        elif arg in by_code:
            parts.append(f"`{arg}` は ${by_code[arg].latex}$")
        elif arg == "initial_accumulator_value":
            state = next(s for s in rule.symbols.values() if s.code == "sum")
            parts.append(f"`{arg}` は ${state.latex}$ の初期値 {number(value)}")
        else:
            parts.append(f"`{case(arg, value)}`")
    sentence = ("この式は torch.optim." + _torch_class(info.torch) + " の計算を、" + "、".join(parts)
                + " として書いたもの。")
    if "t" not in rule.symbols:
        sentence += "torch は state['step'] も数えるが、この式の更新には使われない。"
    return title, sentence


def torch_tab(info: Any, options: Mapping[str, Any]) -> tuple[str, str]:
    rule = torch_tab_rule(info, options)
    title, sentence = torch_tab_options(info, options)
    note = info.notes.get("pytorch") or rule.note
    body = display_math(rule.latex()) + "\n" + sentence + "\n\n" + (note + "\n\n" if note else "")
    return title, body + Macros._symbol_table(rule)


def _chapter_macro(name: str) -> Callable[..., str]:
    def macro(self: Macros, *args: Any, **kwargs: Any) -> str:
        return chapter.call(self, name, args, kwargs)

    macro.__name__ = name
    macro.__doc__ = getattr(chapter, f"_{name}").__doc__
    return macro


for _name in chapter.MACROS:  # the optimization chapter's macros (quizgen/site/chapter.py), as methods
    setattr(Macros, _name, _chapter_macro(_name))


def _torch_class(name: str) -> str:
    return {"sgd": "SGD", "adagrad": "Adagrad", "rmsprop": "RMSprop", "adadelta": "Adadelta", "adam": "Adam",
            "adamw": "AdamW", "nadam": "NAdam", "radam": "RAdam", "adamax": "Adamax"}.get(name, name)


# -- equivalence findings --------------------------------------------------------------------------------------
def findings_for(key: str) -> list[Any]:
    """The findings of quizgen.equivalence about optimizer ``key`` (a missing module is a build error)."""
    try:
        E = importlib.import_module("quizgen.equivalence")
    except ModuleNotFoundError as e:
        raise SiteError(f"conventions(): quizgen.equivalence is missing ({e})") from None
    if hasattr(E, "for_optimizer"):
        return list(E.for_optimizer(key))
    registry = getattr(E, "REGISTRY", None)
    if registry is None:
        raise SiteError("conventions(): quizgen.equivalence has neither for_optimizer(key) nor REGISTRY")
    out = []
    for name, fn in registry.items():
        params = inspect.signature(fn).parameters
        if name.split("_")[0] == key:
            out.append(fn())
        elif "name" in params and name.startswith("default_eps"):
            if key in getattr(E, "_DEFAULT_EPS", {}):
                out.append(fn(name=key))
    return out


def render_finding(f: Any) -> str:
    if f.proven is True:
        kind, badge = "success", "証明済み"
    elif f.proven is False:
        kind, badge = "failure", "証明できず"
    else:
        kind, badge = "example", "数値で確認"
    body = f.statement_ja.strip() + "\n"
    latex = getattr(f, "latex", {}) or {}
    if latex:
        body += "\n" + table(["", "式"], [[name, f"${tex}$"] for name, tex in latex.items()])
    residuals = f.residual_text() if hasattr(f, "residual_text") else {}
    if residuals:
        body += "\n" + table(["sympy で比べたもの", "差を簡約した結果"], [[k, f"${v}$"] for k, v in residuals.items()])
    figures = getattr(f, "figures", {}) or {}
    if figures:
        body += "\n" + table(["実行して得た値", ""], [[k, plain_value(v)] for k, v in figures.items()])
    return admonition(kind, f"{badge}: {f.title_ja}", body, collapsible=True)
