"""Class rosters: Excel's CSV (UTF-8 with or without BOM) is read; every bad roster is one clear error."""

from __future__ import annotations

import pytest

from quizgen.drill.roster import Student, file_stem, parse_roster, parse_roster_bytes


def test_utf8_with_bom_crlf_and_blank_lines():
    raw = "\ufeffid,name\r\ns01,山田 太郎\r\n\r\ns02, 佐藤 花子 \r\n".encode()
    assert parse_roster_bytes(raw) == [Student("s01", "山田 太郎", 2), Student("s02", "佐藤 花子", 4)]


def test_utf8_without_bom_extra_columns_any_order_and_japanese_headers():
    raw = "氏名,メール,出席番号\n鈴木 一郎,a@example.jp,１\n".encode()
    (s,) = parse_roster_bytes(raw)
    assert (s.id, s.name) == ("1", "鈴木 一郎")  # NFKC: full-width １ is the same student as 1


def test_quoted_fields_and_tab_separated():
    raw = b'id,name\n"s,1","Doe, Jane"\n'
    assert parse_roster_bytes(raw)[0] == Student("s,1", "Doe, Jane", 2)
    assert parse_roster_bytes(b"ID\tName\nx1\tA\n")[0].id == "x1"


@pytest.mark.parametrize("raw, message", [
    (b"", "is empty"),
    (b"\xef\xbb\xbf", "is empty"),
    (b"  \r\n\r\n", "is empty"),
    ("id,氏\ns01,a\n".encode(), "missing column 'name'"),
    (b"name\nx\n", "missing column 'id'"),
    (b"student,who\nx,y\n", "missing column 'id' and 'name'"),
    (b"id,name\n", "has a header but no students"),
    (b"id,name\ns01,a\ns02,b\ns01,c\n", "duplicate id 's01' on lines 2 and 4"),
    (b"id,name\ns01,a\n,b\n", "line 3: id is empty"),
    ("id,name\ns01,山田\n".encode("cp932"), "is not UTF-8"),
    ("id,name\n".encode("utf-16"), "UTF-16"),
    (b"id,name\na/b,x\na b,y\n", "give the same file name"),
])
def test_bad_rosters_are_one_clear_line(raw, message):
    with pytest.raises(ValueError) as e:
        parse_roster_bytes(raw, "class.csv")
    text = str(e.value)
    assert message in text and "\n" not in text and "class.csv" in text


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        parse_roster(tmp_path / "nope.csv")
    with pytest.raises(ValueError, match="is a directory"):
        parse_roster(tmp_path)


def test_file_stems_are_safe():
    assert file_stem("s01") == "s01"
    assert file_stem("../etc/passwd") == "etc_passwd"
    assert file_stem("山田-01") == "山田-01"
