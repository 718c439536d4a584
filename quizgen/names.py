"""How a user lists names (families, optimizers) on any command line: one rule for drill and export."""

from __future__ import annotations

import re
from collections.abc import Sequence

#: what a user may type for "everything"
ALL = ("all", "*")


def split_list(text: str | Sequence[str] | None) -> list[str] | None:
    """Names as separate words and/or comma lists: ``"steps, choice"``, ``["steps", "choice"]`` and
    ``["steps,choice"]`` → ``["steps", "choice"]`` (，and 、 count as commas); ``None``/``all`` → ``None``."""
    if text is None:
        return None
    items = [text] if isinstance(text, str) else list(text)
    out = [s for item in items for s in re.split(r"[,，、\s]+", str(item)) if s]
    if not out:
        raise ValueError("an empty list was given")
    if any(s.lower() in ALL for s in out):
        return None
    return out
