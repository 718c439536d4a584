"""The optimization chapter's pages (docs/chapter: 重みの初期化, バッチ正規化, 勾配クリッピング) without a browser:
every macro they call exists and reads executed objects, the tables show what the reference code computes
(recomputed here by the closed forms), the sympy proofs hold, the figures are deterministic, and each page shows
its topic's quizzes. The same pages in Chromium: tests/test_site_chapter_browser.py."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from optimizers.techniques import clipping as CL
from optimizers.techniques import init as I
from optimizers.techniques import normalization as NZ
from quizgen.chapter import clipping, init, normalization
from quizgen.quiz import specs as S
from quizgen.site import chapter as CH
from quizgen.site import chapter_plots
from quizgen.site.macros import Macros
from quizgen.site.render import MACROS, SiteBuilder

ROOT = Path(__file__).resolve().parents[1]
PAGES = {"init": "chapter/init.md", "normalization": "chapter/normalization.md", "clipping": "chapter/clipping.md"}


@pytest.fixture(scope="module")
def m() -> Macros:
    return Macros(SiteBuilder(ROOT, ROOT / "docs", cache_dir=None), "chapter/x.md", {})


def rows_of(text: str) -> list[list[str]]:
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    return [[c.strip() for c in r.strip("|").split(" | ")] for r in rows[1:]]


def test_pages_call_known_macros_and_show_their_topic_quizzes():
    calls_all = set()
    for topic, page in PAGES.items():
        text = (ROOT / "docs" / page).read_text(encoding="utf-8")
        calls = set(re.findall(r"\{\{\s*([a-z_]+)\(", text))
        assert calls <= set(MACROS), calls - set(MACROS)
        calls_all |= calls
        quizzes = set(re.findall(r'\{\{\s*quiz\("([^"]+)",\s*"([^"]+)"\)', text))
        _, fams = S.TECHNIQUES[topic]
        assert quizzes == {(topic, f) for f in (*fams, "concepts")}
        assert f'technique_meta("{topic}")' in text and f'technique_findings("{topic}")' in text
    assert set(CH.MACROS) <= calls_all  # every chapter macro is used somewhere


def test_rule_macro_shows_every_convention(m):
    out = CH.call(m, "technique_formula", ("init", "xavier"), {})
    for convention in ("paper", "pytorch", "textbook"):
        latex = I.rule("xavier", convention).latex()
        assert all(line.strip() in out for line in latex.splitlines())
    assert out.count('=== "') == 3
    out = CH.call(m, "technique_formula", ("clipping", "value"), {})
    assert '=== "' not in out and "\\max" in out


def test_source_macro_is_the_code(m):
    import inspect

    out = CH.call(m, "technique_source", ("clipping", "clip_grads"), {})
    assert inspect.getsource(CL.clip_grads).rstrip() in out and "optimizers/techniques/clipping.py" in out


def test_value_macro_reads_the_code(m):
    assert CH.call(m, "technique_value", ("clipping", "CLIP_EPS"), {"latex": True}) == "10^{-6}"
    assert CH.call(m, "technique_value", ("normalization", "BatchNormalization", "momentum"), {}) == "0.1"
    assert CH.call(m, "technique_value", ("normalization", "TEXTBOOK_DEFAULTS", "momentum"), {}) == "0.9"


def test_init_table_is_the_closed_forms(m):
    rows = rows_of(CH.call(m, "init_table", (), {}))
    shapes = ((784, 100), (100, 100), (100, 10), (256, 512))
    want = {"Xavier（一様分布）": lambda a, b: np.sqrt(6 / (a + b)),
            "Xavier（正規分布）": lambda a, b: np.sqrt(2 / (a + b)),
            "He（正規分布）": lambda a, b: np.sqrt(2 / a), "He（一様分布）": lambda a, b: np.sqrt(6 / a),
            "ゼロつくの Xavier": lambda a, b: np.sqrt(1 / a), "ゼロつくの He": lambda a, b: np.sqrt(2 / a)}
    assert [r[0] for r in rows] == list(want)
    for r in rows:
        for cell, (a, b) in zip(r[2:], shapes):
            assert float(cell) == pytest.approx(want[r[0]](a, b), rel=5e-4)


def test_init_histograms_and_symmetry(m):
    out = CH.call(m, "init_histograms", ("relu",), {})
    rows = rows_of(out)
    assert [r[0] for r in rows] == ["標準偏差 0.01", "Xavier", "He"]
    he = [float(c) for c in rows[2][1:6]]
    assert max(he) / min(he) < 1.5  # He keeps the spread through the layers
    assert "init-hist-relu" in out and m.assets
    sym = rows_of(CH.call(m, "init_symmetry", (), {}))
    assert [r[2] for r in sym[:2]] == ["0", "0"] and float(sym[2][2]) > 0.1
    assert sym[0][1] == "0" and float(sym[1][1]) > 0  # all zeros never move; all equal move together


def test_gains_table(m):
    rows = rows_of(CH.call(m, "init_gains", (), {}))
    got = {r[0]: float(r[1]) for r in rows}
    assert got["`'relu'`"] == pytest.approx(np.sqrt(2), rel=1e-4) and got["`'tanh'`"] == pytest.approx(5 / 3, rel=1e-4)


def test_batchnorm_worked_is_the_class(m):
    rows = rows_of(CH.call(m, "batchnorm_worked", (), {}))
    x = np.array(CH.BN_X)
    y = NZ.BatchNormalization(np.array(CH.BN_GAMMA), np.array(CH.BN_BETA)).forward(x.copy())
    for i, r in enumerate(rows[: len(x)]):
        assert [float(c) for c in r[5:7]] == pytest.approx(list(y[i]), abs=1e-3)
    mu = [float(c) for c in rows[len(x)][1:3]]
    var = [float(c) for c in rows[len(x) + 1][1:3]]
    assert mu == pytest.approx(list(x.mean(axis=0))) and var == pytest.approx(list(x.var(axis=0)))


def test_batchnorm_running_shows_both_definitions(m):
    rows = rows_of(CH.call(m, "batchnorm_running", (), {}))
    torch_row, textbook_row = rows
    assert float(torch_row[3]) == 4 and float(textbook_row[3]) == 3  # σ² = 4; the biased one (m−1)/m · 4 with m = 4
    assert float(torch_row[2]) == pytest.approx(4, rel=0.25) and float(textbook_row[2]) == pytest.approx(3, rel=0.25)
    assert torch_row[1] == textbook_row[1]  # the mean update is the same in both definitions


def test_layernorm_worked_normalises_rows(m):
    rows = rows_of(CH.call(m, "layernorm_worked", (), {}))
    x = np.array(CH.LN_X)
    for i, r in enumerate(rows):
        ln = [float(v) for v in r[-2].strip("()").split(", ")]
        assert ln == pytest.approx(list((x[i] - x[i].mean()) / np.sqrt(x[i].var() + 1e-5)), rel=5e-3)


def test_clip_table_and_cliff(m):
    rows = rows_of(CH.call(m, "clip_table", (), {}))
    norm = np.linalg.norm(np.concatenate(CH.CLIP_G))
    for r in rows:
        c = float(r[0])
        assert float(r[2]) == pytest.approx(min(c, norm), rel=2e-6)
        assert float(r[5]) == 0 if c >= norm else float(r[5]) > 0  # by value turns the gradient once it clips
    cliff = rows_of(CH.call(m, "clip_cliff", (), {}))
    plain, clipped = cliff
    assert float(plain[2].split("（")[0]) > 5 and float(clipped[2].split("（")[0]) <= CH.CLIFF_RUN["lr"] + 1e-9
    assert float(clipped[4]) < float(plain[4])
    assert "clip-rnn" in CH.call(m, "clip_rnn", (), {})


@pytest.mark.parametrize("module", [init, normalization, clipping])
def test_findings_hold(module):
    found = module.findings()
    assert found and all(f.proven is not False for f in found)
    assert any(f.proven for f in found) and all(not f.residuals or all(v == 0 for v in f.residuals.values())
                                                for f in found if f.proven)


def test_chapter_plots_are_deterministic():
    data = {"edges": [0, 0.5, 1], "rows": [{"label": "a", "hists": [[0.2, 0.8], [0.5, 0.5]]}], "xlabel": "x"}
    one, two = chapter_plots.histograms_svg(data), chapter_plots.histograms_svg(data)
    assert one == two and one.startswith("<?xml")
    other = chapter_plots.histograms_svg({**data, "rows": [{"label": "a", "hists": [[0.8, 0.2], [0.5, 0.5]]}]})
    assert other != one
    w = np.linspace(-2, 2, 11)
    z = (w[None, :] ** 2 + w[:, None] ** 2 + 0.01).tolist()
    cliff = {"w1": w.tolist(), "w2": w.tolist(), "z": z, "wall": 1.0,
             "series": [{"label": "a", "points": [[1, 1], [0, 0]], "losses": [2.0, 0.01]}]}
    assert chapter_plots.cliff_svg(cliff) == chapter_plots.cliff_svg(cliff)


def test_unknown_topic_is_a_clear_error(m):
    from quizgen.site.render import SiteError

    with pytest.raises(SiteError, match="unknown chapter topic 'dropout'"):
        CH.call(m, "technique_meta", ("dropout",), {})
    with pytest.raises(SiteError, match="no study for 'swish'"):
        CH.call(m, "init_histograms", ("swish",), {})


def test_batchnorm_histograms_keep_the_spread(m):
    rows = rows_of(CH.call(m, "batchnorm_histograms", (), {}))
    def num(cell: str) -> float:  # "$9.8 \\times 10^{-6}$" → 9.8e-6
        m_ = re.fullmatch(r"\$([-\d.]+) \\times 10\^\{(-?\d+)\}\$", cell)
        return float(m_.group(1)) * 10 ** int(m_.group(2)) if m_ else float(cell)

    last = {r[0]: num(r[-1]) for r in rows}
    assert last["標準偏差 0.01、なし"] < 1e-3 < 0.3 < last["標準偏差 0.01、バッチ正規化あり"]
    assert last["標準偏差 1、バッチ正規化あり"] == pytest.approx(last["標準偏差 0.01、バッチ正規化あり"], rel=0.05)
