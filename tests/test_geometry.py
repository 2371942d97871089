"""Tests of gamelib.geometry: hand-computed values, properties, error paths."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gamelib
from gamelib import examples, geometry

# ---------------------------------------------------------------- hand-computed values


def test_threshold_receiver_switches_at_threshold():
    for t in (0.1, 0.5, 0.8):
        u = geometry.threshold_receiver(t)
        silent = gamelib.reveal_nothing(2)
        below = gamelib.best_response([1 - (t - 0.05), t - 0.05], silent, u)
        at = gamelib.best_response([1 - t, t], silent, u)
        above = gamelib.best_response([1 - (t + 0.05), t + 0.05], silent, u)
        assert below.tolist() == [1] and at.tolist() == [0] and above.tolist() == [0]


def test_threshold_receiver_half_is_kg_judge_up_to_state_term():
    judge = examples.prosecutor().user_utility[0]
    diff = judge - 2 * geometry.threshold_receiver(0.5)
    assert np.allclose(diff, diff[0])  # a function of θ alone


def test_tilted_taste_extremes():
    assert np.array_equal(geometry.tilted_taste(0.0), 0.5 * np.eye(2))
    assert np.array_equal(geometry.tilted_taste(1.0), 0.5 * (1 - np.eye(2)))
    assert np.allclose(geometry.tilted_taste(0.5, 0.1), [[0.35, 0.35], [0.25, 0.25]])


def test_split_experiment_prosecutor_is_kg_solution():
    pi = geometry.split_experiment([0.7, 0.3], [[1.0, 0.0], [0.5, 0.5]], [0.4, 0.6])
    assert np.allclose(pi, [[4 / 7, 3 / 7], [0.0, 1.0]])


def test_symmetric_experiment_and_garble():
    assert np.allclose(geometry.symmetric_experiment(0.75), [[0.75, 0.25], [0.25, 0.75]])
    swap = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert np.allclose(geometry.garble(geometry.symmetric_experiment(0.9), swap),
                       geometry.symmetric_experiment(0.1))
    merged = geometry.garble(np.eye(3), np.ones((3, 1)))
    assert np.allclose(merged, np.ones((3, 1)))


def test_remove_constants():
    out = geometry.remove_constants([[1.0, 2.0], [3.0, 6.0]])
    assert np.allclose(out, [-2.0, -1.0, 0.0, 3.0])
    stack = geometry.remove_constants(np.zeros((4, 2, 3, 2)))
    assert stack.shape == (4, 2, 6)


def test_hull_distance_hand_values():
    square = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    d, w = geometry.hull_distance([0.5, 0.5], square)
    assert d == pytest.approx(0.0) and np.allclose(w @ square, [0.5, 0.5])
    d, w = geometry.hull_distance([2.0, 0.5], square)
    assert d == pytest.approx(1.0) and np.allclose(w @ square, [1.0, 0.5])
    d, w = geometry.hull_distance([-1.0, -1.0], square)
    assert d == pytest.approx(np.sqrt(2.0))
    d, _ = geometry.hull_distance([-1.0, 0.0], [[1.0, 0.0], [0.0, 1.0]], cone=True)
    assert d == pytest.approx(1.0)


def test_alignment_picture_opposite_tastes():
    m = examples.opposite_tastes()
    for j in range(2):
        pic = geometry.alignment_picture(m, user=j)
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
    users = np.array(examples.opposite_tastes().user_utility)
    users[0] = geometry.tilted_taste(0.3, 0.2)
    m = examples.opposite_tastes().replace(user_utility=users)
    pic = geometry.alignment_picture(m)
    assert pic.captured == pytest.approx(1.0)
    # bias b·1[a=0] with constants removed has Euclidean norm b (entries ±b/2 on 4 cells)
    assert pic.distance == pytest.approx(0.2)
    assert pic.point[1] == pytest.approx(0.2)
    assert np.allclose(pic.providers[:, 1], 0.0)


# ---------------------------------------------------------------- properties


@settings(derandomize=True, max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 3), st.integers(2, 4))
def test_hull_distance_is_exact_against_dense_sampling(seed, k, d):
    rng = np.random.default_rng(seed)
    vertices = rng.normal(size=(k, d))
    point = rng.normal(size=d) * 2
    dist, w = geometry.hull_distance(point, vertices)
    assert w.min() >= 0 and w.sum() == pytest.approx(1.0)
    assert np.linalg.norm(point - w @ vertices) == pytest.approx(dist)
    samples = rng.dirichlet(np.ones(k), size=4000) @ vertices
    assert dist <= np.linalg.norm(samples - point, axis=1).min() + 1e-12
    cone_dist, cw = geometry.hull_distance(point, vertices, cone=True)
    assert cone_dist <= dist + 1e-12 and cw.min() >= 0


@settings(derandomize=True, max_examples=25, deadline=None)
@given(st.integers(0, 10_000))
def test_blackwell_garbling_never_helps(seed):
    rng = np.random.default_rng(seed)
    m = examples.random_market(seed % 50, n_states=3, n_actions=3, n_users=2)
    pi = rng.dirichlet(np.ones(3), size=3)
    g = rng.dirichlet(np.ones(2), size=3)
    before = gamelib.user_value(m.prior, pi, m.user_utility)
    after = gamelib.user_value(m.prior, geometry.garble(pi, g), m.user_utility)
    assert np.all(after <= before + 1e-12)


@settings(derandomize=True, max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 4))
def test_split_experiment_round_trip(seed, n_signals):
    rng = np.random.default_rng(seed)
    prior = 0.1 + 0.9 * rng.dirichlet(np.ones(3))
    prior /= prior.sum()
    pi = rng.dirichlet(np.ones(n_signals), size=3)
    post = gamelib.posteriors(prior, pi)
    probs = gamelib.signal_probabilities(prior, pi)
    assert np.allclose(geometry.split_experiment(prior, post, probs), pi)


@settings(derandomize=True, max_examples=20, deadline=None)
@given(st.integers(0, 10_000))
def test_wma_eps_bounded_by_hull_distance(seed):
    m = examples.random_market(seed % 200, n_states=2, n_actions=3, n_providers=3, n_users=2)
    for cone in (False, True):
        for c in gamelib.weak_alignment(m, cone=cone):
            d, _ = geometry.hull_distance(geometry.remove_constants(m.user_utility[c.user]),
                                          geometry.remove_constants(m.provider_utility[:, c.user]),
                                          cone=cone)
            assert c.eps <= d + 1e-9


def test_alignment_picture_basis_orthonormal_on_random_markets():
    for seed in range(10):
        m = examples.random_market(seed, n_states=3, n_actions=2, n_providers=3, n_users=2)
        for j, cone in itertools.product(range(2), (False, True)):
            pic = geometry.alignment_picture(m, user=j, cone=cone)
            assert np.allclose(pic.basis @ pic.basis.T, np.eye(2), atol=1e-10)
            assert np.allclose(pic.basis.sum(axis=1), 0.0, atol=1e-10)  # inside 1-perp
            assert 0.0 <= pic.captured <= 1.0


# ---------------------------------------------------------------- error paths


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: geometry.threshold_receiver(1.5), "threshold"),
        (lambda: geometry.threshold_receiver("x"), "threshold"),
        (lambda: geometry.tilted_taste(-0.1), "taste"),
        (lambda: geometry.tilted_taste(0.5, float("nan")), "bias"),
        (lambda: geometry.symmetric_experiment(1.2), "q"),
        (lambda: geometry.garble(np.eye(2), np.ones((3, 1))), "garbling"),
        (lambda: geometry.garble([[0.5, 0.4], [0.0, 1.0]], np.eye(2)), "experiment"),
        (lambda: geometry.remove_constants([1.0, 2.0]), "utility"),
        (lambda: geometry.hull_distance([0.0, 0.0], [[1.0, 0.0, 0.0]]), "vertices"),
        (lambda: geometry.hull_distance([0.0], [[1.0]], cone="yes"), "cone"),
        (lambda: geometry.hull_distance([0.0], np.zeros((13, 1))), "vertices"),
        (lambda: geometry.split_experiment([0.5, 0.5], [[1.0, 0.0]], [1.0]), "posteriors"),
        (lambda: geometry.split_experiment([1.0, 0.0], [[1.0, 0.0]], [1.0]), "prior"),
        (lambda: geometry.split_experiment([0.5, 0.5], [[0.5, 0.5]], [0.5, 0.5]), "weights"),
        (lambda: geometry.alignment_picture("market"), "market"),
        (lambda: geometry.alignment_picture(examples.opposite_tastes(), user=2), "user"),
        (lambda: geometry.alignment_picture(examples.opposite_tastes(), cone=1), "cone"),
    ],
)
def test_errors_name_the_argument(call, name):
    with pytest.raises(ValueError, match=rf"^{name}"):
        call()
