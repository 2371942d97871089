"""Interactive figures for the book (matplotlib + ipywidgets; optional for the library).

One class, :class:`Widget`, turns a chapter's drawing functions and its declared
controls (:class:`Slider`, :class:`Choice`) into the live widget of Jupyter, the frame
player of the HTML book and the benchmark's samplers; see :mod:`gamelib.interactive._common`.
The chapter modules (``persuasion``, ``market``, ``alignment``, ``personalization``,
``anonymity``, ``strong``, ``explorations``) only draw. :data:`WIDGETS` names the
factory of every widget of the book.
"""

from ._common import (
    DEFAULT_FIGSIZE,
    OKABE_ITO,
    PALETTE,
    Choice,
    KeepOnTop,
    Slider,
    Widget,
    figure_to_png,
    set_band,
    static_figure,
)

__all__ = [
    "DEFAULT_FIGSIZE",
    "OKABE_ITO",
    "PALETTE",
    "Choice",
    "KeepOnTop",
    "Slider",
    "Widget",
    "WIDGETS",
    "figure_to_png",
    "set_band",
    "static_figure",
]

#: Every widget of the book: name → ``module:factory`` (``factory()`` returns a :class:`Widget`).
WIDGETS: dict[str, str] = {
    "accuracy": "market:accuracy_widget",
    "concavification": "persuasion:concavification_widget",
    "market": "market:market_widget",
    "alignment": "alignment:alignment_widget",
    "drift": "personalization:drift_widget",
    "phase": "anonymity:phase_widget",
    "interpolation": "strong:strong_widget",
    "epsilon": "explorations:epsilon_widget",
    "ties": "explorations:ties_widget",
    "robust": "explorations:robust_widget",
}
