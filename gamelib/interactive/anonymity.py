"""Widget of chapter 5: where anonymous silence is an equilibrium.

The opposite-tastes market with masses ``(m₁, 1 − m₁)`` and stakes
``(s₁, s₂)``.  The figure shades, in the ``(m₁, s₁)`` plane at the chosen
``s₂``, the region where both providers' silence is an anonymous equilibrium
(closed form :func:`gamelib.bounds.silence_margins`); the caption reports the
enumerated best informative deviation at the marked point.
"""

from __future__ import annotations

import functools

import numpy as np

from .. import examples
from ..bounds import deviation_summary, silence_margins, silent_profile
from ..experiments import experiment_grid
from ._common import OKABE_ITO, PALETTE, KeepOnTop, Slider, Widget, set_band

__all__ = []

_M1 = np.linspace(0.01, 0.99, 197)
_S1 = np.linspace(0.0, 2.0, 201)
_GRID = experiment_grid(2, 20)
_SHADE = OKABE_ITO["sky_blue"]


@functools.lru_cache(maxsize=4096)
def _summary(mass1, stake1, stake2):
    """Enumerated best deviations from silence of the market at the given point (cached)."""
    market = examples.opposite_tastes((mass1, 1 - mass1), (stake1, stake2))
    return deviation_summary(market, silent_profile(market, "anonymous"), "anonymous", _GRID)


@functools.lru_cache(maxsize=64)
def _silent_region(stake2):
    """The silence region on the (m₁, s₁) grid at one ``s₂``, as ``(lower, found)`` (cached).

    Silence is an equilibrium where both closed-form margins are ``≥ 0``;
    provider 1's margin grows with ``s₁``, so in each ``m₁`` column the region
    runs from its lowest silent grid value ``lower`` of ``s₁`` to the top of
    the grid (``found``: the column has one).
    """
    silent = silence_margins(_M1, _S1[:, None], float(stake2)).min(axis=-1) >= 0  # [S1, M1]
    return _S1[np.argmax(silent, axis=0)], silent.any(axis=0)


def _setup_phase(fig, mass1=0.5, stake1=1.0, stake2=1.0):
    """Draw the fixed parts (axes, provider 1's curve, labels) and return the moving artists.

    The shaded region moves with ``s₂`` and reaches the top of the plot, so
    everything drawn above it (provider 1's curve, the spines, the legend) is
    also returned, in drawing order; the marked market comes last, above the legend.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> a = _setup_phase(Figure())
    >>> a["s2"].axes.get_title(loc="left"), a["s2"].get_text()
    ('Shaded: silence is an anonymous equilibrium', 's₂ = 1.00')
    """
    fig.set_layout_engine("none")  # fixed margins, identical in the widget and the static figure
    ax = fig.add_axes((0.11, 0.12, 0.86, 0.8))
    lower, found = _silent_region(stake2)
    region = ax.fill_between(_M1, lower, _S1[-1], where=found, color=_SHADE, linewidth=0)
    curve = ax.plot(_M1, _M1 / (2 * (1 - _M1)), color=PALETTE[0], linewidth=2,
                    label="provider 1 indifferent")[0]
    vline = ax.axvline(1 / (1 + 2 * stake2), color=PALETTE[1], linewidth=2, linestyle="--",
                       label="provider 2 indifferent")
    marker = ax.plot([mass1], [stake1], marker="o", markersize=10, color=PALETTE[3],
                     linestyle="none", label="marked market", clip_on=False)[0]  # whole on the edges
    ax.set(xlim=(0, 1), ylim=(0, 2), xticks=[0.0, 0.25, 0.5, 0.75, 1.0], yticks=[0.0, 0.5, 1.0, 1.5, 2.0],
           xlabel="mass m₁ of user 1 (the matcher)", ylabel="stake s₁ of provider 1 in user 2's action")
    ax.set_title("Shaded: silence is an anonymous equilibrium", loc="left")
    s2_text = ax.text(1.0, 1.02, f"s₂ = {stake2:.2f}", transform=ax.transAxes, ha="right",
                      va="bottom", fontsize=11)
    legend = ax.legend(fontsize=7, loc="upper right", framealpha=1.0)  # opaque: the shading moves
    return {"region": region, "curve": curve, "vline": vline, "spines": list(ax.spines.values()),
            "legend": KeepOnTop(legend), "marker": marker, "s2": s2_text}


def _refresh_phase(artists, mass1=0.5, stake1=1.0, stake2=1.0):
    """Update the region, provider 2's line, the marked point and the s₂ label; return the caption.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> _refresh_phase(_setup_phase(Figure()), mass1=0.9).endswith("(best informative gain 0.1750)")
    True
    """
    lower, found = _silent_region(stake2)
    set_band(artists["region"], _M1, lower, _S1[-1], where=found)
    x = 1 / (1 + 2 * stake2)
    artists["vline"].set_xdata([x, x])
    summary = _summary(float(mass1), float(stake1), float(stake2))
    ok = summary.is_equilibrium
    artists["marker"].set_data([mass1], [stake1])
    artists["marker"].set_marker("o" if ok else "X")
    artists["s2"].set_text(f"s₂ = {stake2:.2f}")
    m = silence_margins(mass1, stake1, stake2)
    verdict = "an equilibrium" if ok else "not an equilibrium"
    return (f"m₁ = {mass1:.2f}, s₁ = {stake1:.2f}, s₂ = {stake2:.2f}: margins "
            f"({m[0]:.3f}, {m[1]:.3f}); over {summary.n_candidates} enumerated deviations silence is "
            f"{verdict} (best informative gain {summary.best_informative_gain:.4f})")


def _phase_alt(mass1=0.5, stake1=1.0, stake2=1.0):
    """Alt text of the phase diagram.

    Examples
    --------
    >>> _phase_alt().endswith("the marked market m1 = 0.50, s1 = 1.00 lies inside it.")
    True
    """
    inside = silence_margins(mass1, stake1, stake2).min() >= 0
    return (f"Phase diagram over user 1's mass (horizontal) and provider 1's stake (vertical) at "
            f"s2 = {stake2:.2f}: silence is an anonymous equilibrium in the shaded region, above "
            f"the rising curve s1 = m1 / (2(1 - m1)) and right of the vertical line "
            f"m1 = 1/(1 + 2 s2) = {1 / (1 + 2 * stake2):.2f}; the marked market m1 = {mass1:.2f}, "
            f"s1 = {stake1:.2f} lies {'inside' if inside else 'outside'} it.")


def _phase_widget():
    """The chapter's widget: sliders for m₁, s₁ and s₂.

    Their 19 x 41 x 41 combinations are too many pictures for a static page: it
    precomputes one slider at a time (the others at their defaults).

    Examples
    --------
    >>> w = _phase_widget()
    >>> "not an equilibrium" in w.update(mass1=0.9)
    True
    >>> len(w.lattice())  # the default, then 18 + 40 + 40 other positions
    99
    """
    return Widget(
        "phase",
        _setup_phase,
        _refresh_phase,
        {
            "mass1": Slider("mass m₁ of user 1", 0.05, 0.95, 0.05, 0.5),
            "stake1": Slider("stake s₁ of provider 1", 0.0, 2.0, 0.05, 1.0),
            "stake2": Slider("stake s₂ of provider 2", 0.0, 2.0, 0.05, 1.0),
        },
        alt=_phase_alt,
        figsize=(6.4, 4.4),
        slices=True,
    )
