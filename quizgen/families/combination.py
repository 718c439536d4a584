"""Combinations of blanks (format F3): two or three blanks （ア）（イ）（ウ）, four combinations to choose from.

Two sources (option ``source``):

- ``words``: a sentence of the combination bank (``quizgen/bank/combinations.yaml``). Each blank has its word
  and wrong words, each wrong word tied to a misconception or a named mistake. The claim the correct words make
  is checked by executing the reference code first (the item's ``check``, see :data:`CHECKS`).
- ``formula``: the optimizer's textbook rule with two or three terms blanked (sites of
  :mod:`quizgen.families._blanks` that do not overlap), each wrong term a named mistake's.

One wrong word (or term) is drawn per blank and the four choices are balanced: with two blanks every
combination (✓✓, ✗✓, ✓✗, ✗✗), with three ✓✓✓, ✗✗✓, ✗✓✗, ✓✗✗, so each blank's right word stands in exactly
half of the choices and counting gives nothing away. Exactly one combination is right; each other one is wrong
at the blanks marked ✗, and its feedback names the mistake at each. A formula combination is proven wrong as a
whole (the rule with all its terms filled in takes a different step, exactly and when executed), so two
mistakes never cancel unnoticed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

import numpy as np
import sympy as sp

import optimizers

from ..question import Answer, Choice, Question, SolutionStep
from . import _blanks as B
from . import _common as C
from ._run import execute, rule_for

KIND = "choice"
TITLE = ("空欄の組み合わせ（2〜3 か所の語句や式を組で選ぶ）", "blank combinations (choose the words or terms as a set)")

SOURCES = ("words", "formula")
GENERAL_SHARE = 0.25  # word items drawn without a topic: this share from the topics that are not optimizers
SEP = "　"  # between the blanks of one choice


def _topic(v: Any) -> str:
    from .concepts import _topic as topic

    return topic(v)


OPTIONS = [
    C.Option("optimizer", "optimizer key or bank topic (learning_rate, curvature, …); drawn when omitted", None,
             None, _topic),
    C.Option("source", "'words' (a sentence of the combination bank) or 'formula' (terms of the update rule)",
             None, SOURCES),
    C.Option("blanks", "2 or 3 (formula source; a sentence has its own number); drawn when omitted", None, (2, 3),
             int),
    C.Option("bank", "path of another combination bank (YAML, same schema); default: the bundled one"),
]


# -- executed checks of the word items ----------------------------------------------------------------
def _sgd_descends() -> None:
    opt = optimizers.SGD(lr=0.1)
    params = {"W": np.array([2.0, -1.0])}
    grads = {"W": np.array([4.0, -2.0])}  # of L = w²
    opt.update(params, grads)
    assert np.allclose(params["W"], [1.6, -0.8]), "SGD does not step against the gradient by η times it"


def _momentum_accumulates() -> None:
    from . import threshold as T

    for alpha in (0.5, 0.9):
        ratio = T.velocity_run(None, 0.1, alpha, 1.0) / (-0.1)
        assert abs(ratio - 1 / (1 - alpha)) < 1e-9, f"Momentum's steady move is {ratio}×SGD at α = {alpha}"


def _momentum_cancels() -> None:
    def run(sign: Callable[[int], float]) -> float:
        opt = optimizers.Momentum(lr=0.1, momentum=0.9)
        params = {"W": np.array([0.0])}
        for t in range(200):
            opt.update(params, {"W": np.array([sign(t)])})
        return abs(float(opt.v["W"][0]))

    alternating, steady = run(lambda t: (-1.0) ** t), run(lambda t: 1.0)
    assert alternating <= 0.1 * 1.0 + 1e-12 and steady > 5 * alternating, (alternating, steady)


def _nesterov_lookahead() -> None:
    a, lr, mu = 2.0, 0.1, 0.9  # L = (a/2)w²
    theta, v = 1.5, 0.0  # Sutskever's form: the gradient once, at θ + μv
    opt = optimizers.Nesterov(lr=lr, momentum=mu)
    params = {"W": np.array([theta])}  # the textbook class holds the look-ahead point (v = 0 at first)
    for _ in range(10):
        v = mu * v - lr * a * (theta + mu * v)
        theta = theta + v
        opt.update(params, {"W": a * params["W"].copy()})  # one gradient per update, at the class's W
        assert abs(float(params["W"][0]) - (theta + mu * v)) < 1e-12, "Nesterov class ≠ θ + μv of Sutskever's form"


def _adagrad_rate_shrinks() -> None:
    from . import threshold as T

    steps = T.adagrad_run(0.1, 0.5, 16)
    assert all(b < a for a, b in zip(steps, steps[1:])), "AdaGrad's steps do not shrink"
    assert abs(steps[-1] / steps[0] - 0.25) < 1e-12, "AdaGrad's 16th step is not 1/√16 of the first"
    opt = optimizers.AdaGrad(lr=0.1)
    params = {"W": np.array([0.0])}
    for g in (0.5, -0.3, 0.2):
        opt.update(params, {"W": np.array([g])})
    assert abs(float(opt.h["W"][0]) - (0.25 + 0.09 + 0.04)) < 1e-12, "AdaGrad's h is not the sum of squares"


def _adagrad_per_parameter() -> None:
    opt = optimizers.AdaGrad(lr=0.1)
    params = {"W": np.array([0.0, 0.0])}
    for t in range(10):
        before = params["W"].copy()
        opt.update(params, {"W": np.array([1.0, 1.0 if t == 9 else 0.0])})
    moved = np.abs(params["W"] - before)
    assert moved[1] > moved[0], "the rarely updated element does not move more"


def _rmsprop_forgets() -> None:
    rms, ada = optimizers.RMSprop(lr=0.01, decay_rate=0.9), optimizers.AdaGrad(lr=0.01)
    p1, p2 = {"W": np.array([0.0])}, {"W": np.array([0.0])}
    hs, has = [], []
    for t in range(60):
        g = np.array([1.0 if t < 30 else 0.01])
        before = float(rms.h["W"][0]) if rms.h is not None else 0.0
        rms.update(p1, {"W": g})
        ada.update(p2, {"W": g.copy()})
        assert abs(float(rms.h["W"][0]) - (0.9 * before + 0.1 * float(g[0]) ** 2)) < 1e-12, "h ≠ ρh + (1−ρ)g²"
        hs.append(float(rms.h["W"][0]))
        has.append(float(ada.h["W"][0]))
    assert hs[-1] < 0.1 * hs[29] and has[-1] >= has[29], "RMSprop does not forget (or AdaGrad does)"


def _rmsprop_memory() -> None:
    for rho in (0.9, 0.99):
        n = round(1 / (1 - rho))
        opt = optimizers.RMSprop(lr=0.01, decay_rate=rho)
        params = {"W": np.array([0.0])}
        for _ in range(n):
            opt.update(params, {"W": np.array([1.0])})
        assert 0.6 < float(opt.h["W"][0]) < 0.66, f"the last 1/(1−ρ) steps do not hold ~63 % of h at ρ = {rho}"

    def after_drop(rho: float) -> float:
        opt = optimizers.RMSprop(lr=0.01, decay_rate=rho)
        params = {"W": np.array([0.0])}
        for t in range(300):
            opt.update(params, {"W": np.array([1.0 if t < 200 else 0.0])})
        return float(opt.h["W"][0])

    assert after_drop(0.99) > after_drop(0.9), "a larger ρ does not remember longer"


def _adam_moments() -> None:
    from ._run import class_defaults

    d = class_defaults("adam")
    assert (d["beta1"], d["beta2"]) == (0.9, 0.999), d
    import optimizers.torch_form as TF

    assert tuple(TF.TORCH["adam"][1]["betas"]) == (0.9, 0.999)
    opt = optimizers.Adam(lr=0.01)
    params = {"W": np.array([0.0])}
    m = 0.0
    for t, g in enumerate((0.5, 0.5, 0.5), start=1):
        opt.update(params, {"W": np.array([g])})
        m = 0.9 * m + 0.1 * g
        assert abs(float(opt.m["W"][0]) - m) < 1e-12, "Adam's m is not the moving average"
        assert abs(m / (1 - 0.9**t) - g) < 1e-12  # the correction removes the bias of a constant gradient


def _adam_first_step() -> None:
    from .true_false import _adam_ratio, number_text

    for g in (0.01, 1.0, -3.0):
        assert number_text(_adam_ratio(None, 0.9, 0.999, 0.1, g)) == "1", "Adam's first step is not η"
        assert number_text(_adam_ratio("no_bias_correction", 0.9, 0.999, 0.1, g)) == "3.16", \
            "without the correction the first step is not ≈3.16η"


def _adamw_decoupled() -> None:
    W, lam, lr = 2.0, 0.1, 0.01
    for g in (0.001, 100.0):
        steps = []
        for wd in (lam, 0.0):
            opt = optimizers.AdamW(lr=lr, weight_decay=wd)
            params = {"W": np.array([W])}
            opt.update(params, {"W": np.array([g])})
            steps.append(float(params["W"][0]) - W)
        # the decoupled decay is −η_t·λ·W whatever the gradient (not divided by √v̂)
        assert abs((steps[0] - steps[1]) - (-lam * W)) < 1e-12, (g, steps)


def _sgd_stability() -> None:
    from . import threshold as T

    a = 4.0
    assert abs(T.sgd_run(a, 0.95 * 2 / a, 1.0, 400)[-1]) < 1e-6
    assert abs(T.sgd_run(a, 1.05 * 2 / a, 1.0, 400)[-1]) > 1e6
    assert abs(T.sgd_run(a, 0.001, 1.0, 100)[-1]) > 0.6  # too small: slow


def _ravine_slow() -> None:
    from .. import problems as P

    ravine = P.get("ravine")
    ends = {}
    for lr in (0.95, 1.05):  # y's curvature 2 allows η < 1 only
        opt = optimizers.SGD(lr=lr)
        params = ravine.params((5.0, 1.0))
        for _ in range(100):
            opt.update(params, ravine.gradients(params))
        ends[lr] = (float(params["x"]), float(params["y"]))
    assert abs(ends[0.95][1]) < 1e-3 and abs(ends[1.05][1]) > 1e3, ends
    assert ends[0.95][0] > 5.0 * 0.9**100, ends  # at a stable η, x shrinks by less than 10 % a step


def _saddle_mixed() -> None:
    x, y = sp.symbols("x y", real=True)
    f = x**2 - y**2
    assert [sp.diff(f, s).subs({x: 0, y: 0}) for s in (x, y)] == [0, 0]
    assert sorted(sp.hessian(f, (x, y)).eigenvals()) == [-2, 2]


CHECKS: dict[str, Callable[[], None]] = {
    "sgd_descends": _sgd_descends, "momentum_accumulates": _momentum_accumulates,
    "momentum_cancels": _momentum_cancels, "nesterov_lookahead": _nesterov_lookahead,
    "adagrad_rate_shrinks": _adagrad_rate_shrinks, "adagrad_per_parameter": _adagrad_per_parameter,
    "rmsprop_forgets": _rmsprop_forgets, "rmsprop_memory": _rmsprop_memory, "adam_moments": _adam_moments,
    "adam_first_step": _adam_first_step, "adamw_decoupled": _adamw_decoupled, "sgd_stability": _sgd_stability,
    "ravine_slow": _ravine_slow, "saddle_mixed": _saddle_mixed,
}


@cache
def checked(name: str) -> bool:
    """Run check ``name`` once per process (AssertionError: the sentence's claim is not what the code does)."""
    CHECKS[name]()
    return True


@lru_cache(maxsize=4)
def _bank(path: str | None = None):
    from ..bank import combinations

    return combinations.load(path)


# -- balanced combinations ------------------------------------------------------------------------------
def patterns(n: int) -> list[tuple[bool, ...]]:
    """Which blanks are wrong in each of the four choices (the first is the key)."""
    if n == 2:
        return [(False, False), (True, False), (False, True), (True, True)]
    return [(False, False, False), (True, True, False), (True, False, True), (False, True, True)]


def _labels(n: int) -> list[str]:
    return list(B.BLANK_NAMES[:n])


def _choice_text(parts: list[str], lang: str) -> str:
    return SEP.join(f"（{label}）{p}" for label, p in zip(_labels(len(parts)), parts))


def _which(n: int, lang: str) -> str:
    labels = _labels(n)
    return f"（{labels[0]}）〜（{labels[-1]}）" if n == 3 else "".join(f"（{x}）" for x in labels)


def _wrong_feedback(blanks: list[tuple[str, str | None]], lang: str) -> str:
    """「（ア）: why it is wrong」 for each wrong blank of a choice."""
    return " / ".join(f"（{label}）{_why(m, lang)}" for label, m in blanks if m)


def _why(name: str, lang: str) -> str:
    from .. import mistakes as M
    from . import concepts

    if name in M.REGISTRY:
        m = M.get(name)
        return f"{m.title(lang)}: {m.feedback(lang)}"
    m = concepts._bank(None).misconceptions[name]
    return m.ja if lang == "ja" else m.en


# -- words ------------------------------------------------------------------------------------------------
def _draw_item(r: np.random.Generator, topic: str | None, path: str | None):
    by = _bank(path).by_topic()
    if topic is not None:
        if not by.get(topic):
            raise ValueError(f"combination: no sentence about {topic} in the combination bank")
        return C.pick(r, by[topic])
    general = [t for t, items in by.items() if items and t not in optimizers.MODULES]
    if general and r.random() < GENERAL_SHARE:
        return C.pick(r, by[C.pick(r, general)])
    return C.pick(r, by[C.draw_optimizer(r, [t for t in optimizers.ORDER if by.get(t)])])


def _words(r: np.random.Generator, rng: np.random.Generator, topic: str | None, path: str | None, lang: str):
    item = _draw_item(r, topic, path)
    if item.check:
        checked(item.check)
    n = len(item.blanks)
    wrong_words = [C.pick(r, b.wrong) for b in item.blanks]
    choices = []
    for k, pattern in enumerate(patterns(n)):
        words = [w if bad else b.answer for b, w, bad in zip(item.blanks, wrong_words, pattern)]
        marks = [(label, w.mistake if bad else None) for label, w, bad in zip(_labels(n), words, pattern)]
        fb = ("正解。" if lang == "ja" else "Correct.") if k == 0 else _wrong_feedback(marks, lang)
        choices.append(Choice(_choice_text([w.text(lang) for w in words], lang), k == 0, None,
                              None if k == 0 else next(m for _, m in marks if m), fb))
    placed, index = C.place(C.part(rng, "order"), choices[0], choices[1:])
    if lang == "ja":
        stem = (f"次の文中の空欄{_which(n, lang)}に当てはまる語句の組み合わせとして、最も適切なものを選べ。"
                f"\n\n{item.text(lang)}")
    else:
        stem = f"Choose the set of words that best fills the blanks {_which(n, lang)}.\n\n{item.text(lang)}"
    solution = [SolutionStep(_choice_text([b.answer.text(lang) for b in item.blanks], lang)),
                SolutionStep(item.explanation(lang))]
    solution += [SolutionStep(f"（{label}）「{w.text(lang)}」は誤り: {_why(w.mistake, lang)}" if lang == "ja" else
                              f"（{label}） '{w.text(lang)}' is wrong: {_why(w.mistake, lang)}")
                 for label, w in zip(_labels(n), wrong_words)]
    given = {"source": "words", "item": item.id, "bank": path or "quizgen/bank/combinations.yaml",
             "wrong": [w.ja for w in wrong_words]}
    tags = {"optimizer": item.topic if item.topic in optimizers.MODULES else None, "topic": item.topic,
            "syllabus": item.syllabus, "difficulty": item.difficulty, "format": "F3",
            "sources": [item.source]}
    return stem, placed, index, solution, given, tags


# -- formula ----------------------------------------------------------------------------------------------
@cache
def formula_sites(key: str) -> tuple[B.Site, ...]:
    return tuple(s for s in B.sites(key) if s.wrong)


def supported(key: str, n: int = 2) -> bool:
    sites = formula_sites(key)
    return any(len(_disjoint(sites, s, n)) >= n for s in sites)


def _disjoint(sites: tuple[B.Site, ...], first: B.Site, n: int) -> list[B.Site]:
    out = [first]
    for s in sites:
        if len(out) == n:
            break
        if all(not B.overlaps((s.index, s.path), (o.index, o.path)) for o in out):
            out.append(s)
    return out


def _filled(rule, chosen: list[B.Site], terms: list[sp.Expr]):
    """The rule with every chosen site's term replaced (deepest first within a line, so paths stay valid)."""
    out = rule
    for site, term in sorted(zip(chosen, terms), key=lambda st: (st[0].index, -len(st[0].path))):
        out = B.filled(out, site.index, site.path, term)
    return out


def _formula(r: np.random.Generator, rng: np.random.Generator, key: str, n: int, lang: str):
    from .. import mistakes as M

    rule = rule_for(key, "textbook")
    sites = formula_sites(key)
    for _ in range(C.MAX_TRIES):
        order = [sites[int(i)] for i in r.permutation(len(sites))]
        chosen = _disjoint(tuple(order), order[0], n)
        if len(chosen) < n:
            continue
        chosen.sort(key=lambda s: (s.index, s.path))
        wrongs = [C.pick(r, s.wrong) for s in chosen]
        combos = []
        for pattern in patterns(n):
            terms = [w.term if bad else s.correct for s, w, bad in zip(chosen, wrongs, pattern)]
            combos.append((pattern, terms))
        proofs = [proven(key, chosen, terms) for _, terms in combos[1:]]
        if all(p is not None for p in proofs):
            break
    else:
        raise C.GenerationError(f"combination: no provable set of {n} blanks for {key}")
    choices, terms_by_text = [], {}
    for k, (pattern, terms) in enumerate(combos):
        marks = [(label, w.mistake if bad else None) for label, w, bad in zip(_labels(n), wrongs, pattern)]
        if k == 0:
            fb = "正解。" if lang == "ja" else "Correct."
        else:
            p = proofs[k - 1]
            point = B.point_text(p["point"])
            fb = _wrong_feedback(marks, lang) + (
                f"（この組み合わせで 1 ステップを厳密に計算すると、例えば {point} で {p['quantity']} が正しい式では "
                f"{p['correct']}、この式では {p['wrong']}）" if lang == "ja" else
                f" (one exact step at {point} gives {p['quantity']} = {p['correct']} with the right rule and "
                f"{p['wrong']} with this set)")
        text = _choice_text([B.inline(rule, t) for t in terms], lang)
        terms_by_text[text] = terms
        choices.append(Choice(text, k == 0, None, None if k == 0 else next(m for _, m in marks if m), fb))
    placed, index = C.place(C.part(rng, "order"), choices[0], choices[1:])
    from .formula_blank import meanings, rule_sentence

    shown = B.rule_with_blanks(rule, [(s.index, s.path, label) for s, label in zip(chosen, _labels(n))])
    exprs = [e for _, e in rule.assignments]
    if lang == "ja":
        stem = (f"{rule_sentence(key, lang)}{meanings(rule, exprs, lang)}\n\n$${shown}$$\n\n"
                f"空欄{_which(n, lang)}に当てはまる式の組み合わせとして正しいものを選べ。")
    else:
        stem = (f"{rule_sentence(key, lang)} {meanings(rule, exprs, lang)}\n\n$${shown}$$\n\n"
                f"Choose the set of terms that fills {_which(n, lang)}.")
    solution = [SolutionStep("正しい更新式" if lang == "ja" else "The correct rule", rule.latex(derived=False))]
    for label, w in zip(_labels(n), wrongs):
        m = M.get(w.mistake)
        solution.append(SolutionStep(f"（{label}）{B.inline(rule, w.term)} は誤り。{m.title(lang)}: {m.feedback(lang)}"
                                     if lang == "ja" else
                                     f"（{label}） {B.inline(rule, w.term)} is wrong. {m.title(lang)}: "
                                     f"{m.feedback(lang)}"))
    info = optimizers.get(key).INFO
    given = {"source": "formula", "optimizer": key, "convention": "textbook",
             "blanks": [{"line": s.index, "target": s.target, "path": list(s.path)} for s in chosen],
             "choices": [[sp.srepr(t) for t in terms_by_text[c.text]] for c in placed]}
    tags = {"optimizer": key, "topic": "formula", "syllabus": info.syllabus, "difficulty": 3, "format": "F3"}
    return stem, placed, index, solution, given, tags


_PROVEN: dict[tuple, dict[str, Any] | None] = {}


def proven(key: str, chosen: list[B.Site], terms: list[sp.Expr]) -> dict[str, Any] | None:
    """The exact point where the rule with ``terms`` at the ``chosen`` sites takes another step than the correct
    rule (formula.proof), if its execution on the witness differs from the reference class too; else None.
    Cached: a quiz pool asks about the same few sets again and again."""
    k = (key, tuple((s.index, s.path, t) for s, t in zip(chosen, terms)))
    if k not in _PROVEN:
        rule = rule_for(key, "textbook")
        filled = _filled(rule, chosen, terms)
        witness = B.witness_given(key)
        p = B.step_difference(key, filled)
        _PROVEN[k] = p if p is not None and B.executed_differs(filled, witness, _reference(key)) else None
    return _PROVEN[k]


@cache
def _reference(key: str):
    return execute(B.witness_given(key))


def generate(rng: np.random.Generator, *, lang: str = "ja", render: bool = True, **options: Any) -> Question:
    opts = C.parse_options("combination", OPTIONS, options)
    r = C.part(rng, "inputs")
    topic = opts["optimizer"]
    n = opts["blanks"] or (2 if r.random() < 0.6 else 3)
    bank = _bank(opts["bank"])  # a bank given by path is read (and checked) even if the draw needs no sentence
    formula_ok = topic is None or (topic in optimizers.MODULES and supported(topic, n))
    words_ok = topic is None or bool(bank.by_topic().get(topic))
    source = opts["source"] or ("formula" if formula_ok and (not words_ok or r.random() < 0.5) else "words")
    if source == "formula" and not formula_ok:
        raise ValueError(f"combination: {topic} is not an optimizer (no update rule to blank)"
                         if topic not in optimizers.MODULES else
                         f"combination: no {n} disjoint blank terms in the rule of {topic}")
    if source == "words" and not words_ok:
        raise ValueError(f"combination: no sentence about {topic} in the combination bank")
    if source == "words":
        stem, choices, index, solution, given, tags = _words(r, rng, topic, opts["bank"], lang)
    else:
        from .formula_blank import draw_supported

        key = topic or draw_supported(r, lambda k: supported(k, n))
        stem, choices, index, solution, given, tags = _formula(r, rng, key, n, lang)
    return Question(
        id="", family="combination", seed=0, lang=lang, kind=KIND, stem=stem, answer=Answer(index=index),
        choices=choices, solution=solution if render else [], given=given, tags=tags,
        options={k: v for k, v in opts.items() if v is not None})



# -- stress: every question verified again from its given ----------------------------------------------
STRESS_CHECKS = ("unbalanced choices", "key not the right set", "wrong set not proven wrong")


def stress_defects(q: Question, seed: int) -> list[str]:
    g = q.given
    out = []
    if g["source"] == "words":
        item = _bank(None if g["bank"] == "quizgen/bank/combinations.yaml" else g["bank"]).get(g["item"])
        if item.check:
            checked(item.check)
        n = len(item.blanks)
        texts = [[f"（{label}）{b.answer.text(q.lang)}" for label, b in zip(_labels(n), item.blanks)]]
        right = [[t in c.text.split(SEP) for t in texts[0]] for c in q.choices]
        if any(all(r) != c.correct for r, c in zip(right, q.choices)):
            out.append("key not the right set")
    else:
        key, blanks = g["optimizer"], g["blanks"]
        rule = rule_for(key, "textbook")
        sites = [B.Site(b["line"], b["target"], tuple(b["path"]), B.at(rule.assignments[b["line"]][1],
                                                                       tuple(b["path"])), ()) for b in blanks]
        witness = B.witness_given(key)
        reference = execute(witness)
        right = []
        for c, terms in zip(q.choices, g["choices"]):
            parsed = [sp.sympify(t) for t in terms]
            filled = _filled(rule, sites, parsed)
            differs = B.step_difference(key, filled) is not None
            if c.correct == differs:
                out.append("key not the right set" if c.correct else "wrong set not proven wrong")
            elif not c.correct and not B.executed_differs(filled, witness, reference):
                out.append("wrong set not proven wrong")
            right.append([B.same_value(p, s.correct) for p, s in zip(parsed, sites)])
    counts = [sum(r[i] for r in right) for i in range(len(right[0]))]
    if any(k != 2 for k in counts):
        out.append("unbalanced choices")
    return out
