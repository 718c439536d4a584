"""Which questions an export holds: families × variants (× optimizers), each with a derived seed.

Selection rule (the same for every format):

* ``families``: the question families to draw from (default: all, in the engine's order), as separate
  words or comma lists (``steps code_blank``, ``steps,code_blank``).
* ``variants``: how many variants *per family* (and, with ``optimizers``, per family *and* optimizer), at
  most :data:`MAX_VARIANTS`; an export holds at most :data:`MAX_QUESTIONS` questions.
* ``optimizers``: without it, each family picks its optimizer from the seed (as on the site). With it,
  families that take an ``optimizer`` option (today all of them) are asked once per listed optimizer; a
  family that does not would keep only the variants whose ``tags["optimizer"]`` is listed, drawn from the
  same seeds, so there may be fewer of those than ``variants``.
* The seed of variant ``i`` is ``seeds.derive("export", seed, family, i)``; with ``optimizers`` it is
  ``seeds.derive("export", seed, family, optimizer, i)``. Without ``optimizers``, a question about an optimizer
  outside ``optimizers.CORE`` takes only every tenth variant (``_common.balanced``); elsewhere the variant is
  drawn again from ``seeds.derive("export", seed, family, i, attempt)``, attempt = 1, 2, …
  Each question carries its own seed (and id), which every export shows, so
  ``quizgen.generate(family, question_seed, **options)`` rebuilds it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .. import families as F
from .. import seeds
from ..names import split_list
from ..question import Question, optimizer_of

MAX_VARIANTS = 1000  # per family (and optimizer)
MAX_QUESTIONS = 20000  # per export (Moodle and Anki hold them all in memory; JSON Lines is written as generated)


def family_names() -> list[str]:
    """The families the engine offers, in its order."""
    return list(F.NAMES)


def family_key(name: str) -> str:
    """The canonical name of a family (``code-blank`` → ``code_blank``); ValueError names the unknown one."""
    return F.get(name).__name__.rsplit(".", 1)[1]


def takes_optimizer(name: str) -> bool:
    """Does family ``name`` accept an ``optimizer`` option?"""
    return any(o.name == "optimizer" for o in F.get(name).OPTIONS)


def generate(family: str, seed: int, **options: Any) -> Question:
    import quizgen

    return quizgen.generate(family, seed, **options)


@dataclass(frozen=True)
class Selection:
    families: tuple[str, ...]
    variants: int
    seed: int
    optimizers: tuple[str, ...] | None = None
    lang: str | None = None

    def describe(self) -> str:
        opts = ",".join(self.optimizers) if self.optimizers else "any"
        return (f"seed={self.seed} variants={self.variants} families={','.join(self.families)} "
                f"optimizers={opts}" + (f" lang={self.lang}" if self.lang else ""))


def make_selection(families: Iterable[str] | str | None, variants: int, seed: object,
                   optimizers: Iterable[str] | str | None = None, lang: str | None = None) -> Selection:
    """Validate the user's choice (one clear ``ValueError`` for anything wrong)."""
    seed = seeds.check_seed(seed)
    if isinstance(variants, bool) or not isinstance(variants, int) or not 1 <= variants <= MAX_VARIANTS:
        raise ValueError(f"--variants must be a whole number between 1 and {MAX_VARIANTS}, got {variants!r}")
    wanted = split_list(families)
    fams = family_names() if wanted is None else list(dict.fromkeys(family_key(f) for f in wanted))
    opts = split_list(optimizers)
    if opts is not None:
        import optimizers as O
        opts = list(dict.fromkeys(O.get(o).INFO.key for o in opts))  # ValueError names the unknown one
    if lang is not None and lang not in ("ja", "en"):
        raise ValueError(f"--lang must be ja or en, got {lang!r}")
    sel = Selection(tuple(fams), variants, seed, tuple(opts) if opts else None, lang)
    total = sum(variants * (len(opts) if opts and takes_optimizer(f) else 1) for f in fams)
    if total > MAX_QUESTIONS:
        raise ValueError(f"this export would hold {total:,} questions, at most {MAX_QUESTIONS:,}: lower --variants "
                         "or list fewer families or optimizers")
    return sel


MAX_ATTEMPTS = 64


def _balanced(family: str, seed: int, i: int, extra: dict[str, Any]) -> Question:
    """Variant ``i`` of ``family`` drawn without an optimizer (see the module doc: balanced places)."""
    from ..families._common import balanced

    for attempt in range(MAX_ATTEMPTS):
        parts = ("export", seed, family, i) + ((attempt,) if attempt else ())
        q = generate(family, seeds.derive(*parts), **extra)
        if balanced(optimizer_of(q), i):
            return q
    raise ValueError(f"family {family!r}: no question about the syllabus optimizers in {MAX_ATTEMPTS} draws")


def iter_questions(sel: Selection) -> Iterator[Question]:
    """The selection's questions, generated one at a time in a fixed order (family, [optimizer,] variant)."""
    extra: dict[str, Any] = {"lang": sel.lang} if sel.lang else {}
    ids: set[str] = set()

    def fresh(q: Question) -> Question:
        if q.id in ids:
            raise ValueError(f"two questions share an id: {q.id}")
        ids.add(q.id)
        return q

    for family in sel.families:
        if sel.optimizers is None:
            for i in range(sel.variants):
                yield fresh(_balanced(family, sel.seed, i, extra))
        elif takes_optimizer(family):
            for opt in sel.optimizers:
                for i in range(sel.variants):
                    yield fresh(generate(family, seeds.derive("export", sel.seed, family, opt, i), optimizer=opt,
                                         **extra))
        else:
            for i in range(sel.variants):
                q = generate(family, seeds.derive("export", sel.seed, family, i), **extra)
                if optimizer_of(q) in sel.optimizers:
                    yield fresh(q)


def questions(sel: Selection) -> list[Question]:
    """The selection's questions as a list (see :func:`iter_questions`)."""
    return list(iter_questions(sel))
