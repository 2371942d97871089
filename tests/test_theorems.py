"""Theorems 4.1 and 6.1, and their certificates, on many random markets (hypothesis, seeded).

Each test draws at least 200 markets per run: binary or ternary states, 2-3
actions, 2-4 providers, 1-4 users, unaligned, approximately aligned (noise) or
exactly aligned.  Equilibria are enumerated exactly over a grid of experiments
that contains reveal-nothing and reveal-everything.
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import gamelib
from gamelib import examples

TOL = 1e-7

markets = st.builds(
    lambda seed, n_states, n_actions, k, n, alignment, noise: examples.random_market(
        seed, n_states=n_states, n_actions=n_actions, n_providers=k, n_users=n, alignment=alignment, noise=noise
    ),
    seed=st.integers(0, 2**31 - 1),
    n_states=st.sampled_from([2, 3]),
    n_actions=st.sampled_from([2, 3]),
    k=st.integers(2, 4),
    n=st.integers(1, 4),
    alignment=st.sampled_from([None, "weak", "strong"]),
    noise=st.sampled_from([0.0, 0.0, 0.02, 0.1]),
)


def grid_for(market):
    """A grid small enough for k providers, always with reveal-nothing/everything."""
    if market.n_states == 2:
        return gamelib.experiment_grid(2, 3 if market.n_providers < 4 else 2)
    return gamelib.experiment_grid(3, 2 if market.n_providers < 4 else 1)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(market=markets)
def test_theorem1_personalized_equilibria_respect_wma_bound(market):
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
def test_theorem3_anonymous_equilibria_respect_sma_bound(market):
    cert = gamelib.strong_alignment(market)
    opt = gamelib.aligned_value(market)
    eqs = gamelib.equilibria(market, grid_for(market), "anonymous")
    assert len(eqs) > 0
    loss = (opt - eqs.user_values) @ market.masses  # Σ_j m_j (OPT_j − V_j), per equilibrium
    assert np.all(loss <= 2 * cert.eps + TOL)
    if cert.eps < 1e-9:
        np.testing.assert_allclose(eqs.user_values, np.broadcast_to(opt, eqs.user_values.shape), atol=TOL)


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


@settings(max_examples=50, deadline=None, derandomize=True)
@given(market=markets)
def test_alignment_certificates_are_valid_and_minimal(market):
    """Each certificate satisfies its own inequality with its own ε, and no sampled weights do better."""
    rng = np.random.default_rng(0)
    for cone in (False, True):
        weak = gamelib.weak_alignment(market, cone=cone)
        strong = gamelib.strong_alignment(market, cone=cone)
        res_w = gamelib.alignment_residual(
            market, np.stack([c.weights for c in weak]), np.array([c.offset for c in weak])
        )
        np.testing.assert_allclose(res_w, [c.eps for c in weak], atol=1e-12)
        assert gamelib.alignment_residual(market, strong.weights, strong.offsets).max() <= strong.eps + 1e-12
        assert strong.eps >= max(c.eps for c in weak) - 1e-9  # SMA(ε) ⇒ WMA(ε)
        if not cone:
            np.testing.assert_allclose([c.weights.sum() for c in weak], 1.0)
            samples = rng.dirichlet(np.ones(market.n_providers), size=300)
        else:
            samples = rng.exponential(size=(300, market.n_providers)) * rng.uniform(0, 2, size=(300, 1))
        # any weights: best offset gives half the residual range; never below the LP optimum
        combo = np.einsum("si,ijat->sjat", samples, market.provider_utility)
        r = (market.user_utility[None] - combo).reshape(len(samples), market.n_users, -1)
        half_range = (r.max(axis=2) - r.min(axis=2)) / 2
        assert np.all(half_range.min(axis=0) >= np.array([c.eps for c in weak]) - 1e-9)
        assert half_range.max(axis=1).min() >= strong.eps - 1e-9
