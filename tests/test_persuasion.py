"""Tests of gamelib.persuasion: the one-sender problem and the concave closure."""

from __future__ import annotations

import numpy as np
import pytest

import gamelib
from gamelib import examples


def test_prosecutor_persuasion_exact():
    m = examples.prosecutor()
    res = gamelib.optimal_persuasion(m.prior, m.provider_utility[0, 0], m.user_utility[0])
    assert res.sender_value == pytest.approx(0.6, abs=1e-9)
    assert res.experiment[0, 0] == pytest.approx(3 / 7, abs=1e-9)  # P(convict | innocent)
    assert res.experiment[1, 0] == pytest.approx(1.0, abs=1e-9)
    np.testing.assert_allclose(res.action_probabilities, [0.6, 0.4], atol=1e-9)
    assert res.receiver_value == pytest.approx(0.7, abs=1e-9)


def test_prosecutor_grid_search_reaches_closure_with_lowest_index_rule():
    # convict is action 0, so the lowest-index tie favours the prosecutor:
    # P(convict|innocent) = 3/7 is not on a grid, but a rational grid point at the threshold is.
    m = examples.prosecutor()
    grid = gamelib.experiment_grid(2, 14)  # contains 6/14 = 3/7
    values, payoffs, _ = gamelib.outcome_tables(m, grid)
    assert payoffs[0, :, 0].max() == pytest.approx(0.6, abs=1e-9)
    # with the action order swapped (acquit = 0) the same grid falls short of 0.6
    swapped = gamelib.Market(m.prior, m.masses, m.user_utility[:, ::-1], m.provider_utility[:, :, ::-1])
    _, payoffs2, _ = gamelib.outcome_tables(swapped, grid)
    assert payoffs2[0, :, 0].max() < 0.6 - 1e-3


def test_concave_closure_matches_lp_on_prior_range():
    judge, pros = np.array([[0, 1], [1, 0]]), np.array([[1, 1], [0, 0]])
    knots, heights = gamelib.concave_closure(pros, judge)
    np.testing.assert_allclose(knots, [0.0, 0.5, 1.0])
    np.testing.assert_allclose(heights, [0.0, 1.0, 1.0])
    for p in np.linspace(0.01, 0.99, 25):
        lp = gamelib.optimal_persuasion([1 - p, p], pros, judge).sender_value
        _, _, value = gamelib.optimal_split(p, pros, judge)
        assert value == pytest.approx(lp, abs=1e-8)
        assert value == pytest.approx(min(1.0, 2 * p), abs=1e-12)  # closure of the step at 1/2
        assert np.interp(p, knots, heights) == pytest.approx(lp, abs=1e-8)  # the closure is the LP value
