"""Runs the node:test files of the quiz widget (tests/js/*.test.js) so that `make test` runs them too."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

JS_TESTS = Path(__file__).resolve().parent / "js"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is installed by scripts/system-deps.sh")
def test_node_tests_of_the_quiz_widget_pass():
    files = sorted(str(p) for p in JS_TESTS.glob("*.test.js"))
    assert files, "no tests/js/*.test.js"
    done = subprocess.run(["node", "--test", *files], capture_output=True, text=True, timeout=120)
    summary = "\n".join(line for line in done.stdout.splitlines() if line.startswith(("# pass", "# fail", "not ok")))
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "# fail 0" in summary, summary
