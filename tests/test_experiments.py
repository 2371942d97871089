"""Tests of gamelib.experiments: Bayesian updating, values, grids, splitting and garbling."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gamelib
from gamelib import examples


def test_posteriors_and_signal_probabilities_prior_at_experiment():
    prior = [0.25, 0.75]
    pi = [[0.8, 0.2], [0.4, 0.6]]
    # P(s0) = 0.25*0.8 + 0.75*0.4 = 0.5 ; P(s1) = 0.5
    np.testing.assert_allclose(np.array(prior) @ pi, [0.5, 0.5])
    # μ_s0 = (0.2, 0.3)/0.5 = (0.4, 0.6) ; μ_s1 = (0.05, 0.45)/0.5 = (0.1, 0.9)
    np.testing.assert_allclose(gamelib.posteriors(prior, pi), [[0.4, 0.6], [0.1, 0.9]])


def test_posterior_of_never_sent_signal_is_prior():
    post = gamelib.posteriors([0.5, 0.5], gamelib.reveal_nothing(2, 3))
    np.testing.assert_allclose(post, [[0.5, 0.5]] * 3)


def test_user_value_hand_computed():
    # guess-the-state user, prior (0.25, 0.75), experiment above:
    # s0: scores (0.2, 0.3) -> 0.3 ; s1: (0.05, 0.45) -> 0.45 ; V = 0.75
    u = np.eye(2)
    pi = np.array([[0.8, 0.2], [0.4, 0.6]])
    assert gamelib.user_value([0.25, 0.75], pi, u) == pytest.approx(0.75, abs=1e-15)
    # with no information she guesses θ1: 0.75 as well ; full information: 1
    assert gamelib.user_value([0.25, 0.75], gamelib.reveal_nothing(2), u) == pytest.approx(0.75)
    assert gamelib.user_value([0.25, 0.75], gamelib.reveal_everything(2), u) == pytest.approx(1.0)
    # vectorised over experiments and users
    both = gamelib.user_value([0.25, 0.75], np.stack([pi, np.eye(2)]), np.stack([u, 1 - u]))
    # the contrarian (1 - u): s0 -> max(0.3, 0.2) ; s1 -> max(0.45, 0.05) ; V = 0.75
    np.testing.assert_allclose(both, [[0.75, 0.75], [1.0, 1.0]])


def test_best_response_lowest_index_tie():
    u = np.eye(2)
    # at the uniform prior both actions tie: lowest index
    np.testing.assert_array_equal(gamelib.best_response([0.5, 0.5], gamelib.reveal_nothing(2), u), [0])
    np.testing.assert_array_equal(gamelib.best_response([0.5, 0.5], np.eye(2), u), [0, 1])


def test_experiment_grid_contents():
    g = gamelib.experiment_grid(2, 4)
    assert g.shape == (25, 2, 2)
    np.testing.assert_allclose(g.sum(axis=-1), 1.0)
    assert np.any(np.all(g == gamelib.reveal_everything(2), axis=(1, 2)))
    np.testing.assert_array_equal(g[0], gamelib.reveal_nothing(2, 2))
    g3 = gamelib.experiment_grid(3, 2)  # binary signals cannot reveal 3 states: appended
    assert g3.shape == (3**3 + 1, 3, 3)
    np.testing.assert_array_equal(g3[-1], np.eye(3))
    g3s = gamelib.experiment_grid(3, 1, n_signals=3)
    assert g3s.shape == (27, 3, 3)
    assert len(np.unique(g.reshape(len(g), -1), axis=0)) == len(g)


def test_is_informative():
    assert not gamelib.is_informative([0.3, 0.7], [[0.4, 0.6], [0.4, 0.6]])
    assert gamelib.is_informative([0.3, 0.7], [[0.5, 0.5], [0.4, 0.6]])


def test_split_experiment_prosecutor_is_kg_solution():
    pi = gamelib.split_experiment([0.7, 0.3], [[1.0, 0.0], [0.5, 0.5]], [0.4, 0.6])
    assert np.allclose(pi, [[4 / 7, 3 / 7], [0.0, 1.0]])


def test_symmetric_experiment_and_garbling():
    assert np.allclose(gamelib.symmetric_experiment(0.75), [[0.75, 0.25], [0.25, 0.75]])
    swap = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert np.allclose(gamelib.symmetric_experiment(0.9) @ swap,
                       gamelib.symmetric_experiment(0.1))
    merged = np.eye(3) @ np.ones((3, 1))
    assert np.allclose(merged, np.ones((3, 1)))


@settings(derandomize=True, max_examples=25, deadline=None)
@given(st.integers(0, 10_000))
def test_blackwell_garbling_never_helps(seed):
    rng = np.random.default_rng(seed)
    m = examples.random_market(seed % 50, n_states=3, n_actions=3, n_users=2)
    pi = rng.dirichlet(np.ones(3), size=3)
    g = rng.dirichlet(np.ones(2), size=3)
    before = gamelib.user_value(m.prior, pi, m.user_utility)
    after = gamelib.user_value(m.prior, pi @ g, m.user_utility)
    assert np.all(after <= before + 1e-12)


@settings(derandomize=True, max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 4))
def test_split_experiment_round_trip(seed, n_signals):
    rng = np.random.default_rng(seed)
    prior = 0.1 + 0.9 * rng.dirichlet(np.ones(3))
    prior /= prior.sum()
    pi = rng.dirichlet(np.ones(n_signals), size=3)
    post = gamelib.posteriors(prior, pi)
    probs = prior @ pi
    assert np.allclose(gamelib.split_experiment(prior, post, probs), pi)
