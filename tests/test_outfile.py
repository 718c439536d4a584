"""quizgen/outfile.py, the writer of every file a user names with --out: atomic for files, through pipes and
devices (never replacing them), symbolic links followed, and one error line naming what the user typed."""

from __future__ import annotations

import os
import socket
import stat
import threading

import pytest

from quizgen import outfile
from quizgen.cli import main


def names(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_file_is_replaced_whole_and_keeps_its_mode(tmp_path):
    target = tmp_path / "x.json"
    target.write_text("old")
    target.chmod(0o640)
    outfile.write(str(target), b"new")
    assert target.read_bytes() == b"new" and names(tmp_path) == ["x.json"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    fresh = tmp_path / "y.json"
    outfile.write(fresh, [b"a", b"b"])
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.read_bytes() == b"ab" and stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask


def test_a_symbolic_link_is_followed_and_stays_a_link(tmp_path):
    real = tmp_path / "real.xml"
    real.write_text("old")
    link = tmp_path / "link.xml"
    link.symlink_to(real)
    chain = tmp_path / "chain.xml"
    chain.symlink_to(link)
    outfile.write(str(chain), b"new")
    assert link.is_symlink() and chain.is_symlink() and real.read_bytes() == b"new"
    assert names(tmp_path) == ["chain.xml", "link.xml", "real.xml"]
    dangling = tmp_path / "dangling.xml"
    dangling.symlink_to(tmp_path / "made.xml")
    outfile.write(str(dangling), b"made")
    assert dangling.is_symlink() and (tmp_path / "made.xml").read_bytes() == b"made"


def test_a_named_pipe_is_written_through(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    outfile.write(str(fifo), [b"line 1\n", b"line 2\n"])
    reader.join(10)
    assert got == [b"line 1\nline 2\n"]
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and names(tmp_path) == ["pipe"]


def test_a_character_device_is_written_through_never_replaced(tmp_path):
    null = tmp_path / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a second /dev/null
    except PermissionError:
        pytest.skip("mknod needs root")
    outfile.write(str(null), b"data")
    assert stat.S_ISCHR(null.lstat().st_mode) and null.read_bytes() == b""
    assert names(tmp_path) == ["null"]
    outfile.write("/dev/null", b"data")
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def test_block_devices_sockets_and_folders_are_refused(tmp_path):
    with pytest.raises(outfile.OutputError, match=r"^cannot write .*: it is a directory$"):
        outfile.write(str(tmp_path), b"x")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "sock"))
    try:
        with pytest.raises(outfile.OutputError, match="it is a socket"):
            outfile.check(str(tmp_path / "sock"))
    finally:
        sock.close()
    try:
        os.mknod(tmp_path / "blk", stat.S_IFBLK | 0o600, os.makedev(7, 250))
    except PermissionError:
        return
    with pytest.raises(outfile.OutputError, match="it is a block device"):
        outfile.check(str(tmp_path / "blk"))
    assert stat.S_ISBLK((tmp_path / "blk").lstat().st_mode)


def test_errors_name_what_was_typed_never_a_temporary_file(tmp_path, monkeypatch):
    with pytest.raises(outfile.OutputError, match=r"^--out is empty: give a file name$"):
        outfile.check("")
    with pytest.raises(outfile.OutputError, match=r"^cannot write no/x.xml: folder no does not exist$"):
        outfile.check("no/x.xml")
    target = tmp_path / "x.json"
    target.write_text("old")

    def full(src, dst):
        raise OSError(28, "No space left on device", src)

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(outfile.OutputError) as e:
        outfile.write(str(target), b"new")
    assert str(e.value) == f"cannot write {target}: No space left on device" and ".tmp" not in str(e.value)
    assert target.read_text() == "old" and names(tmp_path) == ["x.json"]


def test_a_failing_generator_leaves_the_old_file(tmp_path):
    target = tmp_path / "x.jsonl"
    target.write_text("old")

    def chunks():
        yield b"half"
        raise ValueError("question 2 failed")

    with pytest.raises(ValueError, match="question 2 failed"):
        outfile.write(str(target), chunks())
    assert target.read_text() == "old" and names(tmp_path) == ["x.jsonl"]


# -- the commands ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["jsonl", "moodle"])
def test_export_through_a_link_and_a_pipe(tmp_path, capsys, fmt):
    real = tmp_path / "real"
    real.write_text("old")
    (tmp_path / "link").symlink_to(real)
    assert main(["export", fmt, "--variants", "1", "--families", "steps", "-q", "--out", str(tmp_path / "link")]) == 0
    assert (tmp_path / "link").is_symlink() and real.read_text() != "old"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    assert main(["export", fmt, "--variants", "1", "--families", "steps", "-q", "--out", str(fifo)]) == 0
    reader.join(30)
    assert got and got[0] == real.read_bytes() and stat.S_ISFIFO(fifo.lstat().st_mode)


@pytest.mark.parametrize("argv, message", [
    (["export", "jsonl", "--out", ""], "quizgen export: error: --out is empty: give a file name"),
    (["site", "build", "--out", ""], "quizgen site: error: --out is empty: give a folder name"),
])
def test_empty_out_is_one_line(capsys, argv, message):
    assert main(argv) == 2
    assert capsys.readouterr().err.strip() == message


def test_site_build_refuses_a_file_as_its_folder(tmp_path, capsys):
    (tmp_path / "f").write_text("x")
    assert main(["site", "build", "--out", str(tmp_path / "f")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"quizgen site: error: cannot write into {tmp_path / 'f'}: it is not a folder"


def test_jsonl_is_written_as_it_is_generated(monkeypatch, tmp_path):
    """The export command hands the writer a generator: each question is made when its line is written."""
    from quizgen.commands import export as cmd

    events: list[str] = []
    made = cmd.select.iter_questions

    def counting(sel):
        for q in made(sel):
            events.append("made")
            yield q

    def writer(target, chunks):
        for _ in chunks:
            events.append("written")

    monkeypatch.setattr(cmd.select, "iter_questions", counting)
    monkeypatch.setattr(cmd.outfile, "write", writer)
    assert main(["export", "jsonl", "--families", "steps", "--variants", "3", "-q",
                 "--out", str(tmp_path / "q.jsonl")]) == 0
    assert events[:4] == ["made", "written", "made", "written"]


def test_an_error_of_what_makes_the_data_is_not_called_a_write_error(tmp_path):
    def chunks():
        yield b"x"
        raise FileNotFoundError("the concept bank is missing")

    with pytest.raises(FileNotFoundError, match="^the concept bank is missing$"):
        outfile.write(str(tmp_path / "x.json"), chunks())
    assert names(tmp_path) == []
