"""The answer normaliser (quizgen/quiz/static/normalize.js), run in node on ≥ 10,000 inputs:
valid forms of known numbers are accepted with their exact value, broken forms and garbage
are refused with a reason, and nothing throws."""

from __future__ import annotations

import json
import shutil
import subprocess
import unicodedata
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

JS = Path(__file__).resolve().parents[1] / "quizgen" / "quiz" / "static" / "normalize.js"
pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is installed by scripts/system-deps.sh")

FULLWIDTH = str.maketrans("0123456789.+-/", "０１２３４５６７８９．＋－／")
MINUSES = ["-", "\u2212", "ー", "－", "‐", "–"]


def parse_all(texts: list[str]) -> list[dict]:
    script = (f"const n=require({json.dumps(str(JS))});let d='';process.stdin.on('data',c=>d+=c);"
              "process.stdin.on('end',()=>{const out=JSON.parse(d).map(t=>{try{return n.parseAnswer(t)}"
              "catch(e){return {threw:String(e)}}});process.stdout.write(JSON.stringify(out))});")
    proc = subprocess.run(["node", "-e", script], input=json.dumps(texts), capture_output=True, text=True,
                          check=True)
    return json.loads(proc.stdout)


def decimal_text(x: Decimal) -> str:
    return format(x, "f")


def valid_forms(rng: np.random.Generator, x: Decimal) -> list[str]:
    """Ways a learner may type x (a decimal with ≤ 4 places)."""
    text = decimal_text(x)
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    minus = MINUSES[rng.integers(len(MINUSES))] if sign else ""
    forms = [text, minus + digits, (minus + digits).translate(FULLWIDTH), f" {minus} {digits} ",
             "\u3000" + minus + digits + "\u3000"]
    if "." in digits:
        intpart, frac = digits.split(".")
        if intpart == "0" or len(frac) != 3:
            forms.append(minus + digits.replace(".", ","))  # decimal comma
        if intpart == "0":
            forms.append(minus + "." + frac)  # .5
    intpart = digits.split(".")[0]
    if len(intpart) > 3:  # thousands separators, only with a decimal point or several groups
        grouped = f"{int(intpart):,}" + (digits[len(intpart):] if "." in digits else "")
        if "." in grouped or grouped.count(",") > 1:
            forms.append(minus + grouped)
    if x != 0:
        mant, exp = f"{x:e}".split("e")
        forms.append(f"{Decimal(mant).normalize()}e{int(exp)}")
        forms.append(f"{Decimal(mant).normalize()}×10^{int(exp)}")
    num, den = x.as_integer_ratio()
    if den <= 10000:
        forms.append(f"{num}/{den}")
    return forms


def broken_forms(text: str) -> list[str]:
    return [text + "a", "a" + text, text + "." + "5.5", "--" + text.lstrip("-"), text + "/", "/" + text,
            text + "e", text.replace(".", "..") if "." in text else text + "..1", f"<b>{text}</b>",
            text + "-1", "1" + "0" * 70, text + "%", text + "/0"]


GARBAGE = ["", "   ", "abc", "<script>alert(1)</script>", "&amp;", "]]>", "{{ x }}", "NaN", "Infinity", "-",
           ".", ",", "e5", "1e", "1/2/3", "１/０", "√2", "π", "0x10", "1_000", "null", "undefined", "ー", "−−1",
           "1,2,3", "1,23,4", "12,34.5", "x" * 10000, "9" * 400]


def test_valid_forms_are_accepted_with_their_value():
    rng = np.random.default_rng(20261123)
    cases: list[tuple[str, Decimal]] = []
    while len(cases) < 12000:
        places = int(rng.integers(0, 5))
        x = Decimal(int(rng.integers(-10**7, 10**7))).scaleb(-places)
        cases += [(f, x) for f in valid_forms(rng, x)]
    results = parse_all([f for f, _ in cases])
    bad = [(f, x, r) for (f, x), r in zip(cases, results) if not r.get("ok") or
           abs(r["value"] - float(x)) > 1e-12 * max(1.0, abs(float(x)))]
    assert not bad[:10], f"{len(bad)} valid forms refused or misread, e.g. {bad[:10]}"
    assert len(cases) >= 10000


def test_broken_forms_and_garbage_are_refused_without_throwing():
    rng = np.random.default_rng(7)
    texts = list(GARBAGE)
    while len(texts) < 10000:
        x = Decimal(int(rng.integers(-10**6, 10**6))).scaleb(-int(rng.integers(0, 4)))
        texts += broken_forms(decimal_text(x))
    results = parse_all(texts)
    assert not [r for r in results if "threw" in r]
    accepted = [(t, r) for t, r in zip(texts, results) if r.get("ok")]
    assert not accepted[:10], f"{len(accepted)} broken inputs accepted, e.g. {accepted[:10]}"
    for r in results:
        assert r["reason"] in ("empty", "invalid", "ambiguous", "too_long") and r["message"]


def test_ambiguous_comma_gets_a_gentle_message():
    (r,) = parse_all(["1,234"])
    assert r == {"ok": False, "reason": "ambiguous", "message": r["message"]} and "小数点" in r["message"]


def test_nfkc_is_what_browsers_use():
    assert unicodedata.normalize("NFKC", "－０．２８") == "-0.28"
    assert parse_all(["－０．２８"])[0] == {"ok": True, "value": -0.28, "decimals": 2}


def test_typed_decimals_are_reported_for_plain_decimals_only():
    """quiz.js uses ``decimals`` to tell "right value, too few digits" from a wrong answer."""
    texts = ["1.03", "１．０３０", "0,28", "1,234.5", "-3", ".5", "1/4", "1e-3", "2.5×10^-2", "ー０．１２３４"]
    got = [r.get("decimals") for r in parse_all(texts)]
    assert got == [2, 3, 2, 1, 0, 1, None, None, None, 4]


@pytest.mark.parametrize("text, value, decimals", [
    ("0。204", 0.204, 3), ("０。２０４", 0.204, 3), ("－０｡５", -0.5, 1),  # the IME's full stop as the decimal point
    ("2×10^{-3}", 0.002, None), ("2 × 10^(-3)", 0.002, None), ("10^-3", 0.001, None), ("10^{-3}", 0.001, None),
    ("-10^2", -100.0, None), ("2×10⁻³", 0.002, None), ("10⁻³", 0.001, None),  # superscripts: an exponent
    (" - 0.28 ", -0.28, 2), ("1 / 4", 0.25, None), ("0.204\n", 0.204, 3),  # spaces around a number or a sign
])
def test_more_ways_to_type_a_number(text, value, decimals):
    (r,) = parse_all([text])
    assert r == {"ok": True, "value": value, "decimals": decimals}, (text, r)


@pytest.mark.parametrize("text, reason", [
    ("1 2", "split"), ("3\n 2", "split"), ("0. 5", "split"), ("1 234", "split"), ("1, 5", "split"),
    ("³", "invalid"), ("1³", "invalid"), ("0.5²", "invalid"),  # a superscript is not a plain digit
    ("2×103", "invalid"),  # 10 and its exponent need a ^
    ("₂", "invalid"), ("①", "invalid"), ("½", "invalid"),  # digit-like signs NFKC would turn into digits
])
def test_numbers_split_by_spaces_and_digit_like_signs_are_refused(text, reason):
    (r,) = parse_all([text])
    assert not r["ok"] and r["reason"] == reason and r["message"], (text, r)
