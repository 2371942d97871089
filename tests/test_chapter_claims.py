"""Claims stated and proved in the chapters' text, checked with gamelib (exact, hand-computed values).

Each test names the chapter result it checks.  Expected values come from the proofs in the text,
not from running the code.
"""

import itertools

import numpy as np
import pytest

import gamelib
from gamelib import bounds, examples

TOL = 1e-9
SILENT = gamelib.reveal_nothing(2, 2)
FULL = gamelib.reveal_everything(2)


def sliver(x):
    """S_x of chapter 7: reveals state 0 with probability x, never makes anyone sure of state 1."""
    return np.array([[x, 1 - x], [0.0, 1.0]])


# ---------------------------------------------------------------------------------------------
# Chapter 2, example ch2-ex-valuable-to-one: an item worth something to one user only.
# ---------------------------------------------------------------------------------------------


def test_ch2_item_valuable_to_one_threshold_user_only():
    split = gamelib.split_experiment([0.5, 0.5], [[0.8, 0.2], [0.4, 0.6]], [0.25, 0.75])
    # posteriors 0.2 and 0.6 with probabilities 1/4 and 3/4
    np.testing.assert_allclose(np.array([0.5, 0.5]) @ split, [0.25, 0.75])
    np.testing.assert_allclose(gamelib.posteriors([0.5, 0.5], split)[:, 1], [0.2, 0.6])
    lenient, strict = examples.threshold_receiver(0.3), examples.threshold_receiver(0.7)
    silent = gamelib.reveal_nothing(2)
    assert gamelib.user_value([0.5, 0.5], split, lenient) == pytest.approx(0.225, abs=TOL)
    assert gamelib.user_value([0.5, 0.5], silent, lenient) == pytest.approx(0.2, abs=TOL)
    assert gamelib.user_value([0.5, 0.5], split, strict) == pytest.approx(0.0, abs=TOL)
    assert gamelib.user_value([0.5, 0.5], silent, strict) == pytest.approx(0.0, abs=TOL)


# ---------------------------------------------------------------------------------------------
# Chapter 7, prose by the tie-rule widget: provider 1's curve in aligned_tie_market.
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("ties", ["lowest", "sender"])
def test_ch7_tie_widget_curve_is_2_minus_2p_then_p(ties):
    m = examples.aligned_tie_market()
    p = np.linspace(0, 1, 41)
    curve = gamelib.sender_value_curve(p, m.provider_utility[0, 0], m.user_utility[0], ties=ties)
    expected = np.where(p <= 0.5, 2 * (1 - p), p)
    np.testing.assert_allclose(curve, expected, atol=TOL)


@pytest.mark.parametrize("q", [0.55, 0.75, 0.9])
def test_ch7_tie_widget_split_earns_5_2_minus_1_over_q_below_full_revelation(q):
    m = examples.aligned_tie_market()
    split = gamelib.split_experiment([0.5, 0.5], [[1.0, 0.0], [1 - q, q]], [1 - 1 / (2 * q), 1 / (2 * q)])
    pol = np.stack([split, SILENT])[:, None]  # personalized, one user
    out = gamelib.play(m, pol, "personalized")
    assert out.provider_values[0] == pytest.approx(2.5 - 1 / q, abs=TOL)
    full = gamelib.play(m, np.stack([FULL, SILENT])[:, None], "personalized")
    assert full.provider_values[0] == pytest.approx(1.5, abs=TOL)


# ---------------------------------------------------------------------------------------------
# Chapter 7, proposition ch7-anonymous-ties.
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("r", [4, 5, 6, 7])
def test_ch7_anonymous_ties_part2_sliver_profile_is_equilibrium_losing_1_over_4r(r):
    m = examples.anonymous_tie_market()
    x = (r - 1) / r
    bad = np.stack([SILENT, sliver(x)])
    assert gamelib.profitable_deviation(m, bad, "anonymous", experiments=gamelib.experiment_grid(2, r)) is None
    out = gamelib.play(m, bad, "anonymous")
    np.testing.assert_allclose(out.user_values, [1.0, 1 - 1 / (2 * r)], atol=TOL)
    np.testing.assert_allclose(out.provider_values, [0.75 + x / 2, 0.75], atol=TOL)
    loss = gamelib.aligned_value(m) @ m.masses - out.user_values @ m.masses
    assert loss == pytest.approx(1 / (4 * r), abs=TOL)
    # the partial-revelation deviation: reveal state 1 with probability b = 2x - 1, gain 3/4 - x
    b = 2 * x - 1
    partial = np.array([[1.0, 0.0], [1 - b, b]])
    gain, _ = gamelib.deviation_gains(m, bad, "anonymous", 0, partial[None])
    assert gain[0] == pytest.approx(0.75 - x, abs=TOL)


def test_ch7_anonymous_ties_part3_r3_partial_revelation_breaks_both_lossy_candidates():
    m = examples.anonymous_tie_market()
    partial = np.array([[1.0, 0.0], [2 / 3, 1 / 3]])
    assert gamelib.user_value(m.prior, partial, m.user_utility[1]) == pytest.approx(5 / 6, abs=TOL)
    for profile in (np.stack([SILENT, sliver(2 / 3)]), np.stack([sliver(2 / 3), SILENT])):
        out = gamelib.play(m, profile, "anonymous")
        assert out.user_values[1] == pytest.approx(5 / 6, abs=TOL)
        gain, _ = gamelib.deviation_gains(m, profile, "anonymous", 0, partial[None])
        assert gain[0] >= 7 / 6 - 13 / 12 - TOL


@pytest.mark.parametrize("r", [1, 2, 3])
def test_ch7_anonymous_ties_part3_no_loss_on_coarse_grids(r):
    m = examples.anonymous_tie_market()
    eq = gamelib.equilibria(m, gamelib.experiment_grid(2, r), "anonymous")
    assert len(eq) > 0
    np.testing.assert_allclose(eq.user_values, 1.0, atol=TOL)


@pytest.mark.parametrize("r", [4, 5, 6])
def test_ch7_anonymous_ties_part4_ordered_menu_breaks_every_lossy_grid_equilibrium(r):
    m = examples.anonymous_tie_market()
    eq = gamelib.equilibria(m, gamelib.experiment_grid(2, r), "anonymous")
    lossy = np.flatnonzero(eq.user_values[:, 1] < 1 - TOL)
    assert len(lossy) > 0
    grid = gamelib.experiment_grid(2, r)
    for row in lossy:
        profile = grid[eq.profiles[row]]
        menu_gain, _ = gamelib.deviation_gains(m, profile, "anonymous", 0, np.stack([SILENT, FULL]), menu_size=2)
        full_gain, _ = gamelib.deviation_gains(m, profile, "anonymous", 1, FULL[None])
        assert max(menu_gain[0], full_gain[0]) > TOL


def test_ch7_anonymous_ties_part4_item_order_matters():
    m = examples.anonymous_tie_market()
    bad = np.stack([SILENT, sliver(0.75)])  # the r = 4 lossy equilibrium: provider 1 earns 3/4 + 3/8
    right, _ = gamelib.deviation_gains(m, bad, "anonymous", 0, np.stack([SILENT, FULL]), menu_size=2)
    wrong, _ = gamelib.deviation_gains(m, bad, "anonymous", 0, np.stack([FULL, SILENT]), menu_size=2)
    assert right[0] == pytest.approx(5 / 4 - 9 / 8, abs=TOL)
    assert wrong[0] == pytest.approx(1 - 9 / 8, abs=TOL)


def test_ch7_anonymous_ties_part5_silent_full_is_equilibrium_with_maximal_payoffs():
    m = examples.anonymous_tie_market()
    good = np.stack([SILENT, FULL])
    out = gamelib.play(m, good, "anonymous")
    np.testing.assert_allclose(out.user_values, [1.0, 1.0], atol=TOL)
    np.testing.assert_allclose(out.provider_values, [1.25, 0.75], atol=TOL)
    fine = gamelib.experiment_grid(2, 20)
    for i in range(2):
        gains, _ = gamelib.deviation_gains(m, good, "anonymous", i, fine)
        assert gains.max() <= TOL


# ---------------------------------------------------------------------------------------------
# Chapter 7, proposition ch7-several-models (multi-homing) and ch7-different-information.
# ---------------------------------------------------------------------------------------------


def joint(first, second):
    """The joint experiment π⊗σ: signal (s, s') with probability π[θ, s] σ[θ, s']."""
    return np.einsum("ts,tr->tsr", first, second).reshape(first.shape[0], -1)


def test_ch7_several_models_silent_item_changes_nothing():
    m = examples.opposite_tastes()
    grid = gamelib.experiment_grid(2, 10)
    joined = np.stack([joint(pi, SILENT) for pi in grid])
    v, pay, _ = gamelib.outcome_tables(m, grid)
    v_j, pay_j, _ = gamelib.outcome_tables(m, joined)
    np.testing.assert_allclose(v_j, v, atol=TOL)
    np.testing.assert_allclose(pay_j, pay, atol=TOL)


def test_ch7_several_models_users_value_every_joint_experiment_alike():
    m = examples.opposite_tastes()
    grid = gamelib.experiment_grid(2, 4)
    joined = np.stack([joint(a, b) for a, b in itertools.product(grid, grid)])
    v, _, _ = gamelib.outcome_tables(m, joined)
    np.testing.assert_allclose(v[:, 0], v[:, 1], atol=TOL)
    # q/2 with q = 1/2 + 1/4 Σ_s |π(0,s) − π(1,s)|  (lemma ch5-lem-accuracy)
    q = 0.5 + 0.25 * np.abs(joined[:, 0] - joined[:, 1]).sum(axis=1)
    np.testing.assert_allclose(v[:, 0], q / 2, atol=TOL)


COARSE = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])  # the partition {0, 1} | {2}


@pytest.mark.parametrize("seed", [4, 5, 6, 7, 8])
@pytest.mark.parametrize("noise", [0.0, 0.05])
def test_ch7_different_information_floor_v_rho_minus_2eps(seed, noise):
    garblings = np.einsum("ts,gsr->gtr", COARSE, gamelib.experiment_grid(2, 5))
    m = examples.random_market(seed, n_states=3, n_actions=3, n_users=2, alignment="weak", noise=noise)
    worst = gamelib.equilibria(m, garblings, "personalized").worst_user_values()
    v_rho = gamelib.user_value(m.prior, COARSE, m.user_utility)
    eps = np.array([c.eps for c in gamelib.weak_alignment(m)])
    assert np.all(worst >= v_rho - 2 * eps - 1e-7)
    assert np.all(worst <= v_rho + 1e-9)  # every available experiment is a garbling of ρ (Blackwell)
    if noise == 0.0:
        np.testing.assert_allclose(worst, v_rho, atol=1e-7)


# ---------------------------------------------------------------------------------------------
# Chapter 4, corollary ch4-cor-separable: personalized equilibria = product of per-user equilibria.
# Brute force: every profile, every joint deviation of a provider (all its experiments at once).
# ---------------------------------------------------------------------------------------------


def brute_force_personalized_equilibria(market, grid):
    k, n, e = market.n_providers, market.n_users, len(grid)
    policies = list(itertools.product(range(e), repeat=n))  # one experiment index per user
    found = set()
    for profile in itertools.product(policies, repeat=k):  # profile[i][j]
        idx = np.array(profile)  # [k, n]
        payoff = gamelib.play(market, grid[idx], "personalized").provider_values
        stable = True
        for i in range(k):
            for dev in policies:
                new = idx.copy()
                new[i] = dev
                if gamelib.play(market, grid[new], "personalized").provider_values[i] > payoff[i] + TOL:
                    stable = False
                    break
            if not stable:
                break
        if stable:
            found.add(tuple(map(tuple, idx)))
    return found


@pytest.mark.parametrize("market", [examples.opposite_tastes(), examples.random_market(3, n_users=2, n_providers=2)])
def test_ch4_corollary_equilibria_are_products_of_per_user_equilibria(market):
    grid = gamelib.experiment_grid(2, 1)
    brute = brute_force_personalized_equilibria(market, grid)
    eq = gamelib.equilibria(market, grid, "personalized")
    per_user = [{tuple(p) for p in g.profiles} for g in eq.per_user]  # p[i]: provider i's index for user j
    product = {tuple(zip(*combo)) for combo in itertools.product(*per_user)}  # [k][n]
    assert len(brute) > 1
    assert brute == product
    assert len(brute) == len(eq) == int(np.prod([len(s) for s in per_user]))


# ---------------------------------------------------------------------------------------------
# Chapter 1, theorem thm-concave-closure, Step 5: a degenerate split (λ ∈ {0, 1}) is realised by
# the one-signal experiment, which attains the closure.
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("p0", [0.5, 0.6, 0.9])
def test_ch1_degenerate_split_is_reveal_nothing_and_attains_the_closure(p0):
    court = examples.prosecutor(p0)
    v, u = court.provider_utility[0, 0], court.user_utility[0]
    posteriors, weights, value = gamelib.optimal_split(p0, v, u)
    assert value == pytest.approx(1.0, abs=TOL)  # cav v̂(p0) = min(2 p0, 1) = 1 for p0 >= 1/2
    assert np.all(posteriors[weights > TOL] == pytest.approx(p0, abs=TOL))  # λ ∈ {0, 1}: posterior p0
    prior = [1 - p0, p0]
    silent = gamelib.reveal_nothing(2)
    _, payoffs, _ = gamelib.outcome_tables(court, silent[None])
    assert payoffs[0, 0, 0] == pytest.approx(1.0, abs=TOL)  # the judge convicts at the prior
    assert gamelib.optimal_persuasion(prior, v, u).sender_value == pytest.approx(1.0, abs=1e-7)


# ---------------------------------------------------------------------------------------------
# Chapter 4, "The proof, line by line, where the bound is met": the tight market and its bump.
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("x", [0.6, 0.75, 0.9])
@pytest.mark.parametrize("delta", [0.0, 0.01, 0.2])
def test_ch4_tight_market_chain_and_bumped_ratio(x, delta):
    tight = examples.tight_market(x)
    u_bumped = tight.provider_utility.copy()
    u_bumped[0, 0, 2] += delta
    ch = bounds.proof_chain(tight.replace(provider_utility=u_bumped), gamelib.experiment_grid(2, 10), "personalized")
    eps = (1 - x) / 2
    assert ch.eps[0] == pytest.approx(eps + delta / 2, abs=1e-9)
    assert ch.values[0] == pytest.approx(x, abs=TOL)  # silence: the user plays safe
    top, bottom = 1 - eps + delta, 1 - eps  # x + ε + δ = 1 − ε + δ
    np.testing.assert_allclose(ch.terms[0], [top, top, bottom, bottom], atol=1e-9)
    assert (ch.opt[0] - ch.values[0]) / (2 * ch.eps[0]) == pytest.approx((1 - x) / (1 - x + delta), abs=1e-9)


# ---------------------------------------------------------------------------------------------
# Chapter 6, "The chain where the bound is nearly met": the path for t <= 1/3 and ch6-tight.
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("t", [0.0, 0.1, 0.3, 1 / 3])
def test_ch6_path_loses_quarter_against_2eps_three_quarters_one_minus_t(t):
    m = gamelib.mix_markets(examples.opposite_tastes(), examples.opposite_tastes(aligned=True), t)
    ch = bounds.proof_chain(m, gamelib.experiment_grid(2, 10), "anonymous")
    # hand calculation: user 1 needs ε ≥ (3/4) w_2 (1 − t), user 2 ε ≥ (3/4) w_1 (1 − t)
    assert ch.eps[0] == pytest.approx(3 / 8 * (1 - t), abs=1e-9)
    np.testing.assert_allclose(ch.weights, [0.5, 0.5], atol=1e-9)
    assert m.masses @ (ch.opt - ch.values) == pytest.approx(0.25, abs=TOL)  # silence
    assert ch.holds


@pytest.mark.parametrize("x", [0.6, 0.75, 0.9])
def test_ch6_tight_market_meets_the_strong_alignment_bound(x):
    m = examples.tight_market(x)
    assert gamelib.strong_alignment(m).eps == pytest.approx((1 - x) / 2, abs=1e-9)
    silent = bounds.silent_profile(m, "anonymous")
    fine = gamelib.experiment_grid(2, 10)
    for size in (1, 2):
        gains, _ = gamelib.deviation_gains(m, silent, "anonymous", 0, fine, menu_size=size)
        assert gains.max() <= TOL
    ch = bounds.proof_chain(m, fine, "anonymous")
    assert 1 - ch.values[0] == pytest.approx(1 - x, abs=TOL)
    np.testing.assert_allclose(ch.terms, (1 + x) / 2, atol=1e-9)
