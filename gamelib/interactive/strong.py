"""Widget of chapter 6: from the opposite-tastes market to a strongly aligned one.

Along ``mix_markets(opposite_tastes(), opposite_tastes(aligned=True), t)`` the
figure shows the SMA gap ``ε`` with Theorem 6.1's per-user floor
``OPT_j − 2ε/m_j``, each user's worst anonymous-equilibrium value, and the
number of silent anonymous equilibria; the slider marks one ``t``.
"""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.ticker import MaxNLocator

from .. import examples
from ..bounds import interpolation_path
from ..experiments import experiment_grid
from ._common import PALETTE, PATH_TS, KeepOnTop, Slider, Widget

__all__ = []


@functools.cache
def _strong_path(resolution=10):
    """Anonymous equilibria along the interpolation, on ``experiment_grid(2, resolution)``.

    Examples
    --------
    >>> p = _strong_path(2)
    >>> bool(p.n_silent[0] > 0), float(p.n_silent[-1])
    (True, 0.0)
    """
    return interpolation_path(
        examples.opposite_tastes(), examples.opposite_tastes(aligned=True), PATH_TS,
        experiment_grid(2, resolution), "anonymous",
    )


def _setup_strong(fig, path, t=0.5):
    """Draw both panels' curves, axes and legend; return the marker line and points.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> a = _setup_strong(Figure(), path=_strong_path(2))
    >>> sorted(a)
    ['legend', 'marker', 'vline']
    """
    masses = examples.opposite_tastes().masses
    fig.set_layout_engine("none")  # fixed margins, identical in the widget and the static figure
    left = fig.add_axes((0.08, 0.13, 0.52, 0.79))
    right = fig.add_axes((0.71, 0.13, 0.27, 0.79))
    floor = path.opt - 2 * path.eps_strong[:, None] / masses
    for j in range(path.worst.shape[1]):
        c = PALETTE[j]
        left.plot(path.ts, floor[:, j], color=c, linestyle=":", linewidth=2,
                  label=f"floor OPT − 2ε/m, user {j + 1}")
        left.plot(path.ts, path.worst[:, j], color=c, linewidth=2.5 - j, drawstyle="steps-mid",
                  label=f"worst value, user {j + 1}")
    left.axhline(path.opt[0, 0], color=PALETTE[2], linestyle="--", linewidth=1, label="OPT")
    left.axhline(path.noinfo[0, 0], color=PALETTE[6], linestyle="-.", linewidth=1, label="NOINFO")
    vline = left.axvline(path.ts[0], color=PALETTE[6], linewidth=0.8)
    # fixed limits: the moving line never rescales the axes
    left.set(xlim=(-0.05, 1.05), ylim=(0.0, 0.6), xticks=[0.0, 0.25, 0.5, 0.75, 1.0],
             yticks=[0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6], xlabel="t (0: opposite tastes, 1: aligned)",
             ylabel="user's expected utility")
    left.set_title("Worst anonymous equilibrium", fontsize=10)
    legend = left.legend(fontsize=6.5, loc="lower right")
    right.plot(path.ts, path.n_silent, color=PALETTE[3], drawstyle="steps-mid", linewidth=2)
    marker = right.plot([path.ts[0]], [path.n_silent[0]], "o", color=PALETTE[3])[0]
    top = max(float(path.n_silent.max()), 1.0)
    right.set(xlim=(-0.05, 1.05), ylim=(-0.05 * top, 1.1 * top), xticks=[0.0, 0.5, 1.0], xlabel="t",
              ylabel="number of silent equilibria")
    right.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True, steps=[1, 2, 2.5, 5, 10]))
    right.set_title("Silent equilibria", fontsize=10)
    return {"vline": vline, "marker": marker, "legend": KeepOnTop(legend)}


def _refresh_strong(artists, path, t=0.5):
    """Mark the path's step nearest ``t``; return the caption of its numbers.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> p = _strong_path(2)
    >>> _refresh_strong(_setup_strong(Figure(), path=p), t=1.0, path=p).startswith("t = 1.00: ε_SMA = 0.000")
    True
    """
    r = int(np.argmin(np.abs(path.ts - t)))
    artists["vline"].set_xdata([path.ts[r], path.ts[r]])
    artists["marker"].set_data([path.ts[r]], [path.n_silent[r]])
    return (f"t = {path.ts[r]:.2f}: ε_SMA = {path.eps_strong[r]:.3f}; {int(path.n_equilibria[r])} anonymous "
            f"equilibria, {int(path.n_silent[r])} silent; worst values "
            f"({path.worst[r, 0]:.3f}, {path.worst[r, 1]:.3f}); largest Σ m_j (OPT_j − V_j) = "
            f"{path.worst_loss[r]:.3f} ≤ 2ε = {2 * path.eps_strong[r]:.3f}")


def _strong_alt(path, t=0.2):
    """Alt text of the interpolation figure.

    Examples
    --------
    >>> _strong_alt(_strong_path(2), 0.2).endswith("Marker at t = 0.20.")
    True
    """
    r = int(np.argmin(np.abs(path.ts - t)))
    return ("Two panels along t from the opposite-tastes market (t = 0) to the aligned one (t = 1). "
            "Left: the per-user floor OPT minus 2 epsilon over m rises linearly to OPT = 0.5 while "
            "both users' worst anonymous equilibrium value jumps from 0.25 to 0.5 once t passes "
            f"1/3. Right: the number of silent equilibria, {int(path.n_silent[0])} at first, drops to "
            f"zero at the same point; at the marker it is {int(path.n_silent[r])}. "
            f"Marker at t = {path.ts[r]:.2f}.")


def _strong_widget():
    """The chapter's widget: a slider for the mixing weight t (every step precomputed).

    Examples
    --------
    >>> w = _strong_widget()
    >>> w.update(t=1.0).startswith("t = 1.00: ε_SMA = 0.000")
    True
    """
    return Widget("interpolation", _setup_strong, _refresh_strong,
                  {"t": Slider("mixing weight t", 0.0, 1.0, 0.05, 0.2)},
                  alt=_strong_alt, fixed={"path": _strong_path()}, figsize=(7.2, 3.8))
