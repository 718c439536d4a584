"""TeX → Unicode text for the terminal: the one printer of ``quizgen show``, ``questions`` and ``families``
for rules, stems, choices and worked solutions.

``to_text(r"W \\leftarrow W - \\frac{\\eta g}{\\sqrt{h} + \\varepsilon}")`` → ``W ← W - ηg/(√h + ε)``;
``markdown(stem)`` does the same for every ``$…$`` and ``$$…$$`` of a Markdown text.

Why a printer of our own (measured on the 528 formulas of every rule and of 6 questions per family):
pylatexenc's ``latex2text`` writes ``\\frac{m}{1 - \\beta_1^{t}}`` as ``m/1 - β_1^t`` (another formula: its
fractions lose their brackets) and leaves ``^``/``_`` as they are; flatlatex brackets fractions but leaves
``\\left``, ``\\max``, ``\\text`` and every environment as raw TeX (184 of the 528); sympy's pretty printer
takes sympy expressions, not the TeX of a worked step with its numbers or of a stem, and draws over several
lines, which does not fit a table cell or a sentence. The TeX the project writes is a small subset (sympy's
``latex()`` and the families' templates); this prints all of it, 528 formulas in about 30 ms.

Rules: a fraction is ``a/b`` with brackets around a side that is not a single term; ``\\sqrt{x}`` is ``√x``
or ``√(…)``; a script is written with Unicode super/subscripts when every character has one (``β₁ᵗ``,
``10⁻⁵``), else ``^(…)``/``_(…)``; source spaces are dropped (TeX ignores them in math) and binary operators
get one space on each side; environments print a row per line (``cases`` as ``{ a  if …; b  otherwise }``).
A command with no Unicode form is kept as it is (``strict=True`` raises instead: the tests print every rule
and stem of every registry that way, so a macro added later cannot reach a terminal as raw TeX).
"""

from __future__ import annotations

import re

GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "rho": "ρ", "varrho": "ϱ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "φ",
    "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ",
    "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}
SYMBOLS = {
    "leftarrow": "←", "gets": "←", "rightarrow": "→", "to": "→", "Rightarrow": "⇒", "Leftrightarrow": "⇔",
    "times": "×", "cdot": "·", "div": "÷", "pm": "±", "mp": "∓", "odot": "⊙", "circ": "∘",
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "neq": "≠", "ne": "≠", "approx": "≈", "equiv": "≡",
    "sim": "∼", "propto": "∝", "ll": "≪", "gg": "≫", "in": "∈", "infty": "∞", "nabla": "∇", "partial": "∂",
    "sum": "Σ", "prod": "Π", "ldots": "…", "cdots": "⋯", "dots": "…", "lvert": "|", "rvert": "|", "vert": "|",
    "mid": "|", "lVert": "‖", "rVert": "‖", "Vert": "‖", "langle": "⟨", "rangle": "⟩", "forall": "∀",
    "exists": "∃", "prime": "′", "lbrace": "{", "rbrace": "}", "lceil": "⌈", "rceil": "⌉", "lfloor": "⌊",
    "rfloor": "⌋", "top": "⊤",
}
FUNCTIONS = ("max", "min", "log", "ln", "exp", "sin", "cos", "tan", "tanh", "arg", "lim", "sup", "inf",
             "sign", "sgn", "det", "dim")
SPACES = {",": " ", ":": " ", ";": " ", " ": " ", "!": "", "quad": "  ", "qquad": "    "}
STYLES = ("displaystyle", "textstyle", "scriptstyle", "scriptscriptstyle")  # sizes only: dropped
MATRICES = {"pmatrix": "()", "bmatrix": "[]", "vmatrix": "||", "matrix": "  "}
ACCENTS = {"hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0304", "tilde": "\u0303",
           "widetilde": "\u0303", "dot": "\u0307", "ddot": "\u0308", "vec": "\u20d7"}
TEXT = ("text", "mathrm", "textrm", "operatorname", "mathit", "mathbf", "boldsymbol", "mathsf", "mathtt",
        "textbf", "textit", "mathcal", "mathbb", "mbox")
ESCAPED = {"%": "%", "$": "$", "#": "#", "&": "&", "_": "_", "{": "{", "}": "}", "|": "‖"}
SUP = dict(zip("0123456789+-−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUWβγδθιφχ⊤",
               "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁᵂᵝᵞᵟᶿᶥᵠᵡᵀ"))
SUB = dict(zip("0123456789+-−=()aehijklmnoprstuvxβγρφχ", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ"))
BINARY = set("+-=<>←→×·÷±∓⊙≤≥≠≈≡∝⇒⇔∈")
OPEN = set("([{⟨|‖,;") | BINARY
TOKEN = re.compile(r"\\([A-Za-z]+)|\\(.)|([{}^_&])|(\s+)|(.)", re.S)


class TexError(ValueError):
    """TeX this printer has no Unicode form for (raised only with ``strict=True``)."""


def _tokens(tex: str) -> list[tuple[str, str]]:
    out = []
    for word, symbol, special, space, char in TOKEN.findall(tex):
        if word:
            out.append(("cmd", word))
        elif symbol:
            out.append(("sym", symbol))
        elif special:
            out.append((special, special))
        elif space:
            out.append(("space", " "))
        else:
            out.append(("char", char))
    return out


class _Printer:
    def __init__(self, tex: str, strict: bool):
        self.tex, self.strict = tex, strict
        self.toks = _tokens(tex)
        self.i = 0

    def fail(self, what: str) -> str:
        if self.strict:
            raise TexError(f"no Unicode form for {what} in {self.tex!r}")
        return what

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def skip_spaces(self) -> None:
        while self.peek() and self.peek()[0] == "space":
            self.i += 1

    def raw_group(self) -> str:
        """The characters of the next ``{…}`` as they are (the argument of ``\\text``, ``\\begin``)."""
        self.skip_spaces()
        if not self.peek() or self.peek()[0] != "{":
            return self.take()[1] if self.peek() else ""
        self.take()
        depth, out = 1, []
        while self.peek():
            kind, value = self.take()
            if kind == "{":
                depth += 1
            elif kind == "}":
                depth -= 1
                if depth == 0:
                    break
            if kind == "cmd":
                out.append(SPACES.get(value, "\\" + value))
            elif kind == "sym":
                out.append(SPACES.get(value, ESCAPED.get(value, value)))
            else:
                out.append(value)
        return "".join(out)

    def arg(self) -> str:
        """The next argument: a ``{group}`` or a single token (``\\frac12``, ``x^2``, ``\\sqrt\\eta``)."""
        self.skip_spaces()
        tok = self.peek()
        if tok is None:
            return ""
        if tok[0] == "{":
            self.take()
            return self.seq(("}",))
        return self.seq((), one=True)

    def seq(self, stop: tuple[str, ...], one: bool = False, env: str = "") -> str:
        """Render tokens until a closing token in ``stop`` (taken) or the end; ``one``: a single item."""
        out = Out()
        while self.peek():
            kind, value = self.peek()
            if kind == "}" and "}" in stop:
                self.take()
                break
            if kind == "cmd" and value in ("end", "right") and value in stop:
                break
            self.take()
            if kind == "space":
                continue
            if kind == "{":
                out.atom(self.seq(("}",)))
            elif kind == "}":
                out.atom(self.fail("}"))
            elif kind in ("^", "_"):
                out.script(self.arg(), kind, self.fail)
            elif kind == "&":
                if env == "matrix":
                    out.char(",")
                else:
                    out.raw("  " if env == "cases" else "")
            elif kind == "char":
                out.char(value)
            elif kind == "sym":
                self.symbol(value, out, env)
            else:
                self.command(value, out)
            if one:
                break
        return out.text()

    def symbol(self, value: str, out: Out, env: str) -> None:
        if value == "\\":
            if env == "matrix":
                out.char(";")
            else:
                out.raw("; " if env == "cases" else "\n")
        elif value in SPACES:
            out.space(SPACES[value])
        elif value in ESCAPED:
            out.char(ESCAPED[value])
        else:
            out.atom(self.fail("\\" + value))

    def command(self, name: str, out: Out) -> None:
        if name in GREEK:
            out.char(GREEK[name])
        elif name in ("rvert", "rVert"):
            out.close(SYMBOLS[name])
        elif name in SYMBOLS:
            out.char(SYMBOLS[name])
        elif name in FUNCTIONS:
            out.word(name)
        elif name in SPACES:
            out.space(SPACES[name])
        elif name in STYLES:
            pass
        elif name in ("frac", "dfrac", "tfrac"):
            num, den = self.arg(), self.arg()
            out.atom(f"{bracket(num, product=True)}/{bracket(den)}")
        elif name == "sqrt":
            out.atom("√" + bracket(self.arg()))
        elif name in ACCENTS:
            body = self.arg()
            out.atom(body + ACCENTS[name] if len(body) == 1 else f"({body}){ACCENTS[name]}")
        elif name in TEXT:
            if name.startswith("text") or name in ("mbox", "mathrm", "operatorname"):
                out.word(self.raw_group() if name.startswith("text") or name == "mbox" else self.arg())
            else:  # a letter in another font (\boldsymbol{w}) is a symbol like any other
                out.atom(self.arg())
        elif name in ("left", "right", "big", "Big", "bigl", "bigr", "Bigl", "Bigr"):
            self.skip_spaces()
            kind, value = self.take() if self.peek() else ("char", "")
            delim = "" if value == "." else (SYMBOLS.get(value, ESCAPED.get(value, value)) if kind != "char" else value)
            if name == "left":
                out.char(delim)
                out.atom(self.seq(("right",)))
            elif name in ("right", "bigr", "Bigr"):
                out.close(delim)
            else:
                out.char(delim)
        elif name == "begin":
            env = self.raw_group()
            if env in ("array", "tabular"):
                self.raw_group()  # column spec
            kind = env if env == "cases" else "matrix" if env in MATRICES else "rows"
            body = self.seq(("end",), env=kind)
            if self.peek():
                self.take()
                self.raw_group()
            if env in MATRICES:  # inline, rows separated by ;: (2, 0.5; 0.5, 1)
                body = (MATRICES[env][0] + body.strip().rstrip(";").strip() + MATRICES[env][1]).strip()
            out.atom(f"{{ {body} }}" if env == "cases" else body)
        elif name == "end":
            self.raw_group()
        else:
            out.atom(self.fail("\\" + name) + " ")


class Out:
    """The text being written, with the spacing rule: source spaces dropped, binary operators spaced."""

    def __init__(self):
        self.parts: list[str] = []
        self.closed_at = -1  # len(parts) right after a closing |, ‖ (then + is binary, not a sign)

    def text(self) -> str:
        text = re.sub(" {3,}", "  ", "".join(self.parts))
        return "\n".join(line.strip(" ") for line in text.split("\n"))

    def last(self) -> str:
        joined = "".join(self.parts).rstrip(" ")
        return joined[-1:] if joined else ""

    def raw(self, s: str) -> None:
        if s:
            self.parts.append(s)

    def space(self, s: str) -> None:
        if s and self.parts and not self.parts[-1].endswith(" "):
            self.parts.append(s)

    def char(self, c: str) -> None:
        if c in BINARY:
            before = self.last()
            closed = self.closed_at == len(self.parts)
            if before and (before not in OPEN or closed) and before != "\n":  # binary: spaced
                self.parts.append(f" {c} ")
            else:  # unary (a sign) or at the start
                self.parts.append(c)
        elif c in ",;":
            self.parts.append(c + " ")
        else:
            self.atom(c)

    def close(self, c: str) -> None:
        self.parts.append(c)
        self.closed_at = len(self.parts)

    def atom(self, s: str) -> None:
        if self.parts and self.parts[-1] in FUNCTIONS and s[:1].isalnum():  # \log 0.1: log 0.1
            self.parts.append(" ")
        elif self.parts and "/" in self.parts[-1][1:] and s[:1].isalpha():  # \frac{1}{2} w: 1/2 w, not 1/2w
            self.parts.append(" ")
        self.parts.append(s)

    def word(self, s: str) -> None:
        before = self.last()
        if before and (before.isalnum() or before in ")]"):
            self.parts.append(" ")
        self.parts.append(s)

    def script(self, body: str, kind: str, fail) -> None:
        table = SUP if kind == "^" else SUB
        body = body.strip()
        if body and all(c in table for c in body):
            self.parts.append("".join(table[c] for c in body))
        elif body:
            self.parts.append(kind + (body if len(body) == 1 else f"({body})"))


def _skeleton(s: str) -> str:
    """``s`` with the inside of every top-level bracket removed: ``√(1 - β₂ᵗ)g`` → ``√()g``."""
    out, depth = [], 0
    for c in s:
        if c in "([":
            if depth == 0:
                out.append(c)
            depth += 1
        elif c in ")]" and depth:
            depth -= 1
            if depth == 0:
                out.append(c)
        elif depth == 0:
            out.append(c)
    return "".join(out) if depth == 0 else s


_SCRIPTS = "".join(sorted(set(SUP.values()) | set(SUB.values())))
FACTOR = re.compile(r"^[-−]?√?(?:\d+(?:\.\d+)?|[^\W\d_][\u0300-\u036f\u20d7]*(?:\[\])?|\(\))"
                    rf"[{_SCRIPTS}]*(?:[_^]\S+)?$")


def bracket(s: str, *, product: bool = False) -> str:
    """``s`` as one side of ``/`` or under ``√``: bracketed unless it is a single factor (``2``, ``v̂ₜ``, ``√(…)``,
    ``(…)``, ``E[g²]``); with ``product`` (a numerator) a product without spaces (``ηg``) is kept as well."""
    s = s.strip()
    top = _skeleton(s)
    if FACTOR.match(top) or (product and top and " " not in top and "\n" not in top):
        return s
    return f"({s})"


def to_text(tex: str, *, strict: bool = False) -> str:
    """One TeX formula (math mode, without ``$``) as Unicode text; rows of an environment on lines of their own."""
    return _Printer(tex, strict).seq(())


MATH = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$|(?<!\\)\$(.+?)(?<!\\)\$", re.S)


def markdown(md: str, *, strict: bool = False, indent: str = "    ") -> str:
    """A Markdown text with its ``$…$`` and ``$$…$$`` printed as Unicode; display math on indented lines of its
    own; ``**bold**`` markers dropped."""
    def swap(m: re.Match) -> str:
        if m.group(1) is not None:
            lines = to_text(m.group(1), strict=strict).splitlines()
            return "\n" + "\n".join(indent + ln for ln in lines if ln.strip()) + "\n"
        return to_text(m.group(2), strict=strict)

    text = MATH.sub(swap, md).replace("**", "").replace("\\$", "$")
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")
