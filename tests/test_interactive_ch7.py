"""Widgets of chapter 7: the alignment-probability curves and the tie-rule picture."""

from __future__ import annotations

import numpy as np
import pytest

from gamelib.interactive import Widget
from gamelib.interactive import explorations as ex
from gamelib.studies import alignment_study


def test_epsilon_widget_sampler_and_update():
    assert ex._epsilon_widget().update(eps=0.25).startswith("k = 6")
    w = ex._epsilon_widget(alignment_study(max_providers=3, n_samples=5))
    rng = np.random.default_rng(0)
    for _ in range(3):
        vals = w.sample(rng)
        assert 0 <= vals["eps"] <= 0.6
        assert w.update(**vals).startswith("k = 3")


def test_epsilon_widget_random_updates_caption_numbers():
    study = alignment_study(max_providers=3, n_samples=5)
    w = ex._epsilon_widget(study)
    assert isinstance(w, Widget)
    rng = np.random.default_rng(1)
    for _ in range(10):
        eps = w.sample(rng)["eps"]
        p = study.probability(eps)
        cap = w.update(eps=eps)
        assert cap == (f"k = 3: WMA({eps:.2f}) holds in {p['weak'][-1]:.0%} of markets, "
                       f"SMA({eps:.2f}) in {p['strong'][-1]:.0%}")
        assert f"within epsilon {eps:.2f}" in w.describe()


def test_ties_widget_matches_the_proposition():
    """ch7 tie-rule picture: under adverse ties every split {0, q} earns provider 1 exactly 1/2,
    as much as full revelation, and the user gets 3/2 - 1/(2q); under the other rules full
    revelation (1.5) beats every split with q < 1."""
    for q in (0.52, 0.6, 0.75, 0.9, 1.0):
        out = ex._tie_split("adverse", q)
        assert out["split"] == pytest.approx(0.5) and out["full"] == pytest.approx(0.5)
        assert out["user"] == pytest.approx(1.5 - 1 / (2 * q))
        for ties in ("lowest", "sender"):
            other = ex._tie_split(ties, q)
            assert other["full"] == pytest.approx(1.5)
            assert other["split"] == pytest.approx((1 - 1 / (2 * q)) * 2 + 1 / (2 * q) * q)
            assert other["split"] < other["full"] - 1e-9 or q == 1.0
    w = ex._ties_widget()
    rng = np.random.default_rng(0)
    for _ in range(5):
        vals = w.sample(rng)
        assert vals["ties"] in ex._TIE_RULES.values() and 0.52 <= vals["q"] <= 1.0
        cap = w.update(**vals)
        assert f"{ex._tie_split(**vals)['user']:.3f}" in cap


def test_ties_axis_fits_each_rule():
    """The vertical axis ends just above the rule's highest payoff (1 adverse, 2 otherwise)."""
    w = ex._ties_widget()
    for ties, top in (("adverse", 1.0), ("lowest", 2.0), ("sender", 2.0)):
        w.update(ties=ties)
        lo, hi = w._prepared[(1, ties)].figure.axes[0].get_ylim()
        assert top < hi <= 1.1 * top and lo < 0
