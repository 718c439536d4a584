"""Exports, shared parts: fixtures (real generated questions, a hostile one), selection, the CLI's
errors and atomic writes, the HTML rendering of Markdown and math."""

from __future__ import annotations

import html
import random
from html.parser import HTMLParser

import pytest

import quizgen
from quizgen import seeds
from quizgen.cli import main as cli_main
from quizgen.export import render, select
from quizgen.question import Answer, Choice, Figure, Question, SolutionStep
from quizgen.trace import run

HOSTILE = "<script>alert('x')</script> & ]]> {braces} {{c1::cloze}} }}"


# -- fixtures ---------------------------------------------------------------------------------
def real_questions(variants: int = 2, seed: int = 11) -> list[Question]:
    """Every family, ``variants`` each, through the same selection the CLI uses."""
    sel = select.make_selection(None, variants, seed)
    return select.questions(sel)


def hostile_question() -> Question:
    """A concept-style true/false statement whose every text holds markup, entities, CDATA ends, braces."""
    return Question(
        id="concept-hostile", family="concept", seed=424242, lang="ja", kind="choice",
        stem=f"次の記述は正しいか。「Adam は $\\hat{{m}}_t < m_t \\& \\{{x\\}}$ となる {HOSTILE}」",
        answer=Answer(index=1),
        choices=[Choice(text=f"正しい {HOSTILE}", correct=False, mistake="no_bias_correction",
                        feedback=f"誤り: {HOSTILE}"),
                 Choice(text="誤り", correct=True, feedback=f"その通り {HOSTILE}")],
        solution=[SolutionStep(text=f"解説 {HOSTILE}", latex=r"\hat{m}_t = \frac{m_t}{1 - \beta_1^t} < \{x\}")],
        given=None, code=f"x = 1  # {HOSTILE}", rounding="",
        tags={"optimizer": "adam", "topic": f"bias correction {HOSTILE}"}, options={})


def momentum_question() -> Question:
    """A numeric question built like the engine's (its key executed by quizgen.trace), with a figure."""
    given = {"optimizer": "momentum", "convention": "textbook", "hyperparameters": {"lr": 0.1, "momentum": 0.9},
             "params0": {"W": [1.0]}, "grads": [{"W": [0.5]}, {"W": [0.3]}],
             "asked": {"quantity": "v", "step": 2, "key": "W", "index": 0}}
    key = recompute(given)
    wrong = -key  # the sign flip, as a named mistake's executed value would be
    return Question(
        id="steps-7", family="steps", seed=7, lang="ja", kind="numeric",
        stem="モーメンタムで $t=2$ の速度 $v_2$ を求めよ。",
        answer=Answer(value=key, decimals=3, tolerance=0.0005, text=f"{key:.3f}"),
        choices=[Choice(text=f"${key:.3f}$", correct=True, value=key, feedback="正解。"),
                 Choice(text=f"${wrong:.3f}$", correct=False, value=wrong, mistake="sign_flip",
                        feedback="符号が逆です: $v \\leftarrow \\alpha v - \\eta g$")],
        solution=[SolutionStep(text="$t=1$:", latex=r"v_1 = 0.9 \times 0 - 0.1 \times 0.5 = -0.05"),
                  SolutionStep(text="$t=2$:", latex=r"v_2 = 0.9 \times (-0.05) - 0.1 \times 0.3 = -0.075")],
        given=given, rounding="小数第 3 位まで（四捨五入）。許容誤差 ±0.0005。",
        figures=[Figure(kind="paths", caption="経路", data={
            "problem": "bowl", "series": [{"label": "Momentum", "points": [[-75, -10], [-60, -8]]}]})],
        tags={"optimizer": "momentum", "difficulty": 1})


def recompute(given: dict, family: str | None = None) -> float:
    """The key of a computed question, from ``given`` alone (runs the reference optimizer; a family without an
    optimizer, such as the chapter's init_numeric, re-executes its own reference code)."""
    if "optimizer" not in given and family is not None:
        from quizgen import families

        return families.get(family).recompute(given)
    asked = given["asked"]
    kwargs = dict(given.get("hyperparameters") or {})
    conv = given.get("convention", "textbook")
    if given.get("grads") is not None:
        trace = run(given["optimizer"], grads=given["grads"], params0=given["params0"],
                    steps=given.get("steps"), convention=conv, **kwargs)
    else:
        trace = run(given["optimizer"], problem=given["problem"], start=given["start"], steps=given["steps"],
                    convention=conv, **kwargs)
    return trace.value(asked["quantity"], asked["step"], asked.get("key"), asked.get("index"))


class _Text(HTMLParser):
    """Tags and decoded text of an HTML fragment (to prove hostile text arrives as text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def html_text(fragment: str) -> tuple[list[str], str]:
    p = _Text()
    p.feed(fragment)
    p.close()
    return p.tags, "".join(p.text)


def assert_hostile_intact(fragment: str) -> None:
    """``fragment`` shows HOSTILE as text: no script element, every character there after decoding."""
    tags, text = html_text(fragment)
    assert "script" not in tags
    assert HOSTILE in text, text


# -- rendering --------------------------------------------------------------------------------
def test_markdown_math_becomes_mathjax_delimiters():
    out = render.md("速度 $v_t < 1$ と\n\n$$\\hat{m} = \\frac{m}{1-\\beta^t}$$")
    assert r"\(v_t &lt; 1\)" in out and r"\[\hat{m} = \frac{m}{1-\beta^t}\]" in out
    assert "$" not in out


def _markdown_itself(text: str) -> str:
    render._MD.reset()
    return render._MD.convert(text).strip()


def _strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _strings(v)


def test_plain_text_shortcut_is_what_markdown_writes():
    """md() skips Markdown for simple texts (plain lines with inline math, **strong**, and blocks of such lines and
    display formulas): on every text of real questions and on 20,000 made-up texts full of characters and pieces
    Markdown may act on, the shortcut must give Markdown's own HTML."""
    texts = set()
    from quizgen.drill.engine import family_names

    for family in family_names():
        for seed in range(8):
            texts.update(_strings(quizgen.generate(family, seed=seed).to_dict()))
    made = ["  abc  ", "abc ", 'say "hi" it\'s', "1. 項目", "1) x", "- a", "+ x", "# h", "> q", "= x", "a = b",
            "x -- y", "100 % です", "tab\tx", "    code", "x^2", "https://example.org", "a:b", "(a) b", "{x}", "α-β",
            "a  b", "3.5 は", "2024-17", "Jane Doe", "―", "a\\b", "a &amp; b", "a < b", "*x*", "_x_", "`x`",
            "ここで $\\eta$: 学習率", "a $x<y$ b", "a $ x$ b", "a $x $ b", "a $x$$y$ b", "$a&b$", "cost $5 and $6",
            "a $x\\$y$ b", "$x$", "$`x`$", "a $x$ `c`", "$1.$ x", "- $x$", "$\\hat{m}_t$ と $v_{t}$。", "a:b $c$ https://x"]
    rng = random.Random(5)
    alphabet = "ab 1.-+*#>=()[]{}!?:;/%^~|'\"あ勾配　\t$$$\\_<&`"
    made += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14))) for _ in range(6000)]
    # lines built from the pieces the shortcut takes (strong, brackets, underscores, numbers) and their look-alikes
    tokens = ["**", "*", "**x**", "** x**", "**a b**", "m_t", "_", "__", "_x_", "a_", "[key]", "[x](y)", "[x] (y)",
              "[", "]", "][", "|", "a|b", "-0.5", "0.85", "1.", "2. ", "- ", "-", "--", "+", "=", "#", "$x$", "$v_t$",
              "!", "（", "）", "勾配", " ", "a", "1", "\\", "`", "<", "&"]
    made += ["".join(rng.choice(tokens) for _ in range(rng.randint(1, 7))) for _ in range(8000)]
    # texts of several blocks: simple lines and display formulas (with lines Markdown would act on elsewhere)
    maths = ["x", "a<b & c", "v &\\leftarrow v \\\\", "- x", "# h", "    ind", " y", "1. z", "> q", "$", "**b**",
             "", "\\begin{aligned}", "`c`", "|a|"]
    lines = made[:300] + made[-300:] + ["A です。", "ここで $\\eta$: 学習率", "**-1.000**", ""] * 20
    for _ in range(6000):
        blocks = []
        for _ in range(rng.randint(1, 4)):
            if rng.random() < 0.4:
                inner = "\n".join(rng.choice(maths) for _ in range(rng.randint(1, 3)))
                sep = rng.choice(["\n", "\n", " ", ""])
                blocks.append("$$" + sep + inner + sep + "$$")
            else:
                blocks.append(rng.choice(lines))
        made.append(rng.choice(["\n\n", "\n\n", "\n", "\n\n\n"]).join(blocks))
    shortcut = blocks_taken = 0
    for text in texts | set(made):
        assert render.md.__wrapped__(text) == _markdown_itself(text), text
        shortcut += render._simple_line(text) is not None
        blocks_taken += "\n" in text and render._simple_blocks(text) is not None
    assert shortcut > 300 and blocks_taken > 300  # the shortcuts are taken, and checked, often


def test_markdown_raw_html_and_entities_stay_text():
    assert_hostile_intact(render.md(HOSTILE))
    assert render.md_inline("a <b>c</b>") == "a &lt;b&gt;c&lt;/b&gt;"
    assert render.esc(HOSTILE) == html.escape(HOSTILE)


def test_code_block_is_escaped_pre_code():
    out = render.code_block("if a < b and c > d:  # （あ）\n    x = '&'\n")
    assert out.startswith("<pre><code") and "&lt;" in out and "&amp;" in out


# -- selection --------------------------------------------------------------------------------
def test_selection_validates_input():
    with pytest.raises(ValueError, match="unknown family 'nope'"):
        select.make_selection("nope", 1, 0)
    with pytest.raises(ValueError, match="--variants"):
        select.make_selection(None, 0, 0)
    with pytest.raises(ValueError, match="seed"):
        select.make_selection(None, 1, -1)
    with pytest.raises(ValueError, match="unknown optimizer"):
        select.make_selection(None, 1, 0, "adamx")


def test_selection_seeds_are_derived_and_shown():
    families = select.family_names()
    sel = select.make_selection(families[0], 3, 5)
    qs = select.questions(sel)
    assert [q.seed for q in qs] == [seeds.derive("export", 5, families[0], i) for i in range(3)]
    again = [quizgen.generate(q.family, q.seed, **q.options) for q in qs]
    assert [a.to_json() for a in again] == [q.to_json() for q in qs]


def test_selection_with_optimizers_asks_each_listed_optimizer():
    fams = [f for f in select.family_names() if select.takes_optimizer(f)]
    assert fams, "no family takes an optimizer option"
    sel = select.make_selection(fams[0], 2, 3, "adam,momentum")
    qs = select.questions(sel)
    assert [select.optimizer_of(q) for q in qs] == ["adam", "adam", "momentum", "momentum"]
    assert qs[0].seed == seeds.derive("export", 3, fams[0], "adam", 0)


# -- CLI: errors, atomic writes ---------------------------------------------------------------
@pytest.mark.parametrize("argv, message", [
    (["moodle", "--families", "nope"], "unknown family 'nope'"),
    (["anki", "--variants", "0"], "--variants must be"),
    (["jsonl", "--variants", "1001"], "--variants must be a whole number between 1 and 1000"),
    (["jsonl", "--variants", "1000", "--optimizers", "adam", "sgd", "momentum", "rmsprop"],
     "questions, at most 20,000: lower --variants"),
    (["jsonl", "--seed", "x"], "seed must be a whole number"),
    (["json", "--optimizers", "adamx"], "unknown optimizer"),
    (["anki", "--timestamp", "soon"], "timestamp"),
    (["anki", "--conventions", "books"], "unknown convention"),
])
def test_cli_bad_input_is_one_line_and_writes_nothing(tmp_path, capsys, argv, message):
    out = tmp_path / "out.file"
    assert cli_main(["export", *argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err and err.startswith("quizgen export: error:")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("target", ["missing-dir/quiz.xml", "a-file/quiz.xml", "."])
def test_cli_unwritable_out_is_one_line(tmp_path, capsys, target):
    (tmp_path / "a-file").write_text("x")
    before = sorted(p.name for p in tmp_path.iterdir())
    assert cli_main(["export", "moodle", "--variants", "1", "--out", str(tmp_path / target)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("quizgen export: error: cannot write") and "\n" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_anki_refuses_stdout(capsys):
    assert cli_main(["export", "anki", "--out", "-"]) == 2
    assert "binary" in capsys.readouterr().err


def test_hostile_math_keeps_its_braces_and_is_escaped():
    out = render.md(hostile_question().stem)
    assert r"\(\hat{m}_t &lt; m_t \&amp; \{x\}\)" in out


@pytest.mark.parametrize("families", [["steps", "code_blank"], ["steps,code_blank"], ["steps, code_blank"],
                                      ["steps，code_blank"], ["steps", "code_blank,steps"]])
def test_families_as_words_or_comma_lists(tmp_path, capsys, families):
    out = tmp_path / "q.jsonl"
    assert cli_main(["export", "jsonl", "--families", *families, "--variants", "1", "-q", "--out", str(out)]) == 0
    assert [line.split('"family": "')[1].split('"')[0] for line in out.read_text().splitlines()] == \
        ["steps", "code_blank"]
    assert select.split_list(["adam", "sgd,rmsprop"]) == ["adam", "sgd", "rmsprop"]
