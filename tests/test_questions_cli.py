"""The question commands: questions, families, stress, bench (small runs), and one-line errors."""

from __future__ import annotations

import json

import pytest

from quizgen.cli import main


def test_questions_json_and_jsonl(capsys) -> None:
    assert main(["questions", "--family", "steps", "--seed", "7", "--count", "3", "--format", "jsonl"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [json.loads(x)["id"] for x in lines] == ["steps-7", "steps-8", "steps-9"]
    assert main(["questions", "--family", "formula", "--seed", "1", "--format", "json", "--optimizer", "adam"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data[0]["given"]["optimizer"] == "adam" and data[0]["id"].startswith("formula-1-")


def test_questions_text(capsys) -> None:
    assert main(["questions", "--family", "numeric_choice", "--seed", "3", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "numeric_choice-3" in out and "answer" in out


@pytest.mark.parametrize("argv, message", [
    (["questions", "--family", "nope"], "unknown family"),
    (["questions", "--family", "steps", "--optimizer", "adamx"], "unknown optimizer"),
    (["questions", "--family", "steps", "--steps", "0"], "steps must be between 1 and 10"),
    (["questions", "--family", "steps", "--count", "0"], "count must be >= 1"),
    (["questions", "--family", "steps", "--seed", "-3"], "seed must be"),
    (["questions", "--family", "steps", "--set", "colour"], "NAME=VALUE"),
    (["stress", "--family", "steps", "--seeds", "0"], "--seeds must be >= 1"),
])
def test_errors_are_one_line(capsys, argv, message) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err and err.startswith("quizgen ")


def test_families_json(capsys) -> None:
    assert main(["families", "--format", "json"]) == 0
    info = json.loads(capsys.readouterr().out)
    names = [f["name"] for f in info]
    assert names[:6] == ["steps", "numeric_choice", "code_blank", "formula", "concepts", "trajectory"]
    assert {"true_false", "formula_blank", "combination", "threshold"} <= set(names)  # issue 13's exam formats
    for f in info:
        assert f["kind"] in ("numeric", "choice") and f["options"] and f["example"]["family"] == f["name"]
    chapter = {"schedule", "early_stopping", "averaging", "second_order", "critical_point", "chapter_code"}
    assert chapter <= {f["name"] for f in info}
    assert all(f["topic"] and f["example"]["tags"]["topic"] == f["topic"] for f in info if f["name"] in chapter)
    techniques = {f["name"]: f["topic"] for f in info if f["topic"] in ("init", "normalization", "clipping")}
    assert sorted(set(techniques.values())) == ["clipping", "init", "normalization"]
    for f in info:
        if f["name"] in techniques:  # the family's topic is also each question's tags["topic"]
            assert f["example"]["tags"]["topic"] == f["topic"]


def test_stress_and_bench_small(capsys) -> None:
    assert main(["stress", "--family", "numeric_choice", "--seeds", "60"]) == 0
    assert "no defects" in capsys.readouterr().out
    assert main(["bench", "--family", "concepts", "--count", "20", "--warmup", "5", "--rendered", "2"]) == 0
    assert "concepts" in capsys.readouterr().out


def test_chi2_sf() -> None:
    from quizgen.commands.stress import chi2_sf

    assert chi2_sf(7.815, 3) == pytest.approx(0.05, abs=1e-3)
    assert chi2_sf(0.0, 3) == 1.0
    assert chi2_sf(124.342, 100) == pytest.approx(0.05, abs=2e-3)


def test_malformed_bank_is_one_line_with_file_and_line(tmp_path, capsys) -> None:
    from quizgen.bank import DEFAULT_PATH

    text = DEFAULT_PATH.read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("truth: true", "truth: maybe", 1), encoding="utf-8")
    assert main(["questions", "--family", "concepts", "--set", f"bank={bad}"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "bad.yaml:" in err
    line = int(err.split("bad.yaml:")[1].split(":")[0])
    assert "maybe" in bad.read_text(encoding="utf-8").splitlines()[line - 1] or line > 0
