"""Monte Carlo studies and searches that go beyond the paper (chapter 7).

Every function here is seeded: the same arguments give the same numbers.

* :func:`alignment_study` — how often random users are weakly / strongly
  aligned with ``k`` random providers, ``k = 1, 2, …`` (batched alignment LPs);
  :func:`wilson_interval` gives the confidence bands.
* :func:`audience_market`, :func:`anonymity_study` — the price of anonymity
  on exact ground: which anonymous grid equilibria are equilibria of the real
  game (:func:`gamelib.is_equilibrium`), and what users lose in them.
* :func:`bound_ratio`, :func:`tight_market`, :func:`tightness_search` — how
  close equilibria come to the ``2ε`` bound of Theorem 1, and the refined
  bound ``OPT_j − V_j ≤ 2 ε_j · P(a_j ≠ a*_j(θ))``.
* :func:`relabel_actions`, :func:`tie_example`, :func:`compare_tie_rules` —
  what changes when assumption (U) fails and users break ties differently.
* :func:`menu_separation_search` — an anonymous equilibrium over single
  experiments that a two-item menu breaks.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from ._validation import VALUE_ATOL, as_experiments, as_finite_array, as_int, as_real
from .alignment import weak_alignment
from .deviations import _problems, _sup
from .equilibrium import UserGame, deviation_gains, equilibria, outcome_tables, profitable_deviation
from .examples import random_market
from .experiments import experiment_grid, reveal_everything
from .market import Market, _check_market, aligned_value, best_actions, has_unique_best_actions, uninformed_value  # noqa: E501

__all__ = [
    "wilson_interval",
    "AlignmentStudy",
    "alignment_study",
    "audience_market",
    "AnonymityStudy",
    "anonymity_study",
    "market_alignment_eps",
    "welfare",
    "BoundRatio",
    "bound_ratio",
    "tight_market",
    "TightnessSearch",
    "tightness_search",
    "relabel_actions",
    "tie_example",
    "compare_tie_rules",
    "aligned_tie_market",
    "anonymous_tie_market",
    "tie_rule_equilibria",
    "MenuExample",
    "menu_separation_search",
]


def _seed(seed, name="seed"):
    return as_int(seed, name, 0)


# ----------------------------------------------------------------------------
# Confidence intervals
# ----------------------------------------------------------------------------


def wilson_interval(successes, trials, confidence=0.95):
    """Wilson score interval for a binomial proportion.

    Parameters
    ----------
    successes : array_like of int
        Number of successes (elementwise).
    trials : int or array_like of int
        Number of trials, positive.
    confidence : float, default 0.95
        Coverage, strictly between 0 and 1.

    Returns
    -------
    low, high : ndarray
        Bounds of the interval, inside ``[0, 1]``.

    Examples
    --------
    >>> from gamelib.studies import wilson_interval
    >>> low, high = wilson_interval(0, 10)
    >>> float(low), round(float(high), 4)
    (0.0, 0.2775)
    >>> [round(float(x), 4) for x in wilson_interval(5, 10)]
    [0.2366, 0.7634]
    """
    s = np.asarray(successes)
    t = np.asarray(trials)
    if not (np.issubdtype(s.dtype, np.integer) and s.size) or np.any(s < 0):
        raise ValueError("successes: expected non-negative integers")
    if not (np.issubdtype(t.dtype, np.integer) and t.size) or np.any(t < 1):
        raise ValueError("trials: expected positive integers")
    if np.any(s > t):
        raise ValueError("successes: cannot exceed trials")
    confidence = as_real(confidence, "confidence", 0.0, 1.0)
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence: must lie strictly between 0 and 1, got {confidence}")
    z = ndtri(0.5 + confidence / 2)  # standard normal quantile
    p = s / t
    denom = 1 + z**2 / t
    centre = (p + z**2 / (2 * t)) / denom
    half = z * np.sqrt(p * (1 - p) / t + z**2 / (4 * t**2)) / denom
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


# ----------------------------------------------------------------------------
# Diversity makes alignment easier
# ----------------------------------------------------------------------------


def _alignment_eps_batch(targets, mats):
    """Smallest ε of many independent alignment LPs, solved as one sparse LP.

    ``targets [B, n, m]`` (utilities of the ``n`` users of block ``b``,
    flattened over (a, θ)), ``mats [B, n, m, k]`` (the providers' utilities
    from those users).  Each block has one weight vector in the simplex
    (shared by its users: SMA; use ``n = 1`` blocks for WMA) and one offset
    per user.  The objective is the sum of the blocks' ε, which is minimised
    exactly when each block's ε is.  The returned ε is recomputed from the
    weights (as in :mod:`gamelib.alignment`).
    """
    n_blocks, n, m, k = mats.shape
    n_var = k + n + 1
    rows_per = n * m
    offset_cols = np.zeros((n, m, n))
    offset_cols[np.arange(n), :, np.arange(n)] = 1.0
    core = np.concatenate(
        [mats, np.broadcast_to(offset_cols, (n_blocks, n, m, n)), np.zeros((n_blocks, n, m, 1))], axis=3
    ).reshape(n_blocks, rows_per, n_var)
    upper = -core  # t − G w − c ≤ ε   →   −G w − c − ε ≤ −t
    lower = core.copy()  # G w + c − ε ≤ t
    upper[..., -1] = -1.0
    lower[..., -1] = -1.0
    block = np.concatenate([upper, lower], axis=1)  # [B, 2R, V]
    rows = np.broadcast_to(
        np.arange(n_blocks)[:, None, None] * 2 * rows_per + np.arange(2 * rows_per)[None, :, None], block.shape
    )
    cols = np.broadcast_to(np.arange(n_blocks)[:, None, None] * n_var + np.arange(n_var)[None, None, :], block.shape)
    from scipy import sparse  # imported on first use: keeps `import gamelib` light
    from scipy.optimize import linprog

    a_ub = sparse.csr_matrix((block.ravel(), (rows.ravel(), cols.ravel())),
                             shape=(2 * rows_per * n_blocks, n_var * n_blocks))
    flat = targets.reshape(n_blocks, rows_per)
    b_ub = np.concatenate([-flat, flat], axis=1).ravel()
    eq_cols = (np.arange(n_blocks)[:, None] * n_var + np.arange(k)).ravel()
    a_eq = sparse.csr_matrix((np.ones(n_blocks * k), (np.repeat(np.arange(n_blocks), k), eq_cols)),
                             shape=(n_blocks, n_var * n_blocks))
    cost = np.tile(np.r_[np.zeros(n_var - 1), 1.0], n_blocks)
    lower_bounds = np.tile(np.r_[np.zeros(k), np.full(n, -np.inf), 0.0], n_blocks)
    bounds = np.stack([lower_bounds, np.full_like(lower_bounds, np.inf)], axis=1)
    res = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=np.ones(n_blocks), bounds=bounds, method="highs")
    if res.status != 0:  # pragma: no cover - always feasible and bounded
        raise RuntimeError(f"alignment LP failed: {res.message}")
    w = np.clip(res.x.reshape(n_blocks, n_var)[:, :k], 0.0, None)
    w /= w.sum(axis=1, keepdims=True)
    resid = targets - np.einsum("bjmk,bk->bjm", mats, w)
    return (0.5 * (resid.max(axis=2) - resid.min(axis=2))).max(axis=1)


@dataclass(frozen=True)
class AlignmentStudy:
    """Smallest alignment ε of random markets, for growing numbers of providers.

    Attributes
    ----------
    n_providers : ndarray of int, shape [K]
        ``1, 2, …, K``.
    weak_eps : ndarray, shape [K, N]
        ``max_j ε_j`` of WMA for sample ``s`` with the first ``k`` providers.
    strong_eps : ndarray, shape [K, N]
        ε of SMA, same markets.

    Examples
    --------
    >>> from gamelib.studies import alignment_study
    >>> st = alignment_study(max_providers=3, n_samples=5, seed=1)
    >>> st.n_providers, st.n_samples, st.weak_eps.shape
    (array([1, 2, 3]), 5, (3, 5))
    >>> bool(np.allclose(st.weak_eps[0], st.strong_eps[0]))     # one provider: WMA and SMA agree
    True
    >>> st.probability(0.5)["weak"]        # share of samples satisfying WMA(1/2), for k = 1, 2, 3
    array([0.4, 0.6, 0.6])
    """

    n_providers: np.ndarray
    weak_eps: np.ndarray
    strong_eps: np.ndarray

    @property
    def n_samples(self):
        """Number of sampled markets ``N``."""
        return self.weak_eps.shape[1]

    def probability(self, eps, confidence=0.95):
        """Share of samples in which WMA(eps) and SMA(eps) hold, with Wilson bands.

        Parameters
        ----------
        eps : float
            Tolerance, non-negative.
        confidence : float, default 0.95

        Returns
        -------
        dict of str to ndarray, shape [K]
            ``weak``, ``weak_low``, ``weak_high``, ``strong``, ``strong_low``,
            ``strong_high``.
        """
        eps = as_real(eps, "eps", minimum=0.0)
        out = {}
        for name, arr in (("weak", self.weak_eps), ("strong", self.strong_eps)):
            hits = (arr <= eps + VALUE_ATOL).sum(axis=1)
            low, high = wilson_interval(hits, self.n_samples, confidence)
            out[name], out[name + "_low"], out[name + "_high"] = hits / self.n_samples, low, high
        return out


def alignment_study(max_providers=6, n_samples=100, seed=0, n_states=2, n_actions=2, n_users=2):
    """How the smallest WMA and SMA tolerances fall as providers are added.

    Draws ``n_samples`` random markets (:func:`gamelib.examples.random_market`,
    no alignment built in: users and providers have independent uniform
    utilities) with ``max_providers`` providers, and for each
    ``k = 1..max_providers`` solves the alignment LPs of the market made of
    the first ``k`` providers.  The studies are *nested*: adding a provider
    can only lower ε (give it weight zero), so each sample's curve is
    non-increasing in ``k``.  All ``n_samples · max_providers · (n_users + 1)``
    LPs are solved as ``2 · max_providers`` batched sparse LPs.

    Parameters
    ----------
    max_providers : int, default 6
    n_samples : int, default 100
    seed : int, default 0
    n_states, n_actions, n_users : int

    Returns
    -------
    AlignmentStudy

    Examples
    --------
    >>> from gamelib.studies import alignment_study
    >>> st = alignment_study(max_providers=3, n_samples=5, seed=1)
    >>> st.weak_eps.shape
    (3, 5)
    >>> bool((st.weak_eps <= st.strong_eps + 1e-9).all())     # SMA(ε) implies WMA(ε)
    True
    >>> bool((np.diff(st.weak_eps, axis=0) <= 1e-9).all())    # nested: more providers, smaller ε
    True
    """
    max_providers = as_int(max_providers, "max_providers", 1)
    n_samples = as_int(n_samples, "n_samples", 1)
    seed = _seed(seed)
    n_states = as_int(n_states, "n_states", 1)
    n_actions = as_int(n_actions, "n_actions", 1)
    n_users = as_int(n_users, "n_users", 1)
    seeds = np.random.default_rng(seed).integers(0, 2**31 - 1, size=n_samples)
    markets = [
        random_market(int(s), n_states, n_actions, max_providers, n_users) for s in seeds
    ]
    m = n_actions * n_states
    users = np.array([mk.user_utility for mk in markets]).reshape(n_samples, n_users, m)
    provs = np.array([mk.provider_utility for mk in markets]).reshape(n_samples, max_providers, n_users, m)
    provs = provs.transpose(0, 2, 3, 1)  # [N, n, m, K]
    weak = np.empty((max_providers, n_samples))
    strong = np.empty((max_providers, n_samples))
    for k in range(1, max_providers + 1):
        weak[k - 1], strong[k - 1] = _eps_from_arrays(users, provs[..., :k])
    # nestedness holds exactly for the optimum; remove LP round-off
    weak = np.minimum.accumulate(weak, axis=0)
    strong = np.minimum.accumulate(strong, axis=0)
    return AlignmentStudy(np.arange(1, max_providers + 1), weak, strong)


# ----------------------------------------------------------------------------
# The price of anonymity
# ----------------------------------------------------------------------------


def audience_market(seed, taste_noise=None, max_stake=3.0):
    """A random two-audience market in the spirit of Proposition 2.

    Two states and two actions; user 1 has uniform random tastes ``u_1``;
    user 2 is a noisy *contrarian*, ``u_2 = 1 − u_1 + noise`` with noise
    uniform in ``[−taste_noise, taste_noise]``.  Provider ``i`` shares the
    tastes of its own audience (``U_i^i = u_i``, so WMA(0) holds) and wants
    the other audience to act like its own, with a random stake:
    ``U_i^j = s_i · u_i`` for ``j ≠ i``, ``s_i`` uniform in ``[0, max_stake]``.

    Parameters
    ----------
    seed : int
    taste_noise : float, optional
        Drawn uniformly in ``[0, 0.6]`` when not given.
    max_stake : float, default 3

    Returns
    -------
    Market
        Satisfies assumption (U).

    Examples
    --------
    >>> from gamelib.studies import audience_market
    >>> from gamelib import weak_alignment
    >>> m = audience_market(0, taste_noise=0.0)
    >>> [round(c.eps, 9) for c in weak_alignment(m)]
    [0.0, 0.0]
    >>> bool(np.allclose(m.user_utility[0] + m.user_utility[1], 1))
    True
    """
    seed = _seed(seed)
    max_stake = as_real(max_stake, "max_stake", minimum=0.0)
    if taste_noise is not None:
        taste_noise = as_real(taste_noise, "taste_noise", minimum=0.0)
    rng = np.random.default_rng(seed)
    for _ in range(100):
        prior = 0.05 + 0.9 * rng.dirichlet(np.ones(2))
        masses = 0.1 + 0.8 * rng.dirichlet(np.ones(2))
        noise = rng.uniform(0.0, 0.6) if taste_noise is None else taste_noise
        u1 = rng.uniform(size=(2, 2))
        u2 = 1.0 - u1 + rng.uniform(-noise, noise, size=(2, 2))
        users = np.stack([u1, u2])
        stakes = rng.uniform(0.0, max_stake, size=2)
        provider = np.empty((2, 2, 2, 2))
        for i in range(2):
            for j in range(2):
                provider[i, j] = (1.0 if i == j else stakes[i]) * users[i]
        market = Market(prior, masses, users, provider)
        if has_unique_best_actions(market):
            return market
    raise RuntimeError("audience_market: could not draw a market satisfying (U)")  # pragma: no cover


def welfare(market, values):
    """Mass-weighted welfare ``Σ_j m_j V_j``.

    Parameters
    ----------
    market : Market
    values : array_like, shape [..., n]
        User values (last axis: users).

    Returns
    -------
    float or ndarray, shape [...]

    Examples
    --------
    >>> from gamelib.studies import welfare
    >>> from gamelib import examples, aligned_value
    >>> m = examples.opposite_tastes(masses=(0.25, 0.75))
    >>> float(welfare(m, [0.5, 0.25]))
    0.3125
    """
    market = _check_market(market)
    values = as_finite_array(values, "values")
    if values.shape[-1] != market.n_users:
        raise ValueError(f"values: last axis must have one entry per user ({market.n_users}), got {values.shape}")
    return values @ market.masses


@dataclass(frozen=True)
class AnonymityStudy:
    """Grid equilibria of anonymous games, judged in the real game.

    For each market and each grid resolution ``r``, the pure anonymous
    equilibria over ``experiment_grid(Θ, r)`` are enumerated, and every one in
    which users lose welfare is checked against *all* deviations (every
    experiment and, by default, every menu) with the exact method of
    :func:`gamelib.is_equilibrium`.  Arrays indexed ``[R, N]`` hold one entry
    per resolution and market.

    Attributes
    ----------
    resolutions : ndarray of int, shape [R]
    seeds : ndarray of int, shape [N]
        Seeds of the :func:`audience_market` s (``-1`` for markets passed in).
    opt, noinfo : ndarray, shape [N]
        ``Σ_j m_j OPT_j`` and ``Σ_j m_j NOINFO_j``.  Under WMA(0) and (U)
        every personalized equilibrium of the real game gives ``opt``
        (Theorem 4.1), so ``opt`` minus a welfare is what anonymity costs.
    equilibria, losing, exact_losing : ndarray of int, shape [R, N]
        Numbers of grid equilibria, of those whose welfare ``Σ_j m_j V_j``
        is below ``opt`` (users lose), and of the losing ones that are
        equilibria of the real game.
    grid_worst, exact_worst : ndarray, shape [R, N]
        Lowest welfare over all grid equilibria, and over the grid equilibria
        that are equilibria of the real game (NaN if there is none; with
        ``k ≥ 2`` providers and assumption (U), full revelation by everyone
        is always one).

    Examples
    --------
    Proposition 5.1's market: silence is a grid equilibrium at every
    resolution and an equilibrium of the real game, so users lose all the
    value of information, exactly.

    >>> from gamelib import examples
    >>> from gamelib.studies import anonymity_study
    >>> st = anonymity_study(resolutions=(2, 4), markets=[examples.opposite_tastes()])
    >>> st.opt, st.noinfo, st.exact_worst[:, 0]
    (array([0.5]), array([0.25]), array([0.25, 0.25]))
    >>> st.exact_loss[:, 0], bool((st.exact_losing > 0).all())
    (array([1., 1.]), True)
    """

    resolutions: np.ndarray
    seeds: np.ndarray
    opt: np.ndarray
    noinfo: np.ndarray
    equilibria: np.ndarray
    losing: np.ndarray
    exact_losing: np.ndarray
    grid_worst: np.ndarray
    exact_worst: np.ndarray

    def _relative(self, worst):
        voi = self.opt - self.noinfo
        lost = self.opt - worst
        loss = np.where((voi > VALUE_ATOL) & (lost > VALUE_ATOL), lost / np.where(voi > VALUE_ATOL, voi, 1.0), 0.0)
        return np.where(np.isnan(worst), np.nan, loss)

    @property
    def grid_loss(self):
        """What users lose in the worst grid equilibrium, as a share of the value of information, ``[R, N]``.

        ``(opt − grid_worst) / (opt − noinfo)``; 0 when the loss or the value of
        information is below gamelib's value tolerance (``1e-9``).
        """
        return self._relative(self.grid_worst)

    @property
    def exact_loss(self):
        """The same loss in the worst grid equilibrium that is an equilibrium of the real game, ``[R, N]``."""
        return self._relative(self.exact_worst)

    def summary(self, tol=1e-9):
        """The numbers chapter 7 reports, one entry per resolution.

        A market *loses* at resolution ``r`` when its relative loss exceeds
        ``tol``.

        Parameters
        ----------
        tol : float, default 1e-9
            Non-negative.

        Returns
        -------
        dict
            ``n`` (markets) and ``resolutions``; arrays of shape ``[R]``:
            ``equilibria``, ``losing``, ``exact_losing`` (totals over the
            markets), ``grid_markets`` and ``exact_markets`` (markets that
            lose in their worst grid equilibrium, and in their worst exact
            one), ``mean_grid_loss`` (over all markets), ``max_grid_loss``,
            ``max_exact_loss`` (over the markets with an exact survivor) and
            ``no_exact`` (markets none of whose grid equilibria is exact);
            ``slope``, the least-squares slope of ``log mean_grid_loss``
            against ``log r`` (``-1``: the loss halves when the grid is
            refined twice over; ``None`` with fewer than two resolutions or a
            zero mean).

        Examples
        --------
        >>> from gamelib.studies import AnonymityStudy
        >>> st = AnonymityStudy(resolutions=np.array([4, 8]), seeds=np.arange(2), opt=np.ones(2),
        ...                     noinfo=np.full(2, 0.5), equilibria=np.array([[10, 20], [30, 40]]),
        ...                     losing=np.array([[2, 0], [1, 0]]), exact_losing=np.zeros((2, 2), int),
        ...                     grid_worst=np.array([[0.5, 1.0], [0.75, 1.0]]), exact_worst=np.ones((2, 2)))
        >>> out = st.summary()
        >>> out["grid_markets"], out["exact_markets"], out["mean_grid_loss"], round(out["slope"], 9)
        (array([1, 1]), array([0, 0]), array([0.5 , 0.25]), -1.0)
        """
        tol = as_real(tol, "tol", minimum=0.0)
        grid, exact = self.grid_loss, self.exact_loss
        has_exact = ~np.isnan(exact)
        grid = np.where(np.isnan(grid), 0.0, grid)  # no grid equilibrium at all: nothing measured
        mean = grid.mean(axis=1)
        slope = None
        if len(self.resolutions) > 1 and (mean > 0).all():
            slope = float(np.polyfit(np.log(self.resolutions), np.log(mean), 1)[0])
        return {
            "n": int(self.opt.size),
            "resolutions": self.resolutions.copy(),
            "equilibria": self.equilibria.sum(axis=1),
            "losing": self.losing.sum(axis=1),
            "exact_losing": self.exact_losing.sum(axis=1),
            "grid_markets": (grid > tol).sum(axis=1),
            "exact_markets": (np.where(has_exact, exact, 0.0) > tol).sum(axis=1),
            "mean_grid_loss": mean,
            "max_grid_loss": grid.max(axis=1),
            "max_exact_loss": np.where(has_exact, exact, 0.0).max(axis=1),
            "no_exact": (~has_exact).sum(axis=1),
            "slope": slope,
        }


def anonymity_study(n_markets=100, seed=0, resolutions=(4, 8, 16), *, markets=None, menus=True, tol=1e-9):
    """The price of anonymity, on exact ground.

    For each market (``n_markets`` random :func:`audience_market` s drawn
    from ``seed``, or the given ``markets``) and each resolution ``r``, every
    pure anonymous equilibrium over ``experiment_grid(Θ, r)`` is enumerated
    (:func:`gamelib.equilibria`).  Those in which users lose welfare (below
    ``Σ_j m_j OPT_j`` by more than ``tol``) are all judged in the real game:
    no provider's exact best deviation (:func:`gamelib.best_deviation`, over
    all experiments and, with ``menus``, all menus) gains more than ``tol``.
    When none of them survives, the grid equilibria at full welfare are
    judged in increasing order of welfare until one survives, so that
    ``exact_worst`` is always the welfare of a grid equilibrium certified in
    the real game.

    A provider's supremum depends only on the others' experiments, so it is
    computed once per distinct profile of the opponents (and cached by what it
    depends on, so nested grids such as ``r = 4, 8, 16`` share suprema) and
    compared with the payoffs of all the equilibria that share those opponents
    at once.

    Parameters
    ----------
    n_markets : int, default 100
    seed : int, default 0
    resolutions : sequence of int, default (4, 8, 16)
        Increasing grid resolutions, each at least 1.
    markets : sequence of Market, optional
        Markets to study instead of random audience markets.
    menus : bool, default True
        Judge against menus too (an anonymous policy is a menu).
    tol : float, default 1e-9
        Welfare and gain tolerance.

    Returns
    -------
    AnonymityStudy

    Examples
    --------
    The grid's losses vanish in the real game on these markets:

    >>> from gamelib.studies import anonymity_study
    >>> st = anonymity_study(n_markets=12, seed=0, resolutions=(4, 8))
    >>> (st.grid_loss > 1e-9).sum(axis=1), (st.exact_loss > 1e-9).sum(axis=1)
    (array([1, 1]), array([0, 0]))
    >>> bool((st.exact_worst >= st.grid_worst).all()), int(st.exact_losing.sum())
    (True, 0)
    """
    n_markets = as_int(n_markets, "n_markets", 1)
    seed = _seed(seed)
    if isinstance(resolutions, (str, bytes)) or not hasattr(resolutions, "__len__") or len(resolutions) == 0:
        raise ValueError(f"resolutions: expected a non-empty sequence of integers, got {resolutions!r}")
    resolutions = np.array([as_int(r, "resolutions", 1) for r in resolutions])
    if np.any(np.diff(resolutions) <= 0):
        raise ValueError(f"resolutions: must be strictly increasing, got {resolutions.tolist()}")
    if not isinstance(menus, (bool, np.bool_)):
        raise ValueError(f"menus: expected True or False, got {menus!r}")
    tol = as_real(tol, "tol", minimum=0.0)
    if markets is None:
        seeds = np.random.default_rng(seed).integers(0, 2**31 - 1, size=n_markets)
        markets = [audience_market(int(s)) for s in seeds]
    else:
        markets = [_check_market(m, "markets") for m in markets]
        if not markets:
            raise ValueError("markets: expected at least one market")
        seeds = np.full(len(markets), -1)
    opt = np.array([welfare(m, aligned_value(m)) for m in markets])
    noinfo = np.array([welfare(m, uninformed_value(m)) for m in markets])
    rows = np.empty((len(resolutions), len(markets), 5))
    for a, r in enumerate(resolutions):
        for b, market in enumerate(markets):
            rows[a, b] = _judge_grid_equilibria(market, experiment_grid(market.n_states, int(r)), opt[b], menus, tol)
    counts = rows[..., :3].astype(int)
    return AnonymityStudy(resolutions, seeds, opt, noinfo, counts[..., 0], counts[..., 1], counts[..., 2],
                          rows[..., 3], rows[..., 4])


def _judge_grid_equilibria(market, grid, opt, menus, tol):
    """(equilibria, losing, exact losing, grid worst welfare, exact worst welfare) of one market on one grid."""
    eqs = equilibria(market, grid, "anonymous")
    if not eqs:  # possible without assumption (U)
        return 0, 0, 0, np.nan, np.nan
    wel = welfare(market, eqs.user_values)
    order = np.argsort(wel, kind="stable")
    losing = order[wel[order] < opt - tol]
    tables = outcome_tables(market, grid)[:2]
    ok = _exact_verdicts(market, eqs, losing, tables, menus, tol)
    survivors = list(losing[ok])
    rest, start, size = order[len(losing):], 0, 1
    while not survivors and start < len(rest):  # nobody loses there: the first survivor is the worst
        chunk = rest[start : start + size]
        survivors = list(chunk[_exact_verdicts(market, eqs, chunk, tables, menus, tol)])
        start, size = start + size, 2 * size
    exact_worst = wel[survivors].min() if survivors else np.nan
    return len(wel), len(losing), int(ok.sum()), wel.min(), exact_worst


def _exact_verdicts(market, eqs, rows, tables, menus, tol):
    """:func:`gamelib.is_equilibrium` for the grid equilibria ``rows``, one supremum per distinct opponents."""
    values, payoffs = tables  # [E, n], [k, E, n]
    profiles = eqs.profiles[rows]
    ok = np.ones(len(rows), dtype=bool)
    for i in range(market.n_providers):
        others = profiles.copy()
        others[:, i] = 0  # the deviator's own experiment does not matter
        distinct, inverse = np.unique(others, axis=0, return_inverse=True)
        sups = np.array([
            sum(_sup(p, menus).value for p in _problems(market, None, "anonymous", i, menus,
                                                        (values[d], payoffs[:, d])))
            for d in distinct
        ])
        ok &= sups[inverse.ravel()] - eqs.provider_values[rows, i] <= tol
    return ok


def market_alignment_eps(markets):
    """WMA and SMA tolerances of many markets of one shape, by batched LPs.

    Equal (up to LP round-off) to ``max(c.eps for c in weak_alignment(m))``
    and ``strong_alignment(m).eps`` for each market ``m``, but solved as two
    sparse linear programs instead of ``n + 1`` per market.

    Parameters
    ----------
    markets : sequence of Market
        All with the same numbers of states, actions, users and providers.

    Returns
    -------
    eps_weak, eps_strong : ndarray, shape [len(markets)]

    Examples
    --------
    >>> from gamelib.studies import market_alignment_eps
    >>> from gamelib import examples
    >>> w, s = market_alignment_eps([examples.opposite_tastes()] * 2)
    >>> w.round(9), s.round(9)
    (array([0., 0.]), array([0.375, 0.375]))
    """
    markets = [_check_market(m, "markets") for m in markets]
    if not markets:
        raise ValueError("markets: expected at least one market")
    shape = markets[0].provider_utility.shape
    if any(m.provider_utility.shape != shape for m in markets):
        raise ValueError("markets: all markets must have the same numbers of states, actions, users, providers")
    k, n, a, t = shape
    b = len(markets)
    users = np.array([m.user_utility for m in markets]).reshape(b, n, a * t)
    provs = np.array([m.provider_utility for m in markets]).reshape(b, k, n, a * t).transpose(0, 2, 3, 1)
    return _eps_from_arrays(users, provs)


def _eps_from_arrays(users, provs):
    """``max_j ε_j`` (WMA) and ε (SMA) from ``users [B, n, m]``, ``provs [B, n, m, k]``."""
    b, n, m, k = provs.shape
    weak = _alignment_eps_batch(users.reshape(b * n, 1, m), provs.reshape(b * n, 1, m, k))
    weak = weak.reshape(b, n).max(axis=1)
    return weak, np.maximum(_alignment_eps_batch(users, provs), weak)


# ----------------------------------------------------------------------------
# How tight is 2ε?
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BoundRatio:
    """How close the worst personalized equilibrium comes to Theorem 1's bound.

    All arrays have shape ``[n]`` (one entry per user).

    Attributes
    ----------
    ratio : ndarray
        ``(OPT_j − V_j) / (2 ε_j)`` with ``V_j`` the worst equilibrium value;
        0 when ``ε_j = 0`` (then Theorem 1 gives ``V_j = OPT_j``).
    gap : ndarray
        ``OPT_j − V_j``.
    eps : ndarray
        WMA tolerance ``ε_j``.
    mistake : ndarray
        In that worst equilibrium, ``P(a_j ≠ a*_j(θ))``.

    Examples
    --------
    In the tight market the refined bound ``gap ≤ 2ε · mistake`` holds with
    equality; in the opposite-tastes market (ε = 0) nothing is lost:

    >>> from gamelib import examples, experiment_grid
    >>> from gamelib.studies import bound_ratio, tight_market
    >>> r = bound_ratio(tight_market(0.75), experiment_grid(2, 2))
    >>> r.gap.round(9), (2 * r.eps * r.mistake).round(9), r.ratio.round(9)
    (array([0.25]), array([0.25]), array([1.]))
    >>> bound_ratio(examples.opposite_tastes(), experiment_grid(2, 2)).ratio
    array([0., 0.])
    """

    ratio: np.ndarray
    gap: np.ndarray
    eps: np.ndarray
    mistake: np.ndarray


def bound_ratio(market, experiments):
    """Gap to OPT of the worst personalized equilibrium, relative to ``2 ε_j``.

    Refined bound (chapter 7): ``gap_j ≤ 2 ε_j · mistake_j``, so
    ``ratio_j ≤ mistake_j ≤ 1``.

    Parameters
    ----------
    market : Market
        Should satisfy (U) for the bound to apply.
    experiments : array_like, shape [E, Θ, S]
        The providers' strategy set (include reveal-everything).

    Returns
    -------
    BoundRatio

    Examples
    --------
    The tight market: the user loses exactly ``2ε`` and always errs.

    >>> from gamelib.studies import bound_ratio, tight_market
    >>> from gamelib import experiment_grid
    >>> r = bound_ratio(tight_market(0.75), experiment_grid(2, 4))
    >>> r.ratio.round(9), r.gap.round(9), r.eps.round(9), r.mistake
    (array([1.]), array([0.25]), array([0.125]), array([1.]))
    """
    market = _check_market(market)
    experiments = as_experiments(experiments, "experiments", n_states=market.n_states)
    if experiments.ndim != 3:
        raise ValueError(f"experiments: expected shape [E, Θ, S], got {experiments.shape}")
    pers = equilibria(market, experiments, "personalized")
    if len(pers) == 0:
        raise ValueError("experiments: no pure personalized equilibrium over these experiments")
    eps = _weak_eps(market)
    opt = aligned_value(market)
    _, _, actions = outcome_tables(market, experiments)  # [E, n, S]
    best = best_actions(market)  # [n, Θ]
    gap, mistake = np.empty(market.n_users), np.empty(market.n_users)
    for j, game in enumerate(pers.per_user):
        r = int(np.argmin(game.user_values))
        gap[j] = opt[j] - game.user_values[r]
        e = game.consumed[r]
        wrong = actions[e, j][None, :] != best[j][:, None]  # [Θ, S]
        mistake[j] = float(np.sum(market.prior[:, None] * experiments[e] * wrong))
    gap = np.maximum(gap, 0.0)
    ratio = np.divide(gap, 2 * eps, out=np.zeros_like(gap), where=eps > VALUE_ATOL)
    return BoundRatio(ratio, gap, eps, mistake)


def _weak_eps(market):
    """WMA tolerance of each user; closed form for one provider (w = 1)."""
    if market.n_providers == 1:
        d = (market.user_utility - market.provider_utility[0]).reshape(market.n_users, -1)
        return 0.5 * (d.max(axis=1) - d.min(axis=1))
    return np.array([c.eps for c in weak_alignment(market)])


def tight_market(safe=0.75):
    """A market in which Theorem 1's bound ``OPT − 2ε`` is attained exactly.

    Two equally likely states, one user, one provider, three actions:
    ``0`` (right in state 0), ``1`` (right in state 1) and a *safe* action
    ``2`` worth ``safe`` in both states.  The user gets 1 for the right
    risky action, 0 for the wrong one.  With ``ε = (1 − safe)/2`` the
    provider's utility is ``U = u − ε`` on the two risky actions and
    ``U = u + ε`` on the safe one, so ``u − U`` takes only the values
    ``±ε`` and WMA(ε) holds (and no smaller ε).  The provider is exactly
    indifferent between silence (the user plays safe, always "wrong") and
    full revelation, so silence is an equilibrium and the user loses
    ``1 − safe = 2ε``.

    Parameters
    ----------
    safe : float, default 0.75
        In ``(1/2, 1)``, so that the uninformed user plays safe.

    Returns
    -------
    Market

    Examples
    --------
    >>> from gamelib.studies import tight_market
    >>> from gamelib import weak_alignment, aligned_value, uninformed_value
    >>> m = tight_market(0.75)
    >>> round(weak_alignment(m)[0].eps, 9), aligned_value(m), uninformed_value(m)
    (0.125, array([1.]), array([0.75]))
    """
    safe = as_real(safe, "safe", 0.0, 1.0)
    if not 0.5 < safe < 1.0:
        raise ValueError(f"safe: must lie strictly between 1/2 and 1, got {safe}")
    eps = (1.0 - safe) / 2
    u = np.array([[1.0, 0.0], [0.0, 1.0], [safe, safe]])  # [A, Θ]
    sign = np.array([[1.0, 1.0], [1.0, 1.0], [-1.0, -1.0]])  # u − U = +ε except on the safe action
    provider = u - eps * sign
    return Market(
        [0.5, 0.5],
        [1.0],
        u[None],
        provider[None, None],
        action_names=("risky 0", "risky 1", "safe"),
        user_names=("user",),
        provider_names=("provider",),
    )


@dataclass(frozen=True)
class TightnessSearch:
    """Result of :func:`tightness_search`.

    Attributes
    ----------
    market : Market
        The best market found.
    ratio : float
        Its :attr:`BoundRatio.ratio` (one user).
    history : ndarray, shape [n_random + n_refine]
        Best ratio so far after each evaluation.
    n_random : int
        Evaluations spent on random search (the rest on local refinement).

    Examples
    --------
    >>> from gamelib import experiment_grid
    >>> from gamelib.studies import bound_ratio, tightness_search
    >>> res = tightness_search(seed=0, n_random=5, n_refine=5, resolution=2)
    >>> res.market, res.n_random, res.history.shape, bool((np.diff(res.history) >= 0).all())
    (Market(n_states=2, n_actions=3, n_users=1, n_providers=1), 5, (10,), True)
    >>> bool(res.ratio == res.history[-1] == bound_ratio(res.market, experiment_grid(2, 2)).ratio[0])
    True
    """

    market: Market
    ratio: float
    history: np.ndarray
    n_random: int


def _search_ratio(user, provider, prior, grid, margin):
    """Ratio of a one-user market, or −1 if (U) fails with the given margin."""
    top2 = np.sort(user, axis=0)[-2:]
    if np.any(top2[1] - top2[0] < margin):
        return -1.0, None
    market = Market(prior, [1.0], user[None], provider[:, None])
    if not has_unique_best_actions(market):  # pragma: no cover - implied by the margin
        return -1.0, None
    return float(bound_ratio(market, grid).ratio[0]), market


def tightness_search(
    seed=0, n_random=60, n_refine=120, n_actions=3, n_providers=1, resolution=4, step=0.1, margin=1e-3
):
    """Search one-user, two-state markets for a large :attr:`BoundRatio.ratio`.

    Random search (utilities uniform in [0, 1], random prior) followed by
    local refinement: Gaussian perturbations of the best market's
    utilities and prior (standard deviation ``step``, shrinking by half
    whenever 20 proposals in a row fail), kept when they raise the ratio.
    Markets whose best actions are not unique by ``margin`` are rejected, so
    (U) holds and Theorem 1 caps the ratio at 1.

    Parameters
    ----------
    seed : int, default 0
    n_random, n_refine : int
        Evaluation budgets (each evaluation enumerates the equilibria).
    n_actions, n_providers : int
    resolution : int, default 4
        Grid of experiments ``experiment_grid(2, resolution)``.
    step : float, default 0.1
    margin : float, default 1e-3

    Returns
    -------
    TightnessSearch

    Examples
    --------
    >>> from gamelib.studies import tightness_search
    >>> res = tightness_search(seed=0, n_random=5, n_refine=5, resolution=2)
    >>> 0 <= res.ratio <= 1, res.history.shape
    (True, (10,))
    """
    seed = _seed(seed)
    n_random = as_int(n_random, "n_random", 1)
    n_refine = as_int(n_refine, "n_refine", 0)
    n_actions = as_int(n_actions, "n_actions", 2)
    n_providers = as_int(n_providers, "n_providers", 1)
    resolution = as_int(resolution, "resolution", 1)
    step = as_real(step, "step", minimum=0.0)
    margin = as_real(margin, "margin", minimum=0.0)
    rng = np.random.default_rng(seed)
    grid = experiment_grid(2, resolution)
    best = (-np.inf, None, None)
    history = []

    def prior_of(p):
        return np.array([p, 1.0 - p])

    for _ in range(n_random):
        user = rng.uniform(size=(n_actions, 2))
        provider = rng.uniform(size=(n_providers, n_actions, 2))
        p = rng.uniform(0.05, 0.95)
        r, market = _search_ratio(user, provider, prior_of(p), grid, margin)
        if r > best[0]:
            best = (r, market, p)
        history.append(best[0])
    fails, sigma = 0, step
    for _ in range(n_refine):
        if best[1] is None:  # pragma: no cover - only if every random draw failed (U)
            history.append(best[0])
            continue
        m, p = best[1], best[2]
        user = m.user_utility[0] + rng.normal(0.0, sigma, size=m.user_utility[0].shape)
        provider = m.provider_utility[:, 0] + rng.normal(0.0, sigma, size=m.provider_utility[:, 0].shape)
        p_new = float(np.clip(p + rng.normal(0.0, sigma / 3), 0.05, 0.95))
        r, market = _search_ratio(user, provider, prior_of(p_new), grid, margin)
        if r > best[0] + VALUE_ATOL:
            best, fails = (r, market, p_new), 0
        else:
            fails += 1
            if fails >= 20:
                sigma, fails = sigma / 2, 0
        history.append(best[0])
    if best[1] is None:  # pragma: no cover
        raise RuntimeError("tightness_search: no market satisfied (U); lower margin")
    return TightnessSearch(best[1], float(best[0]), np.array(history), n_random)


# ----------------------------------------------------------------------------
# Tie-breaking
# ----------------------------------------------------------------------------


def relabel_actions(market, order):
    """The same market with actions listed in ``order``.

    Under the lowest-index tie rule, relabelling is how one studies any other
    fixed priority order over actions: in the new market, action ``b`` is the
    old action ``order[b]``, so users break ties in favour of ``order[0]``,
    then ``order[1]``, and so on.

    Parameters
    ----------
    market : Market
    order : sequence of int
        A permutation of ``range(n_actions)``.

    Returns
    -------
    Market

    Examples
    --------
    >>> from gamelib.studies import relabel_actions
    >>> from gamelib import examples
    >>> m = relabel_actions(examples.prosecutor(), [1, 0])
    >>> m.action_names
    ('acquit', 'convict')
    """
    market = _check_market(market)
    order = np.asarray(order)
    if (
        order.ndim != 1
        or not np.issubdtype(order.dtype, np.integer)
        or sorted(order.tolist()) != list(range(market.n_actions))
    ):
        raise ValueError(f"order: expected a permutation of range({market.n_actions}), got {order.tolist()}")
    return Market(
        market.prior,
        market.masses,
        market.user_utility[:, order],
        market.provider_utility[:, :, order],
        state_names=market.state_names,
        action_names=tuple(market.action_names[a] for a in order),
        user_names=market.user_names,
        provider_names=market.provider_names,
    )


def tie_example():
    """A market without assumption (U) in which the tie rule matters.

    Three equally likely states, two actions, one user, two providers.  The
    user is indifferent between the actions in state 0; action 0 is right in
    state 1 and action 1 in state 2.  Provider 1 wants action 1 whatever the
    state, provider 2 wants action 0.

    Examples
    --------
    >>> from gamelib.studies import tie_example
    >>> from gamelib import has_unique_best_actions, aligned_value
    >>> m = tie_example()
    >>> has_unique_best_actions(m), aligned_value(m)
    (False, array([1.]))
    """
    u = np.array([[1.0, 1.0, 0.0], [1.0, 0.0, 1.0]])  # [A, Θ]
    wants_1 = np.array([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
    wants_0 = 1.0 - wants_1
    return Market(
        np.full(3, 1 / 3),
        [1.0],
        u[None],
        np.stack([wants_1, wants_0])[:, None],
        state_names=("θ=0 (tie)", "θ=1", "θ=2"),
        action_names=("a=0", "a=1"),
        user_names=("user",),
        provider_names=("provider 1", "provider 2"),
    )


def compare_tie_rules(market, orders, experiments):
    """Equilibrium facts under several fixed tie-breaking orders over actions.

    Parameters
    ----------
    market : Market
    orders : sequence of permutations
        Each a priority order over actions (see :func:`relabel_actions`).
    experiments : array_like, shape [E, Θ, S]
        Grid for the personalized equilibria (include reveal-everything).

    Returns
    -------
    list of dict
        One per order: ``order``; ``full_revelation_equilibrium`` (bool:
        no provider gains by deviating, personalized mode, from everybody
        revealing everything, against the grid); ``deviation`` (the
        profitable deviation or None); ``worst`` and ``best`` user values
        over personalized equilibria ``[n]``; ``tied_actions`` (the action,
        in the original labels, the user takes in each state under full
        revelation ``[n, Θ]``).

    Examples
    --------
    >>> from gamelib.studies import tie_example, compare_tie_rules
    >>> from gamelib import experiment_grid
    >>> rows = compare_tie_rules(tie_example(), [[0, 1], [1, 0]], experiment_grid(3, 1))
    >>> [r["full_revelation_equilibrium"] for r in rows]
    [False, True]
    >>> rows[0]["tied_actions"], rows[1]["tied_actions"]
    (array([[0, 0, 1]]), array([[1, 0, 1]]))
    """
    market = _check_market(market)
    experiments = as_experiments(experiments, "experiments", n_states=market.n_states)
    if experiments.ndim != 3:
        raise ValueError(f"experiments: expected shape [E, Θ, S], got {experiments.shape}")
    out = []
    for order in orders:
        relabelled = relabel_actions(market, order)
        width = max(experiments.shape[-1], market.n_states)
        full = reveal_everything(market.n_states, width)
        policy = np.broadcast_to(full, (market.n_providers, market.n_users) + full.shape)
        padding = np.zeros(experiments.shape[:2] + (width - experiments.shape[-1],))
        grid = np.concatenate([experiments, padding], axis=-1)
        dev = profitable_deviation(relabelled, policy, "personalized", experiments=grid)
        pers = equilibria(relabelled, grid, "personalized")
        out.append(
            {
                "order": np.asarray(order),
                "full_revelation_equilibrium": dev is None,
                "deviation": dev,
                "worst": pers.worst_user_values(),
                "best": pers.best_user_values(),
                "tied_actions": np.asarray(order)[best_actions(relabelled)],
            }
        )
    return out


def aligned_tie_market():
    """A perfectly aligned market (WMA(0)) that violates assumption (U).

    One user, two equally likely states, three actions.  Actions 0 and 1 both
    pay the user 1 in state 0 (a tie), action 2 pays 1 in state 1; so
    ``OPT = 1`` and ``NOINFO = 1/2``.  The providers split the tie: ``U_1 = u
    + d`` and ``U_2 = u − d`` with ``d(0, θ=0) = 1``, ``d(1, θ=0) = −1`` and
    ``d = 0`` elsewhere, so ``u = (U_1 + U_2)/2`` exactly: WMA(0) with weights
    ``(1/2, 1/2)``.  Provider 1 wants action 0 when the state is 0, provider 2
    action 1.

    Examples
    --------
    >>> from gamelib.studies import aligned_tie_market
    >>> from gamelib import has_unique_best_actions, weak_alignment
    >>> m = aligned_tie_market()
    >>> has_unique_best_actions(m), weak_alignment(m)[0].eps
    (False, 0.0)
    """
    u = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])  # [A, Θ]
    d = np.zeros((3, 2))
    d[0, 0], d[1, 0] = 1.0, -1.0
    return Market(
        [0.5, 0.5],
        [1.0],
        u[None],
        np.stack([u + d, u - d])[:, None],
        state_names=("θ=0 (tie)", "θ=1"),
        action_names=("a=0", "a=1", "a=2"),
        user_names=("user",),
        provider_names=("provider 1", "provider 2"),
    )


def anonymous_tie_market():
    """A strongly aligned market (SMA(0)) without (U) where anonymity and ties interact.

    Two equally likely states, two actions, two users of mass 1/2, two
    providers; ``u_j = (U_1^j + U_2^j)/2`` for both users, so SMA(0) holds with
    weights ``(1/2, 1/2)``.  User 1 has ``u_1(0, ·) = (1/2, 1)`` and ``u_1(1, ·) =
    (1, 1)``: action 1 is optimal in both states, so she needs no information,
    but in state 1 the two actions tie, and once she is *certain* of state 1 the
    lowest-index rule makes her play action 0.  Provider 1 wants action 1 from
    her (``U_1^1(0, ·) = (1, 0)``, ``U_1^1(1, ·) = (2, 1)``).  User 2 wants to match
    the state (``u_2(0, ·) = (1, 1/2)``, ``u_2(1, ·) = (0, 1)``; (U) holds for
    her); provider 1 wants action 0 from her in state 0, provider 2 action 1 in
    state 1.

    Examples
    --------
    >>> from gamelib.studies import anonymous_tie_market
    >>> from gamelib import has_unique_best_actions, strong_alignment, aligned_value, uninformed_value
    >>> m = anonymous_tie_market()
    >>> has_unique_best_actions(m), strong_alignment(m).eps
    (False, 0.0)
    >>> aligned_value(m), uninformed_value(m)
    (array([1., 1.]), array([1.  , 0.75]))
    """
    provider_utility = np.array(
        [
            [[[1.0, 0.0], [2.0, 1.0]], [[2.0, 0.0], [0.0, 0.0]]],  # provider 1: from user 1, from user 2
            [[[0.0, 2.0], [0.0, 1.0]], [[0.0, 1.0], [0.0, 2.0]]],  # provider 2
        ]
    )  # [k, n, A, Θ]
    return Market(
        [0.5, 0.5],
        [0.5, 0.5],
        provider_utility.mean(axis=0),
        provider_utility,
        state_names=("θ=0", "θ=1"),
        action_names=("a=0", "a=1"),
        user_names=("user 1 (tie in θ=1)", "user 2"),
        provider_names=("provider 1", "provider 2"),
    )


_TIE_RULES = ("lowest", "sender", "adverse")


def tie_rule_equilibria(market, experiments, ties, max_profiles=5_000_000):
    """Every pure equilibrium of a one-user personalized game, for a tie rule.

    The user consults the provider whose experiment is worth most to her
    (lowest provider index among ties, as everywhere in gamelib) and, after
    each signal, plays a best action.  Among tied best actions she picks

    * ``"lowest"``: the lowest index (gamelib's rule; the same equilibria as
      :func:`gamelib.equilibrium.equilibria`);
    * ``"sender"``: the one the *consulted* provider likes most (lowest index
      among those);
    * ``"adverse"``: the one the consulted provider likes least (lowest index
      among those).

    After a signal that is never sent every action ties; the action chosen
    there has no effect on any payoff.

    The last two depend on the provider, which the main enumeration cannot
    express.  Personalized games separate across users (chapter 4), so one
    user is no loss of generality; pass each user's sub-market.

    Parameters
    ----------
    market : Market
        With exactly one user.
    experiments : array_like, shape [E, Θ, S]
        Each provider's strategy set.
    ties : {"lowest", "sender", "adverse"}
    max_profiles : int, default 5,000,000
        Refuse games with more than this many profiles ``E**k``.

    Returns
    -------
    gamelib.equilibrium.UserGame
        The equilibria: ``profiles [N, k]``, ``user_values [N]``,
        ``provider_payoffs [N, k]``, ``choice [N]`` (provider consulted) and
        ``consumed [N]`` (experiment index she reads); the same type as
        ``equilibria(market, experiments, "personalized").per_user[0]``.

    Examples
    --------
    >>> from gamelib.studies import aligned_tie_market, tie_rule_equilibria
    >>> from gamelib import experiment_grid
    >>> m, grid = aligned_tie_market(), experiment_grid(2, 10)
    >>> [float(tie_rule_equilibria(m, grid, t).user_values.min()) for t in ("lowest", "sender", "adverse")]
    [1.0, 1.0, 0.55]
    """
    market = _check_market(market)
    if market.n_users != 1:
        raise ValueError(f"market: expected one user (pass each user's sub-market), got {market.n_users}")
    experiments = as_experiments(experiments, "experiments", n_states=market.n_states)
    if experiments.ndim != 3:
        raise ValueError(f"experiments: expected shape [E, Θ, S], got {experiments.shape}")
    if ties not in _TIE_RULES:
        raise ValueError(f"ties: must be one of {_TIE_RULES}, got {ties!r}")
    max_profiles = as_int(max_profiles, "max_profiles", 1)
    n_exp, k = experiments.shape[0], market.n_providers
    if n_exp**k > max_profiles:
        raise ValueError(f"experiments: {n_exp}**{k} = {n_exp**k} profiles exceed max_profiles = {max_profiles}")

    joint = market.prior[None, :, None] * experiments  # P(θ, s) [E, Θ, S]
    user = np.einsum("at,ets->eas", market.user_utility[0], joint)  # [E, A, S]
    best = user >= user.max(axis=1, keepdims=True) - VALUE_ATOL
    value = user.max(axis=1).sum(axis=1)  # [E]
    provider = np.einsum("lat,ets->leas", market.provider_utility[:, 0], joint)  # [k, E, A, S]
    # action after each signal when provider i is consulted: [k(i), E, S]
    if ties == "lowest":
        action = np.broadcast_to(np.argmax(best, axis=1), (k,) + best.shape[::2])
    else:
        sign = 1.0 if ties == "sender" else -1.0
        score = np.where(best[None], sign * provider, -np.inf)
        top = score.max(axis=2, keepdims=True)
        action = np.argmax(score >= top - VALUE_ATOL, axis=2)
    # payoff[i, l, e]: provider l's payoff when the user consults i, who offers e
    payoff = np.take_along_axis(provider[None], action[:, None, :, None, :], axis=3)[..., 0, :].sum(axis=-1)

    profiles = np.indices((n_exp,) * k).reshape(k, -1).T  # [P, k]
    offered = value[profiles]
    choice = np.argmax(offered >= offered.max(axis=1, keepdims=True) - VALUE_ATOL, axis=1)
    consumed = profiles[np.arange(len(profiles)), choice]
    pay = payoff[choice[:, None], np.arange(k)[None, :], consumed[:, None]]  # [P, k]
    stable = np.ones(len(profiles), dtype=bool)
    for l in range(k):
        table = pay[:, l].reshape((n_exp,) * k)
        stable &= (table >= table.max(axis=l, keepdims=True) - VALUE_ATOL).reshape(-1)
    return UserGame(profiles[stable], value[consumed[stable]], pay[stable] * market.masses[0],
                    choice[stable], consumed[stable])


# ----------------------------------------------------------------------------
# Menus versus single experiments
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MenuExample:
    """An anonymous equilibrium over single experiments that a menu breaks.

    Attributes
    ----------
    market : Market
    seed : int
        Seed of :func:`gamelib.examples.random_market` that produced it.
    experiments : ndarray, shape [E, Θ, S]
        The strategy set (single experiments).
    profile : ndarray of int, shape [k]
        The equilibrium (indices into ``experiments``).
    provider : int
        The deviating provider.
    single_gain : float
        Its best gain from any single experiment (≤ 0: it is an equilibrium).
    menu_gain : float
        Its best gain from a two-item menu (> 0).
    menu : ndarray, shape [2, Θ, S]
    item_values : ndarray, shape [2, n]
        ``V_j`` of each menu item for each user.

    Examples
    --------
    Provider 1's menu gain, recomputed from the stored equilibrium and menu:

    >>> from gamelib import deviation_gains
    >>> from gamelib.studies import menu_separation_search
    >>> ex = menu_separation_search(seeds=range(19, 20))
    >>> ex.seed, ex.profile, ex.provider, ex.single_gain, ex.menu.shape, ex.item_values.shape
    (19, array([2, 0]), 0, 0.0, (2, 3, 3), (2, 2))
    >>> policy = ex.experiments[ex.profile]
    >>> gains, _ = deviation_gains(ex.market, policy, "anonymous", ex.provider, ex.menu, menu_size=2)
    >>> bool(np.isclose(gains[0], ex.menu_gain)), ex.menu_gain > 0
    (True, True)
    """

    market: Market
    seed: int
    experiments: np.ndarray
    profile: np.ndarray
    provider: int
    single_gain: float
    menu_gain: float
    menu: np.ndarray
    item_values: np.ndarray


def menu_separation_search(seeds=range(40), n_states=3, n_actions=3, resolution=1, max_equilibria=5):
    """Find the market (among ``seeds``) where a two-item menu pays most.

    For each seeded random market (two providers, two users), the anonymous
    equilibria over ``experiment_grid(n_states, resolution)`` are enumerated
    (single experiments only); for up to ``max_equilibria`` of them, each
    provider's best deviation to a two-item menu of grid experiments is
    computed with :func:`gamelib.deviation_gains`.

    Parameters
    ----------
    seeds : iterable of int
    n_states, n_actions, resolution : int
    max_equilibria : int, default 5

    Returns
    -------
    MenuExample or None
        The largest strictly profitable menu deviation found, or None.

    Examples
    --------
    >>> from gamelib.studies import menu_separation_search
    >>> ex = menu_separation_search(seeds=range(19, 20))
    >>> ex.seed, ex.single_gain <= 1e-9 < ex.menu_gain
    (19, True)
    >>> bool((ex.item_values.argmax(axis=0) == [0, 1]).all())   # users pick different items
    True
    """
    seeds = [_seed(s, "seeds") for s in seeds]
    if not seeds:
        raise ValueError("seeds: expected at least one seed")
    n_states = as_int(n_states, "n_states", 2)
    n_actions = as_int(n_actions, "n_actions", 2)
    resolution = as_int(resolution, "resolution", 1)
    max_equilibria = as_int(max_equilibria, "max_equilibria", 1)
    grid = experiment_grid(n_states, resolution)
    best = None
    for s in seeds:
        market = random_market(s, n_states, n_actions, 2, 2)
        anon = equilibria(market, grid, "anonymous")
        for eq in itertools.islice(anon, max_equilibria):
            policy = grid[eq.profile]
            for i in range(market.n_providers):
                single, _ = deviation_gains(market, policy, "anonymous", i, grid)
                menus, cand = deviation_gains(market, policy, "anonymous", i, grid, menu_size=2)
                c = int(np.argmax(menus))
                if menus[c] > VALUE_ATOL and (best is None or menus[c] > best[0]):
                    best = (float(menus[c]), s, market, eq.profile, i, float(single.max()), grid[cand[c]])
    if best is None:
        return None
    gain, s, market, profile, i, single, menu = best
    values, _, _ = outcome_tables(market, menu)
    return MenuExample(market, s, grid, profile, i, single, gain, menu, values)
