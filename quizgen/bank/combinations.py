"""The combination bank (``combinations.yaml``): sentences with blanks （ア）（イ）（ウ） for the exam's F3 format.

Hand-written like the concept bank, so the loader is as strict: an unknown or missing key, a wrong type, a
duplicate id, an unknown topic, a blank that the sentence does not hold in order, a wrong word without a
known mistake (a misconception tag of ``concepts.yaml`` or a name in ``quizgen.mistakes``), or an unknown
check stops loading with one line naming the file and the line::

    combinations.yaml:42: item 'rmsprop-ema': blank 3: wrong word 1: unknown mistake 'rho_swapp'

>>> bank = load()
>>> len(bank) >= 12
True
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from . import TOPICS, BankError

DEFAULT_PATH = Path(__file__).with_name("combinations.yaml")
LABELS = ("ア", "イ", "ウ")
ITEM_FIELDS = ("id", "topic", "ja", "en", "blanks", "check", "explanation_ja", "explanation_en", "source",
               "syllabus", "difficulty")
VERSION = 1


@dataclass(frozen=True)
class Word:
    ja: str
    en: str
    mistake: str | None = None  # None for the answer

    def text(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True)
class Blank:
    answer: Word
    wrong: tuple[Word, ...]


@dataclass(frozen=True)
class Item:
    id: str
    topic: str
    ja: str
    en: str
    blanks: tuple[Blank, ...]
    check: str | None  # an executed check of quizgen.families.combination.CHECKS
    explanation_ja: str
    explanation_en: str
    source: str
    syllabus: bool
    difficulty: int
    line: int = 0

    def text(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en

    def explanation(self, lang: str) -> str:
        return self.explanation_ja if lang == "ja" else self.explanation_en


@dataclass(frozen=True)
class Combinations:
    items: tuple[Item, ...]
    path: str = ""

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items)

    def get(self, item_id: str) -> Item:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(f"no item {item_id!r} in {self.path or 'the combination bank'}")

    def by_topic(self) -> dict[str, list[Item]]:
        out: dict[str, list[Item]] = {t: [] for t in TOPICS}
        for it in self.items:
            out[it.topic].append(it)
        return out


def load(path: str | Path | None = None, checks: Any = None) -> Combinations:
    """Read and validate a combination bank. ``checks``: the known check names (default: the family's)."""
    path = DEFAULT_PATH if path is None else Path(path)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise BankError(f"{name}: cannot read the bank: {e}") from None
    if checks is None:
        from ..families.combination import CHECKS as checks
    return _Reader(name, text, set(checks)).read()


def _line(node: Node) -> int:
    return node.start_mark.line + 1


class _Reader:
    def __init__(self, name: str, text: str, checks: set[str]):
        self.name, self.text, self.checks = name, text, checks

    def fail(self, node: Node | int, message: str) -> BankError:
        line = node if isinstance(node, int) else _line(node)
        return BankError(f"{self.name}:{line}: {message}")

    def read(self) -> Combinations:
        try:
            root = yaml.compose(self.text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            raise self.fail(mark.line + 1 if mark else 1,
                            f"YAML syntax error: {e.problem or e.context}".replace("\n", " ")) from None
        if root is None:
            raise self.fail(1, "the file is empty (expected version, items)")
        top = self.mapping(root, "top level", ("version", "items"))
        if self.scalar(top["version"], "version", int) != VERSION:
            raise self.fail(top["version"], f"top level: unsupported version (expected {VERSION})")
        if not isinstance(top["items"], SequenceNode) or not top["items"].value:
            raise self.fail(top["items"], "items must be a non-empty list")
        from .. import mistakes as M
        from . import load as load_concepts

        known = set(load_concepts().misconceptions) | set(M.REGISTRY)
        items: list[Item] = []
        seen: dict[str, int] = {}
        for n, node in enumerate(top["items"].value, start=1):
            f = self.mapping(node, f"item #{n}", ITEM_FIELDS)
            iid = self.scalar(f["id"], f"item #{n}: id", str)
            where = f"item {iid!r}"
            if iid in seen:
                raise self.fail(f["id"], f"{where}: duplicate id (first at line {seen[iid]})")
            seen[iid] = _line(node)
            topic = self.scalar(f["topic"], f"{where}: topic", str)
            if topic not in TOPICS:
                raise self.fail(f["topic"], f"{where}: unknown topic {topic!r}")
            ja, en = self.scalar(f["ja"], f"{where}: ja", str), self.scalar(f["en"], f"{where}: en", str)
            blanks = self.blanks(f["blanks"], where, known)
            for lang, text in (("ja", ja), ("en", en)):
                marks = [f"（{label}）" for label in LABELS[:len(blanks)]]
                positions = [text.find(m) for m in marks]
                once = all(text.count(m) == 1 for m in marks) and positions == sorted(positions)
                extra = len(blanks) < len(LABELS) and f"（{LABELS[len(blanks)]}）" in text
                if not once or extra:
                    raise self.fail(f[lang], f"{where}: {lang} must hold {''.join(marks)} once each, in order")
            check = self.scalar(f["check"], f"{where}: check", str, none=True)
            if check is not None and check not in self.checks:
                raise self.fail(f["check"], f"{where}: unknown check {check!r}")
            difficulty = self.scalar(f["difficulty"], f"{where}: difficulty", int)
            if difficulty not in (1, 2, 3):
                raise self.fail(f["difficulty"], f"{where}: difficulty must be 1, 2 or 3")
            items.append(Item(iid, topic, ja, en, blanks, check,
                              self.scalar(f["explanation_ja"], f"{where}: explanation_ja", str),
                              self.scalar(f["explanation_en"], f"{where}: explanation_en", str),
                              self.scalar(f["source"], f"{where}: source", str),
                              self.scalar(f["syllabus"], f"{where}: syllabus", bool), difficulty, _line(node)))
        return Combinations(tuple(items), self.name)

    def blanks(self, node: Node, where: str, known: set[str]) -> tuple[Blank, ...]:
        if not isinstance(node, SequenceNode) or not 2 <= len(node.value) <= len(LABELS):
            raise self.fail(node, f"{where}: blanks must be a list of 2 or 3 blanks")
        out = []
        for n, b in enumerate(node.value, start=1):
            f = self.mapping(b, f"{where}: blank {n}", ("answer", "wrong"))
            answer = self.word(f["answer"], f"{where}: blank {n}: answer", None)
            if not isinstance(f["wrong"], SequenceNode) or not f["wrong"].value:
                raise self.fail(f["wrong"], f"{where}: blank {n}: wrong must be a non-empty list")
            wrong = tuple(self.word(w, f"{where}: blank {n}: wrong word {k}", known)
                          for k, w in enumerate(f["wrong"].value, start=1))
            texts = [answer.ja] + [w.ja for w in wrong]
            if len(set(texts)) != len(texts):
                raise self.fail(b, f"{where}: blank {n}: the words are not all different")
            out.append(Blank(answer, wrong))
        return tuple(out)

    def word(self, node: Node, where: str, known: set[str] | None) -> Word:
        keys = ("ja", "en") if known is None else ("ja", "en", "mistake")
        f = self.mapping(node, where, keys)
        ja, en = self.scalar(f["ja"], f"{where}: ja", str), self.scalar(f["en"], f"{where}: en", str)
        if known is None:
            return Word(ja, en)
        mistake = self.scalar(f["mistake"], f"{where}: mistake", str)
        if mistake not in known:
            raise self.fail(f["mistake"], f"{where}: unknown mistake {mistake!r}")
        return Word(ja, en, mistake)

    def mapping(self, node: Node, where: str, keys: tuple[str, ...]) -> dict[str, Node]:
        if not isinstance(node, MappingNode):
            raise self.fail(node, f"{where}: expected a mapping of {', '.join(keys)}")
        out: dict[str, Node] = {}
        for k, v in node.value:
            key = k.value if isinstance(k, ScalarNode) else None
            if key not in keys:
                raise self.fail(k, f"{where}: unknown key {key!r}")
            if key in out:
                raise self.fail(k, f"{where}: {key} given twice")
            out[key] = v
        missing = [k for k in keys if k not in out]
        if missing:
            raise self.fail(node, f"{where}: missing {', '.join(missing)}")
        return out

    def scalar(self, node: Node, where: str, kind: type, none: bool = False) -> Any:
        if not isinstance(node, ScalarNode):
            raise self.fail(node, f"{where}: expected a {kind.__name__}")
        if none and node.tag == "tag:yaml.org,2002:null":
            return None
        value = yaml.SafeLoader("").construct_object(node)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(node, f"{where}: expected a {kind.__name__}, got {value!r}")
        if kind is str and not value.strip():
            raise self.fail(node, f"{where}: empty text")
        return value
