"""A quiz's variants as its widget reads them in the page (one gzip JSON file per variant, fetched by quiz.js)."""

from __future__ import annotations


def pool_variants(page, selector: str) -> list[dict]:
    return page.evaluate("""async (sel) => {
        const pool = await EshikakuQuiz.pool(document.querySelector(sel));
        const out = [];
        for (let i = 0; i < pool.length; i++) out.push(await pool.get(i));
        return out;
    }""", selector)
