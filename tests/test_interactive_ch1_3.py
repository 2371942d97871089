"""Widgets of chapters 1–3: captions carry the right numbers, samplers are valid, alt text."""

from __future__ import annotations

import numpy as np
import pytest

from gamelib.interactive import WIDGETS, static_figure
from gamelib.interactive import alignment as fig3
from gamelib.interactive import market as fig2
from gamelib.interactive import persuasion as fig1

MODULES = [fig1, fig2, fig3]


def test_concavification_default_caption_has_kg_numbers():
    w = fig1._concavification_widget()
    text = w.update()
    assert "0.600" in text and "posteriors 0.00" in text and "0.50" in text
    assert "the closure there equals 0.60" in w.describe()


def test_concavification_no_split_above_threshold():
    w = fig1._concavification_widget()
    assert w.update(prior=0.7, threshold=0.5).startswith("no split helps")


def test_market_widget_personalized_to_matcher():
    w = fig2._market_widget()
    assert "provider 1 earns 0.250" in w.update()
    text = w.update(audience="personalized: to user 1 only")
    assert "provider 1 earns 0.500" in text and "personalized mode" in text


def test_market_audience_policy_shapes():
    exps = np.stack([fig2._binary_experiment(0.0, 1.0), fig2._binary_experiment(0.5, 0.5)])
    pol, mode = fig2._audience_policy(exps, "personalized: to user 2 only", 2)
    assert mode == "personalized" and pol.shape == (2, 2, 2, 2)
    assert np.allclose(pol[:, 1], exps) and np.allclose(pol[:, 0, :, 0], 1.0)


def test_alignment_widget_numbers():
    w = fig3._alignment_widget(taste=0.0, bias=0.0)
    caption = w.update()
    assert "ε_WMA(user 1) = 0.000" in caption and "ε_SMA = 0.375" in caption
    text = w.update(bias=0.2)
    assert "ε_WMA(user 1) = 0.100" in text  # half the range of the bias term
    text = w.update(weights="cone")
    assert "cone" in text


def test_draw_users_has_one_panel_per_user():
    fig = static_figure(fig3.draw_users)
    assert len([ax for ax in fig.axes if ax.get_title()]) == 2


# --- the widgets are blitted: one test per widget that random control positions update it
# and that the caption carries the numbers computed afresh.


def _animated_updates(factory, n=10, seed=1):
    w = factory()
    rng = np.random.default_rng(seed)
    for _ in range(n):
        values = w.sample(rng)
        before = w.draws
        caption = w.update(**values)
        assert w.draws == before + 1 and isinstance(caption, str) and caption
        assert w.describe()  # alt text at every position
        yield values, caption


def test_concavification_updates_carry_computed_numbers():
    from gamelib.examples import threshold_receiver
    from gamelib.persuasion import optimal_persuasion, optimal_split

    for values, caption in _animated_updates(fig1._concavification_widget):
        judge = threshold_receiver(values["threshold"])
        post, weights, value = optimal_split(values["prior"], fig1._PROSECUTOR, judge)
        lp = optimal_persuasion([1 - values["prior"], values["prior"]], fig1._PROSECUTOR,
                                judge).sender_value
        assert f"closure at the prior = {value:.3f}" in caption
        assert f"(persuasion LP: {lp:.3f})" in caption
        assert f"prior {values['prior']:.2f}" in caption


def test_market_updates_carry_computed_numbers():
    from gamelib.equilibrium import play
    from gamelib.examples import opposite_tastes

    market = opposite_tastes()
    for values, caption in _animated_updates(fig2._market_widget):
        exps = np.stack([fig2._binary_experiment(values["p1_0"], values["p1_1"]),
                         fig2._binary_experiment(values["p2_0"], values["p2_1"])])
        policy, mode = fig2._audience_policy(exps, values["audience"], 2)
        outcome = play(market, policy, mode)
        assert f" {mode} mode: " in caption
        for name, v in zip(market.provider_names, outcome.provider_values):
            assert f"{name} earns {v:.3f}" in caption
        for j in range(2):
            assert f"gets {outcome.user_values[j]:.3f}" in caption


def test_accuracy_updates_carry_computed_numbers():
    for values, caption in _animated_updates(fig2._accuracy_widget):
        q = values["q"]
        assert caption.startswith(f"q = {q:.2f}: the user gets {max(q, 1 - q):.2f}")
        assert caption.endswith("(no information 0.50, OPT 1.00)")


def test_alignment_updates_carry_computed_numbers():
    from gamelib.interactive.alignment import _alignment_picture as alignment_picture

    for values, caption in _animated_updates(fig3._alignment_widget):
        pic = alignment_picture(fig3.tilted_market(values["taste"], values["bias"]),
                                cone=values["weights"] == "cone")
        assert f"ε_WMA(user 1) = {pic.eps_weak:.3f}, ε_SMA = {pic.eps_strong:.3f}" in caption
        assert f"to the {'cone' if pic.cone else 'hull'}: {pic.distance:.3f}" in caption


def test_alignment_window_holds_every_slider_corner():
    from gamelib.interactive.alignment import _alignment_picture as alignment_picture

    (x0, x1), (y0, y1) = fig3._WINDOW
    for cone in (False, True):
        for taste in (0.0, 0.5, 1.0):
            for bias in (-0.5, 0.0, 0.5):
                pic = alignment_picture(fig3.tilted_market(taste, bias), cone=cone)
                pts = np.vstack([pic.providers, pic.point, pic.weak_point, pic.strong_point])
                assert (pts[:, 0] > x0).all() and (pts[:, 0] < x1).all()
                assert (pts[:, 1] > y0).all() and (pts[:, 1] < y1).all()


@pytest.mark.parametrize("factory, values", [
    (fig1._concavification_widget, {"prior": 0.3, "threshold": 0.5}),
    (fig2._market_widget, {}),
    (fig2._accuracy_widget, {"q": 0.75}),
    (fig3._alignment_widget, {"taste": 0.3, "bias": 0.2}),
])
def test_widgets_draw_as_static_figures(factory, values):
    w = factory()
    fig = static_figure(w.draw, **values)
    assert fig.axes and any(ax.get_title() for ax in fig.axes)


def test_registry_names_these_widgets():
    assert {"concavification", "market", "accuracy", "alignment"} <= set(WIDGETS)


def test_value_line_breaks_only_at_switches():
    """The drawn value curve is broken (NaN) exactly where the receiver switches action, also
    when the curve has sloped pieces (chapter 7's tie-rule picture)."""
    from gamelib.examples import aligned_tie_market, threshold_receiver
    from gamelib.interactive._common import value_line
    from gamelib.interactive.persuasion import _PROSECUTOR

    m = aligned_tie_market()
    for ties in ("adverse", "lowest", "sender"):
        x, y = value_line(m.provider_utility[0, 0], m.user_utility[0], ties=ties)
        assert np.isnan(x).sum() == 1 and np.isnan(y).sum() == 1  # one switch, at p = 1/2
        finite = ~np.isnan(x)
        above = finite & (x > 0.5)
        np.testing.assert_allclose(y[above], x[above])  # provider 1 earns p above 1/2
    x, _ = value_line(_PROSECUTOR, threshold_receiver(0.5))
    assert np.isnan(x).sum() == 1
