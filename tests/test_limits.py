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
