"""The price of anonymity on exact ground: gamelib.studies.anonymity_study and its summary.

Grid equilibria are judged in the real game with the exact best deviation
(gamelib.deviations); the study's cached, vectorised verdicts must agree with
``gamelib.is_equilibrium`` profile by profile.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gamelib import (
    aligned_value,
    best_deviation,
    deviation_gains,
    equilibria,
    examples,
    experiment_grid,
    is_equilibrium,
    play,
    uninformed_value,
)
from gamelib._validation import pad_signals
from gamelib.examples import audience_market
from gamelib.studies import AnonymityStudy, anonymity_study

#: An audience market (the 79th of ``anonymity_study(seed=0)``) whose worst grid
#: equilibria at r = 4 lose a quarter of the value of information and are broken
#: by a three-signal experiment off the grid.
BROKEN_SEED = 1141051469


def _exact_by_hand(market, grid, menus=True):
    """Welfare of every grid equilibrium and its verdict by is_equilibrium, one profile at a time."""
    eqs = equilibria(market, grid, "anonymous")
    wel = eqs.user_values @ market.masses
    ok = np.array([is_equilibrium(market, grid[p], "anonymous", menus=menus) for p in eqs.profiles])
    return wel, ok


# --- hand-checkable markets --------------------------------------------------------------


@pytest.mark.parametrize("menus", [False, True])
def test_silence_survives_exactly_in_proposition_5_1(menus):
    # OPT = 1/2, NOINFO = 1/4 for both users; silence is a grid equilibrium at every r and an
    # equilibrium of the real game (single experiments and menus): users lose everything.
    study = anonymity_study(resolutions=(1, 2, 4), markets=[examples.opposite_tastes()], menus=menus)
    assert study.opt == pytest.approx([0.5]) and study.noinfo == pytest.approx([0.25])
    np.testing.assert_allclose(study.grid_worst[:, 0], 0.25, atol=1e-12)
    np.testing.assert_allclose(study.exact_worst[:, 0], 0.25, atol=1e-12)
    np.testing.assert_allclose(study.exact_loss[:, 0], 1.0, atol=1e-9)
    assert (study.exact_losing > 0).all() and (study.exact_losing <= study.losing).all()
    assert (study.seeds == -1).all()
    out = study.summary()
    assert out["exact_markets"].tolist() == [1, 1, 1] and out["max_exact_loss"] == pytest.approx([1, 1, 1])


def test_grid_equilibrium_broken_off_the_grid():
    market = audience_market(BROKEN_SEED)
    grid = experiment_grid(2, 4)
    study = anonymity_study(resolutions=(4,), markets=[market])
    opt, noinfo = aligned_value(market) @ market.masses, uninformed_value(market) @ market.masses
    # the grid loses a quarter of the value of information, the real game nothing
    assert study.grid_loss[0, 0] == pytest.approx(0.25, abs=1e-9)
    assert study.grid_worst[0, 0] == pytest.approx(opt - 0.25 * (opt - noinfo))
    assert study.losing[0, 0] > 0 and study.exact_losing[0, 0] == 0
    assert study.exact_worst[0, 0] == pytest.approx(opt) and study.exact_loss[0, 0] == 0.0
    # the worst grid equilibrium: no grid experiment gains, an off-grid one does (replayed)
    eqs = equilibria(market, grid, "anonymous")
    worst = int(np.argmin(eqs.user_values @ market.masses))
    policy = grid[eqs.profiles[worst]]
    for i in range(2):
        assert deviation_gains(market, policy, "anonymous", i, grid)[0].max() <= 1e-9
    dev = best_deviation(market, policy, "anonymous", 0)
    assert dev.gain > 1e-3
    assert dev.experiment.shape[1] == 3  # three signals: no experiment of the grid has this form
    before = play(market, policy, "anonymous").provider_values[0]
    assert play(market, dev.policy, "anonymous").provider_values[0] - before > dev.gain - 1e-4
    width = dev.experiment.shape[1]
    assert not np.isclose(pad_signals(grid, width), dev.experiment[None], atol=1e-6).all(axis=(1, 2)).any()


@pytest.mark.parametrize("seed, menus", [(BROKEN_SEED, True), (BROKEN_SEED, False), (7, True)])
def test_verdicts_agree_with_is_equilibrium(seed, menus):
    # the study's cached, vectorised verdicts against the public function, profile by profile
    market = audience_market(seed)
    grid = experiment_grid(2, 4)
    wel, ok = _exact_by_hand(market, grid, menus)
    study = anonymity_study(resolutions=(4,), markets=[market], menus=menus)
    opt = aligned_value(market) @ market.masses
    losing = wel < opt - 1e-9
    assert study.equilibria[0, 0] == len(wel) and study.losing[0, 0] == losing.sum()
    assert study.exact_losing[0, 0] == (losing & ok).sum()
    assert study.grid_worst[0, 0] == pytest.approx(wel.min())
    assert study.exact_worst[0, 0] == pytest.approx(wel[ok].min())


def test_menus_only_remove_survivors():
    # a menu deviation is a deviation too: fewer (or as many) survivors with menus
    markets = [audience_market(s) for s in (3, BROKEN_SEED)] + [examples.opposite_tastes()]
    single = anonymity_study(resolutions=(2, 4), markets=markets, menus=False)
    menus = anonymity_study(resolutions=(2, 4), markets=markets, menus=True)
    assert (menus.exact_losing <= single.exact_losing).all()
    assert (menus.exact_worst >= single.exact_worst - 1e-12).all()


# --- random markets ------------------------------------------------------------------------


def test_determinism_under_a_seed():
    a = anonymity_study(n_markets=5, seed=3, resolutions=(2, 4))
    b = anonymity_study(n_markets=5, seed=3, resolutions=(2, 4))
    for field in ("seeds", "opt", "noinfo", "equilibria", "losing", "exact_losing", "grid_worst", "exact_worst"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    c = anonymity_study(n_markets=5, seed=4, resolutions=(2, 4))
    assert not np.array_equal(a.seeds, c.seeds)
    # the markets are audience markets drawn from the recorded seeds
    first = audience_market(int(a.seeds[0]))
    assert a.opt[0] == pytest.approx(aligned_value(first) @ first.masses)


@settings(max_examples=8, deadline=None, derandomize=True)
@given(st.integers(0, 10_000))
def test_study_invariants(seed):
    study = anonymity_study(n_markets=2, seed=seed, resolutions=(1, 2))
    assert (study.exact_losing <= study.losing).all() and (study.losing <= study.equilibria).all()
    assert (study.equilibria >= 1).all()
    # full revelation by both providers is a grid equilibrium and exact (assumption (U), k = 2)
    assert not np.isnan(study.exact_worst).any()
    assert (study.exact_worst >= study.grid_worst - 1e-12).all()
    assert (study.grid_worst <= study.opt + 1e-9).all() and (study.grid_worst >= study.noinfo - 1e-9).all()
    for loss in (study.grid_loss, study.exact_loss):
        assert ((loss >= 0) & (loss <= 1 + 1e-9)).all()


# --- summary -------------------------------------------------------------------------------


def _toy(grid_worst, exact_worst, resolutions=(4, 8)):
    grid_worst, exact_worst = np.asarray(grid_worst, float), np.asarray(exact_worst, float)
    r, n = grid_worst.shape
    return AnonymityStudy(resolutions=np.array(resolutions), seeds=np.arange(n), opt=np.ones(n),
                          noinfo=np.array([0.5, 0.5, 1.0])[:n], equilibria=np.full((r, n), 10),
                          losing=np.full((r, n), 2), exact_losing=np.ones((r, n), int),
                          grid_worst=grid_worst, exact_worst=exact_worst)


def test_summary_hand_values():
    # market 0 loses 1.0 then 0.5 of its value of information on the grid; market 1 keeps
    # 0.25 in an exact equilibrium at r = 4 and has no exact survivor at r = 8; market 2
    # has no value of information (its loss is 0 whatever the welfare).
    study = _toy([[0.5, 0.875, 0.9], [0.75, 0.875, 0.9]], [[1.0, 0.875, 1.0], [1.0, np.nan, 1.0]])
    np.testing.assert_allclose(study.grid_loss, [[1.0, 0.25, 0.0], [0.5, 0.25, 0.0]])
    np.testing.assert_allclose(study.exact_loss, [[0.0, 0.25, 0.0], [0.0, np.nan, 0.0]])
    out = study.summary()
    assert out["n"] == 3 and out["resolutions"].tolist() == [4, 8]
    assert out["equilibria"].tolist() == [30, 30] and out["losing"].tolist() == [6, 6]
    assert out["exact_losing"].tolist() == [3, 3]
    assert out["grid_markets"].tolist() == [2, 2] and out["exact_markets"].tolist() == [1, 0]
    np.testing.assert_allclose(out["mean_grid_loss"], [1.25 / 3, 0.75 / 3])
    np.testing.assert_allclose(out["max_grid_loss"], [1.0, 0.5])
    np.testing.assert_allclose(out["max_exact_loss"], [0.25, 0.0])
    assert out["no_exact"].tolist() == [0, 1]
    assert out["slope"] == pytest.approx(np.log(0.75 / 1.25) / np.log(2))
    # a loss of 0.25 counts only below the tolerance
    assert study.summary(tol=0.3)["grid_markets"].tolist() == [1, 1]


def test_summary_slope_undefined():
    assert _toy([[0.5, 1.0, 1.0]], [[1.0, 1.0, 1.0]], resolutions=(4,)).summary()["slope"] is None
    assert _toy([[1.0, 1.0, 1.0], [0.5, 1.0, 1.0]], [[1.0] * 3] * 2).summary()["slope"] is None  # zero mean


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"n_markets": 0}, "n_markets"),
        ({"seed": -1}, "seed"),
        ({"resolutions": ()}, "resolutions"),
        ({"resolutions": 4}, "resolutions"),
        ({"resolutions": "48"}, "resolutions"),
        ({"resolutions": (4, 4)}, "resolutions"),
        ({"resolutions": (8, 4)}, "resolutions"),
        ({"resolutions": (0,)}, "resolutions"),
        ({"resolutions": (2.5,)}, "resolutions"),
        ({"markets": []}, "markets"),
        ({"markets": ["not a market"]}, "markets"),
        ({"menus": "yes"}, "menus"),
        ({"tol": -1.0}, "tol"),
        ({"tol": np.nan}, "tol"),
    ],
)
def test_study_errors(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name}"):
        anonymity_study(**{"n_markets": 1, "resolutions": (1,), **kwargs})


@pytest.mark.parametrize("tol", [-1.0, np.inf, "x"])
def test_summary_errors(tol):
    with pytest.raises(ValueError, match="^tol"):
        _toy([[0.5, 1.0, 1.0]], [[1.0] * 3], resolutions=(4,)).summary(tol=tol)
