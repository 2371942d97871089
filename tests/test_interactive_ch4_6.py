"""Widgets of chapters 4–6: build, update with random values, captions agree with the library."""

import numpy as np
import pytest

import gamelib
from gamelib import regimes
from gamelib.interactive import InteractiveFigure, static_figure
from gamelib.interactive import anonymity, personalization, strong

MODULES = [personalization, anonymity, strong]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_widgets_build_and_update(module):
    assert module.WIDGETS
    rng = np.random.default_rng(0)
    for name, (builder, sampler) in module.WIDGETS.items():
        w = builder()
        assert isinstance(w, InteractiveFigure)
        assert 'alt="' in w.image.value and "data:image/png" in w.image.value
        for _ in range(3):
            values = sampler(rng)
            assert set(values) <= set(w.controls)
            caption = w.update(**values)
            assert isinstance(caption, str) and caption
            assert not w.output.outputs  # draw raised nothing


def test_drift_caption_numbers():
    w = personalization.drift_widget()
    cap = w.update(t=0.0, market="opposite tastes")
    assert "ε = 0.000" in cap and "worst V = 0.500" in cap
    cap = w.update(t=1.0)
    assert "worst V = 0.250" in cap and "ε = 0.750" in cap


def test_drift_paths_respect_theorem1():
    for p in personalization.drift_paths().values():
        assert np.all(p.worst >= p.weak_bound - 1e-9)


def test_phase_caption_matches_closed_form():
    w = anonymity.phase_widget()
    for m1, s1, s2 in [(0.5, 1.0, 1.0), (0.9, 1.0, 1.0), (0.2, 1.0, 1.0), (0.5, 0.1, 1.0)]:
        cap = w.update(mass1=m1, stake1=s1, stake2=s2)
        ok = regimes.silence_margins(m1, s1, s2).min() >= 0
        assert ("not an equilibrium" not in cap) == ok


def test_strong_caption_and_path():
    p = strong.strong_path()
    assert np.all(p.worst_loss <= p.strong_bound + 1e-9)
    w = strong.strong_widget()
    assert "121 silent" in w.update(t=0.0)
    assert " 0 silent" in w.update(t=0.5)


def test_slack_histogram_and_static_figures():
    fig = static_figure(personalization.draw_slack_histogram, slack=np.array([0.0, 0.5, 1.0]),
                        title="t", xlabel="x")
    assert fig.axes[0].get_title().startswith("t — dashed")
    assert len(static_figure(anonymity.draw_phase).axes) == 1
    assert len(static_figure(strong.draw_strong, t=0.6).axes) == 2
    assert len(static_figure(personalization.draw_drift, t=0.6,
                             market="random weakly aligned (seed 5)").axes) == 1


def test_widget_markets_are_weakly_aligned():
    for make in personalization.MARKETS.values():
        m = make()
        assert max(c.eps for c in gamelib.weak_alignment(m)) < 1e-8
