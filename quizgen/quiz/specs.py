"""Which quizzes exist: one place for the quiz pages, the pool builder and the tests.

- per optimizer × family: ``momentum-steps``, ``adam-formula`` … (a family the engine cannot ask
  about an optimizer, e.g. trajectory for Adadelta, is left out: :func:`supported`);
- per family, every optimizer mixed: ``all-steps``, ``all-code_blank`` …;
- concept topics that are not an optimizer: ``topic-curvature`` …;
- the mock exam ``exam``: four-choice questions only, cycling through (family, optimizer) items.

A spec says only *what* to ask; :mod:`quizgen.quiz.pool` asks the engine for the variants. Seeds are
``seeds.derive("quiz", spec.id, i)``, so a pool is the same on every machine and every build.
Nothing here imports MkDocs.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

#: the families in the order the pages show them (``quizgen.families.NAMES``)
FAMILIES = ("steps", "numeric_choice", "code_blank", "formula", "concepts", "trajectory",
            "true_false", "formula_blank", "combination", "threshold")
#: the families of the optimization chapter's other topics (issue 16 part 2): quizzes on the chapter's pages
CHAPTER_FAMILIES = ("schedule", "early_stopping", "averaging", "second_order", "critical_point", "chapter_code")
FAMILIES += CHAPTER_FAMILIES
#: families that are four-choice questions (the mock exam draws only these)
CHOICE_FAMILIES = ("numeric_choice", "code_blank", "formula", "concepts", "trajectory",
                   "formula_blank", "combination", "threshold") + CHAPTER_FAMILIES
#: concept topics of the bank that are not optimizers (one quiz each on the topics page)
TOPICS = ("learning_rate", "curvature", "saddle", "bias_correction", "weight_decay")
CHAPTER_TOPICS = ("schedule", "early_stopping", "averaging", "second_order", "challenges")
TOPICS += CHAPTER_TOPICS
TOPIC_JA = {"learning_rate": "学習率・ミニバッチ・エポック", "curvature": "病的曲率", "saddle": "鞍点・プラトー",
            "bias_correction": "バイアス補正", "weight_decay": "重み減衰と L2 正則化",
            "schedule": "学習率スケジューリング", "early_stopping": "早期終了", "averaging": "重みの平均",
            "second_order": "二次の最適化手法", "challenges": "最適化の難しさ（局所解・崖）"}
#: what a learner reads as the family's heading (short; the engine's TITLE is the long form)
FAMILY_JA = {"steps": "数値計算（答えを入力）", "numeric_choice": "数値計算（4 択）", "code_blank": "コードの穴埋め",
             "formula": "更新式の選択", "concepts": "概念の正誤", "trajectory": "軌跡の読み取り",
             "true_false": "正誤問題", "formula_blank": "更新式の空欄", "combination": "空欄の組み合わせ",
             "threshold": "限界値・しきい値",
             "schedule": "学習率スケジュールの計算", "early_stopping": "早期終了", "averaging": "重みの平均の計算",
             "second_order": "ニュートン法と条件数", "critical_point": "臨界点の判定",
             "chapter_code": "手法のコードの穴埋め"}
#: the topic of each family as the mock exam's breakdown names it
FAMILY_TOPIC_JA = {"steps": "計算", "numeric_choice": "計算", "code_blank": "実装（コード）", "formula": "更新式",
                   "concepts": "概念・用語", "trajectory": "軌跡・挙動",
                   "true_false": "概念・用語", "formula_blank": "更新式", "combination": "用語・更新式",
                   "threshold": "計算", "schedule": "学習率スケジュール",
                   "early_stopping": "早期終了", "averaging": "重みの平均", "second_order": "二次の手法",
                   "critical_point": "鞍点・臨界点", "chapter_code": "実装（コード）"}

#: the quiz page of the chapter's topics (each topic page shows its own quizzes too)
CHAPTER_PAGE = "quiz/chapter.md"

#: the optimization chapter's topics (issue 16): topic -> (the page that shows its quizzes, its families); each
#: page has one quiz per family and one of the topic's concept statements
TECHNIQUES = {"init": ("chapter/init.md", ("init_numeric", "init_formula", "init_code")),
              "normalization": ("chapter/normalization.md", ("norm_numeric", "norm_formula", "norm_code")),
              "clipping": ("chapter/clipping.md", ("clip_numeric", "clip_formula", "clip_code"))}
TECHNIQUE_JA = {"init": "重みの初期化", "normalization": "バッチ正規化", "clipping": "勾配クリッピング"}
TECHNIQUE_FAMILIES = tuple(f for _, fams in TECHNIQUES.values() for f in fams)
for _topic, (_page, _fams) in TECHNIQUES.items():
    FAMILY_JA.update({_fams[0]: "数値計算（4 択）", _fams[1]: "式の選択", _fams[2]: "コードの穴埋め"})
    FAMILY_TOPIC_JA.update({f: TECHNIQUE_JA[_topic] for f in _fams})

DEFAULT_POOL_SIZE = 50
ENV_POOL_SIZE = "QUIZ_POOL_SIZE"  # overrides mkdocs.yml extra.quiz.pool_size (e.g. 10 for a quick build)
EXAM_FACTOR = 2  # the exam's pool is this many times the pool size (it mixes every topic)


@dataclass(frozen=True)
class QuizSpec:
    id: str  # "momentum-steps", "all-formula", "topic-saddle", "exam"
    title: str  # shown on the widget and on the progress page
    items: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]  # (family, options) taken in turn
    size: int
    optimizer: str | None = None  # the optimizer key the progress page files this quiz under
    page: str = ""  # docs-relative page that shows it (quiz/momentum.md)
    exam: bool = False
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def options(self, i: int) -> tuple[str, dict[str, Any]]:
        family, opts = self.items[i % len(self.items)]
        return family, dict(opts)

    def key(self) -> str:
        """What the pool depends on besides the code (for the cache)."""
        return json.dumps({"id": self.id, "items": self.items, "size": self.size}, sort_keys=True)


# -- settings ---------------------------------------------------------------------------------------
class _Loader(yaml.SafeLoader):
    """mkdocs.yml with its ``!!python/name:`` tags read as plain strings."""


def _any_tag(loader, suffix, node):
    return loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None


_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _any_tag)
_Loader.add_multi_constructor("!", _any_tag)


def pool_size(extra: dict[str, Any] | None = None, root: Path | str | None = None) -> int:
    """Variants per quiz: env ``QUIZ_POOL_SIZE``, else ``extra.quiz.pool_size`` (given, or read from
    ``root/mkdocs.yml``), else 50."""
    env = os.environ.get(ENV_POOL_SIZE, "").strip()
    if env:
        return _check_size(env, ENV_POOL_SIZE)
    if extra is None and root is not None:
        path = Path(root) / "mkdocs.yml"
        if path.exists():
            st = path.stat()
            extra = _extra_of(str(path), st.st_mtime_ns, st.st_size)
    value = ((extra or {}).get("quiz") or {}).get("pool_size")
    return DEFAULT_POOL_SIZE if value is None else _check_size(value, "extra.quiz.pool_size")


@lru_cache(maxsize=4)
def _extra_of(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    """mkdocs.yml's ``extra`` (read again only when the file changes: every quiz macro asks)."""
    return (yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_Loader) or {}).get("extra") or {}


def settings_key(root: Path | str) -> str:
    """What the quiz pages depend on besides the code (for the site's cache version): the pool size."""
    return f"quiz-pool-size={pool_size(None, root)}"


def _check_size(value: Any, where: str) -> int:
    try:
        n = int(str(value).strip())
    except ValueError:
        raise ValueError(f"{where}: the pool size must be a whole number, got {value!r}") from None
    if not 1 <= n <= 1000:
        raise ValueError(f"{where}: the pool size must be between 1 and 1000, got {n}")
    return n


# -- which quizzes ----------------------------------------------------------------------------------
def optimizer_keys() -> tuple[str, ...]:
    import optimizers

    return tuple(optimizers.ORDER)


@cache
def supported(family: str, optimizer: str) -> bool:
    """Can the engine ask ``family`` about ``optimizer``? (It tries a few seeds, without solutions.)"""
    from .. import engine, seeds

    for i in range(3):
        try:
            engine.generate(family, seeds.derive("quiz", "probe", family, optimizer, i), render=False,
                            optimizer=optimizer)
            return True
        except ValueError:
            continue
    return False


def optimizer_name(key: str) -> str:
    import optimizers

    return optimizers.get(key).INFO.cls.__name__


def for_optimizer(key: str, size: int) -> list[QuizSpec]:
    out = []
    for family in FAMILIES:
        if supported(family, key):
            out.append(QuizSpec(f"{key}-{family}", f"{optimizer_name(key)}: {FAMILY_JA[family]}",
                                ((family, (("optimizer", key),)),), size, key, f"quiz/{key}.md",
                                meta={"family": family}))
    return out


def for_family(family: str, size: int) -> QuizSpec:
    if family in CHAPTER_FAMILIES:  # not about the optimizers: no "all optimizers" in the title
        return QuizSpec(f"all-{family}", FAMILY_JA[family], ((family, ()),), size, None, CHAPTER_PAGE,
                        meta={"family": family})
    return QuizSpec(f"all-{family}", f"全手法: {FAMILY_JA[family]}", ((family, ()),), size, None, "quiz/families.md",
                    meta={"family": family})


def for_topic(topic: str, size: int) -> QuizSpec:
    return QuizSpec(f"topic-{topic}", f"{TOPIC_JA[topic]}: {FAMILY_JA['concepts']}",
                    (("concepts", (("topic", topic),)),), size, None,
                    CHAPTER_PAGE if topic in CHAPTER_TOPICS else "quiz/topics.md",
                    meta={"family": "concepts", "topic": topic})


def for_technique(topic: str, size: int) -> list[QuizSpec]:
    """The quizzes of one chapter topic's page: one per family, then its concept statements."""
    page, fams = TECHNIQUES[topic]
    out = [QuizSpec(f"{topic}-{f}", f"{TECHNIQUE_JA[topic]}: {FAMILY_JA[f]}", ((f, ()),), size, None, page,
                    meta={"family": f, "chapter": topic}) for f in fams]
    out.append(QuizSpec(f"{topic}-concepts", f"{TECHNIQUE_JA[topic]}: {FAMILY_JA['concepts']}",
                        (("concepts", (("topic", topic),)),), size, None, page,
                        meta={"family": "concepts", "chapter": topic}))
    return out


#: the mock exam takes this many questions about the syllabus optimizers (``optimizers.CORE``) for each one about
#: another optimizer (5 : 1, so ≥ 80 % of its optimizer questions are about the syllabus ones, as the exam's are)
EXAM_CORE_RUN = 5


def exam_items() -> tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]:
    """(family, options) of the mock exam: every (optimizer, family) the engine supports, the syllabus optimizers'
    items repeated and interleaved ``EXAM_CORE_RUN`` : 1 with the others' (so every prefix of the pool keeps the
    ratio), a concept topic or a chapter family (no optimizer) after every second round; optimizer by optimizer,
    so a run of questions mixes families."""
    import optimizers

    def items(keys):
        return [(family, (("optimizer", key),)) for key in keys for family in CHOICE_FAMILIES
                if family not in CHAPTER_FAMILIES and supported(family, key)]
    core = items([k for k in optimizer_keys() if k in optimizers.CORE])
    rest = items([k for k in optimizer_keys() if k not in optimizers.CORE])
    chapter = [(family, ()) for family in CHAPTER_FAMILIES + TECHNIQUE_FAMILIES]
    topics = [("concepts", (("topic", topic),)) for topic in TOPICS + tuple(TECHNIQUES)]
    general = [x for pair in zip(topics, chapter) for x in pair] + topics[len(chapter):] + chapter[len(topics):]
    out: list = []
    rounds = 0
    while rest or general or rounds * EXAM_CORE_RUN < len(core):
        out += [core[(rounds * EXAM_CORE_RUN + j) % len(core)] for j in range(EXAM_CORE_RUN)]
        out += [rest.pop(0)] if rest else []
        out += [general.pop(0)] if general and rounds % 2 == 1 else []  # a general item every second round
        rounds += 1
    return tuple(out)


def exam(size: int) -> QuizSpec:
    return QuizSpec("exam", "模擬試験（4 択）", exam_items(), size * EXAM_FACTOR, None, "quiz/exam.md", exam=True)


def get(quiz_id: str, size: int) -> QuizSpec:
    """The spec with this id (what the page macros ask for)."""
    for spec in all_specs(size):
        if spec.id == quiz_id:
            return spec
    raise ValueError(f"unknown quiz {quiz_id!r}")


def quiz_id(optimizer: str, family: str) -> str:
    if optimizer in ("all", "*"):
        return f"all-{family}"
    if optimizer in TOPICS:
        return f"topic-{optimizer}"
    return f"{optimizer}-{family}"  # an optimizer's quiz, or a chapter topic's (init-init_numeric, init-concepts)


@lru_cache(maxsize=8)
def _all(size: int) -> tuple[QuizSpec, ...]:
    out: list[QuizSpec] = []
    for key in optimizer_keys():
        out += for_optimizer(key, size)
    out += [for_family(f, size) for f in FAMILIES]
    out += [for_topic(t, size) for t in TOPICS]
    out += [s for t in TECHNIQUES for s in for_technique(t, size)]
    out.append(exam(size))
    return tuple(out)


def all_specs(size: int = DEFAULT_POOL_SIZE) -> list[QuizSpec]:
    """Every quiz of the site, in page order."""
    return list(_all(size))
