"""The drill's view of the question engine: ``quizgen.generate`` and the family list.

Kept in one place so the drill depends on the engine through four names only."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
from typing import Any

from ..question import Question


def _families_package():
    try:
        return importlib.import_module("quizgen.families")
    except ModuleNotFoundError as e:  # only while the engine is being written
        raise ValueError("the question engine (quizgen.families) is not installed") from e


def family_names() -> list[str]:
    """The families the engine offers (and has modules for), in its order."""
    fam = _families_package()
    names = None
    for attr in ("NAMES", "FAMILIES", "ORDER"):
        names = getattr(fam, attr, None)
        if names:
            names = [str(n) for n in (names.keys() if isinstance(names, dict) else names)]
            break
    if not names:
        return sorted(m.name for m in pkgutil.iter_modules(fam.__path__) if not m.name.startswith("_"))
    return [n for n in names if importlib.util.find_spec(f"quizgen.families.{n}") is not None]


def _module(name: str):
    fam = _families_package()
    return fam.get(name) if callable(getattr(fam, "get", None)) else importlib.import_module(
        f"quizgen.families.{name}")


def family_title(name: str, lang: str) -> str:
    """The family's short title in ``lang`` (its module's ``TITLE = (ja, en)``)."""
    try:
        title = getattr(_module(name), "TITLE", None)
    except (ImportError, ValueError):
        return name
    if isinstance(title, (tuple, list)) and title:
        return str(title[0] if lang == "ja" or len(title) == 1 else title[1])
    return str(title) if title else name


def family_options(name: str) -> list[str]:
    """The option names family ``name`` accepts (its module's ``OPTIONS``)."""
    module = _module(name)
    spec = getattr(module, "OPTIONS", None)
    if spec is not None:
        return [o.name for o in spec]
    gen = getattr(module, "generate", None)
    return [p for p in inspect.signature(gen).parameters if p != "rng"] if gen is not None else []


def takes_optimizer(name: str) -> bool:
    return "optimizer" in family_options(name)


def generate(family: str, seed: int, **options: Any) -> Question:
    import quizgen

    return quizgen.generate(family, seed, **options)
