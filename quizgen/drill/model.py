"""What a drill run is: the spec (everything that decides the numbers), one plan per sheet, and
the rule that picks each question.

Question ``n`` (1-based) of the sheet for student ``id`` is ``generate(family_n, seed_n, **options_n)``:

* ``seed_n = seeds.derive("drill", seed, id, n)``: a lost sheet is rebuilt from the seed printed on it;
* ``family_n`` cycles through the chosen families in order (question 3 is the same kind of question for
  every student, so a class can talk about "question 3"; the numbers differ);
* with ``--optimizers``, ``optimizer_n`` cycles through them for the families that take an ``optimizer``
  option (one full round of families per optimizer; a family that cannot ask about that optimizer, like a
  code blank for SGD, takes the next listed one); without it each question's family picks the optimizer
  from the seed. A family without an ``optimizer`` option whose question is about an optimizer not listed is
  drawn again from ``derive("drill", seed, id, n, attempt)``, attempt = 1, 2, … (the sheet prints each
  question's own seed, so it is rebuilt all the same); without ``--optimizers`` the same redraw keeps a
  question about an optimizer outside ``optimizers.CORE`` to every tenth place (``_common.balanced``);
* without a roster the sheet's id is ``"sheet"``.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Any

from .. import seeds
from ..names import split_list
from ..question import Question
from .roster import Student

ANONYMOUS = "sheet"  # the id of the sheet built without a roster
MAX_COUNT = 200
MAX_ATTEMPTS = 64


@dataclass(frozen=True)
class DrillSpec:
    count: int
    seed: int
    families: tuple[str, ...]
    optimizers: tuple[str, ...] = ()  # empty: each question's family picks
    lang: str = "ja"
    title: str = ""

    def item(self, number: int) -> tuple[str, str | None]:
        """(family, optimizer or None) of question ``number`` (1-based), the same on every sheet."""
        nf = len(self.families)
        family = self.families[(number - 1) % nf]
        optimizer = self.optimizers[((number - 1) // nf) % len(self.optimizers)] if self.optimizers else None
        return family, optimizer

    def question_seed(self, student_id: str, number: int, attempt: int = 0) -> int:
        parts: list[Any] = ["drill", self.seed, student_id, number]
        if attempt:
            parts.append(attempt)
        return seeds.derive(*parts)

    def command_groups(self, student: Student | None = None, out: str = "DIR") -> list[str]:
        """The command that rebuilds this sheet, as shell words grouped by option (``--seed 42``): a printed
        line may break between two groups, never inside one (and between two families of a long list)."""
        groups = [["quizgen", "drill"], ["--count", str(self.count)], ["--seed", str(self.seed)],
                  ["--families", self.families[0]], *([f] for f in self.families[1:])]  # a long list may wrap
        if self.optimizers:
            groups += [["--optimizers", self.optimizers[0]], *([o] for o in self.optimizers[1:])]
        groups.append(["--lang", self.lang])
        if self.title:
            groups.append(["--title", self.title])
        if student is not None and student.id != ANONYMOUS:
            groups.append(["--student", student.id])
            if student.name:
                groups.append(["--name", student.name])
        groups.append(["--out", out])
        return [shlex.join(g) for g in groups]

    def command(self, student: Student | None = None, out: str = "DIR") -> str:
        """The exact command that rebuilds this sheet (printed on it)."""
        return " ".join(self.command_groups(student, out))


@dataclass
class SheetPlan:
    spec: DrillSpec
    student: Student
    index: int = 0  # position in the roster (0-based)

    @property
    def anonymous(self) -> bool:
        return self.student.id == ANONYMOUS

    @property
    def stem(self) -> str:
        """File-name stem: ``drill-<seed>`` without a roster, else the student's (safe) id."""
        return f"drill-{self.spec.seed}" if self.anonymous else self.student.file_stem

    @property
    def title(self) -> str:
        from .text import text
        return self.spec.title or text(self.spec.lang)["default_title"]


@dataclass
class Sheet:
    """A planned sheet with its generated questions (question ``i`` is number ``i + 1``)."""

    plan: SheetPlan
    questions: list[Question] = field(default_factory=list)

    @property
    def spec(self) -> DrillSpec:
        return self.plan.spec

    @property
    def student(self) -> Student:
        return self.plan.student

    @property
    def title(self) -> str:
        return self.plan.title


def generate_question(spec: DrillSpec, student_id: str, number: int) -> Question:
    """Question ``number`` of ``student_id``'s sheet (the rule in the module doc)."""
    from ..families._common import balanced
    from ..question import optimizer_of
    from .engine import generate, takes_optimizer

    family, optimizer = spec.item(number)
    options: dict[str, Any] = {"lang": spec.lang}
    if optimizer is not None and takes_optimizer(family):
        # the question's optimizer first; a family that cannot ask about it (e.g. no code line to blank
        # for SGD) takes the next listed optimizer: the same for every student, so still deterministic
        k = spec.optimizers.index(optimizer)
        errors = []
        for opt in spec.optimizers[k:] + spec.optimizers[:k]:
            try:
                return generate(family, spec.question_seed(student_id, number), optimizer=opt, **options)
            except ValueError as e:
                errors.append(f"{opt}: {e}")
        raise ValueError(f"family {family!r} cannot ask about {', '.join(spec.optimizers)} "
                         f"({'; '.join(errors)[:300]})")
    for attempt in range(MAX_ATTEMPTS):
        q = generate(family, spec.question_seed(student_id, number, attempt), **options)
        if spec.optimizers and optimizer_of(q) in (None, *spec.optimizers):
            return q
        if not spec.optimizers and balanced(optimizer_of(q), number - 1):
            return q
    raise ValueError(f"family {family!r} gave no question about {', '.join(spec.optimizers)} "
                     f"in {MAX_ATTEMPTS} draws; choose other --families or --optimizers")


def generate_sheet(plan: SheetPlan) -> Sheet:
    return Sheet(plan, [generate_question(plan.spec, plan.student.id, n) for n in range(1, plan.spec.count + 1)])


# -- validating what the user typed ------------------------------------------------------------
FAMILY_ALIASES = {"choice": "numeric_choice", "code": "code_blank", "concept": "concepts",
                  "formulas": "formula", "trajectories": "trajectory", "step": "steps"}
def resolve_families(names: list[str] | None) -> tuple[str, ...]:
    from .engine import family_names

    known = family_names()
    if names is None:
        return tuple(known)
    out = []
    for name in names:
        key = name.strip().lower().replace("-", "_")
        key = key if key in known else FAMILY_ALIASES.get(key, key)
        if key not in known:
            raise ValueError(f"unknown family {name!r}; known: {', '.join(known)}")
        if key not in out:
            out.append(key)
    return tuple(out)


def resolve_optimizers(names: list[str] | None) -> tuple[str, ...]:
    if names is None:
        return ()
    import optimizers as O

    out = []
    for name in names:
        try:
            key = O.get(name).INFO.key
        except (KeyError, ValueError) as e:
            raise ValueError(f"unknown optimizer {name!r}; known: {', '.join(O.MODULES)}") from e
        if key not in out:
            out.append(key)
    return tuple(out)


def make_spec(count: object, seed: object, families=None, optimizers=None, lang: str = "ja",
              title: str = "") -> DrillSpec:
    """Check everything the user typed; one clear ValueError for the first thing wrong."""
    if isinstance(count, bool) or not isinstance(count, int):
        try:
            count = int(str(count), 10)
        except ValueError:
            raise ValueError(f"--count must be a whole number, got {count!r}") from None
    if count < 1:
        raise ValueError(f"--count must be at least 1, got {count}")
    if count > MAX_COUNT:
        raise ValueError(f"--count must be at most {MAX_COUNT}, got {count}")
    seed = seeds.check_seed(seed)
    if lang not in ("ja", "en"):
        raise ValueError(f"--lang must be ja or en, got {lang!r}")
    title = " ".join((title or "").split())
    if len(title) > 80:
        raise ValueError(f"--title is too long ({len(title)} characters, at most 80)")
    fams = resolve_families(split_list(families))
    opts = resolve_optimizers(split_list(optimizers))
    return DrillSpec(count=count, seed=seed, families=fams, optimizers=opts, lang=lang, title=title)
