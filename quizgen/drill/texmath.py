"""The project's LaTeX math → Typst math, for the printed drill sheets.

The questions carry their formulas as LaTeX for KaTeX (the site). Print needs Typst math, which is its own
syntax (``frac(a, b)``, ``hat(m)``, ``lr((…))``, ``\\`` for a line break). This module converts the subset of
LaTeX that the project writes: sympy's printer (``\\frac``, ``\\left(``, ``\\sqrt``, ``^{…}``, Greek letters …),
the rule and solution templates (``aligned``, ``gathered``, ``cases``, ``\\leftarrow``, ``\\times``) and the
families' stems. Anything else raises :class:`TexError` naming the command, so a new construct fails the test
that converts and compiles every formula a sheet can contain (tests/test_drill_typst.py), not a print run.

Why a converter of our own and not a general one: ``tex2typst`` (npm, or its PyPI wrapper that runs it in an
embedded QuickJS) was measured at 10 ms per formula, fails on ``gathered`` and prints ``\\mathrm{ave}`` as
``upright(a v e)``; pandoc is a 100 MB binary run per document. The subset here is small and fixed by our own
code, converts in microseconds and is checked in full (see the README's drill section).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


class TexError(ValueError):
    """A formula uses LaTeX this converter does not know (one line, naming the command)."""


# -- tables ------------------------------------------------------------------------------------------
GREEK = {name: name for name in (
    "alpha", "beta", "gamma", "delta", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu", "nu", "xi",
    "pi", "rho", "sigma", "tau", "upsilon", "chi", "psi", "omega",
    "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega")}
# LaTeX's \epsilon and \phi are the lunate/closed forms; \varepsilon and \varphi the open ones (as in KaTeX)
GREEK |= {"epsilon": "epsilon.alt", "varepsilon": "epsilon", "phi": "phi.alt", "varphi": "phi",
          "vartheta": "theta.alt", "varrho": "rho.alt", "varsigma": "sigma.alt", "varpi": "pi.alt",
          "varkappa": "kappa.alt"}

SYMBOLS = {
    "times": "times", "cdot": "dot.op", "cdots": "dots.c", "ldots": "dots.h", "dots": "dots.h", "vdots": "dots.v",
    "pm": "plus.minus", "mp": "minus.plus", "div": "div", "ast": "ast", "star": "star", "circ": "compose",
    "odot": "dot.o", "otimes": "times.o", "oplus": "plus.o",
    "leftarrow": "<-", "gets": "<-", "rightarrow": "->", "to": "->", "Rightarrow": "=>", "Leftarrow": "arrow.l.double",
    "leftrightarrow": "<->", "Leftrightarrow": "<=>", "mapsto": "|->", "implies": "==>", "iff": "<==>",
    "le": "<=", "leq": "<=", "ge": ">=", "geq": ">=", "ne": "!=", "neq": "!=", "approx": "approx",
    "simeq": "tilde.eq", "sim": "tilde.op", "equiv": "equiv", "propto": "prop", "ll": "<<", "gg": ">>",
    "in": "in", "notin": "in.not", "subset": "subset", "subseteq": "subset.eq", "cup": "union", "cap": "sect",
    "infty": "infinity", "nabla": "nabla", "partial": "partial", "forall": "forall", "exists": "exists",
    "emptyset": "emptyset", "top": "top", "bot": "bot", "perp": "perp", "prime": "prime", "ell": "ell",
    "sum": "sum", "prod": "product", "int": "integral",
    "lvert": "|", "rvert": "|", "vert": "|", "mid": "|", "lVert": "bar.v.double", "rVert": "bar.v.double",
    "|": "bar.v.double", "langle": "chevron.l", "rangle": "chevron.r", "lfloor": "floor.l", "rfloor": "floor.r",
    "lceil": "ceil.l", "rceil": "ceil.r", "square": "square.stroked", "Box": "square.stroked",
    "{": "\\{", "}": "\\}", "%": "%", "#": "\\#", "$": "\\$", "&": "\\&", "_": "\\_",
}
OPERATORS = {name: name for name in ("max", "min", "log", "ln", "exp", "sin", "cos", "tan", "lim", "sup", "inf",
                                     "det", "arg", "sgn")}
OPERATORS |= {"sign": 'op("sign")', "argmax": 'op("arg max", limits: #true)',
              "argmin": 'op("arg min", limits: #true)'}
SPACES = {",": "thin", ":": "med", ">": "med", ";": "thick", " ": "thick", "quad": "quad", "qquad": "wide",
          "!": "#h(-0.1667em)", "enspace": "#h(0.5em)"}
ACCENTS = {"hat": "hat", "widehat": "hat", "bar": "macron", "overline": "overline", "underline": "underline",
           "tilde": "tilde", "widetilde": "tilde", "vec": "arrow", "dot": "dot", "ddot": "dot.double",
           "check": "caron", "breve": "breve"}
STYLES = {"mathbf": "upright(bold({}))", "boldsymbol": "bold({})", "bm": "bold({})", "mathit": "italic({})",
          "mathsf": "sans({})", "mathcal": "cal({})", "mathbb": "bb({})", "mathfrak": "frak({})",
          "mathrm": "upright({})", "operatorname": 'op({})', "mathtt": "mono({})",
          "boxed": "#box(stroke: 0.5pt, inset: 2pt, ${}$)", "phantom": "#hide(${}$)"}
TEXT_COMMANDS = {"text": "{}", "textrm": "{}", "mbox": "{}", "textup": "{}", "textit": "italic({})",
                 "textbf": "bold({})", "texttt": "mono({})", "textsf": "sans({})"}
FRACTIONS = {"frac", "dfrac", "tfrac", "cfrac"}
DELIMITERS = {"(": "(", ")": ")", "[": "[", "]": "]", "|": "|", "\\{": "\\{", "\\}": "\\}", "\\|": "bar.v.double",
              "\\lvert": "|", "\\rvert": "|", "\\vert": "|", "\\lVert": "bar.v.double", "\\rVert": "bar.v.double",
              "\\langle": "chevron.l", "\\rangle": "chevron.r", "\\lfloor": "floor.l", "\\rfloor": "floor.r",
              "\\lceil": "ceil.l", "\\rceil": "ceil.r", "/": "\\/"}
ROWS = {"aligned", "align", "align*", "gathered", "gather", "gather*", "split"}
MATRICES = {"matrix": "#none", "pmatrix": '"("', "bmatrix": '"["', "vmatrix": '"|"', "Vmatrix": '"||"',
            "Bmatrix": '"{"'}
SIZES = {"big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "Biggl", "Biggr"}
# \lVert g \rVert is Typst's norm(g): a bare ‖ is spaced like a relation; unpaired they stay symbols
PAIRS = {"lVert": ("\\rVert", "norm"), "lvert": ("\\rvert", "abs"), "lceil": ("\\rceil", "ceil"),
         "lfloor": ("\\rfloor", "floor")}
STYLE_SIZES = {"textstyle": "inline", "displaystyle": "display"}  # the rest of the group in that size
IGNORED = {"limits", "nolimits", "nonumber", "notag", "relax"}
# ASCII characters that stand for themselves in Typst math when set apart by spaces
PLAIN = set("+-=<>|()[]!?.*'")
ESCAPE = {"/": "\\/", ",": "\\,", ";": "\\;", "#": "\\#", '"': '\\"', "@": "\\@", "~": "space.nobreak",
          ":": ":", "$": "\\$"}


# -- tokens --------------------------------------------------------------------------------------------
_TOKEN = re.compile(r"\\([A-Za-z]+\*?|.)|(\s+)|([0-9]+(?:\.[0-9]+)?)|(.)", re.S)


@dataclass(frozen=True)
class Tok:
    kind: str  # "cmd", "num", "char"
    text: str
    space_after: bool = False


def tokens(tex: str) -> list[Tok]:
    out: list[Tok] = []
    for m in _TOKEN.finditer(tex):
        cmd, space, num, char = m.groups()
        if space is not None:
            if out:
                out[-1] = Tok(out[-1].kind, out[-1].text, True)
        elif cmd is not None:
            out.append(Tok("cmd", cmd))
        elif num is not None:
            out.append(Tok("num", num))
        else:
            out.append(Tok("char", char))
    return out


# -- parser ----------------------------------------------------------------------------------------------
@dataclass
class Atom:
    code: str  # Typst math code
    simple: bool = True  # one token: can be a base or an attachment without parentheses


class _Parser:
    def __init__(self, tex: str):
        self.tex = tex
        self.toks = tokens(tex)
        self.i = 0

    def fail(self, what: str) -> TexError:
        shown = " ".join(self.tex.split())
        shown = shown if len(shown) <= 120 else shown[:117] + "…"
        return TexError(f"cannot print {what} in Typst (formula: {shown})")

    def peek(self) -> Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def next(self) -> Tok:
        tok = self.peek()
        if tok is None:
            raise self.fail("an unfinished formula")
        self.i += 1
        return tok

    # a sequence of atoms up to a closing token (not consumed)
    def sequence(self, stop: set[str], *, rows: bool = False) -> list[Atom]:
        atoms: list[Atom] = []
        while True:
            tok = self.peek()
            if tok is None or self._stops(tok, stop):
                return atoms
            if tok.kind == "char" and tok.text in "^_":
                self.i += 1
                self._attach(atoms, tok.text)
                continue
            if tok.kind == "char" and tok.text == "'":
                self.i += 1
                if not atoms:
                    raise self.fail("a prime without a base")
                atoms[-1] = Atom(atoms[-1].code + "'", atoms[-1].simple)
                continue
            if tok.kind == "cmd" and tok.text in STYLE_SIZES:
                self.i += 1
                rest = self.sequence(stop, rows=rows)
                if rest:
                    atoms.append(Atom(f"{STYLE_SIZES[tok.text]}({_arg(_join(rest))})", False))
                return atoms
            if not rows and ((tok.kind == "char" and tok.text == "&") or (tok.kind == "cmd" and tok.text == "\\")):
                raise self.fail("'&' or '\\\\' outside an aligned, gathered or cases block")
            atoms.append(self.atom())

    @staticmethod
    def _stops(tok: Tok, stop: set[str]) -> bool:
        key = ("\\" + tok.text) if tok.kind == "cmd" else tok.text
        return key in stop

    def _attach(self, atoms: list[Atom], first: str) -> None:
        if not atoms:
            atoms.append(Atom('""'))  # a script with no base: {}^{2}
        base = atoms.pop()
        scripts = {first: self.argument()}
        for mark in "^_":
            tok = self.peek()
            if mark not in scripts and tok is not None and tok.kind == "char" and tok.text == mark:
                self.i += 1
                scripts[mark] = self.argument()
        # scripts stay in the order written (convert() relies on numbers keeping their order)
        if base.simple:
            code = base.code
            for mark, arg in scripts.items():
                code += mark + (arg.code if arg.simple and not arg.code.startswith("-") else f"({_arg(arg.code)})")
            atoms.append(Atom(code, False))
        else:
            parts = [f"{'b' if mark == '_' else 't'}: {_arg(arg.code)}" for mark, arg in scripts.items()]
            atoms.append(Atom(f"attach({_arg(base.code)}, {', '.join(parts)})", False))

    def argument(self) -> Atom:
        """One argument of a command or script: ``{…}`` or a single token (``x^2``, ``\\frac12``)."""
        tok = self.peek()
        if tok is None:
            raise self.fail("a missing argument")
        if tok.kind == "char" and tok.text == "{":
            self.i += 1
            atoms = self.sequence({"}"})
            self.close("}")
            return _group(atoms)
        if tok.kind == "num":  # x^12 is x^1 followed by 2 in TeX
            self.i += 1
            if len(tok.text) > 1:
                self.toks.insert(self.i, Tok("num", tok.text[1:], tok.space_after))
            return Atom(tok.text[0])
        return self.atom()

    def close(self, text: str) -> None:
        tok = self.next()
        key = ("\\" + tok.text) if tok.kind == "cmd" else tok.text
        if key != text:
            raise self.fail(f"'{key}' where '{text}' was expected")

    def raw_group(self) -> str:
        """The text of a ``{…}`` argument as written (for \\text and friends)."""
        self.close("{")
        depth, out = 1, []
        while True:
            tok = self.next()
            if tok.kind == "char" and tok.text == "{":
                depth += 1
            elif tok.kind == "char" and tok.text == "}":
                depth -= 1
                if depth == 0:
                    return "".join(out)
            out.append(("\\" + tok.text) if tok.kind == "cmd" else tok.text)
            if tok.space_after:
                out.append(" ")

    def atom(self) -> Atom:
        tok = self.next()
        if tok.kind == "num":
            return Atom(tok.text)
        if tok.kind == "char":
            return self.char(tok.text)
        return self.command(tok.text)

    def char(self, c: str) -> Atom:
        if c == "{":
            atoms = self.sequence({"}"})
            self.close("}")
            return _group(atoms)
        if c == "}":
            raise self.fail("an unmatched '}'")
        if c == "&":
            return Atom("&")
        if c.isascii() and c.isalpha():
            return Atom(c)
        if c in PLAIN:
            return Atom(c)
        if c in ESCAPE:
            return Atom(ESCAPE[c])
        if c.isascii():
            raise self.fail(f"the character {c!r}")
        if c.isalpha() and not _is_single_symbol(c):
            # CJK text: a string (Typst reads a run of letters as a variable name)
            text = c
            while (tok := self.peek()) is not None and _is_cjk(tok) and not self.toks[self.i - 1].space_after:
                text += tok.text
                self.i += 1
            return Atom(_string(text))
        return Atom(c)

    def command(self, name: str) -> Atom:
        if name == "\\":
            return Atom("\\ ")
        if name in GREEK:
            return Atom(GREEK[name])
        if name in PAIRS:
            paired = self.paired(name)
            if paired is not None:
                return paired
        if name in SYMBOLS:
            return Atom(SYMBOLS[name])
        if name in OPERATORS:
            return Atom(OPERATORS[name])
        if name in SPACES:
            return Atom(SPACES[name])
        if name in IGNORED:
            return Atom("")
        if name in FRACTIONS:
            num, den = self.argument(), self.argument()
            return Atom(f"frac({_arg(num.code)}, {_arg(den.code)})")
        if name == "binom":
            top, bottom = self.argument(), self.argument()
            return Atom(f"binom({_arg(top.code)}, {_arg(bottom.code)})")
        if name == "sqrt":
            index = self.optional()
            body = self.argument()
            if index is not None:
                return Atom(f"root({_arg(index)}, {_arg(body.code)})")
            return Atom(f"sqrt({_arg(body.code)})")
        if name in ACCENTS:
            return Atom(f"{ACCENTS[name]}({_arg(self.argument().code)})")
        if name in TEXT_COMMANDS:
            return Atom(TEXT_COMMANDS[name].format(_string(self.raw_group())))
        if name in STYLES:
            return Atom(STYLES[name].format(self.styled(name)))
        if name == "left":
            return self.delimited()
        if name in SIZES:
            return Atom(self.delimiter())
        if name == "begin":
            return self.environment()
        raise self.fail(f"the command \\{name}")

    def paired(self, name: str) -> Atom | None:
        """``\\lVert … \\rVert`` as ``norm(…)`` (and abs, ceil, floor); None when the closing one is missing."""
        closing, function = PAIRS[name]
        save = self.i
        try:
            atoms = self.sequence({closing})
            self.close(closing)
        except TexError:
            self.i = save
            return None
        return Atom(f"{function}({_arg(_join(atoms))})")

    def styled(self, name: str) -> str:
        """The argument of \\mathrm and friends: a plain word is text, anything else is math."""
        tok = self.peek()
        if tok is not None and tok.kind == "char" and tok.text == "{":
            save = self.i
            raw = self.raw_group()
            if re.fullmatch(r"[A-Za-z0-9 ]+", raw) and (len(raw.strip()) > 1 or name == "operatorname"):
                return _string(raw.strip())
            self.i = save
        return _arg(self.argument().code)

    def optional(self) -> str | None:
        tok = self.peek()
        if tok is None or tok.kind != "char" or tok.text != "[":
            return None
        self.i += 1
        atoms = self.sequence({"]"})
        self.close("]")
        return _join(atoms)

    def delimiter(self) -> str:
        tok = self.next()
        key = ("\\" + tok.text) if tok.kind == "cmd" else tok.text
        if key == ".":
            return ""
        if key not in DELIMITERS:
            raise self.fail(f"the delimiter {key!r}")
        return DELIMITERS[key]

    def delimited(self) -> Atom:
        opening = self.delimiter()
        atoms = self.sequence({"\\right"})
        self.close("\\right")
        closing = self.delimiter()
        if not opening or not closing:
            raise self.fail("a one-sided \\left. … \\right delimiter")
        return Atom(f"lr({opening} {_join(atoms)} {closing})")

    def environment(self) -> Atom:
        name = self.raw_group().strip()
        if name not in ROWS and name not in MATRICES and name != "cases":
            raise self.fail(f"the environment {name!r}")
        rows: list[list[list[Atom]]] = [[[]]]
        while True:
            tok = self.peek()
            if tok is None:
                raise self.fail(f"an unclosed {name!r}")
            if tok.kind == "cmd" and tok.text == "end":
                self.i += 1
                if self.raw_group().strip() != name:
                    raise self.fail(f"a mismatched \\end of {name!r}")
                break
            if tok.kind == "cmd" and tok.text == "\\":
                self.i += 1
                rows.append([[]])
                continue
            if tok.kind == "char" and tok.text == "&":
                self.i += 1
                rows[-1].append([])
                continue
            rows[-1][-1].extend(self.sequence({"\\\\", "&", "\\end"}, rows=True))
        if rows[-1] == [[]]:
            rows.pop()  # a trailing \\
        if name in MATRICES or name == "cases":
            body = "; ".join(", ".join(_arg(_join(c)) for c in row) for row in rows) if name in MATRICES else \
                ", ".join(" & ".join(_join(c) for c in row) for row in rows)
            if name == "cases":
                return Atom(f"cases({body})", False)
            return Atom(f"mat(delim: {MATRICES[name]}, {body})", False)
        if name.startswith("gather"):  # one alignment point at the start of every line: lines set flush left
            return Atom(ROW_MARK + " \\ ".join("& " + " ".join(_join(c) for c in row) for row in rows), False)
        return Atom(ROW_MARK + " \\ ".join(" & ".join(_join(c) for c in row) for row in rows), False)


ROW_MARK = "\x00rows\x00"  # marks lines of an aligned/gathered block (must be the whole formula)


def _group(atoms: list[Atom]) -> Atom:
    if len(atoms) == 1:
        return atoms[0]
    return Atom(_join(atoms), simple=False)


def _join(atoms: list[Atom]) -> str:
    return " ".join(a.code for a in atoms if a.code)


def _arg(code: str) -> str:
    """Code placed inside a function call's parentheses."""
    if ROW_MARK in code:
        raise TexError("an aligned or gathered block can only be a whole formula")
    return code if code.strip() else '""'


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _is_cjk(tok: Tok) -> bool:
    return tok.kind == "char" and not tok.text.isascii() and tok.text.isalpha() and not _is_single_symbol(tok.text)


def _is_single_symbol(c: str) -> bool:
    """Greek and other letters Typst shows as themselves (not CJK)."""
    return "\u0370" <= c <= "\u03ff" or "\u1d00" <= c <= "\u1dbf"


@lru_cache(maxsize=4096)
def _convert_shape(tex: str) -> tuple[str, bool]:
    p = _Parser(tex)
    atoms = p.sequence(set())
    if p.peek() is not None:
        raise p.fail(f"an unexpected '{p.peek().text}'")
    code = _join(atoms)
    multiline = ROW_MARK in code
    if multiline:
        if len(atoms) != 1 or not code.startswith(ROW_MARK):
            raise p.fail("an aligned or gathered block that is not the whole formula")
        code = code.replace(ROW_MARK, "")
    return code, multiline


_NUMBER = re.compile(r"(?<![A-Za-z\\])\d+(?:\.\d+)?")


def convert(tex: str) -> tuple[str, bool]:
    """``(typst_math, multiline)`` for one LaTeX formula; ``multiline``: its lines must be set as a block.

    Formulas that differ only in their plain numbers (the worked solutions) share one parse: the numbers are
    swapped for placeholders, the shape is converted once (cached), and the numbers put back."""
    numbers = _NUMBER.findall(tex)
    if not numbers or _BARE_SCRIPT.search(tex):
        return _convert_shape(tex)
    shape = _NUMBER.sub("0", tex)
    code, multiline = _convert_shape(shape)
    it = iter(numbers)
    try:
        out = _ZERO.sub(lambda m: next(it), code)
    except StopIteration:  # the shape reordered its numbers (cannot happen for plain tokens): parse directly
        return _convert_shape(tex)
    return (out, multiline) if next(it, None) is None else _convert_shape(tex)


_BARE_SCRIPT = re.compile(r"[\^_]\d\d")  # x^12 is x^1 followed by 2 in TeX: not a plain number
_ZERO = re.compile(r"(?<![A-Za-z\\.\d])0(?![.\d])")


FIT_CHARS = 70  # a display line longer than this (in Typst source) may be wider than the column


def to_typst(tex: str, *, block: bool = False) -> str:
    """A whole Typst equation: ``$x$`` inline, ``$ x $`` as a block (multi-line formulas are always blocks).
    A block with a long line is wrapped in ``#fit(…)`` (drill.typ: scaled down if wider than the column)."""
    code, multiline = convert(tex)
    if not (block or multiline):
        # Typst sets inline cases in script size (a choice's 'if c > √…' came out tiny and unspaced): display
        return f"$display({code})$" if "cases(" in code else f"${code}$"
    if max(len(line) for line in code.split(" \\ ")) > FIT_CHARS:
        return f"#fit($ {code} $)"
    return f"$ {code} $"
