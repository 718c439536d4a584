"""The exam-format families (true_false, formula_blank, combination, threshold) over thousands of seeds, every
key recomputed from ``given`` without the families' code: statements and sentences read from the YAML files
with PyYAML, update rules rebuilt from ``given`` and executed against the reference classes, thresholds and
executed facts recomputed with exact rationals or 50-digit mpmath (tests/_recompute.py).

Plus what a Japanese examinee reads: no katakana reading after a name, no nested brackets, no stray space
before a particle, in 1,000 stems per family; and the share of the syllabus optimizers."""

from __future__ import annotations

import inspect
import math
import re
from fractions import Fraction
from functools import cache
from pathlib import Path

import mpmath
import numpy as np
import pytest
import sympy as sp
import yaml
from _recompute import _step_textbook

import optimizers
from quizgen import generate
from quizgen.question import optimizer_of

ROOT = Path(__file__).resolve().parents[1]
FAMILIES = ("true_false", "formula_blank", "combination", "threshold")
SEEDS = 1000


@cache
def batch(family: str) -> tuple:
    """Seeds 0 … SEEDS−1 of a family, made once for every test of this module (without solutions)."""
    return tuple(generate(family, seed, render=False) for seed in range(SEEDS))


# -- the banks, read independently ------------------------------------------------------------------------
@cache
def concepts() -> dict[str, dict]:
    data = yaml.safe_load((ROOT / "quizgen/bank/concepts.yaml").read_text(encoding="utf-8"))
    return {s["id"]: s for s in data["statements"]}


@cache
def sentences() -> dict[str, dict]:
    data = yaml.safe_load((ROOT / "quizgen/bank/combinations.yaml").read_text(encoding="utf-8"))
    return {s["id"]: s for s in data["items"]}


# -- rules rebuilt from given and executed against the classes ------------------------------------------
WITNESS = {"lr": 0.1, "momentum": 0.9, "decay_rate": 0.9, "rho": 0.9, "beta1": 0.9, "beta2": 0.99, "eps": 0.01,
           "weight_decay": 0.1}
GRADS = (0.5, 0.3, -0.2, 0.7)


def replaced(expr: sp.Expr, path: list[int], new: sp.Expr) -> sp.Expr:
    if not path:
        return new
    args = list(expr.args)
    args[path[0]] = replaced(args[path[0]], path[1:], new)
    with sp.evaluate(False):  # keep the tree as written, so the other blanks' paths still lead to their terms
        return expr.func(*args)


def rule_with(key: str, holes: list[tuple[int, list[int], str]]):
    """The textbook rule of ``key`` with the term at each (line, path) replaced by ``sympy.sympify(text)``."""
    rule = optimizers.rule(key)
    lines = list(rule.assignments)
    for line, path, text in sorted(holes, key=lambda h: (h[0], -len(h[1]))):
        target, expr = lines[line]
        lines[line] = (target, replaced(expr, path, sp.sympify(text)))
    return optimizers.Rule(rule.optimizer, rule.convention, rule.symbols, lines, list(rule.derived), dict(rule.init))


def class_trace(key: str) -> list[float]:
    """W and every state attribute of the reference class after each update on the witness."""
    cls = optimizers.get(key).INFO.cls
    kwargs = {k: v for k, v in WITNESS.items() if k in inspect.signature(cls.__init__).parameters}
    opt, params, out = cls(**kwargs), {"W": np.array([1.5])}, []
    states = [s.code for s in optimizers.rule(key).symbols.values() if s.kind == "state"]
    for g in GRADS:
        opt.update(params, {"W": np.array([g])})
        out += [float(params["W"][0])] + [float(getattr(opt, code)["W"][0]) for code in states]
    return out


def rule_trace(key: str, rule) -> list[float]:
    """The same from a rule (its states by name), executed with sympy's numpy functions."""
    cls = optimizers.get(key).INFO.cls
    defaults = {k: p.default for k, p in inspect.signature(cls.__init__).parameters.items() if k != "self"}
    values = {**defaults, **{k: v for k, v in WITNESS.items() if k in defaults}}
    env: dict = {s.name: values[s.code] for s in rule.symbols.values() if s.kind == "hyper"}
    env.update({s.name: np.float64(rule.init.get(s.name, 0.0)) for s in rule.symbols.values()
                if s.kind in ("state", "step")})
    states = [s.name for s in rule.symbols.values() if s.kind == "state"]
    env["W"], out = np.float64(1.5), []
    with np.errstate(all="ignore"):
        for g in GRADS:
            env["g"] = np.float64(g)
            env.update(rule.step(dict(env)))
            out += [float(env["W"])] + [float(env[name]) for name in states]
    return out


def same(a: list[float], b: list[float]) -> bool:
    return all(math.isfinite(x) and abs(x - y) <= 1e-9 * max(1.0, abs(y)) for x, y in zip(a, b))


def check_formula_blank(q) -> None:
    g = q.given
    key = g["optimizer"]
    real = class_trace(key)
    assert len(q.choices) == 4 and len({c.text for c in q.choices}) == 4
    for c, text in zip(q.choices, g["terms"]):
        executed = rule_trace(key, rule_with(key, [(g["line"], g["path"], text)]))
        assert same(executed, real) == c.correct, (q.id, c.text)
        if not c.correct:
            assert c.mistake and c.feedback and "、この式では" in c.feedback
    assert r"\text{（ア）}" in q.stem


def check_combination(q) -> None:
    g = q.given
    assert len(q.choices) == 4
    if g["source"] == "words":
        item = sentences()[g["item"]]
        n = len(item["blanks"])
        labels = "アイウ"[:n]
        right = [f"（{label}）{b['answer']['ja']}" for label, b in zip(labels, item["blanks"])]
        wrong = {f"（{label}）{w['ja']}": w["mistake"] for label, b in zip(labels, item["blanks"])
                 for w in b["wrong"]}
        for c in q.choices:
            parts = c.text.split("　")
            assert len(parts) == n
            assert all(p in right or p in wrong for p in parts), (q.id, c.text)
            assert all(p in right for p in parts) == c.correct
            if not c.correct:
                assert c.mistake in {wrong[p] for p in parts if p in wrong}
        counts = [sum(r in c.text.split("　") for c in q.choices) for r in right]
        assert counts == [2] * n  # balanced: each right word in exactly two choices
        assert item["ja"] in q.stem
    else:
        key = g["optimizer"]
        real = class_trace(key)
        holes = [(b["line"], b["path"]) for b in g["blanks"]]
        for c, terms in zip(q.choices, g["choices"]):
            rule = rule_with(key, [(line, path, t) for (line, path), t in zip(holes, terms)])
            assert same(rule_trace(key, rule), real) == c.correct, (q.id, c.text)


# -- threshold, recomputed with exact arithmetic ---------------------------------------------------------
def F(x: float) -> Fraction:
    return Fraction(repr(x))


def threshold_key(g: dict) -> str:
    if g["ask"] == "stability":
        bound = 2 / F(g["loss"]["a"])
        return "$0 < \\eta < " + format(float(bound), ".12f").rstrip("0").rstrip(".") + "$"
    if g["ask"] == "terminal_velocity":
        h = g["hyperparameters"]
        value = -F(h["lr"]) * F(g["g"]) / (1 - F(h["momentum"]))
        return rounded(mpmath.mpf(value.numerator) / value.denominator, g["decimals"])
    if g["ask"] == "adagrad_ratio":  # run the textbook steps at 50 digits, ε = 0
        hp = {"lr": mpmath.mpf(repr(g["hyperparameters"]["lr"])), "eps": 0}
        st = {"h": mpmath.mpf(0)}
        steps = []
        for _ in range(g["t"]):
            before = mpmath.mpf(0)
            steps.append(abs(_step_textbook("adagrad", hp, st, before, mpmath.mpf(repr(g["g"])))))
        return rounded(steps[-1] / steps[0], g["decimals"])
    factor = abs(1 - F(g["hyperparameters"]["lr"]) * F(g["loss"]["a"]))
    w, t = abs(F(g["w0"])), 0
    while w > F(g["fraction"]) * abs(F(g["w0"])):
        w, t = w * factor, t + 1
    return str(t)


def rounded(x, decimals: int) -> str:
    from decimal import ROUND_HALF_UP, Decimal

    q = Decimal(mpmath.nstr(x, 40, strip_zeros=False, min_fixed=-100, max_fixed=100)).quantize(
        Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{abs(q) if q == 0 else q:.{decimals}f}"


def check_threshold(q) -> None:
    key = q.choices[q.answer.index]
    assert key.text == threshold_key(q.given), (q.id, key.text, q.given)
    assert len({c.text for c in q.choices}) == 4
    assert all(c.mistake for c in q.choices if not c.correct)
    values = [c.value for c in q.choices if c.value is not None]
    if q.given["ask"] in ("terminal_velocity", "adagrad_ratio"):
        unit = 10.0 ** -q.given["decimals"]
        assert all(abs(a - b) >= 5 * unit - 1e-12 for i, a in enumerate(values) for b in values[i + 1:]), q.id


# -- true_false, recomputed -------------------------------------------------------------------------------
def fact_value(g: dict):
    h = {k: mpmath.mpf(repr(v)) for k, v in g["hyperparameters"].items()}
    h["eps"] = 0
    fact = g["fact"]
    if fact == "sgd_behaviour":
        factor = 1 - F(g["hyperparameters"]["lr"]) * F(g["loss"]["a"])
        return "diverging" if abs(factor) > 1 else "oscillating" if factor < 0 else "monotone"
    if fact == "momentum_terminal":
        return 1 / (1 - h["momentum"])

    def first_step(opt: str, grad) -> mpmath.mpf:
        st = {n: mpmath.mpf(0) for n in ("v", "h", "m", "s", "u", "m_hat", "v_hat")} | {"t": 0}
        return abs(_step_textbook(opt, h, st, mpmath.mpf(0), grad))

    grad = mpmath.mpf(repr(g["g"]))
    if fact == "adam_first_step":
        return first_step("adam", grad) / h["lr"]
    if fact == "adam_scale":
        return first_step("adam", grad * mpmath.mpf(repr(g["scale"]))) / first_step("adam", grad)
    if fact == "rmsprop_first_step":
        return first_step("rmsprop", grad) / h["lr"]
    st = {"h": mpmath.mpf(0)}
    steps = [abs(_step_textbook("adagrad", h, st, mpmath.mpf(0), grad)) for _ in range(g["t"])]
    return steps[-1] / steps[0]


def check_true_false(q) -> None:
    g = q.given
    assert [c.text for c in q.choices] == ["正", "誤"]
    if g["source"] == "bank":
        s = concepts()[g["statement"]]
        truth = s["truth"]
        assert s["ja"] in q.stem
    else:
        value, claim = fact_value(g), g["claim"]
        if "behaviour" in claim:
            truth = value == claim["behaviour"]
        else:
            c = mpmath.mpf(repr(claim["ratio"]))
            unit = mpmath.mpf(10) ** (mpmath.floor(mpmath.log10(abs(c))) - 2)
            truth = abs(value - c) <= unit / 2
            assert truth or abs(value - c) >= 5 * unit, (q.id, value, c)  # never a near miss
    assert q.answer.index == (0 if truth else 1), (q.id, g)
    reason = q.choices[q.answer.index].feedback
    assert reason.startswith("正解。")
    if not truth:
        assert "正しくは" in reason and q.choices[0].mistake, q.id


CHECKS = {"true_false": check_true_false, "formula_blank": check_formula_blank, "combination": check_combination,
          "threshold": check_threshold}


@pytest.mark.parametrize("family", FAMILIES)
def test_keys_recomputed_from_given(family: str) -> None:
    positions: dict[int, list[int]] = {}
    for q in batch(family):
        CHECKS[family](q)
        positions.setdefault(len(q.choices), [0] * len(q.choices))[q.answer.index] += 1
    for k, counts in positions.items():
        assert min(counts) > sum(counts) / k * 0.8, (family, counts)  # roughly uniform (stress tests it properly)


@pytest.mark.parametrize("family", FAMILIES)
def test_every_optimizer_it_asks_about(family: str) -> None:
    """With ``optimizer`` the question is about that optimizer (or a clear error names what is possible)."""
    for key in optimizers.ORDER:
        try:
            q = generate(family, 3, optimizer=key)
        except ValueError as e:
            assert key in str(e) and family in str(e)
            continue
        assert optimizer_of(q) == key
        CHECKS[family](q)


@pytest.mark.parametrize("family", FAMILIES)
def test_rendered_deterministic_and_in_english(family: str) -> None:
    for seed in range(20):
        a = generate(family, seed)
        assert a.to_json() == generate(family, seed).to_json()
        assert a.solution and a.id == f"{family}-{seed}"
        en = generate(family, seed, lang="en")
        assert en.answer.index == a.answer.index and en.stem != a.stem


# -- what a Japanese examinee reads ---------------------------------------------------------------------
MATH = re.compile(r"\$\$.*?\$\$|\$[^$]*\$", re.S)
READING = re.compile(r"[A-Za-z)]\s?（[ァ-ヶー・]+）")  # 「RMSprop（アールエムエスプロップ）」
PARTICLE = re.compile(r"[ぁ-んァ-ヶ一-龥々ー] [のはがをにでとへもや](?![A-Za-z0-9$])")  # 「モーメンタム の」
OPEN, CLOSE = "（「『【", "）」』】"


def nested(text: str) -> bool:
    depth = 0
    for ch in MATH.sub("", text):  # full-width brackets of the prose (half-width ones belong to formulas)
        if ch in OPEN:
            depth += 1
            if depth > 1:
                return True
        elif ch in CLOSE:
            depth = max(0, depth - 1)
    return False


@pytest.mark.parametrize("family", FAMILIES)
def test_stems_read_well(family: str) -> None:
    for seed, q in enumerate(batch(family)):
        stem = q.stem
        plain = MATH.sub("", stem)
        assert not READING.search(plain), (family, seed, stem)
        assert not nested(stem), (family, seed, stem)
        assert not PARTICLE.search(plain), (family, seed, stem)
        assert "選べ" in stem and stem.rstrip().endswith("。"), (family, seed, stem[-40:])


def test_nested_bracket_detector() -> None:
    assert nested("手法（Adam（適応的））") and nested("「A（B）」") and not nested("A（B）と C（$f(x)$）")
    assert not nested("形（v ← η∇L(θ + αv)）")
    assert READING.search("RMSprop（アールエムエスプロップ）") and not READING.search("RMSprop（指数移動平均）")
    assert PARTICLE.search("モーメンタム の更新") and not PARTICLE.search("Adam の更新")


@pytest.mark.parametrize("family", FAMILIES)
def test_mostly_the_syllabus_optimizers(family: str) -> None:
    """At least 80 % of the questions about an optimizer, drawn without one, are about optimizers.CORE."""
    about = [optimizer_of(q) for q in batch(family)]
    named = [k for k in about if k is not None]
    assert len(named) >= 500
    assert sum(k in optimizers.CORE for k in named) / len(named) >= 0.8, family


# -- the combination bank's validator ---------------------------------------------------------------------
def test_combination_bank_loads_and_every_check_runs() -> None:
    from quizgen.bank import combinations
    from quizgen.families import combination

    bank = combinations.load()
    assert len(bank) >= 12 and {it.id for it in bank} == set(sentences())
    for item in bank:
        assert item.check is None or combination.checked(item.check)
    assert {it.check for it in bank} >= set(combination.CHECKS) - {None}


@pytest.mark.parametrize(("edit", "message"), [
    (lambda t: t.replace("mistake: sign_error_gradient_ascent", "mistake: sign_errorr"),
     "unknown mistake 'sign_errorr'"),
    (lambda t: t.replace("向きに、勾配の（イ）倍", "向きに、勾配の倍"), "ja must hold （ア）（イ） once each"),
    (lambda t: t.replace("id: momentum-velocity", "id: sgd-direction"), "duplicate id"),
    (lambda t: t.replace("check: sgd_descends", "check: sgd_flies"), "unknown check 'sgd_flies'"),
    (lambda t: t.replace("    difficulty: 1\n", "    difficulty: 1\n    colour: red\n", 1), "unknown key 'colour'"),
])
def test_combination_bank_errors_name_the_line(tmp_path, edit, message) -> None:
    from quizgen.bank import BankError, combinations

    text = (ROOT / "quizgen/bank/combinations.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(edit(text), encoding="utf-8")
    with pytest.raises(BankError) as e:
        combinations.load(bad)
    assert message in str(e.value) and re.match(rf"{re.escape(str(bad))}:\d+: ", str(e.value)), str(e.value)
    assert "\n" not in str(e.value)


def test_wrong_terms_keep_the_rules_term_order() -> None:
    """A wrong term differs from the right one only where its mistake edits it: a β₁/β₂ swap is the right term
    with the two letters exchanged, nothing reordered."""
    seen = 0
    for q in batch("formula_blank"):
        right = q.choices[q.answer.index].text
        for c in q.choices:
            if c.mistake == "beta_swap":
                swapped = right.replace(r"\beta_1", "B").replace(r"\beta_2", r"\beta_1").replace("B", r"\beta_2")
                assert c.text == swapped, (q.id, right, c.text)
                seen += 1
    assert seen > 50


@pytest.mark.parametrize(("family", "options", "message"), [
    ("threshold", {"optimizer": "adam"}, "threshold: no question about adam"),
    ("true_false", {"optimizer": "adadelta", "source": "fact"}, "no executed fact about adadelta"),
    ("combination", {"optimizer": "curvature", "source": "formula"}, "curvature is not an optimizer"),
    ("combination", {"bank": "/nonexistent/bank.yaml"}, "cannot read the bank"),
    ("true_false", {"bank": "/nonexistent/bank.yaml", "source": "fact"}, "cannot read the bank"),
    ("formula_blank", {"colour": "red"}, "unknown option(s) colour"),
])
def test_bad_options_give_one_clear_error(family, options, message) -> None:
    with pytest.raises(ValueError) as e:
        generate(family, 1, **options)
    assert message in str(e.value) and "\n" not in str(e.value)
