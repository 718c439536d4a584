"""The study site's generator (quizgen/site/, quizgen/plots.py) without a browser: macros read executed
objects and nothing else, every macro the docs call exists, plots are deterministic, generated files
stay out of git, and the Markdown export works without MkDocs."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

import optimizers
from quizgen import plots
from quizgen.formulas import number
from quizgen.site import examples as X
from quizgen.site.macros import Macros, behaviour, distinct
from quizgen.site.render import MACROS, SiteBuilder, SiteError, body_of
from quizgen.trace import run

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
KEYS = [k for k in optimizers.ORDER if k in optimizers.MODULES]


@pytest.fixture(scope="module")
def builder() -> SiteBuilder:
    return SiteBuilder(ROOT, DOCS, cache_dir=None)


def macros(builder: SiteBuilder, src: str = "optimizers/x.md") -> Macros:
    return Macros(builder, src, {})


def display_math(text: str) -> list[str]:
    found = re.findall(r"^[ \t]*\$\$\n(.*?)\n[ \t]*\$\$", text, re.S | re.M)
    return ["\n".join(line.strip() for line in m.strip().splitlines()) for m in found]


def table_rows(text: str) -> list[list[str]]:
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    return [[c.strip() for c in r.strip("|").split(" | ")] for r in rows[1:]]


# -- the rule and the symbols ---------------------------------------------------------------------------------
@pytest.mark.parametrize("key", KEYS)
def test_rule_macro_is_the_rules_latex(builder, key):
    info = optimizers.get(key).INFO
    for convention in info.conventions:
        out = macros(builder).rule(key, convention)
        want = "\n".join(line.strip() for line in optimizers.rule(key, convention).latex().strip().splitlines())
        assert display_math(out) == [want]


@pytest.mark.parametrize("key", KEYS)
def test_symbols_lists_every_symbol_with_its_code_name(builder, key):
    rule = optimizers.rule(key)
    rows = table_rows(macros(builder).symbols(key))
    assert [r[0] for r in rows] == [f"${s.latex}$".replace("|", r"\vert ") for s in rule.symbols.values()]
    assert [r[3] for r in rows] == [f"`{s.code}`" if s.code else "—" for s in rule.symbols.values()]


@pytest.mark.parametrize("key", KEYS)
def test_source_is_the_class_source_once(builder, key):
    import inspect

    cls = optimizers.get(key).INFO.cls
    out = macros(builder).source(key)
    assert inspect.getsource(cls).rstrip() in out
    assert out.count(f"class {cls.__name__}") == 1


def test_meta_reads_defaults_from_the_signature(builder):
    import inspect

    out = macros(builder).meta("adam")
    for arg, p in inspect.signature(optimizers.get("adam").INFO.cls.__init__).parameters.items():
        if arg != "self":
            assert f"`{arg}={p.default!r}`" in out
    assert out.startswith("!!! info")
    assert "発展" in macros(builder).meta("adadelta")  # INFO.syllabus is False


# -- worked examples: the numbers are the trace's -----------------------------------------------------------------
@pytest.mark.parametrize("key", KEYS)
def test_worked_example_numbers_equal_the_trace(builder, key):
    spec = X.WORKED[key]
    out = macros(builder).worked_example(key)
    trace = run(key, grads=[{"W": g} for g in spec.grads], params0={"W": spec.w0}, **spec.kwargs)
    header = [line for line in out.splitlines() if line.startswith("| ステップ")][0]
    names = [c.strip() for c in header.strip("|").split(" | ")]
    latex_to_name = {f"${s.latex}$": s.name for s in trace.rule.symbols.values()}
    rows = table_rows(out[out.index(header):])
    assert len(rows) == trace.steps + 1
    for step, row in enumerate(rows):
        assert row[0] == str(step)
        for col, text in zip(names[2:], row[2:]):
            name = latex_to_name[col]
            if text == "—":
                assert step == 0
                continue
            want = number(trace.value(name, step))
            got = text.strip("$")
            assert got == want or got.replace(r" \times 10^{", "e").rstrip("}") == want, (key, step, name)
    # the substituted lines are quizgen.formulas.step_lines of the same trace
    from quizgen.formulas import step_lines

    last = display_math(out)[-1]
    assert step_lines(trace, trace.steps)[-1].split(" = ")[-1] in last


def test_adam_worked_example_shows_bias_corrected_moments(builder):
    out = macros(builder).worked_example("adam")
    for col in ("$m$", "$v$", r"$\hat{m}$", r"$\hat{v}$"):
        assert col in out


# -- single values ---------------------------------------------------------------------------------------------------
def test_default_and_torch_default(builder):
    m = macros(builder)
    assert m.default("momentum", "momentum") == "0.9"
    assert m.torch_default("adam", "eps") == "1e-8"
    with pytest.raises(SiteError):
        m.default("sgd", "momentum")


def test_step_value_reads_the_trace(builder):
    m = macros(builder)
    trace = run("momentum", problem="bowl", start=(1.0, 2.0), steps=2, lr=0.1)
    assert m.step_value("momentum", "v", 2, problem="bowl", start=(1.0, 2.0), lr=0.1, key="y") == \
        number(trace.value("v", 2, key="y"))
    assert m.step_value("momentum", "W", 2, problem="bowl", start=(1.0, 2.0), lr=0.1, key="x", change=True) == \
        number(trace.value("W", 2, key="x") - trace.value("W", 1, key="x"))
    # plain numbers for a scalar W
    t2 = run("sgd", grads=[{"W": 2.0}], params0={"W": 1.0}, lr=0.1)
    assert m.step_value("sgd", "W", 1, grads=[2.0], params0=1.0, lr=0.1) == number(t2.value("W", 1))


def test_quiz_link_is_empty_without_a_quiz_page(builder, tmp_path):
    b = SiteBuilder(ROOT, tmp_path, cache_dir=None)
    assert Macros(b, "optimizers/sgd.md", {}).quiz_link("sgd") == ""
    (tmp_path / "quiz").mkdir()
    (tmp_path / "quiz" / "sgd.md").write_text("# quiz\n")
    assert "](../quiz/sgd.md)" in Macros(b, "optimizers/sgd.md", {}).quiz_link("sgd")


# -- what a run did is read from the run -----------------------------------------------------------------------------
def test_behaviour_verdicts():
    assert behaviour([1.0, 10.0, float("inf")])[0] == "発散"
    assert behaviour([1.0, 2.0, 100.0])[0] == "発散"
    assert behaviour([1.0, 0.9, 0.8])[0] == "遅い"
    assert behaviour([1.0, 1e-3, 1e-8])[0] == "収束"
    assert behaviour([1.0, 0.5, 1e-3, 0.05, 0.2])[0] == "振動"


@pytest.mark.parametrize("key", ["sgd", "adam"])
def test_lr_effect_table_says_what_the_runs_did(builder, key):
    m = macros(builder)
    out = m.lr_effect(key)
    spec = X.LR_EFFECT[key]
    rows = table_rows(out[out.index("| $"):])
    for row, value in zip(rows, spec.values):
        trace = run(key, problem=spec.problem, start=X.STARTS[spec.problem], steps=spec.steps or X.STEPS[spec.problem],
                    **{spec.argument: value})
        verdict, sentence = behaviour(trace.losses)
        assert row[-1] == f"**{verdict}**: {sentence}"
    assert len(m.assets) == 1 and next(iter(m.assets)).endswith(".svg")


def test_distinct_numbers_differ():
    assert distinct(0.9000001, 0.9000002) == ("0.9000001", "0.9000002")
    a, b = distinct(1.0, 2.0)
    assert a != b


# -- plots ------------------------------------------------------------------------------------------------------------
def test_paths_svg_is_deterministic_from_plain_data():
    t = run("sgd", problem="ravine", start=(-7, 2), steps=5, lr=0.95)
    data = {"problem": "ravine", "series": [{"label": "SGD", "points": t.path().tolist()}]}
    a, b = plots.paths_svg(data), plots.paths_svg(data)
    assert a == b and a.startswith("<?xml") and "<svg" in a
    assert "<dc:date>" not in a


def test_paths_svg_draws_what_matplotlib_draws():
    """paths_svg writes the paths itself and places a cached legend where loc="best" would: compare with
    matplotlib drawing the same figure (legend frame position, every path vertex)."""
    import matplotlib
    import numpy as np

    rng = np.random.default_rng(7)
    for problem, n in (("ravine", 4), ("bowl", 2), ("rosenbrock", 3), ("saddle", 1)):
        p = plots.P.get(problem)
        series = []
        for j in range(n):
            pts = [[rng.uniform(*p.xlim), rng.uniform(*p.ylim)]]
            for _ in range(int(rng.integers(3, 25))):
                pts.append([pts[-1][0] * rng.uniform(0.5, 1.05), pts[-1][1] * rng.uniform(-1.0, 1.1)])
            series.append({"label": "ABCD"[j], "points": pts})
        series[0]["points"].append([float("inf"), 0.0])  # diverged: labelled, cut
        data = {"problem": problem, "series": series}
        ours = plots.paths_svg(data)
        with matplotlib.rc_context(plots.RC):  # matplotlib alone: the same figure in one piece
            fig = plots._figure(plots.PAGE_WIDTH * 0.62, 3.4)
            ax = fig.add_subplot()
            ax.set_xlim(*p.xlim)
            ax.set_ylim(*p.ylim)
            plots._series(ax, data, p.xlim, p.ylim)
            theirs = plots._svg(fig)

        def frame(svg):
            m = re.search(r'(?:translate\(([-\d.]+) ([-\d.]+)\)">)?<g id="(?:paths-)?legend_1">\s*'
                          r'<g id="(?:paths-)?patch_\d+">\s*<path d="([^"]*)"', svg)
            nums = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", m.group(3))]
            dx, dy = float(m.group(1) or 0), float(m.group(2) or 0)
            return round(min(nums[0::2]) + dx, 2), round(min(nums[1::2]) + dy, 2)

        assert frame(ours) == frame(theirs), problem
        assert "<!-- A（発散） -->" in ours  # the label (drawn as glyph paths; matplotlib notes the text)
        lines = re.findall(r'<path d="(M [^"]*)"\s*clip-path', theirs)
        mine = re.findall(r'<path d="(M [^"]*)" clip-path', ours[ours.index('<g id="paths-lines">'):])

        def vertices(d):
            return np.array([float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d)]).reshape(-1, 2)

        theirs_paths = [vertices(d) for d in lines if len(vertices(d)) > 1]
        assert len(mine) == len(theirs_paths) == n, problem
        for a, b in zip(mine, theirs_paths):
            assert np.allclose(vertices(a), b, atol=1e-3), problem


# (paths_and_loss_svg against matplotlib drawing the whole figure: tests/test_plots_layered.py)


def test_diverging_paths_are_cut_not_drawn_to_infinity():
    pts = [[0.0, 0.0], [1.0, 1.0], [float("inf"), 2.0], [3.0, 3.0]]
    kept, cut = plots.finite_prefix(pts)
    assert cut and kept.shape == (2, 2)
    svg = plots.paths_and_loss_svg({"problem": "bowl", "series": [
        {"label": "x", "points": pts, "losses": [1.0, 2.0, float("inf"), None]}]})
    assert "<svg" in svg


# -- every macro the docs call exists ------------------------------------------------------------------------------
CALL = re.compile(r"{{-?\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(")


def test_every_macro_used_in_docs_exists():
    used = {}
    for path in DOCS.rglob("*.md"):
        for name in CALL.findall(re.sub(r"{% raw %}.*?{% endraw %}", "", path.read_text(encoding="utf-8"), flags=re.S)):
            used.setdefault(name, set()).add(path.relative_to(DOCS).as_posix())
    missing = {name: sorted(pages) for name, pages in used.items() if name not in MACROS}
    assert not missing, f"macros used in docs/ but not implemented: {missing}"
    for name in MACROS:
        assert callable(getattr(Macros, name))


def test_front_matter_is_stripped_as_mkdocs_does():
    from mkdocs.utils.meta import get_data

    for path in DOCS.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        assert body_of(text) == get_data(text)[0], path


# -- generated files are build output ------------------------------------------------------------------------------
def test_generated_files_are_not_in_git():
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(["git", "ls-files", "--", "site", ".cache", "node_modules", "artifacts",
                              "docs/assets/generated"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert tracked.strip() == ""
    ignored = subprocess.run(["git", "check-ignore", "site/x", ".cache/x", "node_modules/x", "artifacts/x"],
                             cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert ignored == ["site/x", ".cache/x", "node_modules/x", "artifacts/x"]
    assert (ROOT / "package-lock.json").exists()


# -- the export without MkDocs ---------------------------------------------------------------------------------------
def test_export_writes_expanded_markdown_and_plots(tmp_path):
    docs = tmp_path / "docs"
    (docs / "optimizers").mkdir(parents=True)
    (docs / "optimizers" / "sgd.md").write_text(
        "---\ntitle: SGD\n---\n\n# SGD\n\n{{ rule(\"sgd\") }}\n\n{{ trajectories(\"sgd\") }}\n", encoding="utf-8")
    (docs / "extra.css").write_text("p {}\n")
    b = SiteBuilder(ROOT, docs, cache_dir=tmp_path / "cache")
    counts = b.export(tmp_path / "out", katex_assets=False)
    b.close()
    out = (tmp_path / "out" / "optimizers" / "sgd.md").read_text(encoding="utf-8")
    assert out.startswith("---\ntitle: SGD\n---\n") and "{{" not in out
    assert optimizers.rule("sgd").latex() in out
    links = re.findall(r"\]\((\.\./assets/generated/[^)]+\.svg)\)", out)
    assert len(links) == 2 and all((tmp_path / "out" / "optimizers" / link).exists() for link in links)
    assert counts == {"pages": 1, "files": 1, "generated": 2}
    assert (tmp_path / "out" / "extra.css").exists()


def test_unknown_macro_is_a_build_error(tmp_path):
    b = SiteBuilder(ROOT, tmp_path, cache_dir=None)
    with pytest.raises(SiteError, match="nope"):
        b.render_page("x.md", "{{ nope(1) }}")
    with pytest.raises(SiteError, match="unknown optimizer"):
        b.render_page("x.md", '{{ rule("adamzz") }}')


def test_cli_site_build(tmp_path):
    from quizgen.cli import main

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text('# x\n\n{{ default("sgd", "lr") }}\n', encoding="utf-8")
    assert main(["site", "build", "--docs", str(docs), "--out", str(tmp_path / "out"), "--no-cache"]) == 0
    assert (tmp_path / "out" / "index.md").read_text(encoding="utf-8") == "# x\n\n0.01\n"


# -- KaTeX at build time -----------------------------------------------------------------------------------------------
def test_katex_renders_aligned_hats_and_sub_superscripts(tmp_path):
    from quizgen.site.katex import KatexError, KatexRenderer

    with KatexRenderer(ROOT, tmp_path) as k:
        html = k.render_html('<div class="arithmatex">\\[\\begin{aligned} \\hat{m}_t^2 &amp;= 1 \\\\ v &amp;= 2'
                             '\\end{aligned}\\]</div><span class="arithmatex">\\(x_1^2\\)</span>')
        assert html.count('class="katex"') == 2 and "katex-display" in html
        assert "\\begin{aligned}" not in html and "annotation" not in html
        with pytest.raises(KatexError):
            k.render("\\frac{")
    assert list(tmp_path.glob("katex-*.json"))  # cached by content hash


def test_errata_all_render(builder):
    from quizgen.site.errata import ERRATA

    m = macros(builder, "errata.md")
    for name in ERRATA:
        out = m.erratum(name)
        assert "誤" in out and "正" in out, name


@pytest.mark.parametrize("key", KEYS)
def test_mistakes_that_compute_the_same_value_on_the_example_say_so(key):
    """The note appears exactly where two mistakes' executed examples agree (and names the other one)."""
    import numpy as np

    from quizgen import mistakes as M
    from quizgen.site.mistakes import SAME_RTOL, render_for

    found = M.for_optimizer(key)
    examples = {m.title_ja: m.example(key) for m in found}
    blocks = [b for b in re.split(r"^!!!|^\?\?\?", render_for(key), flags=re.M) if b.strip()]
    for m in found:
        block = next(b for b in blocks if m.title_ja in b.splitlines()[0])
        ex = examples[m.title_ja]
        twins = [t for t, o in examples.items() if t != m.title_ja and ex is not None and o is not None
                 and o["given"] == ex["given"]
             and np.allclose(o["mistaken"], ex["mistaken"], rtol=SAME_RTOL, atol=SAME_RTOL)]
        assert ("同じ値になる" in block) == bool(twins), (key, m.title_ja)
        for t in twins:
            assert f"「{t}」" in block, (key, m.title_ja, t)


def test_behaviour_writes_powers_of_ten_as_math_not_e_notation():
    verdict, sentence = behaviour([6.45, 50.0, 1.046e12])
    assert verdict == "発散" and "$1.62 \\times 10^{11}$" in sentence and "e11" not in sentence
    assert behaviour([1.0, 0.5, 1e-6])[1] == "損失は初期値の $10^{-6}$ 倍まで下がった"


def test_drills_page_lists_the_site_sheets_and_what_a_sheet_holds(builder):
    import posixpath

    from quizgen import families
    from quizgen.drill.site import SITE_COUNT, SITE_SEEDS, site_path, site_spec

    m = macros(builder, "drills.md")
    out = m.drill_table()
    # Markdown links to the docs-relative sheets (MkDocs checks them and makes them relative to the page)
    want = [posixpath.relpath(site_path(s, part), ".") for s in SITE_SEEDS for part in ("questions", "answers")]
    assert re.findall(r"\]\(([^)]+)\)", out) == want
    assert re.findall(r'data-seed="(\d+)"', out) == [str(s) for s in SITE_SEEDS]  # the seed today's button names
    spec = site_spec(SITE_SEEDS[0])
    shown = min(SITE_COUNT, len(spec.families))  # a sheet holds the first SITE_COUNT kinds in the engine's order
    names = [families.get(spec.item(n)[0]).TITLE[0].split("（")[0] for n in range(1, shown + 1)]
    assert f"各シートは {SITE_COUNT} 問で、出題形式（{'・'.join(names)}）" in out
    today = m.drill_today()
    assert f"[今日のシート（シード {SITE_SEEDS[0]}）を開く]({want[0]})" in today
    assert f"[解答・解説]({want[1]})" in today
    assert 'querySelectorAll("table a[data-drill=questions]")' in today  # the script picks among the table's
    assert f"{len(SITE_SEEDS)} 種類" in today
