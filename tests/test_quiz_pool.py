"""Quiz pools (quizgen/quiz/pool.py, specs.py) and the quiz pages: the pool only lays out what the engine
computed (keys, tolerances, mistakes, seeds), encodes to the same bytes every time, keeps raw HTML of a
question inert, and every quiz the specs name has a page that shows it (and no page asks for a missing one)."""

from __future__ import annotations

import base64
import dataclasses
import gzip
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from quizgen import engine, seeds
from quizgen.quiz import pool as P
from quizgen.quiz import specs as S

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "quiz"
needs_katex = pytest.mark.skipif(shutil.which("node") is None or not (ROOT / "node_modules" / "katex").exists(),
                                 reason="node and npm ci (KaTeX) are installed by scripts/system-deps.sh")


def small(spec_id: str, size: int = 4) -> S.QuizSpec:
    return dataclasses.replace(S.get(spec_id, S.DEFAULT_POOL_SIZE), size=size)


@pytest.fixture(scope="module")
def katex():
    from quizgen.site.katex import KatexRenderer

    with KatexRenderer(ROOT, None) as k:
        yield k


@pytest.fixture(scope="module")
def pools(katex):
    out = {}
    for sid in ("momentum-steps", "adam-numeric_choice", "rmsprop-code_blank", "nesterov-formula",
                "adagrad-concepts", "momentum-trajectory"):
        out[sid] = P.build_pool(small(sid), katex=katex)
    out["exam"] = P.build_pool(small("exam", 12), katex=katex)
    return out


# -- specs and pages -----------------------------------------------------------------------------------
def test_specs_cover_every_optimizer_family_and_the_exam():
    specs = S.all_specs()
    ids = [s.id for s in specs]
    assert len(ids) == len(set(ids))
    for key in S.optimizer_keys():
        for family in ("steps", "numeric_choice", "formula", "concepts"):
            assert f"{key}-{family}" in ids
    assert {f"all-{f}" for f in S.FAMILIES} <= set(ids)
    assert {f"topic-{t}" for t in S.TOPICS} <= set(ids)
    exam = S.get("exam", 50)
    assert exam.exam and exam.size == 100
    assert {family for family, _ in exam.items} == set(S.CHOICE_FAMILIES + S.TECHNIQUE_FAMILIES)  # four-choice only
    for topic, (page, fams) in S.TECHNIQUES.items():
        for family in (*fams, "concepts"):
            assert f"{topic}-{family}" in ids and S.get(f"{topic}-{family}", 50).page == page
    assert all(s.size == 50 for s in specs if not s.exam)


def page_calls() -> dict[str, set[str]]:
    """quiz ids each docs/quiz page asks for."""
    out: dict[str, set[str]] = {}
    for page in [*DOCS.glob("*.md"), *(DOCS.parent / "chapter").glob("*.md")]:
        text = page.read_text(encoding="utf-8")
        ids = {S.quiz_id(o, f) for o, f in re.findall(r'\{\{\s*quiz\("([^"]+)",\s*"([^"]+)"\)\s*\}\}', text)}
        if "{{ exam() }}" in text:
            ids.add("exam")
        out[f"{page.parent.name}/{page.name}"] = ids
    return out


def test_every_quiz_is_on_its_page_and_every_page_call_exists():
    calls = page_calls()
    specs = S.all_specs()
    for s in specs:
        assert s.id in calls.get(s.page, set()), f"{s.id} is not shown on {s.page}"
    known = {s.id for s in specs}
    for page, ids in calls.items():
        assert ids <= known, (page, ids - known)
    assert "{{ progress() }}" in (DOCS / "index.md").read_text(encoding="utf-8")


def test_quiz_pages_are_in_the_nav_and_the_widget_files_are_named():
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    flat = json.dumps(config["nav"], ensure_ascii=False)
    for page in DOCS.glob("*.md"):
        assert f"quiz/{page.name}" in flat
    assert config["extra_javascript"][-2:] == ["assets/quiz/normalize.js", "assets/quiz/quiz.js"]
    assert "assets/quiz/quiz.css" in config["extra_css"]
    assert config["extra"]["quiz"]["pool_size"] >= 50
    for name in ("normalize.js", "quiz.js", "quiz.css"):
        assert (ROOT / "quizgen" / "quiz" / "static" / name).exists()


def test_every_page_says_the_answers_are_in_the_page():
    for page in DOCS.glob("*.md"):
        text = page.read_text(encoding="utf-8")
        if "{{ quiz(" in text or "{{ exam() }}" in text or page.name == "index.md":
            assert "答えはページの中にあります" in text, page


def test_pool_size_setting(monkeypatch, tmp_path):
    monkeypatch.delenv(S.ENV_POOL_SIZE, raising=False)
    assert S.pool_size(None, ROOT) == 50
    assert S.pool_size({"quiz": {"pool_size": 80}}) == 80
    (tmp_path / "mkdocs.yml").write_text("extra:\n  quiz:\n    pool_size: 12\nmarkdown_extensions:\n"
                                         "  - x:\n      y: !!python/name:a.b\n", encoding="utf-8")
    assert S.pool_size(None, tmp_path) == 12
    monkeypatch.setenv(S.ENV_POOL_SIZE, "7")
    assert S.pool_size(None, tmp_path) == 7
    assert S.settings_key(tmp_path) == "quiz-pool-size=7"
    monkeypatch.setenv(S.ENV_POOL_SIZE, "many")
    with pytest.raises(ValueError, match="whole number"):
        S.pool_size(None, tmp_path)
    monkeypatch.setenv(S.ENV_POOL_SIZE, "0")
    with pytest.raises(ValueError, match="between"):
        S.pool_size(None, tmp_path)


# -- generation: seeds, duplicates ---------------------------------------------------------------------
def test_variants_are_the_engine_questions_of_the_derived_seeds():
    spec = small("momentum-formula", 6)
    qs, _ = P.questions(spec)
    seeds_used = [q.seed for q in qs]
    derived = [seeds.derive("quiz", spec.id, i) for i in range(40)]
    assert seeds_used == [s for s in derived if s in seeds_used]  # in order, skipping only repeats
    assert seeds_used[0] == derived[0]
    for q in qs:
        again = engine.generate(q.family, q.seed, **q.options)
        assert again.to_json() == q.to_json()


def test_a_pool_has_no_two_identical_variants():
    qs, notes = P.questions(small("sgd-formula", 50))
    prints = [P._fingerprint(q) for q in qs]
    assert len(prints) == len(set(prints))
    if len(qs) < 50:  # SGD has few mistaken rules: fewer distinct variants exist than asked for
        assert notes and "distinct variants" in notes[0]


def test_the_exam_takes_its_items_in_turn():
    spec = small("exam", 30)
    qs, _ = P.questions(spec)
    for i, q in enumerate(qs):
        family, opts = spec.options(i)
        assert q.family == family and q.kind == "choice" and len(q.choices) == 4
        for k, v in opts.items():
            assert q.options[k] == v


# -- rendering: layout only ----------------------------------------------------------------------------
@needs_katex
def test_pools_carry_the_engine_key_tolerance_and_mistakes_unchanged(pools):
    for sid, pool in pools.items():
        assert pool.variants, sid
        for v in pool.variants:
            q = engine.generate(v["family"], v["seed"], **v["options"])  # the engine's own question again
            assert v["id"] == q.id and v["kind"] == q.kind, sid
            assert v["seed"] == str(q.seed)  # text: a JavaScript number would round a 63-bit seed
            if q.kind == "numeric":
                assert v["answer"] == {"value": q.answer.value, "tolerance": q.answer.tolerance,
                                       "text": q.answer.text, "decimals": q.answer.decimals}
                wrong = [c for c in q.choices if not c.correct]
                assert [(m["value"], m["text"], m["mistake"]) for m in v["mistakes"]] == \
                    [(c.value, c.text, c.mistake or "") for c in wrong]
                assert v["rounding"] == q.rounding and v["rounding"]
            else:
                assert v["answer"] == {"index": q.answer.index}
                assert [c["correct"] for c in v["choices"]] == [c.correct for c in q.choices]
                assert [c["mistake"] for c in v["choices"]] == [c.mistake or "" for c in q.choices]
            assert v["command"].endswith(f"--seed {q.seed}") and f"--family {q.family}" in v["command"]


@needs_katex
def test_math_is_tex_stored_once_and_drawn_by_katex(pools, katex):
    pool = pools["momentum-steps"]
    assert pool.math and len(pool.math) == len(set(pool.math))
    assert all("<" not in tex and "katex" not in tex for tex in pool.math)  # TeX, drawn by the widget
    for i in range(len(pool.variants)):
        v = pool.expanded(i, katex)  # what the widget shows (the same KaTeX, run in node)
        text = json.dumps(v, ensure_ascii=False)
        assert "<!--m:" not in text
        for field in ("stem_html", "solution_html"):
            assert 'class="katex' in v[field], field
            assert "\\(" not in v[field] and "\\[" not in v[field] and "$" not in v[field]
    # the rule in the stem is the same formula in every variant: stored once
    rule_marks = [re.findall(r"<!--m:(\d+)-->", v["stem_html"])[0] for v in pool.variants]
    assert len(set(rule_marks)) == 1


@needs_katex
def test_no_raw_tex_is_left_anywhere(pools, katex):
    for sid, pool in pools.items():
        for i in range(len(pool.variants)):
            text = json.dumps(pool.expanded(i, katex), ensure_ascii=False)
            assert "\\\\(" not in text and "\\\\[" not in text and "\\\\begin" not in text, sid
    formula = pools["nesterov-formula"].expanded(0, katex)
    assert all('class="katex' in c["html"] for c in formula["choices"])  # the choices are formulas


@needs_katex
def test_code_questions_mark_the_blank_in_highlighted_code(pools):
    for v in pools["rmsprop-code_blank"].variants:
        code = v["code_html"]
        assert code.startswith('<div class="language-python highlight">')
        assert '<mark class="qz-blank"' in code and "（あ）" in code
        assert '<span class="k">def</span>' in code  # Pygments classes that mkdocs-material colours
        assert "__qzblank" not in code


@needs_katex
def test_figures_are_svg_files_beside_the_pages(pools):
    pool = pools["momentum-trajectory"]
    for v in pool.variants:
        src = re.search(r'data-qz-src="([^"]+)"', v["figure_html"]).group(1)
        assert src in pool.assets and src.startswith("assets/generated/quiz-paths-")
        assert pool.assets[src].lstrip().startswith(b"<svg")


@needs_katex
def test_a_formula_katex_cannot_draw_stops_the_build(katex):
    from quizgen.site.katex import KatexError

    variants = [{"stem_html": '<p><span class="arithmatex">\\(\\frac{1}{\\)</span></p>'}]
    with pytest.raises(KatexError, match=r"quiz x: KaTeX cannot render"):
        P.collect_math(variants, katex, "quiz x")
    ok = [{"stem_html": '<p><span class="arithmatex">\\(v_t\\)</span> <div class="arithmatex">\\[v_t\\]</div></p>'}]
    assert P.collect_math(ok, katex, "quiz y") == ["v_t"]  # one TeX, used inline and displayed
    assert ok[0]["stem_html"].count("<!--m:0-->") == 2
    assert "katex-display" in P.expand(ok[0]["stem_html"], ["v_t"], katex)


@needs_katex
def test_the_shared_checker_is_one_per_process_and_asks_node_once_per_formula(monkeypatch):
    import os

    from quizgen.site import katex as K

    k = K.shared(ROOT)
    assert K.shared(ROOT) is k and k.cache_dir is None
    asked: list[list] = []
    ask = k._ask
    monkeypatch.setattr(k, "_ask", lambda items, where, check=False: asked.append(items) or ask(items, where, check))
    k.check_many([("q_{shared}", False), ("q_{shared}", True)], "a")
    k.check_many([("q_{shared}", False), ("r_{shared}", False)], "b")  # only the new one goes to node
    assert asked == [[("q_{shared}", False), ("q_{shared}", True)], [("r_{shared}", False)]]
    asked.clear()  # numbers that KaTeX reads as plain symbols: one check per shape; after ^, _ or a macro: each
    k.check_many([("w = 0.5 \\times 2", False), ("w = 0.25 \\times (-12)", False), ("w = 7 \\times (-3)", False),
                  ("w^12", False), ("w^1", False), ("\\frac12", False), ("\\frac1 2", False)], "n")
    assert asked == [[("w = 0.5 \\times 2", False), ("w = 0.25 \\times (-12)", False), ("w^12", False),
                      ("w^1", False), ("\\frac12", False), ("\\frac1 2", False)]]
    with pytest.raises(K.KatexError):
        k.check_many([("\\frac{1}{", False)], "c")
    with pytest.raises(K.KatexError):  # a formula that failed is asked (and fails) again
        k.check_many([("\\frac{1}{", False)], "d")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # a forked worker gets its own renderer, not its parent's node process
        os.write(write, b"1" if K.shared(ROOT) is not k else b"0")
        os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"1"


def test_raw_html_in_a_question_is_shown_as_text():
    from quizgen.question import Answer, Choice, Question, SolutionStep

    q = Question(id="x-1", family="formula", seed=1, lang="ja", kind="choice",
                 stem="<script>alert(1)</script> $a<b$ を選べ", answer=Answer(index=0),
                 choices=[Choice("<img src=x onerror=alert(1)>", True, feedback="<b>ok</b>"),
                          Choice("`<i>`", False, mistake="m", feedback="x")],
                 solution=[SolutionStep("<iframe>", "a < b")])
    assets: dict[str, bytes] = {}
    v = P.variant(q, P.default_svg, assets)
    blob = json.dumps(v, ensure_ascii=False)
    for tag in ("<script", "<img", "<iframe", "<b>", "<i>"):
        assert tag not in blob, tag
    assert "&lt;script&gt;" in v["stem_html"]


@needs_katex
def test_encoding_is_gzip_base64_json_and_byte_stable(pools, katex):
    pool = pools["adam-numeric_choice"]
    text = P.encode(pool)
    assert re.fullmatch(r"[A-Za-z0-9+/=]+", text)
    data = json.loads(gzip.decompress(base64.b64decode(text)))
    assert data["format"] == P.FORMAT and data["quiz"] == "adam-numeric_choice"
    assert data == json.loads(json.dumps(pool.to_json()))
    assert P.encode(P.build_pool(small("adam-numeric_choice"), katex=katex)) == text
    assert P.decode_variants(text)[0] == pool.expanded(0)
    # the answers are not readable in the page source
    assert "correct" not in text and "tolerance" not in text


@needs_katex
def test_correct_choice_positions_vary(pools):
    positions = {v["answer"]["index"] for v in pools["exam"].variants}
    assert len(positions) >= 3


@needs_katex
def test_rendered_variants_are_cached_and_the_pool_is_the_same_bytes(katex, tmp_path):
    spec = small("adam-steps", 3)
    cold = P.build_pool(spec, katex=katex, cache_dir=tmp_path)
    (file,) = (tmp_path / "quiz-variants").glob("*.json.gz")  # one file per quiz

    def stored() -> dict:
        return json.loads(gzip.decompress(file.read_bytes()))

    assert len(stored()["variants"]) == 3
    rendered: list = []
    real = P.variant
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(P, "variant", lambda *a: rendered.append(a) or real(*a))
        warm = P.build_pool(spec, katex=katex, cache_dir=tmp_path)
        assert rendered == []  # nothing rendered again
        assert P.encode(warm) == P.encode(cold) == P.encode(P.build_pool(spec, katex=katex))
        rendered.clear()
        bigger = P.build_pool(small("adam-steps", 5), katex=katex, cache_dir=tmp_path)  # 3 from the cache
        assert len(rendered) == 2
    assert len(stored()["variants"]) == 5
    assert [bigger.expanded(i) for i in range(3)] == [cold.expanded(i) for i in range(3)]
    # a pool put together from cached and fresh variants is the same bytes as one made in one go
    assert P.encode(bigger) == P.encode(P.build_pool(small("adam-steps", 5), katex=katex))


@needs_katex
def test_the_site_serves_one_file_per_variant_with_its_math_drawn(pools, katex):
    """quizgen/quiz/site.py: the widget fetches variant i from <prefix><i>.bin when it shows it; the file is the
    pool's variant i (gzip JSON, format 3) with every formula already KaTeX HTML, so the page needs no KaTeX
    script; same pool, same bytes."""
    from quizgen.quiz import site as Q

    pool = pools["momentum-steps"]
    spec = small("momentum-steps")
    entry = {"encoded": P.encode(pool), "count": len(pool.variants)}
    prefix, files = Q.variant_files(spec, entry, katex)
    assert prefix.startswith(Q.VARIANTS_URI + "/momentum-steps-")
    assert sorted(files) == sorted(f"{prefix}{i}.bin" for i in range(len(pool.variants)))
    for i in range(len(pool.variants)):
        data = json.loads(gzip.decompress(files[f"{prefix}{i}.bin"]))
        assert data["format"] == Q.VARIANT_FORMAT and data["quiz"] == "momentum-steps"
        assert data["variant"] == pool.expanded(i, katex)  # the widget's KaTeX, run at build time
        assert "<!--m:" not in json.dumps(data) and 'class="katex"' in data["variant"]["stem_html"]
    assert Q.variant_files(spec, entry, katex) == (prefix, files)
