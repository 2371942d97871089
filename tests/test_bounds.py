"""Tests of gamelib.bounds: the computations behind chapters 4–6."""

import numpy as np
import pytest
from _markets import TOL, grid_for, markets
from hypothesis import given, settings
from hypothesis import strategies as st

import gamelib
from gamelib import bounds, examples

GRID4 = gamelib.experiment_grid(2, 4)
GRID20 = gamelib.experiment_grid(2, 20)


# ----------------------------------------------------------------------------- check_bound


def test_check_bound_personalized_opposite_tastes_exact():
    chk = bounds.check_bound(examples.opposite_tastes(), GRID4, "personalized")
    assert chk.mode == "personalized"
    np.testing.assert_allclose(chk.eps, [0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(chk.opt, [0.5, 0.5])
    np.testing.assert_allclose(chk.slack, 0.0, atol=1e-12)  # every equilibrium gives OPT
    assert set(chk.user.tolist()) == {0, 1}
    assert chk.holds


def test_check_bound_anonymous_opposite_tastes_values():
    chk = bounds.check_bound(examples.opposite_tastes(), GRID4, "anonymous")
    # eps_SMA = 3/8, worst loss = 1/4 (silence): smallest slack 3/4 − 1/4 = 1/2
    assert chk.eps[0] == pytest.approx(0.375)
    assert chk.min_slack == pytest.approx(0.5)
    assert np.all(chk.user == -1)


def test_check_bound_fixed_action_cone():
    m = examples.fixed_action_providers()
    simplex = bounds.check_bound(m, GRID20, "personalized")
    cone = bounds.check_bound(m, GRID20, "personalized", cone=True)
    assert simplex.eps[0] == pytest.approx(1.0)
    assert cone.eps[0] == pytest.approx(0.5)
    # worst value 1/2 (silence) against floor 1 − 2·½ = 0
    assert cone.min_slack == pytest.approx(0.5)


@settings(derandomize=True, max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), n_users=st.integers(1, 3), noise=st.sampled_from([0.0, 0.03, 0.2]))
def test_theorem_4_1_on_random_weak_markets(seed, n_users, noise):
    m = examples.random_market(seed, n_users=n_users, alignment="weak", noise=noise)
    assert bounds.check_bound(m, GRID4, "personalized").holds


@settings(derandomize=True, max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), n_users=st.integers(1, 3), noise=st.sampled_from([0.0, 0.03, 0.2]))
def test_theorem_6_1_on_random_markets(seed, n_users, noise):
    for alignment in ("strong", None):
        m = examples.random_market(seed, n_users=n_users, alignment=alignment, noise=noise)
        assert bounds.check_bound(m, GRID4, "anonymous").holds


def test_check_bound_errors():
    m = examples.opposite_tastes()
    with pytest.raises(ValueError, match="^mode"):
        bounds.check_bound(m, GRID4, "public")
    with pytest.raises(ValueError, match="^experiments"):
        bounds.check_bound(m, GRID4[0], "anonymous")
    with pytest.raises(ValueError, match="^market"):
        bounds.check_bound("market", GRID4, "anonymous")
    with pytest.raises(ValueError, match="^cone"):
        bounds.check_bound(m, GRID4, "anonymous", cone="yes")


# ----------------------------------------------------------------------------- bound_survey


def test_bound_survey_shapes_and_holds():
    s = bounds.bound_survey(6, "personalized", "weak", noise=0.05, resolution=3, seed=1)
    assert s.holds
    assert s.seeds.tolist() == [1, 2, 3, 4, 5, 6]
    assert s.shapes.shape == (6, 4)
    assert set(s.shapes[:, 0]) <= {2, 3} and set(s.shapes[:, 3]) <= {1, 2, 3, 4}
    assert len(s.slack) == len(s.market) == s.n_equilibria.sum()
    np.testing.assert_allclose(
        s.min_slack, [s.slack[s.market == r].min() for r in range(6)]
    )
    assert np.all(s.eps <= 0.05 + 1e-9)  # noise bounds the alignment gap


def test_bound_survey_anonymous_strong():
    s = bounds.bound_survey(5, "anonymous", "strong", noise=0.0, resolution=3)
    assert s.holds
    np.testing.assert_allclose(s.eps, 0.0, atol=1e-8)


def test_bound_survey_reproducible():
    a = bounds.bound_survey(3, "anonymous", "strong", noise=0.01, resolution=2, seed=5)
    b = bounds.bound_survey(3, "anonymous", "strong", noise=0.01, resolution=2, seed=5)
    np.testing.assert_array_equal(a.slack, b.slack)


def test_bound_survey_errors():
    with pytest.raises(ValueError, match="^n_markets"):
        bounds.bound_survey(0, "anonymous", "strong")
    with pytest.raises(ValueError, match="^mode"):
        bounds.bound_survey(2, "both", "strong")
    with pytest.raises(ValueError, match="^alignment"):
        bounds.bound_survey(2, "anonymous", "medium")
    with pytest.raises(ValueError, match="^noise"):
        bounds.bound_survey(2, "anonymous", "strong", noise=-1)
    with pytest.raises(ValueError, match="^resolution"):
        bounds.bound_survey(2, "anonymous", "strong", resolution=0)
    with pytest.raises(ValueError, match="^seed"):
        bounds.bound_survey(2, "anonymous", "strong", seed=-1)


# ----------------------------------------------------------------------------- proof_chain


def test_revealed_payoffs_by_hand():
    # opposite tastes: a*_1 = θ, a*_2 = 1 − θ.  Provider 1 gets ½ from user 1, 0 from user 2.
    np.testing.assert_allclose(
        bounds._revealed_payoffs(examples.opposite_tastes()), [[0.5, 0.0], [0.0, 0.5]]
    )
    with pytest.raises(ValueError, match="^market"):
        bounds._revealed_payoffs(None)


def test_proof_chain_opposite_tastes_anonymous():
    m = examples.opposite_tastes()
    ch = bounds.proof_chain(m, GRID4, "anonymous")
    # worst equilibrium is silent: V = ¼ each; Π_i = 3/8; Π*_i = ¼; eps = 3/8, offsets ∓...
    np.testing.assert_allclose(ch.values, [0.25, 0.25])
    np.testing.assert_allclose(ch.equilibrium_payoffs * m.masses, [[0.125, 0.25], [0.25, 0.125]])
    np.testing.assert_allclose(ch.terms[1:3], [0.375, 0.25])
    assert ch.holds


@settings(derandomize=True, max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), noise=st.sampled_from([0.0, 0.05]))
def test_proof_chain_holds_both_modes(seed, noise):
    weak = examples.random_market(seed, n_users=3, alignment="weak", noise=noise)
    ch = bounds.proof_chain(weak, GRID4, "personalized")
    assert ch.terms.shape == (3, 4) and ch.holds
    assert np.all(ch.equilibrium_payoffs >= ch.revealed_payoffs - 1e-9)  # inequality (2)
    strong = examples.random_market(seed, n_users=3, alignment="strong", noise=noise)
    ch = bounds.proof_chain(strong, GRID4, "anonymous")
    assert ch.terms.shape == (4,) and ch.holds


def test_proof_chain_errors():
    m = examples.opposite_tastes()
    with pytest.raises(ValueError, match="^mode"):
        bounds.proof_chain(m, GRID4, "x")
    with pytest.raises(ValueError, match="^experiments"):
        bounds.proof_chain(m, np.ones((3, 2, 2)), "anonymous")


# ----------------------------------------------------------------------------- profiles, deviations


def test_profiles_shapes():
    m = examples.random_market(0, n_providers=3, n_users=2)
    assert bounds.silent_profile(m, "personalized").shape == (3, 2, 2, 2)
    assert bounds.silent_profile(m, "anonymous", n_signals=3).shape == (3, 2, 3)
    with pytest.raises(ValueError, match="^n_signals"):
        bounds.silent_profile(m, "anonymous", n_signals=0)
    with pytest.raises(ValueError, match="^mode"):
        bounds.silent_profile(m, "x")


def test_deviation_summary_proposition_5_1_default():
    m = examples.opposite_tastes()
    quiet = bounds.silent_profile(m, "anonymous")
    single = bounds.deviation_summary(m, quiet, "anonymous", GRID20)
    assert single.is_equilibrium and single.n_candidates == 2 * 441
    # the least informative grid experiment has q = 0.525: gain −(0.025)/4
    assert single.best_informative_gain == pytest.approx(-0.00625)
    menus = bounds.deviation_summary(m, quiet, "anonymous", GRID4, menu_size=2)
    assert menus.is_equilibrium and menus.n_candidates == 2 * 25 * 24 // 2
    assert menus.best_informative_gain == pytest.approx(-(0.625 - 0.5) / 4)


def test_deviation_summary_personalized_certificate_agrees():
    m = examples.opposite_tastes()
    s = bounds.deviation_summary(m, bounds.silent_profile(m, "personalized"), "personalized", GRID4)
    assert not s.is_equilibrium
    assert s.max_gain == pytest.approx(0.125) and s.provider == 0 and s.user == 0


def test_deviation_summary_errors():
    m = examples.opposite_tastes()
    quiet = bounds.silent_profile(m, "anonymous")
    with pytest.raises(ValueError, match="^menu_size"):
        bounds.deviation_summary(m, quiet, "anonymous", GRID4, menu_size=0)
    with pytest.raises(ValueError, match="^policy"):
        bounds.deviation_summary(m, quiet[0], "anonymous", GRID4)
    with pytest.raises(ValueError, match="^experiments"):
        bounds.deviation_summary(m, quiet, "anonymous", np.ones((2, 3, 2)) / 2)


# ----------------------------------------------------------------------------- Proposition 5.1, closed form


def test_silence_margins_by_hand():
    np.testing.assert_allclose(bounds.silence_margins(0.5, 1.0, 1.0), [0.25, 0.25])
    # m1 = 0.25, s1 = 0.2, s2 = 2: (0.75·0.2 − 0.125, 0.25·2 − 0.375)
    np.testing.assert_allclose(bounds.silence_margins(0.25, 0.2, 2.0), [0.025, 0.125])
    grid = bounds.silence_margins(np.array([0.2, 0.5]), np.array([[0.0], [1.0]]), 1.0)
    assert grid.shape == (2, 2, 2)


def _gain(m1, s1, s2, q):
    """Closed-form gain of a deviation of accuracy q from silence: −(q − ½)·margin_i."""
    return -(np.asarray(q, dtype=float)[..., None] - 0.5) * bounds.silence_margins(m1, s1, s2)


def test_silence_deviation_gain_by_hand():
    # default market, full revelation: ½·½·1 + 0 − 3/8 = −1/8
    np.testing.assert_allclose(_gain(0.5, 1, 1, 1.0), [-0.125, -0.125])
    np.testing.assert_allclose(_gain(0.5, 1, 1, 0.5), [0.0, 0.0])


@pytest.mark.parametrize(
    "m1, s1, s2",
    [(0.5, 1.0, 1.0), (0.3, 1.0, 1.0), (0.7, 1.0, 1.0), (0.5, 0.2, 1.0), (0.4, 0.5, 1.5),
     (0.8, 2.0, 0.1), (0.6, 0.7, 0.4), (0.25, 0.2, 2.0), (0.5, 0.5, 0.5), (0.9, 1.9, 1.9)],
)
def test_silence_closed_form_matches_enumeration(m1, s1, s2):
    """The phase diagram's closed form against the exact enumeration of all deviations."""
    m = examples.opposite_tastes((m1, 1 - m1), (s1, s2))
    quiet = bounds.silent_profile(m, "anonymous")
    s = bounds.deviation_summary(m, quiet, "anonymous", GRID20)
    margins = bounds.silence_margins(m1, s1, s2)
    assert s.is_equilibrium == bool(margins.min() >= -1e-12)
    # best gain over the grid: full revelation (q = 1) if some margin is negative
    expected = max(0.0, float(_gain(m1, s1, s2, 1.0).max()))
    assert s.max_gain == pytest.approx(expected, abs=1e-9)
    # every grid experiment: enumerated gains equal the closed form at its accuracy q
    values, _, _ = gamelib.outcome_tables(m, GRID20)
    q = 2 * values[:, 0]
    for i in range(2):
        gains, _ = gamelib.deviation_gains(m, quiet, "anonymous", i, GRID20)
        informative = q > 0.5 + 1e-12
        closed = _gain(m1, s1, s2, q[informative])[:, i]
        np.testing.assert_allclose(gains[informative], closed, atol=1e-12)
        np.testing.assert_allclose(gains[~informative], 0.0, atol=1e-12)


def test_silence_menus_match_closed_form_on_small_grid():
    m = examples.opposite_tastes((0.6, 0.4), (1.0, 1.0))
    quiet = bounds.silent_profile(m, "anonymous")
    s = bounds.deviation_summary(m, quiet, "anonymous", gamelib.experiment_grid(2, 3), menu_size=2)
    assert s.is_equilibrium == bool(bounds.silence_margins(0.6, 1.0, 1.0).min() >= 0)


def test_silence_errors():
    with pytest.raises(ValueError, match="^mass1"):
        bounds.silence_margins(1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="^stake1"):
        bounds.silence_margins(0.5, -1.0, 1.0)
    with pytest.raises(ValueError, match="^stake2"):
        bounds.silence_margins(0.5, 1.0, np.nan)


# ----------------------------------------------------------------------------- paths, table


def test_interpolation_path_threshold_one_third():
    ts = [0.0, 0.3, 0.35, 1.0]
    p = bounds.interpolation_path(
        examples.opposite_tastes(), examples.opposite_tastes(aligned=True), ts, GRID20, "anonymous"
    )
    assert (p.n_silent > 0).tolist() == [True, True, False, False]
    np.testing.assert_allclose(p.eps_strong, [0.375, 0.2625, 0.24375, 0.0], atol=1e-9)
    np.testing.assert_allclose(p.worst[:, 0], [0.25, 0.25, 0.5, 0.5])
    assert np.all(p.worst_loss <= p.strong_bound + 1e-9)
    assert p.weak_bound.shape == (4, 2)


def test_interpolation_path_personalized_drift():
    base = examples.opposite_tastes()
    p = bounds.interpolation_path(base, examples.fixed_action_providers(base), [0.0, 1.0], GRID4,
                                   "personalized")
    np.testing.assert_allclose(p.worst, [[0.5, 0.5], [0.25, 0.25]])
    np.testing.assert_allclose(p.eps_weak[1], [0.75, 0.75])
    assert np.all(p.worst >= p.weak_bound - 1e-9)
    assert p.n_silent[0] == 0 and p.n_silent[1] > 0


def test_interpolation_path_errors():
    a = examples.opposite_tastes()
    with pytest.raises(ValueError, match="^ts"):
        bounds.interpolation_path(a, a, [1.5], GRID4, "anonymous")
    with pytest.raises(ValueError, match="^second"):
        bounds.interpolation_path(a, examples.prosecutor(), [0.5], GRID4, "anonymous")


def test_regime_table_four_regimes():
    """The four regimes are the two ends (t = 0, 1) of the interpolation path, in both modes."""
    paths = {mode: bounds.interpolation_path(examples.opposite_tastes(), examples.opposite_tastes(aligned=True),
                                             [0.0, 1.0], GRID4, mode) for mode in ("personalized", "anonymous")}
    tab = {(mode, c): {"n_silent": p.n_silent[t], "worst_loss": p.worst_loss[t], "worst": p.worst[t],
                       "eps_strong": p.eps_strong[t]}
           for mode, p in paths.items() for t, c in enumerate(("weak", "strong"))}
    assert tab["anonymous", "weak"]["n_silent"] > 0
    assert tab["anonymous", "weak"]["worst_loss"] == pytest.approx(0.25)
    for key in [("personalized", "weak"), ("personalized", "strong"), ("anonymous", "strong")]:
        np.testing.assert_allclose(tab[key]["worst"], [0.5, 0.5])
        assert tab[key]["n_silent"] == 0
    assert tab["anonymous", "weak"]["eps_strong"] == pytest.approx(0.375)
    with pytest.raises(ValueError, match="^first"):
        bounds.interpolation_path(None, examples.opposite_tastes(), [0.0], GRID4, "anonymous")


@settings(max_examples=200, deadline=None, derandomize=True)
@given(market=markets)
def test_theorem_4_1_personalized_equilibria_respect_wma_bound(market):
    eps = np.array([c.eps for c in gamelib.weak_alignment(market)])
    opt = gamelib.aligned_value(market)
    eqs = gamelib.equilibria(market, grid_for(market), "personalized")
    assert len(eqs) > 0  # full revelation by everyone is always one (k >= 2, (U))
    worst = eqs.worst_user_values()
    assert np.all(worst >= opt - 2 * eps - TOL)
    assert np.all(eqs.best_user_values() <= opt + TOL)  # nothing beats a perfectly aligned model
    exact = eps < 1e-9
    np.testing.assert_allclose(worst[exact], opt[exact], atol=TOL)  # ε = 0: exactly OPT_j


@settings(max_examples=200, deadline=None, derandomize=True)
@given(market=markets)
def test_theorem_6_1_anonymous_equilibria_respect_sma_bound(market):
    cert = gamelib.strong_alignment(market)
    opt = gamelib.aligned_value(market)
    eqs = gamelib.equilibria(market, grid_for(market), "anonymous")
    assert len(eqs) > 0
    loss = (opt - eqs.user_values) @ market.masses  # Σ_j m_j (OPT_j − V_j), per equilibrium
    assert np.all(loss <= 2 * cert.eps + TOL)
    if cert.eps < 1e-9:
        np.testing.assert_allclose(eqs.user_values, np.broadcast_to(opt, eqs.user_values.shape), atol=TOL)
