"""Checks of Japanese a learner reads (exam stems), each defined precisely.

The checks look at the prose only: display math ($$…$$), inline math ($…$), code blocks (```…```) and code
spans (`…`) are replaced by a placeholder letter first, since brackets and spaces inside them are notation.

- **Nested bracket**: a round bracket, full-width （ or half-width (, opened while another round bracket is
  still open (「$m$（1 次モーメント（勾配の指数移動平均））」). Brackets of other kinds (『』「」) may stand inside.
- **Katakana reading after a name**: a Latin name followed by a bracket holding only katakana, two or more
  (「RMSprop（アールエムエスプロップ）」, not a blank's label 「$x$（ア）」), or a katakana word followed by a bracket
  holding only its Latin name, two or more letters (「モーメンタム (Momentum)」, not 「クリッピング（$x$）」).
- **Stray space**: a half-width space after a Japanese character (kana, kanji, full-width punctuation or
  bracket) and before a particle (「法 の」「） の」), or right after 、 or 。
"""

from __future__ import annotations

import re

_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]*\$|```.*?```|`[^`\n]*`", re.S)
_JA = "\u3040-\u30ff\u3400-\u9fff\uff00-\uffef\u3000-\u303f"
PARTICLES = "のをにはがでともへやより"


def prose(text: str) -> str:
    """``text`` with math and code replaced by the letter X."""
    return _MATH.sub("X", text)


def nested_brackets(text: str) -> list[str]:
    out, depth, start = [], 0, 0
    t = prose(text)
    for i, ch in enumerate(t):
        if ch in "（(":
            if depth == 0:
                start = i
            depth += 1
            if depth == 2:
                out.append(t[start:i + 20])
        elif ch in "）)":
            depth = max(0, depth - 1)
    return out


# A reading has two or more kana (a lone （ア） is a blank's label) and a Latin name two or more letters (a lone X
# is math replaced by prose()).
_READING = re.compile(r"[A-Za-z][\w.+-]*\s*[（(]\s*[\u30a0-\u30ffー][\u30a0-\u30ff・ー\s]*[\u30a0-\u30ffー]\s*[）)]"
                      r"|[\u30a0-\u30ffー]{2,}\s*[（(][A-Za-z][A-Za-z .,-]+[）)]")


def katakana_readings(text: str) -> list[str]:
    return _READING.findall(prose(text))


_STRAY = re.compile(rf"[{_JA}] +[{PARTICLES}]|[、。] ")


def stray_spaces(text: str) -> list[str]:
    t = prose(text)
    return [t[max(0, m.start() - 8):m.end() + 8] for m in _STRAY.finditer(t)]


def problems(text: str) -> dict[str, list[str]]:
    found = {"nested bracket": nested_brackets(text), "katakana reading": katakana_readings(text),
             "stray space": stray_spaces(text)}
    return {k: v for k, v in found.items() if v}
