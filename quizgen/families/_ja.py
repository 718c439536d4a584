r"""Joining Japanese text with Latin words, numbers and math as the project writes it: one space between
Japanese and a Latin letter, a digit or ``$math$`` (「Adam の」「0.2 倍」「$\eta$ に」), none between Japanese
and Japanese, and none next to Japanese punctuation (「、」「。」「（」).

>>> join("学習率 $x$", "の", "0.2 倍")
'学習率 $x$ の 0.2 倍'
>>> join("モーメンタム", "の更新")
'モーメンタムの更新'
"""

from __future__ import annotations

PUNCTUATION = set("、。，．・：；！？「」『』（）［］【】〈〉《》…―ー　 ")


def _latin(ch: str) -> bool:
    return ch.isascii() and not ch.isspace()


def _japanese(ch: str) -> bool:
    return not ch.isascii() and ch not in PUNCTUATION


def join(*parts: str) -> str:
    """The parts in order, with a space where Japanese meets Latin text, digits or math."""
    out = ""
    for p in parts:
        if not p:
            continue
        if out and ((_latin(out[-1]) and _japanese(p[0])) or (_japanese(out[-1]) and _latin(p[0]))):
            out += " "
        out += p
    return out
