"""Figures and the widget of chapter 7 (Explorations).

Every ``draw_*`` function is pure: it draws on the figure it is given, from
results computed by :mod:`gamelib.studies`, and returns a caption string.
"""

from __future__ import annotations

import numpy as np

from .. import studies
from ._common import PALETTE, animated_figure, float_slider
from .personalization import _KeepOnTop

__all__ = [
    "setup_alignment",
    "refresh_alignment",
    "draw_alignment",
    "alignment_widget",
    "draw_anonymity",
    "draw_tightness",
    "draw_tie_rules",
    "draw_menu",
    "WIDGETS",
]


_SERIES = (
    ("weak", "Weak Market Alignment", PALETTE[0], "o"),
    ("strong", "Strong Market Alignment", PALETTE[1], "s"),
)


def setup_alignment(fig, study, eps=0.25):
    """Axes, labels and title of the alignment figure; return the bands, curves and legend.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> st = studies.alignment_study(max_providers=2, n_samples=4)
    >>> a = setup_alignment(Figure(), st)
    >>> sorted(a["lines"]), a["eps"].get_text()
    (['strong', 'weak'], 'tolerance ε = 0.25')
    """
    k = study.n_providers
    ax = fig.add_subplot()
    p = study.probability(eps)
    bands, lines = {}, {}
    for name, label, colour, marker in _SERIES:
        bands[name] = ax.fill_between(k, p[name + "_low"], p[name + "_high"], color=colour,
                                      alpha=0.2, linewidth=0)
        lines[name] = ax.plot(k, p[name], marker=marker, color=colour, label=label)[0]
    ax.set_xlim(k[0] - 0.25, k[-1] + 0.25)  # fixed: nothing moves the axes
    ax.set_ylim(-0.02, 1.02)
    ax.set_xticks(k)
    ax.set_xlabel("number of providers k")
    ax.set_ylabel("share of markets aligned within ε")
    ax.set_title(f"Diversity helps alignment ({study.n_samples} random markets, 95% Wilson bands)")
    legend = ax.legend(loc="upper left")
    label = ax.text(1.0, -0.1, f"tolerance ε = {eps:.2f}", transform=ax.transAxes, ha="right",
                    va="top")  # the moving number sits beside the x label, not in the data
    return {"bands": bands, "lines": lines, "legend": _KeepOnTop(legend), "eps": label}


def refresh_alignment(artists, study, eps=0.25):
    """Redraw both probabilities and their bands at tolerance ``eps``; return the caption.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> st = studies.alignment_study(max_providers=2, n_samples=4)
    >>> refresh_alignment(setup_alignment(Figure(), st), st, 0.3).startswith("k = 2")
    True
    """
    p = study.probability(eps)
    k = study.n_providers
    for name, *_ in _SERIES:
        artists["bands"][name].set_data(k, p[name + "_low"], p[name + "_high"])
        artists["lines"][name].set_ydata(p[name])
    artists["eps"].set_text(f"tolerance ε = {eps:.2f}")
    return (
        f"k = {k[-1]}: WMA({eps:.2f}) holds in {p['weak'][-1]:.0%} of markets, "
        f"SMA({eps:.2f}) in {p['strong'][-1]:.0%}"
    )


def draw_alignment(fig, study, eps=0.25):
    """P(WMA(ε)) and P(SMA(ε)) against the number of providers, with Wilson bands.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> st = studies.alignment_study(max_providers=2, n_samples=4)
    >>> draw_alignment(Figure(), st, 0.3).startswith("k = 2")
    True
    """
    return refresh_alignment(setup_alignment(fig, study, eps), study, eps)


def alignment_widget(study=None):
    """Widget: move ε and watch both alignment probabilities.

    Parameters
    ----------
    study : AlignmentStudy, optional
        Computed with :func:`gamelib.studies.alignment_study` defaults if omitted.

    Returns
    -------
    AnimatedFigure

    Examples
    --------
    >>> st = studies.alignment_study(max_providers=2, n_samples=4)
    >>> w = alignment_widget(st)
    >>> list(w.controls), w.controls["eps"].value
    (['eps'], 0.25)
    >>> "k = 2: WMA(0.25) holds in" in w.caption.value
    True
    >>> w.update(eps=0.4).startswith("k = 2: WMA(0.40)"), "epsilon 0.40" in w.image.value
    (True, True)
    """
    if study is None:
        study = studies.alignment_study()
    return animated_figure(
        setup_alignment,
        refresh_alignment,
        {"eps": float_slider(0.25, 0.0, 0.6, 0.01, "tolerance ε")},
        fixed={"study": study},
        alt=lambda study, eps: (
            f"Share of random markets satisfying weak and strong market alignment within epsilon {eps:.2f}, "
            f"against the number of providers from 1 to {int(study.n_providers.max())}; both rise with k and the weak "
            "curve lies above the strong one."
        ),
    )


def draw_anonymity(fig, study):
    """Price of anonymity against the SMA−WMA gap, coloured by users' disagreement.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> st = studies.anonymity_study(n_markets=3, resolution=2)
    >>> isinstance(draw_anonymity(Figure(), st), str)
    True
    """
    ax = fig.add_subplot()
    full = study.disagreement > 1 - 1e-9
    x = study.eps_strong - study.eps_weak
    ax.scatter(x[~full], study.relative_gap[~full], color=PALETTE[0], marker="o", alpha=0.7,
               label="users agree in some state")
    ax.scatter(x[full], study.relative_gap[full], color=PALETTE[3], marker="^", alpha=0.7,
               label="users disagree in every state")
    ax.set_xlabel("ε(SMA) − ε(WMA)")
    ax.set_ylabel("price of anonymity / value of information")
    ax.set_ylim(-0.05, 1.05)
    ax.set_title("Worst anonymous equilibrium vs worst personalized one")
    ax.legend(loc="upper right")
    return f"{int((study.gap > 1e-9).sum())} of {len(study.gap)} markets lose welfare under anonymity"


def draw_tightness(fig, search, safe_values, safe_ratios):
    """Left: best ratio found by the search; right: the tight family.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> res = studies.tightness_search(n_random=3, n_refine=3, resolution=2)
    >>> isinstance(draw_tightness(Figure(), res, [0.6, 0.8], [1.0, 1.0]), str)
    True
    """
    left, right = fig.subplots(1, 2)
    steps = np.arange(1, len(search.history) + 1)
    left.plot(steps, np.maximum(search.history, 0), color=PALETTE[0])
    left.axvline(search.n_random + 0.5, color=PALETTE[6], linestyle=":", label="start of refinement")
    left.axhline(1.0, color=PALETTE[3], linestyle="--", label="Theorem 1 bound")
    left.set_xlabel("markets evaluated")
    left.set_ylabel("best (OPT − V) / 2ε so far")
    left.set_ylim(0, 1.05)
    left.set_title("Random search + refinement")
    left.legend(loc="lower right", fontsize="small")
    right.plot(safe_values, safe_ratios, marker="o", color=PALETTE[2])
    right.axhline(1.0, color=PALETTE[3], linestyle="--")
    right.set_ylim(0, 1.05)
    right.set_xlabel("payoff of the safe action")
    right.set_ylabel("(OPT − V) / 2ε")
    right.set_title("The tight market")
    return f"search: {search.ratio:.3f}; tight family: {min(safe_ratios):.3f}"


def draw_tie_rules(fig, market, rows):
    """Action taken in each state under full revelation, one row per tie rule.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from gamelib import experiment_grid
    >>> m = studies.tie_example()
    >>> rows = studies.compare_tie_rules(m, [[0, 1], [1, 0]], experiment_grid(3, 1))
    >>> draw_tie_rules(Figure(), m, rows)
    'full revelation is an equilibrium under: order (1, 0)'
    """
    from matplotlib.colors import ListedColormap

    ax = fig.add_subplot()
    table = np.array([row["tied_actions"][0] for row in rows])  # [rules, Θ]
    cmap = ListedColormap(PALETTE[: market.n_actions])
    ax.imshow(table, cmap=cmap, vmin=-0.5, vmax=market.n_actions - 0.5, aspect="auto")
    for r in range(table.shape[0]):
        for t in range(table.shape[1]):
            ax.text(t, r, market.action_names[table[r, t]], ha="center", va="center",
                    color="white", fontsize=13, fontweight="bold")
    labels = []
    for row in rows:
        order = tuple(int(a) for a in row["order"])
        tag = "equilibrium" if row["full_revelation_equilibrium"] else "not an equilibrium"
        labels.append(f"priority {order}\n(full revelation: {tag})")
    ax.set_xticks(range(market.n_states), market.state_names)
    ax.set_yticks(range(len(rows)), labels)
    ax.set_xlabel("state")
    ax.set_ylabel("tie rule")
    ax.set_title("Action under full revelation, by tie rule")
    eq = [str(tuple(int(a) for a in row["order"])) for row in rows if row["full_revelation_equilibrium"]]
    return "full revelation is an equilibrium under: order " + (", ".join(eq) if eq else "none")


def draw_menu(fig, example):
    """Each user's value of the two menu items: users rank them differently.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ex = studies.menu_separation_search(seeds=range(19, 20))
    >>> isinstance(draw_menu(Figure(), ex), str)
    True
    """
    ax = fig.add_subplot()
    values = example.item_values  # [2, n]
    users = np.arange(values.shape[1])
    for item in range(values.shape[0]):
        ax.bar(users + (item - 0.5) * 0.38, values[item], 0.38, color=PALETTE[item],
               label=f"menu item {item + 1}", hatch="//" if item else None)
    ax.set_xticks(users, example.market.user_names)
    ax.set_ylabel("value V_j of the item")
    lo = values.min()
    ax.set_ylim(max(0.0, lo - 0.1), values.max() + 0.08)
    ax.set_xlabel("user")
    ax.set_title("A two-item menu separates the users")
    ax.legend(loc="upper right")
    picks = values.argmax(axis=0) + 1
    return ", ".join(f"{name} picks item {p}" for name, p in zip(example.market.user_names, picks))


def _alignment_sampler(rng):
    return {"eps": float(np.round(rng.uniform(0.0, 0.6), 2))}


WIDGETS = {"alignment": (alignment_widget, _alignment_sampler)}
