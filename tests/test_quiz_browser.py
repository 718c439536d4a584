"""The quizzes in headless Chromium, answered like a learner: real variants read from the page's own pool.

- a correct answer typed in full-width digits with a Japanese minus is accepted;
- a wrong answer equal to a named mistake's value shows that mistake's feedback; garbage gets a hint;
- choices work by mouse and by keyboard; 次の問題 changes the variant; progress survives a reload;
- the mock exam scores by topic (and ends itself when the timer runs out);
- a phone-sized viewport has no horizontal overflow; light and dark palettes keep readable contrast;
- no request leaves 127.0.0.1.
Screenshots (before/after answering, light/dark, phone, exam) go to artifacts/screenshots/quiz-*.png."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from _pool import pool_variants
from playwright.sync_api import expect

from quizgen.quiz import specs as S
from quizgen.rounding import rounds_to

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "artifacts" / "screenshots"
FULLWIDTH = str.maketrans("0123456789.-", "０１２３４５６７８９．ー")

pytestmark = pytest.mark.browser


def shot(locator, name: str) -> None:
    """Screenshot of one element; the sticky header is unstuck first so that it does not cover a tall box."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    locator.page.add_style_tag(content=".md-header { position: absolute !important; }")
    locator.screenshot(path=str(SHOTS / f"quiz-{name}.png"))


@pytest.fixture
def open_page(browser, server):
    """open_page(path, scheme="light", viewport=(1000, 900)) -> (page, log); every request's host is logged."""
    contexts = []

    def _open(path: str, scheme: str = "light", viewport: tuple[int, int] = (1000, 900), clock: bool = False,
              context=None):
        ctx = context or browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                             color_scheme=scheme)
        if context is None:
            contexts.append(ctx)
        page = ctx.new_page()
        log = {"errors": [], "hosts": set()}
        page.on("console", lambda m: log["errors"].append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: log["errors"].append(str(e)))

        def seen(request):
            url = urlparse(request.url)
            if url.scheme not in ("data", "blob"):
                log["hosts"].add(url.hostname)

        page.on("request", seen)
        if clock:
            page.clock.install()
        page.goto(f"{server}/{path}")
        page.wait_for_selector(".qz[data-ready='1'], .qz-exam[data-ready='1'], .qz-progress", timeout=20000)
        return page, log

    yield _open
    for ctx in contexts:
        ctx.close()


def assert_offline(log) -> None:
    assert log["hosts"] <= {"127.0.0.1"}, log["hosts"]
    assert log["errors"] == [], log["errors"]


def quiz(page, quiz_id: str):
    box = page.locator(f'.qz[data-quiz="{quiz_id}"]')
    box.wait_for()
    page.wait_for_selector(f'.qz[data-quiz="{quiz_id}"][data-ready="1"]')
    return box


def variants(page, selector: str) -> dict[str, dict]:
    """The variants of a quiz as the widget reads them (one file per variant, fetched in the page)."""
    return {v["id"]: v for v in pool_variants(page, selector)}


def current(page, quiz_id: str) -> dict:
    box = quiz(page, quiz_id)
    return variants(page, f'.qz[data-quiz="{quiz_id}"]')[box.get_attribute("data-current")]


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


# -- numeric answers ----------------------------------------------------------------------------------------
def test_a_correct_answer_in_full_width_digits_is_accepted(open_page):
    page, log = open_page("quiz/momentum/")
    box = quiz(page, "momentum-steps")
    v = current(page, "momentum-steps")
    shot(box, "numeric-before-light")
    typed = v["answer"]["text"].translate(FULLWIDTH)  # "-0.280" -> "ー０．２８０"
    assert typed != v["answer"]["text"]
    box.locator(".qz-input").fill(typed)
    box.locator(".qz-input").press("Enter")
    feedback = box.locator(".qz-feedback")
    feedback.wait_for()
    assert "qz-right" in feedback.get_attribute("class")
    assert "正解です" in feedback.inner_text() and v["answer"]["text"] in feedback.inner_text()
    assert box.locator(".qz-solution[open] .katex").count() > 0  # the worked solution, KaTeX-rendered
    assert v["command"] in box.locator(".qz-repro").inner_text()
    assert "1 問中 1 問正解" in box.locator(".qz-progress-line").inner_text()
    shot(box, "numeric-after-light")
    assert_offline(log)


def test_a_wrong_answer_equal_to_a_named_mistake_gets_that_feedback(open_page):
    page, log = open_page("quiz/momentum/")
    box = quiz(page, "momentum-steps")
    v = current(page, "momentum-steps")
    assert v["mistakes"], "steps variants carry at least two named mistakes"
    m = v["mistakes"][0]
    box.locator(".qz-input").fill(m["text"].replace("-", "\u2212") + " ")
    box.locator(".qz-check").click()
    mistake = box.locator(".qz-mistake")
    mistake.wait_for()
    assert mistake.get_attribute("data-mistake") == m["mistake"]
    assert plain(m["feedback_html"])[:20] in re.sub(r"\s+", " ", mistake.inner_text())
    assert "qz-wrong" in box.locator(".qz-feedback").get_attribute("class")
    assert v["answer"]["text"] in box.locator(".qz-feedback").inner_text()
    assert box.locator(".qz-solution[open]").count() == 1
    assert "1 問中 0 問正解" in box.locator(".qz-progress-line").inner_text()
    assert_offline(log)


def test_unreadable_input_and_too_few_digits_get_a_hint_not_a_wrong_mark(open_page):
    page, log = open_page("quiz/adam/")
    box = quiz(page, "adam-steps")
    v = current(page, "adam-steps")
    for text, words in (("abc", "数として読めません"), ("1,234", "カンマ"), ("", "入力してください")):
        box.locator(".qz-input").fill(text)
        box.locator(".qz-input").press("Enter")
        fb = box.locator(".qz-feedback.qz-hint")
        fb.wait_for()
        assert words in fb.inner_text(), text
    key, decimals = v["answer"]["value"], v["answer"]["decimals"]
    short = f"{key:.{decimals - 1}f}"  # the right value, one digit short
    mistaken = any(rounds_to(float(short), decimals, m["text"]) for m in v["mistakes"])
    if not rounds_to(float(short), decimals, v["answer"]["text"]) and not mistaken:
        box.locator(".qz-input").fill(short)
        box.locator(".qz-input").press("Enter")
        assert "桁が足りません" in box.locator(".qz-feedback.qz-hint").inner_text()
    assert box.locator(".qz-solution").count() == 0  # nothing was judged
    assert "まだ解いていません" in box.locator(".qz-progress-line").inner_text()
    assert_offline(log)


# -- choices --------------------------------------------------------------------------------------------
def test_choices_by_mouse_show_feedback_per_choice_and_the_solution(open_page):
    page, log = open_page("quiz/momentum/")
    box = quiz(page, "momentum-numeric_choice")
    v = current(page, "momentum-numeric_choice")
    wrong = next(i for i, c in enumerate(v["choices"]) if not c["correct"])
    box.locator(".qz-choice").nth(wrong).click()
    box.locator(".qz-check").click()
    box.locator(".qz-feedback.qz-wrong").wait_for()
    labels = box.locator(".qz-choice")
    assert labels.count() == 4
    for i, c in enumerate(v["choices"]):
        cls = labels.nth(i).get_attribute("class")
        assert ("qz-is-correct" in cls) == c["correct"]
        if not c["correct"]:
            assert plain(c["feedback_html"])[:15] in re.sub(r"\s+", " ", labels.nth(i).inner_text())
        assert labels.nth(i).locator("input").is_disabled()
    assert "あなたの答え（誤り）" in labels.nth(wrong).inner_text()
    assert box.locator(".qz-solution[open]").count() == 1
    # the next variant, answered right by mouse
    box.locator(".qz-next").click()
    v2 = current(page, "momentum-numeric_choice")
    assert v2["id"] != v["id"]
    box.locator(".qz-choice").nth(v2["answer"]["index"]).click()
    box.locator(".qz-check").click()
    box.locator(".qz-feedback.qz-right").wait_for()
    assert "2 問中 1 問正解" in box.locator(".qz-progress-line").inner_text()
    assert_offline(log)


def select_by_keyboard(page, box, index: int) -> None:
    box.locator(".qz-choice input").first.focus()
    if index == 0:
        page.keyboard.press("Space")
    for _ in range(index):
        page.keyboard.press("ArrowDown")
    assert box.locator(".qz-choice input").nth(index).is_checked()


def test_choices_by_keyboard(open_page):
    page, log = open_page("quiz/rmsprop/", scheme="dark")
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    box = quiz(page, "rmsprop-code_blank")
    v = current(page, "rmsprop-code_blank")
    assert box.locator(".qz-code mark.qz-blank").count() >= 1  # the blank, highlighted in the code block
    assert box.locator(".qz-code .highlight code span").count() > 10
    shot(box, "code-before-dark")
    right = v["answer"]["index"]
    select_by_keyboard(page, box, right)
    page.keyboard.press("Tab")  # to 答え合わせ
    assert page.evaluate("document.activeElement.textContent") == "答え合わせ"
    page.keyboard.press("Enter")
    box.locator(".qz-feedback.qz-right").wait_for()
    shot(box, "code-after-dark")
    # keyboard to 次の問題: focus lands in the new question
    box.locator(".qz-next").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("(id) => document.querySelector('.qz[data-quiz=\"rmsprop-code_blank\"]')"
                           ".getAttribute('data-current') !== id", arg=v["id"])
    assert page.evaluate("document.activeElement.closest('.qz-choice') !== null")
    v2 = current(page, "rmsprop-code_blank")
    wrong = next(i for i, c in enumerate(v2["choices"]) if not c["correct"])
    select_by_keyboard(page, box, wrong)
    page.keyboard.press("Enter")  # Enter on a choice answers too
    box.locator(".qz-feedback.qz-wrong").wait_for()
    assert box.locator(".qz-choice-feedback").count() == 3
    assert_offline(log)


# -- next variant, progress -------------------------------------------------------------------------------
def test_next_changes_the_variant_and_progress_survives_a_reload(open_page):
    page, log = open_page("quiz/momentum/")
    box = quiz(page, "momentum-formula")
    pool = variants(page, '.qz[data-quiz="momentum-formula"]')
    seen = [box.get_attribute("data-current")]
    for _ in range(5):
        box.locator(".qz-next").click()
        page.wait_for_function("(id) => document.querySelector('.qz[data-quiz=\"momentum-formula\"]')"
                               ".getAttribute('data-current') !== id", arg=seen[-1])
        seen.append(box.get_attribute("data-current"))
    assert len(set(seen)) == len(seen) and set(seen) <= set(pool)
    assert str(pool[seen[-1]]["seed"]) in box.locator(".qz-seed").inner_text()
    v = pool[seen[-1]]
    box.locator(".qz-choice").nth(v["answer"]["index"]).click()
    box.locator(".qz-check").click()
    box.locator(".qz-feedback.qz-right").wait_for()
    page.reload()
    box = quiz(page, "momentum-formula")
    assert "1 問中 1 問正解" in box.locator(".qz-progress-line").inner_text()
    assert box.get_attribute("data-current") != v["id"]  # answered: a fresh question on return
    # the summary page counts it under Momentum
    page.goto(page.url.split("/quiz/")[0] + "/quiz/")
    page.wait_for_selector('.qz-stat[data-group="momentum"][data-field="attempts"]')
    assert page.locator('.qz-stat[data-group="momentum"][data-field="attempts"]').inner_text() == "1"
    assert page.locator('.qz-stat[data-group="momentum"][data-field="rate"]').inner_text() == "100%"
    assert page.locator('.qz-stat[data-group="adam"][data-field="attempts"]').inner_text() == "0"
    shot(page.locator(".qz-progress"), "progress-light")
    page.locator(".qz-reset-all").click()
    assert page.locator('.qz-stat[data-group="momentum"][data-field="attempts"]').inner_text() == "0"
    assert_offline(log)


def test_reset_one_quiz(open_page):
    page, log = open_page("quiz/sgd/")
    box = quiz(page, "sgd-concepts")
    v = current(page, "sgd-concepts")
    box.locator(".qz-choice").nth(v["answer"]["index"]).click()
    box.locator(".qz-check").click()
    box.locator(".qz-feedback.qz-right").wait_for()
    box.locator(".qz-reset").click()
    expect(box.locator(".qz-progress-line")).to_contain_text("リセット")  # waits: reset loads a new variant first
    page.reload()
    expect(quiz(page, "sgd-concepts").locator(".qz-progress-line")).to_contain_text("まだ解いていません")
    assert_offline(log)


# -- mock exam --------------------------------------------------------------------------------------------
def test_mock_exam_scores_by_topic(open_page):
    page, log = open_page("quiz/exam/")
    exam = page.locator(".qz-exam")
    pool = variants(page, ".qz-exam")
    assert len(pool) >= 2 * S.pool_size(None, ROOT) and all(len(v["choices"]) == 4 for v in pool.values())
    exam.locator("select[name=count]").select_option("5")
    exam.locator(".qz-start").click()
    for k in range(5):
        vid = exam.locator(".qz-box").get_attribute("data-variant")
        v = pool[vid]
        pick = v["answer"]["index"] if k < 4 else next(i for i, c in enumerate(v["choices"]) if not c["correct"])
        exam.locator(".qz-choice").nth(pick).click()
        assert exam.locator(".qz-feedback.qz-right, .qz-feedback.qz-wrong").count() == 0  # no answer shown yet
        if k < 4:
            exam.locator(".qz-next").click()
    assert "解答済み 5 / 5" in exam.locator(".qz-exam-answered").inner_text()
    exam.locator(".qz-prev").click()  # going back keeps the choice
    assert exam.locator(".qz-choice input:checked").count() == 1
    exam.locator(".qz-finish").click()
    assert "得点: 4 / 5" in exam.locator(".qz-score").inner_text()
    tables = exam.locator("table.qz-breakdown")
    assert tables.count() == 2
    assert "分野別" in tables.nth(0).inner_text() and "手法別" in tables.nth(1).inner_text()
    assert exam.locator(".qz-review-item").count() == 5
    exam.locator(".qz-review-item summary").nth(4).click()
    exam.locator(".qz-review-item").nth(4).locator(".qz-solution").wait_for()
    shot(exam, "exam-result-light")
    page.goto(page.url.split("/quiz/")[0] + "/quiz/")
    page.wait_for_selector('.qz-stat[data-group="exam"][data-field="exam"]')
    assert "前回 4 / 5" in page.locator('.qz-stat[data-group="exam"][data-field="exam"]').inner_text()
    assert_offline(log)


def test_mock_exam_timer_ends_the_exam(open_page):
    page, log = open_page("quiz/exam/", clock=True)
    exam = page.locator(".qz-exam")
    exam.locator("select[name=count]").select_option("10")
    exam.locator("select[name=minutes]").select_option("5")
    exam.locator(".qz-start").click()
    assert "残り 5 分 00 秒" in exam.locator(".qz-clock").inner_text()
    exam.locator(".qz-choice").first.click()
    page.clock.run_for("02:00")
    assert "残り 3 分" in exam.locator(".qz-clock").inner_text()
    page.clock.run_for("03:01")
    exam.locator(".qz-score").wait_for()
    assert "/ 10" in exam.locator(".qz-score").inner_text()
    assert "時間切れ" in exam.inner_text()
    assert_offline(log)


# -- layout: phone, palettes ---------------------------------------------------------------------------------
CONTRAST = """(el) => {
  // WCAG contrast of el's text against the colours behind it (semi-transparent layers composited)
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const lum = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const layers = [];
  for (let e = el; e; e = e.parentElement) {
    const c = rgb(getComputedStyle(e).backgroundColor);
    if (c.length) layers.push(c);
  }
  let out = [255, 255, 255];
  for (const c of layers.reverse()) {
    const a = c.length === 4 ? c[3] : 1;
    out = out.map((v, i) => v * (1 - a) + c[i] * a);
  }
  const fg = rgb(getComputedStyle(el).color).slice(0, 3);
  const [l1, l2] = [lum(fg), lum(out)].sort((a, b) => b - a);
  return (l1 + 0.05) / (l2 + 0.05);
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_feedback_is_readable_in_both_palettes(open_page, scheme):
    page, log = open_page("quiz/momentum/", scheme=scheme)
    box = quiz(page, "momentum-steps")
    shot(box, f"numeric-before-{scheme}")
    v = current(page, "momentum-steps")
    box.locator(".qz-input").fill(v["mistakes"][0]["text"])
    box.locator(".qz-input").press("Enter")
    box.locator(".qz-mistake").wait_for()
    shot(box, f"numeric-after-{scheme}")
    for sel in (".qz-feedback", ".qz-stem", ".qz-rounding", ".qz-seed"):
        ratio = box.locator(sel).first.evaluate(CONTRAST)
        assert ratio >= 4.5, (scheme, sel, ratio)
    choice = quiz(page, "momentum-numeric_choice")
    cv = current(page, "momentum-numeric_choice")
    choice.locator(".qz-choice").nth(cv["answer"]["index"]).click()
    choice.locator(".qz-check").click()
    choice.locator(".qz-feedback.qz-right").wait_for()
    for sel in (".qz-feedback", ".qz-choice.qz-is-correct .qz-mark", ".qz-choice.qz-is-wrong .qz-mark"):
        ratio = choice.locator(sel).first.evaluate(CONTRAST)
        assert ratio >= 4.5, (scheme, sel, ratio)
    shot(choice, f"choice-after-{scheme}")
    assert_offline(log)


def test_phone_viewport_has_no_horizontal_overflow(open_page):
    page, log = open_page("quiz/adam/", viewport=(375, 667))
    box = quiz(page, "adam-steps")
    v = current(page, "adam-steps")
    box.locator(".qz-input").fill(v["answer"]["text"])
    box.locator(".qz-input").press("Enter")
    box.locator(".qz-feedback.qz-right").wait_for()
    code = quiz(page, "adam-code_blank")
    cv = current(page, "adam-code_blank")
    code.locator(".qz-choice").nth(cv["answer"]["index"]).click()
    code.locator(".qz-check").click()
    code.locator(".qz-feedback.qz-right").wait_for()
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for q in page.locator(".qz").all():
        rect = q.bounding_box()
        assert rect["x"] >= 0 and rect["x"] + rect["width"] <= width + 0.5, rect
    shot(box, "phone-numeric-after")
    shot(code, "phone-code-after")
    # the trajectory figure fits too
    page2, _ = open_page("quiz/momentum/", viewport=(375, 667))
    traj = quiz(page2, "momentum-trajectory")
    img = traj.locator(".qz-figure img")
    img.scroll_into_view_if_needed()
    page2.wait_for_function("(el) => el.complete && el.naturalWidth > 0", arg=img.element_handle())
    assert img.bounding_box()["width"] <= 375
    assert page2.evaluate("document.documentElement.scrollWidth") <= 375
    shot(traj, "phone-trajectory")
    assert_offline(log)


# -- the page source --------------------------------------------------------------------------------------
def test_answers_are_out_of_plain_sight_in_the_html(site_dir):
    text = (site_dir / "quiz" / "momentum" / "index.html").read_text(encoding="utf-8")
    assert text.count('class="qz"') == len([s for s in S.all_specs() if s.page == "quiz/momentum.md"])
    for giveaway in ('"correct"', "tolerance", "この誤りで計算すると", "solution_html", "正解。"):
        assert giveaway not in text, giveaway
    assert "答えはページの中にあります" in text
    assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', text)  # no outside scripts or styles
