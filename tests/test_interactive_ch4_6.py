"""Widgets of chapters 4–6: build, update with random values, captions agree with the library."""

import numpy as np
import pytest

import gamelib
from gamelib import bounds
from gamelib.interactive import Widget, anonymity, personalization, static_figure, strong

FACTORIES = [personalization._drift_widget, anonymity._phase_widget, strong._strong_widget]


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_widgets_build_and_update(factory):
    rng = np.random.default_rng(0)
    w = factory()
    assert isinstance(w, Widget)
    _ = w.live  # the ipywidget with its default picture
    assert 'alt="' in w._image.value and "data:image/png" in w._image.value
    for _ in range(3):
        caption = w.update(**w.sample(rng))
        assert isinstance(caption, str) and caption
        assert not w._output.outputs


def test_drift_caption_numbers():
    w = personalization._drift_widget()
    cap = w.update(t=0.0, market="opposite tastes")
    assert "ε = 0.000" in cap and "worst V = 0.500" in cap
    cap = w.update(t=1.0)
    assert "worst V = 0.250" in cap and "ε = 0.750" in cap


def test_drift_paths_respect_theorem1():
    for p in personalization._drift_paths().values():
        assert np.all(p.worst >= p.weak_bound - 1e-9)


def test_phase_caption_matches_closed_form():
    w = anonymity._phase_widget()
    for m1, s1, s2 in [(0.5, 1.0, 1.0), (0.9, 1.0, 1.0), (0.2, 1.0, 1.0), (0.5, 0.1, 1.0)]:
        cap = w.update(mass1=m1, stake1=s1, stake2=s2)
        ok = bounds.silence_margins(m1, s1, s2).min() >= 0
        assert ("not an equilibrium" not in cap) == ok


def test_strong_caption_and_path():
    p = strong._strong_path()
    assert np.all(p.worst_loss <= p.strong_bound + 1e-9)
    w = strong._strong_widget()
    assert "121 silent" in w.update(t=0.0)
    assert " 0 silent" in w.update(t=0.5)


def test_slack_histogram_and_static_figures():
    fig = static_figure(personalization.draw_slack_histogram, slack=np.array([0.0, 0.5, 1.0]),
                        title="t", xlabel="x")
    assert fig.axes[0].get_title().startswith("t — dashed")
    assert len(static_figure(anonymity._phase_widget().draw).axes) == 1
    assert len(static_figure(strong._strong_widget().draw, t=0.6).axes) == 2
    assert len(static_figure(personalization._drift_widget().draw, t=0.6,
                             market="random weakly aligned (seed 5)").axes) == 1


def test_strong_silent_axis_ticks_are_round_numbers():
    fig = static_figure(strong._strong_widget().draw, t=0.2)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig).draw()
    ticks = [t for t in fig.axes[1].get_yticks() if 0 <= t <= fig.axes[1].get_ylim()[1]]
    assert all(float(t).is_integer() and t % 5 == 0 for t in ticks) and len(ticks) >= 3


def test_widget_markets_are_weakly_aligned():
    for make in personalization._MARKETS.values():
        m = make()
        assert max(c.eps for c in gamelib.weak_alignment(m)) < 1e-8


# --- every widget: 10 random updates, the caption carries the computed numbers ----------


def _ten_updates(factory):
    w = factory()
    rng = np.random.default_rng(1)
    for _ in range(10):
        values = w.sample(rng)
        before = w.draws
        caption = w.update(**values)
        assert w.draws == before + 1 and w.describe()
        yield values, caption


def test_drift_random_updates_caption_numbers():
    paths = personalization._drift_paths()
    for values, cap in _ten_updates(personalization._drift_widget):
        p = paths[values["market"]]
        r = int(np.argmin(np.abs(p.ts - values["t"])))
        assert cap.startswith(f"t = {p.ts[r]:.2f} — ")
        for j in range(p.worst.shape[1]):
            assert (f"user {j + 1}: ε = {p.eps_weak[r, j]:.3f}, floor {p.weak_bound[r, j]:.3f}, "
                    f"worst V = {p.worst[r, j]:.3f} (OPT {p.opt[r, j]:.3f})") in cap


def test_phase_random_updates_caption_numbers():
    grid = gamelib.experiment_grid(2, 20)
    for values, cap in _ten_updates(anonymity._phase_widget):
        m1, s1, s2 = values["mass1"], values["stake1"], values["stake2"]
        m = bounds.silence_margins(m1, s1, s2)
        market = gamelib.examples.opposite_tastes((m1, 1 - m1), (s1, s2))
        summary = bounds.deviation_summary(
            market, bounds.silent_profile(market, "anonymous"), "anonymous", grid)
        assert f"m₁ = {m1:.2f}, s₁ = {s1:.2f}, s₂ = {s2:.2f}" in cap
        assert f"margins ({m[0]:.3f}, {m[1]:.3f})" in cap
        assert f"over {summary.n_candidates} enumerated deviations" in cap
        assert f"(best informative gain {summary.best_informative_gain:.4f})" in cap
        assert ("not an equilibrium" in cap) == (not summary.is_equilibrium)


def test_phase_region_table_matches_closed_form():
    for s2 in (0.0, 0.35, 1.0, 2.0, 0.123):  # on and off the slider's steps
        lower, found = anonymity._silent_region(s2)
        silent = bounds.silence_margins(anonymity._M1[None, :], anonymity._S1[:, None], s2).min(-1) >= 0
        assert np.array_equal(found, silent.any(axis=0))
        below = anonymity._S1[:, None] < lower[None, :]
        assert np.array_equal(silent[:, found], ~below[:, found])


def test_interpolation_random_updates_caption_numbers():
    p = strong._strong_path()
    for values, cap in _ten_updates(strong._strong_widget):
        r = int(np.argmin(np.abs(p.ts - values["t"])))
        assert cap.startswith(f"t = {p.ts[r]:.2f}: ε_SMA = {p.eps_strong[r]:.3f}; ")
        assert f"{int(p.n_equilibria[r])} anonymous equilibria, {int(p.n_silent[r])} silent" in cap
        assert f"worst values ({p.worst[r, 0]:.3f}, {p.worst[r, 1]:.3f})" in cap
        assert f"= {p.worst_loss[r]:.3f} ≤ 2ε = {2 * p.eps_strong[r]:.3f}" in cap


def test_drift_market_switch_keeps_own_axes():
    w = personalization._drift_widget()
    w.update(market="opposite tastes")
    w.update(market="random weakly aligned (seed 5)")
    low = w._prepared[(1, "opposite tastes")].figure.axes[0]
    high = w._prepared[(1, "random weakly aligned (seed 5)")].figure.axes[0]
    assert low.get_ylim()[1] < high.get_ylim()[0]  # each market keeps its own (fixed) y-range
    assert high.get_title().endswith("random weakly aligned (seed 5)")
