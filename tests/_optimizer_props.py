"""Shared pieces of the reference-optimizer property tests (tests/test_optimizers_a.py and _b.py):
the random problems hypothesis draws, and the two checks that a class equals its textbook rule."""

from __future__ import annotations

import warnings

import numpy as np
from hypothesis import strategies as st

import optimizers
from optimizers import from_rule
from quizgen.trace import run


@st.composite
def problems(draw, min_steps=1, max_steps=8):
    """params0 (1–3 arrays of random shapes, 0-d included) and a gradient sequence."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    shapes = draw(st.lists(st.lists(st.integers(1, 4), max_size=3).map(tuple), min_size=1, max_size=3))
    steps = draw(st.integers(min_steps, max_steps))
    scale = draw(st.sampled_from([1e-4, 1e-2, 1.0, 10.0]))
    params0 = {f"p{i}": np.array(rng.normal(size=s) * 3.0) for i, s in enumerate(shapes)}
    grads = [{k: np.array(rng.normal(size=v.shape) * scale) for k, v in params0.items()} for _ in range(steps)]
    return params0, grads


def copy_params(d):
    return {k: np.array(v, dtype=np.float64) for k, v in d.items()}


def check_trace(name, params0, grads, args, *, strict=False):
    """quizgen.trace.run executes the class and its textbook rule side by side (TraceMismatch on any
    disagreement). ``strict``: a numpy warning (a select() over a branch not taken) is an error too."""
    with warnings.catch_warnings():
        if strict:
            warnings.simplefilter("error")
        trace = run(name, grads=grads, params0=params0, **args)
    assert trace.steps == len(grads)


def check_from_rule(name, params0, grads, args, *, atol):
    """The same claim without trace.run: the class and a RuleOptimizer executing the rule, step by step.

    The class and the lambdified rule order float operations differently: a few ulp of the operands, which
    matters only where a step cancels W almost exactly (hence ``atol``). Returns (class, rule optimizer)."""
    module = optimizers.get(name)
    cls, rule = module.INFO.cls(**args), from_rule(name, "textbook", **args)
    a, b = copy_params(params0), copy_params(params0)
    for g in grads:
        cls.update(a, copy_params(g))
        rule.update(b, copy_params(g))
        for k in a:
            np.testing.assert_allclose(a[k], b[k], rtol=1e-12, atol=atol)
            for state in module.INFO.state:
                np.testing.assert_allclose(getattr(cls, state)[k], rule._state[k][state], rtol=1e-12, atol=atol)
    return cls, rule
