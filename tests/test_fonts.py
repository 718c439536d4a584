"""A figure without Japanese is never published (quizgen/fonts.py): with matplotlib's font list written before
the Japanese font was installed, figures are still drawn with it (byte for byte as with a fresh list); a missing
font or glyph is one clear error for the build and for every command that draws; and the font file's identity
is in the cache keys of what is drawn with it."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from quizgen import fonts

ROOT = Path(__file__).resolve().parents[1]
DATA = {"problem": "bowl", "title": "学習率の効果",
        "series": [{"label": "モーメンタム", "points": [[-1, 1], [0, 0]], "losses": [2.0, 0.0]}]}

STALE = textwrap.dedent("""
    # matplotlib's font list as a machine has it that used matplotlib before fonts-noto-cjk was installed
    import os, matplotlib, matplotlib.font_manager as fm
    m = fm.FontManager()
    m.ttflist = [f for f in m.ttflist if "CJK" not in f.name and "Noto Sans JP" not in f.name]
    fm.json_dump(m, os.path.join(matplotlib.get_cachedir(), f"fontlist-v{fm.FontManager.__version__}.json"))
""")
DRAW = textwrap.dedent("""
    import json, sys
    from quizgen import plots
    sys.stdout.write(plots.paths_svg(json.loads(sys.argv[1])))
""")


def _python(code: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **env})


def test_a_stale_font_list_still_draws_japanese(tmp_path):
    import json

    stale = {"MPLCONFIGDIR": str(tmp_path / "stale")}
    Path(stale["MPLCONFIGDIR"]).mkdir()
    made = _python(STALE, env=stale)
    assert made.returncode == 0, made.stderr
    from quizgen import plots

    drawn = _python(DRAW, json.dumps(DATA), env=stale)
    assert drawn.returncode == 0, drawn.stderr
    assert drawn.stdout == plots.paths_svg(DATA) and len(drawn.stdout) > 10000  # as with an up-to-date list
    assert "findfont" not in drawn.stderr and "missing from font" not in drawn.stderr, drawn.stderr
    # the list is still stale on disk: the font is registered from its file in each process
    assert "CJK" not in next(Path(stale["MPLCONFIGDIR"]).glob("fontlist-*.json")).read_text()


def test_a_missing_glyph_is_an_error():
    from quizgen import plots

    with pytest.raises(fonts.FontError, match=r"U\+0D9E .*SINHALA.* do\(es\) not have"):
        plots.paths_svg({**DATA, "title": "学習率\u0d9e"})
    import xml.etree.ElementTree as ET

    for draw in (plots.paths_svg, plots.paths_and_loss_svg):  # the next figures are whole and as before
        before = draw(DATA)
        with pytest.raises(fonts.FontError):
            draw({**DATA, "series": [{**DATA["series"][0], "label": "x\u0d9e"}]})
        assert draw(DATA) == before and ET.fromstring(before.encode())


def test_no_font_installed_is_one_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(fonts, "DEBIAN", tmp_path / "none.ttc")
    monkeypatch.setattr(fonts, "FOLDERS", (str(tmp_path),))
    monkeypatch.setattr(fonts.shutil, "which", lambda name: None)
    monkeypatch.delenv(fonts.ENV, raising=False)
    fonts.font_file.cache_clear()
    try:
        with pytest.raises(fonts.FontError, match="Noto Sans CJK JP is not installed: install the Debian package"):
            fonts.font_file()
        assert fonts.identity() == "no-font"
    finally:
        fonts.font_file.cache_clear()


def test_drawing_commands_fail_with_one_line(tmp_path):
    """export draws the trajectory figures: without the font it stops with one line and writes nothing."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), fonts.ENV: str(tmp_path / "gone.ttc")}
    done = subprocess.run([sys.executable, "-m", "quizgen", "export", "moodle", "--families", "trajectory",
                           "--variants", "1", "--out", str(tmp_path / "q.xml")], cwd=tmp_path, capture_output=True,
                          text=True, env=env)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == f"quizgen export: error: {fonts.ENV}={tmp_path / 'gone.ttc'}: no such font file"
    assert not (tmp_path / "q.xml").exists()


def test_the_site_build_stops_on_a_missing_glyph(monkeypatch):
    from quizgen import problems
    from quizgen.site.render import SiteBuilder, SiteError

    bowl = problems.PROBLEMS["bowl"]
    monkeypatch.setitem(problems.PROBLEMS, "bowl", dataclasses.replace(bowl, name_ja="お椀\u0d9e"))
    builder = SiteBuilder(ROOT, ROOT / "docs", cache_dir=None)
    try:
        with pytest.raises(SiteError, match=r"FontError: a figure needs the character U\+0D9E"):
            builder.render_page("x.md", '{{ paths("bowl", [["sgd"]], steps=3) }}')
    finally:
        builder.close()


def test_the_font_file_is_in_the_cache_keys(monkeypatch, tmp_path):
    from quizgen.site import render

    fake = tmp_path / "font.ttc"
    fake.write_bytes(b"x")
    monkeypatch.setenv(fonts.ENV, str(fake))
    fonts.font_file.cache_clear()
    try:
        first, version = fonts.identity(), render.code_version()
        os.utime(fake, ns=(1, 1))  # another file at the same place: another identity
        assert fonts.identity() != first and render.code_version() != version
    finally:
        fonts.font_file.cache_clear()
    builder = render.SiteBuilder(ROOT, ROOT / "docs", cache_dir=tmp_path / "cache")
    made: list[str] = []
    for who in ("A", "B", "A"):
        monkeypatch.setattr(fonts, "identity", lambda who=who: who)
        builder.cached_svg("paths", DATA, lambda who=who: made.append(who) or "<svg/>")
    assert made == ["A", "B"]  # drawn again for another font; the first drawing served again for the first
