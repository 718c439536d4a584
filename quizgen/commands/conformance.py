"""``quizgen conformance``: the conformance table (optimizer × option set × max error) of the
PyTorch-form rules against torch.optim, the classes against their textbook rules, and the
classes against torch where the forms are identical. Needs torch (``make setup`` installs it)."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    return sub.add_parser("conformance", help="print the conformance table against torch.optim (needs torch)",
                          description=__doc__)


def run(args: argparse.Namespace) -> int:
    try:
        import torch  # noqa: F401
    except ModuleNotFoundError:
        raise ValueError("torch is not installed: run `make setup` (pip install torch==2.13.0)") from None
    from ..conformance import main

    return main([])
