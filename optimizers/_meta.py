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
    # convention -> (ja, en) name of the form by its real source: the book (『ゼロから作るDeep Learning』 has only
    # SGD, Momentum, Nesterov, AdaGrad, RMSprop and Adam), a paper with its authors and year, Goodfellow et al.'s
    # 『深層学習』, torch.optim. Every label a learner reads comes from here (form_name); none is written in
    # parentheses, so a label can stand inside a bracketed note without nesting brackets.
    forms: dict[str, tuple[str, str]] = field(default_factory=dict)
    # the torch.optim option sets the site's PyTorch tabs show, one tab each (the numbers only pick the form:
    # the formula keeps lr, β … as symbols); tests/test_conventions.py runs each tab's rule against torch.optim
    torch_tabs: tuple[dict[str, Any], ...] = ({},)

    def form(self, convention: str, lang: str = "ja") -> str:
        """The name of this optimizer's form ``convention`` by its real source (``"『ゼロから作るDeep Learning』"``)."""
        if convention not in self.forms:
            raise ValueError(f"{self.key}: no form {convention!r} (has {', '.join(self.forms)})")
        ja, en = self.forms[convention]
        return ja if lang == "ja" else en
