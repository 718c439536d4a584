"""Code fill-in-the-blank from the reference classes' own source (format F4).

One line of ``update`` is blanked （あ） (or two, （あ）（い）, asked as a combination). The choices are
the line itself and lines mutated by named mistakes (``Mistake.code``; never a convention, another
source's correct line). Every mutant is proven wrong by executing it: the mutated class source is exec'd
in a fresh namespace and run on a witness problem (3 updates); its parameters or state must differ from
the real class's at 6 significant digits. A mutant that agrees with the real class after the first update
(the t = 1 trap of exam-style.md §4) is kept only because the witness runs 3 updates and differs later,
and the explanation says so.

The class is shown as an exam shows it: without the input checks (``check_inputs``,
``check_hyperparameters``) and without comments. The comments are teaching material on the site, but here
even a state's name (「勾配の二乗和」) rules out a distractor (``h += grads[key]``), and the comments of
``update`` say what the blanked line computes. Each wrong choice carries one named mistake, no two the same.
"""

from __future__ import annotations

import inspect
import re
import sys
from dataclasses import dataclass
from functools import cache
from itertools import combinations
from typing import Any

import numpy as np

import optimizers

from ..question import Answer, Choice, Question, SolutionStep
from . import _common as C

KIND = "choice"
TITLE = ("コードの穴埋め（実行して確かめた誤答）", "code fill-in-the-blank (wrong lines proven by execution)")


OPTIONS = [
    C.Option("optimizer", "optimizer key; drawn when omitted", None, None, C.optimizer_key),
    C.Option("blanks", "1 (（あ）) or 2 (（あ）（い）, asked as a combination); drawn when omitted", None, (1, 2), int),
]

BLANK = ("（あ）", "（い）")
WITNESS_W = [1.0, -0.5]
WITNESS_G = [[0.5, -0.002], [0.3, 0.004], [-0.2, 0.001]]
WITNESS_HYPER = {"lr": 0.1, "weight_decay": 0.1}
SIG = 6


@dataclass(frozen=True)
class Mutant:
    line: str  # the mutated line (stripped)
    mistake: str  # name in quizgen.mistakes
    t1_same: bool  # equal to the real class after the first update
    shown: str  # "W = [...]" (or a state) of the real class, as the explanation shows it
    got: str  # the same quantity from the mutant


@dataclass(frozen=True)
class Slot:
    index: int  # line number (0-based) in the source
    line: str  # the real line (stripped)
    mutants: tuple[Mutant, ...]


@dataclass(frozen=True)
class Source:
    key: str
    lines: tuple[str, ...]  # the class source (docstring removed)
    slots: tuple[Slot, ...]


def _namespace(cls: type) -> dict[str, Any]:
    return dict(vars(sys.modules[cls.__module__]))


def _strip_docstring(src: str) -> str:
    return re.sub(r'^(\s*class [^\n]+\n)\s*"""(?:.|\n)*?"""\n(\s*\n)?', r"\1", src, count=1)


CHECKS = re.compile(r"^\s*check_(inputs|hyperparameters)\(")  # input checks: not what an exam shows


def exam_code(lines: list[str]) -> str:
    """The class source lines as shown to a learner: comments removed (see the module docstring; the
    reference classes have no ``#`` inside a string)."""
    out = [line.partition("#")[0].rstrip() for line in lines]
    return "\n".join(line for line, orig in zip(out, lines) if line or not orig.strip().startswith("#"))


def _run_class(cls: type, steps: int = 3) -> list[dict[str, np.ndarray]]:
    """Witness: W and every state attribute after each update."""
    sig = inspect.signature(cls.__init__).parameters
    kwargs = {k: v for k, v in WITNESS_HYPER.items() if k in sig}
    opt = cls(**kwargs)
    params = {"W": np.array(WITNESS_W)}
    out = []
    with np.errstate(all="ignore"):
        for t in range(steps):
            opt.update(params, {"W": np.array(WITNESS_G[t])})
            rec = {"W": params["W"].copy()}
            for name, val in vars(opt).items():
                if isinstance(val, dict) and "W" in val:
                    rec[name] = np.array(val["W"], dtype=np.float64)
            out.append(rec)
    return out


def _differs(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> str | None:
    """The first quantity that differs at SIG significant digits (W first), else None."""
    for name in ["W"] + sorted(k for k in a if k != "W"):
        if name not in b:
            continue
        x, y = a[name], b[name]
        if x.shape != y.shape or not np.all(np.isfinite(y)):
            return name
        if [f"{v:.{SIG}g}" for v in x] != [f"{v:.{SIG}g}" for v in y]:
            return name
    return None


def _vec(a: np.ndarray) -> str:
    if not np.all(np.isfinite(a)):  # never show nan/inf to a learner: say what happened
        return "有限の値にならない（0 での割り算か負の数の平方根）"
    return "[" + ", ".join(f"{v:.{SIG}g}" for v in a) + "]"


def _exec_class(cls: type, source: str) -> type:
    ns = _namespace(cls)
    exec(compile(source, f"<mutant {cls.__name__}>", "exec"), ns)
    return ns[cls.__name__]


@cache
def source_of(key: str) -> Source:
    """The class source, its blankable lines and their proven-wrong mutants (computed once per optimizer)."""
    from .. import mistakes as M

    cls = optimizers.get(key).INFO.cls
    src = _strip_docstring(inspect.getsource(cls))
    lines = [ln for ln in src.splitlines() if not CHECKS.match(ln)]
    real = _run_class(cls)
    start = next(i for i, ln in enumerate(lines) if ln.strip().startswith("def update"))
    slots = []
    for i in range(start + 1, len(lines)):
        body = lines[i].split("#", 1)[0].rstrip()
        text = body.strip()
        if not text or text.startswith(("if ", "for ", "else", "check_inputs", "return")) or "{}" in text \
                or "zeros_like" in text:
            continue
        indent = body[: len(body) - len(body.lstrip())]
        seen = {text}
        mutants = []
        for m in M.MISTAKES:
            if m.is_convention(key):
                continue  # another source's correct line is no wrong choice
            for pattern, repl in m.code:
                new = re.sub(pattern, repl, body)
                new_text = new.strip()
                if new == body or new_text in seen:
                    continue
                mutated = list(lines)
                mutated[i] = indent + new_text
                try:
                    mcls = _exec_class(cls, "\n".join(mutated) + "\n")
                    got = _run_class(mcls)
                except Exception:  # noqa: BLE001 -- a mutant that does not run is no distractor
                    continue
                name = _differs(real[-1], got[-1])
                if name is None:
                    continue  # not proven wrong at the displayed digits
                seen.add(new_text)
                t1 = _differs(real[0], got[0]) is None
                got_text = _vec(got[-1][name])
                mutants.append(Mutant(new_text, m.name, t1, f"{name} = {_vec(real[-1][name])}",
                                      f"{name} = {got_text}" if got_text.startswith("[") else f"{name} が{got_text}"))
        if mutants:
            slots.append(Slot(i, text, tuple(mutants)))
    return Source(key, tuple(lines), tuple(slots))


@cache
def _combo_proven(key: str, slots: tuple[Slot, Slot], texts: tuple[str, str]) -> str | None:
    """Execute the class with both blanks filled by ``texts``; the differing quantity (None: no difference)."""
    src = source_of(key)
    cls = optimizers.get(key).INFO.cls
    lines = list(src.lines)
    for slot, text in zip(slots, texts):
        body = lines[slot.index]
        indent = body[: len(body) - len(body.lstrip())]
        lines[slot.index] = indent + text
    try:
        got = _run_class(_exec_class(cls, "\n".join(lines) + "\n"))
    except Exception:  # noqa: BLE001
        return "error"
    return _differs(_real(key)[-1], got[-1])


@cache
def _real(key: str) -> list[dict[str, np.ndarray]]:
    return _run_class(optimizers.get(key).INFO.cls)


def _names(slot: Slot) -> set[str]:
    return {m.mistake for m in slot.mutants}


def blankable(key: str, blanks: int = 1) -> bool:
    slots = source_of(key).slots
    if blanks == 1:
        return any(len(_names(s)) >= 3 for s in slots)
    return any(len(_names(a) | _names(b)) >= 3 for a, b in combinations(slots, 2))


def _distinct_mutants(r: np.random.Generator, slot: Slot, n: int) -> list[Mutant]:
    """``n`` mutants of ``slot`` with different mistakes (each mistake once: one label, one error)."""
    by: dict[str, list[Mutant]] = {}
    for m in slot.mutants:
        by.setdefault(m.mistake, []).append(m)
    names = sorted(by)
    idx = sorted(int(i) for i in r.choice(len(names), size=n, replace=False))
    return [C.pick(r, by[names[i]]) for i in idx]


def _code_with_blanks(src: Source, slots: list[Slot]) -> str:
    lines = list(src.lines)
    for n, slot in enumerate(slots):
        body = lines[slot.index]
        indent = body[: len(body) - len(body.lstrip())]
        lines[slot.index] = indent + BLANK[n]
    return exam_code(lines)


def _witness_text(lang: str) -> str:
    gs = ", ".join(f"g{t + 1} = {g}" for t, g in enumerate(WITNESS_G))
    if lang == "ja":
        return f"W = {WITNESS_W}、{gs} で 3 回 update（lr = 0.1）"
    return f"W = {WITNESS_W}, {gs}, 3 updates (lr = 0.1)"


def _feedback(mut: Mutant, lang: str) -> str:
    from .. import mistakes as M

    m = M.get(mut.mistake)
    trap = ""
    if mut.t1_same:
        trap = ("（1 回目の更新では正しいコードと同じ値になるが、2 回目以降で異なる: t = 1 だけ一致する罠）"
                if lang == "ja" else " (it agrees with the real code after the first update and differs from the "
                "second on: the t = 1 trap)")
    if lang == "ja":
        return (f"{m.title_ja}: {m.feedback_ja} 実行して確認: {_witness_text(lang)} すると、正しいコードでは "
                f"{mut.shown}、このコードでは {mut.got}。{trap}")
    return (f"{m.title_en}: {m.feedback_en} Executed: {_witness_text(lang)} gives {mut.shown} with the real code, "
            f"{mut.got} with this line.{trap}")


def generate(rng: np.random.Generator, *, lang: str = "ja", render: bool = True, **options: Any) -> Question:
    opts = C.parse_options("code_blank", OPTIONS, options)
    r = C.part(rng, "inputs")
    blanks = opts["blanks"] or (1 if r.random() < 0.7 else 2)
    keys = [opts["optimizer"]] if opts["optimizer"] else [k for k in optimizers.ORDER if k in optimizers.MODULES]
    keys = [k for k in keys if blankable(k, blanks)]
    if not keys:
        raise ValueError(f"code_blank: {opts['optimizer']} has no line with enough proven-wrong mutants "
                         f"for {blanks} blank(s)")
    key = C.draw_optimizer(r, keys)
    src = source_of(key)
    info = optimizers.get(key).INFO
    name = info.name_ja if lang == "ja" else info.name_en
    if blanks == 1:
        slot = C.pick(r, [s for s in src.slots if len(_names(s)) >= 3])
        muts = _distinct_mutants(r, slot, 3)
        correct = Choice(f"`{slot.line}`", True, None, None, "正解。" if lang == "ja" else "Correct.")
        wrong = [Choice(f"`{m.line}`", False, None, m.mistake, _feedback(m, lang)) for m in muts]
        used = [slot]
        ask = ("（あ）に当てはまるコードとして正しいものを選べ。" if lang == "ja"
               else "Choose the code that fills blank （あ）.")
    else:
        # every wrong combination has exactly one wrong line, and the three carry three different mistakes
        pairs = [(a, b) for a, b in combinations(src.slots, 2) if len(_names(a) | _names(b)) >= 3]
        for _ in range(C.MAX_TRIES):
            s1, s2 = pairs[int(r.integers(len(pairs)))]
            m1, m2 = C.pick(r, s1.mutants), C.pick(r, s2.mutants)
            third = [(m, None) for m in s1.mutants if m.mistake not in (m1.mistake, m2.mistake)] + \
                    [(None, m) for m in s2.mutants if m.mistake not in (m1.mistake, m2.mistake)]
            if m1.mistake == m2.mistake or not third:
                continue
            combos = [(m1, None), (None, m2), third[int(r.integers(len(third)))]]
            proofs = [_combo_proven(key, (s1, s2), (a.line if a else s1.line, b.line if b else s2.line))
                      for a, b in combos]
            if all(p not in (None, "error") for p in proofs):
                break
        else:
            raise C.GenerationError(f"code_blank: no provable two-blank combination for {key}")
        used = [s1, s2]

        def text(a: str, b: str) -> str:
            return f"（あ）`{a}`　（い）`{b}`"
        correct = Choice(text(s1.line, s2.line), True, None, None, "正解。" if lang == "ja" else "Correct.")
        wrong = []
        for a, b in combos:
            parts = [_feedback(x, lang) for x in (a, b) if x is not None]
            wrong.append(Choice(text(a.line if a else s1.line, b.line if b else s2.line), False, None,
                                (a or b).mistake, " / ".join(parts)))
        ask = ("（あ）（い）に当てはまるコードの組み合わせとして正しいものを選べ。" if lang == "ja"
               else "Choose the pair of lines that fills blanks （あ） and （い）.")
    choices, index = C.place(C.part(rng, "order"), correct, wrong)
    if lang == "ja":
        from ._common import spaced

        stem = (f"次のコードは、{spaced(info.name_ja).lstrip()}を{spaced(info.form('textbook'))}の形で実装した"
                "クラスである。`params` と `grads` はパラメータ名をキーとする NumPy 配列の辞書で、`update` を 1 回"
                f"呼ぶと 1 回更新する。{ask}")
    else:
        stem = (f"The code below implements {name} in the form of {info.form('textbook', 'en')}. `params` and "
                f"`grads` are dicts of NumPy arrays keyed by parameter name; each call of `update` is one update. "
                f"{ask}")
    solution = []
    if render:
        for n, slot in enumerate(used):
            solution.append(SolutionStep(f"{BLANK[n]} = `{slot.line}`" if lang == "ja" else
                                         f"{BLANK[n]} is `{slot.line}`"))
        solution.append(SolutionStep(
            "誤りの選択肢はどれも、実際にクラスを実行すると結果が変わる（各選択肢の解説に数値）。" if lang == "ja" else
             "Every wrong choice was executed and changes the result (numbers in each choice's feedback)."))
    return Question(
        id="", family="code_blank", seed=0, lang=lang, kind=KIND, stem=stem,
        answer=Answer(index=index), choices=choices, solution=solution,
        given={"optimizer": key, "lines": [s.index for s in used], "witness": {
            "params0": {"W": WITNESS_W}, "grads": [{"W": g} for g in WITNESS_G], "hyperparameters": WITNESS_HYPER}},
        code=_code_with_blanks(src, used),
        tags={"optimizer": key, "topic": "code", "syllabus": info.syllabus, "difficulty": blanks + 1, "format": "F4"},
        options={k: v for k, v in opts.items() if v is not None})
