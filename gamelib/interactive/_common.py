"""One widget class for the whole book: controls declared once, a live widget, static frames.

This is the only place in ``gamelib`` that imports matplotlib and ipywidgets; the
core library stays NumPy/SciPy only.

The convention
--------------
A chapter module only draws. It writes ``setup(fig, **values)``, which draws once
everything that does not move with the controls (axes with *fixed* limits, labels,
reference curves) and returns the artists that do move, and ``refresh(artists,
**values)``, which updates those artists in place and returns a caption of computed
numbers. It declares its controls once, with :class:`~gamelib.interactive.Slider` and
:class:`~gamelib.interactive.Choice`, and hands everything to :class:`~gamelib.interactive.Widget`::

    def setup(fig, q=0.5):
        ax = fig.add_subplot(xlim=(0, 1), ylim=(0, 1))
        return {"line": ax.plot([0, 1], [0, q], color=PALETTE[0])[0]}

    def refresh(artists, q=0.5):
        artists["line"].set_ydata([0, q])
        return f"height {q:.2f}"

    Widget("line", setup, refresh, {"q": Slider("q", 0.0, 1.0, 0.05, 0.5)},
           alt=lambda q: f"A line rising to {q:.2f}.")

From these declarations the :class:`~gamelib.interactive.Widget` derives

* the **live widget** (:attr:`~gamelib.interactive.Widget.live`, ipywidgets 8): every control change restores
  the saved background and redraws only the moving artists (Agg blitting), a few
  milliseconds per change;
* the **static frames** of the HTML book (:meth:`~gamelib.interactive.Widget.write_frames`): the same
  rendering over a lattice of control positions (every step of every control, a coarser
  ``frames=`` lattice, or one control at a time with ``slices=True``), one PNG per
  position, cached on disk under a hash of the widget, the values and gamelib's source;
* the **frame player** (:meth:`~gamelib.interactive.Widget.player_html`): the default picture,
  its caption and the frames' index, from which ``_static/widgets.js`` builds the controls
  and swaps picture, caption and alt text; controls with nothing precomputed are
  disabled, with a tooltip;
* the **benchmark's samplers** (:meth:`~gamelib.interactive.Widget.sample`): random positions of the live
  controls.

Displaying a :class:`~gamelib.interactive.Widget` (last expression of a cell) gives Jupyter the live widget
(``application/vnd.jupyter.widget-view+json``) with a picture of the default state as
``text/html``. In a book build the extension ``_ext/widget_frames.py`` sets the
environment variable ``GAMELIB_FRAMES_DIR``; the kernel then renders the frames into
that directory and displays only the frame player (``text/html``), so the page needs no
widget manager and no widget state.

Static figures and frames are laid out at ``DISPLAY_DPI`` and rendered at ``SCALE`` (2)
times that resolution, shown at their display width (sharp on HiDPI screens); the live
widget renders at 1x, so that a control change stays well under 50 ms.
"""

from __future__ import annotations

import functools
import hashlib
import html
import io
import itertools
import json
import os
import pickle
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from ..persuasion import sender_value_curve

__all__ = [
    "DEFAULT_FIGSIZE",
    "OKABE_ITO",
    "PALETTE",
    "Choice",
    "KeepOnTop",
    "Slider",
    "Widget",
    "figure_to_png",
    "set_band",
    "static_figure",
]

#: Okabe & Ito's colour-blind-safe palette (2008), by name.
OKABE_ITO: dict[str, str] = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}

#: The same colours in the order the book uses them for series 0, 1, 2, ...
#: (yellow last: it is hard to see on white).
PALETTE: tuple[str, ...] = tuple(
    OKABE_ITO[name]
    for name in ("blue", "orange", "bluish_green", "vermillion", "reddish_purple", "sky_blue", "black", "yellow")
)

DEFAULT_FIGSIZE: tuple[float, float] = (6.4, 4.0)
#: Pixels per inch at which figures are laid out and displayed (CSS pixels).
DISPLAY_DPI: int = 96
#: Figures are rendered at ``SCALE * DISPLAY_DPI`` pixels per inch (2x: HiDPI screens).
SCALE: int = 2
#: Environment variable naming the frame directory of a book build (set by ``_ext/widget_frames.py``).
FRAMES_ENV = "GAMELIB_FRAMES_DIR"
#: Placeholder for the URL of the frame directory; the extension replaces it in each page.
FRAMES_URL = "@@GAMELIB_FRAMES@@"
#: Mixing weights at which the interpolation paths of chapters 4 and 6 are computed (the sliders' steps).
PATH_TS = np.round(np.linspace(0.0, 1.0, 21), 6)


def _new_figure(figsize: tuple[float, float], scale: int = SCALE) -> Figure:
    # A bare Figure (not pyplot): nothing is registered with a GUI, nothing leaks memory.
    return Figure(figsize=figsize, dpi=scale * DISPLAY_DPI, layout="constrained")


def _encode_png(rgba: np.ndarray, small: bool = True) -> bytes:
    """PNG of an RGBA pixel array: with at most 256 colours (plots need no more; files for
    the site), or, ``small=False``, fast (the live widget's every change)."""
    from PIL import Image

    image = Image.fromarray(np.asarray(rgba)[..., :3])
    buf = io.BytesIO()
    if small:
        image = image.quantize(256, method=Image.Quantize.FASTOCTREE)
    image.save(buf, format="png", compress_level=6 if small else 1)
    return buf.getvalue()


def figure_to_png(fig: Figure) -> bytes:
    """Render a figure to PNG bytes at its own resolution (quantized to 256 colours).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to render.

    Returns
    -------
    bytes
        The PNG file.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> figure_to_png(Figure(figsize=(1, 1)))[:4]
    b'\\x89PNG'
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return _encode_png(canvas.buffer_rgba())


def _png_with_width(fig: Figure) -> tuple[bytes, dict[str, int]]:
    """IPython formatter: the 2x PNG and the width at which it is displayed."""
    return figure_to_png(fig), {"width": round(fig.get_figwidth() * DISPLAY_DPI)}


def static_figure(
    draw: Callable[..., Any], *, figsize: tuple[float, float] = DEFAULT_FIGSIZE, **values: Any
) -> Figure:
    """Draw a figure once, with no widget (the book's figures that have no controls).

    Display the returned figure as the cell's output and give the cell
    ``mystnb: image: alt:`` metadata. It is rendered at twice its display resolution.

    Parameters
    ----------
    draw : callable
        ``draw(fig, **values)``; its return value is ignored here.
    figsize : tuple of float, optional
        Figure size in inches (displayed at 96 pixels per inch).
    **values
        Parameter values passed to ``draw``.

    Returns
    -------
    matplotlib.figure.Figure
        The drawn figure (IPython displays it as a PNG of the right display width).

    Examples
    --------
    >>> def draw(fig, q=0.5):
    ...     fig.add_subplot().bar([0, 1], [q, 1 - q], color=PALETTE[:2])
    >>> fig = static_figure(draw, q=0.25)
    >>> len(fig.axes), float(fig.dpi)  # drawn at 2 x 96 dpi
    (1, 192.0)
    """
    fig = _new_figure(figsize)
    draw(fig, **values)
    from IPython import get_ipython  # installed with ipywidgets

    shell = get_ipython()
    if shell is not None:  # let IPython display a bare Figure (pyplot is never imported)
        shell.display_formatter.formatters["image/png"].for_type(Figure, _png_with_width)
    return fig


# --- control declarations --------------------------------------------------------------


@dataclass(frozen=True)
class Slider:
    """A numeric control, declared once: its live slider, its static lattice, its sampler.

    Parameters
    ----------
    label : str
        Shown beside the control (plain text or unicode, no TeX).
    min, max, step : float
        Range and step of the live slider.
    value : float
        Default position (the static figure's).
    frames : sequence of float, optional
        Positions precomputed for the static page (default: every step); the default
        ``value`` is always added.
    fmt : str, default ".2f"
        Format of the readout.

    Examples
    --------
    >>> s = Slider("prior", 0.0, 1.0, 0.25, 0.5)
    >>> s.steps().tolist(), s.lattice().tolist()
    ([0.0, 0.25, 0.5, 0.75, 1.0], [0.0, 0.25, 0.5, 0.75, 1.0])
    >>> Slider("prior", 0.0, 1.0, 0.25, 0.75, frames=[0.0, 0.5, 1.0]).lattice().tolist()
    [0.0, 0.5, 0.75, 1.0]
    >>> Slider("prior", 0.0, 1.0, 0.25, 0.3)
    Traceback (most recent call last):
    ...
    ValueError: value: 0.3 is not a step of the slider 'prior' (0.0 to 1.0 by 0.25)
    """

    label: str
    min: float
    max: float
    step: float
    value: float
    frames: Sequence[float] | None = None
    fmt: str = ".2f"

    def __post_init__(self) -> None:
        if not (np.isfinite([self.min, self.max, self.step]).all() and self.step > 0
                and self.max > self.min):
            raise ValueError(f"min, max, step: need finite min < max and step > 0 for the slider "
                             f"{self.label!r}, got {self.min}, {self.max}, {self.step}")
        if not np.isclose(self.steps(), self.value, atol=1e-9).any():
            raise ValueError(f"value: {self.value} is not a step of the slider {self.label!r} "
                             f"({self.min} to {self.max} by {self.step})")
        lat = self.lattice()
        if lat.min() < self.min - 1e-9 or lat.max() > self.max + 1e-9:
            raise ValueError(f"frames: must lie in [{self.min}, {self.max}] (slider {self.label!r})")

    def steps(self) -> np.ndarray:
        """Every position of the live slider."""
        n = int(round((self.max - self.min) / self.step))
        return np.round(self.min + self.step * np.arange(n + 1), 10)

    def lattice(self) -> np.ndarray:
        """The positions precomputed for the static page."""
        if self.frames is None:
            return self.steps()
        return np.unique(np.round(np.append(np.asarray(self.frames, float), self.value), 10))

    def options(self) -> list[tuple[str, Any]]:
        """(readout, value) of every lattice position."""
        return [(format(v, self.fmt), float(v)) for v in self.lattice()]

    def sample(self, rng: np.random.Generator) -> float:
        """A random position of the live slider."""
        return float(rng.choice(self.steps()))

    def make(self, width: str) -> Any:
        """The live ipywidgets slider (redraws on release)."""
        return _live_control("FloatSlider", self.label, width, value=self.value, min=self.min, max=self.max,
                             step=self.step, continuous_update=False, readout_format=self.fmt)


@dataclass(frozen=True)
class Choice:
    """A menu, declared once: labels shown to the reader and the values passed to the figure.

    Parameters
    ----------
    label : str
        Shown beside the menu.
    choices : sequence or mapping
        The values (shown as they are), or a mapping label → value.
    value : object
        Default value (one of the values).
    frames : sequence, optional
        Values precomputed for the static page (default: all).

    Examples
    --------
    >>> c = Choice("ties", {"against the sender": "adverse", "lowest index": "lowest"}, "lowest")
    >>> c.options()
    [('against the sender', 'adverse'), ('lowest index', 'lowest')]
    >>> Choice("mode", ["a", "b"], "c")
    Traceback (most recent call last):
    ...
    ValueError: value: 'c' is not an option of the menu 'mode'
    """

    label: str
    choices: Sequence[Any] | Mapping[str, Any]
    value: Any
    frames: Sequence[Any] | None = None

    def __post_init__(self) -> None:
        values = [v for _, v in self.options(all_values=True)]
        if self.value not in values:
            raise ValueError(f"value: {self.value!r} is not an option of the menu {self.label!r}")
        if self.frames is not None and any(v not in values for v in self.frames):
            raise ValueError(f"frames: must be options of the menu {self.label!r}")

    def options(self, all_values: bool = False) -> list[tuple[str, Any]]:
        """(label, value) of every option (of the static lattice unless ``all_values``)."""
        items = self.choices.items() if isinstance(self.choices, Mapping) else zip(self.choices, self.choices)
        pairs = [(str(k), v) for k, v in items]
        if self.frames is None or all_values:
            return pairs
        return [(k, v) for k, v in pairs if v in self.frames or v == self.value]

    def lattice(self) -> list[Any]:
        """The values precomputed for the static page."""
        return [v for _, v in self.options()]

    def sample(self, rng: np.random.Generator) -> Any:
        """A random option."""
        options = self.options(all_values=True)
        return options[int(rng.integers(len(options)))][1]

    def make(self, width: str) -> Any:
        """The live ipywidgets dropdown."""
        return _live_control("Dropdown", self.label, width, options=self.options(all_values=True),
                             value=self.value)


def _live_control(kind: str, label: str, width: str, **kwargs: Any) -> Any:
    """The ipywidgets control ``kind`` with the book's label and layout."""
    import ipywidgets as widgets

    return getattr(widgets, kind)(description=label, style={"description_width": width},
                                  layout=widgets.Layout(width="100%", max_width="44em"), **kwargs)


# --- drawing helpers shared by the chapters ----------------------------------------------


class KeepOnTop(Artist):
    """Keep a static artist (a legend) above the blitted ones, without redrawing it.

    Return it from ``setup`` after the moving artists: when the widget renders its
    background, the target's pixels are copied; each refresh pastes them back over
    whatever was blitted below (a few microseconds, where drawing a legend's text again
    costs 10–30 ms). In an ordinary (static) figure it is never drawn and the target
    keeps its usual z-order.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().add_subplot()
    >>> _ = ax.plot([0, 1], label="a")
    >>> KeepOnTop(ax.legend()).get_animated()
    False
    """

    def __init__(self, target: Artist, pad: float = 2) -> None:
        super().__init__()
        self._target = target
        self._pad = pad
        self._region = None
        # the callback registry lives on the figure, so it survives a new canvas
        target.get_figure().canvas.mpl_connect("draw_event", self._capture)

    def _capture(self, event: Any) -> None:
        if self.get_animated() and hasattr(event.renderer, "copy_from_bbox"):
            bbox = self._target.get_window_extent(event.renderer).padded(self._pad)
            self._region = event.renderer.copy_from_bbox(bbox)

    def draw(self, renderer: Any) -> None:
        if self._region is not None:
            renderer.restore_region(self._region)


def set_band(collection: Any, x: Any, lower: Any, upper: Any, where: Any = None) -> None:
    """Move a ``fill_between`` band to new data (what ``FillBetweenPolyCollection.set_data`` does in matplotlib 3.10).

    Parameters
    ----------
    collection : matplotlib.collections.PolyCollection
        The return value of ``ax.fill_between``.
    x, lower, upper : array_like
        As for ``fill_between`` (``lower``, ``upper`` broadcast against ``x``).
    where : array_like of bool, optional
        Fill only where true (one polygon per run).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().add_subplot()
    >>> band = ax.fill_between([0, 1, 2], 0, 1)
    >>> set_band(band, [0, 1, 2, 3], 0.0, 2.0, where=[True, True, False, True])
    >>> [len(p.vertices) for p in band.get_paths()]  # two runs, x = 0..1 and x = 3 (closed)
    [5, 3]
    """
    x = np.asarray(x, float)
    if x.ndim != 1:
        raise ValueError(f"x: must be one-dimensional, got shape {x.shape}")
    try:
        lower, upper = np.broadcast_to(lower, x.shape), np.broadcast_to(upper, x.shape)
        mask = np.broadcast_to(True if where is None else np.asarray(where, bool), x.shape)
    except ValueError:
        raise ValueError(f"lower, upper, where: must broadcast to x's shape {x.shape}") from None
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(int), [0]])))
    collection.set_verts([np.column_stack([np.concatenate([x[a:b], x[a:b][::-1]]),
                                           np.concatenate([upper[a:b], lower[a:b][::-1]])])
                          for a, b in zip(edges[::2], edges[1::2])])


_BELIEFS = np.linspace(0.0, 1.0, 401)


def value_line(sender_utility, receiver_utility, ties="sender"):
    """The sender's value curve on a fine belief grid, broken (NaN) where the receiver switches.

    Returns
    -------
    xs, ys : ndarray
        Beliefs and values, ready for ``ax.plot`` (NaN at each switch of action).

    Examples
    --------
    >>> from gamelib.examples import threshold_receiver
    >>> xs, ys = value_line([[1.0, 1.0], [0.0, 0.0]], threshold_receiver(0.5))
    >>> int(np.isnan(xs).sum()), float(np.nanmax(ys))  # one break, at the threshold
    (1, 1.0)
    """
    curve = sender_value_curve(_BELIEFS, sender_utility, receiver_utility, ties=ties)
    # Between switches the curve is linear with slope v(a, 1) - v(a, 0) for the action played,
    # so a step larger than the steepest such slope times the grid step is a jump.
    v = np.asarray(sender_utility, dtype=float)
    steepest = float(np.abs(v[:, 1] - v[:, 0]).max()) * (_BELIEFS[1] - _BELIEFS[0])
    breaks = np.flatnonzero(np.abs(np.diff(curve)) > steepest + 1e-9) + 1  # where the receiver switches
    return np.insert(_BELIEFS, breaks, np.nan), np.insert(curve, breaks, np.nan)


def title_number(ax: Any, title: str, text: str) -> Any:
    """Set the title's words (drawn once); return a text beside them for its numbers (redrawn: text is slow)."""
    title = ax.set_title(title)
    number = ax.annotate(text, xy=(1.0, 0.0), xycoords=title, xytext=(0.3, 0.0), textcoords="offset fontsize",
                         ha="left", va="bottom", fontsize=title.get_fontsize())
    number.set_in_layout(False)  # it sits on the title's line, which the layout counts
    return number


def _flatten_artists(artists: Any) -> list:
    if isinstance(artists, Mapping):
        artists = list(artists.values())
    if isinstance(artists, (list, tuple)):
        return [a for item in artists for a in _flatten_artists(item)]
    return [] if artists is None else [artists]


# --- the widget ---------------------------------------------------------------------------


#: One laid-out figure, its canvas, its background and its moving artists.
_Prepared = namedtuple("_Prepared", "figure canvas background artists")


@functools.cache
def _source_digest() -> str:
    """Digest of gamelib's source (the frames' cache key: new code, new frames)."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


class Widget:
    """A figure with controls: live in Jupyter, a frame player in the HTML book.

    Parameters
    ----------
    name : str
        Identifier (letters, digits, ``-``): the frames' folder in the built site.
    setup : callable
        ``setup(fig, **values) -> artists``: draws the fixed parts on a fresh figure
        and returns the moving artists (any nesting of lists, tuples and dicts).
    refresh : callable
        ``refresh(artists, **values) -> str``: moves the artists, returns the caption.
    controls : mapping of str to Slider or Choice
        One control per keyword of ``setup``/``refresh`` that the reader may change.
    alt : callable
        ``alt(**values) -> str``: the picture's alt text.
    figsize : tuple of float, optional
        Display size in inches (96 CSS pixels per inch; rendered at 2x).
    fixed : mapping, optional
        Keywords with no control (e.g. a computed study), passed to all three callables.
    layout : sequence of str, optional
        Controls on which the fixed parts depend (e.g. a menu whose choice changes the
        axes limits): one background is laid out per combination of their values.
    slices : bool, default False
        Precompute one control at a time (every other control at its default) instead
        of every combination: for controls too many to combine.
    note : str, optional
        What the static page covers, shown under the player (a default is written from
        the lattice).

    Examples
    --------
    >>> def setup(fig, q=0.5, c="a"):
    ...     ax = fig.add_subplot(xlim=(0, 1), ylim=(0, 1))
    ...     return {"line": ax.plot([0, 1], [0, q], color=PALETTE[0])[0]}
    >>> def refresh(artists, q=0.5, c="a"):
    ...     artists["line"].set_ydata([0, q])
    ...     return f"{c}: height {q:.2f}"
    >>> w = Widget("demo", setup, refresh,
    ...            {"q": Slider("q", 0.0, 1.0, 0.25, 0.5), "c": Choice("c", ["a", "b"], "a")},
    ...            alt=lambda q, c: f"a line of height {q:.2f}")
    >>> w.update(q=0.75)                     # what a control change runs (live widget)
    'a: height 0.75'
    >>> len(w.lattice()), w.lattice()[0]     # 5 slider positions x 2 menu options, default first
    (10, {'q': 0.5, 'c': 'a'})
    >>> w.sample(np.random.default_rng(0))   # a random live position (benchmarks)
    {'q': 1.0, 'c': 'b'}
    >>> png, caption = w.render(q=1.0, c="b")
    >>> png[:4], caption
    (b'\\x89PNG', 'b: height 1.00')
    """

    def __init__(
        self,
        name: str,
        setup: Callable[..., Any],
        refresh: Callable[..., Any],
        controls: Mapping[str, Slider | Choice],
        *,
        alt: Callable[..., str],
        figsize: tuple[float, float] = DEFAULT_FIGSIZE,
        fixed: Mapping[str, Any] | None = None,
        layout: Sequence[str] = (),
        slices: bool = False,
        note: str | None = None,
    ) -> None:
        if not name or not all(ch.isalnum() or ch == "-" for ch in name):
            raise ValueError(f"name: letters, digits and '-' only, got {name!r}")
        if not controls:
            raise ValueError("controls: a widget needs at least one control")
        for key, ctrl in controls.items():
            if not isinstance(ctrl, (Slider, Choice)):
                raise ValueError(f"controls: {key!r} must be a Slider or a Choice, got "
                                 f"{type(ctrl).__name__}")
        unknown = set(layout) - set(controls)
        if unknown:
            raise ValueError(f"layout: not controls: {sorted(unknown)}")
        if not callable(setup) or not callable(refresh) or not callable(alt):
            raise ValueError("setup, refresh, alt: must be callables")
        if len(figsize) != 2 or not (np.isfinite(figsize).all() and min(figsize) > 0):
            raise ValueError(f"figsize: need two positive inches, got {figsize!r}")
        self.name = name
        self.setup = setup
        self.refresh = refresh
        self.controls = dict(controls)
        self.alt = alt
        self.figsize = tuple(figsize)
        self.fixed = dict(fixed or {})
        self.layout = tuple(layout)
        self.slices = slices
        self.note = note
        self.current = self.default()
        self.draws = 0  # renders so far (tests check one per change)
        self._prepared: dict[tuple, _Prepared] = {}
        self._live = None
        self._muted = False

    # -- values -------------------------------------------------------------------------
    def values(self, **changes: Any) -> dict[str, Any]:
        """The current control values with ``changes`` applied (checked), without the fixed ones.

        Raises
        ------
        ValueError
            If a name is not a control.
        """
        unknown = set(changes) - set(self.controls)
        if unknown:
            raise ValueError(f"values: unknown control(s) {sorted(unknown)} of widget {self.name!r}")
        return {**self.current, **changes}

    def default(self) -> dict[str, Any]:
        """Every control at its default value."""
        return {k: c.value for k, c in self.controls.items()}

    def sample(self, rng: np.random.Generator) -> dict[str, Any]:
        """Random positions of every live control (the benchmark's sampler)."""
        return {k: c.sample(rng) for k, c in self.controls.items()}

    def lattice(self) -> list[dict[str, Any]]:
        """The control positions precomputed for the static page, default first."""
        names = list(self.controls)
        axes = [list(self.controls[k].lattice()) for k in names]
        default = self.default()
        if self.slices:
            return [default] + [{**default, k: _py(v)} for k, values in zip(names, axes)
                                for v in values if not _same(v, default[k])]
        points = [dict(zip(names, map(_py, combo))) for combo in itertools.product(*axes)]
        points.sort(key=lambda p: not all(_same(p[k], default[k]) for k in names))
        return points

    # -- drawing ---------------------------------------------------------------------------
    def draw(self, fig: Figure, **values: Any) -> str:
        """Draw the figure of ``values`` on ``fig`` (no blitting): the widget as a static figure."""
        vals = {**self.fixed, **self.values(**values)}
        return self.refresh(self.setup(fig, **vals), **vals)

    def _prepare(self, vals: Mapping[str, Any], scale: int) -> _Prepared:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        key = (scale, *(_py(vals[k]) for k in self.layout))
        if key not in self._prepared:
            fig = _new_figure(self.figsize, scale)
            artists = self.setup(fig, **vals)
            for artist in _flatten_artists(artists):
                artist.set_animated(True)
            canvas = FigureCanvasAgg(fig)
            canvas.draw()  # layout and the fixed parts, once
            fig.set_layout_engine("none")  # freeze the layout found above
            self._prepared[key] = _Prepared(fig, canvas, canvas.copy_from_bbox(fig.bbox), artists)
        return self._prepared[key]

    def _pixels(self, scale: int = SCALE, **values: Any) -> tuple[np.ndarray, str]:
        vals = {**self.fixed, **self.values(**values)}
        p = self._prepare(vals, scale)
        caption = self.refresh(p.artists, **vals)
        p.canvas.restore_region(p.background)
        for artist in _flatten_artists(p.artists):
            artist.set_animated(True)  # refresh may have made new ones
            if artist.get_visible():
                (artist.axes or p.figure).draw_artist(artist)
        self.draws += 1
        return np.asarray(p.canvas.buffer_rgba()), caption

    def render(self, live: bool = False, **values: Any) -> tuple[bytes, str]:
        """PNG and caption of the figure at ``values`` (others as they are), by blitting.

        The static frames are rendered at 2x and quantized (small files); the ``live``
        widget at 1x, quickly encoded (a control change stays well under 50 ms).
        """
        rgba, caption = self._pixels(1 if live else SCALE, **values)
        return _encode_png(rgba, small=not live), caption

    def describe(self, **values: Any) -> str:
        """Alt text at ``values``."""
        return self.alt(**self.fixed, **self.values(**values))

    @property
    def width(self) -> int:
        """Display width in CSS pixels."""
        return round(self.figsize[0] * DISPLAY_DPI)

    def _img(self, src: str, alt: str) -> str:
        return (f'<img class="gamelib-frame" src="{html.escape(src, quote=True)}" '
                f'width="{self.width}" alt="{html.escape(alt, quote=True)}">')

    # -- live widget -----------------------------------------------------------------------
    @property
    def live(self) -> Any:
        """The ipywidgets box (controls, picture, caption), built on first use."""
        if self._live is None:
            import ipywidgets as widgets

            width = f"{max(len(c.label) for c in self.controls.values()) * 0.55 + 1:.1f}em"
            self._controls = {k: c.make(width) for k, c in self.controls.items()}
            self._image = widgets.HTML()
            self._caption = widgets.HTML()
            self._output = widgets.Output()
            for ctrl in self._controls.values():  # update() below sets their values
                ctrl.observe(self._on_change, names="value")
            self._live = widgets.VBox(
                [widgets.VBox(list(self._controls.values())), self._image, self._caption,
                 self._output],
                layout=widgets.Layout(width="100%", max_width=f"{self.width + 40}px"))
            self.update()
        return self._live

    def _on_change(self, change: Mapping[str, Any]) -> None:
        if self._muted:
            return
        try:
            self.update(**{k: c.value for k, c in self._controls.items()})
        except Exception:  # shown under the figure; the reader's next move may work
            import traceback

            self._output.append_stderr(traceback.format_exc())

    def update(self, **values: Any) -> str:
        """Move to ``values`` (others keep theirs) and redraw, exactly as a control change does.

        Returns
        -------
        str
            The caption.

        Raises
        ------
        ValueError
            If a name is not a control.
        """
        self.current = self.values(**values)
        if self._live is None:
            return self.render(live=True)[1]
        self._muted = True  # setting the controls must not trigger more redraws
        try:
            for k, ctrl in self._controls.items():
                ctrl.value = self.current[k]
        finally:
            self._muted = False
        self._output.outputs = ()
        png, caption = self.render(live=True)
        self._image.value = self._img(_data_uri(png), self.describe())
        self._caption.value = f'<p class="gamelib-caption">{html.escape(caption)}</p>'
        return caption

    # -- static frames ---------------------------------------------------------------------
    def _key(self) -> str:
        spec = {"name": self.name, "figsize": self.figsize, "scale": SCALE,
                "controls": {k: repr(c) for k, c in self.controls.items()},
                "layout": self.layout, "slices": self.slices}
        h = hashlib.sha256(json.dumps(spec, sort_keys=True, default=repr).encode())
        h.update(_source_digest().encode())
        h.update(pickle.dumps(self.fixed, protocol=4))
        return h.hexdigest()[:20]

    def _index_key(self, values: Mapping[str, Any]) -> str:
        return "_".join(str(_option_index(c, values[k])) for k, c in self.controls.items())

    def write_frames(self, directory: str | os.PathLike) -> dict[str, Any]:
        """Render every lattice position into ``directory/<name>/`` (cached); return the index.

        The index (also written as ``<key>.json``) maps each position (the option
        indices of the controls, joined by ``_``) to ``[file, caption, alt]``; ``key``
        hashes the declarations, gamelib's source and the fixed data, so an unchanged
        widget is read back from disk and not rendered again.

        Examples
        --------
        >>> import tempfile
        >>> def setup(fig, q=0.5):
        ...     return {"line": fig.add_subplot(ylim=(0, 1)).plot([0, 1], [0, q])[0]}
        >>> def refresh(a, q=0.5):
        ...     a["line"].set_ydata([0, q])
        ...     return f"q = {q:.1f}"
        >>> w = Widget("demo", setup, refresh, {"q": Slider("q", 0.0, 1.0, 0.5, 0.5)},
        ...            alt=lambda q: f"line to {q}")
        >>> with tempfile.TemporaryDirectory() as d:
        ...     index = w.write_frames(d)
        ...     again = Widget("demo", setup, refresh, {"q": Slider("q", 0.0, 1.0, 0.5, 0.5)},
        ...                    alt=lambda q: f"line to {q}")
        ...     cached = again.write_frames(d) == index and again.draws == 0
        >>> sorted(index["frames"]), index["frames"]["2"][1:], cached
        (['0', '1', '2'], ['q = 1.0', 'line to 1.0'], True)
        """
        key = self._key()
        folder = Path(directory) / self.name
        folder.mkdir(parents=True, exist_ok=True)
        index_file = folder / f"{key}.json"
        if index_file.is_file():
            return json.loads(index_file.read_text())
        frames = {}
        for point in self.lattice():  # rendering a point does not move the widget (self.current)
            png, caption = self.render(**point)
            name = hashlib.sha256(png).hexdigest()[:16] + ".png"  # equal pictures: one file
            if not (folder / name).is_file():
                (folder / name).write_bytes(png)
            frames[self._index_key(point)] = [name, caption, self.describe(**point)]
        index = {"key": key, "widget": self.name, "frames": frames,
                 "default": self._index_key(self.default())}
        index_file.write_text(json.dumps(index, ensure_ascii=False))
        return index

    def coverage(self) -> str:
        """One sentence: what the static page precomputes."""
        if self.note:
            return self.note
        sparse = [f"“{c.label}” at {len(c.lattice())} of its {len(c.steps())} positions"
                  for c in self.controls.values()
                  if isinstance(c, Slider) and len(c.lattice()) < len(c.steps())]
        if self.slices:
            which = ", one control at a time (the others at their defaults: press reset to move another)."
        elif sparse:
            which = f", every combination of the controls with {', '.join(sparse)}."
        else:
            which = ": every position of the controls."
        return (f"This static page shows {len(self.lattice())} precomputed pictures{which} A live notebook "
                "gives every value.")

    def player_html(self, directory: str | os.PathLike) -> str:
        """The frame player of the frames written to ``directory``: picture, caption, note, index.

        ``_static/widgets.js`` builds the controls from the index (``controls``: name,
        label, readouts and default option of each); without it the page shows the default
        picture and no controls. The default picture is embedded (a data URL) with its frame's URL in
        ``data-frame``; ``_ext/widget_frames.py`` puts that URL in ``src`` in the book.
        """
        index = self.write_frames(directory)
        base = f"{FRAMES_URL}/{self.name}/"
        default = index["frames"][index["default"]]
        # the controls (built by the script: without it the page shows no dead controls)
        controls = [{"name": k, "label": c.label, "slider": isinstance(c, Slider),
                     "readouts": [r for r, _ in c.options()], "value": _option_index(c, c.value)}
                    for k, c in self.controls.items()]
        data = {"base": base, "frames": index["frames"], "controls": controls, "id": index["key"][:6]}
        data = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")  # safe inside <script>
        return (
            f'<div class="gamelib-player" data-widget="{self.name}" '
            f'style="max-width:{self.width}px">'
            # the default picture travels inside the notebook (a downloaded .ipynb shows it);
            # the book's extension swaps it for the frame file (data-frame)
            f'{self._img(_data_uri((Path(directory) / self.name / default[0]).read_bytes()), default[2])[:-1]} '
            f'data-frame="{base + default[0]}">'
            f'<p class="gamelib-caption" aria-live="polite">{html.escape(default[1])}</p>'
            f'<p class="gamelib-note">{html.escape(self.coverage())}</p>'
            f'<script type="application/json" class="gamelib-index">{data}</script></div>'
        )

    # -- display ---------------------------------------------------------------------------
    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        directory = os.environ.get(FRAMES_ENV)
        if directory:  # a book build: the frame player (no widget state in the page)
            page = self.player_html(directory)
            index = self.write_frames(directory)
            png = (Path(directory) / self.name / index["frames"][index["default"]][0]).read_bytes()
            return {"text/html": page, "image/png": png,  # the picture: for builders without HTML
                    "text/plain": f"<gamelib widget {self.name}>"}, {"image/png": {"width": self.width}}
        bundle = dict(self.live._repr_mimebundle_())
        png, caption = self.render()
        bundle["text/html"] = (self._img(_data_uri(png), self.describe())
                               + f'<p class="gamelib-caption">{html.escape(caption)}</p>')
        return bundle

    def __repr__(self) -> str:
        return f"Widget({self.name!r}, controls={list(self.controls)})"


def _data_uri(png: bytes) -> str:
    """A PNG as a ``data:`` URI."""
    import base64

    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _py(value: Any) -> Any:
    """NumPy scalars as plain Python values (JSON, dict keys)."""
    return value.item() if isinstance(value, np.generic) else value


def _option_index(control: Slider | Choice, value: Any) -> int:
    """Index of ``value`` among the precomputed options of ``control``."""
    return next(i for i, (_, v) in enumerate(control.options()) if _same(v, value))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (float, np.floating)) and isinstance(b, (int, float, np.number)):
        return abs(float(a) - float(b)) < 1e-9
    return a == b
