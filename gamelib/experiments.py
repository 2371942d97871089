"""Experiments, Bayesian updating and what a user gets from information.

An **experiment** is a row-stochastic matrix ``π[θ, s]``: in state ``θ`` the
user sees signal ``s`` with probability ``π[θ, s]``.  Functions here accept a
single experiment ``[Θ, S]`` or a stack ``[..., Θ, S]`` and are vectorised over
the stack.  Users break ties between actions in favour of the lowest index.
"""

from __future__ import annotations

import itertools

import numpy as np

from ._validation import as_distribution, as_experiments, as_finite_array, as_int, choose, pad_signals


def reveal_nothing(n_states, n_signals=1):
    """The uninformative experiment: signal 0 whatever the state.

    Examples
    --------
    >>> from gamelib import reveal_nothing
    >>> reveal_nothing(2, n_signals=2)
    array([[1., 0.],
           [1., 0.]])
    """
    n_states = as_int(n_states, "n_states", 1)
    n_signals = as_int(n_signals, "n_signals", 1)
    return np.repeat(np.eye(1, n_signals), n_states, axis=0)


def reveal_everything(n_states, n_signals=None):
    """The fully revealing experiment: signal ``θ`` in state ``θ``.

    ``n_signals`` (default ``n_states``) pads with never-sent signals.

    Examples
    --------
    >>> from gamelib import reveal_everything
    >>> reveal_everything(2)
    array([[1., 0.],
           [0., 1.]])
    """
    n_states = as_int(n_states, "n_states", 1)
    n_signals = n_states if n_signals is None else as_int(n_signals, "n_signals", n_states)
    return np.eye(n_states, n_signals)


def _check_prior_experiment(prior, experiment):
    prior = as_distribution(prior, "prior")
    return prior, as_experiments(experiment, "experiment", n_states=prior.shape[0])


def posteriors(prior, experiment):
    """Posterior beliefs after each signal (Bayes' rule).

    Parameters
    ----------
    prior : array_like, shape [Θ]
    experiment : array_like, shape [..., Θ, S]

    Returns
    -------
    ndarray, shape [..., S, Θ]
        ``posteriors(prior, π)[s]`` is ``μ_s``.  For a signal that is never
        sent the posterior is defined to be the prior (it carries no weight).

    Examples
    --------
    Kamenica–Gentzkow's prosecutor: a signal sent with probability 0.6 leaves
    the judge exactly indifferent.

    >>> from gamelib import posteriors
    >>> posteriors([0.7, 0.3], [[4/7, 3/7], [0.0, 1.0]]).round(6)
    array([[1. , 0. ],
           [0.5, 0.5]])
    """
    prior, experiment = _check_prior_experiment(prior, experiment)
    joint = prior[:, None] * experiment  # [..., Θ, S]
    mass = joint.sum(axis=-2, keepdims=True)
    post = np.divide(joint, mass, out=np.broadcast_to(prior[:, None], joint.shape).copy(), where=mass > 0)
    return np.swapaxes(post, -1, -2)


def best_response(prior, experiment, utility):
    """The action a user takes after each signal (ties: lowest index).

    Parameters
    ----------
    prior : array_like, shape [Θ]
    experiment : array_like, shape [..., Θ, S]
    utility : array_like, shape [A, Θ]

    Returns
    -------
    ndarray of int, shape [..., S]

    Examples
    --------
    >>> from gamelib import best_response
    >>> judge = [[0.0, 1.0], [1.0, 0.0]]    # action 0 = convict, 1 = acquit
    >>> best_response([0.7, 0.3], [[4/7, 3/7], [0.0, 1.0]], judge)
    array([1, 0])
    """
    prior, experiment = _check_prior_experiment(prior, experiment)
    utility = as_finite_array(utility, "utility", shape=(None, prior.shape[0]))
    return choose(np.einsum("t,...ts,at->...sa", prior, experiment, utility))  # Σ_θ μ(θ) π[θ, s] u(a, θ): [..., S, A]


def user_value(prior, experiment, utility):
    """A user's expected utility from an experiment, ``V(π)``.

    ``V(π) = Σ_s max_a Σ_θ μ(θ) π[θ, s] u(a, θ)``.

    Parameters
    ----------
    prior : array_like, shape [Θ]
    experiment : array_like, shape [..., Θ, S]
    utility : array_like, shape [A, Θ] or [n, A, Θ]
        One user's utility, or a stack of ``n`` users' utilities.

    Returns
    -------
    ndarray, shape [...] or [..., n]

    Examples
    --------
    >>> import numpy as np
    >>> from gamelib import user_value, reveal_nothing, reveal_everything
    >>> u = np.array([[1.0, 0.0], [0.0, 1.0]])          # guess the state
    >>> float(user_value([0.5, 0.5], reveal_nothing(2), u))
    0.5
    >>> float(user_value([0.5, 0.5], reveal_everything(2), u))
    1.0
    """
    prior, experiment = _check_prior_experiment(prior, experiment)
    utility = as_finite_array(utility, "utility")
    if utility.ndim not in (2, 3) or utility.shape[-1] != prior.shape[0]:
        raise ValueError(f"utility: expected shape [A, Θ] or [n, A, Θ] with Θ = {prior.shape[0]}, got {utility.shape}")
    stacked = utility.reshape((-1,) + utility.shape[-2:])  # [n, A, Θ]; n = 1 for one user
    value = np.einsum("t,...ts,jat->...jsa", prior, experiment, stacked).max(axis=-1).sum(axis=-1)  # [..., n]
    return value[..., 0] if utility.ndim == 2 else value


def is_informative(prior, experiment):
    """Whether some signal moves the posterior away from the prior.

    Vectorised over a stack of experiments.

    Examples
    --------
    >>> from gamelib import is_informative, experiment_grid
    >>> grid = experiment_grid(2, 2)
    >>> int(is_informative([0.5, 0.5], grid).sum()), len(grid)
    (6, 9)
    """
    prior, experiment = _check_prior_experiment(prior, experiment)
    joint = prior[:, None] * experiment
    expected = prior[:, None] * joint.sum(axis=-2, keepdims=True)
    return np.any(np.abs(joint - expected) > 1e-12, axis=(-2, -1))


def experiment_grid(n_states, resolution, n_signals=2):
    """A finite grid of experiments, the strategy set of the enumerations.

    Each row ``π[θ, ·]`` runs over the probability vectors on ``n_signals``
    signals whose entries are multiples of ``1/resolution``; all combinations
    across states are taken.  Reveal-nothing is always in the grid (first);
    reveal-everything is appended if the grid lacks it (e.g. when
    ``n_signals < n_states``), padding every experiment to
    ``max(n_signals, n_states)`` signals with never-sent signals.

    Parameters
    ----------
    n_states : int
    resolution : int
        Denominator of the grid; ``resolution=1`` gives deterministic experiments.
    n_signals : int, default 2

    Returns
    -------
    ndarray, shape [E, Θ, S]
        With binary signals ``E = (resolution + 1) ** n_states`` (plus one
        when reveal-everything had to be appended).

    Examples
    --------
    >>> from gamelib import experiment_grid
    >>> g = experiment_grid(2, 20)
    >>> g.shape
    (441, 2, 2)
    >>> g[0]
    array([[1., 0.],
           [1., 0.]])
    >>> experiment_grid(3, 1).shape      # 2**3 deterministic ones + reveal-everything
    (9, 3, 3)
    """
    n_states = as_int(n_states, "n_states", 1)
    resolution = as_int(resolution, "resolution", 1)
    n_signals = as_int(n_signals, "n_signals", 1)
    # the rows [R, S]: multiples of 1/resolution summing to one, (1, 0, ..., 0) first
    rows = [c for c in itertools.product(range(resolution, -1, -1), repeat=n_signals) if sum(c) == resolution]
    rows = np.array(rows, dtype=float) / resolution
    count = len(rows) ** n_states
    if count > 5_000_000:
        raise ValueError(
            f"resolution: a grid of {count} experiments is too large; lower resolution or n_signals"
        )
    idx = np.indices((len(rows),) * n_states).reshape(n_states, -1).T  # [E, Θ]
    grid = pad_signals(rows[idx], max(n_signals, n_states))  # [E, Θ, S]
    full = reveal_everything(n_states, grid.shape[-1])
    if not np.any(np.all(np.abs(grid - full) < 1e-12, axis=(1, 2))):
        grid = np.concatenate([grid, full[None]], axis=0)
    return grid


def split_experiment(prior, posteriors, weights):
    """The experiment that splits the prior into the given posteriors (the splitting lemma).

    For a Bayes-plausible distribution of posteriors — weights ``τ_s ≥ 0``
    summing to one with ``Σ_s τ_s q_s = μ`` — the experiment
    ``π[θ, s] = τ_s q_s(θ) / μ(θ)`` sends signal ``s`` with probability ``τ_s``
    and leaves the posterior ``q_s`` after it (chapter 1).

    Parameters
    ----------
    prior : array_like, shape [Θ]
        Full support.
    posteriors : array_like, shape [S, Θ]
        One probability vector per signal.
    weights : array_like, shape [S]
        The probability of each signal.

    Returns
    -------
    ndarray, shape [Θ, S]

    Raises
    ------
    ValueError
        If the weighted posteriors do not average to the prior.

    Examples
    --------
    The prosecutor's optimal split of the prior 0.3: posterior 0 with
    probability 0.4, posterior ½ with probability 0.6.

    >>> from gamelib.experiments import split_experiment
    >>> split_experiment([0.7, 0.3], [[1.0, 0.0], [0.5, 0.5]], [0.4, 0.6]).round(4)
    array([[0.5714, 0.4286],
           [0.    , 1.    ]])
    """
    prior = as_distribution(prior, "prior", full_support=True)
    posteriors = as_finite_array(posteriors, "posteriors", shape=(None, prior.shape[0]))
    as_experiments(posteriors, "posteriors")  # each row a probability vector
    weights = as_distribution(weights, "weights", length=posteriors.shape[0])
    mean = weights @ posteriors
    if np.any(np.abs(mean - prior) > 1e-9):
        raise ValueError(
            f"posteriors: not Bayes-plausible, they average to {np.round(mean, 12).tolist()} "
            f"instead of the prior {prior.tolist()}"
        )
    return (weights[:, None] * posteriors / prior[None, :]).T


def symmetric_experiment(q):
    """The binary experiment that reports a binary state correctly with probability ``q``.

    Vectorised: an array of accuracies gives a stack of experiments.

    Parameters
    ----------
    q : float or array_like
        Accuracies in ``[0, 1]``.

    Returns
    -------
    ndarray, shape [..., 2, 2]
        Rows ``(q, 1 − q)`` and ``(1 − q, q)``.

    Examples
    --------
    >>> from gamelib.experiments import symmetric_experiment
    >>> symmetric_experiment(0.75)
    array([[0.75, 0.25],
           [0.25, 0.75]])
    >>> symmetric_experiment([0.5, 1.0]).shape
    (2, 2, 2)
    """
    q = as_finite_array(q, "q", minimum=0.0, maximum=1.0)
    return np.stack([np.stack([q, 1.0 - q], axis=-1), np.stack([1.0 - q, q], axis=-1)], axis=-2)
