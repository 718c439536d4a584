"""The question machinery the chapter's topics share: named mistakes, a four-choice numeric question (F5), a code
blank (F4) and a formula choice (F2). The topic modules (``init``, ``normalization``, ``clipping``) supply what to
draw, how to execute it and what to call each mistake; these functions only assemble and check.

- numeric: the key is the executed reference code's value; each distractor is a named mistake's executed value,
  kept only if it is finite, stable at the displayed precision and distinct (``_common.distinct_values``);
- code: a line of the reference code is replaced by a blank; the wrong lines are regex mutations, each executed on
  a witness and kept only if some output differs at 6 significant digits (a mutant that does not run is dropped);
- formula: the correct sympy expression and mistaken ones, each proven different by evaluating both at witness
  points (the reductions run as numpy).
"""

from __future__ import annotations

import inspect
import math
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from ..families import _common as C
from ..question import Answer, Choice, Question, SolutionStep


# -- named mistakes -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Mistake:
    name: str
    title_ja: str
    title_en: str
    feedback_ja: str
    feedback_en: str
    misconception: str | None = None  # a tag of the concept bank (quizgen/bank/concepts.yaml), where one fits

    def title(self, lang: str = "ja") -> str:
        return self.title_ja if lang == "ja" else self.title_en

    def feedback(self, lang: str = "ja") -> str:
        return self.feedback_ja if lang == "ja" else self.feedback_en


#: every chapter mistake by name (the topic modules register theirs on import)
REGISTRY: dict[str, Mistake] = {}


def mistake(name: str, title_ja: str, title_en: str, feedback_ja: str, feedback_en: str,
            misconception: str | None = None) -> Mistake:
    if name in REGISTRY:
        raise ValueError(f"duplicate chapter mistake {name!r}")
    REGISTRY[name] = m = Mistake(name, title_ja, title_en, feedback_ja, feedback_en, misconception)
    return m


# -- numeric four-choice questions ----------------------------------------------------------------------------
@dataclass
class Numeric:
    given: dict[str, Any]
    key: float
    decimals: int
    pool: list[tuple[Mistake, float]]  # distinct, stable, away from the key
    extra: dict[str, Any] = field(default_factory=dict)  # what the topic wants to keep for the text


def evaluate(given: dict[str, Any], key: float, candidates: Sequence[tuple[Mistake, float | None]], *,
             decimals: int | None = None, sig: int = 3) -> Numeric | None:
    """The variant, or None when its key is not finite or its displayed digits are unstable."""
    if key is None or not math.isfinite(key) or abs(key) > 1e4:
        return None
    decimals = decimals if decimals is not None else C.auto_decimals(key, 2, sig)
    if not C.stable(key, decimals):
        return None
    pool = C.distinct_values(key, [(m, v) for m, v in candidates if v is not None], decimals)
    return Numeric(given, float(key), decimals, pool)


def draw(rng: np.random.Generator, make: Callable[[np.random.Generator], Numeric | None], family: str,
         need: int = 3) -> Numeric:
    """Draw until a variant has at least ``need`` distinct mistakes (bounded; one clear error otherwise)."""
    for _ in range(C.MAX_TRIES):
        var = make(rng)
        if var is not None and len(var.pool) >= need:
            return var
    raise C.GenerationError(f"family {family}: no usable variant in {C.MAX_TRIES} draws (try other options)")


def numeric_question(family: str, var: Numeric, rng: np.random.Generator, lang: str, stem: str,
                     solution: list[SolutionStep], tags: dict[str, Any], options: Mapping[str, Any]) -> Question:
    """Four choices: the key and three named mistakes' values (drawn from the pool), shuffled."""
    pick = C.part(rng, "distractors")
    idx = sorted(int(i) for i in pick.choice(len(var.pool), size=3, replace=False))
    key_text = C.round_text(var.key, var.decimals)
    correct = Choice(key_text, True, float(var.key), None, "正解。" if lang == "ja" else "Correct.")
    wrong = []
    for i in idx:
        m, v = var.pool[i]
        shown = C.round_text(v, var.decimals)
        fb = (f"{m.title_ja}: {m.feedback_ja}（この誤りで計算すると {shown}。正しくは {key_text}）" if lang == "ja" else
              f"{m.title_en}: {m.feedback_en} (this mistake gives {shown}; the answer is {key_text})")
        wrong.append(Choice(shown, False, float(v), m.name, fb))
    choices, index = C.place(C.part(rng, "order"), correct, wrong)
    answer = C.numeric_answer(var.key, var.decimals)
    answer.index = index
    return Question(id="", family=family, seed=0, lang=lang, kind="choice", stem=stem, answer=answer,
                    choices=choices, solution=solution, given=var.given,
                    rounding=C.rounding_text(var.decimals, answer.tolerance, lang), tags=tags,
                    options={k: v for k, v in options.items() if v is not None})


class Probe:
    """A stand-in for ``numpy.random.Generator`` that draws the distribution's scale itself: ``standard_normal``
    gives ones, ``uniform(low, high)`` gives ``high``. Passing it to an init function returns the σ or the bound
    the function uses, executed (not recomputed)."""

    @staticmethod
    def standard_normal(shape):
        return np.ones(shape)

    @staticmethod
    def uniform(low, high, size):
        return np.full(size, float(high))


# -- code blanks ------------------------------------------------------------------------------------------------
BLANK = ("（あ）", "（い）")
SIG = 6


@dataclass(frozen=True)
class CodeSource:
    """A function or class of the reference code that a question shows with blanks."""

    key: str
    obj: Any  # the function or class
    witness: Callable[[Any], list[np.ndarray]]  # runs an object like ``obj``; returns every output to compare
    name_ja: str  # what it is, as the stem's clause "次のコードは、…である。" says it
    name_en: str
    witness_ja: str  # the witness run, in words (the feedback quotes it)
    witness_en: str
    mutations: tuple[tuple[str, str, str], ...]  # (regex on a line, replacement, mistake name)
    start: str = "def "  # blanks come from the lines after the first line starting with this


@dataclass(frozen=True)
class Mutant:
    line: str
    mistake: str
    shown: str  # the real code's output that differs, as text
    got: str  # the mutant's


@dataclass(frozen=True)
class Slot:
    index: int
    line: str
    mutants: tuple[Mutant, ...]


def _strip_docstring(src: str) -> str:
    return re.sub(r'^(\s*(?:class|def) [^\n]+\n)\s*"""(?:.|\n)*?"""\n(\s*\n)?', r"\1", src, count=1)


def source_lines(src: CodeSource) -> list[str]:
    return list(_source_lines(src))


@cache
def _source_lines(src: CodeSource) -> tuple[str, ...]:
    return tuple(_strip_docstring(inspect.getsource(src.obj)).splitlines())


@cache
def _real(src: CodeSource) -> list[np.ndarray] | None:
    return _run(src, source_lines(src))


def _exec(src: CodeSource, lines: Sequence[str]) -> Any:
    ns = dict(vars(sys.modules[src.obj.__module__]))
    exec(compile("\n".join(lines) + "\n", f"<mutant {src.key}>", "exec"), ns)
    return ns[src.obj.__name__]


def _fmt(a: np.ndarray) -> list[str]:
    return [f"{v:.{SIG}g}" for v in np.asarray(a, dtype=np.float64).reshape(-1)]


def _differs(real: list[np.ndarray], got: list[np.ndarray]) -> int | None:
    """The index of the first output that differs at SIG significant digits (or in shape), else None."""
    for i, (a, b) in enumerate(zip(real, got)):
        b = np.asarray(b, dtype=np.float64)
        if np.shape(a) != np.shape(b) or not np.all(np.isfinite(b)) or _fmt(a) != _fmt(b):
            return i
    return None if len(real) == len(got) else min(len(real), len(got))


def _text(a: np.ndarray, most: int = 3) -> str:
    """An output as the feedback quotes it: a number, or the first few elements of an array."""
    vals = _fmt(a)
    if len(vals) == 1:
        return vals[0]
    return "[" + ", ".join(vals[:most]) + (", …]" if len(vals) > most else "]")


def _run(src: CodeSource, lines: Sequence[str]) -> list[np.ndarray] | None:
    try:
        with np.errstate(all="ignore"):
            return [np.array(x, dtype=np.float64) for x in src.witness(_exec(src, lines))]
    except Exception:  # noqa: BLE001 -- a mutant that does not run is no distractor
        return None


@cache
def slots_of(src: CodeSource) -> tuple[Slot, ...]:
    """The blankable lines of ``src`` and their proven-wrong mutants (computed once per source)."""
    lines = source_lines(src)
    real = _real(src)
    if real is None:
        raise RuntimeError(f"chapter code {src.key}: the real code does not run on its witness")
    start = next(i for i, ln in enumerate(lines) if ln.strip().startswith(src.start))
    out = []
    for i in range(start + 1, len(lines)):
        body = lines[i].split("#", 1)[0].rstrip()
        text = body.strip()
        if not text or text.startswith(("for ", "else", "def ", '"""')) or text.endswith(":") and \
                not text.startswith("if "):
            continue
        indent = body[: len(body) - len(body.lstrip())]
        seen = {text}
        mutants = []
        for pattern, repl, name in src.mutations:
            new = re.sub(pattern, repl, body).strip()
            if new == text or new in seen:
                continue
            mutated = list(lines)
            mutated[i] = indent + new
            got = _run(src, mutated)
            if got is None:
                continue
            k = _differs(real, got)
            if k is None:
                continue  # not proven wrong on the witness
            seen.add(new)
            mutants.append(Mutant(new, name, _text(real[k]), _text(got[k]) if k < len(got) else "—"))
        if mutants:
            out.append(Slot(i, text, tuple(mutants)))
    return tuple(out)


@cache
def _combo_differs(src: CodeSource, filled: tuple[tuple[int, str], ...]) -> bool:
    lines = source_lines(src)
    for index, text in filled:
        body = lines[index]
        lines[index] = body[: len(body) - len(body.lstrip())] + text
    got = _run(src, lines)
    return got is None or _differs(_real(src), got) is not None


def _with_blanks(src: CodeSource, used: Sequence[Slot]) -> str:
    lines = source_lines(src)
    for n, slot in enumerate(used):
        body = lines[slot.index]
        lines[slot.index] = body[: len(body) - len(body.lstrip())] + BLANK[n]
    return "\n".join(lines)


def _code_feedback(src: CodeSource, mut: Mutant, lang: str) -> str:
    m = REGISTRY[mut.mistake]
    if lang == "ja":
        return (f"{m.title_ja}: {m.feedback_ja} 実行して確認: {src.witness_ja}と、正しいコードでは {mut.shown}、"
                f"このコードでは {mut.got}。")
    return (f"{m.title_en}: {m.feedback_en} Executed: {src.witness_en} gives {mut.shown} with the real code, "
            f"{mut.got} with this line.")


def code_question(family: str, topic: str, sources: Sequence[CodeSource], rng: np.random.Generator, lang: str,
                  render: bool, blanks: int | None, tags: dict[str, Any], options: Mapping[str, Any]) -> Question:
    r = C.part(rng, "inputs")
    blanks = blanks or (1 if r.random() < 0.6 else 2)
    usable = [s for s in sources if (any(len(sl.mutants) >= 3 for sl in slots_of(s)) if blanks == 1
                                     else len(slots_of(s)) >= 2)]
    if not usable:
        raise ValueError(f"{family}: no code with enough proven-wrong lines for {blanks} blank(s)")
    src = C.pick(r, usable)
    slots = slots_of(src)
    if blanks == 1:
        slot = C.pick(r, [s for s in slots if len(s.mutants) >= 3])
        idx = sorted(int(i) for i in r.choice(len(slot.mutants), size=3, replace=False))
        muts = [slot.mutants[i] for i in idx]
        correct = Choice(f"`{slot.line}`", True, None, None, "正解。" if lang == "ja" else "Correct.")
        wrong = [Choice(f"`{m.line}`", False, None, m.mistake, _code_feedback(src, m, lang)) for m in muts]
        used = [slot]
        ask = ("（あ）に当てはまるコードとして正しいものを選べ。" if lang == "ja"
               else "Choose the code for blank （あ）.")
    else:
        for _ in range(C.MAX_TRIES):
            pair = sorted(int(i) for i in r.choice(len(slots), size=2, replace=False))
            s1, s2 = slots[pair[0]], slots[pair[1]]
            m1, m2 = C.pick(r, s1.mutants), C.pick(r, s2.mutants)
            combos = [(m1, None), (None, m2), (m1, m2)]
            if all(_combo_differs(src, ((s1.index, a.line if a else s1.line), (s2.index, b.line if b else s2.line)))
                   for a, b in combos):
                break
        else:
            raise C.GenerationError(f"{family}: no provable two-blank combination in {src.key}")
        used = [s1, s2]

        def text(a: str, b: str) -> str:
            return f"（あ）`{a}`　（い）`{b}`"

        correct = Choice(text(s1.line, s2.line), True, None, None, "正解。" if lang == "ja" else "Correct.")
        wrong = [Choice(text(a.line if a else s1.line, b.line if b else s2.line), False, None, (a or b).mistake,
                        " / ".join(_code_feedback(src, x, lang) for x in (a, b) if x is not None))
                 for a, b in combos]
        ask = ("（あ）（い）に当てはまるコードの組み合わせとして正しいものを選べ。" if lang == "ja"
               else "Choose the pair of lines for blanks （あ） and （い）.")
    choices, index = C.place(C.part(rng, "order"), correct, wrong)
    stem = (f"次のコードは、{src.name_ja}である。{ask}" if lang == "ja" else f"The code below is {src.name_en}. {ask}")
    solution = []
    if render:
        for n, slot in enumerate(used):
            text = f"{BLANK[n]} = `{slot.line}`" if lang == "ja" else f"{BLANK[n]} is `{slot.line}`"
            solution.append(SolutionStep(text))
        solution.append(SolutionStep("誤りの選択肢はどれも、実際にコードを実行すると結果が変わる（各選択肢の解説に数値）。"
                                     if lang == "ja" else
                                     "Every wrong choice was executed and changes the result (numbers in its "
                                     "feedback)."))
    return Question(id="", family=family, seed=0, lang=lang, kind="choice", stem=stem, answer=Answer(index=index),
                    choices=choices, solution=solution,
                    given={"topic": topic, "code": src.key, "lines": [s.index for s in used]},
                    code=_with_blanks(src, used), tags={**tags, "difficulty": blanks + 1, "format": "F4"},
                    options={k: v for k, v in options.items() if v is not None})


# -- formula choice ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FormulaItem:
    """One formula a question asks for: the correct expression and named mistaken ones (sympy)."""

    key: str
    ask_ja: str  # 「Xavier の初期値（一様分布 U(−a, a)）の a」
    ask_en: str
    lhs: str  # LaTeX of the left-hand side ("a")
    correct: Any  # sympy expression
    wrong: tuple[tuple[str, Any], ...]  # (mistake name, sympy expression)
    names: Mapping[Any, str]  # sympy symbol -> LaTeX
    where_ja: str  # what the symbols mean (the stem says it)
    where_en: str
    points: tuple[Mapping[str, Any], ...]  # witness environments (symbol name -> value, arrays allowed)
    source_ja: str = ""  # the form's source, as the stem labels it


def latex_of(item: FormulaItem, expr: Any) -> str:
    import sympy as sp

    text = sp.latex(expr, symbol_names=dict(item.names), order="none")
    return f"{item.lhs} = " + text.replace(r"\text{for}\:", r"\text{if}\:")


def _value(expr: Any, point: Mapping[str, Any]) -> np.ndarray:
    import sympy as sp

    args = sorted(expr.free_symbols, key=lambda s: s.name)
    fn = sp.lambdify(args, expr, modules="numpy")
    with np.errstate(all="ignore"):
        return np.asarray(fn(*[point[a.name] for a in args]), dtype=np.float64)


_PROOFS: dict[str, tuple[tuple[str, str, str, tuple[str, str]], ...]] = {}


def proofs(item: FormulaItem) -> tuple[tuple[str, str, str, tuple[str, str]], ...]:
    """(mistake, LaTeX, the point as text, (correct value, wrong value) as math) for each wrong expression proven
    different (computed once per item)."""
    if item.key not in _PROOFS:
        _PROOFS[item.key] = _proofs(item)
    return _PROOFS[item.key]


def _proofs(item: FormulaItem) -> tuple[tuple[str, str, str, tuple[str, str]], ...]:
    seen = {latex_of(item, item.correct)}
    out = []
    for name, expr in item.wrong:
        text = latex_of(item, expr)
        if text in seen:
            continue
        for point in item.points:
            a, b = _value(item.correct, point), _value(expr, point)
            if a.shape != b.shape or not np.all(np.isfinite(b)) or not np.allclose(a, b, rtol=1e-9, atol=1e-12):
                used = {s.name: s for s in item.correct.free_symbols | expr.free_symbols}
                shown = ", ".join(f"${item.names.get(used[k], k)} = {_plain(v)}$"
                                  for k, v in point.items() if k in used)
                out.append((name, text, shown, (f"${_plain(a)}$", f"${_plain(b)}$")))
                seen.add(text)
                break
    return tuple(out)


def _plain(v: Any) -> str:
    """A witness value as LaTeX (numbers that need a power of ten as ``1 \\times 10^{-5}``)."""
    from ..formulas import number_latex

    arr = np.asarray(v, dtype=np.float64).reshape(-1)
    vals = [number_latex(x) for x in arr]
    return vals[0] if len(vals) == 1 else "(" + ",\\ ".join(vals) + ")"


def formula_question(family: str, topic: str, items: Sequence[FormulaItem], rng: np.random.Generator, lang: str,
                     render: bool, tags: dict[str, Any], options: Mapping[str, Any]) -> Question:
    r = C.part(rng, "inputs")
    usable = [it for it in items if len(proofs(it)) >= 3]
    if not usable:
        raise ValueError(f"{family}: no formula with three proven-wrong variants")
    item = C.pick(r, usable)
    found = proofs(item)
    idx = sorted(int(i) for i in r.choice(len(found), size=3, replace=False))
    chosen = [found[i] for i in idx]
    correct_tex = latex_of(item, item.correct)
    correct = Choice(f"${correct_tex}$", True, None, None, "正解。" if lang == "ja" else "Correct.")
    wrong = []
    for name, tex, point, values in chosen:
        m = REGISTRY[name]
        fb = (f"{m.title_ja}: {m.feedback_ja}（例えば {point} のとき、正しい式では {values[0]}、"
              f"この式では {values[1]}）" if lang == "ja" else
              f"{m.title_en}: {m.feedback_en} (for example at {point}: {values[0]} with the right formula, {values[1]} "
              f"with this one)")
        wrong.append(Choice(f"${tex}$", False, None, name, fb))
    choices, index = C.place(C.part(rng, "order"), correct, wrong)
    if lang == "ja":
        src = item.source_ja + (" " if item.source_ja[-1:].isascii() else "") if item.source_ja else ""
        src = f"（{src}の形）" if src else ""
        gap = " " if item.ask_ja[-1:].isascii() else ""
        stem = f"{item.ask_ja}{gap}を表す式{src}として正しいものを選べ。ここで {item.where_ja}。"
    else:
        stem = f"Choose the formula of {item.ask_en}. Here {item.where_en}."
    solution = []
    if render:
        solution.append(SolutionStep("正しい式" if lang == "ja" else "The correct formula", correct_tex))
        for name, tex, _, _ in chosen:
            m = REGISTRY[name]
            solution.append(SolutionStep(f"{m.title(lang)}: {m.feedback(lang)}", tex))
    return Question(id="", family=family, seed=0, lang=lang, kind="choice", stem=stem, answer=Answer(index=index),
                    choices=choices, solution=solution,
                    given={"topic": topic, "formula": item.key, "mistakes": [c[0] for c in chosen]},
                    tags={**tags, "difficulty": 2, "format": "F2"},
                    options={k: v for k, v in options.items() if v is not None})
