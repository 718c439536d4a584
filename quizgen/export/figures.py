"""Figures of a question as image files (for exports that embed or package them).

Drawing belongs to :mod:`quizgen.plots`; this module only picks the function by the figure's kind
and the wanted format, and names the file after the question and its bytes, so names are stable, and a
changed drawing (or the same question in another language) never collides with an older file of the
same name in an Anki collection.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache

from ..question import Figure, Question

FORMATS = ("png", "svg")
MIME = {"png": "image/png", "svg": "image/svg+xml"}


@dataclass(frozen=True)
class Image:
    name: str  # ``quizgen-<question id>-fig<n>-<content digest>.<ext>``: a new drawing never reuses a name
    data: bytes
    mime: str


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._") or "q"


def draw(fig: Figure, fmt: str = "png") -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"image format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if fig.kind != "paths":
        raise ValueError(f"cannot draw a figure of kind {fig.kind!r} (known: paths)")
    return _draw(json.dumps(fig.data, sort_keys=True, allow_nan=True), fmt)


@lru_cache(maxsize=256)
def _draw(data: str, fmt: str) -> bytes:
    from .. import plots

    if fmt == "svg":
        return plots.paths_svg(json.loads(data)).encode("utf-8")
    return plots.paths_png(json.loads(data))


def images(q: Question, fmt: str = "png") -> list[Image]:
    """One image per figure of ``q``, in order."""
    out = []
    for i, fig in enumerate(q.figures):
        data = draw(fig, fmt)
        digest = hashlib.sha256(data).hexdigest()[:10]
        out.append(Image(f"quizgen-{_safe(q.id)}-fig{i + 1}-{digest}.{fmt}", data, MIME[fmt]))
    return out
