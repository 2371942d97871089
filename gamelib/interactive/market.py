"""Chapter 2 figures: a small market in which the reader sets each provider's experiment.

:func:`market_widget` shows the opposite-tastes market (two providers, two users).
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
from ..experiments import reveal_everything, reveal_nothing, user_value
from ..geometry import symmetric_experiment
from ..market import aligned_value, uninformed_value
from ._common import PALETTE, dropdown, float_slider, interactive_figure

__all__ = [
    "AUDIENCES",
    "binary_experiment",
    "audience_policy",
    "plot_outcome",
    "draw_market",
    "market_alt",
    "market_widget",
    "draw_accuracy",
    "accuracy_alt",
    "accuracy_widget",
    "WIDGETS",
]

#: Dropdown choices: label → (mode, user who receives the experiment or None for all).
AUDIENCES = {
    "anonymous: one experiment for everybody": ("anonymous", None),
    "personalized: to user 1 only": ("personalized", 0),
    "personalized: to user 2 only": ("personalized", 1),
}


def binary_experiment(p0, p1):
    """The experiment that sends signal 1 with probability ``p0`` in state 0 and ``p1`` in state 1.

    >>> binary_experiment(0.0, 1.0)
    array([[1., 0.],
           [0., 1.]])
    """
    return np.array([[1.0 - p0, p0], [1.0 - p1, p1]])


def audience_policy(experiments, audience, n_users):
    """The policy profile in which each provider offers its experiment to ``audience``.

    Parameters
    ----------
    experiments : ndarray, shape [k, 2, 2]
    audience : str
        A key of :data:`AUDIENCES`.
    n_users : int

    Returns
    -------
    policy : ndarray
        ``[k, 2, 2]`` (anonymous) or ``[k, n, 2, 2]`` (personalized; the other
        users get :func:`gamelib.reveal_nothing`).
    mode : str
    """
    mode, target = AUDIENCES[audience]
    if mode == "anonymous":
        return experiments, mode
    k = experiments.shape[0]
    policy = np.broadcast_to(reveal_nothing(2, 2), (k, n_users, 2, 2)).copy()
    policy[:, target] = experiments
    return policy, mode


def plot_outcome(axes, market, outcome):
    """Bar charts of users' values (with OPT and NOINFO) and providers' payoffs.

    Parameters
    ----------
    axes : pair of matplotlib.axes.Axes
    market : Market
    outcome : Outcome
        From :func:`gamelib.play`.
    """
    ax_u, ax_p = axes
    n, k = market.n_users, market.n_providers
    x = np.arange(n)
    colours = [PALETTE[c] for c in outcome.choice]
    ax_u.bar(x, outcome.user_values, color=colours, width=0.6)
    opt, noinfo = aligned_value(market), uninformed_value(market)
    ax_u.hlines(opt, x - 0.4, x + 0.4, color=PALETTE[6], lw=2, label="OPT")
    ax_u.hlines(noinfo, x - 0.4, x + 0.4, color=PALETTE[6], lw=2, ls=":", label="NOINFO")
    for j in range(n):
        ax_u.annotate(f"→ {market.provider_names[outcome.choice[j]]}", (j, outcome.user_values[j]),
                      ha="center", va="bottom", fontsize="small", xytext=(0, 2),
                      textcoords="offset points")
    ax_u.set_xticks(x, [f"user {j + 1}\n({market.user_names[j]})" for j in range(n)])
    ax_u.set_ylabel("user's expected utility $V_j$")
    ax_u.set_ylim(0, 1.25 * float(opt.max()))
    ax_u.set_title("Users (bar colour = provider consulted)")
    ax_u.legend(loc="upper right", fontsize="small", ncols=2)
    y = np.arange(k)
    ax_p.bar(y, outcome.provider_values, color=[PALETTE[i] for i in range(k)], width=0.6)
    ax_p.set_xticks(y, list(market.provider_names))
    ax_p.set_ylabel("provider's payoff $\\sum_j m_j\\,E[U_i^j]$")
    ax_p.set_ylim(0, 1.25 * max(0.5, float(outcome.provider_values.max())))
    ax_p.set_title("Providers")


def draw_market(fig, audience="anonymous: one experiment for everybody",
                p1_0=0.0, p1_1=1.0, p2_0=0.0, p2_1=0.0):
    """Draw the opposite-tastes market under the chosen experiments; return a caption."""
    market = opposite_tastes()
    experiments = np.stack([binary_experiment(p1_0, p1_1), binary_experiment(p2_0, p2_1)])
    policy, mode = audience_policy(experiments, audience, market.n_users)
    outcome = play(market, policy, mode)
    axes = fig.subplots(1, 2, width_ratios=[3, 2])
    plot_outcome(axes, market, outcome)
    parts = []
    for j in range(market.n_users):
        right = float(market.prior @ outcome.action_probabilities[j, [0, 1], [0, 1]])
        parts.append(f"user {j + 1} consults {market.provider_names[outcome.choice[j]]}, gets "
                     f"{outcome.user_values[j]:.3f} and plays a = θ with probability {right:.2f}")
    pay = ", ".join(f"{name} earns {v:.3f}"
                    for name, v in zip(market.provider_names, outcome.provider_values))
    return f"{mode} mode: " + "; ".join(parts) + f". {pay}."


def market_alt(audience="anonymous: one experiment for everybody",
               p1_0=0.0, p1_1=1.0, p2_0=0.0, p2_1=0.0):
    """Alt text of the market figure."""
    return (
        f"Two bar charts for the opposite-tastes market with provider 1's experiment sending "
        f"signal 1 with probabilities {p1_0:.2f} and {p1_1:.2f} in states 0 and 1, provider 2's "
        f"with {p2_0:.2f} and {p2_1:.2f}, offered as '{audience}'. Left: each user's value, "
        f"coloured by the provider she consults, against her OPT (solid line, 0.5) and NOINFO "
        f"(dotted line, 0.25). Right: each provider's payoff."
    )


def market_widget(**defaults):
    """Sliders for both providers' experiments and a dropdown for the audience.

    Returns
    -------
    InteractiveFigure
    """
    vals = {"audience": "anonymous: one experiment for everybody",
            "p1_0": 0.0, "p1_1": 1.0, "p2_0": 0.0, "p2_1": 0.0}
    vals.update(defaults)
    return interactive_figure(
        draw_market,
        {
            "audience": dropdown(list(AUDIENCES), vals["audience"], "offered"),
            "p1_0": float_slider(vals["p1_0"], 0.0, 1.0, 0.05, "provider 1: P(signal 1 | θ=0)"),
            "p1_1": float_slider(vals["p1_1"], 0.0, 1.0, 0.05, "provider 1: P(signal 1 | θ=1)"),
            "p2_0": float_slider(vals["p2_0"], 0.0, 1.0, 0.05, "provider 2: P(signal 1 | θ=0)"),
            "p2_1": float_slider(vals["p2_1"], 0.0, 1.0, 0.05, "provider 2: P(signal 1 | θ=1)"),
        },
        alt=market_alt,
        figsize=(7.2, 3.6),
    )


_GUESS_PRIOR = np.array([0.5, 0.5])
_GUESS = np.eye(2)  # guess the state: 1 for a right guess
_QS = np.linspace(0.0, 1.0, 101)


def draw_accuracy(fig, q=0.75):
    """The guessing user's value of the symmetric experiment of accuracy ``q`` (introduction)."""
    values = user_value(_GUESS_PRIOR, symmetric_experiment(_QS), _GUESS)
    here = float(user_value(_GUESS_PRIOR, symmetric_experiment(q), _GUESS))
    opt = float(user_value(_GUESS_PRIOR, reveal_everything(2), _GUESS))
    noinfo = float(user_value(_GUESS_PRIOR, reveal_nothing(2), _GUESS))
    ax = fig.add_subplot()
    ax.plot(_QS, values, color=PALETTE[0], label="value of the model, $V(\\pi_q)$")
    ax.axhline(opt, color=PALETTE[2], linestyle="--", label="perfectly aligned, OPT")
    ax.axhline(noinfo, color=PALETTE[1], linestyle=":", label="no information")
    ax.plot([q], [here], "o", color=PALETTE[3])
    ax.set_title("What a model of accuracy q is worth to a user who guesses the state")
    ax.set_xlabel("probability $q$ that the model reports the state correctly")
    ax.set_ylabel("user's expected utility")
    ax.set_ylim(0.4, 1.25)
    ax.legend(loc="upper center", ncol=3, fontsize="small")
    return f"q = {q:.2f}: the user gets {here:.2f} (no information {noinfo:.2f}, OPT {opt:.2f})"


def accuracy_alt(q=0.75):
    """Alt text of the accuracy figure."""
    return (f"The user's value as a function of the model's accuracy q: V-shaped, 0.5 at "
            f"q = 0.5 and 1 at q = 0 or 1; the marked point is q = {q:.2f}.")


def accuracy_widget(q=0.75):
    """One slider, the model's accuracy ``q``, redrawing :func:`draw_accuracy`.

    Returns
    -------
    InteractiveFigure
    """
    return interactive_figure(
        draw_accuracy, {"q": float_slider(q, 0.0, 1.0, 0.05, "accuracy q")},
        alt=accuracy_alt, figsize=(6.4, 3.6),
    )


def _sample_accuracy(rng):
    return {"q": float(rng.choice(np.round(np.arange(0.0, 1.001, 0.05), 2)))}


def _sample(rng):
    grid = np.round(np.arange(0.0, 1.001, 0.05), 2)
    out = {name: float(rng.choice(grid)) for name in ("p1_0", "p1_1", "p2_0", "p2_1")}
    out["audience"] = str(rng.choice(list(AUDIENCES)))
    return out


WIDGETS = {"market": (market_widget, _sample), "accuracy": (accuracy_widget, _sample_accuracy)}
