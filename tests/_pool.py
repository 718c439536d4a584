"""Helpers of the browser tests: a quiz's variants as its widget reads them, a page opened with a log."""

from __future__ import annotations


def pool_variants(page, selector: str) -> list[dict]:
    return page.evaluate("""async (sel) => {
        const pool = await EshikakuQuiz.pool(document.querySelector(sel));
        const out = [];
        for (let i = 0; i < pool.length; i++) out.push(await pool.get(i));
        return out;
    }""", selector)


def open_logged(browser, server: str, path: str, width: int):
    """(context, page, log) for ``path`` at ``width`` px; ``log`` collects console errors and every host asked."""
    from urllib.parse import urlparse

    ctx = browser.new_context(viewport={"width": width, "height": 900})
    page = ctx.new_page()
    log = {"errors": [], "hosts": set()}
    page.on("console", lambda m: log["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log["errors"].append(str(e)))
    page.on("request", lambda r: log["hosts"].add(urlparse(r.url).hostname)
            if urlparse(r.url).scheme not in ("data", "blob") else None)
    page.goto(f"{server}/{path}", wait_until="load")
    return ctx, page, log
