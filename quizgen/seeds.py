"""Seeds: one seed names one variant, byte for byte.

Every random draw comes from a PCG64 generator whose ``SeedSequence`` entropy is built
from named parts, e.g. ``rng("question", "steps", 42)`` or
``rng("drill", 7, "s0012", 3)`` (collection, seed, student id, question number).
Strings are hashed with SHA-256 (stable across runs and machines, unlike ``hash()``).
"""

from __future__ import annotations

import functools
import hashlib

import numpy as np

MAX_SEED = 2**63 - 1


def _word(part: object) -> int:
    if isinstance(part, bool):
        raise TypeError("seed parts must be ints or strings, not bool")
    if isinstance(part, (int, np.integer)):
        if int(part) < 0:
            raise ValueError(f"seed parts must be >= 0, got {part}")
        return int(part)
    if isinstance(part, str):
        return _text_word(part)
    raise TypeError(f"seed parts must be ints or strings, got {type(part).__name__}")


@functools.lru_cache(maxsize=4096)
def _text_word(text: str) -> int:
    """The first 8 bytes of the text's SHA-256, little-endian (memoized: the same names recur for every seed)."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")


def seed_sequence(*parts: object) -> np.random.SeedSequence:
    """A ``SeedSequence`` from named parts (ints ≥ 0 and strings)."""
    if not parts:
        raise ValueError("seed_sequence needs at least one part")
    return np.random.SeedSequence([_word(p) for p in parts])


def rng(*parts: object) -> np.random.Generator:
    """A PCG64 generator for the named parts (the bit generator is pinned)."""
    return np.random.Generator(np.random.PCG64(seed_sequence(*parts)))


def derive(*parts: object) -> int:
    """A child seed (0 ≤ seed < 2**63) for the named parts, e.g. a student's question seed."""
    return int(seed_sequence(*parts).generate_state(2, np.uint32).view(np.uint64)[0] & np.uint64(MAX_SEED))


def check_seed(seed: object) -> int:
    """Validate a user-given seed: an int in [0, 2**63)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        try:
            seed = int(str(seed), 10)
        except ValueError:
            raise ValueError(f"seed must be a whole number, got {seed!r}") from None
    seed = int(seed)
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be between 0 and {MAX_SEED}, got {seed}")
    return seed
