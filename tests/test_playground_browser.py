"""The playground (遊び場, quizgen/site/playground.py and static/playground.js) in headless Chromium: what it draws is
what the reference classes produced at build time, it works with the keyboard alone, on a 390 px phone, in dark
mode, offline, and each optimizer page opens it with that optimizer selected."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from quizgen.site import playground as G

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "artifacts" / "screenshots"

pytestmark = pytest.mark.browser


def _page(browser, server, query: str = "", **ctx_args):
    ctx = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **ctx_args})
    page = ctx.new_page()
    log = {"errors": [], "hosts": set()}
    page.on("console", lambda m: m.type == "error" and log["errors"].append(m.text))
    page.on("pageerror", lambda e: log["errors"].append(str(e)))
    page.on("request", lambda r: log["hosts"].add(urlparse(r.url).hostname))
    page.goto(f"{server}/playground/{query}")
    page.wait_for_selector(".qg-play[data-ready='1']")
    page.wait_for_selector(".qg-play-side-a[data-run]:not([data-loading])")
    page.wait_for_selector(".qg-play-side-b[data-run]:not([data-loading])")
    return ctx, page, log


def _manifest(site_dir: Path) -> dict:
    html = (site_dir / "playground" / "index.html").read_text(encoding="utf-8")
    rel = re.search(r'class="qg-play" data-manifest="([^"]+)"', html).group(1)
    return json.loads((site_dir / "playground" / rel).resolve().read_text(encoding="utf-8"))


def _drawn(page, side: str) -> tuple[str, list[tuple[float, float]]]:
    box = page.locator(f".qg-play-side-{side}")
    run = box.get_attribute("data-run")
    points = box.locator("polyline").get_attribute("points")
    return run, [tuple(float(v) for v in p.split(",")) for p in points.split()]


def _check_drawn(site_dir: Path, man: dict, run: str, drawn: list[tuple[float, float]]) -> dict:
    """The drawn polyline is the build's data for that grid point, and that data is the reference class's run."""
    problem, start, key, i_lr, i_h = run.split("/")
    prob = next(p for p in man["problems"] if p["key"] == problem)
    data = json.loads((site_dir / man["files"][f"{problem}/{start}/{key}"]).read_text(encoding="utf-8"))
    got = data["runs"][int(i_lr)][int(i_h)]
    v = prob["view"]
    assert len(drawn) == len(got["x"])
    for (sx, sy), x, y in zip(drawn, got["x"], got["y"], strict=True):
        assert sx == pytest.approx(v["x0"] + v["sx"] * x, abs=1e-6)
        assert sy == pytest.approx(v["y0"] + v["sy"] * y, abs=1e-6)
    # executed again here, by the reference class, at that grid point
    opt = next(o for o in man["optimizers"] if o["key"] == key)
    lr = prob["lr"][key][int(i_lr)]
    h = opt["hyper"]["values"][int(i_h)]
    kwargs = {**({"lr": lr} if lr is not None else {}), **({opt["hyper"]["arg"]: h} if opt["hyper"]["arg"] else {})}
    fresh = G.execute(problem, tuple(prob["starts"][int(start)]), key, kwargs, prob["steps"])
    assert got["x"] == pytest.approx(fresh["x"], rel=1e-5, abs=1e-9)
    assert got["y"] == pytest.approx(fresh["y"], rel=1e-5, abs=1e-9)
    assert (got["converged"], got["diverged"]) == (fresh["converged"], fresh["diverged"])
    return got


def _shown_number(text: str) -> float:
    return float(text.replace("−", "-"))


def test_a_slider_draws_the_path_the_reference_class_produced(browser, server, site_dir):
    man = _manifest(site_dir)
    ctx, page, log = _page(browser, server, "?a=momentum&b=adam")
    before, drawn = _drawn(page, "a")
    assert before.startswith("bowl/0/momentum/")
    _check_drawn(site_dir, man, before, drawn)
    lr = page.locator(".qg-play-side-a .qg-play-lr")
    lr.focus()
    page.keyboard.press("ArrowRight")
    after, drawn = _drawn(page, "a")
    assert after != before and after.split("/")[3] == str(int(before.split("/")[3]) + 1)
    got = _check_drawn(site_dir, man, after, drawn)
    # the numbers beside it come from the same run
    final = page.locator(".qg-play-side-a .qg-play-final").inner_text()
    assert _shown_number(final) == pytest.approx(got["final"], rel=1e-3)
    verdict = page.locator(".qg-play-side-a .qg-play-verdict").inner_text()
    if got["diverged"] is not None:
        assert verdict.startswith("発散") and str(got["diverged"]) in verdict
    elif got["converged"] is not None:
        assert f"ステップ {got['converged']} で収束" == verdict
    else:
        assert "収束せず" in verdict
    # the slider shows the grid's value, and End goes to the last one (it snaps: only grid values)
    lrs = next(p for p in man["problems"] if p["key"] == "bowl")["lr"]["momentum"]
    page.keyboard.press("End")
    assert page.locator(".qg-play-side-a .qg-play-lr + output").inner_text() == f"{lrs[-1]:g}"
    run, drawn = _drawn(page, "a")
    got = _check_drawn(site_dir, man, run, drawn)
    # the loss curve of side a has one vertex per received loss
    curve = page.locator(".qg-play-loss polyline.qg-play-run-a").get_attribute("points").split()
    assert len(curve) == len(got["loss"])
    assert log["errors"] == [] and log["hosts"] == {"127.0.0.1"}
    ctx.close()


def test_a_diverging_run_stops_and_says_so(browser, server, site_dir):
    man = _manifest(site_dir)
    ctx, page, _ = _page(browser, server, "?a=sgd&b=momentum&p=ravine")
    page.locator(".qg-play-side-a .qg-play-lr").focus()
    page.keyboard.press("End")  # 10 × the ravine's SGD rate: beyond 2 / curvature
    run, drawn = _drawn(page, "a")
    got = _check_drawn(site_dir, man, run, drawn)
    assert got["diverged"] is not None and len(drawn) == got["diverged"]
    verdict = page.locator(".qg-play-side-a .qg-play-verdict").inner_text()
    assert verdict == f"発散（ステップ {got['diverged']} で範囲外）"
    ctx.close()


def test_keyboard_alone(browser, server, site_dir):
    """Tab reaches every control in order; arrow keys change the selects and the sliders."""
    man = _manifest(site_dir)
    ctx, page, _ = _page(browser, server)
    # SGD (no α) beside Momentum: the hidden row keeps its place, the two figures are level
    tops = [page.locator(f".qg-play-side-{s} .qg-play-fig").bounding_box()["y"] for s in "ab"]
    assert abs(tops[0] - tops[1]) < 1, tops
    page.locator(".qg-play").evaluate("e => e.scrollIntoView()")
    page.locator("h1").first.click()  # start from the page's text, then only keys
    order = []
    for _ in range(80):
        page.keyboard.press("Tab")
        here = page.evaluate("""() => { const e = document.activeElement, s = e.closest('[data-side]');
            return e.closest('.qg-play') ? (s ? s.dataset.side + ':' : '') + e.classList[0] : null; }""")
        if here:
            order.append(here)
        elif order:
            break  # left the playground
    # SGD (left) has no α, ρ or β₁: its slider is hidden and not reached; Momentum (right) has α
    assert order == ["qg-play-problem", "qg-play-start", "a:qg-play-opt", "a:qg-play-lr",
                     "b:qg-play-opt", "b:qg-play-lr", "b:qg-play-hyper"], order
    select = page.locator(".qg-play-problem")
    select.focus()
    page.keyboard.press("ArrowDown")  # the next surface
    page.wait_for_selector(".qg-play-side-a[data-run^='ravine/']:not([data-loading])")
    page.keyboard.press("Tab")  # the start
    page.keyboard.press("ArrowDown")
    page.wait_for_selector(".qg-play-side-a[data-run^='ravine/1/']:not([data-loading])")
    page.keyboard.press("Tab")  # side a's optimizer
    page.keyboard.press("ArrowDown")  # SGD → Momentum
    page.wait_for_selector(".qg-play-side-a[data-run^='ravine/1/momentum/']:not([data-loading])")
    page.keyboard.press("Tab")  # its learning rate
    page.keyboard.press("Home")
    page.keyboard.press("Tab")  # its α
    page.keyboard.press("ArrowLeft")
    run, drawn = _drawn(page, "a")
    assert run == "ravine/1/momentum/0/1"  # α: 0.9 (the default, index 2) → 0.8
    _check_drawn(site_dir, man, run, drawn)
    assert "a=momentum" in page.url and "p=ravine" in page.url and "s=1" in page.url
    ctx.close()


def test_each_optimizer_page_opens_it_with_that_optimizer(browser, server, site_dir):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.goto(f"{server}/optimizers/adam/")
    page.locator("a.qg-play-link").click()
    page.wait_for_selector(".qg-play-side-a[data-run]:not([data-loading])")
    assert page.locator(".qg-play-side-a[data-run^='bowl/0/adam/']").count() == 1
    assert page.locator(".qg-play-side-a .qg-play-opt option:checked").inner_text() == "Adam"
    ctx.close()
    for path in sorted((site_dir / "optimizers").glob("*/index.html")):
        key = path.parent.name
        html = path.read_text(encoding="utf-8")
        assert f'playground/?a={key}"' in html, key


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_phone_and_dark_mode(browser, server, scheme):
    """At 390 px nothing scrolls sideways, the two panels stack, and every text of the loss chart is ≥ 9 px; in dark
    mode the paths take the dark palette and the background SVG its dark colours."""
    ctx, page, _ = _page(browser, server, "?a=momentum&b=adam", viewport={"width": 390, "height": 844})
    if scheme == "dark":
        page.locator("form[data-md-component=palette] label:visible").first.click()
        assert page.get_attribute("body", "data-md-color-scheme") == "slate"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    a, b = (page.locator(f".qg-play-side-{s}").bounding_box() for s in "ab")
    assert b["y"] >= a["y"] + a["height"] - 1  # stacked
    smallest = page.evaluate("""() => Math.min(...[...document.querySelectorAll('.qg-play-loss text')]
        .map(t => t.getBoundingClientRect().height))""")
    assert smallest >= 9
    # (the background SVG's own text is checked with every figure of the site by test_site_figures)
    stroke = page.locator(".qg-play-side-a polyline").evaluate("e => getComputedStyle(e).stroke")
    assert stroke == ("rgb(90, 169, 230)" if scheme == "dark" else "rgb(31, 119, 180)")
    page.wait_for_function("() => [...document.querySelectorAll('.qg-play-bg')]"
                           ".every(i => i.complete && i.naturalWidth)")
    scheme_of_img = page.locator(".qg-play-bg").first.evaluate("e => getComputedStyle(e).colorScheme")
    assert scheme_of_img == ("dark" if scheme == "dark" else "light")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".qg-play").screenshot(path=str(SHOTS / f"playground-390-{scheme}.png"))
    ctx.close()
