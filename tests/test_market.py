"""Tests of gamelib.market: the market object, OPT and NOINFO, mixtures."""

from __future__ import annotations

import numpy as np
import pytest

import gamelib
from gamelib import examples


def test_market_shapes_and_readonly():
    m = examples.opposite_tastes()
    assert m.prior.shape == (2,) and m.masses.shape == (2,)
    assert m.user_utility.shape == (2, 2, 2) and m.provider_utility.shape == (2, 2, 2, 2)
    assert m.prior.dtype == float
    with pytest.raises(ValueError):
        m.prior[0] = 0.3  # read-only arrays: a market cannot be changed behind one's back


def test_benchmarks_opposite_tastes():
    m = examples.opposite_tastes()
    np.testing.assert_allclose(gamelib.aligned_value(m), [0.5, 0.5], atol=1e-15)
    np.testing.assert_allclose(gamelib.uninformed_value(m), [0.25, 0.25], atol=1e-15)
    np.testing.assert_array_equal(gamelib.best_actions(m), [[0, 1], [1, 0]])
    assert gamelib.has_unique_best_actions(m)


def test_benchmarks_asymmetric_prior():
    # u[a, θ]: a=0 pays 3 in θ0 and 0 in θ1; a=1 pays 1 in both. prior (0.2, 0.8)
    u = np.array([[[3.0, 0.0], [1.0, 1.0]]])
    m = gamelib.Market([0.2, 0.8], [1.0], u, u[None])
    # OPT = 0.2*3 + 0.8*1 = 1.4 ; NOINFO = max(0.6, 1.0) = 1.0
    np.testing.assert_allclose(gamelib.aligned_value(m), [1.4])
    np.testing.assert_allclose(gamelib.uninformed_value(m), [1.0])


def test_mix_markets_endpoints():
    a, b = examples.opposite_tastes(), examples.opposite_tastes(aligned=True)
    np.testing.assert_array_equal(gamelib.mix_markets(a, b, 0.0).provider_utility, a.provider_utility)
    np.testing.assert_array_equal(gamelib.mix_markets(a, b, 1.0).provider_utility, b.provider_utility)
    assert gamelib.strong_alignment(b).eps == pytest.approx(0.0, abs=1e-12)
