"""Writing a file the user named (``--out``): the one helper of every command that writes one.

* A regular file (or a name not taken yet) is written atomically: a temporary file beside the real file, then
  ``os.replace``; a failed or interrupted write leaves the old file as it was and no temporary file behind.
  An existing file keeps its permissions.
* A symbolic link is followed to its target, which is replaced (the link stays a link).
* A named pipe or a character device (``/dev/null``, ``/dev/stdout``, a terminal) is written through: it is
  never replaced by a regular file. A block device, a socket or a directory is refused.
* Every error is one line that names the path as the user typed it (never a temporary name), and
  :func:`check` finds most of them before any work is done.

``write(path, data)`` takes bytes or an iterable of bytes (written as they come: an export can stream).
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass


class OutputError(OSError):
    """The output cannot be written there (the message names the path as typed)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class _Failed(Exception):
    """An error of whatever produced the data (not of writing it): raised again as it was."""


def _copy(chunks: Iterable[bytes], f) -> None:
    it = iter(chunks)
    while True:
        try:
            chunk = next(it)
        except StopIteration:
            return
        except Exception as e:
            raise _Failed(e) from e
        f.write(chunk)


@dataclass(frozen=True)
class Target:
    typed: str  # the path as the user gave it
    real: str  # symbolic links followed
    stream: bool  # a named pipe or character device: written through, not replaced
    mode: int | None  # permission bits of the file being replaced


def check(path: object, what: str = "--out") -> Target:
    """Where output named ``path`` goes; :class:`OutputError` (one line) when it cannot be written there."""
    typed = "" if path is None else os.fspath(path)
    if not str(typed).strip():
        raise OutputError(f"{what} is empty: give a file name")
    typed = str(typed)
    real = os.path.realpath(typed)
    try:
        st = os.stat(real)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise OutputError(f"cannot write {typed}: {e.strerror}") from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise OutputError(f"cannot write {typed}: it is a directory")
        if stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode):
            if not os.access(real, os.W_OK):
                raise OutputError(f"cannot write {typed}: permission denied")
            return Target(typed, real, True, None)
        if not stat.S_ISREG(st.st_mode):
            kind = "a block device" if stat.S_ISBLK(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode) else \
                "not a regular file"
            raise OutputError(f"cannot write {typed}: it is {kind}")
    folder = os.path.dirname(real)
    if not os.path.isdir(folder):
        raise OutputError(f"cannot write {typed}: folder {os.path.dirname(typed) or folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {typed}: folder {os.path.dirname(typed) or folder} is not writable")
    return Target(typed, real, False, stat.S_IMODE(st.st_mode) if st is not None else None)


def write(path: object, data: bytes | Iterable[bytes], what: str = "--out") -> None:
    """Write ``data`` (bytes, or bytes chunks written as they come) to ``path`` as the module docstring says."""
    target = path if isinstance(path, Target) else check(path, what)
    chunks = (data,) if isinstance(data, (bytes, bytearray, memoryview)) else data
    if target.stream:
        try:
            with open(target.real, "wb") as f:
                _copy(chunks, f)
        except _Failed as e:
            raise e.args[0] from None
        except OSError as e:
            raise OutputError(f"cannot write {target.typed}: {e.strerror or e}") from None
        return
    folder, name = os.path.split(target.real)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise OutputError(f"cannot write {target.typed}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            _copy(chunks, f)
            f.flush()
            os.fsync(f.fileno())
        if target.mode is not None:
            mode = target.mode
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, target.real)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(e, _Failed):
            raise e.args[0] from None
        if isinstance(e, OSError) and not isinstance(e, OutputError):
            raise OutputError(f"cannot write {target.typed}: {e.strerror or e}") from None
        raise
