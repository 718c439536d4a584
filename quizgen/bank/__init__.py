"""The curated concept statement bank (``concepts.yaml``): load it and check every item.

The bank feeds the question family "choose the correct / incorrect statement" (E資格 F1) and single
true/false items (F7). It is hand-written, so the loader is strict: an unknown key, a missing field, a
wrong type, a duplicate id, an unknown topic or misconception tag, or an empty text stops loading with
one line that names the file and the line of the offending item or field::

    concepts.yaml:123: statement 'adam-x': unknown topic 'adamm'

>>> bank = load()
>>> len(bank) >= 80
True
>>> bank.get("adagrad-h-monotone").truth
True
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

#: the bank shipped with the package
DEFAULT_PATH = Path(__file__).with_name("concepts.yaml")

#: topics in teaching order, with their Japanese names (for headings and tags)
TOPICS: dict[str, str] = {
    "sgd": "SGD",
    "momentum": "モーメンタム",
    "nesterov": "Nesterov (NAG)",
    "adagrad": "AdaGrad",
    "rmsprop": "RMSprop",
    "adadelta": "Adadelta",
    "adam": "Adam",
    "amsgrad": "AMSGrad",
    "adamw": "AdamW",
    "nadam": "NAdam",
    "radam": "RAdam",
    "adamax": "Adamax",
    "curvature": "病的曲率",
    "saddle": "鞍点・プラトー",
    "learning_rate": "学習率・ミニバッチ・エポック",
    "bias_correction": "バイアス補正",
    "weight_decay": "重み減衰と L2 正則化",
    "schedule": "学習率スケジューリング",
    "early_stopping": "早期終了",
    "averaging": "重みの平均（Polyak 平均・EMA）",
    "second_order": "二次の最適化手法",
    "challenges": "最適化の難しさ（局所解・崖）",
    "init": "重みの初期化",
    "normalization": "バッチ正規化・レイヤー正規化",
    "clipping": "勾配クリッピング",
}

#: topics outside the 2024 E資格 syllabus keywords (enrichment): their statements carry syllabus: false
ENRICHMENT_TOPICS = frozenset({"adadelta", "amsgrad", "adamw", "nadam", "radam", "adamax", "saddle", "schedule",
                               "averaging", "second_order", "challenges", "clipping"})

#: statement fields and their kinds, in the order the file writes them
FIELDS: dict[str, str] = {
    "id": "id",
    "topic": "topic",
    "truth": "bool",
    "ja": "text",
    "en": "text",
    "explanation_ja": "text",
    "explanation_en": "text",
    "misconception": "tag-or-null",
    "source": "text",
    "syllabus": "bool",
    "difficulty": "difficulty",
}
TOP_LEVEL = ("version", "misconceptions", "statements")
VERSION = 1
DIFFICULTIES = (1, 2, 3)

_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")  # kebab-case
_TAG = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*\Z")  # snake_case

_STR = "tag:yaml.org,2002:str"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_NULL = "tag:yaml.org,2002:null"


class BankError(ValueError):
    """The bank file is malformed. The message is one line: ``file:line: what is wrong``."""


@dataclass(frozen=True)
class Misconception:
    tag: str  # snake_case, e.g. adagrad_direction_of_adaptation
    ja: str
    en: str
    line: int = field(default=0, compare=False)  # where it is defined (1-based)


@dataclass(frozen=True)
class Statement:
    id: str  # kebab-case, stable forever: question ids derive from it
    topic: str  # a key of TOPICS
    truth: bool
    ja: str
    en: str
    explanation_ja: str
    explanation_en: str
    misconception: str | None  # the tag a false statement is built from; None for true statements
    source: str  # where a reader can check the claim
    syllabus: bool  # a 2024 syllabus keyword area (False: enrichment)
    difficulty: int  # 1 basic, 2 standard, 3 hard
    line: int = field(default=0, compare=False)  # where the item starts in the file (1-based)


@dataclass(frozen=True)
class Bank:
    statements: tuple[Statement, ...]
    misconceptions: dict[str, Misconception]
    path: str = ""

    def __len__(self) -> int:
        return len(self.statements)

    def __iter__(self) -> Iterator[Statement]:
        return iter(self.statements)

    def get(self, statement_id: str) -> Statement:
        for s in self.statements:
            if s.id == statement_id:
                return s
        raise KeyError(f"no statement {statement_id!r} in {self.path or 'the bank'}")

    def by_topic(self) -> dict[str, list[Statement]]:
        """Topic -> its statements in file order, for every topic of TOPICS (teaching order)."""
        out: dict[str, list[Statement]] = {t: [] for t in TOPICS}
        for s in self.statements:
            out[s.topic].append(s)
        return out


def load(path: str | Path | None = None) -> Bank:
    """Read and validate a statement bank (default: the bundled ``concepts.yaml``)."""
    path = DEFAULT_PATH if path is None else Path(path)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise BankError(f"{name}: cannot read the bank: {e}") from None
    return _Reader(name, text).read()


def _line(node: Node) -> int:
    return node.start_mark.line + 1


class _Reader:
    """Walks the composed YAML node tree, so every error can point at a line."""

    def __init__(self, name: str, text: str):
        self.name = name
        self.text = text
        self._constructor = yaml.SafeLoader("")

    # -- errors ------------------------------------------------------------------------------------
    def fail(self, line: int, message: str) -> BankError:
        return BankError(f"{self.name}:{line}: {message}")

    # -- top level ---------------------------------------------------------------------------------
    def read(self) -> Bank:
        try:
            try:  # libyaml when present (15× faster); its error messages differ, so errors come from PyYAML's
                root = yaml.compose(self.text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
            except yaml.YAMLError:
                root = yaml.compose(self.text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            what = e.problem or e.context or "malformed YAML"
            if e.problem and e.context:  # e.g. "(while parsing a block mapping that starts at line 18)"
                where = f" that starts at line {e.context_mark.line + 1}" if e.context_mark else ""
                what += f" ({e.context}{where})"
            raise self.fail(mark.line + 1 if mark else 1, f"YAML syntax error: {what}".replace("\n", " ")) from None
        except yaml.YAMLError as e:  # pragma: no cover - yaml's errors without a mark (encoding etc.)
            raise self.fail(1, f"YAML error: {e}".replace("\n", " ")) from None
        if root is None:
            raise self.fail(1, "the file is empty (expected version, misconceptions, statements)")
        if not isinstance(root, MappingNode):
            raise self.fail(_line(root), "the top level must be a mapping with version, misconceptions, statements")
        top = self.mapping(root, "top level", TOP_LEVEL, TOP_LEVEL)

        version = self.scalar(top["version"], "top level: version")
        if top["version"].tag != _INT or version != VERSION:
            raise self.fail(_line(top["version"]), f"top level: unsupported version {version!r} (expected {VERSION})")

        misconceptions = self.read_misconceptions(top["misconceptions"])
        statements = self.read_statements(top["statements"], misconceptions)
        return Bank(statements=tuple(statements), misconceptions=misconceptions, path=self.name)

    # -- misconceptions ----------------------------------------------------------------------------
    def read_misconceptions(self, node: Node) -> dict[str, Misconception]:
        if not isinstance(node, MappingNode):
            raise self.fail(_line(node), "misconceptions must be a mapping of tag -> {ja, en}")
        out: dict[str, Misconception] = {}
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            tag = self.scalar(key_node, "misconceptions")
            where = f"misconception {tag!r}"
            if not isinstance(tag, str) or not _TAG.match(tag):
                raise self.fail(_line(key_node), f"misconception tag {tag!r} is not snake_case")
            if tag in seen:
                raise self.fail(_line(key_node), f"{where}: defined twice (first at line {seen[tag]})")
            seen[tag] = _line(key_node)
            if not isinstance(value_node, MappingNode):
                raise self.fail(_line(value_node), f"{where}: expected a mapping with ja and en")
            fields = self.mapping(value_node, where, ("ja", "en"), ("ja", "en"), line=_line(key_node))
            ja = self.text_field(fields["ja"], where, "ja")
            en = self.text_field(fields["en"], where, "en")
            out[tag] = Misconception(tag=tag, ja=ja, en=en, line=_line(key_node))
        return out

    # -- statements --------------------------------------------------------------------------------
    def read_statements(self, node: Node, misconceptions: dict[str, Misconception]) -> list[Statement]:
        if not isinstance(node, SequenceNode):
            raise self.fail(_line(node), "statements must be a list of items")
        if not node.value:
            raise self.fail(_line(node), "statements is empty")
        out: list[Statement] = []
        first_line: dict[str, int] = {}
        for index, item in enumerate(node.value, start=1):
            if not isinstance(item, MappingNode):
                raise self.fail(_line(item), f"statement #{index}: expected a mapping of {', '.join(FIELDS)}")
            where = self.item_name(item, index)
            fields = self.mapping(item, where, tuple(FIELDS), tuple(FIELDS))
            values = {name: self.field(fields[name], where, name, kind, misconceptions)
                      for name, kind in FIELDS.items()}
            sid = values["id"]
            if sid in first_line:
                raise self.fail(_line(fields["id"]), f"{where}: duplicate id (first at line {first_line[sid]})")
            first_line[sid] = _line(item)
            if values["truth"] and values["misconception"] is not None:
                raise self.fail(_line(fields["misconception"]),
                                f"{where}: a true statement must have misconception: null")
            if not values["truth"] and values["misconception"] is None:
                raise self.fail(_line(fields["misconception"]),
                                f"{where}: a false statement needs a misconception tag")
            out.append(Statement(**values, line=_line(item)))
        return out

    def item_name(self, item: MappingNode, index: int) -> str:
        """``statement 'adam-x'`` when the item has a usable id, else ``statement #7``."""
        for key_node, value_node in item.value:
            if isinstance(key_node, ScalarNode) and key_node.value == "id":
                if isinstance(value_node, ScalarNode) and value_node.tag == _STR and value_node.value.strip():
                    return f"statement {value_node.value!r}"
        return f"statement #{index}"

    def field(self, node: Node, where: str, name: str, kind: str, misconceptions: dict[str, Misconception]):
        line = _line(node)
        if kind == "text":
            return self.text_field(node, where, name)
        if kind == "bool":
            if not isinstance(node, ScalarNode) or node.tag != _BOOL:
                raise self.fail(line, f"{where}: {name} must be true or false, got {self.describe(node)}")
            return self.scalar(node, where)
        if kind == "difficulty":
            value = self.scalar(node, where) if isinstance(node, ScalarNode) else None
            if not isinstance(node, ScalarNode) or node.tag != _INT or value not in DIFFICULTIES:
                raise self.fail(line, f"{where}: difficulty must be 1, 2 or 3, got {self.describe(node)}")
            return value
        if kind == "id":
            value = self.text_field(node, where, name)
            if not _ID.match(value):
                raise self.fail(line, f"{where}: id {value!r} is not kebab-case (a-z, 0-9 and single hyphens)")
            return value
        if kind == "topic":
            value = self.text_field(node, where, name)
            if value not in TOPICS:
                raise self.fail(line, f"{where}: unknown topic {value!r}")
            return value
        if kind == "tag-or-null":
            if isinstance(node, ScalarNode) and node.tag == _NULL:
                return None
            value = self.text_field(node, where, name)
            if value not in misconceptions:
                raise self.fail(line, f"{where}: unknown misconception tag {value!r} "
                                      "(define it under misconceptions: at the top of the file)")
            return value
        raise AssertionError(kind)  # pragma: no cover

    # -- node helpers ------------------------------------------------------------------------------
    def mapping(self, node: MappingNode, where: str, allowed: tuple[str, ...], required: tuple[str, ...],
                line: int | None = None) -> dict[str, Node]:
        """Key -> value node, refusing unknown, duplicate and missing keys (missing ones are reported
        at ``line``, by default the mapping's first line)."""
        out: dict[str, Node] = {}
        key_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node, where) if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, str):
                raise self.fail(_line(key_node), f"{where}: keys must be plain names, got {self.describe(key_node)}")
            if key not in allowed:
                raise self.fail(_line(key_node), f"{where}: unknown key {key!r} (allowed: {', '.join(allowed)})")
            if key in out:
                raise self.fail(_line(key_node), f"{where}: key {key!r} appears twice (first at line {key_line[key]})")
            out[key] = value_node
            key_line[key] = _line(key_node)
        missing = [k for k in required if k not in out]
        if missing:
            raise self.fail(line or _line(node), f"{where}: missing {', '.join(missing)}")
        return out

    def text_field(self, node: Node, where: str, name: str) -> str:
        if isinstance(node, ScalarNode) and node.tag == _NULL:
            raise self.fail(_line(node), f"{where}: {name} is empty")
        if not isinstance(node, ScalarNode) or node.tag != _STR:
            raise self.fail(_line(node), f"{where}: {name} must be a string, got {self.describe(node)}")
        value = node.value
        if not value.strip():
            raise self.fail(_line(node), f"{where}: {name} is empty")
        return value

    def scalar(self, node: Node, where: str):
        if not isinstance(node, ScalarNode):
            raise self.fail(_line(node), f"{where}: expected a single value, got {self.describe(node)}")
        try:
            return self._constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as e:
            raise self.fail(_line(node), f"{where}: {e.problem}") from None

    @staticmethod
    def describe(node: Node) -> str:
        if isinstance(node, MappingNode):
            return "a mapping"
        if isinstance(node, SequenceNode):
            return "a list"
        kind = node.tag.rsplit(":", 1)[-1] if node.tag.startswith("tag:yaml.org,2002:") else node.tag
        return f"{kind} {node.value!r}"


__all__ = ["DEFAULT_PATH", "ENRICHMENT_TOPICS", "FIELDS", "TOPICS", "Bank", "BankError", "Misconception",
           "Statement", "load"]
