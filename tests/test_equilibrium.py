"""Equilibrium enumeration against a brute-force definition, Proposition 5.1, deviations."""

import itertools

import numpy as np
import pytest
from _markets import grid_for, markets
from hypothesis import given, settings
from hypothesis import strategies as st

import gamelib
from gamelib import examples

SILENT = gamelib.reveal_nothing(2, 2)
FULL = gamelib.reveal_everything(2)


def brute_force(market, experiments, mode):
    """The definition, literally: every profile, every unilateral deviation, via play()."""
    k, n, E = market.n_providers, market.n_users, len(experiments)
    found = []
    if mode == "anonymous":
        for prof in itertools.product(range(E), repeat=k):
            policy = experiments[list(prof)]
            base = gamelib.play(market, policy, mode).provider_values
            stable = True
            for i, e in itertools.product(range(k), range(E)):
                dev = policy.copy()
                dev[i] = experiments[e]
                if gamelib.play(market, dev, mode).provider_values[i] > base[i] + 1e-9:
                    stable = False
                    break
            if stable:
                found.append(prof)
        return sorted(found)
    # personalized: a profile is [k, n]; check all profiles of a tiny game
    for flat in itertools.product(range(E), repeat=k * n):
        prof = np.array(flat).reshape(k, n)
        policy = experiments[prof]
        base = gamelib.play(market, policy, mode).provider_values
        stable = True
        for i, j, e in itertools.product(range(k), range(n), range(E)):
            dev = policy.copy()
            dev[i, j] = experiments[e]
            if gamelib.play(market, dev, mode).provider_values[i] > base[i] + 1e-9:
                stable = False
                break
        if stable:
            found.append(tuple(flat))
    return sorted(found)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 10_000),
    k=st.integers(1, 3),
    n=st.integers(1, 3),
    n_actions=st.integers(2, 3),
)
def test_anonymous_enumeration_equals_definition(seed, k, n, n_actions):
    market = examples.random_market(seed, n_actions=n_actions, n_providers=k, n_users=n)
    grid = gamelib.experiment_grid(2, 2 if k < 3 else 1)
    fast = sorted(tuple(int(x) for x in p) for p in gamelib.equilibria(market, grid, "anonymous").profiles)
    assert fast == brute_force(market, grid, "anonymous")


@settings(max_examples=10, deadline=None, derandomize=True)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 2))
def test_personalized_enumeration_equals_definition(seed, n):
    market = examples.random_market(seed, n_providers=2, n_users=n)
    grid = gamelib.experiment_grid(2, 1)
    eqs = gamelib.equilibria(market, grid, "personalized")
    fast = sorted(tuple(int(x) for x in e.profile.ravel()) for e in eqs)
    assert fast == brute_force(market, grid, "personalized")
    assert len(eqs) == len(fast)


def test_equilibrium_objects_consistent_with_play():
    market = examples.random_market(11, n_providers=3, n_users=3, n_actions=3)
    grid = gamelib.experiment_grid(2, 3)
    for mode in ("anonymous", "personalized"):
        eqs = gamelib.equilibria(market, grid, mode)
        assert len(eqs) > 0
        for count, eq in enumerate(eqs):
            out = gamelib.play(market, grid[eq.profile], mode)
            np.testing.assert_allclose(out.user_values, eq.user_values, atol=1e-12)
            np.testing.assert_allclose(out.provider_values, eq.provider_values, atol=1e-12)
            np.testing.assert_array_equal(out.choice, eq.choice)
            assert gamelib.profitable_deviation(market, grid[eq.profile], mode, experiments=grid) is None
            if count > 50:
                break


# ---------------------------------------------------------------- Proposition 5.1


def test_prop5_1_alignment():
    m = examples.opposite_tastes()
    assert [c.eps for c in gamelib.weak_alignment(m)] == [0.0, 0.0]
    assert gamelib.strong_alignment(m).eps > 0.3


def test_prop5_1_silence_is_anonymous_equilibrium_against_grid_and_menus():
    m = examples.opposite_tastes()
    grid = gamelib.experiment_grid(2, 20)
    informative = gamelib.is_informative(m.prior, grid)
    assert informative.sum() == 441 - 21  # the 21 rows with π[0]=π[1] are uninformative
    silent = np.stack([SILENT, SILENT])
    for provider in (0, 1):
        gains, _ = gamelib.deviation_gains(m, silent, "anonymous", provider, grid)
        assert gains[informative].max() < 0  # every informative deviation strictly loses
        np.testing.assert_allclose(gains[~informative], 0.0, atol=1e-12)  # silence changes nothing
        # closed form: an experiment with best-guess accuracy q loses (q - 1/2)/4
        q = gamelib.user_value(m.prior, grid, np.eye(2))
        np.testing.assert_allclose(gains, -(q - 0.5) / 4, atol=1e-12)
        menu_gains, menus = gamelib.deviation_gains(m, silent, "anonymous", provider, grid, menu_size=2)
        assert len(menus) == 441 * 440 // 2
        informative_menu = informative[menus].any(axis=1)
        assert menu_gains[informative_menu].max() < 0
        assert menu_gains.max() <= 1e-12
    out = gamelib.play(m, silent, "anonymous")
    np.testing.assert_allclose(out.user_values, [0.25, 0.25])
    np.testing.assert_allclose(gamelib.aligned_value(m), [0.5, 0.5])


def test_prop5_1_enumeration_contains_silence_and_full_revelation():
    m = examples.opposite_tastes()
    grid = gamelib.experiment_grid(2, 20)
    eqs = gamelib.equilibria(m, grid, "anonymous")
    profiles = {tuple(p) for p in eqs.profiles.tolist()}
    full = int(np.flatnonzero(np.all(grid == FULL, axis=(1, 2)))[0])
    assert (0, 0) in profiles and (full, full) in profiles
    np.testing.assert_allclose(eqs.worst_user_values(), [0.25, 0.25])
    np.testing.assert_allclose(eqs.best_user_values(), [0.5, 0.5])


def test_prop5_1_silence_not_personalized_equilibrium():
    m = examples.opposite_tastes()
    silent = np.broadcast_to(SILENT, (2, 2, 2, 2))
    dev = gamelib.profitable_deviation(m, silent, "personalized")
    assert dev is not None and dev.gain == pytest.approx(0.125)
    assert dev.user == dev.provider  # each provider reveals to its own audience
    before = gamelib.play(m, silent, "personalized").provider_values[dev.provider]
    after = gamelib.play(m, dev.policy, "personalized").provider_values[dev.provider]
    assert after - before == pytest.approx(dev.gain)
    eqs = gamelib.equilibria(m, gamelib.experiment_grid(2, 20), "personalized")
    np.testing.assert_allclose(eqs.worst_user_values(), [0.5, 0.5])


def test_phase_boundary_of_silence():
    # silence survives provider 1's deviations iff m1/2 < m2*s1 (closed form in chapter 5)
    grid = gamelib.experiment_grid(2, 10)
    silent = np.stack([SILENT, SILENT])
    for m1, s1 in [(0.5, 0.3), (0.5, 0.6), (0.7, 1.0), (0.8, 1.0), (0.3, 0.2)]:
        m = examples.opposite_tastes(masses=(m1, 1 - m1), stakes=(s1, 1.0))
        gains, _ = gamelib.deviation_gains(m, silent, "anonymous", 0, grid)
        assert (gains.max() <= 1e-12) == (m1 / 2 < (1 - m1) * s1)


def test_fixed_action_personalized_silence_is_equilibrium():
    m = examples.fixed_action_providers()
    silent = np.broadcast_to(SILENT, (2, 1, 2, 2))
    assert gamelib.profitable_deviation(m, silent, "personalized", experiments=gamelib.experiment_grid(2, 10)) is None
    assert gamelib.play(m, silent, "personalized").user_values[0] == pytest.approx(0.5)


def test_full_revelation_equilibrium_existence():
    for seed in range(20):
        m = examples.random_market(seed, n_providers=2, n_users=3, n_actions=3)
        grid = gamelib.experiment_grid(2, 4)
        full_a = np.stack([FULL, FULL])
        full_p = np.broadcast_to(FULL, (2, 3, 2, 2))
        assert gamelib.profitable_deviation(m, full_a, "anonymous", experiments=grid) is None
        assert gamelib.profitable_deviation(m, full_p, "personalized", experiments=grid) is None


def test_deviation_policy_is_the_deviated_profile():
    m = examples.random_market(5, n_providers=2, n_users=2)
    silent = np.stack([SILENT, SILENT])
    dev = gamelib.profitable_deviation(m, silent, "anonymous", experiments=gamelib.experiment_grid(2, 4))
    if dev is not None:
        assert dev.policy.shape == silent.shape
        gain = (
            gamelib.play(m, dev.policy, "anonymous").provider_values[dev.provider]
            - gamelib.play(m, silent, "anonymous").provider_values[dev.provider]
        )
        assert gain == pytest.approx(dev.gain)


def test_empty_equilibrium_set_reports_clearly():
    empty = gamelib.EquilibriumSet(
        "anonymous", gamelib.experiment_grid(2, 1), 2, 1,
        arrays=(np.empty((0, 2), int), np.empty((0, 1)), np.empty((0, 2)),
                np.empty((0, 1), int), np.empty((0, 1), int)),
    )
    assert len(empty) == 0 and not empty and list(empty) == []
    with pytest.raises(ValueError, match="equilibria"):
        empty.worst_user_values()
    with pytest.raises(ValueError, match="equilibria"):
        empty.best_user_values()


@pytest.mark.parametrize("seed", range(8))
def test_outcome_tables_match_the_single_decision_functions(seed):
    """outcome_tables (one matrix product for everybody) agrees with a loop over experiments,
    users and signals built from best_response / user_value and the definition of V and Π."""
    n_states = 2 + seed % 2
    m = examples.random_market(seed, n_states=n_states, n_actions=3, n_providers=3, n_users=2)
    grid = gamelib.experiment_grid(n_states, 2)
    values, payoffs, actions = gamelib.outcome_tables(m, grid)
    for e, pi in enumerate(grid):
        joint = m.prior[:, None] * pi  # μ(θ) π[θ, s]
        for j in range(m.n_users):
            act = gamelib.best_response(m.prior, pi, m.user_utility[j])
            np.testing.assert_array_equal(actions[e, j], act)
            assert values[e, j] == pytest.approx(gamelib.user_value(m.prior, pi, m.user_utility[j]), abs=1e-12)
            for i in range(m.n_providers):
                expected = sum(joint[t, s] * m.provider_utility[i, j, act[s], t]
                               for t in range(n_states) for s in range(pi.shape[1]))
                assert payoffs[i, e, j] == pytest.approx(expected, abs=1e-12)


def test_outcome_tables_opposite_tastes():
    m = examples.opposite_tastes()
    grid = gamelib.experiment_grid(2, 1)  # (1,0|1,0) silent, (1,0|0,1) full, (0,1|1,0) full, (0,1|0,1) silent
    values, payoffs, actions = gamelib.outcome_tables(m, grid)
    np.testing.assert_allclose(values, [[0.25, 0.25], [0.5, 0.5], [0.5, 0.5], [0.25, 0.25]])
    # full revelation: user 1 matches, user 2 mismatches; provider 1 gets 1/2 from user 1, 0 from user 2
    np.testing.assert_allclose(payoffs[0, 1], [0.5, 0.0])
    np.testing.assert_allclose(payoffs[1, 1], [0.0, 0.5])
    np.testing.assert_array_equal(actions[1], [[0, 1], [1, 0]])


def test_play_menus_and_action_probabilities():
    m = examples.opposite_tastes()
    silent, full = gamelib.reveal_nothing(2, 2), gamelib.reveal_everything(2)
    out = gamelib.play(m, np.stack([silent, full]), "anonymous")
    np.testing.assert_array_equal(out.choice, [1, 1])
    np.testing.assert_allclose(out.user_values, [0.5, 0.5])
    # provider 1 gets from user 1: 1/2*E[1/2*1[a=θ]] = 1/4 ; from user 2: 1/2*P(a=θ)=0
    np.testing.assert_allclose(out.provider_values, [0.25, 0.25])
    np.testing.assert_allclose(out.action_probabilities[0], np.eye(2))
    np.testing.assert_allclose(out.action_probabilities[1], 1 - np.eye(2))
    # a menu (silent, full) for provider 1 beats provider 2's silence; users take item 1
    menus = np.stack([np.stack([silent, full]), np.stack([silent, silent])])
    out = gamelib.play(m, menus, "anonymous")
    np.testing.assert_array_equal(out.choice, [0, 0])
    np.testing.assert_array_equal(out.item, [1, 1])


def test_play_personalized_separates_users():
    m = examples.opposite_tastes()
    silent, full = gamelib.reveal_nothing(2, 2), gamelib.reveal_everything(2)
    policy = np.stack([np.stack([full, silent]), np.stack([silent, silent])])  # provider 1 reveals to user 1 only
    out = gamelib.play(m, policy, "personalized")
    np.testing.assert_array_equal(out.choice, [0, 0])
    np.testing.assert_allclose(out.user_values, [0.5, 0.25])
    # provider 1: 1/2 * E[1/2 1[a=θ]] (=1/2) + 1/2 * P(a=θ | user 2 silent, plays 0) (=1/2) = 1/4 + 1/4
    # provider 2: 1/2 * P(a≠θ | user 1 informed) (=0) + 1/2 * E[1/2 1[a≠θ]] (=1/4) = 1/8
    np.testing.assert_allclose(out.provider_values, [0.5, 0.125])


@settings(max_examples=200, deadline=None, derandomize=True)
@given(market=markets, profile_seed=st.integers(0, 2**31 - 1))
def test_certificates_whenever_the_bounds_fail(market, profile_seed):
    """A profile below the bound is never an equilibrium: the proofs' deviation pays."""
    rng = np.random.default_rng(profile_seed)
    grid = grid_for(market)
    k, n = market.n_providers, market.n_users
    opt = gamelib.aligned_value(market)

    eps = np.array([c.eps for c in gamelib.weak_alignment(market)])
    policy = grid[rng.integers(len(grid), size=(k, n))]
    out = gamelib.play(market, policy, "personalized")
    dev = gamelib.profitable_deviation(market, policy, "personalized")
    if np.any(out.user_values < opt - 2 * eps - 1e-6):
        assert dev is not None and dev.gain > 0
        assert dev.user is not None
        after = gamelib.play(market, dev.policy, "personalized").provider_values[dev.provider]
        np.testing.assert_allclose(after - out.provider_values[dev.provider], dev.gain, atol=1e-9)

    sma = gamelib.strong_alignment(market).eps
    policy = grid[rng.integers(len(grid), size=k)]
    out = gamelib.play(market, policy, "anonymous")
    dev = gamelib.profitable_deviation(market, policy, "anonymous")
    if (opt - out.user_values) @ market.masses > 2 * sma + 1e-6:
        assert dev is not None and dev.gain > 0 and dev.user is None
        after = gamelib.play(market, dev.policy, "anonymous").provider_values[dev.provider]
        np.testing.assert_allclose(after - out.provider_values[dev.provider], dev.gain, atol=1e-9)
