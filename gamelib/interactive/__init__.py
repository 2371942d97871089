"""Interactive figures for the book (matplotlib + ipywidgets; optional for the library).

See :mod:`gamelib.interactive._common` for the convention every chapter follows.
"""

from ._common import (
    DEFAULT_FIGSIZE,
    OKABE_ITO,
    PALETTE,
    AnimatedFigure,
    InteractiveFigure,
    animated_figure,
    dropdown,
    figure_to_png,
    float_slider,
    int_slider,
    interactive_figure,
    static_animated_figure,
    static_figure,
)

__all__ = [
    "DEFAULT_FIGSIZE",
    "OKABE_ITO",
    "PALETTE",
    "InteractiveFigure",
    "AnimatedFigure",
    "animated_figure",
    "static_animated_figure",
    "dropdown",
    "figure_to_png",
    "float_slider",
    "int_slider",
    "interactive_figure",
    "static_figure",
]
