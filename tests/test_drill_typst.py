"""The printed sheets' Typst: every formula a sheet can contain is converted and compiled; text prints as typed.

The formulas and texts are collected from the registries (``quizgen.families.NAMES``, ``optimizers.MODULES`` and
their conventions, ``quizgen.conformance.OPTIONS``, ``quizgen.mistakes.MISTAKES``), so a family, a convention or a
mistake added later is covered without a change here."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

import optimizers as O
import quizgen
from quizgen import conformance, mistakes
from quizgen.drill import texmath as TM
from quizgen.drill import typst_markup as MK
from quizgen.drill.engine import family_names
from quizgen.drill.render import md as md_html
from quizgen.drill.typst_pdf import compile_pdf
from quizgen.drill.typst_sheet import library

SEEDS = 12  # variants per family and language
MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.S)


def _rules():
    """Every rule: each optimizer in each of its conventions, the PyTorch form under every option set."""
    for key, module in O.MODULES.items():
        for convention in module.INFO.conventions:
            yield f"{key}/{convention}", O.rule(key, convention)
        for options in conformance.OPTIONS.get(key, []):
            try:
                rule = O.rule(key, "pytorch", **options)
            except (TypeError, ValueError):  # a torch-only option without a rule form
                continue
            yield f"{key}/pytorch/{options}", rule


def _questions():
    for family in family_names():
        for lang in ("ja", "en"):
            for seed in range(SEEDS):
                yield quizgen.generate(family, seed, lang=lang)


def _texts(q) -> list[str]:
    return [q.stem, q.rounding, *(c.text for c in q.choices), *(c.feedback for c in q.choices),
            *(s.text for s in q.solution), *(f.caption for f in q.figures)]


@pytest.fixture(scope="module")
def corpus():
    """(where, latex, display) for every formula, and every Markdown text, a sheet can contain."""
    formulas: dict[tuple[str, bool], str] = {}
    texts: dict[str, str] = {}
    for where, rule in _rules():
        formulas.setdefault((rule.latex(), True), where)
    for m in mistakes.MISTAKES:
        for key in m.optimizers:
            for convention in m.conventions:
                if key in O.MODULES and convention in O.get(key).INFO.conventions:
                    try:
                        tex = m.latex(key, convention)
                    except ValueError:  # no rule form with the default options (never on a sheet)
                        continue
                    if tex:
                        formulas.setdefault((tex, True), f"mistake {m.name} on {key}/{convention}")
        for lang in ("ja", "en"):
            texts.setdefault(m.feedback(lang), f"mistake {m.name}")
    for q in _questions():
        for t in _texts(q):
            if t:
                texts.setdefault(t, q.id)
        for s in q.solution:
            if s.latex:
                formulas.setdefault((s.latex, True), q.id)
    for t, where in texts.items():
        for m in MATH.finditer(t):
            formulas.setdefault((m.group(1) or m.group(2), m.group(1) is not None), where)
    return formulas, texts


def _compile(tmp_path: Path, body: str) -> Path:
    (tmp_path / "drill.typ").write_text(library(), encoding="utf-8")
    (tmp_path / "main.typ").write_text('#import "/drill.typ": *\n#set document(date: none)\n'
                                       '#show: sheet.with(lang: "ja")\n' + body, encoding="utf-8")
    out = tmp_path / "main.pdf"
    compile_pdf(tmp_path, "main.typ", out)  # an error or any warning raises
    return out


def pdftext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_every_formula_a_sheet_can_contain_converts_and_compiles(corpus, tmp_path):
    formulas, texts = corpus
    assert set(family_names()) <= {where.split("-")[0] for where in texts.values()}  # every family was read
    assert len(formulas) > 300
    blocks = []
    for (tex, display), where in formulas.items():
        try:
            blocks.append(TM.to_typst(tex, block=display))
        except TM.TexError as e:
            pytest.fail(f"{where}: {e}")
    _compile(tmp_path, "\n\n".join(blocks))


def test_every_text_a_sheet_can_contain_converts_and_compiles(corpus, tmp_path):
    _, texts = corpus
    body = []
    for text, where in texts.items():
        try:
            body.append(f"#block[{MK.md(text)}]")
        except (MK.MarkupError, TM.TexError) as e:
            pytest.fail(f"{where}: {e}")
    _compile(tmp_path, "\n".join(body))


def test_the_markdown_shortcut_writes_what_the_full_path_writes(corpus):
    _, texts = corpus
    made_up = ["a **b** `c` $x_1$ d", "[1, 2] and params[key]", "x_y and m_t", "**強調** と `code` の 2 行\n\n$$x$$",
               "1. a list", "- item", "a | b", "a\\*b", "*em*", "a  b", "`a` `b`", "$a$$b$", "[x](y)"]
    taken = 0
    for text in [*texts, *made_up]:
        fast = MK.simple(text)
        if fast is None:
            continue
        taken += 1
        assert fast == MK.from_html(md_html(text)), text
    assert taken > 0.8 * len(texts)


@pytest.mark.parametrize("tex, typst", [
    (r"\frac{\eta g}{\sqrt{h} + \varepsilon}", "frac(eta g, sqrt(h) + epsilon)"),
    (r"\hat{m}_{t} = \left(1 - \beta_1\right)", "hat(m)_t = lr(( 1 - beta_1 ))"),
    (r"\begin{aligned} v &\leftarrow \alpha v \\ W &\leftarrow W + v \end{aligned}",
     r"v & <- alpha v \ W & <- W + v"),
    (r"\begin{cases} g & \text{if}\: t = 1 \\ \mu b & \text{otherwise} \end{cases}",
     'cases(g & "if" med t = 1, mu b & "otherwise")'),
    (r"{\rho_\infty}_{3} = 1999", "attach(rho_infinity, b: 3) = 1999"),
    (r"{0.96}^{t \psi}", "0.96^(t psi)"),
    (r"W_0 = (0.8,\ -1.2)", r"W_0 = ( 0.8 \, thick - 1.2 )"),
    (r"a/b < -1", r"a \/ b < - 1"),  # a slash stays a slash; "<-" is not an arrow
    (r"g^{\mathrm{ave}} \epsilon \varepsilon", 'g^upright("ave") epsilon.alt epsilon'),
    (r"x^{2}_{1} + 10^{-7}", "x^2_1 + 10^(- 7)"),
    (r"\text{学習率} \times 2", '"学習率" times 2'),
    (r"\max\left(\beta_2 u, \left|{g}\right|\right)", r"max lr(( beta_2 u \, lr(| g |) ))"),
    (r"\frac{c}{\lVert g \rVert + \varepsilon} \lvert g \rvert^{p}", "frac(c, norm(g) + epsilon) abs(g)^p"),
    (r"\lceil \log 0.1 / \log 0.6 \rceil \lfloor t \rfloor \lvert x", r"ceil(log 0.1 \/ log 0.6) floor(t) | x"),
    (r"\sqrt{\textstyle\sum_{j} g_{j}^{2}}", "sqrt(inline(sum_j g_j^2))"),  # Σ with its index beside it
    (r"\boldsymbol{w}^\top H \begin{pmatrix} 2 & 0.5 \\ 0.5 & 1 \end{pmatrix}",
     'bold(w)^top H mat(delim: "(", 2, 0.5; 0.5, 1)'),
])
def test_latex_to_typst(tex, typst):
    assert TM.convert(tex)[0] == typst


def test_inline_cases_are_set_in_display_size():
    tex = r"g = \begin{cases} g & \text{if}\: c > 1 \\ c g & \text{otherwise} \end{cases}"
    assert TM.to_typst(tex) == '$display(g = cases(g & "if" med c > 1, c g & "otherwise"))$'
    assert TM.to_typst(tex, block=True).startswith("$ g = cases(")
    assert TM.to_typst(r"x + 1") == "$x + 1$"


def test_numbers_are_put_back_in_place_whatever_the_shape():
    a = TM.convert(r"W_{2} = 0.5 - \frac{0.25 \times 3}{\sqrt{0.04} + 0} = -1.2")[0]
    assert a == "W_2 = 0.5 - frac(0.25 times 3, sqrt(0.04) + 0) = - 1.2"
    b = TM.convert(r"W_{7} = 9.5 - \frac{1.5 \times 8}{\sqrt{2.5} + 0} = 3")[0]  # the same shape: one parse
    assert b == "W_7 = 9.5 - frac(1.5 times 8, sqrt(2.5) + 0) = 3"
    assert TM.convert(r"x^12")[0] == "x^1 2"  # TeX: a bare superscript takes one digit


@pytest.mark.parametrize("tex, word", [(r"\unknowncommand x", r"\unknowncommand"),
                                       (r"\begin{array}{c} x \end{array}", "'array'"),
                                       (r"\left( x \right.", "one-sided"), (r"x & y", "'&'")])
def test_latex_it_cannot_print_is_one_clear_error(tex, word):
    with pytest.raises(TM.TexError) as e:
        TM.convert(tex)
    assert word in str(e.value) and "\n" not in str(e.value)


def test_text_prints_exactly_as_typed(tmp_path):
    """Everything Typst markup would act on (comments, shorthands, emphasis, labels, math) prints literally;
    a hyphen before a digit stays a hyphen (the key and the CSV write -0.050)."""
    typed = ["-0.050 と 1-2 と --lang ja と a--b と a---b", "// not a comment /* nor this */ http://x.jp",
             "*not strong* _not emph_ `not raw` $not math$", "#let x = 1 @ref <label> [brackets] ~tilde",
             "= not a heading", "+ not a list", r"back\slash and 'quotes' \"double\"", "a...b 1.5 ... end",
             "山田 太郎 (s01)", "=SUM(A1) +cmd @at"]
    out = _compile(tmp_path, "\n\n".join(f"#block[{MK.escape(t)}]" for t in typed))
    lines = [line.strip() for line in pdftext(out).splitlines() if line.strip()]
    for t in typed:
        assert t in lines, (t, lines)


def test_same_source_same_bytes_and_no_date(tmp_path):
    a = _compile(tmp_path, "$ x = frac(1, 2) $ 日本語").read_bytes()
    b = _compile(tmp_path, "$ x = frac(1, 2) $ 日本語").read_bytes()
    assert a == b
    assert b"/CreationDate" not in a and b"/ModDate" not in a and b"xmp:CreateDate" not in a


def _gray_page(pdf: Path) -> np.ndarray:
    """The PDF's first page as 8-bit gray pixels (pdftoppm, 150 dpi)."""
    raw = subprocess.run(["pdftoppm", "-r", "150", "-gray", "-f", "1", "-l", "1", str(pdf)], check=True,
                         capture_output=True).stdout
    magic, width, height, depth, pixels = raw.split(maxsplit=4)
    assert magic == b"P5" and depth == b"255"
    return np.frombuffer(pixels[:int(width) * int(height)], np.uint8).reshape(int(height), int(width))


def test_printed_dots_draw_the_sites_picture_in_a_fraction_of_the_bytes(tmp_path):
    """Print draws a path's dots as round-capped segments (plots.paths_svg(dots="caps")), not one <circle> each:
    rendered, the two figures differ only in anti-aliased edge pixels, and the PDF is much smaller."""
    from quizgen import generate, plots

    def dots_in(data):
        return sum(len(s["points"]) for s in data["series"])

    data = next(d for d in (generate("trajectory", seed).figures[0].data for seed in range(50)) if dots_in(d) > 300)
    sizes, pages = {}, {}
    for dots in ("circles", "caps"):
        svg = plots.paths_svg(data, dots=dots)
        assert ("<circle" in svg) == (dots == "circles")
        folder = tmp_path / dots
        folder.mkdir()
        (folder / "f.svg").write_text(svg, encoding="utf-8")
        pdf = _compile(folder, '#image("/f.svg", width: 12cm)')
        sizes[dots], pages[dots] = pdf.stat().st_size, _gray_page(pdf)
    differ = np.abs(pages["circles"].astype(int) - pages["caps"].astype(int)) > 64
    assert differ.mean() < 2e-4, differ.sum()
    assert sizes["caps"] < 0.5 * sizes["circles"], sizes
