"""What every technique module declares about itself (names, source, syllabus item, torch counterpart)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Technique:
    key: str  # "step_decay", "early_stopping" …
    name_ja: str
    name_en: str
    source: str  # the real source of the form taught (author, title, year)
    year: int
    syllabus: str  # the E資格 syllabus item it belongs to, or why it is enrichment
    summary_ja: str  # one sentence: what it does and why
    torch: str | None = None  # the PyTorch class or function a practitioner would use
