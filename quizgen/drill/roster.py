"""Class rosters: a CSV file with a header row and ``id`` and ``name`` columns.

Excel writes "CSV UTF-8" with a byte-order mark; both with and without it are read. Anything
else (an empty file, another encoding, a missing column, an empty or duplicate id, a name longer than
:data:`MAX_NAME_LENGTH`, more than :data:`MAX_STUDENTS` students) is refused with one line that says what
is wrong and where, before anything is generated or written.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

# Accepted header names (compared after NFKC, trimming and lower-casing).
ID_COLUMNS = ("id", "student_id", "student id", "学籍番号", "出席番号", "番号")
NAME_COLUMNS = ("name", "student_name", "student name", "氏名", "名前")
MAX_ID_LENGTH = 64
MAX_NAME_LENGTH = 60  # printed in the sheet's head and every page's header
MAX_STUDENTS = 500  # one run; a school year fits, a mistaken file of 10,000 rows does not
_SAFE = re.compile(r"[^\w.\-]+")


@dataclass(frozen=True)
class Student:
    id: str  # as used for the seed: NFKC-normalised, trimmed (full-width ０１ and 01 are the same student)
    name: str = ""
    line: int = 0  # line in the roster file (1-based; 0 when not from a file)

    @property
    def file_stem(self) -> str:
        return file_stem(self.id)


def normalise_id(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).strip()


def file_stem(student_id: str) -> str:
    """A file-name-safe form of an id: letters, digits, ``_ . -`` kept (Unicode letters too)."""
    stem = _SAFE.sub("_", student_id).strip("._") or "_"
    return stem


def check_id(student_id: str, where: str = "student id") -> str:
    sid = normalise_id(student_id)
    if not sid:
        raise ValueError(f"{where} is empty")
    if len(sid) > MAX_ID_LENGTH:
        raise ValueError(f"{where} {sid[:20]!r}… is longer than {MAX_ID_LENGTH} characters")
    if any(unicodedata.category(c).startswith("C") for c in sid):
        raise ValueError(f"{where} {sid!r} contains control characters")
    return sid


def check_name(name: str, where: str = "--name") -> str:
    """A student's name as printed: whitespace runs made one space; too long or control characters refused."""
    shown = " ".join(str(name).split())
    if len(shown) > MAX_NAME_LENGTH:
        raise ValueError(f"{where} {shown[:20]!r}… is longer than {MAX_NAME_LENGTH} characters")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs") for c in shown):
        raise ValueError(f"{where} {shown!r} contains control characters")
    return shown


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    keys = [unicodedata.normalize("NFKC", h).strip().lower() for h in header]
    for name in names:
        if name in keys:
            return keys.index(name)
    return None


def parse_roster(path: str | Path) -> list[Student]:
    """Read a roster file; raises ``ValueError`` (one line) or ``OSError`` on bad input."""
    path = Path(path)
    label = str(path)
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        raise ValueError(f"roster {label} is a directory, not a CSV file") from None
    except FileNotFoundError:
        raise ValueError(f"roster {label} does not exist") from None
    return parse_roster_bytes(raw, label)


def parse_roster_bytes(raw: bytes, label: str = "roster") -> list[Student]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw.strip():
        raise ValueError(f"roster {label} is empty (expected a header row with id,name and one row per student)")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValueError(f"roster {label} is UTF-16, not UTF-8: save it from Excel as 'CSV UTF-8 (コンマ区切り)'")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ValueError(f"roster {label} is not UTF-8 (byte 0x{raw[e.start]:02x} on line {line}; Shift_JIS?): "
                         f"save it from Excel as 'CSV UTF-8 (コンマ区切り)'") from None
    first = text.splitlines()[0] if text.splitlines() else ""
    delimiter = "\t" if "\t" in first and "," not in first else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    # the header is the first row that is not blank
    start = next((i for i, r in enumerate(rows) if any(c.strip() for c in r)), None)
    if start is None:
        raise ValueError(f"roster {label} is empty (expected a header row with id,name and one row per student)")
    header = rows[start]
    id_col, name_col = _column(header, ID_COLUMNS), _column(header, NAME_COLUMNS)
    missing = [n for n, c in (("id", id_col), ("name", name_col)) if c is None]
    if missing:
        shown = ", ".join(h.strip() for h in header) or "(nothing)"
        raise ValueError(f"roster {label}: missing column {' and '.join(repr(m) for m in missing)} "
                         f"in the header row (found: {shown}); the first row must name the columns, e.g. id,name")
    students: list[Student] = []
    seen: dict[str, int] = {}
    stems: dict[str, str] = {}
    # csv line numbers: count physical lines (quoted fields may span lines)
    line_of = _row_lines(text, delimiter)
    for i in range(start + 1, len(rows)):
        row = rows[i]
        if not any(c.strip() for c in row):
            continue
        line = line_of[i] if i < len(line_of) else i + 1
        cell = row[id_col] if id_col < len(row) else ""
        sid = check_id(cell, f"roster {label}, line {line}: id")
        name = check_name(row[name_col] if name_col < len(row) else "", f"roster {label}, line {line}: name")
        if sid in seen:
            raise ValueError(f"roster {label}: duplicate id {sid!r} on lines {seen[sid]} and {line}")
        stem = file_stem(sid)
        if stem in stems:
            raise ValueError(f"roster {label}: ids {stems[stem]!r} and {sid!r} (line {line}) give the same "
                             f"file name {stem!r}; make them differ in letters or digits")
        seen[sid], stems[stem] = line, sid
        students.append(Student(sid, name, line))
        if len(students) > MAX_STUDENTS:
            raise ValueError(f"roster {label} has more than {MAX_STUDENTS} students (line {line}); at most "
                             f"{MAX_STUDENTS} per run: split it into classes")
    if not students:
        raise ValueError(f"roster {label} has a header but no students")
    return students


def _row_lines(text: str, delimiter: str) -> list[int]:
    """The 1-based line on which each CSV row starts."""
    lines: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    for _ in reader:
        lines.append(start)
        start = reader.line_num + 1
    return lines
