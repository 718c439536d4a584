"""The terminal's Unicode math printer (quizgen/textmath.py): exact forms of the TeX we write, and every rule of
every optimizer and convention, every family's stems, choices and solutions, and ``quizgen show`` of every
optimizer print without raw TeX. The registries are iterated, so optimizers, conventions and families added
later are covered too."""

from __future__ import annotations

import re

import pytest

import optimizers
from quizgen import engine, families
from quizgen.cli import main
from quizgen.textmath import TexError, markdown, to_text

RAW = re.compile(r"\\|\{(?! )|(?<! )\}|\^\{|_\{|\bfrac\b|\bsqrt\b|\bleft\b|\bright\b")


@pytest.mark.parametrize(("tex", "text"), [
    (r"W &\leftarrow W - \frac{\eta g}{\sqrt{h} + \varepsilon}", "W ← W - ηg/(√h + ε)"),
    (r"\hat{m} &\leftarrow \frac{m}{1 - \beta_1^{t}}", "m̂ ← m/(1 - β₁ᵗ)"),
    (r"\eta_t &\leftarrow \frac{\eta \sqrt{1 - \beta_2^{t}}}{1 - \beta_1^{t}}", "ηₜ ← η√(1 - β₂ᵗ)/(1 - β₁ᵗ)"),
    (r"v_{\max} &\leftarrow \max\left(v, v_{\max}\right)", "vₘₐₓ ← max(v, vₘₐₓ)"),
    (r"\frac{1}{2 \eta_t}", "1/(2ηₜ)"),  # a product below the line is bracketed
    (r"\frac{\sqrt{1 - \beta_2^{t}}}{\sqrt{v} + \varepsilon}", "√(1 - β₂ᵗ)/(√v + ε)"),
    (r"9.99994 \times 10^{-5}", "9.99994 × 10⁻⁵"),
    (r"W_{1} = 1 - 0.01 \times \left(-2\right) = 1.02", "W₁ = 1 - 0.01 × (-2) = 1.02"),
    (r"b &\leftarrow \begin{cases} g & \text{if}\: t = 1 \\\mu b + \left(1 - \tau\right) g & \text{otherwise} "
     r"\end{cases}", "b ← { g  if t = 1; μb + (1 - τ)g  otherwise }"),
    ("\\begin{aligned}\nv &\\leftarrow \\alpha v - \\eta g \\\\\nW &\\leftarrow W + v\n\\end{aligned}",
     "v ← αv - ηg\nW ← W + v"),
    (r"\nabla f = \left(\frac{x}{10},\ 2y\right)", "∇f = (x/10, 2y)"),
    (r"E[\Delta x^2] &\leftarrow \rho E[\Delta x^2]", "E[Δx²] ← ρE[Δx²]"),
    (r"\lvert g \rvert^{p}", "|g|ᵖ"),
    (r"x^{(k)}", "x⁽ᵏ⁾"),
    (r"x^{\infty}", "x^∞"),
    (r"\lceil \log 0.1 / \log 0.6 \rceil = 5", "⌈log 0.1/log 0.6⌉ = 5"),
    (r"\lfloor t / s \rfloor", "⌊t/s⌋"),
    (r"\frac{1}{2} \boldsymbol{w}^\top H \boldsymbol{w} - \boldsymbol{b}^\top \boldsymbol{w}", "1/2 wᵀHw - bᵀw"),
    (r"\lVert g \rVert &\leftarrow \sqrt{\textstyle\sum_{j} g_{j}^{2}}", "‖g‖ ← √(Σⱼgⱼ²)"),
    (r"r \leftarrow \frac{c}{\lVert g \rVert + \varepsilon}", "r ← c/(‖g‖ + ε)"),
    (r"H = \begin{pmatrix} 2 & 0.5 \\ 0.5 & 1 \end{pmatrix}", "H = (2, 0.5; 0.5, 1)"),
])
def test_exact_forms(tex, text):
    assert to_text(tex, strict=True) == text


def test_unknown_commands_are_kept_or_refused():
    assert to_text(r"\weird{x} + 1") == r"\weird x + 1"
    with pytest.raises(TexError, match=r"\\weird"):
        to_text(r"\weird{x}", strict=True)


def test_markdown_display_math_on_its_own_lines():
    md = "次の式 $v$ を使う。\n\n$$\n\\begin{aligned}\nv &\\leftarrow \\alpha v \\\\\nW &\\leftarrow W + v\n" \
         "\\end{aligned}\n$$\n\n**答え**を求めよ。"
    assert markdown(md) == "次の式 v を使う。\n\n    v ← αv\n    W ← W + v\n\n答えを求めよ。"


def _conventions():
    for key, module in optimizers.MODULES.items():
        for convention in module.INFO.conventions:
            yield key, convention


@pytest.mark.parametrize(("key", "convention"), list(_conventions()))
def test_every_rule_prints_without_raw_tex(key, convention):
    rule = optimizers.rule(key, convention)
    for line in rule.latex_lines():
        text = to_text(line, strict=True)
        assert not RAW.search(text), (line, text)
    assert not RAW.search(to_text(rule.latex(), strict=True))


def _math_of(md: str) -> list[str]:
    return [a or b for a, b in re.findall(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$|(?<!\\)\$(.+?)(?<!\\)\$", md, re.S)]


@pytest.mark.parametrize("family", families.NAMES)
def test_every_family_prints_without_raw_tex(family):
    """Stems, choices and worked solutions of 30 seeds per family (both languages)."""
    for seed in range(30):
        q = engine.generate(family, seed, lang="en" if seed % 5 == 4 else "ja")
        texts = [q.stem, *(c.text for c in q.choices), *(s.text for s in q.solution), q.rounding]
        for md in texts:
            for tex in _math_of(md):
                out = to_text(tex, strict=True)
                assert not RAW.search(out), (q.id, tex, out)
            printed = re.sub(r"`[^`]*`", "", markdown(md, strict=True))  # code spans are code
            assert "$" not in printed and not re.search(r"\\[A-Za-z]", printed), (q.id, printed)
        for s in q.solution:
            if s.latex:
                out = to_text(s.latex, strict=True)
                assert not RAW.search(out), (q.id, s.latex, out)


@pytest.mark.parametrize(("key", "convention"), list(_conventions()))
def test_show_prints_rules_and_steps_without_raw_tex(key, convention, capsys):
    assert main(["show", key, "--convention", convention, "--steps", "2"]) == 0
    out = capsys.readouterr().out
    assert "rule: " in out and "₁ = " in out
    assert not RAW.search(out), out


def test_show_refuses_a_convention_the_optimizer_lacks(capsys):
    assert main(["show", "sgd", "--convention", "sutskever"]) == 2
    assert capsys.readouterr().err.strip() == ("quizgen show: error: sgd has no 'sutskever' convention; "
                                               "choose from textbook, pytorch")


def test_questions_command_prints_unicode_math(capsys):
    assert main(["questions", "--family", "steps", "--optimizer", "adam", "--seed", "7"]) == 0
    out = capsys.readouterr().out
    assert "β₁" in out and not RAW.search(re.sub(r"`[^`]*`", "", out)), out
