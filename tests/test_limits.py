"""Input limits: --jobs (quizgen/jobs.py) everywhere, and the documented size caps of the commands."""

from __future__ import annotations

import pytest

from quizgen.cli import main
from quizgen.jobs import check_jobs, cores, default_jobs


def test_jobs_between_one_and_the_cores():
    n = cores()
    assert check_jobs(1) == 1 and check_jobs(str(n)) == n and check_jobs(" 1 ") == 1
    for bad in (0, -2, n + 1, 10000, "x", "1.5", 1.0, True, ""):
        with pytest.raises(ValueError, match=r"--jobs must be .*between 1 and"):
            check_jobs(bad)
    assert default_jobs(None) == n and default_jobs("") == n
    with pytest.raises(ValueError, match="^QUIZ_JOBS must be between 1 and"):
        default_jobs("0", "QUIZ_JOBS")


@pytest.mark.parametrize("jobs", ["10000", "0", "-2", "x"])
def test_stress_refuses_a_bad_job_count(capsys, jobs):
    assert main(["stress", "--family", "steps", "--seeds", "3", "--jobs", jobs]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("quizgen stress: error: --jobs must be") and "\n" not in err


def test_quiz_pools_read_quiz_jobs_with_the_same_rule(monkeypatch, tmp_path):
    from quizgen.quiz import site, specs

    monkeypatch.setenv("QUIZ_JOBS", "10000")
    spec = specs.all_specs(2)[:2]
    with pytest.raises(ValueError, match="QUIZ_JOBS must be between 1 and"):
        site.ensure(spec, tmp_path, tmp_path / "cache")


@pytest.mark.parametrize("argv, message", [
    (["questions", "--family", "steps", "--count", "10000000"], "--count must be between 1 and 10000, got 10000000"),
    (["export", "jsonl", "--variants", "10000000", "--out", "x.jsonl"], "--variants must be a whole number between"),
])
def test_size_caps_are_one_line_errors(capsys, argv, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err
    assert list(tmp_path.iterdir()) == []


def test_questions_json_is_streamed_valid_json(capsys):
    import json

    assert main(["questions", "--family", "steps", "--count", "3", "--format", "json", "--no-solution"]) == 0
    assert [q["id"] for q in json.loads(capsys.readouterr().out)] == ["steps-0", "steps-1", "steps-2"]


def _parsers(parser):
    import argparse

    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


def test_no_help_text_shows_a_doubled_percent_sign():
    from quizgen.cli import build_parser

    helps = {p.prog: p.format_help() for p in _parsers(build_parser())}
    assert "quizgen export moodle" in helps
    assert not [prog for prog, text in helps.items() if "%%" in text]
