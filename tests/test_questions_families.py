"""The non-numeric families (code_blank, formula, concepts, trajectory) over 10,000 seeds each, every answer
re-checked independently: code lines re-executed, formulas re-derived from the rules, statements looked up
in the bank, trajectories recomputed with 50-digit arithmetic."""

from __future__ import annotations

import inspect
import re
import sys
from functools import cache

import mpmath
import numpy as np
import pytest
from _recompute import _step_textbook

import optimizers
from quizgen import bank, generate
from quizgen import mistakes as M
from quizgen.families.code_blank import BLANK, WITNESS_G, WITNESS_HYPER, WITNESS_W

BLOCK = 2500
BLOCKS = 4  # 4 × 2500 = 10,000 seeds per family


# -- code_blank ---------------------------------------------------------------------------------
@cache
def _witness(key: str, filled: tuple[tuple[int, str], ...]) -> tuple:
    """Run the class whose source has lines ``filled`` replaced, on the witness: final W and state (rounded)."""
    cls = optimizers.get(key).INFO.cls
    src = _source(key)
    src = re.sub(r'^(\s*class [^\n]+\n)\s*"""(?:.|\n)*?"""\n(\s*\n)?', r"\1", src, count=1)
    lines = [ln for ln in src.splitlines() if not re.match(r"\s*check_(inputs|hyperparameters)\(", ln)]
    for index, text in filled:
        indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
        lines[index] = indent + text
    ns = dict(vars(sys.modules[cls.__module__]))
    exec("\n".join(lines) + "\n", ns)
    new = ns[cls.__name__]
    sig = inspect.signature(new.__init__).parameters
    opt = new(**{k: v for k, v in WITNESS_HYPER.items() if k in sig})
    params = {"W": np.array(WITNESS_W)}
    with np.errstate(all="ignore"):
        for g in WITNESS_G:
            opt.update(params, {"W": np.array(g)})
    state = tuple(tuple(np.round(np.asarray(v["W"], dtype=float), 9)) for _, v in sorted(vars(opt).items())
                  if isinstance(v, dict) and "W" in v)
    return tuple(np.round(params["W"], 9)), state


@cache
def _source(key: str) -> str:
    return inspect.getsource(optimizers.get(key).INFO.cls)


def _lines_of(choice_text: str) -> list[str]:
    return re.findall(r"`([^`]*)`", choice_text)


def check_code(q) -> None:
    key = q.given["optimizer"]
    idx = q.given["lines"]
    assert q.code.count(BLANK[0]) == 1 and q.code.count(BLANK[1]) == (1 if len(idx) == 2 else 0)
    real = _witness(key, ())
    texts = [c.text for c in q.choices]
    assert len(set(texts)) == 4 and sum(c.correct for c in q.choices) == 1
    for c in q.choices:
        filled = tuple(zip(idx, _lines_of(c.text)))
        assert len(filled) == len(idx)
        if c.correct:
            assert _witness(key, filled) == real  # the key restores the class
            assert all(line in _source(key) for _, line in filled)
        else:
            assert _witness(key, filled) != real, (q.id, c.text)  # executed: proven wrong
            assert c.mistake in M.REGISTRY and c.feedback
            assert not M.get(c.mistake).is_convention(key)  # another source's correct line is not wrong
    check_code_as_an_exam_shows_it(q)


def check_code_as_an_exam_shows_it(q) -> None:
    """No input-check call, no comment (a comment says what a line computes or names a state, 「勾配の二乗和」,
    which rules out a distractor), no nan, and three wrong choices with three different mistakes, each wrong in
    exactly one blank."""
    assert "check_inputs" not in q.code and "check_hyperparameters" not in q.code
    assert "#" not in q.code, q.id
    for text in [q.stem, q.code] + [c.text + c.feedback for c in q.choices]:
        assert "nan" not in text.lower().replace("nanoid", ""), q.id
    wrong = [c for c in q.choices if not c.correct]
    assert len({c.mistake for c in wrong}) == 3, (q.id, [c.mistake for c in wrong])
    key_lines = _lines_of(q.choices[q.answer.index].text)
    for c in wrong:
        assert sum(a != b for a, b in zip(_lines_of(c.text), key_lines)) == 1, (q.id, c.text)
        assert not re.search(r"params\[key\] = -\(", c.text)  # no line anyone writes


# -- formula ------------------------------------------------------------------------------------
def _inline(latex: str) -> str:
    return "$" + " ".join(line.strip() for line in latex.splitlines()) + "$"


@cache
def _rule_latex(key: str, convention: str, mistake: str | None) -> str:
    from quizgen.families.formula import _form

    if mistake is None:
        if convention == "pytorch":  # torch.optim's defaults filled in (AdamW's weight_decay=0.01)
            module = optimizers.get(key)
            rule = optimizers.from_torch(module.INFO.torch or key, **_form(key, convention)).rule
            return _inline(rule.latex(derived=False))
        return _inline(optimizers.rule(key, convention).latex(derived=False))
    return _inline(M.get(mistake).rule(key, convention, _form(key, convention)).latex(derived=False))


@cache
def _differs_numerically(key: str, convention: str, mistake: str) -> bool:
    """One float step of both rules from random states: some output differs (independent of formula.proof)."""
    from quizgen.families.formula import _form

    form = _form(key, convention)
    module = optimizers.get(key)
    good = optimizers.from_torch(module.INFO.torch or key, **form).rule if convention == "pytorch" \
        else optimizers.rule(key, convention)
    bad = M.get(mistake).rule(key, convention, form)
    rng = np.random.default_rng(0)
    for _ in range(20):
        env = {s.name: float(rng.uniform(0.05, 0.95)) for s in good.symbols.values()}
        env["t"] = int(rng.integers(1, 30))  # late steps too (RAdam's rectified branch opens at ρ_t > 5)
        env["tau"] = 0.0
        env["lr_decay"] = 0.0
        env["mu_product"] = 0.5
        a, b = good.step(dict(env)), bad.step(dict(env))
        for name in ["W"] + good.state_names:
            if name in b and abs(float(a[name]) - float(b[name])) > 1e-9:
                return True
    return False


def check_formula(q) -> None:
    key, convention = q.given["optimizer"], q.given["convention"]
    correct = q.choices[q.answer.index]
    assert correct.text == _rule_latex(key, convention, None)
    wrong = [c for c in q.choices if not c.correct]
    assert [c.mistake for c in wrong] and len({c.text for c in q.choices}) == 4
    for c in wrong:
        assert c.text == _rule_latex(key, convention, c.mistake)
        assert _differs_numerically(key, convention, c.mistake), (key, convention, c.mistake)


# -- concepts -----------------------------------------------------------------------------------
_BANK = bank.load()


def check_concepts(q) -> None:
    ids = q.given["statements"]
    statements = [_BANK.get(i) for i in ids]
    key_truth = q.given["mode"] == "correct"
    assert statements[0].truth is key_truth and all(s.truth is not key_truth for s in statements[1:])
    assert q.choices[q.answer.index].text == statements[0].ja
    assert {c.text for c in q.choices} == {s.ja for s in statements}
    tags = [s.misconception for s in statements if s.misconception]
    assert len(tags) == len(set(tags))
    assert len(set(ids)) == 4


# -- trajectory ---------------------------------------------------------------------------------
_GRADS = {"ravine": lambda x, y: (x / 10, 2 * y), "bowl": lambda x, y: (2 * x, 2 * y),
          "saddle": lambda x, y: (2 * x, -2 * y),
          "rosenbrock": lambda x, y: (-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x))}


@cache
def _path(key: str, args: tuple, start: tuple, steps: int, problem: str = "ravine") -> list:
    hp = {k: mpmath.mpf(repr(v)) for k, v in args}
    hp.setdefault("eps", mpmath.mpf("1e-7") if key in ("adagrad", "rmsprop", "adam") else 0)
    if key == "adam":
        hp["eps"] = mpmath.mpf("1e-7")
    st = {k: {n: mpmath.mpf(0) for n in ("v", "h", "m", "s", "u", "m_hat", "v_hat", "v_max", "dx")} | {"t": 0}
          for k in "xy"}
    x, y = mpmath.mpf(repr(start[0])), mpmath.mpf(repr(start[1]))
    pts = [(float(x), float(y))]
    for _ in range(steps):
        gx, gy = _GRADS[problem](x, y)
        x = _step_textbook(key, hp, st["x"], x, gx)
        y = _step_textbook(key, hp, st["y"], y, gy)
        pts.append((float(x), float(y)))
    return pts


def check_trajectory(q) -> None:
    g = q.given
    series = {s["label"]: s for s in q.figures[0].data["series"]}
    assert q.figures[0].kind == "paths" and q.figures[0].data["problem"] == g["problem"] in _GRADS
    (x0, x1), (y0, y1) = q.figures[0].data["xlim"], q.figures[0].data["ylim"]
    for s in g["series"]:
        want = _path(s["optimizer"], tuple(sorted(s["hyperparameters"].items())), tuple(g["start"]), g["steps"],
                     g["problem"])
        got = series[s["label"]]["points"]
        assert len(got) == g["steps"] + 1
        assert np.allclose(np.array(got), np.array(want), rtol=1e-5, atol=1e-6), (q.id, s)
        assert all(x0 <= x <= x1 and y0 <= y <= y1 for x, y in got), (q.id, s["label"])  # the figure shows it all
    names = {s["label"]: s["optimizer"] for s in g["series"]}
    correct = q.choices[q.answer.index].text
    if g["ask"] == "one":
        label = re.search(r"経路 ([A-D]) を描いた", q.stem).group(1)
        assert q.tags["optimizer"] == names[label]
        assert correct == optimizers.get(names[label]).INFO.name_ja
    else:
        for label, key in names.items():
            assert f"{label}: {optimizers.get(key).INFO.name_ja}" in correct


CHECKS = {"code_blank": check_code, "formula": check_formula, "concepts": check_concepts,
          "trajectory": check_trajectory}


@pytest.mark.parametrize("family", sorted(CHECKS))
@pytest.mark.parametrize("block", range(BLOCKS))
def test_family_answers(family: str, block: int) -> None:
    positions = [0, 0, 0, 0]
    for seed in range(block * BLOCK, (block + 1) * BLOCK):
        q = generate(family, seed, render=False)
        assert q.kind == "choice" and len(q.choices) == 4
        CHECKS[family](q)
        positions[q.answer.index] += 1
    assert min(positions) > BLOCK / 4 * 0.8, positions  # roughly uniform (the stress command tests it properly)


@pytest.mark.parametrize("family", sorted(CHECKS))
def test_rendered_and_deterministic(family: str) -> None:
    for seed in range(30):
        a = generate(family, seed)
        assert a.to_json() == generate(family, seed).to_json()
        assert a.solution and a.id == f"{family}-{seed}"
        en = generate(family, seed, lang="en")
        assert en.answer.index == a.answer.index and en.stem != a.stem


def test_code_blank_t1_trap_is_explained() -> None:
    seen = 0
    for seed in range(400):
        q = generate("code_blank", seed, render=False, optimizer="adam", blanks=1)
        for c in q.choices:
            if c.mistake == "bias_correction_without_t":
                assert "t = 1" in c.feedback
                seen += 1
    assert seen > 0


ALL_KEYS = [k for k in optimizers.ORDER if k in optimizers.MODULES]


@pytest.mark.parametrize("key", ALL_KEYS)
def test_every_optimizer_has_three_mistaken_rules_in_each_convention(key: str) -> None:
    """formula draws an optimizer without working out the others' variants: each must have three."""
    from quizgen.families.formula import variants

    conventions = ["textbook", "pytorch"] + (["sutskever"] if "sutskever" in optimizers.get(key).INFO.conventions
                                             else [])
    for convention in conventions:
        assert len(variants(key, convention)[1]) >= 3, (key, convention)


@pytest.mark.parametrize("key", ALL_KEYS)
def test_every_optimizer_has_code_and_formula_questions(key: str) -> None:
    for family in ("code_blank", "formula"):
        q = generate(family, 1, optimizer=key)
        assert q.given["optimizer"] == key
    q = generate("formula", 1, optimizer=key, convention="pytorch")
    check_formula(q)


def test_concepts_topics_and_modes() -> None:
    for topic in bank.TOPICS:
        for mode in ("correct", "incorrect"):
            try:
                q = generate("concepts", 3, topic=topic, mode=mode)
            except ValueError as e:
                assert "no true statement" in str(e) or "no false statement" in str(e) or "compatible" in str(e)
                continue
            check_concepts(q)
            assert q.given["topic"] == topic


def test_trajectory_draws_its_problem() -> None:
    drawn = {generate("trajectory", seed, render=False).given["problem"] for seed in range(60)}
    assert drawn == {"bowl", "ravine", "saddle", "rosenbrock"}
    for problem in sorted(drawn):
        check_trajectory(generate("trajectory", 5, problem=problem))


def test_trajectory_with_optimizer_and_ask() -> None:
    for key in ("sgd", "momentum", "adagrad", "adam"):
        q = generate("trajectory", 2, optimizer=key, ask="one")
        assert key in [s["optimizer"] for s in q.given["series"]]
        check_trajectory(q)
    with pytest.raises(ValueError, match="no trajectory settings"):
        generate("trajectory", 1, optimizer="nadam")
