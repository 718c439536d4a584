"""Content-hash caches for the expensive parts of the site build (KaTeX, plots, training).

Every entry is named by the SHA-256 of everything that determines it (the input data and
a version tag of the code that produces it), so a stale entry is never read: a change of
input gives a new name. The cache lives in ``.cache/`` at the project root (git-ignored);
deleting it only makes the next build slower.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def digest(*parts: Any) -> str:
    """SHA-256 hex of ``parts`` (bytes, text, or anything JSON can write with sorted keys)."""
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, bytes):
            data = part
        elif isinstance(part, str):
            data = part.encode()
        else:
            data = json.dumps(part, sort_keys=True, ensure_ascii=False, default=repr).encode()
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def file_digest(*paths: Path | str) -> str:
    """SHA-256 of the contents of some source files (a code version tag)."""
    return digest(*(Path(p).read_bytes() for p in paths))


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class FileCache:
    """One file per entry, for big entries (SVG plots, training results)."""

    def __init__(self, root: Path | str | None, namespace: str, suffix: str = ""):
        self.dir = Path(root) / namespace if root is not None else None
        self.suffix = suffix
        self.hits = self.misses = 0

    def get_or_make(self, key: str, make: Callable[[], bytes]) -> bytes:
        if self.dir is None:
            self.misses += 1
            return make()
        path = self.dir / f"{key}{self.suffix}"
        if path.exists():
            self.hits += 1
            return path.read_bytes()
        self.misses += 1
        data = make()
        atomic_write(path, data)
        return data


class TableCache:
    """Many small text entries in one JSON file (KaTeX HTML of each formula), saved on ``flush``."""

    def __init__(self, root: Path | str | None, name: str):
        self.path = Path(root) / f"{name}.json" if root is not None else None
        self.table: dict[str, str] = {}
        self.dirty = False
        if self.path is not None and self.path.exists():
            try:
                self.table = json.loads(self.path.read_text(encoding="utf-8"))
            except (ValueError, OSError):
                self.table = {}

    def get(self, key: str) -> str | None:
        return self.table.get(key)

    def put(self, key: str, value: str) -> None:
        self.table[key] = value
        self.dirty = True

    def flush(self) -> None:
        if self.path is not None and self.dirty:
            atomic_write(self.path, json.dumps(self.table, ensure_ascii=False, sort_keys=True).encode("utf-8"))
            self.dirty = False
