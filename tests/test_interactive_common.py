"""The widget plumbing: one redraw per change, alt text, captions, errors."""

import pytest

from gamelib.interactive import float_slider, interactive_figure, static_figure


def _draw(fig, q=0.5):
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, q])
    return f"q = {q:.2f}"


def test_one_redraw_per_change_and_per_update():
    w = interactive_figure(_draw, {"q": float_slider(0.5, 0.0, 1.0, 0.1, "q")}, alt="a line")
    assert w.draws == 1  # the default state is drawn at once
    w.update(q=0.3)
    assert w.draws == 2 and w.controls["q"].value == 0.3
    w.controls["q"].value = 0.7  # what a reader's slider move does
    assert w.draws == 3
    assert "q = 0.70" in w.caption.value
    assert 'alt="a line"' in w.image.value and "data:image/png;base64," in w.image.value


def test_unknown_parameter_is_refused():
    w = interactive_figure(_draw, {"q": float_slider(0.5, 0.0, 1.0, 0.1, "q")}, alt="a line")
    with pytest.raises(KeyError):
        w.update(colour="red")


def test_static_figure_draws_once():
    fig = static_figure(_draw, q=0.25)
    assert len(fig.axes) == 1
