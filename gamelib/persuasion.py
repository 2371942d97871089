"""Single-sender Bayesian persuasion (Kamenica & Gentzkow, 2011).

Two views of the sender's problem (chapter 1):

* :func:`optimal_persuasion` — the exact linear program over *action
  recommendations*: choose ``π(a | θ)`` to maximise the sender's expected
  utility subject to obedience (following a recommendation is a best
  response).  By the revelation principle this is without loss of
  generality, and ties are broken in the sender's favour, as in KG.
* for two states, :func:`sender_value_curve`, :func:`concave_closure` and
  :func:`optimal_split` — the sender's value as a function of the posterior,
  its concave closure, and the split of the prior that attains it.

For two states a belief is the number ``p = P(θ = 1)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import VALUE_ATOL, as_distribution, as_finite_array, as_real, as_tie_rule


@dataclass(frozen=True)
class PersuasionResult:
    """Solution of the sender's problem.

    Attributes
    ----------
    experiment : ndarray, shape [Θ, A]
        ``experiment[θ, a]`` is the probability of recommending action ``a`` in state ``θ``.
    sender_value : float
        The sender's expected utility.
    receiver_value : float
        The receiver's expected utility when she obeys.
    action_probabilities : ndarray, shape [A]
        Unconditional probability of each recommended action.

    Examples
    --------
    The prosecutor convicts with probability 0.6 (her payoff); the judge is
    right with probability 0.7, no more than without evidence:

    >>> from gamelib import examples, optimal_persuasion
    >>> m = examples.prosecutor()
    >>> res = optimal_persuasion(m.prior, m.provider_utility[0, 0], m.user_utility[0])
    >>> res.action_probabilities.round(9), round(res.sender_value, 9), round(res.receiver_value, 9)
    (array([0.6, 0.4]), 0.6, 0.7)
    >>> round(7 * float(res.experiment[0, 0]), 9)     # P(convict | innocent) = 3/7
    3.0
    >>> bool(np.allclose(m.prior @ res.experiment, res.action_probabilities))
    True
    """

    experiment: np.ndarray
    sender_value: float
    receiver_value: float
    action_probabilities: np.ndarray


def _check_pair(sender_utility, receiver_utility, n_states=2):
    """Sender and receiver utilities ``[A, Θ]`` of the same shape (two states unless told)."""
    receiver_utility = as_finite_array(receiver_utility, "receiver_utility", shape=(None, n_states))
    sender_utility = as_finite_array(sender_utility, "sender_utility", shape=(receiver_utility.shape[0], n_states))
    return sender_utility, receiver_utility


def optimal_persuasion(prior, sender_utility, receiver_utility):
    """The sender-optimal experiment, by linear programming.

    Maximise ``Σ_θ Σ_a μ(θ) x[θ, a] v(a, θ)`` over row-stochastic ``x`` subject
    to obedience: for every recommended ``a`` and alternative ``a'``,
    ``Σ_θ μ(θ) x[θ, a] (u(a, θ) − u(a', θ)) ≥ 0``.

    Parameters
    ----------
    prior : array_like, shape [Θ]
    sender_utility : array_like, shape [A, Θ]
    receiver_utility : array_like, shape [A, Θ]

    Returns
    -------
    PersuasionResult

    Examples
    --------
    The prosecutor (action 0 = convict, state 1 = guilty, prior 0.3 guilty):

    >>> from gamelib import optimal_persuasion
    >>> judge = [[0, 1], [1, 0]]
    >>> prosecutor = [[1, 1], [0, 0]]
    >>> res = optimal_persuasion([0.7, 0.3], prosecutor, judge)
    >>> round(res.sender_value, 9)
    0.6
    >>> res.experiment.round(4)          # P(convict | innocent) = 3/7
    array([[0.4286, 0.5714],
           [1.    , 0.    ]])
    """
    prior = as_distribution(prior, "prior")
    v, u = _check_pair(sender_utility, receiver_utility, prior.shape[0])
    n_actions, n_states = u.shape
    c = -(prior[:, None] * v.T).ravel()  # x[θ, a] flattened θ-major
    a_eq = np.kron(np.eye(n_states), np.ones(n_actions))  # each row of x sums to one
    a, b = np.nonzero(~np.eye(n_actions, dtype=bool))  # pairs a ≠ b
    # obedience, ≤ 0 form: row (a, b) is −μ(θ)(u(a, θ) − u(b, θ)) in column (θ, a)
    a_ub = np.zeros((len(a), n_states, n_actions))
    a_ub[np.arange(len(a)), :, a] = -prior * (u[a] - u[b])
    from scipy.optimize import linprog  # imported on first use: keeps `import gamelib` light

    res = linprog(c, A_ub=a_ub.reshape(len(a), c.size), b_ub=np.zeros(len(a)), A_eq=a_eq, b_eq=np.ones(n_states),
                  bounds=(0, 1), method="highs")
    if res.status != 0:  # pragma: no cover - the LP is always feasible (full revelation)
        raise RuntimeError(f"persuasion LP failed: {res.message}")
    x = np.clip(res.x.reshape(n_states, n_actions), 0.0, None)
    x /= x.sum(axis=1, keepdims=True)
    joint = prior[:, None] * x
    return PersuasionResult(x, float(np.sum(joint * v.T)), float(np.sum(joint * u.T)), joint.sum(axis=0))


def sender_value_curve(beliefs, sender_utility, receiver_utility, ties="sender"):
    """The sender's expected utility when the receiver holds belief ``p``.

    Two states only; ``p = P(θ = 1)``.  The receiver plays a best response;
    among her best responses she picks the sender's favourite (``ties="sender"``,
    the Kamenica–Gentzkow convention), the lowest index (``ties="lowest"``,
    the convention of the market model) or the sender's least favourite
    (``ties="adverse"``, chapter 7).

    Examples
    --------
    >>> from gamelib import sender_value_curve
    >>> judge, prosecutor = [[0, 1], [1, 0]], [[1, 1], [0, 0]]
    >>> sender_value_curve([0.3, 0.5, 0.8], prosecutor, judge)
    array([0., 1., 1.])
    >>> sender_value_curve([0.3, 0.5, 0.8], prosecutor, judge, ties="adverse")  # tie at 1/2
    array([0., 0., 1.])
    """
    p = as_finite_array(beliefs, "beliefs", minimum=0.0, maximum=1.0)  # beliefs P(θ = 1)
    v, u = _check_pair(sender_utility, receiver_utility)
    ties = as_tie_rule(ties)
    # the receiver's and the sender's expected utility of each action at each belief, [..., A]
    scores, sender = (np.multiply.outer(1 - p, w[:, 0]) + np.multiply.outer(p, w[:, 1]) for w in (u, v))
    best = scores >= scores.max(axis=-1, keepdims=True) - VALUE_ATOL
    if ties == "lowest":
        return np.take_along_axis(sender, np.argmax(best, axis=-1)[..., None], axis=-1)[..., 0]
    sign = 1.0 if ties == "sender" else -1.0  # the sender's best, or worst, best response
    return sign * np.where(best, sign * sender, -np.inf).max(axis=-1)


def concave_closure(sender_utility, receiver_utility):
    """Knots of the concave closure of the sender's value curve (two states).

    The value curve is piecewise linear between the beliefs at which the
    receiver switches action; its concave closure is the upper concave
    envelope of the curve's values at those switch points and at 0 and 1
    (with sender-favourable ties, the curve is upper semicontinuous, so the
    envelope is attained).

    Returns
    -------
    beliefs, values : ndarray, ndarray
        The closure is the piecewise-linear interpolation of these points.

    Examples
    --------
    >>> from gamelib import concave_closure
    >>> judge, prosecutor = [[0, 1], [1, 0]], [[1, 1], [0, 0]]
    >>> concave_closure(prosecutor, judge)
    (array([0. , 0.5, 1. ]), array([0., 1., 1.]))
    """
    v, u = _check_pair(sender_utility, receiver_utility)
    xs = _indifference_beliefs(u)
    ys = sender_value_curve(xs, v, u, ties="sender")
    hull = []
    for x, y in zip(xs, ys):  # monotone-chain upper hull, x increasing
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = hull[-2:]
            if (y2 - y1) * (x - x1) > (y - y1) * (x2 - x1) + 1e-15:
                break
            hull.pop()
        hull.append((x, y))
    return tuple(np.array(coords) for coords in zip(*hull))


def _indifference_beliefs(utility):
    """Beliefs ``p = P(θ = 1)`` at which two of a receiver's actions tie, with 0 and 1: sorted, unique.

    ``utility [..., A, 2]`` may stack several receivers; every receiver's beliefs are pooled.
    """
    a, b = np.triu_indices(utility.shape[-2], 1)
    gap = utility[..., a, :] - utility[..., b, :]  # [..., P, 2]: u(a, θ) − u(b, θ)
    slope = gap[..., 0] - gap[..., 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(slope != 0, gap[..., 0] / slope, -1.0)
    return np.unique(np.r_[0.0, 1.0, p[(p > 0.0) & (p < 1.0)]])


def optimal_split(belief, sender_utility, receiver_utility):
    """The Bayes-plausible split of the prior that attains the concave closure.

    Parameters
    ----------
    belief : float
        The prior ``P(θ = 1)``.

    Returns
    -------
    posteriors : ndarray, shape [2]
        The two posteriors ``p_low ≤ belief ≤ p_high`` (equal when no split helps).
    weights : ndarray, shape [2]
        Their probabilities; ``weights @ posteriors == belief``.
    value : float
        The closure at ``belief``: the sender's optimal expected utility.

    Examples
    --------
    >>> from gamelib import optimal_split
    >>> judge, prosecutor = [[0, 1], [1, 0]], [[1, 1], [0, 0]]
    >>> post, w, value = optimal_split(0.3, prosecutor, judge)
    >>> post, w.round(9), round(value, 9)
    (array([0. , 0.5]), array([0.4, 0.6]), 0.6)
    """
    p = as_real(belief, "belief", 0.0, 1.0)
    v, u = _check_pair(sender_utility, receiver_utility)
    xs, ys = concave_closure(v, u)
    value = float(np.interp(p, xs, ys))
    if sender_value_curve(p, v, u, ties="sender") >= value - VALUE_ATOL:
        return np.array([p, p]), np.array([1.0, 0.0]), value  # no split needed
    i = int(np.searchsorted(xs, p, side="right")) - 1  # xs[i] < p < xs[i + 1]
    lo, hi = xs[i], xs[i + 1]
    w_hi = (p - lo) / (hi - lo)
    return np.array([lo, hi]), np.array([1 - w_hi, w_hi]), value
