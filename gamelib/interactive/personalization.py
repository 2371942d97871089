"""Widget of chapter 4: Theorem 4.1's floor and the worst personalized equilibrium.

The providers of a weakly aligned market drift, with weight ``t``, towards
wanting action 0 from every user in every state
(:func:`gamelib.examples.fixed_action_providers`).  The figure shows, along the
whole path, each user's worst personalized-equilibrium value next to
Theorem 4.1's floor ``OPT_j − 2ε_j``; the slider marks one ``t``.
"""

from __future__ import annotations

import functools

import numpy as np

from .. import examples
from ..bounds import interpolation_path
from ..examples import fixed_action_providers
from ..experiments import experiment_grid
from ._common import PALETTE, PATH_TS, Choice, KeepOnTop, Slider, Widget

__all__ = ["draw_slack_histogram"]


#: Markets offered by the widget (name → weakly aligned market).
_MARKETS = {
    "opposite tastes": lambda: examples.opposite_tastes(),
    "random weakly aligned (seed 5)": lambda: examples.random_market(5, alignment="weak"),
}


@functools.cache
def _drift_paths(resolution=10):
    """Personalized equilibria along the drift towards fixed-action providers, per market.

    Returns
    -------
    dict of str to gamelib.bounds.Path

    Examples
    --------
    >>> p = _drift_paths(2)["opposite tastes"]
    >>> p.worst[0], p.worst[-1]
    (array([0.5, 0.5]), array([0.25, 0.25]))
    """
    grid = experiment_grid(2, resolution)
    bases = {name: make() for name, make in _MARKETS.items()}
    return {name: interpolation_path(m, fixed_action_providers(m), PATH_TS, grid, "personalized")
            for name, m in bases.items()}


def _setup_drift(fig, t=0.3, market="opposite tastes", paths=None):
    """Draw what does not move with ``t``: the market's curves, axes, legend.

    Returns the changing artists (one marker per user and the vertical line,
    then the legend, which must stay above them).  The y-limits fit the market,
    which is why :func:`_drift_widget` keeps one background per market.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> a = _setup_drift(Figure(), market="opposite tastes", paths=_drift_paths(2))
    >>> len(a["markers"]), bool(a["vline"].axes.get_ylim()[0] > 0)
    (2, True)
    """
    p = (paths or _drift_paths())[market]
    fig.set_layout_engine("none")  # fixed margins, identical in the widget and the static figure
    ax = fig.add_axes((0.11, 0.12, 0.86, 0.8))
    lo = p.noinfo.min() - 0.25 * (p.opt.max() - p.noinfo.min() + 1e-9)
    hi = p.opt.max() + 0.1 * (p.opt.max() - p.noinfo.min() + 1e-9)
    markers = []
    for j in range(p.worst.shape[1]):
        c = PALETTE[j]
        ax.plot(p.ts, p.opt[:, j], color=c, linestyle="--", linewidth=1,
                label="OPT (dashed)" if j == 0 else None)
        ax.plot(p.ts, p.weak_bound[:, j], color=c, linestyle=":", linewidth=2,
                label="floor OPT − 2ε (dotted)" if j == 0 else None)
        ax.plot(p.ts, p.worst[:, j], color=c, linewidth=2.5 - j, drawstyle="steps-mid",
                label=f"worst equilibrium value, user {j + 1}")
        markers.append(ax.plot([p.ts[0]], [p.worst[0, j]], "o", color=c)[0])
    vline = ax.axvline(p.ts[0], color=PALETTE[6], linewidth=0.8)
    # fixed limits: the line and markers never rescale the axes
    ax.set(xlim=(-0.05, 1.05), ylim=(lo, hi), xticks=[0.0, 0.25, 0.5, 0.75, 1.0],
           xlabel="drift t towards providers who always want action 0", ylabel="user's expected utility",
           title=f"Personalized equilibria, {market}")
    legend = ax.legend(fontsize=7, loc="center right")
    return {"vline": vline, "markers": markers, "legend": KeepOnTop(legend)}


def _refresh_drift(artists, t=0.3, market="opposite tastes", paths=None):
    """Move the marker line to the path's step nearest ``t``; return the caption.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> a = _setup_drift(Figure(), paths=_drift_paths(2))
    >>> _refresh_drift(a, t=1.0, paths=_drift_paths(2)).startswith("t = 1.00 — user 1: ε = 0.750")
    True
    """
    p = (paths or _drift_paths())[market]
    r = int(np.argmin(np.abs(p.ts - t)))
    artists["vline"].set_xdata([p.ts[r], p.ts[r]])
    for j, marker in enumerate(artists["markers"]):
        marker.set_data([p.ts[r]], [p.worst[r, j]])
    parts = [
        f"user {j + 1}: ε = {p.eps_weak[r, j]:.3f}, floor {p.weak_bound[r, j]:.3f}, "
        f"worst V = {p.worst[r, j]:.3f} (OPT {p.opt[r, j]:.3f})"
        for j in range(p.worst.shape[1])
    ]
    return f"t = {p.ts[r]:.2f} — " + "; ".join(parts)


def draw_slack_histogram(fig, slack, title, xlabel, bins=40):
    """Histogram of bound slacks (Theorems 4.1 and 6.1), with the zero line.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    slack : array_like
        Slacks, one per equilibrium (``bounds.bound_survey(...).slack``).
    title, xlabel : str
    bins : int, default 40

    Examples
    --------
    >>> from gamelib.interactive import static_figure
    >>> fig = static_figure(draw_slack_histogram, slack=[0.0, 0.1, 0.2], title="t", xlabel="x")
    >>> fig.axes[0].get_ylabel()
    'number of equilibria (log scale)'
    """
    slack = np.asarray(slack, dtype=float)
    ax = fig.add_subplot()
    hi = max(float(slack.max()), 1e-6)
    ax.hist(slack, bins=np.linspace(min(0.0, float(slack.min())), hi, bins), color=PALETTE[0],
            log=True)
    ax.axvline(0.0, color=PALETTE[3], linestyle="--", linewidth=2)
    ax.set(title=title + " — dashed: the bound", xlabel=xlabel, ylabel="number of equilibria (log scale)")
    return f"smallest slack {slack.min():.4f} over {slack.size} equilibria"


def _drift_alt(t=0.3, market="opposite tastes", paths=None):
    """Alt text of the drift figure.

    Examples
    --------
    >>> _drift_alt(0.5, paths=_drift_paths(2)).endswith("the marker is at t = 0.50.")
    True
    """
    p = (paths or _drift_paths())[market]
    r = int(np.argmin(np.abs(p.ts - t)))
    worst = ", ".join(f"{v:.2f}" for v in p.worst[r])
    return (f"Line chart for the {market} market: as the drift t grows from 0 to 1 the floor "
            f"OPT minus twice epsilon falls for each user while each user's worst personalized "
            f"equilibrium value stays at or above it, dropping in steps; at t = {p.ts[r]:.2f} the "
            f"worst values are {worst}; the marker is at t = {p.ts[r]:.2f}.")


def _drift_widget():
    """The chapter's widget: a drift slider and a market menu.

    Each market has its own axes (one background per market), every combination is
    precomputed for the static page.

    Examples
    --------
    >>> w = _drift_widget()
    >>> w.update(t=1.0).startswith("t = 1.00")
    True
    >>> w.update(market="random weakly aligned (seed 5)").startswith("t = 1.00")
    True
    >>> len(w.lattice())  # 21 positions x 2 markets
    42
    """
    return Widget(
        "drift",
        _setup_drift,
        _refresh_drift,
        {
            "t": Slider("drift t", 0.0, 1.0, 0.05, 0.3),
            "market": Choice("market", list(_MARKETS), "opposite tastes"),
        },
        alt=_drift_alt,
        fixed={"paths": _drift_paths()},
        layout=("market",),
        figsize=(6.4, 4.0),
    )
