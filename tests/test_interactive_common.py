"""The widget class: controls → lattice, frames, player, samplers, live widget, display."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from gamelib.interactive import (
    WIDGETS,
    Choice,
    KeepOnTop,
    Slider,
    Widget,
    _common,
    set_band,
    static_figure,
)


def _setup(fig, q=0.5, colour="blue", scale=1.0):
    ax = fig.add_subplot(xlim=(0, 1), ylim=(0, 1))
    line = ax.plot([0, 1], [0, q * scale])[0]
    return {"line": line}


def _refresh(artists, q=0.5, colour="blue", scale=1.0):
    artists["line"].set_ydata([0, q * scale])
    artists["line"].set_color(colour)
    return f"{colour} line to {q * scale:.2f}"


def _alt(q=0.5, colour="blue", scale=1.0):
    return f"A {colour} line rising to {q * scale:.2f}."


def _widget(**kwargs):
    controls = {"q": Slider("height q", 0.0, 1.0, 0.25, 0.5),
                "colour": Choice("colour", {"Blue": "blue", "Red": "red", "Green": "green"}, "blue")}
    return Widget("demo", _setup, _refresh, controls, alt=_alt, figsize=(3, 2), **kwargs)


# --- controls ------------------------------------------------------------------------------


def test_slider_steps_lattice_and_sampler():
    s = Slider("q", 0.1, 0.9, 0.2, 0.5, frames=[0.1, 0.9])
    assert s.steps().tolist() == [0.1, 0.3, 0.5, 0.7, 0.9]
    assert s.lattice().tolist() == [0.1, 0.5, 0.9]  # the default is always precomputed
    assert s.options() == [("0.10", 0.1), ("0.50", 0.5), ("0.90", 0.9)]
    rng = np.random.default_rng(3)
    draws = {s.sample(rng) for _ in range(200)}
    assert draws == {0.1, 0.3, 0.5, 0.7, 0.9}  # the sampler covers the live slider's steps


@pytest.mark.parametrize("args, match", [
    (("q", 0.0, 1.0, 0.0, 0.5), "step"),
    (("q", 1.0, 0.0, 0.1, 0.5), "min < max"),
    (("q", 0.0, float("nan"), 0.1, 0.5), "finite"),
    (("q", 0.0, 1.0, 0.25, 0.3), "not a step"),
])
def test_slider_errors(args, match):
    with pytest.raises(ValueError, match=match):
        Slider(*args)


def test_slider_frames_outside_range():
    with pytest.raises(ValueError, match="frames"):
        Slider("q", 0.0, 1.0, 0.5, 0.5, frames=[1.5])


def test_choice_options_and_errors():
    c = Choice("rule", {"A": 1, "B": 2, "C": 3}, 2, frames=[3])
    assert c.options() == [("B", 2), ("C", 3)]  # frames plus the default
    assert c.options(all_values=True) == [("A", 1), ("B", 2), ("C", 3)]
    assert {c.sample(np.random.default_rng(i)) for i in range(30)} == {1, 2, 3}
    with pytest.raises(ValueError, match="value"):
        Choice("rule", ["a"], "b")
    with pytest.raises(ValueError, match="frames"):
        Choice("rule", ["a", "b"], "a", frames=["z"])


# --- the widget ------------------------------------------------------------------------------


def test_widget_errors():
    ok = {"q": Slider("q", 0.0, 1.0, 0.5, 0.5)}
    with pytest.raises(ValueError, match="name"):
        Widget("bad name", _setup, _refresh, ok, alt=_alt)
    with pytest.raises(ValueError, match="at least one control"):
        Widget("w", _setup, _refresh, {}, alt=_alt)
    with pytest.raises(ValueError, match="Slider or a Choice"):
        Widget("w", _setup, _refresh, {"q": 0.5}, alt=_alt)
    with pytest.raises(ValueError, match="layout"):
        Widget("w", _setup, _refresh, ok, alt=_alt, layout=("colour",))
    with pytest.raises(ValueError, match="callables"):
        Widget("w", _setup, _refresh, ok, alt="not callable")
    with pytest.raises(ValueError, match="figsize"):
        Widget("w", _setup, _refresh, ok, alt=_alt, figsize=(0, 2))
    with pytest.raises(ValueError, match="unknown control"):
        Widget("w", _setup, _refresh, ok, alt=_alt).update(colour="red")


def test_grid_lattice_is_every_combination_default_first():
    w = _widget()
    points = w.lattice()
    assert len(points) == 5 * 3
    assert points[0] == {"q": 0.5, "colour": "blue"}
    assert {(p["q"], p["colour"]) for p in points} == {
        (q, c) for q in (0.0, 0.25, 0.5, 0.75, 1.0) for c in ("blue", "red", "green")}


def test_slice_lattice_moves_one_control_at_a_time():
    w = _widget(slices=True)
    points = w.lattice()
    assert len(points) == 1 + 4 + 2
    default = w.default()
    assert points[0] == default
    for p in points[1:]:
        assert sum(p[k] != default[k] for k in p) == 1


def test_sampler_gives_valid_live_positions():
    w = _widget()
    rng = np.random.default_rng(0)
    for _ in range(20):
        values = w.sample(rng)
        assert set(values) == {"q", "colour"}
        assert values["q"] in w.controls["q"].steps()
        assert isinstance(w.update(**values), str)


def test_update_renders_once_and_returns_the_caption():
    w = _widget()
    assert w.update(q=0.75, colour="red") == "red line to 0.75"
    assert w.draws == 1 and w.current == {"q": 0.75, "colour": "red"}
    assert w.update() == "red line to 0.75"  # others keep their values
    assert w.describe() == "A red line rising to 0.75."


def test_render_matches_a_full_redraw():
    """Blitting gives the same picture as drawing the figure afresh (setup + refresh)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    w = _widget()
    w.update(q=0.25)  # the background was laid out at another value than the one compared
    rgba, caption = w._pixels(q=1.0, colour="green")
    fig = _common._new_figure(w.figsize)
    assert w.draw(fig, q=1.0, colour="green") == caption
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    full = np.asarray(canvas.buffer_rgba())
    assert rgba.shape == full.shape == (2 * 96 * 2, 2 * 96 * 3, 4)
    assert np.mean(np.any(rgba != full, axis=-1)) < 0.002  # antialiasing at most


def test_layout_controls_get_one_background_each():
    controls = {"q": Slider("q", 0.0, 1.0, 0.5, 0.5), "scale": Slider("s", 1.0, 2.0, 1.0, 1.0)}
    w = Widget("lay", _setup, _refresh, controls, alt=_alt, layout=("scale",))
    w.update(q=0.0)
    w.update(q=1.0)
    assert len(w._prepared) == 1
    w.update(scale=2.0)
    assert len(w._prepared) == 2


def test_fixed_values_reach_every_callable():
    def setup(fig, q=0.5, data=None):
        return {"line": fig.add_subplot().plot([0, 1], [0, q])[0]}

    def refresh(artists, q=0.5, data=None):
        return f"{data['word']} {q}"

    w = Widget("fx", setup, refresh, {"q": Slider("q", 0.0, 1.0, 0.5, 0.5)},
               alt=lambda q, data: data["word"], fixed={"data": {"word": "hello"}})
    assert w.update() == "hello 0.5" and w.describe() == "hello"


# --- static frames -------------------------------------------------------------------------


def test_write_frames_covers_the_lattice_and_is_cached(tmp_path):
    w = _widget()
    index = w.write_frames(tmp_path)
    assert len(index["frames"]) == len(w.lattice()) == w.draws
    assert index["default"] == "2_0"  # q = 0.5 is option 2, blue option 0
    for point in w.lattice():
        file, caption, alt = index["frames"][w._index_key(point)]
        assert (tmp_path / "demo" / file).read_bytes()[:4] == b"\x89PNG"
        assert caption == _refresh({"line": Figure().add_subplot().plot([0])[0]}, **point)
        assert alt == _alt(**point)
    assert w.current == w.default()  # writing frames does not move the widget
    again = _widget()
    assert again.write_frames(tmp_path) == index and again.draws == 0  # read back, not drawn
    other = Widget("demo", _setup, _refresh, {"q": Slider("height q", 0.0, 1.0, 0.5, 0.5)},
                   alt=_alt, figsize=(3, 2))
    assert other.write_frames(tmp_path)["key"] != index["key"]  # new declarations, new frames


def test_frames_are_hidpi_and_identical_pictures_share_a_file(tmp_path):
    from PIL import Image

    w = Widget("same", _setup, lambda artists, q=0.5: "constant",
               {"q": Slider("q", 0.0, 1.0, 0.5, 0.5)}, alt=lambda q: "x", figsize=(3, 2))
    index = w.write_frames(tmp_path)
    assert len({f for f, *_ in index["frames"].values()}) == 1
    with Image.open(tmp_path / "same" / index["frames"]["0"][0]) as im:
        assert im.size == (2 * 3 * 96, 2 * 2 * 96)


def test_fixed_data_is_part_of_the_cache_key(tmp_path):
    def make(word):
        return Widget("fx", lambda fig, q=0.5, word="": {"t": fig.text(0, 0, "")},
                      lambda a, q=0.5, word="": word, {"q": Slider("q", 0.0, 1.0, 0.5, 0.5)},
                      alt=lambda q, word: word, fixed={"word": word})
    assert make("a").write_frames(tmp_path)["key"] != make("b").write_frames(tmp_path)["key"]


def test_player_html(tmp_path):
    w = _widget(slices=True)
    page = w.player_html(tmp_path)
    index = json.loads(re.search(r'class="gamelib-index">(.*?)</script>', page, re.S).group(1))
    assert index["base"] == "@@GAMELIB_FRAMES@@/demo/"
    assert len(index["frames"]) == len(w.lattice())
    default_file = index["frames"]["2_0"][0]
    assert f'data-frame="@@GAMELIB_FRAMES@@/demo/{default_file}"' in page
    embedded = re.search(r'src="data:image/png;base64,([^"]+)"', page).group(1)  # for the .ipynb
    assert __import__("base64").b64decode(embedded) == (tmp_path / "demo" / default_file).read_bytes()
    assert 'alt="A blue line rising to 0.50."' in page and ">blue line to 0.50<" in page
    assert 'width="288"' in page  # 3 inches at 96 px per inch (the PNG has twice that)
    # the script builds the controls from the index: without it, no dead control on the page
    assert re.findall(r"<(input|select|button)[ >]", page) == []
    assert index["controls"] == [  # the slider over option indices (max 4), at its default 2
        {"name": "q", "label": "height q", "slider": True,
         "readouts": ["0.00", "0.25", "0.50", "0.75", "1.00"], "value": 2},
        {"name": "colour", "label": "colour", "slider": False, "readouts": ["Blue", "Red", "Green"], "value": 0},
    ]
    assert "one control at a time" in page and "live notebook gives every value" in page


def test_coverage_note_names_the_coarse_controls():
    w = Widget("c", _setup, _refresh, {"q": Slider("height q", 0.0, 1.0, 0.25, 0.5, frames=[0, 1])},
               alt=_alt)
    assert "“height q” at 3 of its 5 positions" in w.coverage()
    assert "every position of the controls" in _widget().coverage()
    assert _widget(note="Only one.").coverage() == "Only one."


def test_display_in_a_book_build_is_the_player_only(tmp_path, monkeypatch):
    monkeypatch.setenv(_common.FRAMES_ENV, str(tmp_path))
    bundle, metadata = _widget()._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/png", "text/plain"}  # no widget view
    assert "gamelib-player" in bundle["text/html"]
    assert bundle["image/png"][:4] == b"\x89PNG" and metadata == {"image/png": {"width": 288}}
    assert (tmp_path / "demo").is_dir()


def test_display_in_jupyter_is_the_live_widget(monkeypatch):
    monkeypatch.delenv(_common.FRAMES_ENV, raising=False)
    bundle = _widget()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/html"].startswith('<img class="gamelib-frame" src="data:image/png;base64,')


def test_live_widget_redraws_once_per_control_change():
    w = _widget()
    box = w.live
    assert w.draws == 1  # the default state is drawn at once
    slider = w._controls["q"]
    slider.value = 1.0  # what a reader's slider move does
    assert w.draws == 2
    assert "blue line to 1.00" in w._caption.value and 'alt="A blue line rising to 1.00."' in w._image.value
    w.update(colour="red")  # setting values from code moves the controls without extra redraws
    assert w.draws == 3 and w._controls["colour"].value == "red"
    assert len(box.children) == 4  # controls, picture, caption, error area


def test_live_widget_shows_errors_in_its_output():
    def refresh(artists, q=0.5):
        if q > 0.5:
            raise RuntimeError("boom")
        return "ok"

    w = Widget("err", _setup, refresh, {"q": Slider("q", 0.0, 1.0, 0.5, 0.5)}, alt=lambda q: "x")
    _ = w.live
    w._controls["q"].value = 1.0
    assert w._output.outputs and "boom" in str(w._output.outputs)


def test_live_controls_share_one_label_width():
    w = _widget()
    _ = w.live
    widths = {c.style.description_width for c in w._controls.values()}
    assert len(widths) == 1  # slider tracks start at the same x


# --- helpers ----------------------------------------------------------------------------------


def test_set_band_moves_a_fill_between():
    ax = Figure().add_subplot()
    band = ax.fill_between([0, 1], 0, 1)
    set_band(band, [0, 1, 2], [0, 0, 0], [1, 2, 3])
    (path,) = band.get_paths()
    np.testing.assert_allclose(path.vertices[:6], [[0, 1], [1, 2], [2, 3], [2, 0], [1, 0], [0, 0]])
    set_band(band, [0, 1, 2], 0, 1, where=[False, False, False])
    assert band.get_paths() == []
    with pytest.raises(ValueError, match="broadcast"):
        set_band(band, [0, 1, 2], [0, 1], 1)
    with pytest.raises(ValueError, match="one-dimensional"):
        set_band(band, [[0, 1]], 0, 1)


def test_keep_on_top_repaints_the_legend_over_blitted_artists():
    def setup(fig, q=0.5):
        ax = fig.add_subplot(xlim=(0, 1), ylim=(0, 1))
        line = ax.plot([0, 1], [q, q], lw=30, color="red")[0]
        legend = ax.legend(handles=[Patch(color="blue", label="a legend")], loc="center",
                           framealpha=1.0)
        return {"line": line, "legend": KeepOnTop(legend)}

    def refresh(artists, q=0.5):
        artists["line"].set_ydata([q, q])
        return ""

    w = Widget("top", setup, refresh, {"q": Slider("q", 0.0, 1.0, 0.5, 0.5)}, alt=lambda q: "x")
    rgba, _ = w._pixels(q=0.5)  # the thick line runs through the centred legend
    legend = w._prepared[(2,)].artists["legend"]._target
    bbox = legend.get_window_extent()
    h = rgba.shape[0]
    box = rgba[int(h - bbox.y1) + 3:int(h - bbox.y0) - 3, int(bbox.x0) + 3:int(bbox.x1) - 3, :3]
    red = np.all(box == (255, 0, 0), axis=-1)
    assert box.size and red.mean() < 0.01  # the legend, not the line, is on top
    line_row = rgba[int(h - 0.5 * (bbox.y0 + bbox.y1)), 5:int(bbox.x0) - 5, :3]
    assert np.all(line_row == (255, 0, 0), axis=-1).mean() > 0.5  # the line does cross there


def test_static_figure_is_hidpi():
    fig = static_figure(lambda fig, q=0.5: fig.add_subplot().plot([0, q]), q=0.25, figsize=(2, 1))
    assert fig.dpi == 192
    data, meta = _common._png_with_width(fig)
    assert data[:4] == b"\x89PNG" and meta == {"width": 192}


def test_every_book_widget_is_registered_and_builds():
    import importlib

    assert len(WIDGETS) == 10
    for name, spec in WIDGETS.items():
        module, factory = spec.split(":")
        w = getattr(importlib.import_module(f"gamelib.interactive.{module}"), factory)()
        assert isinstance(w, Widget) and w.name == name
        assert w.default() == w.lattice()[0]
        assert len(w.lattice()) <= 250  # static frames stay within the site budget


def test_live_picture_is_1x_and_frames_2x(tmp_path):
    import base64
    import io

    from PIL import Image

    w = _widget()
    _ = w.live
    data = re.search(r'base64,([^"]+)"', w._image.value).group(1)
    with Image.open(io.BytesIO(base64.b64decode(data))) as live:
        assert live.size == (3 * 96, 2 * 96)
    index = w.write_frames(tmp_path)
    with Image.open(tmp_path / "demo" / index["frames"][index["default"]][0]) as frame:
        assert frame.size == (2 * 3 * 96, 2 * 2 * 96)


# --- the Sphinx extension that copies the frames into the site ---------------------------


def _extension():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "_ext" / "widget_frames.py"
    spec = importlib.util.spec_from_file_location("widget_frames", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_extension_copies_frames_and_rewrites_urls(tmp_path, monkeypatch):
    import types

    ext = _extension()
    app = types.SimpleNamespace(outdir=str(tmp_path / "_build" / "html"))
    monkeypatch.setenv(_common.FRAMES_ENV, "restored after the test")
    ext._set_env(app, None)  # what the build does: kernels inherit the variable
    frames = tmp_path / "_build" / ".gamelib_frames"
    assert __import__("os").environ[_common.FRAMES_ENV] == str(frames)
    body = _widget()._repr_mimebundle_()[0]["text/html"]
    context = {"body": body, "pathto": lambda target, resource: f"../{target}"}
    ext._copy_frames(app, "book/page", "page.html", context, None)
    assert "@@GAMELIB_FRAMES@@" not in context["body"] and "data:image" not in context["body"]
    assert re.search(r'<img class="gamelib-frame" src="../_static/frames/demo/\w+\.png" width="288" '
                     r'alt="A blue line rising to 0.50."', context["body"])
    copied = sorted(p.name for p in (tmp_path / "_build" / "html" / "_static" / "frames" / "demo").iterdir())
    assert copied == sorted(p.name for p in (frames / "demo").glob("*.png")) and len(copied) == 15


def test_extension_warns_about_a_missing_frame(tmp_path, monkeypatch):
    import types

    ext = _extension()
    monkeypatch.setenv(_common.FRAMES_ENV, str(tmp_path / "_build" / ".gamelib_frames"))
    body = _widget()._repr_mimebundle_()[0]["text/html"]
    victim = next((tmp_path / "_build" / ".gamelib_frames" / "demo").glob("*.png"))
    victim.unlink()
    warnings = []
    monkeypatch.setattr(ext.logger, "warning", lambda message, **kw: warnings.append(message))
    app = types.SimpleNamespace(outdir=str(tmp_path / "_build" / "html"))
    ext._copy_frames(app, "book/page", "page.html",
                     {"body": body, "pathto": lambda target, resource: target}, None)
    assert len(warnings) == 1 and victim.name in warnings[0] and ".jupyter_cache" in warnings[0]
