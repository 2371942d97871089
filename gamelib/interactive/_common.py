"""Shared widget plumbing for the book's chapters.

This is the only place in ``gamelib`` that imports matplotlib and ipywidgets; the
core library stays NumPy/SciPy only.

The convention
--------------
A chapter writes one *pure drawing function* ``draw(fig, **values)`` that clears nothing,
draws its axes on the :class:`matplotlib.figure.Figure` it is given, and may return a
short string of computed numbers (a caption: "user 1 gets 0.50 = OPT"). It then builds
the widget with :func:`~gamelib.interactive.interactive_figure`::

    import ipywidgets as widgets
    from gamelib.interactive import interactive_figure, float_slider, PALETTE

    def draw(fig, q=0.5):
        ax = fig.add_subplot()
        ax.plot([0, 1], [0, q], color=PALETTE[0])
        ax.set_xlabel("x"); ax.set_ylabel("value")
        return f"value at x = 1: {q:.2f}"

    fig_widget = interactive_figure(
        draw,
        {"q": float_slider(0.5, 0.0, 1.0, 0.05, "q")},
        alt="A line from the origin whose height at x = 1 is the slider value q.",
    )
    fig_widget            # last expression of the cell: displays the widget

and, for readers of the static page, the same function gives the figure of the default
parameters as an ordinary cell output (give that cell ``mystnb: image: alt:`` metadata)::

    static_figure(draw, q=0.5)

What renders where (checked in headless Chromium on the built HTML by
``tests/test_browser.py``):

* **Live in Jupyter** every control change calls ``draw`` again and replaces the picture
  and the caption.
* **In the static HTML book** (saved widget state, rendered by the vendored
  ``@jupyter-widgets/html-manager``) the controls render at their default values but are
  inert (there is no kernel). The picture is stored as a PNG inside an
  :class:`ipywidgets.HTML` widget as ``<img alt=...>``, so the default state's figure,
  *with its alt text*, and the caption of computed numbers both render in the page.
  (The :class:`ipywidgets.Output` widget's PNG also renders from saved state, but without
  alt text; the Output widget is therefore used only to show errors raised by ``draw``.)

Benchmarks time a callback with :meth:`~gamelib.interactive.InteractiveFigure.update`, which runs exactly
what a control change runs.
"""

from __future__ import annotations

import base64
import html
import io
import time
from collections.abc import Callable, Mapping
from typing import Any

import matplotlib

if matplotlib.get_backend().lower() not in {"agg", "module://matplotlib_inline.backend_inline"}:
    # Never need a display. In a Jupyter kernel (matplotlib_inline importable) leave the
    # backend to the kernel; elsewhere (plain Python, pytest) use Agg. Nothing here uses
    # pyplot, so either way no window opens.
    try:
        import matplotlib_inline  # noqa: F401  (present wherever ipykernel is)
    except ImportError:  # pragma: no cover
        matplotlib.use("Agg")

import ipywidgets as widgets
from matplotlib.figure import Figure

__all__ = [
    "OKABE_ITO",
    "PALETTE",
    "InteractiveFigure",
    "interactive_figure",
    "AnimatedFigure",
    "animated_figure",
    "static_animated_figure",
    "static_figure",
    "float_slider",
    "int_slider",
    "dropdown",
    "figure_to_png",
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
PALETTE: tuple[str, ...] = (
    OKABE_ITO["blue"],
    OKABE_ITO["orange"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["black"],
    OKABE_ITO["yellow"],
)

DEFAULT_FIGSIZE: tuple[float, float] = (6.4, 4.0)
DEFAULT_DPI: int = 96


def _new_figure(figsize: tuple[float, float], dpi: int) -> Figure:
    # A bare Figure (not pyplot): nothing is registered with a GUI, nothing leaks memory.
    return Figure(figsize=figsize, dpi=dpi, layout="constrained")


def figure_to_png(fig: Figure) -> bytes:
    """Render a figure to PNG bytes.

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
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi)
    return buf.getvalue()


def static_figure(
    draw: Callable[..., Any],
    *,
    figsize: tuple[float, float] = DEFAULT_FIGSIZE,
    dpi: int = DEFAULT_DPI,
    **values: Any,
) -> Figure:
    """Draw the figure of the given (default) parameters once, with no widget.

    Use it for the static figure that every widget is paired with; display the returned
    figure as the cell's output and give the cell ``mystnb: image: alt:`` metadata.

    Parameters
    ----------
    draw : callable
        ``draw(fig, **values)``; its return value is ignored here.
    figsize : tuple of float, optional
        Figure size in inches.
    dpi : int, optional
        Resolution.
    **values
        Parameter values passed to ``draw``.

    Returns
    -------
    matplotlib.figure.Figure
        The drawn figure (IPython displays it as a PNG).

    Examples
    --------
    >>> def draw(fig, q=0.5):
    ...     fig.add_subplot().bar([0, 1], [q, 1 - q], color=PALETTE[:2])
    >>> fig = static_figure(draw, q=0.25)
    >>> len(fig.axes)
    1
    """
    fig = _new_figure(figsize, dpi)
    draw(fig, **values)
    _register_png_formatter()
    return fig


def _register_png_formatter() -> None:
    """Let IPython display a bare :class:`Figure` as a PNG (pyplot is never imported)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return
    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["image/png"].for_type(Figure, figure_to_png)


def float_slider(
    value: float,
    min: float,
    max: float,
    step: float,
    description: str,
    *,
    continuous_update: bool = False,
    readout_format: str = ".2f",
) -> widgets.FloatSlider:
    """A float slider with the book's defaults (redraw on release, wide label).

    Parameters
    ----------
    value, min, max, step : float
        Initial value, bounds and step.
    description : str
        Label shown left of the slider (MathJax-free plain text or unicode).
    continuous_update : bool, optional
        Redraw while dragging (``False``: only on release, kinder to slow callbacks).
    readout_format : str, optional
        Format of the number shown right of the slider.

    Returns
    -------
    ipywidgets.FloatSlider

    Examples
    --------
    >>> float_slider(0.3, 0.0, 1.0, 0.1, "prior").value
    0.3
    """
    return widgets.FloatSlider(
        value=value,
        min=min,
        max=max,
        step=step,
        description=description,
        continuous_update=continuous_update,
        readout_format=readout_format,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="28em"),
    )


def int_slider(
    value: int, min: int, max: int, description: str, *, step: int = 1,
    continuous_update: bool = False,
) -> widgets.IntSlider:
    """An integer slider with the book's defaults.

    Parameters
    ----------
    value, min, max : int
        Initial value and bounds.
    description : str
        Label.
    step : int, optional
        Step.
    continuous_update : bool, optional
        Redraw while dragging.

    Returns
    -------
    ipywidgets.IntSlider

    Examples
    --------
    >>> int_slider(2, 1, 4, "providers").value
    2
    """
    return widgets.IntSlider(
        value=value, min=min, max=max, step=step, description=description,
        continuous_update=continuous_update,
        style={"description_width": "initial"}, layout=widgets.Layout(width="28em"),
    )


def dropdown(options: Any, value: Any, description: str) -> widgets.Dropdown:
    """A dropdown with the book's defaults.

    Parameters
    ----------
    options : sequence or mapping
        Choices, as accepted by :class:`ipywidgets.Dropdown`.
    value : object
        Initial choice.
    description : str
        Label.

    Returns
    -------
    ipywidgets.Dropdown

    Examples
    --------
    >>> dropdown(["personalized", "anonymous"], "anonymous", "mode").value
    'anonymous'
    """
    return widgets.Dropdown(
        options=options, value=value, description=description,
        style={"description_width": "initial"},
    )


class InteractiveFigure:
    """Controls + a redrawn matplotlib figure + a caption of computed numbers.

    Build it with :func:`~gamelib.interactive.interactive_figure`. Displaying the object (last expression of a
    cell) displays :attr:`widget`.

    Attributes
    ----------
    widget : ipywidgets.VBox
        Controls, then the picture (:attr:`image`), the caption (:attr:`caption`) and the
        error area (:attr:`output`).
    controls : dict of str to ipywidgets.ValueWidget
        The controls, by the keyword they feed to ``draw``.
    image : ipywidgets.HTML
        The current figure as ``<img src="data:image/png..." alt=...>``.
    caption : ipywidgets.HTML
        The string returned by ``draw`` (HTML-escaped), empty if it returned ``None``.
    output : ipywidgets.Output
        Shows the traceback if ``draw`` raises.
    last_seconds : float
        Wall time of the last redraw (draw + PNG rendering), for benchmarks.

    Examples
    --------
    >>> def draw(fig, q=0.5):
    ...     fig.add_subplot().plot([0, 1], [0, q], color=PALETTE[0])
    ...     return f"height {q:.2f}"
    >>> w = InteractiveFigure(draw, {"q": float_slider(0.5, 0, 1, 0.1, "q")}, alt="a line")
    >>> w.draws, w.values()            # the default state is drawn at once
    (1, {'q': 0.5})
    >>> w.controls["q"].value = 0.8    # what moving the slider does: one redraw
    >>> w.draws, w.caption.value
    (2, '<p class="gamelib-caption">height 0.80</p>')
    >>> len(w.widget.children)         # controls, picture, caption, error area
    4
    """

    def __init__(
        self,
        draw: Callable[..., Any],
        controls: Mapping[str, widgets.ValueWidget],
        *,
        alt: str | Callable[..., str],
        figsize: tuple[float, float] = DEFAULT_FIGSIZE,
        dpi: int = DEFAULT_DPI,
        fixed: Mapping[str, Any] | None = None,
    ) -> None:
        self.draw = draw
        self.controls = dict(controls)
        self.alt = alt
        self.figsize = figsize
        self.dpi = dpi
        self.fixed = dict(fixed or {})
        self.last_seconds = float("nan")
        self._muted = False
        self.draws = 0  # number of redraws so far (tests check one per change)
        self.image = widgets.HTML(layout=widgets.Layout(min_height=f"{figsize[1]}in"))
        self.caption = widgets.HTML()
        self.output = widgets.Output()
        box = widgets.VBox(list(self.controls.values()))
        self.widget = widgets.VBox([box, self.image, self.caption, self.output])
        for ctrl in self.controls.values():
            ctrl.observe(self._on_change, names="value")
        self.update()  # the default state is drawn now, so the saved state contains it

    def values(self) -> dict[str, Any]:
        """Current parameter values: the controls' values and the fixed ones.

        Returns
        -------
        dict
        """
        vals = dict(self.fixed)
        vals.update({name: ctrl.value for name, ctrl in self.controls.items()})
        return vals

    def _on_change(self, change: Mapping[str, Any]) -> None:
        if not self._muted:
            self.update()

    def update(self, **values: Any) -> Any:
        """Redraw, exactly as a control change does, and return what ``draw`` returned.

        Parameters
        ----------
        **values
            New values for some controls (they are set on the controls without
            triggering extra redraws); omitted ones keep their current values.

        Returns
        -------
        object
            The return value of ``draw`` (the caption string, or ``None``).

        Raises
        ------
        KeyError
            If a name is neither a control nor a fixed parameter.
        """
        unknown = set(values) - set(self.controls) - set(self.fixed)
        if unknown:
            raise KeyError(f"unknown parameter(s): {sorted(unknown)}")
        for name, val in values.items():
            if name in self.controls:
                self._muted = True  # setting a control must not trigger a second redraw
                try:
                    self.controls[name].value = val
                finally:
                    self._muted = False
            else:
                self.fixed[name] = val
        start = time.perf_counter()
        vals = self.values()
        if self.output.outputs:
            self.output.outputs = ()
        try:
            png_bytes, result = self._render(vals)
            self.draws += 1
        except Exception:
            with self.output:
                raise
        png = base64.b64encode(png_bytes).decode("ascii")
        alt = self.alt(**vals) if callable(self.alt) else self.alt
        self.image.value = (
            f'<img src="data:image/png;base64,{png}" alt="{html.escape(alt, quote=True)}" '
            f'style="max-width:100%;height:auto">'
        )
        self.caption.value = (
            "" if result is None
            else f'<p class="gamelib-caption">{html.escape(str(result))}</p>'
        )
        self.last_seconds = time.perf_counter() - start
        return result

    def _render(self, vals: Mapping[str, Any]) -> tuple[bytes, Any]:
        """Draw the whole figure afresh; return the PNG and what ``draw`` returned."""
        fig = _new_figure(self.figsize, self.dpi)
        result = self.draw(fig, **vals)
        return figure_to_png(fig), result

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


def _flatten_artists(artists: Any) -> list:
    if artists is None:
        return []
    if isinstance(artists, Mapping):
        artists = list(artists.values())
    if isinstance(artists, (list, tuple)):
        out = []
        for a in artists:
            out.extend(_flatten_artists(a))
        return out
    return [artists]


class AnimatedFigure(InteractiveFigure):
    """An :class:`InteractiveFigure` that redraws only what the controls change.

    ``setup(fig, **values)`` draws, once, everything that does not depend on
    the controls — axes with *fixed* limits, labels, reference curves — and
    returns the artists that do (lines, patches, images, texts; any nesting of
    lists, tuples and dicts).  ``refresh(artists, **values)`` updates those
    artists in place (``set_data``, ``set_text``, ``set_height``, ...) and may
    return a caption.  A redraw restores the saved background and draws the
    changing artists over it (Agg blitting), so it costs a few milliseconds
    instead of a full layout and render.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.linspace(0, 1, 50)
    >>> def setup(fig, q=0.5):
    ...     ax = fig.add_subplot(xlim=(0, 1), ylim=(0, 1))
    ...     return {"line": ax.plot(x, q * x, color=PALETTE[0])[0]}
    >>> def refresh(artists, q=0.5):
    ...     artists["line"].set_ydata(q * x)
    ...     return f"slope {q:.2f}"
    >>> w = AnimatedFigure(setup, refresh, {"q": float_slider(0.5, 0, 1, 0.1, "q")},
    ...                    alt="a line")
    >>> line = w.artists["line"]
    >>> w.update(q=0.8), float(line.get_ydata()[-1]), line.get_animated()
    ('slope 0.80', 0.8, True)
    >>> w.artists["line"] is line      # setup ran once; refresh moved the same line
    True
    """

    def __init__(self, setup: Callable[..., Any], refresh: Callable[..., Any],
                 controls: Mapping[str, widgets.ValueWidget], **kwargs: Any) -> None:
        self.setup = setup
        self.refresh = refresh
        self._canvas = None
        super().__init__(refresh, controls, **kwargs)

    def _prepare(self, vals: Mapping[str, Any]) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        fig = _new_figure(self.figsize, self.dpi)
        self.artists = self.setup(fig, **vals)
        self._animated = _flatten_artists(self.artists)
        for artist in self._animated:
            artist.set_animated(True)
        self._canvas = FigureCanvasAgg(fig)
        self._canvas.draw()  # layout and static parts, once
        fig.set_layout_engine("none")  # freeze the layout found above
        self._background = self._canvas.copy_from_bbox(fig.bbox)
        self.figure = fig

    def _render(self, vals: Mapping[str, Any]) -> tuple[bytes, Any]:
        from PIL import Image

        if self._canvas is None:
            self._prepare(vals)
        result = self.refresh(self.artists, **vals)
        canvas = self._canvas
        canvas.restore_region(self._background)
        for artist in self._animated:
            if artist.get_visible():
                (artist.axes or self.figure).draw_artist(artist)
        buf = io.BytesIO()
        Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba()).save(
            buf, format="png", compress_level=1
        )
        return buf.getvalue(), result


def animated_figure(
    setup: Callable[..., Any],
    refresh: Callable[..., Any],
    controls: Mapping[str, widgets.ValueWidget],
    *,
    alt: str | Callable[..., str],
    figsize: tuple[float, float] = DEFAULT_FIGSIZE,
    dpi: int = DEFAULT_DPI,
    fixed: Mapping[str, Any] | None = None,
) -> AnimatedFigure:
    """Build a fast widget: static parts drawn once, changing artists blitted.

    Use it when a full redraw is too slow for a responsive control (the book's
    target is 50 ms per callback).  The axes limits must not depend on the
    controls; everything that does is an artist returned by ``setup`` and
    updated by ``refresh``.

    Parameters
    ----------
    setup : callable
        ``setup(fig, **values) -> artists``, called once with the default values.
    refresh : callable
        ``refresh(artists, **values) -> str | None``, called on every change.
    controls, alt, figsize, dpi, fixed
        As in :func:`interactive_figure`.

    Returns
    -------
    AnimatedFigure

    Examples
    --------
    >>> import numpy as np
    >>> x = np.linspace(0, 1, 50)
    >>> def setup(fig, q=0.5):
    ...     ax = fig.add_subplot(xlim=(0, 1), ylim=(0, 1), xlabel="x", ylabel="q x")
    ...     return {"line": ax.plot(x, q * x, color=PALETTE[0])[0]}
    >>> def refresh(artists, q=0.5):
    ...     artists["line"].set_ydata(q * x)
    ...     return f"slope {q:.2f}"
    >>> w = animated_figure(setup, refresh, {"q": float_slider(0.5, 0, 1, 0.1, "q")},
    ...                     alt="a line through the origin")
    >>> w.update(q=0.8), w.draws
    ('slope 0.80', 2)
    >>> fig = static_animated_figure(setup, refresh, q=0.8)
    >>> len(fig.axes)
    1
    """
    return AnimatedFigure(setup, refresh, controls, alt=alt, figsize=figsize, dpi=dpi, fixed=fixed)


def static_animated_figure(
    setup: Callable[..., Any],
    refresh: Callable[..., Any],
    *,
    figsize: tuple[float, float] = DEFAULT_FIGSIZE,
    dpi: int = DEFAULT_DPI,
    **values: Any,
) -> Figure:
    """The static figure of an :func:`animated_figure` at the given values.

    Returns an ordinary figure (nothing animated) for a chapter's static cell.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.linspace(0, 1, 50)
    >>> def setup(fig, q=0.5):
    ...     ax = fig.add_subplot(xlim=(0, 1), ylim=(0, 1))
    ...     return {"line": ax.plot(x, q * x, color=PALETTE[0])[0]}
    >>> def refresh(artists, q=0.5):
    ...     artists["line"].set_ydata(q * x)
    >>> fig = static_animated_figure(setup, refresh, q=0.8)
    >>> line = fig.axes[0].lines[0]
    >>> float(line.get_ydata()[-1]), line.get_animated()
    (0.8, False)
    """
    _register_png_formatter()
    fig = _new_figure(figsize, dpi)
    refresh(setup(fig, **values), **values)
    return fig


def interactive_figure(
    draw: Callable[..., Any],
    controls: Mapping[str, widgets.ValueWidget],
    *,
    alt: str | Callable[..., str],
    figsize: tuple[float, float] = DEFAULT_FIGSIZE,
    dpi: int = DEFAULT_DPI,
    fixed: Mapping[str, Any] | None = None,
) -> InteractiveFigure:
    """Build a widget that redraws ``draw(fig, **values)`` whenever a control changes.

    The default state is drawn immediately, so the notebook's saved widget state (and
    hence the static HTML page) contains the rendered default figure and caption.

    Parameters
    ----------
    draw : callable
        ``draw(fig, **values) -> str | None``; draws on a fresh
        :class:`matplotlib.figure.Figure` and may return a caption of computed numbers.
    controls : mapping of str to ipywidgets.ValueWidget
        One control per keyword of ``draw`` that the reader may change.
    alt : str or callable
        Alt text of the picture; a callable receives the current values (``alt(**values)``).
    figsize : tuple of float, optional
        Figure size in inches.
    dpi : int, optional
        Resolution of the PNG.
    fixed : mapping, optional
        Keywords passed to ``draw`` that have no control (e.g. a market object).

    Returns
    -------
    InteractiveFigure
        ``.widget`` to display, ``.update(**values)`` to redraw (benchmarks time it).

    Examples
    --------
    >>> def draw(fig, q=0.5):
    ...     fig.add_subplot().plot([0, 1], [0, q], color=PALETTE[0])
    ...     return f"height {q:.2f}"
    >>> w = interactive_figure(draw, {"q": float_slider(0.5, 0, 1, 0.1, "q")},
    ...                        alt="a line")
    >>> w.caption.value
    '<p class="gamelib-caption">height 0.50</p>'
    >>> w.update(q=0.8)
    'height 0.80'
    >>> w.controls["q"].value
    0.8
    >>> 'alt="a line"' in w.image.value
    True
    """
    return InteractiveFigure(draw, controls, alt=alt, figsize=figsize, dpi=dpi, fixed=fixed)
