"""What every optimizer module declares about itself (names, paper, conventions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass(frozen=True)
class Info:
    key: str  # registry key, lower case ("momentum")
    cls: type  # the reference class
    name_ja: str
    name_en: str
    paper: str  # full citation of the original source
    year: int
    summary_ja: str  # one sentence: what it does and why
    state: tuple[str, ...]  # the class's state attributes, as named in its formulas ("v",)
    hyper: dict[str, tuple[str, str]]  # constructor argument -> (meaning ja, meaning en)
    conventions: tuple[str, ...]  # the rule forms this module provides ("textbook", "pytorch", "paper")
    # the torch.optim class this optimizer corresponds to ("sgd"), and how the
    # reference class's arguments translate into that class's arguments
    torch: str | None = None
    torch_kwargs: Callable[[Any], dict[str, Any]] | None = None
    syllabus: bool = True  # a keyword of the E資格 syllabus (False: enrichment)
    notes: dict[str, str] = field(default_factory=dict)  # convention -> why this form (ja)
