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
from ._common import OKABE_ITO, PALETTE, animated_figure, float_slider
from .personalization import _KeepOnTop

__all__ = ["setup_phase", "refresh_phase", "draw_phase", "phase_widget", "WIDGETS"]

_M1 = np.linspace(0.01, 0.99, 197)
_S1 = np.linspace(0.0, 2.0, 201)
_GRID = experiment_grid(2, 20)
_SHADE = OKABE_ITO["sky_blue"]
_S2_STEP = 0.05
_S2 = np.linspace(0.0, 2.0, 41)  # the s₂ slider's steps


@functools.lru_cache(maxsize=4096)
def _summary(mass1, stake1, stake2):
    """Enumerated best deviations from silence of the market at the given point (cached)."""
    market = examples.opposite_tastes((mass1, 1 - mass1), (stake1, stake2))
    return deviation_summary(market, silent_profile(market, "anonymous"), "anonymous", _GRID)


def _region(stake2):
    """The silence region on the (m₁, s₁) grid for each ``s₂``, as ``(lower, found)``.

    Silence is an equilibrium where both closed-form margins are ``≥ 0``;
    provider 1's margin grows with ``s₁``, so in each ``m₁`` column the region
    runs from its lowest silent grid value ``lower`` of ``s₁`` to the top of
    the grid (``found``: the column has one).  Vectorised over ``stake2``.
    """
    s2 = np.asarray(stake2, dtype=float)[..., None, None]
    silent = silence_margins(_M1, _S1[:, None], s2).min(axis=-1) >= 0  # [..., S1, M1]
    return _S1[np.argmax(silent, axis=-2)], silent.any(axis=-2)


@functools.cache
def _region_table():
    """:func:`_region` at every step of the s₂ slider, computed once."""
    return _region(_S2)


def _silent_region(stake2):
    """:func:`_region` at one ``s₂``: read from the slider-step table when ``s₂`` is on it."""
    i = int(round(stake2 / _S2_STEP))
    if 0 <= i < len(_S2) and abs(_S2[i] - stake2) < 1e-9:
        lower, found = _region_table()
        return lower[i], found[i]
    return _region(stake2)


def setup_phase(fig, mass1=0.5, stake1=1.0, stake2=1.0):
    """Draw the fixed parts (axes, provider 1's curve, labels) and return the moving artists.

    The shaded region moves with ``s₂`` and reaches the top of the plot, so
    everything drawn above it (provider 1's curve, the spines, the legend) is
    also returned, in drawing order; the marked market comes last, above the legend.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> a = setup_phase(Figure())
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
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 2)
    ax.set_xticks([0.0, 0.25, 0.5, 0.75, 1.0])
    ax.set_yticks([0.0, 0.5, 1.0, 1.5, 2.0])
    ax.set_xlabel("mass m₁ of user 1 (the matcher)")
    ax.set_ylabel("stake s₁ of provider 1 in user 2's action")
    ax.set_title("Shaded: silence is an anonymous equilibrium", loc="left")
    s2_text = ax.text(1.0, 1.02, f"s₂ = {stake2:.2f}", transform=ax.transAxes, ha="right",
                      va="bottom", fontsize=11)
    legend = ax.legend(fontsize=7, loc="upper right", framealpha=1.0)  # opaque: the shading moves
    return {"region": region, "curve": curve, "vline": vline, "spines": list(ax.spines.values()),
            "legend": _KeepOnTop(legend), "marker": marker, "s2": s2_text}


def refresh_phase(artists, mass1=0.5, stake1=1.0, stake2=1.0):
    """Update the region, provider 2's line, the marked point and the s₂ label; return the caption.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> refresh_phase(setup_phase(Figure()), mass1=0.9).endswith("(best informative gain 0.1750)")
    True
    """
    lower, found = _silent_region(stake2)
    artists["region"].set_data(_M1, lower, _S1[-1], where=found)
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


def draw_phase(fig, mass1=0.5, stake1=1.0, stake2=1.0):
    """Shade the silence region in the (m₁, s₁) plane and check the marked point (static figure).

    Examples
    --------
    >>> from gamelib.interactive import static_figure
    >>> fig = static_figure(draw_phase)
    >>> fig.axes[0].get_ylabel()
    "stake s₁ of provider 1 in user 2's action"
    """
    return refresh_phase(setup_phase(fig, mass1, stake1, stake2), mass1, stake1, stake2)


def _alt(mass1, stake1, stake2):
    return (f"Phase diagram over user 1's mass (horizontal) and provider 1's stake (vertical) at "
            f"s2 = {stake2:.2f}: silence is an equilibrium in the shaded band above the curve "
            f"s1 = m1 / (2(1 - m1)) and right of the vertical line m1 = 1/(1 + 2 s2); the marked "
            f"market is m1 = {mass1:.2f}, s1 = {stake1:.2f}.")


def phase_widget():
    """The chapter's widget: sliders for m₁, s₁ and s₂.

    Examples
    --------
    >>> w = phase_widget()
    >>> "not an equilibrium" in w.update(mass1=0.9)
    True
    """
    _region_table()  # the shaded region at every s₂ step, before the first draw
    return animated_figure(
        setup_phase,
        refresh_phase,
        {
            "mass1": float_slider(0.5, 0.05, 0.95, 0.05, "mass m₁ of user 1"),
            "stake1": float_slider(1.0, 0.0, 2.0, 0.05, "stake s₁ of provider 1"),
            "stake2": float_slider(1.0, _S2[0], _S2[-1], _S2_STEP, "stake s₂ of provider 2"),
        },
        alt=_alt,
        figsize=(6.4, 4.4),
    )


def _sample(rng):
    return {
        "mass1": float(np.round(rng.uniform(0.05, 0.95) / 0.05) * 0.05),
        "stake1": float(np.round(rng.uniform(0, 2) / 0.05) * 0.05),
        "stake2": float(np.round(rng.uniform(0, 2) / 0.05) * 0.05),
    }


#: name → (builder, sampler) for the widget benchmark.
WIDGETS = {"phase": (phase_widget, _sample)}
