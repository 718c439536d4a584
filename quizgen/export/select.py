"""Which questions an export holds: families × variants (× optimizers), each with a derived seed.

Selection rule (the same for every format):

* ``families``: the question families to draw from (default: all, in the engine's order).
* ``variants``: how many variants *per family* (and, with ``optimizers``, per family *and* optimizer).
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

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .. import families as F
from .. import seeds
from ..question import Question, optimizer_of

#: what a user may type for "everything"
ALL = ("all", "*")


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


def split_list(text: str | Sequence[str] | None) -> list[str] | None:
    """``"steps, choice"`` or ``["steps", "choice"]`` → ``["steps", "choice"]``; ``None``/``all`` → ``None``."""
    if text is None:
        return None
    items = text.replace("，", ",").split(",") if isinstance(text, str) else list(text)
    out = [s.strip() for s in items if s and s.strip()]
    if not out:
        raise ValueError("an empty list was given")
    if any(s.lower() in ALL for s in out):
        return None
    return out


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
    if isinstance(variants, bool) or not isinstance(variants, int) or variants < 1:
        raise ValueError(f"--variants must be a whole number >= 1, got {variants!r}")
    wanted = split_list(families)
    fams = family_names() if wanted is None else list(dict.fromkeys(family_key(f) for f in wanted))
    opts = split_list(optimizers)
    if opts is not None:
        import optimizers as O
        opts = list(dict.fromkeys(O.get(o).INFO.key for o in opts))  # ValueError names the unknown one
    if lang is not None and lang not in ("ja", "en"):
        raise ValueError(f"--lang must be ja or en, got {lang!r}")
    return Selection(tuple(fams), variants, seed, tuple(opts) if opts else None, lang)


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


def questions(sel: Selection) -> list[Question]:
    """Generate the selection's questions, in a fixed order (family, [optimizer,] variant)."""
    out: list[Question] = []
    extra: dict[str, Any] = {"lang": sel.lang} if sel.lang else {}
    for family in sel.families:
        if sel.optimizers is None:
            out += [_balanced(family, sel.seed, i, extra) for i in range(sel.variants)]
        elif takes_optimizer(family):
            for opt in sel.optimizers:
                out += [generate(family, seeds.derive("export", sel.seed, family, opt, i), optimizer=opt, **extra)
                        for i in range(sel.variants)]
        else:
            for i in range(sel.variants):
                q = generate(family, seeds.derive("export", sel.seed, family, i), **extra)
                if optimizer_of(q) in sel.optimizers:
                    out.append(q)
    dup = sorted(i for i, n in Counter(q.id for q in out).items() if n > 1)
    if dup:
        raise ValueError(f"two questions share an id: {', '.join(dup)}")
    return out
