"""The settings behind every generated example on the site, in one place.

These are choices, not results: which small problem each worked example uses, which
learning rate each trajectory plot runs at, which three learning rates the "effect of the
learning rate" plot compares. Every number shown on a page is then *executed* from these
settings (quizgen.trace.run); the captions print the settings from here, so a caption can
never disagree with the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import optimizers

# -- worked examples: three steps by hand -------------------------------------------------------------------


@dataclass(frozen=True)
class Worked:
    """A pencil-friendly run: scalar W, given gradients (the exam's "勾配が … のとき" setting)."""

    kwargs: dict[str, Any]  # the reference class's arguments (the rest are its defaults)
    grads: tuple[float, ...] = (2.0, 1.0, -0.5)
    w0: float = 1.0
    note_ja: str = ""  # why this setting (shown under the table)


_ADAM_LIKE = dict(kwargs={"lr": 0.1})
WORKED: dict[str, Worked] = {
    "sgd": Worked({"lr": 0.1}),
    "momentum": Worked({"lr": 0.1, "momentum": 0.9},
                       note_ja="1 ステップ目は v = 0 から始まるので SGD と同じ値になり、違いは 2 ステップ目から出る。"),
    "nesterov": Worked({"lr": 0.1, "momentum": 0.9}),
    "adagrad": Worked({"lr": 0.1}, note_ja="ε は h が 0 でないかぎり表示の桁に現れないほど小さい。"),
    "rmsprop": Worked({"lr": 0.1, "decay_rate": 0.9},
                      note_ja="手で追いやすいように減衰率 ρ を既定値 0.99 ではなく 0.9 にしている。"),
    "adadelta": Worked({}, note_ja="学習率はない。最初の一歩の大きさは √ε / √(E[g²] + ε) で決まり、とても小さい。"),
    "adam": Worked(**_ADAM_LIKE),
    "amsgrad": Worked(**_ADAM_LIKE),
    "adamw": Worked({"lr": 0.1, "weight_decay": 0.1}),
    "nadam": Worked(**_ADAM_LIKE),
    "radam": Worked(**_ADAM_LIKE),
    "adamax": Worked(**_ADAM_LIKE),
}

# -- trajectories on the standard surfaces -----------------------------------------------------------------

#: where every surface's runs start, and how many steps they take
STARTS: dict[str, tuple[float, float]] = {
    "bowl": (-75.0, -10.0),
    "ravine": (-7.0, 2.0),
    "rosenbrock": (-1.5, 2.0),
    "saddle": (-1.5, 0.01),
}
STEPS: dict[str, int] = {"bowl": 100, "ravine": 30, "rosenbrock": 300, "saddle": 40}

ADAPTIVE = ("adagrad", "rmsprop", "adam", "amsgrad", "adamw", "nadam", "radam", "adamax")


@dataclass(frozen=True)
class Setting:
    kwargs: dict[str, Any]
    why_ja: str = ""  # why this value (a reason, never a result: results are executed)
    instead: dict[str, Any] = field(default_factory=dict)  # the obvious other value, run and reported beside it


def _bowl() -> dict[str, Setting]:
    out = {"sgd": Setting({"lr": 0.1}),
           "momentum": Setting({"lr": 0.1}, "SGD と同じ値", {"lr": 1.0}),
           "nesterov": Setting({"lr": 0.1}, "Momentum と同じ値", {"lr": 1.0}),
           "adadelta": Setting({}, "Adadelta には学習率がない（ρ, ε は既定値）")}
    out.update({k: Setting({"lr": 1.0}) for k in ADAPTIVE})
    return out


def _ravine() -> dict[str, Setting]:
    book = "『ゼロから作るDeep Learning』6 章の比較図と同じ値"
    out = {"sgd": Setting({"lr": 0.95}, book), "momentum": Setting({"lr": 0.1}, book),
           "nesterov": Setting({"lr": 0.1}, "Momentum と同じ値"),
           "adagrad": Setting({"lr": 1.5}, book), "rmsprop": Setting({"lr": 0.1}),
           "adadelta": Setting({}, "Adadelta には学習率がない（ρ, ε は既定値）"),
           "adam": Setting({"lr": 0.3}, book)}
    out.update({k: Setting({"lr": 0.3}, "Adam と同じ値") for k in ("amsgrad", "adamw", "nadam", "radam", "adamax")})
    return out


def _rosenbrock() -> dict[str, Setting]:
    out = {"sgd": Setting({"lr": 0.001}), "momentum": Setting({"lr": 0.0005}), "nesterov": Setting({"lr": 0.0005}),
           "adagrad": Setting({"lr": 0.5}), "rmsprop": Setting({"lr": 0.01}), "adadelta": Setting({})}
    out.update({k: Setting({"lr": 0.05}) for k in ("adam", "amsgrad", "adamw", "nadam", "radam", "adamax")})
    return out


def _saddle() -> dict[str, Setting]:
    out = {"sgd": Setting({"lr": 0.05}), "momentum": Setting({"lr": 0.05}), "nesterov": Setting({"lr": 0.05}),
           "adagrad": Setting({"lr": 0.1}), "rmsprop": Setting({"lr": 0.02}), "adadelta": Setting({})}
    out.update({k: Setting({"lr": 0.05}) for k in ("adam", "amsgrad", "adamw", "nadam", "radam", "adamax")})
    return out


SETTINGS: dict[str, dict[str, Setting]] = {"bowl": _bowl(), "ravine": _ravine(), "rosenbrock": _rosenbrock(),
                                           "saddle": _saddle()}

#: the two surfaces of each optimizer page's trajectory figure
TRAJECTORY_PROBLEMS = ("bowl", "ravine")


# -- the effect of the learning rate ------------------------------------------------------------------------


@dataclass(frozen=True)
class LrEffect:
    problem: str
    values: tuple[Any, Any, Any]  # too small, good, too large (values of ``argument``)
    argument: str = "lr"
    steps: int | None = None
    note_ja: str = ""
    fixed: dict[str, Any] = field(default_factory=dict)


_ADAM_LR = LrEffect("ravine", (0.01, 0.3, 3.0))
LR_EFFECT: dict[str, LrEffect] = {
    "sgd": LrEffect("ravine", (0.1, 0.95, 1.05)),
    "momentum": LrEffect("ravine", (0.01, 0.1, 2.0)),
    "nesterov": LrEffect("ravine", (0.01, 0.1, 1.5)),
    "adagrad": LrEffect("ravine", (0.1, 1.5, 10.0)),
    "rmsprop": LrEffect("ravine", (0.01, 0.1, 3.0)),
    "adadelta": LrEffect("ravine", (1e-8, 1e-6, 1e-1), argument="eps", steps=100,
                         note_ja="Adadelta には学習率がない。代わりに、最初の一歩の大きさを決める ε を変えて比べる。"),
    "adam": _ADAM_LR,
    "amsgrad": _ADAM_LR,
    "adamw": _ADAM_LR,
    "nadam": _ADAM_LR,
    "radam": _ADAM_LR,
    "adamax": _ADAM_LR,
}


def available() -> list[str]:
    """Optimizer keys in teaching order that have a module right now."""
    return [k for k in optimizers.ORDER if k in optimizers.MODULES]
