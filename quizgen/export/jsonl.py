"""JSON and JSON Lines: the :class:`~quizgen.question.Question` objects as they are.

* ``jsonl(questions)``: one ``Question.to_json()`` per line (UTF-8, no ASCII escaping, no NaN), ``\\n`` ends
  every line;
* ``json_array(questions)``: a JSON array of the same objects, indented by 2.

Every object is validated against ``question.schema.json`` (JSON Schema draft 2020-12, beside this
file) before anything is written; a question that does not fit is an error naming it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from typing import Any

from ..question import Question

SCHEMA_FILE = "question.schema.json"


@cache
def schema() -> dict[str, Any]:
    return json.loads(resources.files(__package__).joinpath(SCHEMA_FILE).read_text("utf-8"))


@cache
def validator():
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(schema())
    return Draft202012Validator(schema())


def validate(obj: dict[str, Any]) -> None:
    """Raise ``ValueError`` (one line: the question id, the path and the reason) when ``obj`` does not fit."""
    errors = sorted(validator().iter_errors(obj), key=lambda e: list(e.absolute_path))
    if errors:
        e = errors[0]
        where = "/".join(str(p) for p in e.absolute_path) or "(top)"
        qid = obj.get("id", "?") if isinstance(obj, dict) else "?"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ValueError(f"question {qid}: does not fit the schema at {where}: {e.message}{more}")


def _dicts(questions: Iterable[Question], check: bool = True) -> Iterator[dict[str, Any]]:
    for q in questions:
        d = json.loads(q.to_json())  # exactly what gets written (tuples → lists, no NaN)
        if check:
            validate(d)
        yield d


def jsonl_chunks(questions: Iterable[Question]) -> Iterator[str]:
    """One line per question, each validated and yielded as soon as it is made."""
    for d in _dicts(questions):
        yield json.dumps(d, ensure_ascii=False, allow_nan=False) + "\n"


def json_chunks(questions: Iterable[Question], check: bool = True) -> Iterator[str]:
    """The text of ``json.dumps(list, indent=2)`` one element at a time (``check``: validate each first)."""
    first = True
    for d in _dicts(questions, check):
        item = json.dumps(d, ensure_ascii=False, allow_nan=False, indent=2).replace("\n", "\n  ")
        yield ("[\n  " if first else ",\n  ") + item
        first = False
    yield "[]\n" if first else "\n]\n"


def jsonl(questions: Iterable[Question]) -> str:
    return "".join(jsonl_chunks(questions))


def json_array(questions: Iterable[Question]) -> str:
    return "".join(json_chunks(questions))


def read_jsonl(text: str) -> list[Question]:
    """Lines back into validated ``Question`` objects."""
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        d = json.loads(line)
        validate(d)
        out.append(Question.from_dict(d))
    return out
