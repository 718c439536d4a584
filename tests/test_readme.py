"""Every command shown in the README's ``bash`` blocks runs (read from the README itself, so this stays true when
the README changes). ``$Q …`` commands run for real, in a scratch folder, with the sizes that make them long
turned down (:data:`SMALL`, :data:`EXTRA`); ``make`` targets are checked with ``make -n`` (running them would
run this suite again or serve the site)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

#: option → the value it runs with here (the README's values are for real use)
SMALL = {"--count": "1", "--variants": "1", "--seeds": "20", "--students": "2", "--steps": "3"}
#: options added to commands whose defaults are long
EXTRA = {"bench": ["--family", "steps", "--count", "5", "--warmup", "0", "--rendered", "1"],
         "bench-drill": ["--students", "2", "--count", "1", "--html-only"]}
ROSTER = "id,name\ns001,生徒 一\ns002,生徒 二\n"


def commands() -> list[list[str]]:
    """The commands of the README's ``bash`` blocks, as argument lists (comments dropped, ``$Q`` kept)."""
    text = README.read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"^```bash\n(.*?)^```", text, re.S | re.M):
        for line in block.splitlines():
            argv = shlex.split(line, comments=True)
            if argv and not re.fullmatch(r"[A-Z_]+=.*", argv[0]):
                out.append(argv)
    return out


def small(argv: list[str]) -> list[str]:
    out = list(argv)
    for i, arg in enumerate(out[:-1]):
        if arg in SMALL:
            out[i + 1] = SMALL[arg]
    return out + EXTRA.get(out[1] if len(out) > 1 else "", [])


def _id(argv: list[str]) -> str:
    return " ".join(a for a in argv[:4] if a != "$Q")


def test_the_readme_shows_commands():
    argvs = commands()
    assert sum(a[0] == "$Q" for a in argvs) >= 10 and any(a[0] == "make" for a in argvs)
    assert {a[0] for a in argvs} <= {"$Q", "make"}, "a README command this test does not know how to run"


@pytest.mark.parametrize("argv", [a for a in commands() if a[0] == "make"], ids=_id)
def test_make_targets_exist(argv):
    done = subprocess.run(["make", "-n", *argv[1:]], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("argv", [a for a in commands() if a[0] == "$Q"], ids=_id)
def test_quizgen_commands_run(argv, tmp_path):
    (tmp_path / "class.csv").write_text(ROSTER, encoding="utf-8")
    cmd = [sys.executable, "-m", "quizgen", *small(argv)[1:]]
    done = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, f"{' '.join(cmd)}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    assert "Traceback" not in done.stderr
