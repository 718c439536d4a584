"""JSON / JSON Lines: every line validates against quizgen/export/question.schema.json and round-trips into
``Question``; the schema describes the dataclasses exactly; the bytes are deterministic."""

from __future__ import annotations

import copy
import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from test_export_common import HOSTILE, hostile_question, momentum_question, real_questions

import quizgen
from quizgen import question as Q
from quizgen import seeds
from quizgen.cli import main as cli_main
from quizgen.export import jsonl, select

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = ROOT / "quizgen" / "export" / "question.schema.json"


@pytest.fixture(scope="module")
def questions() -> list[Q.Question]:
    return real_questions(variants=3, seed=11) + [momentum_question(), hostile_question()]


def test_schema_is_valid_draft_2020_12():
    schema = json.loads(SCHEMA_PATH.read_text("utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    assert jsonl.schema() == schema


@pytest.mark.parametrize("cls, ref", [(Q.Question, None), (Q.Answer, "answer"), (Q.Choice, "choice"),
                                      (Q.SolutionStep, "solutionStep"), (Q.Figure, "figure")])
def test_schema_matches_the_dataclasses_exactly(cls, ref):
    schema = jsonl.schema()
    node = schema if ref is None else schema["$defs"][ref]
    fields = dataclasses.fields(cls)
    assert node["additionalProperties"] is False
    assert set(node["properties"]) == {f.name for f in fields}
    no_default = {f.name for f in fields
                  if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    assert set(node.get("required", [])) == no_default


def test_schema_enums_follow_the_model():
    schema = jsonl.schema()
    assert schema["properties"]["kind"]["enum"] == list(Q.KINDS)


def test_every_line_validates_and_round_trips(questions):
    text = jsonl.jsonl(questions)
    lines = text.split("\n")
    assert lines[-1] == "" and len(lines) == len(questions) + 1
    validator = Draft202012Validator(jsonl.schema())
    for line, q in zip(lines, questions):
        d = json.loads(line)
        assert not list(validator.iter_errors(d))
        back = Q.Question.from_dict(d)
        assert back == q
        assert back.to_json() == line


def test_json_array_holds_the_same_objects(questions):
    arr = json.loads(jsonl.json_array(questions))
    assert arr == [json.loads(line) for line in jsonl.jsonl(questions).splitlines()]
    assert [Q.Question.from_dict(d) for d in arr] == questions


def test_read_back(questions):
    assert jsonl.read_jsonl(jsonl.jsonl(questions)) == questions


def test_hostile_text_is_kept_verbatim():
    line = jsonl.jsonl([hostile_question()])
    back = jsonl.read_jsonl(line)[0]
    assert HOSTILE in back.stem and HOSTILE in back.choices[0].text and HOSTILE in back.code
    assert back == hostile_question()


@pytest.mark.parametrize("mutate, where", [
    (lambda d: d.pop("id"), "(top)"),
    (lambda d: d.update(extra=1), "(top)"),
    (lambda d: d.update(kind="essay"), "kind"),
    (lambda d: d.update(seed=-1), "seed"),
    (lambda d: d["answer"].update(tolerance=None), "answer"),
    (lambda d: d["choices"][1].update(correct=True), "choices"),
    (lambda d: d["choices"][0].update(why="x"), "choices/0"),
    (lambda d: d["figures"][0]["data"].pop("series"), "figures/0/data"),
])
def test_schema_rejects_what_the_model_does_not_allow(mutate, where):
    d = json.loads(momentum_question().to_json())
    mutate(d)
    with pytest.raises(ValueError, match="does not fit the schema at " + where.replace("(", r"\(").replace(")", r"\)")):
        jsonl.validate(d)


def test_choice_question_needs_an_index():
    d = json.loads(hostile_question().to_json())
    d2 = copy.deepcopy(d)
    d2["answer"]["index"] = None
    with pytest.raises(ValueError, match="answer/index"):
        jsonl.validate(d2)
    d3 = copy.deepcopy(d)
    d3["choices"] = d3["choices"][:1]
    with pytest.raises(ValueError, match="choices"):
        jsonl.validate(d3)


def test_export_refuses_an_invalid_question():
    q = momentum_question()
    q.answer.tolerance = None
    with pytest.raises(ValueError, match="question steps-7: does not fit the schema"):
        jsonl.jsonl([q])


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_cli_bytes_are_deterministic_across_processes(tmp_path, fmt):
    outs = []
    for name in ("a", "b"):
        out = tmp_path / f"{name}.{fmt}"
        subprocess.run([sys.executable, "-m", "quizgen", "export", fmt, "--variants", "1", "--seed", "9",
                        "--out", str(out), "-q"], check=True, cwd=ROOT,
                       env={"PATH": "/usr/bin:/bin", "PYTHONHASHSEED": "random", "HOME": str(tmp_path)})
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    text = outs[0].decode("utf-8")
    qs = jsonl.read_jsonl(text) if fmt == "jsonl" else [Q.Question.from_dict(d) for d in json.loads(text)]
    assert len(qs) >= 2


def test_cli_stdout(capsys):
    assert cli_main(["export", "jsonl", "--variants", "1", "--seed", "2", "--out", "-"]) == 0
    cap = capsys.readouterr()
    qs = jsonl.read_jsonl(cap.out)
    assert qs and "questions" in cap.err


@pytest.mark.parametrize("family", select.family_names())
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, seeds.MAX_SEED))
def test_generated_questions_fit_the_schema_over_many_seeds(family, seed):
    q = quizgen.generate(family, seed)
    line = jsonl.jsonl([q])
    assert jsonl.read_jsonl(line) == [q]
