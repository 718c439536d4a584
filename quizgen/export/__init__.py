"""Exports of questions to other tools: Moodle XML, Anki decks, JSON / JSON Lines.

Every driver only renders :class:`~quizgen.question.Question` objects (and, for Anki's formula cards,
the sympy rules of :mod:`optimizers`); none computes an answer. ``export(fmt, questions, ...)`` returns
the file's bytes; :func:`write_atomic` puts them in place (a temporary file in the same directory, then
``os.replace``), so a failed export leaves nothing behind and never a half-written file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
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


def check_target(path: str) -> str:
    """Fail early (``OSError``, one line) when ``path`` cannot be written; returns its absolute form."""
    target = os.path.abspath(path)
    folder = os.path.dirname(target)
    if os.path.isdir(target):
        raise IsADirectoryError(f"cannot write {path}: it is a directory")
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot write {path}: directory {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(f"cannot write {path}: directory {folder} is not writable")
    return target


def write_atomic(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory and ``os.replace``."""
    target = check_target(path)
    folder, name = os.path.split(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
