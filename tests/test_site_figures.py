"""The site's figures in both colour schemes and on a phone (quizgen/site/svg.py, docs/stylesheets/site.css).

- dark mode: with mkdocs-material's slate palette every figure is drawn on a dark background with light ink (the
  SVG's own colours, switched by the <img>'s color-scheme), in light mode on white with dark ink; the dark colours
  read on the dark background (contrast ratios computed here);
- the phone rule: at a 390 px wide viewport no text of any figure of any page shows below 9 CSS px
  (``svg.MIN_TEXT_PX``): its font size (from the glyphs' scale in the SVG) times the scale the figure is shown at.
  A figure drawn for phones (``<picture>``) or shown wider than the screen (it scrolls in its box) keeps to it;
  the page itself never scrolls sideways.
Screenshots of one figure per scheme land in artifacts/screenshots/."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

from quizgen.site import svg, weigh

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "artifacts" / "screenshots"

pytestmark = pytest.mark.browser

FIGURES = """() => [...document.querySelectorAll('.md-content img')]
    .filter(i => (i.currentSrc || i.src).endsWith('.svg'))
    .map(i => ({src: new URL(i.currentSrc || i.src).pathname, width: i.getBoundingClientRect().width,
                shown: i.checkVisibility()}))"""


def luminance(hex_colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_the_dark_colours_read_on_the_dark_background():
    dark, light = svg.DARK, svg.LIGHT
    assert set(dark) == set(light)
    assert contrast(dark["f"], dark["b"]) >= 7  # text
    for name in (n for n in dark if n.startswith("p") or n == "m"):
        assert contrast(dark[name], dark["b"]) >= 3, name  # paths and the marked minimum (graphics: 3:1)
    assert contrast(dark["k"], dark["b"]) >= 1.5 and contrast(dark["g"], dark["b"]) < contrast(dark["k"], dark["b"])
    # the light colours are matplotlib's own (the figures of exports and drill sheets, unchanged)
    assert light["f"] == "#000000" and light["b"] == "#ffffff"


def test_every_figure_colour_is_one_of_the_scheme_colours(site_dir):
    """Nothing in a site figure keeps a fixed colour that the dark scheme would not change (a black text, a white
    patch): every colour is a custom property."""
    import re

    for file in (site_dir / "assets" / "generated").glob("*.svg"):
        text = file.read_text(encoding="utf-8")
        body = text[text.index("</style>"):]
        assert re.findall(r"#[0-9a-fA-F]{6}\b", body) == [], file.name
        assert "prefers-color-scheme:dark" in text[:text.index("</style>")], file.name


def pixels(png: bytes):
    import io

    from PIL import Image  # matplotlib's dependency

    img = Image.open(io.BytesIO(png)).convert("RGB")
    return list(img.get_flattened_data()) if hasattr(img, "get_flattened_data") else list(img.getdata())


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_figures_follow_the_palette(browser, server, scheme):
    """Switched with the palette toggle (not the system's setting): the figure's background is the scheme's and
    its ink stands out from it."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    page = ctx.new_page()
    page.goto(f"{server}/optimizers/momentum/")
    if scheme == "dark":
        page.locator("form[data-md-component=palette] label:visible").first.click()  # the toggle
    assert page.get_attribute("body", "data-md-color-scheme") == ("slate" if scheme == "dark" else "default")
    figure = page.locator("figure.qg-figure img").first
    figure.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=figure.element_handle())
    page.wait_for_timeout(200)
    SHOTS.mkdir(parents=True, exist_ok=True)
    png = figure.screenshot(path=str(SHOTS / f"figure-{scheme}.png"))
    px = pixels(png)
    lum = sorted(0.2126 * r + 0.7152 * g + 0.0722 * b for r, g, b in px)
    median, bright, dark_end = lum[len(lum) // 2], lum[int(len(lum) * 0.995)], lum[int(len(lum) * 0.005)]
    if scheme == "dark":
        assert median < 60, median  # a dark background, not a white box
        assert bright > 170, bright  # light ink on it
    else:
        assert median > 230, median
        assert dark_end < 60, dark_end
    ctx.close()


def test_at_390_px_no_figure_text_is_below_9_px(browser, server, site_dir):
    """Every page, every figure (the phone drawing where there is one); and the page does not scroll sideways."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    checked = 0
    for path in weigh.pages(site_dir):
        if path.startswith(weigh.PRINT):
            continue
        page = ctx.new_page()
        page.goto(f"{server}/{path}")
        page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        for fig in page.evaluate(FIGURES):
            if not fig["shown"]:
                continue
            text = (site_dir / urlparse(fig["src"]).path.lstrip("/")).read_text(encoding="utf-8")
            width_pt = svg.size_pt(text)[0]
            smallest = min(svg.text_sizes(text))
            shown_px = smallest * fig["width"] / width_pt  # pt are the SVG's user units
            assert shown_px >= svg.MIN_TEXT_PX - 0.05, (path, fig["src"], round(shown_px, 2))
            checked += 1
        page.close()
    ctx.close()
    assert checked >= 20


def test_at_390_px_a_paths_figure_uses_its_phone_drawing(browser, server):
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    page.goto(f"{server}/optimizers/adam/")
    img = page.locator("figure.qg-figure picture img").first
    img.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())
    assert "-narrow-" in img.evaluate("i => i.currentSrc")
    box = img.bounding_box()
    assert box["width"] <= 390 and box["height"] > box["width"]  # the panels one above the other
    SHOTS.mkdir(parents=True, exist_ok=True)
    img.screenshot(path=str(SHOTS / "figure-phone.png"))
    ctx.close()
