"""Monte Carlo studies and searches that go beyond the paper (chapter 7).

Every function here is seeded: the same arguments give the same numbers.

* :func:`alignment_study` — how often random users are weakly / strongly
  aligned with ``k`` random providers, ``k = 1, 2, …`` (batched alignment LPs);
  :func:`wilson_interval` gives the confidence bands.
* :func:`audience_market`, :func:`anonymity_study` — the price of anonymity:
  worst-equilibrium welfare under personalized and anonymous policies.
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
    """Worst-equilibrium welfare of random markets in both modes.

    All arrays have shape ``[N]`` (one entry per market).

    Attributes
    ----------
    seeds : ndarray of int
    opt, noinfo : ndarray
        ``Σ_j m_j OPT_j`` and ``Σ_j m_j NOINFO_j``.
    personalized, anonymous : ndarray
        Lowest welfare over all pure equilibria on the grid.
    eps_weak, eps_strong : ndarray
        ``max_j ε_j`` of WMA and ε of SMA.
    disagreement : ndarray
        Prior probability that the two users' best actions differ.

    Examples
    --------
    Six audience markets: personalization reaches OPT (Theorem 1 with ε = 0);
    anonymity costs welfare in one market, whose users disagree in every state.

    >>> from gamelib.studies import anonymity_study
    >>> st = anonymity_study(n_markets=6, seed=1, resolution=2)
    >>> bool(np.allclose(st.personalized, st.opt)), bool((st.anonymous >= st.noinfo - 1e-9).all())
    (True, True)
    >>> np.flatnonzero(st.gap > 1e-9), round(float(st.gap[4]), 4), round(float(st.disagreement[4]), 9)
    (array([4]), 0.0581, 1.0)
    """

    seeds: np.ndarray
    opt: np.ndarray
    noinfo: np.ndarray
    personalized: np.ndarray
    anonymous: np.ndarray
    eps_weak: np.ndarray
    eps_strong: np.ndarray
    disagreement: np.ndarray

    @property
    def gap(self):
        """Price of anonymity: personalized minus anonymous worst welfare."""
        return self.personalized - self.anonymous

    @property
    def relative_gap(self):
        """Gap as a share of the value of information ``opt − noinfo`` (0 when that is 0)."""
        voi = self.opt - self.noinfo
        return np.divide(self.gap, voi, out=np.zeros_like(voi), where=voi > VALUE_ATOL)

    def summary(self, tol=1e-9, confidence=0.95):
        """The numbers chapter 7 reports about the study.

        A market *loses* when ``gap > tol``; users *disagree everywhere* when
        ``disagreement > 1 − tol`` (their best actions differ in every state).

        Parameters
        ----------
        tol : float, default 1e-9
            Non-negative tolerance of both tests.
        confidence : float, default 0.95
            Coverage of the Wilson intervals (:func:`wilson_interval`).

        Returns
        -------
        dict
            ``n``, ``lost`` (number of losing markets), ``max_gap``,
            ``max_relative_gap``; for the markets where users disagree everywhere
            (``full_*``) and the others (``partial_*``): their number ``_n``, the
            share that loses ``_rate`` and its Wilson interval ``_low``, ``_high``
            (``None`` when there are no such markets); ``rho_eps``, the Spearman
            correlation of the gap with ``eps_strong − eps_weak``, and
            ``rho_voi_full``, that of the gap with ``opt − noinfo`` among the
            disagree-everywhere markets (``None`` when a correlation is undefined:
            fewer than two markets or a constant variable).

        Examples
        --------
        >>> from gamelib.studies import AnonymityStudy
        >>> st = AnonymityStudy(seeds=np.arange(4), opt=np.ones(4), noinfo=np.full(4, 0.5),
        ...                     personalized=np.ones(4), anonymous=np.array([1, 0.5, 1, 0.75]),
        ...                     eps_weak=np.zeros(4), eps_strong=np.array([0, 0.3, 0.1, 0.2]),
        ...                     disagreement=np.array([1, 1, 0.5, 1]))
        >>> out = st.summary()
        >>> out["lost"], out["full_n"], out["full_rate"], out["partial_n"], out["partial_rate"]
        (2, 3, 0.6666666666666666, 1, 0.0)
        >>> out["max_gap"], out["max_relative_gap"], round(out["rho_eps"], 6)  # 3/√10
        (0.5, 1.0, 0.948683)
        """
        tol = as_real(tol, "tol", minimum=0.0)
        confidence = as_real(confidence, "confidence")
        if not 0.0 < confidence < 1.0:
            raise ValueError(f"confidence: must be strictly between 0 and 1, got {confidence}")
        lost = self.gap > tol
        full = self.disagreement > 1.0 - tol
        out = {"n": int(lost.size), "lost": int(lost.sum()),
               "max_gap": float(self.gap.max()),
               "max_relative_gap": float(self.relative_gap.max())}
        for name, part in (("full", full), ("partial", ~full)):
            n = int(part.sum())
            out[f"{name}_n"] = n
            if n:
                low, high = wilson_interval(int(lost[part].sum()), n, confidence)
                out[f"{name}_rate"] = float(lost[part].mean())
                out[f"{name}_low"], out[f"{name}_high"] = float(low), float(high)
            else:
                out[f"{name}_rate"] = out[f"{name}_low"] = out[f"{name}_high"] = None
        out["rho_eps"] = _spearman(self.gap, self.eps_strong - self.eps_weak)
        out["rho_voi_full"] = _spearman(self.gap[full], (self.opt - self.noinfo)[full])
        return out


def _spearman(x, y):
    """Spearman's rank correlation, or None when it is undefined."""
    if x.size < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return None
    from scipy.stats import spearmanr

    return float(spearmanr(x, y).statistic)


def anonymity_study(n_markets=100, seed=0, resolution=4):
    """The price of anonymity over random :func:`audience_market` s.

    For each market, all pure equilibria over ``experiment_grid(2,
    resolution)`` are enumerated in both modes and the lowest mass-weighted
    welfare is recorded.  The markets satisfy WMA(0) and (U), so by Theorem 1
    the personalized worst welfare is ``opt`` exactly.

    Parameters
    ----------
    n_markets : int, default 100
    seed : int, default 0
    resolution : int, default 4

    Returns
    -------
    AnonymityStudy

    Examples
    --------
    >>> from gamelib.studies import anonymity_study
    >>> st = anonymity_study(n_markets=4, seed=0, resolution=2)
    >>> bool(np.allclose(st.personalized, st.opt))     # Theorem 1 with ε = 0
    True
    >>> bool((st.gap >= -1e-9).all())
    True
    """
    n_markets = as_int(n_markets, "n_markets", 1)
    seed = _seed(seed)
    resolution = as_int(resolution, "resolution", 1)
    grid = experiment_grid(2, resolution)
    seeds = np.random.default_rng(seed).integers(0, 2**31 - 1, size=n_markets)
    rows, markets = [], []
    for s in seeds:
        market = audience_market(int(s))
        markets.append(market)
        pers = equilibria(market, grid, "personalized")
        anon = equilibria(market, grid, "anonymous")
        # never empty: full revelation by everyone is an equilibrium in both modes under (U), k ≥ 2
        best = best_actions(market)
        rows.append(
            (
                welfare(market, aligned_value(market)),
                welfare(market, uninformed_value(market)),
                welfare(market, pers.worst_user_values()),
                welfare(market, anon.user_values).min(),
                float(market.prior @ (best[0] != best[1])),
            )
        )
    opt, noinfo, worst_p, worst_a, disagreement = np.array(rows).T
    eps_weak, eps_strong = market_alignment_eps(markets)
    return AnonymityStudy(seeds, opt, noinfo, worst_p, worst_a, eps_weak, eps_strong, disagreement)


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


# ----------------------------------------------------------------------------
# How robust is the silent equilibrium?
# ----------------------------------------------------------------------------

__all__ += ["RobustnessStudy", "robustness_study", "silence_margin", "ROBUSTNESS_DIRECTIONS"]

#: Perturbation directions of :func:`robustness_study`, in the book's words.
ROBUSTNESS_DIRECTIONS = ("random", "users", "providers", "masses", "prior", "aligned")


@dataclass(frozen=True)
class RobustnessStudy:
    """Exact verdicts on silence (and full revelation) in perturbed markets.

    One entry per perturbed market.  In the sampling mode of
    :func:`robustness_study` market ``r`` is the base market perturbed along
    ``directions[direction[r]]`` by ``x[r]`` (``y[r] = 0``); in the plane mode
    it is the point ``(x[r], y[r])`` of the phase diagram (``direction[r] = 0``,
    ``directions == ("plane",)``).

    Attributes
    ----------
    directions : tuple of str
    direction : ndarray of int, shape [N]
    x, y : ndarray, shape [N]
    silent : ndarray of bool, shape [N]
        "Every provider reveals nothing" is an anonymous equilibrium of the real
        game (exact best deviations over all experiments, :func:`gamelib.is_equilibrium`).
    silent_menus : ndarray of bool or None
        The same against menus (None if not computed).
    revealing, revealing_menus : ndarray of bool or None
        The same for "every provider reveals the state" (None if not computed).
    loss : ndarray, shape [N]
        What users lose under silence, ``Σ_j m_j (OPT_j − NOINFO_j)``.
    eps_weak, eps_strong : ndarray, shape [N]
        The market's WMA and SMA tolerances (``max_j ε_j`` and ``ε``).
    margin : ndarray, shape [N]
        The criterion of the chapter's proposition: the largest change gain
        ``Δ_i(q; a)`` of any provider over beliefs ``q`` and best-response
        profiles ``a`` that change at least one user's action (``-inf`` if no
        belief changes anybody).  When ``strict`` holds, silence is an
        equilibrium over single experiments iff ``margin ≤ 0``.
    strict : ndarray of bool, shape [N]
        Every user has a unique best action at the prior.
    markets : tuple of Market
        The perturbed markets themselves.

    Examples
    --------
    >>> from gamelib.studies import robustness_study
    >>> st = robustness_study(directions=("prior",), sizes=(0.01,), n_samples=3, menus=False)
    >>> st.silent.tolist(), bool(abs(st.loss - 0.25).max() < 0.01)
    ([True, True, True], True)
    >>> st.survival()["prior"][1].tolist()
    [1.0]
    >>> st.markets[0].prior.round(4)      # the first perturbed market
    array([0.5002, 0.4998])
    """

    directions: tuple
    direction: np.ndarray
    x: np.ndarray
    y: np.ndarray
    silent: np.ndarray
    silent_menus: np.ndarray | None
    revealing: np.ndarray | None
    revealing_menus: np.ndarray | None
    loss: np.ndarray
    eps_weak: np.ndarray
    eps_strong: np.ndarray
    margin: np.ndarray
    strict: np.ndarray
    markets: tuple

    def survival(self, menus=False):
        """Survival rate of silence per direction and size.

        Returns a dict ``{direction: (sizes, rate, lo, hi)}`` with the 95%
        Wilson interval ``[lo, hi]`` of each rate.

        >>> from gamelib.studies import robustness_study
        >>> st = robustness_study(directions=("masses",), sizes=(0.01, 0.1), n_samples=2, menus=False)
        >>> sizes, rate, lo, hi = st.survival()["masses"]
        >>> sizes.tolist(), rate.tolist()
        ([0.01, 0.1], [1.0, 1.0])
        """
        verdict = self.silent_menus if menus else self.silent
        if verdict is None:
            raise ValueError("menus: the study was run with menus=False")
        out = {}
        for d, name in enumerate(self.directions):
            rows = self.direction == d
            sizes = np.unique(self.x[rows])
            wins = np.array([verdict[rows & (self.x == s)].sum() for s in sizes])
            trials = np.array([(rows & (self.x == s)).sum() for s in sizes])
            lo, hi = wilson_interval(wins, trials)
            out[name] = (sizes, wins / trials, lo, hi)
        return out

    def grid(self, field="silent"):
        """A field of a plane study as a ``[len(ys), len(xs)]`` array, with the axes.

        >>> from gamelib.studies import robustness_study
        >>> st = robustness_study(plane=([-0.02, 0.0, 0.02], [0.0, 0.03]), menus=False, revealing=False)
        >>> xs, ys, verdict = st.grid()
        >>> verdict.astype(int).tolist()
        [[0, 1, 0], [1, 1, 1]]
        """
        if self.directions != ("plane",):
            raise ValueError("field: grid() needs a study run with plane=(xs, ys)")
        values = getattr(self, field, None)
        if (field not in self.__dataclass_fields__ or not isinstance(values, np.ndarray)
                or values.shape != self.silent.shape):
            raise ValueError(f"field: expected the name of a computed per-market array, got {field!r}")
        xs, ys = np.unique(self.x), np.unique(self.y)
        return xs, ys, np.asarray(values).reshape(len(ys), len(xs))

    def summary(self):
        """A few lines of text: survival rates and the alignment of survivors.

        >>> from gamelib.studies import robustness_study
        >>> print(robustness_study(directions=("prior",), sizes=(0.01,), n_samples=2).summary())
        2 perturbed markets; silence is an exact anonymous equilibrium in 2 (2 against menus); full revelation in 2 (2)
          prior: size 0.01: 2/2
        users' loss under surviving silence: 0.249 to 0.25; WMA eps of survivors: 0 to 0
        """
        def count(v):
            return "-" if v is None else str(int(v.sum()))

        lines = [
            f"{len(self.silent)} perturbed markets; silence is an exact anonymous equilibrium in "
            f"{int(self.silent.sum())} ({count(self.silent_menus)} against menus); full revelation in "
            f"{count(self.revealing)} ({count(self.revealing_menus)})"
        ]
        if self.directions != ("plane",):
            for name, (sizes, rate, _, _) in self.survival().items():
                rows = self.direction == self.directions.index(name)
                n = rows.sum() // len(sizes)
                cells = ", ".join(f"size {s:g}: {round(r * n)}/{n}" for s, r in zip(sizes, rate))
                lines.append(f"  {name}: {cells}")
        alive = self.silent
        if alive.any():
            lines.append(
                f"users' loss under surviving silence: {self.loss[alive].min():.3g} to {self.loss[alive].max():.3g}; "
                f"WMA eps of survivors: {self.eps_weak[alive].min():.2g} to {self.eps_weak[alive].max():.2g}"
            )
        return "\n".join(lines)


def silence_margin(market):
    """The change gains of the chapter's proposition, provider by provider (two states).

    For provider ``i``, the largest ``Δ_i(q; a) = Σ_j m_j E_q[U_i^j(a_j, θ) −
    U_i^j(a⁰_j, θ)]`` over beliefs ``q = P(θ = 1)`` and profiles ``a`` of best
    responses at ``q`` that change at least one user's no-information action
    ``a⁰_j`` (``-inf`` if no belief changes anybody).  ``Δ_i`` is linear in
    ``q`` between indifference beliefs, so the candidates are the beliefs
    0, 1 and every user's indifference beliefs, with every tied best response.

    Parameters
    ----------
    market : Market
        Two states.

    Returns
    -------
    margin : ndarray, shape [k]
    strict : bool
        Whether every user has a unique best action at the prior; then silence
        is an anonymous equilibrium (single experiments) iff ``margin ≤ 0``.

    Examples
    --------
    Opposite tastes with the users' indifference beliefs moved to 0.55 and
    0.56, and each provider's indifference belief about its own audience 0.03
    beyond its user's (a point of the chapter's phase diagram): every belief
    that moves a user loses for both providers.

    >>> from gamelib import examples
    >>> from gamelib.studies import silence_margin, robustness_study
    >>> st = robustness_study(plane=([0.01], [0.03]), menus=False, revealing=False)
    >>> st.margin.round(6).tolist(), st.strict.tolist(), st.silent.tolist()
    ([-0.01], [True], [True])

    ``margin ≤ 0`` is sufficient for silence in every two-state market; it is
    also necessary when ``strict`` holds and no two users share an
    indifference belief.  When two users share one, the margin counts the
    profiles in which, at that belief, one user moves and the other does not;
    deviators can approach them.  With the providers of Proposition 5.1 and
    both users' indifference beliefs at 0.55, provider 2 gains by moving its
    own audience alone at 0.55:

    >>> from gamelib import is_equilibrium, reveal_nothing
    >>> m = examples.opposite_tastes(); u = m.user_utility.copy()
    >>> u[0, 1] -= 0.05; u[1, 1] += 0.05
    >>> moved = m.replace(user_utility=u)
    >>> silence_margin(moved)[0].round(6).tolist(), is_equilibrium(moved, [reveal_nothing(2)] * 2, "anonymous")
    ([0.025, 0.025], False)
    """
    market = _check_market(market)
    if market.n_states != 2:
        raise ValueError(f"market: silence_margin needs two states, got {market.n_states}")
    u, big = market.user_utility, market.provider_utility  # [n, A, 2], [k, n, A, 2]
    n, n_act, _ = u.shape
    a_idx, b_idx = np.triu_indices(n_act, 1)
    slope_gap = (u[:, a_idx, 1] - u[:, a_idx, 0]) - (u[:, b_idx, 1] - u[:, b_idx, 0])  # [n, P]
    level_gap = u[:, b_idx, 0] - u[:, a_idx, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        cross = np.where(np.abs(slope_gap) > 1e-15, level_gap / slope_gap, -1.0)
    qs = np.unique(np.r_[0.0, 1.0, cross[(cross >= 0) & (cross <= 1)]])
    at_prior = u @ market.prior  # [n, A]
    a0 = np.argmax(at_prior >= at_prior.max(axis=1, keepdims=True) - VALUE_ATOL, axis=1)
    top = np.sort(at_prior, axis=1)
    strict = bool(n_act == 1 or np.all(top[:, -1] - top[:, -2] > VALUE_ATOL))
    belief = np.stack([1 - qs, qs], axis=1)  # [Q, 2]: Δ_i is linear between candidates
    value = np.einsum("qt,jat->qja", belief, u)
    best = value >= value.max(axis=2, keepdims=True) - VALUE_ATOL  # [Q, n, A], every tied best action
    pay = np.einsum("qt,ijat->qija", belief, big) * market.masses[None, None, :, None]
    gain = pay - np.take_along_axis(pay, a0[None, None, :, None], axis=3)  # [Q, k, n, A]
    changed = best & (np.arange(n_act)[None, None, :] != a0[None, :, None])
    with np.errstate(invalid="ignore"):
        any_best = np.where(best[:, None], gain, -np.inf).max(axis=3)  # [Q, k, n]
        any_change = np.where(changed[:, None], gain, -np.inf).max(axis=3)
        # at least one user changes: the best change of user j plus the best of everyone else
        total = any_best.sum(axis=2, keepdims=True) - any_best + any_change
    return total.max(axis=(0, 2)), strict


def _plane_markets(market, xs, ys, shift):
    """The phase-diagram markets: indifference beliefs moved by bias on action 1."""
    if market.provider_utility.shape != (2, 2, 2, 2):
        raise ValueError("market: plane mode needs two providers, two users, two actions and two states")
    u, big = market.user_utility, market.provider_utility
    slope_u = (u[:, 1, 1] - u[:, 0, 1]) - (u[:, 1, 0] - u[:, 0, 0])  # [n]
    own = big[[0, 1], [0, 1]]  # provider i about user i, [2, A, 2]
    slope_p = (own[:, 1, 1] - own[:, 0, 1]) - (own[:, 1, 0] - own[:, 0, 0])
    out = []
    for y in ys:
        for x in xs:
            move = np.array([shift, shift + x])  # users' indifference beliefs move by this
            uu, pp = u.copy(), big.copy()
            uu[:, 1, :] -= (move * slope_u)[:, None]
            pp[[0, 1], [0, 1], 1, :] -= ((move + y) * slope_p)[:, None]
            out.append((x, y, market.replace(user_utility=uu, provider_utility=pp)))
    return out


def _perturbed(market, name, size, z):
    """``market`` moved along one draw ``z`` (a dict of arrays in [-1, 1]) scaled by ``size``."""
    if name == "aligned":  # toward U_i^j = u_j, the strongly aligned market with the same users
        target = np.broadcast_to(market.user_utility, market.provider_utility.shape)
        return market.replace(provider_utility=(1 - size) * market.provider_utility + size * target)
    if name in ("random", "users", "providers"):
        users = market.user_utility + (size * z["users"] if name != "providers" else 0.0)
        provs = market.provider_utility + (size * z["providers"] if name != "users" else 0.0)
        return market.replace(user_utility=users, provider_utility=provs)
    key = "masses" if name == "masses" else "prior"
    base = getattr(market, key)
    step = size * (z[key] - z[key].mean())
    new = np.clip(base + step, 1e-3, None)
    return market.replace(**{key: new / new.sum()})


def robustness_study(market=None, *, directions=ROBUSTNESS_DIRECTIONS, sizes=(1e-3, 1e-2, 5e-2, 1e-1),
                     n_samples=20, seed=0, menus=True, revealing=True, plane=None, shift=0.05):
    """How robust is the silent equilibrium?  Exact verdicts on perturbed markets.

    **Sampling mode** (``plane=None``).  For each direction and each sample a
    random draw ``z`` (uniform in ``[-1, 1]`` entrywise) is taken once and
    scaled by every size (common random directions: the same rays at every
    size).  Directions:

    * ``"random"`` — every user and provider utility;
    * ``"users"`` — the users' utilities (moves their indifference beliefs);
    * ``"providers"`` — the providers' utilities (their stakes);
    * ``"masses"``, ``"prior"`` — shifted by ``size·(z − mean z)``, renormalised;
    * ``"aligned"`` — deterministic: the providers' utilities mixed with
      weight ``size ≤ 1`` toward ``U_i^j = u_j`` (SMA(0)); one market per size.

    **Plane mode** (``plane=(xs, ys)``, the phase diagram; two providers, two
    users, two actions, two states).  User 1's indifference belief is moved by
    ``shift`` and user 2's by ``shift + x``; provider ``i``'s indifference
    belief about user ``i`` (its own audience) is moved ``y`` further than
    user ``i``'s.  Moves are made by a state-independent bias on action 1, so
    they are exact for every market of that shape.

    Each perturbed market gets exact verdicts (:func:`gamelib.is_equilibrium`,
    anonymous mode): silence, and optionally full revelation, over single
    experiments and optionally menus; users' loss under silence; the WMA and
    SMA tolerances; and the proposition's criterion (:func:`silence_margin`).

    Parameters
    ----------
    market : Market, optional
        Two states.  Default: :func:`gamelib.examples.opposite_tastes`
        (Proposition 5.1's market).
    directions : sequence of str
        Subset of :data:`ROBUSTNESS_DIRECTIONS` (sampling mode).
    sizes : sequence of float
        Positive perturbation sizes (sampling mode).
    n_samples : int
        Draws per direction (sampling mode).
    seed : int
    menus, revealing : bool
        Also decide silence against menus / full revelation.
    plane : pair of sequences of float, optional
        The axes ``(xs, ys)`` of the phase diagram.
    shift : float, default 0.05
        Plane mode: the common move of the users' indifference beliefs.

    Returns
    -------
    RobustnessStudy

    Examples
    --------
    Moving the prior keeps silence alive; moving the users' utilities at
    random kills it; moving toward strong alignment kills it once a third of
    the way (Theorem 6.1 alone would only force it past two thirds):

    >>> from gamelib.studies import robustness_study
    >>> st = robustness_study(directions=("prior", "users"), sizes=(0.01,), n_samples=5, seed=1)
    >>> {k: v[1].tolist() for k, v in st.survival().items()}
    {'prior': [1.0], 'users': [0.0]}
    >>> bool(st.revealing.all())      # full revelation survives everything (assumption (U))
    True
    >>> path = robustness_study(directions=("aligned",), sizes=(0.3, 1 / 3, 0.34), menus=False)
    >>> path.silent.tolist(), (2 * path.eps_strong).round(3).tolist()
    ([True, True, False], [0.525, 0.5, 0.495])
    """
    from .deviations import is_equilibrium
    from .examples import opposite_tastes

    market = opposite_tastes() if market is None else _check_market(market)
    if market.n_states != 2:
        raise ValueError(f"market: the study needs two states, got {market.n_states}")
    seed = _seed(seed)
    for flag, name in ((menus, "menus"), (revealing, "revealing")):
        if not isinstance(flag, (bool, np.bool_)):
            raise ValueError(f"{name}: expected True or False, got {flag!r}")
    if plane is None:
        if isinstance(directions, str):
            raise ValueError(f"directions: expected a sequence of names, got the string {directions!r}")
        directions = tuple(directions)
        if not directions or any(d not in ROBUSTNESS_DIRECTIONS for d in directions):
            raise ValueError(f"directions: expected names from {ROBUSTNESS_DIRECTIONS}, got {directions}")
        sizes = as_finite_array(sizes, "sizes", ndim=1)
        if np.any(sizes <= 0):
            raise ValueError("sizes: must be positive")
        if "aligned" in directions and np.any(sizes > 1):
            raise ValueError("sizes: the 'aligned' direction mixes with weight size, which must be at most 1")
        n_samples = as_int(n_samples, "n_samples", 1)
        rng = np.random.default_rng(seed)
        shapes = {"users": market.user_utility.shape, "providers": market.provider_utility.shape,
                  "masses": market.masses.shape, "prior": market.prior.shape}
        rows = []
        for d, name in enumerate(directions):
            for sample in range(n_samples):
                z = {key: rng.uniform(-1.0, 1.0, shape) for key, shape in shapes.items()}
                if name != "aligned" or sample == 0:
                    rows.extend((d, s, 0.0, _perturbed(market, name, s, z)) for s in sizes)
    else:
        if not isinstance(plane, (tuple, list)) or len(plane) != 2:
            raise ValueError("plane: expected a pair (xs, ys) of sequences of numbers")
        xs = as_finite_array(plane[0], "plane", ndim=1)
        ys = as_finite_array(plane[1], "plane", ndim=1)
        if len(np.unique(xs)) != len(xs) or len(np.unique(ys)) != len(ys):
            raise ValueError("plane: the axes must not repeat values")
        shift = as_real(shift, "shift")
        directions = ("plane",)
        rows = [(0, x, y, m) for x, y, m in _plane_markets(market, np.sort(xs), np.sort(ys), shift)]
    markets = [r[3] for r in rows]
    silent_profile = np.broadcast_to(np.full((market.n_states, 1), 1.0), (market.n_providers, market.n_states, 1))
    reveal_profile = np.broadcast_to(reveal_everything(market.n_states), (market.n_providers,) + (market.n_states,) * 2)

    def verdicts(profile, with_menus):
        return np.array([is_equilibrium(m, profile, "anonymous", menus=with_menus) for m in markets])

    margins = [silence_margin(m) for m in markets]
    eps_weak, eps_strong = market_alignment_eps(markets)
    opt = np.array([aligned_value(m) @ m.masses for m in markets])
    noinfo = np.array([uninformed_value(m) @ m.masses for m in markets])
    return RobustnessStudy(
        directions=directions,
        direction=np.array([r[0] for r in rows], dtype=int),
        x=np.array([r[1] for r in rows], dtype=float),
        y=np.array([r[2] for r in rows], dtype=float),
        silent=verdicts(silent_profile, False),
        silent_menus=verdicts(silent_profile, True) if menus else None,
        revealing=verdicts(reveal_profile, False) if revealing else None,
        revealing_menus=verdicts(reveal_profile, True) if (revealing and menus) else None,
        loss=opt - noinfo,
        eps_weak=eps_weak,
        eps_strong=eps_strong,
        margin=np.array([mg.max() for mg, _ in margins]),
        strict=np.array([s for _, s in margins]),
        markets=tuple(markets),
    )

