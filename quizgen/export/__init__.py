"""Exports of questions to other tools: Moodle XML, Anki decks, JSON / JSON Lines.

Every driver only renders :class:`~quizgen.question.Question` objects (and, for Anki's formula cards,
the sympy rules of :mod:`optimizers`); none computes an answer. ``export(fmt, questions, ...)`` returns
the file's bytes and ``chunks(fmt, questions, ...)`` the same bytes in pieces (JSON and JSON Lines as each
question is generated); :func:`quizgen.outfile.write` puts them in place (atomically for a file, through a
pipe or device), so a failed export leaves nothing behind and never a half-written file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ..question import Question

FORMATS = ("moodle", "anki", "json", "jsonl")
SUFFIX = {"moodle": ".xml", "anki": ".apkg", "json": ".json", "jsonl": ".jsonl"}


def export(fmt: str, questions: Sequence[Question], **options: Any) -> bytes:
    """The bytes of one export of ``questions`` in format ``fmt`` (options as the format's ``render``)."""
    if fmt == "moodle":
        from . import moodle
        return moodle.render(questions, **options).encode("utf-8")
    if fmt == "anki":
        from . import anki
        return anki.package(questions, **options)
    if fmt in ("json", "jsonl"):
        from . import jsonl
        return (jsonl.jsonl(questions) if fmt == "jsonl" else jsonl.json_array(questions)).encode("utf-8")
    raise ValueError(f"unknown export format {fmt!r}; known: {', '.join(FORMATS)}")


def chunks(fmt: str, questions: Iterable[Question], **options: Any) -> Iterator[bytes]:
    """The bytes of :func:`export` in pieces: JSON and JSON Lines one question at a time (``questions`` may be a
    generator, consumed as the pieces are written); Moodle and Anki need every question first."""
    if fmt in ("json", "jsonl"):
        from . import jsonl

        pieces = jsonl.jsonl_chunks(questions) if fmt == "jsonl" else jsonl.json_chunks(questions)
        for text in pieces:
            yield text.encode("utf-8")
        return
    yield export(fmt, list(questions), **options)
