"""Interactive figures for the book (matplotlib + ipywidgets; optional for the library).

One class, :class:`Widget`, turns a chapter's drawing functions and its declared
controls (:class:`Slider`, :class:`Choice`) into the live widget of Jupyter, the frame
player of the HTML book and the benchmark's samplers; see :mod:`gamelib.interactive._common`.
The chapter modules (``persuasion``, ``market``, ``alignment``, ``personalization``,
``anonymity``, ``strong``, ``explorations``) only draw. :data:`WIDGETS` names the
factory of every widget of the book.
"""

import importlib

from . import _common
from ._common import *  # noqa: F403  (the public names: _common.__all__)

# the API page's order: the constants and classes of _common, the registry, _common's functions
__all__ = [*_common.__all__[:7], "WIDGETS", "widget", *_common.__all__[7:]]

#: Every widget of the book: name → ``module:factory`` (``factory()`` returns a :class:`Widget`);
#: :func:`widget` builds one by name.
WIDGETS: dict[str, str] = {
    "accuracy": "market:_accuracy_widget",
    "concavification": "persuasion:_concavification_widget",
    "market": "market:_market_widget",
    "alignment": "alignment:_alignment_widget",
    "drift": "personalization:_drift_widget",
    "phase": "anonymity:_phase_widget",
    "interpolation": "strong:_strong_widget",
    "epsilon": "explorations:_epsilon_widget",
    "ties": "explorations:_ties_widget",
    "robust": "explorations:_robust_widget",
}


def widget(name, *args, **kwargs):
    """The book's widget ``name`` (a key of :data:`WIDGETS`), built with ``args`` and ``kwargs``.

    Examples
    --------
    >>> w = widget("accuracy", q=0.75)
    >>> w.name, sorted(w.controls)
    ('accuracy', ['q'])
    >>> widget("nope")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: name: must be one of ['accuracy', 'alignment', ..., 'ties'], got 'nope'
    """
    if name not in WIDGETS:
        raise ValueError(f"name: must be one of {sorted(WIDGETS)}, got {name!r}")
    module, factory = WIDGETS[name].split(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), factory)(*args, **kwargs)
