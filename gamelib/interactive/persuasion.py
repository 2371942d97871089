"""Chapter 1 figures: the sender's value curve, its concave closure and the optimal split.

The widget :func:`concavification_widget` lets the reader move the prior and the
judge's standard of proof (the belief in guilt at which she convicts) and redraws
the prosecutor's value curve, its concave closure and the split of the prior that
attains it.  :func:`draw_concavification` draws the same picture as an ordinary
figure (the chapter's static figure).
"""

from __future__ import annotations

import numpy as np

from ..geometry import threshold_receiver
from ..persuasion import concave_closure, optimal_persuasion, optimal_split, sender_value_curve
from ._common import PALETTE, Slider, Widget

__all__ = [
    "PROSECUTOR",
    "value_line",
    "setup_concavification",
    "refresh_concavification",
    "concavification_alt",
    "concavification_widget",
]

#: The prosecutor's utility ``v[a, θ]``: 1 for a conviction (action 0) in either state.
PROSECUTOR = np.array([[1.0, 1.0], [0.0, 0.0]])

_BELIEFS = np.linspace(0.0, 1.0, 401)


def value_line(sender_utility, receiver_utility, ties="sender"):
    """The sender's value curve on a fine belief grid, broken (NaN) where the receiver switches.

    Returns
    -------
    xs, ys : ndarray
        Beliefs and values, ready for ``ax.plot`` (NaN at each switch of action).

    Examples
    --------
    >>> from gamelib.geometry import threshold_receiver
    >>> xs, ys = value_line(PROSECUTOR, threshold_receiver(0.5))
    >>> int(np.isnan(xs).sum()), float(np.nanmax(ys))  # one break, at the threshold
    (1, 1.0)
    """
    curve = sender_value_curve(_BELIEFS, sender_utility, receiver_utility, ties=ties)
    # Between switches the curve is linear with slope v(a, 1) - v(a, 0) for the action played,
    # so a step larger than the steepest such slope times the grid step is a jump.
    v = np.asarray(sender_utility, dtype=float)
    steepest = float(np.abs(v[:, 1] - v[:, 0]).max()) * (_BELIEFS[1] - _BELIEFS[0])
    jumps = np.flatnonzero(np.abs(np.diff(curve)) > steepest + 1e-9)
    xs, ys = _BELIEFS, curve
    if jumps.size:  # break the line where the receiver switches action
        xs = np.insert(xs, jumps + 1, np.nan)
        ys = np.insert(ys, jumps + 1, np.nan)
    return xs, ys


def setup_concavification(fig, prior=0.3, threshold=0.5):
    """Draw the fixed parts of the concavification picture; return the changing artists.

    The axes limits do not depend on the controls: the sender's value always lies
    between the smallest and the largest entry of :data:`PROSECUTOR`.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> a = setup_concavification(Figure(), prior=0.3, threshold=0.5)
    >>> sorted(a)
    ['closure', 'prior_line', 'split_dots', 'split_line', 'threshold', 'value', 'value_dot']
    >>> a["threshold"].get_text(), len(a["value"].get_xdata())  # curves wait for refresh
    ('0.50', 0)
    """
    ax = fig.add_subplot()
    value_line = ax.plot([], [], color=PALETTE[0], lw=2, label="sender's value $\\hat v(p)$")[0]
    closure_line = ax.plot([], [], color=PALETTE[1], lw=2, ls="--", label="concave closure")[0]
    split_line = ax.plot([], [], color=PALETTE[2], lw=1, ls=":")[0]
    split_dots = ax.plot([], [], "o", color=PALETTE[2], ms=8,
                         label="optimal split: posteriors")[0]
    value_dot = ax.plot([], [], "D", color=PALETTE[3], ms=8, label="value at the prior")[0]
    prior_line = ax.axvline(prior, color=PALETTE[6], lw=0.8, alpha=0.5)
    ax.set_xlabel("belief $p = P(guilty)$")
    ax.set_ylabel("sender's expected utility")
    ax.set_xlim(0, 1)
    lo, hi = float(PROSECUTOR.min()), float(PROSECUTOR.max())
    pad = 0.08 * max(hi - lo, 1e-9)
    ax.set_ylim(lo - pad, hi + 3 * pad)
    # The title's words are drawn once; only its number is redrawn (text is slow to render).
    title = ax.set_title("Persuading a judge with standard of proof")
    number = ax.annotate(f"{threshold:.2f}", xy=(1.0, 0.0), xycoords=title, xytext=(0.3, 0.0),
                         textcoords="offset fontsize", ha="left", va="bottom",
                         fontsize=title.get_fontsize())
    number.set_in_layout(False)  # it sits on the title's line, which the layout counts
    # Below the axes, where no moving artist can cross it (it is drawn once).
    ax.legend(handles=[value_line, closure_line, split_dots, value_dot], loc="upper center",
              bbox_to_anchor=(0.5, -0.16), ncols=2, fontsize="small")
    return {"value": value_line, "closure": closure_line, "split_line": split_line,
            "split_dots": split_dots, "value_dot": value_dot, "prior_line": prior_line,
            "threshold": number}


def refresh_concavification(artists, prior=0.3, threshold=0.5):
    """Move the concavification picture to ``prior`` and ``threshold``; return the caption.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> a = setup_concavification(Figure())
    >>> print(refresh_concavification(a, prior=0.3, threshold=0.5))
    split the prior 0.30 into posteriors 0.00 (probability 0.40) and 0.50 (probability 0.60);
    conviction probability = closure at the prior = 0.600 (persuasion LP: 0.600)
    >>> [float(v[0]) for v in a["value_dot"].get_data()], a["split_dots"].get_visible()
    ([0.3, 0.6], True)
    >>> _ = refresh_concavification(a, prior=0.7, threshold=0.5)  # above the threshold
    >>> [float(v[0]) for v in a["value_dot"].get_data()], a["split_dots"].get_visible()
    ([0.7, 1.0], False)
    """
    judge = threshold_receiver(threshold)
    artists["value"].set_data(*value_line(PROSECUTOR, judge))
    artists["closure"].set_data(*concave_closure(PROSECUTOR, judge))
    post, weights, value = optimal_split(prior, PROSECUTOR, judge)
    split = bool(post[0] < post[1])
    if split:
        post_values = sender_value_curve(post, PROSECUTOR, judge)
        artists["split_line"].set_data(post, post_values)
        artists["split_dots"].set_data(post, post_values)
    for name in ("split_line", "split_dots"):
        artists[name].set_visible(split)
    artists["value_dot"].set_data([prior], [value])
    artists["prior_line"].set_xdata([prior, prior])
    artists["threshold"].set_text(f"{threshold:.2f}")
    lp = optimal_persuasion([1.0 - prior, prior], PROSECUTOR, judge).sender_value
    if split:
        text = (f"split the prior {prior:.2f} into posteriors {post[0]:.2f} (probability "
                f"{weights[0]:.2f}) and {post[1]:.2f} (probability {weights[1]:.2f})")
    else:
        text = f"no split helps at the prior {prior:.2f}"
    return (f"{text}; conviction probability = closure at the prior = {value:.3f} "
            f"(persuasion LP: {lp:.3f})")


def concavification_alt(prior=0.3, threshold=0.5):
    """Alt text of the concavification figure.

    Examples
    --------
    >>> "split into posteriors 0 and 0.50, and the closure there equals 0.60" in concavification_alt(0.3, 0.5)
    True
    >>> "threshold 0.40" in concavification_alt(0.7, 0.4)
    True
    """
    return (
        f"The prosecutor's value as a function of the judge's belief in guilt: 0 below the "
        f"threshold {threshold:.2f} and 1 from it on. Its concave closure rises linearly from 0 "
        f"at belief 0 to 1 at the threshold, then stays at 1. "
        + (f"The prior {prior:.2f} is split into posteriors 0 and {threshold:.2f}, and the "
           if prior < threshold else f"No split helps at the prior {prior:.2f}; the ")
        + f"closure there equals {min(1.0, prior / threshold):.2f}, the highest conviction "
        f"probability the prosecutor can achieve."
    )


def concavification_widget(prior=0.3, threshold=0.5):
    """Prior and standard-of-proof sliders over the concavification picture.

    The static page precomputes the prior in steps of 0.04 and the threshold in steps
    of 0.1 (the live sliders: 0.02 and 0.05).

    Returns
    -------
    Widget

    Examples
    --------
    >>> w = concavification_widget()
    >>> w.default()
    {'prior': 0.3, 'threshold': 0.5}
    >>> w.update(threshold=0.6).endswith("closure at the prior = 0.500 (persuasion LP: 0.500)")
    True
    >>> len(w.lattice())  # 25 priors x 9 thresholds
    225
    """
    return Widget(
        "concavification",
        setup_concavification,
        refresh_concavification,
        {
            "prior": Slider("prior P(guilty)", 0.02, 0.98, 0.02, prior,
                            frames=np.arange(0.02, 0.99, 0.04)),
            "threshold": Slider("judge convicts iff P(guilty) ≥", 0.05, 0.95, 0.05, threshold,
                                frames=np.arange(0.1, 0.95, 0.1)),
        },
        alt=concavification_alt,
        figsize=(6.4, 4.0),
    )
