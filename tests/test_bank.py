"""The concept statement bank: the shipped file is complete and consistent, and every kind of
malformed file stops loading with one line naming the file and the offending line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from quizgen.bank import DEFAULT_PATH, ENRICHMENT_TOPICS, FIELDS, TOPICS, Bank, BankError, Statement, load

# ---------------------------------------------------------------------------------------------------
# the real bank


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load()


def test_real_bank_loads(bank):
    assert bank.path == str(DEFAULT_PATH)
    assert len(bank) >= 80
    assert all(isinstance(s, Statement) for s in bank)


def test_ids_unique_and_kebab(bank):
    ids = [s.id for s in bank]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) for i in ids)


def test_every_topic_has_three_statements_and_both_truth_values(bank):
    by_topic = bank.by_topic()
    assert list(by_topic) == list(TOPICS)
    for topic, statements in by_topic.items():
        assert len(statements) >= 3, topic
        assert {s.truth for s in statements} == {True, False}, f"{topic}: needs true and false statements"


def test_truth_split_roughly_forty_to_fifty_percent_true(bank):
    share = sum(s.truth for s in bank) / len(bank)
    assert 0.40 <= share <= 0.50, share


def test_false_statements_name_a_misconception_and_the_correction(bank):
    for s in bank:
        if s.truth:
            assert s.misconception is None, s.id
            assert s.explanation_ja.startswith("正しい"), s.id
            assert s.explanation_en.startswith("True"), s.id
        else:
            assert s.misconception in bank.misconceptions, s.id
            assert s.explanation_ja.startswith("誤り") and "正しくは" in s.explanation_ja, s.id
            assert s.explanation_en.startswith("False") and "Correct:" in s.explanation_en, s.id


def test_every_defined_misconception_is_used(bank):
    used = {s.misconception for s in bank if s.misconception}
    assert set(bank.misconceptions) == used


def test_syllabus_flag_follows_topic(bank):
    for s in bank:
        if s.topic in ENRICHMENT_TOPICS:
            assert s.syllabus is False, s.id
    # every syllabus topic keeps at least one syllabus statement
    for topic, statements in bank.by_topic().items():
        if topic not in ENRICHMENT_TOPICS:
            assert any(s.syllabus for s in statements), topic


def test_no_adam_adagrad_combination_claim(bank):
    """exam-style.md §6.5: never set 'Adam = Momentum + AdaGrad' against 'Momentum + RMSProp'.
    The bank keeps only the RMSProp phrasing as a statement (the other appears in explanations only)."""
    for s in bank:
        claims_combination = "組み合わせ" in s.ja or "融合" in s.ja
        if s.topic == "adam" and claims_combination:
            assert "AdaGrad" not in s.ja, s.id


def test_statements_are_one_line_texts(bank):
    for s in bank:
        for name in ("ja", "en", "explanation_ja", "explanation_en", "source"):
            text = getattr(s, name)
            assert text == text.strip() and "\n" not in text, (s.id, name)


def test_get_and_lines(bank):
    s = bank.get("adagrad-h-monotone")
    assert s.topic == "adagrad" and s.truth is True
    lines = DEFAULT_PATH.read_text(encoding="utf-8").splitlines()
    assert "id: adagrad-h-monotone" in lines[s.line - 1]
    with pytest.raises(KeyError):
        bank.get("no-such-statement")


# ---------------------------------------------------------------------------------------------------
# malformed files: one line, file name, line number

VALID = """\
version: 1
misconceptions:
  adam_beta_swap:
    ja: "β1 と β2 の取り違え"
    en: "Swapping β1 and β2"
statements:
  - id: adam-defaults
    topic: adam
    truth: true
    ja: "Adam の既定値は β1 = 0.9, β2 = 0.999 である。"
    en: "Adam's defaults are β1 = 0.9, β2 = 0.999."
    explanation_ja: "正しい。"
    explanation_en: "True."
    misconception: null
    source: "Kingma & Ba, ICLR 2015"
    syllabus: true
    difficulty: 1
  - id: adam-x
    topic: adam
    truth: false
    ja: "Adam の既定値は β1 = 0.999, β2 = 0.9 である。"
    en: "Adam's defaults are β1 = 0.999, β2 = 0.9."
    explanation_ja: "誤り。正しくは β1 = 0.9, β2 = 0.999。"
    explanation_en: "False. Correct: β1 = 0.9, β2 = 0.999."
    misconception: adam_beta_swap
    source: "Kingma & Ba, ICLR 2015"
    syllabus: true
    difficulty: 2
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "concepts.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line number of the nth line containing ``needle``."""
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[nth - 1]


def replace_in_item2(text: str, old: str, new: str) -> str:
    """Replace ``old`` inside the second statement only (the one with id adam-x)."""
    head, sep, tail = text.partition("  - id: adam-x\n")
    assert sep and old in tail, old
    return head + sep + tail.replace(old, new, 1)


def error_of(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(BankError) as info:
        load(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}:")
    return message


def test_valid_minimal_file_loads(tmp_path):
    bank = load(write(tmp_path, VALID))
    assert [s.id for s in bank] == ["adam-defaults", "adam-x"]
    assert bank.get("adam-x").misconception == "adam_beta_swap"
    assert bank.get("adam-x").line == line_of(VALID, "- id: adam-x")
    assert bank.misconceptions["adam_beta_swap"].en == "Swapping β1 and β2"
    assert bank.by_topic()["adam"][1].id == "adam-x"


def test_unknown_topic(tmp_path):
    text = replace_in_item2(VALID, "topic: adam", "topic: adamm")
    path = tmp_path / "concepts.yaml"
    line = line_of(text, "topic: adamm")
    assert error_of(tmp_path, text) == f"{path}:{line}: statement 'adam-x': unknown topic 'adamm'"


def test_unknown_key(tmp_path):
    text = replace_in_item2(VALID, "    difficulty: 2\n", "    difficulty: 2\n    colour: red\n")
    msg = error_of(tmp_path, text)
    assert f":{line_of(text, 'colour: red')}: statement 'adam-x': unknown key 'colour'" in msg


def test_missing_field_points_at_the_item(tmp_path):
    text = replace_in_item2(VALID, '    source: "Kingma & Ba, ICLR 2015"\n', "")
    msg = error_of(tmp_path, text)
    assert f":{line_of(text, '- id: adam-x')}: statement 'adam-x': missing source" in msg


@pytest.mark.parametrize(("old", "new", "needle", "expected"), [
    ("truth: false", 'truth: "no"', 'truth: "no"', "truth must be true or false, got str 'no'"),
    ("syllabus: true", "syllabus: 1", "syllabus: 1", "syllabus must be true or false, got int '1'"),
    ("difficulty: 2", "difficulty: 4", "difficulty: 4", "difficulty must be 1, 2 or 3, got int '4'"),
    ("difficulty: 2", 'difficulty: "2"', 'difficulty: "2"', "difficulty must be 1, 2 or 3, got str '2'"),
    ('source: "Kingma & Ba, ICLR 2015"', "source: [a, b]", "source: [a, b]", "source must be a string, got a list"),
    ("topic: adam", "topic: 7", "topic: 7", "topic must be a string, got int '7'"),
])
def test_wrong_types(tmp_path, old, new, needle, expected):
    text = replace_in_item2(VALID, old, new)
    msg = error_of(tmp_path, text)
    assert f":{line_of(text, needle)}: statement 'adam-x': {expected}" in msg


@pytest.mark.parametrize("empty", ['""', '"   "', "", "null"])
def test_empty_text(tmp_path, empty):
    text = replace_in_item2(VALID, "    en: \"Adam's defaults are β1 = 0.999, β2 = 0.9.\"",
                            f"    en: {empty}".rstrip())
    msg = error_of(tmp_path, text)
    en_line = line_of(text, "ja: \"Adam の既定値は β1 = 0.999") + 1
    assert f":{en_line}: statement 'adam-x': en is empty" in msg


def test_duplicate_id(tmp_path):
    text = VALID.replace("- id: adam-x", "- id: adam-defaults")
    msg = error_of(tmp_path, text)
    second = line_of(text, "- id: adam-defaults", nth=2)
    first = line_of(text, "- id: adam-defaults")
    assert f":{second}: statement 'adam-defaults': duplicate id (first at line {first})" in msg


def test_bad_id(tmp_path):
    text = VALID.replace("- id: adam-x", "- id: Adam_X")
    msg = error_of(tmp_path, text)
    assert f":{line_of(text, '- id: Adam_X')}: statement 'Adam_X': id 'Adam_X' is not kebab-case" in msg


def test_unknown_misconception_tag(tmp_path):
    text = replace_in_item2(VALID, "misconception: adam_beta_swap", "misconception: adam_beta_swapp")
    msg = error_of(tmp_path, text)
    line = line_of(text, "adam_beta_swapp")
    assert f":{line}: statement 'adam-x': unknown misconception tag 'adam_beta_swapp'" in msg


def test_false_statement_needs_a_tag_and_true_one_none(tmp_path):
    text = replace_in_item2(VALID, "misconception: adam_beta_swap", "misconception: null")
    msg = error_of(tmp_path, text)
    assert f":{line_of(text, 'misconception: null', nth=2)}: statement 'adam-x': a false statement needs" in msg

    text = VALID.replace("    misconception: null\n", "    misconception: adam_beta_swap\n", 1)
    msg = error_of(tmp_path, text)
    line = line_of(text, "misconception: adam_beta_swap", nth=1)
    assert f":{line}: statement 'adam-defaults': a true statement" in msg


def test_duplicate_key_in_an_item(tmp_path):
    text = replace_in_item2(VALID, "    truth: false\n", "    truth: false\n    truth: true\n")
    msg = error_of(tmp_path, text)
    assert f":{line_of(text, 'truth: true', nth=2)}: statement 'adam-x': key 'truth' appears twice" in msg


def test_yaml_syntax_error_uses_yamls_line(tmp_path):
    text = replace_in_item2(VALID, 'en: "Adam\'s defaults are β1 = 0.999, β2 = 0.9."',
                            'en: "Adam\'s defaults are β1 = 0.999, β2 = 0.9.')  # unclosed quote
    msg = error_of(tmp_path, text)
    assert "YAML syntax error" in msg
    line = int(re.search(r":(\d+): YAML syntax error", msg).group(1))
    assert line_of(text, "β2 = 0.9.") <= line <= line_of(text, "explanation_ja", nth=2)
    assert f"that starts at line {line_of(text, '- id: adam-x')}" in msg

    text = VALID.replace("    topic: adam\n", "   topic: adam\n", 1)  # broken indentation
    msg = error_of(tmp_path, text)
    assert f":{line_of(text, '   topic: adam')}: YAML syntax error" in msg


def test_top_level_problems(tmp_path):
    assert ":1: the file is empty" in error_of(tmp_path, "")
    text = VALID.replace("version: 1", "version: 2")
    assert ":1: top level: unsupported version 2 (expected 1)" in error_of(tmp_path, text)
    text = VALID + "extra: 1\n"
    assert f":{line_of(text, 'extra: 1')}: top level: unknown key 'extra'" in error_of(tmp_path, text)
    text = VALID.replace("statements:\n", "items:\n")
    assert f":{line_of(text, 'items:')}: top level: unknown key 'items'" in error_of(tmp_path, text)
    text = VALID.replace("version: 1\n", "")
    assert ":1: top level: missing version" in error_of(tmp_path, text)
    assert ": statements is empty" in error_of(tmp_path, VALID.split("  - id: adam-defaults")[0] + "  []\n")


def test_misconception_definition_problems(tmp_path):
    text = VALID.replace('    en: "Swapping β1 and β2"\n', "")
    msg = error_of(tmp_path, text)
    assert f":{line_of(text, 'adam_beta_swap:')}: misconception 'adam_beta_swap': missing en" in msg
    text = VALID.replace("  adam_beta_swap:\n", "  Adam-Beta-Swap:\n").replace(
        "misconception: adam_beta_swap", "misconception: Adam-Beta-Swap")
    msg = error_of(tmp_path, text)
    assert f":{line_of(text, 'Adam-Beta-Swap:')}: misconception tag 'Adam-Beta-Swap' is not snake_case" in msg


def test_missing_file(tmp_path):
    with pytest.raises(BankError, match="cannot read"):
        load(tmp_path / "nope.yaml")


def test_fields_constant_matches_dataclass():
    names = [f for f in Statement.__dataclass_fields__ if f != "line"]
    assert names == list(FIELDS)
