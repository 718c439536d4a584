"""Forms are named by their real source, and a "mistake" that is another source's correct rule is a convention:
never offered as a mistake, and proven to be that source's rule by executing that source's form."""

from __future__ import annotations

import re

import numpy as np
import pytest

import optimizers
from quizgen import mistakes as M
from quizgen.families._run import execute, rule_for

KEYS = list(optimizers.ORDER)
#: the classes of 『ゼロから作るDeep Learning』 common/optimizer.py (reference/optimizer-rules.md §2)
BOOK = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")


@pytest.mark.parametrize("key", KEYS)
def test_every_form_is_named_by_its_source(key: str) -> None:
    info = optimizers.get(key).INFO
    for conv in info.conventions + ("pytorch",):
        ja, en = info.form(conv, "ja"), info.form(conv, "en")
        assert ja and en
        assert not re.search(r"[()（）]", ja + en), (key, conv, ja)  # a label can stand inside a bracketed note
    book = info.form("textbook")
    assert ("ゼロから作る" in book) == (key in BOOK), (key, book)
    assert info.form("pytorch").startswith("torch.optim.")
    if "paper" in info.conventions:
        assert "ゼロから作る" not in info.form("paper")
    assert "教科書" not in "".join(ja for ja, _ in info.forms.values())  # "the textbook" names no source


def test_named_sources() -> None:
    form = optimizers.get
    assert form("rmsprop").INFO.form("paper") == "Goodfellow ら『深層学習』Alg. 8.5"
    assert "Zeiler 2012" in form("adadelta").INFO.form("textbook")
    assert "Loshchilov & Hutter 2019" in form("adamw").INFO.form("textbook")
    assert "Dozat 2016" in form("nadam").INFO.form("textbook")
    assert "Liu ら 2020" in form("radam").INFO.form("paper")
    assert "Kingma & Ba 2015" in form("adamax").INFO.form("paper") and "7.1" in form("adamax").INFO.form("paper")
    assert "Reddi ら 2018" in form("amsgrad").INFO.form("paper")
    assert "Sutskever ら 2013" in form("nesterov").INFO.form("sutskever")


@pytest.mark.parametrize("key", KEYS)
def test_for_optimizer_never_offers_a_convention(key: str) -> None:
    for conv in ("textbook", "pytorch"):
        assert not any(m.is_convention(key) for m in M.for_optimizer(key, conv))
        for m in M.conventions_for(key, conv):
            assert m.is_convention(key) and m.label(key).startswith("別の出典の形: ")
            assert "誤" not in m.label(key)


def test_the_conventions_of_the_issue() -> None:
    assert M.get("eps_inside_sqrt").is_convention("rmsprop")
    assert not M.get("eps_inside_sqrt").is_convention("adagrad")  # Goodfellow's AdaGrad adds δ outside
    assert not M.get("eps_inside_sqrt").is_convention("adam")
    assert M.get("adamw_decay_times_lr").is_convention("adamw")
    assert M.get("torch_buffer_as_velocity").is_convention("momentum")
    assert M.get("textbook_velocity_as_buffer").is_convention("nesterov")
    assert M.get("nesterov_sutskever_theta").is_convention("nesterov")
    assert "eps_inside_sqrt" in [m.name for m in M.conventions_for("rmsprop")]
    assert "eps_inside_sqrt" in [m.name for m in M.for_optimizer("adam")]
    # the old Nesterov order and plain momentum are nobody's NAG: mistakes
    for name in ("nesterov_old_order", "nesterov_as_momentum", "adamw_decay_sign", "adamw_coupled_l2"):
        assert not M.get(name).is_convention("nesterov" if "nesterov" in name else "adamw"), name


def _given(key, hyper, grads, quantity="W", convention="textbook", w0=1.0):
    return {"optimizer": key, "convention": convention, "hyperparameters": dict(hyper), "params0": {"W": [w0]},
            "grads": [{"W": [g]} for g in grads],
            "asked": {"quantity": quantity, "step": len(grads), "key": "W", "index": 0}}


GRADS = [0.5, -0.2, 0.3, 0.7]


def _torch_run(name, grads, quantity="W", **kwargs):
    opt = optimizers.from_torch(name, **kwargs)
    params = {"W": np.array([1.0])}
    for g in grads:
        opt.update(params, {"W": np.array([g])})
    return float(params["W"][0]) if quantity == "W" else float(opt.state["W"][quantity][0])


def test_adamw_decay_times_lr_is_torch_adamw() -> None:
    """The entry executes exactly as torch.optim.AdamW with weight_decay = λ (η_t = 1)."""
    hyper = {"lr": 0.1, "weight_decay": 0.2, "eps": 1e-8}
    for n in range(1, len(GRADS) + 1):
        given = _given("adamw", hyper, GRADS[:n])
        ours = M.get("adamw_decay_times_lr").run(given)
        torch_form = _torch_run("adamw", GRADS[:n], lr=0.1, weight_decay=0.2, eps=1e-8)
        assert ours == pytest.approx(torch_form, rel=1e-12)
        assert ours != pytest.approx(execute(given).asked(), rel=1e-6)  # and differs from the paper's form


def test_eps_inside_is_goodfellows_rmsprop() -> None:
    hyper = {"lr": 0.1, "decay_rate": 0.9, "eps": 1e-2}
    for n in range(1, len(GRADS) + 1):
        given = _given("rmsprop", hyper, GRADS[:n])
        ours = M.get("eps_inside_sqrt").run(given)
        book = execute(given, check=False)
        paper = optimizers.from_rule("rmsprop", "paper", **hyper)
        params = {"W": np.array([1.0])}
        for g in GRADS[:n]:
            paper.update(params, {"W": np.array([g])})
        assert ours == pytest.approx(float(params["W"][0]), rel=1e-12)
        assert ours != pytest.approx(book.asked(), rel=1e-6)


def test_buffer_and_velocity_are_each_others_form() -> None:
    hyper = {"lr": 0.1, "momentum": 0.9}
    for key, torch_kwargs in (("momentum", {}), ("nesterov", {"nesterov": True})):
        for n in (1, 2, 3):
            b = M.get("torch_buffer_as_velocity").run(_given(key, hyper, GRADS[:n], "v"))
            assert b == pytest.approx(_torch_run("sgd", GRADS[:n], "momentum_buffer", lr=0.1, momentum=0.9,
                                                 **torch_kwargs), rel=1e-12)
            v = M.get("textbook_velocity_as_buffer").run(
                _given(key, {"lr": 0.1, "momentum": 0.9, **torch_kwargs}, GRADS[:n], "b", convention="pytorch"))
            assert v == pytest.approx(execute(_given(key, hyper, GRADS[:n], "v")).asked(), rel=1e-12)


def test_sutskever_theta_and_bengio_point_are_each_others_w() -> None:
    hyper = {"lr": 0.1, "momentum": 0.9}
    for steps in (1, 2, 3):
        book = {"optimizer": "nesterov", "convention": "textbook", "hyperparameters": hyper, "problem": "quad:4",
                "start": [1.0], "steps": steps, "asked": {"quantity": "W", "step": steps, "key": "w", "index": 0}}
        sut = {**book, "convention": "sutskever"}
        assert M.get("nesterov_sutskever_theta").run(book) == pytest.approx(execute(sut).asked(), rel=1e-12)
        assert M.get("nesterov_bengio_point").run(sut) == pytest.approx(execute(book).asked(), rel=1e-12)


def test_sutskever_rule_takes_the_gradient_at_the_look_ahead_point() -> None:
    rule = rule_for("nesterov", "sutskever")
    assert rule.grad_at == "W_ahead"
    assert rule.grad_point({"W": 1.0, "v": -0.5, "mu": 0.9, "eta": 0.1}) == pytest.approx(0.55)
    # one step by hand on L = 2w² (∇L = 4w) from w = 1, v = 0: W̃ = 1, v = −0.1·4 = −0.4, w = 0.6;
    # step 2: W̃ = 0.6 + 0.9·(−0.4) = 0.24, v = 0.9·(−0.4) − 0.1·0.96 = −0.456, w = 0.144
    given = {"optimizer": "nesterov", "convention": "sutskever", "hyperparameters": {"lr": 0.1, "momentum": 0.9},
             "problem": "quad:4", "start": [1.0], "steps": 2,
             "asked": {"quantity": "W", "step": 2, "key": "w", "index": 0}}
    assert execute(given).asked() == pytest.approx(0.144, rel=1e-12)
    assert execute(given, log=True).asked() == pytest.approx(0.144, rel=1e-12)
    for name, want in (("nesterov_as_momentum", 1 - 0.4 - 0.36 - 0.1 * 2.4),  # gradient at w, not at W̃
                       ("nesterov_lookahead_minus", None)):
        got = M.get(name).run(given)
        assert got is not None and got != pytest.approx(0.144)
        if want is not None:
            assert got == pytest.approx(want, rel=1e-12)


TABS = [(key, opts) for key in KEYS for opts in optimizers.get(key).INFO.torch_tabs]


@pytest.mark.torch
@pytest.mark.parametrize("key, opts", TABS, ids=[f"{k}-{i}" for i, (k, _) in enumerate(TABS)])
def test_every_pytorch_tab_is_torch_optim(key, opts) -> None:
    """The rule object a PyTorch tab renders, executed against torch.optim with the tab's options (float64),
    and its title names every option the tab switches on."""
    from quizgen import conformance as C
    from quizgen.site import macros

    info = optimizers.get(key).INFO
    rule = macros.torch_tab_rule(info, opts)
    title, body = macros.torch_tab(info, opts)
    assert rule.latex() in body
    for arg in opts:
        assert arg in title, (title, arg)
    for seed in (None, 3):
        result = C.compare(info.torch, opts, seed=seed, rule=rule)
        assert result.ok, result.describe()


def test_pytorch_tabs_show_the_options_of_the_issue() -> None:
    from quizgen.site import macros

    def shown(key):
        info = optimizers.get(key).INFO
        return ["".join(macros.torch_tab(info, o)) for o in info.torch_tabs]
    assert all(r"W \left(1 - \gamma \lambda\right)" in text for text in shown("adamw"))  # AdamW's decoupled line
    plain, full = shown("adagrad")
    assert r"t &\leftarrow" not in plain  # no unused t ← t + 1
    assert r"\tilde{\gamma}" in full and "lr_decay" in full and "`initial_accumulator_value` は $s$ の初期値" in full
    assert any(r"\mu b" in text and r"g^{\mathrm{ave}}" in text and "centered=True" in text
               for text in shown("rmsprop"))


@pytest.mark.parametrize("key", ["sgd", "momentum", "nesterov"])
def test_proof_tables_write_one_letter_per_quantity(key) -> None:
    """No θ beside W, and one learning-rate letter (η or γ) per table of a finding."""
    from quizgen.site import macros

    for f in macros.findings_for(key):
        text = macros.render_finding(f)
        assert "θ" not in text and "theta" not in text, f.key
        formulas = " ".join(list(f.latex.values()) + list(f.residual_text().values()) + list(f.residuals))
        has_eta = "\\eta" in formulas or "η" in formulas
        has_gamma = "\\gamma" in formulas or "γ" in formulas
        assert not (has_eta and has_gamma), (f.key, formulas)


def test_tables_keep_a_bar_outside_math_as_text() -> None:
    from quizgen.site import macros

    out = macros.table(["a"], [["$|x|$ と |g|"]])
    assert r"$\vert x\vert $" in out and "&#124;g&#124;" in out
    meta = macros.Macros.__new__(macros.Macros).meta("adamax")
    outside = re.sub(r"\$[^$]*\$", "", meta)
    assert "\\vert" not in outside
