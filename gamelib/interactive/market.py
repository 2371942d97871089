"""Chapter 2 figures: a small market in which the reader sets each provider's experiment.

:func:`_market_widget` shows the opposite-tastes market (two providers, two users).
Four sliders set each provider's binary experiment — the probabilities of signal 1
in state 0 and in state 1 — and a dropdown says to whom it is offered: to everybody
(anonymous), or, personalized, to one user only (the other user then gets no
information from that provider).  The figure shows each user's value against her
benchmarks and each provider's payoff, computed with :func:`gamelib.play`.
"""

from __future__ import annotations

import numpy as np

from ..equilibrium import play
from ..examples import opposite_tastes
from ..experiments import reveal_everything, reveal_nothing, symmetric_experiment, user_value
from ..market import aligned_value, uninformed_value
from ._common import PALETTE, Choice, Slider, Widget

__all__ = []

#: Dropdown choices: label → (mode, user who receives the experiment or None for all).
_AUDIENCES = {
    "anonymous: one experiment for everybody": ("anonymous", None),
    "personalized: to user 1 only": ("personalized", 0),
    "personalized: to user 2 only": ("personalized", 1),
}


def _binary_experiment(p0, p1):
    """The experiment that sends signal 1 with probability ``p0`` in state 0 and ``p1`` in state 1.

    Examples
    --------
    >>> _binary_experiment(0.0, 1.0)
    array([[1., 0.],
           [0., 1.]])
    """
    return np.array([[1.0 - p0, p0], [1.0 - p1, p1]])


def _audience_policy(experiments, audience, n_users):
    """The policy profile in which each provider offers its experiment to ``audience``.

    Parameters
    ----------
    experiments : ndarray, shape [k, 2, 2]
    audience : str
        A key of :data:`_AUDIENCES`.
    n_users : int

    Returns
    -------
    policy : ndarray
        ``[k, 2, 2]`` (anonymous) or ``[k, n, 2, 2]`` (personalized; the other
        users get :func:`gamelib.reveal_nothing`).
    mode : str

    Examples
    --------
    >>> exps = np.stack([_binary_experiment(0.0, 1.0), _binary_experiment(0.0, 0.0)])
    >>> policy, mode = _audience_policy(exps, "personalized: to user 2 only", n_users=2)
    >>> mode, policy.shape
    ('personalized', (2, 2, 2, 2))
    >>> bool((policy[:, 1] == exps).all())  # user 2 gets both providers' experiments
    True
    >>> policy[0, 0]                         # user 1 gets nothing from provider 1
    array([[1., 0.],
           [1., 0.]])
    >>> _audience_policy(exps, "anonymous: one experiment for everybody", 2)[1]
    'anonymous'
    """
    mode, target = _AUDIENCES[audience]
    if mode == "anonymous":
        return experiments, mode
    policy = np.broadcast_to(reveal_nothing(2, 2), (len(experiments), n_users, 2, 2)).copy()
    policy[:, target] = experiments
    return policy, mode


_MARKET = opposite_tastes()


def _outcome(audience, p1_0, p1_1, p2_0, p2_1):
    """Play :data:`_MARKET` with both providers' binary experiments offered to ``audience``."""
    experiments = np.stack([_binary_experiment(p1_0, p1_1), _binary_experiment(p2_0, p2_1)])
    policy, mode = _audience_policy(experiments, audience, _MARKET.n_users)
    return play(_MARKET, policy, mode), mode


def _setup_market(fig, audience="anonymous: one experiment for everybody",
                 p1_0=0.0, p1_1=1.0, p2_0=0.0, p2_1=0.0):
    """Draw the fixed parts of the market figure (axes, benchmarks, labels); return the bars.

    The providers' axis runs up to 1.25 times the largest payoff a provider can get
    (at least 0.5), whatever the experiments.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> a = _setup_market(Figure())
    >>> {name: len(parts) for name, parts in a.items()}
    {'users': 2, 'benchmarks': 2, 'notes': 2, 'providers': 2, 'experiments': 2}
    >>> [float(bar.get_height()) for bar in a["users"]]  # zero until refresh
    [0.0, 0.0]
    >>> tuple(float(y) for y in a["users"][0].axes.get_ylim())  # 1.25 OPT, fixed
    (0.0, 0.625)
    """
    market = _MARKET
    n, k = market.n_users, market.n_providers
    ax_u, ax_p = fig.subplots(1, 2, width_ratios=[3, 2])
    x = np.arange(n)
    user_bars = ax_u.bar(x, np.zeros(n), color=PALETTE[0], width=0.6)
    opt, noinfo = aligned_value(market), uninformed_value(market)
    # the benchmarks are returned too (unchanged by refresh), so that they are drawn
    # over the moving bars, as in a full redraw
    benchmarks = [
        ax_u.hlines(opt, x - 0.4, x + 0.4, color=PALETTE[6], lw=2, label="OPT"),
        ax_u.hlines(noinfo, x - 0.4, x + 0.4, color=PALETTE[6], lw=2, ls=":", label="NOINFO"),
    ]
    notes = [ax_u.annotate(f"→ {market.provider_names[0]}", (j, 0.0), ha="center", va="bottom",
                           fontsize="small", xytext=(0, 2), textcoords="offset points")
             for j in range(n)]
    ax_u.set_xticks(x, [f"user {j + 1}\n({market.user_names[j]})" for j in range(n)])
    ax_u.set(ylabel="user's expected utility $V_j$", ylim=(0, 1.25 * float(opt.max())),
             title="Users (bar colour = provider consulted)")
    ax_u.legend(loc="upper right", fontsize="small", ncols=2)
    y = np.arange(k)
    provider_bars = ax_p.bar(y, np.zeros(k), color=[PALETTE[i] for i in range(k)], width=0.6)
    ax_p.set_xticks(y, list(market.provider_names))
    # the largest payoff any provider can get, Σ_j m_j max U_i^j, fixes the y-axis
    best = market.provider_utility.reshape(k, n, -1).max(axis=2) @ market.masses
    top = 1.25 * max(0.5, float(best.max()))
    ax_p.set(ylabel="provider's payoff $\\sum_j m_j\\,E[U_i^j]$", ylim=(0, top), title="Providers")
    # each provider's experiment, (P(signal 1 | θ = 0), P(signal 1 | θ = 1)), over its bar
    experiments = [ax_p.text(i, 0.97 * top, "", ha="center", va="top", fontsize="small")
                   for i in range(k)]
    return {"users": list(user_bars), "benchmarks": benchmarks, "notes": notes,
            "providers": list(provider_bars), "experiments": experiments}


def _refresh_market(artists, audience="anonymous: one experiment for everybody",
                   p1_0=0.0, p1_1=1.0, p2_0=0.0, p2_1=0.0):
    """Play the market under the chosen experiments, move the bars; return the caption.

    Examples
    --------
    Provider 1 reveals the state to the matcher only (provider 2 is silent): its payoff
    rises from 1/4 (anonymous) to 1/2, and the contrarian falls back to NOINFO.

    >>> from matplotlib.figure import Figure
    >>> a = _setup_market(Figure())
    >>> caption = _refresh_market(a, audience="personalized: to user 1 only")
    >>> [float(bar.get_height()) for bar in a["users"]]
    [0.5, 0.25]
    >>> [float(bar.get_height()) for bar in a["providers"]]
    [0.5, 0.125]
    >>> caption.endswith("provider 1 earns 0.500, provider 2 earns 0.125.")
    True
    """
    market = _MARKET
    outcome, mode = _outcome(audience, p1_0, p1_1, p2_0, p2_1)
    for j, (bar, note) in enumerate(zip(artists["users"], artists["notes"])):
        value, chosen = float(outcome.user_values[j]), int(outcome.choice[j])
        bar.set_height(value)
        bar.set_color(PALETTE[chosen])
        note.xy = (j, value)
        note.set_text(f"→ {market.provider_names[chosen]}")
    for bar, value in zip(artists["providers"], outcome.provider_values):
        bar.set_height(float(value))
    for text, (q0, q1) in zip(artists["experiments"], ((p1_0, p1_1), (p2_0, p2_1))):
        text.set_text(f"P(signal 1 | θ):\n{q0:.2f}, {q1:.2f}")
    right = outcome.action_probabilities[:, [0, 1], [0, 1]] @ market.prior  # P(a = θ), per user
    parts = [f"user {j + 1} consults {market.provider_names[outcome.choice[j]]}, gets "
             f"{outcome.user_values[j]:.3f} and plays a = θ with probability {right[j]:.2f}"
             for j in range(market.n_users)]
    pay = ", ".join(f"{name} earns {v:.3f}"
                    for name, v in zip(market.provider_names, outcome.provider_values))
    shown = (f"experiments P(signal 1 | θ = 0, 1): provider 1 ({p1_0:.2f}, {p1_1:.2f}), "
             f"provider 2 ({p2_0:.2f}, {p2_1:.2f}). ")
    return shown + f"{mode} mode: " + "; ".join(parts) + f". {pay}."


def _market_alt(audience="anonymous: one experiment for everybody",
               p1_0=0.0, p1_1=1.0, p2_0=0.0, p2_1=0.0):
    """Alt text of the market figure.

    Examples
    --------
    >>> alt = _market_alt("personalized: to user 1 only", p1_0=0.2)
    >>> "probabilities 0.20 and 1.00 in states 0 and 1" in alt
    True
    >>> "offered as 'personalized: to user 1 only'" in alt
    True
    >>> _market_alt().endswith("user 2 consults provider 1 and gets 0.50. Right: the providers earn 0.25 and 0.25.")
    True
    """
    market = _MARKET
    outcome = _outcome(audience, p1_0, p1_1, p2_0, p2_1)[0]
    users = "; ".join(f"user {j + 1} consults {market.provider_names[outcome.choice[j]]} and gets "
                      f"{outcome.user_values[j]:.2f}" for j in range(market.n_users))
    pay = " and ".join(f"{v:.2f}" for v in outcome.provider_values)
    return (
        f"Two bar charts for the opposite-tastes market with provider 1's experiment sending "
        f"signal 1 with probabilities {p1_0:.2f} and {p1_1:.2f} in states 0 and 1, provider 2's "
        f"with {p2_0:.2f} and {p2_1:.2f}, offered as '{audience}'. Left, each user's value against "
        f"her OPT (solid line, 0.5) and NOINFO (dotted line, 0.25): {users}. Right: the providers "
        f"earn {pay}."
    )


def _market_widget(**defaults):
    """Sliders for both providers' experiments and a menu for the audience.

    Three menu entries times 21 positions of four sliders are too many pictures for a
    static page: it precomputes one control at a time (the others at their defaults).

    Returns
    -------
    Widget

    Examples
    --------
    >>> w = _market_widget()
    >>> list(w.controls), w.default()["audience"]
    (['audience', 'p1_0', 'p1_1', 'p2_0', 'p2_1'], 'anonymous: one experiment for everybody')
    >>> w.update(audience="personalized: to user 1 only").endswith("provider 1 earns 0.500, "
    ...                                                           "provider 2 earns 0.125.")
    True
    >>> len(w.lattice())  # the default, 2 other audiences, 4 sliders x 20 other positions
    83
    """
    vals = {"audience": "anonymous: one experiment for everybody",
            "p1_0": 0.0, "p1_1": 1.0, "p2_0": 0.0, "p2_1": 0.0, **defaults}
    sliders = {
        f"p{i}_{s}": Slider(f"provider {i}: P(signal 1 | θ={s})", 0.0, 1.0, 0.05, vals[f"p{i}_{s}"])
        for i in (1, 2) for s in (0, 1)
    }
    return Widget(
        "market",
        _setup_market,
        _refresh_market,
        {"audience": Choice("offered", list(_AUDIENCES), vals["audience"]), **sliders},
        alt=_market_alt,
        figsize=(7.2, 3.6),
        slices=True,
    )


_GUESS_PRIOR = np.array([0.5, 0.5])
_GUESS = np.eye(2)  # guess the state: 1 for a right guess
_QS = np.linspace(0.0, 1.0, 101)
#: OPT and NOINFO of the guessing user (full revelation, no information).
_OPT = float(user_value(_GUESS_PRIOR, reveal_everything(2), _GUESS))
_NOINFO = float(user_value(_GUESS_PRIOR, reveal_nothing(2), _GUESS))


def _setup_accuracy(fig, q=0.75):
    """Draw the value curve and the benchmarks once; return the marker of the current ``q``.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> a = _setup_accuracy(Figure(), q=0.25)
    >>> ax = a["point"].axes
    >>> len(ax.lines), tuple(float(y) for y in ax.get_ylim())  # curve, OPT, NOINFO, marker
    (4, (0.4, 1.25))
    """
    values = user_value(_GUESS_PRIOR, symmetric_experiment(_QS), _GUESS)
    ax = fig.add_subplot()
    ax.plot(_QS, values, color=PALETTE[0], label="value of the model, $V(\\pi_q)$")
    ax.axhline(_OPT, color=PALETTE[2], linestyle="--", label="perfectly aligned, OPT")
    ax.axhline(_NOINFO, color=PALETTE[1], linestyle=":", label="no information")
    point = ax.plot([q], [0.5], "o", color=PALETTE[3])[0]
    ax.set(title="What a model of accuracy q is worth to a user who guesses the state",
           xlabel="probability $q$ that the model reports the state correctly", ylabel="user's expected utility",
           xlim=(-0.05, 1.05), ylim=(0.4, 1.25))
    ax.legend(loc="upper center", ncol=3, fontsize="small")
    return {"point": point}


def _refresh_accuracy(artists, q=0.75):
    """Move the marker to ``q``; return the caption of computed values.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> a = _setup_accuracy(Figure())
    >>> _refresh_accuracy(a, q=0.25)  # a model that mostly lies is inverted by the user
    'q = 0.25: the user gets 0.75 (no information 0.50, OPT 1.00)'
    >>> a["point"].get_data()
    ([0.25], [0.75])
    """
    here = float(user_value(_GUESS_PRIOR, symmetric_experiment(q), _GUESS))
    artists["point"].set_data([q], [here])
    return f"q = {q:.2f}: the user gets {here:.2f} (no information {_NOINFO:.2f}, OPT {_OPT:.2f})"


def _accuracy_alt(q=0.75):
    """Alt text of the accuracy figure.

    Examples
    --------
    >>> _accuracy_alt(0.3).endswith("the marked point is q = 0.30.")
    True
    """
    return (f"The user's value as a function of the model's accuracy q: V-shaped, 0.5 at "
            f"q = 0.5 and 1 at q = 0 or 1; the marked point is q = {q:.2f}.")


def _accuracy_widget(q=0.75):
    """One slider, the model's accuracy ``q``, over the accuracy picture.

    Returns
    -------
    Widget

    Examples
    --------
    >>> w = _accuracy_widget()
    >>> w.update()
    'q = 0.75: the user gets 0.75 (no information 0.50, OPT 1.00)'
    >>> w.update(q=0.5)  # noise is worth no more than no information
    'q = 0.50: the user gets 0.50 (no information 0.50, OPT 1.00)'
    """
    return Widget("accuracy", _setup_accuracy, _refresh_accuracy,
                  {"q": Slider("accuracy q", 0.0, 1.0, 0.05, q)},
                  alt=_accuracy_alt, figsize=(6.4, 3.6))
