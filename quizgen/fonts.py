"""The Japanese font of every figure: found by its file, registered with matplotlib, checked while drawing, and
named in the cache key of everything drawn with it.

matplotlib finds fonts through a font list it caches (``fontlist-v*.json`` in its cache folder). A list written
before fonts-noto-cjk was installed does not know Noto Sans CJK JP: every Japanese title and label is then
drawn as empty boxes, with a ``findfont`` warning each, and nothing fails. So:

* :func:`font_file` finds the font's file itself (Debian's path, the usual font folders, then ``fc-match``);
  ``QUIZGEN_FONT`` names another file;
* :func:`setup` registers that file with matplotlib when matplotlib resolves the family to another file (or to
  none), so a stale list does not matter;
* :func:`checked` turns matplotlib's "Glyph … missing from font(s)" warning into :class:`FontError`, so a
  figure with a character that no font has fails instead of being published with a box;
* :func:`identity` (path, size, modification time of the file) goes into the cache keys of figures and pages,
  so a figure drawn with another font (or without one) is never served from a cache.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import shutil
import subprocess
import warnings
from collections.abc import Iterator
from pathlib import Path

FAMILY = "Noto Sans CJK JP"
FILES = ("NotoSansCJK-Regular.ttc", "NotoSansCJKjp-Regular.otf", "NotoSansJP-Regular.otf")
DEBIAN = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FOLDERS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
ENV = "QUIZGEN_FONT"
INSTALL = "install the Debian package fonts-noto-cjk (scripts/system-deps.sh does)"


class FontError(RuntimeError):
    """The Japanese font is missing, or a figure needs a glyph no font has: nothing may be drawn."""


@functools.cache
def font_file() -> Path:
    """The file of :data:`FAMILY` (``$QUIZGEN_FONT`` if set); :class:`FontError` when there is none."""
    named = os.environ.get(ENV)
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise FontError(f"{ENV}={named}: no such font file")
        return path.resolve()
    if DEBIAN.is_file():
        return DEBIAN.resolve()
    for folder in FOLDERS:
        root = Path(folder).expanduser()
        if root.is_dir():
            for name in FILES:
                found = sorted(root.rglob(name))
                if found:
                    return found[0].resolve()
    fc = shutil.which("fc-match")
    if fc:
        done = subprocess.run([fc, "-f", "%{file}", f"{FAMILY}:style=Regular"], capture_output=True, text=True)
        path = Path(done.stdout.strip())
        if done.returncode == 0 and path.is_file() and re.search(r"NotoSans(CJK|JP)", path.name):
            return path.resolve()
    raise FontError(f"the Japanese font {FAMILY} is not installed: {INSTALL}; without it every Japanese label "
                    "of a figure would be drawn as empty boxes")


def identity() -> str:
    """A short digest of the font file (path, size, modification time), or ``"no-font"`` when it is missing
    (drawing then fails, so nothing is ever cached under that)."""
    try:
        path = font_file()
        st = path.stat()
    except (FontError, OSError):
        return "no-font"
    return hashlib.sha256(f"{path}\0{st.st_size}\0{st.st_mtime_ns}".encode()).hexdigest()[:16]


@functools.cache
def setup() -> Path:
    """Make matplotlib draw :data:`FAMILY` from :func:`font_file` (registering the file when its font list does not
    resolve the family to it); returns the file. Once per process."""
    from matplotlib import font_manager as fm

    path = font_file()

    def resolved() -> Path | None:
        try:
            return Path(fm.findfont(fm.FontProperties(family=FAMILY), fallback_to_default=False)).resolve()
        except ValueError:
            return None

    if resolved() != path:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fm.fontManager.addfont(str(path))
            # the family's first entry must be this file (a stale list may hold another, or the added one later)
            fm.fontManager.ttflist.sort(key=lambda f: f.name != FAMILY or Path(f.fname).resolve() != path)
            fm.fontManager._findfont_cached.cache_clear()
        if resolved() != path:
            raise FontError(f"matplotlib does not draw {FAMILY} from {path} (it resolves to {resolved()}); "
                            f"{INSTALL}")
    return path


GLYPH = re.compile(r"Glyph (\d+) \((.*?)\) missing from font\(s\) (.*?)\.?$")


@contextlib.contextmanager
def checked() -> Iterator[None]:
    """Drawing inside this block uses :data:`FAMILY` (:func:`setup`) and fails with :class:`FontError` on the
    first character that no font has."""
    setup()
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"Glyph \d+ .* missing from font", category=UserWarning)
        try:
            yield
        except UserWarning as w:
            m = GLYPH.search(str(w))
            if not m:
                raise
            raise FontError(f"a figure needs the character U+{int(m.group(1)):04X} {m.group(2)}, which "
                            f"{m.group(3)} do(es) not have; no figure is drawn with a missing glyph") from None
