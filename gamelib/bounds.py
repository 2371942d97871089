"""The three results, checked by computation (chapters 4–6).

Theorem 4.1 (personalization), Proposition 5.1 (anonymous silence) and Theorem 6.1
(strong alignment) are statements about *every* equilibrium, or about the
*existence* of one.  This module turns each into a computation over the exact
equilibrium enumeration of :func:`gamelib.equilibria`:

* :func:`check_bound` — the slack of Theorem 4.1 (``V_j − (OPT_j − 2ε_j)``, per
  user sub-game) or of Theorem 6.1 (``2ε − Σ_j m_j (OPT_j − V_j)``) on every
  enumerated equilibrium of one market; :func:`bound_survey` repeats it over
  many seeded random markets;
* :func:`silent_profile`, :func:`deviation_summary` — a profile and the best
  unilateral deviation from it over a finite set of experiments or menus;
* :func:`silence_margins` — the closed form of Proposition 5.1 in the
  opposite-tastes market with general masses and stakes;
* :func:`interpolation_path` — equilibria, alignment and bounds along
  ``mix_markets(first, second, t)`` (at ``t = 0, 1``: the four regimes,
  personalized / anonymous × weak / strong alignment, side by side).

A slack is non-negative exactly when the bound holds; a value below
``-VALUE_ATOL`` would be a counterexample to the theorem.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import VALUE_ATOL, as_experiments, as_finite_array, as_int, as_mode
from .alignment import strong_alignment, weak_alignment
from .equilibrium import _best_row, _check_policy, _deviation_search, equilibria, outcome_tables
from .examples import random_market
from .experiments import experiment_grid, is_informative, reveal_nothing
from .market import _check_market, aligned_value, best_actions, mix_markets, uninformed_value

# ----------------------------------------------------------------------------
# Theorems 4.1 and 6.1 on every enumerated equilibrium
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BoundCheck:
    """The slack of Theorem 4.1 or Theorem 6.1 on every enumerated equilibrium.

    Attributes
    ----------
    mode : str
        ``"personalized"`` (Theorem 4.1) or ``"anonymous"`` (Theorem 6.1).
    eps : ndarray
        Personalized: each user's smallest WMA gap ``ε_j``, shape [n].
        Anonymous: the smallest SMA gap ``ε``, shape [1].
    opt : ndarray, shape [n]
        ``OPT_j``.
    slack : ndarray, shape [N]
        Personalized: ``V_j − (OPT_j − 2ε_j)`` for every equilibrium of every
        user's sub-game (the personalized game separates across users, so
        these are all the values ``V_j`` any equilibrium can give).
        Anonymous: ``2ε − Σ_j m_j (OPT_j − V_j)`` for every equilibrium.
    user : ndarray of int, shape [N]
        The user of each slack entry (personalized), ``-1`` (anonymous).

    Examples
    --------
    Theorem 6.1 in the opposite-tastes market (SMA ε = 3/8): the worst of the 29
    anonymous equilibria, silence, loses ``Σ_j m_j (OPT_j − V_j) = 1/4`` against
    a bound ``2ε = 3/4``; personalized mode has 18 equilibria per user sub-game.

    >>> from gamelib import examples, experiment_grid
    >>> from gamelib.bounds import check_bound
    >>> m, grid = examples.opposite_tastes(), experiment_grid(2, 2)
    >>> chk = check_bound(m, grid, "anonymous")
    >>> chk.eps, chk.opt, chk.slack.shape, set(chk.user.tolist()), chk.min_slack, chk.holds
    (array([0.375]), array([0.5, 0.5]), (29,), {-1}, 0.5, True)
    >>> np.bincount(check_bound(m, grid, "personalized").user)
    array([18, 18])
    """

    mode: str
    eps: np.ndarray
    opt: np.ndarray
    slack: np.ndarray
    user: np.ndarray

    @property
    def min_slack(self):
        """Smallest slack (``inf`` if there is no equilibrium)."""
        return float(self.slack.min()) if self.slack.size else float("inf")

    @property
    def holds(self):
        """Whether the bound holds on every enumerated equilibrium."""
        return self.min_slack >= -VALUE_ATOL


def check_bound(market, experiments, mode, cone=False):
    """Slack of the bound of Theorem 4.1 (personalized) or 6.1 (anonymous) on every equilibrium.

    Parameters
    ----------
    market : Market
    experiments : array_like, shape [E, Θ, S]
        Strategy set of every provider (should contain reveal-everything, the
        deviation the proofs use; :func:`gamelib.experiment_grid` always does).
    mode : {"personalized", "anonymous"}
    cone : bool, default False
        Measure alignment with non-negative (cone) weights instead of the simplex.

    Returns
    -------
    BoundCheck

    Examples
    --------
    In the opposite-tastes market (WMA(0)), every personalized equilibrium gives
    each user exactly ``OPT_j``: all slacks are zero.

    >>> from gamelib import examples, experiment_grid
    >>> from gamelib.bounds import check_bound
    >>> chk = check_bound(examples.opposite_tastes(), experiment_grid(2, 2), "personalized")
    >>> chk.eps, chk.holds, float(chk.slack.max())
    (array([0., 0.]), True, 0.0)
    >>> check_bound(examples.opposite_tastes(), experiment_grid(2, 2), "anonymous").min_slack
    0.5
    """
    eqs = equilibria(market, experiments, mode)  # checks market, experiments and mode
    opt = aligned_value(market)
    if eqs.mode == "personalized":
        eps = np.array([c.eps for c in weak_alignment(market, cone=cone)])
        parts = [g.user_values[:, 0] - (opt[j] - 2 * eps[j]) for j, g in enumerate(eqs.per_user)]
        users = [np.full(len(p), j) for j, p in enumerate(parts)]
        return BoundCheck(eqs.mode, eps, opt, np.concatenate(parts), np.concatenate(users))
    eps = np.array([strong_alignment(market, cone=cone).eps])
    slack = 2 * eps[0] - (opt - eqs.user_values) @ market.masses  # [N]; empty if there is no equilibrium
    return BoundCheck(eqs.mode, eps, opt, slack, np.full(len(slack), -1))


@dataclass(frozen=True)
class Survey:
    """Theorem 4.1 or 6.1 checked on many random markets (:func:`bound_survey`).

    Attributes
    ----------
    seeds : ndarray of int, shape [M]
        Seed of each market (``random_market(seed, ...)``).
    shapes : ndarray of int, shape [M, 4]
        ``(n_states, n_actions, n_providers, n_users)`` of each market.
    eps : ndarray, shape [M]
        Largest WMA gap over users (personalized) or the SMA gap (anonymous).
    min_slack : ndarray, shape [M]
        Smallest slack over the market's equilibria.
    n_equilibria : ndarray of int, shape [M]
        Number of enumerated equilibria (personalized: summed over the users'
        sub-games).
    slack : ndarray, shape [N]
        Every slack of every market, concatenated.
    market : ndarray of int, shape [N]
        Position (0..M-1) of the market of each slack entry.

    Examples
    --------
    Three weakly aligned markets perturbed by at most 0.05, so each ``ε ≤ 0.05``:

    >>> from gamelib.bounds import bound_survey
    >>> s = bound_survey(3, "personalized", "weak", noise=0.05, resolution=3)
    >>> s.seeds, s.shapes.shape, bool((s.eps <= 0.05).all()), s.holds
    (array([0, 1, 2]), (3, 4), True, True)
    >>> int(s.n_equilibria.sum()) == len(s.slack)        # one slack per equilibrium
    True
    >>> bool(np.allclose([s.slack[s.market == r].min() for r in range(3)], s.min_slack))
    True
    """

    seeds: np.ndarray
    shapes: np.ndarray
    eps: np.ndarray
    min_slack: np.ndarray
    n_equilibria: np.ndarray
    slack: np.ndarray
    market: np.ndarray

    @property
    def holds(self):
        """Whether the bound holds on every equilibrium of every market."""
        return bool(np.all(self.min_slack >= -VALUE_ATOL))


def bound_survey(n_markets, mode, alignment, noise=0.0, resolution=4, seed=0):
    """Check Theorem 4.1 or 6.1 on every equilibrium of many seeded random markets.

    Market ``r`` is ``random_market(seed + r, ...)`` with a shape drawn from
    ``numpy.random.default_rng(seed)``: 2 or 3 states, 2 or 3 actions, 2 or 3
    providers, 1 to 4 users.  Providers choose from
    ``experiment_grid(2, resolution)`` (binary states) or
    ``experiment_grid(3, 2)`` (ternary states).

    Parameters
    ----------
    n_markets : int
    mode : {"personalized", "anonymous"}
    alignment : {None, "weak", "strong"}
        Passed to :func:`gamelib.examples.random_market`.
    noise : float, default 0
        Perturbation of the users' utilities (so ε ≤ noise).
    resolution : int, default 4
        Grid resolution for binary-state markets.
    seed : int, default 0

    Returns
    -------
    Survey

    Examples
    --------
    >>> from gamelib.bounds import bound_survey
    >>> s = bound_survey(3, "personalized", "weak", noise=0.05, resolution=3)
    >>> s.holds, s.shapes.shape
    (True, (3, 4))
    """
    n_markets = as_int(n_markets, "n_markets", 1)
    mode = as_mode(mode)  # random_market checks alignment and noise
    resolution = as_int(resolution, "resolution", 1)
    seed = as_int(seed, "seed", 0)
    rng = np.random.default_rng(seed)
    # states, actions, providers (2 or 3 each) and users (1 to 4), drawn in that order
    shapes = np.column_stack([rng.integers(lo, hi, n_markets) for lo, hi in ((2, 4), (2, 4), (2, 4), (1, 5))])
    grids = {n_s: experiment_grid(n_s, resolution if n_s == 2 else 2) for n_s in np.unique(shapes[:, 0]).tolist()}
    markets = [random_market(seed + r, *s, alignment=alignment, noise=noise) for r, s in enumerate(shapes.tolist())]
    checks = [check_bound(m, grids[m.n_states], mode) for m in markets]
    slacks = [c.slack for c in checks]
    return Survey(seed + np.arange(n_markets), shapes, np.array([float(c.eps.max()) for c in checks]),
                  np.array([c.min_slack for c in checks]), np.array([len(s) for s in slacks]), np.concatenate(slacks),
                  np.concatenate([np.full(len(s), r) for r, s in enumerate(slacks)]))


@dataclass(frozen=True)
class Chain:
    """The inequality chain of the proofs of Theorems 4.1 and 6.1, evaluated on one equilibrium.

    Attributes
    ----------
    mode : str
    values : ndarray, shape [n]
        The users' equilibrium values ``V_j``.
    opt : ndarray, shape [n]
    equilibrium_payoffs : ndarray, shape [k, n]
        ``E_eq[U_i^j]``: provider ``i``'s expected utility from user ``j``'s
        equilibrium action (not weighted by the mass).
    revealed_payoffs : ndarray, shape [k, n]
        ``E_{P*}[U_i^j] = Σ_θ μ(θ) U_i^j(a*_j(θ), θ)``: the same after the
        reveal-everything deviation, when user ``j`` plays her best action.
    weights : ndarray
        WMA weights ``[n, k]`` (personalized) or the common SMA weights ``[k]``.
    offsets : ndarray, shape [n]
    eps : ndarray
        Per-user WMA gaps ``[n]`` or the SMA gap ``[1]``.
    terms : ndarray
        Personalized, shape [n, 4]: for each user
        ``(V_j − c_j + ε_j, Σ_i w^j_i E_eq[U_i^j], Σ_i w^j_i E_{P*}[U_i^j], OPT_j − c_j − ε_j)``.
        Anonymous, shape [4]: the same summed over users with masses ``m_j``
        and the common weights.  The proofs show each row is non-increasing.

    Examples
    --------
    Theorem 6.1's chain on the worst anonymous equilibrium of the opposite-tastes
    market (silence; SMA ε = 3/8 with weights (1/2, 1/2)).  First minus last
    term is the slack ``2ε − Σ_j m_j (OPT_j − V_j) = 3/4 − 1/4``:

    >>> from gamelib import examples, experiment_grid
    >>> from gamelib.bounds import proof_chain
    >>> ch = proof_chain(examples.opposite_tastes(), experiment_grid(2, 2), "anonymous")
    >>> ch.values, ch.weights, ch.offsets, ch.eps
    (array([0.25, 0.25]), array([0.5, 0.5]), array([-0.125, -0.125]), array([0.375]))
    >>> ch.terms, ch.holds
    (array([0.75 , 0.375, 0.25 , 0.25 ]), True)
    """

    mode: str
    values: np.ndarray
    opt: np.ndarray
    equilibrium_payoffs: np.ndarray
    revealed_payoffs: np.ndarray
    weights: np.ndarray
    offsets: np.ndarray
    eps: np.ndarray
    terms: np.ndarray

    @property
    def holds(self):
        """Whether every step of the chain holds (up to ``VALUE_ATOL``)."""
        return bool(np.all(np.diff(self.terms, axis=-1) <= VALUE_ATOL))


def _revealed_payoffs(market):
    """``E_{P*}[U_i^j]``: each provider's utility when each user is told the state.

    User ``j`` then plays ``a*_j(θ)`` (lowest-index best action).

    Returns
    -------
    ndarray, shape [k, n]

    Examples
    --------
    >>> from gamelib import examples
    >>> from gamelib.bounds import _revealed_payoffs
    >>> _revealed_payoffs(examples.opposite_tastes())
    array([[0.5, 0. ],
           [0. , 0.5]])
    """
    best = best_actions(market)  # [n, Θ]; checks the market
    u = market.provider_utility[:, np.arange(market.n_users)[:, None], best, np.arange(market.n_states)]  # [k, n, Θ]
    return u @ market.prior


def proof_chain(market, experiments, mode):
    """Evaluate the proof's chain of inequalities on the worst enumerated equilibrium.

    Personalized (Theorem 4.1): for each user the equilibrium of her sub-game
    that gives her the least (the sub-games combine into one equilibrium).
    Anonymous (Theorem 6.1): the equilibrium with the largest
    ``Σ_j m_j (OPT_j − V_j)``.

    Parameters
    ----------
    market : Market
    experiments : array_like, shape [E, Θ, S]
    mode : {"personalized", "anonymous"}

    Returns
    -------
    Chain

    Examples
    --------
    >>> from gamelib import examples, experiment_grid
    >>> from gamelib.bounds import proof_chain
    >>> ch = proof_chain(examples.opposite_tastes(aligned=True), experiment_grid(2, 2), "anonymous")
    >>> ch.terms, ch.holds
    (array([0.5, 0.5, 0.5, 0.5]), True)
    """
    eqs = equilibria(market, experiments, mode)  # checks market, experiments and mode
    if len(eqs) == 0:
        raise ValueError("experiments: no pure equilibrium over these experiments")
    opt = aligned_value(market)
    star = _revealed_payoffs(market)
    if mode == "personalized":
        rows = [int(np.argmin(g.user_values)) for g in eqs.per_user]
        values = np.array([g.user_values[r, 0] for g, r in zip(eqs.per_user, rows)])
        eq_pay = np.stack([g.provider_values[r] for g, r in zip(eqs.per_user, rows)], axis=1) / market.masses  # [k, n]
        # weights [n, k], offsets [n] and gaps [n] of the users' WMA certificates
        w, c, eps = (np.array(col) for col in zip(*((c.weights, c.offset, c.eps) for c in weak_alignment(market))))
        terms = np.stack([values - c + eps, np.einsum("ji,ij->j", w, eq_pay), np.einsum("ji,ij->j", w, star),
                          opt - c - eps], axis=1)
        return Chain(mode, values, opt, eq_pay, star, w, c, eps, terms)
    r = int(np.argmax((opt - eqs.user_values) @ market.masses))  # the largest loss
    values, consumed = eqs.user_values[r], eqs.consumed[r]
    _, payoffs, _ = outcome_tables(market, experiments)
    eq_pay = payoffs[:, consumed, np.arange(market.n_users)]  # [k, n]
    cert = strong_alignment(market)
    w, c, eps = cert.weights, cert.offsets, cert.eps
    m = market.masses
    terms = np.array([m @ (values - c) + eps, w @ eq_pay @ m, w @ star @ m, m @ (opt - c) - eps])
    return Chain(mode, values, opt, eq_pay, star, w, c, np.array([eps]), terms)


# ----------------------------------------------------------------------------
# Profiles and deviations from them
# ----------------------------------------------------------------------------


def silent_profile(market, mode, n_signals=2):
    """The profile in which every provider reveals nothing (to everyone).

    Returns
    -------
    ndarray
        ``[k, n, Θ, S]`` (personalized) or ``[k, Θ, S]`` (anonymous).

    Examples
    --------
    >>> from gamelib import examples
    >>> from gamelib.bounds import silent_profile
    >>> silent_profile(examples.opposite_tastes(), "anonymous").shape
    (2, 2, 2)
    >>> silent_profile(examples.opposite_tastes(), "personalized").shape
    (2, 2, 2, 2)
    """
    market = _check_market(market)
    mode = as_mode(mode)
    experiment = reveal_nothing(market.n_states, n_signals)  # checks n_signals
    shape = (market.n_providers, market.n_users) if mode == "personalized" else (market.n_providers,)
    return np.broadcast_to(experiment, shape + experiment.shape).copy()


@dataclass(frozen=True)
class DeviationSummary:
    """The best unilateral deviations from a profile over a finite candidate set.

    Attributes
    ----------
    max_gain : float
        Largest gain of any candidate deviation of any provider (``0`` means
        "nothing changes" is the best; the profile is an equilibrium against
        these candidates iff ``max_gain <= VALUE_ATOL``).
    best_informative_gain : float
        Largest gain among deviations to an *informative* experiment (or a menu
        with at least one informative item); ``-inf`` if there is none.
    provider : int
        The provider achieving ``max_gain``.
    user : int or None
        The user whose experiment changes (personalized mode).
    candidate : ndarray of int
        Indices into the candidate experiments of the best deviation (a menu).
    n_candidates : int
        Number of deviations examined (all providers, users and menus).

    Examples
    --------
    Personalized silence in the opposite-tastes market: of the 2 × 2 × 9
    candidate deviations, the best is provider 1 revealing the state to user 0,
    worth 1/8.

    >>> from gamelib import examples, experiment_grid
    >>> from gamelib.bounds import deviation_summary, silent_profile
    >>> m, grid = examples.opposite_tastes(), experiment_grid(2, 2)
    >>> d = deviation_summary(m, silent_profile(m, "personalized"), "personalized", grid)
    >>> d.max_gain, d.best_informative_gain, d.provider, d.user, d.n_candidates, d.is_equilibrium
    (0.125, 0.125, 0, 0, 36, False)
    >>> grid[d.candidate[0]]                  # reveal everything
    array([[1., 0.],
           [0., 1.]])
    """

    max_gain: float
    best_informative_gain: float
    provider: int
    user: int | None
    candidate: np.ndarray
    n_candidates: int

    @property
    def is_equilibrium(self):
        """Whether no candidate deviation is strictly profitable."""
        return self.max_gain <= VALUE_ATOL


def deviation_summary(market, policy, mode, experiments, menu_size=1):
    """Best deviation of every provider from ``policy`` over ``experiments`` (or menus of them).

    Parameters
    ----------
    market : Market
    policy : array_like
        As in :func:`gamelib.play`.
    mode : {"personalized", "anonymous"}
    experiments : array_like, shape [E, Θ, S]
        Candidate experiments; padded with never-sent signals to match ``policy``.
    menu_size : int, default 1
        Anonymous mode: deviate to every menu of this many distinct candidates.

    Returns
    -------
    DeviationSummary

    Examples
    --------
    Proposition 5.1: anonymous silence in the opposite-tastes market survives
    every experiment of a grid, and every informative one is a strict loss.

    >>> from gamelib import examples, experiment_grid
    >>> from gamelib.bounds import deviation_summary, silent_profile
    >>> m = examples.opposite_tastes()
    >>> d = deviation_summary(m, silent_profile(m, "anonymous"), "anonymous", experiment_grid(2, 4))
    >>> d.is_equilibrium, d.best_informative_gain
    (True, -0.03125)
    """
    market, policy, mode = _check_policy(market, policy, mode)
    experiments = as_experiments(experiments, "experiments", market.n_states, ndim=3)
    _, experiments, rows = _deviation_search(market, policy, mode, experiments, menu_size)  # checks menu_size
    informative = is_informative(market.prior, experiments)
    best_inf = max((float(g[informative[c].any(axis=1)].max()) for _, _, g, c in rows
                    if informative[c].any()), default=-np.inf)
    gain, i, j, cands = _best_row(rows)
    return DeviationSummary(gain, best_inf, i, j, cands, sum(len(g) for _, _, g, _ in rows))


# ----------------------------------------------------------------------------
# Proposition 5.1 in closed form
# ----------------------------------------------------------------------------


def silence_margins(mass1, stake1, stake2):
    """Closed form of Proposition 5.1 for ``opposite_tastes(masses, stakes)``.

    With user masses ``(m₁, m₂ = 1 − m₁)`` and stakes ``(s₁, s₂)``, an
    experiment whose best guess of the state is right with probability ``q``
    changes provider ``i``'s payoff, relative to silence, by
    ``−(q − ½)·margin_i`` with

        margin_1 = m₂ s₁ − m₁/2,    margin_2 = m₁ s₂ − m₂/2.

    Silence is an anonymous equilibrium iff both margins are ``≥ 0``; every
    informative deviation is a strict loss iff both are ``> 0``.

    Parameters
    ----------
    mass1 : float or array_like
        ``m₁`` in (0, 1).
    stake1, stake2 : float or array_like
        Non-negative stakes; broadcast together with ``mass1``.

    Returns
    -------
    ndarray, shape [..., 2]

    Examples
    --------
    >>> from gamelib.bounds import silence_margins
    >>> silence_margins(0.5, 1.0, 1.0)
    array([0.25, 0.25])
    >>> silence_margins([0.2, 0.8], 1.0, 1.0)        # a small audience breaks silence
    array([[ 0.7, -0.2],
           [-0.2,  0.7]])
    """
    m1 = as_finite_array(mass1, "mass1", minimum=0.0, maximum=1.0, strict=True)
    s1, s2 = as_finite_array(stake1, "stake1", minimum=0.0), as_finite_array(stake2, "stake2", minimum=0.0)
    m1, s1, s2 = np.broadcast_arrays(m1, s1, s2)
    m2 = 1.0 - m1
    return np.stack([m2 * s1 - m1 / 2, m1 * s2 - m2 / 2], axis=-1)


# ----------------------------------------------------------------------------
# Along a path of markets; the four regimes
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Path:
    """Equilibria, alignment and benchmarks along ``mix_markets(first, second, t)``.

    Attributes
    ----------
    mode : str
    ts : ndarray, shape [T]
    eps_weak : ndarray, shape [T, n]
        Each user's smallest WMA gap.
    eps_strong : ndarray, shape [T]
        The smallest SMA gap.
    opt, noinfo : ndarray, shape [T, n]
    worst : ndarray, shape [T, n]
        Each user's lowest value over all equilibria.
    worst_loss : ndarray, shape [T]
        Largest ``Σ_j m_j (OPT_j − V_j)`` over all equilibria.
    n_equilibria : ndarray, shape [T]
        Number of equilibria (float: personalized counts are products).
    n_silent : ndarray, shape [T]
        Number of equilibria in which every user consumes an uninformative experiment.

    Examples
    --------
    From the opposite-tastes market (WMA(0)) to the same users facing providers
    who want action 0 from everyone (personalized mode): silent equilibria
    appear and Theorem 4.1's floor ``OPT_j − 2ε_j`` drops below zero, yet still
    holds.

    >>> from gamelib import examples, experiment_grid
    >>> from gamelib.examples import fixed_action_providers
    >>> from gamelib.bounds import interpolation_path
    >>> m = examples.opposite_tastes()
    >>> p = interpolation_path(m, fixed_action_providers(m), [0.0, 1.0],
    ...                        experiment_grid(2, 2), "personalized")
    >>> p.eps_weak[:, 0], p.worst[:, 0], p.weak_bound[:, 0], p.n_silent
    (array([0.  , 0.75]), array([0.5 , 0.25]), array([ 0.5, -1. ]), array([ 0., 81.]))
    >>> bool((p.worst >= p.weak_bound).all())
    True
    """

    mode: str
    ts: np.ndarray
    eps_weak: np.ndarray
    eps_strong: np.ndarray
    opt: np.ndarray
    noinfo: np.ndarray
    worst: np.ndarray
    worst_loss: np.ndarray
    n_equilibria: np.ndarray
    n_silent: np.ndarray

    @property
    def weak_bound(self):
        """Theorem 4.1's floor ``OPT_j − 2ε_j``, shape [T, n]."""
        return self.opt - 2 * self.eps_weak

    @property
    def strong_bound(self):
        """Theorem 6.1's ceiling ``2ε`` on ``Σ_j m_j (OPT_j − V_j)``, shape [T]."""
        return 2 * self.eps_strong


def interpolation_path(first, second, ts, experiments, mode):
    """Equilibria and bounds of ``mix_markets(first, second, t)`` for each ``t``.

    Parameters
    ----------
    first, second : Market
        Same prior, masses and shapes.
    ts : array_like, shape [T]
        Mixing weights in [0, 1].
    experiments : array_like, shape [E, Θ, S]
    mode : {"personalized", "anonymous"}

    Returns
    -------
    Path

    Examples
    --------
    From the opposite-tastes market to its aligned version: the silent
    anonymous equilibria disappear on the way.

    >>> from gamelib import examples, experiment_grid
    >>> from gamelib.bounds import interpolation_path
    >>> p = interpolation_path(examples.opposite_tastes(), examples.opposite_tastes(aligned=True),
    ...                        [0.0, 1.0], experiment_grid(2, 2), "anonymous")
    >>> p.eps_strong.round(3), p.n_silent
    (array([0.375, 0.   ]), array([9., 0.]))
    >>> p.worst
    array([[0.25, 0.25],
           [0.5 , 0.5 ]])
    """
    first = _check_market(first, "first")  # mix_markets checks second
    mode = as_mode(mode)
    ts = as_finite_array(ts, "ts", ndim=1, minimum=0.0, maximum=1.0)
    experiments = as_experiments(experiments, "experiments", first.n_states, ndim=3)
    informative = is_informative(first.prior, experiments)
    rows = [_summary(mix_markets(first, second, float(t)), experiments, mode, informative) for t in ts]
    return Path(mode, ts, *(np.array(col) for col in zip(*rows)))


def _summary(market, experiments, mode, informative):
    """One market's row of a :class:`Path`: alignment, benchmarks and its equilibria."""
    opt = aligned_value(market)
    eqs = equilibria(market, experiments, mode)
    worst = eqs.worst_user_values()
    if mode == "personalized":
        loss = float((opt - worst) @ market.masses)
        silent = float(np.prod([(~informative[g.consumed[:, 0]]).sum() for g in eqs.per_user]))
    else:
        loss = float(((opt - eqs.user_values) @ market.masses).max())
        silent = float((~informative[eqs.consumed]).all(axis=1).sum())
    eps_weak = [c.eps for c in weak_alignment(market)]
    return eps_weak, strong_alignment(market).eps, opt, uninformed_value(market), worst, loss, float(len(eqs)), silent
