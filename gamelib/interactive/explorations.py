"""Figures and the widget of chapter 7 (Explorations).

Every ``draw_*`` function is pure: it draws on the figure it is given, from
results computed by :mod:`gamelib.studies`, and returns a caption string.
"""

from __future__ import annotations

import numpy as np

from .. import examples, studies
from .._validation import choose
from ..experiments import split_experiment, user_value
from ..persuasion import sender_value_curve
from ._common import PALETTE, Choice, KeepOnTop, Slider, Widget, set_band, value_line

__all__ = ["draw_anonymity", "draw_tightness", "draw_tie_rules", "draw_menu", "draw_robust_survival",
           "draw_robust_plane", "draw_robust_bound", "ROBUST_PLANE"]


_SERIES = (
    ("weak", "Weak Market Alignment", PALETTE[0], "o"),
    ("strong", "Strong Market Alignment", PALETTE[1], "s"),
)


def _setup_epsilon(fig, study, eps=0.25):
    """Axes, labels and title of the alignment figure; return the bands, curves and legend.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> st = studies.alignment_study(max_providers=2, n_samples=4)
    >>> a = _setup_epsilon(Figure(), st)
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
    # fixed limits: nothing moves the axes
    ax.set(xlim=(k[0] - 0.25, k[-1] + 0.25), ylim=(-0.02, 1.02), xticks=k, xlabel="number of providers k",
           ylabel="share of markets aligned within ε",
           title=f"Diversity helps alignment ({study.n_samples} random markets, 95% Wilson bands)")
    legend = ax.legend(loc="upper left")
    label = ax.text(1.0, -0.1, f"tolerance ε = {eps:.2f}", transform=ax.transAxes, ha="right",
                    va="top")  # the moving number sits beside the x label, not in the data
    return {"bands": bands, "lines": lines, "legend": KeepOnTop(legend), "eps": label}


def _refresh_epsilon(artists, study, eps=0.25):
    """Redraw both probabilities and their bands at tolerance ``eps``; return the caption.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> st = studies.alignment_study(max_providers=2, n_samples=4)
    >>> _refresh_epsilon(_setup_epsilon(Figure(), st), st, 0.3).startswith("k = 2")
    True
    """
    p = study.probability(eps)
    k = study.n_providers
    for name, *_ in _SERIES:
        set_band(artists["bands"][name], k, p[name + "_low"], p[name + "_high"])
        artists["lines"][name].set_ydata(p[name])
    artists["eps"].set_text(f"tolerance ε = {eps:.2f}")
    return (
        f"k = {k[-1]}: WMA({eps:.2f}) holds in {p['weak'][-1]:.0%} of markets, "
        f"SMA({eps:.2f}) in {p['strong'][-1]:.0%}"
    )


def _epsilon_alt(study, eps=0.25):
    """Alt text of the alignment-probability figure.

    Examples
    --------
    >>> st = studies.alignment_study(max_providers=2, n_samples=4)
    >>> "within epsilon 0.30" in _epsilon_alt(st, 0.3)
    True
    """
    p = study.probability(eps)
    return (f"Share of {study.n_samples} random markets satisfying weak and strong market alignment "
            f"within epsilon {eps:.2f}, for 1 to {int(study.n_providers.max())} providers, with "
            f"shaded 95 percent Wilson bands; at {int(study.n_providers.max())} providers "
            f"{p['weak'][-1]:.0%} satisfy the weak and {p['strong'][-1]:.0%} the strong condition. "
            "Both curves rise with the number of providers and the weak curve lies above the "
            "strong one.")


def _epsilon_widget(study=None, eps=0.25):
    """Widget: move the tolerance ε and watch both alignment probabilities.

    Parameters
    ----------
    study : AlignmentStudy, optional
        Computed with :func:`gamelib.studies.alignment_study` defaults if omitted.
    eps : float, default 0.25
        Initial tolerance.

    Returns
    -------
    Widget

    Examples
    --------
    >>> st = studies.alignment_study(max_providers=2, n_samples=4)
    >>> w = _epsilon_widget(st)
    >>> w.update(eps=0.4).startswith("k = 2: WMA(0.40)"), "epsilon 0.40" in w.describe()
    (True, True)
    """
    if study is None:
        study = studies.alignment_study()
    return Widget("epsilon", _setup_epsilon, _refresh_epsilon,
                  {"eps": Slider("tolerance ε", 0.0, 0.6, 0.01, eps)},
                  alt=_epsilon_alt, fixed={"study": study})


def draw_anonymity(fig, study):
    """The price of anonymity on exact ground: grid-only losses against the grid resolution.

    Left, on log axes: what users lose in the worst grid equilibrium, as a
    share of the value of information, against the resolution ``r`` (each
    losing market a thin line; the mean over all markets and the maximum;
    a ``1/r`` guide).  Right: how many markets lose in their worst grid
    equilibrium and how many in a grid equilibrium that is an equilibrium of
    the real game (:func:`gamelib.is_equilibrium`).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> st = studies.anonymity_study(n_markets=12, resolutions=(4, 8))
    >>> draw_anonymity(Figure(), st)
    'users lose in 1, 1 markets on the grid (r = 4, 8); in 0, 0 exact equilibria'
    """
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    r = study.resolutions
    grid = study.grid_loss
    out = study.summary()
    for row in grid[:, (grid > 1e-9).any(axis=0)].T:  # one thin line per losing market
        left.plot(r, np.where(row > 1e-9, row, np.nan), color=PALETTE[6], alpha=0.35, linewidth=0.8)
    left.plot(r, out["max_grid_loss"], color=PALETTE[3], marker="^", linestyle="--", label="largest loss")
    left.plot(r, out["mean_grid_loss"], color=PALETTE[0], marker="o", label="mean over all markets")
    left.plot(r, out["mean_grid_loss"][0] * r[0] / r, color=PALETTE[2], linestyle=":", label="∝ 1/r")
    left.set_xscale("log", base=2)
    left.set_yscale("log")
    left.set_xticks(r, [str(v) for v in r])
    left.set(xlabel="grid resolution r", ylabel="loss in worst grid equilibrium / value of information",
             title="Grid-only losses shrink as r grows")
    left.legend(loc="lower left", fontsize="small")
    width = 0.38
    x = np.arange(len(r))
    bars = [(out["grid_markets"], "worst grid equilibrium", PALETTE[3], -width / 2),
            (out["exact_markets"], "worst one that is exact", PALETTE[0], width / 2)]
    for counts, label, colour, shift in bars:
        right.bar(x + shift, counts, width, color=colour, label=label)
        for xi, c in zip(x + shift, counts):
            right.text(xi, c, str(int(c)), ha="center", va="bottom", fontsize="small")
    right.set_xticks(x, [f"r = {v}" for v in r])
    right.set(ylabel=f"markets (of {out['n']})", ylim=(0, max(1, int(out["grid_markets"].max())) * 1.25),
              title="Markets where users lose")
    right.legend(loc="upper right", fontsize="small")
    rs = ", ".join(str(v) for v in r)
    return (f"users lose in {', '.join(str(int(c)) for c in out['grid_markets'])} markets on the grid (r = {rs}); "
            f"in {', '.join(str(int(c)) for c in out['exact_markets'])} exact equilibria")


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
    left.axhline(1.0, color=PALETTE[3], linestyle="--", label="Theorem 4.1 bound")
    left.set(xlabel="markets evaluated", ylabel="best (OPT − V) / 2ε so far", ylim=(0, 1.05),
             title="Random search + refinement")
    left.legend(loc="lower right", fontsize="small")
    right.plot(safe_values, safe_ratios, marker="o", color=PALETTE[2])
    right.axhline(1.0, color=PALETTE[3], linestyle="--")
    right.set(ylim=(0, 1.05), xlabel="payoff of the safe action", ylabel="(OPT − V) / 2ε", title="The tight market")
    return f"search: {search.ratio:.3f}; tight family: {min(safe_ratios):.3f}"


def draw_tie_rules(fig, market, rows):
    """Action taken in each state under full revelation, one row per tie rule.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from gamelib import experiment_grid
    >>> m = examples.tie_example()
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
    orders = [str(tuple(int(a) for a in row["order"])) for row in rows]
    holds = [row["full_revelation_equilibrium"] for row in rows]
    labels = [f"priority {order}\n(full revelation: {'equilibrium' if ok else 'not an equilibrium'})"
              for order, ok in zip(orders, holds)]
    ax.set_xticks(range(market.n_states), market.state_names)
    ax.set_yticks(range(len(rows)), labels)
    ax.set(xlabel="state", ylabel="tie rule", title="Action under full revelation, by tie rule")
    eq = [order for order, ok in zip(orders, holds) if ok]
    return "full revelation is an equilibrium under: order " + (", ".join(eq) if eq else "none")


#: Labels of the tie rules of :func:`gamelib.equilibria` (``ties=``) (dropdown order).
_TIE_RULES = {
    "against the consulted provider": "adverse",
    "lowest index": "lowest",
    "in favour of the consulted provider": "sender",
}
_TIE_LABELS = {v: k for k, v in _TIE_RULES.items()}

_TIE_MARKET = examples.aligned_tie_market()
#: Provider 1's utility from user 1 and hers (sender and receiver of the tie picture).
_TIE_PAIR = (_TIE_MARKET.provider_utility[0, 0], _TIE_MARKET.user_utility[0])


def _tie_split(ties="adverse", q=0.75):
    """Provider 1's split of the prior into beliefs 0 and ``q`` in :func:`~gamelib.examples.aligned_tie_market`.

    Parameters
    ----------
    ties : {"adverse", "lowest", "sender"}
        How the user breaks ties when she consults provider 1.
    q : float
        Upper posterior, ``1/2 < q <= 1``.

    Returns
    -------
    dict
        ``weight`` of the posterior ``q`` (``1/(2q)``), provider 1's payoff at beliefs 0 and
        ``q`` (``f0``, ``fq``), its payoff from the split (``split``) and from full
        revelation (``full``), and the user's value of the split (``user``).

    Examples
    --------
    >>> out = _tie_split("adverse", 0.75)
    >>> round(out["split"], 6), round(out["full"], 6), round(out["user"], 6)  # V = 3/2 - 1/(2q)
    (0.5, 0.5, 0.833333)
    >>> round(_tie_split("lowest", 0.75)["split"], 6), _tie_split("lowest", 0.75)["full"]
    (1.166667, 1.5)
    """
    q = float(q)
    if not 0.5 < q <= 1.0:
        raise ValueError(f"q: must satisfy 1/2 < q <= 1, got {q}")
    m = _TIE_MARKET
    f0, fq, f1 = sender_value_curve([0.0, q, 1.0], *_TIE_PAIR, ties=ties)
    weight = 0.5 / q
    experiment = split_experiment(m.prior, np.array([[1.0, 0.0], [1.0 - q, q]]), [1.0 - weight, weight])
    return {"weight": weight, "f0": float(f0), "fq": float(fq),
            "split": float((1.0 - weight) * f0 + weight * fq), "full": float(0.5 * f0 + 0.5 * f1),
            "user": float(user_value(m.prior, experiment, m.user_utility[0]))}


def _setup_ties(fig, ties="adverse", q=0.75):
    """Axes of the tie-rule picture; return the curve, the split and the labels.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> a = _setup_ties(Figure())
    >>> sorted(a)
    ['chord', 'curve', 'dots', 'full', 'prior_dot']
    """
    ax = fig.add_subplot()
    curve = ax.plot([], [], color=PALETTE[0], lw=2, label="provider 1's payoff at belief p")[0]
    chord = ax.plot([], [], color=PALETTE[2], lw=1.2, ls=":")[0]
    dots = ax.plot([], [], "o", color=PALETTE[2], ms=8, label="split: beliefs 0 and q")[0]
    prior_dot = ax.plot([], [], "D", color=PALETTE[3], ms=8, label="its payoff from the split")[0]
    full = ax.plot([], [], "s", color=PALETTE[1], ms=8, mfc="none", mew=2,
                   label="its payoff from full revelation")[0]
    ax.axvline(0.5, color=PALETTE[6], lw=0.8, alpha=0.5)
    top = float(np.nanmax(value_line(*_TIE_PAIR, ties=ties)[1]))
    # the vertical range is this rule's (one background per rule)
    ax.set(xlim=(0, 1), ylim=(-0.05 * top, 1.08 * top), xlabel="belief p = P(θ = 1)",
           ylabel="provider 1's expected utility")
    ax.set_title(f"Provider 1's persuasion problem, ties {_TIE_LABELS[ties]}", fontsize="medium")
    ax.legend(handles=[curve, dots, prior_dot, full], loc="upper center", bbox_to_anchor=(0.5, -0.16),
              ncols=2, fontsize="small")
    return {"curve": curve, "chord": chord, "dots": dots, "prior_dot": prior_dot, "full": full}


def _refresh_ties(artists, ties="adverse", q=0.75):
    """Redraw the picture for a tie rule and a split; return the caption.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> a = _setup_ties(Figure())
    >>> print(_refresh_ties(a, "adverse", 0.75))
    ties against the consulted provider, split into beliefs 0 and 0.75: provider 1 earns 0.500
    (full revelation: 0.500); the user gets 0.833 (OPT 1, NOINFO 0.5)
    >>> [float(v[0]) for v in a["prior_dot"].get_data()]
    [0.5, 0.5]
    """
    out = _tie_split(ties, q)
    artists["curve"].set_data(*value_line(*_TIE_PAIR, ties=ties))
    artists["chord"].set_data([0.0, q], [out["f0"], out["fq"]])
    artists["dots"].set_data([0.0, q], [out["f0"], out["fq"]])
    artists["prior_dot"].set_data([0.5], [out["split"]])
    artists["full"].set_data([0.5], [out["full"]])
    return (f"ties {_TIE_LABELS[ties]}, split into beliefs 0 and {q:.2f}: provider 1 earns {out['split']:.3f}\n"
            f"(full revelation: {out['full']:.3f}); the user gets {out['user']:.3f} (OPT 1, NOINFO 0.5)")


def _ties_alt(ties="adverse", q=0.75):
    """Alt text of the tie-rule picture.

    Examples
    --------
    >>> "0.833" in _ties_alt("adverse", 0.75) and "beliefs 0 and 0.75" in _ties_alt("adverse", 0.75)
    True
    """
    out = _tie_split(ties, q)
    return (f"Provider 1's expected utility against the user's belief p, with ties broken {_TIE_LABELS[ties]}; "
            f"a dotted chord joins its payoff at beliefs 0 and {q:.2f}, and at the prior 1/2 the split "
            f"earns it {out['split']:.3f} against {out['full']:.3f} for full revelation, while the user "
            f"gets {out['user']:.3f}.")


def _ties_widget(ties="adverse", q=0.75):
    """A tie-rule menu and a slider for the upper posterior ``q`` of provider 1's split.

    Each rule has its own vertical range (one background per rule). The static page
    precomputes ``q`` in steps of 0.04 (live: 0.01).

    Returns
    -------
    Widget

    Examples
    --------
    >>> w = _ties_widget()
    >>> "provider 1 earns 0.500" in w.update()
    True
    >>> "provider 1 earns 1.167" in w.update(ties="lowest")
    True
    """
    return Widget(
        "ties",
        _setup_ties,
        _refresh_ties,
        {
            "ties": Choice("ties", _TIE_RULES, ties),
            "q": Slider("upper belief q", 0.52, 1.0, 0.01, q, frames=np.arange(0.52, 1.001, 0.04)),
        },
        alt=_ties_alt,
        layout=("ties",),
        figsize=(6.4, 4.2),
    )


def draw_menu(fig, example):
    """Each user's value of the menu items; returns which item each user takes (ties: the first).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ex = studies.menu_separation_search(seeds=range(37, 38))
    >>> draw_menu(Figure(), ex)
    'user 1 picks item 1, user 2 picks item 2'
    """
    ax = fig.add_subplot()
    values = example.item_values  # [2, n]
    users = np.arange(values.shape[1])
    for item in range(values.shape[0]):
        ax.bar(users + (item - 0.5) * 0.38, values[item], 0.38, color=PALETTE[item],
               label=f"menu item {item + 1}", hatch="//" if item else None)
    ax.set_xticks(users, example.market.user_names)
    ax.set(ylabel="value V_j of the item", ylim=(max(0.0, values.min() - 0.1), values.max() + 0.08), xlabel="user",
           title="A two-item menu separates the users")
    ax.legend(loc="upper right")
    picks = choose(values, axis=0) + 1  # ties: the first item
    return ", ".join(f"{name} picks item {p}" for name, p in zip(example.market.user_names, picks))


# ----------------------------------------------------------------------------
# How robust is the silent equilibrium?
# ----------------------------------------------------------------------------

_ROBUST_STYLE = {
    "random": ("all utilities", PALETTE[6], "o"),
    "users": ("users' utilities", PALETTE[3], "v"),
    "providers": ("providers' utilities", PALETTE[1], "s"),
    "masses": ("masses", PALETTE[2], "D"),
    "prior": ("prior", PALETTE[0], "^"),
    "aligned": ("toward strong alignment", PALETTE[4], "P"),
}


def draw_robust_survival(fig, study):
    """Share of perturbed markets in which silence is an exact equilibrium, against the size.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> st = studies.robustness_study(directions=("prior", "users"), sizes=(0.01, 0.1), n_samples=2,
    ...                               menus=False, revealing=False)
    >>> draw_robust_survival(Figure(), st)
    'silence survives in 4 of 8 perturbed markets'
    """
    ax = fig.add_subplot()
    for name, (sizes, rate, lo, hi) in study.survival().items():
        label, colour, marker = _ROBUST_STYLE[name]
        ax.fill_between(sizes, lo, hi, color=colour, alpha=0.15, linewidth=0)
        ax.plot(sizes, rate, marker=marker, color=colour, label=label)
    ax.set(xscale="log", ylim=(-0.03, 1.03), xlabel="perturbation size (log scale)",
           ylabel="share where silence is an equilibrium", title="Silence under random perturbations (exact verdicts)")
    ax.legend(loc="center right", title="perturbed", fontsize="small")
    return f"silence survives in {int(study.silent.sum())} of {len(study.silent)} perturbed markets"


def _robust_map(ax, plane):
    """The verdict map of a plane study on ``ax``; return the legend handles."""
    from matplotlib.colors import ListedColormap
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    xs, ys, verdict = plane.grid("silent")
    _, _, margin = plane.grid("margin")
    colours = ("#e8e8e8", PALETTE[5])
    ax.pcolormesh(xs, ys, verdict.astype(float), shading="nearest", cmap=ListedColormap(colours),
                  vmin=0, vmax=1)
    handles = [Patch(color=colours[1], label="silence is an equilibrium"),
               Patch(color=colours[0], label="a provider gains by informing")]
    if len(xs) > 1 and len(ys) > 1 and np.nanmin(margin) < 0 < np.nanmax(margin):
        ax.contour(xs, ys, margin, levels=[0.0], colors=PALETTE[6], linestyles="--", linewidths=1)
        handles.append(Line2D([], [], color=PALETTE[6], linestyle="--", label="margin = 0 (proposition)"))
    ax.set(xlabel="gap x between the users' indifference beliefs", ylabel="providers' misalignment y")
    return handles


def _cell(plane, x, y):
    """Row, column and axes of the plane cell nearest to ``(x, y)``."""
    xs, ys, verdict = plane.grid("silent")
    return int(np.argmin(np.abs(ys - y))), int(np.argmin(np.abs(xs - x))), xs, ys, verdict


def draw_robust_plane(fig, plane, x=None, y=None):
    """Exact verdict on silence over the phase diagram; optionally a marked point ``(x, y)``.

    The dashed line is where the proposition's margin changes sign.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> pl = studies.robustness_study(plane=([-0.02, 0.0, 0.02], [0.0, 0.03]), menus=False,
    ...                               revealing=False)
    >>> draw_robust_plane(Figure(), pl)
    'silence is an equilibrium in 4 of 6 cells'
    >>> draw_robust_plane(Figure(), pl, x=0.018, y=0.03)
    'at x = 0.02, y = 0.03: silence is an equilibrium'
    """
    ax = fig.add_subplot()
    handles = _robust_map(ax, plane)
    ax.set_title("Where silence survives (exact verdict per cell)")
    _, _, verdict = plane.grid("silent")
    caption = f"silence is an equilibrium in {int(verdict.sum())} of {verdict.size} cells"
    if x is not None and y is not None:
        row, col, xs, ys, verdict = _cell(plane, x, y)
        ax.plot(xs[col], ys[row], marker="*", markersize=16, color=PALETTE[3], markeredgecolor="black")
        state = "an equilibrium" if verdict[row, col] else "not an equilibrium"
        caption = f"at x = {xs[col]:.2f}, y = {ys[row]:.2f}: silence is {state}"
    ax.legend(handles=handles, loc="lower right", fontsize="small")
    return caption


def draw_robust_bound(fig, study, path):
    """Users' loss under surviving silence against Theorem 6.1's bound ``2ε``.

    ``study`` gives the perturbed survivors; ``path`` (direction ``"aligned"``)
    the markets moved toward strong alignment, silent or not.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> st = studies.robustness_study(directions=("prior",), sizes=(0.01,), n_samples=2, menus=False,
    ...                               revealing=False)
    >>> path = studies.robustness_study(directions=("aligned",), sizes=(0.2, 0.5), menus=False,
    ...                                 revealing=False)
    >>> draw_robust_bound(Figure(), st, path)
    'toward SMA, silence survives down to 2ε = 0.6 and fails from 2ε = 0.375'
    """
    ax = fig.add_subplot()
    bound = 2 * study.eps_strong
    top = max(0.8, float(bound.max()) + 0.05)
    ax.fill_between([0, top], [0, top], [top, top], color=PALETTE[3], alpha=0.08, linewidth=0,
                    label="loss > 2ε: excluded by Theorem 6.1")
    ax.plot([0, top], [0, top], color=PALETTE[3], linewidth=1)
    alive = study.silent
    ax.scatter(bound[alive], study.loss[alive], color=PALETTE[5], s=18, alpha=0.6,
               label="perturbed markets where silence survives")
    x, loss, ok = 2 * path.eps_strong, path.loss, path.silent
    ax.plot(x, loss, color=PALETTE[4], linewidth=1)
    ax.scatter(x[ok], loss[ok], color=PALETTE[4], marker="P", s=40, label="toward SMA: silence survives")
    ax.scatter(x[~ok], loss[~ok], facecolors="white", edgecolors=PALETTE[4], marker="o", s=30,
               label="toward SMA: silence fails")
    ax.set(xlim=(0, top), ylim=(0, max(0.35, float(study.loss.max()) + 0.05)),
           xlabel="2ε, twice the Strong Market Alignment tolerance", ylabel="users' loss under silence",
           title="Silence against the bound of Theorem 6.1")
    ax.legend(loc="lower right", fontsize="small")
    if ok.all() or not ok.any():
        return "silence survives on the whole path" if ok.all() else "silence fails on the whole path"
    return (f"toward SMA, silence survives down to 2ε = {x[ok].min():.3g} and fails from "
            f"2ε = {x[~ok].max():.3g}")


# The widget over the phase diagram ------------------------------------------------

#: The phase diagram of the chapter (and the widget's lattice).
ROBUST_PLANE = (np.linspace(-0.06, 0.06, 21), np.linspace(-0.02, 0.06, 17))
_BELIEFS = np.linspace(0.45, 0.7, 501)


def _change_gains(market, beliefs):
    """Each provider's change gain ``Δ_i(q)`` at beliefs ``q`` (users play their best action there).

    Users take their lowest-index best action at each belief (two states).

    Returns
    -------
    ndarray, shape [k, len(beliefs)]

    Examples
    --------
    Proposition 5.1's market: above ½ user 1 switches and provider 1 gains ``(2q − 1)/4``;
    below ½ user 2 switches and it gains ``(2q − 1)/2``.

    >>> from gamelib import examples
    >>> _change_gains(examples.opposite_tastes(), [0.3, 0.5, 0.7]).round(3)
    array([[-0.2,  0. ,  0.1],
           [ 0.1,  0. , -0.2]])
    """
    beliefs = np.asarray(beliefs, dtype=float)
    if beliefs.ndim != 1 or np.any((beliefs < 0) | (beliefs > 1)):
        raise ValueError("beliefs: expected a one-dimensional array of numbers in [0, 1]")
    if market.n_states != 2:
        raise ValueError(f"market: two states needed, got {market.n_states}")
    u, big = market.user_utility, market.provider_utility
    a0 = choose(u @ market.prior, axis=1)  # [n], the lowest-index best action at the prior
    b = np.stack([1 - beliefs, beliefs], axis=1)  # [Q, 2]
    # provider i's expected utility from user j at belief q (her lowest-index best action) minus at a0_j
    return np.array([sum(m * (sender_value_curve(beliefs, big[i, j], u[j], ties="lowest") - b @ big[i, j, a0[j]])
                         for j, m in enumerate(market.masses)) for i in range(market.n_providers)])


def _setup_robust(fig, plane, x=0.012, y=0.03):
    """Left: the verdict map (fixed) and the marked point; right: both providers' change gains.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> pl = studies.robustness_study(plane=([0.0, 0.012], [0.0, 0.03]), menus=False, revealing=False)
    >>> sorted(_setup_robust(Figure(), pl))
    ['gains', 'star', 'users']
    """
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": (1.1, 1)})
    handles = _robust_map(left, plane)
    left.set_title("Exact verdict", fontsize="medium")
    left.legend(handles=handles[:2], loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize="small")
    star = left.plot([], [], marker="*", markersize=15, color=PALETTE[3], markeredgecolor="black",
                     linestyle="none")[0]
    right.axhline(0.0, color=PALETTE[6], lw=0.8)
    gains = [right.plot([], [], color=PALETTE[i], lw=2, label=f"provider {i + 1}")[0] for i in range(2)]
    users = [right.axvline(0.5, color=PALETTE[2 + j], lw=1, ls=":", label=f"user {j + 1} switches")
             for j in range(2)]
    right.set(xlim=(_BELIEFS[0], _BELIEFS[-1]), ylim=(-0.06, 0.03), xlabel="posterior belief q = P(θ = 1)",
              ylabel="change gain Δ_i(q)")
    right.set_title("Who gains from moving the users", fontsize="medium")
    right.legend(handles=gains + users, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2,
                 fontsize="small")
    return {"star": star, "gains": gains, "users": users}


def _indifference(market):
    """Each user's indifference belief (two actions): where her two actions tie."""
    gap = market.user_utility[:, 1] - market.user_utility[:, 0]  # [n, Θ]: action 1's advantage
    return gap[:, 0] / (gap[:, 0] - gap[:, 1])


def _refresh_robust(artists, plane, x=0.012, y=0.03):
    """Move the marked point and redraw the change gains of its market; return the caption.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> pl = studies.robustness_study(plane=([0.0, 0.012], [0.0, 0.03]), menus=False, revealing=False)
    >>> _refresh_robust(_setup_robust(Figure(), pl), pl, x=0.012, y=0.0)
    'x = 0.012, y = 0.000: a provider gains by informing (largest change gain +0.0060)'
    """
    row, col, xs, ys, verdict = _cell(plane, x, y)
    market = plane.markets[row * len(xs) + col]
    artists["star"].set_data([xs[col]], [ys[row]])
    for line, gain in zip(artists["gains"], _change_gains(market, _BELIEFS)):
        line.set_data(_BELIEFS, gain)
    for line, q in zip(artists["users"], _indifference(market)):
        line.set_xdata([q, q])
    margin = plane.margin[row * len(xs) + col]
    state = "silence is an equilibrium" if verdict[row, col] else "a provider gains by informing"
    return f"x = {xs[col]:.3f}, y = {ys[row]:.3f}: {state} (largest change gain {margin:+.4f})"


def _robust_alt(plane, x=0.012, y=0.03):
    """Alt text of the robustness widget.

    Examples
    --------
    >>> pl = studies.robustness_study(plane=([0.0, 0.012], [0.0, 0.03]), menus=False, revealing=False)
    >>> "not an equilibrium" in _robust_alt(pl, 0.012, 0.0)
    True
    """
    row, col, xs, ys, verdict = _cell(plane, x, y)
    q1, q2 = _indifference(plane.markets[row * len(xs) + col])
    state = "an equilibrium" if verdict[row, col] else "not an equilibrium"
    return (f"Left, the map of exact verdicts on silence with a star at gap {xs[col]:.3f} and "
            f"misalignment {ys[row]:.3f}, where silence is {state}. Right, both providers' gains from "
            f"moving the users at each posterior belief; the users switch at {q1:.3f} and {q2:.3f}.")


def _robust_widget(plane=None, x=0.012, y=0.03):
    """Widget: move the gap ``x`` and the misalignment ``y`` over the phase diagram.

    Parameters
    ----------
    plane : RobustnessStudy, optional
        A plane study on an evenly spaced grid (default: :data:`ROBUST_PLANE`).
    x, y : float
        Initial point (grid values).

    Returns
    -------
    Widget

    Examples
    --------
    >>> pl = studies.robustness_study(plane=([0.0, 0.012], [0.0, 0.03]), menus=False, revealing=False)
    >>> w = _robust_widget(pl)
    >>> w.update(y=0.0)
    'x = 0.012, y = 0.000: a provider gains by informing (largest change gain +0.0060)'
    """
    if plane is None:
        plane = studies.robustness_study(plane=ROBUST_PLANE, menus=False, revealing=False)
    xs, ys, _ = plane.grid()
    if len(xs) < 2 or len(ys) < 2:
        raise ValueError("plane: needs at least two values on each axis")
    dx, dy = np.diff(xs), np.diff(ys)
    if not (np.allclose(dx, dx[0]) and np.allclose(dy, dy[0])):
        raise ValueError("plane: the axes must be evenly spaced (the sliders step along them)")
    every = 2 if len(xs) > 6 else 1  # the static page: every other grid value
    controls = {k: Slider(label, float(v[0]), float(v[-1]), float(d[0]), float(at), frames=v[::every], fmt=".3f")
                for k, label, v, d, at in (("x", "gap x", xs, dx, x), ("y", "misalignment y", ys, dy, y))}
    return Widget("robust", _setup_robust, _refresh_robust, controls, alt=_robust_alt,
                  fixed={"plane": plane}, figsize=(8.0, 4.2))
