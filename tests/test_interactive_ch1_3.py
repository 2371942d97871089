"""Widgets of chapters 1–3: captions carry the right numbers, samplers are valid, alt text."""

from __future__ import annotations

import numpy as np
import pytest

from gamelib.interactive import alignment as fig3
from gamelib.interactive import market as fig2
from gamelib.interactive import persuasion as fig1
from gamelib.interactive import static_figure

MODULES = [fig1, fig2, fig3]


def test_concavification_default_caption_has_kg_numbers():
    w = fig1.concavification_widget()
    text = w.caption.value
    assert "0.600" in text and "posteriors 0.00" in text and "0.50" in text
    assert 'alt="' in w.image.value


def test_concavification_no_split_above_threshold():
    w = fig1.concavification_widget()
    assert w.update(prior=0.7, threshold=0.5).startswith("no split helps")


def test_market_widget_personalized_to_matcher():
    w = fig2.market_widget()
    assert "provider 1 earns 0.250" in w.caption.value
    text = w.update(audience="personalized: to user 1 only")
    assert "provider 1 earns 0.500" in text and "personalized mode" in text


def test_market_audience_policy_shapes():
    exps = np.stack([fig2.binary_experiment(0.0, 1.0), fig2.binary_experiment(0.5, 0.5)])
    pol, mode = fig2.audience_policy(exps, "personalized: to user 2 only", 2)
    assert mode == "personalized" and pol.shape == (2, 2, 2, 2)
    assert np.allclose(pol[:, 1], exps) and np.allclose(pol[:, 0, :, 0], 1.0)


def test_alignment_widget_numbers():
    w = fig3.alignment_widget()
    assert "ε_WMA(user 1) = 0.000" in w.caption.value and "ε_SMA = 0.375" in w.caption.value
    text = w.update(bias=0.2)
    assert "ε_WMA(user 1) = 0.100" in text  # half the range of the bias term
    text = w.update(weights="cone")
    assert "cone" in text


def test_draw_users_has_one_panel_per_user():
    fig = static_figure(fig3.draw_users)
    assert len([ax for ax in fig.axes if ax.get_title()]) == 2


@pytest.mark.parametrize("module", MODULES)
def test_widgets_registry_and_samplers(module):
    rng = np.random.default_rng(0)
    for name, (builder, sampler) in module.WIDGETS.items():
        w = builder()
        for _ in range(3):
            values = sampler(rng)
            assert set(values) <= set(w.controls)
            caption = w.update(**values)
            assert isinstance(caption, str) and caption
            assert w.output.outputs == ()  # draw raised nothing
            assert w.last_seconds > 0
