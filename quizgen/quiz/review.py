"""The 復習 page: ``{{ review() }}`` (filled in by static/quiz.js from the learner's own record in localStorage).

At build time this only writes an index: for every named mistake that is the distractor of some multiple-choice
variant of the site's quizzes, its title (from the mistakes registries, quizgen/mistakes.py and
quizgen/chapter/questions.py) and up to :data:`PER_MISTAKE` of those variants' files (the same files the quiz pages
fetch). The browser lists the learner's most frequent mistakes with the feedback they received, and serves those
variants until each mistake is answered right twice (Leitner boxes, :data:`INTERVAL_DAYS`).
"""

from __future__ import annotations

import json
from typing import Any

from ..site.cache import digest
from . import pool as P
from . import specs as S
from .site import VARIANTS_URI, entry_for, pool_size_of

PER_MISTAKE = 8  # variant files listed per mistake (spread over the quizzes that have one)
#: Leitner boxes: a mistake enters box 1 when a wrong answer matches it; a right answer to a question whose
#: choices include it moves it one box up, a wrong one back to box 1; a right answer in the last box takes it out.
#: Days from that answer until the mistake is served again, per box (box 1: the same day).
INTERVAL_DAYS = (0, 1)


def titles() -> dict[str, str]:
    """Mistake name → its title (ja), from the registries: the optimizers' named mistakes, the chapter's, and the
    concept bank's misconceptions. (The chapter families' own small mistakes have none here: the page then
    takes the title from the feedback the learner received, which starts with it.)"""
    from .. import bank, mistakes
    from ..chapter import questions

    out = {tag: m.ja for tag, m in bank.load().misconceptions.items()}
    out.update({name: m.title_ja for name, m in questions.REGISTRY.items()})
    out.update({name: m.title_ja for name, m in mistakes.REGISTRY.items()})
    return out


def index(builder: Any) -> dict[str, Any]:
    """{"quizzes": [variant file prefix, …], "mistakes": {name: {"title": …, "v": [[quiz, variant], …]}},
    "intervals": […]}: the multiple-choice variants whose wrong choices include each mistake."""
    found: dict[str, dict[int, list[int]]] = {}
    prefixes: list[str] = []
    for spec in S.all_specs(pool_size_of(builder)):
        if spec.exam:
            continue
        entry = entry_for(builder, spec)
        q = len(prefixes)
        prefixes.append(f"{VARIANTS_URI}/{spec.id}-{digest(entry['encoded'])[:12]}-")
        for i, v in enumerate(P.decode(entry["encoded"])["variants"]):
            for c in v.get("choices") or []:
                if c.get("mistake") and not c.get("correct"):
                    found.setdefault(c["mistake"], {}).setdefault(q, []).append(i)
    names = titles()
    out = {}
    for name in sorted(found):
        by_quiz = {q: list(dict.fromkeys(vs)) for q, vs in found[name].items()}
        picked: list[list[int]] = []  # round robin over the quizzes: one from each, then a second from each …
        while len(picked) < PER_MISTAKE and any(by_quiz.values()):
            for q in sorted(by_quiz):
                if by_quiz[q] and len(picked) < PER_MISTAKE:
                    picked.append([q, by_quiz[q].pop(0)])
        out[name] = {"v": picked, **({"title": names[name]} if name in names else {})}
    return {"format": 1, "intervals": list(INTERVAL_DAYS), "quizzes": prefixes, "mistakes": out}


def review_macro(macros: Any) -> str:
    data = json.dumps(index(macros.builder), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    uri = f"assets/quiz/review-{digest(data)[:12]}.json"
    macros.assets[uri] = data
    link = macros.builder.url_link(macros.src, uri)
    return rules() + (f'\n<div class="qz qz-rv" data-review="{link}" data-katex="html">\n'
            '<p class="qz-loading">復習: 記録を読んでいます（JavaScript が必要です）。</p>\n</div>\n')


def rules() -> str:
    """The schedule in words, from :data:`INTERVAL_DAYS`."""
    def when(days: int) -> str:
        return "その日のうちに" if days == 0 else ("翌日以降に" if days == 1 else f"{days} 日後以降に")

    boxes = "、".join(f"箱 {i}: {when(d)}出題" for i, d in enumerate(INTERVAL_DAYS, 1))
    return (f"\n**Leitner 箱**（{boxes}）: その誤りを選択肢に含む問題に正解すると次の箱へ移り、最後の箱で正解すると"
            f"一覧から外れます（{len(INTERVAL_DAYS)} 回正解で卒業）。間違えると箱 1 に戻ります。日付はこの端末の暦日で"
            "数えます。\n")
