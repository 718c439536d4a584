"""How SiteBuilder.prerender splits the pages of a cold build into lanes (one process each)."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizgen.site.render import QUIZ_CALL, _page_cost, _plan, body_of

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _pages() -> tuple[list, list]:
    quiz, other = [], []
    for path in sorted(DOCS.rglob("*.md")):
        text = body_of(path.read_text(encoding="utf-8"))
        if "{{" not in text:
            continue
        item = (_page_cost(text), path.relative_to(DOCS).as_posix(), text)
        (quiz if QUIZ_CALL.search(text) else other).append(item)
    return quiz, other


@pytest.mark.parametrize("workers", [2, 3, 4, 8])
def test_every_page_once_quiz_pages_on_lanes_of_their_own_training_first(workers):
    quiz, other = _pages()
    assert quiz and other and any("training_comparison(" in t for _, _, t in other)
    lanes, loads = _plan(quiz, other, workers, 5.0)
    assert len(loads) == len(lanes) and all(load > 0 for load in loads)
    assert 2 <= len(lanes) <= workers
    placed = [src for lane in lanes for src, _ in lane if src is not None]
    assert sorted(placed) == sorted(src for _, src, _ in quiz + other)  # each page exactly once
    quiz_srcs = {src for _, src, _ in quiz}
    for lane in lanes:  # a lane holds quiz pages only, or none
        kinds = {src in quiz_srcs for src, _ in lane if src is not None}
        assert len(kinds) == 1
    (training_lane,) = [lane for lane in lanes if (None, "") in lane]
    assert training_lane[0] == (None, "")  # the training run first…
    shows = [i for i, (_, text) in enumerate(training_lane) if "training_comparison(" in text]
    assert shows and all(i > 0 for i in shows)  # …and the page that shows it on the same lane, after it


def test_without_training_or_without_quizzes_every_lane_is_used():
    quiz, other = _pages()
    assert len(_plan(quiz, [], 2, 0.0)[0]) == 2  # only quiz pages: both lanes take them
    lanes, _ = _plan([], [o for o in other if "training_comparison(" not in o[2]], 2, 0.0)
    assert len(lanes) == 2 and all(src is not None for lane in lanes for src, _ in lane)


def test_page_cost_counts_quizzes_above_other_macros():
    assert _page_cost('{{ quiz("adam", "steps") }}') > _page_cost("{{ rule() }} {{ symbols() }}") > _page_cost("")
