"""The exam-format quizzes (true_false, formula_blank, combination, threshold) in headless Chromium, answered
like a learner: a true/false statement answered wrong shows why (and where it is wrong), a formula blank and a
threshold answered right, a combination answered by keyboard; the mock exam holds the new four-choice formats.
Screenshots go to artifacts/screenshots/quiz-<family>-*.png."""

from __future__ import annotations

import re

import pytest
from test_quiz_browser import assert_offline, current, open_page, plain, quiz, select_by_keyboard, shot, variants  # noqa: F401

pytestmark = pytest.mark.browser


def test_true_false_answered_wrong_says_why(open_page):  # noqa: F811
    page, log = open_page("quiz/adam/")
    box = quiz(page, "adam-true_false")
    v = current(page, "adam-true_false")
    labels = box.locator(".qz-choice")
    assert labels.count() == 2 and [plain(c["html"]) for c in v["choices"]] == ["正", "誤"]
    shot(box, "true_false-before")
    wrong = 1 - v["answer"]["index"]
    labels.nth(wrong).click()
    box.locator(".qz-check").click()
    box.locator(".qz-feedback.qz-wrong").wait_for()
    html = v["choices"][wrong]["feedback_html"]
    reason = plain(html)
    # the end of the reason (its text, not math: KaTeX's HTML reads differently from the TeX), spaces aside
    piece = re.sub(r"\s+", "", reason)[-8:]
    assert piece in re.sub(r"\s+", "", labels.nth(wrong).inner_text())
    if v["answer"]["index"] == 1:  # a false statement: the reason says what is right
        assert "正しくは" in reason
    assert box.locator(".qz-solution[open]").count() == 1
    shot(box, "true_false-after")
    assert_offline(log)


@pytest.mark.parametrize(("page_path", "quiz_id"), [("quiz/rmsprop/", "rmsprop-formula_blank"),
                                                     ("quiz/sgd/", "sgd-threshold")])
def test_formula_blank_and_threshold_answered_right(open_page, page_path, quiz_id):  # noqa: F811
    page, log = open_page(page_path)
    box = quiz(page, quiz_id)
    v = current(page, quiz_id)
    assert box.locator(".qz-choice").count() == 4
    assert box.locator(".qz-stem .katex").count() > 0  # the rule (with its blank) drawn by KaTeX
    if quiz_id.endswith("formula_blank"):
        assert "（ア）" in box.locator(".qz-stem").inner_text()
    box.locator(".qz-choice").nth(v["answer"]["index"]).click()
    box.locator(".qz-check").click()
    box.locator(".qz-feedback.qz-right").wait_for()
    assert "1 問中 1 問正解" in box.locator(".qz-progress-line").inner_text()
    shot(box, f"{quiz_id.split('-')[1]}-after")
    assert_offline(log)


def test_combination_answered_by_keyboard(open_page):  # noqa: F811
    page, log = open_page("quiz/families/")
    box = quiz(page, "all-combination")
    v = current(page, "all-combination")
    texts = [plain(c["html"]) for c in v["choices"]]
    assert all("（ア）" in t and "（イ）" in t for t in texts)
    select_by_keyboard(page, box, v["answer"]["index"])
    page.keyboard.press("Enter")
    box.locator(".qz-feedback.qz-right").wait_for()
    shot(box, "combination-after")
    assert_offline(log)


def test_the_mock_exam_holds_the_new_four_choice_formats(open_page):  # noqa: F811
    page, log = open_page("quiz/exam/")
    page.wait_for_selector(".qz-exam[data-ready='1']")
    families = {v["family"] for v in variants(page, ".qz-exam").values()}
    assert {"formula_blank", "combination", "threshold"} <= families
    assert "true_false" not in families  # two choices: not an exam question
    assert_offline(log)
