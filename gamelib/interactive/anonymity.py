"""Widget of chapter 5: where anonymous silence is an equilibrium.

The opposite-tastes market with masses ``(m₁, 1 − m₁)`` and stakes
``(s₁, s₂)``.  The figure shades, in the ``(m₁, s₁)`` plane at the chosen
``s₂``, the region where both providers' silence is an anonymous equilibrium
(closed form :func:`gamelib.regimes.silence_margins`); the caption reports the
enumerated best informative deviation at the marked point.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap

from .. import examples
from ..experiments import experiment_grid
from ..regimes import deviation_summary, silence_margins, silent_profile
from ._common import OKABE_ITO, PALETTE, float_slider, interactive_figure

__all__ = ["draw_phase", "phase_widget", "WIDGETS"]

_M1 = np.linspace(0.01, 0.99, 197)
_S1 = np.linspace(0.0, 2.0, 201)
_GRID = experiment_grid(2, 20)
_CMAP = ListedColormap(["#FFFFFF", OKABE_ITO["sky_blue"]])


def draw_phase(fig, mass1=0.5, stake1=1.0, stake2=1.0):
    """Shade the silence region in the (m₁, s₁) plane and check the marked point.

    Examples
    --------
    >>> from gamelib.interactive import static_figure
    >>> fig = static_figure(draw_phase)
    >>> fig.axes[0].get_ylabel()
    "stake s₁ of provider 1 in user 2's action"
    """
    margins = silence_margins(_M1[None, :], _S1[:, None], stake2)  # [S1, M1, 2]
    silent = margins.min(axis=-1) >= 0
    fig.set_layout_engine("none")  # fixed margins: a constrained layout doubles the redraw time
    ax = fig.add_axes((0.11, 0.12, 0.86, 0.8))
    ax.imshow(silent.astype(float), cmap=_CMAP, vmin=0, vmax=1, origin="lower", aspect="auto",
              extent=(_M1[0], _M1[-1], _S1[0], _S1[-1]), interpolation="nearest")
    ax.plot(_M1, _M1 / (2 * (1 - _M1)), color=PALETTE[0], linewidth=2,
            label="provider 1 indifferent")
    ax.axvline(1 / (1 + 2 * stake2), color=PALETTE[1], linewidth=2, linestyle="--",
               label="provider 2 indifferent")
    market = examples.opposite_tastes((mass1, 1 - mass1), (stake1, stake2))
    summary = deviation_summary(market, silent_profile(market, "anonymous"), "anonymous", _GRID)
    ok = summary.is_equilibrium
    ax.plot([mass1], [stake1], marker="o" if ok else "X", markersize=10, color=PALETTE[3],
            linestyle="none", label="marked market")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 2)
    ax.set_xticks([0.0, 0.25, 0.5, 0.75, 1.0])
    ax.set_yticks([0.0, 0.5, 1.0, 1.5, 2.0])
    ax.set_xlabel("mass m₁ of user 1 (the matcher)")
    ax.set_ylabel("stake s₁ of provider 1 in user 2's action")
    ax.set_title(f"Shaded: silence is an anonymous equilibrium (s₂ = {stake2:.2f})")
    ax.legend(fontsize=7, loc="upper right")
    m = silence_margins(mass1, stake1, stake2)
    verdict = "an equilibrium" if ok else "not an equilibrium"
    return (f"m₁ = {mass1:.2f}, s₁ = {stake1:.2f}, s₂ = {stake2:.2f}: margins "
            f"({m[0]:.3f}, {m[1]:.3f}); over {summary.n_candidates} enumerated deviations silence is "
            f"{verdict} (best informative gain {summary.best_informative_gain:.4f})")


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
    return interactive_figure(
        draw_phase,
        {
            "mass1": float_slider(0.5, 0.05, 0.95, 0.05, "mass m₁ of user 1"),
            "stake1": float_slider(1.0, 0.0, 2.0, 0.05, "stake s₁ of provider 1"),
            "stake2": float_slider(1.0, 0.0, 2.0, 0.05, "stake s₂ of provider 2"),
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
