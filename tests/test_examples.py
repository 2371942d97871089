"""Tests of gamelib.examples: the book's named markets and the random-market generator."""

from __future__ import annotations

import numpy as np
import pytest

import gamelib
from gamelib import (
    aligned_value,
    examples,
    experiment_grid,
    has_unique_best_actions,
    uninformed_value,
    weak_alignment,
)
from gamelib.examples import (
    aligned_tie_market,
    audience_market,
    tight_market,
)
from gamelib.studies import (
    bound_ratio,
)

GRID2 = experiment_grid(2, 4)


def test_random_market_is_reproducible_and_generic():
    a = examples.random_market(7, n_states=3, n_actions=3, n_providers=3, n_users=4)
    b = examples.random_market(7, n_states=3, n_actions=3, n_providers=3, n_users=4)
    np.testing.assert_array_equal(a.user_utility, b.user_utility)
    assert gamelib.has_unique_best_actions(a)
    c = examples.random_market(8, n_states=3, n_actions=3, n_providers=3, n_users=4)
    assert not np.array_equal(a.user_utility, c.user_utility)
    w = examples.random_market(3, alignment="weak", n_users=3, n_providers=3)
    assert max(cert.eps for cert in gamelib.weak_alignment(w)) < 1e-9
    noisy = examples.random_market(3, alignment="strong", noise=0.05)
    assert gamelib.strong_alignment(noisy).eps <= 0.05 + 1e-12


def test_threshold_receiver_switches_at_threshold():
    for t in (0.1, 0.5, 0.8):
        u = examples.threshold_receiver(t)
        silent = gamelib.reveal_nothing(2)
        below = gamelib.best_response([1 - (t - 0.05), t - 0.05], silent, u)
        at = gamelib.best_response([1 - t, t], silent, u)
        above = gamelib.best_response([1 - (t + 0.05), t + 0.05], silent, u)
        assert below.tolist() == [1] and at.tolist() == [0] and above.tolist() == [0]


def test_threshold_receiver_half_is_kg_judge_up_to_state_term():
    judge = examples.prosecutor().user_utility[0]
    diff = judge - 2 * examples.threshold_receiver(0.5)
    assert np.allclose(diff, diff[0])  # a function of θ alone


def test_tilted_taste_extremes():
    from gamelib.interactive.alignment import tilted_market

    assert np.array_equal(tilted_market(0.0).user_utility[0], 0.5 * np.eye(2))
    assert np.array_equal(tilted_market(1.0).user_utility[0], 0.5 * (1 - np.eye(2)))
    assert np.allclose(tilted_market(0.5, 0.1).user_utility[0], [[0.35, 0.35], [0.25, 0.25]])
    np.testing.assert_array_equal(tilted_market(0.5, 0.1).user_utility[1], examples.opposite_tastes().user_utility[1])


def test_audience_market_structure():
    m = audience_market(5, taste_noise=0.0, max_stake=2.0)
    np.testing.assert_allclose(m.provider_utility[0, 0], m.user_utility[0])
    np.testing.assert_allclose(m.provider_utility[1, 1], m.user_utility[1])
    ratio = m.provider_utility[0, 1] / m.user_utility[0]
    assert np.allclose(ratio, ratio.flat[0]) and 0 <= ratio.flat[0] <= 2
    assert [c.eps for c in weak_alignment(m)] == pytest.approx([0, 0], abs=1e-9)


@pytest.mark.parametrize(
    "kwargs, name",
    [({"seed": -2}, "seed"), ({"seed": 0, "taste_noise": -1}, "taste_noise"),
     ({"seed": 0, "max_stake": -1}, "max_stake")],
)
def test_audience_market_errors(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name}"):
        audience_market(**kwargs)


@pytest.mark.parametrize("safe", [0.55, 0.6, 0.75, 0.9])
def test_tight_market_attains_bound(safe):
    m = tight_market(safe)
    r = bound_ratio(m, GRID2)
    assert r.eps[0] == pytest.approx((1 - safe) / 2)
    assert r.gap[0] == pytest.approx(1 - safe)
    assert r.ratio[0] == pytest.approx(1.0)
    assert r.mistake[0] == pytest.approx(1.0)


@pytest.mark.parametrize("safe", [0.5, 1.0, -1, "a"])
def test_tight_market_errors(safe):
    with pytest.raises(ValueError, match="^safe"):
        tight_market(safe)


def test_aligned_tie_market_facts():
    m = aligned_tie_market()
    assert not has_unique_best_actions(m)
    cert = weak_alignment(m)[0]
    assert cert.eps == pytest.approx(0.0, abs=1e-9)
    np.testing.assert_allclose(cert.weights, [0.5, 0.5])
    assert aligned_value(m)[0] == 1.0 and uninformed_value(m)[0] == 0.5


def test_fixed_action_providers():
    m = examples.fixed_action_providers(examples.opposite_tastes(), action=1)
    assert np.all(m.provider_utility[:, :, 1] == 1) and np.all(m.provider_utility[:, :, 0] == 0)
    np.testing.assert_array_equal(m.user_utility, examples.opposite_tastes().user_utility)
    with pytest.raises(ValueError, match="^action"):
        examples.fixed_action_providers(examples.opposite_tastes(), action=2)
