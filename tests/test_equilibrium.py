"""Equilibrium enumeration against a brute-force definition, Proposition 5.1, deviations."""

import itertools

import numpy as np
import pytest
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
    m = examples.fixed_action()
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
