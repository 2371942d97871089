"""Tests of gamelib.alignment: the alignment LP, its certificates, the hull picture."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from _markets import markets
from hypothesis import given, settings
from hypothesis import strategies as st

import gamelib
from gamelib import (
    alignment,
    examples,
    strong_alignment,
    weak_alignment,
)
from gamelib.alignment import _market_alignment_eps
from gamelib.interactive.alignment import _alignment_picture, tilted_market


def test_alignment_opposite_tastes_exact():
    m = examples.opposite_tastes()
    weak = gamelib.weak_alignment(m)
    assert [c.eps for c in weak] == [0.0, 0.0]
    np.testing.assert_allclose(weak[0].weights, [1.0, 0.0])
    strong = gamelib.strong_alignment(m)
    # hand: residual range for user 1 is 3(1 - w1)/4 wide... eps = 3/8 at w = (1/2, 1/2)
    assert strong.eps == pytest.approx(0.375, abs=1e-9)
    np.testing.assert_allclose(strong.weights, [0.5, 0.5], atol=1e-9)
    np.testing.assert_allclose(gamelib.alignment_residual(m, strong.weights, strong.offsets), strong.eps)


def test_alignment_fixed_action_cone_vs_simplex():
    m = examples.fixed_action_providers()
    assert gamelib.weak_alignment(m)[0].eps == pytest.approx(1.0)
    cone = gamelib.weak_alignment(m, cone=True)[0]
    assert cone.eps == pytest.approx(0.5)
    np.testing.assert_allclose(cone.weights, 0.0, atol=1e-12)


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


def test_remove_constants():
    out = alignment.remove_constants([[1.0, 2.0], [3.0, 6.0]])
    assert np.allclose(out, [-2.0, -1.0, 0.0, 3.0])
    stack = alignment.remove_constants(np.zeros((4, 2, 3, 2)))
    assert stack.shape == (4, 2, 6)


def test_hull_distance_hand_values():
    square = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    d, w = alignment.hull_distance([0.5, 0.5], square)
    assert d == pytest.approx(0.0) and np.allclose(w @ square, [0.5, 0.5])
    d, w = alignment.hull_distance([2.0, 0.5], square)
    assert d == pytest.approx(1.0) and np.allclose(w @ square, [1.0, 0.5])
    d, w = alignment.hull_distance([-1.0, -1.0], square)
    assert d == pytest.approx(np.sqrt(2.0))
    d, _ = alignment.hull_distance([-1.0, 0.0], [[1.0, 0.0], [0.0, 1.0]], cone=True)
    assert d == pytest.approx(1.0)


def test_alignment_picture_opposite_tastes():
    m = examples.opposite_tastes()
    for j in range(2):
        pic = _alignment_picture(m, user=j)
        assert pic.eps_weak == pytest.approx(0.0)
        assert pic.eps_strong == pytest.approx(0.375)
        assert pic.distance == pytest.approx(0.0, abs=1e-12)
        assert pic.captured == pytest.approx(1.0)
        # the user's point is her ally's point (provider j)
        assert np.allclose(pic.point, pic.providers[j])
        # collinear providers: the completing direction must stay inside 1-perp too
        assert np.allclose(pic.basis.sum(axis=1), 0.0, atol=1e-12)
        assert np.allclose(pic.basis @ pic.basis.T, np.eye(2))


def test_alignment_picture_tilted_is_exact_and_distance_is_bias_norm():
    m = tilted_market(0.3, 0.2)
    pic = _alignment_picture(m)
    assert pic.captured == pytest.approx(1.0)
    # bias b·1[a=0] with constants removed has Euclidean norm b (entries ±b/2 on 4 cells)
    assert pic.distance == pytest.approx(0.2)
    assert pic.point[1] == pytest.approx(0.2)
    assert np.allclose(pic.providers[:, 1], 0.0)


@settings(derandomize=True, max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 3), st.integers(2, 4))
def test_hull_distance_is_exact_against_dense_sampling(seed, k, d):
    rng = np.random.default_rng(seed)
    vertices = rng.normal(size=(k, d))
    point = rng.normal(size=d) * 2
    dist, w = alignment.hull_distance(point, vertices)
    assert w.min() >= 0 and w.sum() == pytest.approx(1.0)
    assert np.linalg.norm(point - w @ vertices) == pytest.approx(dist)
    samples = rng.dirichlet(np.ones(k), size=4000) @ vertices
    assert dist <= np.linalg.norm(samples - point, axis=1).min() + 1e-12
    cone_dist, cw = alignment.hull_distance(point, vertices, cone=True)
    assert cone_dist <= dist + 1e-12 and cw.min() >= 0


@settings(derandomize=True, max_examples=20, deadline=None)
@given(st.integers(0, 10_000))
def test_wma_eps_bounded_by_hull_distance(seed):
    m = examples.random_market(seed % 200, n_states=2, n_actions=3, n_providers=3, n_users=2)
    for cone in (False, True):
        for c in gamelib.weak_alignment(m, cone=cone):
            d, _ = alignment.hull_distance(alignment.remove_constants(m.user_utility[c.user]),
                                          alignment.remove_constants(m.provider_utility[:, c.user]),
                                          cone=cone)
            assert c.eps <= d + 1e-9


def test_alignment_picture_basis_orthonormal_on_random_markets():
    for seed in range(10):
        m = examples.random_market(seed, n_states=3, n_actions=2, n_providers=3, n_users=2)
        for j, cone in itertools.product(range(2), (False, True)):
            pic = _alignment_picture(m, user=j, cone=cone)
            assert np.allclose(pic.basis @ pic.basis.T, np.eye(2), atol=1e-10)
            assert np.allclose(pic.basis.sum(axis=1), 0.0, atol=1e-10)  # inside 1-perp
            assert 0.0 <= pic.captured <= 1.0


def test_batched_lp_matches_library():
    markets = [examples.random_market(s, n_providers=3, n_users=2) for s in range(6)]
    weak, strong = _market_alignment_eps(markets)
    for m, w, s in zip(markets, weak, strong):
        assert w == pytest.approx(max(c.eps for c in weak_alignment(m)), abs=1e-7)
        assert s == pytest.approx(strong_alignment(m).eps, abs=1e-7)


def test_market_alignment_eps_errors():
    with pytest.raises(ValueError, match="^markets"):
        _market_alignment_eps([])
    with pytest.raises(ValueError, match="^markets"):
        _market_alignment_eps([examples.opposite_tastes(), examples.prosecutor()])
    with pytest.raises(ValueError, match="^markets"):
        _market_alignment_eps(["not a market"])
