"""Words printed on the sheets, in both languages (the questions bring their own language)."""

from __future__ import annotations

TEXT = {
    "ja": {
        "default_title": "E資格 最適化ドリル",
        "questions": "問題",
        "answers": "解答・解説",
        "name": "氏名",
        "id": "ID",
        "date": "日付",
        "score": "得点",
        "seed": "シード",
        "question": "問",
        "instructions": "各問の指示に従い、解答欄に記入しなさい。数値の答えは、各問に書かれた桁数に四捨五入すること。"
                        "計算には余白を使ってよい。",
        "rebuild": "この用紙の再作成",
        "answer_box": "解答",
        "choice_box": "記号",
        "work": "計算欄",
        "key": "正解",
        "tolerance": "許容誤差",
        "solution": "解説",
        "wrong_choices": "誤答の原因",
        "numeric_traps": "よくある誤答",
        "summary": "解答一覧",
        "blank_page": "（このページは白紙です）",
        "of": "/",
        "family": {"steps": "数値計算", "choice": "多肢選択", "code": "コード穴埋め", "formula": "更新式",
                   "concept": "正誤", "trajectory": "軌跡"},
        "answer_sheet_note": "解答・解説には問題用紙と同じシードが印刷されています。",
        "print": "印刷する",
        "back": "ドリルのページへ戻る",
        "print_hint": "印刷の設定で「ヘッダーとフッター」をオフにすると、この用紙の見出しとページ番号が使われます。",
    },
    "en": {
        "default_title": "E-shikaku optimizer drill",
        "questions": "Questions",
        "answers": "Answers and worked solutions",
        "name": "Name",
        "id": "ID",
        "date": "Date",
        "score": "Score",
        "seed": "Seed",
        "question": "Q",
        "instructions": "Write each answer in its box. Round numeric answers as each question says. "
                        "Use the blank space for your working.",
        "rebuild": "Rebuild this sheet",
        "answer_box": "Answer",
        "choice_box": "Letter",
        "work": "Working",
        "key": "Answer",
        "tolerance": "tolerance",
        "solution": "Solution",
        "wrong_choices": "Why the other choices are wrong",
        "numeric_traps": "Typical wrong answers",
        "summary": "Answers at a glance",
        "blank_page": "(This page is intentionally blank)",
        "of": "/",
        "family": {"steps": "computation", "choice": "multiple choice", "code": "code blank", "formula": "formula",
                   "concept": "true/false", "trajectory": "trajectories"},
        "answer_sheet_note": "The key carries the same seed as the question sheet.",
        "print": "Print",
        "back": "Back to the drills page",
        "print_hint": "Turn off the browser's own headers and footers in the print dialog: the sheet has its own.",
    },
}

LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def text(lang: str) -> dict:
    return TEXT.get(lang, TEXT["ja"])
