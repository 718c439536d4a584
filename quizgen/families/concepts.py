"""Concept statements (format F1): choose the correct statement (one true among three false) or the
incorrect one (one false among three true), from the curated bank ``quizgen/bank/concepts.yaml``.

Statements are drawn from one topic when it has enough of the needed kind; otherwise the other
statements come from related topics and the stem asks about the optimizers in general. Never two
statements that contradict or near-duplicate each other in one question: not the same misconception
tag twice, not two statements whose texts are near copies (one a negation of the other), and never
both "Adam = Momentum + AdaGrad" and "Adam = Momentum + RMSProp" (exam-style.md §6.5).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from ..question import Answer, Choice, Question, SolutionStep
from . import _common as C

KIND = "choice"
TITLE = ("概念の正誤（正しいもの／誤っているものを選ぶ）", "concept statements (choose the correct / incorrect one)")

#: topics that may fill in for each other (same syllabus area)
GROUPS = (
    ("sgd", "momentum", "nesterov", "learning_rate", "curvature"),
    ("adagrad", "rmsprop", "adadelta"),
    ("adam", "bias_correction", "amsgrad", "adamw", "nadam", "radam", "adamax", "weight_decay"),
    ("curvature", "saddle", "learning_rate"),
    ("schedule", "learning_rate", "early_stopping", "averaging"),
    ("second_order", "curvature", "saddle", "challenges"),
    ("init", "normalization", "clipping"),  # the optimization chapter's techniques
)
SIMILAR = 0.55  # character-bigram Jaccard similarity above which two statements count as near copies


def _topic(v: Any) -> str:
    from .. import bank

    key = str(v).strip().lower()
    if key not in bank.TOPICS:
        raise ValueError(f"unknown topic {v!r}; known: {', '.join(bank.TOPICS)}")
    return key


OPTIONS = [
    C.Option("topic", "bank topic (sgd, momentum, …, curvature, saddle, bias_correction, …); drawn when omitted",
             None, None, _topic),
    C.Option("optimizer", "same as topic, for an optimizer key", None, None, _topic),
    C.Option("mode", "'correct' (one true among three false) or 'incorrect' (one false among three true); drawn",
             None, ("correct", "incorrect")),
    C.Option("bank", "path of another statement bank (YAML, same schema); default: the bundled concepts.yaml"),
]


@lru_cache(maxsize=4)
def _bank(path: str | None = None):
    from .. import bank

    return bank.load(path)


def _bigrams(text: str) -> frozenset[str]:
    t = "".join(text.split())
    return frozenset(t[i:i + 2] for i in range(len(t) - 1))


def _similar(a, b) -> bool:
    x, y = _bigrams(a.ja), _bigrams(b.ja)
    return len(x & y) / max(1, len(x | y)) > SIMILAR


def _adam_mix(s) -> str | None:
    t = s.ja.replace(" ", "")
    if "Adam" in t and "Momentum" in t or "モーメンタム" in t and "Adam" in t:
        if "AdaGrad" in t:
            return "adagrad"
        if "RMSProp" in t or "RMSprop" in t:
            return "rmsprop"
    return None


def compatible(chosen: list, s) -> bool:
    """May ``s`` sit in one question with ``chosen``?"""
    for c in chosen:
        if c.id == s.id:
            return False
        if c.misconception and c.misconception == s.misconception:
            return False
        if _similar(c, s):
            return False
        a, b = _adam_mix(c), _adam_mix(s)
        if a and b and a != b:
            return False
    return True


def _related(topic: str) -> list[str]:
    out: list[str] = []
    for g in GROUPS:
        if topic in g:
            out += [t for t in g if t != topic and t not in out]
    return out


def generate(rng: np.random.Generator, *, lang: str = "ja", render: bool = True, **options: Any) -> Question:
    from .. import bank as B

    opts = C.parse_options("concepts", OPTIONS, options)
    topic = opts["topic"] or opts["optimizer"]
    bank = _bank(opts["bank"])
    by = bank.by_topic()
    r = C.part(rng, "inputs")
    for _ in range(C.MAX_TRIES):
        t = topic or _draw_topic(r, [k for k, v in by.items() if v])
        mode = opts["mode"] or C.pick(r, ("correct", "incorrect"))
        key_truth = mode == "correct"
        keys = [s for s in by[t] if s.truth == key_truth]
        if not keys:
            if topic:
                raise ValueError(f"concepts: topic {t} has no {'true' if key_truth else 'false'} statement")
            continue
        key = C.pick(r, keys)
        chosen = [key]
        pools = [[s for s in by[t] if s.truth != key_truth]]
        pools += [[s for s in by[u] if s.truth != key_truth] for u in _related(t)]
        mixed = False
        for n, pool in enumerate(pools):
            for i in r.permutation(len(pool)):
                s = pool[int(i)]
                if len(chosen) == 4:
                    break
                if compatible(chosen, s):
                    chosen.append(s)
                    mixed = mixed or n > 0
            if len(chosen) == 4:
                break
        if len(chosen) == 4:
            break
    else:
        raise C.GenerationError(f"concepts: not enough compatible statements for {opts}")
    def text(s) -> str:
        return s.ja if lang == "ja" else s.en

    def expl(s) -> str:
        return s.explanation_ja if lang == "ja" else s.explanation_en

    correct = Choice(text(key), True, None, key.misconception, expl(key))
    wrong = [Choice(text(s), False, None, s.misconception, expl(s)) for s in chosen[1:]]
    choices, index = C.place(C.part(rng, "order"), correct, wrong)
    name = B.TOPICS[t]
    if lang == "ja":
        from ._common import spaced

        about = "最適化に関する次の記述" if mixed else f"{spaced(name).lstrip()}に関する次の記述"
        stem = f"{about}のうち、{'正しいもの' if key_truth else '誤っているもの'}を 1 つ選べ。"
    else:
        about = "the statements below about optimization" if mixed else f"the statements below about {name}"
        stem = f"Of {about}, choose the one that is {'correct' if key_truth else 'incorrect'}."
    solution = []
    if render:
        for s in [key] + chosen[1:]:
            mark = ("正" if s.truth else "誤") if lang == "ja" else ("true" if s.truth else "false")
            solution.append(SolutionStep(f"（{mark}）{text(s)} — {expl(s)}"))
    difficulty = max(s.difficulty for s in chosen)
    return Question(
        id="", family="concepts", seed=0, lang=lang, kind=KIND, stem=stem, answer=Answer(index=index),
        choices=choices, solution=solution,
        given={"statements": [s.id for s in chosen], "mode": mode, "topic": t,
               "bank": opts["bank"] or "quizgen/bank/concepts.yaml"},
        tags={"optimizer": t if t in _optimizer_keys() else None, "topic": t,
              "syllabus": all(s.syllabus for s in chosen),
              "difficulty": difficulty, "format": "F1", "sources": sorted({s.source for s in chosen})},
        options={k: v for k, v in opts.items() if v is not None})


def _draw_topic(r: np.random.Generator, topics: list[str]) -> str:
    """A topic: the other topics (curvature, saddle …) as often as before; an optimizer topic drawn with
    ``draw_optimizer`` (mostly ``optimizers.CORE``)."""
    keys = _optimizer_keys()
    others = [t for t in topics if t not in keys]
    if others and r.random() < len(others) / len(topics):
        return C.pick(r, others)
    return C.draw_optimizer(r, [t for t in topics if t in keys])


def _optimizer_keys() -> set[str]:
    import optimizers

    return set(optimizers.ORDER)
