"""Typst source → PDF with the ``typst`` package (a self-contained compiler wheel): no browser, no node.

Fonts: Typst embeds its own math font (New Computer Modern Math) and DejaVu Sans Mono; the Japanese text is
set in Noto Sans CJK JP, which comes from the system (Debian/Ubuntu ``fonts-noto-cjk``, installed by
scripts/system-deps.sh). :func:`font_dirs` finds it (``QUIZGEN_FONT_DIR``, the Debian/Ubuntu and Arch
folders, fontconfig, the usual font folders; asking fontconfig takes a tenth of a second) and Typst is given
only that folder and its own fonts, never the rest of the system's: which fonts a sheet uses does not depend
on what else is installed. Without the font, one clear error names the package.

Identical bytes: the documents set ``document(date: none)`` (Typst writes the compile time otherwise), so the
same source and fonts give the same PDF. Fonts are embedded as subsets; the text is extractable
(``pdftotext``). ``pdfinfo`` names Typst as the creator.

One :class:`typst.Compiler` per process: it keeps the fonts loaded and its layout cache between documents
(a student's part compiled alone is laid out again, mostly from that cache, in the class document).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

FONT_FAMILY = "Noto Sans CJK JP"
FONT_FILES = ("NotoSansCJK-Regular.ttc", "NotoSansCJKjp-Regular.otf", "NotoSansCJK-Regular.otf",
              "NotoSansCJKjp-Regular.ttf")
FONT_HELP = ("the Japanese font Noto Sans CJK JP was not found (needed to print the sheets): install it "
             "(Debian/Ubuntu: apt install fonts-noto-cjk; Fedora: dnf install google-noto-sans-cjk-fonts; "
             "macOS: brew install --cask font-noto-sans-cjk) or set QUIZGEN_FONT_DIR to a folder that holds "
             "NotoSansCJK-Regular.ttc")
KNOWN = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/noto-cjk")  # Debian/Ubuntu, Arch: tried first
SEARCH = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts", "/Library/Fonts",
          "~/Library/Fonts", "C:/Windows/Fonts")


# Tagged PDF (structure for screen readers) costs a third of the file size; the sheets are for paper, and the
# site's HTML sheets serve screen readers.
TAGS = False


class PrintError(OSError):
    """A document Typst could not compile (a bug in the templates or converters: one line)."""


def _fc_dirs() -> list[Path]:
    exe = shutil.which("fc-list")
    if exe is None:
        return []
    try:
        res = subprocess.run([exe, f"{FONT_FAMILY}:style=Regular", "file"], capture_output=True, text=True,
                             timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return []
    files = sorted({line.split(":")[0].strip() for line in res.stdout.splitlines() if line.strip()})
    return sorted({Path(f).parent for f in files if Path(f).name in FONT_FILES})


def _walk_dirs() -> list[Path]:
    found = set()
    for base in SEARCH:
        root = Path(os.path.expanduser(base))
        if not root.is_dir():
            continue
        for folder, _, files in os.walk(root):
            if any(f in FONT_FILES for f in files):
                found.add(Path(folder))
    return sorted(found)


@lru_cache(maxsize=1)
def font_dirs() -> tuple[Path, ...]:
    """The folder(s) that hold Noto Sans CJK JP; OSError with the package to install if there is none."""
    env = os.environ.get("QUIZGEN_FONT_DIR", "")
    if env:
        d = Path(env).expanduser()
        if not d.is_dir() or not any((d / f).exists() for f in FONT_FILES):
            raise OSError(f"QUIZGEN_FONT_DIR={env} holds none of {', '.join(FONT_FILES)}")
        return (d,)
    dirs = [Path(k) for k in KNOWN if any((Path(k) / f).is_file() for f in FONT_FILES)]
    dirs = dirs or _fc_dirs() or _walk_dirs()
    if not dirs:
        raise OSError(FONT_HELP)
    return (dirs[0],)


@lru_cache(maxsize=1)
def fonts():
    """Typst's fonts for the sheets: its embedded ones and Noto Sans CJK JP (checked)."""
    import typst

    f = typst.Fonts(include_system_fonts=False, include_embedded_fonts=True,
                    font_paths=[str(d) for d in font_dirs()])
    if FONT_FAMILY not in f.families():
        raise OSError(FONT_HELP)
    return f


_compiler = None


def compiler():
    """This process's Typst compiler (fonts loaded once)."""
    global _compiler
    if _compiler is None:
        import typst

        _compiler = typst.Compiler(font_paths=fonts())
    return _compiler


def started() -> bool:
    """Has this process run Typst? Its compiler keeps worker threads, which a forked child would not have:
    a process that has compiled must start workers another way (forkserver), or they hang."""
    return _compiler is not None


def compile_pdf(root: Path, main: str, out: Path) -> None:
    """Compile ``root/main`` (paths in it are relative to ``root``) to ``out``. Any warning is an error: a
    warning means a sheet that does not look as designed (a missing glyph, a layout that did not settle)."""
    import typst

    try:
        data, warnings = compiler().compile_with_warnings(input=str(Path(root) / main), root=str(root),
                                                          format="pdf", pdf_tags=TAGS)
    except typst.TypstError as e:
        raise PrintError(f"Typst could not print {main}: {_first_line(e)}") from None
    if warnings:
        raise PrintError(f"Typst warned while printing {main}: {_first_line(warnings[0])}")
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(out)


def _first_line(e) -> str:
    message = getattr(e, "message", None) or str(e)
    where = ""
    diagnostic = getattr(e, "diagnostic", "") or ""
    for line in diagnostic.splitlines():
        line = line.strip()
        if line.startswith("┌─"):
            where = f" ({line[2:].strip()})"
            break
    text = " ".join(str(message).split()) + where
    return text if len(text) <= 300 else text[:297] + "…"


def page_count(data: bytes) -> int:
    """Pages of a PDF that Typst wrote (its page tree's ``/Count``)."""
    import re

    counts = [int(m) for m in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data)]
    counts += [int(m) for m in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", data)]
    if not counts:
        raise ValueError("cannot count the pages of a PDF")
    return max(counts)
