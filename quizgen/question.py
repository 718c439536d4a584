"""The format-free question model: what every output driver renders.

A ``Question`` is plain data (JSON-serialisable with ``to_dict``/``from_dict``). Question
families build them; drivers (site quiz, drill sheet, Moodle, Anki, JSON) only render them.

For computed questions ``given`` makes the answer recomputable by anyone::

    {"optimizer": "momentum", "convention": "textbook", "hyperparameters": {"lr": 0.1, "momentum": 0.9},
     "params0": {"W": [1.0]}, "grads": [{"W": [0.5]}, {"W": [0.3]}],       # or "problem", "start", "steps"
     "asked": {"quantity": "v", "step": 2, "key": "W", "index": 0}}
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

KINDS = ("numeric", "choice")


@dataclass
class Choice:
    text: str  # Markdown; may hold $math$ or `code`
    correct: bool
    value: float | None = None  # numeric choices: the executed value
    mistake: str | None = None  # name of the mistake (quizgen.mistakes) that produces this choice
    feedback: str = ""  # shown when this choice (or this value, typed) is given


@dataclass
class Answer:
    value: float | None = None  # numeric key, computed from exactly the displayed inputs
    decimals: int | None = None  # displayed rounding: digits after the decimal point
    tolerance: float | None = None  # half a unit of the last displayed digit: the accepted distance from ``text``
    text: str | None = None  # the key as displayed (rounded)
    index: int | None = None  # choice questions: index of the correct choice

    def accepts(self, x: float) -> bool:
        """Is ``x`` a correct answer (numeric questions)? It is when it rounds (四捨五入) to the displayed key: within
        half a unit of ``text``, the edge that rounds to it included (quizgen/rounding.py). Without a displayed key,
        within ``tolerance`` of ``value``."""
        if not isinstance(x, (int, float)) or not math.isfinite(x):
            return False
        if self.text is not None and self.decimals is not None:
            from .rounding import rounds_to

            return rounds_to(x, self.decimals, self.text)
        if self.value is None or self.tolerance is None:
            return False
        return abs(x - self.value) <= self.tolerance


@dataclass
class SolutionStep:
    text: str  # Markdown (may hold inline $math$)
    latex: str | None = None  # one display formula (the rule with numbers substituted, ...)


@dataclass
class Figure:
    kind: str  # "paths": trajectories on a surface
    data: dict[str, Any]  # plain data; drivers draw it (quizgen.plots)
    caption: str = ""


@dataclass
class Question:
    id: str  # "<family>-<seed>" (+ "-<options digest>" when options differ from the defaults)
    family: str
    seed: int
    lang: str  # "ja" | "en"
    kind: str  # "numeric" (typed answer; choices carry the key and named-mistake values) | "choice"
    stem: str  # Markdown with $math$
    answer: Answer
    choices: list[Choice] = field(default_factory=list)
    solution: list[SolutionStep] = field(default_factory=list)
    given: dict[str, Any] | None = None
    code: str | None = None  # code questions: the class source with blanks marked （あ）（い）
    figures: list[Figure] = field(default_factory=list)
    rounding: str = ""  # the rounding rule and tolerance, stated in ``lang``
    tags: dict[str, Any] = field(default_factory=dict)  # optimizer, topic, syllabus, difficulty
    options: dict[str, Any] = field(default_factory=dict)  # the options the family was called with

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"question {self.id}: unknown kind {self.kind!r}")
        if self.kind == "choice" and (self.answer.index is None or not 0 <= self.answer.index < len(self.choices)):
            raise ValueError(f"question {self.id}: choice question without a valid answer index")
        if self.choices and sum(c.correct for c in self.choices) != 1:
            raise ValueError(f"question {self.id}: exactly one choice must be correct")

    def to_dict(self) -> dict[str, Any]:
        """What ``dataclasses.asdict`` returns, without deep-copying every number and string (the pools
        digest every variant's JSON: asdict was a tenth of their time)."""
        return _plain(self)

    def to_json(self, **kw: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, allow_nan=False, **kw)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Question:
        d = dict(d)
        d["answer"] = Answer(**d["answer"])
        d["choices"] = [Choice(**c) for c in d.get("choices", [])]
        d["solution"] = [SolutionStep(**s) for s in d.get("solution", [])]
        d["figures"] = [Figure(**f) for f in d.get("figures", [])]
        return cls(**d)

    @property
    def correct_choice(self) -> Choice | None:
        return next((c for c in self.choices if c.correct), None)


def optimizer_of(q: Question) -> str | None:
    """The optimizer a question is about (``tags["optimizer"]``, else ``given["optimizer"]``), or ``None`` for
    general ones (concepts on curvature, saddle points …)."""
    opt = q.tags.get("optimizer") if isinstance(q.tags, dict) else None
    if isinstance(opt, (list, tuple)):
        opt = opt[0] if len(opt) == 1 else None
    if opt is None and isinstance(q.given, dict):
        opt = q.given.get("optimizer")
    return str(opt) if opt else None


_ATOMS = (str, int, float, bool, type(None))


def _plain(obj: Any) -> Any:
    if isinstance(obj, _ATOMS):
        return obj
    if is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_plain(v) for v in obj)
    if isinstance(obj, dict):
        return {_plain(k): _plain(v) for k, v in obj.items()}
    return copy.deepcopy(obj)

