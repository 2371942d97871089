"""Chapter 1 figures: the sender's value curve, its concave closure and the optimal split.

The widget :func:`_concavification_widget` lets the reader move the prior and the
judge's standard of proof (the belief in guilt at which she convicts) and redraws
the prosecutor's value curve, its concave closure and the split of the prior that
attains it.  :func:`draw_concavification` draws the same picture as an ordinary
figure (the chapter's static figure).
"""

from __future__ import annotations

import numpy as np

from ..examples import threshold_receiver
from ..persuasion import concave_closure, optimal_persuasion, optimal_split, sender_value_curve
from ._common import PALETTE, Slider, Widget, title_number, value_line

__all__ = []

#: The prosecutor's utility ``v[a, θ]``: 1 for a conviction (action 0) in either state.
_PROSECUTOR = np.array([[1.0, 1.0], [0.0, 0.0]])


def _setup_concavification(fig, prior=0.3, threshold=0.5):
    """Draw the fixed parts of the concavification picture; return the changing artists.

    The axes limits do not depend on the controls: the sender's value always lies
    between the smallest and the largest entry of :data:`_PROSECUTOR` (0 and 1).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> a = _setup_concavification(Figure(), prior=0.3, threshold=0.5)
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
    # the prosecutor's payoffs, 0 and 1, with a margin (wider above)
    ax.set(xlabel="belief $p = P(guilty)$", ylabel="sender's expected utility", xlim=(0, 1),
           ylim=(-0.08, 1.24))
    # The title's words are drawn once; only its number is redrawn (text is slow to render).
    number = title_number(ax, "Persuading a judge with standard of proof", f"{threshold:.2f}")
    # Below the axes, where no moving artist can cross it (it is drawn once).
    ax.legend(handles=[value_line, closure_line, split_dots, value_dot], loc="upper center",
              bbox_to_anchor=(0.5, -0.16), ncols=2, fontsize="small")
    return {"value": value_line, "closure": closure_line, "split_line": split_line,
            "split_dots": split_dots, "value_dot": value_dot, "prior_line": prior_line,
            "threshold": number}


def _refresh_concavification(artists, prior=0.3, threshold=0.5):
    """Move the concavification picture to ``prior`` and ``threshold``; return the caption.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> a = _setup_concavification(Figure())
    >>> print(_refresh_concavification(a, prior=0.3, threshold=0.5))
    split the prior 0.30 into posteriors 0.00 (probability 0.40) and 0.50 (probability 0.60);
    conviction probability = closure at the prior = 0.600 (persuasion LP: 0.600)
    >>> [float(v[0]) for v in a["value_dot"].get_data()], a["split_dots"].get_visible()
    ([0.3, 0.6], True)
    >>> _ = _refresh_concavification(a, prior=0.7, threshold=0.5)  # above the threshold
    >>> [float(v[0]) for v in a["value_dot"].get_data()], a["split_dots"].get_visible()
    ([0.7, 1.0], False)
    """
    judge = threshold_receiver(threshold)
    artists["value"].set_data(*value_line(_PROSECUTOR, judge))
    artists["closure"].set_data(*concave_closure(_PROSECUTOR, judge))
    post, weights, value = optimal_split(prior, _PROSECUTOR, judge)
    split = bool(post[0] < post[1])
    for name in ("split_line", "split_dots"):  # shown when a split helps
        artists[name].set_data(post, sender_value_curve(post, _PROSECUTOR, judge))
        artists[name].set_visible(split)
    if split:
        text = (f"split the prior {prior:.2f} into posteriors {post[0]:.2f} (probability "
                f"{weights[0]:.2f}) and {post[1]:.2f} (probability {weights[1]:.2f})")
    else:
        text = f"no split helps at the prior {prior:.2f}"
    artists["value_dot"].set_data([prior], [value])
    artists["prior_line"].set_xdata([prior, prior])
    artists["threshold"].set_text(f"{threshold:.2f}")
    lp = optimal_persuasion([1.0 - prior, prior], _PROSECUTOR, judge).sender_value
    return (f"{text}; conviction probability = closure at the prior = {value:.3f} "
            f"(persuasion LP: {lp:.3f})")


def _concavification_alt(prior=0.3, threshold=0.5):
    """Alt text of the concavification figure.

    Examples
    --------
    >>> "split into posteriors 0 and 0.50, and the closure there equals 0.60" in _concavification_alt(0.3, 0.5)
    True
    >>> "threshold 0.40" in _concavification_alt(0.7, 0.4)
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


def _concavification_widget(prior=0.3, threshold=0.5):
    """Prior and standard-of-proof sliders over the concavification picture.

    The static page precomputes the prior in steps of 0.04 and the threshold in steps
    of 0.1 (the live sliders: 0.02 and 0.05).

    Returns
    -------
    Widget

    Examples
    --------
    >>> w = _concavification_widget()
    >>> w.default()
    {'prior': 0.3, 'threshold': 0.5}
    >>> w.update(threshold=0.6).endswith("closure at the prior = 0.500 (persuasion LP: 0.500)")
    True
    >>> len(w.lattice())  # 25 priors x 9 thresholds
    225
    """
    return Widget(
        "concavification",
        _setup_concavification,
        _refresh_concavification,
        {
            "prior": Slider("prior P(guilty)", 0.02, 0.98, 0.02, prior,
                            frames=np.arange(0.02, 0.99, 0.04)),
            "threshold": Slider("judge convicts iff P(guilty) ≥", 0.05, 0.95, 0.05, threshold,
                                frames=np.arange(0.1, 0.95, 0.1)),
        },
        alt=_concavification_alt,
        figsize=(6.4, 4.0),
    )
